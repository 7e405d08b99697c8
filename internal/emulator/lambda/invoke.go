package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

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

func (s *Service) invokeAPI(req *core.Request, w http.ResponseWriter, p []string) (int, any, *core.APIError) {
	ref, err := resolve(req, p[0])
	if err != nil {
		return 0, nil, err
	}
	typ := req.HTTP.Header.Get("X-Amz-Invocation-Type")
	if typ == "" {
		typ = "RequestResponse"
	}
	if typ != "RequestResponse" && typ != "Event" && typ != "DryRun" {
		return 0, nil, errValidation(typ, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	logType := req.HTTP.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		return 0, nil, errValidation(logType, "logType", "Member must satisfy enum value set: [None, Tail]")
	}
	limit := int64(maxSyncPayload)
	if typ == "Event" {
		limit = maxAsyncPayload
	}
	payload, rerr := io.ReadAll(io.LimitReader(req.HTTP.Body, limit+1))
	if rerr != nil {
		return 0, nil, errInvalidRequestContent("Could not read the request body: %v", rerr)
	}
	if int64(len(payload)) > limit {
		op := "Invoke"
		if typ == "Event" {
			op = "InvokeAsync"
		}
		return 0, nil, core.StatusErrorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the %s operation", limit, op)
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return 0, nil, errInvalidRequestContent("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	clientContext := req.HTTP.Header.Get("X-Amz-Client-Context")
	if clientContext != "" {
		raw, derr := base64.StdEncoding.DecodeString(clientContext)
		if derr != nil || !json.Valid(raw) {
			return 0, nil, errInvalidRequestContent("Client context must be a valid Base64-encoded JSON object.")
		}
		if len(clientContext) > 3583 {
			return 0, nil, errInvalidParameter("Client context must be smaller than 3583 bytes.")
		}
		clientContext = string(raw)
	}

	switch typ {
	case "DryRun":
		s.mu.Lock()
		_, _, lerr := s.lookupLocked(req, ref)
		s.mu.Unlock()
		if lerr != nil {
			return 0, nil, lerr
		}
		w.Header().Set("x-amzn-RequestId", req.ID)
		w.WriteHeader(http.StatusNoContent)
		return 0, nil, nil
	case "Event":
		s.mu.Lock()
		_, v, lerr := s.lookupLocked(req, ref)
		pending := lerr == nil && s.env.Clock.Now().Before(v.readyAt) && !v.update
		s.mu.Unlock()
		if lerr != nil {
			return 0, nil, lerr
		}
		if pending {
			return 0, nil, errConflict("The operation cannot be performed at this time. The function is currently in the following state: Pending")
		}
		s.invokeAsync(req.Region, req.AccountID, ref, payload, clientContext)
		w.Header().Set("x-amzn-RequestId", req.ID)
		w.WriteHeader(http.StatusAccepted)
		return 0, nil, nil
	}

	res, ierr := s.invoke(req.HTTP.Context(), req.Region, req.AccountID, ref, payload, clientContext)
	if ierr != nil {
		return 0, nil, ierr
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-amzn-RequestId", req.ID)
	h.Set("X-Amz-Executed-Version", res.version)
	if res.functionError != "" {
		h.Set("X-Amz-Function-Error", res.functionError)
	}
	if logType == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(res.logs)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.payload)
	return 0, nil, nil
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

// ------------------------------------------------------------ test hooks

// FunctionLogs returns what a function wrote to stdout and stderr, one entry
// per line, with Lambda's platform lines (START, END, REPORT, timeouts and
// runtime errors), oldest first (the last 20,000 lines are kept).
func (s *Service) FunctionLogs(region, name string) []string {
	s.mu.Lock()
	f := s.functions[functionKey(region, name)]
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.logs.snapshot()
}

// AdminHandler implements core.AdminService, under /_emulator/lambda/:
//
//	GET /logs?region=R&function=NAME       a function's log lines (text/plain)
//	GET /mappings/UUID/stats               an event source mapping's counters (JSON)
//	GET /code/REGION/NAME/SHA256HEX.zip    a deployment package (GetFunction's Code.Location)
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, r *http.Request) {
		lines := s.FunctionLogs(r.URL.Query().Get("region"), r.URL.Query().Get("function"))
		if lines == nil {
			http.Error(w, "no such function", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, l := range lines {
			_, _ = io.WriteString(w, l+"\n")
		}
	})
	mux.HandleFunc("GET /mappings/{uuid}/stats", func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.MappingStats(r.PathValue("uuid"))
		if !ok {
			http.Error(w, "no such event source mapping", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /code/{region}/{name}/{file}", func(w http.ResponseWriter, r *http.Request) {
		sha := strings.TrimSuffix(r.PathValue("file"), ".zip")
		s.mu.Lock()
		var code *codePackage
		if f := s.functions[functionKey(r.PathValue("region"), r.PathValue("name"))]; f != nil {
			for _, v := range append([]*version{f.cur, f.prev}, versionsOf(f)...) {
				if v != nil && v.code.hexSHA == sha {
					code = v.code
				}
			}
		}
		s.mu.Unlock()
		if code == nil {
			http.Error(w, "no such code", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write(code.zip)
	})
	return mux
}

func versionsOf(f *function) []*version {
	out := make([]*version, 0, len(f.versions))
	for _, v := range f.versions {
		out = append(out, v)
	}
	return out
}

// pruneExecutorsLocked forgets retired executors whose processes are gone.
func (s *Service) pruneExecutorsLocked() {
	for e := range s.executors {
		if e.finished() {
			delete(s.executors, e)
		}
	}
}
