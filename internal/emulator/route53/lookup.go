package route53

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Answer is one resource record of a DNS answer.
type Answer struct {
	// Name is the owner name, fully qualified, as Route 53 displays names.
	Name string `json:"name"`
	// Type is the record type, e.g. "A" or "CNAME".
	Type string `json:"type"`
	TTL  int64  `json:"ttl"`
	// Value is the record data in Route 53's text form ("192.0.2.1",
	// "10 mail.example.com", "\"text\"").
	Value string `json:"value"`
	// TrafficPolicyInstanceID and Endpoint say which traffic policy instance
	// and which endpoint of its document answered, for names backed by an
	// instance.
	TrafficPolicyInstanceID string `json:"traffic_policy_instance_id,omitempty"`
	Endpoint                string `json:"endpoint,omitempty"`
	// SetIdentifier is that of the ordinary record set that answered, for
	// record sets with a routing policy.
	SetIdentifier string `json:"set_identifier,omitempty"`
}

// Result is the outcome of a lookup in the emulated hosted zones.
type Result struct {
	// Zone is the apex of the hosted zone that answered (e.g. "example.com."),
	// or "" when no hosted zone contains the name: a DNS server refuses.
	Zone         string `json:"zone,omitempty"`
	HostedZoneID string `json:"hosted_zone_id,omitempty"`
	// Answers are the records of the answer section, CNAME chains included.
	Answers []Answer `json:"answers"`
	// NXDomain says the name does not exist in the zone at all; an empty
	// Answers without NXDomain is "no data" for the type.
	NXDomain bool `json:"nxdomain,omitempty"`
	// Delegation holds the NS records of a subdomain delegated to other name
	// servers (a referral), when the name is at or below the cut.
	Delegation []Answer `json:"delegation,omitempty"`
	// SOA is the zone's SOA record, for the authority section of negative answers.
	SOA *Answer `json:"soa,omitempty"`
}

// maxChase bounds CNAME and alias chains.
const maxChase = 8

// globalRand draws from math/rand/v2's goroutine-safe source.
type globalRand struct{}

func (globalRand) Float64() float64 { return rand.Float64() }

// ErrUnknownRegion is returned for a client region the emulator does not know (see Regions).
var ErrUnknownRegion = errors.New("route53: unknown client region")

// Lookup answers a DNS query for name and type qtype ("A", "AAAA", "CNAME",
// "TXT", …, or "ANY") as Route 53 would for a client whose DNS resolver is
// in clientRegion (an AWS region code such as "ap-southeast-1"). Names backed
// by a traffic policy instance are answered from the instance's applied
// policy version with the health checks currently failing; weighted and
// multivalue choices draw from rnd (nil: a random source). The answers
// include CNAME chains and alias targets within the emulated zones; alias
// targets outside them (load balancers, CloudFront, S3) are answered with a
// CNAME to the target's DNS name. It returns no answers, and no error, for
// names no hosted zone holds; Resolve tells NXDOMAIN from no data.
func (s *Service) Lookup(clientRegion, name, qtype string, rnd Rand) ([]Answer, error) {
	res, err := s.Resolve(clientRegion, name, qtype, rnd)
	return res.Answers, err
}

// Resolve is Lookup with the whole outcome: the zone that answered, NXDOMAIN
// or no data, referrals and the SOA for negative answers.
func (s *Service) Resolve(clientRegion, name, qtype string, rnd Rand) (Result, error) {
	client, ok := LookupRegion(clientRegion)
	if !ok {
		return Result{}, fmt.Errorf("%w %q; use an AWS region code such as ap-southeast-1", ErrUnknownRegion, clientRegion)
	}
	qname, ok := normalizeName(name)
	if !ok {
		return Result{}, fmt.Errorf("route53: %q is not a valid DNS name", name)
	}
	qtype = strings.ToUpper(strings.TrimSpace(qtype))
	if qtype == "" {
		return Result{}, errors.New("route53: empty query type")
	}
	if rnd == nil {
		rnd = globalRand{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	r := &resolver{s: s, client: client, unhealthy: s.unhealthySet(), rnd: rnd}
	res := r.resolve(qname, qtype, 0)
	if res.Answers == nil {
		res.Answers = []Answer{}
	}
	return res, nil
}

// resolver answers one query; s.mu is held.
type resolver struct {
	s         *Service
	client    Region
	unhealthy map[string]bool
	rnd       Rand
}

// group is everything of one type at one name: ordinary record sets or the
// record set of a traffic policy instance.
type group struct {
	sets     []*rrset
	instance *instance
}

// zoneFor returns the hosted zone with the longest apex containing name
// (the oldest, when several zones have the same name).
func (s *Service) zoneFor(name string) *hostedZone {
	var best *hostedZone
	for _, z := range s.zones {
		if !inZone(name, z.name) {
			continue
		}
		if best == nil || len(z.name) > len(best.name) || (len(z.name) == len(best.name) && z.seq < best.seq) {
			best = z
		}
	}
	return best
}

// groupsAt returns the record sets at name by type.
func (s *Service) groupsAt(z *hostedZone, name string) map[string]*group {
	out := map[string]*group{}
	for _, r := range z.records {
		if r.Name == name {
			g := out[r.Type]
			if g == nil {
				g = &group{}
				out[r.Type] = g
			}
			g.sets = append(g.sets, r)
		}
	}
	for _, g := range out {
		slices.SortFunc(g.sets, func(a, b *rrset) int { return strings.Compare(a.SetIdentifier, b.SetIdentifier) })
	}
	for _, in := range s.instances {
		if in.zoneID == z.id && in.name == name && in.recordVisible() {
			out[in.appliedType()] = &group{instance: in}
		}
	}
	return out
}

// nameExists reports whether anything is at or below name in the zone.
func (s *Service) nameExists(z *hostedZone, name string) bool {
	below := func(n string) bool { return n == name || strings.HasSuffix(n, "."+name) }
	for _, r := range z.records {
		if below(r.Name) {
			return true
		}
	}
	for _, in := range s.instances {
		if in.zoneID == z.id && in.recordVisible() && below(in.name) {
			return true
		}
	}
	return false
}

func (s *Service) soaAnswer(z *hostedZone) *Answer {
	r := z.records[rrKey(z.name, "SOA", "")]
	if r == nil || len(r.ResourceRecords) == 0 {
		return nil
	}
	return &Answer{Name: displayName(z.name), Type: "SOA", TTL: *r.TTL, Value: r.ResourceRecords[0].Value}
}

func (r *resolver) resolve(name, qtype string, depth int) Result {
	s := r.s
	z := s.zoneFor(name)
	if z == nil {
		return Result{}
	}
	res := Result{Zone: displayName(z.name), HostedZoneID: z.id, SOA: s.soaAnswer(z)}
	// A delegation (NS record set below the apex) at or above the name.
	for n := name; n != "" && n != z.name; n = parentName(n) {
		if ns := z.records[rrKey(n, "NS", "")]; ns != nil && (n != name || qtype != "DS") {
			for _, v := range ns.ResourceRecords {
				res.Delegation = append(res.Delegation, Answer{Name: displayName(n), Type: "NS", TTL: *ns.TTL, Value: v.Value})
			}
			return res
		}
	}
	groups := s.groupsAt(z, name)
	if len(groups) == 0 {
		if s.nameExists(z, name) {
			return res // empty non-terminal: no data
		}
		if wc := r.wildcard(z, name); wc != "" {
			groups = s.groupsAt(z, wc)
		}
		if len(groups) == 0 {
			res.NXDomain = true
			return res
		}
	}
	switch g := groups[qtype]; {
	case qtype == "ANY":
		types := make([]string, 0, len(groups))
		for t := range groups {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, t := range types {
			res.Answers = append(res.Answers, r.answerGroup(name, t, groups[t], depth)...)
		}
	case g != nil:
		res.Answers = r.answerGroup(name, qtype, g, depth)
	case groups["CNAME"] != nil:
		res.Answers = r.answerGroup(name, "CNAME", groups["CNAME"], depth)
		if n := len(res.Answers); n > 0 && res.Answers[n-1].Type == "CNAME" && depth < maxChase {
			target, ok := normalizeName(res.Answers[n-1].Value)
			if ok {
				sub := r.resolve(target, qtype, depth+1)
				res.Answers = append(res.Answers, sub.Answers...)
			}
		}
	}
	return res
}

// wildcard returns "*.<closest encloser>" when the zone has records there.
func (r *resolver) wildcard(z *hostedZone, name string) string {
	for p := parentName(name); p != ""; p = parentName(p) {
		if !inZone(p, z.name) {
			return ""
		}
		if r.s.nameExists(z, p) || p == z.name {
			wc := "*." + p
			if len(r.s.groupsAt(z, wc)) > 0 {
				return wc
			}
			return ""
		}
	}
	return ""
}

// answerGroup answers qname with one group of record sets of type typ.
func (r *resolver) answerGroup(qname, typ string, g *group, depth int) []Answer {
	if g.instance != nil {
		return r.answerInstance(qname, g.instance, depth)
	}
	var out []Answer
	for _, rs := range r.route(g.sets, depth) {
		if rs.AliasTarget != nil {
			for _, a := range r.answerAlias(qname, rs.Type, rs.AliasTarget.DNSName, nil, depth) {
				a.SetIdentifier = rs.SetIdentifier
				out = append(out, a)
			}
			continue
		}
		for _, v := range rs.ResourceRecords {
			out = append(out, Answer{Name: displayName(qname), Type: rs.Type, TTL: *rs.TTL, Value: v.Value, SetIdentifier: rs.SetIdentifier})
		}
	}
	return out
}

// answerAlias answers qname with what an alias target answers for typ:
// within the emulated zones, the target's records under qname (with ttl if
// given, else the target's); outside, a CNAME to the target.
func (r *resolver) answerAlias(qname, typ, target string, ttl *int64, depth int) []Answer {
	t, ok := normalizeName(target)
	if !ok {
		return nil
	}
	if depth < maxChase && r.s.zoneFor(t) != nil {
		sub := r.resolve(t, typ, depth+1)
		out := make([]Answer, 0, len(sub.Answers))
		for _, a := range sub.Answers {
			if a.Name == displayName(t) {
				a.Name = displayName(qname)
			}
			if ttl != nil {
				a.TTL = *ttl
			}
			out = append(out, a)
		}
		return out
	}
	a := Answer{Name: displayName(qname), Type: "CNAME", TTL: 60, Value: displayName(t)}
	if ttl != nil {
		a.TTL = *ttl
	}
	return []Answer{a}
}

// answerInstance answers from the policy version the instance applied.
func (r *resolver) answerInstance(qname string, in *instance, depth int) []Answer {
	p := r.s.policies[in.applied.policyID]
	if p == nil || in.applied.version > len(p.versions) {
		return nil
	}
	doc := p.versions[in.applied.version-1].doc
	ttl := in.applied.ttl
	var out []Answer
	for _, id := range doc.route(r.client, r.unhealthy, r.rnd) {
		ep := doc.Endpoints[id]
		if ep == nil {
			continue
		}
		var answers []Answer
		if ep.Type == endpointValue {
			answers = []Answer{{Name: displayName(qname), Type: doc.RecordType, TTL: ttl, Value: ep.Value}}
		} else {
			answers = r.answerAlias(qname, doc.RecordType, aliasDNSName(ep), &ttl, depth)
		}
		for _, a := range answers {
			a.TrafficPolicyInstanceID = in.id
			a.Endpoint = id
			out = append(out, a)
		}
	}
	return out
}

// aliasDNSName is the DNS name an alias endpoint points at: its Value, or
// for an S3 website endpoint given as a bucket name, the bucket's website
// endpoint in its Region.
func aliasDNSName(ep *tfEndpoint) string {
	v := strings.TrimSuffix(ep.Value, ".")
	if ep.Type == endpointS3Website && !strings.HasSuffix(strings.ToLower(v), ".amazonaws.com") {
		return v + ".s3-website-" + ep.Region + ".amazonaws.com"
	}
	return v
}

// ------------------------------------------------------- routing policies

// healthy reports whether Route 53 considers a record set healthy: its health
// check passes and, for an alias that evaluates target health, the target
// (within the emulated zones) has a healthy record set.
func (r *resolver) healthy(rs *rrset, depth int) bool {
	if rs.HealthCheckID != "" && r.unhealthy[rs.HealthCheckID] {
		return false
	}
	if a := rs.AliasTarget; a != nil && a.EvaluateTargetHealth && depth < maxChase {
		t, ok := normalizeName(a.DNSName)
		if !ok {
			return true
		}
		z := r.s.zoneFor(t)
		if z == nil {
			return true // targets outside the emulator are not modelled
		}
		g := r.s.groupsAt(z, t)[rs.Type]
		if g == nil {
			return false
		}
		if g.instance != nil {
			return true
		}
		return slices.ContainsFunc(g.sets, func(x *rrset) bool { return r.healthy(x, depth+1) })
	}
	return true
}

// route picks the record sets that answer, following the group's routing
// policy and Route 53's rules for health checks.
func (r *resolver) route(sets []*rrset, depth int) []*rrset {
	if len(sets) == 0 {
		return nil
	}
	healthy := func(rs *rrset) bool { return r.healthy(rs, depth) }
	firstHealthy := func(order []*rrset) []*rrset {
		for _, rs := range order {
			if healthy(rs) {
				return []*rrset{rs}
			}
		}
		return []*rrset{order[0]}
	}
	switch sets[0].routing() {
	case "":
		return sets[:1]
	case "weighted":
		var healthyNonZero, healthyZero, nonZero []*rrset
		for _, rs := range sets {
			h := healthy(rs)
			switch {
			case *rs.Weight > 0 && h:
				healthyNonZero = append(healthyNonZero, rs)
				nonZero = append(nonZero, rs)
			case *rs.Weight > 0:
				nonZero = append(nonZero, rs)
			case h:
				healthyZero = append(healthyZero, rs)
			}
		}
		switch {
		case len(healthyNonZero) > 0:
			return []*rrset{r.pickWeighted(healthyNonZero)}
		case len(healthyZero) > 0:
			return []*rrset{healthyZero[int(r.rnd.Float64()*float64(len(healthyZero)))%len(healthyZero)]}
		case len(nonZero) > 0:
			return []*rrset{r.pickWeighted(nonZero)}
		}
		return []*rrset{sets[int(r.rnd.Float64()*float64(len(sets)))%len(sets)]}
	case "failover":
		order := slices.Clone(sets)
		slices.SortStableFunc(order, func(a, b *rrset) int { return strings.Compare(a.Failover, b.Failover) }) // PRIMARY < SECONDARY
		return firstHealthy(order)
	case "latency":
		order := slices.Clone(sets)
		slices.SortStableFunc(order, func(a, b *rrset) int { return cmp.Compare(r.latency(a.Region), r.latency(b.Region)) })
		return firstHealthy(order)
	case "geolocation":
		var sub, country, continent, def []*rrset
		c := r.client
		for _, rs := range sets {
			g := rs.GeoLocation
			switch {
			case g.CountryCode == "*":
				def = append(def, rs)
			case g.CountryCode == c.Country && g.SubdivisionCode != "" && g.SubdivisionCode == c.Subdivision:
				sub = append(sub, rs)
			case g.CountryCode == c.Country && g.SubdivisionCode == "":
				country = append(country, rs)
			case g.ContinentCode != "" && g.ContinentCode == c.Continent:
				continent = append(continent, rs)
			}
		}
		chain := slices.Concat(sub, country, continent, def)
		if len(chain) == 0 {
			return nil
		}
		return firstHealthy(chain)
	case "geoproximity":
		order := slices.Clone(sets)
		slices.SortStableFunc(order, func(a, b *rrset) int { return cmp.Compare(r.proximity(a), r.proximity(b)) })
		return firstHealthy(order)
	case "multivalue":
		var pool []*rrset
		for _, rs := range sets {
			if healthy(rs) {
				pool = append(pool, rs)
			}
		}
		if len(pool) == 0 {
			pool = slices.Clone(sets)
		}
		for i := len(pool) - 1; i > 0; i-- {
			j := int(r.rnd.Float64()*float64(i+1)) % (i + 1)
			pool[i], pool[j] = pool[j], pool[i]
		}
		return pool[:min(len(pool), 8)]
	case "cidr":
		// The emulator does not see client addresses: the default location answers.
		for _, rs := range sets {
			if rs.CidrRoutingConfig.LocationName == "*" {
				return []*rrset{rs}
			}
		}
		return sets[:1]
	}
	return sets[:1]
}

func (r *resolver) pickWeighted(sets []*rrset) *rrset {
	total := int64(0)
	for _, rs := range sets {
		total += *rs.Weight
	}
	u := r.rnd.Float64() * float64(total)
	acc := 0.0
	for _, rs := range sets {
		acc += float64(*rs.Weight)
		if u < acc {
			return rs
		}
	}
	return sets[len(sets)-1]
}

func (r *resolver) latency(region string) float64 {
	ms, ok := LatencyMS(r.client.Code, region)
	if !ok {
		return math.Inf(1)
	}
	return ms
}

// proximity is the biased distance from the client's region to a
// geoproximity record (Route 53's documented bias formula).
func (r *resolver) proximity(rs *rrset) float64 {
	g := rs.GeoProximityLocation
	var lat, lon float64
	switch {
	case g.Coordinates != nil:
		lat, _ = strconv.ParseFloat(g.Coordinates.Latitude, 64)
		lon, _ = strconv.ParseFloat(g.Coordinates.Longitude, 64)
	default:
		region := g.AWSRegion
		if region == "" { // a Local Zone group such as us-west-2-lax-1: its parent region
			if parent, ok := localZoneParent(g.LocalZoneGroup); ok {
				region = parent.Code
			}
		}
		info, ok := LookupRegion(region)
		if !ok {
			return math.Inf(1)
		}
		lat, lon = info.Latitude, info.Longitude
	}
	d := haversineKM(r.client.Latitude, r.client.Longitude, lat, lon)
	bias := 0
	if g.Bias != nil {
		bias = int(*g.Bias)
	}
	return BiasedDistanceKM(d, bias)
}
