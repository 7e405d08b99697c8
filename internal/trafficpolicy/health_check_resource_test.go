package trafficpolicy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

const healthCheck = "regis_health_check.test"

func testAccHealthCheckConfig(body string) string {
	return acctest.ConfigCompose(acctest.ProviderConfig(), `
resource "regis_health_check" "test" {
`+body+`
}
`)
}

func TestAccHealthCheck_basic(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-hc")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config: testAccHealthCheckConfig(fmt.Sprintf(`
  type          = "HTTP"
  fqdn          = "app.example.com"
  resource_path = "/health"
  tags = {
    Name = %q
  }`, name)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(healthCheck, "type", "HTTP"),
					resource.TestCheckResourceAttr(healthCheck, "port", "80"),
					resource.TestCheckResourceAttr(healthCheck, "request_interval", "30"),
					resource.TestCheckResourceAttr(healthCheck, "failure_threshold", "3"),
					resource.TestCheckResourceAttr(healthCheck, "enable_sni", "false"),
					resource.TestCheckResourceAttr(healthCheck, "disabled", "false"),
					resource.TestCheckResourceAttr(healthCheck, "invert_healthcheck", "false"),
					resource.TestCheckResourceAttr(healthCheck, "measure_latency", "false"),
					resource.TestCheckNoResourceAttr(healthCheck, "regions"),
					resource.TestCheckResourceAttr(healthCheck, "tags.Name", name),
					resource.TestCheckResourceAttr(healthCheck, "tags_all.%", "1"),
					testAccCheckHealthCheckInRoute53(t, healthCheck, func(hc *awstypes.HealthCheck, tags map[string]string) error {
						c := hc.HealthCheckConfig
						if c.Type != awstypes.HealthCheckTypeHttp || aws.ToString(c.FullyQualifiedDomainName) != "app.example.com" ||
							aws.ToString(c.ResourcePath) != "/health" || aws.ToInt32(c.Port) != 80 || tags["Name"] != name {
							return fmt.Errorf("health check in Route 53: %+v, tags %v", c, tags)
						}
						return nil
					}),
				),
			},
			{
				ResourceName:      healthCheck,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// testAccCheckHealthCheckInRoute53 reads the health check and its tags
// through the API.
func testAccCheckHealthCheckInRoute53(t *testing.T, address string, check func(*awstypes.HealthCheck, map[string]string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := attr(s, address, "id")
		if err != nil {
			return err
		}
		ctx := context.Background()
		hc, err := trafficpolicy.FindHealthCheckByID(ctx, r53(t), id)
		if err != nil {
			return err
		}
		out, err := r53(t).ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck})
		if err != nil {
			return err
		}
		tags := map[string]string{}
		for _, tag := range out.ResourceTagSet.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return check(hc, tags)
	}
}

func TestAccHealthCheck_update(t *testing.T) {
	testAccBegin(t)
	name := acctest.RandomName("tf-acc-hc")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config: testAccHealthCheckConfig(fmt.Sprintf(`
  type          = "HTTPS"
  fqdn          = "app.example.com"
  resource_path = "/health"
  regions       = ["us-east-1", "eu-west-1", "ap-southeast-1"]
  tags = {
    Name = %q
    team = "edge"
  }`, name)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(healthCheck, "id", &id),
					resource.TestCheckResourceAttr(healthCheck, "port", "443"),
					resource.TestCheckResourceAttr(healthCheck, "enable_sni", "true"),
					resource.TestCheckResourceAttr(healthCheck, "regions.#", "3"),
				),
			},
			{
				// In place: threshold, path (removed), regions (removed),
				// flags, SNI, tags (one changed, one removed).
				Config: testAccHealthCheckConfig(fmt.Sprintf(`
  type               = "HTTPS"
  fqdn               = "app.example.com"
  failure_threshold  = 5
  disabled           = true
  invert_healthcheck = true
  enable_sni         = false
  tags = {
    Name = "%s-renamed"
  }`, name)),
				ConfigPlanChecks: actionThenEmpty(healthCheck, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					sameAttr(healthCheck, "id", &id),
					resource.TestCheckResourceAttr(healthCheck, "failure_threshold", "5"),
					resource.TestCheckNoResourceAttr(healthCheck, "resource_path"),
					resource.TestCheckNoResourceAttr(healthCheck, "regions"),
					resource.TestCheckResourceAttr(healthCheck, "tags.%", "1"),
					testAccCheckHealthCheckInRoute53(t, healthCheck, func(hc *awstypes.HealthCheck, tags map[string]string) error {
						c := hc.HealthCheckConfig
						if aws.ToInt32(c.FailureThreshold) != 5 || !aws.ToBool(c.Disabled) || !aws.ToBool(c.Inverted) || aws.ToBool(c.EnableSNI) ||
							aws.ToString(c.ResourcePath) != "" || len(c.Regions) != 0 {
							return fmt.Errorf("health check in Route 53 not updated: %+v", c)
						}
						if len(tags) != 1 || tags["Name"] != name+"-renamed" {
							return fmt.Errorf("tags in Route 53: %v", tags)
						}
						return nil
					}),
				),
			},
			{
				// Adding a search string changes the Route 53 type: replaced.
				Config: testAccHealthCheckConfig(`
  type          = "HTTPS"
  fqdn          = "app.example.com"
  search_string = "OK"`),
				ConfigPlanChecks: actionThenEmpty(healthCheck, plancheck.ResourceActionDestroyBeforeCreate),
				Check: testAccCheckHealthCheckInRoute53(t, healthCheck, func(hc *awstypes.HealthCheck, _ map[string]string) error {
					if hc.HealthCheckConfig.Type != awstypes.HealthCheckTypeHttpsStrMatch || aws.ToString(hc.HealthCheckConfig.SearchString) != "OK" {
						return fmt.Errorf("want HTTPS_STR_MATCH with OK, got %+v", hc.HealthCheckConfig)
					}
					return nil
				}),
			},
			{
				// The string itself changes in place.
				Config: testAccHealthCheckConfig(`
  type          = "HTTPS"
  fqdn          = "app.example.com"
  search_string = "healthy"`),
				ConfigPlanChecks: actionThenEmpty(healthCheck, plancheck.ResourceActionUpdate),
				Check:            resource.TestCheckResourceAttr(healthCheck, "search_string", "healthy"),
			},
			{
				ResourceName:      healthCheck,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// Provider default_tags are merged into tags_all and kept out of tags.
func TestAccHealthCheck_defaultTags(t *testing.T) {
	testAccBegin(t)
	provider := func(team string) string {
		return acctest.ProviderConfig(fmt.Sprintf("default_tags {\n  tags = {\n    team = %q\n    env = \"test\"\n  }\n}", team))
	}
	config := func(team string) string {
		return acctest.ConfigCompose(provider(team), `
resource "regis_health_check" "test" {
  type       = "TCP"
  ip_address = "192.0.2.44"
  port       = 8080
  tags = {
    Name = "tf-acc-tcp"
    env  = "override"
  }
}
`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{
			{
				Config:           config("edge"),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(healthCheck, "tags.%", "2"),
					resource.TestCheckResourceAttr(healthCheck, "tags_all.%", "3"),
					resource.TestCheckResourceAttr(healthCheck, "tags_all.team", "edge"),
					resource.TestCheckResourceAttr(healthCheck, "tags_all.env", "override"),
					resource.TestCheckResourceAttr(healthCheck, "port", "8080"),
					resource.TestCheckResourceAttr(healthCheck, "enable_sni", "false"),
				),
			},
			{
				Config:           config("platform"),
				ConfigPlanChecks: actionThenEmpty(healthCheck, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(healthCheck, "tags.%", "2"),
					resource.TestCheckResourceAttr(healthCheck, "tags_all.team", "platform"),
					testAccCheckHealthCheckInRoute53(t, healthCheck, func(_ *awstypes.HealthCheck, tags map[string]string) error {
						if tags["team"] != "platform" || tags["env"] != "override" || tags["Name"] != "tf-acc-tcp" || len(tags) != 3 {
							return fmt.Errorf("tags in Route 53: %v", tags)
						}
						return nil
					}),
				),
			},
		},
	})
}

func TestAccHealthCheck_disappears(t *testing.T) {
	testAccBegin(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, ""),
		Steps: []resource.TestStep{{
			Config: testAccHealthCheckConfig(`
  type       = "TCP"
  ip_address = "192.0.2.45"
  port       = 443`),
			Check: func(s *terraform.State) error {
				id, err := attr(s, healthCheck, "id")
				if err != nil {
					return err
				}
				_, err = r53(t).DeleteHealthCheck(context.Background(), &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)})
				return err
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// Invalid arguments are rejected when planning.
func TestAccHealthCheck_invalid(t *testing.T) {
	testAccBegin(t)
	cases := []struct {
		body   string
		phrase []string
	}{
		{"type = \"HTTP\"\n  fqdn = \"a.example.com\"\n  ip_address = \"192.0.2.1\"", []string{"fqdn", "ip_address"}},
		{"type = \"HTTP\"", []string{"fqdn", "ip_address"}},
		{"type = \"UDP\"\n  ip_address = \"192.0.2.1\"", []string{"type", "HTTP", "HTTPS", "TCP"}},
		{"type = \"TCP\"\n  ip_address = \"192.0.2.1\"", []string{"Missing port", "TCP health check needs the port"}},
		{"type = \"TCP\"\n  ip_address = \"192.0.2.1\"\n  port = 80\n  resource_path = \"/health\"", []string{"resource_path only applies to HTTP and HTTPS"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  enable_sni = true", []string{"SNI needs HTTPS"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.300\"", []string{`"192.0.2.300" is not an IP address`}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  request_interval = 20", []string{"request_interval", "10", "30"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  failure_threshold = 11", []string{"failure_threshold", "between 1 and 10"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  regions = [\"us-east-1\", \"eu-west-1\"]", []string{"regions", "at least 3"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  regions = [\"us-east-1\", \"eu-west-1\", \"ap-south-1\"]", []string{"ap-south-1"}},
		{"type = \"HTTP\"\n  ip_address = \"192.0.2.1\"\n  resource_path = \"health\"", []string{"must start with /"}},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      testAccHealthCheckConfig("  " + tc.body),
			PlanOnly:    true,
			ExpectError: acctest.ErrorRegexp(tc.phrase...),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}
