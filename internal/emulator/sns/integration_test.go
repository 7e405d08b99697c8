package sns_test

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
)

// startReal runs an emulator with the real SQS service.
func startReal(t *testing.T) (*emulator.Emulator, *sns.Service) {
	t.Helper()
	emu := emulatortest.Start(t)
	if _, ok := emu.Service("sqs").(core.QueueDeliverer); !ok {
		t.Skip("the SQS service is not registered")
	}
	return emu, emu.Service("sns").(*sns.Service)
}

type queue struct {
	url, arn string
	client   *awssqs.Client
}

// queuePolicy lets SNS send from topicARN, as the provider's modules do.
func queuePolicy(queueARN, topicARN string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "sns",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARN}},
		}},
	}
	out, _ := json.Marshal(doc)
	return string(out)
}

// newQueue creates a queue in region whose policy allows allowedTopic.
func newQueue(t *testing.T, emu *emulator.Emulator, region, name, allowedTopic string) queue {
	t.Helper()
	c := awssqs.NewFromConfig(emulatortest.Config(t, emu, region))
	out, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	q := queue{url: aws.ToString(out.QueueUrl), arn: attrs.Attributes["QueueArn"], client: c}
	if q.arn != queueARN(region, name) {
		t.Fatalf("QueueArn = %s", q.arn)
	}
	if _, err := c.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: out.QueueUrl,
		Attributes: map[string]string{"Policy": queuePolicy(q.arn, allowedTopic)}}); err != nil {
		t.Fatalf("SetQueueAttributes Policy: %v", err)
	}
	return q
}

// drain receives every message now in the queue.
func (q queue) drain(t *testing.T) []sqstypes.Message {
	t.Helper()
	var out []sqstypes.Message
	for {
		r, err := q.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatalf("ReceiveMessage %s: %v", q.arn, err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			if _, err := q.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(q.url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, r.Messages...)
	}
}

func TestIntegrationFanOutAcrossRegions(t *testing.T) {
	emu, svc := startReal(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "regis-bus", nil)

	rawLocal := newQueue(t, emu, region, "regis-raw", topic)
	rawRemote := newQueue(t, emu, otherRegion, "regis-raw", topic)
	envRemote := newQueue(t, emu, otherRegion, "regis-enveloped", topic)
	subscribe(t, c, topic, rawLocal.arn, map[string]string{"RawMessageDelivery": "true"})
	subscribe(t, c, topic, rawRemote.arn, map[string]string{"RawMessageDelivery": "true"})
	envSub := subscribe(t, c, topic, envRemote.arn, nil)

	body := `{"v":1,"cmds":[["SET","k","v"]]}`
	out, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(body), Subject: aws.String("cmd"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"regis-version": numAttr("1"),
			"origin":        strAttr(region),
			"blob":          {DataType: aws.String("Binary"), BinaryValue: []byte("\x01\x02")},
			"keys":          {DataType: aws.String("String.Array"), StringValue: aws.String(`["k"]`)},
		}})
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range []queue{rawLocal, rawRemote} {
		msgs := q.drain(t)
		if len(msgs) != 1 {
			t.Fatalf("%s received %d messages, want 1", q.arn, len(msgs))
		}
		m := msgs[0]
		if aws.ToString(m.Body) != body {
			t.Fatalf("%s body %q", q.arn, aws.ToString(m.Body))
		}
		a := m.MessageAttributes
		if len(a) != 4 || aws.ToString(a["regis-version"].DataType) != "Number" || aws.ToString(a["keys"].DataType) != "String.Array" || aws.ToString(a["regis-version"].StringValue) != "1" ||
			aws.ToString(a["origin"].StringValue) != region || string(a["blob"].BinaryValue) != "\x01\x02" {
			t.Fatalf("%s attributes %+v", q.arn, a)
		}
	}

	msgs := envRemote.drain(t)
	if len(msgs) != 1 {
		t.Fatalf("enveloped queue received %d messages", len(msgs))
	}
	if len(msgs[0].MessageAttributes) != 0 {
		t.Fatalf("enveloped delivery carries SQS attributes: %+v", msgs[0].MessageAttributes)
	}
	var env envelope
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &env); err != nil {
		t.Fatalf("envelope: %v\n%s", err, aws.ToString(msgs[0].Body))
	}
	if env.Type != "Notification" || env.MessageID != aws.ToString(out.MessageId) || env.TopicArn != topic ||
		env.Subject != "cmd" || env.Message != body || !timestampRE.MatchString(env.Timestamp) ||
		env.UnsubscribeURL != "https://sns.ap-southeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="+envSub {
		t.Fatalf("envelope %+v", env)
	}
	if env.MessageAttributes["regis-version"].Type != "Number" || env.MessageAttributes["regis-version"].Value != "1" ||
		env.MessageAttributes["origin"].Value != region || env.MessageAttributes["blob"].Value != "AQI=" {
		t.Fatalf("envelope attributes %+v", env.MessageAttributes)
	}
	verifySignature(t, svc, env)
}

func TestIntegrationQueuePolicyRefusal(t *testing.T) {
	emu, svc := startReal(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "regis-bus", nil)
	otherTopic := core.ARN("sns", region, account, "someone-else")

	// The queues allow another topic only: deliveries are refused.
	locked := newQueue(t, emu, otherRegion, "locked", otherTopic)
	lockedToo := newQueue(t, emu, region, "locked-too", otherTopic)
	dlq := newQueue(t, emu, region, "bus-dlq", topic)
	withDLQ := subscribe(t, c, topic, locked.arn, map[string]string{"RawMessageDelivery": "true",
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq.arn + `"}`})
	withoutDLQ := subscribe(t, c, topic, lockedToo.arn, nil)

	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("refused"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": strAttr("set")}}); err != nil {
		t.Fatalf("a refused delivery must not fail Publish: %v", err)
	}
	if got := locked.drain(t); len(got) != 0 {
		t.Fatalf("the locked queue received %d messages", len(got))
	}
	if got := lockedToo.drain(t); len(got) != 0 {
		t.Fatalf("the second locked queue received %d messages", len(got))
	}
	got := dlq.drain(t)
	if len(got) != 1 || aws.ToString(got[0].Body) != "refused" || aws.ToString(got[0].MessageAttributes["kind"].StringValue) != "set" {
		t.Fatalf("DLQ received %+v", got)
	}
	if st := stats(t, svc, withDLQ); st.Redriven != 1 || st.Delivered != 0 || !strings.Contains(st.LastError, "AccessDenied") {
		t.Fatalf("stats with DLQ %+v", st)
	}
	if st := stats(t, svc, withoutDLQ); st.Dropped != 1 || st.Delivered != 0 {
		t.Fatalf("stats without DLQ %+v", st)
	}

	// Once the queue policy allows the topic, delivery works.
	if _, err := locked.client.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(locked.url),
		Attributes: map[string]string{"Policy": queuePolicy(locked.arn, topic)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("allowed")}); err != nil {
		t.Fatal(err)
	}
	if got := locked.drain(t); len(got) != 1 || aws.ToString(got[0].Body) != "allowed" {
		t.Fatalf("after fixing the policy: %+v", got)
	}
	if got := dlq.drain(t); len(got) != 0 {
		t.Fatalf("DLQ received %d more messages", len(got))
	}

	// A DLQ in another region is refused at Subscribe.
	_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: aws.String(lockedToo.arn),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + locked.arn + `"}`}})
	var ip *snstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Fatalf("cross-region DLQ: want InvalidParameterException, got %v", err)
	}
}

func TestIntegrationFilterPolicy(t *testing.T) {
	emu, _ := startReal(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "filtered", nil)
	writes := newQueue(t, emu, otherRegion, "writes", topic)
	eu := newQueue(t, emu, region, "eu-origin", topic)
	subscribe(t, c, topic, writes.arn, map[string]string{"RawMessageDelivery": "true",
		"FilterPolicy": `{"cmd":[{"anything-but":["GET","TTL"]}],"size":[{"numeric":["<=",1024]}]}`})
	subscribe(t, c, topic, eu.arn, map[string]string{"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
		"FilterPolicy": `{"origin":{"region":[{"prefix":"eu-"}]}}`})

	for i, p := range []struct {
		body      string
		cmd, size string
	}{
		{`{"origin":{"region":"eu-west-1"}}`, "SET", "10"},
		{`{"origin":{"region":"us-east-1"}}`, "GET", "10"},
		{`{"origin":{"region":"eu-central-1"}}`, "HSET", "4096"},
		{`{"origin":{"region":"ap-south-1"}}`, "DEL", "1"},
	} {
		if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(p.body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"cmd": strAttr(p.cmd), "size": numAttr(p.size)}}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	cmds := func(msgs []sqstypes.Message) []string {
		var out []string
		for _, m := range msgs {
			out = append(out, aws.ToString(m.MessageAttributes["cmd"].StringValue))
		}
		sort.Strings(out)
		return out
	}
	if got := cmds(writes.drain(t)); strings.Join(got, ",") != "DEL,SET" {
		t.Fatalf("attribute filter delivered %v, want DEL,SET", got)
	}
	if got := cmds(eu.drain(t)); strings.Join(got, ",") != "HSET,SET" {
		t.Fatalf("body filter delivered %v, want HSET,SET", got)
	}
}

func TestIntegrationPublishBatchDelivery(t *testing.T) {
	emu, _ := startReal(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "batched", nil)
	q := newQueue(t, emu, otherRegion, "batched", topic)
	subscribe(t, c, topic, q.arn, map[string]string{"RawMessageDelivery": "true"})

	var entries []snstypes.PublishBatchRequestEntry
	for _, id := range []string{"a", "b", "c"} {
		entries = append(entries, snstypes.PublishBatchRequestEntry{Id: aws.String(id), Message: aws.String("msg-" + id),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"id": strAttr(id)}})
	}
	out, err := c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 3 || len(out.Failed) != 0 {
		t.Fatalf("Successful %d, Failed %+v", len(out.Successful), out.Failed)
	}
	var bodies []string
	for _, m := range q.drain(t) {
		if aws.ToString(m.MessageAttributes["id"].StringValue) != strings.TrimPrefix(aws.ToString(m.Body), "msg-") {
			t.Fatalf("attributes do not follow their message: %+v", m)
		}
		bodies = append(bodies, aws.ToString(m.Body))
	}
	sort.Strings(bodies)
	if strings.Join(bodies, ",") != "msg-a,msg-b,msg-c" {
		t.Fatalf("received %v", bodies)
	}
}
