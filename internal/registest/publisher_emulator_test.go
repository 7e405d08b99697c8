package registest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

const emulatorRegion = "ap-southeast-1"

// bus is a Regis topic with one queue subscribed by raw delivery, as the
// regis_bus resource builds it, in the emulator.
type bus struct {
	sns      *sns.Client
	sqs      *sqs.Client
	topicARN string
	queueURL string
}

func newBus(t *testing.T) *bus {
	t.Helper()
	ctx := context.Background()
	emu := emulatortest.Start(t)
	cfg := emulatortest.Config(t, emu, emulatorRegion)
	b := &bus{sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}

	topic, err := b.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("regis-bus")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	b.topicARN = aws.ToString(topic.TopicArn)
	queue, err := b.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("regis-" + emulatorRegion)})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	b.queueURL = aws.ToString(queue.QueueUrl)
	attrs, err := b.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	queueARN := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	policy, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": b.topicARN}},
		}},
	})
	if _, err := b.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		Attributes: map[string]string{"Policy": string(policy)}}); err != nil {
		t.Fatalf("SetQueueAttributes: %v", err)
	}
	if _, err := b.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	return b
}

// receive reads and deletes messages until want commands have arrived.
func (b *bus) receive(t *testing.T, want int) (msgs []*regis.Message, bodies []string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	got := 0
	for got < want {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d commands", got, want)
		}
		out, err := b.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(b.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			body := aws.ToString(m.Body)
			msg, err := regis.Decode([]byte(body))
			if err != nil {
				t.Fatalf("a delivered message does not decode: %v", err)
			}
			msgs, bodies = append(msgs, msg), append(bodies, body)
			got += len(msg.Commands)
			if _, err := b.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(b.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
	}
	return msgs, bodies
}

// commandStream publishes n SET commands whose arguments total 200 bytes
// (a 20-byte key) and returns their keys in order.
func commandStream(t *testing.T, p *regis.Publisher, n int, value func(i, size int) string) []string {
	t.Helper()
	ctx := context.Background()
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("hotel:%014d", i)
		v := value(i, 200-len("SET")-len(keys[i]))
		if _, err := p.Set(ctx, keys[i], v); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return keys
}

// checkStream asserts every command arrived exactly once, in order (a
// single worker sends messages in order; SNS and SQS do not reorder them in
// the emulator), and every body is within the SNS limit.
func checkStream(t *testing.T, msgs []*regis.Message, bodies []string, keys []string) {
	t.Helper()
	var got []string
	for _, m := range msgs {
		for _, c := range m.Commands {
			got = append(got, c.Args[1])
		}
	}
	if len(got) != len(keys) {
		t.Fatalf("received %d commands, published %d", len(got), len(keys))
	}
	for i := range keys {
		if got[i] != keys[i] {
			t.Fatalf("command %d is %s, want %s", i, got[i], keys[i])
		}
	}
	for i, b := range bodies {
		if len(b) > regis.MaxMessageSize {
			t.Errorf("message %d: %d bytes > %d", i, len(b), regis.MaxMessageSize)
		}
	}
}

func TestEmulatorPublishUncompressed(t *testing.T) {
	b := newBus(t)
	p, err := regis.NewPublisher(b.sns, b.topicARN, regis.Options{
		Origin:      regis.Origin{Region: emulatorRegion, Service: "emulator-test"},
		Concurrency: 1,
		Linger:      time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())

	const n = 6000
	keys := commandStream(t, p, n, func(i, size int) string {
		v := fmt.Sprintf("%d:", i)
		return v + strings.Repeat("v", size-len(v))
	})
	msgs, bodies := b.receive(t, n)
	checkStream(t, msgs, bodies, keys)
	for i, m := range msgs[:len(msgs)-1] {
		if len(m.Commands) < 1200 {
			t.Errorf("message %d carries %d commands of 200 bytes, want ≥ 1200", i, len(m.Commands))
		}
		if strings.Contains(bodies[i], `"zip"`) {
			t.Errorf("message %d is compressed", i)
		}
	}
	st := p.Stats()
	if st.Messages != uint64(len(msgs)) || st.CommandsPublished != n {
		t.Errorf("stats %+v, %d messages received", st, len(msgs))
	}
	t.Logf("%d commands in %d messages: %d per full message, %d bytes", n, len(msgs), len(msgs[0].Commands), len(bodies[0]))
}

func TestEmulatorPublishCompressed(t *testing.T) {
	b := newBus(t)
	p, err := regis.NewPublisher(b.sns, b.topicARN, regis.Options{
		Origin:      regis.Origin{Region: emulatorRegion, Service: "emulator-test"},
		Concurrency: 1,
		Linger:      time.Hour,
		Compression: regis.CompressionGzip,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())

	const n = 20000
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"pool", "spa", "gym", "wifi", "bar", "sea view", "parking", "breakfast", "pets", "quiet"}
	keys := commandStream(t, p, n, func(i, size int) string {
		// A JSON document, as services cache them: compressible, not trivially.
		v := fmt.Sprintf(`{"id":%d,"name":"Hotel %d","city":"Singapore","stars":%d,"price":%d,"tags":[`, i, rng.IntN(100000), 1+rng.IntN(5), rng.IntN(90000))
		for len(v) < size-20 {
			v += `"` + words[rng.IntN(len(words))] + `",`
		}
		v += `"end"]}`
		return v + strings.Repeat(" ", size-len(v))
	})
	msgs, bodies := b.receive(t, n)
	checkStream(t, msgs, bodies, keys)
	full := 0
	for i, m := range msgs[:len(msgs)-1] {
		raw, err := regis.EncodeCommands(m.Commands)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(bodies[i], `"zip":"gzip"`) {
			t.Errorf("message %d is not compressed", i)
		}
		if len(raw) <= regis.MaxMessageSize {
			t.Errorf("message %d carries %d bytes of commands, want > 256 KiB", i, len(raw))
		}
		full++
	}
	if full == 0 {
		t.Fatal("every command fitted in one message: publish more")
	}
	st := p.Stats()
	t.Logf("%d commands in %d messages: %d per full message, %.0f KiB of commands in a %d-byte body",
		n, len(msgs), len(msgs[0].Commands), float64(st.CommandBytes)/float64(st.Messages)/1024, len(bodies[0]))
}
