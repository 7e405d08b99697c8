// Package conformance drives the emulator with AWS clients nobody here
// wrote: Debian's awscli (/usr/bin/aws) and the system Python's boto3
// (/usr/bin/python3), both of the generation that speaks SQS's query
// protocol. Each script in testdata checks results and error codes against
// AWS's documentation (the API reference page of each operation is cited
// beside its checks), not against what the emulator happens to do.
//
// Add a service or a case by adding a file: every testdata/*.py and
// testdata/*.sh (except _-prefixed helpers) runs as a subtest against its own
// emulator. Scripts get EMULATOR_URL, EMULATOR_ACCOUNT and REGIONS (two
// regions, comma-separated); shell scripts call "$AWS" (the Debian CLI).
package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const (
	awsCLI = "/usr/bin/aws"
	python = "/usr/bin/python3"
	// regions are the two regions every script works in (the README
	// example's Singapore and Mumbai).
	regions = "ap-southeast-1,ap-south-1"
	// scriptTimeout bounds one script (the CLI starts in about a second).
	scriptTimeout = 8 * time.Minute
)

// clients reports which of the Debian clients are missing: the suite
// skips without them on a developer's machine and fails in CI.
func clients() []string {
	var missing []string
	if _, err := os.Stat(awsCLI); err != nil {
		missing = append(missing, awsCLI+" (Debian package awscli)")
	}
	if err := exec.Command(python, "-s", "-E", "-c", "import boto3").Run(); err != nil {
		missing = append(missing, python+" with boto3 (Debian package python3-boto3)")
	}
	return missing
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance scripts skipped in -short mode")
	}
	if missing := clients(); len(missing) > 0 {
		msg := "conformance suite needs " + strings.Join(missing, " and ") + ": apt-get install awscli python3-boto3"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	logVersions(t)

	var scripts []string
	for _, pattern := range []string{"testdata/*.py", "testdata/*.sh"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasPrefix(filepath.Base(f), "_") {
				scripts = append(scripts, f)
			}
		}
	}
	sort.Strings(scripts)
	if len(scripts) == 0 {
		t.Fatal("no conformance scripts in testdata")
	}
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			t.Parallel()
			runScript(t, script)
		})
	}
}

func logVersions(t *testing.T) {
	out, _ := exec.Command(awsCLI, "--version").CombinedOutput()
	t.Logf("awscli: %s", bytes.TrimSpace(out))
	out, _ = exec.Command(python, "-s", "-E", "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)").CombinedOutput()
	t.Logf("boto3, botocore: %s", bytes.TrimSpace(out))
}

func runScript(t *testing.T, script string) {
	emu := emulatortest.Start(t)
	abs, err := filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if strings.HasSuffix(script, ".py") {
		cmd = exec.CommandContext(ctx, python, "-s", "-E", abs)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/bash", abs)
	}
	cmd.Dir = filepath.Dir(abs)
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"LANG=C.UTF-8",
		"AWS=" + awsCLI,
		"PYTHON=" + python,
		"EMULATOR_URL=" + emu.URL(),
		"EMULATOR_ACCOUNT=" + emu.AccountID(),
		"REGIONS=" + regions,
		// Clients read nothing of the developer's own AWS set-up.
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=AKIDCONFORMANCE",
		"AWS_SECRET_ACCESS_KEY=conformance-secret",
		"AWS_DEFAULT_REGION=" + strings.Split(regions, ",")[0],
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_EC2_METADATA_DISABLED=true",
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("%s output:\n%s", filepath.Base(script), out.String())
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %s", script, scriptTimeout)
	}
	if err != nil {
		t.Fatalf("%s failed: %v (its failed cases are marked FAIL above)", script, err)
	}
}
