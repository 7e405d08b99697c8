package trafficflow

import (
	"errors"
	"fmt"
)

// Ids used by BuildRollout.
const (
	RolloutSplitRule   = "split"   // the weighted start rule
	RolloutLatencyRule = "latency" // the latency rule across regions
)

// RegionalEndpoint is one application endpoint in one AWS region.
type RegionalEndpoint struct {
	Region string       // AWS region code, e.g. "ap-southeast-1"
	Type   EndpointType // defaults to application-load-balancer
	Value  string       // the load balancer's DNS name (or the record value for Type "value")
	// HealthCheck is the id of the Route 53 health check watching this region's
	// application; when it fails, traffic moves away from the region.
	HealthCheck string
	// EvaluateTargetHealth also asks Route 53 to look at the alias target's
	// own health (e.g. the load balancer's targets).
	EvaluateTargetHealth bool
}

// RolloutSpec is the seed's rollout pattern: a weighted rule splitting traffic
// between a single-region endpoint (what served everyone before) and a latency
// rule across regions, each region guarded by its health check. Rolling out is
// a sequence of policy versions with weights 100/0 → 90/10 → 0/100; rolling
// back is pointing the record at an older version.
type RolloutSpec struct {
	RecordType    RecordType         // defaults to A
	Single        RegionalEndpoint   // the single-region endpoint
	Regions       []RegionalEndpoint // members of the latency rule
	SingleWeight  int                // weight of the single-region endpoint, 0–255
	LatencyWeight int                // weight of the latency rule, 0–255
}

// BuildRollout builds and validates the document for spec:
//
//	split (weighted, start)
//	├─ weight SingleWeight  → endpoint for Single (its health check)
//	└─ weight LatencyWeight → latency (EvaluateTargetHealth: true)
//	                            ├─ Region r1 → endpoint r1 (its health check)
//	                            └─ Region r2 → endpoint r2 (its health check)
//
// Endpoint ids are the region codes ("ap-southeast-1"). When Single is the same
// endpoint as a latency member (same region, type and value) both reference
// one endpoint; otherwise Single gets the id "single-<region>".
//
// Because the latency reference evaluates target health, the weighted rule
// stops choosing it once every region is unhealthy; inside the latency rule an
// unhealthy region's clients go to the next-closest healthy region.
func BuildRollout(spec RolloutSpec) (*Document, error) {
	if len(spec.Regions) == 0 {
		return nil, errors.New("trafficflow: rollout needs at least one region in the latency rule")
	}
	rt := spec.RecordType
	if rt == "" {
		rt = RecordTypeA
	}
	doc := &Document{
		FormatVersion: FormatVersion,
		RecordType:    rt,
		StartRule:     RolloutSplitRule,
		Endpoints:     map[string]Endpoint{},
		Rules:         map[string]Rule{},
	}
	endpointOf := func(r RegionalEndpoint) Endpoint {
		t := r.Type
		if t == "" {
			t = EndpointApplicationLoadBalancer
		}
		ep := Endpoint{Type: t, Value: r.Value}
		if t == EndpointS3Website {
			ep.Region = r.Region
		}
		return ep
	}
	refTo := func(id string, r RegionalEndpoint) Reference {
		ref := Reference{EndpointReference: id, HealthCheck: r.HealthCheck}
		if r.EvaluateTargetHealth {
			ref.EvaluateTargetHealth = Bool(true)
		}
		return ref
	}

	latency := Rule{RuleType: RuleLatency}
	for _, r := range spec.Regions {
		if _, dup := doc.Endpoints[r.Region]; dup {
			return nil, fmt.Errorf("trafficflow: rollout lists region %q twice", r.Region)
		}
		doc.Endpoints[r.Region] = endpointOf(r)
		latency.Regions = append(latency.Regions, LatencyRegion{Reference: refTo(r.Region, r), Region: r.Region})
	}

	singleID := spec.Single.Region
	if existing, ok := doc.Endpoints[singleID]; !ok || existing != endpointOf(spec.Single) {
		singleID = "single-" + spec.Single.Region
		doc.Endpoints[singleID] = endpointOf(spec.Single)
	}
	doc.Rules[RolloutLatencyRule] = latency
	doc.Rules[RolloutSplitRule] = Rule{
		RuleType: RuleWeighted,
		Items: []Item{
			{Reference: refTo(singleID, spec.Single), Weight: Int(spec.SingleWeight)},
			{Reference: Reference{RuleReference: RolloutLatencyRule, EvaluateTargetHealth: Bool(true)}, Weight: Int(spec.LatencyWeight)},
		},
	}
	if err := Validate(doc); err != nil {
		return nil, fmt.Errorf("trafficflow: rollout document: %w", err)
	}
	return doc, nil
}
