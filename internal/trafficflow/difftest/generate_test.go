package difftest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

// This file generates traffic policy documents: valid ones of every rule
// type, nested, with health checks and EvaluateTargetHealth, and invalid ones
// made by one mutation of a valid one (see mutations). Documents are built as
// JSON objects (map[string]any) so that a mutation can break anything the
// format has, not only what a Go model can represent.

type object = map[string]any

// docCase is one generated document.
type docCase struct {
	Index    int
	Kind     string // "valid" or the mutation's name
	JSON     string
	Clients  []string // client regions to look up from
	Checks   []string // health check ids the document references
	Mutation string   // what the mutation did, for reports
}

// gen draws documents from a seeded source.
type gen struct {
	r       *rand.Rand
	checks  []string // real health check ids in the emulator
	regions []string // regions both implementations know, sorted
	// redraws counts region sets drawn again because the two latency or
	// distance models ranked them differently for a client.
	redraws int
}

func newGen(seed uint64, checks []string) *gen {
	var common []string
	for _, r := range route53.Regions() {
		if trafficflow.IsRegion(r.Code) {
			common = append(common, r.Code)
		}
	}
	sort.Strings(common)
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x5bd1e995)), checks: checks, regions: common}
}

func (g *gen) intn(n int) int        { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func pick[T any](g *gen, s []T) T    { return s[g.intn(len(s))] }

// next returns document i: about 55 % valid, the rest one mutation away.
func (g *gen) next(i int) docCase {
	c := docCase{Index: i}
	c.Clients = g.clients()
	doc := g.valid(c.Clients)
	c.Kind = "valid"
	if g.chance(0.45) {
		for try := 0; try < 20; try++ {
			m := pick(g, mutations)
			if desc, ok := m.apply(g, doc, c.Clients); ok {
				c.Kind, c.Mutation = m.name, desc
				break
			}
		}
	}
	c.JSON = g.encode(doc)
	c.Checks = referencedChecks(doc)
	return c
}

// clients picks three distinct client regions.
func (g *gen) clients() []string {
	perm := g.r.Perm(len(g.regions))
	out := []string{g.regions[perm[0]], g.regions[perm[1]], g.regions[perm[2]]}
	sort.Strings(out)
	return out
}

// encode writes the document compactly, or indented now and then (both are
// the same document).
func (g *gen) encode(doc object) string {
	var b []byte
	var err error
	if g.chance(0.1) {
		b, err = json.MarshalIndent(doc, "", "  ")
	} else {
		b, err = json.Marshal(doc)
	}
	if err != nil {
		panic(err)
	}
	if s, ok := doc["__raw"].(string); ok { // a mutation that writes the text itself
		return s
	}
	return string(b)
}

// ------------------------------------------------------------ valid documents

var recordTypes = []string{"A", "A", "A", "A", "A", "A", "AAAA", "AAAA", "CNAME", "TXT", "MX"}

var aliasTypesA = []string{"application-load-balancer", "elastic-load-balancer", "network-load-balancer", "elastic-beanstalk", "cloudfront", "s3-website"}

// valid builds a document both sides should accept: every rule and endpoint
// reachable from the start, no loops, values that fit the record type, and
// (for latency and geoproximity rules) region sets both region tables order
// the same way for the clients.
func (g *gen) valid(clients []string) object {
	rt := pick(g, recordTypes)
	nRules := g.intn(6)
	nEndpoints := 1 + g.intn(6)
	if nRules == 0 {
		nEndpoints = 1
	}
	endpoints := object{}
	var epIDs, valueIDs []string
	for i := 0; i < nEndpoints; i++ {
		id := g.id("e", i)
		epIDs = append(epIDs, id)
		ep := g.endpoint(rt, i)
		if ep["Type"] == "value" {
			valueIDs = append(valueIDs, id)
		}
		endpoints[id] = ep
	}
	doc := object{"AWSPolicyFormatVersion": "2015-10-01", "RecordType": rt, "Endpoints": endpoints}
	if nRules == 0 {
		doc["StartEndpoint"] = epIDs[0]
		return doc
	}
	ruleIDs := make([]string, nRules)
	for i := range ruleIDs {
		ruleIDs[i] = g.id("r", i)
	}
	// Spanning assignment: every rule but the first and every endpoint gets a
	// parent rule before it, so all are reachable and there is no loop.
	children := make([][]string, nRules) // "r:<id>" or "e:<id>"
	for j := 1; j < nRules; j++ {
		parent := g.intn(j)
		children[parent] = append(children[parent], "r:"+ruleIDs[j])
	}
	for _, e := range epIDs {
		parent := g.intn(nRules)
		children[parent] = append(children[parent], "e:"+e)
	}
	rules := object{}
	for i := nRules - 1; i >= 0; i-- {
		rules[ruleIDs[i]] = g.rule(rt, i, ruleIDs, epIDs, valueIDs, children[i], endpoints, clients)
	}
	doc["Rules"] = rules
	doc["StartRule"] = ruleIDs[0]
	return doc
}

// id names rule or endpoint i, mostly in the style of AWS's examples.
func (g *gen) id(prefix string, i int) string {
	switch g.intn(6) {
	case 0:
		return fmt.Sprintf("%s%d", prefix, i)
	case 1:
		return fmt.Sprintf("%s-%d_x", prefix, i)
	case 2:
		return fmt.Sprintf("%s.%d", prefix, i)
	default:
		return fmt.Sprintf("%s%d-%s", prefix, i, pick(g, []string{"sg", "mumbai", "primary", "blue", "green", "split"}))
	}
}

func (g *gen) endpoint(rt string, i int) object {
	if (rt == "A" || rt == "AAAA") && g.chance(0.35) {
		types := aliasTypesA
		if rt == "AAAA" {
			types = aliasTypesA[:5] // no s3-website for AAAA
		}
		switch t := pick(g, types); t {
		case "cloudfront":
			return object{"Type": t, "Value": fmt.Sprintf("d%04dabcdef8.cloudfront.net", i)}
		case "s3-website":
			return object{"Type": t, "Region": pick(g, g.regions), "Value": fmt.Sprintf("www%d.example.com", i)}
		case "elastic-beanstalk":
			return object{"Type": t, "Value": fmt.Sprintf("env-%d.eba-x.us-east-1.elasticbeanstalk.com", i)}
		default:
			return object{"Type": t, "Value": fmt.Sprintf("lb-%d.us-east-1.elb.amazonaws.com", i)}
		}
	}
	var v string
	switch rt {
	case "A":
		v = fmt.Sprintf("192.0.2.%d", i+1)
	case "AAAA":
		v = fmt.Sprintf("2001:db8::%x", i+1)
	case "CNAME":
		v = fmt.Sprintf("t%d.example.net", i)
	case "TXT":
		v = fmt.Sprintf(`"v=%d"`, i)
	case "MX":
		v = fmt.Sprintf("%d mx%d.example.net", 10*(i+1), i)
	}
	return object{"Type": "value", "Value": v}
}

// rule builds rule i with at least the given children, choosing a type that
// can hold them.
func (g *gen) rule(rt string, i int, ruleIDs, epIDs, valueIDs, children []string, endpoints object, clients []string) object {
	// Extra random targets: rules after i, or any endpoint.
	extra := func() string {
		if i+1 < len(ruleIDs) && g.chance(0.3) {
			return "r:" + ruleIDs[i+1+g.intn(len(ruleIDs)-i-1)]
		}
		return "e:" + pick(g, epIDs)
	}
	allValues := len(children) > 0 && rt != "CNAME"
	for _, c := range children {
		if !strings.HasPrefix(c, "e:") || endpoints[c[2:]].(object)["Type"] != "value" {
			allValues = false
		}
	}
	types := []string{"weighted", "weighted", "latency", "geo", "geoproximity"}
	if len(children) <= 2 {
		types = append(types, "failover", "failover")
	}
	if allValues || (len(children) == 0 && len(valueIDs) > 0 && rt != "CNAME") {
		types = append(types, "multivalue", "multivalue")
	}
	switch typ := pick(g, types); typ {
	case "failover":
		for len(children) < 2 {
			children = append(children, extra())
		}
		return object{"RuleType": typ, "Primary": g.item(children[0], endpoints, true), "Secondary": g.item(children[1], endpoints, true)}
	case "multivalue":
		n := max(len(children), 1+g.intn(10))
		for len(children) < n {
			children = append(children, "e:"+pick(g, valueIDs))
		}
		var items []any
		for _, c := range children {
			it := object{"EndpointReference": c[2:]}
			g.maybeHealthCheck(it)
			items = append(items, it)
		}
		return object{"RuleType": typ, "Items": items}
	case "weighted":
		n := max(len(children), 1+g.intn(4))
		for len(children) < n {
			children = append(children, extra())
		}
		return g.weightedRule(children, endpoints)
	case "latency":
		n := max(len(children), 1+g.intn(4))
		for len(children) < n {
			children = append(children, extra())
		}
		regions := g.orderedRegions(len(children), clients)
		if regions == nil {
			return g.weightedRule(children, endpoints)
		}
		items := make([]any, 0, n)
		for k, c := range children {
			it := g.item(c, endpoints, true)
			it["Region"] = regions[k]
			items = append(items, it)
		}
		return object{"RuleType": typ, "Regions": items}
	case "geo":
		n := max(len(children), 1+g.intn(4))
		for len(children) < n {
			children = append(children, extra())
		}
		locs := g.geoLocations(len(children))
		items := make([]any, 0, n)
		for k, c := range children {
			it := g.item(c, endpoints, true)
			for key, v := range locs[k] {
				it[key] = v
			}
			items = append(items, it)
		}
		return object{"RuleType": typ, "Locations": items}
	default: // geoproximity
		n := max(len(children), 1+g.intn(4))
		for len(children) < n {
			children = append(children, extra())
		}
		locs := g.proximityLocations(len(children), clients)
		if locs == nil {
			return g.weightedRule(children, endpoints)
		}
		items := make([]any, 0, n)
		for k, c := range children {
			it := g.item(c, endpoints, true)
			for key, v := range locs[k] {
				it[key] = v
			}
			items = append(items, it)
		}
		return object{"RuleType": typ, "GeoproximityLocations": items}
	}
}

// weightedRule routes to the children with random weights, some 0 but not
// all (every weight 0 is the provider's policy to refuse).
func (g *gen) weightedRule(children []string, endpoints object) object {
	items := make([]any, 0, len(children))
	nonZero := false
	for _, c := range children {
		it := g.item(c, endpoints, true)
		w := 0
		if !g.chance(0.15) {
			w = 1 + g.intn(255)
			nonZero = true
		}
		it["Weight"] = g.number(w)
		items = append(items, it)
	}
	if !nonZero {
		items[g.intn(len(items))].(object)["Weight"] = g.number(1 + g.intn(255))
	}
	return object{"RuleType": "weighted", "Items": items}
}

// item is a reference with optional health settings.
func (g *gen) item(target string, endpoints object, eth bool) object {
	it := object{}
	if strings.HasPrefix(target, "r:") {
		it["RuleReference"] = target[2:]
	} else {
		it["EndpointReference"] = target[2:]
	}
	cloudFront := strings.HasPrefix(target, "e:") && endpoints[target[2:]].(object)["Type"] == "cloudfront"
	if eth && !cloudFront {
		switch g.intn(5) {
		case 0, 1:
			it["EvaluateTargetHealth"] = g.boolean(true)
		case 2:
			it["EvaluateTargetHealth"] = g.boolean(false)
		}
	}
	g.maybeHealthCheck(it)
	return it
}

func (g *gen) maybeHealthCheck(it object) {
	if g.chance(0.4) {
		it["HealthCheck"] = pick(g, g.checks)
	}
}

// number writes an integer as a JSON number or a string of digits, both of
// which the format's examples use.
func (g *gen) number(n int) any {
	if g.chance(0.5) {
		return strconv.Itoa(n)
	}
	return n
}

func (g *gen) boolean(b bool) any {
	if g.chance(0.3) {
		return strconv.FormatBool(b)
	}
	return b
}

var geoPool = []object{
	{"Country": "US", "Subdivision": "VA"}, {"Country": "US", "Subdivision": "OH"}, {"Country": "US", "Subdivision": "OR"},
	{"Country": "US", "Subdivision": "CA"}, {"Country": "US"}, {"Country": "CA"}, {"Country": "IN"}, {"Country": "SG"},
	{"Country": "JP"}, {"Country": "DE"}, {"Country": "FR"}, {"Country": "GB"}, {"Country": "IE"}, {"Country": "BR"},
	{"Country": "AU"}, {"Country": "ZA"}, {"Country": "KR"}, {"Country": "SE"}, {"Continent": "NA"}, {"Continent": "EU"},
	{"Continent": "AS"}, {"Continent": "OC"}, {"Continent": "SA"}, {"Continent": "AF"}, {"Continent": "AN"},
}

// geoLocations draws n distinct locations, sometimes with a default.
func (g *gen) geoLocations(n int) []object {
	out := make([]object, 0, n)
	if g.chance(0.5) {
		switch g.intn(3) {
		case 0:
			out = append(out, object{"IsDefault": g.boolean(true)})
		case 1:
			out = append(out, object{"Country": "*"})
		default:
			out = append(out, object{"Country": "*", "IsDefault": g.boolean(true)})
		}
	}
	for _, k := range g.r.Perm(len(geoPool)) {
		if len(out) == n {
			break
		}
		loc := object{}
		for key, v := range geoPool[k] {
			loc[key] = v
		}
		if g.chance(0.1) {
			loc["IsDefault"] = g.boolean(false)
		}
		out = append(out, loc)
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// orderedRegions draws n distinct regions that both region tables rank in
// the same clear-cut order from every client, or nil: Route 53 does not
// publish its latency data, so the two implementations model latency
// independently and only orders both models agree on are comparable.
func (g *gen) orderedRegions(n int, clients []string) []string {
	for attempt := 0; attempt < 200; attempt++ {
		perm := g.r.Perm(len(g.regions))
		regions := make([]string, n)
		for i := range regions {
			regions[i] = g.regions[perm[i]]
		}
		if latencyOrdersAgree(regions, clients) {
			return regions
		}
		g.redraws++
	}
	return nil
}

// proxLoc is a geoproximity location as the generator chose it.
type proxLoc struct {
	region   string  // region code, or "" for coordinates
	lat, lon float64 // coordinates, two decimals
	bias     int
}

// proximityLocations draws n locations (regions or coordinates, with
// biases) that both region tables rank in the same clear-cut order from
// every client, or nil.
func (g *gen) proximityLocations(n int, clients []string) []object {
	for attempt := 0; attempt < 200; attempt++ {
		locs := make([]proxLoc, n)
		used := map[string]bool{}
		for i := range locs {
			if g.chance(0.6) {
				r := pick(g, g.regions)
				for used[r] {
					r = pick(g, g.regions)
				}
				used[r] = true
				locs[i].region = r
			} else {
				locs[i].lat = float64(g.intn(15001)-7500) / 100
				locs[i].lon = float64(g.intn(36001)-18000) / 100
			}
			if g.chance(0.5) {
				locs[i].bias = g.intn(199) - 99
			}
		}
		if !proximityOrdersAgree(locs, clients) {
			g.redraws++
			continue
		}
		out := make([]object, n)
		for i, l := range locs {
			o := object{}
			if l.region != "" {
				o["Region"] = "aws:route53:" + l.region
			} else {
				o["Latitude"], o["Longitude"] = g.degrees(l.lat), g.degrees(l.lon)
			}
			if l.bias != 0 || g.chance(0.3) {
				o["Bias"] = g.number(l.bias)
			}
			out[i] = o
		}
		return out
	}
	return nil
}

func (g *gen) degrees(v float64) any {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if g.chance(0.5) {
		return s
	}
	return json.Number(s)
}

// latencyOrdersAgree reports whether both latency tables rank the regions
// the same way from every client, each step at least 5 % apart.
func latencyOrdersAgree(regions, clients []string) bool {
	for _, c := range clients {
		a := make([]float64, len(regions))
		b := make([]float64, len(regions))
		for i, r := range regions {
			var err error
			var ok bool
			if a[i], _, err = trafficflow.LatencyMS(c, r); err != nil {
				return false
			}
			if b[i], ok = route53.LatencyMS(c, r); !ok {
				return false
			}
		}
		if !sameClearOrder(a, b) {
			return false
		}
	}
	return true
}

// proximityOrdersAgree does the same for biased great-circle distances,
// computed from each implementation's region coordinates.
func proximityOrdersAgree(locs []proxLoc, clients []string) bool {
	for _, c := range clients {
		pc, ok1 := trafficflow.LookupRegion(c)
		ec, ok2 := route53.LookupRegion(c)
		if !ok1 || !ok2 {
			return false
		}
		a := make([]float64, len(locs))
		b := make([]float64, len(locs))
		for i, l := range locs {
			plat, plon, elat, elon := l.lat, l.lon, l.lat, l.lon
			if l.region != "" {
				pr, ok1 := trafficflow.LookupRegion(l.region)
				er, ok2 := route53.LookupRegion(l.region)
				if !ok1 || !ok2 {
					return false
				}
				plat, plon, elat, elon = pr.Latitude, pr.Longitude, er.Latitude, er.Longitude
			}
			a[i] = route53.BiasedDistanceKM(greatCircleKM(pc.Latitude, pc.Longitude, plat, plon), l.bias)
			b[i] = route53.BiasedDistanceKM(greatCircleKM(ec.Latitude, ec.Longitude, elat, elon), l.bias)
		}
		if !sameClearOrder(a, b) {
			return false
		}
	}
	return true
}

// sameClearOrder reports whether a and b sort the indexes the same way with
// every gap between neighbours at least 5 % (and 1 unit) in both.
func sameClearOrder(a, b []float64) bool {
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	order := func(v []float64) []int {
		o := slices.Clone(idx)
		slices.SortStableFunc(o, func(i, j int) int {
			switch {
			case v[i] < v[j]:
				return -1
			case v[i] > v[j]:
				return 1
			}
			return 0
		})
		return o
	}
	oa, ob := order(a), order(b)
	if !slices.Equal(oa, ob) {
		return false
	}
	for _, v := range [][]float64{a, b} {
		for k := 1; k < len(oa); k++ {
			lo, hi := v[oa[k-1]], v[oa[k]]
			if hi-lo < math.Max(1, 0.05*hi) {
				return false
			}
		}
	}
	return true
}

func greatCircleKM(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKM = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// referencedChecks lists the health check ids in a document.
func referencedChecks(doc object) []string {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case object:
			if hc, ok := x["HealthCheck"].(string); ok && hc != "" {
				seen[hc] = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	out := make([]string, 0, len(seen))
	for hc := range seen {
		out = append(out, hc)
	}
	sort.Strings(out)
	return out
}
