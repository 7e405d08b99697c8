package route53

import (
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

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

// validRRTypes are the types ChangeResourceRecordSets accepts.
var validRRTypes = map[string]bool{
	"SOA": true, "A": true, "TXT": true, "NS": true, "CNAME": true, "MX": true, "NAPTR": true, "PTR": true,
	"SRV": true, "SPF": true, "AAAA": true, "CAA": true, "DS": true, "TLSA": true, "SSHFP": true, "SVCB": true, "HTTPS": true,
}

// checkRecordSet validates one record set of a change and normalizes it in
// place. It returns an InvalidInput error for request-level problems and
// InvalidChangeBatch messages for the rest.
func (s *Service) checkRecordSet(z *hostedZone, work map[string]*rrset, action string, r *rrset) (*core.APIError, []string) {
	name, ok := normalizeName(r.Name)
	if !ok {
		return nil, []string{fmt.Sprintf("DomainLabelEmpty (Domain label is empty) encountered with '%s'", r.Name)}
	}
	r.Name = name
	if !validRRTypes[r.Type] {
		return invalidInput("1 validation error detected: Value '%s' at 'changeBatch.changes.member.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]", r.Type), nil
	}
	if !inZone(name, z.name) {
		return nil, []string{fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", displayName(name), displayName(z.name))}
	}
	if r.TrafficPolicyInstanceID != "" {
		// Deleting the record set of a traffic policy instance: the caller
		// matches it against the instances of the zone.
		if action != "DELETE" || r.AliasTarget != nil {
			return invalidInput("Invalid request: TrafficPolicyInstanceId can only be given to DELETE the record set of a traffic policy instance, in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
				action, displayName(name), r.Type, nullable(r.SetIdentifier)), nil
		}
		return nil, nil
	}
	hasAlias := r.AliasTarget != nil
	hasRecords := r.TTL != nil || len(r.ResourceRecords) > 0
	n := 0
	for _, b := range []bool{hasAlias, hasRecords} {
		if b {
			n++
		}
	}
	if n != 1 || (hasRecords && (r.TTL == nil || len(r.ResourceRecords) == 0)) {
		found := "none"
		if n > 1 {
			found = "more than one"
		} else if hasRecords {
			found = "an incomplete set of [TTL, ResourceRecords]"
		}
		return invalidInput("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found %s in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			found, action, displayName(name), r.Type, nullable(r.SetIdentifier)), nil
	}
	var msgs []string
	if r.TTL != nil && (*r.TTL < 0 || *r.TTL > 2147483647) {
		return invalidInput("1 validation error detected: Value '%d' at 'changeBatch.changes.member.resourceRecordSet.tTL' failed to satisfy constraint: Member must have value between 0 and 2147483647", *r.TTL), nil
	}
	// Routing policy.
	policies := 0
	for _, set := range []bool{r.Weight != nil, r.Region != "", r.Failover != "", r.GeoLocation != nil, r.MultiValueAnswer != nil, r.GeoProximityLocation != nil, r.CidrRoutingConfig != nil} {
		if set {
			policies++
		}
	}
	if policies > 1 {
		return invalidInput("Invalid request: a record set can have only one routing policy (Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation or CidrRoutingConfig) in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			action, displayName(name), r.Type, nullable(r.SetIdentifier)), nil
	}
	if policies == 1 && r.SetIdentifier == "" {
		return invalidInput("Invalid request: Missing field 'SetIdentifier' in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=null]", action, displayName(name), r.Type), nil
	}
	if policies == 0 && r.SetIdentifier != "" {
		return invalidInput("Invalid request: Unexpected field 'SetIdentifier' in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]", action, displayName(name), r.Type, r.SetIdentifier), nil
	}
	if len(r.SetIdentifier) > 128 {
		return invalidInput("SetIdentifier is longer than 128 characters"), nil
	}
	if r.Weight != nil && (*r.Weight < 0 || *r.Weight > 255) {
		return invalidInput("1 validation error detected: Value '%d' at 'weight' failed to satisfy constraint: Member must have value between 0 and 255", *r.Weight), nil
	}
	if r.Region != "" && !isRegion(r.Region) {
		return invalidInput("1 validation error detected: Value '%s' at 'region' failed to satisfy constraint: Member must satisfy enum value set of AWS regions", r.Region), nil
	}
	if r.Failover != "" && r.Failover != "PRIMARY" && r.Failover != "SECONDARY" {
		return invalidInput("1 validation error detected: Value '%s' at 'failover' failed to satisfy constraint: Member must satisfy enum value set: [PRIMARY, SECONDARY]", r.Failover), nil
	}
	if g := r.GeoLocation; g != nil {
		switch {
		case g.ContinentCode != "" && (g.CountryCode != "" || g.SubdivisionCode != ""):
			msgs = append(msgs, "Invalid geolocation: ContinentCode cannot be combined with CountryCode or SubdivisionCode")
		case g.ContinentCode == "" && g.CountryCode == "":
			msgs = append(msgs, "Invalid geolocation: specify ContinentCode or CountryCode")
		case g.SubdivisionCode != "" && g.CountryCode != "US" && g.CountryCode != "UA":
			msgs = append(msgs, fmt.Sprintf("Invalid geolocation: subdivision %s is not supported for country %s", g.SubdivisionCode, g.CountryCode))
		}
	}
	if p := r.GeoProximityLocation; p != nil {
		n := 0
		for _, b := range []bool{p.AWSRegion != "", p.LocalZoneGroup != "", p.Coordinates != nil} {
			if b {
				n++
			}
		}
		if n != 1 {
			msgs = append(msgs, "Invalid geoproximity location: specify exactly one of AWSRegion, LocalZoneGroup or Coordinates")
		} else if p.AWSRegion != "" && !isRegion(p.AWSRegion) {
			msgs = append(msgs, fmt.Sprintf("Invalid geoproximity location: %s is not an AWS region", p.AWSRegion))
		}
		if p.Bias != nil && (*p.Bias < -99 || *p.Bias > 99) {
			msgs = append(msgs, fmt.Sprintf("Invalid geoproximity bias %d: use -99 to 99", *p.Bias))
		}
	}
	if r.HealthCheckID != "" && s.healthChecks[r.HealthCheckID] == nil {
		return noSuchHealthCheck(r.HealthCheckID), nil
	}
	if r.Type == "CNAME" && name == z.name {
		msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", displayName(name), displayName(z.name)))
	}
	if r.Type == "SOA" && name != z.name {
		msgs = append(msgs, fmt.Sprintf("RRSet of type SOA with DNS name %s is not permitted because only the apex of zone %s may have an SOA record", displayName(name), displayName(z.name)))
	}
	if hasAlias {
		a := r.AliasTarget
		a.HostedZoneID = stripPrefix(a.HostedZoneID)
		target, ok := normalizeName(a.DNSName)
		if !ok || a.HostedZoneID == "" {
			return invalidInput("Invalid request: AliasTarget needs a HostedZoneId and a DNSName"), nil
		}
		a.DNSName = displayName(target)
		if r.Type == "SOA" || r.Type == "NS" && name == z.name {
			msgs = append(msgs, fmt.Sprintf("Alias RRSets are not permitted for type %s at %s", r.Type, displayName(name)))
		}
		if tz := s.zones[a.HostedZoneID]; tz != nil && action != "DELETE" {
			records := tz.records
			if tz == z {
				records = work
			}
			switch {
			case !inZone(target, tz.name):
				msgs = append(msgs, fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s, but the alias target name does not lie within the target zone", displayName(target), r.Type, tz.id))
			case !s.nameHasType(tz, records, target, r.Type):
				msgs = append(msgs, fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s, but that target was not found", displayName(target), r.Type, tz.id))
			}
		}
		return nil, msgs
	}
	if r.Type == "CNAME" && len(r.ResourceRecords) > 1 {
		msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s cannot have more than one value", displayName(name)))
	}
	if len(r.ResourceRecords) > 400 {
		msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s has more than 400 values", displayName(name)))
	}
	for _, rr := range r.ResourceRecords {
		if msg := checkValue(r.Type, rr.Value); msg != "" {
			msgs = append(msgs, fmt.Sprintf("Invalid Resource Record: 'FATAL problem: %s encountered with '%s''", msg, rr.Value))
		}
	}
	if r.MultiValueAnswer != nil && r.Type == "CNAME" {
		msgs = append(msgs, "Multivalue answer records cannot have type CNAME")
	}
	return nil, msgs
}

func nullable(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// checkValue validates a record value the way Route 53's parser does for the
// common types; it returns the problem or "".
func checkValue(typ, v string) string {
	if v == "" {
		return "RRDATAEmpty (Resource record data is empty)"
	}
	if len(v) > 4000 {
		return "RRDATATooLong (Value is longer than 4000 characters)"
	}
	fields := strings.Fields(v)
	switch typ {
	case "A":
		if ip := net.ParseIP(v); ip == nil || ip.To4() == nil || strings.Contains(v, ":") {
			return "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)"
		}
	case "AAAA":
		if ip := net.ParseIP(v); ip == nil || !strings.Contains(v, ":") {
			return "AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)"
		}
	case "CNAME", "NS", "PTR":
		if _, ok := normalizeName(v); !ok || len(fields) != 1 {
			return "DomainLabelEmpty (Domain label is empty)"
		}
	case "MX":
		if len(fields) != 2 || !isUint(fields[0], 65535) {
			return "MXRRDATAIllegalFormat (Value is not in the format 'priority domain-name')"
		}
	case "SRV":
		if len(fields) != 4 || !isUint(fields[0], 65535) || !isUint(fields[1], 65535) || !isUint(fields[2], 65535) {
			return "SRVRRDATAIllegalFormat (Value is not in the format 'priority weight port target')"
		}
	case "TXT", "SPF":
		if !strings.HasPrefix(v, `"`) || !strings.HasSuffix(v, `"`) || len(v) < 2 {
			return "InvalidCharacterString (Value should be enclosed in quotation marks)"
		}
	case "CAA":
		if len(fields) < 3 || !isUint(fields[0], 255) {
			return "CAARRDATAIllegalFormat (Value is not in the format 'flags tag \"value\"')"
		}
	}
	return ""
}

func isUint(s string, ceiling uint64) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n <= ceiling
}

// nameHasType reports whether the zone has a record set (or an applied
// traffic policy record) of that name and type.
func (s *Service) nameHasType(z *hostedZone, records map[string]*rrset, name, typ string) bool {
	for _, r := range records {
		if r.Name == name && r.Type == typ {
			return true
		}
	}
	for _, in := range s.instances {
		if in.zoneID == z.id && in.name == name && in.recordVisible() && in.appliedType() == typ {
			return true
		}
	}
	return false
}

// ---------------------------------------------------- ChangeResourceRecordSets

func (s *Service) changeResourceRecordSets(c *call) *core.APIError {
	var in struct {
		ChangeBatch struct {
			Comment string `xml:"Comment"`
			Changes []struct {
				Action            string `xml:"Action"`
				ResourceRecordSet *rrset `xml:"ResourceRecordSet"`
			} `xml:"Changes>Change"`
		} `xml:"ChangeBatch"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	batch := in.ChangeBatch
	if len(batch.Changes) == 0 {
		return invalidInput("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(batch.Changes) > 1000 {
		return invalidInput("1 validation error detected: Value at 'changeBatch.changes' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	if len(batch.Comment) > 256 {
		return invalidInput("1 validation error detected: Value at 'changeBatch.comment' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(c.parts[1])
	if err != nil {
		return err
	}

	// Apply to a working copy, change by change, collecting every problem.
	work := make(map[string]*rrset, len(z.records))
	for k, r := range z.records {
		work[k] = r
	}
	deletedPolicyRecords := map[*instance]bool{}
	var msgs []string
	for _, ch := range batch.Changes {
		r := ch.ResourceRecordSet
		if r == nil {
			return invalidInput("Invalid request: Missing field 'ResourceRecordSet' in Change")
		}
		switch ch.Action {
		case "CREATE", "DELETE", "UPSERT":
		default:
			return invalidInput("1 validation error detected: Value '%s' at 'changeBatch.changes.member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]", ch.Action)
		}
		r.Type = strings.ToUpper(r.Type)
		apiErr, problems := s.checkRecordSet(z, work, ch.Action, r)
		if apiErr != nil {
			return apiErr
		}
		if len(problems) > 0 {
			msgs = append(msgs, problems...)
			continue
		}
		key := rrKey(r.Name, r.Type, r.SetIdentifier)
		pol := s.policyRecordAt(z, r.Name, r.Type, deletedPolicyRecords)
		switch ch.Action {
		case "DELETE":
			if r.TrafficPolicyInstanceID != "" {
				if pol != nil && r.SetIdentifier == "" && r.TrafficPolicyInstanceID == pol.id {
					deletedPolicyRecords[pol] = true
					continue
				}
				msgs = append(msgs, fmt.Sprintf("Tried to delete resource record set %s but it was not found", r.ident()))
				continue
			}
			cur, ok := work[key]
			switch {
			case !ok:
				msgs = append(msgs, fmt.Sprintf("Tried to delete resource record set %s but it was not found", r.ident()))
			case !sameValues(cur, r):
				msgs = append(msgs, fmt.Sprintf("Tried to delete resource record set %s but the values provided do not match the current values", r.ident()))
			case z.isZoneRecord(cur) && cur.Type == "SOA":
				msgs = append(msgs, "A HostedZone must contain exactly one SOA record.")
			case z.isZoneRecord(cur) && cur.Type == "NS":
				msgs = append(msgs, "A HostedZone must contain at least one NS record for the zone itself.")
			default:
				delete(work, key)
			}
			continue
		case "CREATE":
			if _, ok := work[key]; ok || (pol != nil && r.SetIdentifier == "") {
				msgs = append(msgs, fmt.Sprintf("Tried to create resource record set %s but it already exists", r.ident()))
				continue
			}
		case "UPSERT":
			if pol != nil {
				msgs = append(msgs, fmt.Sprintf("Tried to change resource record set %s, which traffic policy instance %s created; use UpdateTrafficPolicyInstance or DeleteTrafficPolicyInstance", r.ident(), pol.id))
				continue
			}
		}
		if msg := s.conflicts(z, work, r, deletedPolicyRecords); msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		stored := *r
		work[key] = &stored
	}
	if len(msgs) > 0 {
		return invalidChangeBatch(msgs)
	}
	z.records = work
	for in := range deletedPolicyRecords {
		in.recordDeleted = true
	}
	ch := s.newChange(batch.Comment)
	return s.write(c, http.StatusOK, struct {
		XMLName    xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeResourceRecordSetsResponse"`
		ChangeInfo xmlChangeInfo `xml:"ChangeInfo"`
	}{ChangeInfo: s.changeXML(ch)})
}

// policyRecordAt returns the instance whose record set is at name/type, unless
// this batch deletes it.
func (s *Service) policyRecordAt(z *hostedZone, name, typ string, deleted map[*instance]bool) *instance {
	for _, in := range s.instances {
		if in.zoneID == z.id && in.name == name && in.recordVisible() && in.appliedType() == typ && !deleted[in] {
			return in
		}
	}
	return nil
}

// conflicts checks a record set about to be created or upserted against the
// rest of the zone: CNAME exclusivity and one routing policy per name and type.
func (s *Service) conflicts(z *hostedZone, work map[string]*rrset, r *rrset, deletedPolicy map[*instance]bool) string {
	zone := displayName(z.name)
	otherTypes := map[string]bool{}
	for k, o := range work {
		if o.Name != r.Name || k == rrKey(r.Name, r.Type, r.SetIdentifier) {
			continue
		}
		if o.Type != r.Type {
			otherTypes[o.Type] = true
			continue
		}
		if (o.SetIdentifier == "") != (r.SetIdentifier == "") || o.routing() != r.routing() {
			return fmt.Sprintf("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be created because a record set with the same name and type and a different routing policy exists", displayName(r.Name), r.Type, nullable(r.SetIdentifier))
		}
	}
	for _, in := range s.instances {
		if in.zoneID == z.id && in.name == r.Name && in.recordVisible() && !deletedPolicy[in] && in.appliedType() != r.Type {
			otherTypes[in.appliedType()] = true
		}
	}
	if r.Type == "CNAME" {
		for t := range otherTypes {
			return fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted because a conflicting RRSet of type  %s with the same DNS name already exists in zone %s", displayName(r.Name), t, zone)
		}
	} else if otherTypes["CNAME"] {
		return fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone %s", r.Type, displayName(r.Name), zone)
	}
	return ""
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

func (s *Service) listResourceRecordSets(c *call) *core.APIError {
	limit, err := maxItems(c, 300, 300)
	if err != nil {
		return err
	}
	startName, startType, startID := c.q("name"), c.q("type"), c.q("identifier")
	if startType != "" && startName == "" {
		return invalidInput("The input is not valid: StartRecordType was given without StartRecordName")
	}
	if startID != "" && startType == "" {
		return invalidInput("The input is not valid: StartRecordIdentifier was given without StartRecordType")
	}
	if startType != "" && !validRRTypes[startType] {
		return invalidInput("1 validation error detected: Value '%s' at 'startRecordType' failed to satisfy constraint: Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]", startType)
	}
	startKey := ""
	if startName != "" {
		n, ok := normalizeName(startName)
		if !ok {
			return invalidInput("The input is not valid: %s is not a valid DNS name", startName)
		}
		startKey = reversedName(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, apiErr := s.zoneByID(c.parts[1])
	if apiErr != nil {
		return apiErr
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
	return s.write(c, http.StatusOK, out)
}
