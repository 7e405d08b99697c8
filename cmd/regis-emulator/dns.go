package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// serveDNS starts one Route 53 DNS server per REGION=ADDR pair of the -dns
// flag and prints where each listens (with port 0 the port is chosen at
// start-up); the emulator's Close stops them.
func serveDNS(emu *emulator.Emulator, spec string, out io.Writer, logger *slog.Logger) error {
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
		_, _ = fmt.Fprintf(out, "regis-emulator: DNS for clients in %s at %s (dig @%s -p %s NAME)\n",
			region, srv.Addr(), hostOf(srv.Addr()), portOf(srv.Addr()))
	}
	return nil
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func portOf(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return p
}
