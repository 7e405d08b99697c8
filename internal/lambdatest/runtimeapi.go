// Package lambdatest is a minimal local Lambda Runtime API (the interface a
// provided.al2023 bootstrap speaks through AWS_LAMBDA_RUNTIME_API), to run a
// real bootstrap binary in tests and benchmarks: it hands out queued
// invocations on GET /2018-06-01/runtime/invocation/next and collects
// responses, invocation errors and init errors.
package lambdatest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Invocation is one event handed to the function.
type Invocation struct {
	RequestID string
	Payload   []byte
	// Deadline is sent as Lambda-Runtime-Deadline-Ms (default now + 30s).
	Deadline time.Time
}

// Result is what the function posted for an invocation.
type Result struct {
	RequestID string
	Body      []byte
	// Error is true for POST …/error (ErrorType holds
	// Lambda-Runtime-Function-Error-Type).
	Error     bool
	ErrorType string
}

// RuntimeAPI is a running fake Runtime API.
type RuntimeAPI struct {
	// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
	Addr string
	// Results receives every response or invocation error.
	Results chan Result
	// InitErrors receives the bodies posted to /runtime/init/error.
	InitErrors chan []byte

	invocations chan Invocation
	srv         *http.Server
	ln          net.Listener
	mu          sync.Mutex
	firstNext   time.Time
	nextSeen    chan struct{}
}

const prefix = "/2018-06-01/runtime/"

// Start listens on a loopback port and serves until Close.
func Start() (*RuntimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &RuntimeAPI{
		Addr: ln.Addr().String(), Results: make(chan Result, 64), InitErrors: make(chan []byte, 4),
		invocations: make(chan Invocation, 64), ln: ln, nextSeen: make(chan struct{}),
	}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Close stops the server.
func (r *RuntimeAPI) Close() { _ = r.srv.Close() }

// Invoke queues an invocation.
func (r *RuntimeAPI) Invoke(inv Invocation) {
	if inv.Deadline.IsZero() {
		inv.Deadline = time.Now().Add(30 * time.Second)
	}
	r.invocations <- inv
}

// WaitFirstNext waits for the first GET …/invocation/next and returns when
// it arrived.
func (r *RuntimeAPI) WaitFirstNext(ctx context.Context) (time.Time, error) {
	select {
	case <-r.nextSeen:
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.firstNext, nil
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

func (r *RuntimeAPI) serve(w http.ResponseWriter, req *http.Request) {
	path := strings.TrimPrefix(req.URL.Path, prefix)
	switch {
	case req.Method == http.MethodGet && path == "invocation/next":
		r.mu.Lock()
		if r.firstNext.IsZero() {
			r.firstNext = time.Now()
			close(r.nextSeen)
		}
		r.mu.Unlock()
		select {
		case inv := <-r.invocations:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:regis-consumer")
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(inv.Payload)
		case <-req.Context().Done():
		}
	case req.Method == http.MethodPost && path == "init/error":
		b, _ := io.ReadAll(req.Body)
		r.InitErrors <- b
		w.WriteHeader(http.StatusAccepted)
	case req.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, ok := strings.Cut(rest, "/")
		if !ok || (kind != "response" && kind != "error") {
			http.NotFound(w, req)
			return
		}
		b, _ := io.ReadAll(req.Body)
		r.Results <- Result{RequestID: id, Body: b, Error: kind == "error", ErrorType: req.Header.Get("Lambda-Runtime-Function-Error-Type")}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, req)
	}
}

// ErrTimeout is returned by Wait helpers that time out.
var ErrTimeout = errors.New("lambdatest: timed out")
