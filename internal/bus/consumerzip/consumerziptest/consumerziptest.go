// Package consumerziptest makes fresh consumer zips available to tests
// without `make lambda`: it builds them into internal/bus/consumerzip/dist
// when they are missing or older than the consumer's sources, and Zip hands
// them out as the provider under test's consumer packages (the acceptance
// harness serves the provider with provider.WithConsumerZips(Zip)). The test
// binary was compiled before the zips existed, so the copy it embeds may be
// empty or stale.
//
// EnvZipDir, set by the person running the tests, names a directory of
// zips to use instead (nothing is built then). Only this test package reads
// it: the released provider deploys the zips it embeds, or consumer_zip.
//
// The build is the consumer's own reproducible builder,
// `go run ./cmd/regis-buildzip -out <dist>`, the same command as
// `make lambda`.
package consumerziptest

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
)

// EnvZipDir names a directory of consumer zips the tests use instead of
// building them.
const EnvZipDir = "REGIS_TEST_CONSUMER_ZIP_DIR"

// dir builds the zips once per test binary and returns their directory.
var dir = sync.OnceValues(ensure)

// Ensure returns the directory holding fresh consumer zips for every
// architecture, building them first if needed. A build failure fails the
// test: acceptance tests of regis_bus call it in their PreCheck so that a
// broken build is reported as such, before Terraform runs.
func Ensure(tb testing.TB) string {
	tb.Helper()
	d, err := dir()
	if err != nil {
		tb.Fatalf("consumer zips: %v", err)
	}
	return d
}

// Zip returns the fresh consumer zip for arch and its CodeSha256, building
// the zips on first use: the consumer packages of the provider under test.
func Zip(arch string) ([]byte, string, error) {
	d, err := dir()
	if err != nil {
		return nil, "", fmt.Errorf("consumer zips for the tests: %w", err)
	}
	return consumerzip.ZipFromDir(d, arch)
}

// ModuleRoot returns the repository root (the directory holding go.mod).
func ModuleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the source tree")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", filepath.Dir(file))
		}
		dir = parent
	}
}

func ensure() (string, error) {
	if d := os.Getenv(EnvZipDir); d != "" {
		// The developer chose the zips.
		return d, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dist := filepath.Join(root, "internal", "bus", "consumerzip", "dist")
	if fresh(root, dist) {
		return dist, nil
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "regis-buildzip")); err != nil {
		return "", fmt.Errorf("the consumer's zip builder cmd/regis-buildzip is missing: cannot build the bundled consumer (run `make lambda` once it exists)")
	}
	cmd := exec.Command("go", "run", "./cmd/regis-buildzip", "-out", dist)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go run ./cmd/regis-buildzip -out %s: %w\n%s", dist, err, out)
	}
	for _, arch := range consumerzip.Architectures {
		if _, _, zerr := consumerzip.ZipFromDir(dist, arch); zerr != nil {
			return "", fmt.Errorf("after building: %w", zerr)
		}
	}
	return dist, nil
}

// fresh reports whether dist holds a zip for every architecture that is newer
// than every source file the consumer is built from.
func fresh(root, dist string) bool {
	oldest := time.Time{}
	for _, arch := range consumerzip.Architectures {
		if _, _, err := consumerzip.ZipFromDir(dist, arch); err != nil {
			return false
		}
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return false
		}
		if oldest.IsZero() || info.ModTime().Before(oldest) {
			oldest = info.ModTime()
		}
	}
	newest := time.Time{}
	for _, sub := range []string{"lambda", filepath.Join("internal", "consumer"), filepath.Join("internal", "contract"), filepath.Join("cmd", "regis-buildzip"), "regis"} {
		_ = filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil //nolint:nilerr // an unreadable entry cannot be newer than the zips
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
				newest = info.ModTime()
			}
			return nil
		})
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if info, err := os.Stat(filepath.Join(root, f)); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	return !oldest.IsZero() && oldest.After(newest)
}
