package consumer

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// Z20 is the "no version" register.
const Z20 = "00000000000000000000"

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
	if FormatVersion(1<<60+1) <= FormatVersion(1<<60) {
		t.Fatal("order lost")
	}
}

// TestScriptKeyLayout checks that Go and the script agree on which writes
// carry MM in KEYS.
func TestScriptKeyLayout(t *testing.T) {
	i := strings.Index(orderedScript, "local hasMM = {")
	line := orderedScript[i : i+strings.IndexByte(orderedScript[i:], '\n')]
	for b := 0; b < 256; b++ {
		inScript := strings.Contains(line, fmt.Sprintf("[%d] = true", b))
		if inScript != usesMemberKey(byte(b)) {
			t.Errorf("op code %q: script hasMM %v, usesMemberKey %v", rune(b), inScript, usesMemberKey(byte(b)))
		}
	}
	for name, op := range memberOps {
		if !usesMemberKey(op) || isKeyOp(op) {
			t.Errorf("%s: member write code %q", name, op)
		}
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
		for _, mk := range []string{MetaKey(k), MemberKey(k)} {
			meta, err := rdb.ClusterKeySlot(ctx, mk).Result()
			if err != nil {
				t.Fatal(err)
			}
			if meta != want {
				t.Fatalf("metadata key %q of %q is in slot %d, key in %d", mk, k, meta, want)
			}
		}
		if MetaKey(k) == MemberKey(k) || !strings.HasPrefix(MetaKey(k), MetaPrefix) || !strings.HasPrefix(MemberKey(k), MetaPrefix) {
			t.Fatalf("metadata keys of %q: %q %q", k, MetaKey(k), MemberKey(k))
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
		ctx := context.Background()
		const refresh = time.Hour // an eighth of the window, at most an hour
		periodOf := func(t time.Time) string { return fmt.Sprintf("%010d", t.UnixMilli()/refresh.Milliseconds()) }
		before := periodOf(time.Now())
		// isAt tells whether registers are the refresh period of now (or of
		// the start of the test, should an hour begin in between) then regs.
		isAt := func(got, regs string) bool {
			return got == before+regs || got == periodOf(time.Now())+regs
		}
		applyEach(t, hs, c(1, "SET", "k", "v"), c(2, "HSET", "h", "f", "v"), c(3, "DEL", "gone"))
		meta := metaKeys(t, hs.rdb)
		want := []string{MetaKey("k"), MetaKey("h"), MemberKey("h"), MetaKey("gone")}
		if len(meta) != len(want) {
			t.Fatalf("want metadata keys %q, got %v", want, meta)
		}
		pttl := func(k string) time.Duration { return metaKeys(t, hs.rdb)[k].PTTL(ctx, k).Val() }
		for _, k := range want {
			// The window plus the refresh period, set by the write.
			if ttl := pttl(k); ttl < contract.DefaultTombstoneTTL+refresh-time.Minute || ttl > contract.DefaultTombstoneTTL+refresh {
				t.Fatalf("%s: PTTL %v, want the window plus the refresh period", k, ttl)
			}
		}
		// Registers: the refresh period, then for a plain SET or DEL the bare
		// version; a collection records its newest member version.
		get := func(k string) string { return metaKeys(t, hs.rdb)[k].Get(ctx, k).Val() }
		if got := get(MetaKey("k")); !isAt(got, FormatVersion(1)) {
			t.Fatalf("registers of k: %q", got)
		}
		if got := get(MetaKey("gone")); !isAt(got, FormatVersion(3)) {
			t.Fatalf("registers of gone: %q", got)
		}
		if got := get(MetaKey("h")); !isAt(got, Z20+Z20+FormatVersion(2)) {
			t.Fatalf("registers of h: %q", got)
		}
		if got := meta[MemberKey("h")].HGetAll(ctx, MemberKey("h")).Val(); len(got) != 1 || got["f"] != FormatVersion(2) {
			t.Fatalf("member versions of h: %v", got)
		}

		// A SET in the period of the last renewal keeps the TTL (at least
		// the window is left); one in a later period renews it.
		cl := meta[MetaKey("k")]
		cl.PExpire(ctx, MetaKey("k"), contract.DefaultTombstoneTTL+10*time.Minute)
		applyEach(t, hs, c(4, "SET", "k", "w"))
		if ttl := pttl(MetaKey("k")); (ttl < contract.DefaultTombstoneTTL || ttl > contract.DefaultTombstoneTTL+10*time.Minute) && periodOf(time.Now()) == before {
			t.Fatalf("PTTL %v after a SET in the same period", ttl)
		}
		older := fmt.Sprintf("%010d", time.Now().UnixMilli()/refresh.Milliseconds()-2)
		cl.Set(ctx, MetaKey("k"), older+FormatVersion(4), redis.KeepTTL)
		applyEach(t, hs, c(5, "SET", "k", "x"))
		if ttl := pttl(MetaKey("k")); ttl < contract.DefaultTombstoneTTL+refresh-time.Minute {
			t.Fatalf("PTTL %v after a SET in a later period", ttl)
		}
		if got := get(MetaKey("k")); !isAt(got, FormatVersion(5)) {
			t.Fatalf("registers of k: %q", got)
		}

		// Other writes renew their metadata; a stale one renews nothing.
		for k, cl := range metaKeys(t, hs.rdb) {
			cl.PExpire(ctx, k, time.Hour)
		}
		applyEach(t, hs, c(6, "HDEL", "h", "g"), c(1, "SET", "gone", "old"))
		for _, k := range []string{MetaKey("h"), MemberKey("h")} {
			if ttl := pttl(k); ttl < contract.DefaultTombstoneTTL {
				t.Fatalf("%s: PTTL %v after a newer member write", k, ttl)
			}
		}
		if ttl := pttl(MetaKey("gone")); ttl > time.Hour {
			t.Fatalf("a stale write renewed the tombstone: PTTL %v", ttl)
		}
		// A key-level SET newer than every member leaves the member versions,
		// which decide nothing any more; the next member write drops them.
		applyEach(t, hs, c(7, "SET", "h", "s"))
		if got := get(MetaKey("h")); !isAt(got, FormatVersion(7)) {
			t.Fatalf("registers of h after SET: %q", got)
		}
		if d := diffStates(map[string]string{"k": "string x ttl=none", "h": "string s ttl=none"}, dump(t, hs.rdb)); d != "" {
			t.Fatal(d)
		}
		applyEach(t, hs, c(8, "HSET", "h", "g", "v"))
		if got := metaKeys(t, hs.rdb)[MemberKey("h")].HGetAll(ctx, MemberKey("h")).Val(); len(got) != 1 || got["g"] != FormatVersion(8) {
			t.Fatalf("member versions of h: %v", got)
		}
		if d := diffStates(map[string]string{"k": "string x ttl=none", "h": "hash g=v ttl=none"}, dump(t, hs.rdb)); d != "" {
			t.Fatal(d)
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

// TestOrderedGroups checks writes that share one script call: the same key
// several times, key-level and member writes mixed, more writes than one
// group holds. Each case's commands (version = position + 1) go in one
// message in order, reversed and shuffled with duplicates, and one message
// per command shuffled; every delivery must end in the state of plain Redis
// applying them in version order.
func TestOrderedGroups(t *testing.T) {
	ref := redistest.Start(t, redistest.Options{})
	refc := redis.NewClient(&redis.Options{Addr: ref.Addr})
	defer refc.Close()
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{ordered: true})
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	later := strconv.FormatInt(time.Now().Add(2*time.Hour).UnixMilli(), 10)
	a := func(args ...string) []string { return args }
	many := func(n int) [][]string {
		var out [][]string
		for i := 0; i < n; i++ {
			out = append(out, a("SET", "k", fmt.Sprint("v", i)), a("SET", fmt.Sprint("k", i%7), fmt.Sprint("w", i)))
		}
		return out
	}
	cases := []struct {
		name string
		cmds [][]string
	}{
		{"one key many times", [][]string{a("SET", "k", "a"), a("SET", "k", "b"), a("SET", "k", "c"), a("MSET", "k", "d", "j", "e")}},
		{"DEL then SET then DEL", [][]string{a("SET", "k", "a"), a("DEL", "k"), a("SET", "k", "b"), a("DEL", "k")}},
		{"DEL then SET then DEL then SET", [][]string{a("SET", "k", "a"), a("DEL", "k"), a("SET", "k", "b"), a("UNLINK", "k"), a("SET", "k", "c")}},
		{"strings and collections mixed", [][]string{
			a("HSET", "h", "f", "1"), a("SET", "s", "x"), a("SADD", "set", "a", "b"), a("SET", "s2", "y"),
			a("HSET", "h", "g", "2"), a("SREM", "set", "a"), a("DEL", "s"), a("ZADD", "z", "1", "m"), a("SET", "s", "z"), a("HDEL", "h", "f"),
		}},
		{"SET replaces a hash, then members again", [][]string{
			a("HSET", "h", "f", "1", "g", "1"), a("SET", "h", "s"), a("SET", "h", "t"), a("UNLINK", "h"), a("HSET", "h", "g", "2"), a("SET", "x", "1"), a("HDEL", "h", "f"),
		}},
		{"hash, SET, DEL, hash", [][]string{a("HSET", "h", "f", "1"), a("SET", "h", "s"), a("DEL", "h"), a("HSET", "h", "g", "2")}},
		{"TTLs among plain SETs", [][]string{
			a("SET", "k", "a", "PXAT", future), a("SET", "k", "b"), a("PEXPIREAT", "k", later), a("SET", "k", "c"),
			a("SET", "j", "a"), a("PEXPIREAT", "j", future), a("SET", "j", "b"), a("PERSIST", "j"), a("SET", "j", "c", "PXAT", later), a("SET", "j", "d"),
		}},
		{"more writes than a group", many(150)},
	}
	rng := rand.New(rand.NewSource(7))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flushAll(t, refc)
			ctx := context.Background()
			for _, args := range tc.cmds {
				anyArgs := make([]any, len(args))
				for i, x := range args {
					anyArgs[i] = x
				}
				if err := refc.Do(ctx, anyArgs...).Err(); err != nil {
					t.Fatalf("reference %q: %v", args, err)
				}
			}
			want := dump(t, refc)
			cmds := make([]regis.Command, len(tc.cmds))
			for i, args := range tc.cmds {
				cmds[i] = cmd(uint64(i+1), args...)
			}
			orders := map[string][]regis.Command{"in order": cmds}
			rev := make([]regis.Command, len(cmds))
			for i := range cmds {
				rev[len(cmds)-1-i] = cmds[i]
			}
			orders["reversed"] = rev
			for k := 0; k < 4; k++ {
				sh := append([]regis.Command(nil), cmds...)
				for i := 0; i < 1+len(cmds)/3; i++ {
					sh = append(sh, cmds[rng.Intn(len(cmds))])
				}
				rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
				orders[fmt.Sprint("shuffled ", k)] = sh
			}
			for name, list := range orders {
				flushAll(t, hs.rdb)
				applyEach(t, hs, list)
				if d := diffStates(want, dump(t, hs.rdb)); d != "" {
					t.Fatalf("%s, one message: state differs from plain Redis in order:\n%s", name, d)
				}
			}
			// One message per command, shuffled, some twice.
			flushAll(t, hs.rdb)
			var msgs [][]regis.Command
			for _, c := range cmds {
				msgs = append(msgs, []regis.Command{c})
				if rng.Intn(3) == 0 {
					msgs = append(msgs, []regis.Command{c})
				}
			}
			rng.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
			applyEach(t, hs, msgs...)
			if d := diffStates(want, dump(t, hs.rdb)); d != "" {
				t.Fatalf("one message per command: state differs from plain Redis in order:\n%s", d)
			}
		})
	}
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
					if err := refc.Do(ctx, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
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

// TestOrderedOOM: a Redis out of memory refuses a group's MSET; its writes
// fail (transient: SQS retries them), the registers stay as they were, and
// the retry applies them once memory is free again.
func TestOrderedOOM(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Args: []string{"--maxmemory-policy", "noeviction"}})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{ordered: true})
	ctx := context.Background()
	applyEach(t, hs, []regis.Command{cmd(1, "SET", "k", "a")})
	before := hs.rdb.Get(ctx, MetaKey("k")).Val()
	// Over maxmemory: every write is refused from now on.
	if err := hs.rdb.Set(ctx, "ballast", strings.Repeat("b", 6<<20), 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := hs.rdb.ConfigSet(ctx, "maxmemory", "4mb").Err(); err != nil {
		t.Fatal(err)
	}
	rec := record("m", body(t, "m", "us-east-1", time.Now(), cmd(3, "SET", "k", "b"), cmd(4, "MSET", "j", "c", "k", "d"), cmd(2, "SET", "k", "old")))
	resp := hs.handle(t, event(rec))
	if got := failedIDs(resp); len(got) != 1 || got[0] != "m" || len(hs.dlq.Letters()) != 0 {
		t.Fatalf("failed %v, letters %+v: want m failed (transient)\n%s", got, hs.dlq.Letters(), hs.logs)
	}
	if !strings.Contains(hs.logs.String(), "OOM") {
		t.Errorf("logs do not name the OOM error:\n%s", hs.logs)
	}
	if got := hs.rdb.Get(ctx, MetaKey("k")).Val(); got != before {
		t.Fatalf("registers of k changed by refused writes: %q, was %q", got, before)
	}
	if got := hs.rdb.Exists(ctx, MetaKey("j")).Val(); got != 0 {
		t.Fatal("registers of j written by a refused write")
	}
	// Memory again.
	if err := hs.rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if resp := hs.handle(t, event(rec)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry failed: %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	hs.rdb.Del(ctx, "ballast")
	if d := diffStates(map[string]string{"k": "string d ttl=none", "j": "string c ttl=none"}, dump(t, hs.rdb)); d != "" {
		t.Fatal(d)
	}
}
