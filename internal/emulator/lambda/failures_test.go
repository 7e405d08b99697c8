package lambda_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

// metricSum reads the sum of an AWS/Lambda metric over the last hour with
// GetMetricData; ok is false when there is no datapoint.
func metricSum(t *testing.T, e *env, name string, dims map[string]string) (sum float64, ok bool) {
	t.Helper()
	c := cw.NewFromConfig(emulatortest.Config(t, e.emu, usEast))
	var d []cwtypes.Dimension
	for k, v := range dims {
		d = append(d, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(v)})
	}
	now := e.emu.Clock().Now()
	out, err := c.GetMetricData(ctx(t), &cw.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("m"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(name), Dimensions: d},
				Period: aws.Int32(3600), Stat: aws.String("Sum"),
			},
		}},
	})
	if err != nil {
		t.Fatalf("GetMetricData %s: %v", name, err)
	}
	if len(out.MetricDataResults) != 1 || len(out.MetricDataResults[0].Values) == 0 {
		return 0, false
	}
	for _, v := range out.MetricDataResults[0].Values {
		sum += v
	}
	return sum, true
}

// logEvents returns the messages of a log group that match a filter pattern.
func logEvents(t *testing.T, e *env, group, pattern string) []string {
	t.Helper()
	c := cwl.NewFromConfig(emulatortest.Config(t, e.emu, usEast))
	out, err := c.FilterLogEvents(ctx(t), &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(pattern)})
	if err != nil {
		t.Fatalf("FilterLogEvents %s %q: %v", group, pattern, err)
	}
	var msgs []string
	for _, ev := range out.Events {
		msgs = append(msgs, aws.ToString(ev.Message))
	}
	return msgs
}

var streamNameRE = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)

// TestFailedInvocationsThroughSQS: a function whose bootstrap cannot run
// fails each SQS batch as Lambda does: the batch is not deleted and comes
// back after the visibility timeout, the failure is counted in the
// function's Errors metric and its runtime error is in the function's log
// group.
func TestFailedInvocationsThroughSQS(t *testing.T) {
	cases := []struct {
		name, errorLine string
		opts            fnOpts
	}{
		{"exits-at-start", "Runtime.ExitError", fnOpts{zip: tinyZip("echo bootstrap failing at start >&2; exit 1")}},
		{"other-architecture", `"exec format error"`, fnOpts{arch: otherArch()}}, // a host binary in a function of the other architecture
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, 50*time.Millisecond)
			role := e.role(t, "role", lambdaTrust, sqsPollStatement, logsStatement)
			tc.opts.timeout = 1
			e.createFunction(t, e.lambda, tc.name, role, tc.opts)
			url, arn, _ := e.queue(t, e.sqs, "q", 2, 5)
			m, err := e.lambda.CreateEventSourceMapping(ctx(t), &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(tc.name), EventSourceArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			uuid := aws.ToString(m.UUID)
			if _, err := e.sqs.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("SET a 1")}); err != nil {
				t.Fatal(err)
			}
			eventually(t, 20*time.Second, "a failed invocation", func() bool { return stats(t, e, uuid).FunctionErrors >= 1 })

			// The message is still there: with the mapping disabled, it is
			// visible again once its visibility timeout ends.
			if _, err := e.lambda.UpdateEventSourceMapping(ctx(t), &lambdasdk.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); err != nil {
				t.Fatal(err)
			}
			var got []sqstypes.Message
			eventually(t, 15*time.Second, "the message to be visible again", func() bool {
				out, err := e.sqs.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}})
				if err != nil {
					t.Fatal(err)
				}
				got = out.Messages
				return len(got) == 1
			})
			if aws.ToString(got[0].Body) != "SET a 1" || got[0].Attributes["ApproximateReceiveCount"] == "1" {
				t.Fatalf("received %q after %s receives", aws.ToString(got[0].Body), got[0].Attributes["ApproximateReceiveCount"])
			}
			if st := stats(t, e, uuid); st.MessagesDeleted != 0 {
				t.Fatalf("stats = %+v: a failed batch may not be deleted", st)
			}

			errs, ok := metricSum(t, e, "Errors", map[string]string{"FunctionName": tc.name})
			invocations, _ := metricSum(t, e, "Invocations", map[string]string{"FunctionName": tc.name})
			if !ok || errs < 1 || invocations < errs {
				t.Fatalf("AWS/Lambda Errors = %v (datapoints: %v), Invocations = %v", errs, ok, invocations)
			}

			group := "/aws/lambda/" + tc.name
			if lines := logEvents(t, e, group, tc.errorLine); len(lines) == 0 {
				t.Fatalf("no %s line in %s; the group holds:\n%s", tc.errorLine, group, strings.Join(logEvents(t, e, group, ""), "\n"))
			}
			if tc.name == "exits-at-start" {
				if lines := logEvents(t, e, group, `"bootstrap failing at start"`); len(lines) == 0 {
					t.Fatalf("the bootstrap's stderr is not in %s", group)
				}
			}
			streams, err := cwl.NewFromConfig(emulatortest.Config(t, e.emu, usEast)).DescribeLogStreams(ctx(t), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
			if err != nil || len(streams.LogStreams) == 0 {
				t.Fatalf("DescribeLogStreams = %+v, %v", streams, err)
			}
			for _, s := range streams.LogStreams {
				if !streamNameRE.MatchString(aws.ToString(s.LogStreamName)) {
					t.Fatalf("stream name %q is not Lambda's YYYY/MM/DD/[$LATEST]<32 hex>", aws.ToString(s.LogStreamName))
				}
			}
		})
	}
}

// qemuAvailable reports whether the host can run bootstraps of the other
// architecture through QEMU (qemu-user on PATH, or binfmt_misc).
func qemuAvailable() bool {
	name := "qemu-aarch64"
	if otherArch() == types.ArchitectureX8664 {
		name = "qemu-x86_64"
	}
	if _, err := exec.LookPath(name); err == nil {
		return true
	}
	data, err := os.ReadFile("/proc/sys/fs/binfmt_misc/" + name)
	return err == nil && strings.HasPrefix(string(data), "enabled")
}

// TestForeignArchitectureThroughQEMU: a function of the other architecture
// than the host's, with a bootstrap built for it, runs through QEMU where
// qemu-user is installed, and fails with Runtime.InvalidEntrypoint (saying
// what to install) where it is not.
func TestForeignArchitectureThroughQEMU(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "role", lambdaTrust, logsStatement)
	foreign := fnOpts{arch: otherArch(), zip: foreignZip, timeout: 10}

	t.Run("without QEMU", func(t *testing.T) {
		e.svc.SetQEMU(false)
		defer e.svc.SetQEMU(true)
		e.createFunction(t, e.lambda, "no-qemu", role, foreign)
		out, p := invoke(t, e.lambda, "no-qemu", map[string]string{"action": "echo"})
		if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(p["errorMessage"].(string), "qemu") {
			t.Fatalf("without QEMU = %v %v", aws.ToString(out.FunctionError), p)
		}
		if lines := logEvents(t, e, "/aws/lambda/no-qemu", "Runtime.InvalidEntrypoint"); len(lines) == 0 {
			t.Fatalf("no Runtime.InvalidEntrypoint line in the function's logs")
		}
		if errs, _ := metricSum(t, e, "Errors", map[string]string{"FunctionName": "no-qemu"}); errs != 1 {
			t.Fatalf("Errors = %v, want 1", errs)
		}
	})

	t.Run("QEMU not on PATH", func(t *testing.T) {
		data, err := os.ReadFile("/proc/sys/fs/binfmt_misc/qemu-aarch64")
		if err == nil && strings.HasPrefix(string(data), "enabled") {
			t.Skip("binfmt_misc runs foreign binaries whatever PATH holds")
		}
		t.Setenv("PATH", t.TempDir())
		e.createFunction(t, e.lambda, "empty-path", role, foreign)
		_, p := invoke(t, e.lambda, "empty-path", map[string]string{"action": "echo"})
		if p["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(p["errorMessage"].(string), "qemu-user") {
			t.Fatalf("without qemu on PATH = %v", p)
		}
	})

	t.Run("with QEMU", func(t *testing.T) {
		if !qemuAvailable() {
			t.Skip("qemu-user is not installed on this host")
		}
		e.createFunction(t, e.lambda, "qemu", role, foreign)
		out, p := invoke(t, e.lambda, "qemu", map[string]string{"action": "echo"})
		if out.FunctionError != nil {
			t.Fatalf("through QEMU = %v %v\n%s", aws.ToString(out.FunctionError), p, strings.Join(e.svc.FunctionLogs(usEast, "qemu"), "\n"))
		}
		env, _ := p["env"].(map[string]any)
		if env["AWS_LAMBDA_FUNCTION_NAME"] != "qemu" {
			t.Fatalf("the function did not answer: %v", p)
		}
		if errs, ok := metricSum(t, e, "Errors", map[string]string{"FunctionName": "qemu"}); !ok || errs != 0 {
			t.Fatalf("Errors = %v (datapoints: %v), want 0", errs, ok)
		}
	})
}

// TestInvocationMetrics: Invocations, Errors, Duration and Throttles in
// AWS/Lambda, per function and per version (Resource).
func TestInvocationMetrics(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "role", lambdaTrust)
	e.createFunction(t, e.lambda, "fn", role, fnOpts{})
	invoke(t, e.lambda, "fn", map[string]string{"action": "echo"})
	invoke(t, e.lambda, "fn", map[string]string{"action": "echo"})
	out, _ := invoke(t, e.lambda, "fn", map[string]string{"action": "fail"})
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("fail = %v", aws.ToString(out.FunctionError))
	}
	if _, err := e.lambda.PublishVersion(ctx(t), &lambdasdk.PublishVersionInput{FunctionName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn"), Qualifier: aws.String("1"), Payload: []byte(`{"action":"echo"}`)}); err != nil {
		t.Fatal(err)
	}
	fn := map[string]string{"FunctionName": "fn"}
	for name, want := range map[string]float64{"Invocations": 4, "Errors": 1} {
		if got, _ := metricSum(t, e, name, fn); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got, _ := metricSum(t, e, "Invocations", map[string]string{"FunctionName": "fn", "Resource": "fn:1"}); got != 1 {
		t.Errorf("Invocations of version 1 = %v, want 1", got)
	}
	if got, _ := metricSum(t, e, "Invocations", map[string]string{}); got != 4 {
		t.Errorf("Invocations of the account = %v, want 4", got)
	}
	if _, ok := metricSum(t, e, "Duration", fn); !ok {
		t.Errorf("no Duration datapoint")
	}

	// Reserved concurrency 0 throttles every request: Throttles, not Invocations.
	if _, err := e.lambda.PutFunctionConcurrency(ctx(t), &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("fn"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn")}, func(o *lambdasdk.Options) { o.RetryMaxAttempts = 1 })
	wantError(t, err, "TooManyRequestsException", "Rate Exceeded")
	if got, _ := metricSum(t, e, "Throttles", fn); got != 1 {
		t.Errorf("Throttles = %v, want 1", got)
	}
	if got, _ := metricSum(t, e, "Invocations", fn); got != 4 {
		t.Errorf("Invocations after a throttle = %v, want 4", got)
	}
}

// TestFunctionLogsInCloudWatchLogs: the function's output and Lambda's
// platform lines reach the function's log group, one stream per execution
// environment, stamped with the emulator's clock, when the execution role
// allows it.
func TestFunctionLogsInCloudWatchLogs(t *testing.T) {
	e := start(t, 0)
	logs := cwl.NewFromConfig(emulatortest.Config(t, e.emu, usEast))
	e.emu.Clock().Advance(time.Hour) // timestamps follow the emulator's clock
	before := e.emu.Clock().Now().UnixMilli()
	role := e.role(t, "role", lambdaTrust, logsStatement)
	e.createFunction(t, e.lambda, "talker", role, fnOpts{})
	invoke(t, e.lambda, "talker", map[string]string{"action": "log", "line": "hello logs"})
	invoke(t, e.lambda, "talker", map[string]string{"action": "log", "line": "second call"})

	streams, err := logs.DescribeLogStreams(ctx(t), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/talker")})
	if err != nil || len(streams.LogStreams) != 1 {
		t.Fatalf("streams of a warm function = %+v, %v (want one: one environment)", streams, err)
	}
	stream := streams.LogStreams[0].LogStreamName
	evs, err := logs.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/talker"), LogStreamName: stream, StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs.Events {
		msg := aws.ToString(ev.Message)
		if aws.ToInt64(ev.Timestamp) < before {
			t.Fatalf("event %q at %d, before the emulator's clock (%d)", msg, aws.ToInt64(ev.Timestamp), before)
		}
		kind, _, _ := strings.Cut(msg, " ")
		if msg == "hello logs" || msg == "second call" {
			kind = msg
		}
		kinds = append(kinds, kind)
	}
	want := "INIT_START,START,hello logs,END,REPORT,START,second call,END,REPORT"
	if got := strings.Join(kinds, ","); got != want {
		t.Fatalf("stream events = %s, want %s", got, want)
	}
	if r := aws.ToString(evs.Events[4].Message); !strings.Contains(r, "Init Duration:") || !strings.Contains(r, "Billed Duration:") {
		t.Fatalf("first REPORT line = %q", r)
	}

	// A custom log group (LoggingConfig.LogGroup) receives the lines instead.
	in := functionInput("custom", role, fnOpts{})
	in.LoggingConfig = &types.LoggingConfig{LogGroup: aws.String("/custom/group")}
	if _, err := e.lambda.CreateFunction(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	invoke(t, e.lambda, "custom", map[string]string{"action": "log", "line": "to the custom group"})
	if lines := logEvents(t, e, "/custom/group", `"to the custom group"`); len(lines) != 1 {
		t.Fatalf("custom group holds %v", lines)
	}

	// Without logs permissions, as on AWS, nothing is written (the lines
	// are still in FunctionLogs).
	silent := e.role(t, "silent", lambdaTrust)
	e.createFunction(t, e.lambda, "silent", silent, fnOpts{})
	invoke(t, e.lambda, "silent", map[string]string{"action": "log", "line": "unheard"})
	groups, err := logs.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/silent")})
	if err != nil || len(groups.LogGroups) != 0 {
		t.Fatalf("a role without logs permissions created %+v, %v", groups, err)
	}
	if !strings.Contains(strings.Join(e.svc.FunctionLogs(usEast, "silent"), "\n"), "unheard") {
		t.Fatalf("FunctionLogs lost the line")
	}

	// With PutLogEvents and CreateLogStream only, an existing group is written to.
	narrow := e.role(t, "narrow", lambdaTrust, `{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:`+e.emu.AccountID()+`:log-group:/aws/lambda/narrow:*"}`)
	if _, err := logs.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/narrow")}); err != nil {
		t.Fatal(err)
	}
	e.createFunction(t, e.lambda, "narrow", narrow, fnOpts{})
	invoke(t, e.lambda, "narrow", map[string]string{"action": "log", "line": "heard"})
	if lines := logEvents(t, e, "/aws/lambda/narrow", "heard"); len(lines) != 1 {
		t.Fatalf("narrow role's group holds %v", lines)
	}
}
