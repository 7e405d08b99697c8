// Package consumerziptest makes the bundled consumer zips available to tests
// without `make lambda`: Ensure builds them into internal/bus/consumerzip/dist
// when they are missing or older than the consumer's sources, and points
// consumerzip at that directory through REGIS_CONSUMER_ZIP_DIR (the
// test binary was compiled before the zips existed, so the embedded copy may
// be empty or stale).
//
// The build is the consumer's own reproducible builder,
// `go run ./internal/consumer/buildzip -out <dist>`, the same command as
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

var state struct {
	once sync.Once
	dir  string
	err  error
}

// Ensure returns the directory holding fresh consumer zips for every
// architecture, building them first if needed, and sets REGIS_CONSUMER_ZIP_DIR
// to it for the rest of the test binary (the provider under test runs
// in-process). A build failure fails the test.
func Ensure(tb testing.TB) string {
	tb.Helper()
	state.once.Do(func() {
		state.dir, state.err = ensure()
		if state.err == nil {
			state.err = os.Setenv(consumerzip.EnvZipDir, state.dir)
		}
	})
	if state.err != nil {
		tb.Fatalf("consumer zips: %v", state.err)
	}
	return state.dir
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
	if dir := os.Getenv(consumerzip.EnvZipDir); dir != "" {
		// The developer chose the zips.
		return dir, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dist := filepath.Join(root, "internal", "bus", "consumerzip", "dist")
	if fresh(root, dist) {
		return dist, nil
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "consumer", "buildzip")); err != nil {
		return "", fmt.Errorf("the consumer's zip builder internal/consumer/buildzip is missing: cannot build the bundled consumer (run `make lambda` once it exists)")
	}
	cmd := exec.Command("go", "run", "./internal/consumer/buildzip", "-out", dist)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go run ./internal/consumer/buildzip -out %s: %w\n%s", dist, err, out)
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
	for _, sub := range []string{"lambda", filepath.Join("internal", "consumer"), "regis"} {
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
