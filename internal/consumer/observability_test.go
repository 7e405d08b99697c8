package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/getsentry/sentry-go"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
)

// fakeTransport collects Sentry events.
type fakeTransport struct {
	mu     sync.Mutex
	events []*sentry.Event
}

func (f *fakeTransport) Flush(time.Duration) bool              { return true }
func (f *fakeTransport) FlushWithContext(context.Context) bool { return true }
func (f *fakeTransport) Configure(sentry.ClientOptions)        {}
func (f *fakeTransport) Close()                                {}
func (f *fakeTransport) SendEvent(e *sentry.Event) {
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
}
func (f *fakeTransport) all() []*sentry.Event { f.mu.Lock(); defer f.mu.Unlock(); return f.events }
func (f *fakeTransport) json(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(f.all())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNoSecretsInLogsMetricsOrReports runs poison, failing and good
// messages whose values are recognisable, with an AUTH token, and checks
// that neither the token nor any value reaches the logs, the metrics, the
// Sentry events or the DLQ attributes.
func TestNoSecretsInLogsMetricsOrReports(t *testing.T) {
	const token = "AUTH-TOKEN-do-not-log-7f3a"
	srv := redistest.Start(t, redistest.Options{Password: token})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{creds: Credentials{Password: token}})
	ft := &fakeTransport{}
	rep, err := NewSentryReporter("https://public@sentry.example/1", contract.Config{BusName: "test-bus", Region: "eu-west-1", RedisAuthToken: token}, ft)
	if err != nil {
		t.Fatal(err)
	}
	hs.h.reporter = rep
	ctx := context.Background()
	hs.rdb.Set(ctx, "str", "VALUE-SECRET-0", 0)
	now := time.Now()
	recs := []events.SQSMessage{
		record("good", body(t, "g", "us-east-1", now, cmd(0, "SET", "k", "VALUE-SECRET-1"))),
		record("wrongtype", body(t, "w", "us-east-1", now, cmd(0, "HSET", "str", "f", "VALUE-SECRET-2"))),
		record("arity", body(t, "a", "us-east-1", now, cmd(0, "HSET", "h", "f", "VALUE-SECRET-3", "g"))),
		record("incr", body(t, "i", "us-east-1", now, cmd(0, "SET", "c", "VALUE-SECRET-4"), cmd(0, "INCR", "c"))),
		record("json", `{"regis":1,"id":"x","ts":1,"cmds":[["SET","k",{"VALUE-SECRET-5":1}]]}`),
	}
	resp := hs.handle(t, event(recs...))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v", resp.BatchItemFailures)
	}
	// And a transient failure: Redis gone.
	srv.Kill()
	resp = hs.handle(t, event(record("gone", body(t, "gone", "us-east-1", now, cmd(0, "SET", "k", "VALUE-SECRET-6")))))
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("failures: %v", resp.BatchItemFailures)
	}
	events := ft.all()
	if len(events) < 2 {
		t.Fatalf("want a poison and a transient Sentry event, got %d", len(events))
	}
	var sawPoison, sawTransient bool
	for _, e := range events {
		sawPoison = sawPoison || strings.Contains(e.Message, "poison messages sent to the DLQ")
		sawTransient = sawTransient || strings.Contains(e.Message, "failed transiently")
		if e.Tags["bus"] != "test-bus" {
			t.Errorf("event tags: %v", e.Tags)
		}
	}
	if !sawPoison || !sawTransient {
		t.Errorf("events: %s", ft.json(t))
	}
	var attrs strings.Builder
	for _, l := range hs.dlq.Letters() {
		for _, a := range letterAttributes(&l) {
			attrs.WriteString(a.name + "=" + a.value + "\n")
		}
	}
	for what, text := range map[string]string{
		"logs": hs.logs.String(), "metrics": hs.metrics.String(), "sentry": ft.json(t), "DLQ attributes": attrs.String(),
	} {
		if strings.Contains(text, token) {
			t.Errorf("the AUTH token appears in the %s", what)
		}
		if strings.Contains(text, "VALUE-SECRET") {
			t.Errorf("a command value appears in the %s:\n%s", what, text)
		}
	}
}

func TestSentryInitError(t *testing.T) {
	ft := &fakeTransport{}
	rep, err := NewSentryReporter("https://public@sentry.example/1", contract.Config{BusName: "b"}, ft)
	if err != nil {
		t.Fatal(err)
	}
	rep.InitError(errors.New("regis consumer: invalid configuration: REGIS_REDIS_ADDRS: required"))
	rep.Flush(context.Background())
	ev := ft.all()
	if len(ev) != 1 || ev[0].Level != sentry.LevelFatal || ev[0].Tags["phase"] != "init" || len(ev[0].Exception) == 0 {
		t.Fatalf("events: %s", ft.json(t))
	}
	if _, err := NewSentryReporter("not a dsn", contract.Config{}, nil); err == nil {
		t.Fatal("bad DSN accepted")
	}
}

// fakeSQS records SendMessageBatch calls.
type fakeSQS struct {
	calls []*sqs.SendMessageBatchInput
	fail  func(entry types.SendMessageBatchRequestEntry) bool
	err   error
}

func (f *fakeSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if f.fail != nil && f.fail(e) {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), Message: aws.String("try again")})
		} else {
			out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("dlq-" + *e.Id)})
		}
	}
	return out, nil
}

func TestSQSDLQ(t *testing.T) {
	fs := &fakeSQS{fail: func(e types.SendMessageBatchRequestEntry) bool { return strings.Contains(*e.MessageBody, "fail-me") }}
	q := &SQSDLQ{Client: fs, QueueURL: "https://sqs.eu-west-1.amazonaws.com/1/dlq"}
	var letters []DeadLetter
	for i := 0; i < 23; i++ {
		b := fmt.Sprintf(`{"n":%d}`, i)
		if i == 7 {
			b = "fail-me"
		}
		l := DeadLetter{SourceMessageID: fmt.Sprint("src-", i), Body: b, Reason: contract.ReasonMalformed, Error: "bad\x00thing", OriginRegion: "us-east-1", Bus: "bus",
			Attributes: map[string]events.SQSMessageAttribute{}}
		for j := 0; j < 8; j++ {
			l.Attributes[fmt.Sprint("a", j)] = events.SQSMessageAttribute{DataType: "String", StringValue: aws.String("x")}
		}
		l.Attributes["regis.reason"] = events.SQSMessageAttribute{DataType: "String", StringValue: aws.String("spoofed")}
		l.Attributes["empty"] = events.SQSMessageAttribute{DataType: "String", StringValue: aws.String("")}
		letters = append(letters, l)
	}
	// Two big ones that cannot share a batch (256 KiB).
	big := strings.Repeat("b", 200*1024)
	letters = append(letters, DeadLetter{SourceMessageID: "big1", Body: big, Reason: contract.ReasonTooLarge, Error: "e"},
		DeadLetter{SourceMessageID: "big2", Body: big, Reason: contract.ReasonTooLarge, Error: "e"})
	errs := q.Send(context.Background(), letters)
	for i, err := range errs {
		if (i == 7) != (err != nil) {
			t.Errorf("letter %d: %v", i, err)
		}
	}
	if len(fs.calls) != 4 { // 10, 10, 3 + big1 (fits 256 KiB), big2
		t.Errorf("%d SendMessageBatch calls, want 4", len(fs.calls))
	}
	total := 0
	for _, c := range fs.calls {
		size := 0
		if len(c.Entries) > 10 {
			t.Fatalf("%d entries in one batch", len(c.Entries))
		}
		for _, e := range c.Entries {
			total++
			size += len(*e.MessageBody)
			if len(e.MessageAttributes) > 10 {
				t.Fatalf("%d attributes", len(e.MessageAttributes))
			}
			for name, a := range e.MessageAttributes {
				if a.StringValue != nil && *a.StringValue == "" {
					t.Fatalf("empty attribute %s", name)
				}
				if a.StringValue != nil && strings.ContainsRune(*a.StringValue, 0) {
					t.Fatalf("attribute %s holds a character SQS refuses", name)
				}
			}
			if r := e.MessageAttributes[contract.AttrReason]; r.StringValue == nil || *r.StringValue == "spoofed" {
				t.Fatalf("regis.reason: %+v", r)
			}
			if e.MessageAttributes[contract.AttrSourceMessageID].StringValue == nil {
				t.Fatal("no source message id")
			}
		}
		if size > maxBatchPayload {
			t.Fatalf("batch of %d bytes", size)
		}
	}
	if total != len(letters) {
		t.Fatalf("sent %d entries, want %d", total, len(letters))
	}
	// A failed call fails every letter of the batch.
	fs2 := &fakeSQS{err: errors.New("RequestThrottled")}
	errs = (&SQSDLQ{Client: fs2, QueueURL: "u"}).Send(context.Background(), letters[:3])
	for _, err := range errs {
		if err == nil {
			t.Fatal("want errors")
		}
	}
}

// TestEMFBusDimension checks the dimension sets with and without a bus name:
// with one, every metric is also published per bus, so two buses in one
// account and region keep their figures apart; without, as before.
func TestEMFBusDimension(t *testing.T) {
	stats := invocationStats{}
	o := stats.origin("us-east-1")
	o.messagesApplied, o.commandsApplied, o.lagMaxMs, o.lagSumMs = 2, 5, 40, 60
	stats.origin("").messagesPoisoned = 1
	now := time.UnixMilli(1_800_000_000_000)
	for _, tc := range []struct {
		bus  string
		want string
	}{
		{"hotels", `[["Bus","OriginRegion","Region"],["OriginRegion","Region"]]`},
		{"", `[["OriginRegion","Region"]]`},
	} {
		var buf strings.Builder
		if err := writeEMF(&buf, "Regis", "eu-west-1", tc.bus, now, stats, nil); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("bus %q: %d lines, want one per origin:\n%s", tc.bus, len(lines), buf.String())
		}
		for _, line := range lines {
			var doc struct {
				AWS struct {
					CloudWatchMetrics []struct {
						Dimensions json.RawMessage
					}
				} `json:"_aws"`
				Bus          *string
				OriginRegion string
				Region       string
			}
			if err := json.Unmarshal([]byte(line), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.AWS.CloudWatchMetrics) != 1 || string(doc.AWS.CloudWatchMetrics[0].Dimensions) != tc.want {
				t.Errorf("bus %q: directives %+v, want dimensions %s", tc.bus, doc.AWS.CloudWatchMetrics, tc.want)
			}
			switch {
			case tc.bus == "" && doc.Bus != nil:
				t.Errorf("no bus name, but a Bus member %q", *doc.Bus)
			case tc.bus != "" && (doc.Bus == nil || *doc.Bus != tc.bus):
				t.Errorf("Bus member %v, want %q", doc.Bus, tc.bus)
			}
			if doc.Region != "eu-west-1" || (doc.OriginRegion != "us-east-1" && doc.OriginRegion != contract.UnknownOrigin) {
				t.Errorf("dimension values: %s", line)
			}
		}
	}
}
