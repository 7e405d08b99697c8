package chaos

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	goredis "github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/consumertest"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// captureSNS records the messages a publisher sends, in order.
type captureSNS struct {
	mu     sync.Mutex
	bodies []string
}

func (c *captureSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, aws.ToString(in.Message))
	return &sns.PublishOutput{MessageId: aws.String(strconv.Itoa(len(c.bodies)))}, nil
}

func (c *captureSNS) PublishBatch(_ context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &sns.PublishBatchOutput{}
	for _, e := range in.PublishBatchRequestEntries {
		c.bodies = append(c.bodies, aws.ToString(e.Message))
		out.Successful = append(out.Successful, snstypes.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String(strconv.Itoa(len(c.bodies)))})
	}
	return out, nil
}

// stream publishes n ops of the chaos stream through a publisher and
// returns the model and the messages, in the order they were sent.
func stream(t *testing.T, n int, ordered bool) (*Model, []string) {
	t.Helper()
	ctx := context.Background()
	sink := &captureSNS{}
	// One worker: messages are sent in the order they were filled.
	pub, err := regis.NewPublisher(sink, "arn:aws:sns:ap-southeast-1:123456789012:chaos", regis.Options{
		Origin: regis.Origin{Region: "ap-southeast-1", Service: "chaos"}, Ordered: ordered, NodeID: 1,
		MaxMessageBytes: 2048, Concurrency: 1, Linger: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel()
	o := DefaultStreamOptions(42)
	o.Strings, o.Hashes, o.Sets, o.ZSets = 40, 30, 25, 25
	g := NewGenerator(o, m)
	for range n {
		op := g.Next()
		_, c, err := Publish(ctx, pub, op)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Apply(c); err != nil {
			t.Fatalf("%+v: %v", op, err)
		}
	}
	if err := pub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return m, sink.bodies
}

func read(t *testing.T, rc *goredis.Client, ordered bool) map[string]*Value {
	t.Helper()
	snap, err := ReadRedis(context.Background(), rc, func(k string) bool { return ordered && len(k) > 8 && k[:8] == consumer.MetaPrefix })
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestModelMatchesRedis applies the stream's messages, as published, in
// order, to a real Redis: the model must be exactly what Redis holds. This
// checks the model and the expiries Publish reconstructs.
func TestModelMatchesRedis(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	rc := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
	defer rc.Close()
	m, bodies := stream(t, 6000, false)
	ctx := context.Background()
	for _, b := range bodies {
		msg, err := regis.Decode([]byte(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range msg.Commands {
			args := make([]any, len(c.Args))
			for i, a := range c.Args {
				args[i] = a
			}
			if err := rc.Do(ctx, args...).Err(); err != nil && !errors.Is(err, goredis.Nil) {
				t.Fatalf("%q: %v", c.Args, err)
			}
		}
	}
	if diffs := m.Compare(read(t, rc, false)); len(diffs) > 0 {
		t.Fatalf("%d keys differ from the model, first: %s", len(diffs), diffs[0])
	}
	if m.Keys() < 100 {
		t.Fatalf("only %d keys", m.Keys())
	}
}

// TestConsumerShuffledDuplicates runs the real consumer on the stream's
// messages delivered twice each in random order: ordered mode must end
// exactly in the model's state; plain mode may differ only on keys with
// several writes, and only by reordering.
func TestConsumerShuffledDuplicates(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "ordered"}[ordered], func(t *testing.T) {
			srv := redistest.Start(t, redistest.Options{})
			rc := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
			defer rc.Close()
			m, bodies := stream(t, 6000, ordered)
			var recs []events.SQSMessage
			for i, b := range bodies {
				for copyN := range 2 {
					recs = append(recs, events.SQSMessage{MessageId: strconv.Itoa(i) + "-" + strconv.Itoa(copyN), Body: b})
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
			dlq := &consumertest.MemoryDLQ[consumer.DeadLetter]{}
			h := consumer.NewHandler(consumer.Options{
				Config: contract.Config{Ordered: ordered, TombstoneTTL: contract.DefaultTombstoneTTL, Region: "ap-south-1"},
				Redis:  rc, DLQ: dlq, Metrics: io.Discard, Logger: slog.New(slog.DiscardHandler),
			})
			for i := 0; i < len(recs); i += 10 {
				resp, err := h.Handle(context.Background(), events.SQSEvent{Records: recs[i:min(i+10, len(recs))]})
				if err != nil || len(resp.BatchItemFailures) > 0 {
					t.Fatalf("batch %d: %v, %v", i/10, err, resp.BatchItemFailures)
				}
			}
			if n := len(dlq.Letters()); n > 0 {
				t.Fatalf("%d valid messages dead-lettered, first: %+v", n, dlq.Letters()[0])
			}
			diffs := m.Compare(read(t, rc, ordered))
			unexplained := 0
			for _, d := range diffs {
				if !d.Explained {
					unexplained++
					t.Errorf("not explained by reordering: %s", d)
				}
			}
			t.Logf("%d of %d keys differ from the model, %d unexplained", len(diffs), m.Keys(), unexplained)
			if ordered && len(diffs) > 0 {
				t.Fatalf("ordered mode: %d keys differ, first: %s", len(diffs), diffs[0])
			}
			if !ordered && len(diffs) == 0 {
				t.Fatal("plain mode under shuffling matched the model on every key: the stream does not exercise reordering")
			}
		})
	}
}

// TestPoisonReasons checks each poison message against the consumer: it is
// poisoned with its reason, and only its Effects reach Redis.
func TestPoisonReasons(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "ordered"}[ordered], func(t *testing.T) {
			srv := redistest.Start(t, redistest.Options{})
			rc := goredis.NewClient(&goredis.Options{Addr: srv.Addr})
			defer rc.Close()
			dlq := &consumertest.MemoryDLQ[consumer.DeadLetter]{}
			h := consumer.NewHandler(consumer.Options{
				Config: contract.Config{Ordered: ordered, TombstoneTTL: contract.DefaultTombstoneTTL},
				Redis:  rc, DLQ: dlq, Metrics: io.Discard, Logger: slog.New(slog.DiscardHandler),
			})
			m := NewModel()
			want := map[string]string{}
			var recs []events.SQSMessage
			for i, reason := range PoisonReasons(ordered) {
				p := NewPoison(i, reason, ordered, regis.Origin{Region: "ap-southeast-1", Service: "chaos-poison"}, time.Now())
				want[p.Body] = reason
				for _, c := range p.Effects {
					if err := m.Apply(c); err != nil {
						t.Fatal(err)
					}
				}
				// Twice: a redelivered poison message is poison again.
				recs = append(recs, events.SQSMessage{MessageId: p.ID, Body: p.Body}, events.SQSMessage{MessageId: p.ID + "-again", Body: p.Body})
			}
			resp, err := h.Handle(context.Background(), events.SQSEvent{Records: recs})
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Fatalf("%v, %v", err, resp.BatchItemFailures)
			}
			letters := dlq.Letters()
			if len(letters) != len(recs) {
				t.Fatalf("%d dead letters for %d poison records", len(letters), len(recs))
			}
			for _, l := range letters {
				if want[l.Body] != l.Reason {
					t.Errorf("%s: reason %q (%s), want %q", l.SourceMessageID, l.Reason, l.Error, want[l.Body])
				}
			}
			if diffs := m.Compare(read(t, rc, ordered)); len(diffs) > 0 {
				t.Fatalf("poison messages changed Redis beyond their effects: %v", diffs)
			}
		})
	}
}

// TestCompareExplains pins what counts as a difference explained by
// reordering.
func TestCompareExplains(t *testing.T) {
	m := NewModel()
	for _, c := range []Cmd{
		{Args: []string{"SET", "k", "a"}},
		{Args: []string{"SET", "k", "b", "PXAT", "5000"}, At: Exact(5000)},
		{Args: []string{"SET", "once", "x"}},
		{Args: []string{"HSET", "h", "f", "1"}},
		{Args: []string{"HSET", "h", "f", "2", "g", "3"}},
		{Args: []string{"SADD", "s", "m"}},
		{Args: []string{"DEL", "s"}},
	} {
		if err := m.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	same := m.Clone()
	if d := m.Compare(same); len(d) != 0 {
		t.Fatalf("a copy of the model differs: %v", d)
	}
	cases := []struct {
		name      string
		edit      func(map[string]*Value)
		explained bool
	}{
		{"older value, its TTL", func(s map[string]*Value) { s["k"] = &Value{Kind: KindString, Str: "a"} }, true},
		{"value never written", func(s map[string]*Value) { s["k"] = &Value{Kind: KindString, Str: "zzz"} }, false},
		{"expiry never written", func(s map[string]*Value) { s["k"].TTL = &Interval{90_000, 90_000} }, false},
		{"expiry within slack", func(s map[string]*Value) { s["k"].TTL = &Interval{5500, 5600} }, true}, // no difference at all
		{"once key missing", func(s map[string]*Value) { delete(s, "once") }, false},
		{"older field value", func(s map[string]*Value) { s["h"].Hash["f"] = "1" }, true},
		{"deleted key resurrected", func(s map[string]*Value) { s["s"] = &Value{Kind: KindSet, Set: map[string]bool{"m": true}} }, true},
		{"hash key never deleted, missing", func(s map[string]*Value) { delete(s, "h") }, false},
		{"key nobody wrote", func(s map[string]*Value) { s["stray"] = &Value{Kind: KindString, Str: "x"} }, false},
	}
	for _, c := range cases {
		snap := m.Clone()
		c.edit(snap)
		d := m.Compare(snap)
		if c.name == "expiry within slack" {
			if len(d) != 0 {
				t.Errorf("%s: %v", c.name, d)
			}
			continue
		}
		if len(d) != 1 || d[0].Explained != c.explained {
			t.Errorf("%s: %v, want one difference, explained %t", c.name, d, c.explained)
		}
		if got := Disagree(m.Clone(), snap); len(got) != 1 {
			t.Errorf("%s: Disagree = %v", c.name, got)
		}
	}
	// Rules the stream keeps: no expiry on missing keys, no emptying by
	// removal.
	if err := m.Apply(Cmd{Args: []string{"PEXPIREAT", "missing", "5000"}, At: Exact(5000)}); err == nil {
		t.Error("PEXPIREAT on a missing key accepted")
	}
	if err := m.Apply(Cmd{Args: []string{"HDEL", "h", "f", "g"}}); err == nil {
		t.Error("HDEL emptying a hash accepted")
	}
}
