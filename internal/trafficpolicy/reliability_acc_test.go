package trafficpolicy_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

// skipWithoutAcc skips without TF_ACC before any emulator is started.
func skipWithoutAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
}

func trafficFlowSweep(kinds ...acctest.FaultKind) acctest.FaultSweep {
	return acctest.FaultSweep{
		Lifecycle: trafficFlowLifecycle,
		Calls:     acctest.CallsOf("route53"),
		Faults:    kinds,
		Scope:     trafficFlowScope,
		Owns:      trafficFlowOwns,
		Chain:     true,
	}
}

// Every Route 53 call the Traffic Flow resources make when they create,
// update and delete (health checks, versions, a policy record) fails in turn:
//
//   - InternalFailure at every call (max_retries = 1, so the SDK gives up on
//     that call) and AccessDenied at the first call of each action but the
//     plan-time GetHostedZone (a warning, see below): the
//     apply or destroy must fail with the action and the code in its error,
//     leave nothing the state does not track, and converge once the fault is
//     gone;
//   - LostResponse at every mutating call: Route 53 carries it out but the
//     answer is lost (502) and the SDK retries as usual; the phase may fail
//     or succeed, but must orphan nothing and converge.
//
// The cases are chained (FaultSweep.Chain): each run fails one call of the
// create, one of the update and one of the delete phase.
func TestAccTrafficFlow_faults(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	denied := acctest.ClientError(403, "AccessDenied")
	denied.FirstOnly = true
	// A denied plan-time look-up of the hosted zone is a warning by design
	// (TestAccTrafficPolicyRecord_zoneCheckedAtPlan): the phase goes on.
	denied.Only = func(k acctest.CallKey) bool { return k.Action != "GetHostedZone" }
	report := trafficFlowSweep(acctest.InternalFailure(), denied, acctest.LostResponse()).Run(t)
	reliability.RecordSweep(t, report, false, 0)
}

// Throttling on the first call of every action of every phase: the SDK's
// retryer (the provider's default max_retries) absorbs it and the lifecycle
// succeeds as without it.
func TestAccTrafficFlow_throttling(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	report := trafficFlowSweep(acctest.Throttling(3)).Run(t)
	reliability.RecordSweep(t, report, true, 0)
}

// ------------------------------------------------------------------ drift

// testAccHealthCheckDriftConfig is a health check with every argument the
// drift cases change set explicitly.
func testAccHealthCheckDriftConfig(name string) string {
	return testAccHealthCheckConfig(fmt.Sprintf(`
  type              = "HTTP"
  fqdn              = "app.example.com"
  port              = 8080
  resource_path     = "/health"
  failure_threshold = 3
  tags = {
    Name = %q
    team = "edge"
  }`, name))
}

// updateHealthCheckOutOfBand changes a health check through the API.
func updateHealthCheckOutOfBand(t *testing.T, id *string, change func(*route53.UpdateHealthCheckInput)) func() error {
	return func() error {
		in := &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(*id)}
		change(in)
		_, err := r53(t).UpdateHealthCheck(context.Background(), in)
		return err
	}
}

// Every setting of a health check changed out of band (port, path,
// threshold, disabled, inverted, domain name, regions, tags), and the health
// check deleted: each shows in the plan and the apply puts the configured
// values back in Route 53.
func TestAccHealthCheck_drift(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-hc-drift")
	config := testAccHealthCheckDriftConfig(name)
	var id string
	asConfigured := resource.ComposeAggregateTestCheckFunc(
		captureAttr(healthCheck, "id", &id),
		testAccCheckHealthCheckInRoute53(t, healthCheck, func(hc *awstypes.HealthCheck, tags map[string]string) error {
			c := hc.HealthCheckConfig
			if c.Type != awstypes.HealthCheckTypeHttp || aws.ToString(c.FullyQualifiedDomainName) != "app.example.com" ||
				aws.ToInt32(c.Port) != 8080 || aws.ToString(c.ResourcePath) != "/health" || aws.ToInt32(c.FailureThreshold) != 3 ||
				aws.ToBool(c.Disabled) || aws.ToBool(c.Inverted) || len(c.Regions) != 0 {
				return fmt.Errorf("not as configured: type %s, fqdn %s, port %d, path %s, threshold %d, disabled %t, inverted %t, regions %v",
					c.Type, aws.ToString(c.FullyQualifiedDomainName), aws.ToInt32(c.Port), aws.ToString(c.ResourcePath),
					aws.ToInt32(c.FailureThreshold), aws.ToBool(c.Disabled), aws.ToBool(c.Inverted), c.Regions)
			}
			if len(tags) != 2 || tags["Name"] != name || tags["team"] != "edge" {
				return fmt.Errorf("tags %v, want Name and team as configured", tags)
			}
			return nil
		}),
	)
	update := plancheck.ResourceActionUpdate
	cases := []driftCase{
		{name: "port", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) { in.Port = aws.Int32(9090) })},
		{name: "resource_path", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) { in.ResourcePath = aws.String("/other") })},
		{name: "failure_threshold", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) { in.FailureThreshold = aws.Int32(7) })},
		{name: "disabled", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) { in.Disabled = aws.Bool(true) })},
		{name: "inverted", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) { in.Inverted = aws.Bool(true) })},
		{name: "fqdn", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) {
			in.FullyQualifiedDomainName = aws.String("other.example.com")
		})},
		{name: "regions", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) {
			in.Regions = []awstypes.HealthCheckRegion{awstypes.HealthCheckRegionUsEast1, awstypes.HealthCheckRegionEuWest1, awstypes.HealthCheckRegionApSoutheast1}
		})},
		{name: "several at once", change: updateHealthCheckOutOfBand(t, &id, func(in *route53.UpdateHealthCheckInput) {
			in.Port, in.FailureThreshold, in.Disabled, in.Inverted = aws.Int32(81), aws.Int32(1), aws.Bool(true), aws.Bool(true)
		})},
		{name: "tags changed, added and removed", change: func() error {
			_, err := r53(t).ChangeTagsForResource(context.Background(), &route53.ChangeTagsForResourceInput{
				ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck,
				AddTags:       []awstypes.Tag{{Key: aws.String("Name"), Value: aws.String("renamed")}, {Key: aws.String("extra"), Value: aws.String("1")}},
				RemoveTagKeys: []string{"team"},
			})
			return err
		}},
		{name: "all tags removed", change: func() error {
			_, err := r53(t).ChangeTagsForResource(context.Background(), &route53.ChangeTagsForResourceInput{
				ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck, RemoveTagKeys: []string{"Name", "team"},
			})
			return err
		}},
		{name: "deleted", actions: map[string]plancheck.ResourceActionType{healthCheck: plancheck.ResourceActionCreate}, change: func() error {
			_, err := r53(t).DeleteHealthCheck(context.Background(), &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)})
			return err
		}},
	}
	for i := range cases {
		if cases[i].actions == nil {
			cases[i].actions = map[string]plancheck.ResourceActionType{healthCheck: update}
		}
		cases[i].heal = asConfigured
	}
	steps, finish := driftSteps(t, config, cases)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: append([]resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply,
			Check:            asConfigured,
		}}, steps...),
	})
	finish()
}

// testAccDriftFlowConfig is health checks, two versions (with
// create_before_destroy, as the documentation advises for versions a record
// uses) and the record on v2.
func testAccDriftFlowConfig(zoneID, zoneName, name string) string {
	cbd := "  lifecycle {\n    create_before_destroy = true\n  }"
	return acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
		testAccVersionConfig("v1", name, 100, 0, `  comment = "first"`, cbd),
		testAccVersionConfig("v2", name, 90, 10, `  comment = "second"`, cbd, "  depends_on = [regis_traffic_policy_version.v1]"),
		testAccRecordConfig(zoneID, zoneName, "v2"))
}

const v2 = "regis_traffic_policy_version.v2"

// checkRecordOn checks in Route 53 that the record uses the version of the
// version resource, with TTL 60, Applied.
func checkRecordOn(t *testing.T, version string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := checkRecordUses(r53(t), record, version)(s); err != nil {
			return err
		}
		id, _ := attr(s, record, "id")
		inst, err := trafficpolicy.FindTrafficPolicyInstanceByID(context.Background(), r53(t), id)
		if err != nil {
			return err
		}
		if ttl := aws.ToInt64(inst.TTL); ttl != 60 {
			return fmt.Errorf("policy record %s has TTL %d in Route 53, want 60", id, ttl)
		}
		return nil
	}
}

// Out-of-band changes to the versions: a comment changed (on the version the
// record uses and on another), and a version nobody uses deleted.
func TestAccTrafficPolicyVersion_drift(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-ver-drift")
	config := testAccDriftFlowConfig(zoneID, zoneName, name)
	var v1ID, v2ID string
	capture := resource.ComposeAggregateTestCheckFunc(captureAttr(v1, "id", &v1ID), captureAttr(v2, "id", &v2ID))
	comment := func(id *string, text string) func() error {
		return func() error {
			policyID, version, err := splitVersionID(*id)
			if err != nil {
				return err
			}
			_, err = r53(t).UpdateTrafficPolicyComment(context.Background(), &route53.UpdateTrafficPolicyCommentInput{
				Id: aws.String(policyID), Version: aws.Int32(version), Comment: aws.String(text),
			})
			return err
		}
	}
	var deletedID string
	cases := []driftCase{
		{
			name:    "comment of the version the record uses",
			change:  comment(&v2ID, "changed by hand"),
			actions: map[string]plancheck.ResourceActionType{v2: plancheck.ResourceActionUpdate},
			heal:    resource.ComposeAggregateTestCheckFunc(testAccCheckComment(t, v2, "second"), sameAttr(v2, "id", &v2ID)),
		},
		{
			name:    "comment of an unused version",
			change:  comment(&v1ID, ""),
			actions: map[string]plancheck.ResourceActionType{v1: plancheck.ResourceActionUpdate},
			heal:    resource.ComposeAggregateTestCheckFunc(testAccCheckComment(t, v1, "first"), sameAttr(v1, "id", &v1ID)),
		},
		{
			name: "unused version deleted",
			change: func() error {
				deletedID = v1ID
				policyID, version, err := splitVersionID(v1ID)
				if err != nil {
					return err
				}
				_, err = r53(t).DeleteTrafficPolicy(context.Background(), &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
				return err
			},
			actions: map[string]plancheck.ResourceActionType{v1: plancheck.ResourceActionCreate},
			heal: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					id, _ := attr(s, v1, "id")
					if id == deletedID {
						return fmt.Errorf("%s still has the id of the deleted version %s", v1, id)
					}
					return nil
				},
				testAccCheckVersionInRoute53(t, v1),
				checkDocumentJSON(v1, 100, 0),
				testAccCheckComment(t, v1, "first"),
				resource.TestCheckResourceAttrPair(v1, "policy_id", v2, "policy_id"),
				checkRecordOn(t, v2),
				capture,
			),
		},
	}
	steps, finish := driftSteps(t, config, cases)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: append([]resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply,
			Check:            resource.ComposeAggregateTestCheckFunc(capture, checkRecordOn(t, v2)),
		}}, steps...),
	})
	finish()
}

// Out-of-band changes to the policy record: moved to another version, its
// TTL changed, deleted; and a health check its documents reference deleted,
// which needs new versions (with the new health check's id) and the record
// moved to them.
func TestAccTrafficPolicyRecord_drift(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-rec-drift")
	config := testAccDriftFlowConfig(zoneID, zoneName, name)
	var recordID, v1ID, v2ID, sinID string
	capture := resource.ComposeAggregateTestCheckFunc(
		captureAttr(record, "id", &recordID), captureAttr(v1, "id", &v1ID), captureAttr(v2, "id", &v2ID),
		captureAttr("regis_health_check.sin", "id", &sinID),
	)
	update := func(policyVersion *string, ttl int64) func() error {
		return func() error {
			policyID, version, err := splitVersionID(*policyVersion)
			if err != nil {
				return err
			}
			ctx := context.Background()
			if _, err := r53(t).UpdateTrafficPolicyInstance(ctx, &route53.UpdateTrafficPolicyInstanceInput{
				Id: aws.String(recordID), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(version), TTL: aws.Int64(ttl),
			}); err != nil {
				return err
			}
			_, err = trafficpolicy.WaitTrafficPolicyInstanceApplied(ctx, r53(t), recordID, 2*time.Minute)
			return err
		}
	}
	var oldV1, oldV2 string
	cases := []driftCase{
		{
			name:    "record moved to another version",
			change:  update(&v1ID, 60),
			actions: map[string]plancheck.ResourceActionType{record: plancheck.ResourceActionUpdate},
			heal:    resource.ComposeAggregateTestCheckFunc(checkRecordOn(t, v2), sameAttr(record, "id", &recordID)),
		},
		{
			name:    "record TTL changed",
			change:  update(&v2ID, 300),
			actions: map[string]plancheck.ResourceActionType{record: plancheck.ResourceActionUpdate},
			heal:    resource.ComposeAggregateTestCheckFunc(checkRecordOn(t, v2), sameAttr(record, "id", &recordID)),
		},
		{
			name:    "record deleted",
			change:  func() error { return deleteInstanceOutOfBand(t, recordID) },
			actions: map[string]plancheck.ResourceActionType{record: plancheck.ResourceActionCreate},
			heal:    resource.ComposeAggregateTestCheckFunc(checkRecordOn(t, v2), capture),
		},
		{
			name: "health check referenced by the versions deleted",
			change: func() error {
				oldV1, oldV2 = v1ID, v2ID
				_, err := r53(t).DeleteHealthCheck(context.Background(), &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(sinID)})
				return err
			},
			actions: map[string]plancheck.ResourceActionType{
				"regis_health_check.sin": plancheck.ResourceActionCreate,
				v1:                       plancheck.ResourceActionCreateBeforeDestroy,
				v2:                       plancheck.ResourceActionCreateBeforeDestroy,
				record:                   plancheck.ResourceActionUpdate,
			},
			heal: resource.ComposeAggregateTestCheckFunc(
				checkRecordOn(t, v2),
				sameAttr(record, "id", &recordID),
				checkDocumentJSON(v1, 100, 0),
				checkDocumentJSON(v2, 90, 10),
				testAccCheckVersionInRoute53(t, v1),
				testAccCheckVersionInRoute53(t, v2),
				testAccCheckVersionGone(t, &oldV1),
				testAccCheckVersionGone(t, &oldV2),
				testAccCheckHealthCheckInRoute53(t, "regis_health_check.sin", func(hc *awstypes.HealthCheck, _ map[string]string) error {
					if aws.ToString(hc.HealthCheckConfig.IPAddress) != ipSingapore {
						return fmt.Errorf("new health check: %+v", hc.HealthCheckConfig)
					}
					return nil
				}),
			),
		},
	}
	steps, finish := driftSteps(t, config, cases)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: append([]resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply,
			Check:            resource.ComposeAggregateTestCheckFunc(capture, checkRecordOn(t, v2)),
		}}, steps...),
	})
	finish()
}

// -------------------------------------------------------------- bad input

// badInput is a configuration that must be rejected when planning, with an
// error whose phrases (in order) tell the user what to change.
type badInput struct {
	name    string
	config  string
	phrases []string
}

// testAccBadInputs plans each configuration alone and expects its error.
// On the emulator the provider talks to an emulator of the test's own, which
// must see no Route 53 call at all: rejected at plan means before any call.
func testAccBadInputs(t *testing.T, cases []badInput) {
	t.Helper()
	testAccBegin(t)
	provider := acctest.ProviderConfig()
	var emu *acctest.PrivateEmulator
	if acctest.OnEmulator() {
		emu = acctest.NewPrivateEmulator(t)
		provider = emu.ProviderConfig()
	}
	rejected := make([]bool, len(cases))
	current := -1
	done := func() {
		if current >= 0 && !t.Failed() {
			rejected[current] = true
		}
	}
	t.Cleanup(func() {
		for i, c := range cases {
			invalidCount.Count(t.Name(), c.name, rejected[i])
		}
	})
	var steps []resource.TestStep
	for i, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig:   func() { done(); current = i },
			Config:      acctest.ConfigCompose(provider, c.config),
			PlanOnly:    true,
			ExpectError: acctest.ErrorRegexp(c.phrases...),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
	if emu != nil {
		for _, c := range emu.Calls() {
			if c.Service == "route53" {
				t.Errorf("Route 53 was called (%s) although every configuration must be rejected at plan", c.Action)
			}
		}
	}
	done()
}

func healthCheckBody(body string) string {
	return "resource \"regis_health_check\" \"bad\" {\n" + body + "\n}\n"
}

// Invalid health checks, beyond TestAccHealthCheck_invalid.
func TestAccHealthCheck_badInput(t *testing.T) {
	testAccBadInputs(t, []badInput{
		{"search_string with TCP", healthCheckBody(`  type          = "TCP"
  ip_address    = "192.0.2.1"
  port          = 443
  search_string = "OK"`), []string{"Argument not used by TCP health checks", "search_string only applies to HTTP and HTTPS health checks; remove it or change type"}},
		{"port 0", healthCheckBody(`  type       = "HTTP"
  ip_address = "192.0.2.1"
  port       = 0`), []string{"port", "value must be between 1 and 65535"}},
		{"empty fqdn", healthCheckBody(`  type = "HTTPS"
  fqdn = ""`), []string{"fqdn", "string length must be between 1 and 255"}},
		{"empty search_string", healthCheckBody(`  type          = "HTTP"
  fqdn          = "app.example.com"
  search_string = ""`), []string{"search_string", "string length must be between 1 and 255"}},
		{"resource_path too long", healthCheckBody(`  type          = "HTTP"
  fqdn          = "app.example.com"
  resource_path = "/` + strings.Repeat("a", 300) + `"`), []string{"resource_path", "string length must be between 1 and 255"}},
		{"empty tag key", healthCheckBody(`  type       = "TCP"
  ip_address = "192.0.2.1"
  port       = 443
  tags = {
    "" = "x"
  }`), []string{"tags", "string length must be between 1 and 128"}},
		{"tag value too long", healthCheckBody(`  type       = "TCP"
  ip_address = "192.0.2.1"
  port       = 443
  tags = {
    Name = "` + strings.Repeat("v", 257) + `"
  }`), []string{"tags", "string length must be at most 256"}},
		{"more than 50 tags", healthCheckBody(`  type       = "TCP"
  ip_address = "192.0.2.1"
  port       = 443
  tags       = { for i in range(51) : "k${i}" => "v" }`), []string{"tags", "map must contain at most 50 elements"}},
		{"port above 65535", healthCheckBody(`  type       = "TCP"
  ip_address = "192.0.2.1"
  port       = 70000`), []string{"port", "value must be between 1 and 65535"}},
		{"private ip_address", healthCheckBody(`  type       = "TCP"
  ip_address = "10.0.0.5"
  port       = 443`), []string{"IP address Route 53 cannot check", "ip_address", "10.0.0.5 is in 10.0.0.0/8, a private range", "Give the endpoint's public address"}},
		{"loopback ip_address", healthCheckBody(`  type       = "HTTP"
  ip_address = "127.0.0.1"`), []string{"ip_address", "127.0.0.1 is in 127.0.0.0/8, the loopback range"}},
		{"link-local IPv6 ip_address", healthCheckBody(`  type       = "HTTPS"
  ip_address = "fe80::1"`), []string{"ip_address", "fe80::1 is in fe80::/10, the link-local range"}},
		{"shared address space ip_address", healthCheckBody(`  type       = "TCP"
  ip_address = "100.64.1.1"
  port       = 443`), []string{"ip_address", "100.64.1.1 is in 100.64.0.0/10, the shared address space"}},
	})
}

// Invalid policy records.
func TestAccTrafficPolicyRecord_badInput(t *testing.T) {
	rec := func(zone, name, ttl, policy, version string) string {
		return fmt.Sprintf(`resource "regis_traffic_policy_record" "bad" {
  hosted_zone_id         = %s
  name                   = %s
  ttl                    = %s
  traffic_policy_id      = %s
  traffic_policy_version = %s
}
`, zone, name, ttl, policy, version)
	}
	const zone, name, policy = `"Z0123456789ABCDEFGHIJ"`, `"www.example.com"`, `"12345678-abcd-4321-8765-0123456789ab"`
	testAccBadInputs(t, []badInput{
		{"negative ttl", rec(zone, name, "-1", policy, "1"), []string{"ttl", "value must be between 0 and 2147483647"}},
		{"version 0", rec(zone, name, "60", policy, "0"), []string{"traffic_policy_version", "value must be between 1 and 1000"}},
		{"version above 1000", rec(zone, name, "60", policy, "1001"), []string{"traffic_policy_version", "value must be between 1 and 1000"}},
		{"empty hosted_zone_id", rec(`""`, name, "60", policy, "1"), []string{"hosted_zone_id", "string length must be between 1 and 44"}},
		{"empty name", rec(zone, `""`, "60", policy, "1"), []string{"name", "string length must be between 1 and 1024"}},
		{"traffic_policy_id too long", rec(zone, name, "60", `"`+strings.Repeat("a", 37)+`"`, "1"), []string{"traffic_policy_id", "string length must be between 1 and 36"}},
	})
}

// versionBody is a version resource with the given arguments and blocks.
func versionBody(body string) string {
	return "resource \"regis_traffic_policy_version\" \"bad\" {\n  name = \"invalid\"\n" + body + "}\n"
}

// Invalid versions and documents, beyond
// TestAccTrafficPolicyVersion_invalidDocuments.
func TestAccTrafficPolicyVersion_badInput(t *testing.T) {
	ep := func(id, typ, value, extra string) string {
		return fmt.Sprintf("  endpoint {\n    id    = %q\n    type  = %q\n    value = %q\n%s  }\n", id, typ, value, extra)
	}
	ips := ep("a", "value", "192.0.2.1", "") + ep("b", "value", "192.0.2.2", "")
	weighted := func(items string) string {
		return "  rule {\n    id   = \"split\"\n    type = \"weighted\"\n" + items + "  }\n"
	}
	item := func(body string) string { return "    item {\n" + body + "    }\n" }
	both := item("      endpoint = \"a\"\n      weight   = 1\n") + item("      endpoint = \"b\"\n      weight   = 1\n")
	typed := func(recordType, start, body string) string {
		return versionBody(fmt.Sprintf("  record_type = %q\n%s%s", recordType, start, body))
	}
	startSplit := "  start_rule  = \"split\"\n"
	jsonDoc := func(doc string) string { return versionBody("  document = jsonencode(" + doc + ")\n") }
	testAccBadInputs(t, []badInput{
		{"no document at all", versionBody(""),
			[]string{"Missing traffic policy document", "record_type, start_rule (or start_endpoint) and endpoint and rule blocks", "or with document"}},
		{"start_rule missing", typed("A", "", ips+weighted(both)),
			[]string{"start_rule", "neither start_rule nor start_endpoint is set; set exactly one"}},
		{"start_rule and start_endpoint", typed("A", startSplit+"  start_endpoint = \"a\"\n", ips+weighted(both)),
			[]string{`both start_rule "split" and start_endpoint "a" are set; keep exactly one`}},
		{"start_rule not defined", typed("A", "  start_rule  = \"nope\"\n", ips+weighted(both)),
			[]string{`start_rule "nope" is not defined in rule blocks; define it or start from an existing rule`}},
		{"start_endpoint naming a rule", typed("A", "  start_endpoint = \"split\"\n", ips+weighted(both)),
			[]string{`start_endpoint "split" names a rule; use start_rule for rules`}},
		{"unsupported record_type", typed("SOA", startSplit, ips+weighted(both)),
			[]string{"record_type", `"SOA" is not supported by traffic policies; use one of`, "A, AAAA"}},
		{"unknown endpoint type", typed("A", startSplit, ep("a", "ec2-instance", "192.0.2.1", "")+ep("b", "value", "192.0.2.2", "")+weighted(both)),
			[]string{`endpoint "a"`, `"ec2-instance" is not an endpoint type; use one of`, "value"}},
		{"value not an IPv4 address for A", typed("A", startSplit, ep("a", "value", "app.example.com", "")+ep("b", "value", "192.0.2.2", "")+weighted(both)),
			[]string{`endpoint "a"`, `value "app.example.com" is not an IPv4 address; record_type A needs one such as 192.0.2.1`}},
		{"s3-website without region", typed("A", startSplit, ep("a", "s3-website", "bucket.s3-website-us-east-1.amazonaws.com", "")+ep("b", "value", "192.0.2.2", "")+weighted(both)),
			[]string{`endpoint "a"`, "region: missing; an s3-website endpoint needs the AWS region the bucket was created in"}},
		{"region on a value endpoint", typed("A", startSplit, ep("a", "value", "192.0.2.1", "    region = \"us-east-1\"\n")+ep("b", "value", "192.0.2.2", "")+weighted(both)),
			[]string{`endpoint "a"`, "region is only used by s3-website endpoints; remove it from this value endpoint"}},
		{"item with endpoint and rule", typed("A", startSplit, ips+weighted(item("      endpoint = \"a\"\n      rule     = \"split\"\n      weight   = 1\n")+item("      endpoint = \"b\"\n      weight   = 1\n"))),
			[]string{`rule "split"`, "item[0]", `both endpoint "a" and rule "split" are set; keep exactly one`}},
		{"item without target", typed("A", startSplit, ips+weighted(item("      weight = 1\n")+item("      endpoint = \"b\"\n      weight   = 1\n"))),
			[]string{`rule "split"`, "item[0]", "no target; set endpoint or rule"}},
		{"weighted item without weight", typed("A", startSplit, ips+weighted(item("      endpoint = \"a\"\n")+item("      endpoint = \"b\"\n      weight   = 1\n"))),
			[]string{`rule "split"`, "item[0].weight", "missing; give each item of a weighted rule a weight from 0 to 255"}},
		{"multivalue item with weight", typed("A", startSplit, ips+"  rule {\n    id   = \"split\"\n    type = \"multivalue\"\n"+item("      endpoint = \"a\"\n      weight   = 3\n")+"  }\n"),
			[]string{`rule "split"`, "item[0].weight", "multivalue items have no weight; remove it"}},
		{"latency rule without regions", typed("A", startSplit, ips+"  rule {\n    id   = \"split\"\n    type = \"latency\"\n  }\n"),
			[]string{`rule "split"`, "no regions; a latency rule needs at least one entry with a region"}},
		{"geo location with continent and country", typed("A", startSplit, ips+"  rule {\n    id   = \"split\"\n    type = \"geo\"\n    location {\n      continent = \"AS\"\n      country   = \"IN\"\n      endpoint  = \"a\"\n    }\n    location {\n      is_default = true\n      endpoint   = \"b\"\n    }\n  }\n"),
			[]string{`rule "split"`, "location[0]", "continent cannot be combined with country or subdivision"}},
		{"subdivision outside the US", typed("A", startSplit, ips+"  rule {\n    id   = \"split\"\n    type = \"geo\"\n    location {\n      country     = \"IN\"\n      subdivision = \"MH\"\n      endpoint    = \"a\"\n    }\n    location {\n      is_default = true\n      endpoint   = \"b\"\n    }\n  }\n"),
			[]string{`rule "split"`, "location[0].subdivision", `subdivisions are only supported for country "US"`}},
		{"geoproximity with region and coordinates", typed("A", startSplit, ips+"  rule {\n    id   = \"split\"\n    type = \"geoproximity\"\n    geoproximity_location {\n      region    = \"ap-south-1\"\n      latitude  = 19.07\n      longitude = 72.88\n      endpoint  = \"a\"\n    }\n    geoproximity_location {\n      region   = \"us-east-1\"\n      endpoint = \"b\"\n    }\n  }\n"),
			[]string{`rule "split"`, "geoproximity_location[0]", "both region and latitude/longitude are set"}},
		// Two identical blocks are one element of the set (Terraform keeps
		// one): a duplicate id is two blocks that differ.
		{"duplicate rule id", typed("A", startSplit, ips+weighted(both)+weighted(item("      endpoint = \"a\"\n      weight   = 2\n")+item("      endpoint = \"b\"\n      weight   = 1\n"))),
			[]string{`rule "split" is defined twice`, "give each rule block its own id"}},
		{"empty name", "resource \"regis_traffic_policy_version\" \"bad\" {\n  name     = \"\"\n  document = \"{}\"\n}\n",
			[]string{"name", "string length must be between 1 and 512"}},
		{"comment too long", typed("A", startSplit+"  comment     = \""+strings.Repeat("c", 1025)+"\"\n", ips+weighted(both)),
			[]string{"comment", "string length must be at most 1024"}},
		{"document not JSON", versionBody("  document = \"{\\\"AWSPolicyFormatVersion\\\": \"\n"),
			[]string{"Invalid traffic policy document", "document: the document is not valid JSON"}},
		{"document in format 2023-05-09 with a 2015-10-01 geoproximity entry", jsonDoc(`{
    AWSPolicyFormatVersion = "2023-05-09"
    RecordType             = "A"
    StartRule              = "near"
    Endpoints              = { a = { Type = "value", Value = "192.0.2.1" } }
    Rules = { near = { RuleType = "geoproximity", GeoproximityLocations = [{ EndpointReference = "a", Region = "aws:route53:us-east-1" }] } }
  }`), []string{"document", "in format 2023-05-09 an entry gives its place as Location"}},
	})
}

// Invalid documents for the document data source.
func TestAccTrafficPolicyDocumentDataSource_badInput(t *testing.T) {
	testAccBadInputs(t, []badInput{
		{"no endpoints", `data "regis_traffic_policy_document" "bad" {
  record_type    = "A"
  start_endpoint = "a"
}
`, []string{"no endpoints; define at least one endpoint for the policy to answer with"}},
		{"start_endpoint not defined", `data "regis_traffic_policy_document" "bad" {
  record_type    = "AAAA"
  start_endpoint = "b"
  endpoint {
    id    = "a"
    type  = "value"
    value = "2001:db8::1"
  }
}
`, []string{`start_endpoint "b" is not defined in endpoint blocks`}},
	})
}

// A policy record in a hosted zone that does not exist, or whose name is
// outside its zone, is refused when planning (GetHostedZone, a read-only
// call, as the AWS provider makes them), with an error on the argument at
// fault; Route 53 used to refuse it only at apply. A plan whose look-up is
// denied warns and goes on. Nothing is created by any of these plans.
func TestAccTrafficPolicyRecord_zoneCheckedAtPlan(t *testing.T) {
	testAccBegin(t)
	emu := acctest.NewPrivateEmulator(t)
	conn := emu.Client(t).Route53(context.Background())
	zoneID, zoneName := privateHostedZone(t, conn)
	emu.ResetCalls()
	rec := func(zone, name string) string {
		return acctest.ConfigCompose(emu.ProviderConfig(), fmt.Sprintf(`
resource "regis_traffic_policy_record" "test" {
  hosted_zone_id         = %q
  name                   = %q
  ttl                    = 60
  traffic_policy_id      = "12345678-abcd-4321-8765-0123456789ab"
  traffic_policy_version = 1
}
`, zone, name))
	}
	cases := []badInput{
		{"hosted zone that does not exist", rec("Z0000000000000000NONE", "www."+zoneName),
			[]string{"Hosted zone not found", "hosted_zone_id", "Route 53 has no hosted zone Z0000000000000000NONE", "NoSuchHostedZone", "not its name"}},
		{"hosted zone given by name", rec(zoneName, "www."+zoneName),
			[]string{"hosted_zone_id", "Route 53 has no hosted zone " + zoneName, "the id of an existing hosted zone"}},
		{"record name outside its zone", rec(zoneID, "www.example.org"),
			[]string{"Name outside its hosted zone", "name", `"www.example.org" is not in hosted zone ` + zoneName, "end with ." + zoneName, "Change name, or set hosted_zone_id"}},
		{"record name that only ends like its zone", rec("/hostedzone/"+zoneID, "www.not"+zoneName),
			[]string{"name", `"www.not` + zoneName + `" is not in hosted zone ` + zoneName}},
	}
	rejected := make([]bool, len(cases))
	t.Cleanup(func() {
		for i, c := range cases {
			invalidCount.Count(t.Name(), c.name, rejected[i])
		}
	})
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      c.config,
			PlanOnly:    true,
			ExpectError: acctest.ErrorRegexp(c.phrases...),
		})
	}
	// The zone's own name and names under it, in any case and with a
	// trailing dot, plan without error.
	for _, name := range []string{zoneName, "WWW." + strings.ToUpper(zoneName) + "."} {
		steps = append(steps, resource.TestStep{Config: rec(zoneID, name), PlanOnly: true, ExpectNonEmptyPlan: true})
	}
	// Planning credentials that may not read the zone: a warning, and the
	// plan goes on (the apply would make the same checks).
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			emu.InjectFault(emulator.Fault{Service: "route53", Action: "GetHostedZone", Times: 1000,
				Err: &core.APIError{Status: 403, Code: "AccessDenied", Message: "injected: not allowed to read hosted zones"}})
		},
		Config:             rec("Z0000000000000000NONE", "www.example.org"),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
	emu.ClearFaults()

	// resource.Test stops the test at the first step that fails.
	if !t.Failed() {
		for i := range rejected {
			rejected[i] = true
		}
	}
	denied := 0
	for _, c := range emu.Calls() {
		if c.Service != "route53" {
			continue
		}
		if c.Action != "GetHostedZone" {
			t.Errorf("planning called %s: only GetHostedZone is expected", c.Action)
		}
		if c.Fault == "AccessDenied" {
			denied++
		}
	}
	if denied == 0 {
		t.Error("the denied GetHostedZone was never called")
	}
	if objs := emu.Objects(trafficFlowScope); len(objs) > 0 {
		t.Errorf("planning created %v", objs)
	}
}

// Regression: Route 53's traffic policy creates have no idempotency token.
// When CreateTrafficPolicy, CreateTrafficPolicyVersion and
// CreateTrafficPolicyInstance are carried out but their answers lost, the
// SDK's retry used to create a second version (the first left outside the
// state) or fail with …AlreadyExists (the instance left outside the state,
// and every later apply failing the same way). Now the provider looks for
// what the call created before trying again: one apply, nothing orphaned.
func TestAccTrafficFlow_lostCreateResponseFaults(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	emu := acctest.NewPrivateEmulator(t)
	emu.ProviderArgs = []string{"max_retries = 3"}
	phases := trafficFlowLifecycle(t, emu)
	create := phases[0].Step
	sweep := trafficFlowSweep()
	var losses []int
	create.PreConfig = func() {
		for _, action := range []string{"CreateTrafficPolicy", "CreateTrafficPolicyVersion", "CreateTrafficPolicyInstance"} {
			losses = append(losses, emu.LoseResponses(acctest.CallKey{Region: "us-east-1", Service: "route53", Action: action, Occurrence: 1}, 1))
		}
	}
	create.Check = resource.ComposeAggregateTestCheckFunc(
		create.Check,
		resource.TestCheckResourceAttr(relV1, "version", "1"),
		resource.TestCheckResourceAttr(relV2, "version", "2"),
		func(s *terraform.State) error {
			for i, id := range losses {
				if n := emu.LostResponses(id); n != 1 {
					return fmt.Errorf("loss %d dropped %d responses, want 1", i, n)
				}
			}
			if orphans := sweep.Orphans(emu.Inventory(), s); len(orphans) > 0 {
				return fmt.Errorf("objects outside the state: %v", orphans)
			}
			return nil
		},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             emu.CheckInventoryEmpty(trafficFlowScope),
		Steps:                    []resource.TestStep{create},
	})
}
