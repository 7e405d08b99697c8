package route53

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Traffic policy instance states.
const (
	stateCreating = "Creating"
	stateUpdating = "Updating"
	stateDeleting = "Deleting"
	stateApplied  = "Applied"
	stateFailed   = "Failed"
)

// instance is a traffic policy instance (a "policy record"). What
// GetTrafficPolicyInstance shows (the requested policy version, TTL, State)
// and what DNS answers with (applied) differ while Route 53 is creating or
// updating the records: during an update the old version keeps answering
// until the new records are in place.
type instance struct {
	id       string
	zoneID   string
	name     string // canonical
	typ      string // TrafficPolicyType: the requested version's RecordType
	ttl      int64
	policyID string
	version  int
	state    string
	message  string
	readyAt  time.Time
	seq      int64

	applied *appliedPolicy
	// recordDeleted is set when the instance's record set was deleted with
	// ChangeResourceRecordSets: the instance stays (and keeps being billed on
	// AWS) but DNS no longer answers; an update creates the records again.
	recordDeleted bool
}

// appliedPolicy is the version whose records currently answer DNS queries.
type appliedPolicy struct {
	policyID string
	version  int
	ttl      int64
	typ      string
}

func (in *instance) recordVisible() bool { return in.applied != nil && !in.recordDeleted }

func (in *instance) appliedType() string {
	if in.applied == nil {
		return in.typ
	}
	return in.applied.typ
}

func (in *instance) uses(policyID string, version int) bool {
	if in.policyID == policyID && in.version == version {
		return true
	}
	return in.applied != nil && in.applied.policyID == policyID && in.applied.version == version
}

func (in *instance) busy() bool {
	return in.state == stateCreating || in.state == stateUpdating || in.state == stateDeleting
}

type xmlInstance struct {
	ID                   string `xml:"Id"`
	HostedZoneID         string `xml:"HostedZoneId"`
	Name                 string `xml:"Name"`
	TTL                  int64  `xml:"TTL"`
	State                string `xml:"State"`
	Message              string `xml:"Message"`
	TrafficPolicyID      string `xml:"TrafficPolicyId"`
	TrafficPolicyVersion int    `xml:"TrafficPolicyVersion"`
	TrafficPolicyType    string `xml:"TrafficPolicyType"`
}

func (in *instance) xml() xmlInstance {
	return xmlInstance{ID: in.id, HostedZoneID: in.zoneID, Name: displayName(in.name), TTL: in.ttl, State: in.state, Message: in.message,
		TrafficPolicyID: in.policyID, TrafficPolicyVersion: in.version, TrafficPolicyType: in.typ}
}

// settleLocked completes the work whose emulated delay has passed. Callers
// hold s.mu.
func (s *Service) settleLocked() {
	now := s.now()
	for id, in := range s.instances {
		if now.Before(in.readyAt) {
			continue
		}
		switch in.state {
		case stateCreating, stateUpdating:
			s.applyInstance(in)
		case stateDeleting:
			delete(s.instances, id)
		}
	}
}

// applyInstance builds the instance's records from its requested version:
// Applied, or Failed with the reason (the previous records, if any, stay).
func (s *Service) applyInstance(in *instance) {
	fail := func(format string, args ...any) {
		in.state = stateFailed
		in.message = fmt.Sprintf(format, args...)
	}
	z := s.zones[in.zoneID]
	if z == nil {
		fail("No hosted zone found with ID: %s", in.zoneID)
		return
	}
	p := s.policies[in.policyID]
	if p == nil || in.version > len(p.versions) {
		fail("No traffic policy found with ID: %s and version: %d", in.policyID, in.version)
		return
	}
	v := p.versions[in.version-1]
	for _, hc := range v.doc.healthChecks() {
		if s.healthChecks[hc] == nil {
			fail("NoSuchHealthCheck: A health check with id %s does not exist.", hc)
			return
		}
	}
	ident := fmt.Sprintf("[name='%s', type='%s']", displayName(in.name), v.typ)
	for _, r := range z.records {
		if r.Name != in.name {
			continue
		}
		switch {
		case r.Type == v.typ:
			fail("Tried to create resource record set %s but it already exists", ident)
			return
		case r.Type == "CNAME" || v.typ == "CNAME":
			fail("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type  %s with the same DNS name already exists in zone %s",
				v.typ, displayName(in.name), r.Type, displayName(z.name))
			return
		}
	}
	for _, o := range s.instances {
		if o == in || o.zoneID != in.zoneID || o.name != in.name || !o.recordVisible() {
			continue
		}
		if o.appliedType() == v.typ {
			fail("Tried to create resource record set %s but it already exists", ident)
			return
		}
		if o.appliedType() == "CNAME" || v.typ == "CNAME" {
			fail("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type  %s with the same DNS name already exists in zone %s",
				v.typ, displayName(in.name), o.appliedType(), displayName(z.name))
			return
		}
	}
	in.applied = &appliedPolicy{policyID: in.policyID, version: in.version, ttl: in.ttl, typ: v.typ}
	in.recordDeleted = false
	in.state = stateApplied
	in.message = ""
}

func (s *Service) instanceByID(id string) (*instance, *core.APIError) {
	in := s.instances[id]
	if in == nil {
		return nil, noSuchTrafficPolicyInstance(id)
	}
	return in, nil
}

func priorRequestNotComplete() *core.APIError {
	return core.Errorf("PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.")
}

func checkTTL(ttl *int64) *core.APIError {
	if ttl == nil {
		return invalidInput("Invalid request: Missing field 'TTL'")
	}
	if *ttl < 0 || *ttl > 2147483647 {
		return invalidInput("1 validation error detected: Value '%d' at 'tTL' failed to satisfy constraint: Member must have value between 0 and 2147483647", *ttl)
	}
	return nil
}

type instanceResponse struct {
	XMLName               xml.Name
	TrafficPolicyInstance xmlInstance `xml:"TrafficPolicyInstance"`
}

func (s *Service) createTrafficPolicyInstance(c *call) *core.APIError {
	var in struct {
		HostedZoneID         string `xml:"HostedZoneId"`
		Name                 string `xml:"Name"`
		TTL                  *int64 `xml:"TTL"`
		TrafficPolicyID      string `xml:"TrafficPolicyId"`
		TrafficPolicyVersion int    `xml:"TrafficPolicyVersion"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.HostedZoneID == "" || in.Name == "" || in.TrafficPolicyID == "" || in.TrafficPolicyVersion == 0 {
		return invalidInput("Invalid request: HostedZoneId, Name, TTL, TrafficPolicyId and TrafficPolicyVersion are required")
	}
	if err := checkTTL(in.TTL); err != nil {
		return err
	}
	name, ok := normalizeName(in.Name)
	if !ok {
		return invalidInput("Invalid request: %s is not a valid DNS name", in.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(in.HostedZoneID)
	if err != nil {
		return err
	}
	if !inZone(name, z.name) {
		return invalidInput("Invalid request: the name %s is not in the hosted zone %s", displayName(name), displayName(z.name))
	}
	_, v, err := s.policyVersion(in.TrafficPolicyID, in.TrafficPolicyVersion)
	if err != nil {
		return err
	}
	for _, o := range s.instances {
		if o.zoneID == z.id && o.name == name && o.typ == v.typ {
			return core.StatusErrorf(http.StatusConflict, "TrafficPolicyInstanceAlreadyExists",
				"Traffic policy instance %s already exists for %s type %s in hosted zone %s.", o.id, displayName(name), v.typ, z.id)
		}
	}
	if len(s.instances) >= s.limits.TrafficPolicyInstances {
		return core.Errorf("TooManyTrafficPolicyInstances", "This traffic policy instance can't be created because the current account has reached the limit on the number of traffic policy instances (%d).", s.limits.TrafficPolicyInstances)
	}
	inst := &instance{
		id: core.NewRequestID(), zoneID: z.id, name: name, typ: v.typ, ttl: *in.TTL,
		policyID: in.TrafficPolicyID, version: in.TrafficPolicyVersion,
		state: stateCreating, readyAt: s.now().Add(s.delays.Instance), seq: s.nextSeq(),
	}
	s.instances[inst.id] = inst
	return s.created(c, locationBase+"trafficpolicyinstance/"+inst.id, instanceResponse{
		XMLName: xml.Name{Space: Namespace, Local: "CreateTrafficPolicyInstanceResponse"}, TrafficPolicyInstance: inst.xml()})
}

func (s *Service) getTrafficPolicyInstance(c *call) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	in, err := s.instanceByID(c.parts[1])
	if err != nil {
		return err
	}
	return s.write(c, http.StatusOK, instanceResponse{
		XMLName: xml.Name{Space: Namespace, Local: "GetTrafficPolicyInstanceResponse"}, TrafficPolicyInstance: in.xml()})
}

func (s *Service) updateTrafficPolicyInstance(c *call) *core.APIError {
	var req struct {
		TTL                  *int64 `xml:"TTL"`
		TrafficPolicyID      string `xml:"TrafficPolicyId"`
		TrafficPolicyVersion int    `xml:"TrafficPolicyVersion"`
	}
	if err := decode(c, &req); err != nil {
		return err
	}
	if req.TrafficPolicyID == "" || req.TrafficPolicyVersion == 0 {
		return invalidInput("Invalid request: TTL, TrafficPolicyId and TrafficPolicyVersion are required")
	}
	if err := checkTTL(req.TTL); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	in, err := s.instanceByID(c.parts[1])
	if err != nil {
		return err
	}
	if in.busy() {
		return priorRequestNotComplete()
	}
	_, v, err := s.policyVersion(req.TrafficPolicyID, req.TrafficPolicyVersion)
	if err != nil {
		return err
	}
	if v.typ != in.typ {
		return core.Errorf("ConflictingTypes", "You tried to update a traffic policy instance by using a traffic policy version that has a different DNS type (%s) than the current type for the instance (%s).", v.typ, in.typ)
	}
	in.ttl = *req.TTL
	in.policyID = req.TrafficPolicyID
	in.version = req.TrafficPolicyVersion
	in.state = stateUpdating
	in.message = ""
	in.readyAt = s.now().Add(s.delays.Instance)
	return s.write(c, http.StatusOK, instanceResponse{
		XMLName: xml.Name{Space: Namespace, Local: "UpdateTrafficPolicyInstanceResponse"}, TrafficPolicyInstance: in.xml()})
}

func (s *Service) deleteTrafficPolicyInstance(c *call) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	in, err := s.instanceByID(c.parts[1])
	if err != nil {
		return err
	}
	if in.busy() {
		return priorRequestNotComplete()
	}
	in.state = stateDeleting
	in.message = ""
	in.readyAt = s.now().Add(s.delays.Instance)
	if s.delays.Instance <= 0 {
		delete(s.instances, in.id)
	}
	return s.empty(c)
}

func (s *Service) getTrafficPolicyInstanceCount(c *call) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	return s.write(c, http.StatusOK, struct {
		XMLName                    xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetTrafficPolicyInstanceCountResponse"`
		TrafficPolicyInstanceCount int      `xml:"TrafficPolicyInstanceCount"`
	}{TrafficPolicyInstanceCount: len(s.instances)})
}

// ------------------------------------------------------------------- lists

type instanceList struct {
	XMLName                         xml.Name
	TrafficPolicyInstances          []xmlInstance `xml:"TrafficPolicyInstances>TrafficPolicyInstance"`
	HostedZoneIDMarker              string        `xml:"HostedZoneIdMarker,omitempty"`
	TrafficPolicyInstanceNameMarker string        `xml:"TrafficPolicyInstanceNameMarker,omitempty"`
	TrafficPolicyInstanceTypeMarker string        `xml:"TrafficPolicyInstanceTypeMarker,omitempty"`
	IsTruncated                     bool          `xml:"IsTruncated"`
	MaxItems                        int           `xml:"MaxItems"`
}

// listInstances answers the three ListTrafficPolicyInstances* operations:
// instances matching keep, ordered by hosted zone, name and type, from the
// markers on.
func (s *Service) listInstances(c *call, action string, keep func(*instance) bool, withZoneMarker bool) *core.APIError {
	limit, err := maxItems(c, 100, 100)
	if err != nil {
		return err
	}
	zoneMarker := stripPrefix(c.q("hostedzoneid"))
	if !withZoneMarker {
		zoneMarker = ""
	}
	nameMarker, typeMarker := "", c.q("trafficpolicyinstancetype")
	if m := c.q("trafficpolicyinstancename"); m != "" {
		n, ok := normalizeName(m)
		if !ok {
			return invalidInput("Invalid request: %s is not a valid DNS name", m)
		}
		nameMarker = n
	}
	var all []*instance
	for _, in := range s.instances {
		if keep(in) {
			all = append(all, in)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.zoneID != b.zoneID {
			return a.zoneID < b.zoneID
		}
		if a.name != b.name {
			return a.name < b.name
		}
		return a.typ < b.typ
	})
	out := instanceList{XMLName: xml.Name{Space: Namespace, Local: action + "Response"}, MaxItems: limit, TrafficPolicyInstances: []xmlInstance{}}
	for _, in := range all {
		if in.zoneID < zoneMarker {
			continue
		}
		if in.zoneID == zoneMarker || !withZoneMarker {
			if in.name < nameMarker || (in.name == nameMarker && in.typ < typeMarker) {
				continue
			}
		}
		if len(out.TrafficPolicyInstances) == limit {
			out.IsTruncated = true
			if withZoneMarker {
				out.HostedZoneIDMarker = in.zoneID
			}
			out.TrafficPolicyInstanceNameMarker = displayName(in.name)
			out.TrafficPolicyInstanceTypeMarker = in.typ
			break
		}
		out.TrafficPolicyInstances = append(out.TrafficPolicyInstances, in.xml())
	}
	return s.write(c, http.StatusOK, out)
}

func (s *Service) listTrafficPolicyInstances(c *call) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	return s.listInstances(c, "ListTrafficPolicyInstances", func(*instance) bool { return true }, true)
}

func (s *Service) listTrafficPolicyInstancesByHostedZone(c *call) *core.APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	z, err := s.zoneByID(c.q("id"))
	if err != nil {
		return err
	}
	return s.listInstances(c, "ListTrafficPolicyInstancesByHostedZone", func(in *instance) bool { return in.zoneID == z.id }, false)
}

func (s *Service) listTrafficPolicyInstancesByPolicy(c *call) *core.APIError {
	id := c.q("id")
	version, err := parseVersion(c.q("version"))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	if _, _, err := s.policyVersion(id, version); err != nil {
		return err
	}
	return s.listInstances(c, "ListTrafficPolicyInstancesByPolicy", func(in *instance) bool {
		return in.policyID == id && in.version == version
	}, true)
}
