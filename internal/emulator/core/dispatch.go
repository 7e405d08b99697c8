package core

import (
	"net/http"
)

// The one dispatch path of the emulated services:
//
//	parse (the request's wire encoding: operation and input, the body read whole)
//	→ Request.Begin (call log, injected faults)
//	→ authorize (IAM, for services that check callers)
//	→ handler (one implementation of the operation, whatever the wire)
//	→ encode (the result or error in the request's own wire encoding).
//
// A service declares its operations once (API.Handlers, by operation name)
// and the wires AWS serves them in: JSONWire (awsJson1_0/1_1, X-Amz-Target),
// QueryWire (form in, XML out), CBORWire (Smithy RPC v2 CBOR), and the REST
// wires RESTJSONWire and RESTXMLWire, which find the operation from the
// method and path (Route). A service that AWS serves in several encodings
// (SQS: query and JSON 1.0; CloudWatch: CBOR, JSON 1.0 and query) lists one
// Wire for each; its handlers never see which one a request came in.

// Input is an operation's input as a request carries it.
type Input interface {
	// Decode fills v, a pointer to a struct whose json tags name the
	// operation's members (and whose query tags give the query protocol's
	// names where they differ; see DecodeForm).
	Decode(v any) *APIError
	// Param returns a top-level string member ("QueueUrl", or a REST path
	// label such as "FunctionName"), "" when absent. It reads the input
	// without consuming it.
	Param(name string) string
}

// Protocol encodes errors in the wire format of one AWS protocol.
type Protocol interface {
	WriteError(w http.ResponseWriter, req *Request, err *APIError)
	// Throttling is this protocol's error for a caller over its request
	// rate (code, HTTP status), which the SDK retryers retry.
	Throttling(message string) *APIError
}

// Wire is one wire encoding of a service's API.
type Wire interface {
	Protocol
	// Accepts reports whether r is in this encoding.
	Accepts(r *http.Request) bool
	// Parse reads the operation's name and its input, the body whole.
	Parse(r *http.Request) (op string, in Input, err *APIError)
	// WriteResult encodes an operation's output (nil: an empty result; a
	// *Reply for REST outputs with their own status, headers or payload).
	WriteResult(w http.ResponseWriter, req *Request, op string, out any)
	// UnknownOperation is the error for an operation the service lacks.
	UnknownOperation(op string) *APIError
}

// Recognizer is implemented by wires whose requests name their service
// without a signature (an X-Amz-Target prefix, a REST path, an RPC v2 path,
// a query API version), so that the emulator answers unsigned requests in
// the right protocol.
type Recognizer interface {
	Recognizes(r *http.Request) bool
}

// Handler is one operation. It reads its input with Request.Decode (and
// Request.Param, Request.Body for REST bindings).
type Handler func(req *Request) (any, *APIError)

// Reply is a REST operation's output when it has more than a body: a
// status other than its route's, response headers, or a payload sent as it
// is (Lambda's Invoke). A Reply without Body or Raw has no body.
type Reply struct {
	Status int
	Header http.Header
	// Body is encoded by the wire (JSON, XML).
	Body any
	// Raw is written as it is; Header gives its Content-Type.
	Raw []byte
}

// API is a service's operations and the wire encodings they are served in.
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

// Bind returns a service's handlers: ops are its operations by name, as
// method expressions ((*Service).createQueue) bound here to s.
func Bind[S any](s S, ops map[string]func(S, *Request) (any, *APIError)) map[string]Handler {
	out := make(map[string]Handler, len(ops))
	for op, h := range ops {
		out[op] = func(req *Request) (any, *APIError) { return h(s, req) }
	}
	return out
}

// WireOf returns the wire encoding a request is in.
func (a *API) WireOf(r *http.Request) Wire {
	for _, w := range a.Wires {
		if w.Accepts(r) {
			return w
		}
	}
	return a.Wires[0]
}

// Recognizes reports whether an unsigned request names this service (see
// Recognizer).
func (a *API) Recognizes(r *http.Request) bool {
	for _, w := range a.Wires {
		if rc, ok := w.(Recognizer); ok && rc.Recognizes(r) {
			return true
		}
	}
	return false
}

// WriteError answers a request with an error in its own encoding, once its
// body is read (the emulator's answers to requests refused before
// dispatch: bad credentials, unknown regions).
func (a *API) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	DrainBody(req.HTTP)
	a.WireOf(req.HTTP).WriteError(w, req, e)
}

// Serve handles one call: parse → Begin → authorize → handler → encode.
func (a *API) Serve(w http.ResponseWriter, req *Request) {
	wire := a.WireOf(req.HTTP)
	req.wire = wire
	op, in, err := wire.Parse(req.HTTP)
	// Whatever Parse left of the body (on errors, or bodies it does not
	// read) is read before anything is written.
	DrainBody(req.HTTP)
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

// Body returns the raw request body of a REST call (a payload member such
// as Lambda's Invoke payload), nil for other wires.
func (r *Request) Body() []byte {
	if b, ok := r.input.(interface{ Body() []byte }); ok {
		return b.Body()
	}
	return nil
}

// Throttling returns the error the call's own protocol answers to a caller
// over its request rate (an injected throttling fault).
func (r *Request) Throttling(message string) *APIError {
	if r.wire != nil {
		return r.wire.Throttling(message)
	}
	return &APIError{Code: "Throttling", Message: message}
}
