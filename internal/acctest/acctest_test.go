package acctest

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func TestRandomName(t *testing.T) {
	a, b := RandomName("tf-acc-bus"), RandomName("tf-acc-bus")
	if a == b {
		t.Errorf("two names are equal: %s", a)
	}
	if !regexp.MustCompile(`^tf-acc-bus-[a-z0-9]{10}$`).MatchString(a) {
		t.Errorf("name %q", a)
	}
	// Every name starts with the sweepers' prefix.
	for prefix, want := range map[string]string{
		"": "tf-acc-test-", "tf-acc": "tf-acc-", "tf-sec-e2e": "tf-acc-sec-e2e-", "chaos-plain": "tf-acc-chaos-plain-",
		"regis-acc-role": "tf-acc-regis-acc-role-", "tf-accounts": "tf-acc-accounts-",
	} {
		name := RandomName(prefix)
		if !strings.HasPrefix(name, want) || len(name) != len(want)+10 || !IsTestName(name) {
			t.Errorf("RandomName(%q) = %q, want %s<10 characters>", prefix, name, want)
		}
	}
}

func TestErrorRegexp(t *testing.T) {
	// Terraform's framed, wrapped rendering of a diagnostic.
	out := "│ Error: Invalid AWS credentials (InvalidClientTokenId)\n│ \n│ STS rejected access key AKIA1 from the provider's access_key and\n│ secret_key arguments when the provider checked it"
	re := ErrorRegexp("Invalid AWS credentials (InvalidClientTokenId)", "the provider's access_key and secret_key arguments")
	if !re.MatchString(out) {
		t.Errorf("%s does not match", re)
	}
	if ErrorRegexp("secret_key arguments", "Invalid AWS").MatchString(out) {
		t.Error("phrases must match in order")
	}
}

func TestProviderConfig(t *testing.T) {
	t.Setenv(EnvEndpoint, "http://localhost:4566/")
	t.Setenv("TF_ACC", "1")
	got := ProviderConfig("max_retries = 2")
	for _, want := range []string{
		`provider "regis" {`, `region = "ap-southeast-1"`, `access_key = "` + AccessKeyID + `"`,
		`sqs            = "http://localhost:4566"`, `route53        = "http://localhost:4566"`, "  max_retries = 2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config does not contain %q:\n%s", want, got)
		}
	}

	t.Setenv(EnvEndpoint, "aws")
	got = ProviderConfig()
	if strings.Contains(got, "access_key") || strings.Contains(got, "endpoints") {
		t.Errorf("against AWS the default credential chain and endpoints are used:\n%s", got)
	}

	// Without TF_ACC nothing is started and the block stays valid.
	t.Setenv(EnvEndpoint, "")
	os.Unsetenv("TF_ACC")
	if got := ProviderConfig(); strings.Contains(got, "endpoints") || shared.emu != nil {
		t.Errorf("ProviderConfig started the emulator without TF_ACC:\n%s", got)
	}
}

func TestCheckInventoryEmpty(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	emu, err := startEmulator()
	if err != nil {
		t.Fatal(err)
	}
	// An emulator object to find: an IAM role.
	name := RandomName("inventory")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emu.AccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	CreateRole(t, name, policy)
	check := CheckInventoryEmpty(InventoryFilter{IDContains: name})
	err = check(nil)
	if err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("a left-over role must be reported: %v", err)
	}
	if err := CheckInventoryEmpty(InventoryFilter{Service: "sqs", IDContains: name})(nil); err != nil {
		t.Errorf("filter on another service: %v", err)
	}
	if err := CheckInventoryEmpty(InventoryFilter{IDContains: name, Match: func(core.Resource) bool { return false }})(nil); err != nil {
		t.Errorf("Match rejecting everything: %v", err)
	}

	// Against an endpoint without /_emulator/ (LocalStack, AWS) nothing is checked.
	t.Setenv(EnvEndpoint, "http://127.0.0.1:1")
	if err := check(nil); err != nil {
		t.Errorf("no inventory: %v", err)
	}
	// An out-of-process regis-emulator is asked over HTTP.
	t.Setenv(EnvEndpoint, emu.URL())
	if err := check(nil); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("HTTP inventory: %v", err)
	}
}
