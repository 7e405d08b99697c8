package trafficpolicy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
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

// EnvReliabilityOut names a directory where the reliability tests write
// their numbers as JSON (reliability-<test>.json, and reliability-summary.json
// when the test binary ends).
const EnvReliabilityOut = "REGIS_RELIABILITY_OUT"

// reliabilityNumbers collects what the reliability tests measured, for the
// summary TestMain prints at the end of the test binary.
var reliabilityNumbers = struct {
	sync.Mutex
	// Faults and Throttling are the sweeps' numbers, by test name.
	Faults     map[string]acctest.FaultStats `json:"faults,omitempty"`
	Throttling map[string]acctest.FaultStats `json:"throttling,omitempty"`
	// Drift, Invalid (rejected at plan) and InvalidAtApply are counters by
	// test name.
	Drift          map[string]*caseCount `json:"drift,omitempty"`
	Invalid        map[string]*caseCount `json:"invalid_configs,omitempty"`
	InvalidAtApply map[string]*caseCount `json:"invalid_configs_at_apply,omitempty"`
	// Calls are the calls of each phase of the lifecycle the sweeps fail.
	Calls []acctest.PhaseCalls `json:"calls,omitempty"`
}{
	Faults: map[string]acctest.FaultStats{}, Throttling: map[string]acctest.FaultStats{},
	Drift: map[string]*caseCount{}, Invalid: map[string]*caseCount{}, InvalidAtApply: map[string]*caseCount{},
}

// caseCount counts the cases of a test and those that did what they must
// (healed, rejected).
type caseCount struct {
	Tried     int      `json:"tried"`
	Succeeded int      `json:"succeeded"`
	Names     []string `json:"succeeded_cases,omitempty"`
	Failed    []string `json:"failed_cases,omitempty"`
}

func countCase(m map[string]*caseCount, test, name string, ok bool) {
	reliabilityNumbers.Lock()
	defer reliabilityNumbers.Unlock()
	c := m[test]
	if c == nil {
		c = &caseCount{}
		m[test] = c
	}
	c.Tried++
	if ok {
		c.Succeeded++
		c.Names = append(c.Names, name)
	} else {
		c.Failed = append(c.Failed, name)
	}
}

// writeReliabilityJSON writes v to $REGIS_RELIABILITY_OUT/name, if set.
func writeReliabilityJSON(t testing.TB, name string, v any) {
	dir := os.Getenv(EnvReliabilityOut)
	if dir == "" {
		return
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), append(out, '\n'), 0o644)
	}
	if err != nil && t != nil {
		t.Errorf("writing %s: %v", name, err)
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "writing %s: %v\n", name, err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	reliabilityNumbers.Lock()
	n := len(reliabilityNumbers.Faults) + len(reliabilityNumbers.Throttling) + len(reliabilityNumbers.Drift) +
		len(reliabilityNumbers.Invalid) + len(reliabilityNumbers.InvalidAtApply)
	if n > 0 {
		var b strings.Builder
		b.WriteString("\n=== Traffic Flow reliability summary\n")
		for _, kind := range []struct {
			name string
			m    map[string]acctest.FaultStats
		}{{"faults", reliabilityNumbers.Faults}, {"throttling", reliabilityNumbers.Throttling}} {
			for _, test := range sortedNames(kind.m) {
				fmt.Fprintf(&b, "%s %s: %s\n", kind.name, test, kind.m[test])
			}
		}
		for _, kind := range []struct {
			name, verb string
			m          map[string]*caseCount
		}{
			{"drift", "healed", reliabilityNumbers.Drift},
			{"invalid configs", "rejected at plan", reliabilityNumbers.Invalid},
			{"invalid configs", "rejected at apply, nothing left", reliabilityNumbers.InvalidAtApply},
		} {
			for _, test := range sortedNames(kind.m) {
				c := kind.m[test]
				fmt.Fprintf(&b, "%s %s: %d tried, %d %s\n", kind.name, test, c.Tried, c.Succeeded, kind.verb)
			}
		}
		fmt.Print(b.String())
		writeReliabilityJSON(nil, "reliability-summary.json", &reliabilityNumbers)
	}
	reliabilityNumbers.Unlock()
	os.Exit(code)
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

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
			countCase(reliabilityNumbers.Drift, t.Name(), c.name, healed[i])
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
