package bus_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

var (
	r1 = acctest.Region1 // ap-southeast-1, the provider's (and bus's) home region
	r2 = acctest.Region2 // ap-south-1
)

func emptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

func TestAccBus_basic(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config:           testBusConfig(name, regionsOf(r1, r2)),
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "name", name),
					resource.TestCheckResourceAttr(resourceName, "home_region", r1),
					resource.TestMatchResourceAttr(resourceName, "topic_arn", regexp.MustCompile(`^arn:aws:sns:`+r1+`:\d{12}:`+name+`$`)),
					resource.TestCheckResourceAttr(resourceName, "id", name+"@"+r1), // the bus is identified by its name and home region
					resource.TestCheckResourceAttr(resourceName, "regions.%", "2"),
					// Defaults show in the state.
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.memory_size", "256"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.batch_size", "10"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.max_concurrency", "10"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".queue.max_receive_count", "5"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".queue.dlq_retention", "345600"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".alarms.dlq_not_empty", "true"),
					resource.TestCheckResourceAttr(resourceName, "tombstone_ttl", "168h"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".drift.#", "0"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".function_name", name+"-consumer"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".role_name", name+"-consumer-"+r2),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".dlq_alarm_name", name+"-dlq-not-empty"),
					resource.TestMatchResourceAttr(resourceName, "regions."+r2+".queue_arn", regexp.MustCompile(`^arn:aws:sqs:`+r2+`:\d{12}:`+name+`$`)),
					resource.TestMatchResourceAttr(resourceName, "regions."+r2+".dlq_arn", regexp.MustCompile(`:`+name+`-dlq$`)),
					resource.TestMatchResourceAttr(resourceName, "regions."+r2+".subscription_arn", regexp.MustCompile(`^arn:aws:sns:`+r1+`:\d{12}:`+name+`:`)),
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r2),
				),
			},
			{
				ResourceName:            resourceName,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// testAccCheckBusWiring checks through the AWS APIs what the bus promises:
// raw delivery from the home region, the queue policy, the redrive, the
// mapping with ReportBatchItemFailures and the consumer's environment.
func testAccCheckBusWiring(t *testing.T, home string, regions ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.Client(t)
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		topic := ids[""]["topic_arn"]
		for _, region := range regions {
			a := ids[region]
			sub, err := c.SNS(ctx, home).GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(a["subscription_arn"])})
			if err != nil {
				return fmt.Errorf("%s: subscription: %w", region, err)
			}
			if sub.Attributes["RawMessageDelivery"] != "true" || sub.Attributes["Endpoint"] != a["queue_arn"] || sub.Attributes["TopicArn"] != topic {
				return fmt.Errorf("%s: subscription attributes %v", region, sub.Attributes)
			}
			q, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(a["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
			if err != nil {
				return fmt.Errorf("%s: queue: %w", region, err)
			}
			if !strings.Contains(q.Attributes["Policy"], "sns.amazonaws.com") || !strings.Contains(q.Attributes["Policy"], topic) {
				return fmt.Errorf("%s: queue policy %s does not let the topic send", region, q.Attributes["Policy"])
			}
			if !strings.Contains(q.Attributes["RedrivePolicy"], a["dlq_arn"]) || q.Attributes["SqsManagedSseEnabled"] != "true" {
				return fmt.Errorf("%s: queue attributes %v", region, q.Attributes)
			}
			m, err := c.Lambda(ctx, region).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(a["event_source_mapping_id"])})
			if err != nil {
				return fmt.Errorf("%s: mapping: %w", region, err)
			}
			if len(m.FunctionResponseTypes) != 1 || m.FunctionResponseTypes[0] != lambdatypes.FunctionResponseTypeReportBatchItemFailures {
				return fmt.Errorf("%s: mapping response types %v, want ReportBatchItemFailures", region, m.FunctionResponseTypes)
			}
			if aws.ToString(m.EventSourceArn) != a["queue_arn"] || aws.ToString(m.FunctionArn) != a["function_arn"] {
				return fmt.Errorf("%s: mapping %s → %s", region, aws.ToString(m.EventSourceArn), aws.ToString(m.FunctionArn))
			}
			f, err := c.Lambda(ctx, region).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a["function_name"])})
			if err != nil {
				return fmt.Errorf("%s: function: %w", region, err)
			}
			env := f.Configuration.Environment.Variables
			if env[contract.EnvDLQURL] != a["dlq_url"] || env[contract.EnvBusName] == "" || env[contract.EnvRedisAddrs] == "" {
				return fmt.Errorf("%s: function environment %v", region, env)
			}
			if f.Configuration.Runtime != lambdatypes.RuntimeProvidedal2023 || aws.ToString(f.Configuration.Handler) != "bootstrap" || aws.ToString(f.Configuration.Role) != a["role_arn"] {
				return fmt.Errorf("%s: function runtime %s handler %s role %s", region, f.Configuration.Runtime, aws.ToString(f.Configuration.Handler), aws.ToString(f.Configuration.Role))
			}
		}
		return nil
	}
}

func TestAccBus_disappears(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config: testBusConfig(name, regionsOf(r1, r2)),
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						return bus.DestroyForTest(context.Background(), acctest.Client(t), s.RootModule().Resources[resourceName].Primary.ID)
					},
				),
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
