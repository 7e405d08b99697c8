package trafficpolicy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

const record = "regis_traffic_policy_record.test"

// testAccRolloutConfig is the seed's rollout: three versions of one policy
// (100 % single region, 90/10, 0/100, created in that order) and the policy
// record on the version named current.
func testAccRolloutConfig(zoneID, zoneName, name, current string) string {
	return acctest.ConfigCompose(
		acctest.ProviderConfig(),
		testAccHealthChecksConfig(name),
		testAccVersionConfig("v1", name, 100, 0, `  comment = "before the rollout: everything on the single region"`),
		testAccVersionConfig("v2", name, 90, 10, `  comment = "10 % to the latency rule"`, "  depends_on = [regis_traffic_policy_version.v1]"),
		testAccVersionConfig("v3", name, 0, 100, `  comment = "rolled out"`, "  depends_on = [regis_traffic_policy_version.v2]"),
		testAccRecordConfig(zoneID, zoneName, current),
	)
}

// The record moves v1 → v2 → v3 → v1 (rollback) in place: the same policy
// record, updated, with an import check and an empty plan after each step.
func TestAccTrafficPolicyRecord_rollout(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-rollout")
	var recordID string
	importStep := resource.TestStep{ResourceName: record, ImportState: true, ImportStateVerify: true}
	step := func(version, number string) resource.TestStep {
		return resource.TestStep{
			Config:           testAccRolloutConfig(zoneID, zoneName, name, version),
			ConfigPlanChecks: actionThenEmpty(record, plancheck.ResourceActionUpdate),
			Check: resource.ComposeAggregateTestCheckFunc(
				sameAttr(record, "id", &recordID),
				resource.TestCheckResourceAttr(record, "traffic_policy_version", number),
				resource.TestCheckResourceAttr(record, "state", "Applied"),
				testAccCheckRecordInRoute53(t, record, number),
			),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				Config:           testAccRolloutConfig(zoneID, zoneName, name, "v1"),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(record, "id", &recordID),
					resource.TestCheckResourceAttr("regis_traffic_policy_version.v1", "version", "1"),
					resource.TestCheckResourceAttr("regis_traffic_policy_version.v2", "version", "2"),
					resource.TestCheckResourceAttr("regis_traffic_policy_version.v3", "version", "3"),
					resource.TestCheckResourceAttrPair(record, "traffic_policy_id", "regis_traffic_policy_version.v1", "policy_id"),
					resource.TestCheckResourceAttr(record, "traffic_policy_version", "1"),
					resource.TestCheckResourceAttr(record, "name", "www."+zoneName),
					resource.TestCheckResourceAttr(record, "hosted_zone_id", zoneID),
					resource.TestCheckResourceAttr(record, "ttl", "60"),
					resource.TestCheckResourceAttr(record, "state", "Applied"),
					resource.TestCheckResourceAttr(record, "record_type", "A"),
					testAccCheckRecordInRoute53(t, record, "1"),
				),
			},
			importStep,
			step("v2", "2"),
			importStep,
			step("v3", "3"),
			importStep,
			step("v1", "1"), // rollback
			importStep,
			{
				ResourceName:      "regis_traffic_policy_version.v2",
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// testAccCheckRecordInRoute53 checks the policy record uses the version in
// Route 53 and is Applied.
func testAccCheckRecordInRoute53(t *testing.T, address, version string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, address, "id")
		if err != nil {
			return err
		}
		inst, err := trafficpolicy.FindTrafficPolicyInstanceByID(context.Background(), r53(t), id)
		if err != nil {
			return err
		}
		if got := fmt.Sprint(*inst.TrafficPolicyVersion); got != version || *inst.State != "Applied" {
			return fmt.Errorf("policy record %s in Route 53: version %s, state %s; want version %s, Applied", id, got, *inst.State, version)
		}
		return nil
	}
}

// Changing the TTL is in place too.
func TestAccTrafficPolicyRecord_ttl(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-record")
	var recordID string
	config := func(ttl int) string {
		return acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0), fmt.Sprintf(`
resource "regis_traffic_policy_record" "test" {
  hosted_zone_id         = %q
  name                   = "WWW.%s."
  ttl                    = %d
  traffic_policy_id      = regis_traffic_policy_version.v1.policy_id
  traffic_policy_version = regis_traffic_policy_version.v1.version

  timeouts {
    update = "5m"
  }
}
`, zoneID, zoneName, ttl))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				// The name keeps its spelling (upper case, trailing dot)
				// without a diff against Route 53's "www.<zone>.".
				Config:           config(60),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(record, "id", &recordID),
					resource.TestCheckResourceAttr(record, "name", "WWW."+zoneName+"."),
				),
			},
			{
				Config:           config(300),
				ConfigPlanChecks: actionThenEmpty(record, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					sameAttr(record, "id", &recordID),
					resource.TestCheckResourceAttr(record, "ttl", "300"),
				),
			},
			{
				ResourceName:            record,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"name", "timeouts"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["name"]; got != "www."+zoneName {
						return fmt.Errorf("imported name %q, want %q", got, "www."+zoneName)
					}
					return nil
				},
			},
		},
	})
}

func TestAccTrafficPolicyRecord_disappears(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-record")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0),
				testAccRecordConfig(zoneID, zoneName, "v1")),
			Check: func(s *terraform.State) error {
				id, err := attr(s, record, "id")
				if err != nil {
					return err
				}
				return deleteInstanceOutOfBand(t, id)
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// A version that does not exist is reported with what to check.
func TestAccTrafficPolicyRecord_noSuchVersion(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-record")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0), fmt.Sprintf(`
resource "regis_traffic_policy_record" "test" {
  hosted_zone_id         = %q
  name                   = "www.%s"
  ttl                    = 60
  traffic_policy_id      = regis_traffic_policy_version.v1.policy_id
  traffic_policy_version = regis_traffic_policy_version.v1.version + 5
}
`, zoneID, zoneName)),
			ExpectError: acctest.ErrorRegexp("Version 6 of traffic policy", "does not exist", "check traffic_policy_id and traffic_policy_version"),
		}},
	})
}

// Editing the document of a version a record uses (what fails with
// TrafficPolicyInUse in aws_route53_traffic_policy): with
// create_before_destroy the new version is created, the record moves to it
// in place, then the old version is deleted.
func TestAccTrafficPolicyRecord_editDocument(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-edit")
	var recordID, firstVersion string
	config := func(single, latency int) string {
		return acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
			testAccVersionConfig("v1", name, single, latency, "  lifecycle {\n    create_before_destroy = true\n  }"),
			testAccRecordConfig(zoneID, zoneName, "v1"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				Config:           config(100, 0),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(record, "id", &recordID),
					captureAttr(v1, "id", &firstVersion),
					testAccCheckRecordInRoute53(t, record, "1"),
				),
			},
			{
				Config: config(90, 10),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(v1, plancheck.ResourceActionCreateBeforeDestroy),
						plancheck.ExpectResourceAction(record, plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					sameAttr(record, "id", &recordID),
					resource.TestCheckResourceAttr(v1, "version", "2"),
					testAccCheckRecordInRoute53(t, record, "2"),
					testAccCheckVersionGone(t, &firstVersion),
				),
			},
		},
	})
}
