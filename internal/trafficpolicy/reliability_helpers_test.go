package trafficpolicy_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	emuroute53 "github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

// ------------------------------------------------------------------ numbers

// reliability collects what the reliability tests measured; TestMain prints
// its summary when the test binary ends. With REGIS_RELIABILITY_OUT set, the
// numbers are also written there as JSON: reliability-<test>.json per sweep
// and reliability-summary.json.
var reliability = &acctest.Report{
	Heading:    "=== Traffic Flow reliability summary",
	FilePrefix: "reliability-",
}

// The cases counted by test: drift cases and invalid configurations rejected
// at plan.
var (
	driftCount   = reliability.Counter("drift", "drift", "healed")
	invalidCount = reliability.Counter("invalid_configs", "invalid configs", "rejected at plan")
)

// TestMain runs the tests and prints the reliability summary, or under
// -sweep the sweepers instead (sweep_test.go, `make sweep`).
func TestMain(m *testing.M) { acctest.TestMain(m, reliability.Finish) }

// sortedNames lists the keys of m in order.
func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// ------------------------------------------------- the lifecycle under faults

// relRecord and the other addresses of the reliability lifecycle.
const (
	relRecord = "regis_traffic_policy_record.test"
	relSin    = "regis_health_check.sin"
	relBom    = "regis_health_check.bom"
	relV1     = "regis_traffic_policy_version.v1"
	relV2     = "regis_traffic_policy_version.v2"
	relV3     = "regis_traffic_policy_version.v3"
)

// privateHostedZone creates a hosted zone in a private emulator (a fixture:
// the sweep's scope leaves hosted zones out).
func privateHostedZone(t *testing.T, conn *route53.Client) (id, name string) {
	t.Helper()
	name = acctest.RandomName("tf-acc-rel") + ".example.com"
	out, err := conn.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String(name),
	})
	if err != nil {
		t.Fatalf("creating hosted zone %s: %v", name, err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/"), name
}

// relHealthChecksConfig is the lifecycle's two health checks: a TCP one and
// an HTTP one. In stage 2 the TCP one changes in place (threshold and tags).
func relHealthChecksConfig(name string, stage int) string {
	sinExtra := ""
	if stage >= 2 {
		sinExtra = "  failure_threshold = 5\n"
	}
	return fmt.Sprintf(`
resource "regis_health_check" "sin" {
  type       = "TCP"
  ip_address = %[2]q
  port       = 443
%[3]s  tags = {
    Name  = "%[1]s-sin"
    stage = "%[4]d"
  }
}

resource "regis_health_check" "bom" {
  type          = "HTTP"
  fqdn          = "bom.example.com"
  resource_path = "/health"
  tags = {
    Name = "%[1]s-bom"
    team = "edge"
  }
}
`, name, ipSingapore, sinExtra, stage)
}

// relConfig is the lifecycle's configuration. Stage 1: health checks,
// versions v1 and v2, the record on v1. Stage 2: the TCP health check
// changed in place, v1's comment changed, v3 added and the record moved to
// it. Versions are chained with depends_on so that the calls (and version
// numbers) are the same in every run.
func relConfig(provider, zoneID, zoneName, name string, stage int) string {
	comment := `  comment = "first"`
	current := "v1"
	parts := []string{provider, relHealthChecksConfig(name, stage)}
	if stage >= 2 {
		comment = `  comment = "first, amended"`
		current = "v3"
	}
	parts = append(parts,
		testAccVersionConfig("v1", name, 100, 0, comment),
		testAccVersionConfig("v2", name, 90, 10, "  depends_on = [regis_traffic_policy_version.v1]"))
	if stage >= 2 {
		parts = append(parts, testAccVersionConfig("v3", name, 0, 100, "  depends_on = [regis_traffic_policy_version.v2]"))
	}
	parts = append(parts, testAccRecordConfig(zoneID, zoneName, current))
	return acctest.ConfigCompose(parts...)
}

// trafficFlowLifecycle is the lifecycle the sweeps fail call by call:
// create (2 health checks, 2 versions, a record), update (a health check
// changed in place, a comment changed, a version added, the record moved to
// it) and delete. Route 53's asynchronous work is instantaneous in the
// private emulator, so every run makes the same calls.
func trafficFlowLifecycle(t *testing.T, emu *acctest.PrivateEmulator) []acctest.FaultPhase {
	svc, ok := emu.Service("route53").(*emuroute53.Service)
	if !ok {
		t.Fatal("the emulator has no route53 service")
	}
	svc.SetDelays(emuroute53.Delays{})
	conn := emu.Client(t).Route53(context.Background())
	zoneID, zoneName := privateHostedZone(t, conn)
	name := acctest.RandomName("tf-acc-rel")
	provider := emu.ProviderConfig()
	return []acctest.FaultPhase{
		{Name: "create", Step: resource.TestStep{
			Config:           relConfig(provider, zoneID, zoneName, name, 1),
			ConfigPlanChecks: emptyPlanAfterApply,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair(relRecord, "traffic_policy_version", relV1, "version"),
				resource.TestCheckResourceAttr(relRecord, "state", "Applied"),
				checkRecordUses(conn, relRecord, relV1),
				checkHealthCheck(conn, relSin, func(c *awstypes.HealthCheckConfig, tags map[string]string) error {
					if aws.ToInt32(c.FailureThreshold) != 3 || tags["stage"] != "1" {
						return fmt.Errorf("threshold %d, tags %v; want 3 and stage 1", aws.ToInt32(c.FailureThreshold), tags)
					}
					return nil
				}),
				checkComment(conn, relV1, "first"),
			),
		}},
		{Name: "update", Step: resource.TestStep{
			Config: relConfig(provider, zoneID, zoneName, name, 2),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(relRecord, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(relSin, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(relV1, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(relV3, plancheck.ResourceActionCreate),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair(relRecord, "traffic_policy_version", relV3, "version"),
				checkRecordUses(conn, relRecord, relV3),
				checkHealthCheck(conn, relSin, func(c *awstypes.HealthCheckConfig, tags map[string]string) error {
					if aws.ToInt32(c.FailureThreshold) != 5 || tags["stage"] != "2" {
						return fmt.Errorf("threshold %d, tags %v; want 5 and stage 2", aws.ToInt32(c.FailureThreshold), tags)
					}
					return nil
				}),
				checkComment(conn, relV1, "first, amended"),
			),
		}},
		{Name: "delete", Step: resource.TestStep{
			Config:  relConfig(provider, zoneID, zoneName, name, 2),
			Destroy: true,
		}},
	}
}

// trafficFlowScope is everything a lifecycle may create in its private
// emulator: all of Route 53 but the hosted zone fixture.
var trafficFlowScope = acctest.InventoryFilter{Service: "route53", Match: func(r core.Resource) bool { return r.Type != "hostedzone" }}

// trafficFlowOwns says which emulator objects a resource of the state stands
// for. Record sets are never owned: the configuration creates none (a policy
// record's records are the instance's).
func trafficFlowOwns(rs *terraform.ResourceState, obj core.Resource) bool {
	if rs.Primary == nil {
		return false
	}
	id := rs.Primary.ID
	switch rs.Type {
	case "regis_health_check":
		return obj.Type == "healthcheck" && obj.ID == "arn:aws:route53:::healthcheck/"+id
	case "regis_traffic_policy_version":
		return obj.Type == "trafficpolicy" && obj.ID == id
	case "regis_traffic_policy":
		return obj.Type == "trafficpolicy" && strings.HasPrefix(obj.ID, id+"/")
	case "regis_traffic_policy_record":
		return obj.Type == "trafficpolicyinstance" && obj.ID == id
	}
	return false
}

// ------------------------------------------------------------- API checks

// checkRecordUses checks through conn that the policy record uses the
// version of the version resource and is Applied.
func checkRecordUses(conn *route53.Client, record, version string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, record, "id")
		if err != nil {
			return err
		}
		policyID, _ := attr(s, version, "policy_id")
		v, _ := attr(s, version, "version")
		inst, err := trafficpolicy.FindTrafficPolicyInstanceByID(context.Background(), conn, id)
		if err != nil {
			return fmt.Errorf("policy record %s: %w", id, err)
		}
		if aws.ToString(inst.TrafficPolicyId) != policyID || fmt.Sprint(aws.ToInt32(inst.TrafficPolicyVersion)) != v || aws.ToString(inst.State) != "Applied" {
			return fmt.Errorf("policy record %s in Route 53 uses %s version %d (%s), want %s version %s, Applied",
				id, aws.ToString(inst.TrafficPolicyId), aws.ToInt32(inst.TrafficPolicyVersion), aws.ToString(inst.State), policyID, v)
		}
		return nil
	}
}

// checkHealthCheck reads a health check and its tags through conn.
func checkHealthCheck(conn *route53.Client, address string, check func(*awstypes.HealthCheckConfig, map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, address, "id")
		if err != nil {
			return err
		}
		ctx := context.Background()
		hc, err := trafficpolicy.FindHealthCheckByID(ctx, conn, id)
		if err != nil {
			return fmt.Errorf("health check %s: %w", id, err)
		}
		out, err := conn.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck})
		if err != nil {
			return err
		}
		tags := map[string]string{}
		for _, tag := range out.ResourceTagSet.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if err := check(hc.HealthCheckConfig, tags); err != nil {
			return fmt.Errorf("%s (%s) in Route 53: %w", address, id, err)
		}
		return nil
	}
}

// checkComment checks a version's comment through conn.
func checkComment(conn *route53.Client, address, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, address, "id")
		if err != nil {
			return err
		}
		policyID, version, err := splitVersionID(id)
		if err != nil {
			return err
		}
		tp, err := trafficpolicy.FindTrafficPolicyVersion(context.Background(), conn, policyID, version)
		if err != nil {
			return fmt.Errorf("version %s: %w", id, err)
		}
		if got := aws.ToString(tp.Comment); got != want {
			return fmt.Errorf("comment of %s in Route 53 = %q, want %q", id, got, want)
		}
		return nil
	}
}

// --------------------------------------------------------------- drift

// driftCase is one out-of-band change: change makes it through the API (as
// another tool or a person would), the plan must then show actions on the
// addresses, and after the apply heal must find the configured values in
// Route 53 again and the plan be empty.
type driftCase struct {
	name    string
	change  func() error
	actions map[string]plancheck.ResourceActionType
	heal    resource.TestCheckFunc
}

// driftSteps turns cases into test steps that follow a first step (which
// applies config and captures the ids the changes need), and counts them in
// the reliability numbers: a case healed when the next step starts, or when
// finish is called after resource.Test returned, without a failure.
func driftSteps(t *testing.T, config string, cases []driftCase) (steps []resource.TestStep, finish func()) {
	t.Helper()
	healed := make([]bool, len(cases))
	current := -1
	done := func() {
		if current >= 0 && !t.Failed() {
			healed[current] = true
		}
	}
	t.Cleanup(func() {
		for i, c := range cases {
			driftCount.Count(t.Name(), c.name, healed[i])
		}
	})
	for i, c := range cases {
		var pre []plancheck.PlanCheck
		for _, address := range sortedNames(c.actions) {
			pre = append(pre, plancheck.ExpectResourceAction(address, c.actions[address]))
		}
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				done()
				current = i
				if err := c.change(); err != nil {
					t.Fatalf("drift %q: changing out of band: %v", c.name, err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             append([]plancheck.PlanCheck{plancheck.ExpectNonEmptyPlan()}, pre...),
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: c.heal,
		})
	}
	return steps, done
}
