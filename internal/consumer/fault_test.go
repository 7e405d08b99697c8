package consumer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

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
			hs.h.afterChunk = func(done int) {
				if done == 4 {
					srv.Kill()
				}
			}
			recs, want := faultBatch(t, ordered)
			resp := hs.handle(t, event(recs...))
			got := failedIDs(resp)
			if strings.Join(got, ",") != "m4,m5,m6,m7,m8,m9" {
				t.Fatalf("failed %v, want m4…m9\n%s", got, hs.logs)
			}
			if len(hs.dlq.Letters()) != 0 {
				t.Fatal("a transient failure went to the DLQ")
			}
			if docs := emfDocs(t, hs.metrics.String()); docs["us-east-1"]["MessagesFailed"] != 6.0 || docs["us-east-1"]["MessagesApplied"] != 4.0 {
				t.Fatalf("metrics: %v", docs)
			}

			srv.Restart()
			hs.h.afterChunk = nil
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
	hs.h.afterChunk = func(done int) {
		if done == 3 {
			srv.Pause()
		}
	}
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
	hs.h.afterChunk = nil
	if resp := hs.handle(t, event(pick(recs, got)...)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry failed: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	if d := diffStates(want, dump(t, hs.rdb)); d != "" {
		t.Fatalf("state after the retry:\n%s", d)
	}
}
