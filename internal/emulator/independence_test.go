package emulator_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmulatorSharesNoCodeWithTheProduct: the emulator is the independent
// witness the provider is tested against, so neither it nor its tests nor
// its command may depend on any package of this module outside
// internal/emulator (trafficflow, trafficpolicy, bus, regis, consumer,
// conns, ...). A shared package would let both sides agree on a wrong
// reading of AWS's documentation.
func TestEmulatorSharesNoCodeWithTheProduct(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	module := goCmd(t, root, "list", "-m")
	// The emulator, and its command wherever it lives.
	trees := []string{module + "/internal/emulator", module + "/cmd/regis-emulator"}
	patterns := []string{"./internal/emulator/..."}
	if _, err := os.Stat(filepath.Join(root, "cmd", "regis-emulator")); err == nil {
		patterns = append(patterns, "./cmd/regis-emulator/...")
	}
	// One line per package with its dependencies, tests included.
	out := goCmd(t, root, append([]string{"list", "-deps", "-test", "-f", `{{.ImportPath}}{{"\t"}}{{join .Deps " "}}`}, patterns...)...)
	offenders := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		pkg, deps, _ := strings.Cut(line, "\t")
		if !insideAny(pkg, trees) {
			continue
		}
		for _, dep := range strings.Fields(deps) {
			if (strings.HasPrefix(dep, module+"/") || dep == module) && !insideAny(dep, trees) {
				offenders[dep] = append(offenders[dep], strings.Fields(pkg)[0])
			}
		}
	}
	for dep, users := range offenders {
		t.Errorf("%s depends on product package %s; the emulator must be written from AWS's documentation, not share the product's code", strings.Join(users, ", "), dep)
	}
	// The check itself must see the emulator's packages (a wrong pattern
	// would make it pass vacuously).
	if !strings.Contains(out, trees[0]+"/route53") || !strings.Contains(out, "regis-emulator") {
		t.Fatalf("go list did not list the emulator's packages and command:\n%s", out)
	}
}

func insideAny(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if inside(pkg, p) {
			return true
		}
	}
	return false
}

// inside reports whether the package path (possibly a test variant such as
// "p [p.test]" or "p.test") belongs to the tree at prefix.
func inside(pkg, prefix string) bool {
	p := strings.Fields(pkg)
	if len(p) == 0 {
		return false
	}
	path := strings.TrimSuffix(p[0], ".test")
	return path == prefix || strings.HasPrefix(path, prefix+"/") || strings.HasPrefix(path, prefix+"_test")
}

func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
