package consumer

import (
	"context"
	"errors"
	"fmt"
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

// sent is one Redis command of a pipeline and the wire command it is (part
// of).
type sent struct {
	item, wire int
	cmd        *redis.Cmd
	args       []any
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

func (h *Handler) execPlain(ctx context.Context, items []item, chunk []int) []subResult {
	pipe := h.redis.Pipeline()
	var cmds []sent
	for _, i := range chunk {
		for w, c := range items[i].msg.Commands {
			for _, args := range h.plainCommands(c.Args) {
				cmds = append(cmds, sent{item: i, wire: w, cmd: pipe.Do(ctx, args...)})
			}
		}
	}
	execPipeline(ctx, pipe, cmds)
	results := make([]subResult, len(cmds))
	for k, c := range cmds {
		results[k] = subResult{item: c.item, wire: c.wire, err: c.cmd.Err()}
	}
	return results
}

// orderedWrite is one script write and where it comes from.
type orderedWrite struct {
	item, wire int
	ver        string
	call       scriptCall
}

// execOrdered groups the chunk's writes into script calls (consecutive
// writes; in cluster mode, writes whose keys share a slot) and pipelines
// the calls.
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
	var groups [][]int
	if h.cluster {
		open := map[int]int{} // slot → index in groups
		for k := range writes {
			slot := KeySlot(writes[k].call.key)
			g, ok := open[slot]
			if !ok || len(groups[g]) == OrderedGroupSize {
				g = len(groups)
				groups = append(groups, nil)
				open[slot] = g
			}
			groups[g] = append(groups[g], k)
		}
	} else {
		for k := 0; k < len(writes); k += OrderedGroupSize {
			g := make([]int, 0, min(OrderedGroupSize, len(writes)-k))
			for j := k; j < len(writes) && j < k+OrderedGroupSize; j++ {
				g = append(g, j)
			}
			groups = append(groups, g)
		}
	}
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

	results := make([]subResult, len(writes))
	for k, w := range writes {
		results[k] = subResult{item: w.item, wire: w.wire}
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
	return results
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
					out = append(out, []any{"SET", args[i], args[i+1]})
				}
				return out
			}
		case "DEL", "UNLINK":
			if len(args) > 2 {
				out := make([][]any, 0, len(args)-1)
				for _, k := range args[1:] {
					out = append(out, []any{args[0], k})
				}
				return out
			}
		}
	}
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return [][]any{out}
}
