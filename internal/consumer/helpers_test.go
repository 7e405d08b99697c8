package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer/consumertest"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
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

// harness is a handler wired to a real Redis and in-memory sinks.
type harness struct {
	h       *Handler
	rdb     redis.UniversalClient
	dlq     *consumertest.MemoryDLQ[DeadLetter]
	logs    *syncBuffer
	metrics *syncBuffer
}

type harnessOpts struct {
	ordered bool
	cluster bool
	noDLQ   bool
	chunk   int
	creds   Credentials
	tls     *redistest.TLSFiles
}

func newHarness(t testing.TB, addrs []string, o harnessOpts) *harness {
	t.Helper()
	cfg := contract.Config{
		RedisAddrs: addrs, RedisCluster: o.cluster, Ordered: o.ordered,
		TombstoneTTL: contract.DefaultTombstoneTTL, MetricsNamespace: contract.DefaultMetricsNamespace,
		Region: "eu-west-1", BusName: "test-bus", LogLevel: "debug",
	}
	copts := ClientOptions{}
	if o.tls != nil {
		cfg.RedisTLS = true
		copts.RootCAs = o.tls.Pool
	}
	rdb := NewRedisClient(cfg, o.creds, copts)
	t.Cleanup(func() { rdb.Close() })
	hs := &harness{rdb: rdb, dlq: &consumertest.MemoryDLQ[DeadLetter]{}, logs: &syncBuffer{}, metrics: &syncBuffer{}}
	opts := Options{
		Config: cfg, Redis: rdb, DLQ: hs.dlq, Logger: NewLogger(hs.logs, "debug"), Metrics: hs.metrics,
		MaxChunkCommands: o.chunk,
	}
	if o.noDLQ {
		opts.DLQ = nil
	}
	hs.h = NewHandler(opts)
	return hs
}

// cmd builds a command; ver 0 is unversioned.
func cmd(ver uint64, args ...string) regis.Command { return regis.Command{Args: args, Version: ver} }

// body encodes a wire message.
func body(t testing.TB, id, origin string, published time.Time, cmds ...regis.Command) string {
	t.Helper()
	b, err := regis.Encode(&regis.Message{
		ID: id, Origin: regis.Origin{Region: origin, Service: "test"}, PublishedAt: published, Commands: cmds,
	}, regis.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snsWrap wraps a body in an SNS notification envelope.
func snsWrap(t testing.TB, b string) string {
	t.Helper()
	env, err := json.Marshal(map[string]any{
		"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:ap-southeast-1:123456789012:regis",
		"Message": b, "Timestamp": "2026-11-22T00:00:00.000Z", "SignatureVersion": "1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(env)
}

func record(id, b string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: b, EventSource: "aws:sqs", AWSRegion: "eu-west-1"}
}

func event(recs ...events.SQSMessage) events.SQSEvent { return events.SQSEvent{Records: recs} }

func failedIDs(resp events.SQSEventResponse) []string {
	ids := make([]string, 0, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	sort.Strings(ids)
	return ids
}

func (hs *harness) handle(t testing.TB, ev events.SQSEvent) events.SQSEventResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := hs.h.Handle(ctx, ev)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return resp
}

// masters returns one client per master (the client itself when standalone).
func masters(t testing.TB, rdb redis.UniversalClient) []redis.Cmdable {
	t.Helper()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return []redis.Cmdable{rdb}
	}
	var mu sync.Mutex
	var out []redis.Cmdable
	err := cc.ForEachMaster(context.Background(), func(_ context.Context, c *redis.Client) error {
		mu.Lock()
		out = append(out, c)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func flushAll(t testing.TB, rdb redis.UniversalClient) {
	t.Helper()
	for _, c := range masters(t, rdb) {
		if err := c.FlushAll(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// dump returns every data key (metadata excluded) as type, value and
// whether it has a TTL.
func dump(t testing.TB, rdb redis.UniversalClient) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, c := range masters(t, rdb) {
		keys, err := c.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.HasPrefix(k, MetaPrefix) {
				continue
			}
			typ := c.Type(ctx, k).Val()
			var val string
			switch typ {
			case "string":
				val = c.Get(ctx, k).Val()
			case "hash":
				m := c.HGetAll(ctx, k).Val()
				fs := make([]string, 0, len(m))
				for f, v := range m {
					fs = append(fs, f+"="+v)
				}
				sort.Strings(fs)
				val = strings.Join(fs, ",")
			case "set":
				ms := c.SMembers(ctx, k).Val()
				sort.Strings(ms)
				val = strings.Join(ms, ",")
			case "zset":
				zs := c.ZRangeWithScores(ctx, k, 0, -1).Val()
				parts := make([]string, len(zs))
				for i, z := range zs {
					parts[i] = fmt.Sprintf("%v:%v", z.Member, z.Score)
				}
				val = strings.Join(parts, ",")
			case "none":
				continue // expired between KEYS and TYPE
			}
			ttl := "ttl=none"
			if c.PTTL(ctx, k).Val() > 0 {
				ttl = "ttl=set"
			}
			out[k] = typ + " " + val + " " + ttl
		}
	}
	return out
}

// metaKeys returns the ordered-mode metadata keys.
func metaKeys(t testing.TB, rdb redis.UniversalClient) map[string]redis.Cmdable {
	t.Helper()
	out := map[string]redis.Cmdable{}
	for _, c := range masters(t, rdb) {
		keys, err := c.Keys(context.Background(), MetaPrefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			out[k] = c
		}
	}
	return out
}

func diffStates(want, got map[string]string) string {
	var b strings.Builder
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if want[k] != got[k] {
			fmt.Fprintf(&b, "  %q: want %q, got %q\n", k, want[k], got[k])
		}
	}
	return b.String()
}
