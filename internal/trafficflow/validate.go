package trafficflow

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// Validate checks a document against the rules of the 2015-10-01 traffic policy
// format and returns nil or a ValidationErrors holding every problem found (not
// just the first), sorted by scope, id and field. Each problem names the rule or
// endpoint and says what to change.
//
// Checks: format version; record type; exactly one start and that it exists;
// endpoint and rule ids; endpoint types, regions and values (alias targets only
// for A/AAAA, s3-website only for A, value endpoints parsed as the record type);
// rule types and the item lists that belong to them; every reference resolves
// to the right kind (multivalue rules to value endpoints only, no
// EvaluateTargetHealth on CloudFront endpoints); no reference loops; every rule and endpoint reachable from
// the start; weights 0–255 with one non-zero per weighted rule; latency regions
// known and unique; failover Primary and Secondary present; multivalue items
// reference endpoints only; geo locations well formed with at most one default;
// geoproximity coordinates and bias in range; health check ids in UUID form; and
// the rendered document within MaxDocumentLength characters.
func Validate(doc *Document) error {
	if doc == nil {
		return ValidationErrors{{Scope: ScopeDocument, Code: CodeSyntax, Message: "no document"}}
	}
	v := validator{doc: doc}
	v.run()
	return v.err()
}

// ValidateJSON parses and validates a document as Route 53 receives it. The
// length limit is applied to data itself. It returns the parsed document when
// parsing succeeded, even if validation then failed.
func ValidateJSON(data []byte) (*Document, error) {
	if n := utf8.RuneCount(data); n > MaxDocumentLength {
		return nil, ValidationErrors{{Scope: ScopeDocument, Code: CodeLength,
			Message: fmt.Sprintf("the document is %d characters long; Route 53 accepts at most %d", n, MaxDocumentLength)}}
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return doc, Validate(doc)
}

type validator struct {
	problems
	doc *Document
	// ruleRefs and endRefs hold, per rule, the existing rules and endpoints it references.
	ruleRefs map[string][]string
	endRefs  map[string][]string
}

func (v *validator) docProblem(field string, code Code, format string, args ...any) {
	v.add(ScopeDocument, "", field, code, format, args...)
}

func (v *validator) run() {
	d := v.doc
	switch d.FormatVersion {
	case FormatVersion, FormatVersion2023:
	case "":
		v.docProblem("AWSPolicyFormatVersion", CodeFormatVersion, "missing; set it to %q", FormatVersion)
	default:
		v.docProblem("AWSPolicyFormatVersion", CodeFormatVersion, "%q is not a traffic policy format version; use %q (or %q for Local Zones in geoproximity rules)", d.FormatVersion, FormatVersion, FormatVersion2023)
	}

	recordTypeOK := slices.Contains(RecordTypes(), d.RecordType)
	if d.RecordType == "" {
		v.docProblem("RecordType", CodeRecordType, "missing; set the DNS type of the records, one of %s", listOf(RecordTypes()))
	} else if !recordTypeOK {
		v.docProblem("RecordType", CodeRecordType, "%q is not supported by traffic policies; use one of %s", d.RecordType, listOf(RecordTypes()))
	}

	startOK := v.checkStart()
	if len(d.Endpoints) == 0 {
		v.docProblem("Endpoints", CodeEndpoint, "no endpoints; define at least one endpoint for the policy to answer with")
	}

	for _, id := range sortedKeys(d.Endpoints) {
		v.checkEndpoint(id, d.Endpoints[id], recordTypeOK)
	}
	v.ruleRefs = map[string][]string{}
	v.endRefs = map[string][]string{}
	for _, id := range sortedKeys(d.Rules) {
		v.checkRule(id, d.Rules[id])
	}
	v.checkCycles()
	if startOK {
		v.checkReachable()
	}
	if out, err := Render(d); err == nil {
		if n := utf8.RuneCount(out); n > MaxDocumentLength {
			v.docProblem("", CodeLength, "the rendered document is %d characters long; Route 53 accepts at most %d, so split the policy or shorten ids and values", n, MaxDocumentLength)
		}
	}
}

func (v *validator) checkStart() bool {
	d := v.doc
	switch {
	case d.StartRule != "" && d.StartEndpoint != "":
		v.docProblem("StartRule", CodeStart, "both StartRule %q and StartEndpoint %q are set; keep exactly one", d.StartRule, d.StartEndpoint)
		return false
	case d.StartRule == "" && d.StartEndpoint == "":
		v.docProblem("StartRule", CodeStart, "neither StartRule nor StartEndpoint is set; set exactly one")
		return false
	case d.StartRule != "":
		if _, ok := d.Rules[d.StartRule]; !ok {
			msg := fmt.Sprintf("StartRule %q is not defined in Rules; define it or start from an existing rule", d.StartRule)
			if _, isEndpoint := d.Endpoints[d.StartRule]; isEndpoint {
				msg = fmt.Sprintf("StartRule %q names an endpoint; use StartEndpoint for endpoints", d.StartRule)
			}
			v.docProblem("StartRule", CodeStart, "%s", msg)
			return false
		}
	default:
		if _, ok := d.Endpoints[d.StartEndpoint]; !ok {
			msg := fmt.Sprintf("StartEndpoint %q is not defined in Endpoints; define it or start from an existing endpoint", d.StartEndpoint)
			if _, isRule := d.Rules[d.StartEndpoint]; isRule {
				msg = fmt.Sprintf("StartEndpoint %q names a rule; use StartRule for rules", d.StartEndpoint)
			}
			v.docProblem("StartEndpoint", CodeStart, "%s", msg)
			return false
		}
	}
	return true
}

func (v *validator) checkEndpoint(id string, ep Endpoint, recordTypeOK bool) {
	add := func(field string, code Code, format string, args ...any) {
		v.add(ScopeEndpoint, id, field, code, format, args...)
	}
	if msg := checkID(id); msg != "" {
		add("", CodeID, "%s", msg)
	}
	if !slices.Contains(EndpointTypes(), ep.Type) {
		if ep.Type == "" {
			add("Type", CodeEndpoint, "missing; use one of %s", listOf(EndpointTypes()))
		} else {
			add("Type", CodeEndpoint, "%q is not an endpoint type; use one of %s", ep.Type, listOf(EndpointTypes()))
		}
		return
	}
	if ep.Type == EndpointS3Website {
		switch {
		case ep.Region == "":
			add("Region", CodeRegion, "missing; an s3-website endpoint needs the AWS region the bucket was created in")
		case !IsRegion(ep.Region):
			add("Region", CodeRegion, "%q is not a known AWS region; use a region code such as us-east-1", ep.Region)
		}
	} else if ep.Region != "" {
		add("Region", CodeEndpoint, "Region is only used by s3-website endpoints; remove it from this %s endpoint", ep.Type)
	}
	rt := v.doc.RecordType
	if ep.Type == EndpointValue {
		if recordTypeOK {
			if msg := checkRecordValue(rt, ep.Value); msg != "" {
				add("Value", CodeRecordValue, "%s", msg)
			}
		}
		return
	}
	// Alias targets.
	if recordTypeOK {
		if ep.Type == EndpointS3Website && rt != RecordTypeA {
			add("Type", CodeRecordType, "s3-website endpoints are alias targets that only work with RecordType A, not %s; change RecordType or use a value endpoint", rt)
		} else if rt != RecordTypeA && rt != RecordTypeAAAA {
			add("Type", CodeRecordType, "%s endpoints are alias targets that only work with RecordType A or AAAA, not %s; change RecordType or use a value endpoint", ep.Type, rt)
		}
	}
	switch {
	case ep.Value == "":
		add("Value", CodeEndpoint, "missing; give the DNS name of the %s", aliasNoun(ep.Type))
	case !isDomainName(ep.Value):
		add("Value", CodeEndpoint, "%q is not a DNS name; give the DNS name of the %s", ep.Value, aliasNoun(ep.Type))
	case ep.Type == EndpointCloudFront && !strings.HasSuffix(strings.TrimSuffix(strings.ToLower(ep.Value), "."), ".cloudfront.net"):
		add("Value", CodeEndpoint, "%q is not a CloudFront domain name; use the distribution's name such as d111111abcdef8.cloudfront.net", ep.Value)
	}
}

func aliasNoun(t EndpointType) string {
	switch t {
	case EndpointCloudFront:
		return "CloudFront distribution (e.g. d111111abcdef8.cloudfront.net)"
	case EndpointS3Website:
		return "S3 website bucket (e.g. www.example.com)"
	case EndpointElasticBeanstalk:
		return "Elastic Beanstalk environment"
	}
	return "load balancer"
}

var ruleLists = []struct {
	name  string
	owner []RuleType
	has   func(Rule) bool
}{
	{"Primary", []RuleType{RuleFailover}, func(r Rule) bool { return r.Primary != nil }},
	{"Secondary", []RuleType{RuleFailover}, func(r Rule) bool { return r.Secondary != nil }},
	{"Locations", []RuleType{RuleGeo}, func(r Rule) bool { return len(r.Locations) > 0 }},
	{"GeoproximityLocations", []RuleType{RuleGeoproximity}, func(r Rule) bool { return len(r.GeoproximityLocations) > 0 }},
	{"Regions", []RuleType{RuleLatency}, func(r Rule) bool { return len(r.Regions) > 0 }},
	{"Items", []RuleType{RuleWeighted, RuleMultivalue}, func(r Rule) bool { return len(r.Items) > 0 }},
}

var listOfRule = map[RuleType]string{
	RuleFailover:     "Primary and Secondary",
	RuleGeo:          "Locations",
	RuleGeoproximity: "GeoproximityLocations",
	RuleLatency:      "Regions",
	RuleMultivalue:   "Items",
	RuleWeighted:     "Items",
}

func (v *validator) checkRule(id string, r Rule) {
	add := func(field string, code Code, format string, args ...any) {
		v.add(ScopeRule, id, field, code, format, args...)
	}
	if msg := checkID(id); msg != "" {
		add("", CodeID, "%s", msg)
	}
	known := slices.Contains(RuleTypes(), r.RuleType)
	switch {
	case r.RuleType == "":
		add("RuleType", CodeRuleShape, "missing; use one of %s", listOf(RuleTypes()))
	case !known:
		add("RuleType", CodeRuleShape, "%q is not a rule type; use one of %s", r.RuleType, listOf(RuleTypes()))
	}
	if known {
		for _, l := range ruleLists {
			if l.has(r) && !slices.Contains(l.owner, r.RuleType) {
				add(l.name, CodeRuleShape, "%s rules do not use %s; remove it (a %s rule uses %s)", r.RuleType, l.name, r.RuleType, listOfRule[r.RuleType])
			}
		}
	}
	// References are checked whatever the rule type, so dangling ones are
	// reported even in a rule that has other problems.
	if r.Primary != nil {
		v.checkRef(id, "Primary", r.Primary, true)
	}
	if r.Secondary != nil {
		v.checkRef(id, "Secondary", r.Secondary, true)
	}
	for i := range r.Locations {
		v.checkRef(id, fmt.Sprintf("Locations[%d]", i), &r.Locations[i].Reference, true)
	}
	for i := range r.GeoproximityLocations {
		v.checkRef(id, fmt.Sprintf("GeoproximityLocations[%d]", i), &r.GeoproximityLocations[i].Reference, true)
	}
	for i := range r.Regions {
		v.checkRef(id, fmt.Sprintf("Regions[%d]", i), &r.Regions[i].Reference, true)
	}
	for i := range r.Items {
		v.checkRef(id, fmt.Sprintf("Items[%d]", i), &r.Items[i].Reference, r.RuleType != RuleMultivalue)
	}

	switch r.RuleType {
	case RuleFailover:
		if r.Primary == nil {
			add("Primary", CodeRuleShape, "missing; a failover rule needs both Primary and Secondary")
		}
		if r.Secondary == nil {
			add("Secondary", CodeRuleShape, "missing; a failover rule needs both Primary and Secondary")
		}
	case RuleGeo:
		v.checkGeo(id, r.Locations)
	case RuleGeoproximity:
		v.checkGeoproximity(id, r.GeoproximityLocations)
	case RuleLatency:
		if len(r.Regions) == 0 {
			add("Regions", CodeRuleShape, "no regions; a latency rule needs at least one entry with a Region")
		}
		seen := map[string]int{}
		for i, l := range r.Regions {
			field := fmt.Sprintf("Regions[%d].Region", i)
			switch {
			case l.Region == "":
				add(field, CodeRegion, "missing; give the AWS region of this entry's resources, e.g. ap-south-1")
			case !IsRegion(l.Region):
				add(field, CodeRegion, "%q is not a known AWS region; use a region code such as %s", l.Region, suggestRegion(l.Region))
			default:
				if j, dup := seen[l.Region]; dup {
					add(field, CodeRegion, "region %s is already used by Regions[%d]; each region may appear once in a latency rule (route to a nested rule to combine resources)", l.Region, j)
				} else {
					seen[l.Region] = i
				}
			}
		}
	case RuleMultivalue:
		if len(r.Items) == 0 {
			add("Items", CodeRuleShape, "no items; a multivalue rule needs at least one endpoint")
		}
		for i, it := range r.Items {
			field := fmt.Sprintf("Items[%d]", i)
			if it.RuleReference != "" {
				add(field+".RuleReference", CodeReference, "multivalue rules can only reference endpoints; replace RuleReference %q with an EndpointReference", it.RuleReference)
			}
			if it.Weight != nil {
				add(field+".Weight", CodeRuleShape, "multivalue items have no Weight; remove it (or make the rule weighted)")
			}
			if it.EvaluateTargetHealth != nil {
				add(field+".EvaluateTargetHealth", CodeRuleShape, "multivalue items have no EvaluateTargetHealth; remove it and use HealthCheck")
			}
		}
	case RuleWeighted:
		if len(r.Items) == 0 {
			add("Items", CodeRuleShape, "no items; a weighted rule needs at least one item with a non-zero weight")
			break
		}
		// The all-zero check only speaks once every weight is valid: a
		// missing or out-of-range weight is one mistake, reported once.
		nonZero, allValid := false, true
		for i, it := range r.Items {
			field := fmt.Sprintf("Items[%d].Weight", i)
			switch {
			case it.Weight == nil:
				add(field, CodeWeight, "missing; give each item of a weighted rule a Weight from 0 to 255")
				allValid = false
			case *it.Weight < 0 || *it.Weight > 255:
				add(field, CodeWeight, "weight %d is out of range; use a value from 0 to 255", *it.Weight)
				allValid = false
			case *it.Weight > 0:
				nonZero = true
			}
		}
		if !nonZero && allValid {
			add("", CodeWeight, "weighted rule needs at least one item with a non-zero weight")
		}
	}
}

// checkRef checks one item's target and health check and records the edge.
func (v *validator) checkRef(ruleID, field string, ref *Reference, rulesAllowed bool) {
	add := func(f string, code Code, format string, args ...any) {
		v.add(ScopeRule, ruleID, f, code, format, args...)
	}
	switch {
	case ref.EndpointReference != "" && ref.RuleReference != "":
		add(field, CodeReference, "both EndpointReference %q and RuleReference %q are set; keep exactly one", ref.EndpointReference, ref.RuleReference)
	case ref.EndpointReference == "" && ref.RuleReference == "":
		if rulesAllowed {
			add(field, CodeReference, "no target; set EndpointReference or RuleReference")
		} else {
			add(field, CodeReference, "no target; set EndpointReference")
		}
	case ref.EndpointReference != "":
		if _, ok := v.doc.Endpoints[ref.EndpointReference]; !ok {
			hint := "define it in Endpoints or fix the id"
			if _, isRule := v.doc.Rules[ref.EndpointReference]; isRule && rulesAllowed {
				hint = "it names a rule; use RuleReference"
			}
			add(field+".EndpointReference", CodeReference, "endpoint %q is not defined; %s", ref.EndpointReference, hint)
		} else {
			v.endRefs[ruleID] = append(v.endRefs[ruleID], ref.EndpointReference)
			ep := v.doc.Endpoints[ref.EndpointReference]
			switch {
			case !rulesAllowed && ep.Type.IsAlias():
				// ResourceRecordSet MultiValueAnswer: "You can't create
				// multivalue answer alias records."
				add(field+".EndpointReference", CodeReference, "endpoint %q is a %s endpoint, an alias target; multivalue rules answer with value endpoints only (Route 53 has no multivalue alias records): reference a value endpoint or use a weighted rule", ref.EndpointReference, ep.Type)
			case ep.Type == EndpointCloudFront && ref.EvaluateTargetHealth != nil && *ref.EvaluateTargetHealth:
				// AliasTarget EvaluateTargetHealth: "You can't set
				// EvaluateTargetHealth to true when the alias target is a
				// CloudFront distribution."
				add(field+".EvaluateTargetHealth", CodeReference, "Route 53 cannot evaluate the health of CloudFront distribution %q; set EvaluateTargetHealth to false or remove it (use HealthCheck instead)", ref.EndpointReference)
			}
		}
	default:
		if _, ok := v.doc.Rules[ref.RuleReference]; !ok {
			hint := "define it in Rules or fix the id"
			if _, isEndpoint := v.doc.Endpoints[ref.RuleReference]; isEndpoint {
				hint = "it names an endpoint; use EndpointReference"
			}
			add(field+".RuleReference", CodeReference, "rule %q is not defined; %s", ref.RuleReference, hint)
		} else {
			v.ruleRefs[ruleID] = append(v.ruleRefs[ruleID], ref.RuleReference)
		}
	}
	if ref.HealthCheck != "" && !IsHealthCheckID(ref.HealthCheck) {
		add(field+".HealthCheck", CodeHealthCheck, "%q is not a Route 53 health check id; use the health check's id, a UUID such as 11111111-2222-3333-4444-555555555555", ref.HealthCheck)
	}
}

func (v *validator) checkGeo(id string, locs []GeoLocation) {
	add := func(field string, code Code, format string, args ...any) {
		v.add(ScopeRule, id, field, code, format, args...)
	}
	if len(locs) == 0 {
		add("Locations", CodeRuleShape, "no locations; a geo rule needs at least one location (and usually a default)")
		return
	}
	defaultAt := -1
	seen := map[string]int{}
	for i, g := range locs {
		field := fmt.Sprintf("Locations[%d]", i)
		explicitDefault := g.IsDefault != nil && *g.IsDefault
		var key string
		switch {
		case explicitDefault && (g.Continent != "" || (g.Country != "" && g.Country != "*") || g.Subdivision != ""):
			add(field, CodeGeo, "IsDefault is true but a Continent, Country or Subdivision is also set; a location is either the default or a place")
			continue
		case g.IsDefaultLocation():
			if g.Subdivision != "" || g.Continent != "" {
				add(field, CodeGeo, "the default location (Country \"*\") cannot also have a Continent or Subdivision; remove them")
				continue
			}
			if defaultAt >= 0 {
				add(field, CodeGeo, "a second default location (IsDefault true or Country \"*\"); Locations[%d] is already the default, keep one", defaultAt)
				continue
			}
			defaultAt = i
			continue
		case g.Continent != "" && (g.Country != "" || g.Subdivision != ""):
			add(field, CodeGeo, "Continent cannot be combined with Country or Subdivision; use separate locations")
			continue
		case g.Continent != "":
			if _, ok := continents[g.Continent]; !ok {
				add(field+".Continent", CodeGeo, "%q is not a continent code; use one of AF, AN, AS, EU, NA, OC, SA", g.Continent)
				continue
			}
			key = "continent " + g.Continent
		case g.Country != "":
			if _, ok := continentOf[g.Country]; !ok {
				add(field+".Country", CodeGeo, "%q is not a country code Route 53 supports; use an ISO 3166-1 alpha-2 code such as US or IN, or \"*\" for the default", g.Country)
				continue
			}
			key = "country " + g.Country
			if g.Subdivision != "" {
				if g.Country != "US" {
					add(field+".Subdivision", CodeGeo, "subdivisions are only supported for Country \"US\" (US states); remove Subdivision or set Country to US")
					continue
				}
				if !usStates[g.Subdivision] {
					add(field+".Subdivision", CodeGeo, "%q is not a US state code; use a two-letter code such as WA", g.Subdivision)
					continue
				}
				key += "/" + g.Subdivision
			}
		case g.Subdivision != "":
			add(field+".Subdivision", CodeGeo, "Subdivision needs Country \"US\"; add it")
			continue
		default:
			add(field, CodeGeo, "no location; set Continent, Country (optionally with Subdivision), or IsDefault true")
			continue
		}
		if j, dup := seen[key]; dup {
			add(field, CodeGeo, "%s is already used by Locations[%d]; each place may appear once", key, j)
		} else {
			seen[key] = i
		}
	}
}

func (v *validator) checkGeoproximity(id string, locs []GeoproximityLocation) {
	add := func(field string, code Code, format string, args ...any) {
		v.add(ScopeRule, id, field, code, format, args...)
	}
	if len(locs) == 0 {
		add("GeoproximityLocations", CodeRuleShape, "no locations; a geoproximity rule needs at least one entry with a Region or Latitude and Longitude")
		return
	}
	for i, g := range locs {
		field := fmt.Sprintf("GeoproximityLocations[%d]", i)
		if g.Bias != nil && (*g.Bias < -99 || *g.Bias > 99) {
			add(field+".Bias", CodeGeoproximity, "bias %d is out of range; use a value from -99 to 99", *g.Bias)
		}
		hasCoords := g.Latitude != "" || g.Longitude != ""
		if v.doc.FormatVersion == FormatVersion2023 {
			// "Location (AWSPolicyFormatVersion 2023-05-09 only)"; Region,
			// Latitude and Longitude are "2015-10-01 only".
			switch {
			case g.Region != "" || hasCoords:
				add(field, CodeGeoproximity, "in format %s an entry gives its place as Location (Type Region, LocalZone or Coordinate), not Region, Latitude or Longitude", FormatVersion2023)
			case g.Location == nil:
				add(field, CodeGeoproximity, "no location; set Location with Type Region or LocalZone and a LocationName (\"aws:route53:<region or Local Zone>\"), or Type Coordinate with Latitude and Longitude")
			default:
				v.checkLocation(id, field+".Location", *g.Location)
			}
			continue
		}
		if g.Location != nil {
			add(field+".Location", CodeGeoproximity, `Location belongs to AWSPolicyFormatVersion %s; in %s use Region "aws:route53:<region>" or Latitude and Longitude, or set AWSPolicyFormatVersion to %s`, FormatVersion2023, FormatVersion, FormatVersion2023)
			continue
		}
		switch {
		case g.Region != "" && hasCoords:
			add(field, CodeGeoproximity, "both Region and Latitude/Longitude are set; use Region for AWS resources or coordinates for others, not both")
		case g.Region != "":
			code, ok := strings.CutPrefix(g.Region, GeoproximityRegionPrefix)
			if !ok {
				hint := code
				if !IsRegion(hint) {
					hint = "ap-south-1"
				}
				add(field+".Region", CodeRegion, "%q must be written %q followed by the region code, e.g. %q", g.Region, GeoproximityRegionPrefix, GeoproximityRegionPrefix+hint)
			} else if !IsRegion(code) {
				add(field+".Region", CodeRegion, "%q is not a known AWS region; use %q followed by a region code such as %s", code, GeoproximityRegionPrefix, suggestRegion(code))
			}
		case hasCoords:
			if g.Latitude == "" || g.Longitude == "" {
				add(field, CodeGeoproximity, "set both Latitude and Longitude")
				break
			}
			if _, msg := checkDegrees(g.Latitude, 90, "Latitude"); msg != "" {
				add(field+".Latitude", CodeGeoproximity, "%s", msg)
			}
			if _, msg := checkDegrees(g.Longitude, 180, "Longitude"); msg != "" {
				add(field+".Longitude", CodeGeoproximity, "%s", msg)
			}
		default:
			add(field, CodeGeoproximity, "no location; set Region (\"aws:route53:<region>\") or Latitude and Longitude")
		}
	}
}

// checkLocation checks the Location of a 2023-05-09 geoproximity entry.
func (v *validator) checkLocation(id, field string, l Location) {
	add := func(f string, format string, args ...any) {
		v.add(ScopeRule, id, f, CodeGeoproximity, format, args...)
	}
	switch l.Type {
	case LocationRegion, LocationLocalZone:
		if l.Latitude != "" || l.Longitude != "" {
			add(field, "a %s location has a LocationName, not Latitude or Longitude", l.Type)
		}
		name, ok := strings.CutPrefix(l.LocationName, GeoproximityRegionPrefix)
		switch {
		case l.LocationName == "":
			add(field+".LocationName", "missing; write %q followed by the %s, e.g. %q", GeoproximityRegionPrefix, strings.ToLower(l.Type), GeoproximityRegionPrefix+map[string]string{LocationRegion: "us-east-1", LocationLocalZone: "us-east-1-atl-1a"}[l.Type])
		case !ok:
			add(field+".LocationName", "%q must be written %q followed by the name", l.LocationName, GeoproximityRegionPrefix)
		case l.Type == LocationRegion && !IsRegion(name):
			add(field+".LocationName", "%q is not a known AWS region; use %q followed by a region code such as %s", name, GeoproximityRegionPrefix, suggestRegion(name))
		case l.Type == LocationLocalZone:
			if _, ok := LocalZoneRegion(name); !ok {
				add(field+".LocationName", "%q is not a Local Zone of a known region; write it like us-east-1-atl-1a (or the zone group us-east-1-atl-1)", name)
			}
		}
	case LocationCoordinate:
		if l.LocationName != "" {
			add(field, "a Coordinate location has Latitude and Longitude, not a LocationName")
		}
		if l.Latitude == "" || l.Longitude == "" {
			add(field, "set both Latitude and Longitude")
			return
		}
		if _, msg := checkDegrees(l.Latitude, 90, "Latitude"); msg != "" {
			add(field+".Latitude", "%s", msg)
		}
		if _, msg := checkDegrees(l.Longitude, 180, "Longitude"); msg != "" {
			add(field+".Longitude", "%s", msg)
		}
	case "":
		add(field+".Type", "missing; use Region, LocalZone or Coordinate")
	default:
		add(field+".Type", "%q is not a location type; use Region, LocalZone or Coordinate", l.Type)
	}
}

// localZone matches a Local Zone ("us-east-1-atl-1a") or Local Zone group
// ("us-west-2-lax-1") name: its region, a location code and a number.
var localZone = regexp.MustCompile(`^([a-z]+(?:-[a-z]+)+-[0-9]+)-[a-z]+-[0-9]+[a-z]?$`)

// LocalZoneRegion returns the region a Local Zone or Local Zone group
// belongs to, if the name has that form and the region is known.
func LocalZoneRegion(name string) (string, bool) {
	m := localZone.FindStringSubmatch(name)
	if m == nil || !IsRegion(m[1]) {
		return "", false
	}
	return m[1], true
}

// checkCycles reports every loop of rule references once, on its smallest id.
func (v *validator) checkCycles() {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	reported := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		stack = append(stack, id)
		for _, next := range v.ruleRefs[id] {
			switch color[next] {
			case white:
				visit(next)
			case grey:
				start := slices.Index(stack, next)
				cycle := slices.Clone(stack[start:])
				// Rotate so the smallest id comes first; report each loop once.
				minAt := 0
				for i, c := range cycle {
					if c < cycle[minAt] {
						minAt = i
					}
				}
				cycle = append(cycle[minAt:], cycle[:minAt]...)
				key := strings.Join(cycle, "\x00")
				if !reported[key] {
					reported[key] = true
					path := strings.Join(append(slices.Clone(cycle), cycle[0]), " → ")
					if len(cycle) == 1 {
						v.add(ScopeRule, cycle[0], "", CodeCycle, "the rule references itself (%s); point it at another rule or an endpoint", path)
					} else {
						v.add(ScopeRule, cycle[0], "", CodeCycle, "rules reference each other in a loop (%s); break the loop so every path ends at an endpoint", path)
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
	}
	for _, id := range sortedKeys(v.doc.Rules) {
		if color[id] == white {
			visit(id)
		}
	}
}

// checkReachable reports rules and endpoints no path from the start reaches.
func (v *validator) checkReachable() {
	d := v.doc
	seenRules := map[string]bool{}
	seenEndpoints := map[string]bool{}
	from := fmt.Sprintf("StartEndpoint %q", d.StartEndpoint)
	if d.StartRule != "" {
		from = fmt.Sprintf("StartRule %q", d.StartRule)
		queue := []string{d.StartRule}
		seenRules[d.StartRule] = true
		for len(queue) > 0 {
			id := queue[0]
			queue = queue[1:]
			for _, e := range v.endRefs[id] {
				seenEndpoints[e] = true
			}
			for _, r := range v.ruleRefs[id] {
				if !seenRules[r] {
					seenRules[r] = true
					queue = append(queue, r)
				}
			}
		}
	} else {
		seenEndpoints[d.StartEndpoint] = true
	}
	for _, id := range sortedKeys(d.Endpoints) {
		if !seenEndpoints[id] {
			v.add(ScopeEndpoint, id, "", CodeUnreachable, "not reachable from %s; reference it from a rule or remove it", from)
		}
	}
	for _, id := range sortedKeys(d.Rules) {
		if !seenRules[id] {
			v.add(ScopeRule, id, "", CodeUnreachable, "not reachable from %s; reference it from another rule or remove it", from)
		}
	}
}

func listOf[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// suggestRegion returns a known region close in spelling to s, or a default.
func suggestRegion(s string) string {
	if r, ok := LookupRegion(regions.Suggest(s)); ok {
		return r.Code
	}
	return "ap-south-1"
}
