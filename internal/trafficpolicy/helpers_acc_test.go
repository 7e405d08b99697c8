package trafficpolicy_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	emuroute53 "github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

// Addresses of the test policies' value endpoints: the single-region
// deployment that served everyone before the rollout, and the two regions of
// the latency rule.
const (
	ipSingle    = "192.0.2.10"
	ipSingapore = "192.0.2.1"
	ipMumbai    = "192.0.2.2"
)

// emptyPlanAfterApply is the plan check every apply step ends with.
var emptyPlanAfterApply = resource.ConfigPlanChecks{
	PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
}

// actionThenEmpty expects action on address before the apply and an empty
// plan after it.
func actionThenEmpty(address string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, action)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
}

// testAccBegin skips without TF_ACC (before any fixture is created) and runs
// the PreCheck. On the emulator it raises the account quotas: AWS's default of
// five policy records is too few for the package's parallel tests.
func testAccBegin(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
	t.Parallel()
	acctest.PreCheck(t)
	if acctest.OnEmulator() {
		l := emuroute53.DefaultLimits()
		l.TrafficPolicyInstances, l.TrafficPolicies, l.HealthChecks = 200, 200, 1000
		route53Emulator(t).SetLimits(l)
	}
}

// route53Emulator is the in-process emulator's Route 53 (skips elsewhere).
func route53Emulator(t *testing.T) *emuroute53.Service {
	t.Helper()
	svc, ok := acctest.Emulator(t).Service("route53").(*emuroute53.Service)
	if !ok {
		t.Fatal("the emulator has no route53 service")
	}
	return svc
}

func r53(t *testing.T) *route53.Client {
	t.Helper()
	return acctest.Client(t).Route53(context.Background())
}

// testAccHostedZone creates a public hosted zone named "<random>.example.com"
// through the API for the test and deletes it when the test ends. It returns
// the zone id and name (without trailing dot).
func testAccHostedZone(t *testing.T) (id, name string) {
	t.Helper()
	ctx := context.Background()
	conn := r53(t)
	name = acctest.RandomName("tf-acc") + ".example.com"
	out, err := conn.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
		Name:            aws.String(name),
		CallerReference: aws.String(name),
	})
	if err != nil {
		t.Fatalf("creating hosted zone %s: %v", name, err)
	}
	id = strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	t.Cleanup(func() {
		// Delete what a failed test left behind, then the zone.
		deleteTestInstances(t, conn, id)
		if _, err := conn.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)}); err != nil {
			t.Errorf("deleting hosted zone %s: %v", name, err)
		}
	})
	return id, name
}

func deleteTestInstances(t *testing.T, conn *route53.Client, zoneID string) {
	ctx := context.Background()
	out, err := conn.ListTrafficPolicyInstancesByHostedZone(ctx, &route53.ListTrafficPolicyInstancesByHostedZoneInput{HostedZoneId: aws.String(zoneID)})
	if err != nil {
		return
	}
	for _, in := range out.TrafficPolicyInstances {
		if _, err := conn.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: in.Id}); err == nil {
			_, _ = trafficpolicy.WaitTrafficPolicyInstanceGone(ctx, conn, aws.ToString(in.Id), time.Minute)
		}
	}
}

// testAccCheckDestroy checks through the API that no version, policy record
// or health check of the state remains, and on the emulator that nothing is
// left of them or in the zone (zoneID may be empty).
func testAccCheckDestroy(t *testing.T, zoneID string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		conn := r53(t)
		var ids []string
		for _, rs := range s.RootModule().Resources {
			id := rs.Primary.ID
			switch rs.Type {
			case "regis_traffic_policy_version":
				policyID, version, err := splitVersionID(id)
				if err != nil {
					return err
				}
				_, err = trafficpolicy.FindTrafficPolicyVersion(ctx, conn, policyID, version)
				if err == nil {
					return fmt.Errorf("traffic policy version %s still exists", id)
				}
				if !trafficpolicy.IsNotFound(err) {
					return err
				}
				ids = append(ids, policyID+"/")
			case "regis_traffic_policy":
				found, err := trafficpolicy.ListTrafficPolicyVersions(ctx, conn, id)
				if err == nil {
					return fmt.Errorf("traffic policy %s still has %d versions", id, len(found))
				}
				if !trafficpolicy.IsNotFound(err) {
					return err
				}
				ids = append(ids, id+"/")
			case "regis_traffic_policy_record":
				_, err := trafficpolicy.FindTrafficPolicyInstanceByID(ctx, conn, id)
				if err == nil {
					return fmt.Errorf("policy record %s still exists", id)
				}
				if !trafficpolicy.IsNotFound(err) {
					return err
				}
				ids = append(ids, id)
			case "regis_health_check":
				_, err := trafficpolicy.FindHealthCheckByID(ctx, conn, id)
				if err == nil {
					return fmt.Errorf("health check %s still exists", id)
				}
				if !trafficpolicy.IsNotFound(err) {
					return err
				}
				ids = append(ids, "healthcheck/"+id)
			}
		}
		return acctest.CheckInventoryEmpty(acctest.InventoryFilter{Service: "route53", Match: func(r core.Resource) bool {
			if zoneID != "" && r.Type == "recordset" && strings.HasPrefix(r.ID, zoneID+"/") {
				return true
			}
			for _, id := range ids {
				if strings.Contains(r.ID, id) {
					return true
				}
			}
			return false
		}})(s)
	}
}

func splitVersionID(id string) (string, int32, error) {
	policyID, v, ok := strings.Cut(id, "/")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		return "", 0, fmt.Errorf("bad version id %q", id)
	}
	return policyID, int32(n), nil
}

// attr reads an attribute of a resource in the state.
func attr(s *terraform.State, address, name string) (string, error) {
	rs, ok := s.RootModule().Resources[address]
	if !ok {
		return "", fmt.Errorf("%s not in state", address)
	}
	v, ok := rs.Primary.Attributes[name]
	if !ok {
		return "", fmt.Errorf("%s has no attribute %s", address, name)
	}
	return v, nil
}

// captureAttr stores an attribute of the state in *dst.
func captureAttr(address, name string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		v, err := attr(s, address, name)
		*dst = v
		return err
	}
}

// sameAttr checks the attribute still has the value captured earlier (the
// same object was updated, not replaced).
func sameAttr(address, name string, want *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		v, err := attr(s, address, name)
		if err != nil {
			return err
		}
		if v != *want {
			return fmt.Errorf("%s.%s = %q, want %q (unchanged)", address, name, v, *want)
		}
		return nil
	}
}

// ------------------------------------------------------------ configuration

// testAccHealthChecksConfig is a health check per region of the latency rule.
func testAccHealthChecksConfig(name string) string {
	return fmt.Sprintf(`
resource "regis_health_check" "sin" {
  type       = "TCP"
  ip_address = %[2]q
  port       = 443
  tags = {
    Name = "%[1]s-ap-southeast-1"
  }
}

resource "regis_health_check" "bom" {
  type       = "TCP"
  ip_address = %[3]q
  port       = 443
  tags = {
    Name = "%[1]s-ap-south-1"
  }
}
`, name, ipSingapore, ipMumbai)
}

// testAccVersionConfig is one rollout step of the test policy: weights for
// the single-region endpoint and the latency rule. extra goes inside the
// resource block (depends_on, lifecycle, comment, retain_on_delete).
func testAccVersionConfig(label, name string, single, latency int, extra ...string) string {
	return fmt.Sprintf(`
resource "regis_traffic_policy_version" %q {
  name = %q
%s
%s}
`, label, name, strings.Join(extra, "\n"), testAccDocumentBlocks(single, latency))
}

// testAccDocumentBlocks is the typed document of the test policy, shared by
// the version resource and the document data source: a weighted rule between
// the single-region endpoint (guarded by Singapore's health check) and a
// latency rule across Singapore and Mumbai.
func testAccDocumentBlocks(single, latency int) string {
	return fmt.Sprintf(`  record_type = "A"
  start_rule  = "split"

  endpoint {
    id    = "ap-south-1"
    type  = "value"
    value = %[4]q
  }
  endpoint {
    id    = "ap-southeast-1"
    type  = "value"
    value = %[3]q
  }
  endpoint {
    id    = "single"
    type  = "value"
    value = %[5]q
  }

  rule {
    id   = "latency"
    type = "latency"
    region {
      region       = "ap-southeast-1"
      endpoint     = "ap-southeast-1"
      health_check = regis_health_check.sin.id
    }
    region {
      region       = "ap-south-1"
      endpoint     = "ap-south-1"
      health_check = regis_health_check.bom.id
    }
  }

  rule {
    id   = "split"
    type = "weighted"
    item {
      endpoint     = "single"
      weight       = %[1]d
      health_check = regis_health_check.sin.id
    }
    item {
      rule                   = "latency"
      weight                 = %[2]d
      evaluate_target_health = true
    }
  }
`, single, latency, ipSingapore, ipMumbai, ipSingle)
}

// testDocument is the document testAccVersionConfig describes, for
// comparisons with trafficflow.
func testDocument(single, latency int, hcSin, hcBom string) *trafficflow.Document {
	return &trafficflow.Document{
		FormatVersion: trafficflow.FormatVersion,
		RecordType:    trafficflow.RecordTypeA,
		StartRule:     "split",
		Endpoints: map[string]trafficflow.Endpoint{
			"ap-south-1":     {Type: trafficflow.EndpointValue, Value: ipMumbai},
			"ap-southeast-1": {Type: trafficflow.EndpointValue, Value: ipSingapore},
			"single":         {Type: trafficflow.EndpointValue, Value: ipSingle},
		},
		Rules: map[string]trafficflow.Rule{
			"latency": {RuleType: trafficflow.RuleLatency, Regions: []trafficflow.LatencyRegion{
				{Reference: trafficflow.Reference{EndpointReference: "ap-southeast-1", HealthCheck: hcSin}, Region: "ap-southeast-1"},
				{Reference: trafficflow.Reference{EndpointReference: "ap-south-1", HealthCheck: hcBom}, Region: "ap-south-1"},
			}},
			"split": {RuleType: trafficflow.RuleWeighted, Items: []trafficflow.Item{
				{Reference: trafficflow.Reference{EndpointReference: "single", HealthCheck: hcSin}, Weight: trafficflow.Int(single)},
				{Reference: trafficflow.Reference{RuleReference: "latency", EvaluateTargetHealth: trafficflow.Bool(true)}, Weight: trafficflow.Int(latency)},
			}},
		},
	}
}

// checkDocumentJSON compares document_json with trafficflow's rendering of
// testDocument, with the health check ids from the state.
func checkDocumentJSON(address string, single, latency int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		sin, err := attr(s, "regis_health_check.sin", "id")
		if err != nil {
			return err
		}
		bom, err := attr(s, "regis_health_check.bom", "id")
		if err != nil {
			return err
		}
		want, err := trafficflow.Render(testDocument(single, latency, sin, bom))
		if err != nil {
			return err
		}
		got, err := attr(s, address, "document_json")
		if err != nil {
			return err
		}
		if got != string(want) {
			return fmt.Errorf("%s.document_json =\n%s\nwant\n%s", address, got, want)
		}
		return nil
	}
}

// testAccRecordConfig is the policy record of the zone, on the version
// resource named version.
func testAccRecordConfig(zoneID, zoneName, version string) string {
	return fmt.Sprintf(`
resource "regis_traffic_policy_record" "test" {
  hosted_zone_id         = %[1]q
  name                   = "www.%[2]s"
  ttl                    = 60
  traffic_policy_id      = regis_traffic_policy_version.%[3]s.policy_id
  traffic_policy_version = regis_traffic_policy_version.%[3]s.version
}
`, zoneID, zoneName, version)
}

// createInstanceOutOfBand creates a policy record through the API (as
// another tool would) and waits until it is Applied.
func createInstanceOutOfBand(t *testing.T, zoneID, name, policyID string, version int32) string {
	t.Helper()
	ctx := context.Background()
	conn := r53(t)
	out, err := conn.CreateTrafficPolicyInstance(ctx, &route53.CreateTrafficPolicyInstanceInput{
		HostedZoneId:         aws.String(zoneID),
		Name:                 aws.String(name),
		TTL:                  aws.Int64(60),
		TrafficPolicyId:      aws.String(policyID),
		TrafficPolicyVersion: aws.Int32(version),
	})
	if err != nil {
		t.Fatalf("creating policy record %s: %v", name, err)
	}
	id := aws.ToString(out.TrafficPolicyInstance.Id)
	if _, err := trafficpolicy.WaitTrafficPolicyInstanceApplied(ctx, conn, id, 2*time.Minute); err != nil {
		t.Fatalf("waiting for policy record %s: %v", id, err)
	}
	return id
}

// deleteInstanceOutOfBand deletes a policy record through the API and waits
// until it is gone.
func deleteInstanceOutOfBand(t *testing.T, id string) error {
	ctx := context.Background()
	conn := r53(t)
	if _, err := conn.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: aws.String(id)}); err != nil {
		return fmt.Errorf("deleting policy record %s: %w", id, err)
	}
	if _, err := trafficpolicy.WaitTrafficPolicyInstanceGone(ctx, conn, id, 2*time.Minute); err != nil {
		return fmt.Errorf("waiting for policy record %s to go: %w", id, err)
	}
	return nil
}
