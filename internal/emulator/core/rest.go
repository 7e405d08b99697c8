package core

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
)

// The REST protocols (restJson1: Lambda; restXml: Route 53) name the
// operation by the method and path of the request, as the service's model
// binds them (Smithy's http trait). A service lists its Routes; path labels
// are the input's top-level members (Request.Param), the body its payload
// (Request.Decode, Request.Body), the query string stays in Request.HTTP.

// Route binds an HTTP method and a path pattern to an operation.
type Route struct {
	Method string
	// Path is the pattern: literal segments, {Name} for a label matching one
	// segment, {Name+} for one matching the rest of the path. Empty
	// segments (doubled or trailing slashes) are ignored.
	Path string
	Op   string
	// Status is the HTTP status of a success (200 when zero).
	Status int
	// MaxBody bounds the request body (MaxRequestBody when zero).
	MaxBody int64
}

// match returns the labels of a path the route's pattern matches.
func (rt Route) match(segs []string) (map[string]string, bool) {
	pat := splitPath(rt.Path)
	labels := map[string]string{}
	for i, p := range pat {
		name, isLabel := strings.CutPrefix(p, "{")
		if !isLabel {
			if i >= len(segs) || segs[i] != p {
				return nil, false
			}
			continue
		}
		name = strings.TrimSuffix(name, "}")
		if greedy, ok := strings.CutSuffix(name, "+"); ok {
			if i >= len(segs) {
				return nil, false
			}
			labels[greedy] = strings.Join(segs[i:], "/")
			return labels, true
		}
		if i >= len(segs) {
			return nil, false
		}
		labels[name] = segs[i]
	}
	return labels, len(segs) == len(pat)
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// restRoutes finds the route of a request.
type restRoutes []Route

func (rs restRoutes) find(r *http.Request) (Route, map[string]string, bool) {
	segs := splitPath(r.URL.Path)
	for _, rt := range rs {
		if rt.Method != r.Method {
			continue
		}
		if labels, ok := rt.match(segs); ok {
			return rt, labels, true
		}
	}
	return Route{}, nil, false
}

// any reports whether some route matches the path, whatever the method.
func (rs restRoutes) any(r *http.Request) bool {
	segs := splitPath(r.URL.Path)
	for _, rt := range rs {
		if _, ok := rt.match(segs); ok {
			return true
		}
	}
	return false
}

// REST is what the REST wires share: the routes and how a body that is too
// large or not well-formed is answered.
type REST struct {
	Routes []Route
	// TooLarge is the error for a body over the route's MaxBody (413
	// RequestEntityTooLarge when nil).
	TooLarge func(r *http.Request, rt Route, limit int64) *APIError
	// BadBody is the error for a body the wire cannot decode
	// (SerializationException when nil).
	BadBody func(err error) *APIError
}

// Accepts implements Wire: a route matches the method and path.
func (p REST) Accepts(r *http.Request) bool {
	_, _, ok := restRoutes(p.Routes).find(r)
	return ok
}

// Recognizes implements Recognizer: a route matches the path.
func (p REST) Recognizes(r *http.Request) bool { return restRoutes(p.Routes).any(r) }

// UnknownOperation implements Wire.
func (p REST) UnknownOperation(op string) *APIError {
	return StatusErrorf(http.StatusNotFound, "UnknownOperationException", "The emulator does not implement the operation %s.", op)
}

func (p REST) parse(r *http.Request, unmarshal func([]byte, any) error) (string, Input, *APIError) {
	rt, labels, ok := restRoutes(p.Routes).find(r)
	if !ok {
		return "", nil, StatusErrorf(http.StatusNotFound, "UnknownOperationException", "The emulator does not implement %s %s.", r.Method, r.URL.Path)
	}
	limit := rt.MaxBody
	if limit == 0 {
		limit = MaxRequestBody
	}
	body, err := ReadBody(r, limit)
	if errors.Is(err, ErrBodyTooLarge) {
		if p.TooLarge != nil {
			return "", nil, p.TooLarge(r, rt, limit)
		}
		return "", nil, StatusErrorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body too large")
	}
	if err != nil {
		return "", nil, p.badBody(err)
	}
	return rt.Op, &restInput{route: rt, labels: labels, body: body, unmarshal: unmarshal, bad: p.badBody}, nil
}

func (p REST) badBody(err error) *APIError {
	if p.BadBody != nil {
		return p.BadBody(err)
	}
	return Errorf("SerializationException", "could not decode the request body: %v", err)
}

type restInput struct {
	route     Route
	labels    map[string]string
	body      []byte
	unmarshal func([]byte, any) error
	bad       func(error) *APIError
}

func (in *restInput) Decode(v any) *APIError {
	if trimmedEmpty(in.body) {
		return nil
	}
	if err := in.unmarshal(in.body, v); err != nil {
		return in.bad(err)
	}
	return nil
}

func (in *restInput) Param(name string) string { return in.labels[name] }

func (in *restInput) Body() []byte { return in.body }

// reply is what a REST wire writes for an operation's output.
type reply struct {
	status   int
	header   http.Header
	body     any
	raw      []byte
	explicit bool // a *Reply: no body when it has neither Body nor Raw
}

func replyOf(req *Request, out any) reply {
	rp := reply{status: http.StatusOK, body: out}
	if in, ok := req.input.(*restInput); ok && in.route.Status != 0 {
		rp.status = in.route.Status
	}
	if r, ok := out.(*Reply); ok {
		if r.Status != 0 {
			rp.status = r.Status
		}
		rp.header, rp.body, rp.raw, rp.explicit = r.Header, r.Body, r.Raw, true
	}
	return rp
}

func (rp reply) write(w http.ResponseWriter, req *Request, contentType string, body []byte) {
	for k, v := range rp.header {
		w.Header()[k] = v
	}
	if body != nil && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(rp.status)
	_, _ = w.Write(body)
}

// ---------------------------------------------------------------- REST-JSON

// RESTJSONWire is the restJson1 protocol (Lambda).
type RESTJSONWire struct{ REST }

var (
	_ Wire       = RESTJSONWire{}
	_ Recognizer = RESTJSONWire{}
)

// Parse implements Wire.
func (p RESTJSONWire) Parse(r *http.Request) (string, Input, *APIError) {
	return p.parse(r, json.Unmarshal)
}

// Throttling implements Protocol: TooManyRequestsException (HTTP 429).
func (RESTJSONWire) Throttling(message string) *APIError {
	return &APIError{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: message}
}

// WriteResult implements Wire: the output as JSON ("{}" for none), no body
// for 204 and for a Reply without one.
func (p RESTJSONWire) WriteResult(w http.ResponseWriter, req *Request, _ string, out any) {
	rp := replyOf(req, out)
	var body []byte
	switch {
	case rp.raw != nil:
		body = rp.raw
	case rp.body != nil:
		var err error
		if body, err = json.Marshal(rp.body); err != nil {
			p.WriteError(w, req, &APIError{Status: 500, Code: "ServiceException", Message: err.Error()})
			return
		}
	case !rp.explicit && rp.status != http.StatusNoContent:
		body = []byte("{}")
	}
	rp.write(w, req, "application/json", body)
}

// WriteError implements Protocol: the code in X-Amzn-ErrorType, the message
// in the body.
func (RESTJSONWire) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	WriteRESTJSONError(w, req, e, map[string]string{"message": e.Message})
}

// WriteRESTJSONError writes a restJson1 error: the code in X-Amzn-ErrorType
// and body members beside the Type ("User" or "Service").
func WriteRESTJSONError(w http.ResponseWriter, req *Request, e *APIError, members map[string]string) {
	body := map[string]string{"Type": "User"}
	if e.FaultType() == "Receiver" {
		body["Type"] = "Service"
	}
	for k, v := range members {
		body[k] = v
	}
	out, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(out)
}

// ---------------------------------------------------------------- REST-XML

// RESTXMLWire is the restXml protocol (Route 53). Outputs are structs with
// encoding/xml tags and an XMLName in Namespace; an operation without
// output answers <OpResponse xmlns="Namespace"/>.
type RESTXMLWire struct {
	REST
	Namespace string
}

var (
	_ Wire       = RESTXMLWire{}
	_ Recognizer = RESTXMLWire{}
)

// Parse implements Wire.
func (p RESTXMLWire) Parse(r *http.Request) (string, Input, *APIError) {
	return p.parse(r, xml.Unmarshal)
}

// Throttling implements Protocol: the restXml services' Throttling (HTTP
// 400), which botocore's retry configuration lists for Route 53.
func (RESTXMLWire) Throttling(message string) *APIError {
	return &APIError{Code: "Throttling", Message: message}
}

// WriteResult implements Wire.
func (p RESTXMLWire) WriteResult(w http.ResponseWriter, req *Request, op string, out any) {
	rp := replyOf(req, out)
	var body []byte
	switch {
	case rp.raw != nil:
		body = rp.raw
	case rp.body != nil:
		x, err := xml.Marshal(rp.body)
		if err != nil {
			p.WriteError(w, req, &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()})
			return
		}
		body = append([]byte(xml.Header), x...)
	case !rp.explicit && rp.status != http.StatusNoContent:
		body = []byte(xml.Header + `<` + op + `Response xmlns="` + p.Namespace + `"/>`)
	}
	rp.write(w, req, "text/xml", body)
}

// WriteError implements Protocol.
func (p RESTXMLWire) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	writeXMLError(w, req, p.Namespace, e)
}
