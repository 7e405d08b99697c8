package core

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ---------------------------------------------------------------- query/XML

// QueryProtocol is the AWS query protocol (form-encoded request, XML
// response) of STS, IAM, SNS, and of SQS and CloudWatch beside their newer
// encodings.
type QueryProtocol struct {
	// Namespace is the xmlns of responses, e.g. "http://sns.amazonaws.com/doc/2010-03-31/".
	Namespace string
}

// Throttling implements Protocol: the query protocol's common Throttling
// (HTTP 400), which botocore's retry configuration (_retry.json,
// "throttling") and the Go SDK retry for every query service.
func (QueryProtocol) Throttling(message string) *APIError {
	return &APIError{Code: "Throttling", Message: message}
}

// ParseForm reads the action and its parameters from the query string and a
// form-encoded body (read whole, gzip inflated), and leaves them in r.Form
// and r.PostForm as http.Request.ParseForm does.
func (QueryProtocol) ParseForm(r *http.Request) (action string, params map[string][]string, err *APIError) {
	if r.Form == nil {
		form, perr := url.ParseQuery(r.URL.RawQuery)
		if perr != nil {
			return "", nil, Errorf("MalformedQueryString", "could not parse the request: %v", perr)
		}
		post := url.Values{}
		ct := r.Header.Get("Content-Type")
		if ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			body, rerr := ReadBody(r, MaxRequestBody)
			if errors.Is(rerr, ErrBodyTooLarge) {
				return "", nil, StatusErrorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body too large")
			}
			if rerr != nil {
				return "", nil, Errorf("MalformedQueryString", "could not read the request: %v", rerr)
			}
			if post, perr = url.ParseQuery(string(body)); perr != nil {
				return "", nil, Errorf("MalformedQueryString", "could not parse the request: %v", perr)
			}
		}
		// Body values first, then the query string's, as ParseForm orders them.
		r.PostForm = post
		r.Form = url.Values{}
		for _, vs := range []url.Values{post, form} {
			for k, v := range vs {
				r.Form[k] = append(r.Form[k], v...)
			}
		}
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
	// Services marked awsQueryCompatible (SQS, CloudWatch) have a query
	// code of their own; it is the code of their query-protocol errors.
	body.Error.Code = e.queryCode()
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

// JSONProtocol is the awsJson1_0 / awsJson1_1 protocol (SQS, Secrets
// Manager, CloudWatch Logs, CloudWatch).
type JSONProtocol struct {
	// Version is "1.0" or "1.1".
	Version string
	// TargetPrefix is the X-Amz-Target prefix, e.g. "AmazonSQS".
	TargetPrefix string
	// ErrorNamespace prefixes __type, e.g. "com.amazonaws.sqs#".
	ErrorNamespace string
	// QueryCompatible sends x-amzn-query-error with the legacy code.
	QueryCompatible bool
	// Codec reads inputs and writes outputs; StdJSON when nil.
	Codec Codec
}

func (p JSONProtocol) codec() Codec {
	if p.Codec == nil {
		return StdJSON
	}
	return p.Codec
}

// Throttling implements Protocol: ThrottlingException (HTTP 400), the
// common error of the JSON services.
func (JSONProtocol) Throttling(message string) *APIError {
	return &APIError{Code: "ThrottlingException", Message: message}
}

// Operation returns the operation named by X-Amz-Target.
func (p JSONProtocol) Operation(r *http.Request) (string, *APIError) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, p.TargetPrefix+".")
	if !ok || op == "" {
		return "", Errorf("UnknownOperationException", "unknown or missing X-Amz-Target %q", target)
	}
	return op, nil
}

// WriteResult writes v as the JSON response body. A nil v writes "{}".
func (p JSONProtocol) WriteResult(w http.ResponseWriter, req *Request, v any) {
	out := []byte("{}")
	if v != nil {
		var err error
		if out, err = p.codec().Marshal(v); err != nil {
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
		w.Header().Set("x-amzn-query-error", e.queryCode()+";"+e.FaultType())
	}
	w.WriteHeader(e.HTTPStatus())
	_, _ = w.Write(out)
}
