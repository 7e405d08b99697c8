package trafficflow

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// MultivalueMaxRecords is how many records Route 53 puts in one answer for a
// multivalue rule.
const MultivalueMaxRecords = 8

// Unhealthy is the set of Route 53 health check ids that are currently failing.
// A nil or empty set means every health check passes.
type Unhealthy map[string]bool

// UnhealthyChecks builds an Unhealthy set from health check ids.
func UnhealthyChecks(ids ...string) Unhealthy {
	u := make(Unhealthy, len(ids))
	for _, id := range ids {
		u[id] = true
	}
	return u
}

// Rand is the random source Resolve draws from. *math/rand.Rand and
// *math/rand/v2.Rand both satisfy it; seed them for reproducible lookups.
type Rand interface {
	Float64() float64 // uniform in [0, 1)
}

// Distribution is what share of DNS lookups each endpoint answers.
type Distribution struct {
	// Shares maps endpoint id to the fraction of lookups answered with it.
	// Endpoints that never answer are absent. Shares plus NoAnswer sum to 1.
	// Behind a multivalue rule, the rule's share is split equally among the
	// endpoints it returns, although each real answer carries up to
	// MultivalueMaxRecords of them at once.
	Shares map[string]float64
	// NoAnswer is the fraction of lookups that get an empty answer (a geo rule
	// with no location for the client and no default).
	NoAnswer float64
	// Routes breaks the shares down by the chain of rules that led to each
	// endpoint, largest share first (ties in path order). At most MaxRoutes
	// are listed; RoutesTruncated says some smaller ones were left out.
	Routes          []Route
	RoutesTruncated bool
}

// Route is one path through the policy and the share of lookups taking it.
type Route struct {
	Rules    []string // rule ids from the start rule down; empty for StartEndpoint
	Endpoint string   // endpoint id; empty for "no answer"
	Share    float64
}

// String renders the route as "split → latency → ap-south-1 (10.00%)".
func (r Route) String() string {
	steps := slices.Clone(r.Rules)
	if r.Endpoint == "" {
		steps = append(steps, "(no answer)")
	} else {
		steps = append(steps, r.Endpoint)
	}
	return fmt.Sprintf("%s (%s%%)", strings.Join(steps, " → "), strconv.FormatFloat(r.Share*100, 'f', 2, 64))
}

// Answer is the outcome of one simulated lookup.
type Answer struct {
	// Endpoints holds the endpoint id answered, or up to MultivalueMaxRecords
	// ids when a multivalue rule answered; empty means no answer.
	Endpoints []string
	// Rules lists the rule ids traversed from the start rule.
	Rules []string
}

// Policy is a validated document ready to simulate. It is safe for concurrent
// use (Resolve's caller must not share a Rand across goroutines unless the
// Rand allows it).
type Policy struct {
	doc *Document
}

// Compile validates doc and returns a Policy holding its own copy of it.
func Compile(doc *Document) (*Policy, error) {
	if err := Validate(doc); err != nil {
		return nil, err
	}
	return &Policy{doc: doc.Clone()}, nil
}

// Document returns a copy of the compiled document.
func (p *Policy) Document() *Document { return p.doc.Clone() }

// Simulate compiles doc and returns its Distribution for a client in
// clientRegion with the given failing health checks.
func Simulate(doc *Document, clientRegion string, unhealthy Unhealthy) (*Distribution, error) {
	p, err := Compile(doc)
	if err != nil {
		return nil, err
	}
	return p.Simulate(clientRegion, unhealthy)
}

// Resolve compiles doc and simulates one lookup. For many lookups, Compile once
// and call Policy.Resolve.
func Resolve(doc *Document, clientRegion string, unhealthy Unhealthy, rnd Rand) (Answer, error) {
	p, err := Compile(doc)
	if err != nil {
		return Answer{}, err
	}
	return p.Resolve(clientRegion, unhealthy, rnd)
}

// Simulate returns the exact share of lookups each endpoint answers for a
// client (DNS resolver) in clientRegion, an AWS region code. Each rule is
// evaluated once however many paths lead to it, so documents with shared
// sub-rules stay cheap.
func (p *Policy) Simulate(clientRegion string, unhealthy Unhealthy) (*Distribution, error) {
	s, err := p.newSim(clientRegion, unhealthy)
	if err != nil {
		return nil, err
	}
	dist := &Distribution{Shares: map[string]float64{}}
	if p.doc.StartEndpoint != "" {
		dist.Shares[p.doc.StartEndpoint] = 1
		dist.Routes = []Route{{Endpoint: p.doc.StartEndpoint, Share: 1}}
		return dist, nil
	}
	for id, share := range s.ruleDist(p.doc.StartRule) {
		if id == "" {
			dist.NoAnswer = share
		} else if share > 0 {
			dist.Shares[id] = share
		}
	}
	routes, truncated := s.routesFrom(p.doc.StartRule)
	dist.Routes, dist.RoutesTruncated = slices.Clone(routes), truncated
	return dist, nil
}

// MaxRoutes is the most routes a Distribution lists; beyond it only the
// largest are kept and RoutesTruncated is set (Shares stay exact).
const MaxRoutes = 256

// ruleDist is the distribution of answers (endpoint id, "" for no answer) of a
// lookup that has reached rule id.
func (s *sim) ruleDist(id string) map[string]float64 {
	if d, ok := s.distMemo[id]; ok {
		return d
	}
	d := map[string]float64{}
	cs := s.choices(id)
	if len(cs.options) == 0 {
		d[""] = 1
	}
	for _, c := range cs.options {
		target, isRule := c.ref.Target()
		if !isRule {
			d[target] += c.p
			continue
		}
		for ep, share := range s.ruleDist(target) {
			d[ep] += c.p * share
		}
	}
	s.distMemo[id] = d
	return d
}

// routesFrom lists the routes from rule id down, with shares relative to
// reaching id, largest first, at most MaxRoutes of them.
func (s *sim) routesFrom(id string) ([]Route, bool) {
	if m, ok := s.routeMemo[id]; ok {
		return m.routes, m.truncated
	}
	merged := map[string]*Route{}
	truncated := false
	add := func(rules []string, endpoint string, share float64) {
		if share == 0 {
			return
		}
		key := strings.Join(rules, "\x00") + "\x01" + endpoint
		if r, ok := merged[key]; ok {
			r.Share += share
			return
		}
		merged[key] = &Route{Rules: rules, Endpoint: endpoint, Share: share}
	}
	cs := s.choices(id)
	if len(cs.options) == 0 {
		add([]string{id}, "", 1)
	}
	for _, c := range cs.options {
		target, isRule := c.ref.Target()
		if !isRule {
			add([]string{id}, target, c.p)
			continue
		}
		sub, subTruncated := s.routesFrom(target)
		truncated = truncated || subTruncated
		for _, r := range sub {
			add(append([]string{id}, r.Rules...), r.Endpoint, c.p*r.Share)
		}
	}
	keys := slices.Sorted(maps.Keys(merged))
	routes := make([]Route, 0, len(keys))
	for _, k := range keys {
		routes = append(routes, *merged[k])
	}
	slices.SortStableFunc(routes, func(a, b Route) int { return cmp.Compare(b.Share, a.Share) })
	if len(routes) > MaxRoutes {
		routes, truncated = routes[:MaxRoutes], true
	}
	s.routeMemo[id] = routeList{routes: routes, truncated: truncated}
	return routes, truncated
}

type routeList struct {
	routes    []Route
	truncated bool
}

// Resolve simulates one lookup, drawing weighted and multivalue choices from
// rnd. Over many lookups the answers follow Simulate's shares.
func (p *Policy) Resolve(clientRegion string, unhealthy Unhealthy, rnd Rand) (Answer, error) {
	if rnd == nil {
		return Answer{}, errors.New("trafficflow: resolve: nil random source")
	}
	s, err := p.newSim(clientRegion, unhealthy)
	if err != nil {
		return Answer{}, err
	}
	var ans Answer
	if p.doc.StartEndpoint != "" {
		ans.Endpoints = []string{p.doc.StartEndpoint}
		return ans, nil
	}
	ruleID := p.doc.StartRule
	for {
		ans.Rules = append(ans.Rules, ruleID)
		cs := s.choices(ruleID)
		if len(cs.options) == 0 {
			return ans, nil
		}
		if cs.multi {
			// Multivalue items are endpoints only: return up to eight of them in
			// random order.
			order := make([]int, len(cs.options))
			for i := range order {
				order[i] = i
			}
			for i := len(order) - 1; i > 0; i-- {
				j := int(rnd.Float64() * float64(i+1))
				order[i], order[j] = order[j], order[i]
			}
			for _, i := range order[:min(len(order), MultivalueMaxRecords)] {
				ans.Endpoints = append(ans.Endpoints, cs.options[i].ref.EndpointReference)
			}
			return ans, nil
		}
		c := pick(cs.options, rnd.Float64())
		id, isRule := c.ref.Target()
		if !isRule {
			ans.Endpoints = []string{id}
			return ans, nil
		}
		ruleID = id
	}
}

// pick returns the option whose cumulative probability interval holds u.
func pick(options []choice, u float64) choice {
	acc := 0.0
	last := options[0]
	for _, c := range options {
		if c.p == 0 {
			continue
		}
		acc += c.p
		last = c
		if u < acc {
			return c
		}
	}
	return last // rounding: u just below 1
}

type choice struct {
	ref Reference
	p   float64
}

type choiceSet struct {
	multi   bool // multivalue: the options are returned together
	options []choice
}

type sim struct {
	doc       *Document
	client    RegionInfo
	unhealthy Unhealthy
	ruleOK    map[string]bool               // ruleHealthy results
	distMemo  map[string]map[string]float64 // ruleDist results
	routeMemo map[string]routeList          // routesFrom results
}

func (p *Policy) newSim(clientRegion string, unhealthy Unhealthy) (*sim, error) {
	client, ok := LookupRegion(clientRegion)
	if !ok {
		return nil, fmt.Errorf("trafficflow: unknown client region %q; use a commercial AWS region code such as ap-southeast-1", clientRegion)
	}
	return &sim{doc: p.doc, client: client, unhealthy: unhealthy,
		ruleOK: map[string]bool{}, distMemo: map[string]map[string]float64{}, routeMemo: map[string]routeList{}}, nil
}

// healthy reports whether Route 53 would consider the record an item creates
// healthy: its health check (if any) passes and, with EvaluateTargetHealth on a
// rule reference, the referenced rule can still answer with a healthy record.
// Alias endpoints' own target health (e.g. an ELB's) is not modelled: it
// counts as healthy.
func (s *sim) healthy(ref Reference) bool {
	if ref.HealthCheck != "" && s.unhealthy[ref.HealthCheck] {
		return false
	}
	if ref.RuleReference != "" && ref.EvaluateTargetHealth != nil && *ref.EvaluateTargetHealth {
		return s.ruleHealthy(ref.RuleReference)
	}
	return true
}

// ruleHealthy reports whether the rule has a healthy record for this client.
func (s *sim) ruleHealthy(id string) bool {
	if ok, done := s.ruleOK[id]; done {
		return ok
	}
	r := s.doc.Rules[id]
	ok := false
	switch r.RuleType {
	case RuleFailover:
		ok = s.healthy(*r.Primary) || s.healthy(*r.Secondary)
	case RuleGeo:
		ok = slices.ContainsFunc(s.geoChain(r.Locations), func(g GeoLocation) bool { return s.healthy(g.Reference) })
	case RuleGeoproximity:
		ok = slices.ContainsFunc(r.GeoproximityLocations, func(g GeoproximityLocation) bool { return s.healthy(g.Reference) })
	case RuleLatency:
		ok = slices.ContainsFunc(r.Regions, func(l LatencyRegion) bool { return s.healthy(l.Reference) })
	case RuleMultivalue, RuleWeighted:
		ok = slices.ContainsFunc(r.Items, func(it Item) bool { return s.healthy(it.Reference) })
	}
	s.ruleOK[id] = ok
	return ok
}

// choices returns what the rule answers for this client: options whose
// probabilities sum to 1, or none for "no answer".
func (s *sim) choices(id string) choiceSet {
	r := s.doc.Rules[id]
	switch r.RuleType {
	case RuleFailover:
		// Primary while healthy; else Secondary while healthy; with both
		// unhealthy Route 53 answers with the primary.
		if !s.healthy(*r.Primary) && s.healthy(*r.Secondary) {
			return one(*r.Secondary)
		}
		return one(*r.Primary)
	case RuleLatency:
		order := slices.Clone(r.Regions)
		slices.SortStableFunc(order, func(a, b LatencyRegion) int {
			return cmp.Compare(s.latency(a.Region), s.latency(b.Region))
		})
		for _, l := range order {
			if s.healthy(l.Reference) {
				return one(l.Reference)
			}
		}
		return one(order[0].Reference) // none healthy: all count as healthy
	case RuleGeo:
		chain := s.geoChain(r.Locations)
		for _, g := range chain {
			if s.healthy(g.Reference) {
				return one(g.Reference)
			}
		}
		if len(chain) > 0 {
			return one(chain[0].Reference)
		}
		return choiceSet{}
	case RuleGeoproximity:
		order := slices.Clone(r.GeoproximityLocations)
		slices.SortStableFunc(order, func(a, b GeoproximityLocation) int {
			return cmp.Compare(s.biasedDistance(a), s.biasedDistance(b))
		})
		for _, g := range order {
			if s.healthy(g.Reference) {
				return one(g.Reference)
			}
		}
		return one(order[0].Reference)
	case RuleMultivalue:
		var set choiceSet
		set.multi = true
		var healthy []Item
		for _, it := range r.Items {
			if s.healthy(it.Reference) {
				healthy = append(healthy, it)
			}
		}
		if len(healthy) == 0 {
			healthy = r.Items // all unhealthy: Route 53 answers with unhealthy records
		}
		for _, it := range healthy {
			set.options = append(set.options, choice{ref: it.Reference, p: 1 / float64(len(healthy))})
		}
		return set
	case RuleWeighted:
		return s.weighted(r.Items)
	}
	return choiceSet{}
}

// weighted applies Route 53's rules for weighted records with health checks:
// healthy non-zero weights first; then healthy zero-weight records, equally;
// if nothing is healthy, every record counts as healthy.
func (s *sim) weighted(items []Item) choiceSet {
	var nonZero, healthyNonZero, healthyZero []Item
	for _, it := range items {
		w := *it.Weight
		h := s.healthy(it.Reference)
		switch {
		case w > 0 && h:
			nonZero = append(nonZero, it)
			healthyNonZero = append(healthyNonZero, it)
		case w > 0:
			nonZero = append(nonZero, it)
		case h:
			healthyZero = append(healthyZero, it)
		}
	}
	switch {
	case len(healthyNonZero) > 0:
		return proportional(healthyNonZero)
	case len(healthyZero) > 0:
		return equal(healthyZero)
	case len(nonZero) > 0:
		return proportional(nonZero)
	}
	return equal(items)
}

func one(ref Reference) choiceSet { return choiceSet{options: []choice{{ref: ref, p: 1}}} }

func proportional(items []Item) choiceSet {
	total := 0
	for _, it := range items {
		total += *it.Weight
	}
	var set choiceSet
	for _, it := range items {
		set.options = append(set.options, choice{ref: it.Reference, p: float64(*it.Weight) / float64(total)})
	}
	return set
}

func equal(items []Item) choiceSet {
	var set choiceSet
	for _, it := range items {
		set.options = append(set.options, choice{ref: it.Reference, p: 1 / float64(len(items))})
	}
	return set
}

func (s *sim) latency(region string) float64 {
	ms, _, err := LatencyMS(s.client.Code, region)
	if err != nil {
		return 1e9 // unreachable for validated documents
	}
	return ms
}

// geoChain returns the locations that apply to the client, most specific
// first: its US state, its country, its continent, then the default.
func (s *sim) geoChain(locs []GeoLocation) []GeoLocation {
	var sub, country, continent, def []GeoLocation
	c := s.client
	for _, g := range locs {
		switch {
		case g.IsDefaultLocation():
			def = append(def, g)
		case g.Country == c.Country && g.Subdivision != "" && g.Subdivision == c.Subdivision:
			sub = append(sub, g)
		case g.Country == c.Country && g.Subdivision == "":
			country = append(country, g)
		case g.Continent != "" && g.Continent == c.Continent:
			continent = append(continent, g)
		}
	}
	return slices.Concat(sub, country, continent, def)
}

// biasedDistance is Route 53's documented bias formula applied to the
// great-circle distance between the client region's city and the location.
func (s *sim) biasedDistance(g GeoproximityLocation) float64 {
	lat, lon := 0.0, 0.0
	region, latitude, longitude := g.Region, g.Latitude, g.Longitude
	if l := g.Location; l != nil { // format 2023-05-09; a Local Zone is placed at its region
		region, latitude, longitude = l.LocationName, l.Latitude, l.Longitude
		if name, ok := strings.CutPrefix(l.LocationName, GeoproximityRegionPrefix); ok && l.Type == LocationLocalZone {
			parent, _ := LocalZoneRegion(name)
			region = GeoproximityRegionPrefix + parent
		}
	}
	if code, ok := strings.CutPrefix(region, GeoproximityRegionPrefix); ok {
		r, _ := LookupRegion(code)
		lat, lon = r.Latitude, r.Longitude
	} else {
		lat, _ = strconv.ParseFloat(latitude, 64)
		lon, _ = strconv.ParseFloat(longitude, 64)
	}
	d := distanceKM(s.client.Latitude, s.client.Longitude, lat, lon)
	bias := 0.0
	if g.Bias != nil {
		bias = float64(*g.Bias)
	}
	if bias >= 0 {
		return d * (1 - bias/100)
	}
	return d / (1 + bias/100)
}
