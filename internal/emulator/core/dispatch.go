package core

import (
	"net/http"
)

// The one dispatch path of the emulated services:
//
//	parse (the request's wire encoding: operation and input)
//	→ Request.Begin (call log, injected faults)
//	→ authorize (IAM, for services that check callers)
//	→ handler (one implementation of the operation, whatever the wire)
//	→ encode (the result or error in the request's own wire encoding).
//
// A service that AWS serves in several encodings (SQS: the query protocol
// and JSON 1.0) lists one Wire for each; its handlers never see which one a
// request came in.

// Input is an operation's input as a request carries it.
type Input interface {
	// Decode fills v, a pointer to a struct whose json tags name the
	// operation's members (and whose query tags give the query protocol's
	// names where they differ; see DecodeForm).
	Decode(v any) *APIError
	// Param returns a top-level string member ("QueueUrl"), "" when absent.
	// It reads the input without consuming it.
	Param(name string) string
}

// Wire is one wire encoding of a service's API.
type Wire interface {
	Protocol
	// Accepts reports whether r is in this encoding.
	Accepts(r *http.Request) bool
	// Parse reads the operation's name and its input.
	Parse(r *http.Request) (op string, in Input, err *APIError)
	// WriteResult encodes an operation's output (nil: an empty result).
	WriteResult(w http.ResponseWriter, req *Request, op string, out any)
	// UnknownOperation is the error for an operation the service lacks.
	UnknownOperation(op string) *APIError
}

// Handler is one operation. It reads its input with Request.Decode.
type Handler func(req *Request) (any, *APIError)

// API is a service's operations and the wire encodings they are served in.
// It implements Protocol (errors in the request's own encoding) and
// serves requests along the one dispatch path (Serve).
type API struct {
	// Wires in order: the first that accepts a request serves it; the
	// first one also answers requests that none accepts.
	Wires []Wire
	// Handlers by operation name.
	Handlers map[string]Handler
	// Authorize, when set, checks the caller's permission for op once the
	// call is recorded and before the handler runs.
	Authorize func(req *Request, op string) *APIError
}

var _ Protocol = (*API)(nil)

// WireOf returns the wire encoding a request is in.
func (a *API) WireOf(r *http.Request) Wire {
	for _, w := range a.Wires {
		if w.Accepts(r) {
			return w
		}
	}
	return a.Wires[0]
}

// WriteError implements Protocol: the error in the request's own encoding.
func (a *API) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	a.WireOf(req.HTTP).WriteError(w, req, e)
}

// ThrottleCode implements Protocol with the first wire's code.
func (a *API) ThrottleCode() string { return a.Wires[0].ThrottleCode() }

// Serve handles one call: parse → Begin → authorize → handler → encode.
func (a *API) Serve(w http.ResponseWriter, req *Request) {
	wire := a.WireOf(req.HTTP)
	op, in, err := wire.Parse(req.HTTP)
	if err != nil {
		wire.WriteError(w, req, err)
		return
	}
	req.input = in
	h, ok := a.Handlers[op]
	if !ok {
		wire.WriteError(w, req, wire.UnknownOperation(op))
		return
	}
	if err := req.Begin(op); err != nil {
		wire.WriteError(w, req, err)
		return
	}
	if a.Authorize != nil {
		if err := a.Authorize(req, op); err != nil {
			wire.WriteError(w, req, err)
			return
		}
	}
	out, err := h(req)
	if err != nil {
		wire.WriteError(w, req, err)
		return
	}
	wire.WriteResult(w, req, op, out)
}

// Decode fills v with the call's input (see Input.Decode). A request not
// served through API.Serve has no input: v is left as it is.
func (r *Request) Decode(v any) *APIError {
	if r.input == nil {
		return nil
	}
	return r.input.Decode(v)
}

// Param returns a top-level string member of the call's input.
func (r *Request) Param(name string) string {
	if r.input == nil {
		return ""
	}
	return r.input.Param(name)
}
