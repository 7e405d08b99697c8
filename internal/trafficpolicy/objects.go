package trafficpolicy

// Kinds of Route 53 object the resources of this package create, named as
// Route 53 names them in ARNs (arn:aws:route53:::healthcheck/<id>).
const (
	KindHealthCheck    = "healthcheck"
	KindPolicyVersion  = "trafficpolicy"
	KindPolicyInstance = "trafficpolicyinstance"
)

// ManagedKinds lists, for each resource type of this package, the kinds of
// Route 53 object its resources create and keep as configured. The
// out-of-band catalogue (TestAccTrafficFlow_outOfBand) derives its cases from
// this list and fails for a resource type or kind without them.
//
// The record sets Route 53 builds for a policy record (traffic policy
// instance) are part of the instance: Route 53 creates, replaces and deletes
// them with it.
var ManagedKinds = map[string][]string{
	"regis_health_check":           {KindHealthCheck},
	"regis_traffic_policy":         {KindPolicyVersion},
	"regis_traffic_policy_version": {KindPolicyVersion},
	"regis_traffic_policy_record":  {KindPolicyInstance},
}
