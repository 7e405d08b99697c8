package main

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

const secretValue = "s3cr3t-value-never-printed"

// fillDLQ puts three dead letters in ap-south-1's DLQ: two the consumer
// moved (with regis.* attributes) and one SQS moved after maxReceiveCount
// receives.
func fillDLQ(t *testing.T, b *testBus) {
	t.Helper()
	q := b.queues[otherRegion]
	send(t, q.client, q.dlqURL, wireMessage(t, "msg-rejected", []string{"SET", "hotel:1", secretValue}, []string{"SET", "hotel:2", secretValue}, []string{"DEL", "hotel:3"}),
		deadLetterAttrs(contract.ReasonRejected, "ERR value is not an integer or out of range", topicRegion, "src-1"))
	send(t, q.client, q.dlqURL, "this is not JSON",
		deadLetterAttrs(contract.ReasonMalformed, "regis: malformed message: not a JSON object", "", "src-2"))
	// Exhaust maxReceiveCount on the queue: the next receive moves it.
	send(t, q.client, q.url, wireMessage(t, "msg-transient", []string{"HSET", "rates:1", "d", secretValue}), nil)
	ctx := context.Background()
	for range testMaxReceives {
		// (The SDK omits ReceiveMessage's VisibilityTimeout when it is 0:
		// make the message visible again with ChangeMessageVisibility.)
		out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.url)})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("ReceiveMessage: %v, %d messages", err, len(out.Messages))
		}
		if _, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q.url),
			ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
	// The next receive finds the count exhausted and moves it to the DLQ.
	if out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.url)}); err != nil || len(out.Messages) != 0 {
		t.Fatalf("ReceiveMessage: %v, %d messages (want none: moved)", err, len(out.Messages))
	}
	if v := visible(t, q.client, q.dlqURL); v != 3 {
		t.Fatalf("DLQ holds %d visible messages, want 3", v)
	}
}

func TestDLQPeek(t *testing.T) {
	b := newTestBus(t)
	fillDLQ(t, b)
	q := b.queues[otherRegion]

	t.Run("text", func(t *testing.T) {
		r := b.run(t, "", "dlq", "peek", "--topic-arn", b.topicARN)
		if r.code != exitOK {
			t.Fatalf("exit code %d", r.code)
		}
		for _, want := range []string{
			"ap-south-1  DLQ regis-test-ap-south-1-dlq: 3 messages",
			"reason  redis_rejected: ERR value is not an integer or out of range",
			"origin ap-southeast-1, source message src-1",
			"regis message msg-rejected",
			"3 commands (SET×2 DEL), first SET",
			"reason  malformed: regis: malformed message: not a JSON object",
			"does not decode",
			"reason  max_receives: moved by SQS after 2 failed receives",
			"moved by SQS from regis-test-ap-south-1", // DeadLetterQueueSourceArn
			"1 command (HSET), first HSET",
			"ap-southeast-1  DLQ regis-test-ap-southeast-1-dlq: 0 messages",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("peek output lacks %q", want)
			}
		}
		if strings.Contains(r.stdout, secretValue) || strings.Contains(r.stdout, "hotel:1") {
			t.Error("peek printed command arguments without --show-body")
		}
	})

	// Peeking consumed nothing: all three are visible again at once.
	if v, inFlight, _ := depths(t, q.client, q.dlqURL); v != 3 || inFlight != 0 {
		t.Fatalf("after peek the DLQ has %d visible, %d in flight; want 3 and 0", v, inFlight)
	}

	t.Run("json", func(t *testing.T) {
		r := b.run(t, "", "dlq", "peek", "--topic-arn", b.topicARN, "--region", otherRegion, "--json", "--max", "5")
		if r.code != exitOK {
			t.Fatalf("exit code %d", r.code)
		}
		byReason := map[string]deadLetter{}
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		for sc.Scan() {
			var d deadLetter
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			byReason[d.Reason] = d
		}
		if len(byReason) != 3 {
			t.Fatalf("got reasons %v, want 3", byReason)
		}
		rej := byReason[contract.ReasonRejected]
		if rej.Commands != 3 || rej.FirstCommand != "SET" || rej.CommandNames["SET"] != 2 || rej.SourceMessageID != "src-1" ||
			rej.OriginRegion != topicRegion || rej.Bus != "regis-test" || rej.ReceiveCount < 1 || rej.SentAt.IsZero() || rej.Args != nil || rej.Body != "" {
			t.Errorf("redis_rejected letter = %+v", rej)
		}
		tr := byReason[reasonMaxReceives]
		if tr.MovedBySQSFrom != q.arn || tr.ReceiveCount <= testMaxReceives || tr.Commands != 1 {
			t.Errorf("max_receives letter = %+v, want moved from %s after more than %d receives", tr, q.arn, testMaxReceives)
		}
		if m := byReason[contract.ReasonMalformed]; m.DecodeError == "" || m.Commands != 0 {
			t.Errorf("malformed letter = %+v", m)
		}
	})

	t.Run("show-body and --max", func(t *testing.T) {
		r := b.run(t, "", "dlq", "peek", "--queue-url", q.url, "--show-body", "--max", "1")
		if r.code != exitOK {
			t.Fatalf("exit code %d", r.code)
		}
		if n := strings.Count(r.stdout, "reason  "); n != 1 {
			t.Errorf("--max 1 showed %d messages", n)
		}
		if !strings.Contains(r.stdout, "showing 1") {
			t.Errorf("output does not say only 1 of 3 is shown")
		}
		// Sorted by sent time, the first is the redis_rejected one: its
		// commands are printed as JSON lines.
		if !strings.Contains(r.stdout, `["SET","hotel:1","`+secretValue+`"]`) {
			t.Errorf("--show-body did not print the commands")
		}
	})

	if v, inFlight, _ := depths(t, q.client, q.dlqURL); v != 3 || inFlight != 0 {
		t.Fatalf("after the peeks the DLQ has %d visible, %d in flight; want 3 and 0", v, inFlight)
	}
}

func TestDLQPeekRefusesDLQWithRedrivePolicy(t *testing.T) {
	b := newTestBus(t)
	q := b.queues[topicRegion]
	// Give the DLQ a DLQ of its own.
	_, dlq2ARN := createQueue(t, q.client, "dlq-of-dlq", nil)
	rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlq2ARN, "maxReceiveCount": 1})
	if _, err := q.client.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(q.dlqURL),
		Attributes: map[string]string{"RedrivePolicy": string(rp)}}); err != nil {
		t.Fatal(err)
	}
	send(t, q.client, q.dlqURL, "x", nil)
	r := b.run(t, "", "dlq", "peek", "--topic-arn", b.topicARN, "--region", topicRegion)
	if r.code != exitError || !strings.Contains(r.stderr, "--force") {
		t.Errorf("exit %d, stderr %q: want a refusal pointing at --force", r.code, r.stderr)
	}
	if v := visible(t, q.client, q.dlqURL); v != 1 {
		t.Errorf("DLQ has %d visible messages, want 1 (untouched)", v)
	}
}
