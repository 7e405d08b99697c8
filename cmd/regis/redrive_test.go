package main

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

func TestDLQRedrive(t *testing.T) {
	b := newTestBus(t)
	fillDLQ(t, b) // 3 in ap-south-1: two sent by the consumer, one moved by SQS
	se := b.queues[topicRegion]
	for i := range 2 {
		send(t, se.client, se.dlqURL, wireMessage(t, "se-"+string(rune('a'+i)), []string{"DEL", "k"}),
			deadLetterAttrs(contract.ReasonWrongType, "WRONGTYPE", topicRegion, "src"))
	}

	r := b.run(t, "", "dlq", "redrive", "--topic-arn", b.topicARN, "--wait", "--interval", "20ms")
	if r.code != exitOK {
		t.Fatalf("exit code %d", r.code)
	}
	for _, want := range []string{
		"ap-south-1: done: 3 messages moved from DLQ regis-test-ap-south-1-dlq to regis-test-ap-south-1",
		"ap-southeast-1: done: 2 messages moved from DLQ regis-test-ap-southeast-1-dlq to regis-test-ap-southeast-1",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for region, want := range map[string]int{otherRegion: 3, topicRegion: 2} {
		q := b.queues[region]
		if v, f, d := depths(t, q.client, q.dlqURL); v+f+d != 0 {
			t.Errorf("%s: DLQ still holds %d messages", region, v+f+d)
		}
		if v := visible(t, q.client, q.url); v != want {
			t.Errorf("%s: queue holds %d messages, want %d", region, v, want)
		}
	}

	// Nothing left: nothing started.
	r = b.run(t, "", "dlq", "redrive", "--topic-arn", b.topicARN)
	if r.code != exitOK || strings.Count(r.stdout, "is empty: nothing to redrive") != 2 {
		t.Errorf("second redrive: exit %d, output %q", r.code, r.stdout)
	}
}

func TestDLQRedriveAlreadyRunning(t *testing.T) {
	b := newTestBus(t)
	q := b.queues[otherRegion]
	for range 5 {
		send(t, q.client, q.dlqURL, "x", nil)
	}
	ctx := context.Background()
	// An operator's slow task (1 message a second) is running.
	task, err := q.client.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(q.dlqARN),
		DestinationArn: aws.String(q.arn), MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = q.client.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle})
	})

	r := b.run(t, "", "dlq", "redrive", "--topic-arn", b.topicARN, "--region", otherRegion)
	if r.code != exitOK || !strings.Contains(r.stdout, "ap-south-1: a move task is already running on DLQ regis-test-ap-south-1-dlq") {
		t.Errorf("exit %d, output %q: want the running task reported", r.code, r.stdout)
	}
	tasks, err := q.client.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(q.dlqARN), MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Results) != 1 {
		t.Errorf("%d move tasks on the DLQ, want the operator's only", len(tasks.Results))
	}
}

func TestDLQRedriveReason(t *testing.T) {
	b := newTestBus(t)
	fillDLQ(t, b) // redis_rejected, malformed, max_receives in ap-south-1
	q := b.queues[otherRegion]
	args := []string{"dlq", "redrive", "--topic-arn", b.topicARN, "--region", otherRegion, "--reason", "redis_rejected,max_receives"}

	r := b.run(t, "", append(args, "--dry-run")...)
	if r.code != exitOK || !strings.Contains(r.stdout, "would move 2 dead letters") || !strings.Contains(r.stdout, "left in the DLQ: 1 malformed") {
		t.Errorf("dry run: exit %d, output %q", r.code, r.stdout)
	}
	if v, f, _ := depths(t, q.client, q.dlqURL); v != 3 || f != 0 {
		t.Fatalf("after the dry run the DLQ has %d visible, %d in flight; want 3, 0", v, f)
	}
	if v := visible(t, q.client, q.url); v != 0 {
		t.Fatalf("the dry run sent %d messages to the queue", v)
	}

	r = b.run(t, "", args...)
	if r.code != exitOK || !strings.Contains(r.stdout, "moved 2 dead letters (redis_rejected, max_receives)") || !strings.Contains(r.stdout, "left in the DLQ: 1 malformed") {
		t.Errorf("exit %d, output %q", r.code, r.stdout)
	}
	// The malformed one stays, visible at once.
	if v, f, _ := depths(t, q.client, q.dlqURL); v != 1 || f != 0 {
		t.Errorf("the DLQ has %d visible, %d in flight; want 1, 0", v, f)
	}
	got := receiveAll(t, q.client, q.url, 2)
	var ids []string
	for _, m := range got {
		msg, err := regis.Decode([]byte(aws.ToString(m.Body)))
		if err != nil {
			t.Fatalf("a redriven body does not decode: %v", err)
		}
		ids = append(ids, msg.ID)
		for name := range m.MessageAttributes {
			if strings.HasPrefix(name, "regis.") {
				t.Errorf("redriven message %s kept the DLQ attribute %s", msg.ID, name)
			}
		}
	}
	sort.Strings(ids)
	if strings.Join(ids, ",") != "msg-rejected,msg-transient" {
		t.Errorf("redriven messages %v, want msg-rejected and msg-transient", ids)
	}
}

func TestDLQRedriveUsage(t *testing.T) {
	b := newTestBus(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--reason", "nope"}, `unknown --reason "nope"`},
		{[]string{"--rate", "501"}, "--rate must be between"},
		{[]string{"--max", "3"}, "--max needs --reason"},
	} {
		r := b.run(t, "", append([]string{"dlq", "redrive", "--topic-arn", b.topicARN}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
