package trafficflow

// FormatVersion is the AWSPolicyFormatVersion this package writes documents in.
const FormatVersion = "2015-10-01"

// FormatVersion2023 is the newer format version, which Route 53 also accepts:
// it adds Local Zones to geoproximity rules, whose entries then give their
// place as a Location object instead of Region or Latitude and Longitude.
// Documents in it are read, validated, simulated and rendered as they are.
const FormatVersion2023 = "2023-05-09"

// MaxDocumentLength is the longest document, in characters, that
// CreateTrafficPolicy and CreateTrafficPolicyVersion accept.
const MaxDocumentLength = 102400

// RecordType is the DNS type of every record a policy creates.
type RecordType string

// Record types a traffic policy can create.
const (
	RecordTypeA     RecordType = "A"
	RecordTypeAAAA  RecordType = "AAAA"
	RecordTypeCAA   RecordType = "CAA"
	RecordTypeCNAME RecordType = "CNAME"
	RecordTypeMX    RecordType = "MX"
	RecordTypeNAPTR RecordType = "NAPTR"
	RecordTypePTR   RecordType = "PTR"
	RecordTypeSPF   RecordType = "SPF"
	RecordTypeSRV   RecordType = "SRV"
	RecordTypeTXT   RecordType = "TXT"
)

// RecordTypes lists the record types a traffic policy can use, in a fixed order.
func RecordTypes() []RecordType {
	return []RecordType{
		RecordTypeA, RecordTypeAAAA, RecordTypeCAA, RecordTypeCNAME, RecordTypeMX,
		RecordTypeNAPTR, RecordTypePTR, RecordTypeSPF, RecordTypeSRV, RecordTypeTXT,
	}
}

// EndpointType says what an endpoint's Value names.
type EndpointType string

// Endpoint types. Every type except EndpointValue is an alias target.
const (
	EndpointValue                   EndpointType = "value"
	EndpointCloudFront              EndpointType = "cloudfront"
	EndpointElasticLoadBalancer     EndpointType = "elastic-load-balancer"
	EndpointApplicationLoadBalancer EndpointType = "application-load-balancer"
	EndpointNetworkLoadBalancer     EndpointType = "network-load-balancer"
	EndpointElasticBeanstalk        EndpointType = "elastic-beanstalk"
	EndpointS3Website               EndpointType = "s3-website"
)

// EndpointTypes lists the endpoint types, in a fixed order.
func EndpointTypes() []EndpointType {
	return []EndpointType{
		EndpointValue, EndpointCloudFront, EndpointElasticLoadBalancer,
		EndpointApplicationLoadBalancer, EndpointNetworkLoadBalancer,
		EndpointElasticBeanstalk, EndpointS3Website,
	}
}

// IsAlias reports whether Route 53 creates alias records for endpoints of this type.
func (t EndpointType) IsAlias() bool {
	switch t {
	case EndpointCloudFront, EndpointElasticLoadBalancer, EndpointApplicationLoadBalancer,
		EndpointNetworkLoadBalancer, EndpointElasticBeanstalk, EndpointS3Website:
		return true
	}
	return false
}

// RuleType is the routing policy of a rule.
type RuleType string

// Rule types and the item list each one uses.
const (
	RuleFailover     RuleType = "failover"     // Primary, Secondary
	RuleGeo          RuleType = "geo"          // Locations
	RuleGeoproximity RuleType = "geoproximity" // GeoproximityLocations
	RuleLatency      RuleType = "latency"      // Regions
	RuleMultivalue   RuleType = "multivalue"   // Items (endpoints only, no Weight)
	RuleWeighted     RuleType = "weighted"     // Items (with Weight)
)

// RuleTypes lists the rule types, in a fixed order.
func RuleTypes() []RuleType {
	return []RuleType{RuleFailover, RuleGeo, RuleGeoproximity, RuleLatency, RuleMultivalue, RuleWeighted}
}

// Document is a traffic policy document in AWSPolicyFormatVersion 2015-10-01.
//
// Exactly one of StartRule and StartEndpoint is set in a valid document. Empty
// maps are represented as nil.
type Document struct {
	FormatVersion string              // AWSPolicyFormatVersion
	RecordType    RecordType          // RecordType
	StartRule     string              // StartRule: id of a rule in Rules
	StartEndpoint string              // StartEndpoint: id of an endpoint in Endpoints
	Endpoints     map[string]Endpoint // Endpoints: id → definition
	Rules         map[string]Rule     // Rules: id → definition
}

// Endpoint is where a policy finally routes a query.
type Endpoint struct {
	Type   EndpointType // Type
	Region string       // Region: only for s3-website, the bucket's AWS region
	Value  string       // Value: IP address, DNS name, or record data (for "value")
}

// Rule is one routing decision. RuleType selects which of the item lists is
// used; Validate reports lists that do not belong to the rule type.
type Rule struct {
	RuleType              RuleType               // RuleType
	Primary               *Reference             // failover: Primary
	Secondary             *Reference             // failover: Secondary
	Locations             []GeoLocation          // geo: Locations
	GeoproximityLocations []GeoproximityLocation // geoproximity: GeoproximityLocations
	Regions               []LatencyRegion        // latency: Regions
	Items                 []Item                 // weighted and multivalue: Items
}

// Reference is what every item of every rule has: the target (exactly one of
// EndpointReference and RuleReference) and its optional health settings.
type Reference struct {
	EndpointReference    string // EndpointReference: id of an endpoint
	RuleReference        string // RuleReference: id of a rule
	EvaluateTargetHealth *bool  // EvaluateTargetHealth: nil when absent
	HealthCheck          string // HealthCheck: Route 53 health check id (UUID)
}

// Target returns the referenced id and whether it names a rule.
func (r Reference) Target() (id string, isRule bool) {
	if r.RuleReference != "" {
		return r.RuleReference, true
	}
	return r.EndpointReference, false
}

// GeoLocation is one entry of a geo rule. Exactly one of these is set: IsDefault
// true, Country "*" (also the default), Continent, or Country (optionally with
// Subdivision, US states only). Codes are Route 53's geolocation codes (ContinentCode,
// CountryCode, SubdivisionCode).
type GeoLocation struct {
	Reference
	IsDefault   *bool  // IsDefault
	Continent   string // Continent: AF, AN, AS, EU, NA, OC, SA
	Country     string // Country: ISO 3166-1 alpha-2, or "*" for the default location
	Subdivision string // Subdivision: US state code; needs Country "US"
}

// IsDefaultLocation reports whether the entry is the rule's default location.
func (g GeoLocation) IsDefaultLocation() bool {
	return (g.IsDefault != nil && *g.IsDefault) || g.Country == "*"
}

// GeoproximityLocation is one entry of a geoproximity rule: an AWS region written
// "aws:route53:<region>" or a latitude/longitude pair (format 2015-10-01), or a
// Location (format 2023-05-09), and an optional bias.
type GeoproximityLocation struct {
	Reference
	Region    string    // Region: "aws:route53:ap-south-1"
	Latitude  string    // Latitude: decimal degrees, −90..90, at most two decimals
	Longitude string    // Longitude: decimal degrees, −180..180, at most two decimals
	Location  *Location // Location: format 2023-05-09 only
	Bias      *int      // Bias: −99..99, nil when absent (0)
}

// Location types of a 2023-05-09 geoproximity entry.
const (
	LocationRegion     = "Region"     // LocationName "aws:route53:<region>"
	LocationLocalZone  = "LocalZone"  // LocationName "aws:route53:<Local Zone>", e.g. us-east-1-atl-1a
	LocationCoordinate = "Coordinate" // Latitude and Longitude
)

// Location is where a geoproximity entry of a 2023-05-09 document is.
type Location struct {
	Type         string // Type: Region, LocalZone or Coordinate
	LocationName string // LocationName: Region and LocalZone
	Latitude     string // Latitude: Coordinate
	Longitude    string // Longitude: Coordinate
}

// LatencyRegion is one entry of a latency rule.
type LatencyRegion struct {
	Reference
	Region string // Region: AWS region code, e.g. "ap-southeast-1"
}

// Item is one entry of a weighted rule (Weight required) or a multivalue rule
// (EndpointReference and HealthCheck only).
type Item struct {
	Reference
	Weight *int // Weight: 0..255, weighted rules only
}

// GeoproximityRegionPrefix is the prefix of Region in geoproximity locations.
const GeoproximityRegionPrefix = "aws:route53:"

// Bool returns a pointer to b, for optional boolean fields.
func Bool(b bool) *bool { return &b }

// Int returns a pointer to n, for Weight and Bias.
func Int(n int) *int { return &n }

// Clone returns a deep copy of the document.
func (d *Document) Clone() *Document {
	if d == nil {
		return nil
	}
	c := *d
	if d.Endpoints != nil {
		c.Endpoints = make(map[string]Endpoint, len(d.Endpoints))
		for id, ep := range d.Endpoints {
			c.Endpoints[id] = ep
		}
	}
	if d.Rules != nil {
		c.Rules = make(map[string]Rule, len(d.Rules))
		for id, r := range d.Rules {
			c.Rules[id] = r.clone()
		}
	}
	return &c
}

func (r Rule) clone() Rule {
	c := r
	if r.Primary != nil {
		p := r.Primary.clone()
		c.Primary = &p
	}
	if r.Secondary != nil {
		s := r.Secondary.clone()
		c.Secondary = &s
	}
	c.Locations = cloneEach(r.Locations, func(g GeoLocation) GeoLocation {
		g.Reference = g.clone()
		g.IsDefault = clonePtr(g.IsDefault)
		return g
	})
	c.GeoproximityLocations = cloneEach(r.GeoproximityLocations, func(g GeoproximityLocation) GeoproximityLocation {
		g.Reference = g.clone()
		g.Bias = clonePtr(g.Bias)
		g.Location = clonePtr(g.Location)
		return g
	})
	c.Regions = cloneEach(r.Regions, func(l LatencyRegion) LatencyRegion {
		l.Reference = l.clone()
		return l
	})
	c.Items = cloneEach(r.Items, func(it Item) Item {
		it.Reference = it.clone()
		it.Weight = clonePtr(it.Weight)
		return it
	})
	return c
}

func (r Reference) clone() Reference {
	r.EvaluateTargetHealth = clonePtr(r.EvaluateTargetHealth)
	return r
}

func cloneEach[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
