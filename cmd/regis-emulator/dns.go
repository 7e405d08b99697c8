package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// serveDNS starts one Route 53 DNS server per REGION=ADDR pair of the -dns
// flag; the emulator's Close stops them.
func serveDNS(emu *emulator.Emulator, spec string, logger *slog.Logger) error {
	if strings.TrimSpace(spec) == "" {
		return nil
	}
	svc, ok := emu.Service("route53").(*route53.Service)
	if !ok {
		return errors.New("-dns: the emulator has no Route 53 service")
	}
	for _, pair := range strings.Split(spec, ",") {
		region, addr, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || region == "" || addr == "" {
			return fmt.Errorf("-dns: %q is not REGION=ADDR (e.g. ap-southeast-1=127.0.0.1:5353)", pair)
		}
		srv, err := svc.StartDNS(route53.DNSConfig{ClientRegion: region, Addr: addr})
		if err != nil {
			return fmt.Errorf("-dns: %w", err)
		}
		logger.Info("route53 dns listening", "client_region", region, "addr", srv.Addr())
	}
	return nil
}
