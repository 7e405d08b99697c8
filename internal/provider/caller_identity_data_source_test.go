package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
)

const testAccCallerIdentityConfig = `
data "regis_caller_identity" "current" {}
`

const callerIdentity = "data.regis_caller_identity.current"

func TestAccCallerIdentityDataSource_basic(t *testing.T) {
	// What the identity must look like anywhere; exact values on the emulator.
	var account, arn, userID knownvalue.Check
	account = knownvalue.StringRegexp(regexp.MustCompile(`^\d{12}$`))
	arn = knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+`))
	userID = knownvalue.StringRegexp(regexp.MustCompile(`^A[A-Z0-9]{15,}`))
	if acctest.OnEmulator() {
		account = knownvalue.StringExact(emulator.DefaultAccountID)
		arn = knownvalue.StringExact("arn:aws:iam::" + emulator.DefaultAccountID + ":user/emulator-" + acctest.AccessKeyID)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccCallerIdentityConfig),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("account_id"), account),
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("arn"), arn),
					statecheck.ExpectKnownValue(callerIdentity, tfjsonpath.New("user_id"), userID),
					statecheck.CompareValuePairs(callerIdentity, tfjsonpath.New("id"), callerIdentity, tfjsonpath.New("account_id"), compare.ValuesSame()),
				},
				Check: checkCalledSTS(t, acctest.AccessKeyID, acctest.Region1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// checkCalledSTS asserts, on the emulator, that GetCallerIdentity was
// called in region with access key akid: the provider's configuration
// really is what reached the endpoint.
func checkCalledSTS(t *testing.T, akid, region string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if !acctest.OnEmulator() {
			return nil
		}
		for _, c := range acctest.Emulator(t).Calls() {
			if c.Service == "sts" && c.Action == "GetCallerIdentity" && c.AccessKey == akid && c.Region == region {
				return nil
			}
		}
		return fmt.Errorf("the emulator served no sts:GetCallerIdentity in %s signed with %s", region, akid)
	}
}
