package bus

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

func p[T any](v T) *T { return &v }

// okRegion is a region view that passes every rule, with the defaults.
func okRegion() *regionView {
	return &regionView{
		Endpoints:      []string{"redis.example:6379"},
		Cluster:        p(false),
		Timeout:        p(int64(defaultTimeout)),
		BatchSize:      p(int64(defaultBatchSize)),
		BatchingWindow: p(int64(0)),
		Ordered:        p(false),
		Environment:    map[string]string{},
		Visibility:     p(int64(defaultVisibility)),
		Retention:      p(int64(defaultRetention)),
		MaxReceive:     p(int64(defaultMaxReceiveCount)),
		DLQRetention:   p(int64(defaultDLQRetention)),
	}
}

func okView() configView {
	return configView{
		Name:         p("hotels"),
		HomeRegion:   p("ap-southeast-1"),
		TombstoneTTL: p("168h"),
		Regions:      map[string]*regionView{"ap-southeast-1": okRegion(), "ap-south-1": okRegion()},
	}
}

// find returns the problems whose summary contains want.
func find(problems []problem, want string) []problem {
	var out []problem
	for _, pr := range problems {
		if strings.Contains(pr.Summary, want) {
			out = append(out, pr)
		}
	}
	return out
}

func TestValidateView_okDefaults(t *testing.T) {
	if got := validateView(okView()); len(got) != 0 {
		t.Fatalf("defaults should pass, got %+v", got)
	}
}

func TestValidateView_rules(t *testing.T) {
	sea := path.Root("regions").AtMapKey("ap-southeast-1")
	tests := []struct {
		name    string
		mutate  func(v *configView)
		summary string
		path    path.Path
		warning bool
		detail  []string // phrases the detail must contain
	}{
		{
			name:    "batch size above 10 without batching window",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].BatchSize = p(int64(100)) },
			summary: "Batch size needs a batching window",
			path:    sea.AtName("consumer").AtName("batching_window"),
			detail:  []string{"batch_size = 100", "batching_window to at least 1"},
		},
		{
			name: "visibility below 6x timeout",
			mutate: func(v *configView) {
				v.Regions["ap-southeast-1"].Timeout = p(int64(60))
			},
			summary: "Visibility timeout too short",
			path:    sea.AtName("queue").AtName("visibility_timeout"),
			detail:  []string{"180 seconds", "60 seconds", "at least 360", "at most 30"},
		},
		{
			name:    "max_receive_count below 5 warns",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].MaxReceive = p(int64(2)) },
			summary: "Low max_receive_count",
			path:    sea.AtName("queue").AtName("max_receive_count"),
			warning: true,
			detail:  []string{"at least 5"},
		},
		{
			name:    "several endpoints without cluster mode",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].Endpoints = []string{"a:6379", "b:6379"} },
			summary: "Several Redis endpoints without cluster mode",
			path:    sea.AtName("redis").AtName("endpoints"),
			detail:  []string{"cluster_mode = true"},
		},
		{
			name: "secret in another region",
			mutate: func(v *configView) {
				v.Regions["ap-southeast-1"].AuthSecretARN = p("arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-AbCdEf")
			},
			summary: "Auth secret in another region",
			path:    sea.AtName("redis").AtName("auth_secret_arn"),
			detail:  []string{"us-east-1", "Replicate the secret to ap-southeast-1"},
		},
		{
			name:    "username without secret warns",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].Username = p("regis") },
			summary: "Redis username without a secret",
			path:    sea.AtName("redis").AtName("username"),
			warning: true,
		},
		{
			name: "managed environment variable",
			mutate: func(v *configView) {
				v.Regions["ap-southeast-1"].Environment = map[string]string{"REGIS_REDIS_ADDRS": ""}
			},
			summary: "Environment variable set by the bus",
			path:    sea.AtName("consumer").AtName("environment"),
			detail:  []string{"REGIS_REDIS_ADDRS"},
		},
		{
			name:    "reserved environment variable",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].Environment = map[string]string{"AWS_REGION": ""} },
			summary: "Reserved environment variable",
			path:    sea.AtName("consumer").AtName("environment"),
		},
		{
			name:    "invalid environment variable name",
			mutate:  func(v *configView) { v.Regions["ap-southeast-1"].Environment = map[string]string{"1BAD": ""} },
			summary: "Invalid environment variable name",
			path:    sea.AtName("consumer").AtName("environment"),
		},
		{
			name: "alarm action in another region",
			mutate: func(v *configView) {
				v.Regions["ap-southeast-1"].AlarmActions = []string{"arn:aws:sns:us-east-1:123456789012:ops"}
			},
			summary: "Alarm action in another region",
			path:    sea.AtName("alarms").AtName("alarm_actions"),
		},
		{
			name: "tombstone shorter than retention in ordered mode",
			mutate: func(v *configView) {
				v.Regions["ap-southeast-1"].Ordered = p(true)
				v.TombstoneTTL = p("24h")
			},
			summary: "tombstone_ttl shorter than message retention",
			path:    path.Root("tombstone_ttl"),
			warning: true,
			detail:  []string{"96h0m0s"},
		},
		{
			name: "single-region KMS key ARN in a multi-region bus",
			mutate: func(v *configView) {
				v.KMSKeyID = p("arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
			},
			summary: "KMS key in one region only",
			path:    path.Root("kms_key_id"),
			detail:  []string{"ap-south-1", "alias/regis", "mrk-"},
		},
		{
			name:    "KMS ARN of another service",
			mutate:  func(v *configView) { v.KMSKeyID = p("arn:aws:sqs:ap-southeast-1:123456789012:q") },
			summary: "Invalid kms_key_id",
			path:    path.Root("kms_key_id"),
		},
		{
			name:    "name with a dot",
			mutate:  func(v *configView) { v.Name = p("hotels.prod") },
			summary: "Invalid bus name",
			path:    path.Root("name"),
			detail:  []string{`"."`, "letters, digits, hyphens and underscores"},
		},
		{
			name:    "name too long for the IAM role",
			mutate:  func(v *configView) { v.Name = p(strings.Repeat("a", 41)) },
			summary: "Invalid bus name",
			path:    path.Root("name"),
			detail:  []string{"IAM role", "at most 40 characters"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := okView()
			tc.mutate(&v)
			got := find(validateView(v), tc.summary)
			if len(got) != 1 {
				t.Fatalf("want one %q problem, got %+v (all: %+v)", tc.summary, got, validateView(v))
			}
			pr := got[0]
			if !pr.Path.Equal(tc.path) {
				t.Errorf("path = %s, want %s", pr.Path, tc.path)
			}
			if pr.Warning != tc.warning {
				t.Errorf("warning = %t, want %t", pr.Warning, tc.warning)
			}
			for _, phrase := range tc.detail {
				if !strings.Contains(pr.Detail, phrase) {
					t.Errorf("detail %q lacks %q", pr.Detail, phrase)
				}
			}
		})
	}
}

func TestValidateView_unknownValuesSkipRules(t *testing.T) {
	v := okView()
	r := v.Regions["ap-southeast-1"]
	r.Timeout = nil // unknown until apply
	r.BatchSize = p(int64(100))
	r.BatchingWindow = nil
	v.Name = nil
	if got := validateView(v); len(got) != 0 {
		t.Fatalf("rules with unknown inputs must be skipped, got %+v", got)
	}
}

func TestValidateView_mrkAndAliasKeysAccepted(t *testing.T) {
	for _, key := range []string{"alias/regis", "mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:ap-southeast-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"} {
		v := okView()
		v.KMSKeyID = p(key)
		if got := validateView(v); len(got) != 0 {
			t.Errorf("%s: %+v", key, got)
		}
	}
}

func TestValidateName(t *testing.T) {
	if got := validateName("hotels_prod-1", []string{"ap-southeast-1"}); len(got) != 0 {
		t.Fatalf("valid name refused: %v", got)
	}
	// 40 characters fit with ap-southeast-1 (IAM 64 = 40 + "-consumer-" + 14).
	if got := validateName(strings.Repeat("a", 40), []string{"ap-southeast-1", "us-east-1"}); len(got) != 0 {
		t.Fatalf("40 characters should fit: %v", got)
	}
	got := validateName(strings.Repeat("a", 45), []string{"us-east-1"})
	if len(got) != 0 {
		t.Fatalf("45 characters fit with us-east-1 (45+10+9=64): %v", got)
	}
	got = validateName(strings.Repeat("a", 60), []string{"us-east-1"})
	if len(got) != 2 || !strings.Contains(got[0], "Lambda function") || !strings.Contains(got[1], "IAM role") {
		t.Fatalf("60 characters: %v", got)
	}
	if got := validateName("", nil); len(got) != 1 {
		t.Fatalf("empty name: %v", got)
	}
	if got := validateName("a b", nil); len(got) != 1 || !strings.Contains(got[0], `" "`) {
		t.Fatalf("space: %v", got)
	}
	if maxNameLen([]string{"ap-southeast-1"}) != 40 || maxNameLen(nil) != 55 {
		t.Fatalf("maxNameLen = %d, %d", maxNameLen([]string{"ap-southeast-1"}), maxNameLen(nil))
	}
}

func TestCheckEndpoint(t *testing.T) {
	good := []string{"master.hotels.abc123.apse1.cache.amazonaws.com:6379", "127.0.0.1:6380", "[::1]:6379"}
	for _, ep := range good {
		if msg := checkEndpoint(ep); msg != "" {
			t.Errorf("%s refused: %s", ep, msg)
		}
	}
	bad := map[string]string{
		"redis://host:6379":  "without the redis:// scheme",
		"rediss://host:6379": "set tls = true",
		"host":               "has no port",
		"host:0":             "between 1 and 65535",
		"host:abc":           "between 1 and 65535",
		" host:6379":         "white space",
		":6379":              "not host:port",
	}
	for ep, want := range bad {
		if msg := checkEndpoint(ep); !strings.Contains(msg, want) {
			t.Errorf("%q: %q, want %q", ep, msg, want)
		}
	}
}

func TestStringValidators(t *testing.T) {
	ctx := context.Background()
	run := func(v validator.String, s string) (errs, warns int) {
		resp := &validator.StringResponse{}
		v.ValidateString(ctx, validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(s)}, resp)
		return resp.Diagnostics.ErrorsCount(), resp.Diagnostics.WarningsCount()
	}
	if e, _ := run(secretARNValidator{}, "arn:aws:secretsmanager:ap-south-1:123456789012:secret:redis-AbCdEf"); e != 0 {
		t.Error("secret ARN refused")
	}
	if e, _ := run(secretARNValidator{}, "my-redis-token"); e != 1 {
		t.Error("a token instead of an ARN must be refused")
	}
	if e, _ := run(durationValidator{}, "168h"); e != 0 {
		t.Error("168h refused")
	}
	if e, _ := run(durationValidator{}, "30m"); e != 1 {
		t.Error("30m must be refused (< 1h)")
	}
	if e, _ := run(durationValidator{}, "7d"); e != 1 {
		t.Error("7d must be refused (Go durations have no days)")
	}
	if e, w := run(regionValidator{}, "ap-southeast-9"); e != 0 || w != 1 {
		t.Errorf("ap-southeast-9: %d errors %d warnings", e, w)
	}
}

// TestSchemaTypesMatchModel keeps the hand-written attribute types (used for
// the defaults and for state values) in step with the schema.
func TestSchemaTypesMatchModel(t *testing.T) {
	ctx := context.Background()
	r := NewBusResource(nil)
	resp := &resource.SchemaResponse{}
	r.Schema(ctx, resource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	got := resp.Schema.Attributes["regions"].GetType()
	want := types.MapType{ElemType: regionObjectType}
	if !got.Equal(want) {
		t.Fatalf("schema regions type\n%s\nmodel\n%s", got, want)
	}
}

// consumer.environment refuses every variable the consumer reads, each with
// the argument that sets it or the reason it cannot be set, and every other
// REGIS_ name (a misspelt variable would be ignored by the consumer); only
// the Sentry SDK's SENTRY_DSN and variables the consumer does not read pass.
// Lambda's own variables (AWS_REGION, AWS_LAMBDA_RUNTIME_API) are refused as
// reserved.
func TestValidateView_consumerVariables(t *testing.T) {
	envPath := path.Root("regions").AtMapKey("ap-south-1").AtName("consumer").AtName("environment")
	problemsFor := func(k string) []problem {
		v := okView()
		v.Regions["ap-south-1"].Environment = map[string]string{k: "x"}
		return validateView(v)
	}
	for _, k := range contract.ConsumerEnvironment {
		got := problemsFor(k)
		if slices.Contains(envPassThrough, k) {
			if len(got) != 0 {
				t.Errorf("%s is refused: %+v", k, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Warning || got[0].Path.String() != envPath.String() || !strings.Contains(got[0].Detail, k) {
			t.Errorf("%s: %+v, want one error on consumer.environment naming it", k, got)
			continue
		}
		if arg := envArguments[k]; arg != "" && !strings.Contains(got[0].Detail, "set "+arg) {
			t.Errorf("%s: %q does not name the argument %s", k, got[0].Detail, arg)
		}
		if why := envRefused[k]; why != "" && !strings.Contains(got[0].Detail, why) {
			t.Errorf("%s: %q does not say why it cannot be set", k, got[0].Detail)
		}
	}
	for _, tc := range []struct {
		name    string
		summary string
		detail  []string
	}{
		// What a new user tried: a misspelt managed variable, and the
		// test-only switch that turns off certificate checks.
		{contract.EnvRedisAddrs[:len(contract.EnvRedisAddrs)-1], "Reserved environment variable",
			[]string{"names starting with REGIS_ are the consumer's own configuration", "Did you mean REGIS_REDIS_ADDRS (set redis.endpoints instead)?"}},
		{envTLSSkipVerify, "Environment variable of the consumer", []string{"the consumer always checks it now", "SSL_CERT_FILE", "Remove it"}},
		{contract.EnvRedisTLS, "Environment variable set by the bus", []string{"set redis.tls instead"}},
		{contract.EnvMetricsNamespace, "Environment variable set by the bus", []string{"set consumer.metrics_namespace instead"}},
		{"REGIS_SOMETHING_ELSE", "Reserved environment variable", []string{"the consumer reads no REGIS_SOMETHING_ELSE. Remove it."}},
	} {
		got := problemsFor(tc.name)
		if len(got) != 1 || got[0].Summary != tc.summary {
			t.Errorf("%s: %+v, want %q", tc.name, got, tc.summary)
			continue
		}
		for _, d := range tc.detail {
			if !strings.Contains(got[0].Detail, d) {
				t.Errorf("%s: %q lacks %q", tc.name, got[0].Detail, d)
			}
		}
	}
	for _, k := range []string{"SSL_CERT_FILE", "MY_APP_SETTING", "SENTRY_ENVIRONMENT"} {
		if got := problemsFor(k); len(got) != 0 {
			t.Errorf("%s is refused: %+v", k, got)
		}
	}
}
