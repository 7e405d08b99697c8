package consumer

// Ordered mode's hot path: plain SETs without a script
//
// A SET without PXAT is by far the most common ordered write, and the only
// one whose rule reads nothing but the key's registers (MK) and writes
// nothing but the value and MK. It does not need the script: the consumer
// applies it with optimistic concurrency, the way Redis documents WATCH
// for check-and-set.
//
//  1. On one connection, in one round trip: WATCH the group's MKs, MGET
//     them, and read the server's TIME (the refresh period, as the script
//     reads it).
//  2. Decide every write of the group in Go, with the script's rules for
//     SET (see the design in ordered.go): stale, applied, or "not simple"
//     (the registers hold a TTL or member versions this SET must respect);
//     a later write to the same key sees the decision of an earlier one.
//  3. MULTI, one MSET of the applied values, one SET per distinct MK
//     (KEEPTTL when its TTL was set in this refresh period, PX window +
//     refresh otherwise), EXEC.
//
// If any watched MK changed between 1 and 3 (another consumer, or the
// script, wrote one of the keys), Redis refuses the EXEC and nothing of the
// group is applied: the group starts again from 1, up to hotAttempts
// times, and then goes to the script, which cannot conflict. "Not simple"
// writes go to the script too. Every write is thus decided against the
// registers as they are when it is applied, atomically with its data write,
// exactly as inside the script; which path applies a write, and in which
// order the paths run, does not change the outcome, since the rules make
// any order of writes end in the same state.
//
// A watched key that expires counts as changed (Redis 6.0.9 and later),
// and KEEPTTL is only used when MK's TTL was set in the current refresh
// period, so it still has at least the whole window to run: an MK can never
// lose its TTL.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// hotAttempts bounds the optimistic attempts of one group before it goes
// to the script.
const hotAttempts = 4

// hotGroupSize bounds the writes of one transaction. WATCH costs Redis
// 7.0 time in the number of keys the connection already watches, so
// smaller groups are cheaper per key, up to the fixed cost of a group.
const hotGroupSize = 32

// hotWorkers is how many groups are in flight at once, each on its own
// connection: a group takes two round trips, so several keep Redis busy.
// Keys are split among them by slot.
const hotWorkers = 2

// zeroVersion is the 20-digit "no version" of the registers.
const zeroVersion = "00000000000000000000"

// execHotSets applies the plain SETs ks with optimistic transactions, sets
// their results, and returns the ones left to the script.
func (h *Handler) execHotSets(ctx context.Context, writes []orderedWrite, ks []int, results []subResult) []int {
	if len(ks) == 0 {
		return nil
	}
	// Writes are split by slot among the workers, so that no two groups in
	// flight at once share a key: a consumer's own groups never make each
	// other's transactions fail.
	parts := make([][]int, hotWorkers)
	for _, k := range ks {
		p := KeySlot(writes[k].call.key) % hotWorkers
		parts[p] = append(parts[p], k)
	}
	var mu sync.Mutex
	var left []int
	var wg sync.WaitGroup
	for _, part := range parts {
		if len(part) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &hotWorker{h: h, writes: writes, results: results, conns: map[*redis.Client]*hotConn{}}
			back := w.run(ctx, h.groupWrites(writes, part, hotGroupSize))
			mu.Lock()
			left = append(left, back...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return left
}

// hotDecision is what a group's read decided for one write.
type hotDecision int

const (
	hotStale  hotDecision = iota // older than the registers: skipped
	hotApply                     // applied by the transaction
	hotScript                    // left to the script
)

// hotGroup is one transaction's writes, decided or not yet read.
type hotGroup struct {
	ks      []int
	attempt int
	// After the read: the distinct MKs (WATCH/MGET order), each write's
	// index among them, and the decisions.
	mks       []any // "WATCH", MK…
	of        []int
	decisions []hotDecision
	tx        []any   // MSET args of the applied values
	sets      [][]any // SET MK … per written MK
	// Replies of the read, while in flight.
	get *redis.Cmd
	now *redis.TimeCmd
	// Replies of the transaction, while in flight.
	queued []*redis.Cmd
	exec   *redis.Cmd
}

// hotConn is one connection of a worker and the group it has read and
// decided there, whose MULTI…EXEC goes out with the next round trip.
type hotConn struct {
	conn    *redis.Conn
	decided *hotGroup
	unwatch bool // a read decided nothing: its WATCH is still armed
}

// hotWorker runs the groups of one part of the keys, one round trip per
// group: each round trip on a connection carries the transaction of the
// group decided last there and the read of the next group.
type hotWorker struct {
	h       *Handler
	writes  []orderedWrite
	results []subResult
	conns   map[*redis.Client]*hotConn
	left    []int // writes for the script
}

func (w *hotWorker) run(ctx context.Context, groups [][]int) []int {
	queue := make([]*hotGroup, len(groups))
	for i, g := range groups {
		queue[i] = &hotGroup{ks: g}
	}
	defer func() {
		for _, c := range w.conns {
			_ = c.conn.Close()
		}
	}()
	for {
		if len(queue) == 0 {
			// Send the transactions still waiting for a round trip.
			for _, c := range w.conns {
				if c.decided != nil {
					queue = append(queue, w.roundTrip(ctx, c, nil)...)
				}
			}
			if len(queue) == 0 {
				return w.left
			}
		}
		g := queue[0]
		queue = queue[1:]
		c, err := w.conn(ctx, g)
		if err != nil {
			setErr(w.results, g.ks, err)
			continue
		}
		queue = append(queue, w.roundTrip(ctx, c, g)...)
	}
}

// conn returns the worker's connection to the node serving g's keys.
func (w *hotWorker) conn(ctx context.Context, g *hotGroup) (*hotConn, error) {
	client, err := w.h.nodeFor(ctx, w.writes[g.ks[0]].call.key)
	if err != nil {
		return nil, err
	}
	c := w.conns[client]
	if c == nil {
		c = &hotConn{conn: client.Conn()}
		w.conns[client] = c
	}
	return c, nil
}

// roundTrip sends, in one pipeline on c: UNWATCH if a read there decided
// nothing, the transaction of the group decided there last (MULTI, MSET,
// the SETs of the registers, EXEC), and the read of g (WATCH, MGET, TIME)
// unless g is nil. It settles the transaction, decides g, and returns the
// groups to run again because a watched MK changed.
func (w *hotWorker) roundTrip(ctx context.Context, c *hotConn, g *hotGroup) []*hotGroup {
	pipe := c.conn.Pipeline()
	if c.unwatch {
		pipe.Do(ctx, "UNWATCH")
		c.unwatch = false
	}
	t := c.decided
	c.decided = nil
	if t != nil {
		pipe.Do(ctx, "MULTI")
		t.queued = append(t.queued[:0], pipe.Do(ctx, t.tx...))
		for _, a := range t.sets {
			t.queued = append(t.queued, pipe.Do(ctx, a...))
		}
		t.exec = pipe.Do(ctx, "EXEC")
	}
	if g != nil {
		w.prepare(g)
		pipe.Do(ctx, g.mks...)
		// The same boxed key names, not copies: no allocation per key.
		mget := make([]any, len(g.mks))
		mget[0] = "MGET"
		copy(mget[1:], g.mks[1:])
		g.get = pipe.Do(ctx, mget...)
		g.now = pipe.Time(ctx)
	}
	_, _ = pipe.Exec(ctx) // every command carries its own outcome
	var again []*hotGroup
	if t != nil {
		if r := w.settle(t); r != nil {
			again = append(again, r)
		}
	}
	if g == nil {
		return again
	}
	if gerr := firstErr(g.get.Err(), g.now.Err()); gerr != nil {
		setErr(w.results, g.ks, gerr)
		return again
	}
	if w.decide(g) {
		c.decided = g
	} else {
		c.unwatch = true
		w.toScript(g, hotScript)
	}
	return again
}

// toScript hands the writes of g decided as one of kinds to the script.
func (w *hotWorker) toScript(g *hotGroup, kinds ...hotDecision) {
	for j, k := range g.ks {
		for _, d := range kinds {
			if g.decisions[j] == d {
				w.left = append(w.left, k)
			}
		}
	}
}

// prepare lists g's distinct MKs and each write's index among them.
func (w *hotWorker) prepare(g *hotGroup) {
	if g.mks != nil {
		return
	}
	index := make(map[string]int, len(g.ks))
	g.mks = make([]any, 1, len(g.ks)+1)
	g.mks[0] = "WATCH"
	g.of = make([]int, len(g.ks))
	for j, k := range g.ks {
		c := &w.writes[k].call
		mk := metaKey(SlotTag(c.key), 'k', c.key)
		i, ok := index[mk]
		if !ok {
			i = len(index)
			index[mk] = i
			g.mks = append(g.mks, mk)
		}
		g.of[j] = i
	}
}

// decide applies the SET rule to each write of g against the registers
// read, a later write to the same key seeing the earlier one's decision;
// it builds the transaction and reports whether there is one.
func (w *hotWorker) decide(g *hotGroup) bool {
	ms := g.now.Val().UnixMilli() / w.h.refreshMs
	ep := strconv.FormatInt(ms, 10)
	ep = zeroVersion[:max(0, 10-len(ep))] + ep
	n := len(g.mks) - 1
	cur := make([]*string, n)
	renew := make([]bool, n)
	written := make([]bool, n)
	vals, _ := g.get.Val().([]any)
	for i, v := range vals {
		if s, ok := v.(string); ok {
			cur[i] = &s
		}
	}
	g.decisions = make([]hotDecision, len(g.ks))
	g.tx = append(g.tx[:0], "MSET")
	for j, k := range g.ks {
		wr := &w.writes[k]
		i := g.of[j]
		d, next, ren := decideSet(cur[i], wr.ver, ep)
		g.decisions[j] = d
		switch d {
		case hotApply:
			cur[i], written[i] = &next, true
			renew[i] = renew[i] || ren
			g.tx = append(g.tx, &wr.call.key, &wr.call.operands[0])
		}
	}
	g.sets = g.sets[:0]
	for i, on := range written {
		if !on {
			continue
		}
		if renew[i] {
			g.sets = append(g.sets, []any{"SET", g.mks[i+1], cur[i], "PX", &w.h.metaTTL})
		} else {
			g.sets = append(g.sets, []any{"SET", g.mks[i+1], cur[i], "KEEPTTL"})
		}
	}
	return len(g.tx) > 1
}

// settle reads the outcome of t's transaction. It
// returns t when a watched MK changed and t may be read again, and hands
// it to the script after hotAttempts tries.
func (w *hotWorker) settle(t *hotGroup) (again *hotGroup) {
	defer func() {
		if again == nil {
			w.toScript(t, hotScript)
		}
	}()
	applied := func(fn func(k int)) {
		for j, k := range t.ks {
			if t.decisions[j] == hotApply {
				fn(k)
			}
		}
	}
	// Why a queued command was refused (OOM…) says more than the
	// EXECABORT that followed it.
	for _, q := range t.queued {
		if qerr := q.Err(); qerr != nil && !strings.HasPrefix(qerr.Error(), "EXECABORT") {
			applied(func(k int) { w.results[k].err = qerr })
			return nil
		}
	}
	xerr := t.exec.Err()
	switch {
	case errors.Is(xerr, redis.Nil):
		// A watched MK changed: nothing was applied.
		t.attempt++
		if t.attempt < hotAttempts {
			t.mks, t.get, t.now = nil, nil, nil
			return t
		}
		w.toScript(t, hotApply)
		return nil
	case xerr != nil:
		applied(func(k int) { w.results[k].err = xerr })
		return nil
	}
	replies, _ := t.exec.Val().([]any)
	for _, r := range replies {
		if rerr, ok := r.(error); ok {
			applied(func(k int) { w.results[k].err = rerr })
			return nil
		}
	}
	applied(func(k int) { w.results[k].n = 1 })
	return nil
}

// decideSet is the script's rule for a SET without PXAT at version v
// against the registers s (nil: none), in refresh period ep: stale, applied
// (with the new registers, and whether MK's TTL must be set again), or
// left to the script (the registers carry a TTL or member versions this
// SET must take into account).
func decideSet(s *string, v, ep string) (d hotDecision, next string, renew bool) {
	if s == nil {
		return hotApply, ep + v, true
	}
	r := *s
	if len(r) == 30 && r[:10] == ep {
		if v > r[10:] {
			return hotApply, ep + v, false
		}
		return hotStale, "", false
	}
	if len(r) != 30 && len(r) < 70 {
		return hotScript, "", false // not a register value this code wrote
	}
	k, t, x, e := r[10:], r[10:], zeroVersion, ""
	if len(r) > 30 {
		k, t, x, e = r[10:30], r[30:50], r[50:70], r[70:]
	}
	switch {
	case v <= k || v <= x:
		return hotStale, "", false
	case x == zeroVersion && (v > t || e == ""):
		if v >= t {
			return hotApply, ep + v, r[:10] != ep
		}
		return hotApply, ep + v + t + zeroVersion, r[:10] != ep
	default:
		return hotScript, "", false
	}
}

// nodeFor returns the client of the node serving key.
func (h *Handler) nodeFor(ctx context.Context, key string) (*redis.Client, error) {
	switch c := h.redis.(type) {
	case *redis.Client:
		return c, nil
	case *redis.ClusterClient:
		return c.MasterForKey(ctx, key)
	default:
		return nil, fmt.Errorf("regis: unsupported Redis client %T", h.redis)
	}
}

// firstErr returns the first error that is not redis.Nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

func setErr(results []subResult, ks []int, err error) {
	for _, k := range ks {
		results[k].err = err
	}
}
