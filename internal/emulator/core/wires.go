package core

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

// ------------------------------------------------------------ JSON 1.x

// JSONWire serves an awsJson1_0 / awsJson1_1 API: POST with
// X-Amz-Target: <TargetPrefix>.<Operation> and a JSON body.
type JSONWire struct{ JSONProtocol }

var _ Wire = JSONWire{}

// Accepts implements Wire.
func (p JSONWire) Accepts(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), p.TargetPrefix+".")
}

// Parse implements Wire: the operation from X-Amz-Target; the body is
// decoded when the handler asks for it.
func (p JSONWire) Parse(r *http.Request) (string, Input, *APIError) {
	op, err := p.Operation(r)
	if err != nil {
		return "", nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if rerr != nil {
		return "", nil, Errorf("SerializationException", "could not read the request body: %v", rerr)
	}
	if len(body) > MaxRequestBody {
		return "", nil, StatusErrorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body too large")
	}
	return op, &jsonInput{body: body}, nil
}

// WriteResult implements Wire.
func (p JSONWire) WriteResult(w http.ResponseWriter, req *Request, _ string, out any) {
	p.JSONProtocol.WriteResult(w, req, out)
}

// UnknownOperation implements Wire.
func (p JSONWire) UnknownOperation(op string) *APIError {
	return Errorf("UnknownOperationException", "The emulator does not implement the operation %s.", op)
}

type jsonInput struct {
	body []byte

	once   sync.Once
	params map[string]json.RawMessage
}

func (in *jsonInput) Decode(v any) *APIError {
	if len(bytes.TrimSpace(in.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(in.body, v); err != nil {
		return Errorf("SerializationException", "could not decode the request body: %v", err)
	}
	return nil
}

func (in *jsonInput) Param(name string) string {
	in.once.Do(func() { _ = json.Unmarshal(in.body, &in.params) })
	var s string
	if raw, ok := in.params[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// ------------------------------------------------------------ query

// QueryWire serves an AWS query-protocol API: Action=<Operation> and its
// parameters in a form-encoded body (or the query string), XML out. Inputs
// and outputs are the structs of the JSON protocols, with query tags where
// the query names differ (see DecodeForm and EncodeXML), or, with XMLTags,
// results are structs with encoding/xml tags (services that speak only the
// query protocol: SNS, IAM, STS) and handlers read Request.Params.
type QueryWire struct {
	QueryProtocol
	XMLTags bool
	// Version is the API version named in InvalidAction messages, as IAM
	// and STS word them ("Could not find operation X for version V").
	Version string
}

var _ Wire = QueryWire{}

// Accepts implements Wire: requests without X-Amz-Target that carry an
// Action (form body or query string).
func (p QueryWire) Accepts(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return true
	}
	return r.URL.Query().Get("Action") != ""
}

// Parse implements Wire.
func (p QueryWire) Parse(r *http.Request) (string, Input, *APIError) {
	action, params, err := p.ParseForm(r)
	if err != nil {
		return "", nil, err
	}
	return action, formInput(params), nil
}

// WriteResult implements Wire: <OpResponse><OpResult>…</OpResult><ResponseMetadata/></OpResponse>.
func (p QueryWire) WriteResult(w http.ResponseWriter, req *Request, op string, out any) {
	if p.XMLTags {
		p.QueryProtocol.WriteResult(w, req, op, out)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0"?>` + "\n")
	buf.WriteString("<" + op + `Response xmlns="` + p.Namespace + `">`)
	if out != nil {
		var result bytes.Buffer
		EncodeXML(&result, out)
		if result.Len() > 0 {
			buf.WriteString("<" + op + "Result>")
			buf.Write(result.Bytes())
			buf.WriteString("</" + op + "Result>")
		} else {
			buf.WriteString("<" + op + "Result/>")
		}
	}
	buf.WriteString("<ResponseMetadata><RequestId>" + req.ID + "</RequestId></ResponseMetadata>")
	buf.WriteString("</" + op + "Response>")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// UnknownOperation implements Wire with the query protocol's InvalidAction.
func (p QueryWire) UnknownOperation(op string) *APIError {
	if p.Version != "" {
		return Errorf("InvalidAction", "Could not find operation %s for version %s", op, p.Version)
	}
	return Errorf("InvalidAction", "The action %s is not valid for this web service.", op)
}

type formInput map[string][]string

func (in formInput) Decode(v any) *APIError { return DecodeForm(in, v) }

func (in formInput) Param(name string) string {
	if v := in[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Params are the parameters of a query-protocol request.
type Params map[string][]string

// Get returns the first value of a parameter, "" when absent.
func (p Params) Get(name string) string {
	if v := p[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Has reports whether a parameter has a value.
func (p Params) Has(name string) bool { return len(p[name]) > 0 }

// Params returns the parameters of a call that came in the query protocol
// (nil for other encodings), for services whose handlers read them by name.
func (r *Request) Params() Params {
	if f, ok := r.input.(formInput); ok {
		return Params(f)
	}
	return nil
}
