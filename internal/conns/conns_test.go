package conns

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// isolate removes every AWS_* variable of the developer's environment for
// the test and points the SDK at empty shared files, so tests see only what
// they configure.
func isolate(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func staticConfig(stsURL string) Config {
	return Config{
		Region:    "ap-southeast-1",
		AccessKey: "AKIDGOOD",
		SecretKey: "secret",
		Endpoints: map[string]string{"sts": stsURL},
	}
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *conns.Error, got %T: %v", err, err)
	}
	return e
}

func TestServiceEnvVars(t *testing.T) {
	// The names the SDK derives from each service id (checked against the
	// SDK's normalisation in config.EnvConfig.GetServiceBaseEndpoint).
	want := map[string]string{
		"sns":            "AWS_ENDPOINT_URL_SNS",
		"sqs":            "AWS_ENDPOINT_URL_SQS",
		"lambda":         "AWS_ENDPOINT_URL_LAMBDA",
		"iam":            "AWS_ENDPOINT_URL_IAM",
		"sts":            "AWS_ENDPOINT_URL_STS",
		"route53":        "AWS_ENDPOINT_URL_ROUTE_53",
		"cloudwatch":     "AWS_ENDPOINT_URL_CLOUDWATCH",
		"secretsmanager": "AWS_ENDPOINT_URL_SECRETS_MANAGER",
	}
	if len(Services) != len(want) {
		t.Fatalf("Services has %d entries, want %d", len(Services), len(want))
	}
	for _, s := range Services {
		if got := s.EnvVar(); got != want[s.Key] {
			t.Errorf("%s: EnvVar() = %q, want %q", s.Key, got, want[s.Key])
		}
	}
}

func TestNew_staticKeys(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	c, warnings, err := New(context.Background(), staticConfig(f.URL))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if c.HomeRegion != "ap-southeast-1" || c.AccountID != "111122223333" || c.Partition != "aws" {
		t.Errorf("client = %q %q %q", c.HomeRegion, c.AccountID, c.Partition)
	}
	if c.CallerARN != "arn:aws:iam::111122223333:user/tester" {
		t.Errorf("CallerARN = %q", c.CallerARN)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].Action != "GetCallerIdentity" || calls[0].AccessKey != "AKIDGOOD" || calls[0].Region != "ap-southeast-1" || calls[0].Service != "sts" {
		t.Errorf("calls = %+v", calls)
	}
}

// whichServer makes one GetCallerIdentity through a fresh client and says
// which fake received it.
func whichServer(t *testing.T, cfg Config, fakes ...*fakeSTS) string {
	t.Helper()
	cfg.SkipCredentialsValidation = true
	cfg.SkipRequestingAccountID = true
	c, _, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := make([]int, len(fakes))
	for i, f := range fakes {
		before[i] = len(f.Calls())
	}
	if _, err := c.STS(context.Background(), "").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	got := ""
	for i, f := range fakes {
		if len(f.Calls()) > before[i] {
			got += f.name
		}
	}
	return got
}

func TestNew_endpointPrecedence(t *testing.T) {
	isolate(t)
	global, service, block := newFakeSTS(t, "global"), newFakeSTS(t, "service"), newFakeSTS(t, "block")
	cfg := Config{Region: "ap-south-1", AccessKey: "AKID", SecretKey: "s"}

	t.Setenv("AWS_ENDPOINT_URL", global.URL)
	if got := whichServer(t, cfg, global, service, block); got != "global" {
		t.Errorf("AWS_ENDPOINT_URL only: request went to %q", got)
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", service.URL)
	if got := whichServer(t, cfg, global, service, block); got != "service" {
		t.Errorf("AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL: request went to %q", got)
	}
	cfg.Endpoints = map[string]string{"sts": block.URL}
	if got := whichServer(t, cfg, global, service, block); got != "block" {
		t.Errorf("endpoints block over environment: request went to %q", got)
	}
	// An endpoints entry for another service does not affect STS.
	cfg.Endpoints = map[string]string{"sqs": block.URL}
	if got := whichServer(t, cfg, global, service, block); got != "service" {
		t.Errorf("endpoints.sqs must not change STS: request went to %q", got)
	}
}

func TestNew_sharedConfigEndpoint(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "profile")
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	if err := os.WriteFile(conf, []byte("[profile dev]\nregion = ap-south-1\nendpoint_url = "+f.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := New(context.Background(), Config{Profile: "dev", SharedConfigFiles: []string{conf}, SharedCredentialsFiles: []string{creds}})
	if err != nil {
		t.Fatal(err)
	}
	if c.HomeRegion != "ap-south-1" {
		t.Errorf("HomeRegion = %q, want the profile's region", c.HomeRegion)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].AccessKey != "AKIDPROFILE" {
		t.Errorf("calls = %+v", calls)
	}

	// The same profile with a rejected key names the file and profile.
	f.Reject("AKIDPROFILE")
	_, _, err = New(context.Background(), Config{Profile: "dev", SharedConfigFiles: []string{conf}, SharedCredentialsFiles: []string{creds}})
	e := asError(t, err)
	for _, want := range []string{"InvalidClientTokenId", "AKIDPROFILE", creds, `profile "dev"`} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("error %q does not mention %q", e.Error(), want)
		}
	}
}

func TestNew_regionFromEnvironment(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	cfg := staticConfig(f.URL)
	cfg.Region = ""
	t.Setenv("AWS_DEFAULT_REGION", "us-east-1")
	c, _, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.HomeRegion != "us-east-1" {
		t.Errorf("HomeRegion = %q, want AWS_DEFAULT_REGION", c.HomeRegion)
	}
	t.Setenv("AWS_REGION", "ap-south-1")
	if c, _, err = New(context.Background(), cfg); err != nil || c.HomeRegion != "ap-south-1" {
		t.Errorf("AWS_REGION over AWS_DEFAULT_REGION: %v %v", c, err)
	}
	t.Setenv("AWS_REGION", "Singapore")
	_, _, err = New(context.Background(), cfg)
	if e := asError(t, err); !strings.Contains(e.Detail, "AWS_REGION") || !strings.Contains(e.Detail, regions.Example) {
		t.Errorf("detail = %q", e.Detail)
	}
}

func TestNew_noRegion(t *testing.T) {
	isolate(t)
	cfg := staticConfig("http://127.0.0.1:1")
	cfg.Region = ""
	_, _, err := New(context.Background(), cfg)
	e := asError(t, err)
	if e.Summary != "No AWS region" || e.Attribute != "region" || !strings.Contains(e.Detail, "AWS_REGION") {
		t.Errorf("error = %+v", e)
	}
}

func TestNew_noCredentials(t *testing.T) {
	isolate(t)
	_, _, err := New(context.Background(), Config{Region: "us-east-1"})
	e := asError(t, err)
	if e.Summary != "No valid AWS credentials found" || !strings.Contains(e.Detail, "AWS_ACCESS_KEY_ID") {
		t.Errorf("error = %+v", e)
	}
}

func TestNew_missingProfile(t *testing.T) {
	isolate(t)
	_, _, err := New(context.Background(), Config{Region: "us-east-1", Profile: "nosuch"})
	e := asError(t, err)
	if e.Summary != "Cannot load AWS configuration" || e.Attribute != "profile" || !strings.Contains(e.Detail, `"nosuch"`) {
		t.Errorf("error = %+v", e)
	}
}

func TestNew_rejectedKey(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	f.Reject("AKIDGOOD")
	_, _, err := New(context.Background(), staticConfig(f.URL))
	e := asError(t, err)
	if e.Summary != "Invalid AWS credentials (InvalidClientTokenId)" {
		t.Errorf("summary = %q", e.Summary)
	}
	for _, want := range []string{"AKIDGOOD", "access_key and secret_key arguments", "sts:GetCallerIdentity", "ap-southeast-1", "skip_credentials_validation"} {
		if !strings.Contains(e.Detail, want) {
			t.Errorf("detail %q does not mention %q", e.Detail, want)
		}
	}
	if awsapi.ErrorCode(err) != "InvalidClientTokenId" {
		t.Errorf("ErrorCode = %q", awsapi.ErrorCode(err))
	}
}

func TestNew_rejectedEnvironmentKey(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	f.Reject("AKIDENV")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	_, _, err := New(context.Background(), Config{Region: "us-east-1", Endpoints: map[string]string{"sts": f.URL}})
	if e := asError(t, err); !strings.Contains(e.Detail, "access key AKIDENV from the environment variables AWS_ACCESS_KEY_ID") {
		t.Errorf("detail = %q", e.Detail)
	}
}

func TestNew_skipCredentialsValidation(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	f.Reject("AKIDGOOD")
	cfg := staticConfig(f.URL)
	cfg.SkipCredentialsValidation = true
	c, warnings, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("a rejected key must pass with skip_credentials_validation: %v", err)
	}
	if c.AccountID != "" || len(warnings) != 1 || !strings.Contains(warnings[0].Detail, "InvalidClientTokenId") {
		t.Errorf("account %q, warnings %+v", c.AccountID, warnings)
	}

	cfg.SkipRequestingAccountID = true
	before := len(f.Calls())
	c, warnings, err = New(context.Background(), cfg)
	if err != nil || len(warnings) != 0 || c.AccountID != "" {
		t.Fatalf("err %v warnings %v account %q", err, warnings, c.AccountID)
	}
	if n := len(f.Calls()) - before; n != 0 {
		t.Errorf("with both skips New made %d STS calls, want 0", n)
	}
	if c.Partition != "aws" {
		t.Errorf("Partition = %q", c.Partition)
	}
}

func TestNew_assumeRole(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	cfg := staticConfig(f.URL)
	cfg.AssumeRole = &AssumeRole{RoleARN: "arn:aws:iam::111122223333:role/deployer", SessionName: "ci", ExternalID: "ext-1", Duration: 2 * time.Hour}
	c, _, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
	ar, gci := calls[0], calls[1]
	if ar.Action != "AssumeRole" || ar.AccessKey != "AKIDGOOD" || ar.Params["RoleArn"] != cfg.AssumeRole.RoleARN ||
		ar.Params["RoleSessionName"] != "ci" || ar.Params["ExternalId"] != "ext-1" || ar.Params["DurationSeconds"] != "7200" {
		t.Errorf("AssumeRole call = %+v", ar)
	}
	if gci.Action != "GetCallerIdentity" || gci.AccessKey != "ASIAFAKEa" {
		t.Errorf("GetCallerIdentity must use the role's credentials: %+v", gci)
	}
	if c.CallerARN != "arn:aws:sts::111122223333:assumed-role/deployer/session" {
		t.Errorf("CallerARN = %q", c.CallerARN)
	}

	// Base credentials STS rejects: the error names the role and the key.
	f.Reject("AKIDGOOD")
	_, _, err = New(context.Background(), cfg)
	e := asError(t, err)
	if e.Summary != "Cannot assume IAM role" || e.Attribute != "assume_role.role_arn" ||
		!strings.Contains(e.Detail, "InvalidClientTokenId") || !strings.Contains(e.Detail, "AKIDGOOD") || !strings.Contains(e.Detail, "role/deployer") {
		t.Errorf("error = %+v", e)
	}
}

func TestNew_invalidConfig(t *testing.T) {
	isolate(t)
	cases := []struct {
		name string
		mod  func(*Config)
		attr string
		want string
	}{
		{"region", func(c *Config) { c.Region = "ap-southeast" }, "region", `expected the form`},
		{"secret without access", func(c *Config) { c.AccessKey = "" }, "secret_key", "secret_key is set but access_key is not"},
		{"access without secret", func(c *Config) { c.SecretKey = "" }, "access_key", "access_key is set but secret_key is not"},
		{"token alone", func(c *Config) { c.AccessKey, c.SecretKey, c.Token = "", "", "tok" }, "token", "only used together with access_key"},
		{"role arn missing", func(c *Config) { c.AssumeRole = &AssumeRole{} }, "assume_role.role_arn", "needs role_arn"},
		{"role arn malformed", func(c *Config) { c.AssumeRole = &AssumeRole{RoleARN: "deployer"} }, "assume_role.role_arn", "not an IAM role ARN"},
		{"duration", func(c *Config) {
			c.AssumeRole = &AssumeRole{RoleARN: "arn:aws:iam::111122223333:role/r", Duration: time.Minute}
		}, "assume_role.duration", "between 15m and 12h"},
		{"endpoint", func(c *Config) { c.Endpoints = map[string]string{"sqs": "localhost:4566"} }, "endpoints.sqs", "no scheme"},
		{"tag", func(c *Config) { c.DefaultTags = map[string]string{"aws:owner": "x"} }, "default_tags.tags", "reserves"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := staticConfig("http://127.0.0.1:1")
			tc.mod(&cfg)
			_, _, err := New(context.Background(), cfg)
			e := asError(t, err)
			if e.Attribute != tc.attr || !strings.Contains(e.Detail, tc.want) {
				t.Errorf("error = %+v, want attribute %q and %q", e, tc.attr, tc.want)
			}
		})
	}
}

func TestNew_invalidEndpointEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ENDPOINT_URL_SQS", "127.0.0.1:4566")
	_, _, err := New(context.Background(), staticConfig("http://127.0.0.1:1"))
	if e := asError(t, err); !strings.Contains(e.Summary, "AWS_ENDPOINT_URL_SQS") {
		t.Errorf("error = %+v", e)
	}
}

func TestRetry_maxRetries(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	f.throttle = 100
	cfg := staticConfig(f.URL)
	cfg.MaxRetries = 2
	_, _, err := New(context.Background(), cfg)
	if awsapi.ErrorCode(err) != "Throttling" {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.Calls()); n != 2 {
		t.Errorf("max_retries = 2 made %d attempts, want 2", n)
	}

	// AWS_MAX_ATTEMPTS applies when max_retries is not set; throttling
	// shorter than it is retried through.
	f2 := newFakeSTS(t, "b")
	f2.throttle = 2
	t.Setenv("AWS_MAX_ATTEMPTS", "3")
	c, _, err := New(context.Background(), staticConfig(f2.URL))
	if err != nil {
		t.Fatalf("two throttles with 3 attempts must succeed: %v", err)
	}
	if n := len(f2.Calls()); n != 3 || c.AccountID == "" {
		t.Errorf("attempts = %d, account %q", n, c.AccountID)
	}
}

func TestRetry_dialFailsFast(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	var attempts int
	cfg := staticConfig("http://" + addr)
	cfg.HTTPClient = countingClient{n: &attempts}
	_, _, err = New(context.Background(), cfg)
	if err == nil {
		t.Fatal("want an error")
	}
	if attempts != maxDialAttempts {
		t.Errorf("attempts = %d, want %d (then give up, despite max_retries 25)", attempts, maxDialAttempts)
	}
	if e := asError(t, err); !strings.Contains(e.Detail, "endpoints block") {
		t.Errorf("detail = %q", e.Detail)
	}
}

func TestClients_cachedPerRegion(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	cfg := staticConfig(f.URL)
	cfg.SkipCredentialsValidation, cfg.SkipRequestingAccountID = true, true
	c, _, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if first, second := c.SNS(ctx, "us-east-1"), c.SNS(ctx, "us-east-1"); first != second {
		t.Error("SNS client not cached")
	}
	if c.SNS(ctx, "us-east-1") == c.SNS(ctx, "ap-south-1") {
		t.Error("SNS clients of two regions are the same")
	}
	if c.SQS(ctx, "") != c.SQS(ctx, "ap-southeast-1") {
		t.Error(`"" must mean the home region`)
	}
	if got := c.SNS(ctx, "ap-south-1").Options().Region; got != "ap-south-1" {
		t.Errorf("SNS region = %q", got)
	}
	if got := c.IAM(ctx).Options().Region; got != "us-east-1" {
		t.Errorf("IAM is signed for %q, want us-east-1", got)
	}
	if got := c.Route53(ctx).Options().Region; got != "us-east-1" {
		t.Errorf("Route 53 is signed for %q, want us-east-1", got)
	}
	if got := c.Lambda(ctx, "").Options().BaseEndpoint; got != nil {
		t.Errorf("Lambda endpoint = %q, want the SDK default", *got)
	}
	if got := c.STS(ctx, "us-east-1").Options().BaseEndpoint; got == nil || *got != f.URL {
		t.Errorf("STS endpoint = %v, want the endpoints block", got)
	}
	_ = c.CloudWatch(ctx, "")
	_ = c.SecretsManager(ctx, "")
	if got := c.AWSConfig(ctx, "us-east-1").Region; got != "us-east-1" || c.AWSConfig(ctx, "").Region != "ap-southeast-1" {
		t.Errorf("AWSConfig region = %q", got)
	}
}

func TestMergeTags(t *testing.T) {
	c := &AWSClient{DefaultTags: map[string]string{"team": "platform", "env": "prod"}}
	got := c.MergeTags(map[string]string{"env": "staging", "app": "regis"})
	want := map[string]string{"team": "platform", "env": "staging", "app": "regis"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if c.DefaultTags["env"] != "prod" {
		t.Error("MergeTags modified DefaultTags")
	}
	if got := (&AWSClient{}).MergeTags(nil); got == nil || len(got) != 0 {
		t.Errorf("no tags: %v", got)
	}
}

func TestPartitions(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "ap-southeast-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
	} {
		if got := regions.PartitionOf(region); got != want {
			t.Errorf("regions.PartitionOf(%s) = %s, want %s", region, got, want)
		}
	}
	c := &AWSClient{Partition: "aws", AccountID: "111122223333", HomeRegion: "ap-south-1"}
	if got := c.RegionalARN("sns", "", "topic"); got != "arn:aws:sns:ap-south-1:111122223333:topic" {
		t.Error(got)
	}
	if got := c.GlobalARN("iam", "role/r"); got != "arn:aws:iam::111122223333:role/r" {
		t.Error(got)
	}
}

func TestFromProviderData(t *testing.T) {
	if c, err := FromProviderData(nil); c != nil || err != nil {
		t.Errorf("nil: %v %v", c, err)
	}
	want := &AWSClient{}
	if c, err := FromProviderData(want); c != want || err != nil {
		t.Errorf("client: %v %v", c, err)
	}
	if _, err := FromProviderData("x"); err == nil || !strings.Contains(err.Error(), "string") {
		t.Errorf("wrong type: %v", err)
	}
}

// countingClient counts the HTTP attempts the SDK makes.
type countingClient struct{ n *int }

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	*c.n++
	return http.DefaultTransport.RoundTrip(r)
}

func TestClients_concurrent(t *testing.T) {
	isolate(t)
	f := newFakeSTS(t, "a")
	cfg := staticConfig(f.URL)
	c, _, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	regions := []string{"", "us-east-1", "ap-south-1", "ap-southeast-1"}
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := regions[i%len(regions)]
			_ = c.SQS(ctx, r)
			_ = c.IAM(ctx)
			if _, err := c.STS(ctx, r).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if c.STS(ctx, "") != c.STS(ctx, "ap-southeast-1") {
		t.Error("cache lost a client")
	}
}
