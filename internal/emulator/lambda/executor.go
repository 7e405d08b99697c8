package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// executor runs one function version: a pool of sandboxes (processes).
type executor struct {
	s       *Service
	region  string
	name    string
	arn     string // the invoked function ARN (qualified for versions)
	v       *version
	logs    *logBuffer
	started time.Time

	mu      sync.Mutex
	idle    []*sandbox
	boxes   map[*sandbox]bool
	retired bool
	failLog *logStream // the log stream of invocations whose process could not start
	wg      sync.WaitGroup
}

func (s *Service) newExecutor(f *function, v *version) *executor {
	arn := f.arn
	if v.name != latest {
		arn += ":" + v.name
	}
	return &executor{s: s, region: f.region, name: f.name, arn: arn, v: v, logs: f.logs, boxes: map[*sandbox]bool{}, started: time.Now()}
}

// retire stops the executor: idle processes die now, busy ones when their
// invocation ends.
func (e *executor) retire() {
	e.mu.Lock()
	e.retired = true
	idle := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, sb := range idle {
		sb.kill()
	}
}

// killAll kills every process of the executor, busy or idle.
func (e *executor) killAll() {
	e.mu.Lock()
	boxes := make([]*sandbox, 0, len(e.boxes))
	for sb := range e.boxes {
		boxes = append(boxes, sb)
	}
	e.mu.Unlock()
	for _, sb := range boxes {
		sb.kill()
	}
}

// finished reports whether a retired executor has no process left.
func (e *executor) finished() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.retired && len(e.boxes) == 0
}

// wait waits until every process of the executor has exited.
func (e *executor) wait() { e.wg.Wait() }

// acquire returns an idle sandbox, or starts one (cold reports a new one;
// fresh forces one).
func (e *executor) acquire(ctx context.Context, timeout time.Duration, fresh bool) (sb *sandbox, cold bool, res *invResult) {
	e.mu.Lock()
	for len(e.idle) > 0 && !fresh {
		sb = e.idle[len(e.idle)-1]
		e.idle = e.idle[:len(e.idle)-1]
		if sb.usable(timeout) {
			e.mu.Unlock()
			return sb, false, nil
		}
		go sb.kill()
	}
	if e.retired {
		e.mu.Unlock()
		return nil, false, &invResult{functionError: "Unhandled", errorType: "ServiceException", payload: errorPayload("ServiceException", "the function is being deleted")}
	}
	e.mu.Unlock()
	sb, msg := e.start(ctx)
	if sb == nil {
		return nil, false, &invResult{functionError: "Unhandled", errorType: "Runtime.InvalidEntrypoint", payload: errorPayload("Runtime.InvalidEntrypoint", msg)}
	}
	return sb, true, nil
}

// release returns a sandbox to the pool (or kills it when it is done for).
func (e *executor) release(sb *sandbox) {
	e.mu.Lock()
	if e.retired || !sb.alive() {
		e.mu.Unlock()
		sb.kill()
		return
	}
	e.idle = append(e.idle, sb)
	e.mu.Unlock()
}

// invoke runs one invocation on a sandbox of this executor.
func (e *executor) invoke(ctx context.Context, inv *invocation) invResult {
	timeout := time.Duration(e.v.cfg.timeout) * time.Second
	// A warm process that exited before taking the invocation (it crashed
	// after its last response) is replaced, as AWS starts a new environment;
	// a fresh process is always used by the last attempt.
	for attempt := 0; ; attempt++ {
		sb, cold, res := e.acquire(ctx, timeout, attempt == 2)
		if res != nil {
			return e.startFailure(inv, *res)
		}
		out, undelivered := sb.run(ctx, inv, cold, timeout)
		e.release(sb)
		if !undelivered {
			out.version = e.v.name
			return out
		}
	}
}

// startFailure reports an invocation whose process could not start, with
// the lines Lambda logs for it: an environment whose runtime fails its init
// (INIT_REPORT … Status: error), then the invocation's START, error, END and
// REPORT.
func (e *executor) startFailure(inv *invocation, res invResult) invResult {
	res.version = e.v.name
	msg := "RequestId: " + inv.id + " Error: " + string(res.payload)
	var p struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(res.payload, &p) == nil {
		msg = "RequestId: " + inv.id + " Error: " + p.ErrorMessage
	}
	res.payload = errorPayload(res.errorType, msg)
	e.mu.Lock()
	if e.failLog == nil {
		e.failLog = e.newLogStream()
	}
	ls := e.failLog
	e.mu.Unlock()
	if res.errorType != "ServiceException" {
		e.platformLog(ls, inv, e.initStartLine())
		e.platformLog(ls, inv, "INIT_REPORT Init Duration: 0.00 ms\tPhase: init\tStatus: error\tError Type: "+res.errorType)
	}
	e.platformLog(ls, inv, "START RequestId: "+inv.id+" Version: "+e.v.name)
	e.platformLog(ls, inv, msg+"\n"+res.errorType)
	e.platformLog(ls, inv, "END RequestId: "+inv.id)
	e.platformLog(ls, inv, fmt.Sprintf("REPORT RequestId: %s\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: %d MB\tMax Memory Used: 0 MB\tStatus: error\tError Type: %s", inv.id, e.v.cfg.memory, res.errorType))
	res.logs = inv.tail()
	return res
}

// initStartLine is the INIT_START line of a new execution environment.
func (e *executor) initStartLine() string {
	r := e.v.cfg.runtime
	return "INIT_START Runtime Version: " + r + "\tRuntime Version ARN: arn:aws:lambda:" + e.region + "::runtime:" + runtimeVersionID(r)
}

// platformLog records one of Lambda's own log lines (it may span several
// lines): in the function's line buffer, the invocation's tail and, as one
// event, the environment's CloudWatch Logs stream.
func (e *executor) platformLog(ls *logStream, inv *invocation, line string) {
	for _, l := range strings.Split(line, "\n") {
		e.logs.add(l)
		if inv != nil {
			inv.log(l)
		}
	}
	ls.ship([]core.LogEvent{{Time: e.s.env.Clock.Now(), Message: line}})
}
