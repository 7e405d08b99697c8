package trafficflow

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func simulate(t *testing.T, doc *Document, client string, unhealthy Unhealthy) *Distribution {
	t.Helper()
	d, err := Simulate(doc, client, unhealthy)
	if err != nil {
		t.Fatalf("Simulate: %v", err)
	}
	sum := d.NoAnswer
	for _, s := range d.Shares {
		sum += s
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("shares sum to %v: %+v", sum, d)
	}
	return d
}

func assertShares(t *testing.T, got *Distribution, want map[string]float64) {
	t.Helper()
	for id, w := range want {
		if math.Abs(got.Shares[id]-w) > 1e-12 {
			t.Errorf("share of %s = %v, want %v (all: %v)", id, got.Shares[id], w, got.Shares)
		}
	}
	for id, s := range got.Shares {
		if _, ok := want[id]; !ok && s != 0 {
			t.Errorf("unexpected share %v for %s", s, id)
		}
	}
}

func TestSimulateSeedRolloutSteps(t *testing.T) {
	for _, tc := range []struct {
		single, latency int
		client          string
		want            map[string]float64
	}{
		// Everyone on Singapore before the rollout.
		{100, 0, "ap-south-1", map[string]float64{"ap-southeast-1": 1}},
		// 90/10: Singapore clients stay on Singapore either way.
		{90, 10, "ap-southeast-1", map[string]float64{"ap-southeast-1": 1}},
		// 90/10: Mumbai clients get 10 % from Mumbai (their closest region).
		{90, 10, "ap-south-1", map[string]float64{"ap-southeast-1": 0.9, "ap-south-1": 0.1}},
		// European clients are closer to Mumbai than to Singapore.
		{90, 10, "eu-central-1", map[string]float64{"ap-southeast-1": 0.9, "ap-south-1": 0.1}},
		// Tokyo clients are closer to Singapore.
		{90, 10, "ap-northeast-1", map[string]float64{"ap-southeast-1": 1}},
		// Rollout complete: pure latency routing.
		{0, 100, "ap-south-1", map[string]float64{"ap-south-1": 1}},
		{0, 100, "me-south-1", map[string]float64{"ap-south-1": 1}},
	} {
		d := simulate(t, seedRollout(t, tc.single, tc.latency), tc.client, nil)
		assertShares(t, d, tc.want)
	}
}

func TestSimulateWeightedSharesExact(t *testing.T) {
	doc := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "w",
		Endpoints: valueEndpoints(map[string]string{"old": "192.0.2.1", "new": "192.0.2.2"}),
		Rules: map[string]Rule{"w": {RuleType: RuleWeighted, Items: []Item{
			{Reference: Reference{EndpointReference: "old", HealthCheck: hcSingapore}, Weight: Int(90)},
			{Reference: Reference{EndpointReference: "new", HealthCheck: hcMumbai}, Weight: Int(10)},
		}}},
	}
	d := simulate(t, doc, "us-east-1", nil)
	if d.Shares["old"] != 0.9 || d.Shares["new"] != 0.1 || d.NoAnswer != 0 {
		t.Errorf("shares = %v, no answer %v; want exactly 0.9 / 0.1", d.Shares, d.NoAnswer)
	}
	wantRoutes := []Route{{Rules: []string{"w"}, Endpoint: "old", Share: 0.9}, {Rules: []string{"w"}, Endpoint: "new", Share: 0.1}}
	if !reflect.DeepEqual(d.Routes, wantRoutes) {
		t.Errorf("routes = %v, want %v", d.Routes, wantRoutes)
	}
	if got := d.Routes[1].String(); got != "w → new (10.00%)" {
		t.Errorf("Route.String() = %q", got)
	}
	// One unhealthy item: the other gets everything.
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcSingapore)), map[string]float64{"new": 1})
	// All unhealthy: Route 53 treats them all as healthy, so the weights apply.
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcSingapore, hcMumbai)), map[string]float64{"old": 0.9, "new": 0.1})
}

func TestSimulateZeroWeights(t *testing.T) {
	doc := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "w",
		Endpoints: valueEndpoints(map[string]string{"a": "192.0.2.1", "b": "192.0.2.2", "z1": "192.0.2.3", "z2": "192.0.2.4"}),
		Rules: map[string]Rule{"w": {RuleType: RuleWeighted, Items: []Item{
			{Reference: Reference{EndpointReference: "a", HealthCheck: hcSingapore}, Weight: Int(3)},
			{Reference: Reference{EndpointReference: "b", HealthCheck: hcMumbai}, Weight: Int(1)},
			{Reference: Reference{EndpointReference: "z1", HealthCheck: hcOther}, Weight: Int(0)},
			{Reference: Reference{EndpointReference: "z2"}, Weight: Int(0)},
		}}},
	}
	assertShares(t, simulate(t, doc, "us-east-1", nil), map[string]float64{"a": 0.75, "b": 0.25})
	// Non-zero weights all unhealthy: the healthy zero-weight records share equally.
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcSingapore, hcMumbai)), map[string]float64{"z1": 0.5, "z2": 0.5})
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcSingapore, hcMumbai, hcOther)), map[string]float64{"z2": 1})
}

func TestSimulateLatencyFailover(t *testing.T) {
	doc := latencyOnly()
	cases := []struct {
		name      string
		client    string
		unhealthy Unhealthy
		want      string
	}{
		{"Singapore clients answered from Singapore", "ap-southeast-1", nil, "sin"},
		{"Mumbai clients answered from Mumbai", "ap-south-1", nil, "bom"},
		{"Singapore down: Singapore clients go to Mumbai", "ap-southeast-1", UnhealthyChecks(hcSingapore), "bom"},
		{"Singapore healthy again: back to Singapore", "ap-southeast-1", UnhealthyChecks(), "sin"},
		{"Singapore down does not move Mumbai clients", "ap-south-1", UnhealthyChecks(hcSingapore), "bom"},
		{"Mumbai down: Mumbai clients go to Singapore", "ap-south-1", UnhealthyChecks(hcMumbai), "sin"},
		{"both down: closest region as if healthy", "ap-southeast-1", UnhealthyChecks(hcSingapore, hcMumbai), "sin"},
		{"both down, Mumbai client", "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai), "bom"},
		{"unrelated check failing", "ap-southeast-1", UnhealthyChecks(hcOther), "sin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertShares(t, simulate(t, doc, tc.client, tc.unhealthy), map[string]float64{tc.want: 1})
		})
	}
}

func TestSimulateSeedSingaporeDown(t *testing.T) {
	doc := seedRollout(t, 90, 10)
	// Singapore's check fails: the 90 % item is unhealthy, the latency rule
	// (EvaluateTargetHealth) is healthy through Mumbai, so everything goes to
	// Mumbai, including Singapore's own clients.
	for _, client := range []string{"ap-southeast-1", "ap-south-1", "us-east-1"} {
		assertShares(t, simulate(t, doc, client, UnhealthyChecks(hcSingapore)), map[string]float64{"ap-south-1": 1})
	}
	// Mumbai's check fails: nothing changes for Singapore clients; Mumbai's
	// 10 % moves to Singapore.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcMumbai)), map[string]float64{"ap-southeast-1": 1})
	// Both fail: Route 53 considers everything healthy again.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai)),
		map[string]float64{"ap-southeast-1": 0.9, "ap-south-1": 0.1})
}

func TestSimulateFailover(t *testing.T) {
	doc := failoverDoc() // primary p has a health check, secondary s has none
	assertShares(t, simulate(t, doc, "us-east-1", nil), map[string]float64{"p": 1})
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcOther)), map[string]float64{"s": 1})

	// Both with health checks and both unhealthy: Route 53 answers with the primary.
	doc.Rules["fo"].Secondary.HealthCheck = hcFourth
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcOther, hcFourth)), map[string]float64{"p": 1})
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcFourth)), map[string]float64{"p": 1})
}

// nestedDoc: failover whose primary is a weighted rule of two latency rules.
func nestedDoc(eth bool) *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "top",
		Endpoints: map[string]Endpoint{
			"blue-sin":  {Type: EndpointApplicationLoadBalancer, Value: "blue-sin.ap-southeast-1.elb.amazonaws.com"},
			"blue-bom":  {Type: EndpointApplicationLoadBalancer, Value: "blue-bom.ap-south-1.elb.amazonaws.com"},
			"green-sin": {Type: EndpointApplicationLoadBalancer, Value: "green-sin.ap-southeast-1.elb.amazonaws.com"},
			"banner":    {Type: EndpointS3Website, Region: "ap-southeast-1", Value: "www.example.com"},
		},
		Rules: map[string]Rule{
			"top": {RuleType: RuleFailover,
				Primary:   &Reference{RuleReference: "colours", EvaluateTargetHealth: Bool(eth)},
				Secondary: &Reference{EndpointReference: "banner"},
			},
			"colours": {RuleType: RuleWeighted, Items: []Item{
				{Reference: Reference{RuleReference: "blue", EvaluateTargetHealth: Bool(eth)}, Weight: Int(3)},
				{Reference: Reference{RuleReference: "green", EvaluateTargetHealth: Bool(eth)}, Weight: Int(1)},
			}},
			"blue": {RuleType: RuleLatency, Regions: []LatencyRegion{
				{Reference: Reference{EndpointReference: "blue-sin", HealthCheck: hcSingapore}, Region: "ap-southeast-1"},
				{Reference: Reference{EndpointReference: "blue-bom", HealthCheck: hcMumbai}, Region: "ap-south-1"},
			}},
			"green": {RuleType: RuleLatency, Regions: []LatencyRegion{
				{Reference: Reference{EndpointReference: "green-sin", HealthCheck: hcOther}, Region: "ap-southeast-1"},
			}},
		},
	}
}

func TestSimulateNestedRules(t *testing.T) {
	doc := nestedDoc(true)
	d := simulate(t, doc, "ap-south-1", nil)
	assertShares(t, d, map[string]float64{"blue-bom": 0.75, "green-sin": 0.25})
	if d.Routes[0].String() != "top → colours → blue → blue-bom (75.00%)" {
		t.Errorf("routes = %v", d.Routes)
	}
	// Blue's Mumbai region fails: latency moves blue's share to Singapore.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcMumbai)), map[string]float64{"blue-sin": 0.75, "green-sin": 0.25})
	// Blue fails everywhere: with EvaluateTargetHealth the weighted rule
	// skips blue and green takes everything.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai)), map[string]float64{"green-sin": 1})
	// Everything behind the primary fails: the failover goes to the banner.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai, hcOther)), map[string]float64{"banner": 1})

	// Without EvaluateTargetHealth Route 53 never backs out of a branch: the
	// weighted rule keeps sending 75 % into blue, where (nothing healthy) the
	// closest region answers anyway, and the failover never fires.
	plain := nestedDoc(false)
	assertShares(t, simulate(t, plain, "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai)), map[string]float64{"blue-bom": 0.75, "green-sin": 0.25})
	assertShares(t, simulate(t, plain, "ap-south-1", UnhealthyChecks(hcSingapore, hcMumbai, hcOther)), map[string]float64{"blue-bom": 0.75, "green-sin": 0.25})
}

func TestSimulateGeo(t *testing.T) {
	doc := geoDoc() // IN → in, EU → eu, US/WA → wa, * → any
	for _, tc := range []struct {
		client    string
		unhealthy Unhealthy
		want      string
	}{
		{"ap-south-1", nil, "in"},      // India
		{"ap-south-2", nil, "in"},      // India (Hyderabad)
		{"eu-west-3", nil, "eu"},       // France → Europe
		{"us-west-2", nil, "any"},      // Oregon: no OR or US entry → default
		{"ap-southeast-1", nil, "any"}, // Singapore → default
	} {
		assertShares(t, simulate(t, doc, tc.client, tc.unhealthy), map[string]float64{tc.want: 1})
	}

	// A US state entry applies to clients in that state.
	doc.Rules["geo"].Locations[2].Subdivision = "OR"
	assertShares(t, simulate(t, doc, "us-west-2", nil), map[string]float64{"wa": 1})

	// Unhealthy country entry: Route 53 goes to the continent, then the default.
	g := doc.Rules["geo"]
	g.Locations = append(g.Locations, GeoLocation{Reference: Reference{EndpointReference: "eu"}, Continent: "AS"})
	g.Locations[0].HealthCheck = hcMumbai
	g.Locations[4].HealthCheck = hcOther
	g.Locations[3].HealthCheck = hcFourth
	doc.Rules["geo"] = g
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcMumbai)), map[string]float64{"eu": 1})
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcMumbai, hcOther)), map[string]float64{"any": 1})
	// Everything that applies is unhealthy: the most specific entry answers.
	assertShares(t, simulate(t, doc, "ap-south-1", UnhealthyChecks(hcMumbai, hcOther, hcFourth)), map[string]float64{"in": 1})

	// No default and no match: no answer.
	noDefault := geoDoc()
	nd := noDefault.Rules["geo"]
	nd.Locations = nd.Locations[:3]
	noDefault.Rules["geo"] = nd
	delete(noDefault.Endpoints, "any")
	d := simulate(t, noDefault, "sa-east-1", nil)
	if d.NoAnswer != 1 || len(d.Shares) != 0 {
		t.Errorf("no-match distribution = %+v, want all no answer", d)
	}
	if len(d.Routes) != 1 || d.Routes[0].Endpoint != "" || !strings.Contains(d.Routes[0].String(), "(no answer)") {
		t.Errorf("routes = %v", d.Routes)
	}
	ans, err := Resolve(noDefault, "sa-east-1", nil, rand.New(rand.NewPCG(1, 2)))
	if err != nil || len(ans.Endpoints) != 0 || !reflect.DeepEqual(ans.Rules, []string{"geo"}) {
		t.Errorf("Resolve(no match) = %+v, %v", ans, err)
	}
}

func TestSimulateGeoproximity(t *testing.T) {
	doc := geoproximityDoc() // aws: Mumbai region with bias 10; dc: London coordinates
	assertShares(t, simulate(t, doc, "ap-southeast-1", nil), map[string]float64{"aws": 1})
	assertShares(t, simulate(t, doc, "eu-west-2", nil), map[string]float64{"dc": 1})
	// Tel Aviv is 4,060 km from Mumbai and 3,558 km from London. Bias 10
	// makes Mumbai count as 3,654 km: still London. Bias 20: 3,248 km, Mumbai.
	assertShares(t, simulate(t, doc, "il-central-1", nil), map[string]float64{"dc": 1})
	doc.Rules["gp"].GeoproximityLocations[0].Bias = Int(20)
	assertShares(t, simulate(t, doc, "il-central-1", nil), map[string]float64{"aws": 1})
	// Bahrain is 2,417 km from Mumbai and 5,075 km from London. A negative
	// bias divides: -50 gives 4,834 km (Mumbai), -60 gives 6,042 km (London).
	doc.Rules["gp"].GeoproximityLocations[0].Bias = Int(-50)
	assertShares(t, simulate(t, doc, "me-south-1", nil), map[string]float64{"aws": 1})
	doc.Rules["gp"].GeoproximityLocations[0].Bias = Int(-60)
	assertShares(t, simulate(t, doc, "me-south-1", nil), map[string]float64{"dc": 1})
	// Health: the nearer resource failing moves clients to the other.
	doc.Rules["gp"].GeoproximityLocations[0].Bias = nil
	doc.Rules["gp"].GeoproximityLocations[0].HealthCheck = hcMumbai
	assertShares(t, simulate(t, doc, "ap-southeast-1", UnhealthyChecks(hcMumbai)), map[string]float64{"dc": 1})
}

// TestSimulateGeoproximity2023: Location entries of a 2023-05-09 document;
// a Local Zone is placed at its region.
func TestSimulateGeoproximity2023(t *testing.T) {
	doc := geoproximity2023Doc() // aws: Mumbai; atl: us-east-1's Atlanta Local Zone; dc: London
	assertShares(t, simulate(t, doc, "ap-southeast-1", nil), map[string]float64{"aws": 1})
	assertShares(t, simulate(t, doc, "us-east-2", nil), map[string]float64{"atl": 1})
	assertShares(t, simulate(t, doc, "eu-west-2", nil), map[string]float64{"dc": 1})
	out, err := Render(doc)
	if err != nil || !strings.Contains(string(out), `"AWSPolicyFormatVersion":"2023-05-09"`) ||
		!strings.Contains(string(out), `"Location":{"Type":"LocalZone","LocationName":"aws:route53:us-east-1-atl-1a"}`) {
		t.Errorf("Render = %s, %v", out, err)
	}
}

func TestSimulateMultivalue(t *testing.T) {
	doc := multivalueDoc() // a has a health check, b does not
	assertShares(t, simulate(t, doc, "us-east-1", nil), map[string]float64{"a": 0.5, "b": 0.5})
	assertShares(t, simulate(t, doc, "us-east-1", UnhealthyChecks(hcOther)), map[string]float64{"b": 1})

	// Twelve endpoints, all with failing checks: Route 53 answers with up to
	// eight of the unhealthy ones.
	big := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "mv", Endpoints: map[string]Endpoint{}}
	mv := Rule{RuleType: RuleMultivalue}
	for i := 0; i < 12; i++ {
		id := string(rune('a' + i))
		big.Endpoints[id] = Endpoint{Type: EndpointValue, Value: "192.0.2." + string(rune('1'+i%9))}
		mv.Items = append(mv.Items, Item{Reference: Reference{EndpointReference: id, HealthCheck: hcOther}})
	}
	big.Rules = map[string]Rule{"mv": mv}
	d := simulate(t, big, "us-east-1", UnhealthyChecks(hcOther))
	if len(d.Shares) != 12 || math.Abs(d.Shares["a"]-1.0/12) > 1e-12 {
		t.Errorf("shares = %v", d.Shares)
	}
	p, err := Compile(big)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 100; i++ {
		ans, err := p.Resolve("us-east-1", UnhealthyChecks(hcOther), rnd)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range ans.Endpoints {
			seen[e] = true
		}
		if len(ans.Endpoints) != MultivalueMaxRecords || len(seen) != MultivalueMaxRecords {
			t.Fatalf("multivalue answer %v: want %d distinct records", ans.Endpoints, MultivalueMaxRecords)
		}
	}
}

func TestResolveFollowsWeights(t *testing.T) {
	p, err := Compile(seedRollout(t, 90, 10))
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(2024, 10))
	const lookups = 10000
	counts := map[string]int{}
	viaLatency := 0
	for i := 0; i < lookups; i++ {
		ans, err := p.Resolve("ap-south-1", nil, rnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Endpoints) != 1 {
			t.Fatalf("answer %+v", ans)
		}
		counts[ans.Endpoints[0]]++
		if reflect.DeepEqual(ans.Rules, []string{"split", "latency"}) {
			viaLatency++
		}
	}
	share := float64(counts["ap-south-1"]) / lookups
	if share < 0.08 || share > 0.12 {
		t.Errorf("Mumbai answered %.2f%% of lookups, want 10%% ± 2%% (counts %v)", share*100, counts)
	}
	if viaLatency != counts["ap-south-1"] {
		t.Errorf("%d lookups went through the latency rule, %d answered from Mumbai", viaLatency, counts["ap-south-1"])
	}
	// Deterministic: the same seed gives the same sequence.
	a, b := rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 100; i++ {
		x, _ := p.Resolve("ap-south-1", nil, a)
		y, _ := p.Resolve("ap-south-1", nil, b)
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("lookup %d differs with the same seed: %v vs %v", i, x, y)
		}
	}
	// Failover in Resolve too: Singapore down → always Mumbai.
	for i := 0; i < 200; i++ {
		ans, _ := p.Resolve("ap-southeast-1", UnhealthyChecks(hcSingapore), rnd)
		if ans.Endpoints[0] != "ap-south-1" {
			t.Fatalf("Singapore down, answer %v", ans)
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	if _, err := Simulate(seedRollout(t, 90, 10), "mars-north-1", nil); err == nil || !strings.Contains(err.Error(), "unknown client region") {
		t.Errorf("unknown client region: %v", err)
	}
	bad := seedRollout(t, 90, 10)
	bad.StartRule = "missing"
	if _, err := Simulate(bad, "ap-south-1", nil); err == nil {
		t.Error("Simulate accepted an invalid document")
	}
	if _, err := Resolve(seedRollout(t, 90, 10), "ap-south-1", nil, nil); err == nil {
		t.Error("Resolve accepted a nil random source")
	}
	// StartEndpoint documents answer with the endpoint.
	d := simulate(t, single(RecordTypeA, "192.0.2.1"), "eu-west-1", nil)
	assertShares(t, d, map[string]float64{"e": 1})
	ans, err := Resolve(single(RecordTypeA, "192.0.2.1"), "eu-west-1", nil, rand.New(rand.NewPCG(0, 0)))
	if err != nil || !reflect.DeepEqual(ans.Endpoints, []string{"e"}) {
		t.Errorf("Resolve(StartEndpoint) = %+v, %v", ans, err)
	}
}

func TestCompileCopiesTheDocument(t *testing.T) {
	doc := seedRollout(t, 90, 10)
	p, err := Compile(doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Rules["split"].Items[0].Weight = Int(0) // mutate after compiling
	d, err := p.Simulate("ap-south-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertShares(t, d, map[string]float64{"ap-southeast-1": 0.9, "ap-south-1": 0.1})
}

func TestLatencyTable(t *testing.T) {
	for _, r := range Regions() {
		for _, s := range Regions() {
			ab, _, err := LatencyMS(r.Code, s.Code)
			if err != nil {
				t.Fatal(err)
			}
			ba, _, _ := LatencyMS(s.Code, r.Code)
			if ab != ba || ab <= 0 {
				t.Errorf("latency %s↔%s not symmetric/positive: %v %v", r.Code, s.Code, ab, ba)
			}
			if r.Code != s.Code && ab <= sameRegionMS {
				t.Errorf("latency %s→%s = %v is not above the in-region figure", r.Code, s.Code, ab)
			}
		}
	}
	sinBom, fromTable, _ := LatencyMS("ap-southeast-1", "ap-south-1")
	if !fromTable || sinBom < 40 || sinBom > 80 {
		t.Errorf("Singapore↔Mumbai = %v ms (table %v), want roughly 55–65", sinBom, fromTable)
	}
	// Table entries are physically possible (light in fibre covers at most
	// about 200 km per ms, so an RTT takes at least distance/100 ms) and not
	// wildly above the distance model (some routes, such as Stockholm–Tokyo or
	// São Paulo–Cape Town, detour through other continents). This catches
	// typos such as a dropped digit.
	for pair, ms := range latencyMS {
		a, _ := LookupRegion(pair[0])
		b, _ := LookupRegion(pair[1])
		km := distanceKM(a.Latitude, a.Longitude, b.Latitude, b.Longitude)
		if est := 3 + 0.014*km; ms < km/100 || ms > 4*est {
			t.Errorf("latency %s↔%s = %v ms for %.0f km (distance model %.0f ms)", pair[0], pair[1], ms, km, est)
		}
	}
	if _, _, err := LatencyMS("ap-southeast-1", "nowhere-1"); err == nil {
		t.Error("unknown region accepted")
	}
	// Regions outside the table get the distance estimate.
	if ms, fromTable, _ := LatencyMS("ap-southeast-5", "ap-southeast-1"); fromTable || ms > 20 {
		t.Errorf("Kuala Lumpur→Singapore = %v ms (table %v)", ms, fromTable)
	}
	// Every client region's geolocation is a country Route 53 knows, on the
	// continent Route 53 files it under.
	for _, r := range Regions() {
		if continentOf[r.Country] != r.Continent {
			t.Errorf("region %s: country %s is on %s, table says %s", r.Code, r.Country, continentOf[r.Country], r.Continent)
		}
		if r.Subdivision != "" && (r.Country != "US" || !usStates[r.Subdivision]) {
			t.Errorf("region %s: bad subdivision %s", r.Code, r.Subdivision)
		}
	}
}

func TestSimulateSharedSubRulesStayCheap(t *testing.T) {
	// 40 levels, each weighted rule pointing twice at two rules of the next
	// level: 2^40 paths. Walking them would never finish; Simulate evaluates
	// each rule once and lists only the largest routes.
	const levels = 40
	doc := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "l0a",
		Endpoints: valueEndpoints(map[string]string{"end": "192.0.2.1"}), Rules: map[string]Rule{}}
	name := func(level int, side string) string { return "l" + strconv.Itoa(level) + side }
	for i := 0; i < levels; i++ {
		for _, side := range []string{"a", "b"} {
			var items []Item
			for w, next := range []string{"a", "b"} {
				ref := Reference{RuleReference: name(i+1, next)}
				if i == levels-1 {
					ref = Reference{EndpointReference: "end"}
				}
				items = append(items, Item{Reference: ref, Weight: Int(w + 1)})
			}
			doc.Rules[name(i, side)] = Rule{RuleType: RuleWeighted, Items: items}
		}
	}
	delete(doc.Rules, "l0b") // keep every rule reachable from l0a
	d := simulate(t, doc, "us-east-1", nil)
	assertShares(t, d, map[string]float64{"end": 1})
	if !d.RoutesTruncated || len(d.Routes) != MaxRoutes {
		t.Errorf("routes: %d listed, truncated %v", len(d.Routes), d.RoutesTruncated)
	}
	for i := 1; i < len(d.Routes); i++ {
		if d.Routes[i].Share > d.Routes[i-1].Share {
			t.Fatalf("routes not sorted by share at %d", i)
		}
	}
	if ans, err := Resolve(doc, "us-east-1", nil, rand.New(rand.NewPCG(3, 4))); err != nil || len(ans.Rules) != levels {
		t.Errorf("Resolve = %+v, %v", ans, err)
	}
}
