// Package route53 emulates Amazon Route 53 for the emulator: hosted zones,
// resource record sets and changes, health checks, tags, account limits, and
// Traffic Flow (traffic policies, their immutable versions, and traffic policy
// instances, the console's "policy records"), over the REST-XML protocol of
// API version 2013-04-01. Route 53 is global: the SDKs sign with us-east-1 and
// every object is visible whatever the region of the call.
//
// # Traffic Flow
//
// Documents are read and checked by the emulator's own Traffic Flow
// (policydoc.go, policycheck.go), written from the Route 53 API reference
// ("Traffic Policy Document Format", CreateTrafficPolicy) and the Developer
// Guide; it shares no code with the provider. A document Route 53 would refuse
// fails with InvalidTrafficPolicyDocument listing every problem with its JSON
// path; the request's own limits (a missing document, one over 102,400
// characters) are InvalidInput. What Route 53 accepts although it may not be
// what the author meant is accepted: unreachable rules and endpoints, weighted
// rules whose weights are all 0, ids of any characters. Both format versions
// are read (2023-05-09 adds Location to geoproximity rules; a Local Zone is
// placed at its parent region).
//
// DeleteTrafficPolicy deletes one version and fails with
// TrafficPolicyInUse while an instance uses it; deleted versions stay readable
// with GetTrafficPolicy, as on AWS, but are no longer listed, and a policy whose
// versions are all deleted leaves ListTrafficPolicies. Version numbers are never
// reused; a policy has at most 1000 (TooManyTrafficPolicyVersionsForCurrentPolicy).
//
// An instance is Creating, then Applied (or Failed with a Message, e.g. when a
// record set of the same name and type exists or a referenced health check does
// not); UpdateTrafficPolicyInstance makes it Updating, during which DNS still
// answers from the old version, then Applied; DeleteTrafficPolicyInstance makes
// it Deleting, then it is gone. Each step takes Delays.Instance on the emulator
// clock (DefaultDelays: one second; SetDelays or POST /_emulator/route53/delays
// to change it, Clock().Advance to skip it). A change is PENDING for
// Delays.Change, then INSYNC. The instance's record set appears in
// ListResourceRecordSets as Route 53 shows it: the name and type, a placeholder
// value and TrafficPolicyInstanceId.
//
// # Lookups
//
// Lookup and Resolve answer a query as Route 53 would for a client whose DNS
// resolver is in a given AWS region; ServeDNS and StartDNS run a real DNS
// server (UDP and TCP, github.com/miekg/dns) per client region. Names backed by
// an instance are answered from the applied version, the client region and the
// health checks that are failing, as Route 53 answers from the tree of records
// a policy record creates (policyroute.go states the rules, from "How Amazon
// Route 53 chooses records when health checking is configured" and "How health
// checks work in complex Amazon Route 53 configurations"); ordinary record sets
// follow their routing policy (simple, weighted, latency, failover,
// geolocation, geoproximity, multivalue) with the same health rules.
//
// The emulator does not probe endpoints. Health checks are healthy until
// SetHealthCheckStatus (or POST /_emulator/route53/healthchecks/{id}
// {"healthy": false}) says otherwise; Disabled counts as healthy and Inverted
// then flips the status, as on AWS; CALCULATED checks count their children.
//
// # Differences from AWS
//
//   - Only public hosted zones: PrivateZone, VPCs and reusable delegation sets
//     are refused (InvalidInput / NoSuchDelegationSet). Names AWS reserves (such
//     as example.com) are accepted, for tests.
//   - Alias targets outside the emulated zones (load balancers, CloudFront, S3
//     websites, and the alias endpoints of traffic policies) are answered with a
//     CNAME to the target's DNS name, since their addresses are unknown; alias
//     targets inside the emulated zones are resolved. EvaluateTargetHealth on
//     such outside targets never makes a record unhealthy.
//   - Client placement is by AWS region (Regions: the region's city, its
//     country, US state and continent), not by resolver IP or EDNS client
//     subnet; CIDR routing answers with the default ("*") location. Route 53
//     does not publish its latency measurements: LatencyMS models them from
//     the great-circle distance between regions.
//   - Creating an instance where a record set of the same name and type already
//     exists is accepted and the instance then Fails (AWS's exact behaviour here
//     is undocumented). UPSERT of an instance's record set is refused with
//     InvalidChangeBatch; DELETE of it (with its TrafficPolicyInstanceId) is
//     accepted and leaves the instance in place without records, as AWS documents.
//   - Error messages follow AWS's where they are known and are otherwise the
//     emulator's own; health check status reports are synthesized.
//   - The account quotas are AWS's defaults (5 policy records!) and can be
//     raised with SetLimits.
package route53
