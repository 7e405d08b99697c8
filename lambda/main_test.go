package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/lambdatest"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// buildBootstrap compiles this package for the host, as the Lambda builds it.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startBootstrap(t *testing.T, bin string, env ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "AWS_REGION=eu-west-1"}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, &stdout, &stderr
}

// TestBootstrapServesSQSBatches runs the real binary against a local
// Runtime API and a real Redis: one batch with a good message and a poison
// one (no DLQ configured, so it is reported failed).
func TestBootstrapServesSQSBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	srv := redistest.Start(t, redistest.Options{Password: "tok"})
	api, err := lambdatest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	bin := buildBootstrap(t)
	_, stdout, stderr := startBootstrap(t, bin,
		"AWS_LAMBDA_RUNTIME_API="+api.Addr, "REGIS_REDIS_ADDRS="+srv.Addr, "REGIS_REDIS_AUTH_TOKEN=tok", "REGIS_BUS_NAME=e2e")

	good, _ := regis.Encode(&regis.Message{ID: "g", Origin: regis.Origin{Region: "us-east-1"}, PublishedAt: time.Now(),
		Commands: []regis.Command{{Args: []string{"SET", "e2e", "ok"}}}}, regis.EncodeOptions{})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-good", Body: string(good)},
		{MessageId: "m-poison", Body: `{"regis":2}`},
	}}
	payload, _ := json.Marshal(ev)
	api.Invoke(lambdatest.Invocation{RequestID: "req-1", Payload: payload})
	select {
	case res := <-api.Results:
		if res.Error || res.RequestID != "req-1" {
			t.Fatalf("result %+v: %s", res, res.Body)
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(res.Body, &resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m-poison" {
			t.Fatalf("response %s", res.Body)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no response; stderr:\n%s", stderr)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Password: "tok"})
	defer rdb.Close()
	if v, _ := rdb.Get(context.Background(), "e2e").Result(); v != "ok" {
		t.Fatal("the good message was not applied")
	}
	// stdout holds only EMF, one line per origin region: us-east-1 and
	// "unknown" (the poison message never decoded).
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	for _, l := range lines {
		if !strings.Contains(l, `"_aws"`) {
			t.Fatalf("stdout has a non-EMF line: %s", l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("EMF lines: %q", lines)
	}
	if strings.Contains(stderr.String(), "tok\"") {
		t.Fatal("the AUTH token was logged")
	}
}

// TestBootstrapInitError checks the init error path: the reason is posted
// to /runtime/init/error and the process exits non-zero.
func TestBootstrapInitError(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	api, err := lambdatest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	bin := buildBootstrap(t)
	cmd, _, stderr := startBootstrap(t, bin, "AWS_LAMBDA_RUNTIME_API="+api.Addr, "REGIS_ORDERED=perhaps")
	select {
	case body := <-api.InitErrors:
		var e struct{ ErrorMessage, ErrorType string }
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.ErrorMessage, "REGIS_REDIS_ADDRS") || !strings.Contains(e.ErrorMessage, "REGIS_ORDERED") {
			t.Fatalf("init error %q does not name the variables", e.ErrorMessage)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no init error; stderr:\n%s", stderr)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("exit status 0 after an init error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not exit")
	}
}
