package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// seedHostedZones creates the hosted zones of the -hosted-zone flags, each
// NAME=ID, so that tests can refer to a zone id known in advance.
func seedHostedZones(emu *emulator.Emulator, specs []string) error {
	if len(specs) == 0 {
		return nil
	}
	svc, ok := emu.Service("route53").(*route53.Service)
	if !ok {
		return errors.New("-hosted-zone: the emulator has no Route 53 service")
	}
	for _, spec := range specs {
		name, id, ok := strings.Cut(strings.TrimSpace(spec), "=")
		if !ok || name == "" || id == "" {
			return fmt.Errorf("-hosted-zone: %q is not NAME=ID (e.g. example.internal=Z0REGISTEST000001)", spec)
		}
		if err := svc.SeedHostedZone(name, id); err != nil {
			return fmt.Errorf("-hosted-zone %s: %w", spec, err)
		}
	}
	return nil
}
