package core

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Protocol encodes errors in the wire format of one AWS protocol. The
// emulator uses it to answer a request before the service has seen it (bad
// credentials, injected faults).
type Protocol interface {
	WriteError(w http.ResponseWriter, req *Request, err *APIError)
	// ThrottleCode is the error code this protocol's services use when a
	// caller exceeds its request rate; the SDK retryers retry it.
	ThrottleCode() string
}

// MaxRequestBody bounds request bodies read by the protocol helpers.
const MaxRequestBody = 8 << 20

// ---------------------------------------------------------------- query/XML

// QueryProtocol is the AWS query protocol (form-encoded request, XML
// response) of STS, IAM and SNS.
type QueryProtocol struct {
	// Namespace is the xmlns of responses, e.g. "http://sns.amazonaws.com/doc/2010-03-31/".
	Namespace string
}

// ThrottleCode implements Protocol.
func (QueryProtocol) ThrottleCode() string { return "Throttling" }

// ParseForm reads the action and its parameters from the query string and a
// form-encoded body.
func (QueryProtocol) ParseForm(r *http.Request) (action string, params map[string][]string, err *APIError) {
	r.Body = http.MaxBytesReader(nil, r.Body, MaxRequestBody)
	if perr := r.ParseForm(); perr != nil {
		return "", nil, Errorf("MalformedQueryString", "could not parse the request: %v", perr)
	}
	action = r.Form.Get("Action")
	if action == "" {
		return "", nil, Errorf("MissingAction", "Missing Action")
	}
	return action, r.Form, nil
}

// WriteResult writes <ActionResponse><ActionResult>result</ActionResult><ResponseMetadata/></ActionResponse>.
// A nil result writes no Result element.
func (p QueryProtocol) WriteResult(w http.ResponseWriter, req *Request, action string, result any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: p.Namespace}}}
	_ = enc.EncodeToken(start)
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			p.WriteError(w, req, &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()})
			return
		}
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{req.ID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(start.End())
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

type xmlErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeXMLError(w http.ResponseWriter, req *Request, ns string, e *APIError) {
	var body xmlErrorResponse
	body.Xmlns = ns
	body.Error.Type = e.FaultType()
	body.Error.Code = e.Code
	if e.QueryCode != "" {
		// Services marked awsQueryCompatible (SQS) have a query code of
		// their own; it is the code of their query-protocol errors.
		body.Error.Code = e.QueryCode
	}
	body.Error.Message = e.Message
	body.RequestID = req.ID
	out, _ := xml.Marshal(body)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// WriteError implements Protocol.
func (p QueryProtocol) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	writeXMLError(w, req, p.Namespace, e)
}

// QueryList returns the members of a query-protocol list, e.g. prefix
// "Tags.member" yields the parameters of Tags.member.1, Tags.member.2, …
// with the prefix and index removed ("Key", "Value").
func QueryList(params map[string][]string, prefix string) []map[string]string {
	var out []map[string]string
	for i := 1; ; i++ {
		p := prefix + "." + strconv.Itoa(i)
		m := map[string]string{}
		for k, v := range params {
			if len(v) == 0 {
				continue
			}
			if k == p {
				m[""] = v[0]
			} else if strings.HasPrefix(k, p+".") {
				m[strings.TrimPrefix(k, p+".")] = v[0]
			}
		}
		if len(m) == 0 {
			return out
		}
		out = append(out, m)
	}
}

// QueryMap returns a query-protocol map such as Attributes.entry.N.key /
// Attributes.entry.N.value (prefix "Attributes.entry", keyName "key",
// valueName "value").
func QueryMap(params map[string][]string, prefix, keyName, valueName string) map[string]string {
	out := map[string]string{}
	for _, m := range QueryList(params, prefix) {
		if k, ok := m[keyName]; ok {
			out[k] = m[valueName]
		}
	}
	return out
}

// ------------------------------------------------------------------- JSON 1.x

// JSONProtocol is the awsJson1_0 / awsJson1_1 protocol (SQS, Secrets Manager).
type JSONProtocol struct {
	// Version is "1.0" or "1.1".
	Version string
	// TargetPrefix is the X-Amz-Target prefix, e.g. "AmazonSQS".
	TargetPrefix string
	// ErrorNamespace prefixes __type, e.g. "com.amazonaws.sqs#".
	ErrorNamespace string
	// QueryCompatible sends x-amzn-query-error with the legacy code.
	QueryCompatible bool
}

// ThrottleCode implements Protocol.
func (JSONProtocol) ThrottleCode() string { return "ThrottlingException" }

// Operation returns the operation named by X-Amz-Target.
func (p JSONProtocol) Operation(r *http.Request) (string, *APIError) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, p.TargetPrefix+".")
	if !ok || op == "" {
		return "", Errorf("UnknownOperationException", "unknown or missing X-Amz-Target %q", target)
	}
	return op, nil
}

// Decode reads the JSON request body into v.
func (p JSONProtocol) Decode(r *http.Request, v any) *APIError {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return Errorf("SerializationException", "could not read the request body: %v", err)
	}
	if len(body) > MaxRequestBody {
		return StatusErrorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body too large")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Errorf("SerializationException", "could not decode the request body: %v", err)
	}
	return nil
}

// WriteResult writes v as the JSON response body. A nil v writes "{}".
func (p JSONProtocol) WriteResult(w http.ResponseWriter, req *Request, v any) {
	out := []byte("{}")
	if v != nil {
		var err error
		if out, err = json.Marshal(v); err != nil {
			p.WriteError(w, req, &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()})
			return
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-"+p.Version)
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// WriteError implements Protocol.
func (p JSONProtocol) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	out, _ := json.Marshal(map[string]string{"__type": p.ErrorNamespace + e.Code, "message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-"+p.Version)
	w.Header().Set("x-amzn-RequestId", req.ID)
	if p.QueryCompatible {
		code := e.QueryCode
		if code == "" {
			code = e.Code
		}
		w.Header().Set("x-amzn-query-error", code+";"+e.FaultType())
	}
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(out)
}

// ---------------------------------------------------------------- REST-XML

// RESTXMLProtocol is the REST-XML protocol of Route 53.
type RESTXMLProtocol struct {
	Namespace string
}

// ThrottleCode implements Protocol.
func (RESTXMLProtocol) ThrottleCode() string { return "Throttling" }

// WriteError implements Protocol.
func (p RESTXMLProtocol) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	writeXMLError(w, req, p.Namespace, e)
}

// WriteXML writes v (a struct with an XMLName) with the given status.
func (p RESTXMLProtocol) WriteXML(w http.ResponseWriter, req *Request, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		p.WriteError(w, req, &APIError{Status: 500, Code: "InternalFailure", Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// ---------------------------------------------------------------- REST-JSON

// RESTJSONProtocol is the REST-JSON protocol of Lambda.
type RESTJSONProtocol struct{}

// ThrottleCode implements Protocol.
func (RESTJSONProtocol) ThrottleCode() string { return "TooManyRequestsException" }

// WriteError implements Protocol.
func (RESTJSONProtocol) WriteError(w http.ResponseWriter, req *Request, e *APIError) {
	typ := "User"
	if e.FaultType() == "Receiver" {
		typ = "Service"
	}
	out, _ := json.Marshal(map[string]string{"Type": typ, "message": e.Message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(out)
}

// WriteJSON writes v as JSON with the given status.
func (p RESTJSONProtocol) WriteJSON(w http.ResponseWriter, req *Request, status int, v any) {
	out := []byte("{}")
	if v != nil {
		var err error
		if out, err = json.Marshal(v); err != nil {
			p.WriteError(w, req, &APIError{Status: 500, Code: "ServiceException", Message: err.Error()})
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", req.ID)
	w.WriteHeader(status)
	_, _ = w.Write(out)
}
