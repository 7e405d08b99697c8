package trafficpolicy_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

// The seed's health checks and load balancers, as in trafficflow's
// testdata/seed_rollout_90_10.json (written by hand from AWS's "Traffic Policy
// Document Format" page).
const (
	seedHCSingapore  = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
	seedHCMumbai     = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
	seedALBSingapore = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
	seedALBMumbai    = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
	seedDocument     = "data.regis_traffic_policy_document.seed"
)

// testAccSeedDocumentConfig is the seed's weighted + latency policy at
// single/latency weights, written with the data source's typed blocks.
func testAccSeedDocumentConfig(single, latency int, simulate string) string {
	return acctest.ConfigCompose(acctest.ProviderConfig(), fmt.Sprintf(`
data "regis_traffic_policy_document" "seed" {
  record_type = "A"
  start_rule  = "split"

  endpoint {
    id    = "ap-southeast-1"
    type  = "application-load-balancer"
    value = %[3]q
  }
  endpoint {
    id    = "ap-south-1"
    type  = "application-load-balancer"
    value = %[4]q
  }

  rule {
    id   = "split"
    type = "weighted"
    item {
      endpoint     = "ap-southeast-1"
      weight       = %[1]d
      health_check = %[5]q
    }
    item {
      rule                   = "latency"
      weight                 = %[2]d
      evaluate_target_health = true
    }
  }

  rule {
    id   = "latency"
    type = "latency"
    region {
      region       = "ap-southeast-1"
      endpoint     = "ap-southeast-1"
      health_check = %[5]q
    }
    region {
      region       = "ap-south-1"
      endpoint     = "ap-south-1"
      health_check = %[6]q
    }
  }
%[7]s
}
`, single, latency, seedALBSingapore, seedALBMumbai, seedHCSingapore, seedHCMumbai, simulate))
}

func seedRollout(t *testing.T, single, latency int) *trafficflow.Document {
	t.Helper()
	sin := trafficflow.RegionalEndpoint{Region: "ap-southeast-1", Value: seedALBSingapore, HealthCheck: seedHCSingapore}
	bom := trafficflow.RegionalEndpoint{Region: "ap-south-1", Value: seedALBMumbai, HealthCheck: seedHCMumbai}
	doc, err := trafficflow.BuildRollout(trafficflow.RolloutSpec{Single: sin, Regions: []trafficflow.RegionalEndpoint{sin, bom}, SingleWeight: single, LatencyWeight: latency})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The seed policy renders exactly as trafficflow renders it, and field for
// field as AWS's format (the hand-written expectation).
func TestAccTrafficPolicyDocumentDataSource_seed(t *testing.T) {
	testAccBegin(t)
	want, err := trafficflow.Render(seedRollout(t, 90, 10))
	if err != nil {
		t.Fatal(err)
	}
	awsFormat, err := os.ReadFile("../trafficflow/testdata/seed_rollout_90_10.json")
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccSeedDocumentConfig(90, 10, ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(seedDocument, "json", string(want)),
				resource.TestCheckResourceAttr(seedDocument, "simulation.#", "0"),
				func(s *terraform.State) error {
					got, err := attr(s, seedDocument, "json")
					if err != nil {
						return err
					}
					var gotTree, wantTree any
					if err := json.Unmarshal([]byte(got), &gotTree); err != nil {
						return err
					}
					if err := json.Unmarshal(awsFormat, &wantTree); err != nil {
						return err
					}
					if !reflect.DeepEqual(gotTree, wantTree) {
						return fmt.Errorf("json differs from AWS's format:\n got %s\nwant %s", got, awsFormat)
					}
					return nil
				},
			),
		}},
	})
}

// Every rule type and optional field goes through the typed blocks.
func TestAccTrafficPolicyDocumentDataSource_everyRuleType(t *testing.T) {
	testAccBegin(t)
	want, err := trafficflow.Render(everyRuleType())
	if err != nil {
		t.Fatal(err)
	}
	if err := trafficflow.Validate(everyRuleType()); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ConfigCompose(acctest.ProviderConfig(), `
data "regis_traffic_policy_document" "all" {
  record_type = "A"
  start_rule  = "by_country"

  endpoint {
    id    = "ip1"
    type  = "value"
    value = "192.0.2.1"
  }
  endpoint {
    id    = "ip2"
    type  = "value"
    value = "192.0.2.2"
  }
  endpoint {
    id    = "cdn"
    type  = "cloudfront"
    value = "d111111abcdef8.cloudfront.net"
  }
  endpoint {
    id     = "banner"
    type   = "s3-website"
    region = "us-east-1"
    value  = "www.example.com"
  }
  endpoint {
    id    = "nlb"
    type  = "network-load-balancer"
    value = "net-74f87b114e21682a.elb.eu-west-1.amazonaws.com"
  }

  rule {
    id   = "by_country"
    type = "geo"
    location {
      country                = "IN"
      rule                   = "near"
      evaluate_target_health = true
    }
    location {
      continent = "EU"
      rule      = "pool"
    }
    location {
      country      = "US"
      subdivision  = "WA"
      endpoint     = "ip2"
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000003"
    }
    location {
      is_default = true
      rule       = "guard"
    }
  }
  rule {
    id   = "near"
    type = "geoproximity"
    geoproximity_location {
      region   = "eu-west-1"
      bias     = -10
      endpoint = "nlb"
    }
    geoproximity_location {
      latitude               = 19.08
      longitude              = 72.88
      bias                   = 25
      rule                   = "split"
      evaluate_target_health = false
    }
  }
  rule {
    id   = "split"
    type = "weighted"
    item {
      endpoint     = "ip1"
      weight       = 3
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
    }
    item {
      endpoint               = "cdn"
      weight                 = 0
      evaluate_target_health = false
    }
  }
  rule {
    id   = "pool"
    type = "multivalue"
    item {
      endpoint     = "ip1"
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
    }
    item {
      endpoint = "ip2"
    }
  }
  rule {
    id   = "guard"
    type = "failover"
    primary {
      rule                   = "regional"
      evaluate_target_health = true
    }
    secondary {
      endpoint = "banner"
    }
  }
  rule {
    id   = "regional"
    type = "latency"
    region {
      region   = "us-east-1"
      endpoint = "ip1"
    }
    region {
      region       = "ap-northeast-1"
      endpoint     = "ip2"
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
    }
  }
}
`),
			Check: resource.TestCheckResourceAttr("data.regis_traffic_policy_document.all", "json", string(want)),
		}},
	})
}

// everyRuleType is the document the everyRuleType configuration describes.
func everyRuleType() *trafficflow.Document {
	b, i := trafficflow.Bool, trafficflow.Int
	ref := func(ep, rule, hc string, eth *bool) trafficflow.Reference {
		return trafficflow.Reference{EndpointReference: ep, RuleReference: rule, HealthCheck: hc, EvaluateTargetHealth: eth}
	}
	return &trafficflow.Document{
		FormatVersion: trafficflow.FormatVersion,
		RecordType:    trafficflow.RecordTypeA,
		StartRule:     "by_country",
		Endpoints: map[string]trafficflow.Endpoint{
			"ip1":    {Type: trafficflow.EndpointValue, Value: "192.0.2.1"},
			"ip2":    {Type: trafficflow.EndpointValue, Value: "192.0.2.2"},
			"cdn":    {Type: trafficflow.EndpointCloudFront, Value: "d111111abcdef8.cloudfront.net"},
			"banner": {Type: trafficflow.EndpointS3Website, Region: "us-east-1", Value: "www.example.com"},
			"nlb":    {Type: trafficflow.EndpointNetworkLoadBalancer, Value: "net-74f87b114e21682a.elb.eu-west-1.amazonaws.com"},
		},
		Rules: map[string]trafficflow.Rule{
			"by_country": {RuleType: trafficflow.RuleGeo, Locations: []trafficflow.GeoLocation{
				{Reference: ref("", "near", "", b(true)), Country: "IN"},
				{Reference: ref("", "pool", "", nil), Continent: "EU"},
				{Reference: ref("ip2", "", "5e1c0a3b-0b1f-4c2e-9a55-000000000003", nil), Country: "US", Subdivision: "WA"},
				{Reference: ref("", "guard", "", nil), IsDefault: b(true)},
			}},
			"near": {RuleType: trafficflow.RuleGeoproximity, GeoproximityLocations: []trafficflow.GeoproximityLocation{
				{Reference: ref("nlb", "", "", nil), Region: "aws:route53:eu-west-1", Bias: i(-10)},
				{Reference: ref("", "split", "", b(false)), Latitude: "19.08", Longitude: "72.88", Bias: i(25)},
			}},
			"split": {RuleType: trafficflow.RuleWeighted, Items: []trafficflow.Item{
				{Reference: ref("ip1", "", "5e1c0a3b-0b1f-4c2e-9a55-000000000001", nil), Weight: i(3)},
				{Reference: ref("cdn", "", "", b(false)), Weight: i(0)},
			}},
			"pool": {RuleType: trafficflow.RuleMultivalue, Items: []trafficflow.Item{
				{Reference: ref("ip1", "", "5e1c0a3b-0b1f-4c2e-9a55-000000000002", nil)},
				{Reference: ref("ip2", "", "", nil)},
			}},
			"guard": {RuleType: trafficflow.RuleFailover,
				Primary:   &trafficflow.Reference{RuleReference: "regional", EvaluateTargetHealth: b(true)},
				Secondary: &trafficflow.Reference{EndpointReference: "banner"},
			},
			"regional": {RuleType: trafficflow.RuleLatency, Regions: []trafficflow.LatencyRegion{
				{Reference: ref("ip1", "", "", nil), Region: "us-east-1"},
				{Reference: ref("ip2", "", "5e1c0a3b-0b1f-4c2e-9a55-000000000002", nil), Region: "ap-northeast-1"},
			}},
		},
	}
}

// The simulation of every scenario and client region matches trafficflow's,
// and says what the seed pattern promises: Singapore clients answered from
// Singapore, from Mumbai while Singapore's health check fails.
func TestAccTrafficPolicyDocumentDataSource_simulation(t *testing.T) {
	testAccBegin(t)
	regions := []string{"ap-southeast-1", "ap-south-1", "eu-west-1"}
	simulate := fmt.Sprintf(`
  simulate {
    client_regions = ["ap-southeast-1", "ap-south-1", "eu-west-1"]
    scenario {
      name                    = "singapore down"
      unhealthy_health_checks = [%q]
    }
    scenario {
      name                    = "both down"
      unhealthy_health_checks = [%q, %q]
    }
  }
`, seedHCSingapore, seedHCSingapore, seedHCMumbai)
	scenarios := []struct {
		name      string
		unhealthy trafficflow.Unhealthy
	}{
		{"healthy", nil},
		{"singapore down", trafficflow.UnhealthyChecks(seedHCSingapore)},
		{"both down", trafficflow.UnhealthyChecks(seedHCSingapore, seedHCMumbai)},
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccSeedDocumentConfig(90, 10, simulate),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(seedDocument, "simulation.#", "9"),
				// Singapore clients: from Singapore, Mumbai while Singapore fails.
				resource.TestCheckResourceAttr(seedDocument, "simulation.0.scenario", "healthy"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.0.client_region", "ap-southeast-1"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.0.shares.%", "1"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.0.shares.ap-southeast-1", "100"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.3.scenario", "singapore down"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.3.shares.%", "1"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.3.shares.ap-south-1", "100"),
				// Mumbai clients: 90 % on the single region, 10 % at home.
				resource.TestCheckResourceAttr(seedDocument, "simulation.1.shares.ap-southeast-1", "90"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.1.shares.ap-south-1", "10"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.1.routes.0", "split → ap-southeast-1 (90.00%)"),
				resource.TestCheckResourceAttr(seedDocument, "simulation.1.no_answer", "0"),
				func(s *terraform.State) error {
					doc := seedRollout(t, 90, 10)
					row := 0
					for _, sc := range scenarios {
						for _, region := range regions {
							want, err := trafficflow.Simulate(doc, region, sc.unhealthy)
							if err != nil {
								return err
							}
							prefix := "simulation." + strconv.Itoa(row) + "."
							if err := checkRow(s, prefix, sc.name, region, want); err != nil {
								return err
							}
							row++
						}
					}
					return nil
				},
			),
		}},
	})
}

func checkRow(s *terraform.State, prefix, scenario, region string, want *trafficflow.Distribution) error {
	a := s.RootModule().Resources[seedDocument].Primary.Attributes
	if a[prefix+"scenario"] != scenario || a[prefix+"client_region"] != region {
		return fmt.Errorf("%s is %s/%s, want %s/%s", prefix, a[prefix+"scenario"], a[prefix+"client_region"], scenario, region)
	}
	if n, _ := strconv.Atoi(a[prefix+"shares.%"]); n != len(want.Shares) {
		return fmt.Errorf("%s%s/%s: %d shares, want %v", prefix, scenario, region, n, want.Shares)
	}
	for id, share := range want.Shares {
		got, err := strconv.ParseFloat(a[prefix+"shares."+id], 64)
		if err != nil || math.Abs(got-share*100) > 1e-3 {
			return fmt.Errorf("%s/%s: share of %s = %q, want %.4f", scenario, region, id, a[prefix+"shares."+id], share*100)
		}
	}
	return nil
}

func TestAccTrafficPolicyDocumentDataSource_invalid(t *testing.T) {
	testAccBegin(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccSeedDocumentConfig(90, 300, ""),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRegexp(`Invalid traffic policy: rule "split"`, "item[1].weight: weight 300 is out of range"),
			},
			{
				Config:      testAccSeedDocumentConfig(0, 0, ""),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRegexp(`rule "split"`, "needs at least one item with a non-zero weight"),
			},
			{
				Config:      testAccSeedDocumentConfig(90, 10, "  simulate {\n    client_regions = [\"ap-mumbai-1\"]\n  }\n"),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRegexp(`"ap-mumbai-1" is not an AWS region`),
			},
			{
				Config:      testAccSeedDocumentConfig(90, 10, "  simulate {\n    client_regions = [\"ap-south-1\"]\n    scenario {\n      name = \"healthy\"\n    }\n  }\n"),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRegexp("Reserved scenario name"),
			},
		},
	})
}
