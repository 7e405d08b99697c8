package trafficpolicy_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

const v1 = "regis_traffic_policy_version.v1"

func TestAccTrafficPolicyVersion_basic(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
					testAccVersionConfig("v1", name, 100, 0, `  comment = "100 % single region"`)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "name", name),
					resource.TestCheckResourceAttr(v1, "version", "1"),
					resource.TestCheckResourceAttr(v1, "record_type", "A"),
					resource.TestCheckResourceAttr(v1, "comment", "100 % single region"),
					resource.TestCheckResourceAttr(v1, "retain_on_delete", "false"),
					resource.TestMatchResourceAttr(v1, "policy_id", regexp.MustCompile(`^\S+$`)),
					checkVersionID(v1),
					checkDocumentJSON(v1, 100, 0),
					testAccCheckVersionInRoute53(t, v1),
				),
			},
			{
				ResourceName:      v1,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// checkVersionID checks id is "<policy_id>/<version>".
func checkVersionID(address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, _ := attr(s, address, "id")
		pid, _ := attr(s, address, "policy_id")
		v, _ := attr(s, address, "version")
		if id != pid+"/"+v {
			return fmt.Errorf("%s id = %q, want %q", address, id, pid+"/"+v)
		}
		return nil
	}
}

// testAccCheckVersionInRoute53 compares the version in Route 53 with the state.
func testAccCheckVersionInRoute53(t *testing.T, address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, address, "id")
		if err != nil {
			return err
		}
		policyID, version, err := splitVersionID(id)
		if err != nil {
			return err
		}
		tp, err := trafficpolicy.FindTrafficPolicyVersion(context.Background(), r53(t), policyID, version)
		if err != nil {
			return fmt.Errorf("version %s in Route 53: %w", id, err)
		}
		want, _ := attr(s, address, "document_json")
		got, err := trafficflow.Normalize([]byte(aws.ToString(tp.Document)))
		if err != nil {
			return err
		}
		if string(got) != want {
			return fmt.Errorf("Route 53 holds document %s, state says %s", got, want)
		}
		return nil
	}
}

// A changed document is a new version of the same policy: with
// create_before_destroy the new version is created first, so the policy (and
// its id) survives, and only the old version is deleted. The comment changes
// in place.
func TestAccTrafficPolicyVersion_update(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	var policyID, firstID string
	lifecycle := "  lifecycle {\n    create_before_destroy = true\n  }"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0, lifecycle, `  comment = "first"`)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "version", "1"),
					captureAttr(v1, "policy_id", &policyID),
					captureAttr(v1, "id", &firstID),
				),
			},
			{
				// Comment only: in place, same version.
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0, lifecycle, `  comment = "second"`)),
				ConfigPlanChecks: actionThenEmpty(v1, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "comment", "second"),
					sameAttr(v1, "id", &firstID),
					testAccCheckComment(t, v1, "second"),
				),
			},
			{
				// Document: a new version of the same policy.
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 90, 10, lifecycle, `  comment = "second"`)),
				ConfigPlanChecks: actionThenEmpty(v1, plancheck.ResourceActionCreateBeforeDestroy),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "version", "2"),
					sameAttr(v1, "policy_id", &policyID),
					checkDocumentJSON(v1, 90, 10),
					testAccCheckVersionGone(t, &firstID),
				),
			},
		},
	})
}

func testAccCheckComment(t *testing.T, address, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, _ := attr(s, address, "id")
		policyID, version, err := splitVersionID(id)
		if err != nil {
			return err
		}
		tp, err := trafficpolicy.FindTrafficPolicyVersion(context.Background(), r53(t), policyID, version)
		if err != nil {
			return err
		}
		if got := aws.ToString(tp.Comment); got != want {
			return fmt.Errorf("comment in Route 53 = %q, want %q", got, want)
		}
		return nil
	}
}

func testAccCheckVersionGone(t *testing.T, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		policyID, version, err := splitVersionID(*id)
		if err != nil {
			return err
		}
		_, err = trafficpolicy.FindTrafficPolicyVersion(context.Background(), r53(t), policyID, version)
		if err == nil {
			return fmt.Errorf("version %s still exists", *id)
		}
		if !trafficpolicy.IsNotFound(err) {
			return err
		}
		return nil
	}
}

// Versions of one new policy created in parallel (no ordering between
// them): one creates the policy, the others add versions to it.
func TestAccTrafficPolicyVersion_parallel(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
				testAccVersionConfig("a", name, 100, 0), testAccVersionConfig("b", name, 90, 10), testAccVersionConfig("c", name, 0, 100)),
			ConfigPlanChecks: emptyPlanAfterApply,
			Check: func(s *terraform.State) error {
				seen := map[string]bool{}
				var policy string
				for _, l := range []string{"a", "b", "c"} {
					address := "regis_traffic_policy_version." + l
					v, _ := attr(s, address, "version")
					p, _ := attr(s, address, "policy_id")
					if policy == "" {
						policy = p
					}
					if p != policy {
						return fmt.Errorf("%s is in policy %s, the others in %s", address, p, policy)
					}
					seen[v] = true
				}
				if !seen["1"] || !seen["2"] || !seen["3"] {
					return fmt.Errorf("versions %v, want 1, 2 and 3", seen)
				}
				return nil
			},
		}},
	})
}

// The document alternative: JSON as in aws_route53_traffic_policy. Moving the
// same document to typed blocks is an in-place update of the state only.
func TestAccTrafficPolicyVersion_document(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	var id string
	jsonConfig := fmt.Sprintf(`
resource "regis_traffic_policy_version" "v1" {
  name = %[1]q
  document = jsonencode({
    AWSPolicyFormatVersion = "2015-10-01"
    RecordType             = "A"
    StartRule              = "split"
    Endpoints = {
      "single"         = { Type = "value", Value = %[2]q }
      "ap-southeast-1" = { Type = "value", Value = %[3]q }
      "ap-south-1"     = { Type = "value", Value = %[4]q }
    }
    Rules = {
      split = {
        RuleType = "weighted"
        Items = [
          { EndpointReference = "single", Weight = 100, HealthCheck = regis_health_check.sin.id },
          { RuleReference = "latency", Weight = "0", EvaluateTargetHealth = true },
        ]
      }
      latency = {
        RuleType = "latency"
        Regions = [
          { Region = "ap-southeast-1", EndpointReference = "ap-southeast-1", HealthCheck = regis_health_check.sin.id },
          { Region = "ap-south-1", EndpointReference = "ap-south-1", HealthCheck = regis_health_check.bom.id },
        ]
      }
    }
  })
}
`, name, ipSingle, ipSingapore, ipMumbai)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), jsonConfig),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "record_type", "A"),
					resource.TestCheckResourceAttr(v1, "version", "1"),
					resource.TestCheckResourceAttr(v1, "rule.#", "0"),
					checkDocumentJSON(v1, 100, 0),
					captureAttr(v1, "id", &id),
				),
			},
			{
				// Imported, the document comes back as typed blocks.
				ResourceName:            v1,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"document", "endpoint", "rule", "start_rule"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d states imported", len(states))
					}
					a := states[0].Attributes
					weight100 := false
					for k, v := range a {
						weight100 = weight100 || (strings.HasPrefix(k, "rule.") && strings.HasSuffix(k, ".item.0.weight") && v == "100")
					}
					if a["rule.#"] != "2" || a["endpoint.#"] != "3" || a["start_rule"] != "split" || !weight100 {
						return fmt.Errorf("imported typed document not as expected: %v", a)
					}
					return nil
				},
			},
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0)),
				ConfigPlanChecks: actionThenEmpty(v1, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					sameAttr(v1, "id", &id),
					checkDocumentJSON(v1, 100, 0),
				),
			},
		},
	})
}

// TestAccTrafficPolicyVersion_format2023: a document in AWSPolicyFormatVersion
// 2023-05-09 (geoproximity entries with a Location: a region, a Local Zone,
// coordinates) is accepted, as Route 53 accepts it, and an import keeps it in
// document since the typed blocks describe 2015-10-01 documents.
func TestAccTrafficPolicyVersion_format2023(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	config := fmt.Sprintf(`
resource "regis_traffic_policy_version" "v1" {
  name = %[1]q
  document = jsonencode({
    AWSPolicyFormatVersion = "2023-05-09"
    RecordType             = "A"
    StartRule              = "near"
    Endpoints = {
      mumbai  = { Type = "value", Value = "192.0.2.1" }
      atlanta = { Type = "value", Value = "192.0.2.2" }
      london  = { Type = "value", Value = "192.0.2.3" }
    }
    Rules = {
      near = {
        RuleType = "geoproximity"
        GeoproximityLocations = [
          { EndpointReference = "mumbai", Location = { Type = "Region", LocationName = "aws:route53:ap-south-1" }, Bias = 10 },
          { EndpointReference = "atlanta", Location = { Type = "LocalZone", LocationName = "aws:route53:us-east-1-atl-1a" } },
          { EndpointReference = "london", Location = { Type = "Coordinate", Latitude = "51.50", Longitude = "-0.16" } },
        ]
      }
    }
  })
}
`, name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), config),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(v1, "version", "1"),
					resource.TestCheckResourceAttr(v1, "record_type", "A"),
					resource.TestMatchResourceAttr(v1, "document_json", regexp.MustCompile(`"AWSPolicyFormatVersion":"2023-05-09".*"Location":\{"Type":"LocalZone","LocationName":"aws:route53:us-east-1-atl-1a"\}`)),
				),
			},
			{
				ResourceName:            v1,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"document"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					a := states[0].Attributes
					if !strings.Contains(a["document"], `"2023-05-09"`) || a["rule.#"] != "0" {
						return fmt.Errorf("an imported 2023-05-09 version should stay in document: %v", a)
					}
					return nil
				},
			},
		},
	})
}

func TestAccTrafficPolicyVersion_disappears(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-policy")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 100, 0)),
			Check: func(s *terraform.State) error {
				id, err := attr(s, v1, "id")
				if err != nil {
					return err
				}
				policyID, version, err := splitVersionID(id)
				if err != nil {
					return err
				}
				_, err = r53(t).DeleteTrafficPolicy(context.Background(), &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
				return err
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// Destroying a version a policy record uses fails with an error that names
// the record; with retain_on_delete the version is left in Route 53.
func TestAccTrafficPolicyVersion_inUse(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-policy")
	recordName := "api." + zoneName
	var instanceID, versionID string
	hcs := testAccHealthChecksConfig(name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), hcs, testAccVersionConfig("v1", name, 100, 0)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: func(s *terraform.State) error {
					// A policy record Terraform does not manage uses v1.
					versionID, _ = attr(s, v1, "id")
					policyID, version, err := splitVersionID(versionID)
					if err != nil {
						return err
					}
					instanceID = createInstanceOutOfBand(t, zoneID, recordName, policyID, version)
					return nil
				},
			},
			{
				Config:      acctest.ConfigCompose(acctest.ProviderConfig(), hcs),
				ExpectError: acctest.ErrorRegexp("Traffic policy version in use", "policy records use it", recordName, "retain_on_delete = true"),
			},
			{
				Config:           acctest.ConfigCompose(acctest.ProviderConfig(), hcs, testAccVersionConfig("v1", name, 100, 0, "  retain_on_delete = true")),
				ConfigPlanChecks: actionThenEmpty(v1, plancheck.ResourceActionUpdate),
				Check:            resource.TestCheckResourceAttr(v1, "retain_on_delete", "true"),
			},
			{
				Config: acctest.ConfigCompose(acctest.ProviderConfig(), hcs),
				Check: func(s *terraform.State) error {
					if _, ok := s.RootModule().Resources[v1]; ok {
						return fmt.Errorf("%s still in state", v1)
					}
					policyID, version, _ := splitVersionID(versionID)
					ctx := context.Background()
					if _, err := trafficpolicy.FindTrafficPolicyVersion(ctx, r53(t), policyID, version); err != nil {
						return fmt.Errorf("retained version %s: %w", versionID, err)
					}
					// Clean up what Terraform left on purpose.
					if err := deleteInstanceOutOfBand(t, instanceID); err != nil {
						return err
					}
					_, err := r53(t).DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
					return err
				},
			},
		},
	})
}

// Invalid documents are rejected when planning, with errors that name the
// rule or endpoint at fault and say what to change.
func TestAccTrafficPolicyVersion_invalidDocuments(t *testing.T) {
	testAccBegin(t)
	ep := func(id, typ, value string) string {
		return fmt.Sprintf("  endpoint {\n    id    = %q\n    type  = %q\n    value = %q\n  }\n", id, typ, value)
	}
	ips := ep("a", "value", "192.0.2.1") + ep("b", "value", "192.0.2.2")
	weighted := func(items string) string {
		return "  rule {\n    id   = \"split\"\n    type = \"weighted\"\n" + items + "  }\n"
	}
	item := func(target string, weight int) string {
		return fmt.Sprintf("    item {\n      endpoint = %q\n      weight   = %d\n    }\n", target, weight)
	}
	cases := []struct {
		name   string
		body   string
		phrase []string
	}{
		{"weight out of range", ips + weighted(item("a", 300)+item("b", 1)),
			[]string{`rule "split"`, "item[0].weight", "weight 300 is out of range", "0 to 255"}},
		{"all weights zero", ips + weighted(item("a", 0)+item("b", 0)),
			[]string{`rule "split"`, "at least one item with a non-zero weight"}},
		{"dangling endpoint", ips + weighted(item("a", 1)+item("c", 1)),
			[]string{`rule "split"`, "item[1].endpoint", `endpoint "c" is not defined`}},
		{"unreachable endpoint", ips + ep("spare", "value", "192.0.2.3") + weighted(item("a", 1)+item("b", 1)),
			[]string{`endpoint "spare"`, `not reachable from start_rule "split"`}},
		{"unknown rule type", ips + "  rule {\n    id   = \"split\"\n    type = \"round-robin\"\n" + item("a", 1) + "  }\n",
			[]string{`rule "split"`, `"round-robin" is not a rule type`, "weighted"}},
		{"wrong entry blocks", ips + "  rule {\n    id   = \"split\"\n    type = \"weighted\"\n    region {\n      region   = \"ap-south-1\"\n      endpoint = \"a\"\n    }\n  }\n",
			[]string{`rule "split"`, "weighted rules do not use region blocks", "item blocks"}},
		{"unknown latency region", ips + "  rule {\n    id   = \"split\"\n    type = \"latency\"\n    region {\n      region   = \"ap-mumbai-1\"\n      endpoint = \"a\"\n    }\n    region {\n      region   = \"ap-southeast-1\"\n      endpoint = \"b\"\n    }\n  }\n",
			[]string{`rule "split"`, "region[0].region", `"ap-mumbai-1" is not a known AWS region`, "ap-south-1"}},
		{"duplicate latency region", ips + "  rule {\n    id   = \"split\"\n    type = \"latency\"\n    region {\n      region   = \"ap-south-1\"\n      endpoint = \"a\"\n    }\n    region {\n      region   = \"ap-south-1\"\n      endpoint = \"b\"\n    }\n  }\n",
			[]string{`rule "split"`, "region[1].region", "already used by region[0]"}},
		{"invalid health check id", ips + weighted(item("a", 1)+"    item {\n      endpoint     = \"b\"\n      weight       = 1\n      health_check = \"hc-singapore\"\n    }\n"),
			[]string{`rule "split"`, "item[1].health_check", `"hc-singapore" is not a Route 53 health check id`}},
		{"failover without secondary", ips + "  rule {\n    id   = \"split\"\n    type = \"failover\"\n    primary {\n      endpoint = \"a\"\n    }\n  }\n" + "",
			[]string{`rule "split"`, "secondary: missing", "needs both primary and secondary"}},
		{"multivalue with a rule", ips + "  rule {\n    id   = \"split\"\n    type = \"multivalue\"\n    item {\n      endpoint = \"a\"\n    }\n    item {\n      rule = \"other\"\n    }\n  }\n" +
			"  rule {\n    id   = \"other\"\n    type = \"weighted\"\n" + item("b", 1) + "  }\n",
			[]string{`rule "split"`, "item[1].rule", "multivalue rules can only reference endpoints"}},
		{"loop", ips + "  rule {\n    id   = \"split\"\n    type = \"failover\"\n    primary {\n      rule = \"x\"\n    }\n    secondary {\n      endpoint = \"a\"\n    }\n  }\n" +
			"  rule {\n    id   = \"x\"\n    type = \"weighted\"\n    item {\n      rule   = \"split\"\n      weight = 1\n    }\n" + item("b", 1) + "  }\n",
			[]string{`rule "split"`, "loop", "split → x → split"}},
		{"geo with two defaults", ips + "  rule {\n    id   = \"split\"\n    type = \"geo\"\n    location {\n      is_default = true\n      endpoint   = \"a\"\n    }\n    location {\n      country  = \"*\"\n      endpoint = \"b\"\n    }\n  }\n",
			[]string{`rule "split"`, "location[1]", "a second default location"}},
		{"geoproximity bias", ips + "  rule {\n    id   = \"split\"\n    type = \"geoproximity\"\n    geoproximity_location {\n      region   = \"ap-south-1\"\n      bias     = 150\n      endpoint = \"a\"\n    }\n    geoproximity_location {\n      latitude  = 95\n      longitude = 72.88\n      endpoint  = \"b\"\n    }\n  }\n",
			[]string{`rule "split"`, "geoproximity_location[0].bias", "bias 150 is out of range"}},
		{"alias endpoint for TXT", ep("lb", "application-load-balancer", "app.ap-south-1.elb.amazonaws.com") + "  rule {\n    id   = \"split\"\n    type = \"weighted\"\n" + item("lb", 1) + "  }\n",
			[]string{`endpoint "lb"`, "alias targets that only work with record_type A or AAAA, not TXT"}},
		{"duplicate endpoint id", ips + ep("a", "value", "192.0.2.9") + weighted(item("a", 1)+item("b", 1)),
			[]string{`endpoint "a" is defined twice`}},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		recordType := "A"
		if tc.name == "alias endpoint for TXT" {
			recordType = "TXT"
		}
		steps = append(steps, resource.TestStep{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), fmt.Sprintf(`
resource "regis_traffic_policy_version" "bad" {
  name        = "invalid"
  record_type = %q
  start_rule  = "split"
%s}
`, recordType, tc.body)),
			PlanOnly:    true,
			ExpectError: acctest.ErrorRegexp(tc.phrase...),
		})
	}
	// The JSON alternative is checked the same way, in AWS's vocabulary.
	steps = append(steps, resource.TestStep{
		Config: acctest.ConfigCompose(acctest.ProviderConfig(), `
resource "regis_traffic_policy_version" "bad" {
  name     = "invalid"
  document = jsonencode({
    AWSPolicyFormatVersion = "2015-10-01"
    RecordType             = "A"
    StartRule              = "split"
    Endpoints              = { a = { Type = "value", Value = "192.0.2.1" } }
    Rules = {
      split = { RuleType = "weighted", Items = [{ EndpointReference = "a", Weight = "256" }] }
    }
  })
}
`),
		PlanOnly:    true,
		ExpectError: acctest.ErrorRegexp(`rule "split" Items[0].Weight: weight 256 is out of range`),
	}, resource.TestStep{
		Config: acctest.ConfigCompose(acctest.ProviderConfig(), `
resource "regis_traffic_policy_version" "bad" {
  name        = "invalid"
  record_type = "A"
  start_rule  = "a"
  document    = "{}"
}
`),
		PlanOnly:    true,
		ExpectError: acctest.ErrorRegexp("Two traffic policy documents", "remove document, or remove record_type, start_rule"),
	})
	if len(cases) < 12 {
		t.Fatalf("only %d invalid documents", len(cases))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// Without create_before_destroy, replacing a version a record uses would
// delete it first: Route 53 refuses, and the error says how to fix the
// configuration. Nothing is lost: the record keeps answering from it.
func TestAccTrafficPolicyVersion_replaceInUse(t *testing.T) {
	testAccBegin(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-replace")
	config := func(single, latency int) string {
		return acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
			testAccVersionConfig("v1", name, single, latency), testAccRecordConfig(zoneID, zoneName, "v1"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{
			{
				Config:           config(100, 0),
				ConfigPlanChecks: emptyPlanAfterApply,
			},
			{
				Config:      config(90, 10),
				ExpectError: acctest.ErrorRegexp("Traffic policy version in use", "www."+zoneName, "create_before_destroy = true"),
			},
			{
				// The old version is still there and still used.
				Config:           config(100, 0),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            testAccCheckRecordInRoute53(t, record, "1"),
			},
		},
	})
}

// testAccDocumentBlocksShuffled is testAccDocumentBlocks with the endpoint
// and rule blocks in another order than their ids' (and than Route 53's
// document), as a configuration written by hand may have them.
func testAccDocumentBlocksShuffled(single, latency int) string {
	return fmt.Sprintf(`  record_type = "A"
  start_rule  = "split"

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

  endpoint {
    id    = "single"
    type  = "value"
    value = %[5]q
  }
  endpoint {
    id    = "ap-southeast-1"
    type  = "value"
    value = %[3]q
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

  endpoint {
    id    = "ap-south-1"
    type  = "value"
    value = %[4]q
  }
`, single, latency, ipSingapore, ipMumbai, ipSingle)
}

// Regression (issue 11, item 5): endpoint and rule blocks used to be
// compared by position, so importing an unchanged version whose
// configuration did not list them sorted by id planned an in-place change of
// its document (id "bom" -> "sin", type "latency" -> "weighted"). They are
// sets keyed by their content now: the import plans nothing, whatever the
// order, and reordering the blocks is no change.
func TestAccTrafficPolicyVersion_importAnyOrder(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-order")
	shuffled := acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name),
		fmt.Sprintf("resource \"regis_traffic_policy_version\" \"v1\" {\n  name = %q\n%s}\n", name, testAccDocumentBlocksShuffled(90, 10)))
	sorted := acctest.ConfigCompose(acctest.ProviderConfig(), testAccHealthChecksConfig(name), testAccVersionConfig("v1", name, 90, 10))
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config:           shuffled,
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDocumentJSON(v1, 90, 10),
					captureAttr(v1, "id", &id),
				),
			},
			{
				// terraform plan with an import block: a no-op import.
				Config:          shuffled,
				ResourceName:    v1,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				// terraform import: the same state as the apply's.
				ResourceName:      v1,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// The same blocks in id order: nothing to do.
				Config:           sorted,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            sameAttr(v1, "id", &id),
			},
		},
	})
}

// A version created outside Terraform from a JSON file (the AWS CLI's
// create-traffic-policy --document file://policy.json, or
// aws_route53_traffic_policy) imports into document = file("policy.json")
// with nothing to change: Route 53 holds the file's text, and the import
// keeps it in document.
func TestAccTrafficPolicyVersion_importFromFile(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-file")
	file := `{
  "AWSPolicyFormatVersion": "2015-10-01",
  "RecordType": "A",
  "StartRule": "split",
  "Endpoints": {
    "sin": {"Type": "value", "Value": "` + ipSingapore + `"},
    "bom": {"Type": "value", "Value": "` + ipMumbai + `"}
  },
  "Rules": {
    "split": {
      "RuleType": "weighted",
      "Items": [
        {"EndpointReference": "sin", "Weight": "90"},
        {"EndpointReference": "bom", "Weight": "10"}
      ]
    }
  }
}
`
	var id string
	config := acctest.ConfigCompose(acctest.ProviderConfig(), fmt.Sprintf(`
resource "regis_traffic_policy_version" "v1" {
  name     = %q
  document = <<EOT
%sEOT
}
`, name, file))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					out, err := r53(t).CreateTrafficPolicy(context.Background(), &route53.CreateTrafficPolicyInput{
						Name: aws.String(name), Document: aws.String(file),
					})
					if err != nil {
						t.Fatalf("creating the policy out of band: %v", err)
					}
					id = aws.ToString(out.TrafficPolicy.Id) + "/1"
				},
				Config:            config,
				ResourceName:      v1,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return id, nil },
			},
			{
				Config:             config,
				ResourceName:       v1,
				ImportState:        true,
				ImportStatePersist: true,
				ImportStateIdFunc:  func(*terraform.State) (string, error) { return id, nil },
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					a := states[0].Attributes
					if a["document"] != file || a["record_type"] != "A" || a["endpoint.#"] != "0" || a["rule.#"] != "0" {
						return fmt.Errorf("imported: document %q, record_type %q, %s endpoint and %s rule blocks", a["document"], a["record_type"], a["endpoint.#"], a["rule.#"])
					}
					return nil
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
