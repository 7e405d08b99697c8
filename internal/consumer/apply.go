package consumer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// decodeChunks prepares every item, in order, and sends the pending ones in
// chunks of whole messages of about h.chunk commands; it closes chunks when
// done. Items are not touched here once sent.
func (h *Handler) decodeChunks(items []item, chunks chan<- []int) {
	defer close(chunks)
	var chunk []int
	n := 0
	for i := range items {
		h.prepare(&items[i])
		if items[i].state != statePending {
			continue
		}
		c := len(items[i].msg.Commands)
		if len(chunk) > 0 && n+c > h.chunk {
			chunks <- chunk
			chunk, n = nil, 0
		}
		chunk = append(chunk, i)
		n += c
	}
	if len(chunk) > 0 {
		chunks <- chunk
	}
}

// apply sends the chunks' commands to Redis in pipelines, in order, and
// settles every item it is given: applied, poison (Redis refused a command)
// or failed (transient, or not attempted before the deadline).
func (h *Handler) apply(ctx context.Context, deadline time.Time, items []item, chunks <-chan []int) {
	down, cause := "", "" // why the rest is not attempted
	for chunk := range chunks {
		if down == "" && (ctx.Err() != nil || (!deadline.IsZero() && !h.now().Before(deadline))) {
			down, cause = "not attempted before the invocation's deadline", causeDeadline
		}
		if down != "" {
			for _, i := range chunk {
				items[i].fail(down, cause)
			}
			continue
		}
		if err := h.execChunk(ctx, items, chunk); err != nil && !h.cluster {
			// A standalone Redis that failed a whole chunk with a connection
			// error will fail the next ones too: report them at once rather
			// than wait for each to time out.
			down, cause = "not attempted: Redis unreachable ("+err.Error()+")", err.Error()
		}
	}
}

// sent is one Redis command of a pipeline and its arguments.
type sent struct {
	cmd  *redis.Cmd
	args []any
}

// subResult is the outcome of one Redis write of a wire command.
type subResult struct {
	item, wire int
	n          int64 // ordered mode: registers written (0: stale)
	err        error
}

// OrderedGroupSize is how many ordered writes share one script call: large
// enough to spread the cost of a call, small enough that one call holds the
// server for well under a millisecond.
const OrderedGroupSize = 64

// execChunk runs one pipeline for the items in chunk. It returns the
// connection error that failed every command of the chunk, if one did.
func (h *Handler) execChunk(ctx context.Context, items []item, chunk []int) error {
	var results []subResult
	if h.cfg.Ordered {
		results = h.execOrdered(ctx, items, chunk)
	} else {
		results = h.execPlain(ctx, items, chunk)
	}

	at := h.now()
	var connErr error
	for _, r := range results {
		var re redis.Error
		if r.err == nil || errors.As(r.err, &re) {
			connErr = nil
			break
		}
		connErr = r.err
	}
	for k := 0; k < len(results); {
		// The writes of one wire command are adjacent.
		s := results[k]
		stale := h.cfg.Ordered
		for ; k < len(results) && results[k].item == s.item && results[k].wire == s.wire; k++ {
			r := results[k]
			if r.err == nil {
				if r.n != 0 {
					stale = false
				}
				continue
			}
			stale = false
			if poison, reason := redisPoison(r.err); poison {
				items[s.item].poison(reason, fmt.Sprintf("command %d: %s", s.wire, r.err))
			} else {
				items[s.item].fail(fmt.Sprintf("command %d: %s", s.wire, r.err), r.err.Error())
			}
		}
		if stale {
			items[s.item].stale++
		}
	}
	for _, i := range chunk {
		if items[i].state == statePending {
			items[i].state, items[i].at = stateApplied, at
		}
	}
	return connErr
}

// wireRef names one wire command: items[item].msg.Commands[wire].
type wireRef struct{ item, wire int }

// plainCmd is one Redis command of a plain-mode pipeline and the wire
// commands it carries, refs[from:to].
type plainCmd struct {
	cmd      *redis.Cmd
	from, to int
}

// MaxCoalescedPairs bounds the key-value pairs of one MSET made of
// consecutive plain SETs (see execPlain).
const MaxCoalescedPairs = 256

// coalescible tells the commands that a standalone Redis may apply as part
// of one MSET with their neighbours: SET key value without options, and
// MSET. Applying consecutive ones as one MSET is the same as applying them
// in turn (MSET sets its pairs in order, so a later pair for the same key
// wins), and neither can fail for a reason of its own: a plain SET or MSET
// overwrites any type, and what refuses them (OOM, READONLY, a lost
// connection) refuses the whole MSET alike.
func coalescible(args []string) bool {
	return (args[0] == "SET" && len(args) == 3) || args[0] == "MSET"
}

// execPlain pipelines the chunk's commands. Arguments are passed to
// go-redis as pointers into the decoded commands (*string), which it
// writes without boxing a copy of each one. On a standalone Redis, runs of
// consecutive plain SETs and MSETs go out as one MSET of up to
// MaxCoalescedPairs pairs: per key, Redis then does about half the work of
// a SET (one command to parse, dispatch and answer instead of one per
// key), and go-redis builds and reads one command. In cluster mode each
// key is its own command (keys of one MSET may live on different nodes).
func (h *Handler) execPlain(ctx context.Context, items []item, chunk []int) []subResult {
	pipe := h.redis.Pipeline()
	var refs []wireRef
	var cmds []plainCmd
	var run []any // the MSET being built
	runFrom := 0
	flush := func() {
		if len(run) > 0 {
			cmds = append(cmds, plainCmd{cmd: pipe.Do(ctx, run...), from: runFrom, to: len(refs)})
			run = nil
		}
	}
	for _, i := range chunk {
		for w := range items[i].msg.Commands {
			args := items[i].msg.Commands[w].Args
			ref := len(refs)
			refs = append(refs, wireRef{item: i, wire: w})
			if !h.cluster && coalescible(args) {
				if len(run) > 0 && (len(run)-1)/2+(len(args)-1)/2 > MaxCoalescedPairs {
					flush()
				}
				if len(run) == 0 {
					run = make([]any, 1, 1+2*MaxCoalescedPairs)
					run[0] = "MSET"
					runFrom = ref
				}
				for j := 1; j < len(args); j++ {
					run = append(run, &args[j])
				}
				continue
			}
			flush()
			for _, a := range h.plainCommands(args) {
				cmds = append(cmds, plainCmd{cmd: pipe.Do(ctx, a...), from: ref, to: ref + 1})
			}
		}
	}
	flush()
	sents := make([]sent, len(cmds))
	for k := range cmds {
		sents[k].cmd = cmds[k].cmd
	}
	execPipeline(ctx, pipe, sents)

	// An MSET that Redis refused as if it were the message's fault cannot
	// say which of its SETs it was: send those one by one to find out.
	var again redis.Pipeliner
	for k, n := 0, len(cmds); k < n; k++ {
		c := cmds[k]
		if c.to-c.from < 2 && c.cmd.Args()[0] != "MSET" {
			continue
		}
		if poison, _ := redisPoison(c.cmd.Err()); !poison {
			continue
		}
		if again == nil {
			again = h.redis.Pipeline()
		}
		cmds[k].cmd = nil
		for r := c.from; r < c.to; r++ {
			args := items[refs[r].item].msg.Commands[refs[r].wire].Args
			one := make([]any, len(args))
			for j := range args {
				one[j] = &args[j]
			}
			cmds = append(cmds, plainCmd{cmd: again.Do(ctx, one...), from: r, to: r + 1})
		}
	}
	if again != nil {
		var retried []sent
		for k := range cmds {
			if cmds[k].cmd != nil && cmds[k].cmd.Err() == nil && cmds[k].cmd.Val() == nil {
				retried = append(retried, sent{cmd: cmds[k].cmd})
			}
		}
		execPipeline(ctx, again, retried)
		// Keep the wire order: results of one wire command are adjacent.
		sort.SliceStable(cmds, func(a, b int) bool { return cmds[a].from < cmds[b].from })
	}

	results := make([]subResult, 0, len(refs))
	for _, c := range cmds {
		if c.cmd == nil {
			continue
		}
		err := c.cmd.Err()
		for r := c.from; r < c.to; r++ {
			results = append(results, subResult{item: refs[r].item, wire: refs[r].wire, err: err})
		}
	}
	return results
}

// orderedWrite is one script write and where it comes from.
type orderedWrite struct {
	item, wire int
	ver        string
	call       scriptCall
}

// execOrdered applies the chunk's ordered writes: plain SETs (no PXAT),
// the hot path, through optimistic transactions (ordered_tx.go), and
// every other write, and any SET a transaction hands back, through the
// ordered-mode script in groups (consecutive writes; in cluster mode,
// writes whose keys share a slot), pipelined. The rules make every write's
// effect independent of the order writes are applied in, so the two paths
// need no ordering between them.
func (h *Handler) execOrdered(ctx context.Context, items []item, chunk []int) []subResult {
	var writes []orderedWrite
	for _, i := range chunk {
		for w, c := range items[i].msg.Commands {
			ver := FormatVersion(c.Version)
			for _, call := range orderedCalls(c.Args) {
				writes = append(writes, orderedWrite{item: i, wire: w, ver: ver, call: call})
			}
		}
	}
	results := make([]subResult, len(writes))
	for k, w := range writes {
		results[k] = subResult{item: w.item, wire: w.wire}
	}
	var hot, rest []int
	for k := range writes {
		if writes[k].call.op == opSet {
			hot = append(hot, k)
		} else {
			rest = append(rest, k)
		}
	}
	rest = append(rest, h.execHotSets(ctx, writes, hot, results)...)
	if len(rest) > 0 {
		h.execScript(ctx, writes, rest, results)
	}
	return results
}

// groupWrites splits the writes ks into groups of at most size:
// consecutive ones, or in cluster mode ones whose keys
// share a slot.
func (h *Handler) groupWrites(writes []orderedWrite, ks []int, size int) [][]int {
	var groups [][]int
	if h.cluster {
		open := map[int]int{} // slot → index in groups
		for _, k := range ks {
			slot := KeySlot(writes[k].call.key)
			g, ok := open[slot]
			if !ok || len(groups[g]) == size {
				g = len(groups)
				groups = append(groups, nil)
				open[slot] = g
			}
			groups[g] = append(groups[g], k)
		}
		return groups
	}
	for j := 0; j < len(ks); j += size {
		groups = append(groups, ks[j:min(j+size, len(ks))])
	}
	return groups
}

// execScript applies the writes ks with the ordered-mode script and sets
// their results.
func (h *Handler) execScript(ctx context.Context, writes []orderedWrite, ks []int, results []subResult) {
	groups := h.groupWrites(writes, ks, OrderedGroupSize)
	pipe := h.redis.Pipeline()
	cmds := make([]sent, len(groups))
	for gi, g := range groups {
		args := h.groupArgs(writes, g)
		cmds[gi] = sent{cmd: pipe.Do(ctx, args...), args: args}
	}
	execPipeline(ctx, pipe, cmds)

	// The script is not in this node's cache yet (new node, restart,
	// failover, SCRIPT FLUSH): send those calls again with EVAL, which
	// caches it. Ordered writes commute, so the order does not matter.
	var retry redis.Pipeliner
	for gi := range cmds {
		if isNoScript(cmds[gi].cmd.Err()) {
			if retry == nil {
				retry = h.redis.Pipeline()
			}
			args := append([]any{"eval", orderedScript}, cmds[gi].args[2:]...)
			cmds[gi].cmd = retry.Do(ctx, args...)
		}
	}
	if retry != nil {
		execPipeline(ctx, retry, cmds)
	}

	for gi, g := range groups {
		err := cmds[gi].cmd.Err()
		var vals []any
		if err == nil {
			vals, _ = cmds[gi].cmd.Val().([]any)
			if len(vals) != len(g) {
				err = fmt.Errorf("regis: ordered script returned %d results for %d writes", len(vals), len(g))
			}
		}
		for j, k := range g {
			if err != nil {
				results[k].err = err
				continue
			}
			switch v := vals[j].(type) {
			case int64:
				results[k].n = v
			case string:
				if strings.HasPrefix(v, "!") {
					results[k].err = scriptError(v[1:])
				} else {
					results[k].err = fmt.Errorf("regis: unexpected ordered script result %q", v)
				}
			default:
				results[k].err = fmt.Errorf("regis: unexpected ordered script result %T", v)
			}
		}
	}
}

// scriptError is an error reply of one write inside the ordered script: a
// Redis error like any other for classification.
type scriptError string

func (e scriptError) Error() string { return string(e) }

// RedisError marks it as a server reply (go-redis's redis.Error).
func (scriptError) RedisError() {}

// groupArgs builds EVALSHA sha numkeys, per write K MK [MM], then
// metadata-TTL refresh codes, then per write its version and operands
// (member writes: count first). MM is sent only for the writes that use it
// (usesMemberKey).
func (h *Handler) groupArgs(writes []orderedWrite, g []int) []any {
	n := 6
	for _, k := range g {
		n += 6 + len(writes[k].call.operands)
	}
	args := make([]any, 0, n)
	args = append(args, "evalsha", orderedScriptSHA, 0)
	codes := make([]byte, len(g))
	nkeys := 0
	for j, k := range g {
		c := &writes[k].call
		tag := SlotTag(c.key)
		args = append(args, c.key, metaKey(tag, 'k', c.key))
		nkeys += 2
		if usesMemberKey(c.op) {
			args = append(args, metaKey(tag, 'm', c.key))
			nkeys++
		}
		codes[j] = c.op
	}
	args[2] = nkeys
	args = append(args, h.metaTTL, h.refresh, string(codes))
	for _, k := range g {
		c := &writes[k].call
		args = append(args, writes[k].ver)
		if !isKeyOp(c.op) {
			args = append(args, len(c.operands))
		}
		for _, o := range c.operands {
			args = append(args, o)
		}
	}
	return args
}

// execPipeline runs a pipeline. Every command normally carries its own
// error; when the connection could not even be set up (e.g. AUTH refused),
// go-redis returns the error from Exec only, so commands left without a
// reply get it (none of the commands sent here has a nil reply).
func execPipeline(ctx context.Context, pipe redis.Pipeliner, cmds []sent) {
	_, err := pipe.Exec(ctx)
	if err == nil {
		return
	}
	for k := range cmds {
		if c := cmds[k].cmd; c.Err() == nil && c.Val() == nil {
			c.SetErr(err)
		}
	}
}

// plainCommands returns the Redis commands for a canonical command in plain
// mode: the command itself, or in cluster mode one command per key for the
// multi-key commands (MSET, DEL, UNLINK), whose keys may be in different
// slots.
func (h *Handler) plainCommands(args []string) [][]any {
	if h.cluster {
		switch args[0] {
		case "MSET":
			if len(args) > 3 {
				out := make([][]any, 0, (len(args)-1)/2)
				for i := 1; i+1 < len(args); i += 2 {
					out = append(out, []any{"SET", &args[i], &args[i+1]})
				}
				return out
			}
		case "DEL", "UNLINK":
			if len(args) > 2 {
				out := make([][]any, 0, len(args)-1)
				for j := 1; j < len(args); j++ {
					out = append(out, []any{&args[0], &args[j]})
				}
				return out
			}
		}
	}
	out := make([]any, len(args))
	for i := range args {
		out[i] = &args[i]
	}
	return [][]any{out}
}
