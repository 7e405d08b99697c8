// Package internal_test keeps the walls between the parts of the product,
// by asking the go tool what each package imports:
//
//   - the provider binary does not link the consumer's data-plane libraries
//     (go-redis, sentry-go, aws-lambda-go) nor the consumer, the emulator or
//     the test harness;
//   - internal/contract, which the provider, the consumer and the CLI share,
//     imports the standard library only;
//   - no shipped package imports the emulator: only the test harness
//     (internal/acctest), the emulator's own packages and its command do;
//     tests may.
package internal_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/regis-infra/terraform-provider-regis"

// goList runs `go list` with args from the module root and returns its
// standard output.
func goList(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = ".." // the module root: this file is in internal/
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// forbidden reports the first of prefixes that pkg is, or is under.
func forbidden(pkg string, prefixes []string) (string, bool) {
	for _, p := range prefixes {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return p, true
		}
	}
	return "", false
}

func TestProviderLinksNoDataPlane(t *testing.T) {
	deps := strings.Fields(string(goList(t, "-deps", ".")))
	if !slices.Contains(deps, module+"/internal/bus") {
		t.Fatalf("go list -deps . does not list internal/bus: not the provider's dependencies? %d packages", len(deps))
	}
	banned := []string{
		"github.com/redis/go-redis",
		"github.com/getsentry/sentry-go",
		"github.com/aws/aws-lambda-go",
		module + "/internal/consumer",
		module + "/internal/emulator",
		module + "/internal/acctest",
		module + "/internal/chaos",
		module + "/internal/redistest",
		module + "/internal/bus/consumerzip/consumerziptest",
	}
	for _, d := range deps {
		if p, bad := forbidden(d, banned); bad {
			t.Errorf("the provider links %s (under %s)", d, p)
		}
	}
}

func TestContractIsStandardLibraryOnly(t *testing.T) {
	out := goList(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./internal/contract")
	for _, d := range strings.Fields(string(out)) {
		if d != module+"/internal/contract" {
			t.Errorf("internal/contract depends on %s: it must import the standard library only", d)
		}
	}
}

// listedPackage is what TestOnlyTheHarnessImportsTheEmulator reads of
// `go list -json`.
type listedPackage struct {
	ImportPath string
	Imports    []string // of the non-test files
}

func TestOnlyTheHarnessImportsTheEmulator(t *testing.T) {
	emulator := module + "/internal/emulator"
	allowed := []string{
		emulator,                       // the emulator's own packages (emulatortest included)
		module + "/internal/acctest",   // the acceptance-test harness
		module + "/cmd/regis-emulator", // the emulator's command
	}
	dec := json.NewDecoder(bytes.NewReader(goList(t, "-json=ImportPath,Imports", "./...")))
	seen := 0
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		if _, ok := forbidden(p.ImportPath, allowed); ok {
			continue
		}
		for _, imp := range p.Imports {
			if _, bad := forbidden(imp, []string{emulator}); bad {
				t.Errorf("%s imports %s: only tests and the test harness (internal/acctest) may use the emulator", p.ImportPath, imp)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list ./... listed %d packages: too few to be this module", seen)
	}
}
