package sqs_test

import (
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func redrive(dlqARN, maxReceiveCount string) string {
	return `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":` + maxReceiveCount + `}`
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	dlq := createQueue(t, c, "orders-dlq", nil)
	dlqARN := queueARN(t, c, dlq)
	src := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrive(dlqARN, "2")})
	srcARN := queueARN(t, c, src)

	sent, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison"),
		MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	// maxReceiveCount receives succeed; the next one moves the message.
	for i := 1; i <= 2; i++ {
		got := receive(t, c, src, 1)
		if len(got) != 1 || got[0].Attributes["ApproximateReceiveCount"] != itoa(i) {
			t.Fatalf("receive %d: %+v", i, got)
		}
	}
	if got := receive(t, c, src, 1); len(got) != 0 {
		t.Fatalf("received a message past maxReceiveCount")
	}
	if n := queueAttr(t, c, src, types.QueueAttributeNameApproximateNumberOfMessages); n != "0" {
		t.Fatalf("source still has %s", n)
	}
	got := receive(t, c, dlq, 1)
	if len(got) != 1 {
		t.Fatalf("DLQ has no message")
	}
	m := got[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != "poison" ||
		aws.ToString(m.MessageAttributes["k"].StringValue) != "v" || m.Attributes["DeadLetterQueueSourceArn"] != srcARN {
		t.Fatalf("dead-lettered message = %+v", m)
	}
	if m.Attributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("receive count in the DLQ = %s", m.Attributes["ApproximateReceiveCount"])
	}

	// A standard queue cannot use a FIFO DLQ.
	fifoDLQ := createQueue(t, c, "f-dlq.fifo", map[string]string{"FifoQueue": "true"})
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src),
		Attributes: map[string]string{"RedrivePolicy": redrive(queueARN(t, c, fifoDLQ), "2")}})
	wantCode(t, err, "InvalidParameterValue")
	// A DLQ that denies redrive refuses new sources.
	strict := createQueue(t, c, "strict-dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src),
		Attributes: map[string]string{"RedrivePolicy": redrive(queueARN(t, c, strict), "2")}})
	wantCode(t, err, "InvalidParameterValue")
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestListDeadLetterSourceQueues(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	dlq := createQueue(t, c, "dlq", nil)
	other := createQueue(t, c, "other-dlq", nil)
	dlqARN, otherARN := queueARN(t, c, dlq), queueARN(t, c, other)
	a := createQueue(t, c, "a", map[string]string{"RedrivePolicy": redrive(dlqARN, "5")})
	b := createQueue(t, c, "b", map[string]string{"RedrivePolicy": redrive(dlqARN, "5")})
	createQueue(t, c, "c", map[string]string{"RedrivePolicy": redrive(otherARN, "5")})
	createQueue(t, c, "d", nil)

	out, err := c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string(nil), out.QueueUrls...)
	sort.Strings(got)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("sources = %v", got)
	}
	page, err := c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq), MaxResults: aws.Int32(1)})
	if err != nil || len(page.QueueUrls) != 1 || page.NextToken == nil {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	page2, err := c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq), MaxResults: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page2.QueueUrls) != 1 || page2.QueueUrls[0] == page.QueueUrls[0] || page2.NextToken != nil {
		t.Fatalf("second page = %+v, %v", page2, err)
	}
	// Removing the redrive policy removes the source.
	if _, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(b), Attributes: map[string]string{"RedrivePolicy": ""}}); err != nil {
		t.Fatal(err)
	}
	out, err = c.ListDeadLetterSourceQueues(ctx(t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(out.QueueUrls) != 1 || out.QueueUrls[0] != a {
		t.Fatalf("sources after removal = %v, %v", out.QueueUrls, err)
	}
}

// deadLetter sends n messages to src and receives each until it lands in the DLQ.
func deadLetter(t *testing.T, c *sqs.Client, src string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, send(t, c, src, "m"+itoa(i)))
	}
	for {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(src), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return ids
		}
	}
}

func waitTask(t *testing.T, c *sqs.Client, sourceARN, status string) types.ListMessageMoveTasksResultEntry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.ListMessageMoveTasks(ctx(t), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(sourceARN)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Results) == 1 && aws.ToString(out.Results[0].Status) == status {
			return out.Results[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("task never reached %s: %+v", status, out.Results)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMessageMoveTask(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	dlq := createQueue(t, c, "mv-dlq", nil)
	dlqARN := queueARN(t, c, dlq)
	src := createQueue(t, c, "mv", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrive(dlqARN, "1")})
	ids := deadLetter(t, c, src, 4)
	if n := queueAttr(t, c, dlq, types.QueueAttributeNameApproximateNumberOfMessages); n != "4" {
		t.Fatalf("DLQ has %s", n)
	}

	// Only DLQs can be redriven.
	_, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(queueARN(t, c, src))})
	var unsupported *types.UnsupportedOperation
	if !errors.As(err, &unsupported) {
		t.Fatalf("move from a non-DLQ: %v", err)
	}
	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:" + emu.AccountID() + ":nope")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("move from a missing queue: %v", err)
	}

	start, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(start.TaskHandle) == "" {
		t.Fatal("no task handle")
	}
	done := waitTask(t, c, dlqARN, "COMPLETED")
	if done.ApproximateNumberOfMessagesMoved != 4 || aws.ToInt64(done.ApproximateNumberOfMessagesToMove) != 4 || done.StartedTimestamp == 0 {
		t.Fatalf("completed task = %+v", done)
	}
	if n := queueAttr(t, c, dlq, types.QueueAttributeNameApproximateNumberOfMessages); n != "0" {
		t.Fatalf("DLQ still has %s", n)
	}
	got := receive(t, c, src, 10)
	if len(got) != 4 {
		t.Fatalf("source got %d messages back", len(got))
	}
	back := map[string]bool{}
	for _, m := range got {
		back[aws.ToString(m.MessageId)] = true
		if m.Attributes["ApproximateReceiveCount"] != "1" {
			t.Fatalf("a redriven message kept its receive count: %v", m.Attributes)
		}
	}
	for _, id := range ids {
		if !back[id] {
			t.Fatalf("message %s did not come back", id)
		}
	}
}

func TestMessageMoveTaskToDestinationAndCancel(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	dlq := createQueue(t, c, "c-dlq", nil)
	dlqARN := queueARN(t, c, dlq)
	src := createQueue(t, c, "c-src", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrive(dlqARN, "1")})
	dest := createQueue(t, c, "c-dest", nil)
	destARN := queueARN(t, c, dest)
	deadLetter(t, c, src, 5)

	// One message a second: the task is still running when we look.
	start, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN),
		DestinationArn: aws.String(destARN), MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	var unsupported *types.UnsupportedOperation
	if !errors.As(err, &unsupported) {
		t.Fatalf("a second task on the same queue: %v", err)
	}
	running, err := c.ListMessageMoveTasks(ctx(t), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
	if err != nil || len(running.Results) != 1 {
		t.Fatalf("ListMessageMoveTasks = %+v, %v", running, err)
	}
	r := running.Results[0]
	if aws.ToString(r.Status) != "RUNNING" || aws.ToString(r.DestinationArn) != destARN || aws.ToInt32(r.MaxNumberOfMessagesPerSecond) != 1 ||
		aws.ToString(r.TaskHandle) != aws.ToString(start.TaskHandle) {
		t.Fatalf("running task = %+v", r)
	}
	if _, err := c.CancelMessageMoveTask(ctx(t), &sqs.CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle}); err != nil {
		t.Fatal(err)
	}
	cancelled := waitTask(t, c, dlqARN, "CANCELLED")
	moved := cancelled.ApproximateNumberOfMessagesMoved
	if moved >= 5 {
		t.Fatalf("a cancelled 1 msg/s task moved %d messages at once", moved)
	}
	if n := queueAttr(t, c, dest, types.QueueAttributeNameApproximateNumberOfMessages); n != itoa(int(moved)) {
		t.Fatalf("destination has %s messages, task moved %d", n, moved)
	}
	_, err = c.CancelMessageMoveTask(ctx(t), &sqs.CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle})
	if err == nil {
		t.Fatal("cancelling a cancelled task succeeded")
	}
}
