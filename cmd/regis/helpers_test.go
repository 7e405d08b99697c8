package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

const (
	topicRegion = "ap-southeast-1"
	otherRegion = "ap-south-1"
	// testMaxReceives is the buses' maxReceiveCount, low so that tests can
	// exhaust it.
	testMaxReceives = 2
)

var busRegions = []string{topicRegion, otherRegion}

// testBus is a Regis bus built by hand in the emulator, as regis_bus builds
// it: a topic in ap-southeast-1 and, in each of ap-southeast-1 and
// ap-south-1, a queue with a DLQ (RedrivePolicy), a policy letting the topic
// send, and a raw subscription.
type testBus struct {
	emu      *emulator.Emulator
	base     aws.Config
	topicARN string
	queues   map[string]*testQueue
}

type testQueue struct {
	region           string
	url, arn         string
	dlqURL, dlqARN   string
	client           *sqs.Client
	queueName, dlqNm string
}

func newTestBus(t *testing.T) *testBus {
	t.Helper()
	ctx := context.Background()
	emu := emulatortest.Start(t)
	b := &testBus{emu: emu, base: emulatortest.Config(t, emu, "us-east-1"), queues: map[string]*testQueue{}}
	snsc := sns.NewFromConfig(b.config(topicRegion))
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("regis-test")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	b.topicARN = aws.ToString(topic.TopicArn)
	for _, region := range busRegions {
		q := &testQueue{region: region, client: sqs.NewFromConfig(b.config(region))}
		q.dlqNm, q.queueName = "regis-test-"+region+"-dlq", "regis-test-"+region
		q.dlqURL, q.dlqARN = createQueue(t, q.client, q.dlqNm, nil)
		redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": q.dlqARN, "maxReceiveCount": testMaxReceives})
		q.url, q.arn = createQueue(t, q.client, q.queueName, map[string]string{"RedrivePolicy": string(redrive)})
		policy, _ := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "sns.amazonaws.com"},
				"Action":    "sqs:SendMessage",
				"Resource":  q.arn,
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": b.topicARN}},
			}},
		})
		if _, err := q.client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(q.url),
			Attributes: map[string]string{"Policy": string(policy)}}); err != nil {
			t.Fatalf("SetQueueAttributes: %v", err)
		}
		if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(q.arn), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
			t.Fatalf("Subscribe %s: %v", region, err)
		}
		b.queues[region] = q
	}
	return b
}

func (b *testBus) config(region string) aws.Config {
	cfg := b.base.Copy()
	cfg.Region = region
	return cfg
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

// result is what one CLI run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the CLI against the emulator.
func (b *testBus) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return b.runCtx(context.Background(), t, strings.NewReader(stdin), args...)
}

func (b *testBus) runCtx(ctx context.Context, t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:  stdin,
		stdout: &stdout,
		stderr: &stderr,
		loadConfig: func(context.Context, awsOptions) (aws.Config, error) {
			return b.base.Copy(), nil
		},
		now: time.Now,
	}
	code := a.run(ctx, args)
	t.Logf("regis %s → %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// depths returns a queue's visible, in-flight and delayed counts.
func depths(t *testing.T, c *sqs.Client, url string) (visible, inFlight, delayed int) {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	n := func(k string) int { v, _ := strconv.Atoi(out.Attributes[k]); return v }
	return n("ApproximateNumberOfMessages"), n("ApproximateNumberOfMessagesNotVisible"), n("ApproximateNumberOfMessagesDelayed")
}

func visible(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	v, _, _ := depths(t, c, url)
	return v
}

func send(t *testing.T, c *sqs.Client, url, body string, attrs map[string]string) {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}
	if len(attrs) > 0 {
		in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{}
		for k, v := range attrs {
			if v == "" {
				continue // SQS refuses empty values; the consumer leaves them out
			}
			in.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	if _, err := c.SendMessage(context.Background(), in); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
}

// deadLetterAttrs are the attributes the consumer sets on a poison message.
func deadLetterAttrs(reason, errText, origin, sourceID string) map[string]string {
	return map[string]string{
		contract.AttrReason:          reason,
		contract.AttrError:           errText,
		contract.AttrOriginRegion:    origin,
		contract.AttrSourceMessageID: sourceID,
		contract.AttrBus:             "regis-test",
	}
}

// wireMessage encodes a Regis message with the given commands.
func wireMessage(t *testing.T, id string, cmds ...[]string) string {
	t.Helper()
	m := &regis.Message{ID: id, Origin: regis.Origin{Region: topicRegion, Service: "hotels"}, PublishedAt: time.Now()}
	for _, c := range cmds {
		m.Commands = append(m.Commands, regis.Command{Args: c})
	}
	body, err := regis.Encode(m, regis.EncodeOptions{})
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return string(body)
}

// receiveAll receives (and deletes) messages from a queue until want
// arrived or a deadline passes.
func receiveAll(t *testing.T, c *sqs.Client, url string, want int) []sqstypes.Message {
	t.Helper()
	ctx := context.Background()
	var got []sqstypes.Message
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			got = append(got, m)
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
	}
	if len(got) < want {
		t.Fatalf("received %d messages from %s, want %d", len(got), url, want)
	}
	return got
}
