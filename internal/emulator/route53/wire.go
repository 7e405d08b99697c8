package route53

import (
	"net/http"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Route 53's REST-XML operations: method and path as in the Route 53 API
// reference (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53.html),
// with the status of a success.
var routes = []core.Route{
	{Method: "POST", Path: "/2013-04-01/hostedzone", Op: "CreateHostedZone", Status: http.StatusCreated},
	{Method: "GET", Path: "/2013-04-01/hostedzone", Op: "ListHostedZones"},
	{Method: "GET", Path: "/2013-04-01/hostedzone/{Id}", Op: "GetHostedZone"},
	{Method: "DELETE", Path: "/2013-04-01/hostedzone/{Id}", Op: "DeleteHostedZone"},
	{Method: "POST", Path: "/2013-04-01/hostedzone/{Id}", Op: "UpdateHostedZoneComment"},
	{Method: "POST", Path: "/2013-04-01/hostedzone/{Id}/rrset", Op: "ChangeResourceRecordSets"},
	{Method: "GET", Path: "/2013-04-01/hostedzone/{Id}/rrset", Op: "ListResourceRecordSets"},
	{Method: "GET", Path: "/2013-04-01/hostedzonecount", Op: "GetHostedZoneCount"},
	{Method: "GET", Path: "/2013-04-01/hostedzonesbyname", Op: "ListHostedZonesByName"},
	{Method: "GET", Path: "/2013-04-01/change/{Id}", Op: "GetChange"},
	{Method: "POST", Path: "/2013-04-01/healthcheck", Op: "CreateHealthCheck", Status: http.StatusCreated},
	{Method: "GET", Path: "/2013-04-01/healthcheck", Op: "ListHealthChecks"},
	{Method: "GET", Path: "/2013-04-01/healthcheck/{HealthCheckId}", Op: "GetHealthCheck"},
	{Method: "POST", Path: "/2013-04-01/healthcheck/{HealthCheckId}", Op: "UpdateHealthCheck"},
	{Method: "DELETE", Path: "/2013-04-01/healthcheck/{HealthCheckId}", Op: "DeleteHealthCheck"},
	{Method: "GET", Path: "/2013-04-01/healthcheck/{HealthCheckId}/status", Op: "GetHealthCheckStatus"},
	{Method: "GET", Path: "/2013-04-01/healthcheck/{HealthCheckId}/lastfailurereason", Op: "GetHealthCheckLastFailureReason"},
	{Method: "GET", Path: "/2013-04-01/healthcheckcount", Op: "GetHealthCheckCount"},
	{Method: "GET", Path: "/2013-04-01/checkeripranges", Op: "GetCheckerIpRanges"},
	{Method: "GET", Path: "/2013-04-01/accountlimit/{Type}", Op: "GetAccountLimit"},
	{Method: "POST", Path: "/2013-04-01/tags/{ResourceType}/{ResourceId}", Op: "ChangeTagsForResource"},
	{Method: "GET", Path: "/2013-04-01/tags/{ResourceType}/{ResourceId}", Op: "ListTagsForResource"},
	{Method: "POST", Path: "/2013-04-01/tags/{ResourceType}", Op: "ListTagsForResources"},
	{Method: "POST", Path: "/2013-04-01/trafficpolicy", Op: "CreateTrafficPolicy", Status: http.StatusCreated},
	{Method: "POST", Path: "/2013-04-01/trafficpolicy/{Id}", Op: "CreateTrafficPolicyVersion", Status: http.StatusCreated},
	{Method: "GET", Path: "/2013-04-01/trafficpolicy/{Id}/{Version}", Op: "GetTrafficPolicy"},
	{Method: "POST", Path: "/2013-04-01/trafficpolicy/{Id}/{Version}", Op: "UpdateTrafficPolicyComment"},
	{Method: "DELETE", Path: "/2013-04-01/trafficpolicy/{Id}/{Version}", Op: "DeleteTrafficPolicy"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicies", Op: "ListTrafficPolicies"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicies/{Id}/versions", Op: "ListTrafficPolicyVersions"},
	{Method: "POST", Path: "/2013-04-01/trafficpolicyinstance", Op: "CreateTrafficPolicyInstance", Status: http.StatusCreated},
	{Method: "GET", Path: "/2013-04-01/trafficpolicyinstance/{Id}", Op: "GetTrafficPolicyInstance"},
	{Method: "POST", Path: "/2013-04-01/trafficpolicyinstance/{Id}", Op: "UpdateTrafficPolicyInstance"},
	{Method: "DELETE", Path: "/2013-04-01/trafficpolicyinstance/{Id}", Op: "DeleteTrafficPolicyInstance"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicyinstances", Op: "ListTrafficPolicyInstances"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicyinstances/hostedzone", Op: "ListTrafficPolicyInstancesByHostedZone"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicyinstances/trafficpolicy", Op: "ListTrafficPolicyInstancesByPolicy"},
	{Method: "GET", Path: "/2013-04-01/trafficpolicyinstancecount", Op: "GetTrafficPolicyInstanceCount"},
}

var handlers = map[string]func(*Service, *core.Request) (any, *core.APIError){
	"CreateHostedZone":                       (*Service).createHostedZone,
	"ListHostedZones":                        (*Service).listHostedZones,
	"GetHostedZone":                          (*Service).getHostedZone,
	"DeleteHostedZone":                       (*Service).deleteHostedZone,
	"UpdateHostedZoneComment":                (*Service).updateHostedZoneComment,
	"ChangeResourceRecordSets":               (*Service).changeResourceRecordSets,
	"ListResourceRecordSets":                 (*Service).listResourceRecordSets,
	"GetHostedZoneCount":                     (*Service).getHostedZoneCount,
	"ListHostedZonesByName":                  (*Service).listHostedZonesByName,
	"GetChange":                              (*Service).getChange,
	"CreateHealthCheck":                      (*Service).createHealthCheck,
	"ListHealthChecks":                       (*Service).listHealthChecks,
	"GetHealthCheck":                         (*Service).getHealthCheck,
	"UpdateHealthCheck":                      (*Service).updateHealthCheck,
	"DeleteHealthCheck":                      (*Service).deleteHealthCheck,
	"GetHealthCheckStatus":                   (*Service).getHealthCheckStatus,
	"GetHealthCheckLastFailureReason":        (*Service).getHealthCheckLastFailureReason,
	"GetHealthCheckCount":                    (*Service).getHealthCheckCount,
	"GetCheckerIpRanges":                     (*Service).getCheckerIPRanges,
	"GetAccountLimit":                        (*Service).getAccountLimit,
	"ChangeTagsForResource":                  (*Service).changeTagsForResource,
	"ListTagsForResource":                    (*Service).listTagsForResource,
	"ListTagsForResources":                   (*Service).listTagsForResources,
	"CreateTrafficPolicy":                    (*Service).createTrafficPolicy,
	"CreateTrafficPolicyVersion":             (*Service).createTrafficPolicyVersion,
	"GetTrafficPolicy":                       (*Service).getTrafficPolicy,
	"UpdateTrafficPolicyComment":             (*Service).updateTrafficPolicyComment,
	"DeleteTrafficPolicy":                    (*Service).deleteTrafficPolicy,
	"ListTrafficPolicies":                    (*Service).listTrafficPolicies,
	"ListTrafficPolicyVersions":              (*Service).listTrafficPolicyVersions,
	"CreateTrafficPolicyInstance":            (*Service).createTrafficPolicyInstance,
	"GetTrafficPolicyInstance":               (*Service).getTrafficPolicyInstance,
	"UpdateTrafficPolicyInstance":            (*Service).updateTrafficPolicyInstance,
	"DeleteTrafficPolicyInstance":            (*Service).deleteTrafficPolicyInstance,
	"ListTrafficPolicyInstances":             (*Service).listTrafficPolicyInstances,
	"ListTrafficPolicyInstancesByHostedZone": (*Service).listTrafficPolicyInstancesByHostedZone,
	"ListTrafficPolicyInstancesByPolicy":     (*Service).listTrafficPolicyInstancesByPolicy,
	"GetTrafficPolicyInstanceCount":          (*Service).getTrafficPolicyInstanceCount,
}

func newAPI(s *Service) *core.API {
	return &core.API{
		Wires: []core.Wire{wire{core.RESTXMLWire{Namespace: Namespace, REST: core.REST{
			Routes: routes,
			TooLarge: func(*http.Request, core.Route, int64) *core.APIError {
				return core.StatusErrorf(http.StatusRequestEntityTooLarge, "InvalidInput", "the request body is too large")
			},
			BadBody: func(err error) *core.APIError { return invalidInput("Invalid XML ; %v", err) },
		}}}},
		Handlers: core.Bind(s, handlers),
	}
}

// wire is Route 53's REST-XML. Clients that do not strip the prefix of the
// ids they were given send /2013-04-01/hostedzone//hostedzone/ID (and the
// same for health checks and changes): the id is then the last segment.
type wire struct{ core.RESTXMLWire }

// Parse implements core.Wire.
func (p wire) Parse(r *http.Request) (string, core.Input, *core.APIError) {
	for _, kind := range []string{"hostedzone", "healthcheck", "change"} {
		prefix := "/2013-04-01/" + kind + "/"
		if rest, ok := strings.CutPrefix(r.URL.Path, prefix); ok {
			if id, ok := strings.CutPrefix(strings.TrimLeft(rest, "/"), kind+"/"); ok {
				r.URL.Path = prefix + id
			}
		}
	}
	return p.RESTXMLWire.Parse(r)
}

// query returns a query-string parameter of the call.
func query(req *core.Request, name string) string { return req.HTTP.URL.Query().Get(name) }

// created is the output of an operation that answers 201 Created with the
// new object's Location.
func created(location string, v any) (any, *core.APIError) {
	return &core.Reply{Header: http.Header{"Location": {location}}, Body: v}, nil
}
