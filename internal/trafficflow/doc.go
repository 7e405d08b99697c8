// Package trafficflow models Route 53 Traffic Flow policy documents: it
// parses, renders, validates and simulates them. It is pure Go (standard
// library only, no AWS calls, no network), so the Terraform resources and the
// plan-time data source share one definition of what a policy is and what it
// does. The emulator's Route 53 does not use it: it has its own implementation,
// written from AWS's documentation, and internal/trafficflow/difftest compares
// the two (docs/trafficflow-conformance.md).
//
// # Model
//
// A Document is one immutable policy version in AWSPolicyFormatVersion
// "2015-10-01" (FormatVersion, the version this package writes) or
// "2023-05-09" (FormatVersion2023, whose geoproximity entries give their place
// as a Location: a region, a Local Zone or coordinates):
//
//	Document{FormatVersion, RecordType, StartRule | StartEndpoint, Endpoints, Rules}
//	Endpoint{Type, Value, Region}          Region only for s3-website
//	Rule{RuleType, <the item list of that type>}
//
// Rule types and their items, with AWS's field names:
//
//	failover      Primary, Secondary                  (*Reference)
//	geo           Locations []GeoLocation             IsDefault | Continent | Country [+ Subdivision]
//	geoproximity  GeoproximityLocations               Region "aws:route53:<code>" | Latitude+Longitude (2015-10-01),
//	                                                  Location (2023-05-09), Bias −99..99
//	latency       Regions []LatencyRegion             Region (plain region code)
//	multivalue    Items []Item                        EndpointReference and HealthCheck only
//	weighted      Items []Item                        Weight 0..255
//
// Every item embeds a Reference: EndpointReference or RuleReference (exactly
// one), EvaluateTargetHealth (optional) and HealthCheck (optional health check
// id). Optional booleans and integers are pointers so that "absent" and
// "false"/"0" survive a round trip. Go field names are AWS's JSON names,
// except Document.FormatVersion (AWSPolicyFormatVersion).
//
// # JSON
//
// Parse accepts AWS's format with fields in any order, exact casing, and the
// spellings seen in AWS examples and console output (numbers or strings for
// Weight, Bias, Latitude and Longitude; true/false or "true"/"false" for
// booleans). Unknown fields are errors. A Location in a 2015-10-01 document, or
// a Region or Latitude/Longitude in a 2023-05-09 one, is reported by Validate.
//
// Render writes canonical compact JSON, RenderIndent the same indented: fixed
// field order (AWS's example order at the top level, then sorted ids), absent
// optional fields omitted, Weight/Bias/Latitude/Longitude as JSON strings and
// booleans as JSON booleans — the way the examples on AWS's "Traffic Policy
// Document Format" page write them. The same Document always renders to the
// same bytes, so Terraform sees no spurious diffs; Normalize maps any
// equivalent spelling of a document to those bytes. Compact is what the
// provider should send to the API (it also keeps documents well under the
// 102,400-character limit); indented is for people.
//
// # Validation
//
// Validate returns every problem at once as ValidationErrors, each Problem
// naming its scope (document, endpoint or rule), the id, the field path inside
// it, a Code, and a message that says what to change, for example
//
//	rule "split": weighted rule needs at least one item with a non-zero weight
//	rule "latency" Regions[1].Region: "ap-mumbai-1" is not a known AWS region; use a region code such as ap-south-1
//
// Some checks go beyond what AWS documents and are this provider's policy; each
// has its own Code so the difference stays visible: CodeUnreachable (rules and
// endpoints not reachable from the start), the all-zero weights check
// (CodeWeight with an empty Field; it speaks only once every weight is present
// and in range), the id charset (CodeID) and health check ids in UUID form
// (CodeHealthCheck).
//
// # Simulation
//
// Compile validates a document once; Policy.Simulate computes the exact share
// of lookups each endpoint answers for a client in an AWS region with a given
// set of failing health checks (Unhealthy), and Policy.Resolve draws one
// answer from a caller-supplied random source, so that many lookups follow the
// shares. Simulate and Resolve are one-call shortcuts.
//
// The rules follow the Route 53 Developer Guide ("How Amazon Route 53 chooses
// records when health checking is configured" and "How health checks work in
// complex configurations"); each rule becomes a group of records, a rule
// reference an alias record:
//
//   - Health of an item: unhealthy if its HealthCheck is in the Unhealthy set;
//     with EvaluateTargetHealth true on a RuleReference, also unhealthy when the
//     referenced rule has no healthy record for this client. Items without a
//     health check are healthy. The alias targets' own health (an ELB's
//     targets, say) is not modelled: an EndpointReference's
//     EvaluateTargetHealth never makes it unhealthy.
//   - If no record of a rule is healthy, Route 53 treats them all as healthy
//     and routes as usual. Without EvaluateTargetHealth Route 53 never backs
//     out of a branch, so this is what happens inside it.
//   - weighted: healthy items in proportion to their weights. Zero-weight items
//     are used only when every non-zero item is unhealthy, then with equal
//     shares; all-zero weights share equally.
//   - latency: the healthy region with the lowest latency from the client
//     region; if none is healthy, the lowest-latency region.
//   - failover: Primary if healthy, else Secondary if healthy, else Primary
//     (Route 53 answers with the primary when both are unhealthy).
//   - geo: the client region is placed at the country (and US state) in the
//     region table (RegionInfo: e.g. ap-south-1 → IN/AS, us-east-1 → US/VA/NA).
//     The applicable entries are tried most specific first — state, country,
//     continent, default — and the first healthy one answers; if none is
//     healthy the most specific answers (AWS does not document this case); with
//     no applicable entry the lookup gets no answer (Distribution.NoAnswer).
//   - geoproximity: the client sits at its region's city; each entry at its
//     region's city or its coordinates; the great-circle distance is biased
//     with Route 53's documented formula (positive bias: d×(1−b/100); negative:
//     d/(1+b/100)) and the nearest healthy entry answers (the nearest overall if
//     none is healthy). Real Route 53 places clients by resolver IP or EDNS
//     client subnet, so borders differ.
//   - multivalue: every healthy endpoint (all of them if none is healthy) with
//     an equal share; a real answer carries up to MultivalueMaxRecords (8) of
//     them, which is what Resolve returns.
//
// # Latency table
//
// LatencyMS gives approximate round-trip times between AWS regions: a table of
// rounded figures for the main regions, of the kind public inter-region ping
// dashboards publish (about 58 ms Singapore–Mumbai, 70 ms Singapore–Tokyo,
// 110 ms Frankfurt–Mumbai), and for other pairs an estimate from great-circle
// distance (3 ms + 0.014 ms/km). They are approximate, not AWS data, and used
// only to order regions in the simulator; Route 53's own latency data measures
// resolver networks to regions and changes over time.
//
// # Seed pattern
//
// BuildRollout builds the seed's rollout policy: a weighted start rule between
// a single-region endpoint and a latency rule across regions, each region with
// its health check. A rollout is a series of versions (100/0 → 90/10 → 0/100);
// a rollback points the record at an older version.
package trafficflow
