// Command regis-buildzip writes the consumer Lambda's reproducible deployment
// packages (see package lambdazip):
//
//	go run ./cmd/regis-buildzip -out dist/lambda
//
// writes regis-consumer-arm64.zip and regis-consumer-x86_64.zip with their
// .sha256 files, and prints each zip's SHA-256 and size.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
)

func main() {
	out := flag.String("out", "dist/lambda", "output directory")
	pkg := flag.String("pkg", "./lambda", "package to build as bootstrap")
	archs := flag.String("arch", "arm64,x86_64", "comma-separated Lambda architectures")
	flag.Parse()
	if err := run(context.Background(), *out, *pkg, *archs); err != nil {
		fmt.Fprintln(os.Stderr, "regis-buildzip:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, pkg, archs string) error {
	mtime, err := lambdazip.SourceDate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, name := range strings.Split(archs, ",") {
		a, ok := lambdazip.FindArch(strings.TrimSpace(name))
		if !ok {
			return fmt.Errorf("unknown architecture %q (arm64, x86_64)", name)
		}
		sum, size, err := lambdazip.Package(ctx, pkg, a, out, mtime, nil)
		if err != nil {
			return err
		}
		fmt.Printf("%s  %s  %d bytes\n", sum, filepath.Join(out, lambdazip.ZipName(a.Lambda)), size)
	}
	return nil
}
