package lambda_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
)

func TestEventSourceMappingValidation(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust, sqsPollStatement)
	noSQS := e.role(t, "no-sqs", lambdaTrust, `{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}`)
	e.createFunction(t, e.lambda, "fn", role, fnOpts{timeout: 10})
	e.createFunction(t, e.lambda, "weak", noSQS, fnOpts{timeout: 10})
	_, arn, _ := e.queue(t, e.sqs, "work", 60, 0)
	_, shortVis, _ := e.queue(t, e.sqs, "short", 5, 0)
	_, otherRegion, _ := e.queue(t, e.sqsIn(t, euWest), "far", 60, 0)

	create := func(fn, source string, mutate func(*lambdasdk.CreateEventSourceMappingInput)) error {
		in := &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(source)}
		if mutate != nil {
			mutate(in)
		}
		_, err := e.lambda.CreateEventSourceMapping(ctx(t), in)
		return err
	}
	err := create("fn", arn, func(in *lambdasdk.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(100) })
	wantError(t, err, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	err = create("fn", arn, func(in *lambdasdk.CreateEventSourceMappingInput) {
		in.BatchSize = aws.Int32(10001)
		in.MaximumBatchingWindowInSeconds = aws.Int32(1)
	})
	wantError(t, err, "ValidationException", "batchSize")
	err = create("fn", arn, func(in *lambdasdk.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(301) })
	wantError(t, err, "ValidationException", "maximumBatchingWindowInSeconds")
	err = create("fn", arn, func(in *lambdasdk.CreateEventSourceMappingInput) {
		in.ScalingConfig = &types.ScalingConfig{MaximumConcurrency: aws.Int32(1)}
	})
	wantError(t, err, "ValidationException", "maximumConcurrency")
	err = create("fn", otherRegion, nil)
	wantError(t, err, "InvalidParameterValueException", "Event source region must match Lambda region us-east-1")
	err = create("weak", arn, nil)
	wantError(t, err, "InvalidParameterValueException", "The provided execution role does not have permissions to call DeleteMessage on SQS")
	err = create("fn", shortVis, nil)
	wantError(t, err, "InvalidParameterValueException", "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds")
	err = create("fn", strings.Replace(arn, ":work", ":missing", 1), nil)
	wantError(t, err, "InvalidParameterValueException", "NonExistentQueue")
	err = create("missing", arn, nil)
	wantError(t, err, "ResourceNotFoundException", "Function not found")
	err = create("fn", arn, func(in *lambdasdk.CreateEventSourceMappingInput) {
		in.StartingPosition = types.EventSourcePositionLatest
	})
	wantError(t, err, "InvalidParameterValueException", "StartingPosition")

	// A valid mapping, then a duplicate.
	out, err := e.lambda.CreateEventSourceMapping(ctx(t), &lambdasdk.CreateEventSourceMappingInput{
		FunctionName: aws.String("fn"), EventSourceArn: aws.String(arn), BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(5),
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		ScalingConfig:         &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}, Enabled: aws.Bool(false),
	})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	if aws.ToInt32(out.BatchSize) != 100 || aws.ToInt32(out.MaximumBatchingWindowInSeconds) != 5 || aws.ToString(out.EventSourceArn) != arn ||
		!strings.HasSuffix(aws.ToString(out.FunctionArn), ":function:fn") || len(out.FunctionResponseTypes) != 1 ||
		aws.ToInt32(out.ScalingConfig.MaximumConcurrency) != 2 || aws.ToString(out.UUID) == "" || out.LastModified == nil ||
		!strings.HasSuffix(aws.ToString(out.EventSourceMappingArn), ":event-source-mapping:"+aws.ToString(out.UUID)) {
		t.Fatalf("CreateEventSourceMapping output = %+v", out)
	}
	err = create("fn", arn, nil)
	wantError(t, err, "ResourceConflictException", aws.ToString(out.UUID))

	got, err := e.lambda.GetEventSourceMapping(ctx(t), &lambdasdk.GetEventSourceMappingInput{UUID: out.UUID})
	if err != nil || aws.ToString(got.State) != "Disabled" {
		t.Fatalf("GetEventSourceMapping = %+v, %v", got, err)
	}
	list, err := e.lambda.ListEventSourceMappings(ctx(t), &lambdasdk.ListEventSourceMappingsInput{FunctionName: aws.String("fn")})
	if err != nil || len(list.EventSourceMappings) != 1 {
		t.Fatalf("ListEventSourceMappings = %+v, %v", list, err)
	}
	list, _ = e.lambda.ListEventSourceMappings(ctx(t), &lambdasdk.ListEventSourceMappingsInput{EventSourceArn: aws.String(shortVis)})
	if len(list.EventSourceMappings) != 0 {
		t.Fatalf("filter by another queue listed %d mappings", len(list.EventSourceMappings))
	}
	_, err = e.lambda.UpdateEventSourceMapping(ctx(t), &lambdasdk.UpdateEventSourceMappingInput{UUID: out.UUID, MaximumBatchingWindowInSeconds: aws.Int32(0)})
	wantError(t, err, "InvalidParameterValueException", "Maximum batch window")
	upd, err := e.lambda.UpdateEventSourceMapping(ctx(t), &lambdasdk.UpdateEventSourceMappingInput{UUID: out.UUID, BatchSize: aws.Int32(10), MaximumBatchingWindowInSeconds: aws.Int32(0)})
	if err != nil || aws.ToInt32(upd.BatchSize) != 10 {
		t.Fatalf("UpdateEventSourceMapping = %+v, %v", upd, err)
	}
	del, err := e.lambda.DeleteEventSourceMapping(ctx(t), &lambdasdk.DeleteEventSourceMappingInput{UUID: out.UUID})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("DeleteEventSourceMapping = %+v, %v", del, err)
	}
	eventually(t, 5*time.Second, "the mapping to be gone", func() bool {
		_, err := e.lambda.GetEventSourceMapping(ctx(t), &lambdasdk.GetEventSourceMappingInput{UUID: out.UUID})
		return err != nil && apiError(t, err).ErrorCode() == "ResourceNotFoundException"
	})
}

// mapQueue creates a function with MODE, a queue (visibility 1 s, DLQ after
// maxReceive receives) and an enabled mapping, and returns the queue and DLQ
// URLs and the mapping's UUID.
func mapQueue(t *testing.T, e *env, name, mode string, reportFailures bool, maxReceive int) (string, string, string) {
	t.Helper()
	role := e.role(t, name+"-role", lambdaTrust, sqsPollStatement)
	e.createFunction(t, e.lambda, name, role, fnOpts{timeout: 1, env: map[string]string{"MODE": mode}})
	url, arn, dlq := e.queue(t, e.sqs, name+"-queue", 1, maxReceive)
	in := &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(name), EventSourceArn: aws.String(arn), BatchSize: aws.Int32(10)}
	if reportFailures {
		in.FunctionResponseTypes = []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}
	}
	out, err := e.lambda.CreateEventSourceMapping(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	eventually(t, 5*time.Second, "the mapping to be Enabled", func() bool {
		got, err := e.lambda.GetEventSourceMapping(ctx(t), &lambdasdk.GetEventSourceMappingInput{UUID: out.UUID})
		return err == nil && aws.ToString(got.State) == "Enabled"
	})
	return url, dlq, aws.ToString(out.UUID)
}

func sendBatch(t *testing.T, c *sqs.Client, url string, bodies ...string) {
	t.Helper()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, b := range bodies {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String("m" + string(rune('a'+i))), MessageBody: aws.String(b),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"cmd": {DataType: aws.String("String"), StringValue: aws.String("SET")}}})
	}
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil || len(out.Failed) > 0 {
		t.Fatalf("SendMessageBatch: %v %v", out, err)
	}
}

func stats(t *testing.T, e *env, uuid string) lambda.MappingStats {
	t.Helper()
	st, ok := e.svc.MappingStats(uuid)
	if !ok {
		t.Fatalf("no stats for %s", uuid)
	}
	return st
}

func TestDeliverySuccessDeletesBatch(t *testing.T) {
	e := start(t, 50*time.Millisecond)
	url, dlq, uuid := mapQueue(t, e, "ok", "ok", true, 3)
	sendBatch(t, e.sqs, url, "SET a 1", "SET b 2", "SET c 3")
	eventually(t, 10*time.Second, "the queue to drain", func() bool { return depth(t, e.sqs, url) == 0 })
	st := stats(t, e, uuid)
	if st.MessagesDeleted != 3 || st.FunctionErrors != 0 || st.Invocations < 1 {
		t.Fatalf("stats = %+v", st)
	}
	if depth(t, e.sqs, dlq) != 0 {
		t.Fatalf("DLQ is not empty")
	}
	resp, err := http.Get(e.emu.URL() + "/_emulator/lambda/mappings/" + uuid + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	var remote lambda.MappingStats
	err = json.NewDecoder(resp.Body).Decode(&remote)
	resp.Body.Close()
	if err != nil || remote.MessagesDeleted != 3 {
		t.Fatalf("GET stats = %+v, %v", remote, err)
	}
	logs := strings.Join(e.svc.FunctionLogs(usEast, "ok"), "\n")
	if !strings.Contains(logs, "body=SET b 2") || !strings.Contains(logs, "receive=1") {
		t.Fatalf("the function did not see the SQS records:\n%s", logs)
	}
}

func TestDeliveryPartialFailureWithReportBatchItemFailures(t *testing.T) {
	e := start(t, 50*time.Millisecond)
	url, dlq, uuid := mapQueue(t, e, "partial", "partial", true, 2)
	sendBatch(t, e.sqs, url, "SET a 1", "fail b", "SET c 3", "fail d")
	// The failed messages come back after the 1 s visibility timeout, fail
	// again, and move to the DLQ at their third receive.
	eventually(t, 20*time.Second, "the failed messages to reach the DLQ", func() bool {
		return depth(t, e.sqs, dlq) == 2 && depth(t, e.sqs, url) == 0
	})
	st := stats(t, e, uuid)
	if st.MessagesDeleted != 2 || st.PartialFailures < 2 || st.InvalidResponses != 0 {
		t.Fatalf("stats = %+v", st)
	}
	msgs, err := e.sqs.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), MaxNumberOfMessages: 10})
	if err != nil || len(msgs.Messages) != 2 {
		t.Fatalf("DLQ receive = %v, %v", msgs, err)
	}
	for _, m := range msgs.Messages {
		if !strings.HasPrefix(aws.ToString(m.Body), "fail") {
			t.Fatalf("DLQ holds %q, want only the failed messages", aws.ToString(m.Body))
		}
	}
}

func TestDeliveryWithoutReportBatchItemFailuresDeletesEverything(t *testing.T) {
	e := start(t, 50*time.Millisecond)
	// The same function reports failures, but the mapping does not ask for
	// them: Lambda ignores the response and deletes the whole batch.
	url, dlq, uuid := mapQueue(t, e, "trap", "partial", false, 2)
	sendBatch(t, e.sqs, url, "SET a 1", "fail b", "fail c")
	eventually(t, 10*time.Second, "the queue to drain", func() bool { return depth(t, e.sqs, url) == 0 })
	time.Sleep(1500 * time.Millisecond) // longer than the visibility timeout: nothing comes back
	if n := depth(t, e.sqs, url); n != 0 {
		t.Fatalf("queue holds %d messages", n)
	}
	if n := depth(t, e.sqs, dlq); n != 0 {
		t.Fatalf("DLQ holds %d messages: the failures should have been silently lost", n)
	}
	if st := stats(t, e, uuid); st.MessagesDeleted != 3 || st.PartialFailures != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestDeliveryInvalidResponseFailsWholeBatch(t *testing.T) {
	for _, mode := range []string{"invalid", "unknown-id", "error"} {
		t.Run(mode, func(t *testing.T) {
			e := start(t, 50*time.Millisecond)
			url, dlq, uuid := mapQueue(t, e, "bad-"+mode, mode, true, 1)
			sendBatch(t, e.sqs, url, "SET a 1", "SET b 2")
			eventually(t, 20*time.Second, "every message to reach the DLQ", func() bool {
				return depth(t, e.sqs, dlq) == 2 && depth(t, e.sqs, url) == 0
			})
			st := stats(t, e, uuid)
			if st.MessagesDeleted != 0 {
				t.Fatalf("stats = %+v: nothing may be deleted", st)
			}
			if mode == "error" && st.FunctionErrors == 0 || mode != "error" && st.InvalidResponses == 0 {
				t.Fatalf("stats = %+v", st)
			}
		})
	}
}

func TestDisabledMappingStopsDelivery(t *testing.T) {
	e := start(t, 50*time.Millisecond)
	url, _, uuid := mapQueue(t, e, "toggle", "ok", true, 0)
	if _, err := e.lambda.UpdateEventSourceMapping(ctx(t), &lambdasdk.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)}); err != nil {
		t.Fatalf("disable: %v", err)
	}
	eventually(t, 5*time.Second, "the mapping to be Disabled", func() bool {
		got, err := e.lambda.GetEventSourceMapping(ctx(t), &lambdasdk.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		return err == nil && aws.ToString(got.State) == "Disabled"
	})
	before := stats(t, e, uuid)
	sendBatch(t, e.sqs, url, "SET a 1")
	time.Sleep(time.Second)
	if n := depth(t, e.sqs, url); n != 1 {
		t.Fatalf("a disabled mapping consumed the message (depth %d)", n)
	}
	if st := stats(t, e, uuid); st.Batches != before.Batches {
		t.Fatalf("a disabled mapping invoked the function: %+v", st)
	}
	if _, err := e.lambda.UpdateEventSourceMapping(ctx(t), &lambdasdk.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(true)}); err != nil {
		t.Fatalf("enable: %v", err)
	}
	eventually(t, 10*time.Second, "the message to be consumed once enabled", func() bool { return depth(t, e.sqs, url) == 0 })

	// Deleting stops the pollers.
	if _, err := e.lambda.DeleteEventSourceMapping(ctx(t), &lambdasdk.DeleteEventSourceMappingInput{UUID: aws.String(uuid)}); err != nil {
		t.Fatalf("DeleteEventSourceMapping: %v", err)
	}
	eventually(t, 5*time.Second, "the pollers to stop", func() bool { return stats(t, e, uuid).Pollers == 0 })
	sendBatch(t, e.sqs, url, "SET b 2")
	time.Sleep(500 * time.Millisecond)
	if n := depth(t, e.sqs, url); n != 1 {
		t.Fatalf("a deleted mapping consumed the message (depth %d)", n)
	}
}

func TestPollersScaleOut(t *testing.T) {
	e := start(t, 50*time.Millisecond)
	role := e.role(t, "exec", lambdaTrust, sqsPollStatement)
	e.createFunction(t, e.lambda, "slow", role, fnOpts{timeout: 2, env: map[string]string{"MODE": "ok"}})
	url, arn, _ := e.queue(t, e.sqs, "busy", 30, 0)
	for i := 0; i < 5; i++ {
		sendBatch(t, e.sqs, url, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
	}
	out, err := e.lambda.CreateEventSourceMapping(ctx(t), &lambdasdk.CreateEventSourceMappingInput{
		FunctionName: aws.String("slow"), EventSourceArn: aws.String(arn), BatchSize: aws.Int32(2),
		ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(3)},
	})
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	eventually(t, 20*time.Second, "the queue to drain", func() bool { return depth(t, e.sqs, url) == 0 })
	st := stats(t, e, aws.ToString(out.UUID))
	if st.MaxPollers < 2 || st.MaxPollers > 3 || st.MessagesDeleted != 50 {
		t.Fatalf("stats = %+v, want 2 to 3 pollers and 50 deletions", st)
	}
}
