package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// invocation is one request handed to a function process.
type invocation struct {
	id            string
	payload       []byte
	clientContext string
	traceID       string
	deadline      time.Time

	done    chan struct{}
	once    sync.Once
	resp    []byte
	failed  bool   // the runtime posted an error
	errType string // Lambda-Runtime-Function-Error-Type

	logMu sync.Mutex
	logs  bytes.Buffer
}

func newInvocation(payload []byte, clientContext string) *invocation {
	id := core.NewRequestID()
	return &invocation{
		id: id, payload: payload, clientContext: clientContext,
		traceID: fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), core.RandomHex(12), core.RandomHex(8)),
		done:    make(chan struct{}),
	}
}

func (inv *invocation) complete(resp []byte, failed bool, errType string) bool {
	ok := false
	inv.once.Do(func() {
		inv.resp, inv.failed, inv.errType = resp, failed, errType
		close(inv.done)
		ok = true
	})
	return ok
}

func (inv *invocation) log(line string) {
	inv.logMu.Lock()
	inv.logs.WriteString(line)
	inv.logs.WriteByte('\n')
	inv.logMu.Unlock()
}

func (inv *invocation) tail() string {
	inv.logMu.Lock()
	defer inv.logMu.Unlock()
	b := inv.logs.Bytes()
	if len(b) > logTailBytes {
		b = b[len(b)-logTailBytes:]
	}
	return string(b)
}

// invResult is the outcome of an invocation.
type invResult struct {
	payload []byte
	// functionError is "Unhandled" when the function failed, timed out or crashed.
	functionError string
	// errorType is the error's type (Sandbox.Timedout, Runtime.ExitError, the
	// function's own), for logs and counters.
	errorType string
	logs      string
	version   string
	// duration is how long the invocation ran (the Duration metric).
	duration time.Duration
}

func errorPayload(errType, message string) []byte {
	out, _ := json.Marshal(map[string]string{"errorType": errType, "errorMessage": message})
	return out
}

// Invoke payload limits.
const (
	maxSyncPayload  = 6 << 20
	maxAsyncPayload = 1 << 20
	asyncRetries    = 2
)

// invokeTarget resolves what an invocation runs and counts it against the
// function's concurrency. The returned release must be called when it ends.
func (s *Service) invokeTarget(region, account string, ref functionRef) (*executor, func(), *core.APIError) {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, core.StatusErrorf(http.StatusServiceUnavailable, "ServiceException", "The emulator is shutting down.")
	}
	f := s.functions[functionKey(region, ref.name)]
	arn := s.functionARN(region, account, ref.name)
	if f == nil {
		return nil, nil, errNotFound(arn)
	}
	var v *version
	key := "latest"
	if ref.qualifier == "" || ref.qualifier == latest {
		v = f.serving(now)
	} else {
		v = f.versions[ref.qualifier]
		key = "v:" + ref.qualifier
		if v == nil {
			return nil, nil, errNotFound(arn + ":" + ref.qualifier)
		}
	}
	if now.Before(v.readyAt) && !v.update {
		return nil, nil, errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
	}
	limit := accountConcurrency
	if f.reserved != nil {
		limit = *f.reserved
	}
	if f.inflight >= limit {
		return nil, nil, core.StatusErrorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	}
	e := f.execs[key]
	if e == nil || e.v != v {
		if e != nil {
			go e.retire()
		}
		e = s.newExecutor(f, v)
		f.execs[key] = e
		s.pruneExecutorsLocked()
		s.executors[e] = true
	}
	f.inflight++
	s.wg.Add(1)
	release := func() {
		s.mu.Lock()
		f.inflight--
		s.mu.Unlock()
		s.wg.Done()
	}
	return e, release, nil
}

// invoke runs a synchronous invocation.
func (s *Service) invoke(ctx context.Context, region, account string, ref functionRef, payload []byte, clientContext string) (invResult, *core.APIError) {
	e, release, err := s.invokeTarget(region, account, ref)
	if err != nil {
		if err.Code == "TooManyRequestsException" {
			s.countThrottle(region, ref)
		}
		return invResult{}, err
	}
	defer release()
	res := e.invoke(ctx, newInvocation(payload, clientContext))
	s.countInvocation(region, ref, res)
	return res, nil
}

func (s *Service) invokeAPI(req *core.Request) (any, *core.APIError) {
	ref, err := resolve(req, req.Param("FunctionName"))
	if err != nil {
		return nil, err
	}
	typ := req.HTTP.Header.Get("X-Amz-Invocation-Type")
	if typ == "" {
		typ = "RequestResponse"
	}
	if typ != "RequestResponse" && typ != "Event" && typ != "DryRun" {
		return nil, errValidation(typ, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	logType := req.HTTP.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		return nil, errValidation(logType, "logType", "Member must satisfy enum value set: [None, Tail]")
	}
	payload := req.Body()
	if typ == "Event" && len(payload) > maxAsyncPayload {
		return nil, errTooLarge(maxAsyncPayload, "InvokeAsync")
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return nil, errInvalidRequestContent("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	clientContext := req.HTTP.Header.Get("X-Amz-Client-Context")
	if clientContext != "" {
		raw, derr := base64.StdEncoding.DecodeString(clientContext)
		if derr != nil || !json.Valid(raw) {
			return nil, errInvalidRequestContent("Client context must be a valid Base64-encoded JSON object.")
		}
		if len(clientContext) > 3583 {
			return nil, errInvalidParameter("Client context must be smaller than 3583 bytes.")
		}
		clientContext = string(raw)
	}

	switch typ {
	case "DryRun":
		s.mu.Lock()
		_, _, lerr := s.lookupLocked(req, ref)
		s.mu.Unlock()
		if lerr != nil {
			return nil, lerr
		}
		return &core.Reply{Status: http.StatusNoContent}, nil
	case "Event":
		s.mu.Lock()
		_, v, lerr := s.lookupLocked(req, ref)
		pending := lerr == nil && s.env.Clock.Now().Before(v.readyAt) && !v.update
		s.mu.Unlock()
		if lerr != nil {
			return nil, lerr
		}
		if pending {
			return nil, errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
		}
		s.invokeAsync(req.Region, req.AccountID, ref, payload, clientContext)
		return &core.Reply{Status: http.StatusAccepted}, nil
	}

	res, ierr := s.invoke(req.HTTP.Context(), req.Region, req.AccountID, ref, payload, clientContext)
	if ierr != nil {
		return nil, ierr
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", res.version)
	if res.functionError != "" {
		h.Set("X-Amz-Function-Error", res.functionError)
	}
	if logType == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(res.logs)))
	}
	payload = res.payload
	if payload == nil {
		payload = []byte{}
	}
	return &core.Reply{Header: h, Raw: payload}, nil
}

// invokeAsync queues an Event invocation: it runs in the background and is
// retried twice on errors (after one, then two minutes of emulator time).
func (s *Service) invokeAsync(region, account string, ref functionRef, payload []byte, clientContext string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		for attempt := 0; attempt <= asyncRetries; attempt++ {
			if attempt > 0 && !s.env.Clock.Sleep(s.ctx, time.Duration(attempt)*time.Minute) {
				return
			}
			res, err := s.invoke(s.ctx, region, account, ref, payload, clientContext)
			if err == nil && res.functionError == "" {
				return
			}
			if err != nil && err.Code == "ResourceNotFoundException" {
				return
			}
		}
	}()
}
