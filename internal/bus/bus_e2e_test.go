package bus_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	goredis "github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// TestAccBus_endToEnd deploys a bus over two regions, each with its own real
// redis-server, and checks that commands published with regis.Publisher
// reach both Redis servers through the real bundled consumer (run by the
// emulator as a process), that a poison message lands in both dead-letter
// queues with its reason, and that regis_bus_status reports it.
func TestAccBus_endToEnd(t *testing.T) {
	redistest.RequireServer(t)
	emu := acctest.Emulator(t)
	name := acctest.RandomName("tf-acc-e2e")
	redis1 := redistest.Start(t, redistest.Options{})
	redis2 := redistest.Start(t, redistest.Options{})
	config := testBusConfig(name, []regionConfig{
		{Region: r1, Redis: redis1.Addr},
		{Region: r2, Redis: redis2.Addr},
	})
	status := config + `
data "regis_bus_status" "test" {
  topic_arn = regis_bus.test.topic_arn
}

data "regis_bus_status" "by_name" {
  name = regis_bus.test.name
}
`
	ds := "data.regis_bus_status.test"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoBusObjects(t, name),
		Steps: []resource.TestStep{
			{
				Config:           config,
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(s *terraform.State) error {
					ids, err := recordedIDs(s)
					if err != nil {
						return err
					}
					return replicate(t, emulatortest.Config(t, emu, r1), ids, map[string]*redistest.Server{r1: redis1, r2: redis2})
				},
			},
			{
				Config: status,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair(ds, "topic_arn", resourceName, "topic_arn"),
					resource.TestCheckResourceAttrPair("data.regis_bus_status.by_name", "topic_arn", resourceName, "topic_arn"),
					resource.TestCheckResourceAttr("data.regis_bus_status.by_name", "status."+r2+".dlq_depth", "1"),
					resource.TestCheckResourceAttr(ds, "regions.#", "2"),
					resource.TestCheckResourceAttr(ds, "status.%", "2"),
					resource.TestCheckResourceAttr(ds, "status."+r1+".dlq_depth", "1"),
					resource.TestCheckResourceAttr(ds, "status."+r2+".dlq_depth", "1"),
					resource.TestCheckResourceAttr(ds, "status."+r1+".queue_depth", "0"),
					resource.TestCheckResourceAttr(ds, "status."+r2+".in_flight", "0"),
					resource.TestCheckResourceAttr(ds, "status."+r1+".event_source_mapping_state", "Enabled"),
					resource.TestCheckResourceAttr(ds, "status."+r2+".report_batch_item_failures", "true"),
					resource.TestCheckResourceAttrPair(ds, "status."+r2+".dlq_url", resourceName, "regions."+r2+".dlq_url"),
					// The age comes from CloudWatch (AWS/SQS ApproximateAgeOfOldestMessage).
					resource.TestCheckResourceAttrSet(ds, "status."+r1+".dlq_oldest_message_age"),
					resource.TestCheckResourceAttrSet(ds, "status."+r2+".dlq_oldest_message_age"),
				),
			},
			{
				// A region the bus does not reach is reported empty (with a
				// warning), not an error for the whole read.
				Config: config + `
data "regis_bus_status" "test" {
  topic_arn = regis_bus.test.topic_arn
  regions   = ["` + r1 + `", "eu-central-1"]
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(ds, "status.%", "2"),
					resource.TestCheckResourceAttr(ds, "status."+r1+".dlq_depth", "1"),
					resource.TestCheckNoResourceAttr(ds, "status.eu-central-1.queue_url"),
					resource.TestCheckNoResourceAttr(ds, "status.eu-central-1.queue_depth"),
					resource.TestCheckResourceAttr(ds, "status.eu-central-1.report_batch_item_failures", "false"),
				),
			},
		},
	})
}

// replicate publishes commands and a poison message and waits for their
// effects in every region.
func replicate(t *testing.T, cfg aws.Config, ids map[string]map[string]string, servers map[string]*redistest.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	topic := ids[""]["topic_arn"]
	snsc := sns.NewFromConfig(cfg)
	pub, err := regis.NewPublisher(snsc, topic, regis.Options{Origin: regis.Origin{Region: r1, Service: "acc-test"}})
	if err != nil {
		return err
	}
	results := []*regis.Result{}
	for i := range 20 {
		res, err := pub.Set(ctx, "user:"+strconv.Itoa(i), "name-"+strconv.Itoa(i))
		if err != nil {
			return fmt.Errorf("publishing SET: %w", err)
		}
		results = append(results, res)
	}
	res, err := pub.HSet(ctx, "hotel:42", "name", "Raffles", "city", "Singapore")
	if err != nil {
		return fmt.Errorf("publishing HSET: %w", err)
	}
	results = append(results, res)
	for _, r := range results {
		if err := r.Wait(ctx); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	if err := pub.Close(ctx); err != nil {
		return err
	}
	// A poison message: not a Regis message at all.
	if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"v":1,"cmds":[["INCR"`)}); err != nil {
		return fmt.Errorf("publishing the poison message: %w", err)
	}

	for region, srv := range servers {
		rc := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
		defer rc.Close()
		if err := eventually(ctx, func() error {
			for i := range 20 {
				k, want := "user:"+strconv.Itoa(i), "name-"+strconv.Itoa(i)
				got, err := rc.Get(ctx, k).Result()
				if err != nil {
					return fmt.Errorf("%s: GET %s: %w", region, k, err)
				}
				if got != want {
					return fmt.Errorf("%s: GET %s = %q, want %q", region, k, got, want)
				}
			}
			h, err := rc.HGetAll(ctx, "hotel:42").Result()
			if err != nil {
				return fmt.Errorf("%s: HGETALL hotel:42: %w", region, err)
			}
			if h["name"] != "Raffles" || h["city"] != "Singapore" {
				return fmt.Errorf("%s: HGETALL hotel:42 = %v", region, h)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("commands did not reach Redis in %s: %w", region, err)
		}
	}

	c := acctest.Client(t)
	for region := range servers {
		sq := c.SQS(ctx, region)
		dlq := ids[region]["dlq_url"]
		if err := eventually(ctx, func() error {
			out, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(dlq), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
			if err != nil {
				return err
			}
			if n := out.Attributes["ApproximateNumberOfMessages"]; n != "1" {
				return fmt.Errorf("%s: DLQ holds %s messages", region, n)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("the poison message did not reach the DLQ of %s: %w", region, err)
		}
		// Look at it, then make it visible again at once: the consumer
		// recorded why it is there.
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 1, MessageAttributeNames: []string{"All"}})
		if err != nil {
			return err
		}
		if len(out.Messages) != 1 {
			return fmt.Errorf("%s: received %d dead letters", region, len(out.Messages))
		}
		m := out.Messages[0]
		if _, err := sq.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			return err
		}
		reason := aws.ToString(m.MessageAttributes[contract.AttrReason].StringValue)
		if reason == "" || aws.ToString(m.MessageAttributes[contract.AttrBus].StringValue) == "" {
			return fmt.Errorf("%s: dead letter without reason: attributes %v", region, m.MessageAttributes)
		}
		t.Logf("%s: dead letter reason %q: %s", region, reason, aws.ToString(m.MessageAttributes[contract.AttrError].StringValue))
	}
	return nil
}

// eventually retries check every 250 ms until it passes or ctx ends.
func eventually(ctx context.Context, check func() error) error {
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}
