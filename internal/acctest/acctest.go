// Package acctest is the acceptance-test harness of the provider.
//
// Acceptance tests run a real Terraform binary against the provider, served
// in-process, and run only when TF_ACC is set (terraform-plugin-testing's
// rule; `make testacc` sets it). Terraform is found through
// TF_ACC_TERRAFORM_PATH, else PATH.
//
// Where the provider's AWS calls go depends on REGIS_ACC_ENDPOINT:
//
//   - unset: the regis emulator, started in-process once per test binary on
//     a random loopback port;
//   - a URL (LocalStack, moto, an out-of-process regis-emulator): that
//     endpoint for every service;
//   - "aws": real AWS, with the default credential chain of the environment.
//
// The provider reaches the endpoint through its ordinary configuration only:
// ProviderConfig returns a provider block with region, static test
// credentials and an endpoints block. A test writes
//
//	resource.Test(t, resource.TestCase{
//		PreCheck:                 func() { acctest.PreCheck(t) },
//		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
//		CheckDestroy:             acctest.CheckInventoryEmpty(acctest.InventoryFilter{IDContains: name}),
//		Steps: []resource.TestStep{{
//			Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccXxxConfig(name)),
//		}},
//	})
//
// acctest imports internal/provider, which imports every resource package,
// so resource packages write their acceptance tests in an external test
// package (package bus_test), as terraform-provider-aws does.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip/consumerziptest"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/provider"
)

// Regions of multi-region tests.
const (
	Region1 = "ap-southeast-1"
	Region2 = "ap-south-1"
	Region3 = "us-east-1"
)

// EnvEndpoint selects the target of acceptance tests (see the package doc).
const EnvEndpoint = "REGIS_ACC_ENDPOINT"

// Static credentials the provider uses against the emulator or another
// endpoint. Emulators accept any key; these are recognisable in call logs.
const (
	AccessKeyID     = "AKIAREGISACCTEST0001"
	SecretAccessKey = "regis-acceptance-test-secret"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = provider.TypeName

// ProtoV6ProviderFactories serves the provider in-process to Terraform, a
// new instance per Terraform command. regis_bus deploys freshly built
// consumer zips (consumerziptest), built when a test first needs them.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	ProviderName: func() (tfprotov6.ProviderServer, error) {
		return providerserver.NewProtocol6WithError(provider.New("test", provider.WithConsumerZips(consumerziptest.Zip))())()
	},
}

// Mode is where acceptance tests send AWS calls.
type Mode int

const (
	// ModeEmulator is the in-process emulator (REGIS_ACC_ENDPOINT unset).
	ModeEmulator Mode = iota
	// ModeEndpoint is an external endpoint (REGIS_ACC_ENDPOINT=<url>).
	ModeEndpoint
	// ModeAWS is real AWS (REGIS_ACC_ENDPOINT=aws).
	ModeAWS
)

func (m Mode) String() string {
	switch m {
	case ModeEmulator:
		return "emulator"
	case ModeEndpoint:
		return "endpoint " + os.Getenv(EnvEndpoint)
	}
	return "aws"
}

// Target returns the mode selected by REGIS_ACC_ENDPOINT.
func Target() Mode {
	switch v := os.Getenv(EnvEndpoint); {
	case v == "":
		return ModeEmulator
	case strings.EqualFold(v, "aws"):
		return ModeAWS
	default:
		return ModeEndpoint
	}
}

// OnEmulator reports whether tests run against the in-process emulator, for
// assertions that need its hooks inside tests that also run elsewhere.
func OnEmulator() bool { return Target() == ModeEmulator }

var shared struct {
	once sync.Once
	emu  *emulator.Emulator
	err  error
}

// startEmulator starts the in-process emulator once per test binary. It
// runs until the process exits.
func startEmulator() (*emulator.Emulator, error) {
	shared.once.Do(func() {
		e := emulator.New(emulator.Options{})
		if err := e.Start("127.0.0.1:0"); err != nil {
			shared.err = fmt.Errorf("starting the in-process emulator: %w", err)
			return
		}
		shared.emu = e
	})
	return shared.emu, shared.err
}

// Endpoint returns the URL the provider is pointed at: the in-process
// emulator's (started if needed), REGIS_ACC_ENDPOINT, or "" for real AWS.
func Endpoint() (string, error) {
	switch Target() {
	case ModeEmulator:
		e, err := startEmulator()
		if err != nil {
			return "", err
		}
		return e.URL(), nil
	case ModeEndpoint:
		u := os.Getenv(EnvEndpoint)
		if err := conns.ValidateEndpointURL(u); err != nil {
			return "", fmt.Errorf("%s: %w", EnvEndpoint, err)
		}
		return strings.TrimRight(u, "/"), nil
	}
	return "", nil
}

// PreCheck is every acceptance test's PreCheck: it finds Terraform, turns
// off its update checks and makes sure the target endpoint is usable.
func PreCheck(t testing.TB) {
	t.Helper()
	if err := setTerraformEnv(); err != nil {
		t.Fatal(err)
	}
	if _, err := Endpoint(); err != nil {
		t.Fatal(err)
	}
}

var terraformEnv sync.Once

// setTerraformEnv sets TF_ACC_TERRAFORM_PATH from PATH when it is unset, so
// terraform-plugin-testing never downloads Terraform, and CHECKPOINT_DISABLE.
func setTerraformEnv() error {
	var err error
	terraformEnv.Do(func() {
		if os.Getenv("CHECKPOINT_DISABLE") == "" {
			os.Setenv("CHECKPOINT_DISABLE", "1")
		}
		if os.Getenv("TF_ACC_TERRAFORM_PATH") != "" {
			return
		}
		path, lerr := exec.LookPath("terraform")
		if lerr != nil {
			err = fmt.Errorf("acceptance tests need Terraform: install it on PATH or set TF_ACC_TERRAFORM_PATH (%w)", lerr)
			return
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	})
	return err
}

// Emulator returns the in-process emulator for tests that use its hooks
// (inventory, faults, call log, clock, rejected keys). Against another
// endpoint or AWS it skips the test.
func Emulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	if Target() != ModeEmulator {
		t.Skipf("needs the emulator's test hooks (%s=%s)", EnvEndpoint, os.Getenv(EnvEndpoint))
	}
	e, err := startEmulator()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ProviderConfig returns the provider block that points the provider at the
// test target: home region Region1, and for an emulator or endpoint the
// static test credentials and an endpoints block for every service. Extra
// lines are added inside the block ("max_retries = 2", a default_tags
// block); do not add region, credentials or endpoints that way.
func ProviderConfig(extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %q {\n  region = %q\n", ProviderName, Region1)
	url := ""
	if Target() != ModeAWS && os.Getenv("TF_ACC") != "" {
		// Without TF_ACC the test will be skipped: do not start anything.
		var err error
		if url, err = Endpoint(); err != nil {
			// PreCheck reports the error before Terraform runs; meanwhile
			// point at an address where nothing listens, never at AWS.
			url = "http://127.0.0.1:1"
		}
	}
	if Target() != ModeAWS {
		fmt.Fprintf(&b, "  access_key = %q\n  secret_key = %q\n", AccessKeyID, SecretAccessKey)
		if url != "" {
			b.WriteString(EndpointsBlock(url))
		}
	}
	for _, e := range extra {
		for _, line := range strings.Split(strings.TrimSpace(e), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// EndpointsBlock returns an endpoints block sending every service to url.
func EndpointsBlock(url string) string {
	var b strings.Builder
	b.WriteString("  endpoints {\n")
	for _, s := range conns.Services {
		fmt.Fprintf(&b, "    %-14s = %q\n", s.Key, url)
	}
	b.WriteString("  }\n")
	return b.String()
}

// ConfigCompose joins configuration fragments.
func ConfigCompose(config ...string) string {
	return strings.Join(config, "\n")
}

// RandomName returns prefix-<10 random lower-case letters and digits>, a
// name valid for queues, topics, functions and IAM roles ("tf-acc-test"
// when prefix is empty).
func RandomName(prefix string) string {
	if prefix == "" {
		prefix = "tf-acc-test"
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + "-" + string(b)
}

// ErrorRegexp matches Terraform output that contains every phrase, in
// order. Terraform wraps and frames diagnostics, so each run of spaces in a
// phrase matches any white space and the "│" of the frame.
func ErrorRegexp(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, phrase := range phrases {
		words := strings.Fields(phrase)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// Client returns an AWS client configured like the provider under test
// (same region, credentials and endpoints), for test fixtures and
// CheckDestroy lookups through the real API.
func Client(t testing.TB) *conns.AWSClient {
	t.Helper()
	cfg := conns.Config{Region: Region1, ProviderVersion: "test"}
	if Target() != ModeAWS {
		url, err := Endpoint()
		if err != nil {
			t.Fatal(err)
		}
		cfg.AccessKey, cfg.SecretKey = AccessKeyID, SecretAccessKey
		cfg.Endpoints = map[string]string{}
		for _, s := range conns.Services {
			cfg.Endpoints[s.Key] = url
		}
	}
	c, _, err := conns.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("test AWS client: %v", err)
	}
	return c
}

// UnsetAWSEnv removes the developer's AWS_* variables for the duration of a
// unit test and points the SDK at empty shared files and no instance
// metadata, so the test sees only the configuration it sets.
func UnsetAWSEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// ---------------------------------------------------------------- inventory

// InventoryFilter selects emulator inventory objects. Empty fields match
// anything; all set fields must match.
type InventoryFilter struct {
	Service    string
	Region     string
	Type       string
	IDContains string
	// Match, when set, must also accept the object.
	Match func(core.Resource) bool
}

func (f InventoryFilter) matches(r core.Resource) bool {
	return (f.Service == "" || f.Service == r.Service) &&
		(f.Region == "" || f.Region == r.Region) &&
		(f.Type == "" || f.Type == r.Type) &&
		(f.IDContains == "" || strings.Contains(r.ID, f.IDContains)) &&
		(f.Match == nil || f.Match(r))
}

// Inventory returns the objects of the target emulator: the in-process one,
// or an out-of-process regis-emulator through /_emulator/inventory. ok is
// false where there is no emulator inventory (LocalStack, moto, AWS).
func Inventory() (objects []core.Resource, ok bool, err error) {
	switch Target() {
	case ModeEmulator:
		e, err := startEmulator()
		if err != nil {
			return nil, false, err
		}
		return e.Inventory(), true, nil
	case ModeEndpoint:
		url, err := Endpoint()
		if err != nil {
			return nil, false, err
		}
		client := &http.Client{Timeout: 10 * time.Second}
		resp, err := client.Get(url + "/_emulator/inventory")
		if err != nil {
			return nil, false, nil
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, false, nil
		}
		if err := json.NewDecoder(resp.Body).Decode(&objects); err != nil {
			return nil, false, nil
		}
		return objects, true, nil
	}
	return nil, false, nil
}

// CheckInventoryEmpty is a CheckDestroy (or step check) asserting that no
// emulator object matches f: everything the test created is gone, in every
// region. Without an emulator inventory it checks nothing; resource tests
// that must also verify destruction on AWS add their own API lookups.
func CheckInventoryEmpty(f InventoryFilter) func(*terraform.State) error {
	return func(*terraform.State) error {
		objects, ok, err := Inventory()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		var left []string
		for _, r := range objects {
			if f.matches(r) {
				left = append(left, fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID))
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("%d object(s) left in the emulator:\n  %s", len(left), strings.Join(left, "\n  "))
		}
		return nil
	}
}

// CreateRole creates an IAM role with the given trust policy through
// Client(t), for tests that need a role Terraform does not manage, and
// deletes it when the test ends. It returns the role's ARN.
func CreateRole(t testing.TB, name, trustPolicy string) string {
	t.Helper()
	ctx := context.Background()
	c := Client(t)
	out, err := c.IAM(ctx).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trustPolicy),
	})
	if err != nil {
		t.Fatalf("creating IAM role %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := c.IAM(ctx).DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
			t.Errorf("deleting IAM role %s: %v", name, err)
		}
	})
	return aws.ToString(out.Role.Arn)
}
