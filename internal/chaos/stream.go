package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/regis-infra/terraform-provider-regis/regis"
)

// Op is one command of the stream, as a publisher call.
type Op struct {
	// Call names the publisher method: Set, SetTTL (Set with regis.TTL),
	// SetEx (Do SETEX, rewritten by Normalize), MSet, Del, Unlink (Do),
	// Expire, PExpireAt, Persist, HSet, HMSet (Do HMSET, an alias), HDel,
	// SAdd, SRem, ZAdd, ZRem.
	Call string
	Key  string
	// Args: values, fields and values, members, scores and members, or
	// for MSet and Del the other keys (and values).
	Args []string
	TTL  time.Duration // SetTTL, SetEx, Expire
	At   time.Time     // PExpireAt
	// Once marks a write to a key written only this once: a loss detector.
	Once bool
}

// Keys returns the keys op writes.
func (op Op) Keys() []string {
	switch op.Call {
	case "MSet":
		keys := []string{op.Key}
		for i := 1; i < len(op.Args); i += 2 {
			keys = append(keys, op.Args[i])
		}
		return keys
	case "Del", "Unlink":
		return append([]string{op.Key}, op.Args...)
	}
	return []string{op.Key}
}

// Publish publishes op and returns the canonical command the publisher
// sent, with relative TTLs made absolute to within the clock readings taken
// around the call.
func Publish(ctx context.Context, p *regis.Publisher, op Op) (*regis.Result, Cmd, error) {
	before := time.Now().UnixMilli()
	res, err := publish(ctx, p, op)
	after := time.Now().UnixMilli()
	if err != nil {
		return nil, Cmd{}, fmt.Errorf("publishing %s %s: %w", op.Call, op.Key, err)
	}
	ttl := op.TTL.Milliseconds()
	rel := Interval{before + ttl, after + ttl}
	var c Cmd
	switch op.Call {
	case "Set":
		c = Cmd{Args: []string{"SET", op.Key, op.Args[0]}}
	case "SetTTL", "SetEx":
		c = Cmd{Args: []string{"SET", op.Key, op.Args[0], "PXAT", strconv.FormatInt(rel.Lo, 10)}, At: rel}
	case "MSet":
		c = Cmd{Args: append([]string{"MSET", op.Key}, op.Args...)}
	case "Del":
		c = Cmd{Args: append([]string{"DEL", op.Key}, op.Args...)}
	case "Unlink":
		c = Cmd{Args: append([]string{"UNLINK", op.Key}, op.Args...)}
	case "Expire":
		c = Cmd{Args: []string{"PEXPIREAT", op.Key, strconv.FormatInt(rel.Lo, 10)}, At: rel}
	case "PExpireAt":
		at := op.At.UnixMilli()
		c = Cmd{Args: []string{"PEXPIREAT", op.Key, strconv.FormatInt(at, 10)}, At: Exact(at)}
	case "Persist":
		c = Cmd{Args: []string{"PERSIST", op.Key}}
	case "HSet", "HMSet":
		c = Cmd{Args: append([]string{"HSET", op.Key}, op.Args...)}
	default: // HDel SAdd SRem ZAdd ZRem
		c = Cmd{Args: append([]string{map[string]string{"HDel": "HDEL", "SAdd": "SADD", "SRem": "SREM", "ZAdd": "ZADD", "ZRem": "ZREM"}[op.Call], op.Key}, op.Args...)}
	}
	return res, c, nil
}

func publish(ctx context.Context, p *regis.Publisher, op Op) (*regis.Result, error) {
	switch op.Call {
	case "Set":
		return p.Set(ctx, op.Key, op.Args[0])
	case "SetTTL":
		return p.Set(ctx, op.Key, op.Args[0], regis.TTL(op.TTL))
	case "SetEx":
		return p.Do(ctx, "SETEX", op.Key, strconv.FormatInt(int64(op.TTL/time.Second), 10), op.Args[0])
	case "MSet":
		return p.MSet(ctx, append([]string{op.Key}, op.Args...)...)
	case "Del":
		return p.Del(ctx, append([]string{op.Key}, op.Args...)...)
	case "Unlink":
		return p.Do(ctx, append([]string{"UNLINK", op.Key}, op.Args...)...)
	case "Expire":
		return p.Expire(ctx, op.Key, op.TTL)
	case "PExpireAt":
		return p.PExpireAt(ctx, op.Key, op.At)
	case "Persist":
		return p.Persist(ctx, op.Key)
	case "HSet":
		return p.HSet(ctx, op.Key, op.Args...)
	case "HMSet":
		return p.Do(ctx, append([]string{"HMSET", op.Key}, op.Args...)...)
	case "HDel":
		return p.HDel(ctx, op.Key, op.Args...)
	case "SAdd":
		return p.SAdd(ctx, op.Key, op.Args...)
	case "SRem":
		return p.SRem(ctx, op.Key, op.Args...)
	case "ZAdd":
		zs := make([]regis.Z, 0, len(op.Args)/2)
		for i := 0; i+1 < len(op.Args); i += 2 {
			f, err := strconv.ParseFloat(op.Args[i], 64)
			if err != nil {
				return nil, err
			}
			zs = append(zs, regis.Z{Score: f, Member: op.Args[i+1]})
		}
		return p.ZAdd(ctx, op.Key, zs...)
	case "ZRem":
		return p.ZRem(ctx, op.Key, op.Args...)
	}
	return nil, fmt.Errorf("unknown call %q", op.Call)
}

// StreamOptions shape the command stream.
type StreamOptions struct {
	Seed uint64
	// Hot keys of each type: most commands write them, many times each.
	Strings, Hashes, Sets, ZSets int
	// OnceFraction of the commands write a fresh key, once.
	OnceFraction float64
}

// DefaultStreamOptions: 1,300 hot keys taking four fifths of the commands
// (about 60 writes each, skewed so that some keys get hundreds), and a fifth
// of the commands writing fresh keys once.
func DefaultStreamOptions(seed uint64) StreamOptions {
	return StreamOptions{Seed: seed, Strings: 500, Hashes: 300, Sets: 250, ZSets: 250, OnceFraction: 0.2}
}

// Generator produces the command stream. Its choices depend on the model's
// state (which keys exist, how big collections are), so that the stream
// never does what the model does not define (see the package doc): the
// caller applies each op to the model before asking for the next.
type Generator struct {
	o    StreamOptions
	rng  *rand.Rand
	m    *Model
	n    int // ops generated
	once int // once keys used
	// now anchors absolute expiries (PExpireAt), on whole minutes.
	now time.Time
}

// NewGenerator returns a generator over model m.
func NewGenerator(o StreamOptions, m *Model) *Generator {
	return &Generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed+1)), m: m, now: time.Now().Truncate(time.Minute)}
}

// hot returns the idx-th hot key of a kind, skewed towards low indices.
func (g *Generator) hot(prefix string, n int) string {
	u := g.rng.Float64()
	return prefix + strconv.Itoa(int(float64(n)*u*u))
}

func (g *Generator) value() string {
	return "v" + strconv.Itoa(g.n) + "-" + strconv.FormatUint(g.rng.Uint64()%1000, 10)
}

// ttl is a relative TTL of one to ten hours, in whole minutes: two TTLs the
// stream picks differ by at least a minute, far more than TTLSlack.
func (g *Generator) ttl() time.Duration {
	return time.Duration(60+g.rng.IntN(540)) * time.Minute
}

func (g *Generator) at() time.Time {
	return g.now.Add(time.Duration(60+g.rng.IntN(540)) * time.Minute)
}

func (g *Generator) score() string {
	if g.rng.IntN(4) == 0 {
		return strconv.Itoa(g.rng.IntN(1000)) + ".5"
	}
	return strconv.Itoa(g.rng.IntN(2000) - 1000)
}

func (g *Generator) pick(pool []string, n int) []string {
	idx := g.rng.Perm(len(pool))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = pool[j]
	}
	return out
}

var (
	fields  = []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"}
	members = []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11"}
)

// Next returns the next op.
func (g *Generator) Next() Op {
	g.n++
	if g.rng.Float64() < g.o.OnceFraction {
		return g.onceOp()
	}
	switch r := g.rng.IntN(100); {
	case r < 35:
		return g.stringOp()
	case r < 60:
		return g.collectionOp(KindHash, "hash:", g.o.Hashes)
	case r < 80:
		return g.collectionOp(KindSet, "set:", g.o.Sets)
	default:
		return g.collectionOp(KindZSet, "zset:", g.o.ZSets)
	}
}

func (g *Generator) onceKey() string {
	g.once++
	return "once:" + strconv.Itoa(g.once)
}

func (g *Generator) onceOp() Op {
	k := g.onceKey()
	switch g.rng.IntN(6) {
	case 0:
		return Op{Call: "Set", Key: k, Args: []string{g.value()}, Once: true}
	case 1:
		return Op{Call: "SetTTL", Key: k, Args: []string{g.value()}, TTL: g.ttl(), Once: true}
	case 2:
		return Op{Call: "MSet", Key: k, Args: []string{g.value(), g.onceKey(), g.value()}, Once: true}
	case 3:
		return Op{Call: "HSet", Key: k, Args: []string{"a", g.value(), "b", g.value()}, Once: true}
	case 4:
		return Op{Call: "SAdd", Key: k, Args: g.pick(members, 3), Once: true}
	default:
		return Op{Call: "ZAdd", Key: k, Args: []string{g.score(), "x", g.score(), "y"}, Once: true}
	}
}

// expiryOp changes the TTL of an existing key, or returns false.
func (g *Generator) expiryOp(key string, r int) (Op, bool) {
	v := g.m.Get(key)
	if v == nil {
		return Op{}, false
	}
	switch {
	case r < 4:
		return Op{Call: "Expire", Key: key, TTL: g.ttl()}, true
	case r < 8:
		return Op{Call: "PExpireAt", Key: key, At: g.at()}, true
	default:
		return Op{Call: "Persist", Key: key}, true
	}
}

func (g *Generator) stringOp() Op {
	k := g.hot("str:", g.o.Strings)
	r := g.rng.IntN(100)
	switch {
	case r < 45:
		return Op{Call: "Set", Key: k, Args: []string{g.value()}}
	case r < 57:
		return Op{Call: "SetTTL", Key: k, Args: []string{g.value()}, TTL: g.ttl()}
	case r < 62:
		return Op{Call: "SetEx", Key: k, Args: []string{g.value()}, TTL: g.ttl()}
	case r < 72:
		other := g.hot("str:", g.o.Strings)
		if other == k {
			return Op{Call: "Set", Key: k, Args: []string{g.value()}}
		}
		return Op{Call: "MSet", Key: k, Args: []string{g.value(), other, g.value()}}
	case r < 80:
		return g.delOp(k)
	case r < 82:
		return Op{Call: "Unlink", Key: k}
	default:
		if op, ok := g.expiryOp(k, (r-82)*10/18); ok {
			return op
		}
		return Op{Call: "Set", Key: k, Args: []string{g.value()}}
	}
}

// delOp deletes key, sometimes with a hot key of another type.
func (g *Generator) delOp(key string) Op {
	if g.rng.IntN(3) > 0 {
		return Op{Call: "Del", Key: key}
	}
	var other string
	switch g.rng.IntN(4) {
	case 0:
		other = g.hot("str:", g.o.Strings)
	case 1:
		other = g.hot("hash:", g.o.Hashes)
	case 2:
		other = g.hot("set:", g.o.Sets)
	default:
		other = g.hot("zset:", g.o.ZSets)
	}
	if other == key {
		return Op{Call: "Del", Key: key}
	}
	return Op{Call: "Del", Key: key, Args: []string{other}}
}

func (g *Generator) collectionOp(kind Kind, prefix string, n int) Op {
	k := g.hot(prefix, n)
	r := g.rng.IntN(100)
	add := func() Op {
		switch kind {
		case KindHash:
			var args []string
			for _, f := range g.pick(fields, 1+g.rng.IntN(3)) {
				args = append(args, f, g.value())
			}
			if g.rng.IntN(10) == 0 {
				return Op{Call: "HMSet", Key: k, Args: args}
			}
			return Op{Call: "HSet", Key: k, Args: args}
		case KindSet:
			return Op{Call: "SAdd", Key: k, Args: g.pick(members, 1+g.rng.IntN(3))}
		default:
			var args []string
			for _, m := range g.pick(members, 1+g.rng.IntN(2)) {
				args = append(args, g.score(), m)
			}
			return Op{Call: "ZAdd", Key: k, Args: args}
		}
	}
	switch {
	case r < 55:
		return add()
	case r < 72:
		// Remove one present member, never the last one.
		v := g.m.Get(k)
		if v == nil || v.size() < 2 {
			return add()
		}
		var present []string
		switch kind {
		case KindHash:
			for f := range v.Hash {
				present = append(present, f)
			}
		case KindSet:
			for s := range v.Set {
				present = append(present, s)
			}
		default:
			for s := range v.ZSet {
				present = append(present, s)
			}
		}
		// Map order is random: sort for a reproducible stream.
		slices.Sort(present)
		victim := present[g.rng.IntN(len(present))]
		call := map[Kind]string{KindHash: "HDel", KindSet: "SRem", KindZSet: "ZRem"}[kind]
		return Op{Call: call, Key: k, Args: []string{victim}}
	case r < 80:
		return g.delOp(k)
	default:
		if op, ok := g.expiryOp(k, (r-80)/2); ok {
			return op
		}
		return add()
	}
}
