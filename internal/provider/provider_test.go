package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/provider"
)

// Unit tests of the provider configuration. They drive the provider the way
// Terraform does, through the protocol-6 server (ValidateProviderConfig at
// validate/plan time, ConfigureProvider before any resource operation), so
// attribute validators, ValidateConfig and Configure all run, without a
// Terraform binary or TF_ACC.

// cfg is a provider block: string, bool, int, []string, map[string]string,
// nested cfg for blocks, or unknown. Unset arguments are null.
type cfg map[string]any

type unknownValue struct{}

// unknown is a value known only after apply.
var unknown = unknownValue{}

func newServer(t *testing.T) (tfprotov6.ProviderServer, tftypes.Object) {
	t.Helper()
	s := providerserver.NewProtocol6(provider.New("test")())()
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("schema: %s: %s", d.Summary, d.Detail)
	}
	return s, resp.Provider.ValueType().(tftypes.Object)
}

func toValue(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return tftypes.NewValue(typ, nil)
	case unknownValue:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	case string, bool:
		return tftypes.NewValue(typ, v)
	case int:
		return tftypes.NewValue(typ, int64(v))
	case []string:
		elems := make([]tftypes.Value, len(v))
		for i, s := range v {
			elems[i] = tftypes.NewValue(tftypes.String, s)
		}
		return tftypes.NewValue(typ, elems)
	case map[string]string:
		elems := map[string]tftypes.Value{}
		for k, s := range v {
			elems[k] = tftypes.NewValue(tftypes.String, s)
		}
		return tftypes.NewValue(typ, elems)
	case []cfg:
		list, ok := typ.(tftypes.List)
		if !ok {
			t.Fatalf("a list of blocks for a %s", typ)
		}
		elems := make([]tftypes.Value, len(v))
		for i, e := range v {
			elems[i] = toValue(t, list.ElementType, e)
		}
		return tftypes.NewValue(typ, elems)
	case cfg:
		obj, ok := typ.(tftypes.Object)
		if !ok {
			t.Fatalf("a block value for a %s", typ)
		}
		attrs := map[string]tftypes.Value{}
		for name, at := range obj.AttributeTypes {
			attrs[name] = toValue(t, at, v[name])
		}
		for name := range v {
			if _, ok := obj.AttributeTypes[name]; !ok {
				t.Fatalf("no argument %q in the schema", name)
			}
		}
		return tftypes.NewValue(obj, attrs)
	}
	t.Fatalf("unsupported test value %T", v)
	return tftypes.Value{}
}

func dynamic(t *testing.T, typ tftypes.Object, c cfg) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, toValue(t, typ, c))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func validate(t *testing.T, c cfg) []*tfprotov6.Diagnostic {
	t.Helper()
	s, typ := newServer(t)
	resp, err := s.ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{Config: dynamic(t, typ, c)})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

func configure(t *testing.T, c cfg) []*tfprotov6.Diagnostic {
	t.Helper()
	s, typ := newServer(t)
	resp, err := s.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.0",
		Config:           dynamic(t, typ, c),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

func describe(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		at := ""
		if d.Attribute != nil {
			at = " at " + d.Attribute.String()
		}
		fmt.Fprintf(&b, "\n  [%v] %s%s: %s", d.Severity, d.Summary, at, d.Detail)
	}
	return b.String()
}

// wantError asserts exactly one error, with summary and attribute (dotted,
// "" for none), whose detail contains every phrase.
func wantError(t *testing.T, diags []*tfprotov6.Diagnostic, summary, attribute string, phrases ...string) {
	t.Helper()
	var errs []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("want 1 error %q, got:%s", summary, describe(diags))
	}
	d := errs[0]
	if d.Summary != summary {
		t.Errorf("summary = %q, want %q", d.Summary, summary)
	}
	gotAttr := ""
	if d.Attribute != nil {
		gotAttr = attributeString(d.Attribute)
	}
	if gotAttr != attribute {
		t.Errorf("attribute = %q, want %q", gotAttr, attribute)
	}
	for _, p := range phrases {
		if !strings.Contains(d.Detail, p) {
			t.Errorf("detail %q does not contain %q", d.Detail, p)
		}
	}
}

func attributeString(p *tftypes.AttributePath) string {
	var parts []string
	for _, s := range p.Steps() {
		switch s := s.(type) {
		case tftypes.AttributeName:
			parts = append(parts, string(s))
		case tftypes.ElementKeyString:
			parts = append(parts, string(s))
		case tftypes.ElementKeyInt:
			parts = append(parts, fmt.Sprint(int64(s)))
		}
	}
	return strings.Join(parts, ".")
}

func wantNoDiagnostics(t *testing.T, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:%s", describe(diags))
	}
}

func TestProviderSchema(t *testing.T) {
	s, typ := newServer(t)
	resp, _ := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	for _, name := range []string{"region", "profile", "shared_config_files", "shared_credentials_files", "access_key", "secret_key", "token",
		"assume_role", "endpoints", "skip_credentials_validation", "skip_requesting_account_id", "max_retries", "default_tags"} {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Errorf("provider schema has no %q", name)
		}
	}
	sensitive := map[string]bool{}
	for _, a := range resp.Provider.Block.Attributes {
		sensitive[a.Name] = a.Sensitive
	}
	if !sensitive["secret_key"] || !sensitive["token"] || sensitive["access_key"] {
		t.Errorf("sensitive = %v", sensitive)
	}
	endpoints := typ.AttributeTypes["endpoints"].(tftypes.Object)
	for _, svc := range []string{"sns", "sqs", "lambda", "iam", "sts", "route53", "cloudwatch", "secretsmanager"} {
		if _, ok := endpoints.AttributeTypes[svc]; !ok {
			t.Errorf("endpoints has no %q", svc)
		}
	}
	if _, ok := resp.DataSourceSchemas["regis_caller_identity"]; !ok {
		t.Error("regis_caller_identity is not registered")
	}
}

func TestValidate_valid(t *testing.T) {
	wantNoDiagnostics(t, validate(t, cfg{}))
	for _, region := range []string{"ap-southeast-1", "us-east-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1", ""} {
		wantNoDiagnostics(t, validate(t, cfg{"region": region}))
	}
	wantNoDiagnostics(t, validate(t, cfg{
		"region":                      "ap-south-1",
		"profile":                     "dev",
		"shared_config_files":         []string{"~/.aws/config"},
		"shared_credentials_files":    []string{"/etc/aws/credentials"},
		"access_key":                  "AKID",
		"secret_key":                  "secret",
		"token":                       "session",
		"assume_role":                 []cfg{{"role_arn": "arn:aws:iam::123456789012:role/path/deployer", "session_name": "ci@build-1", "external_id": "ext", "duration": "1h30m"}},
		"endpoints":                   cfg{"sqs": "http://localhost:4566", "route53": "https://route53.example.com/base/", "sns": ""},
		"skip_credentials_validation": true,
		"skip_requesting_account_id":  true,
		"max_retries":                 5,
		"default_tags":                cfg{"tags": map[string]string{"team": "platform"}},
	}))
}

// Values known only after apply (a region taken from another resource) are
// not errors at plan time, neither in validation nor in configuration.
func TestValidate_unknownValues(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	all := cfg{
		"region": unknown, "profile": unknown, "access_key": unknown, "secret_key": "s", "token": unknown,
		"assume_role":  []cfg{{"role_arn": unknown, "duration": unknown}},
		"endpoints":    cfg{"sqs": unknown},
		"max_retries":  unknown,
		"default_tags": cfg{"tags": unknown},
	}
	wantNoDiagnostics(t, validate(t, all))
	wantNoDiagnostics(t, configure(t, all))
	wantNoDiagnostics(t, validate(t, cfg{"region": unknown}))
	wantNoDiagnostics(t, configure(t, cfg{"region": unknown, "access_key": "AKID", "secret_key": "s"}))
	wantNoDiagnostics(t, validate(t, cfg{"assume_role": unknown, "default_tags": unknown, "endpoints": unknown}))
}

func TestValidate_region(t *testing.T) {
	for _, region := range []string{"ap-southeast", "Singapore", "AP-SOUTHEAST-1", "apsoutheast1", "ap-southeast-1 "} {
		t.Run(region, func(t *testing.T) {
			wantError(t, validate(t, cfg{"region": region}), "Invalid AWS region", "region",
				fmt.Sprintf("%q is not an AWS region name", region), `for example "ap-southeast-1"`)
		})
	}
}

func TestValidate_staticKeys(t *testing.T) {
	wantError(t, validate(t, cfg{"access_key": "AKID"}), "Incomplete static credentials", "access_key",
		"access_key is set but secret_key is not", "set secret_key too")
	wantError(t, validate(t, cfg{"secret_key": "s"}), "Incomplete static credentials", "secret_key",
		"secret_key is set but access_key is not")
	wantError(t, validate(t, cfg{"access_key": "AKID", "secret_key": ""}), "Incomplete static credentials", "access_key")
	wantError(t, validate(t, cfg{"token": "t"}), "Incomplete static credentials", "token",
		"only used together with access_key and secret_key")
	wantNoDiagnostics(t, validate(t, cfg{"access_key": unknown}))
}

func TestValidate_assumeRole(t *testing.T) {
	wantError(t, validate(t, cfg{"assume_role": []cfg{{"session_name": "ci"}}}), "Missing role_arn in assume_role", "assume_role.0.role_arn",
		"needs role_arn", `role_arn = "arn:aws:iam::123456789012:role/terraform"`)
	wantError(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": ""}}}), "Missing role_arn in assume_role", "assume_role.0.role_arn")
	wantError(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": "deployer"}}}), "Invalid assume_role.role_arn", "assume_role.0.role_arn",
		`"deployer" is not an IAM role ARN`, "arn:<partition>:iam::<12-digit account id>:role/<name>")
	wantError(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": "arn:aws:iam::123456789012:user/alice"}}}), "Invalid assume_role.role_arn", "assume_role.0.role_arn",
		"is an IAM user ARN")
	wantError(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": "arn:aws:iam::1234:role/r"}}}), "Invalid assume_role.role_arn", "assume_role.0.role_arn")
	wantNoDiagnostics(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": "arn:aws-cn:iam::123456789012:role/r"}}}))
}

func TestValidate_assumeRoleDuration(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:role/r"
	for _, tc := range []struct{ duration, phrase string }{
		{"1 hour", "is not a duration"},
		{"3600", "is not a duration"},
		{"10m", "between 15m and 12h"},
		{"12h1s", "between 15m and 12h"},
		{"-1h", "between 15m and 12h"},
	} {
		t.Run(tc.duration, func(t *testing.T) {
			wantError(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": arn, "duration": tc.duration}}}), "Invalid assume_role.duration", "assume_role.0.duration", tc.phrase)
		})
	}
	for _, ok := range []string{"15m", "1h", "12h", "45m30s"} {
		wantNoDiagnostics(t, validate(t, cfg{"assume_role": []cfg{{"role_arn": arn, "duration": ok}}}))
	}
}

func TestValidate_endpoints(t *testing.T) {
	for _, tc := range []struct{ service, url, phrase string }{
		{"sqs", "localhost:4566", `has no scheme; write it as "http://localhost:4566"`},
		{"sns", "127.0.0.1:4566", "has no scheme"},
		{"lambda", "ftp://localhost", `has scheme "ftp"`},
		{"sts", "http://", "has no host"},
		{"iam", "http://exa mple.com", "is not a URL"},
		{"route53", "http://localhost:4566?x=1", "has a query"},
		{"cloudwatch", " http://localhost", "white space"},
		{"secretsmanager", "/relative/path", `expected a scheme and host, such as "http://localhost:4566"`},
	} {
		t.Run(tc.service, func(t *testing.T) {
			wantError(t, validate(t, cfg{"endpoints": cfg{tc.service: tc.url}}), "Invalid endpoint URL for endpoints."+tc.service, "endpoints."+tc.service,
				"endpoints."+tc.service+": ", tc.phrase)
		})
	}
}

func TestValidate_maxRetriesAndTags(t *testing.T) {
	diags := validate(t, cfg{"max_retries": 0})
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "at least 1") || attributeString(diags[0].Attribute) != "max_retries" {
		t.Errorf("max_retries = 0:%s", describe(diags))
	}
	wantError(t, validate(t, cfg{"default_tags": cfg{"tags": map[string]string{"aws:owner": "me"}}}), "Invalid default tag", "default_tags.tags.aws:owner",
		`uses the prefix "aws:"`)
	wantError(t, validate(t, cfg{"default_tags": cfg{"tags": map[string]string{"": "x"}}}), "Invalid default tag", "default_tags.tags.", "cannot be empty")
	wantError(t, validate(t, cfg{"default_tags": cfg{"tags": map[string]string{"k": strings.Repeat("v", 257)}}}), "Invalid default tag", "default_tags.tags.k", "at most 256")
}

// Configure-time errors: what can only be known by resolving the SDK
// configuration or asking STS.

func TestConfigure_noRegion(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	wantError(t, configure(t, cfg{"access_key": "AKID", "secret_key": "s"}), "No AWS region", "region",
		"AWS_REGION", `region = "ap-southeast-1"`)
}

func TestConfigure_badRegionFromEnvironment(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	t.Setenv("AWS_REGION", "singapore")
	wantError(t, configure(t, cfg{"access_key": "AKID", "secret_key": "s"}), "Invalid AWS region", "region",
		"the AWS_REGION environment variable", `"singapore" is not an AWS region name`)
}

func TestConfigure_badEndpointEnvironment(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_ROUTE_53", "localhost:4566")
	wantError(t, configure(t, cfg{"region": "us-east-1", "access_key": "AKID", "secret_key": "s"}),
		"Invalid endpoint in environment variable AWS_ENDPOINT_URL_ROUTE_53", "", "no scheme")
}

func TestConfigure_noCredentials(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	wantError(t, configure(t, cfg{"region": "us-east-1"}), "No valid AWS credentials found", "",
		"access_key and secret_key", "AWS_ACCESS_KEY_ID")
}

func TestConfigure_missingProfile(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	wantError(t, configure(t, cfg{"region": "us-east-1", "profile": "nosuch"}), "Cannot load AWS configuration", "profile",
		`profile "nosuch"`)
}

func TestConfigure_rejectedCredentials(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	emu := emulatortest.Start(t)
	emu.RejectAccessKey("AKIAREJECTED")
	c := cfg{"region": "ap-south-1", "access_key": "AKIAREJECTED", "secret_key": "s", "endpoints": cfg{"sts": emu.URL()}}
	wantError(t, configure(t, c), "Invalid AWS credentials (InvalidClientTokenId)", "",
		"STS rejected access key AKIAREJECTED from the provider's access_key and secret_key arguments",
		"sts:GetCallerIdentity in ap-south-1", "InvalidClientTokenId: The security token included in the request is invalid",
		"skip_credentials_validation = true")

	// From the environment, the message names the variables.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREJECTED")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	wantError(t, configure(t, cfg{"region": "ap-south-1", "endpoints": cfg{"sts": emu.URL()}}), "Invalid AWS credentials (InvalidClientTokenId)", "",
		"access key AKIAREJECTED from the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")

	// skip_credentials_validation lets the key through; the account ID
	// cannot be read, which is a warning.
	c["skip_credentials_validation"] = true
	diags := configure(t, c)
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning || diags[0].Summary != "AWS account ID not found" {
		t.Errorf("skip_credentials_validation:%s", describe(diags))
	}
	c["skip_requesting_account_id"] = true
	wantNoDiagnostics(t, configure(t, c))
}

func TestConfigure_valid(t *testing.T) {
	acctest.UnsetAWSEnv(t)
	url := emulatortest.Start(t).URL()
	wantNoDiagnostics(t, configure(t, cfg{
		"region": "ap-southeast-1", "access_key": "AKIDGOOD", "secret_key": "s",
		"endpoints":    cfg{"sts": url, "sqs": url},
		"default_tags": cfg{"tags": map[string]string{"team": "platform"}},
		"max_retries":  3,
	}))
}
