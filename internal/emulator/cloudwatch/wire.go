package cloudwatch

import (
	"net/http"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Namespace is the xmlns of query-protocol responses.
const Namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// serviceShape is the Smithy service name in RPC v2 paths and JSON targets.
const serviceShape = "GraniteServiceVersion20100801"

// errorNamespace prefixes the Smithy error shapes in CBOR and JSON errors.
const errorNamespace = "com.amazonaws.cloudwatch#"

var handlers = map[string]func(*Service, *core.Request) (any, *core.APIError){
	"PutMetricAlarm":          (*Service).putMetricAlarm,
	"DescribeAlarms":          (*Service).describeAlarms,
	"DescribeAlarmsForMetric": (*Service).describeAlarmsForMetric,
	"DeleteAlarms":            (*Service).deleteAlarms,
	"DescribeAlarmHistory":    (*Service).describeAlarmHistory,
	"SetAlarmState":           (*Service).setAlarmState,
	"EnableAlarmActions":      (*Service).enableAlarmActions,
	"DisableAlarmActions":     (*Service).disableAlarmActions,
	"TagResource":             (*Service).tagResource,
	"UntagResource":           (*Service).untagResource,
	"ListTagsForResource":     (*Service).listTagsForResource,
	"PutMetricData":           (*Service).putMetricData,
	"GetMetricStatistics":     (*Service).getMetricStatistics,
	"GetMetricData":           (*Service).getMetricData,
	"ListMetrics":             (*Service).listMetrics,
}

// newAPI serves CloudWatch's operations in its three wire encodings: RPC v2
// CBOR, awsJson1_0 (with the Smithy data model's JSON: epoch-second
// timestamps) and the query protocol. CloudWatch is awsQueryCompatible:
// CBOR and JSON errors carry the Smithy error shape in __type and the query
// code in x-amzn-query-error, which the SDK reports as the error code.
func newAPI(s *Service) *core.API {
	return &core.API{
		Wires: []core.Wire{
			core.QueryWire{QueryProtocol: core.QueryProtocol{Namespace: Namespace}, Version: "2010-08-01"},
			shapedWire{core.CBORWire{Service: serviceShape, ErrorNamespace: errorNamespace, QueryCompatible: true}},
			shapedWire{core.JSONWire{JSONProtocol: core.JSONProtocol{
				Version: "1.0", TargetPrefix: serviceShape, ErrorNamespace: errorNamespace,
				QueryCompatible: true, Codec: core.DocumentJSON,
			}}},
		},
		Handlers: core.Bind(s, handlers),
	}
}

// errorShapes maps query codes to CloudWatch's Smithy error shapes for codes
// the emulator raises without a shape of their own (throttling, faults,
// the query decoder's errors).
var errorShapes = map[string]string{
	"Throttling":            "ThrottlingException",
	"InternalFailure":       "InternalServiceFault",
	"InternalServiceError":  "InternalServiceFault",
	"InvalidParameterValue": "InvalidParameterValueException",
	"MissingParameter":      "MissingRequiredParameterException",
	"ValidationError":       "ValidationException",
}

// shapedWire is the CBOR or JSON wire with CloudWatch's error shapes: an
// error without a query code of its own (Code is a query code) is sent
// with its shape in __type and Code in x-amzn-query-error.
type shapedWire struct{ core.Wire }

// Recognizes implements core.Recognizer.
func (p shapedWire) Recognizes(r *http.Request) bool {
	rc, ok := p.Wire.(core.Recognizer)
	return ok && rc.Recognizes(r)
}

// Throttling implements core.Protocol: the query code Throttling, sent as
// the ThrottlingException shape.
func (shapedWire) Throttling(message string) *core.APIError {
	return &core.APIError{Code: "Throttling", Message: message}
}

// WriteError implements core.Protocol.
func (p shapedWire) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	if e.QueryCode == "" {
		c := *e
		c.QueryCode = e.Code
		if shape, ok := errorShapes[e.Code]; ok {
			c.Code = shape
		}
		e = &c
	}
	p.Wire.WriteError(w, req, e)
}
