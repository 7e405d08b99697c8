package consumer

import (
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

func TestFormatVersion(t *testing.T) {
	for v, want := range map[uint64]string{
		0:                    "00000000000000000000",
		7:                    "00000000000000000007",
		18446744073709551615: "18446744073709551615",
	} {
		if got := FormatVersion(v); got != want {
			t.Errorf("%d: %s", v, got)
		}
	}
	// Adjacent huge versions stay distinct and ordered (a double would not).
	if !(FormatVersion(1<<60+1) > FormatVersion(1<<60)) {
		t.Fatal("order lost")
	}
}

func TestHashTag(t *testing.T) {
	for key, want := range map[string]string{
		"plain":        "plain",
		"{user}:1":     "user",
		"a{b}c{d}":     "b",
		"{}x":          "{}x",
		"x{":           "x{",
		"a}b{c":        "a}b{c",
		"a}b{c}":       "c",
		"{{x}}":        "{x",
		"{":            "{",
		"}{y}":         "y",
		"__regis:{7}:": "7",
	} {
		if got := HashTag(key); got != want {
			t.Errorf("HashTag(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestSlotsMatchRedisCluster checks KeySlot against CLUSTER KEYSLOT and that
// every metadata key lands in its key's slot, for keys full of braces.
func TestSlotsMatchRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	c := redistest.StartCluster(t, 3)
	rdb := redis.NewClient(&redis.Options{Addr: c.Nodes[0].Addr})
	defer rdb.Close()
	ctx := context.Background()
	keys := []string{"", "a", "plain", "{user}:1", "user", "{}x", "x{", "a}b{c", "a}b{c}", "{{x}}", "}{y}",
		"__regis:{0}:k", "\xff\x00{\x01}", strings.Repeat("k", 300)}
	rng := rand.New(rand.NewSource(1))
	alphabet := "ab{}:\x00z"
	for i := 0; i < 200; i++ {
		b := make([]byte, rng.Intn(12))
		for j := range b {
			b[j] = alphabet[rng.Intn(len(alphabet))]
		}
		keys = append(keys, string(b))
	}
	for _, k := range keys {
		want, err := rdb.ClusterKeySlot(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := KeySlot(k); int64(got) != want {
			t.Fatalf("KeySlot(%q) = %d, CLUSTER KEYSLOT = %d", k, got, want)
		}
		meta, err := rdb.ClusterKeySlot(ctx, MetaKey(k)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if meta != want {
			t.Fatalf("MetaKey(%q) = %q is in slot %d, key in %d", k, MetaKey(k), meta, want)
		}
	}
	// Every slot has a tag, and the tags hash where they claim to.
	tags := slotTags()
	for s, tag := range tags {
		if tag == "" || KeySlot("{"+tag+"}") != s {
			t.Fatalf("slot %d: tag %q", s, tag)
		}
	}
}

// orderedScenario applies messages (each a list of commands) one batch per
// message, in the given order, and returns the dump.
func applyEach(t *testing.T, hs *harness, msgs ...[]regis.Command) {
	t.Helper()
	for i, m := range msgs {
		id := fmt.Sprintf("m%d", i)
		resp := hs.handle(t, event(record(id, body(t, id, "us-east-1", time.Now(), m...))))
		if len(resp.BatchItemFailures) != 0 {
			t.Fatalf("message %d failed: %s", i, hs.logs)
		}
		if l := hs.dlq.Letters(); len(l) != 0 {
			t.Fatalf("message %d poisoned: %+v", i, l)
		}
	}
}

func TestOrderedScenarios(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{ordered: true})
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	later := strconv.FormatInt(time.Now().Add(2*time.Hour).UnixMilli(), 10)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
	c := func(v uint64, args ...string) []regis.Command { return []regis.Command{cmd(v, args...)} }

	cases := []struct {
		name string
		msgs [][]regis.Command
		want map[string]string
	}{
		{"late older SET is ignored", [][]regis.Command{c(2, "SET", "k", "new"), c(1, "SET", "k", "old")},
			map[string]string{"k": "string new ttl=none"}},
		{"duplicate is idempotent", [][]regis.Command{c(1, "SET", "k", "a"), c(2, "SET", "k", "b"), c(1, "SET", "k", "a")},
			map[string]string{"k": "string b ttl=none"}},
		{"DEL tombstone stops a late SET", [][]regis.Command{c(2, "DEL", "k"), c(1, "SET", "k", "old")},
			map[string]string{}},
		{"SET after DEL in version order wins", [][]regis.Command{c(3, "SET", "k", "new"), c(2, "DEL", "k"), c(1, "SET", "k", "old")},
			map[string]string{"k": "string new ttl=none"}},
		{"fields of one hash merge out of order", [][]regis.Command{c(2, "HSET", "h", "b", "2"), c(1, "HSET", "h", "a", "1")},
			map[string]string{"h": "hash a=1,b=2 ttl=none"}},
		{"HDEL tombstone per field", [][]regis.Command{c(2, "HDEL", "h", "a"), c(1, "HSET", "h", "a", "1", "b", "1")},
			map[string]string{"h": "hash b=1 ttl=none"}},
		{"DEL removes only older members", [][]regis.Command{c(3, "HSET", "h", "new", "x"), c(1, "HSET", "h", "old", "x"), c(2, "DEL", "h")},
			map[string]string{"h": "hash new=x ttl=none"}},
		{"DEL before its older members arrive", [][]regis.Command{c(2, "DEL", "s"), c(1, "SADD", "s", "a"), c(3, "SADD", "s", "b")},
			map[string]string{"s": "set b ttl=none"}},
		{"duplicate field in one HSET: last wins", [][]regis.Command{c(1, "HSET", "h", "f", "a", "f", "b")},
			map[string]string{"h": "hash f=b ttl=none"}},
		{"zset scores by member", [][]regis.Command{c(3, "ZADD", "z", "3", "a"), c(1, "ZADD", "z", "1", "a", "1", "b"), c(2, "ZREM", "z", "b")},
			map[string]string{"z": "zset a:3 ttl=none"}},
		{"TTL version independent of value", [][]regis.Command{c(3, "PEXPIREAT", "k", future), c(2, "SET", "k", "v"), c(1, "SET", "k", "old")},
			map[string]string{"k": "string v ttl=set"}},
		{"newer SET clears an older TTL", [][]regis.Command{c(2, "SET", "k", "v"), c(1, "PEXPIREAT", "k", future)},
			map[string]string{"k": "string v ttl=none"}},
		{"PERSIST newer than SET PXAT", [][]regis.Command{c(2, "PERSIST", "k"), c(1, "SET", "k", "v", "PXAT", future)},
			map[string]string{"k": "string v ttl=none"}},
		{"SET PXAT newer than PEXPIREAT", [][]regis.Command{c(3, "SET", "k", "v", "PXAT", later), c(2, "PEXPIREAT", "k", future)},
			map[string]string{"k": "string v ttl=set"}},
		{"past PXAT deletes", [][]regis.Command{c(1, "SET", "k", "v", "PXAT", past), c(2, "HSET", "h", "f", "v"), c(3, "PEXPIREAT", "h", past)},
			map[string]string{}},
		{"hash TTL survives a member write", [][]regis.Command{c(2, "PEXPIREAT", "h", future), c(1, "HSET", "h", "f", "v"), c(3, "HSET", "h", "g", "v")},
			map[string]string{"h": "hash f=v,g=v ttl=set"}},
		{"MSET per key", [][]regis.Command{c(2, "MSET", "a", "2", "b", "2"), c(1, "MSET", "a", "1", "c", "1")},
			map[string]string{"a": "string 2 ttl=none", "b": "string 2 ttl=none", "c": "string 1 ttl=none"}},
		{"type change through DEL", [][]regis.Command{c(3, "HSET", "k", "f", "v"), c(1, "SET", "k", "s")},
			map[string]string{"k": "hash f=v ttl=none"}},
		{"type change, SET first", [][]regis.Command{c(1, "SET", "k", "s"), c(3, "HSET", "k", "f", "v"), c(2, "DEL", "k")},
			map[string]string{"k": "hash f=v ttl=none"}},
		{"keys with braces", [][]regis.Command{c(2, "SET", "a}b{c", "2"), c(1, "SET", "a}b{c", "1"), c(1, "SET", "{x}y", "1")},
			map[string]string{"a}b{c": "string 2 ttl=none", "{x}y": "string 1 ttl=none"}},
		{"max uint64 versions", [][]regis.Command{c(18446744073709551615, "SET", "k", "max"), c(18446744073709551614, "SET", "k", "less")},
			map[string]string{"k": "string max ttl=none"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flushAll(t, hs.rdb)
			applyEach(t, hs, tc.msgs...)
			if d := diffStates(tc.want, dump(t, hs.rdb)); d != "" {
				t.Fatalf("state differs:\n%s", d)
			}
		})
	}

	t.Run("metadata expires with the tombstone window", func(t *testing.T) {
		flushAll(t, hs.rdb)
		applyEach(t, hs, c(1, "SET", "k", "v"), c(2, "HSET", "h", "f", "v"), c(3, "DEL", "gone"))
		meta := metaKeys(t, hs.rdb)
		if len(meta) != 3 {
			t.Fatalf("want 3 metadata keys, got %v", meta)
		}
		for k, cl := range meta {
			// window + refresh interval (1h for the 7-day default).
			ttl := cl.PTTL(context.Background(), k).Val()
			if ttl < DefaultTombstoneTTL || ttl > DefaultTombstoneTTL+time.Hour {
				t.Fatalf("%s: PTTL %v, want within [%v, %v]", k, ttl, DefaultTombstoneTTL, DefaultTombstoneTTL+time.Hour)
			}
			if r := cl.HGet(context.Background(), k, "r").Val(); r == "" {
				t.Fatalf("%s: no renewal time", k)
			}
		}
		// A write within the refresh interval does not renew the TTL; the
		// metadata still outlives the window after that write.
		for k, cl := range meta {
			cl.PExpire(context.Background(), k, DefaultTombstoneTTL+30*time.Minute)
		}
		applyEach(t, hs, c(4, "SET", "k", "w"))
		for k, cl := range metaKeys(t, hs.rdb) {
			if !strings.Contains(k, ":k") {
				continue
			}
			if ttl := cl.PTTL(context.Background(), k).Val(); ttl < DefaultTombstoneTTL || ttl > DefaultTombstoneTTL+30*time.Minute {
				t.Fatalf("%s: PTTL %v after a write within the refresh interval", k, ttl)
			}
		}
	})

	t.Run("stale commands are counted", func(t *testing.T) {
		flushAll(t, hs.rdb)
		applyEach(t, hs, c(2, "SET", "k", "v"))
		before := len(hs.metrics.String())
		applyEach(t, hs, c(1, "SET", "k", "old"))
		docs := emfDocs(t, hs.metrics.String()[before:])
		if docs["us-east-1"]["CommandsStale"] != 1.0 {
			t.Fatalf("CommandsStale: %v", docs["us-east-1"])
		}
	})

	t.Run("NOSCRIPT falls back to EVAL", func(t *testing.T) {
		flushAll(t, hs.rdb)
		if err := hs.rdb.ScriptFlush(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		applyEach(t, hs, c(1, "SET", "k", "v"))
		if d := diffStates(map[string]string{"k": "string v ttl=none"}, dump(t, hs.rdb)); d != "" {
			t.Fatal(d)
		}
	})
}

// op is one generated command with its version (its index in version order).
type genOp struct {
	args []string
}

// genStream generates n commands over a small key space, each key always
// used with one data type. ttlOnCollections allows PEXPIREAT/PERSIST on
// hashes, sets and sorted sets.
func genStream(rng *rand.Rand, n int, ttlOnCollections bool) []genOp {
	strs := []string{"s1", "s2", "{user}:s3", "a}b{c"}
	hashes := []string{"h1", "{user}:h2"}
	sets := []string{"set1"}
	zsets := []string{"z1"}
	members := []string{"a", "b", "c", ""}
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	base := time.Now().Add(time.Hour).UnixMilli()
	ttl := func() string { return strconv.FormatInt(base+int64(rng.Intn(100000)), 10) }
	var ops []genOp
	for i := 0; i < n; i++ {
		val := fmt.Sprintf("v%d", i)
		var a []string
		switch rng.Intn(4) {
		case 0:
			k := pick(strs)
			switch rng.Intn(7) {
			case 0, 1:
				a = []string{"SET", k, val}
			case 2:
				a = []string{"SET", k, val, "PXAT", ttl()}
			case 3:
				a = []string{"MSET", k, val, pick(strs), val + "'"}
				if a[1] == a[3] {
					a = a[:3]
				}
			case 4:
				a = []string{[]string{"DEL", "UNLINK"}[rng.Intn(2)], k}
				if rng.Intn(3) == 0 {
					a = append(a, pick(hashes))
				}
			case 5:
				a = []string{"PEXPIREAT", k, ttl()}
			case 6:
				a = []string{"PERSIST", k}
			}
		case 1:
			k := pick(hashes)
			switch rng.Intn(6) {
			case 0, 1:
				a = []string{"HSET", k, pick(members), val}
				if rng.Intn(2) == 0 {
					a = append(a, pick(members), val+"'")
				}
			case 2, 3:
				a = []string{"HDEL", k, pick(members)}
			case 4:
				a = []string{"DEL", k}
			case 5:
				if ttlOnCollections {
					a = []string{[]string{"PEXPIREAT", "PERSIST"}[rng.Intn(2)], k}
					if a[0] == "PEXPIREAT" {
						a = append(a, ttl())
					}
				} else {
					a = []string{"HSET", k, pick(members), val}
				}
			}
		case 2:
			k := pick(sets)
			switch rng.Intn(5) {
			case 0, 1:
				a = []string{"SADD", k, pick(members), pick(members)}
			case 2, 3:
				a = []string{"SREM", k, pick(members)}
			case 4:
				a = []string{"UNLINK", k}
			}
		case 3:
			k := pick(zsets)
			switch rng.Intn(5) {
			case 0, 1:
				a = []string{"ZADD", k, strconv.Itoa(rng.Intn(5)), pick(members)}
			case 2, 3:
				a = []string{"ZREM", k, pick(members)}
			case 4:
				if ttlOnCollections {
					a = []string{"PEXPIREAT", k, ttl()}
				} else {
					a = []string{"DEL", k}
				}
			}
		}
		ops = append(ops, genOp{args: a})
	}
	return ops
}

// TestOrderedModeConverges is the property test: random command streams,
// grouped into messages, duplicated and shuffled, applied in ordered mode,
// end in exactly the state of applying the commands in version order to a
// plain Redis; and in the same state as applying them in order through
// ordered mode (which also covers the documented TTL-of-collections rule).
func TestOrderedModeConverges(t *testing.T) {
	ref := redistest.Start(t, redistest.Options{})     // plain Redis, commands in order
	inOrder := redistest.Start(t, redistest.Options{}) // ordered mode, messages in order
	refc := redis.NewClient(&redis.Options{Addr: ref.Addr})
	defer refc.Close()
	hsInOrder := newHarness(t, []string{inOrder.Addr}, harnessOpts{ordered: true})

	type target struct {
		name string
		hs   *harness
		runs int
	}
	srv := redistest.Start(t, redistest.Options{})
	targets := []target{{"standalone", newHarness(t, []string{srv.Addr}, harnessOpts{ordered: true}), 40}}
	if !testing.Short() {
		cl := redistest.StartCluster(t, 3)
		targets = append(targets, target{"cluster", newHarness(t, cl.Addrs(), harnessOpts{ordered: true, cluster: true}), 15})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			for run := 0; run < tg.runs; run++ {
				seed := int64(run + 1)
				rng := rand.New(rand.NewSource(seed))
				ttlOnCollections := run%2 == 1
				ops := genStream(rng, 40+rng.Intn(60), ttlOnCollections)
				for _, c := range []redis.UniversalClient{refc, hsInOrder.rdb, tg.hs.rdb} {
					flushAll(t, c)
				}
				// Reference: every command, in version order, on plain Redis.
				ctx := context.Background()
				for _, op := range ops {
					args := make([]any, len(op.args))
					for i, a := range op.args {
						args[i] = a
					}
					if err := refc.Do(ctx, args...).Err(); err != nil && err != redis.Nil {
						t.Fatalf("seed %d: reference %q: %v", seed, op.args, err)
					}
				}
				// Messages of 1–3 consecutive commands, versions 1…n.
				type msg struct {
					id   string
					cmds []regis.Command
				}
				var msgs []msg
				for i := 0; i < len(ops); {
					n := 1 + rng.Intn(3)
					var cmds []regis.Command
					for j := i; j < i+n && j < len(ops); j++ {
						cmds = append(cmds, regis.Command{Args: ops[j].args, Version: uint64(j + 1)})
					}
					msgs = append(msgs, msg{id: fmt.Sprintf("m%d", i), cmds: cmds})
					i += n
				}
				deliver := func(hs *harness, list []msg) {
					for i := 0; i < len(list); i += 10 {
						var recs []events.SQSMessage
						for _, m := range list[i:min(i+10, len(list))] {
							recs = append(recs, record(m.id, body(t, m.id, "us-east-1", time.Now(), m.cmds...)))
						}
						resp := hs.handle(t, event(recs...))
						if len(resp.BatchItemFailures) != 0 || len(hs.dlq.Letters()) != 0 {
							t.Fatalf("seed %d: failures %v letters %+v\n%s", seed, resp.BatchItemFailures, hs.dlq.Letters(), hs.logs)
						}
					}
				}
				deliver(hsInOrder, msgs)
				// Shuffled, about a third delivered twice.
				shuffled := append([]msg(nil), msgs...)
				for _, m := range msgs {
					if rng.Intn(3) == 0 {
						shuffled = append(shuffled, m)
					}
				}
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				deliver(tg.hs, shuffled)

				got, ordered, want := dump(t, tg.hs.rdb), dump(t, hsInOrder.rdb), dump(t, refc)
				if d := diffStates(ordered, got); d != "" {
					t.Fatalf("seed %d: shuffled ≠ in-order (ordered mode):\n%s\nops: %s", seed, d, fmtOps(ops))
				}
				if ttlOnCollections {
					// Redis forgets a collection's TTL when it empties; the
					// registers cannot (see ordered.go): compare contents.
					want, got = withoutCollectionTTL(want), withoutCollectionTTL(got)
				}
				if d := diffStates(want, got); d != "" {
					t.Fatalf("seed %d: ordered mode ≠ plain Redis in order:\n%s\nops: %s", seed, d, fmtOps(ops))
				}
			}
		})
	}
}

func withoutCollectionTTL(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.HasPrefix(v, "string ") {
			v = strings.TrimSuffix(strings.TrimSuffix(v, " ttl=set"), " ttl=none")
		}
		out[k] = v
	}
	return out
}

func fmtOps(ops []genOp) string {
	var b strings.Builder
	for i, op := range ops {
		fmt.Fprintf(&b, "\n  v%d %q", i+1, op.args)
	}
	return b.String()
}
