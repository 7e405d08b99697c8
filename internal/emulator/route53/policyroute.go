package route53

import (
	"cmp"
	"slices"
)

// This file answers a DNS query from a traffic policy document, as Route 53
// answers from the tree of records a policy record creates ("Using Traffic
// Flow to route DNS traffic"): each rule is a group of records with its
// routing policy, an item that references a rule is an alias record to that
// group, and an item that references an endpoint is a record with the
// endpoint's value (or an alias to the AWS resource).
//
// Health follows "How Amazon Route 53 chooses records when health checking
// is configured", "How health checks work in complex Amazon Route 53
// configurations" and "Options for configuring active-active and
// active-passive failover":
//
//   - An item is healthy when its HealthCheck (if any) is healthy and, when
//     EvaluateTargetHealth is true and it references a rule, that rule has a
//     healthy item for this client ("As long as at least one of the weighted
//     records is healthy, Route 53 considers the alias record to be
//     healthy"). An absent EvaluateTargetHealth is false. The health of AWS
//     resources behind alias endpoints (load balancers, CloudFront, S3,
//     Elastic Beanstalk) is not modelled: they are healthy.
//   - A rule picks among its healthy items; when none is healthy, it picks as
//     if all were ("If no record is healthy, all records are healthy"), and
//     the rule itself counts as unhealthy for the item above it.
//   - weighted: by weight among healthy items of nonzero weight; if there are
//     none, equally among healthy items of weight 0; if no item is healthy,
//     by weight among the items of nonzero weight ("omitting the records that
//     have a weight of 0"), or equally when every weight is 0.
//   - failover: Primary if healthy, else Secondary if healthy, else Primary.
//   - latency: the region with the lowest latency from the client (LatencyMS)
//     among healthy items, else the lowest of all.
//   - geo: the client's most specific location (US state, country,
//     continent, then the default) that is healthy; the client's locations
//     are the candidates of the "all unhealthy" rule; no location for the
//     client answers nothing ("no answer").
//   - geoproximity: the smallest biased distance (BiasedDistanceKM) among
//     healthy items, else the smallest of all.
//   - multivalue: up to eight healthy items in random order, or up to eight
//     of all items when none is healthy.

// Rand is the random source of weighted and multivalue choices;
// *math/rand/v2.Rand satisfies it.
type Rand interface{ Float64() float64 }

// maxMultivalueAnswers is how many records a multivalue answer holds at most.
const maxMultivalueAnswers = 8

// router answers one query from one document.
type router struct {
	doc       *tfDocument
	client    Region
	unhealthy map[string]bool
	rnd       Rand
	health    map[string]bool // rule id → has a healthy item for the client
}

// route returns the ids of the endpoints that answer a client in the given
// region while the health checks in unhealthy are failing.
func (d *tfDocument) route(client Region, unhealthy map[string]bool, rnd Rand) []string {
	if d.StartEndpoint != "" {
		return []string{d.StartEndpoint}
	}
	r := &router{doc: d, client: client, unhealthy: unhealthy, rnd: rnd, health: map[string]bool{}}
	return r.rule(d.StartRule, 0)
}

func (r *router) rule(id string, depth int) []string {
	rule := r.doc.Rules[id]
	if rule == nil || depth > len(r.doc.Rules) {
		return nil
	}
	if rule.Type == ruleMultivalue {
		return r.multivalue(rule)
	}
	it := r.choose(rule)
	if it == nil {
		return nil
	}
	if it.RuleRef != "" {
		return r.rule(it.RuleRef, depth+1)
	}
	return []string{it.EndpointRef}
}

// healthy reports whether Route 53 considers the item's record healthy.
func (r *router) healthy(it *tfItem) bool {
	if it.HealthCheck != "" && r.unhealthy[it.HealthCheck] {
		return false
	}
	if it.EvaluateTargetHealth && it.RuleRef != "" {
		return r.ruleHealthy(it.RuleRef)
	}
	return true
}

// ruleHealthy reports whether the rule has a healthy item for the client.
func (r *router) ruleHealthy(id string) bool {
	if h, ok := r.health[id]; ok {
		return h
	}
	r.health[id] = false // a loop (refused by validation) counts as unhealthy
	rule := r.doc.Rules[id]
	h := false
	if rule != nil {
		candidates := rule.Items
		if rule.Type == ruleGeo {
			candidates = r.geoChain(rule)
		}
		h = slices.ContainsFunc(candidates, r.healthy)
	}
	r.health[id] = h
	return h
}

// firstHealthy returns the first healthy item of an ordered list of
// candidates, or the first one when none is healthy.
func (r *router) firstHealthy(order []*tfItem) *tfItem {
	if len(order) == 0 {
		return nil
	}
	for _, it := range order {
		if r.healthy(it) {
			return it
		}
	}
	return order[0]
}

// choose picks the item of a (non-multivalue) rule that answers.
func (r *router) choose(rule *tfRule) *tfItem {
	switch rule.Type {
	case ruleWeighted:
		return r.weighted(rule.Items)
	case ruleFailover:
		return r.firstHealthy(rule.Items)
	case ruleLatency:
		order := slices.Clone(rule.Items)
		slices.SortStableFunc(order, func(a, b *tfItem) int {
			return cmp.Compare(r.latency(a.Region), r.latency(b.Region))
		})
		return r.firstHealthy(order)
	case ruleGeo:
		return r.firstHealthy(r.geoChain(rule))
	case ruleGeoproximity:
		order := slices.Clone(rule.Items)
		slices.SortStableFunc(order, func(a, b *tfItem) int {
			return cmp.Compare(r.proximity(a), r.proximity(b))
		})
		return r.firstHealthy(order)
	}
	return nil
}

func (r *router) weighted(items []*tfItem) *tfItem {
	var healthyNonZero, healthyZero, nonZero []*tfItem
	for _, it := range items {
		h := r.healthy(it)
		switch {
		case it.Weight > 0 && h:
			healthyNonZero = append(healthyNonZero, it)
			nonZero = append(nonZero, it)
		case it.Weight > 0:
			nonZero = append(nonZero, it)
		case h:
			healthyZero = append(healthyZero, it)
		}
	}
	switch {
	case len(healthyNonZero) > 0:
		return r.byWeight(healthyNonZero)
	case len(healthyZero) > 0:
		return r.equally(healthyZero)
	case len(nonZero) > 0:
		return r.byWeight(nonZero)
	}
	return r.equally(items)
}

func (r *router) byWeight(items []*tfItem) *tfItem {
	total := int64(0)
	for _, it := range items {
		total += it.Weight
	}
	u := r.rnd.Float64() * float64(total)
	acc := 0.0
	for _, it := range items {
		acc += float64(it.Weight)
		if u < acc {
			return it
		}
	}
	return items[len(items)-1]
}

func (r *router) equally(items []*tfItem) *tfItem {
	if len(items) == 0 {
		return nil
	}
	i := int(r.rnd.Float64() * float64(len(items)))
	return items[min(max(i, 0), len(items)-1)]
}

func (r *router) latency(region string) float64 {
	ms, ok := LatencyMS(r.client.Code, region)
	if !ok {
		return 1e18
	}
	return ms
}

// proximity is the biased distance from the client to the item's location.
func (r *router) proximity(it *tfItem) float64 {
	lat, lon := it.Latitude, it.Longitude
	if it.ProxRegion != "" {
		reg, ok := LookupRegion(it.ProxRegion)
		if !ok {
			return 1e18
		}
		lat, lon = reg.Latitude, reg.Longitude
	}
	return BiasedDistanceKM(haversineKM(r.client.Latitude, r.client.Longitude, lat, lon), int(it.Bias))
}

// geoChain lists the locations of a geo rule that apply to the client, most
// specific first: its US state, its country, its continent, the default.
func (r *router) geoChain(rule *tfRule) []*tfItem {
	var sub, country, continent, def []*tfItem
	c := r.client
	for _, it := range rule.Items {
		switch {
		case it.IsDefault || it.Country == "*":
			def = append(def, it)
		case it.Country != "" && it.Country == c.Country && it.Subdivision != "" && it.Subdivision == c.Subdivision:
			sub = append(sub, it)
		case it.Country != "" && it.Country == c.Country && it.Subdivision == "":
			country = append(country, it)
		case it.Continent != "" && it.Continent == c.Continent:
			continent = append(continent, it)
		}
	}
	return slices.Concat(sub, country, continent, def)
}

// multivalue answers with up to eight healthy endpoints in random order.
func (r *router) multivalue(rule *tfRule) []string {
	var pool []*tfItem
	for _, it := range rule.Items {
		if r.healthy(it) {
			pool = append(pool, it)
		}
	}
	if len(pool) == 0 {
		pool = slices.Clone(rule.Items)
	}
	for i := len(pool) - 1; i > 0; i-- {
		j := min(int(r.rnd.Float64()*float64(i+1)), i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	pool = pool[:min(len(pool), maxMultivalueAnswers)]
	out := make([]string, 0, len(pool))
	for _, it := range pool {
		out = append(out, it.EndpointRef)
	}
	return out
}

// healthChecks lists every health check id the document references.
func (d *tfDocument) healthChecks() []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range sortedKeys(d.Rules) {
		for _, it := range d.Rules[id].Items {
			if it.HealthCheck != "" && !seen[it.HealthCheck] {
				seen[it.HealthCheck] = true
				out = append(out, it.HealthCheck)
			}
		}
	}
	return out
}
