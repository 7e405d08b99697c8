package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// syncBuffer is a bytes.Buffer that the process's output copier and the
// test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startBootstrap(t *testing.T, bin string, env ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "AWS_REGION=eu-west-1"}, env...)
	var stdout, stderr syncBuffer
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
	// The process's output is copied asynchronously: wait for both lines.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(stdout.String(), "\n") < 2 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
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
	cmd, stdout, stderr := startBootstrap(t, bin, "AWS_LAMBDA_RUNTIME_API="+api.Addr, "REGIS_ORDERED=perhaps", "REGIS_BUS_NAME=orders")
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
	// The log line says why; the metric counts it.
	line := errorLine(t, stderr)
	if msg, _ := line["msg"].(string); !strings.HasPrefix(msg, "regis consumer init failed: ") || !strings.Contains(msg, "REGIS_ORDERED") {
		t.Fatalf("init error line: %v", line)
	}
	docs := failureMetricsOf(t, stdout, 1)
	if len(docs) != 1 || docs[0]["InitFailures"] != 1.0 || docs[0]["Bus"] != "orders" {
		t.Fatalf("init failure metric: %v\nstdout:\n%s", docs, stdout)
	}
}

// invokeOnce sends one batch of one SET to a started bootstrap and returns
// the ids it reported failed.
func invokeOnce(t *testing.T, api *lambdatest.RuntimeAPI, stderr *syncBuffer, id string) []string {
	t.Helper()
	b, _ := regis.Encode(&regis.Message{ID: id, Origin: regis.Origin{Region: "us-east-1"}, PublishedAt: time.Now(),
		Commands: []regis.Command{{Args: []string{"SET", "k-" + id, "v"}}}}, regis.EncodeOptions{})
	payload, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: id, Body: string(b)}}})
	api.Invoke(lambdatest.Invocation{RequestID: "req-" + id, Payload: payload, Deadline: time.Now().Add(8 * time.Second)})
	select {
	case res := <-api.Results:
		if res.Error {
			t.Fatalf("invocation error: %s", res.Body)
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(res.Body, &resp); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range resp.BatchItemFailures {
			ids = append(ids, f.ItemIdentifier)
		}
		return ids
	case <-time.After(30 * time.Second):
		t.Fatalf("no response; stderr:\n%s", stderr)
	}
	return nil
}

// errorLine returns the first error-level log line on stderr, waiting a
// little for the process's output to be copied.
func errorLine(t *testing.T, stderr *syncBuffer) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, l := range strings.Split(stderr.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["level"] == "ERROR" {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no error-level log line in:\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// failureMetricsOf waits a little for n failure documents on stdout.
func failureMetricsOf(t *testing.T, stdout *syncBuffer, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		docs := failureMetrics(t, stdout.String())
		if len(docs) >= n || time.Now().After(deadline) {
			return docs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// failureMetrics returns the EMF documents on stdout that count failures.
func failureMetrics(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if strings.TrimSpace(stdout) == "" {
		return nil
	}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("stdout line is not JSON: %q", l)
		}
		if _, ok := m["FailureKind"]; ok {
			out = append(out, m)
		}
	}
	return out
}

// TestBootstrapSaysWhyRedisFails runs the shipped binary against a Redis
// that is stopped, one that speaks TLS with a certificate the consumer
// cannot verify (with the old skip-verify variable set, which must change
// nothing), and the same server trusted through SSL_CERT_FILE. Every
// failed batch is reported failed, logged at error level with the reason
// in the message, and counted in BatchFailures and RedisErrors with the
// Bus dimension.
func TestBootstrapSaysWhyRedisFails(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bootstrap binary")
	}
	bin := buildBootstrap(t)
	stopped := redistest.Start(t, redistest.Options{})
	stopped.Kill()
	tlsSrv := redistest.Start(t, redistest.Options{TLS: true})

	cases := []struct {
		name     string
		env      []string
		failed   bool
		kind     string
		msgStart string
		msgHas   string
	}{
		{"stopped", []string{"REGIS_REDIS_ADDRS=" + stopped.Addr}, true, "redis_unavailable", "redis unavailable: ", "connection refused"},
		{"untrusted certificate", []string{"REGIS_REDIS_ADDRS=" + tlsSrv.Addr, "REGIS_REDIS_TLS=true", "REGIS_REDIS_TLS_SKIP_VERIFY=true"},
			true, "redis_tls", "redis TLS handshake failed: ", "certificate"},
		{"plain text to a TLS port", []string{"REGIS_REDIS_ADDRS=" + tlsSrv.Addr}, true, "redis_unavailable", "redis unavailable: ", ""},
		{"CA from SSL_CERT_FILE", []string{"REGIS_REDIS_ADDRS=" + tlsSrv.Addr, "REGIS_REDIS_TLS=true", "SSL_CERT_FILE=" + tlsSrv.TLS.CAFile}, false, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, err := lambdatest.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer api.Close()
			env := append([]string{"AWS_LAMBDA_RUNTIME_API=" + api.Addr, "REGIS_BUS_NAME=orders"}, tc.env...)
			_, stdout, stderr := startBootstrap(t, bin, env...)
			failed := invokeOnce(t, api, stderr, "m1")
			if !tc.failed {
				if len(failed) != 0 || len(failureMetrics(t, stdout.String())) != 0 {
					t.Fatalf("failed %v\nstdout:\n%s\nstderr:\n%s", failed, stdout, stderr)
				}
				return
			}
			if len(failed) != 1 || failed[0] != "m1" {
				t.Fatalf("failed %v, want m1\nstderr:\n%s", failed, stderr)

			}
			line := errorLine(t, stderr)
			msg, _ := line["msg"].(string)
			if !strings.HasPrefix(msg, tc.msgStart) || !strings.Contains(msg, tc.msgHas) || line["failure"] != tc.kind || line["bus"] != "orders" {
				t.Fatalf("error line %v: want message %q…%q, failure %q", line, tc.msgStart, tc.msgHas, tc.kind)
			}
			docs := failureMetricsOf(t, stdout, 1)
			if len(docs) != 1 {
				t.Fatalf("failure metrics: %v\nstdout:\n%s", docs, stdout)
			}
			d := docs[0]
			if d["BatchFailures"] != 1.0 || d["RedisErrors"] != 1.0 || d["Bus"] != "orders" || d["FailureKind"] != tc.kind {
				t.Fatalf("failure document: %v", d)
			}
		})
	}
}
