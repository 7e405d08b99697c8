// Command fn is the bootstrap of the Lambda emulator's tests. What it does
// depends on its input and environment:
//
//	{"action":"echo", ...}        returns its input with its PID and selected environment
//	{"action":"fail"}             returns an error
//	{"action":"sleep","ms":N}     sleeps N ms, then answers like echo
//	{"action":"crash"}            exits the process with status 3
//	{"action":"log","line":S}     prints S to stdout and answers ok
//	{"action":"sqs-send","queue_url":U,"body":B}  sends a message with the AWS SDK (AWS_ENDPOINT_URL)
//	{"action":"whoami"}           answers sts:GetCallerIdentity's ARN
//
// An SQS event is answered according to MODE: "ok" (nil), "error" (an error),
// "partial" (a batchItemFailure for every record whose body contains "fail"),
// "invalid" (an empty itemIdentifier), "unknown-id" (an identifier not in the batch).
// INIT=exit makes the process exit before serving; INIT=error posts an init error.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type input struct {
	Action   string          `json:"action"`
	MS       int             `json:"ms"`
	Line     string          `json:"line"`
	QueueURL string          `json:"queue_url"`
	Body     string          `json:"body"`
	Records  json.RawMessage `json:"Records"`
}

func envSnapshot() map[string]string {
	out := map[string]string{}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT",
		"_HANDLER", "TZ", "AWS_ENDPOINT_URL", "GREETING", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"} {
		out[k] = os.Getenv(k)
	}
	return out
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	if len(in.Records) > 0 {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return handleSQS(ev)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	echo := map[string]any{"pid": os.Getpid(), "env": envSnapshot(), "input": raw, "request_id": lc.AwsRequestID,
		"function_arn": lc.InvokedFunctionArn, "deadline_in_ms": time.Until(deadline).Milliseconds()}
	switch in.Action {
	case "echo", "":
		return echo, nil
	case "fail":
		return nil, errors.New("the function failed on purpose")
	case "sleep":
		time.Sleep(time.Duration(in.MS) * time.Millisecond)
		return echo, nil
	case "crash":
		fmt.Println("crashing now")
		os.Exit(3)
	case "log":
		fmt.Println(in.Line)
		return map[string]any{"ok": true, "pid": os.Getpid()}, nil
	case "sqs-send":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		out, err := sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(in.QueueURL), MessageBody: aws.String(in.Body)})
		if err != nil {
			return nil, err
		}
		return map[string]any{"message_id": aws.ToString(out.MessageId)}, nil
	case "whoami":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		return map[string]any{"arn": aws.ToString(out.Arn)}, nil
	}
	return nil, fmt.Errorf("unknown action %q", in.Action)
}

func handleSQS(ev events.SQSEvent) (any, error) {
	for _, r := range ev.Records {
		fmt.Printf("record %s receive=%s body=%s\n", r.MessageId, r.Attributes["ApproximateReceiveCount"], r.Body)
	}
	switch os.Getenv("MODE") {
	case "error":
		return nil, errors.New("batch failed")
	case "invalid":
		return map[string]any{"batchItemFailures": []map[string]string{{"itemIdentifier": ""}}}, nil
	case "unknown-id":
		return map[string]any{"batchItemFailures": []map[string]string{{"itemIdentifier": "not-in-batch"}}}, nil
	case "partial":
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, r := range ev.Records {
			if strings.Contains(r.Body, "fail") {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}
	return nil, nil
}

func main() {
	switch os.Getenv("INIT") {
	case "exit":
		fmt.Println("failing during init")
		os.Exit(2)
	case "error":
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(`{"errorMessage":"missing configuration","errorType":"InitError"}`)))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		time.Sleep(time.Minute)
		return
	}
	lambda.Start(handle)
}
