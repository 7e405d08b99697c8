package consumer

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
)

func TestPlainModeRawAndSNSEnvelope(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	now := time.Now()
	future := now.Add(time.Hour).UnixMilli()
	pub := now.Add(-1500 * time.Millisecond)

	m1 := body(t, "m1", "ap-southeast-1", pub,
		cmd(0, "SET", "s1", "v1"),
		cmd(0, "SET", "s2", "v2", "PXAT", itoa(future)),
		cmd(0, "MSET", "s3", "a", "s4", "b"),
		cmd(0, "DEL", "s4"),
	)
	m2 := body(t, "m2", "ap-southeast-1", pub,
		cmd(0, "HSET", "h", "f1", "x", "f2", "y"),
		cmd(0, "HDEL", "h", "f2"),
		cmd(0, "SADD", "st", "a", "b", "c"),
		cmd(0, "SREM", "st", "b"),
		cmd(0, "ZADD", "z", "1", "a", "2.5", "b"),
		cmd(0, "ZREM", "z", "a"),
		cmd(0, "PEXPIREAT", "h", itoa(future)),
		cmd(0, "SET", "s5", "x", "PXAT", itoa(future)),
		cmd(0, "PERSIST", "s5"),
		cmd(0, "UNLINK", "s3"),
	)
	// Binary values travel base64-encoded.
	m3 := body(t, "m3", "us-east-1", pub, cmd(0, "SET", "bin", "\xff\x00\xfe"))
	resp := hs.handle(t, event(record("q1", m1), record("q2", snsWrap(t, m2)), record("q3", snsWrap(t, m3))))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v\nlogs: %s", resp.BatchItemFailures, hs.logs)
	}
	want := map[string]string{
		"s1":  "string v1 ttl=none",
		"s2":  "string v2 ttl=set",
		"s3":  "", // unlinked
		"h":   "hash f1=x ttl=set",
		"st":  "set a,c ttl=none",
		"z":   "zset b:2.5 ttl=none",
		"s5":  "string x ttl=none",
		"bin": "string \xff\x00\xfe ttl=none",
	}
	delete(want, "s3")
	if d := diffStates(want, dump(t, hs.rdb)); d != "" {
		t.Fatalf("state differs:\n%s", d)
	}
	if len(hs.dlq.Letters()) != 0 {
		t.Fatalf("unexpected dead letters: %+v", hs.dlq.Letters())
	}

	// One EMF line per origin region.
	docs := emfDocs(t, hs.metrics.String())
	if len(docs) != 2 {
		t.Fatalf("want 2 EMF documents (two origins), got %d:\n%s", len(docs), hs.metrics)
	}
	ap := docs["ap-southeast-1"]
	if ap == nil {
		t.Fatalf("no EMF document for ap-southeast-1: %s", hs.metrics)
	}
	if ap["MessagesApplied"] != 2.0 || ap["CommandsApplied"] != 14.0 || ap["MessagesFailed"] != 0.0 || ap["MessagesPoisoned"] != 0.0 {
		t.Errorf("counts: %v", ap)
	}
	if lag, _ := ap["ReplicationLagMax"].(float64); lag < 1500 || lag > 60000 {
		t.Errorf("ReplicationLagMax %v ms, want ≥ 1500", ap["ReplicationLagMax"])
	}
	if ap["ReplicationLagMean"] == nil {
		t.Error("no ReplicationLagMean")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// emfDocs parses EMF lines, checks their shape, and returns them by
// OriginRegion ("failure" for the failure document).
func emfDocs(t *testing.T, out string) map[string]map[string]any {
	t.Helper()
	docs := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("EMF line is not JSON: %v: %s", err, line)
		}
		aws, ok := doc["_aws"].(map[string]any)
		if !ok {
			t.Fatalf("no _aws: %s", line)
		}
		if ts, ok := aws["Timestamp"].(float64); !ok || ts < 1e12 {
			t.Fatalf("_aws.Timestamp missing or not ms: %s", line)
		}
		dirs, ok := aws["CloudWatchMetrics"].([]any)
		if !ok || len(dirs) != 1 {
			t.Fatalf("want one metric directive: %s", line)
		}
		dir := dirs[0].(map[string]any)
		if dir["Namespace"] != "Regis" {
			t.Fatalf("namespace: %s", line)
		}
		// With a bus name (the harness sets test-bus): [Bus, OriginRegion,
		// Region] and [OriginRegion, Region]; without: the latter only.
		// Failure documents (FailureKind) are per invocation, not per
		// origin: [Bus, Region] and [Region].
		_, failure := doc[contract.PropertyFailureKind]
		want := `[["OriginRegion","Region"]]`
		if failure {
			want = `[["Region"]]`
		}
		if _, ok := doc["Bus"]; ok {
			want = `[["Bus","OriginRegion","Region"],["OriginRegion","Region"]]`
			if failure {
				want = `[["Bus","Region"],["Region"]]`
			}
		}
		if got, _ := json.Marshal(dir["Dimensions"]); string(got) != want {
			t.Fatalf("dimensions %s, want %s", got, want)
		}
		for _, set := range dir["Dimensions"].([]any) {
			for _, d := range set.([]any) {
				if v, ok := doc[d.(string)].(string); !ok || v == "" {
					t.Fatalf("dimension %v has no string value at the root: %s", d, line)
				}
			}
		}
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			if _, ok := doc[name].(float64); !ok {
				t.Fatalf("metric %s has no numeric value at the root: %s", name, line)
			}
			if len(name) > 255 {
				t.Fatalf("metric name too long: %s", name)
			}
		}
		if doc["Region"] != "eu-west-1" {
			t.Fatalf("Region: %v", doc["Region"])
		}
		if failure {
			docs["failure"] = doc
			continue
		}
		docs[doc["OriginRegion"].(string)] = doc
	}
	return docs
}

func TestPlainModeClusterSplitsMultiKeyCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	c := redistest.StartCluster(t, 3)
	hs := newHarness(t, c.Addrs(), harnessOpts{cluster: true})
	// Keys spread over the three masters.
	m := body(t, "m1", "us-east-1", time.Now(),
		cmd(0, "MSET", "a", "1", "b", "2", "c", "3", "d", "4", "{user}:1", "5"),
		cmd(0, "DEL", "a", "b", "zz"),
		cmd(0, "UNLINK", "c", "{user}:1"),
	)
	resp := hs.handle(t, event(record("q1", m)))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	want := map[string]string{"d": "string 4 ttl=none"}
	if d := diffStates(want, dump(t, hs.rdb)); d != "" {
		t.Fatalf("state differs:\n%s", d)
	}
}

func TestEmptyMessageIDFailsTheBatch(t *testing.T) {
	// A failed record without messageId cannot be reported alone: the
	// whole batch must be retried rather than the record lost.
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{noDLQ: true})
	_, err := hs.h.Handle(context.Background(), event(record("", "not json")))
	if err == nil {
		t.Fatal("want an error for a failed record without messageId")
	}
}

func TestDeadlinePassedReportsEverythingFailed(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	// 150ms left: less than the minimum 200ms margin, so nothing is attempted.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	var recs []events.SQSMessage
	for _, id := range []string{"a", "b", "c"} {
		recs = append(recs, record(id, body(t, id, "us-east-1", time.Now(), cmd(0, "SET", "k"+id, "v"))))
	}
	resp, err := hs.h.Handle(ctx, event(recs...))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(failedIDs(resp), ","); got != "a,b,c" {
		t.Fatalf("failed %q, want a,b,c", got)
	}
	if n := len(dump(t, hs.rdb)); n != 0 {
		t.Fatalf("%d keys written after the deadline", n)
	}
	if !strings.Contains(hs.logs.String(), "deadline") {
		t.Fatalf("the log does not say why: %s", hs.logs)
	}
}

func TestUnwrap(t *testing.T) {
	raw := `{"regis":1,"id":"a","ts":1,"cmds":[["SET","Type","Notification"]]}`
	got, _, err := unwrap(raw)
	if err != nil || string(got) != raw {
		t.Fatalf("raw body with the words Type and Notification as values: %q %v", got, err)
	}
	env := snsWrap(t, raw)
	got, _, err = unwrap(env)
	if err != nil || string(got) != raw {
		t.Fatalf("envelope: %q %v", got, err)
	}
	_, reason, err := unwrap(`{"Type":"Notification","Message":42}`)
	if err == nil || reason != contract.ReasonBadEnvelope {
		t.Fatalf("bad envelope: %q %v", reason, err)
	}
	other := `{"Type":"SubscriptionConfirmation","Message":"hi"}`
	if got, _, err := unwrap(other); err != nil || string(got) != other {
		t.Fatal("a non-notification is handed to Decode as is")
	}
}
