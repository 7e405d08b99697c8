package trafficpolicy_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
)

// A hosted zone id given with the /hostedzone/ prefix (as some Route 53
// outputs spell it) is kept as written, without a perpetual diff; and moving
// a record to a version of another DNS type, which Route 53 refuses to do in
// place (ConflictingTypes), is planned as a replacement.
func TestAccTrafficPolicyRecord_zoneIDPrefixAndTypeChange(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-rtype")
	config := func(target string) string {
		return acctest.ConfigCompose(acctest.ProviderConfig(), fmt.Sprintf(`
resource "regis_traffic_policy_version" "v4" {
  name           = "%[1]s-v4"
  record_type    = "A"
  start_endpoint = "web"
  endpoint {
    id    = "web"
    type  = "value"
    value = "192.0.2.10"
  }
}

resource "regis_traffic_policy_version" "v6" {
  name           = "%[1]s-v6"
  record_type    = "AAAA"
  start_endpoint = "web"
  endpoint {
    id    = "web"
    type  = "value"
    value = "2001:db8::10"
  }
}

resource "regis_traffic_policy_record" "test" {
  hosted_zone_id         = "/hostedzone/%[2]s"
  name                   = "api.%[3]s"
  ttl                    = 60
  traffic_policy_id      = regis_traffic_policy_version.%[4]s.policy_id
  traffic_policy_version = regis_traffic_policy_version.%[4]s.version
}
`, name, zoneID, zoneName, target))
	}
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				Config:           config("v4"),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(record, "hosted_zone_id", "/hostedzone/"+zoneID),
					resource.TestCheckResourceAttr(record, "record_type", "A"),
					captureAttr(record, "id", &firstID),
				),
			},
			{
				Config: config("v6"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(record, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(record, "record_type", "AAAA"),
					resource.TestCheckResourceAttr(record, "state", "Applied"),
					func(s *terraform.State) error {
						id, err := attr(s, record, "id")
						if err != nil {
							return err
						}
						if id == firstID {
							return fmt.Errorf("record %s was not replaced", id)
						}
						return nil
					},
				),
			},
		},
	})
}
