package core

import (
	"net/http"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// CBORWire is the Smithy RPC v2 CBOR protocol (CloudWatch with
// aws-sdk-go-v2 ≥ 1.70): POST /service/<Service>/operation/<Op> with the
// Smithy-Protocol: rpc-v2-cbor header, CBOR bodies both ways. Errors carry
// the error shape in __type and, for awsQueryCompatible services, the query
// code in x-amzn-query-error, as awsJson errors do.
type CBORWire struct {
	// Service is the Smithy service shape name, e.g. "GraniteServiceVersion20100801".
	Service string
	// ErrorNamespace prefixes __type, e.g. "com.amazonaws.cloudwatch#".
	ErrorNamespace string
	// QueryCompatible sends x-amzn-query-error with the query code.
	QueryCompatible bool
}

var (
	_ Wire       = CBORWire{}
	_ Recognizer = CBORWire{}
)

func (p CBORWire) pathPrefix() string { return "/service/" + p.Service + "/operation/" }

// Accepts implements Wire.
func (p CBORWire) Accepts(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, p.pathPrefix()) || strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor")
}

// Recognizes implements Recognizer: the path names the service.
func (p CBORWire) Recognizes(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, p.pathPrefix())
}

// Parse implements Wire.
func (p CBORWire) Parse(r *http.Request) (string, Input, *APIError) {
	body, err := readBody(r, "SerializationException")
	if err != nil {
		return "", nil, err
	}
	op, ok := strings.CutPrefix(r.URL.Path, p.pathPrefix())
	if !ok || op == "" || strings.Contains(op, "/") {
		return "", nil, Errorf("UnknownOperationException", "invalid RPC v2 path %q", r.URL.Path)
	}
	return op, &cborInput{body: body}, nil
}

// Throttling implements Protocol.
func (CBORWire) Throttling(message string) *APIError {
	return &APIError{Code: "ThrottlingException", Message: message}
}

// UnknownOperation implements Wire.
func (CBORWire) UnknownOperation(op string) *APIError {
	return Errorf("UnknownOperationException", "The emulator does not implement the operation %s.", op)
}

// WriteResult implements Wire.
func (p CBORWire) WriteResult(w http.ResponseWriter, req *Request, _ string, out any) {
	body, err := CBOR.Marshal(out)
	if err != nil {
		p.WriteError(w, req, &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()})
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteError implements Protocol.
func (p CBORWire) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("x-amzn-RequestId", req.ID)
	if p.QueryCompatible {
		w.Header().Set("x-amzn-query-error", e.queryCode()+";"+e.FaultType())
	}
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(cbor.Encode(cbor.Map{
		"__type":  cbor.String(p.ErrorNamespace + e.Code),
		"message": cbor.String(e.Message),
	}))
}

type cborInput struct{ body []byte }

func (in *cborInput) Decode(v any) *APIError {
	if len(in.body) == 0 {
		return nil
	}
	if err := CBOR.Unmarshal(in.body, v); err != nil {
		return Errorf("SerializationException", "could not decode the request: %v", err)
	}
	return nil
}

// Param implements Input (CBOR inputs are decoded whole).
func (in *cborInput) Param(string) string { return "" }
