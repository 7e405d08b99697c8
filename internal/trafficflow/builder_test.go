package trafficflow

import (
	"reflect"
	"strings"
	"testing"
)

func TestBuildRolloutSharesTheSingleEndpoint(t *testing.T) {
	doc := seedRollout(t, 90, 10)
	if len(doc.Endpoints) != 2 {
		t.Fatalf("endpoints = %v, want Singapore and Mumbai only", doc.Endpoints)
	}
	split := doc.Rules[RolloutSplitRule]
	if doc.StartRule != RolloutSplitRule || split.RuleType != RuleWeighted || len(split.Items) != 2 {
		t.Fatalf("split rule = %+v", split)
	}
	if split.Items[0].EndpointReference != "ap-southeast-1" || *split.Items[0].Weight != 90 || split.Items[0].HealthCheck != hcSingapore {
		t.Errorf("single item = %+v", split.Items[0])
	}
	latencyItem := split.Items[1]
	if latencyItem.RuleReference != RolloutLatencyRule || *latencyItem.Weight != 10 || latencyItem.EvaluateTargetHealth == nil || !*latencyItem.EvaluateTargetHealth {
		t.Errorf("latency item = %+v", latencyItem)
	}
	wantRegions := []LatencyRegion{
		{Reference: Reference{EndpointReference: "ap-southeast-1", HealthCheck: hcSingapore}, Region: "ap-southeast-1"},
		{Reference: Reference{EndpointReference: "ap-south-1", HealthCheck: hcMumbai}, Region: "ap-south-1"},
	}
	if got := doc.Rules[RolloutLatencyRule].Regions; !reflect.DeepEqual(got, wantRegions) {
		t.Errorf("latency regions = %+v", got)
	}
}

func TestBuildRolloutSeparateSingleEndpoint(t *testing.T) {
	legacy := RegionalEndpoint{Region: "ap-southeast-1", Type: EndpointNetworkLoadBalancer,
		Value: "legacy-0123456789abcdef.elb.ap-southeast-1.amazonaws.com", HealthCheck: hcOther, EvaluateTargetHealth: true}
	doc, err := BuildRollout(RolloutSpec{
		RecordType:    RecordTypeAAAA,
		Single:        legacy,
		Regions:       []RegionalEndpoint{singapore(), mumbai()},
		SingleWeight:  255,
		LatencyWeight: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	ep, ok := doc.Endpoints["single-ap-southeast-1"]
	if !ok || ep.Type != EndpointNetworkLoadBalancer || len(doc.Endpoints) != 3 || doc.RecordType != RecordTypeAAAA {
		t.Fatalf("endpoints = %+v, record type %s", doc.Endpoints, doc.RecordType)
	}
	item := doc.Rules[RolloutSplitRule].Items[0]
	if item.EndpointReference != "single-ap-southeast-1" || item.EvaluateTargetHealth == nil || !*item.EvaluateTargetHealth {
		t.Errorf("single item = %+v", item)
	}
	d, err := Simulate(doc, "ap-south-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Shares["single-ap-southeast-1"] != 255.0/256 || d.Shares["ap-south-1"] != 1.0/256 {
		t.Errorf("shares = %v", d.Shares)
	}
}

func TestBuildRolloutRejects(t *testing.T) {
	cases := []struct {
		name string
		spec RolloutSpec
		want string
	}{
		{"no regions", RolloutSpec{Single: singapore(), SingleWeight: 1}, "at least one region"},
		{"duplicate region", RolloutSpec{Single: singapore(), Regions: []RegionalEndpoint{singapore(), singapore()}, SingleWeight: 1}, "twice"},
		{"all weights zero", RolloutSpec{Single: singapore(), Regions: []RegionalEndpoint{mumbai()}}, `rule "split": weighted rule needs at least one item with a non-zero weight`},
		{"bad region", RolloutSpec{Single: singapore(), Regions: []RegionalEndpoint{{Region: "ap-mumbai-1", Value: albMumbai}}, LatencyWeight: 1}, `rule "latency" Regions[0].Region`},
		{"bad health check", RolloutSpec{Single: singapore(), Regions: []RegionalEndpoint{{Region: "ap-south-1", Value: albMumbai, HealthCheck: "mumbai"}}, LatencyWeight: 1}, "health check id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildRollout(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("BuildRollout error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRolloutAndRollbackAreVersions(t *testing.T) {
	// Each rollout step is its own immutable document; rolling back is
	// pointing at an earlier one, which renders byte for byte as before.
	steps := [][2]int{{100, 0}, {90, 10}, {0, 100}}
	rendered := map[[2]int]string{}
	for _, s := range steps {
		out, err := Render(seedRollout(t, s[0], s[1]))
		if err != nil {
			t.Fatal(err)
		}
		rendered[s] = string(out)
	}
	if rendered[steps[0]] == rendered[steps[1]] || rendered[steps[1]] == rendered[steps[2]] {
		t.Fatal("rollout steps render identically")
	}
	again, _ := Render(seedRollout(t, 90, 10))
	if string(again) != rendered[[2]int{90, 10}] {
		t.Error("the same step rendered differently")
	}
}
