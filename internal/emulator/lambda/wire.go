package lambda

import (
	"net/http"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Lambda's REST-JSON operations: method and path as in Lambda's API
// reference (https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html),
// with the status of a success. CreateFunction and UpdateFunctionCode take
// a base64 deployment package in the body; Invoke's payload is the body.
var routes = []core.Route{
	{Method: "POST", Path: "/2015-03-31/functions", Op: "CreateFunction", Status: http.StatusCreated, MaxBody: maxRequestBody},
	{Method: "GET", Path: "/2015-03-31/functions", Op: "ListFunctions"},
	{Method: "GET", Path: "/2015-03-31/functions/{FunctionName}", Op: "GetFunction"},
	{Method: "DELETE", Path: "/2015-03-31/functions/{FunctionName}", Op: "DeleteFunction", Status: http.StatusNoContent},
	{Method: "GET", Path: "/2015-03-31/functions/{FunctionName}/configuration", Op: "GetFunctionConfiguration"},
	{Method: "PUT", Path: "/2015-03-31/functions/{FunctionName}/configuration", Op: "UpdateFunctionConfiguration"},
	{Method: "PUT", Path: "/2015-03-31/functions/{FunctionName}/code", Op: "UpdateFunctionCode", MaxBody: maxRequestBody},
	{Method: "POST", Path: "/2015-03-31/functions/{FunctionName}/invocations", Op: "Invoke", MaxBody: maxSyncPayload},
	{Method: "POST", Path: "/2015-03-31/functions/{FunctionName}/versions", Op: "PublishVersion", Status: http.StatusCreated},
	{Method: "GET", Path: "/2015-03-31/functions/{FunctionName}/versions", Op: "ListVersionsByFunction"},
	{Method: "PUT", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Op: "PutFunctionConcurrency"},
	{Method: "GET", Path: "/2019-09-30/functions/{FunctionName}/concurrency", Op: "GetFunctionConcurrency"},
	{Method: "DELETE", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Op: "DeleteFunctionConcurrency", Status: http.StatusNoContent},
	{Method: "GET", Path: "/2017-03-31/tags/{Resource+}", Op: "ListTags"},
	{Method: "POST", Path: "/2017-03-31/tags/{Resource+}", Op: "TagResource", Status: http.StatusNoContent},
	{Method: "DELETE", Path: "/2017-03-31/tags/{Resource+}", Op: "UntagResource", Status: http.StatusNoContent},
	{Method: "POST", Path: "/2015-03-31/event-source-mappings", Op: "CreateEventSourceMapping", Status: http.StatusAccepted},
	{Method: "GET", Path: "/2015-03-31/event-source-mappings", Op: "ListEventSourceMappings"},
	{Method: "GET", Path: "/2015-03-31/event-source-mappings/{UUID}", Op: "GetEventSourceMapping"},
	{Method: "PUT", Path: "/2015-03-31/event-source-mappings/{UUID}", Op: "UpdateEventSourceMapping", Status: http.StatusAccepted},
	{Method: "DELETE", Path: "/2015-03-31/event-source-mappings/{UUID}", Op: "DeleteEventSourceMapping", Status: http.StatusAccepted},
	{Method: "GET", Path: "/2016-08-19/account-settings", Op: "GetAccountSettings"},
}

var handlers = map[string]func(*Service, *core.Request) (any, *core.APIError){
	"CreateFunction":              (*Service).createFunction,
	"ListFunctions":               (*Service).listFunctions,
	"GetFunction":                 (*Service).getFunction,
	"DeleteFunction":              (*Service).deleteFunction,
	"GetFunctionConfiguration":    (*Service).getFunctionConfiguration,
	"UpdateFunctionConfiguration": (*Service).updateFunctionConfiguration,
	"UpdateFunctionCode":          (*Service).updateFunctionCode,
	"Invoke":                      (*Service).invokeAPI,
	"PublishVersion":              (*Service).publishVersion,
	"ListVersionsByFunction":      (*Service).listVersions,
	"PutFunctionConcurrency":      (*Service).putConcurrency,
	"GetFunctionConcurrency":      (*Service).getConcurrency,
	"DeleteFunctionConcurrency":   (*Service).deleteConcurrency,
	"ListTags":                    (*Service).listTags,
	"TagResource":                 (*Service).tagResource,
	"UntagResource":               (*Service).untagResource,
	"CreateEventSourceMapping":    (*Service).createMapping,
	"ListEventSourceMappings":     (*Service).listMappings,
	"GetEventSourceMapping":       (*Service).getMapping,
	"UpdateEventSourceMapping":    (*Service).updateMapping,
	"DeleteEventSourceMapping":    (*Service).deleteMapping,
	"GetAccountSettings":          (*Service).getAccountSettings,
}

func newAPI(s *Service) *core.API {
	return &core.API{
		Wires: []core.Wire{wire{core.RESTJSONWire{REST: core.REST{
			Routes: routes,
			TooLarge: func(r *http.Request, rt core.Route, limit int64) *core.APIError {
				if rt.Op == "Invoke" && r.Header.Get("X-Amz-Invocation-Type") == "Event" {
					return errTooLarge(maxAsyncPayload, "InvokeAsync")
				}
				return errTooLarge(limit, rt.Op)
			},
			BadBody: func(err error) *core.APIError {
				return errInvalidRequestContent("Could not parse request body into json: %v", err)
			},
		}}}},
		Handlers: core.Bind(s, handlers),
	}
}

// wire is Lambda's REST-JSON. Lambda's error shapes disagree on the case of
// their message member ("Message" for ResourceNotFoundException, "message"
// for most others), so errors carry both.
type wire struct{ core.RESTJSONWire }

// WriteError implements core.Protocol.
func (wire) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	members := map[string]string{"message": e.Message, "Message": e.Message}
	if e.Code == "TooManyRequestsException" {
		members["Reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded"
		w.Header().Set("Retry-After", "1")
	}
	core.WriteRESTJSONError(w, req, e, members)
}

func errTooLarge(limit int64, op string) *core.APIError {
	return core.StatusErrorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the %s operation", limit, op)
}
