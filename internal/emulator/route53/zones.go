package route53

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// hostedZone is one public hosted zone.
type hostedZone struct {
	id        string // "Z…", without /hostedzone/
	name      string // canonical
	callerRef string
	comment   string
	seq       int64

	records     map[string]*rrset // by rrKey
	nameServers []string
	tags        map[string]string
}

func rrKey(name, typ, setID string) string { return name + "\x00" + typ + "\x00" + setID }

// isZoneRecord reports whether r is the zone's own SOA or apex NS record set,
// which Route 53 creates with the zone and which do not keep it from being deleted.
func (z *hostedZone) isZoneRecord(r *rrset) bool {
	return r.Name == z.name && (r.Type == "SOA" || r.Type == "NS") && r.SetIdentifier == ""
}

// recordCount is ResourceRecordSetCount: every record set, the zone's own and
// those of traffic policy instances included.
func (s *Service) recordCount(z *hostedZone) int64 {
	n := int64(len(z.records))
	for _, in := range s.instances {
		if in.zoneID == z.id && in.recordVisible() {
			n++
		}
	}
	return n
}

// --------------------------------------------------------------- XML shapes

type xmlHostedZoneConfig struct {
	Comment     string `xml:"Comment,omitempty"`
	PrivateZone bool   `xml:"PrivateZone"`
}

type xmlHostedZone struct {
	ID                     string               `xml:"Id"`
	Name                   string               `xml:"Name"`
	CallerReference        string               `xml:"CallerReference"`
	Config                 *xmlHostedZoneConfig `xml:"Config"`
	ResourceRecordSetCount int64                `xml:"ResourceRecordSetCount"`
}

type xmlDelegationSet struct {
	NameServers []string `xml:"NameServers>NameServer"`
}

func (s *Service) zoneXML(z *hostedZone) xmlHostedZone {
	return xmlHostedZone{
		ID:                     "/hostedzone/" + z.id,
		Name:                   displayName(z.name),
		CallerReference:        z.callerRef,
		Config:                 &xmlHostedZoneConfig{Comment: z.comment},
		ResourceRecordSetCount: s.recordCount(z),
	}
}

// ------------------------------------------------------------- hosted zones

func (s *Service) zoneByID(id string) (*hostedZone, *core.APIError) {
	id = stripPrefix(id)
	z := s.zones[id]
	if z == nil {
		return nil, noSuchHostedZone(id)
	}
	return z, nil
}

func newNameServers() []string {
	n := rand.IntN(2048)
	tlds := []string{"com", "net", "org", "co.uk"}
	out := make([]string, 4)
	for i, tld := range tlds {
		k := (n + i*509) % 2048
		out[i] = fmt.Sprintf("ns-%d.awsdns-%02d.%s.", k, k/32, tld)
	}
	return out
}

func (s *Service) createHostedZone(req *core.Request) (any, *core.APIError) {
	var in struct {
		Name             string `xml:"Name"`
		CallerReference  string `xml:"CallerReference"`
		DelegationSetID  string `xml:"DelegationSetId"`
		VPC              *struct{ VPCRegion, VPCId string }
		HostedZoneConfig *struct {
			Comment     string `xml:"Comment"`
			PrivateZone bool   `xml:"PrivateZone"`
		}
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.Name == "" || in.CallerReference == "" {
		return nil, invalidInput("Invalid request: Name and CallerReference are required")
	}
	if len(in.CallerReference) > 128 {
		return nil, invalidInput("1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	name, ok := normalizeName(in.Name)
	if !ok || name == "." {
		return nil, core.Errorf("InvalidDomainName", "%s is not a valid domain name", in.Name)
	}
	comment := ""
	if in.HostedZoneConfig != nil {
		comment = in.HostedZoneConfig.Comment
		if in.HostedZoneConfig.PrivateZone {
			return nil, invalidInput("the emulator supports public hosted zones only (PrivateZone true)")
		}
	}
	if len(comment) > 256 {
		return nil, invalidInput("1 validation error detected: Value at 'hostedZoneConfig.comment' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if in.VPC != nil {
		return nil, invalidInput("the emulator supports public hosted zones only (a VPC was given)")
	}
	if in.DelegationSetID != "" {
		return nil, core.StatusErrorf(http.StatusNotFound, "NoSuchDelegationSet", "A reusable delegation set with the specified ID does not exist.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.zoneRefs[in.CallerReference] {
		return nil, core.StatusErrorf(http.StatusConflict, "HostedZoneAlreadyExists",
			"A hosted zone has already been created with the specified caller reference.")
	}
	if len(s.zones) >= s.limits.HostedZones {
		return nil, core.Errorf("TooManyHostedZones", "This operation can't be completed because the current account has reached the limit on the number of hosted zones (%d).", s.limits.HostedZones)
	}
	z := s.addZoneLocked("Z"+core.RandomID(19), name, in.CallerReference, comment)
	ch := s.newChange("")
	return created(locationBase+"hostedzone/"+z.id, struct {
		XMLName       xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHostedZoneResponse"`
		HostedZone    xmlHostedZone    `xml:"HostedZone"`
		ChangeInfo    xmlChangeInfo    `xml:"ChangeInfo"`
		DelegationSet xmlDelegationSet `xml:"DelegationSet"`
	}{HostedZone: s.zoneXML(z), ChangeInfo: s.changeXML(ch), DelegationSet: xmlDelegationSet{NameServers: z.nameServers}})
}

// addZoneLocked creates a hosted zone with its own SOA and NS records. The
// caller holds s.mu and has checked id, name and callerRef.
func (s *Service) addZoneLocked(id, name, callerRef, comment string) *hostedZone {
	s.zoneRefs[callerRef] = true
	z := &hostedZone{
		id:          id,
		name:        name,
		callerRef:   callerRef,
		comment:     comment,
		seq:         s.nextSeq(),
		records:     map[string]*rrset{},
		nameServers: newNameServers(),
		tags:        map[string]string{},
	}
	ttl := func(n int64) *int64 { return &n }
	ns := &rrset{Name: name, Type: "NS", TTL: ttl(172800)}
	for _, n := range z.nameServers {
		ns.ResourceRecords = append(ns.ResourceRecords, resourceRecord{Value: n})
	}
	soa := &rrset{Name: name, Type: "SOA", TTL: ttl(900), ResourceRecords: []resourceRecord{{
		Value: z.nameServers[0] + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
	}}}
	z.records[rrKey(name, "NS", "")] = ns
	z.records[rrKey(name, "SOA", "")] = soa
	s.zones[z.id] = z
	return z
}

// hostedZoneIDPattern is the shape of a Route 53 hosted zone id: "Z" and
// upper-case letters and digits, at most 32 characters in all.
var hostedZoneIDPattern = regexp.MustCompile(`^Z[0-9A-Z]{1,31}$`)

// SeedHostedZone creates a public hosted zone with a chosen id, for test
// harnesses that need to know the id before anything runs (Route 53 itself
// always picks the id). id must look like a Route 53 id ("Z0REGISTEST000001";
// a "/hostedzone/" prefix is accepted) and not be in use; name is the zone's
// domain name. The zone is otherwise what CreateHostedZone makes.
func (s *Service) SeedHostedZone(name, id string) error {
	id = strings.TrimPrefix(id, "/hostedzone/")
	if !hostedZoneIDPattern.MatchString(id) {
		return fmt.Errorf("route53: hosted zone id %q does not look like a Route 53 id: use Z followed by up to 31 upper-case letters and digits, e.g. Z0REGISTEST000001", id)
	}
	canonical, ok := normalizeName(name)
	if !ok || canonical == "." {
		return fmt.Errorf("route53: %q is not a valid domain name for a hosted zone", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.zones[id] != nil {
		return fmt.Errorf("route53: hosted zone %s already exists", id)
	}
	if len(s.zones) >= s.limits.HostedZones {
		return fmt.Errorf("route53: the account has reached the limit on hosted zones (%d)", s.limits.HostedZones)
	}
	s.addZoneLocked(id, canonical, "regis-emulator-seed-"+id, "")
	return nil
}

func (s *Service) getHostedZone(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(req.Param("Id"))
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName       xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneResponse"`
		HostedZone    xmlHostedZone    `xml:"HostedZone"`
		DelegationSet xmlDelegationSet `xml:"DelegationSet"`
	}{HostedZone: s.zoneXML(z), DelegationSet: xmlDelegationSet{NameServers: z.nameServers}}, nil
}

func (s *Service) getHostedZoneCount(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return struct {
		XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneCountResponse"`
		HostedZoneCount int      `xml:"HostedZoneCount"`
	}{HostedZoneCount: len(s.zones)}, nil
}

func (s *Service) sortedZones() []*hostedZone {
	out := make([]*hostedZone, 0, len(s.zones))
	for _, z := range s.zones {
		out = append(out, z)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (s *Service) listHostedZones(req *core.Request) (any, *core.APIError) {
	limit, err := maxItems(req, 100, 100)
	if err != nil {
		return nil, err
	}
	if query(req, "delegationsetid") != "" {
		return nil, core.StatusErrorf(http.StatusNotFound, "NoSuchDelegationSet", "A reusable delegation set with the specified ID does not exist.")
	}
	if t := query(req, "hostedzonetype"); t != "" && t != "PrivateHostedZone" {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]", t)
	}
	marker := stripPrefix(query(req, "marker"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	zones := s.sortedZones()
	if query(req, "hostedzonetype") == "PrivateHostedZone" {
		zones = nil // every emulated zone is public
	}
	start := 0
	if marker != "" {
		start = -1
		for i, z := range zones {
			if z.id == marker {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, invalidInput("Invalid marker: %s", marker)
		}
	}
	out := struct {
		XMLName     xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesResponse"`
		HostedZones []xmlHostedZone `xml:"HostedZones>HostedZone"`
		Marker      string          `xml:"Marker"`
		IsTruncated bool            `xml:"IsTruncated"`
		NextMarker  string          `xml:"NextMarker,omitempty"`
		MaxItems    int             `xml:"MaxItems"`
	}{Marker: marker, MaxItems: limit, HostedZones: []xmlHostedZone{}}
	for i := start; i < len(zones); i++ {
		if len(out.HostedZones) == limit {
			out.IsTruncated = true
			out.NextMarker = zones[i].id
			break
		}
		out.HostedZones = append(out.HostedZones, s.zoneXML(zones[i]))
	}
	return out, nil
}

func (s *Service) listHostedZonesByName(req *core.Request) (any, *core.APIError) {
	limit, err := maxItems(req, 100, 100)
	if err != nil {
		return nil, err
	}
	dnsName, startID := query(req, "dnsname"), stripPrefix(query(req, "hostedzoneid"))
	if startID != "" && dnsName == "" {
		return nil, invalidInput("Invalid request: a HostedZoneId was given without a DNSName")
	}
	startKey := ""
	if dnsName != "" {
		n, ok := normalizeName(dnsName)
		if !ok {
			return nil, core.Errorf("InvalidDomainName", "%s is not a valid domain name", dnsName)
		}
		startKey = reversedName(n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	zones := s.sortedZones()
	sort.SliceStable(zones, func(i, j int) bool {
		a, b := reversedName(zones[i].name), reversedName(zones[j].name)
		if a != b {
			return a < b
		}
		return zones[i].id < zones[j].id
	})
	out := struct {
		XMLName          xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesByNameResponse"`
		HostedZones      []xmlHostedZone `xml:"HostedZones>HostedZone"`
		DNSName          string          `xml:"DNSName,omitempty"`
		HostedZoneID     string          `xml:"HostedZoneId,omitempty"`
		IsTruncated      bool            `xml:"IsTruncated"`
		NextDNSName      string          `xml:"NextDNSName,omitempty"`
		NextHostedZoneID string          `xml:"NextHostedZoneId,omitempty"`
		MaxItems         int             `xml:"MaxItems"`
	}{DNSName: dnsName, HostedZoneID: query(req, "hostedzoneid"), MaxItems: limit, HostedZones: []xmlHostedZone{}}
	for _, z := range zones {
		key := reversedName(z.name)
		if key < startKey || (key == startKey && startID != "" && z.id < startID) {
			continue
		}
		if len(out.HostedZones) == limit {
			out.IsTruncated = true
			out.NextDNSName = displayName(z.name)
			out.NextHostedZoneID = z.id
			break
		}
		out.HostedZones = append(out.HostedZones, s.zoneXML(z))
	}
	return out, nil
}

func (s *Service) deleteHostedZone(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(req.Param("Id"))
	if err != nil {
		return nil, err
	}
	notEmpty := false
	for _, r := range z.records {
		if !z.isZoneRecord(r) {
			notEmpty = true
			break
		}
	}
	for _, in := range s.instances {
		if in.zoneID == z.id {
			notEmpty = true
		}
	}
	if notEmpty {
		return nil, core.Errorf("HostedZoneNotEmpty", "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
	}
	delete(s.zones, z.id)
	ch := s.newChange("")
	return struct {
		XMLName    xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteHostedZoneResponse"`
		ChangeInfo xmlChangeInfo `xml:"ChangeInfo"`
	}{ChangeInfo: s.changeXML(ch)}, nil
}

func (s *Service) updateHostedZoneComment(req *core.Request) (any, *core.APIError) {
	var in struct {
		Comment *string `xml:"Comment"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.Comment != nil && len(*in.Comment) > 256 {
		return nil, invalidInput("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(req.Param("Id"))
	if err != nil {
		return nil, err
	}
	z.comment = ""
	if in.Comment != nil {
		z.comment = *in.Comment
	}
	return struct {
		XMLName    xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateHostedZoneCommentResponse"`
		HostedZone xmlHostedZone `xml:"HostedZone"`
	}{HostedZone: s.zoneXML(z)}, nil
}
