package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestInvokeExecutesBootstrap(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust, `{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}`)
	e.createFunction(t, e.lambda, "fn", role, fnOpts{timeout: 1, env: map[string]string{"GREETING": "hello"}})

	out, p := invoke(t, e.lambda, "fn", map[string]string{"action": "echo", "x": "y"})
	if out.StatusCode != http.StatusOK || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("Invoke = status %d error %v version %v", out.StatusCode, aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion))
	}
	env := p["env"].(map[string]any)
	want := map[string]string{
		"AWS_REGION": usEast, "AWS_DEFAULT_REGION": usEast, "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn", "_HANDLER": "bootstrap",
		"TZ": ":UTC", "GREETING": "hello", "AWS_ENDPOINT_URL": e.emu.URL(),
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if env["AWS_ACCESS_KEY_ID"] == "" || env["AWS_SESSION_TOKEN"] == "" || env["LAMBDA_TASK_ROOT"] == "" || !strings.Contains(env["AWS_LAMBDA_LOG_STREAM_NAME"].(string), "[$LATEST]") {
		t.Errorf("environment lacks credentials, task root or log stream: %v", env)
	}
	if p["function_arn"] != "arn:aws:lambda:us-east-1:"+e.emu.AccountID()+":function:fn" || p["request_id"] == "" {
		t.Errorf("context = %v %v", p["function_arn"], p["request_id"])
	}
	if d := p["deadline_in_ms"].(float64); d > 1000 {
		t.Errorf("deadline in %v ms, want within the 1 s timeout", d)
	}
	if in := p["input"].(map[string]any); in["x"] != "y" {
		t.Errorf("input = %v", in)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "START RequestId: ") || !strings.Contains(string(tail), "REPORT RequestId: ") {
		t.Errorf("log tail = %q", tail)
	}

	// Warm reuse: the same process answers again.
	pid := p["pid"]
	_, p2 := invoke(t, e.lambda, "fn", map[string]string{"action": "echo"})
	if p2["pid"] != pid {
		t.Errorf("second invocation ran in pid %v, want the warm %v", p2["pid"], pid)
	}

	// A handler error.
	out, p = invoke(t, e.lambda, "fn", map[string]string{"action": "fail"})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorMessage"] != "the function failed on purpose" || p["errorType"] != "errorString" {
		t.Fatalf("error invocation = %v %v", aws.ToString(out.FunctionError), p)
	}
	_, p3 := invoke(t, e.lambda, "fn", map[string]string{"action": "echo"})
	if p3["pid"] != pid {
		t.Errorf("a handled error should keep the process: pid %v, was %v", p3["pid"], pid)
	}

	// A timeout kills the process; the next invocation starts a fresh one.
	start := time.Now()
	out, p = invoke(t, e.lambda, "fn", map[string]any{"action": "sleep", "ms": 3000})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "Sandbox.Timedout" || !strings.Contains(p["errorMessage"].(string), "Task timed out after 1.00 seconds") {
		t.Fatalf("timeout invocation = %v %v", aws.ToString(out.FunctionError), p)
	}
	if time.Since(start) < time.Second {
		t.Fatalf("timed out after %v, before the 1 s timeout", time.Since(start))
	}
	_, p4 := invoke(t, e.lambda, "fn", map[string]string{"action": "echo"})
	if p4["pid"] == pid || p4["pid"] == nil {
		t.Errorf("after a timeout the function ran in pid %v, want a new process", p4["pid"])
	}

	// A crash is a Runtime.ExitError.
	out, p = invoke(t, e.lambda, "fn", map[string]string{"action": "crash"})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "Runtime.ExitError" || !strings.Contains(p["errorMessage"].(string), "exit status 3") {
		t.Fatalf("crash invocation = %v %v", aws.ToString(out.FunctionError), p)
	}
	if _, p5 := invoke(t, e.lambda, "fn", map[string]string{"action": "echo"}); p5["pid"] == p4["pid"] {
		t.Errorf("after a crash the function ran in the dead pid %v", p5["pid"])
	}

	// Logs are kept per function.
	invoke(t, e.lambda, "fn", map[string]string{"action": "log", "line": "hello from the function"})
	logs := strings.Join(e.svc.FunctionLogs(usEast, "fn"), "\n")
	for _, want := range []string{"hello from the function", "crashing now", "Task timed out after 1.00 seconds", "Runtime.ExitError", "END RequestId: "} {
		if !strings.Contains(logs, want) {
			t.Errorf("function logs lack %q:\n%s", want, logs)
		}
	}

	// The same logs over the admin API.
	resp, err := http.Get(e.emu.URL() + "/_emulator/lambda/logs?region=us-east-1&function=fn")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "hello from the function") {
		t.Fatalf("GET /_emulator/lambda/logs = %d\n%s", resp.StatusCode, body)
	}

	// Invalid JSON payloads are refused by the API.
	_, err = e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte("{not json")})
	wantError(t, err, "InvalidRequestContentException", "Could not parse request body into json")
}

func TestInvokeConcurrencyAndAsync(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust)
	e.createFunction(t, e.lambda, "fn", role, fnOpts{timeout: 5})

	// Concurrent invocations scale out to several processes.
	var mu sync.Mutex
	pids := map[any]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, p := invoke(t, e.lambda, "fn", map[string]any{"action": "sleep", "ms": 2000})
			mu.Lock()
			pids[p["pid"]] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(pids) != 3 {
		t.Fatalf("3 concurrent invocations ran in %d processes", len(pids))
	}

	// Reserved concurrency 0 throttles.
	if _, err := e.lambda.PutFunctionConcurrency(ctx(t), &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("fn"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	noRetry := lambdasdk.NewFromConfig(emulatortest.Config(t, e.emu, usEast), func(o *lambdasdk.Options) { o.RetryMaxAttempts = 1 })
	_, err := noRetry.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte(`{}`)})
	wantError(t, err, "TooManyRequestsException", "Rate Exceeded.")
	if _, err := e.lambda.DeleteFunctionConcurrency(ctx(t), &lambdasdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}

	// Event invocations return 202 and run in the background.
	out, err := e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`{"action":"log","line":"async hello"}`)})
	if err != nil || out.StatusCode != http.StatusAccepted {
		t.Fatalf("Event invoke = %v, %v", out, err)
	}
	eventually(t, 10*time.Second, "the async invocation's log line", func() bool {
		return strings.Contains(strings.Join(e.svc.FunctionLogs(usEast, "fn"), "\n"), "async hello")
	})
	dry, err := e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != http.StatusNoContent {
		t.Fatalf("DryRun = %v, %v", dry, err)
	}
}

func TestInvokeInitFailuresAndArchitecture(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust)

	// A shell script bootstrap that exits during init.
	e.createFunction(t, e.lambda, "init-exit", role, fnOpts{zip: tinyZip("echo failing during init; exit 2")})
	out, p := invoke(t, e.lambda, "init-exit", map[string]string{})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "Runtime.ExitError" || !strings.Contains(p["errorMessage"].(string), "exit status 2") {
		t.Fatalf("init exit = %v %v", aws.ToString(out.FunctionError), p)
	}
	if logs := strings.Join(e.svc.FunctionLogs(usEast, "init-exit"), "\n"); !strings.Contains(logs, "failing during init") {
		t.Fatalf("init output missing from the logs:\n%s", logs)
	}

	e.createFunction(t, e.lambda, "init-error", role, fnOpts{env: map[string]string{"INIT": "error"}})
	out, p = invoke(t, e.lambda, "init-error", map[string]string{})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "InitError" || p["errorMessage"] != "missing configuration" {
		t.Fatalf("init error = %v %v", aws.ToString(out.FunctionError), p)
	}

	// A binary built for another machine than the function's Architectures
	// cannot start, as on AWS ("fork/exec /var/task/bootstrap: exec format
	// error"), with or without QEMU on the host. (A #! script runs whatever
	// the architecture: its interpreter is the environment's own.)
	e.createFunction(t, e.lambda, "wrong-arch", role, fnOpts{arch: otherArch()})
	out, p = invoke(t, e.lambda, "wrong-arch", map[string]string{})
	if aws.ToString(out.FunctionError) != "Unhandled" || p["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(p["errorMessage"].(string), "exec format error") {
		t.Fatalf("wrong architecture = %v %v", aws.ToString(out.FunctionError), p)
	}
	e.createFunction(t, e.lambda, "script-other-arch", role, fnOpts{arch: otherArch(), zip: tinyZip("echo script ran; exit 4")})
	out, p = invoke(t, e.lambda, "script-other-arch", map[string]string{})
	if p["errorType"] != "Runtime.ExitError" || !strings.Contains(p["errorMessage"].(string), "exit status 4") {
		t.Fatalf("a script of the other architecture = %v %v", aws.ToString(out.FunctionError), p)
	}

	e.createFunction(t, e.lambda, "not-executable", role, fnOpts{zip: zipFile("bootstrap", []byte("#!/bin/sh\nexit 0\n"), 0o644)})
	_, p = invoke(t, e.lambda, "not-executable", map[string]string{})
	if p["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(p["errorMessage"].(string), "permission denied") {
		t.Fatalf("non-executable bootstrap = %v", p)
	}

	e.createFunction(t, e.lambda, "python", role, fnOpts{runtime: types.RuntimePython312, zip: tinyZip("exit 0")})
	_, p = invoke(t, e.lambda, "python", map[string]string{})
	if p["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(p["errorMessage"].(string), "custom runtimes") {
		t.Fatalf("python runtime = %v", p)
	}
}

func TestFunctionCallsReachTheEmulator(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust, `{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}`)
	e.createFunction(t, e.lambda, "sender", role, fnOpts{timeout: 10})
	url, _, _ := e.queue(t, e.sqs, "outbox", 30, 0)

	_, p := invoke(t, e.lambda, "sender", map[string]string{"action": "sqs-send", "queue_url": url, "body": "from inside"})
	if p["message_id"] == nil {
		t.Fatalf("sqs-send = %v", p)
	}
	msgs, err := e.sqs.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 2})
	if err != nil || len(msgs.Messages) != 1 || aws.ToString(msgs.Messages[0].Body) != "from inside" {
		t.Fatalf("the function's message did not reach the emulator's queue: %v, %v", msgs, err)
	}

	_, p = invoke(t, e.lambda, "sender", map[string]string{"action": "whoami"})
	arn, _ := p["arn"].(string)
	if _, ok := e.emu.Service("sts").(core.ServiceRoleAssumer); ok {
		if arn != "arn:aws:sts::"+e.emu.AccountID()+":assumed-role/exec/sender" {
			t.Fatalf("the function acts as %q, want the execution role's session", arn)
		}
	} else if !strings.HasPrefix(arn, "arn:aws:iam::"+e.emu.AccountID()+":user/") {
		t.Fatalf("the function acts as %q (STS does not issue role credentials to Lambda yet)", arn)
	}
}

func TestEMFReachesCloudWatch(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust, logsStatement)
	e.createFunction(t, e.lambda, "metrics", role, fnOpts{})
	emf := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Regis","Dimensions":[["Function"]],"Metrics":[{"Name":"Applied","Unit":"Count"}]}]},"Function":"metrics","Applied":7}`,
		e.emu.Clock().Now().UnixMilli())
	invoke(t, e.lambda, "metrics", map[string]string{"action": "log", "line": emf})
	c := cw.NewFromConfig(emulatortest.Config(t, e.emu, usEast))
	now := e.emu.Clock().Now()
	st, err := c.GetMetricStatistics(ctx(t), &cw.GetMetricStatisticsInput{
		Namespace: aws.String("Regis"), MetricName: aws.String("Applied"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Function"), Value: aws.String("metrics")}},
		StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
	})
	if err != nil || len(st.Datapoints) != 1 || aws.ToFloat64(st.Datapoints[0].Sum) != 7 {
		raw, _ := json.Marshal(st)
		t.Fatalf("EMF metric in CloudWatch = %s, %v", raw, err)
	}

	// CloudWatch extracts EMF metrics from the function's log events: a role
	// that may not write logs gets no metrics either.
	silent := e.role(t, "no-logs", lambdaTrust)
	e.createFunction(t, e.lambda, "no-logs", silent, fnOpts{})
	invoke(t, e.lambda, "no-logs", map[string]string{"action": "log", "line": strings.Replace(emf, `"Function":"metrics"`, `"Function":"no-logs"`, 1)})
	st, err = c.GetMetricStatistics(ctx(t), &cw.GetMetricStatisticsInput{
		Namespace: aws.String("Regis"), MetricName: aws.String("Applied"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("Function"), Value: aws.String("no-logs")}},
		StartTime:  aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
	})
	if err != nil || len(st.Datapoints) != 0 {
		t.Fatalf("EMF metric of a function without logs permissions = %+v, %v", st.Datapoints, err)
	}
}
