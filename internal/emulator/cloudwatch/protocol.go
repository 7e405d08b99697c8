package cloudwatch

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Namespace is the xmlns of query-protocol responses.
const Namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// serviceShape is the Smithy service name in RPC v2 paths and JSON targets.
const serviceShape = "GraniteServiceVersion20100801"

const cborPathPrefix = "/service/" + serviceShape + "/operation/"

// wire is the protocol a request arrived in.
type wire int

const (
	wireQuery wire = iota
	wireCBOR
	wireJSON
)

func wireOf(r *http.Request) wire {
	switch {
	case strings.HasPrefix(r.URL.Path, cborPathPrefix) || strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor"):
		return wireCBOR
	case r.Header.Get("X-Amz-Target") != "":
		return wireJSON
	}
	return wireQuery
}

// protocol implements core.Protocol for CloudWatch's three wire protocols.
// CloudWatch is awsQueryCompatible: CBOR and JSON errors carry the Smithy
// error shape in __type and the legacy query code in x-amzn-query-error.
type protocol struct{}

// ThrottleCode implements core.Protocol (the query code; see errorShape).
func (protocol) ThrottleCode() string { return "Throttling" }

// errorShapes maps query codes to CloudWatch's Smithy error shapes for codes
// the emulator raises without a shape of their own (throttling, faults).
var errorShapes = map[string]string{
	"Throttling":            "ThrottlingException",
	"InternalFailure":       "InternalServiceFault",
	"InternalServiceError":  "InternalServiceFault",
	"InvalidParameterValue": "InvalidParameterValueException",
	"MissingParameter":      "MissingRequiredParameterException",
	"ValidationError":       "ValidationException",
}

// codes returns the Smithy shape and the query code of e.
func codes(e *core.APIError) (shape, query string) {
	shape, query = e.Code, e.QueryCode
	if query == "" {
		query = e.Code
		if s, ok := errorShapes[e.Code]; ok {
			shape = s
		}
	}
	return shape, query
}

// WriteError implements core.Protocol.
func (protocol) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	shape, query := codes(e)
	w.Header().Set("x-amzn-RequestId", req.ID)
	switch wireOf(req.HTTP) {
	case wireCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("x-amzn-query-error", query+";"+e.FaultType())
		w.WriteHeader(e.HTTPStatus())
		_, _ = w.Write(cbor.Encode(cbor.Map{
			"__type":  cbor.String("com.amazonaws.cloudwatch#" + shape),
			"message": cbor.String(e.Message),
		}))
	case wireJSON:
		out, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.cloudwatch#" + shape, "message": e.Message})
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-query-error", query+";"+e.FaultType())
		w.WriteHeader(e.HTTPStatus())
		_, _ = w.Write(out)
	default:
		qe := *e
		qe.Code = query
		core.QueryProtocol{Namespace: Namespace}.WriteError(w, req, &qe)
	}
}

// readBody reads the request body, inflating gzip (PutMetricData requests
// are compressed by the SDKs above a size threshold).
func readBody(r *http.Request) ([]byte, *core.APIError) {
	rd := io.LimitReader(r.Body, core.MaxRequestBody+1)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, core.Errorf("InvalidParameterValue", "could not inflate the gzip request body: %v", err)
		}
		defer zr.Close()
		rd = io.LimitReader(zr, core.MaxRequestBody+1)
	}
	body, err := io.ReadAll(rd)
	if err != nil {
		return nil, core.Errorf("InvalidParameterValue", "could not read the request body: %v", err)
	}
	if len(body) > core.MaxRequestBody {
		return nil, core.StatusErrorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request size exceeded the 1 MB limit")
	}
	return body, nil
}

// call is one parsed request.
type call struct {
	wire   wire
	action string
	body   []byte
	form   url.Values
}

// parse reads the operation name and body of a request in any protocol.
func parse(r *http.Request) (*call, *core.APIError) {
	c := &call{wire: wireOf(r)}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	c.body = body
	switch c.wire {
	case wireCBOR:
		c.action = strings.TrimPrefix(r.URL.Path, cborPathPrefix)
		if c.action == r.URL.Path || c.action == "" || strings.Contains(c.action, "/") {
			return nil, core.Errorf("UnknownOperationException", "invalid RPC v2 path %q", r.URL.Path)
		}
	case wireJSON:
		target := r.Header.Get("X-Amz-Target")
		op, ok := strings.CutPrefix(target, serviceShape+".")
		if !ok || op == "" {
			return nil, core.Errorf("UnknownOperationException", "unknown or missing X-Amz-Target %q", target)
		}
		c.action = op
	default:
		form := r.URL.Query()
		if len(bytes.TrimSpace(body)) > 0 {
			bf, perr := url.ParseQuery(string(body))
			if perr != nil {
				return nil, core.Errorf("MalformedQueryString", "could not parse the request: %v", perr)
			}
			for k, v := range bf {
				form[k] = append(form[k], v...)
			}
		}
		c.form = form
		c.action = form.Get("Action")
		if c.action == "" {
			return nil, core.Errorf("MissingAction", "Missing Action")
		}
	}
	return c, nil
}

// decode reads the operation input into in.
func (c *call) decode(in any) *core.APIError {
	var err error
	switch c.wire {
	case wireCBOR:
		err = decodeCBOR(c.body, in)
	case wireJSON:
		err = decodeJSON(c.body, in)
	default:
		err = decodeForm(c.form, in)
	}
	if err != nil {
		if c.wire == wireCBOR {
			return core.Errorf("SerializationException", "could not decode the request: %v", err)
		}
		return core.Errorf("InvalidParameterValue", "could not decode the request: %v", err)
	}
	return nil
}

// writeResult answers with out (nil for operations without output).
func (c *call) writeResult(w http.ResponseWriter, req *core.Request, out any) {
	w.Header().Set("x-amzn-RequestId", req.ID)
	switch c.wire {
	case wireCBOR:
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(toCBOR(out))
	case wireJSON:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(toJSON(out))
	default:
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		start := xml.StartElement{Name: xml.Name{Local: c.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
		_ = enc.EncodeToken(start)
		if out != nil {
			toXML(enc, c.action+"Result", reflect.ValueOf(out))
		}
		meta := xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}
		_ = enc.EncodeToken(meta)
		_ = enc.EncodeElement(req.ID, xml.StartElement{Name: xml.Name{Local: "RequestId"}})
		_ = enc.EncodeToken(meta.End())
		_ = enc.EncodeToken(start.End())
		_ = enc.Flush()
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
	}
}
