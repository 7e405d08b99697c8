package route53

import (
	"encoding/xml"
	"fmt"
	"slices"
	"sort"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// rrset is a ResourceRecordSet both on the wire and in storage (stored with
// a canonical Name).
type rrset struct {
	Name                    string                `xml:"Name"`
	Type                    string                `xml:"Type"`
	SetIdentifier           string                `xml:"SetIdentifier,omitempty"`
	Weight                  *int64                `xml:"Weight,omitempty"`
	Region                  string                `xml:"Region,omitempty"`
	GeoLocation             *geoLocation          `xml:"GeoLocation,omitempty"`
	Failover                string                `xml:"Failover,omitempty"`
	MultiValueAnswer        *bool                 `xml:"MultiValueAnswer,omitempty"`
	TTL                     *int64                `xml:"TTL,omitempty"`
	ResourceRecords         []resourceRecord      `xml:"ResourceRecords>ResourceRecord,omitempty"`
	AliasTarget             *aliasTarget          `xml:"AliasTarget,omitempty"`
	HealthCheckID           string                `xml:"HealthCheckId,omitempty"`
	TrafficPolicyInstanceID string                `xml:"TrafficPolicyInstanceId,omitempty"`
	CidrRoutingConfig       *cidrRoutingConfig    `xml:"CidrRoutingConfig,omitempty"`
	GeoProximityLocation    *geoProximityLocation `xml:"GeoProximityLocation,omitempty"`
}

type resourceRecord struct {
	Value string `xml:"Value"`
}

type geoLocation struct {
	ContinentCode   string `xml:"ContinentCode,omitempty"`
	CountryCode     string `xml:"CountryCode,omitempty"`
	SubdivisionCode string `xml:"SubdivisionCode,omitempty"`
}

type aliasTarget struct {
	HostedZoneID         string `xml:"HostedZoneId"`
	DNSName              string `xml:"DNSName"`
	EvaluateTargetHealth bool   `xml:"EvaluateTargetHealth"`
}

type cidrRoutingConfig struct {
	CollectionID string `xml:"CollectionId"`
	LocationName string `xml:"LocationName"`
}

type geoProximityLocation struct {
	AWSRegion      string       `xml:"AWSRegion,omitempty"`
	LocalZoneGroup string       `xml:"LocalZoneGroup,omitempty"`
	Coordinates    *coordinates `xml:"Coordinates,omitempty"`
	Bias           *int64       `xml:"Bias,omitempty"`
}

type coordinates struct {
	Latitude  string `xml:"Latitude"`
	Longitude string `xml:"Longitude"`
}

// policyRecordValue is what Route 53 shows as the value of the record set of
// a traffic policy instance in ListResourceRecordSets.
const policyRecordValue = "This resource record set includes an attribute that is unsupported on this Route 53 API version. Please consider using a newer API version or a tool that does so."

// routing names the routing policy of a record set ("" for simple).
func (r *rrset) routing() string {
	switch {
	case r.Weight != nil:
		return "weighted"
	case r.Region != "":
		return "latency"
	case r.Failover != "":
		return "failover"
	case r.GeoLocation != nil:
		return "geolocation"
	case r.GeoProximityLocation != nil:
		return "geoproximity"
	case r.MultiValueAnswer != nil:
		return "multivalue"
	case r.CidrRoutingConfig != nil:
		return "cidr"
	}
	return ""
}

// ident renders the record set for InvalidChangeBatch messages.
func (r *rrset) ident() string {
	s := fmt.Sprintf("[name='%s', type='%s'", displayName(r.Name), r.Type)
	if r.SetIdentifier != "" {
		s += fmt.Sprintf(", set-identifier='%s'", r.SetIdentifier)
	}
	return s + "]"
}

func (r *rrset) display() rrset {
	out := *r
	out.Name = displayName(r.Name)
	if r.AliasTarget != nil {
		a := *r.AliasTarget
		out.AliasTarget = &a
	}
	return out
}

// sameValues reports whether two record sets are the same for DELETE.
func sameValues(a, b *rrset) bool {
	eqInt := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqBool := func(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	if a.Type != b.Type || a.SetIdentifier != b.SetIdentifier || !eqInt(a.Weight, b.Weight) || a.Region != b.Region ||
		a.Failover != b.Failover || !eqBool(a.MultiValueAnswer, b.MultiValueAnswer) || !eqInt(a.TTL, b.TTL) ||
		a.HealthCheckID != b.HealthCheckID {
		return false
	}
	if (a.GeoLocation == nil) != (b.GeoLocation == nil) || (a.GeoLocation != nil && *a.GeoLocation != *b.GeoLocation) {
		return false
	}
	if (a.CidrRoutingConfig == nil) != (b.CidrRoutingConfig == nil) || (a.CidrRoutingConfig != nil && *a.CidrRoutingConfig != *b.CidrRoutingConfig) {
		return false
	}
	if (a.AliasTarget == nil) != (b.AliasTarget == nil) || (a.AliasTarget != nil && *a.AliasTarget != *b.AliasTarget) {
		return false
	}
	if (a.GeoProximityLocation == nil) != (b.GeoProximityLocation == nil) {
		return false
	}
	if a.GeoProximityLocation != nil {
		x, y := a.GeoProximityLocation, b.GeoProximityLocation
		if x.AWSRegion != y.AWSRegion || x.LocalZoneGroup != y.LocalZoneGroup || !eqInt(x.Bias, y.Bias) ||
			(x.Coordinates == nil) != (y.Coordinates == nil) || (x.Coordinates != nil && *x.Coordinates != *y.Coordinates) {
			return false
		}
	}
	va, vb := values(a), values(b)
	slices.Sort(va)
	slices.Sort(vb)
	return slices.Equal(va, vb)
}

func values(r *rrset) []string {
	out := make([]string, len(r.ResourceRecords))
	for i, rr := range r.ResourceRecords {
		out[i] = rr.Value
	}
	return out
}

// ------------------------------------------------------ ListResourceRecordSets

// listedRecord is a record set as ListResourceRecordSets orders it.
type listedRecord struct {
	key   string // reversed name, for ordering
	r     rrset  // display form
	name  string // canonical name
	typ   string
	setID string
}

func (s *Service) zoneListing(z *hostedZone) []listedRecord {
	var out []listedRecord
	for _, r := range z.records {
		out = append(out, listedRecord{key: reversedName(r.Name), r: r.display(), name: r.Name, typ: r.Type, setID: r.SetIdentifier})
	}
	for _, in := range s.instances {
		if in.zoneID != z.id || !in.recordVisible() {
			continue
		}
		r := rrset{Name: displayName(in.name), Type: in.appliedType(), ResourceRecords: []resourceRecord{{Value: policyRecordValue}}, TrafficPolicyInstanceID: in.id}
		out = append(out, listedRecord{key: reversedName(in.name), r: r, name: in.name, typ: r.Type})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.key != b.key {
			return a.key < b.key
		}
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		return a.setID < b.setID
	})
	return out
}

func (s *Service) listResourceRecordSets(req *core.Request) (any, *core.APIError) {
	limit, err := maxItems(req, 300, 300)
	if err != nil {
		return nil, err
	}
	startName, startType, startID := query(req, "name"), query(req, "type"), query(req, "identifier")
	if startType != "" && startName == "" {
		return nil, invalidInput("The input is not valid: StartRecordType was given without StartRecordName")
	}
	if startID != "" && startType == "" {
		return nil, invalidInput("The input is not valid: StartRecordIdentifier was given without StartRecordType")
	}
	if startType != "" && !validRRTypes[startType] {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'startRecordType' failed to satisfy constraint: Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]", startType)
	}
	startKey := ""
	if startName != "" {
		n, ok := normalizeName(startName)
		if !ok {
			return nil, invalidInput("The input is not valid: %s is not a valid DNS name", startName)
		}
		startKey = reversedName(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, apiErr := s.zoneByID(req.Param("Id"))
	if apiErr != nil {
		return nil, apiErr
	}
	out := struct {
		XMLName              xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListResourceRecordSetsResponse"`
		ResourceRecordSets   []rrset  `xml:"ResourceRecordSets>ResourceRecordSet"`
		IsTruncated          bool     `xml:"IsTruncated"`
		NextRecordName       string   `xml:"NextRecordName,omitempty"`
		NextRecordType       string   `xml:"NextRecordType,omitempty"`
		NextRecordIdentifier string   `xml:"NextRecordIdentifier,omitempty"`
		MaxItems             int      `xml:"MaxItems"`
	}{MaxItems: limit, ResourceRecordSets: []rrset{}}
	for _, lr := range s.zoneListing(z) {
		if lr.key < startKey {
			continue
		}
		if lr.key == startKey && startType != "" {
			if lr.typ < startType || (lr.typ == startType && lr.setID < startID) {
				continue
			}
		}
		if len(out.ResourceRecordSets) == limit {
			out.IsTruncated = true
			out.NextRecordName = lr.r.Name
			out.NextRecordType = lr.typ
			out.NextRecordIdentifier = lr.setID
			break
		}
		out.ResourceRecordSets = append(out.ResourceRecordSets, lr.r)
	}
	return out, nil
}
