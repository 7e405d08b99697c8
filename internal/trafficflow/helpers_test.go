package trafficflow

import (
	"errors"
	"testing"
)

const (
	hcSingapore = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
	hcMumbai    = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
	hcOther     = "5e1c0a3b-0b1f-4c2e-9a55-000000000003"
	hcFourth    = "5e1c0a3b-0b1f-4c2e-9a55-000000000004"

	albSingapore = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
	albMumbai    = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
)

func singapore() RegionalEndpoint {
	return RegionalEndpoint{Region: "ap-southeast-1", Value: albSingapore, HealthCheck: hcSingapore}
}

func mumbai() RegionalEndpoint {
	return RegionalEndpoint{Region: "ap-south-1", Value: albMumbai, HealthCheck: hcMumbai}
}

// seedRollout is the seed's policy at one rollout step.
func seedRollout(t testing.TB, single, latency int) *Document {
	t.Helper()
	doc, err := BuildRollout(RolloutSpec{
		Single:        singapore(),
		Regions:       []RegionalEndpoint{singapore(), mumbai()},
		SingleWeight:  single,
		LatencyWeight: latency,
	})
	if err != nil {
		t.Fatalf("BuildRollout: %v", err)
	}
	return doc
}

// latencyOnly is a latency rule across Singapore and Mumbai.
func latencyOnly() *Document {
	return &Document{
		FormatVersion: FormatVersion,
		RecordType:    RecordTypeA,
		StartRule:     "lat",
		Endpoints: map[string]Endpoint{
			"sin": {Type: EndpointApplicationLoadBalancer, Value: albSingapore},
			"bom": {Type: EndpointApplicationLoadBalancer, Value: albMumbai},
		},
		Rules: map[string]Rule{
			"lat": {RuleType: RuleLatency, Regions: []LatencyRegion{
				{Reference: Reference{EndpointReference: "sin", HealthCheck: hcSingapore}, Region: "ap-southeast-1"},
				{Reference: Reference{EndpointReference: "bom", HealthCheck: hcMumbai}, Region: "ap-south-1"},
			}},
		},
	}
}

func valueEndpoints(ips map[string]string) map[string]Endpoint {
	m := map[string]Endpoint{}
	for id, ip := range ips {
		m[id] = Endpoint{Type: EndpointValue, Value: ip}
	}
	return m
}

// everyRuleType exercises every rule type and optional field.
func everyRuleType() *Document {
	return &Document{
		FormatVersion: FormatVersion,
		RecordType:    RecordTypeA,
		StartRule:     "by_country",
		Endpoints: map[string]Endpoint{
			"ip1":    {Type: EndpointValue, Value: "192.0.2.1"},
			"ip2":    {Type: EndpointValue, Value: "192.0.2.2"},
			"ip3":    {Type: EndpointValue, Value: "192.0.2.3"},
			"ip4":    {Type: EndpointValue, Value: "192.0.2.4"},
			"cdn":    {Type: EndpointCloudFront, Value: "d111111abcdef8.cloudfront.net"},
			"banner": {Type: EndpointS3Website, Region: "us-east-1", Value: "www.example.com"},
			"clb":    {Type: EndpointElasticLoadBalancer, Value: "dualstack.classic-1.us-west-2.elb.amazonaws.com"},
			"nlb":    {Type: EndpointNetworkLoadBalancer, Value: "net-74f87b114e21682a.elb.eu-west-1.amazonaws.com"},
			"eb":     {Type: EndpointElasticBeanstalk, Value: "env-1.eba-abcd1234.us-east-1.elasticbeanstalk.com"},
		},
		Rules: map[string]Rule{
			"by_country": {RuleType: RuleGeo, Locations: []GeoLocation{
				{Reference: Reference{RuleReference: "near", EvaluateTargetHealth: Bool(true)}, Country: "IN"},
				{Reference: Reference{RuleReference: "pool"}, Continent: "EU"},
				{Reference: Reference{EndpointReference: "clb", HealthCheck: hcOther}, Country: "US", Subdivision: "WA"},
				{Reference: Reference{RuleReference: "guard"}, IsDefault: Bool(true)},
			}},
			"near": {RuleType: RuleGeoproximity, GeoproximityLocations: []GeoproximityLocation{
				{Reference: Reference{EndpointReference: "nlb"}, Region: "aws:route53:eu-west-1", Bias: Int(-10)},
				{Reference: Reference{RuleReference: "split", EvaluateTargetHealth: Bool(false)}, Latitude: "19.08", Longitude: "72.88", Bias: Int(25)},
			}},
			"split": {RuleType: RuleWeighted, Items: []Item{
				{Reference: Reference{EndpointReference: "ip1", HealthCheck: hcSingapore}, Weight: Int(3)},
				{Reference: Reference{EndpointReference: "cdn", EvaluateTargetHealth: Bool(false)}, Weight: Int(0)},
			}},
			"pool": {RuleType: RuleMultivalue, Items: []Item{
				{Reference: Reference{EndpointReference: "ip2", HealthCheck: hcMumbai}},
				{Reference: Reference{EndpointReference: "ip3"}},
			}},
			"guard": {RuleType: RuleFailover,
				Primary:   &Reference{RuleReference: "regional", EvaluateTargetHealth: Bool(true)},
				Secondary: &Reference{EndpointReference: "banner"},
			},
			"regional": {RuleType: RuleLatency, Regions: []LatencyRegion{
				{Reference: Reference{EndpointReference: "eb"}, Region: "us-east-1"},
				{Reference: Reference{EndpointReference: "ip4", HealthCheck: hcFourth}, Region: "ap-northeast-1"},
			}},
		},
	}
}

func problemsOf(t *testing.T, err error) ValidationErrors {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not ValidationErrors", err, err)
	}
	return ve
}
