package consumer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
)

// faultBatch is 10 messages of two commands each, m0…m9.
func faultBatch(t *testing.T, ordered bool) ([]events.SQSMessage, map[string]string) {
	var recs []events.SQSMessage
	want := map[string]string{}
	for i := 0; i < 10; i++ {
		v := uint64(0)
		if ordered {
			v = uint64(100 + i)
		}
		id := fmt.Sprintf("m%d", i)
		recs = append(recs, record(id, body(t, id, "us-east-1", time.Now(),
			cmd(v, "SET", "k"+id, "v"+id), cmd(v+1000*boolInt(ordered), "HSET", "h", "f"+id, id))))
		want["k"+id] = "string v" + id + " ttl=none"
	}
	var fields []string
	for i := 0; i < 10; i++ {
		fields = append(fields, fmt.Sprintf("fm%d=m%d", i, i))
	}
	want["h"] = "hash " + strings.Join(fields, ",") + " ttl=none"
	return recs, want
}

// waitReachable waits for the client to reconnect, as SQS waits for the
// visibility timeout before redelivering: go-redis stops dialling a server
// that refused several connections and probes it again about once a second.
func waitReachable(t *testing.T, hs *harness) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for hs.rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("Redis not reachable again after 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func boolInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// afterPipeline is a go-redis hook that runs fn once, after the first
// pipeline that succeeded and carried an argument equal to marker: it lets
// a test break Redis at a precise point of a batch without any hook in the
// handler.
type afterPipeline struct {
	marker string
	fn     func()
	done   bool
}

func (a *afterPipeline) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (a *afterPipeline) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (a *afterPipeline) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if a.done || err != nil {
			return err
		}
		for _, c := range cmds {
			for _, arg := range c.Args() {
				if s, ok := arg.(string); ok && s == a.marker {
					a.done = true
					a.fn()
					return nil
				}
				if s, ok := arg.(*string); ok && *s == a.marker {
					a.done = true
					a.fn()
					return nil
				}
			}
		}
		return nil
	}
}

func pick(recs []events.SQSMessage, ids []string) []events.SQSMessage {
	var out []events.SQSMessage
	for _, r := range recs {
		for _, id := range ids {
			if r.MessageId == id {
				out = append(out, r)
			}
		}
	}
	return out
}

// TestRedisKilledMidBatch kills Redis after 4 of 10 messages: exactly the 6
// unapplied ones are reported, and retrying them after a restart converges.
func TestRedisKilledMidBatch(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		t.Run(fmt.Sprintf("ordered=%t", ordered), func(t *testing.T) {
			// Append-only file so that what was applied survives the restart.
			srv := redistest.Start(t, redistest.Options{Args: []string{"--appendonly", "yes", "--appendfsync", "always"}})
			hs := newHarness(t, []string{srv.Addr}, harnessOpts{ordered: ordered, chunk: 1})
			// Killed once m3's last write (its HSET field fm3) is applied.
			hs.rdb.AddHook(&afterPipeline{marker: "fm3", fn: srv.Kill})
			recs, want := faultBatch(t, ordered)
			resp := hs.handle(t, event(recs...))
			got := failedIDs(resp)
			if strings.Join(got, ",") != "m4,m5,m6,m7,m8,m9" {
				t.Fatalf("failed %v, want m4…m9\n%s", got, hs.logs)
			}
			if len(hs.dlq.Letters()) != 0 {
				t.Fatal("a transient failure went to the DLQ")
			}
			docs := emfDocs(t, hs.metrics.String())
			if docs["us-east-1"]["MessagesFailed"] != 6.0 || docs["us-east-1"]["MessagesApplied"] != 4.0 {
				t.Fatalf("metrics: %v", docs)
			}
			// The failure is said once, at error level, and counted.
			if f := docs["failure"]; f["BatchFailures"] != 1.0 || f["RedisErrors"] != 1.0 || f[contract.PropertyFailureKind] != contract.FailureRedisUnavailable {
				t.Fatalf("failure metrics: %v", f)
			}
			var line map[string]any
			for _, l := range strings.Split(hs.logs.String(), "\n") {
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil && m["level"] == "ERROR" {
					if line != nil {
						t.Fatalf("two error lines for one failed batch:\n%s", hs.logs)
					}
					line = m
				}
			}
			if msg, _ := line["msg"].(string); !strings.HasPrefix(msg, "redis unavailable: ") || line["failed"] != 6.0 || line["bus"] != "test-bus" {
				t.Fatalf("error line: %v\n%s", line, hs.logs)
			}

			srv.Restart()
			waitReachable(t, hs)
			// SQS redelivers the failed ones, plus (at least once) an
			// applied one again.
			retry := pick(recs, append(got, "m1"))
			if resp := hs.handle(t, event(retry...)); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("retry failed: %v\n%s", resp.BatchItemFailures, hs.logs)
			}
			if d := diffStates(want, dump(t, hs.rdb)); d != "" {
				t.Fatalf("state after the retry:\n%s", d)
			}
		})
	}
}

// TestRedisHangsMidBatch freezes Redis (SIGSTOP) after 3 messages: the
// in-flight one times out at the invocation's deadline minus the margin, the
// rest are not attempted, all are reported, and the retry converges.
func TestRedisHangsMidBatch(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{chunk: 1})
	// Frozen once m2's last write (its HSET field fm2) is applied.
	hs.rdb.AddHook(&afterPipeline{marker: "fm2", fn: srv.Pause})
	recs, want := faultBatch(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := hs.h.Handle(ctx, event(recs...))
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Errorf("Handle returned after the invocation deadline")
	}
	got := failedIDs(resp)
	if strings.Join(got, ",") != "m3,m4,m5,m6,m7,m8,m9" {
		t.Fatalf("failed %v, want m3…m9\n%s", got, hs.logs)
	}
	srv.Resume()
	if resp := hs.handle(t, event(pick(recs, got)...)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry failed: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	if d := diffStates(want, dump(t, hs.rdb)); d != "" {
		t.Fatalf("state after the retry:\n%s", d)
	}
}
