// Package trafficpolicy holds the Route 53 Traffic Flow resources and data
// source of the provider:
//
//   - regis_traffic_policy_version: one immutable version of a traffic policy
//     (CreateTrafficPolicy for the first version of a name, then
//     CreateTrafficPolicyVersion). A document change is a new version, never an
//     update of the old one, so records still using the old version keep
//     working and a rollback is a change of one number.
//   - regis_traffic_policy: a traffic policy and its versions, keyed by the
//     configuration; the versions of one apply are created one after the
//     other in the order of their keys, so their numbers follow that order.
//     Versions that a record still uses when removed are kept
//     (retired_versions) until the next apply that changes the policy.
//   - regis_traffic_policy_record: a traffic policy instance ("policy record"),
//     moved between versions in place with UpdateTrafficPolicyInstance.
//   - regis_health_check: a Route 53 health check (HTTP, HTTPS or TCP).
//   - regis_traffic_policy_document: renders a document from typed blocks to
//     AWS's JSON and simulates where lookups go, at plan time.
//
// The version resource and the data source share one typed HCL description of
// a document (document.go): the schema is built from one specification for
// both schema packages, and expand/flatten convert between the Terraform
// values and trafficflow.Document. Validation is trafficflow.Validate; its
// problems become diagnostics on the attribute at fault (diagnostics.go).
package trafficpolicy
