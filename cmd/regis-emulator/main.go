// Command regis-emulator runs the local multi-region AWS emulator on one port.
//
//	go run ./cmd/regis-emulator -addr 127.0.0.1:4566
//
// Point any AWS SDK or CLI at it with AWS_ENDPOINT_URL=http://127.0.0.1:4566
// (or --endpoint-url / endpoint_url for clients older than that variable)
// and any credentials; the region of each call comes from its signature.
// It prints its endpoint and its DNS listeners on standard output at
// start-up; the README's "Running the emulator alone" lists its flags and
// admin endpoints.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4566", "address to listen on")
	account := flag.String("account-id", emulator.DefaultAccountID, "emulated AWS account id")
	verbose := flag.Bool("v", false, "log every API call")
	urlFile := flag.String("url-file", "", "write the endpoint URL to this file once listening (useful with -addr 127.0.0.1:0)")
	var zones []string
	flag.Func("hosted-zone", "create a Route 53 hosted zone with a known id before serving: NAME=ID (e.g. example.internal=Z0REGISTEST000001); repeatable", func(v string) error {
		zones = append(zones, v)
		return nil
	})
	dnsServers := flag.String("dns", "", "serve the Route 53 hosted zones over DNS: comma-separated REGION=ADDR pairs, each answering as if clients were in REGION (e.g. ap-southeast-1=127.0.0.1:5353,ap-south-1=127.0.0.1:5354)")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	emu := emulator.New(emulator.Options{AccountID: *account, Logger: logger})
	if err := seedHostedZones(emu, zones); err != nil {
		fmt.Fprintln(os.Stderr, "regis-emulator:", err)
		os.Exit(2)
	}
	if err := emu.Start(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "regis-emulator:", err)
		os.Exit(1)
	}
	logger.Info("regis-emulator listening", "url", emu.URL(), "account_id", emu.AccountID())
	fmt.Printf("regis-emulator: endpoint %s (account %s; admin endpoints under %s/_emulator/)\n", emu.URL(), emu.AccountID(), emu.URL())
	if err := serveDNS(emu, *dnsServers, os.Stdout, logger); err != nil {
		fmt.Fprintln(os.Stderr, "regis-emulator:", err)
		_ = emu.Close()
		os.Exit(1)
	}
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(emu.URL()+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "regis-emulator:", err)
			os.Exit(1)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	if err := emu.Close(); err != nil {
		logger.Error("shutdown", "err", err)
	}
}
