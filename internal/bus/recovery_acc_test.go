package bus_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
)

// The bus is identified by its name and home region, not by its topic: it
// survives the deletion of any of its objects (the catalogue deletes each
// one in turn), can be imported while its topic is gone, and adopts the
// objects of its names that exist outside the state.

// removedConfig forgets regis_bus.test without destroying it, as a
// refresh of the provider before 0.x did when the topic was gone (see
// CHANGELOG): the bus's objects are left behind.
func removedConfig() string {
	return acctest.ConfigCompose(acctest.ProviderConfig(), `
removed {
  from = regis_bus.test
  lifecycle {
    destroy = false
  }
}
`)
}

// The scenario of the bug report: the topic deleted out of band, the bus
// gone from the state, every other object of its two regions left behind
// (some of them altered since). The next apply used to fail on "IAM role …
// already exists … import the bus", which could not work either. Now it
// creates the bus again by adopting every object of the bus's names (same
// ARNs, brought back to the configuration), re-creates the topic and
// subscribes both regions: nothing orphaned, nothing duplicated, an empty
// plan after, and destroy leaves nothing.
func TestAccBus_adoptsLeftovers(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	config := testBusConfig(name, regionsOf(r1, r2))
	var keep idKeeper
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{Config: config, Check: keep.save()},
			{Config: removedConfig()},
			{
				PreConfig: func() {
					ctx := context.Background()
					c := acctest.Client(t)
					a1, a2 := keep.ids[r1], keep.ids[r2]
					must := func(what string, err error) {
						if err != nil {
							t.Fatalf("%s: %v", what, err)
						}
					}
					_, err := c.SNS(ctx, r1).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(keep.ids[""]["topic_arn"])})
					must("deleting the topic", err)
					// Other settings than the configuration's: CreateQueue
					// refuses the name (QueueNameExists).
					_, err = c.SQS(ctx, r2).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(a2["queue_url"]), Attributes: map[string]string{"VisibilityTimeout": "45"}})
					must("changing the queue", err)
					_, err = c.Lambda(ctx, r1).UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(a1["function_name"]), MemorySize: aws.Int32(1024)})
					must("changing the function", err)
					waitFunction(t, c.Lambda(ctx, r1), a1["function_name"])
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					keep.adopted(r1),
					keep.adopted(r2),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".queue.visibility_timeout", "30"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.memory_size", "256"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".drift.#", "0"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".drift.#", "0"),
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r1, r2),
					checkSettings(t, r1, r2),
				),
			},
		},
	})
}

// adopted asserts that a region's objects are the ones saved before: the
// same queues, role, function and mapping (adopted, not made anew).
func (k *idKeeper) adopted(region string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		for _, attr := range []string{"queue_arn", "dlq_arn", "function_arn", "role_arn", "event_source_mapping_id"} {
			if ids[region][attr] == "" || ids[region][attr] != k.ids[region][attr] {
				return fmt.Errorf("%s %s: %q, want the existing %q adopted", region, attr, ids[region][attr], k.ids[region][attr])
			}
		}
		return nil
	}
}

// checkSettings checks that the out-of-band changes of the adopted objects
// were undone: the queue's visibility timeout and the function's memory.
func checkSettings(t *testing.T, r1, r2 string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.Client(t)
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		q, err := c.SQS(ctx, r2).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(ids[r2]["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout}})
		if err != nil {
			return err
		}
		if v := q.Attributes["VisibilityTimeout"]; v != "30" {
			return fmt.Errorf("%s: the adopted queue's visibility timeout is %s, want 30", r2, v)
		}
		f, err := c.Lambda(ctx, r1).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ids[r1]["function_name"])})
		if err != nil {
			return err
		}
		if m := aws.ToInt32(f.Configuration.MemorySize); m != 256 {
			return fmt.Errorf("%s: the adopted function has %d MB, want 256", r1, m)
		}
		return nil
	}
}

// A bus whose topic is gone is imported by its name and home region, or by
// its topic's ARN: the regions are found from the roles' names and every
// object by its name. The imported state shows the topic missing; the next
// apply re-creates it and subscribes every region.
func TestAccBus_importWithoutTopic(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	config := testBusConfig(name, regionsOf(r1, r2))
	var keep idKeeper
	var topicARN string
	deleteTopic := func() {
		ctx := context.Background()
		if _, err := acctest.Client(t).SNS(ctx, r1).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topicARN)}); err != nil {
			t.Fatal(err)
		}
	}
	imported := func(states []*terraform.InstanceState) error {
		if len(states) != 1 {
			return fmt.Errorf("%d states imported", len(states))
		}
		a := states[0].Attributes
		if a["id"] != name+"@"+r1 || a["name"] != name || a["home_region"] != r1 || a["topic_arn"] != "" || a["regions.%"] != "2" {
			return fmt.Errorf("imported id %q name %q home %q topic %q regions %s", a["id"], a["name"], a["home_region"], a["topic_arn"], a["regions.%"])
		}
		for _, region := range []string{r1, r2} {
			for _, attr := range []string{"queue_url", "dlq_url", "role_arn", "function_arn", "event_source_mapping_id", "dlq_alarm_name", "oldest_message_age_alarm_name"} {
				if got := a["regions."+region+"."+attr]; got == "" || got != keep.ids[region][attr] {
					return fmt.Errorf("%s %s imported as %q, want %q", region, attr, got, keep.ids[region][attr])
				}
			}
			if got := a["regions."+region+".subscription_arn"]; got != "" {
				return fmt.Errorf("%s: a subscription %s imported, though it went with the topic", region, got)
			}
			if !strings.Contains(strings.Join(driftOf(a, region), "\n"), "topic: missing") {
				return fmt.Errorf("%s: the drift does not say the topic is missing: %v", region, driftOf(a, region))
			}
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(keep.save(), func(s *terraform.State) error {
					topicARN = s.RootModule().Resources[resourceName].Primary.Attributes["topic_arn"]
					return nil
				}),
			},
			// Out of the state, the topic deleted.
			{Config: removedConfig()},
			{
				PreConfig:        deleteTopic,
				Config:           config,
				ResourceName:     resourceName,
				ImportState:      true,
				ImportStateId:    name + "@" + r1,
				ImportStateCheck: imported,
			},
			{
				Config:             config,
				ResourceName:       resourceName,
				ImportState:        true,
				ImportStateIdFunc:  func(*terraform.State) (string, error) { return topicARN, nil },
				ImportStateCheck:   imported,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate),
						planShows{drift: "topic deleted, bus imported", phrases: []string{`"topic_arn":null`, "topic: missing"}},
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					keep.adopted(r1),
					keep.adopted(r2),
					func(s *terraform.State) error {
						return resource.TestCheckResourceAttr(resourceName, "topic_arn", topicARN)(s)
					},
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r1, r2),
				),
			},
			{
				Config:        config,
				ResourceName:  resourceName,
				ImportState:   true,
				ImportStateId: "nothing-here@" + r1,
				ExpectError:   acctest.ErrorRegexp("Cannot import the Regis bus", `No object of bus "nothing-here" with home region `+r1, "to create the bus, remove the import and run terraform apply"),
			},
		},
	})
}

// driftOf lists a region's drift from flat state attributes.
func driftOf(a map[string]string, region string) []string {
	var out []string
	for k, v := range a {
		if strings.HasPrefix(k, "regions."+region+".drift.") && !strings.HasSuffix(k, ".#") {
			out = append(out, v)
		}
	}
	return out
}

// --------------------------------------------------------- state upgrade

// v0Server serves the provider as it was at schema version 0, whose id was
// the topic's ARN: the schema says version 0, and every state it returns
// (planned, applied, read, upgraded) has the topic ARN for id.
type v0Server struct {
	tfprotov6.ProviderServer
	typ tftypes.Type
}

func (s *v0Server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := s.ProviderServer.GetProviderSchema(ctx, req)
	if err == nil && resp.ResourceSchemas["regis_bus"] != nil {
		resp.ResourceSchemas["regis_bus"].Version = 0
		s.typ = resp.ResourceSchemas["regis_bus"].ValueType()
	}
	return resp, err
}

// v0 rewrites the id of a regis_bus state as the topic's ARN.
func (s *v0Server) v0(dv *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	if dv == nil || s.typ == nil {
		return dv
	}
	v, err := dv.Unmarshal(s.typ)
	if err != nil || !v.IsKnown() || v.IsNull() {
		return dv
	}
	var attrs map[string]tftypes.Value
	if v.As(&attrs) != nil {
		return dv
	}
	attrs["id"] = attrs["topic_arn"]
	out, err := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, attrs))
	if err != nil {
		return dv
	}
	return &out
}

func (s *v0Server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil && req.TypeName == "regis_bus" {
		resp.PlannedState = s.v0(resp.PlannedState)
	}
	return resp, err
}

func (s *v0Server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil && req.TypeName == "regis_bus" {
		resp.NewState = s.v0(resp.NewState)
	}
	return resp, err
}

func (s *v0Server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil && req.TypeName == "regis_bus" {
		resp.NewState = s.v0(resp.NewState)
	}
	return resp, err
}

func (s *v0Server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	resp, err := s.ProviderServer.UpgradeResourceState(ctx, req)
	if resp != nil && req.TypeName == "regis_bus" {
		resp.UpgradedState = s.v0(resp.UpgradedState)
	}
	return resp, err
}

// A state written at schema version 0 (id = the topic's ARN) is upgraded
// by the current provider: the id becomes "<name>@<home_region>", nothing
// else changes (the plan is empty), and the bus reads and deletes as any.
func TestAccBus_upgradeFromV0(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	config := testBusConfig(name, regionsOf(r1))
	v0 := map[string]func() (tfprotov6.ProviderServer, error){
		acctest.ProviderName: func() (tfprotov6.ProviderServer, error) {
			s, err := acctest.ProtoV6ProviderFactories[acctest.ProviderName]()
			if err != nil {
				return nil, err
			}
			return &v0Server{ProviderServer: s}, nil
		},
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:     func() { preCheck(t) },
		CheckDestroy: checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: v0,
				Config:                   config,
				ConfigPlanChecks:         emptyPlanAfterApply(),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(resourceName, "id", regexp.MustCompile(`^arn:aws:sns:`+r1+`:\d{12}:`+name+`$`)),
					resource.TestCheckResourceAttrPair(resourceName, "id", resourceName, "topic_arn"),
				),
			},
			{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Config:                   config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "id", name+"@"+r1),
					resource.TestMatchResourceAttr(resourceName, "topic_arn", regexp.MustCompile(`^arn:aws:sns:`+r1+`:\d{12}:`+name+`$`)),
					checkStateMatchesInventory(t, name),
				),
			},
		},
	})
}

// Objects of the bus's names made by hand before the first apply, with
// other settings than the bus's — the topic unencrypted and tagged, a queue
// with another visibility timeout, that queue subscribed without raw
// delivery — are adopted by the create and brought to the configuration:
// one apply, an empty plan after, nothing orphaned or duplicated.
func TestAccBus_adoptsHandMade(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	config := testBusConfig(name, regionsOf(r1))
	var made struct{ topic, queueURL, queueARN, subscription string }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck: func() {
			preCheck(t)
			ctx := context.Background()
			c := acctest.Client(t)
			must := func(what string, err error) {
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			topic, err := c.SNS(ctx, r1).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Tags: []snstypes.Tag{{Key: aws.String("made"), Value: aws.String("by-hand")}}})
			must("topic", err)
			made.topic = aws.ToString(topic.TopicArn)
			q, err := c.SQS(ctx, r1).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"VisibilityTimeout": "45"}})
			must("queue", err)
			made.queueURL = aws.ToString(q.QueueUrl)
			qa, err := c.SQS(ctx, r1).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
			must("queue ARN", err)
			made.queueARN = qa.Attributes["QueueArn"]
			sub, err := c.SNS(ctx, r1).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(made.queueARN),
				Attributes: map[string]string{"RawMessageDelivery": "false"}, ReturnSubscriptionArn: true})
			must("subscription", err)
			made.subscription = aws.ToString(sub.SubscriptionArn)
		},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply(),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					ids, err := recordedIDs(s)
					if err != nil {
						return err
					}
					if ids[""]["topic_arn"] != made.topic || ids[r1]["queue_url"] != made.queueURL {
						return fmt.Errorf("topic %s and queue %s recorded, want the ones made by hand, %s and %s", ids[""]["topic_arn"], ids[r1]["queue_url"], made.topic, made.queueURL)
					}
					return nil
				},
				resource.TestCheckNoResourceAttr(resourceName, "tags_all.made"),
				resource.TestCheckResourceAttr(resourceName, "regions."+r1+".queue.visibility_timeout", "30"),
				checkStateMatchesInventory(t, name),
				testAccCheckBusWiring(t, r1, r1),
			),
		}},
	})
}
