package route53_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// policyRecord creates a traffic policy from document and a policy record
// for name in the zone, and waits until it answers.
func (e *env) policyRecord(t *testing.T, zoneID, name, document string) {
	t.Helper()
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(name), Document: aws.String(document)})
	if err != nil {
		t.Fatalf("CreateTrafficPolicy %s: %v", name, err)
	}
	in, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String(name),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatalf("CreateTrafficPolicyInstance %s: %v", name, err)
	}
	e.waitApplied(t, aws.ToString(in.TrafficPolicyInstance.Id))
}

// endpointShares looks name up n times and returns how often each endpoint
// id of the document answered ("" counts empty answers).
func endpointShares(t *testing.T, svc *route53.Service, clientRegion, name string, n int) map[string]float64 {
	t.Helper()
	rnd := rand.New(rand.NewPCG(7, 11))
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		ans, err := svc.Lookup(clientRegion, name, "A", rnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans) == 0 {
			counts[""]++
		}
		for _, a := range ans {
			counts[a.Endpoint]++
		}
	}
	out := map[string]float64{}
	for k, c := range counts {
		out[k] = float64(c) / float64(n)
	}
	return out
}

// near reports whether every share is within tol of what want says (0 for
// ids want does not list).
func near(got, want map[string]float64, tol float64) bool {
	for k, w := range want {
		if math.Abs(got[k]-w) > tol {
			return false
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g > 0 {
			return false
		}
	}
	return true
}

// endpoints declares value endpoints e1..en (192.0.2.1..n).
func endpoints(n int) string {
	s := ""
	for i := 1; i <= n; i++ {
		if i > 1 {
			s += ","
		}
		s += fmt.Sprintf(`"e%d":{"Type":"value","Value":"192.0.2.%d"}`, i, i)
	}
	return s
}

// TestTrafficPolicyRouting answers each rule type with the health rules of
// "How Amazon Route 53 chooses records when health checking is configured".
func TestTrafficPolicyRouting(t *testing.T) {
	e := start(t)
	e.svc.SetDelays(route53.Delays{})
	e.svc.SetLimits(route53.Limits{HostedZones: 500, HealthChecks: 200, TrafficPolicies: 100, TrafficPolicyInstances: 100, TrafficPolicyVersions: 1000})
	zoneID := e.zone(t, "example.com")
	hc := make([]string, 6)
	for i := range hc {
		hc[i] = e.healthCheck(t, fmt.Sprintf("203.0.113.%d", i+1))
	}
	down := func(ids ...string) func() {
		for _, id := range ids {
			if err := e.svc.SetHealthCheckStatus(id, false); err != nil {
				t.Fatal(err)
			}
		}
		return func() {
			for _, id := range ids {
				_ = e.svc.SetHealthCheckStatus(id, true)
			}
		}
	}
	const n = 4000
	check := func(what, region, name string, want map[string]float64) {
		t.Helper()
		if got := endpointShares(t, e.svc, region, name, n); !near(got, want, 0.03) {
			t.Errorf("%s (client in %s): shares %v, want %v", what, region, got, want)
		}
	}

	t.Run("weighted", func(t *testing.T) {
		e.policyRecord(t, zoneID, "w.example.com", doc(endpoints(3), fmt.Sprintf(
			`"r":{"RuleType":"weighted","Items":[{"EndpointReference":"e1","Weight":3,"HealthCheck":%q},{"EndpointReference":"e2","Weight":1,"HealthCheck":%q},{"EndpointReference":"e3","Weight":0,"HealthCheck":%q}]}`,
			hc[0], hc[1], hc[2])))
		check("3:1:0", "us-east-1", "w.example.com", map[string]float64{"e1": 0.75, "e2": 0.25})
		up := down(hc[0])
		check("the weight-3 item unhealthy", "us-east-1", "w.example.com", map[string]float64{"e2": 1})
		up()
		up = down(hc[0], hc[1])
		check("every nonzero item unhealthy: the weight-0 item answers", "us-east-1", "w.example.com", map[string]float64{"e3": 1})
		up()
		up = down(hc[0], hc[1], hc[2])
		check("all unhealthy: by weight, omitting weight 0", "us-east-1", "w.example.com", map[string]float64{"e1": 0.75, "e2": 0.25})
		up()
		e.policyRecord(t, zoneID, "w0.example.com", doc(endpoints(3), `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"e1","Weight":0},{"EndpointReference":"e2","Weight":0},{"EndpointReference":"e3","Weight":0}]}`))
		check("all weights 0: equal shares", "us-east-1", "w0.example.com", map[string]float64{"e1": 1.0 / 3, "e2": 1.0 / 3, "e3": 1.0 / 3})
	})

	t.Run("failover", func(t *testing.T) {
		e.policyRecord(t, zoneID, "f.example.com", doc(endpoints(2), fmt.Sprintf(
			`"r":{"RuleType":"failover","Primary":{"EndpointReference":"e1","HealthCheck":%q},"Secondary":{"EndpointReference":"e2","HealthCheck":%q}}`, hc[0], hc[1])))
		check("primary healthy", "eu-west-1", "f.example.com", map[string]float64{"e1": 1})
		up := down(hc[0])
		check("primary unhealthy", "eu-west-1", "f.example.com", map[string]float64{"e2": 1})
		up()
		up = down(hc[0], hc[1])
		check("both unhealthy: the primary", "eu-west-1", "f.example.com", map[string]float64{"e1": 1})
		up()
	})

	t.Run("latency", func(t *testing.T) {
		e.policyRecord(t, zoneID, "l.example.com", doc(endpoints(3), fmt.Sprintf(
			`"r":{"RuleType":"latency","Regions":[{"EndpointReference":"e1","Region":"us-east-1","HealthCheck":%q},{"EndpointReference":"e2","Region":"eu-west-1","HealthCheck":%q},{"EndpointReference":"e3","Region":"ap-southeast-1","HealthCheck":%q}]}`,
			hc[0], hc[1], hc[2])))
		for client, want := range map[string]string{"us-east-2": "e1", "eu-central-1": "e2", "ap-southeast-3": "e3", "ap-south-1": "e3", "sa-east-1": "e1"} {
			check("nearest region", client, "l.example.com", map[string]float64{want: 1})
		}
		up := down(hc[1])
		check("Ireland unhealthy: the next-lowest latency", "eu-central-1", "l.example.com", map[string]float64{"e1": 1})
		up()
		up = down(hc[0], hc[1], hc[2])
		check("all unhealthy: the lowest latency", "eu-central-1", "l.example.com", map[string]float64{"e2": 1})
		up()
	})

	t.Run("geo", func(t *testing.T) {
		e.policyRecord(t, zoneID, "g.example.com", doc(endpoints(4), fmt.Sprintf(
			`"r":{"RuleType":"geo","Locations":[{"EndpointReference":"e1","Country":"US","Subdivision":"VA","HealthCheck":%q},{"EndpointReference":"e2","Country":"US","HealthCheck":%q},{"EndpointReference":"e3","Continent":"NA","HealthCheck":%q},{"EndpointReference":"e4","IsDefault":true,"HealthCheck":%q}]}`,
			hc[0], hc[1], hc[2], hc[3])))
		for client, want := range map[string]string{"us-east-1": "e1", "us-west-2": "e2", "ca-central-1": "e3", "eu-west-1": "e4"} {
			check("most specific location", client, "g.example.com", map[string]float64{want: 1})
		}
		up := down(hc[0], hc[1])
		check("state and country unhealthy: the continent", "us-east-1", "g.example.com", map[string]float64{"e3": 1})
		up()
		up = down(hc[0], hc[1], hc[2], hc[3])
		check("every location of the client unhealthy: the most specific", "us-east-1", "g.example.com", map[string]float64{"e1": 1})
		up()
		e.policyRecord(t, zoneID, "g2.example.com", doc(endpoints(1), `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"e1","Country":"JP"}]}`))
		check("no location for the client and no default: no answer", "eu-west-1", "g2.example.com", map[string]float64{"": 1})
		res, err := e.svc.Resolve("eu-west-1", "g2.example.com", "A", nil)
		if err != nil || res.NXDomain || len(res.Answers) != 0 {
			t.Errorf("no answer should be NOERROR without data: %+v, %v", res, err)
		}
	})

	t.Run("geoproximity", func(t *testing.T) {
		// From Ohio, N. Virginia is about 470 km away and Ireland about 5,800 km.
		e.policyRecord(t, zoneID, "p.example.com", doc(endpoints(2), `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"e1","Region":"aws:route53:us-east-1"},{"EndpointReference":"e2","Latitude":"53.35","Longitude":"-6.26"}]}`))
		check("nearest", "us-east-2", "p.example.com", map[string]float64{"e1": 1})
		check("nearest", "eu-west-2", "p.example.com", map[string]float64{"e2": 1})
		e.policyRecord(t, zoneID, "pb.example.com", doc(endpoints(2), `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"e1","Region":"aws:route53:us-east-1","Bias":-95},{"EndpointReference":"e2","Latitude":"53.35","Longitude":"-6.26","Bias":"50"}]}`))
		check("biases moving Ohio to Ireland", "us-east-2", "pb.example.com", map[string]float64{"e2": 1})
	})

	t.Run("multivalue", func(t *testing.T) {
		items := ""
		for i := 1; i <= 10; i++ {
			if i > 1 {
				items += ","
			}
			items += fmt.Sprintf(`{"EndpointReference":"e%d"}`, i)
		}
		e.policyRecord(t, zoneID, "m.example.com", doc(endpoints(10), `"r":{"RuleType":"multivalue","Items":[`+items+`]}`))
		ans, err := e.svc.Lookup("us-east-1", "m.example.com", "A", rand.New(rand.NewPCG(1, 2)))
		if err != nil || len(ans) != 8 {
			t.Fatalf("ten healthy values: %d answers %v, %v; want 8", len(ans), ans, err)
		}
		seen := map[string]bool{}
		for _, a := range ans {
			seen[a.Value] = true
		}
		if len(seen) != 8 {
			t.Errorf("answers repeat a value: %v", ans)
		}
		e.policyRecord(t, zoneID, "m3.example.com", doc(endpoints(3), fmt.Sprintf(
			`"r":{"RuleType":"multivalue","Items":[{"EndpointReference":"e1","HealthCheck":%q},{"EndpointReference":"e2","HealthCheck":%q},{"EndpointReference":"e3"}]}`, hc[0], hc[1])))
		up := down(hc[0])
		check("the healthy values", "us-east-1", "m3.example.com", map[string]float64{"e2": 1, "e3": 1})
		up()
		e.policyRecord(t, zoneID, "m2.example.com", doc(endpoints(2), fmt.Sprintf(
			`"r":{"RuleType":"multivalue","Items":[{"EndpointReference":"e1","HealthCheck":%q},{"EndpointReference":"e2","HealthCheck":%q}]}`, hc[0], hc[1])))
		up = down(hc[0], hc[1])
		check("none healthy: all of them", "us-east-1", "m2.example.com", map[string]float64{"e1": 1, "e2": 1})
		up()
	})

	t.Run("nested rules and EvaluateTargetHealth", func(t *testing.T) {
		// A failover rule whose primary is a weighted rule of two checked
		// endpoints. With EvaluateTargetHealth, the primary is unhealthy once
		// both are; without it, Route 53 stays in the branch.
		rules := func(eth bool) string {
			return fmt.Sprintf(`"r":{"RuleType":"failover","Primary":{"RuleReference":"w","EvaluateTargetHealth":%t},"Secondary":{"EndpointReference":"e3"}},`+
				`"w":{"RuleType":"weighted","Items":[{"EndpointReference":"e1","Weight":1,"HealthCheck":%q},{"EndpointReference":"e2","Weight":1,"HealthCheck":%q}]}`, eth, hc[0], hc[1])
		}
		e.policyRecord(t, zoneID, "eth.example.com", doc(endpoints(3), rules(true)))
		e.policyRecord(t, zoneID, "noeth.example.com", doc(endpoints(3), rules(false)))
		check("both healthy", "us-east-1", "eth.example.com", map[string]float64{"e1": 0.5, "e2": 0.5})
		up := down(hc[0])
		check("one unhealthy", "us-east-1", "eth.example.com", map[string]float64{"e2": 1})
		up()
		up = down(hc[0], hc[1])
		check("branch unhealthy with EvaluateTargetHealth: the secondary", "us-east-1", "eth.example.com", map[string]float64{"e3": 1})
		check("branch unhealthy without EvaluateTargetHealth: stays in the branch", "us-east-1", "noeth.example.com", map[string]float64{"e1": 0.5, "e2": 0.5})
		up()
		// A health check on the rule reference itself.
		e.policyRecord(t, zoneID, "hc.example.com", doc(endpoints(3), fmt.Sprintf(
			`"r":{"RuleType":"failover","Primary":{"RuleReference":"w","HealthCheck":%q},"Secondary":{"EndpointReference":"e3"}},"w":{"RuleType":"weighted","Items":[{"EndpointReference":"e1","Weight":1}]}`, hc[4])))
		up = down(hc[4])
		check("the alias's own health check", "us-east-1", "hc.example.com", map[string]float64{"e3": 1})
		up()
	})

	// Every region the emulator places clients in has a latency model and a location.
	for _, r := range route53.Regions() {
		if ms, ok := route53.LatencyMS(r.Code, r.Code); !ok || ms != 2 {
			t.Errorf("latency within %s = %v, %v", r.Code, ms, ok)
		}
		if r.Country == "" || r.Continent == "" {
			t.Errorf("region %s has no geolocation", r.Code)
		}
	}
	if !slices.ContainsFunc(route53.Regions(), func(r route53.Region) bool { return r.Code == "il-central-1" }) {
		t.Error("il-central-1 missing from the region table")
	}
}
