package consumer

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

type poisonCase struct {
	reason string
	body   string
}

func plainPoisonCases(t *testing.T) []poisonCase {
	bomb, err := regis.Gzip(bytes.Repeat([]byte(" "), regis.MaxDecompressedSize+10))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	return []poisonCase{
		{contract.ReasonEmptyBody, ""},
		{contract.ReasonBadEnvelope, `{"Type":"Notification","MessageId":"x","Message":42}`},
		{contract.ReasonNotRegis, `{"hello":"world"}`},
		{contract.ReasonMalformed, `not json at all`},
		{contract.ReasonMalformed, `{"regis":1,"id":"a","cmds":[["DEL","k"]]}`},
		{contract.ReasonUnknownVersion, `{"regis":2,"id":"a","ts":1,"cmds":[["DEL","k"]]}`},
		{contract.ReasonBadCompression, `{"regis":1,"id":"a","ts":1,"zip":"lz4","data":"AA=="}`},
		{contract.ReasonTooLarge, `{"regis":1,"id":"a","ts":1,"zip":"gzip","data":"` + base64.StdEncoding.EncodeToString(bomb) + `"}`},
		{contract.ReasonNotIdempotent, body(t, "p-incr", "ap-southeast-1", now, cmd(0, "SET", "x", "1"), cmd(0, "INCR", "x"))},
		{contract.ReasonNotIdempotent, snsWrap(t, body(t, "p-lpush", "ap-southeast-1", now, cmd(0, "LPUSH", "l", "a")))},
		{contract.ReasonNotAllowed, body(t, "p-flush", "ap-southeast-1", now, cmd(0, "FLUSHALL"))},
		{contract.ReasonNotAllowed, body(t, "p-lower", "ap-southeast-1", now, cmd(0, "set", "k", "v"))},
		{contract.ReasonBadArguments, body(t, "p-arity", "ap-southeast-1", now, cmd(0, "SET", "k"))},
		{contract.ReasonBadArguments, body(t, "p-ex", "ap-southeast-1", now, cmd(0, "SET", "k", "v", "FOO"))},
		{contract.ReasonWrongType, body(t, "p-wrongtype", "ap-southeast-1", now, cmd(0, "HSET", "str", "f", "v"))},
		// ZADD is disabled on the test server (rejectingServer): a command
		// regis allows that this server does not know.
		{contract.ReasonRejected, body(t, "p-unknown", "ap-southeast-1", now, cmd(0, "ZADD", "z", "1", "m"))},
	}
}

// rejectingServer is a Redis without ZADD, so that a command Validate
// accepts is refused by Redis itself whatever Validate learns to refuse.
func rejectingServer(t *testing.T) *redistest.Server {
	return redistest.Start(t, redistest.Options{Args: []string{"--rename-command", "ZADD", ""}})
}

func TestPoisonCatalogue(t *testing.T) {
	srv := rejectingServer(t)
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	ctx := context.Background()
	if err := hs.rdb.Set(ctx, "str", "a string", 0).Err(); err != nil {
		t.Fatal(err)
	}
	cases := plainPoisonCases(t)
	var recs []events.SQSMessage
	good := 0
	for i, pc := range cases {
		r := record(fmt.Sprintf("poison-%d", i), pc.body)
		r.MessageAttributes = map[string]events.SQSMessageAttribute{
			"trace": {DataType: "String", StringValue: ptr(fmt.Sprint("t", i))},
		}
		recs = append(recs, r)
		// A good message after each poison one, in the same batch.
		id := fmt.Sprintf("good-%d", i)
		recs = append(recs, record(id, body(t, id, "ap-southeast-1", time.Now(), cmd(0, "SET", "good:"+id, "ok"))))
		good++
	}
	resp := hs.handle(t, event(recs...))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("poison or good messages reported failed: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	letters := hs.dlq.Letters()
	if len(letters) != len(cases) {
		t.Fatalf("%d dead letters, want %d: %+v", len(letters), len(cases), letters)
	}
	kinds := map[string]bool{}
	for i, pc := range cases {
		l := letters[i]
		if l.SourceMessageID != fmt.Sprintf("poison-%d", i) || l.Reason != pc.reason || l.Body != pc.body {
			t.Errorf("case %d: letter %s reason %q (want %q), same body %t, error %q", i, l.SourceMessageID, l.Reason, pc.reason, l.Body == pc.body, l.Error)
		}
		if l.Error == "" || l.Bus != "test-bus" || l.Attributes["trace"].StringValue == nil {
			t.Errorf("case %d: incomplete letter %+v", i, l)
		}
		kinds[l.Reason] = true
	}
	if len(kinds) < 10 {
		t.Fatalf("only %d poison kinds covered", len(kinds))
	}
	for i := range cases {
		key := fmt.Sprintf("good:good-%d", i)
		if v, _ := hs.rdb.Get(ctx, key).Result(); v != "ok" {
			t.Errorf("good message %d not applied", i)
		}
	}
	// The INCR message's SET was not applied: messages are validated whole
	// before anything is sent.
	if n, _ := hs.rdb.Exists(ctx, "x").Result(); n != 0 {
		t.Error("a command of a poison message was applied")
	}
	// Logs: one line per poison message, with its reason.
	var poisonLines int
	for _, line := range strings.Split(hs.logs.String(), "\n") {
		if strings.Contains(line, "poison message sent to the DLQ") {
			poisonLines++
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["reason"] == "" || rec["message_id"] == "" {
				t.Errorf("bad poison log line: %s", line)
			}
		}
	}
	if poisonLines != len(cases) {
		t.Errorf("%d poison log lines, want %d", poisonLines, len(cases))
	}
	// Metrics: per-reason counts.
	docs := emfDocs(t, hs.metrics.String())
	var poisoned float64
	for _, d := range docs {
		poisoned += d["MessagesPoisoned"].(float64)
	}
	if poisoned != float64(len(cases)) {
		t.Errorf("MessagesPoisoned total %v", poisoned)
	}
	if docs["ap-southeast-1"]["MessagesPoisoned_wrong_type"] != 1.0 || docs[contract.UnknownOrigin]["MessagesPoisoned_too_large"] != 1.0 {
		t.Errorf("per-reason metrics: %v", docs)
	}
	if docs["ap-southeast-1"]["MessagesApplied"] != float64(good) {
		t.Errorf("MessagesApplied %v, want %d", docs["ap-southeast-1"]["MessagesApplied"], good)
	}
}

func ptr[T any](v T) *T { return &v }

func TestOrderedPoison(t *testing.T) {
	srv := rejectingServer(t)
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{ordered: true})
	now := time.Now()
	cases := []poisonCase{
		{contract.ReasonMissingVersion, body(t, "a", "us-east-1", now, cmd(1, "SET", "k", "v"), cmd(0, "DEL", "k"))},
		{contract.ReasonNotOrderable, body(t, "b", "us-east-1", now, cmd(1, "SET", "k", "v", "NX"))},
		{contract.ReasonNotOrderable, body(t, "c", "us-east-1", now, cmd(1, "ZADD", "z", "GT", "1", "m"))},
		{contract.ReasonReservedKey, body(t, "d", "us-east-1", now, cmd(1, "SET", MetaPrefix+"{0}:x", "v"))},
		{contract.ReasonWrongType, body(t, "e", "us-east-1", now, cmd(5, "SADD", "h", "m"))},
		{contract.ReasonRejected, body(t, "f", "us-east-1", now, cmd(6, "ZADD", "zz", "1", "m"))},
	}
	applyEach(t, hs, []regis.Command{cmd(9, "HSET", "h", "f", "v")})
	var recs []events.SQSMessage
	for i, pc := range cases {
		recs = append(recs, record(fmt.Sprint("p", i), pc.body))
	}
	recs = append(recs, record("good", body(t, "g", "us-east-1", now, cmd(3, "SET", "ok", "1"))))
	resp := hs.handle(t, event(recs...))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	letters := hs.dlq.Letters()
	if len(letters) != len(cases) {
		t.Fatalf("letters: %+v", letters)
	}
	for i, pc := range cases {
		if letters[i].Reason != pc.reason {
			t.Errorf("case %d: reason %q, want %q (%s)", i, letters[i].Reason, pc.reason, letters[i].Error)
		}
		t.Logf("%s: %s", letters[i].Reason, letters[i].Error)
	}
	if v, _ := hs.rdb.Get(context.Background(), "ok").Result(); v != "1" {
		t.Fatal("good message not applied")
	}
	// The refused SADD left the hash and its metadata alone.
	if d := diffStates(map[string]string{"h": "hash f=v ttl=none", "ok": "string 1 ttl=none"}, dump(t, hs.rdb)); d != "" {
		t.Fatal(d)
	}
}

func TestDLQFailureKeepsTheMessage(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	hs.dlq.Fail = func(l DeadLetter) error {
		if l.SourceMessageID == "p1" {
			return errors.New("throttled")
		}
		return nil
	}
	resp := hs.handle(t, event(
		record("p1", `{"regis":9}`),
		record("p2", `{"regis":8}`),
		record("g", body(t, "g", "us-east-1", time.Now(), cmd(0, "SET", "k", "v"))),
	))
	if got := strings.Join(failedIDs(resp), ","); got != "p1" {
		t.Fatalf("failed %q, want p1 (DLQ send failed) only", got)
	}
	if l := hs.dlq.Letters(); len(l) != 1 || l[0].SourceMessageID != "p2" {
		t.Fatalf("letters %+v", l)
	}
}

func TestNoDLQReportsPoisonFailed(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{noDLQ: true})
	resp := hs.handle(t, event(record("p", `{"regis":9}`), record("g", body(t, "g", "us-east-1", time.Now(), cmd(0, "SET", "k", "v")))))
	if got := strings.Join(failedIDs(resp), ","); got != "p" {
		t.Fatalf("failed %q, want p", got)
	}
}
