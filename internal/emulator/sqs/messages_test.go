package sqs_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestSendReceiveDelete(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "work", nil)

	// The SDK checks MD5OfMessageBody on send and MD5OfBody on receive: a
	// multi-byte body catches any mistake in what is hashed.
	body := `{"op":"SET","key":"héllo","emoji":"😀","xml":"<a & b>"}`
	sent, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"timestamp": {DataType: aws.String("Number"), StringValue: aws.String("1493147359900")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The digest AWS returns for this attribute (pinned by moto's suite).
	if got := aws.ToString(sent.MD5OfMessageAttributes); got != "235c5c510d26fb653d073faed50ae77c" {
		t.Fatalf("MD5OfMessageAttributes = %s", got)
	}

	msgs := receive(t, c, url, 10)
	if len(msgs) != 1 {
		t.Fatalf("received %d messages", len(msgs))
	}
	m := msgs[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("received %+v", m)
	}
	if aws.ToString(m.MD5OfMessageAttributes) != "235c5c510d26fb653d073faed50ae77c" {
		t.Fatalf("received MD5OfMessageAttributes = %s", aws.ToString(m.MD5OfMessageAttributes))
	}
	if a := m.MessageAttributes["timestamp"]; aws.ToString(a.StringValue) != "1493147359900" || aws.ToString(a.DataType) != "Number" {
		t.Fatalf("message attribute = %+v", a)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SenderId"] != emu.AccountID() {
		t.Fatalf("system attributes = %v", m.Attributes)
	}
	sentTS, _ := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64)
	firstTS, _ := strconv.ParseInt(m.Attributes["ApproximateFirstReceiveTimestamp"], 10, 64)
	if sentTS == 0 || firstTS < sentTS {
		t.Fatalf("timestamps sent=%d first receive=%d", sentTS, firstTS)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible); n != "1" {
		t.Fatalf("in flight = %s", n)
	}
	if again := receive(t, c, url, 10); len(again) != 0 {
		t.Fatalf("an in-flight message was received again")
	}
	if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// Deleting again succeeds, as in AWS.
	if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible); n != "0" {
		t.Fatalf("in flight after delete = %s", n)
	}
	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	var rhi *types.ReceiptHandleIsInvalid
	if !errors.As(err, &rhi) {
		t.Fatalf("delete with a bad handle: %v", err)
	}
}

func TestMessageAttributeSelection(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "attrs", nil)
	str := func(v string) types.MessageAttributeValue {
		return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	all := map[string]types.MessageAttributeValue{
		"trace.id":   str("abc"),
		"trace.span": str("def"),
		"kind":       {DataType: aws.String("Binary.gzip"), BinaryValue: []byte{1, 2, 3}},
	}
	sent, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageAttributes: all})
	if err != nil {
		t.Fatal(err)
	}
	// The digest of the selected attributes equals that of a message with only them.
	only, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("y"),
		MessageAttributes: map[string]types.MessageAttributeValue{"trace.id": str("abc"), "trace.span": str("def")}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"trace.*"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"SentTimestamp"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 2 {
		t.Fatalf("received %d", len(out.Messages))
	}
	for _, m := range out.Messages {
		if len(m.MessageAttributes) != 2 || m.MessageAttributes["kind"].DataType != nil {
			t.Fatalf("selected attributes = %v", m.MessageAttributes)
		}
		if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(only.MD5OfMessageAttributes) {
			t.Fatalf("MD5 of the selection %s, want %s", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(only.MD5OfMessageAttributes))
		}
		if len(m.Attributes) != 1 || m.Attributes["SentTimestamp"] == "" {
			t.Fatalf("system attributes = %v", m.Attributes)
		}
	}
	if aws.ToString(sent.MD5OfMessageAttributes) == aws.ToString(only.MD5OfMessageAttributes) {
		t.Fatalf("binary attribute did not change the digest")
	}

	// Invalid attributes are refused.
	for name, v := range map[string]types.MessageAttributeValue{
		"AWS.reserved": str("x"),
		"bad..name":    str("x"),
		"empty":        str(""),
		"num":          {DataType: aws.String("Number"), StringValue: aws.String("twelve")},
		"type":         {DataType: aws.String("Blob"), StringValue: aws.String("x")},
	} {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{name: v}})
		if err == nil || apiCode(t, err) != "InvalidParameterValue" {
			t.Fatalf("attribute %s: %v", name, err)
		}
	}
}

func TestMessageContentsAndSize(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "limits", nil)

	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("bad \x01 char")})
	var imc *types.InvalidMessageContents
	if !errors.As(err, &imc) {
		t.Fatalf("invalid character: %v", err)
	}
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("")})
	wantCode(t, err, "MissingParameter")

	// The default limit is 1 MiB, body and attributes together.
	big := strings.Repeat("a", 1048576)
	if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(big)}); err != nil {
		t.Fatalf("a 1 MiB message: %v", err)
	}
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(big[:1048570]),
		MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("vv")}}})
	wantCode(t, err, "InvalidParameterValue")
	if !strings.Contains(err.Error(), "Message must be shorter than 1048576 bytes") {
		t.Fatalf("message: %v", err)
	}
	small := createQueue(t, c, "small", map[string]string{"MaximumMessageSize": "1024"})
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(small), MessageBody: aws.String(strings.Repeat("b", 1025))})
	wantCode(t, err, "InvalidParameterValue")
	send(t, c, small, strings.Repeat("b", 1024))
}

func TestBatchLimitsAndPartialFailures(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "batch", map[string]string{"MaximumMessageSize": "1024"})
	entry := func(id, body string) types.SendMessageBatchRequestEntry {
		return types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(body)}
	}

	var entries []types.SendMessageBatchRequestEntry
	for i := range 11 {
		entries = append(entries, entry("e"+strconv.Itoa(i), "m"))
	}
	_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Fatalf("11 entries: %v", err)
	}
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{}})
	var empty *types.EmptyBatchRequest
	if !errors.As(err, &empty) {
		t.Fatalf("no entries: %v", err)
	}
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{entry("a", "1"), entry("a", "2")}})
	var dup *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Fatalf("repeated ids: %v", err)
	}
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{entry("no spaces", "1")}})
	var badID *types.InvalidBatchEntryId
	if !errors.As(err, &badID) {
		t.Fatalf("invalid id: %v", err)
	}
	half := strings.Repeat("z", 600*1024)
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{entry("a", half), entry("b", half)}})
	var tooLong *types.BatchRequestTooLong
	if !errors.As(err, &tooLong) {
		t.Fatalf("1.2 MiB batch: %v", err)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessages); n != "0" {
		t.Fatalf("a refused batch sent %s messages", n)
	}

	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		entry("ok1", "first"), entry("big", strings.Repeat("q", 1025)), entry("bad", "nul\x00"), entry("ok2", "second"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 2 {
		t.Fatalf("successful %d, failed %d", len(out.Successful), len(out.Failed))
	}
	codes := map[string]string{}
	for _, f := range out.Failed {
		if !f.SenderFault {
			t.Errorf("entry %s not a sender fault", aws.ToString(f.Id))
		}
		codes[aws.ToString(f.Id)] = aws.ToString(f.Code)
	}
	if codes["big"] != "InvalidParameterValue" || codes["bad"] != "InvalidMessageContents" {
		t.Fatalf("failure codes %v", codes)
	}

	msgs := receive(t, c, url, 10)
	if len(msgs) != 2 {
		t.Fatalf("received %d", len(msgs))
	}
	del, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("d1"), ReceiptHandle: msgs[0].ReceiptHandle},
		{Id: aws.String("d2"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 1 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("DeleteMessageBatch = %+v", del)
	}
	vis, err := c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("v1"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 0},
		{Id: aws.String("v2"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 10},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vis.Successful) != 1 || aws.ToString(vis.Successful[0].Id) != "v1" || len(vis.Failed) != 1 {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v", vis)
	}
	if again := receive(t, c, url, 10); len(again) != 1 || aws.ToString(again[0].MessageId) != aws.ToString(msgs[1].MessageId) {
		t.Fatalf("the message made visible was not received again: %v", again)
	}
}

func TestVisibilityTimeout(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "vis", map[string]string{"VisibilityTimeout": "5"})
	id := send(t, c, url, "task")
	first := receive(t, c, url, 1)
	if len(first) != 1 {
		t.Fatal("nothing received")
	}
	emu.Clock().Advance(4 * time.Second)
	if got := receive(t, c, url, 1); len(got) != 0 {
		t.Fatalf("received during the visibility timeout")
	}
	emu.Clock().Advance(2 * time.Second)
	second := receive(t, c, url, 1)
	if len(second) != 1 || aws.ToString(second[0].MessageId) != id || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the timeout: %+v", second)
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Fatalf("ApproximateFirstReceiveTimestamp changed")
	}
	// The first receipt handle no longer changes visibility.
	_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 60})
	wantCode(t, err, "InvalidParameterValue")
	// Extending with the current one works; beyond 12 hours does not.
	if _, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 60}); err != nil {
		t.Fatal(err)
	}
	emu.Clock().Advance(10 * time.Second)
	if got := receive(t, c, url, 1); len(got) != 0 {
		t.Fatalf("received during the extended timeout")
	}
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 43200})
	wantCode(t, err, "InvalidParameterValue")

	// A receive's VisibilityTimeout overrides the queue's.
	if _, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 100})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive: %v %v", out, err)
	}
	emu.Clock().Advance(30 * time.Second)
	if got := receive(t, c, url, 1); len(got) != 0 {
		t.Fatalf("the receive's own visibility timeout was not applied")
	}
	// A message not in flight cannot have its visibility changed.
	emu.Clock().Advance(71 * time.Second)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 10})
	var mni *types.MessageNotInflight
	if !errors.As(err, &mni) {
		t.Fatalf("change visibility of a visible message: %v", err)
	}

	_, err = c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	wantCode(t, err, "InvalidParameterValue")
}

func TestVisibilityTimeoutRealTime(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "vis-rt", map[string]string{"VisibilityTimeout": "1"})
	id := send(t, c, url, "task")
	if got := receive(t, c, url, 1); len(got) != 1 {
		t.Fatal("nothing received")
	}
	// A long poll wakes when the message becomes visible again.
	start := time.Now()
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].MessageId) != id || out.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("long poll returned %+v", out.Messages)
	}
	if el := time.Since(start); el < 500*time.Millisecond || el > 8*time.Second {
		t.Fatalf("long poll returned after %v, expected about 1s", el)
	}
}

func TestLongPolling(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "poll", nil)

	// Waits the full time when nothing comes.
	start := time.Now()
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("empty long poll: %v %v", out, err)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("returned after %v, before WaitTimeSeconds", el)
	}

	// Returns as soon as a message arrives.
	type result struct {
		out *sqs.ReceiveMessageOutput
		err error
		at  time.Duration
	}
	done := make(chan result, 1)
	start = time.Now()
	go func() {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- result{out, err, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	id := send(t, c, url, "wake up")
	r := <-done
	if r.err != nil || len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].MessageId) != id {
		t.Fatalf("long poll: %+v %v", r.out, r.err)
	}
	if r.at < 300*time.Millisecond || r.at > 15*time.Second {
		t.Fatalf("long poll returned after %v", r.at)
	}

	// The queue's ReceiveMessageWaitTimeSeconds applies when the call has
	// none, and advancing the clock ends the wait.
	if _, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"ReceiveMessageWaitTimeSeconds": "20"}}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	go func() {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
		done <- result{out, err, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	emu.Clock().Advance(25 * time.Second)
	r = <-done
	if r.err != nil || len(r.out.Messages) != 0 {
		t.Fatalf("long poll: %+v %v", r.out, r.err)
	}
	if r.at < 300*time.Millisecond || r.at > 15*time.Second {
		t.Fatalf("the clock advance did not end the wait (%v)", r.at)
	}
}

func TestDelayRetentionPurge(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "timers", map[string]string{"MessageRetentionPeriod": "60"})

	// Per-message delay.
	if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("later"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessagesDelayed); n != "1" {
		t.Fatalf("delayed = %s", n)
	}
	if got := receive(t, c, url, 10); len(got) != 0 {
		t.Fatalf("received a delayed message")
	}
	emu.Clock().Advance(6 * time.Second)
	got := receive(t, c, url, 10)
	if len(got) != 1 || aws.ToString(got[0].Body) != "later" {
		t.Fatalf("after the delay: %v", got)
	}
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), DelaySeconds: 901})
	wantCode(t, err, "InvalidParameterValue")

	// Retention: messages older than the period vanish, in flight or not.
	send(t, c, url, "old")
	emu.Clock().Advance(61 * time.Second)
	for _, a := range []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible} {
		if n := queueAttr(t, c, url, a); n != "0" {
			t.Fatalf("%s after retention = %s", a, n)
		}
	}
	if got := receive(t, c, url, 10); len(got) != 0 {
		t.Fatalf("received an expired message")
	}

	// Purge, at most once a minute.
	for i := range 3 {
		send(t, c, url, "p"+strconv.Itoa(i))
	}
	if _, err := c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if n := queueAttr(t, c, url, types.QueueAttributeNameApproximateNumberOfMessages); n != "0" {
		t.Fatalf("after purge = %s", n)
	}
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	var pip *types.PurgeQueueInProgress
	if !errors.As(err, &pip) {
		t.Fatalf("second purge: %v", err)
	}
	emu.Clock().Advance(61 * time.Second)
	if _, err := c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("purge a minute later: %v", err)
	}
}

func TestFIFOQueue(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "ordered.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"})
	sendFIFO := func(body, group, dedup string) *sqs.SendMessageOutput {
		out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a1 := sendFIFO("a1", "A", "1")
	if dup := sendFIFO("a1 again", "A", "1"); aws.ToString(dup.MessageId) != aws.ToString(a1.MessageId) {
		t.Fatalf("a duplicate got a new message id")
	}
	sendFIFO("a2", "A", "2")
	sendFIFO("b1", "B", "3")
	if aws.ToString(a1.SequenceNumber) == "" {
		t.Fatal("no SequenceNumber")
	}
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("9")})
	wantCode(t, err, "MissingParameter")

	first := receive(t, c, url, 1)
	if len(first) != 1 || aws.ToString(first[0].Body) != "a1" || first[0].Attributes["MessageGroupId"] != "A" {
		t.Fatalf("first = %v", first)
	}
	// Group A is locked while a1 is in flight: only b1 comes.
	next := receive(t, c, url, 10)
	if len(next) != 1 || aws.ToString(next[0].Body) != "b1" {
		t.Fatalf("next = %v", next)
	}
	if _, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	last := receive(t, c, url, 10)
	if len(last) != 1 || aws.ToString(last[0].Body) != "a2" {
		t.Fatalf("last = %v", last)
	}
	n1, _ := strconv.ParseUint(first[0].Attributes["SequenceNumber"], 10, 64)
	n2, _ := strconv.ParseUint(last[0].Attributes["SequenceNumber"], 10, 64)
	if n1 == 0 || n2 <= n1 {
		t.Fatalf("sequence numbers %d then %d", n1, n2)
	}

	// One receive returns several messages of a free group, in order, and
	// the oldest group first.
	fifo2 := createQueue(t, c, "groups.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, m := range []struct{ body, group string }{{"x1", "X"}, {"y1", "Y"}, {"x2", "X"}, {"x3", "X"}} {
		if _, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(fifo2), MessageBody: aws.String(m.body), MessageGroupId: aws.String(m.group)}); err != nil {
			t.Fatal(err)
		}
	}
	var bodies []string
	for _, m := range receive(t, c, fifo2, 3) {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if strings.Join(bodies, ",") != "x1,x2,x3" {
		t.Fatalf("one receive returned %v", bodies)
	}
	if rest := receive(t, c, fifo2, 10); len(rest) != 1 || aws.ToString(rest[0].Body) != "y1" {
		t.Fatalf("then %v", rest)
	}
}
