package sqs_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	sqsemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/sqs"
)

func snsPolicy(queueARN, topicARN, effect string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"topic","Effect":"` + effect + `","Principal":{"Service":"sns.amazonaws.com"},` +
		`"Action":"sqs:SendMessage","Resource":"` + queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`
}

func deliverer(t *testing.T, emu *emulator.Emulator) core.QueueDeliverer {
	t.Helper()
	d, ok := emu.Service("sqs").(core.QueueDeliverer)
	if !ok {
		t.Fatal("the sqs service is not a core.QueueDeliverer")
	}
	return d
}

func TestDeliverFromSNS(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, "ap-south-1")
	d := deliverer(t, emu)
	acct := emu.AccountID()
	topic := "arn:aws:sns:ap-southeast-1:" + acct + ":bus"
	url := createQueue(t, c, "replica", nil)
	arn := queueARN(t, c, url)
	delivery := core.SNSDelivery{QueueARN: arn, TopicARN: topic, Body: `{"cmd":"SET"}`,
		MessageAttributes: map[string]core.MessageAttribute{"origin": {DataType: "String", StringValue: "ap-southeast-1"}}}

	// No policy: SNS may not send.
	if err := d.DeliverFromSNS(context.Background(), delivery); err == nil || err.Code != "AccessDenied" || err.HTTPStatus() != http.StatusForbidden {
		t.Fatalf("delivery without a policy: %v", err)
	}
	if _, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"Policy": snsPolicy(arn, topic, "Allow")}}); err != nil {
		t.Fatal(err)
	}
	if err := d.DeliverFromSNS(context.Background(), delivery); err != nil {
		t.Fatalf("allowed delivery: %v", err)
	}
	other := delivery
	other.TopicARN = "arn:aws:sns:ap-southeast-1:" + acct + ":other"
	if err := d.DeliverFromSNS(context.Background(), other); err == nil || err.Code != "AccessDenied" {
		t.Fatalf("delivery from another topic: %v", err)
	}
	missing := delivery
	missing.QueueARN = "arn:aws:sqs:ap-south-1:" + acct + ":gone"
	if err := d.DeliverFromSNS(context.Background(), missing); err == nil || err.Code != "QueueDoesNotExist" {
		t.Fatalf("delivery to a missing queue: %v", err)
	}

	got := receive(t, c, url, 10)
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	m := got[0]
	if aws.ToString(m.Body) != delivery.Body || m.Attributes["SenderId"] != sqsemu.SNSSenderID ||
		aws.ToString(m.MessageAttributes["origin"].StringValue) != "ap-southeast-1" || aws.ToString(m.MD5OfMessageAttributes) == "" {
		t.Fatalf("delivered message = %+v", m)
	}

	// An explicit Deny wins over the Allow.
	deny := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `"},` +
		`{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"` + arn + `","Condition":{"StringNotEquals":{"aws:SourceAccount":"` + acct + `"}}},` +
		`{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"` + arn + `","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:blocked"}}}]}`
	if _, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": deny}}); err != nil {
		t.Fatal(err)
	}
	if err := d.DeliverFromSNS(context.Background(), delivery); err != nil {
		t.Fatalf("delivery allowed by the broad statement: %v", err)
	}
	blocked := delivery
	blocked.TopicARN = "arn:aws:sns:ap-southeast-1:" + acct + ":blocked"
	if err := d.DeliverFromSNS(context.Background(), blocked); err == nil || err.Code != "AccessDenied" {
		t.Fatalf("explicitly denied delivery: %v", err)
	}
	foreign := delivery
	foreign.TopicARN = "arn:aws:sns:ap-southeast-1:999999999999:bus"
	if err := d.DeliverFromSNS(context.Background(), foreign); err == nil || err.Code != "AccessDenied" {
		t.Fatalf("delivery from another account: %v", err)
	}

	// The AWS managed KMS key does not let SNS in.
	kms := createQueue(t, c, "kms", map[string]string{"KmsMasterKeyId": "alias/aws/sqs"})
	kmsARN := queueARN(t, c, kms)
	if _, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(kms),
		Attributes: map[string]string{"Policy": snsPolicy(kmsARN, topic, "Allow")}}); err != nil {
		t.Fatal(err)
	}
	kd := delivery
	kd.QueueARN = kmsARN
	if err := d.DeliverFromSNS(context.Background(), kd); err == nil || err.Code != "KmsAccessDenied" {
		t.Fatalf("delivery to an alias/aws/sqs queue: %v", err)
	}
}

func TestQueueConsumer(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	qc, ok := emu.Service("sqs").(core.QueueConsumer)
	if !ok {
		t.Fatal("the sqs service is not a core.QueueConsumer")
	}
	dlq := createQueue(t, c, "esm-dlq", nil)
	dlqARN := queueARN(t, c, dlq)
	url := createQueue(t, c, "esm", map[string]string{"VisibilityTimeout": "30", "RedrivePolicy": redrive(dlqARN, "2")})
	arn := queueARN(t, c, url)

	// A long poll returns when a message arrives.
	type res struct {
		msgs []core.ReceivedMessage
		err  *core.APIError
	}
	done := make(chan res, 1)
	go func() {
		m, err := qc.ReceiveInternal(context.Background(), arn, 10, 10*time.Second)
		done <- res{m, err}
	}()
	time.Sleep(100 * time.Millisecond)
	sent, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("event"),
		MessageAttributes: map[string]types.MessageAttributeValue{"a": {DataType: aws.String("String"), StringValue: aws.String("b")}}})
	if err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || len(r.msgs) != 1 {
		t.Fatalf("ReceiveInternal = %+v, %v", r.msgs, r.err)
	}
	m := r.msgs[0]
	if m.MessageID != aws.ToString(sent.MessageId) || m.Body != "event" || m.MD5OfBody != aws.ToString(sent.MD5OfMessageBody) ||
		m.MD5OfMessageAttributes != aws.ToString(sent.MD5OfMessageAttributes) || m.MessageAttributes["a"].StringValue != "b" {
		t.Fatalf("received %+v", m)
	}
	for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
		if m.Attributes[k] == "" {
			t.Fatalf("attribute %s missing: %v", k, m.Attributes)
		}
	}
	// The queue's visibility timeout applies; ChangeVisibilityInternal(0) releases.
	if again, _ := qc.ReceiveInternal(context.Background(), arn, 10, 0); len(again) != 0 {
		t.Fatalf("an in-flight message was received again")
	}
	if err := qc.ChangeVisibilityInternal(arn, m.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	second, _ := qc.ReceiveInternal(context.Background(), arn, 10, 0)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", second)
	}
	// Past maxReceiveCount the message moves to the DLQ.
	if err := qc.ChangeVisibilityInternal(arn, second[0].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	if third, _ := qc.ReceiveInternal(context.Background(), arn, 10, 0); len(third) != 0 {
		t.Fatalf("received past maxReceiveCount")
	}
	dead, err2 := qc.ReceiveInternal(context.Background(), dlqARN, 10, 0)
	if err2 != nil || len(dead) != 1 || dead[0].MessageID != m.MessageID {
		t.Fatalf("DLQ = %+v, %v", dead, err2)
	}
	if err := qc.DeleteInternal(dlqARN, dead[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := qc.DeleteInternal(dlqARN, "bogus"); err == nil || err.Code != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete with a bogus handle: %v", err)
	}
	if _, err := qc.ReceiveInternal(context.Background(), "arn:aws:sqs:us-east-1:"+emu.AccountID()+":nope", 1, 0); err == nil || err.Code != "QueueDoesNotExist" {
		t.Fatalf("receive from a missing queue: %v", err)
	}
	// A cancelled context ends a long poll.
	cctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	if msgs, err := qc.ReceiveInternal(cctx, arn, 1, 20*time.Second); err != nil || len(msgs) != 0 || time.Since(start) > 15*time.Second {
		t.Fatalf("cancelled poll: %v %v after %v", msgs, err, time.Since(start))
	}
}

func TestInjectedFaults(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "faulty", nil)

	// A modelled error comes back as the SDK's type.
	emu.InjectFault(emulator.Fault{Service: "sqs", Action: "GetQueueUrl", Err: &core.APIError{
		Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue", Message: "injected"}})
	_, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("faulty")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) {
		t.Fatalf("injected QueueDoesNotExist: %v", err)
	}
	if _, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("faulty")}); err != nil {
		t.Fatalf("after the fault: %v", err)
	}

	// Throttling is retried by the SDK until it succeeds.
	id := emu.InjectFault(emulator.Fault{Service: "sqs", Action: "SendMessage", Throttle: true, Times: 2})
	if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("through")}); err != nil {
		t.Fatalf("throttled send was not retried to success: %v", err)
	}
	if hits := emu.FaultHits(id); hits != 2 {
		t.Fatalf("throttle fault hit %d times", hits)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessages); n != "1" {
		t.Fatalf("queue has %s messages after the retried send", n)
	}

	// A server fault that persists surfaces after the retries.
	emu.InjectFault(emulator.Fault{Service: "sqs", Action: "PurgeQueue", Times: -1})
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantCode(t, err, "InternalFailure")
	emu.ClearFaults()
}
