package bus_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
)

// TestBusValidation runs Terraform's plan on invalid configurations and
// checks the message of each plan-time rule (schema validators and
// ValidateConfig). It calls no AWS API: validation stops Terraform before
// the provider is configured.
func TestBusValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform")
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if _, err := exec.LookPath("terraform"); err != nil {
			t.Skip("needs Terraform: install it on PATH or set TF_ACC_TERRAFORM_PATH")
		}
	}
	t.Setenv("CHECKPOINT_DISABLE", "1")
	region := func(body string) string {
		return `resource "regis_bus" "test" {
  name = "hotels"
  regions = {
    "ap-southeast-1" = {
      redis = { endpoints = ["redis.example:6379"] }
` + body + `
    }
  }
}`
	}
	cases := []struct {
		name   string
		config string
		want   *regexp.Regexp
	}{
		{"memory below 128", region(`consumer = { memory_size = 64 }`), acctest.ErrorRegexp("memory_size", "value must be between 128 and 10240")},
		{"memory above 10240", region(`consumer = { memory_size = 20000 }`), acctest.ErrorRegexp("value must be between 128 and 10240")},
		{"timeout above 900", region(`consumer = { timeout = 901 }`), acctest.ErrorRegexp("timeout", "value must be between 1 and 900")},
		{"timeout 0", region(`consumer = { timeout = 0 }`), acctest.ErrorRegexp("value must be between 1 and 900")},
		{"max_concurrency 1", region(`consumer = { max_concurrency = 1 }`), acctest.ErrorRegexp("max_concurrency", "value must be between 2 and 1000")},
		{"max_concurrency 1001", region(`consumer = { max_concurrency = 1001 }`), acctest.ErrorRegexp("value must be between 2 and 1000")},
		{"batch size 10001", region(`consumer = { batch_size = 10001, batching_window = 1 }`), acctest.ErrorRegexp("value must be between 1 and 10000")},
		{"batching window 301", region(`consumer = { batching_window = 301 }`), acctest.ErrorRegexp("value must be between 0 and 300")},
		{"batch size needs window", region(`consumer = { batch_size = 100 }`), acctest.ErrorRegexp("Batch size needs a batching window", "batching_window to at least 1")},
		{"visibility vs timeout", region(`consumer = { timeout = 60 }`), acctest.ErrorRegexp("Visibility timeout too short", "at least 360")},
		{"architecture", region(`consumer = { architecture = "amd64" }`), acctest.ErrorRegexp("architecture", `value must be one of: ["arm64" "x86_64"]`)},
		{"log level", region(`consumer = { log_level = "trace" }`), acctest.ErrorRegexp("log_level", "value must be one of")},
		{"max_receive_count 0", region(`queue = { max_receive_count = 0 }`), acctest.ErrorRegexp("max_receive_count", "value must be between 1 and 1000")},
		{"retention below 60", region(`queue = { message_retention = 59 }`), acctest.ErrorRegexp("message_retention", "value must be between 60 and 1209600")},
		{"dlq retention above 14 days", region(`queue = { dlq_retention = 1209601 }`), acctest.ErrorRegexp("dlq_retention", "value must be between 60 and 1209600")},
		{"visibility above 12h", region(`queue = { visibility_timeout = 43201 }`), acctest.ErrorRegexp("visibility_timeout", "value must be between 0 and 43200")},
		{"managed env", region(`consumer = { environment = { REGIS_DLQ_URL = "x" } }`), acctest.ErrorRegexp("Environment variable set by the bus", "REGIS_DLQ_URL")},
		{"subnet id", region(`vpc = { subnet_ids = ["sub-1"], security_group_ids = ["sg-0123abcd"] }`), acctest.ErrorRegexp("must be a subnet ID")},
		{"alarm action region", region(`alarms = { alarm_actions = ["arn:aws:sns:us-east-1:123456789012:ops"] }`), acctest.ErrorRegexp("Alarm action in another region")},
		{"redis url", strings.Replace(region(""), "redis.example:6379", "redis://redis.example:6379", 1), acctest.ErrorRegexp("Invalid Redis endpoint", "without the redis:// scheme")},
		{"redis no port", strings.Replace(region(""), "redis.example:6379", "redis.example", 1), acctest.ErrorRegexp("has no port", "redis.example:6379")},
		{"token instead of secret ARN", strings.Replace(region(""), `endpoints = ["redis.example:6379"]`, `endpoints = ["redis.example:6379"], auth_secret_arn = "s3cr3t"`, 1), acctest.ErrorRegexp("Invalid auth_secret_arn", "never be in the configuration")},
		{"secret in another region", strings.Replace(region(""), `endpoints = ["redis.example:6379"]`, `endpoints = ["redis.example:6379"], auth_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:r-AbCdEf"`, 1), acctest.ErrorRegexp("Auth secret in another region")},
		{"several endpoints", strings.Replace(region(""), `["redis.example:6379"]`, `["a:6379", "b:6379"]`, 1), acctest.ErrorRegexp("Several Redis endpoints without cluster mode")},
		{"misspelt region", strings.Replace(region(""), `"ap-southeast-1" = {`, `"ap-southest-1" = {`, 1), acctest.ErrorRegexp("Invalid AWS region", `Did you mean "ap-southeast-1"`)},
		{"upper-case region", strings.Replace(region(""), `"ap-southeast-1" = {`, `"AP-SOUTHEAST-1" = {`, 1), acctest.ErrorRegexp("Invalid AWS region", "not an AWS region name")},
		{"no region", `resource "regis_bus" "test" {
  name    = "hotels"
  regions = {}
}`, acctest.ErrorRegexp("regions", "at least 1")},
		{"bad name", strings.Replace(region(""), `name = "hotels"`, `name = "hotels.prod"`, 1), acctest.ErrorRegexp("Invalid bus name", `"."`)},
		{"long name", strings.Replace(region(""), `name = "hotels"`, `name = "`+strings.Repeat("h", 41)+`"`, 1), acctest.ErrorRegexp("Invalid bus name", "at most 40 characters")},
		{"home region", strings.Replace(region(""), `name = "hotels"`, `name = "hotels"
  home_region = "ap-southeast"`, 1), acctest.ErrorRegexp("Invalid AWS region")},
		{"tombstone", strings.Replace(region(""), `name = "hotels"`, `name = "hotels"
  tombstone_ttl = "7d"`, 1), acctest.ErrorRegexp("Invalid tombstone_ttl", "days are written in hours")},
		{"kms key of one region", strings.Replace(strings.Replace(region(""), `name = "hotels"`, `name = "hotels"
  kms_key_id = "arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"`, 1), `    }
  }
}`, `    }
    "ap-south-1" = { redis = { endpoints = ["r:6379"] } }
  }
}`, 1), acctest.ErrorRegexp("KMS key in one region only")},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      acctest.ConfigCompose(`provider "regis" { region = "ap-southeast-1" }`, tc.config),
			PlanOnly:    true,
			ExpectError: tc.want,
		})
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{steps[i]},
			})
		})
	}
}
