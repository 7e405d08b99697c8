package bus_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip/consumerziptest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// changeCheck asserts what one step created and deleted in the emulator.
type changeCheck struct {
	before  inventorySnapshot
	created map[string]int // type → count
	deleted map[string]int
	// regions that created or deleted objects (besides the subscription,
	// which lives in the home region, and IAM, which is global) must be in.
	regions []string
}

func (c *changeCheck) pre(t *testing.T, name string) func() {
	return func() { c.before = snapshot(t, name) }
}

func (c *changeCheck) check(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		created, deleted := snapshot(t, name).diff(c.before)
		if err := sameCounts("created", created, c.created, c.regions); err != nil {
			return err
		}
		return sameCounts("deleted", deleted, c.deleted, c.regions)
	}
}

func sameCounts(what string, objs []core.Resource, want map[string]int, regions []string) error {
	got := map[string]int{}
	for _, r := range objs {
		got[r.Type]++
		switch r.Type {
		case "subscription", "role", "role-policy":
			// home region / global: the id names the region for roles.
			if r.Type != "subscription" && !containsAny(r.ID, regions) {
				return fmt.Errorf("%s %s: not one of the regions %v", what, r.ID, regions)
			}
		default:
			if !contains(regions, r.Region) {
				return fmt.Errorf("%s %s in %s: only %v should change", what, r.ID, r.Region, regions)
			}
		}
	}
	for typ, n := range want {
		if got[typ] != n {
			return fmt.Errorf("%s %d %s, want %d; all %s: %v", what, got[typ], typ, n, what, describe(objs))
		}
	}
	for typ, n := range got {
		if want[typ] == 0 && n > 0 {
			return fmt.Errorf("%s %d unexpected %s: %s", what, n, typ, describe(objs))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// regionObjects is what one region adds: queue and DLQ, the subscription,
// the role and its policy, the function, the mapping and two alarms.
func regionObjects(n int) map[string]int {
	return map[string]int{"queue": 2 * n, "subscription": n, "role": n, "role-policy": n, "function": n, "event-source-mapping": n, "alarm": 2 * n}
}

// sameIDs asserts that a region's ids did not change between two steps.
type idKeeper struct{ ids map[string]map[string]string }

func (k *idKeeper) save() resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids, err := recordedIDs(s)
		k.ids = ids
		return err
	}
}

func (k *idKeeper) unchanged(region string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		for _, attr := range []string{"queue_arn", "dlq_arn", "subscription_arn", "function_arn", "role_arn", "event_source_mapping_id"} {
			if ids[region][attr] != k.ids[region][attr] || ids[region][attr] == "" {
				return fmt.Errorf("%s %s changed: %q → %q", region, attr, k.ids[region][attr], ids[region][attr])
			}
		}
		return nil
	}
}

func TestAccBus_update(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	var add, tune, remove changeCheck
	var keep idKeeper
	tuned := []regionConfig{
		{Region: r1},
		{Region: r2,
			Consumer: "memory_size = 512\nbatch_size = 50\nbatching_window = 2\nmax_concurrency = 5\nordered = true\nlog_level = \"debug\"\nenvironment = { SENTRY_DSN = \"https://key@sentry.example/1\" }",
			Queue:    "max_receive_count = 7\nmessage_retention = 7200\ndlq_retention = 86400",
			Alarms:   "alarms = {\n  dlq_not_empty = false\n  oldest_message_age_threshold = 600\n}"},
	}
	add = changeCheck{created: regionObjects(1), regions: []string{r2}}
	tune = changeCheck{deleted: map[string]int{"alarm": 1}, regions: []string{r2}} // dlq_not_empty = false
	remove = changeCheck{deleted: regionObjects(1), regions: []string{r1}}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config:           testBusConfig(name, regionsOf(r1)),
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "regions.%", "1"),
					keep.save(),
				),
			},
			// Add a region: only its objects are created.
			{
				PreConfig: add.pre(t, name),
				Config:    testBusConfig(name, regionsOf(r1, r2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate),
						// The new region's names are known at plan.
						plancheck.ExpectKnownValue(resourceName, tfjsonpath.New("regions").AtMapKey(r2).AtMapKey("function_name"), knownvalue.StringExact(name+"-consumer")),
						plancheck.ExpectKnownValue(resourceName, tfjsonpath.New("regions").AtMapKey(r2).AtMapKey("role_name"), knownvalue.StringExact(name+"-consumer-"+r2)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "regions.%", "2"),
					add.check(t, name),
					keep.unchanged(r1),
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r1, r2),
					func(s *terraform.State) error { return keep.save()(s) },
				),
			},
			// Change consumer, queue and alarm settings in place.
			{
				PreConfig: tune.pre(t, name),
				Config:    testBusConfig(name, tuned),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					tune.check(t, name),
					keep.unchanged(r1),
					keep.unchanged(r2),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".consumer.memory_size", "512"),
					resource.TestCheckNoResourceAttr(resourceName, "regions."+r2+".dlq_alarm_name"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".oldest_message_age_alarm_name", name+"-oldest-message-age"),
					testAccCheckTuned(t, name, r2),
				),
			},
			// Remove a region: only its objects are deleted, including its
			// subscription on the topic.
			{
				PreConfig: remove.pre(t, name),
				Config:    testBusConfig(name, tuned[1:]),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "regions.%", "1"),
					remove.check(t, name),
					keep.unchanged(r2),
					checkStateMatchesInventory(t, name),
				),
			},
			// A bus-wide argument (tags) reaches every object in place.
			{
				Config: testBusConfig(name, tuned[1:], `tags = { stage = "two" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "tags_all.stage", "two"),
					keep.unchanged(r2),
					testAccCheckTagged(t, r2, "stage", "two"),
				),
			},
		},
	})
}

func testAccCheckTagged(t *testing.T, region, key, value string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.Client(t)
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		a := ids[region]
		for _, url := range []string{a["queue_url"], a["dlq_url"]} {
			tags, err := c.SQS(ctx, region).ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
			if err != nil {
				return err
			}
			if tags.Tags[key] != value {
				return fmt.Errorf("queue %s tags %v", url, tags.Tags)
			}
		}
		f, err := c.Lambda(ctx, region).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a["function_name"])})
		if err != nil {
			return err
		}
		if f.Tags[key] != value {
			return fmt.Errorf("function tags %v", f.Tags)
		}
		r, err := c.IAM(ctx).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(a["role_name"])})
		if err != nil {
			return err
		}
		for _, tg := range r.Role.Tags {
			if aws.ToString(tg.Key) == key && aws.ToString(tg.Value) == value {
				return nil
			}
		}
		return fmt.Errorf("role tags %v", r.Role.Tags)
	}
}

// testAccCheckTuned checks through the APIs that the settings of the tune
// step reached the function, the mapping, the queues and the alarm.
func testAccCheckTuned(t *testing.T, name, region string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.Client(t)
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		a := ids[region]
		f, err := c.Lambda(ctx, region).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a["function_name"])})
		if err != nil {
			return err
		}
		env := f.Configuration.Environment.Variables
		if aws.ToInt32(f.Configuration.MemorySize) != 512 || env["REGIS_ORDERED"] != "true" || env["REGIS_LOG_LEVEL"] != "debug" || env["SENTRY_DSN"] == "" {
			return fmt.Errorf("function memory %d environment %v", aws.ToInt32(f.Configuration.MemorySize), env)
		}
		m, err := c.Lambda(ctx, region).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(a["event_source_mapping_id"])})
		if err != nil {
			return err
		}
		if aws.ToInt32(m.BatchSize) != 50 || aws.ToInt32(m.MaximumBatchingWindowInSeconds) != 2 || aws.ToInt32(m.ScalingConfig.MaximumConcurrency) != 5 ||
			len(m.FunctionResponseTypes) != 1 || m.FunctionResponseTypes[0] != lambdatypes.FunctionResponseTypeReportBatchItemFailures {
			return fmt.Errorf("mapping batch %d window %d concurrency %v response types %v", aws.ToInt32(m.BatchSize), aws.ToInt32(m.MaximumBatchingWindowInSeconds), m.ScalingConfig, m.FunctionResponseTypes)
		}
		q, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(a["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			return err
		}
		if q.Attributes["MessageRetentionPeriod"] != "7200" || !strings.Contains(q.Attributes["RedrivePolicy"], "7") {
			return fmt.Errorf("queue attributes %v", q.Attributes)
		}
		d, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(a["dlq_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameMessageRetentionPeriod}})
		if err != nil {
			return err
		}
		if d.Attributes["MessageRetentionPeriod"] != "86400" {
			return fmt.Errorf("DLQ retention %s", d.Attributes["MessageRetentionPeriod"])
		}
		al, err := c.CloudWatch(ctx, region).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name + "-oldest-message-age"}})
		if err != nil {
			return err
		}
		if len(al.MetricAlarms) != 1 || aws.ToFloat64(al.MetricAlarms[0].Threshold) != 600 {
			return fmt.Errorf("age alarm %+v", al.MetricAlarms)
		}
		return nil
	}
}

// TestAccBus_import imports a bus with every optional argument set and
// checks that import finds all of it.
func TestAccBus_import(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	regions := []regionConfig{
		{Region: r1, Consumer: "memory_size = 384\nbatch_size = 20\nbatching_window = 1\nmetrics_namespace = \"RegisTest\"",
			Alarms: "alarms = {\n  oldest_message_age_threshold = 0\n  alarm_actions = [\"arn:aws:sns:" + r1 + ":123456789012:ops\"]\n}"},
		{Region: r2, Queue: "max_receive_count = 3"},
	}
	config := testBusConfig(name, regions,
		`kms_key_id = "mrk-1234abcd12ab34cd56ef1234567890ab"`,
		`tombstone_ttl = "240h"`,
		`tags = { team = "platform", env = "test" }`,
	)
	// Redis with auth and a VPC in r2.
	arch := fmt.Sprintf("architecture = %q", hostArch())
	config = strings.Replace(config, "        tls = false\n      }\n      consumer = {\n        "+arch+"\n        timeout = 5\n      }\n      queue = {\n        visibility_timeout = 30\n        max_receive_count = 3",
		"        tls = false\n        cluster_mode = true\n        auth_secret_arn = \"arn:aws:secretsmanager:"+r2+":123456789012:secret:regis-redis-AbCdEf\"\n        username = \"regis\"\n      }\n"+
			"      vpc = {\n        subnet_ids = [\"subnet-0b\", \"subnet-0a\"]\n        security_group_ids = [\"sg-01\"]\n      }\n"+
			"      consumer = {\n        "+arch+"\n        timeout = 5\n      }\n      queue = {\n        visibility_timeout = 30\n        max_receive_count = 3", 1)
	if !strings.Contains(config, "auth_secret_arn") {
		t.Fatal("test bug: the region with auth was not rendered")
	}
	// Provider default tags: in tags_all and on the objects, not in tags.
	config = strings.Replace(config, "provider \"regis\" {\n", "provider \"regis\" {\n  default_tags {\n    tags = { owner = \"regis-acc\", team = \"default\" }\n  }\n", 1)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "kms_key_id", "mrk-1234abcd12ab34cd56ef1234567890ab"),
					resource.TestCheckResourceAttr(resourceName, "tags_all.team", "platform"),
					resource.TestCheckResourceAttr(resourceName, "tags_all.owner", "regis-acc"),
					resource.TestCheckResourceAttr(resourceName, "tags.%", "2"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".vpc.subnet_ids.#", "2"),
					resource.TestCheckNoResourceAttr(resourceName, "regions."+r1+".oldest_message_age_alarm_name"),
					checkStateMatchesInventory(t, name),
					testAccCheckKMSAndTags(t, r2),
				),
			},
			{
				ResourceName:            resourceName,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				ResourceName:  resourceName,
				ImportState:   true,
				ImportStateId: "arn:aws:sqs:" + r1 + ":123456789012:" + name,
				ExpectError:   acctest.ErrorRegexp("Invalid import ID", "not an SNS topic ARN"),
			},
		},
	})
}

func testAccCheckKMSAndTags(t *testing.T, region string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.Client(t)
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		a := ids[region]
		q, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(a["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			return err
		}
		if q.Attributes["KmsMasterKeyId"] != "mrk-1234abcd12ab34cd56ef1234567890ab" {
			return fmt.Errorf("queue key %q", q.Attributes["KmsMasterKeyId"])
		}
		tags, err := c.SQS(ctx, region).ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(a["queue_url"])})
		if err != nil {
			return err
		}
		if tags.Tags["team"] != "platform" || tags.Tags["owner"] != "regis-acc" {
			return fmt.Errorf("queue tags %v", tags.Tags)
		}
		topic, err := c.SNS(ctx, r1).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(ids[""]["topic_arn"])})
		if err != nil {
			return err
		}
		if topic.Attributes["KmsMasterKeyId"] != "mrk-1234abcd12ab34cd56ef1234567890ab" {
			return fmt.Errorf("topic key %q", topic.Attributes["KmsMasterKeyId"])
		}
		return nil
	}
}

// TestAccBus_drift changes a bus out of band in ways that lose commands and
// checks that refresh reports each change and the next apply repairs it.
func TestAccBus_drift(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	config := testBusConfig(name, regionsOf(r1, r2))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  resource.ComposeTestCheckFunc(saveState(&driftState)),
			},
			{
				PreConfig: func() { breakBus(t, driftState[name]) },
				// Refresh only: the state shows the damage.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemAttr(resourceName, "regions."+r2+".drift.*", "event source mapping: ReportBatchItemFailures is off, so a batch with one failed message would be deleted whole"),
					resource.TestCheckTypeSetElemAttr(resourceName, "regions."+r2+".drift.*", "queue: the policy differs from the one that lets the topic send"),
					resource.TestCheckTypeSetElemAttr(resourceName, "regions."+r2+".drift.*", "subscription: raw message delivery is off (the consumer would receive SNS envelopes)"),
					resource.TestCheckTypeSetElemAttr(resourceName, "regions."+r1+".drift.*", "IAM role: the regis-consumer policy was changed"),
					resource.TestCheckNoResourceAttr(resourceName, "regions."+r1+".subscription_arn"),
					resource.TestCheckNoResourceAttr(resourceName, "regions."+r1+".dlq_alarm_name"),
					// A deleted alarm is a missing object, not dlq_not_empty
					// turned false (which it read as before issue 11).
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".alarms.dlq_not_empty", "true"),
					resource.TestCheckTypeSetElemAttr(resourceName, "regions."+r1+".drift.*", "alarm "+name+"-dlq-not-empty: missing (deleted outside Terraform); the next apply creates it again"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.memory_size", "1024"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.batch_size", "3"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".drift.#", "0"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r2+".drift.#", "0"),
					resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer.memory_size", "256"),
					checkStateMatchesInventory(t, name),
					testAccCheckBusWiring(t, r1, r1, r2),
				),
			},
		},
	})
}

var driftState = map[string]map[string]map[string]string{}

func saveState(into *map[string]map[string]map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		name := s.RootModule().Resources[resourceName].Primary.Attributes["name"]
		(*into)[name] = ids
		return nil
	}
}

// breakBus makes the changes a hurried operator might make in the console.
func breakBus(t *testing.T, ids map[string]map[string]string) {
	ctx := context.Background()
	c := acctest.Client(t)
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("breaking the bus (%s): %v", what, err)
		}
	}
	a1, a2 := ids[r1], ids[r2]
	// r2: mapping without ReportBatchItemFailures, raw delivery off, queue policy replaced.
	_, err := c.Lambda(ctx, r2).UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(a2["event_source_mapping_id"]), FunctionResponseTypes: []lambdatypes.FunctionResponseType{}})
	must("mapping", err)
	_, err = c.SNS(ctx, r1).SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(a2["subscription_arn"]), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("false")})
	must("raw delivery", err)
	_, err = c.SQS(ctx, r2).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(a2["queue_url"]), Attributes: map[string]string{
		"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:SendMessage","Resource":"` + a2["queue_arn"] + `"}]}`}})
	must("queue policy", err)
	// r1: subscription deleted, memory and batch size changed, role policy
	// widened, DLQ alarm deleted.
	_, err = c.SNS(ctx, r1).Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(a1["subscription_arn"])})
	must("unsubscribe", err)
	_, err = c.Lambda(ctx, r1).UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(a1["function_name"]), MemorySize: aws.Int32(1024)})
	must("memory", err)
	waitFunction(t, c.Lambda(ctx, r1), a1["function_name"])
	_, err = c.Lambda(ctx, r1).UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(a1["event_source_mapping_id"]), BatchSize: aws.Int32(3)})
	must("batch size", err)
	_, err = c.IAM(ctx).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(a1["role_name"]), PolicyName: aws.String("regis-consumer"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)})
	must("role policy", err)
	_, err = c.CloudWatch(ctx, r1).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{a1["dlq_alarm_name"]}})
	must("alarm", err)
}

func waitFunction(t *testing.T, c *lambda.Client, name string) {
	w := lambda.NewFunctionUpdatedV2Waiter(c)
	if err := w.Wait(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 2*time.Minute); err != nil {
		t.Fatalf("waiting for %s: %v", name, err)
	}
}

// TestAccBus_userZip switches a bus from the bundled consumer to a zip of
// the user's and back: the code is updated in place.
func TestAccBus_userZip(t *testing.T) {
	name := acctest.RandomName("tf-acc-bus")
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "consumer.zip")
	var bundledSHA string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck: func() {
			preCheck(t)
			z, sha, err := consumerziptest.Zip(hostArch())
			if err != nil {
				t.Fatal(err)
			}
			bundledSHA = sha
			// A different package: the same zip with a comment appended
			// changes the digest.
			if err := os.WriteFile(zipPath, append(z[:len(z)-2:len(z)-2], 0x04, 0x00, 'r', 'e', 'g', 'i'), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config:      testBusConfig(name, regionsOf(r1), fmt.Sprintf("consumer_zip = %q", filepath.Join(dir, "missing.zip"))),
				PlanOnly:    true,
				ExpectError: acctest.ErrorRegexp("No consumer package", "cannot read", "missing.zip"),
			},
			{
				Config:           testBusConfig(name, regionsOf(r1)),
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(s *terraform.State) error {
					return resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer_code_sha256", bundledSHA)(s)
				},
			},
			{
				Config: testBusConfig(name, regionsOf(r1), fmt.Sprintf("consumer_zip = %q", zipPath)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					b, err := os.ReadFile(zipPath)
					if err != nil {
						return err
					}
					return resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer_code_sha256", consumerzip.CodeSHA256(b))(s)
				},
			},
		},
	})
}
