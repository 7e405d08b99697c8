package trafficpolicy_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

// The out-of-band catalogue: for every kind of Route 53 object each Traffic
// Flow resource creates (trafficpolicy.ManagedKinds), changes made outside
// Terraform with the SDK, as a person would with the AWS CLI: the object
// deleted, and altered where Route 53 lets it be. For each change, the plan
// names what changed (the resource's action and the attribute), one apply
// heals it (checked in Route 53), the next plan is empty, and the final
// destroy leaves nothing.
//
// The catalogue cannot forget a kind: TestOutOfBandCatalogueCoversEveryKind
// fails for a resource type of the provider that is not in ManagedKinds and
// for a kind of ManagedKinds without a deletion and an alteration here, and
// TestAccTrafficFlow_outOfBand fails when the emulator holds a kind of object
// that no resource of the configuration declares.
//
// More alterations of health checks, versions and records are in
// TestAccHealthCheck_drift, TestAccTrafficPolicyVersion_drift and
// TestAccTrafficPolicyRecord_drift.

// Addresses of the catalogue's configuration.
const (
	oobCheck   = "regis_health_check.extra"
	oobVersion = "regis_traffic_policy_version.spare"
	oobPolicy  = "regis_traffic_policy.test"
	oobRecord  = "regis_traffic_policy_record.test"
)

// otherResourceTypes are the provider's resource types outside this
// package (with catalogues of their own).
var otherResourceTypes = []string{"regis_bus"}

// oobCase is one out-of-band change of one kind of object of one resource
// type. change makes it from the attributes of the last applied state; plan
// checks that the plan names it; heal checks Route 53 after the apply.
type oobCase struct {
	resource, kind, name string
	deletes              bool
	change               func(t *testing.T, st *oobState) error
	plan                 []plancheck.PlanCheck
	heal                 func(t *testing.T, st *oobState) resource.TestCheckFunc
}

// oobState is the state of the last apply, for the changes to find ids.
type oobState struct{ s *terraform.State }

func (o *oobState) attr(address, name string) string {
	v, _ := attr(o.s, address, name)
	return v
}

// versionOf returns the policy id and number of a version id.
func (o *oobState) versionOf(address, name string) (string, int32) {
	policyID, version, _ := splitVersionID(o.attr(address, name))
	return policyID, version
}

func oobCatalogue() []oobCase {
	return []oobCase{
		// ------------------------------------------------ health check
		{
			resource: "regis_health_check", kind: trafficpolicy.KindHealthCheck, name: "health check deleted", deletes: true,
			change: func(t *testing.T, st *oobState) error {
				_, err := r53(t).DeleteHealthCheck(context.Background(), &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(st.attr(oobCheck, "id"))})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobCheck, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(oobCheck, tfjsonpath.New("id")),
			},
			heal: func(t *testing.T, _ *oobState) resource.TestCheckFunc { return checkExtraHealthCheck(t) },
		},
		{
			resource: "regis_health_check", kind: trafficpolicy.KindHealthCheck, name: "health check port and threshold changed",
			change: func(t *testing.T, st *oobState) error {
				_, err := r53(t).UpdateHealthCheck(context.Background(), &route53.UpdateHealthCheckInput{
					HealthCheckId: aws.String(st.attr(oobCheck, "id")), Port: aws.Int32(8443), FailureThreshold: aws.Int32(9),
				})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobCheck, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(oobCheck, tfjsonpath.New("port"), knownvalue.Int64Exact(443)),
				plancheck.ExpectKnownValue(oobCheck, tfjsonpath.New("failure_threshold"), knownvalue.Int64Exact(3)),
			},
			heal: func(t *testing.T, _ *oobState) resource.TestCheckFunc { return checkExtraHealthCheck(t) },
		},
		{
			resource: "regis_health_check", kind: trafficpolicy.KindHealthCheck, name: "health check tags removed",
			change: func(t *testing.T, st *oobState) error {
				_, err := r53(t).ChangeTagsForResource(context.Background(), &route53.ChangeTagsForResourceInput{
					ResourceId: aws.String(st.attr(oobCheck, "id")), ResourceType: awstypes.TagResourceTypeHealthcheck, RemoveTagKeys: []string{"Name"},
				})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobCheck, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(oobCheck, tfjsonpath.New("tags").AtMapKey("Name"), knownvalue.StringExact("oob-extra")),
			},
			heal: func(t *testing.T, _ *oobState) resource.TestCheckFunc { return checkExtraHealthCheck(t) },
		},

		// ------------------------------- version (regis_traffic_policy_version)
		{
			resource: "regis_traffic_policy_version", kind: trafficpolicy.KindPolicyVersion, name: "version deleted", deletes: true,
			change: func(t *testing.T, st *oobState) error {
				policyID, version := st.versionOf(oobVersion, "id")
				_, err := r53(t).DeleteTrafficPolicy(context.Background(), &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobVersion, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(oobVersion, tfjsonpath.New("version")),
			},
			heal: func(t *testing.T, st *oobState) resource.TestCheckFunc {
				gone := st.attr(oobVersion, "id")
				return resource.ComposeAggregateTestCheckFunc(
					testAccCheckVersionInRoute53(t, oobVersion),
					testAccCheckComment(t, oobVersion, "spare"),
					testAccCheckVersionGone(t, &gone),
				)
			},
		},
		{
			resource: "regis_traffic_policy_version", kind: trafficpolicy.KindPolicyVersion, name: "version comment changed",
			change: func(t *testing.T, st *oobState) error {
				policyID, version := st.versionOf(oobVersion, "id")
				_, err := r53(t).UpdateTrafficPolicyComment(context.Background(), &route53.UpdateTrafficPolicyCommentInput{
					Id: aws.String(policyID), Version: aws.Int32(version), Comment: aws.String("changed by hand"),
				})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobVersion, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(oobVersion, tfjsonpath.New("comment"), knownvalue.StringExact("spare")),
			},
			heal: func(t *testing.T, st *oobState) resource.TestCheckFunc {
				id := st.attr(oobVersion, "id")
				return resource.ComposeAggregateTestCheckFunc(testAccCheckComment(t, oobVersion, "spare"), sameAttr(oobVersion, "id", &id))
			},
		},

		// ------------------------------------- versions of regis_traffic_policy
		{
			resource: "regis_traffic_policy", kind: trafficpolicy.KindPolicyVersion, name: "policy version no record uses deleted", deletes: true,
			change: func(t *testing.T, st *oobState) error {
				policyID, version := st.versionOf(oobPolicy, "versions.0.id")
				_, err := r53(t).DeleteTrafficPolicy(context.Background(), &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobPolicy, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(oobPolicy, tfjsonpath.New("versions").AtMapKey("0").AtMapKey("version")),
			},
			heal: func(t *testing.T, st *oobState) resource.TestCheckFunc {
				was, _ := strconv.Atoi(st.attr(oobPolicy, "versions.0.version"))
				keep, _ := strconv.Atoi(st.attr(oobPolicy, "versions.10.version"))
				recordID := st.attr(oobRecord, "id")
				return resource.ComposeAggregateTestCheckFunc(
					checkOOBPolicy(t),
					func(s *terraform.State) error {
						now, _ := strconv.Atoi(mustAttr(s, oobPolicy, "versions.0.version"))
						if now <= was {
							return fmt.Errorf("key 0 is version %d, want a new version after %d", now, was)
						}
						return nil
					},
					resource.TestCheckResourceAttr(oobPolicy, "versions.10.version", strconv.Itoa(keep)),
					sameAttr(oobRecord, "id", &recordID),
				)
			},
		},
		{
			resource: "regis_traffic_policy", kind: trafficpolicy.KindPolicyVersion, name: "policy version comment changed",
			change: func(t *testing.T, st *oobState) error {
				policyID, version := st.versionOf(oobPolicy, "versions.10.id")
				_, err := r53(t).UpdateTrafficPolicyComment(context.Background(), &route53.UpdateTrafficPolicyCommentInput{
					Id: aws.String(policyID), Version: aws.Int32(version), Comment: aws.String("changed by hand"),
				})
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobPolicy, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(oobPolicy, tfjsonpath.New("versions").AtMapKey("10").AtMapKey("comment"), knownvalue.StringExact("canary")),
			},
			heal: func(t *testing.T, st *oobState) resource.TestCheckFunc {
				version := st.attr(oobPolicy, "versions.10.version")
				return resource.ComposeAggregateTestCheckFunc(
					checkOOBPolicy(t),
					checkPolicyComment(t, oobPolicy, "10", "canary"),
					resource.TestCheckResourceAttr(oobPolicy, "versions.10.version", version),
				)
			},
		},

		// ------------------------------------------------------ policy record
		{
			resource: "regis_traffic_policy_record", kind: trafficpolicy.KindPolicyInstance, name: "policy record deleted", deletes: true,
			change: func(t *testing.T, st *oobState) error {
				return deleteInstanceOutOfBand(t, st.attr(oobRecord, "id"))
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobRecord, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(oobRecord, tfjsonpath.New("id")),
			},
			heal: func(t *testing.T, _ *oobState) resource.TestCheckFunc { return checkOOBRecord(t) },
		},
		{
			resource: "regis_traffic_policy_record", kind: trafficpolicy.KindPolicyInstance, name: "policy record moved to another version, TTL changed",
			change: func(t *testing.T, st *oobState) error {
				policyID, version := st.versionOf(oobPolicy, "versions.0.id")
				ctx := context.Background()
				id := st.attr(oobRecord, "id")
				if _, err := r53(t).UpdateTrafficPolicyInstance(ctx, &route53.UpdateTrafficPolicyInstanceInput{
					Id: aws.String(id), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(version), TTL: aws.Int64(600),
				}); err != nil {
					return err
				}
				_, err := trafficpolicy.WaitTrafficPolicyInstanceApplied(ctx, r53(t), id, 2*time.Minute)
				return err
			},
			plan: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(oobRecord, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(oobRecord, tfjsonpath.New("ttl"), knownvalue.Int64Exact(60)),
			},
			heal: func(t *testing.T, st *oobState) resource.TestCheckFunc {
				id := st.attr(oobRecord, "id")
				return resource.ComposeAggregateTestCheckFunc(checkOOBRecord(t), sameAttr(oobRecord, "id", &id))
			},
		},
	}
}

func mustAttr(s *terraform.State, address, name string) string {
	v, _ := attr(s, address, name)
	return v
}

// checkExtraHealthCheck checks the independent health check in Route 53.
func checkExtraHealthCheck(t *testing.T) resource.TestCheckFunc {
	return testAccCheckHealthCheckInRoute53(t, oobCheck, func(hc *awstypes.HealthCheck, tags map[string]string) error {
		c := hc.HealthCheckConfig
		if aws.ToInt32(c.Port) != 443 || aws.ToInt32(c.FailureThreshold) != 3 || aws.ToString(c.IPAddress) != "203.0.113.9" || tags["Name"] != "oob-extra" {
			return fmt.Errorf("not as configured: port %d, threshold %d, address %s, tags %v",
				aws.ToInt32(c.Port), aws.ToInt32(c.FailureThreshold), aws.ToString(c.IPAddress), tags)
		}
		return nil
	})
}

// checkOOBPolicy checks every key of the policy in Route 53.
func checkOOBPolicy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		want := map[string]int{}
		for _, key := range []string{"0", "10"} {
			v, err := strconv.Atoi(mustAttr(s, oobPolicy, "versions."+key+".version"))
			if err != nil {
				return fmt.Errorf("key %s: %w", key, err)
			}
			want[key] = v
		}
		return resource.ComposeAggregateTestCheckFunc(
			checkPolicyVersions(t, oobPolicy, want, map[string]int{"0": 0, "10": 10}),
			checkPolicyComment(t, oobPolicy, "10", "canary"),
		)(s)
	}
}

// checkOOBRecord checks the record in Route 53: on the version of key 10,
// TTL 60, Applied.
func checkOOBRecord(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		inst, err := trafficpolicy.FindTrafficPolicyInstanceByID(context.Background(), r53(t), mustAttr(s, oobRecord, "id"))
		if err != nil {
			return err
		}
		want := mustAttr(s, oobPolicy, "versions.10.version")
		if got := strconv.Itoa(int(aws.ToInt32(inst.TrafficPolicyVersion))); got != want || aws.ToInt64(inst.TTL) != 60 ||
			aws.ToString(inst.TrafficPolicyId) != mustAttr(s, oobPolicy, "id") || aws.ToString(inst.State) != "Applied" {
			return fmt.Errorf("policy record in Route 53: version %s of %s, TTL %d, %s; want version %s, TTL 60, Applied",
				got, aws.ToString(inst.TrafficPolicyId), aws.ToInt64(inst.TTL), aws.ToString(inst.State), want)
		}
		return nil
	}
}

// testAccOOBConfig is every Traffic Flow resource: an independent health
// check, the two health checks the documents reference, a policy of two
// keys, a spare version nobody uses and the record on the policy's key 10.
func testAccOOBConfig(zoneID, zoneName, name string) string {
	return acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), `
resource "regis_health_check" "extra" {
  type       = "TCP"
  ip_address = "203.0.113.9"
  port       = 443
  tags = {
    Name = "oob-extra"
  }
}
`, testAccPolicyConfig("test", name, stage{"0", 0, ""}, stage{"10", 10, "canary"}),
		testAccVersionConfig("spare", name+"-spare", 100, 0, `  comment = "spare"`),
		testAccPolicyRecordConfig(zoneID, zoneName, "10"))
}

// The provider's resource types are each Traffic Flow types with their
// kinds in ManagedKinds, or in otherResourceTypes; every kind of
// ManagedKinds has a deletion and an alteration in the catalogue.
func TestOutOfBandCatalogueCoversEveryKind(t *testing.T) {
	srv, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for typ := range schemas.ResourceSchemas {
		if _, ok := trafficpolicy.ManagedKinds[typ]; !ok && !slices.Contains(otherResourceTypes, typ) {
			t.Errorf("resource type %s is neither in trafficpolicy.ManagedKinds nor in otherResourceTypes: list the kinds of object it creates", typ)
		}
	}
	for typ, kinds := range trafficpolicy.ManagedKinds {
		if schemas.ResourceSchemas[typ] == nil {
			t.Errorf("trafficpolicy.ManagedKinds lists %s, which the provider does not have", typ)
		}
		for _, kind := range kinds {
			deletes, alters := 0, 0
			for _, c := range oobCatalogue() {
				if c.resource == typ && c.kind == kind {
					if c.deletes {
						deletes++
					} else {
						alters++
					}
				}
			}
			if deletes == 0 || alters == 0 {
				t.Errorf("%s creates %s objects, and the catalogue has %d deletions and %d alterations of them: add both", typ, kind, deletes, alters)
			}
		}
	}
}

func TestAccTrafficFlow_outOfBand(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-oob")
	config := testAccOOBConfig(zoneID, zoneName, name)
	cases := oobCatalogue()
	st := &oobState{}
	snapshot := func(s *terraform.State) error { st.s = s; return nil }
	healed := make([]bool, len(cases))
	current := -1
	done := func() {
		if current >= 0 && !t.Failed() {
			healed[current] = true
		}
	}
	t.Cleanup(func() {
		for i, c := range cases {
			driftCount.Count(t.Name(), c.resource+": "+c.name, healed[i])
		}
	})

	steps := []resource.TestStep{{
		Config:           config,
		ConfigPlanChecks: emptyPlanAfterApply,
		Check: resource.ComposeAggregateTestCheckFunc(
			checkExtraHealthCheck(t), checkOOBPolicy(t), checkOOBRecord(t), testAccCheckVersionInRoute53(t, oobVersion),
			checkKindsDeclared(t),
			snapshot,
		),
	}}
	for i, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				done()
				current = i
				if err := c.change(t, st); err != nil {
					t.Fatalf("%s: changing out of band: %v", c.name, err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             append([]plancheck.PlanCheck{plancheck.ExpectNonEmptyPlan()}, c.plan...),
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(s *terraform.State) error {
				// heal is built from the state before the change.
				if err := c.heal(t, st)(s); err != nil {
					return err
				}
				return snapshot(s)
			},
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps:                    steps,
	})
	done()
}

// checkKindsDeclared checks, on the emulator, that every kind of Route 53
// object there is a kind some resource type declares in ManagedKinds (the
// emulator of this test binary holds only what this package's tests made;
// hosted zones are test fixtures, and record sets are part of policy
// records).
func checkKindsDeclared(t *testing.T) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if !acctest.OnEmulator() {
			return nil
		}
		declared := map[string]bool{"hostedzone": true, "recordset": true}
		for _, kinds := range trafficpolicy.ManagedKinds {
			for _, k := range kinds {
				declared[k] = true
			}
		}
		for _, obj := range route53Emulator(t).Inventory() {
			if !declared[obj.Type] {
				return fmt.Errorf("Route 53 holds a %s (%s), a kind no resource type declares in trafficpolicy.ManagedKinds", obj.Type, obj.ID)
			}
		}
		return nil
	}
}
