package provider_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
)

// Acceptance tests of the provider configuration, through Terraform. Each
// reads regis_caller_identity, which needs a configured provider and a
// working STS endpoint.

// deadEndpoint refuses connections: a configuration that uses it fails.
const deadEndpoint = "http://127.0.0.1:1"

// endpointOrSkip returns the test endpoint; tests of endpoint settings do
// not apply to real AWS.
func endpointOrSkip(t *testing.T) string {
	t.Helper()
	if acctest.Target() == acctest.ModeAWS {
		t.Skip("endpoint configuration is tested against an emulator or custom endpoint")
	}
	acctest.PreCheck(t)
	url, err := acctest.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// testKey is a fresh access key id, so each test's calls can be told apart
// in the emulator's call log.
func testKey() string {
	return "AKIA" + strings.ToUpper(strings.ReplaceAll(acctest.RandomName("t"), "-", ""))
}

// providerBlock is a provider block with static keys and extra lines.
func providerBlock(akid string, extra ...string) string {
	return fmt.Sprintf(`
provider "regis" {
  region     = %q
  access_key = %q
  secret_key = "secret"
%s
}
`, acctest.Region2, akid, strings.Join(extra, "\n"))
}

func TestAccProvider_staticKeys(t *testing.T) {
	url := endpointOrSkip(t)
	akid := testKey()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerBlock(akid, fmt.Sprintf("  endpoints {\n    sts = %q\n  }", url)) + testAccCallerIdentityConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("account_id"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{12}$`))),
			},
			// The provider's home region and key are what STS saw.
			Check: checkCalledSTS(t, akid, acctest.Region2),
		}},
	})
}

func TestAccProvider_endpointEnv(t *testing.T) {
	url := endpointOrSkip(t)
	akid := testKey()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// AWS_ENDPOINT_URL alone sends every service to the endpoint.
				PreConfig: func() {
					t.Setenv("AWS_ENDPOINT_URL", url)
					t.Setenv("AWS_ENDPOINT_URL_STS", "") // restored after the test
					os.Unsetenv("AWS_ENDPOINT_URL_STS")
				},
				Config: providerBlock(akid) + testAccCallerIdentityConfig,
				Check:  checkCalledSTS(t, akid, acctest.Region2),
			},
			{
				// AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL.
				PreConfig: func() {
					t.Setenv("AWS_ENDPOINT_URL", deadEndpoint)
					t.Setenv("AWS_ENDPOINT_URL_STS", url)
				},
				Config: providerBlock(akid) + testAccCallerIdentityConfig,
			},
		},
	})
}

func TestAccProvider_endpointsBlockOverEnv(t *testing.T) {
	url := endpointOrSkip(t)
	akid := testKey()
	stsBlock := fmt.Sprintf("  endpoints {\n    sts = %q\n  }", url)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Both variables point nowhere: without the block the
				// provider cannot reach STS. (Proves the variables are used.)
				PreConfig: func() {
					t.Setenv("AWS_ENDPOINT_URL", deadEndpoint)
					t.Setenv("AWS_ENDPOINT_URL_STS", deadEndpoint)
				},
				Config:      providerBlock(akid) + testAccCallerIdentityConfig,
				ExpectError: acctest.ErrorRegexp("Cannot validate AWS credentials", "sts:GetCallerIdentity in "+acctest.Region2, "connection refused"),
			},
			{
				// The endpoints block wins over both.
				Config: providerBlock(akid, stsBlock) + testAccCallerIdentityConfig,
				Check:  checkCalledSTS(t, akid, acctest.Region2),
			},
		},
	})
}

func TestAccProvider_assumeRole(t *testing.T) {
	acctest.PreCheck(t)
	name := acctest.RandomName("regis-acc-role")
	account := acctest.Client(t).AccountID
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole",`+
		`"Condition":{"StringEquals":{"sts:ExternalId":"regis-external"}}}]}`, account)
	roleARN := acctest.CreateRole(t, name, trust)
	if acctest.Target() == acctest.ModeAWS {
		time.Sleep(10 * time.Second) // IAM is eventually consistent
	}
	assumeRole := func(externalID string) string {
		return fmt.Sprintf(`assume_role {
  role_arn     = %q
  session_name = "regis-acc"
  external_id  = %q
  duration     = "1h"
}`, roleARN, externalID)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The trust policy's condition is enforced: a wrong external
				// ID is refused, and the error says which role and key. (First,
				// so that the post-test destroy runs with a working configuration.)
				Config: acctest.ConfigCompose(acctest.ProviderConfig(assumeRole("wrong-external")), testAccCallerIdentityConfig),
				ExpectError: acctest.ErrorRegexp("Cannot assume IAM role", "sts:AssumeRole of "+roleARN,
					"AccessDenied", "trust policy and external_id"),
			},
			{
				Config: acctest.ConfigCompose(acctest.ProviderConfig(assumeRole("regis-external")), testAccCallerIdentityConfig),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("arn"),
						knownvalue.StringExact(fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/regis-acc", account, name))),
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("user_id"),
						knownvalue.StringRegexp(regexp.MustCompile(`^AROA[A-Z0-9]+:regis-acc$`))),
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("account_id"), knownvalue.StringExact(account)),
				},
			},
		},
	})
}

func TestAccProvider_rejectedCredentials(t *testing.T) {
	emu := acctest.Emulator(t)
	akid := testKey()
	emu.RejectAccessKey(akid)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerBlock(akid, acctest.EndpointsBlock(emu.URL())) + testAccCallerIdentityConfig,
			ExpectError: acctest.ErrorRegexp(
				"Invalid AWS credentials (InvalidClientTokenId)",
				"STS rejected access key "+akid+" from the provider's access_key and secret_key arguments",
				"sts:GetCallerIdentity in "+acctest.Region2,
				"The security token included in the request is invalid",
				"skip_credentials_validation = true",
			),
		}},
	})
}

func TestAccProvider_skipCredentialsValidation(t *testing.T) {
	emu := acctest.Emulator(t)
	akid := testKey()
	emu.RejectAccessKey(akid)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Configure accepts the rejected key; the first AWS call (the
			// data source's) is what fails.
			Config: providerBlock(akid, acctest.EndpointsBlock(emu.URL()),
				"  skip_credentials_validation = true", "  skip_requesting_account_id = true") + testAccCallerIdentityConfig,
			ExpectError: acctest.ErrorRegexp("Reading caller identity", "sts:GetCallerIdentity in "+acctest.Region2+" failed", "InvalidClientTokenId"),
		}},
	})
}

// A provider argument known only after apply (here the region, from another
// resource) is not an error at plan time. Terraform reads data sources while
// planning, so one that needs the provider must wait with depends_on; the
// error without it says so.
func TestAccProvider_unknownAtPlan(t *testing.T) {
	url := endpointOrSkip(t)
	akid := testKey()
	config := func(dependsOn string) string {
		return fmt.Sprintf(`
resource "terraform_data" "region" {
  input = %q
}

provider "regis" {
  region     = terraform_data.region.output
  access_key = %q
  secret_key = "secret"
  endpoints {
    sts = %q
  }
}

data "regis_caller_identity" "current" {
  %s
}
`, acctest.Region3, akid, url, dependsOn)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(""),
				ExpectError: acctest.ErrorRegexp("Provider not configured", "known only after apply", "add depends_on"),
			},
			{
				Config: config("depends_on = [terraform_data.region]"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(callerIdentity, tfjsonpath.New("arn")),
					},
				},
				// The region known at apply is the one STS saw.
				Check: checkCalledSTS(t, akid, acctest.Region3),
			},
		},
	})
}

// Bad provider arguments fail at plan, through Terraform, with messages
// that say what to write instead.
func TestAccProvider_invalidConfiguration(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:role/deployer"
	step := func(extra string, phrases ...string) resource.TestStep {
		return resource.TestStep{
			Config: fmt.Sprintf(`
provider "regis" {
  %s
}
`, extra) + testAccCallerIdentityConfig,
			PlanOnly:    true,
			ExpectError: acctest.ErrorRegexp(phrases...),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(`region = "ap-southeast"`, "Invalid AWS region", `"ap-southeast" is not an AWS region name`, `for example "ap-southeast-1"`),
			step(`access_key = "AKIAONLY"`, "Incomplete static credentials", "access_key is set but secret_key is not"),
			step(`assume_role {
    session_name = "ci"
  }`, "Missing role_arn in assume_role", `role_arn = "arn:aws:iam::123456789012:role/terraform"`),
			step(`assume_role {
    role_arn = "deployer"
  }`, "Invalid assume_role.role_arn", `"deployer" is not an IAM role ARN`),
			step(`assume_role {
    role_arn = "`+arn+`"
    duration = "90s"
  }`, "Invalid assume_role.duration", "between 15m and 12h"),
			step(`endpoints {
    sqs = "localhost:4566"
  }`, "Invalid endpoint URL for endpoints.sqs", `write it as "http://localhost:4566"`),
			step(`max_retries = 0`, "max_retries value must be at least 1"),
			// A valid last step, so that the post-test destroy can run.
			{Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccCallerIdentityConfig)},
		},
	})
}
