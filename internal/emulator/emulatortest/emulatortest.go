// Package emulatortest starts the emulator for Go tests and builds SDK
// configurations that talk to it.
package emulatortest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
)

// Start runs an emulator on a random loopback port for the life of the test.
func Start(tb testing.TB) *emulator.Emulator {
	tb.Helper()
	emu := emulator.New(emulator.Options{})
	if err := emu.Start("127.0.0.1:0"); err != nil {
		tb.Fatalf("start emulator: %v", err)
	}
	tb.Cleanup(func() { _ = emu.Close() })
	return emu
}

// Config returns an SDK configuration for region that sends every service to
// the emulator with static test credentials.
func Config(tb testing.TB, emu *emulator.Emulator, region string) aws.Config {
	tb.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEMULATORTEST", "secret", "")),
		config.WithBaseEndpoint(emu.URL()),
		// Ignore the developer's own AWS files.
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		tb.Fatalf("sdk config: %v", err)
	}
	return cfg
}
