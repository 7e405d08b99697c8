package route53

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// trafficPolicy is a traffic policy and all its versions. Versions are never
// removed: DeleteTrafficPolicy flags one, and GetTrafficPolicy still returns
// it, as on AWS. The policy is gone from ListTrafficPolicies once every
// version is deleted.
type trafficPolicy struct {
	id       string
	name     string
	seq      int64
	versions []*policyVersion // versions[i].version == i+1
}

type policyVersion struct {
	version  int
	document string // as submitted
	comment  string
	typ      string // the document's RecordType
	doc      *tfDocument
	deleted  bool
}

func (p *trafficPolicy) live() bool {
	for _, v := range p.versions {
		if !v.deleted {
			return true
		}
	}
	return false
}

func (p *trafficPolicy) latest() *policyVersion {
	for i := len(p.versions) - 1; i >= 0; i-- {
		if !p.versions[i].deleted {
			return p.versions[i]
		}
	}
	return nil
}

func (p *trafficPolicy) liveCount() int {
	n := 0
	for _, v := range p.versions {
		if !v.deleted {
			n++
		}
	}
	return n
}

func (s *Service) livePolicyCount() int {
	n := 0
	for _, p := range s.policies {
		if p.live() {
			n++
		}
	}
	return n
}

type xmlTrafficPolicy struct {
	ID       string `xml:"Id"`
	Version  int    `xml:"Version"`
	Name     string `xml:"Name"`
	Type     string `xml:"Type"`
	Document string `xml:"Document"`
	Comment  string `xml:"Comment,omitempty"`
}

func (p *trafficPolicy) xml(v *policyVersion) xmlTrafficPolicy {
	return xmlTrafficPolicy{ID: p.id, Version: v.version, Name: p.name, Type: v.typ, Document: v.document, Comment: v.comment}
}

// policyVersion finds a version that is not deleted.
func (s *Service) policyVersion(id string, version int) (*trafficPolicy, *policyVersion, *core.APIError) {
	p := s.policies[id]
	if p == nil || version < 1 || version > len(p.versions) || p.versions[version-1].deleted {
		return nil, nil, noSuchTrafficPolicy(id, version)
	}
	return p, p.versions[version-1], nil
}

func parseVersion(s string) (int, *core.APIError) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, invalidInput("1 validation error detected: Value '%s' at 'version' failed to satisfy constraint: Member must have value between 1 and 1000", s)
	}
	return n, nil
}

// ------------------------------------------------------------- operations

type trafficPolicyResponse struct {
	XMLName       xml.Name
	TrafficPolicy xmlTrafficPolicy `xml:"TrafficPolicy"`
}

func policyResponse(action string, tp xmlTrafficPolicy) trafficPolicyResponse {
	return trafficPolicyResponse{XMLName: xml.Name{Space: Namespace, Local: action + "Response"}, TrafficPolicy: tp}
}

func (s *Service) createTrafficPolicy(c *call) *core.APIError {
	var in struct {
		Name     string `xml:"Name"`
		Document string `xml:"Document"`
		Comment  string `xml:"Comment"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Name == "" || len(in.Name) > 512 {
		return invalidInput("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 512")
	}
	if len(in.Comment) > 1024 {
		return invalidInput("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	doc, err := validateDocument(in.Document)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.policies {
		if p.name == in.Name && p.live() {
			return core.StatusErrorf(http.StatusConflict, "TrafficPolicyAlreadyExists", "A traffic policy with the name %s already exists.", in.Name)
		}
	}
	if s.livePolicyCount() >= s.limits.TrafficPolicies {
		return core.Errorf("TooManyTrafficPolicies", "This traffic policy can't be created because the current account has reached the limit on the number of traffic policies (%d).", s.limits.TrafficPolicies)
	}
	p := &trafficPolicy{id: core.NewRequestID(), name: in.Name, seq: s.nextSeq()}
	v := &policyVersion{version: 1, document: in.Document, comment: in.Comment, typ: doc.RecordType, doc: doc}
	p.versions = append(p.versions, v)
	s.policies[p.id] = p
	return s.created(c, fmt.Sprintf("%strafficpolicy/%s/%d", locationBase, p.id, v.version), policyResponse("CreateTrafficPolicy", p.xml(v)))
}

func (s *Service) createTrafficPolicyVersion(c *call) *core.APIError {
	var in struct {
		Document string `xml:"Document"`
		Comment  string `xml:"Comment"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if len(in.Comment) > 1024 {
		return invalidInput("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	id := c.parts[1]
	s.mu.Lock()
	p := s.policies[id]
	if p == nil || !p.live() {
		s.mu.Unlock()
		return noSuchTrafficPolicy(id, 0)
	}
	if len(p.versions) >= s.limits.TrafficPolicyVersions {
		s.mu.Unlock()
		return core.Errorf("TooManyTrafficPolicyVersionsForCurrentPolicy",
			"This traffic policy can't be updated because it already has the maximum number of versions (%d). To create another version, create a new traffic policy.", s.limits.TrafficPolicyVersions)
	}
	s.mu.Unlock()
	doc, err := validateDocument(in.Document)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !p.live() || s.policies[id] != p {
		return noSuchTrafficPolicy(id, 0)
	}
	if len(p.versions) >= s.limits.TrafficPolicyVersions {
		return core.Errorf("ConcurrentModification", "Another user submitted a request to create, update, or delete the object at the same time that you did. Retry the request.")
	}
	v := &policyVersion{version: len(p.versions) + 1, document: in.Document, comment: in.Comment, typ: doc.RecordType, doc: doc}
	p.versions = append(p.versions, v)
	return s.created(c, fmt.Sprintf("%strafficpolicy/%s/%d", locationBase, p.id, v.version), policyResponse("CreateTrafficPolicyVersion", p.xml(v)))
}

// getTrafficPolicy returns any version that was ever created, deleted ones
// included: Route 53 never fully deletes a traffic policy.
func (s *Service) getTrafficPolicy(c *call) *core.APIError {
	version, err := parseVersion(c.parts[2])
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policies[c.parts[1]]
	if p == nil || version > len(p.versions) {
		return noSuchTrafficPolicy(c.parts[1], version)
	}
	return s.write(c, http.StatusOK, policyResponse("GetTrafficPolicy", p.xml(p.versions[version-1])))
}

func (s *Service) updateTrafficPolicyComment(c *call) *core.APIError {
	var in struct {
		Comment *string `xml:"Comment"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Comment == nil {
		return invalidInput("Invalid request: Missing field 'Comment'")
	}
	if len(*in.Comment) > 1024 {
		return invalidInput("1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 1024")
	}
	version, err := parseVersion(c.parts[2])
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, v, err := s.policyVersion(c.parts[1], version)
	if err != nil {
		return err
	}
	v.comment = *in.Comment
	return s.write(c, http.StatusOK, policyResponse("UpdateTrafficPolicyComment", p.xml(v)))
}

// versionInUse reports whether a traffic policy instance uses the version
// (as its requested version, or as the one still applied during an update).
func (s *Service) versionInUse(id string, version int) bool {
	for _, in := range s.instances {
		if in.uses(id, version) {
			return true
		}
	}
	return false
}

func (s *Service) deleteTrafficPolicy(c *call) *core.APIError {
	version, err := parseVersion(c.parts[2])
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	_, v, err := s.policyVersion(c.parts[1], version)
	if err != nil {
		return err
	}
	if s.versionInUse(c.parts[1], version) {
		return core.Errorf("TrafficPolicyInUse", "One or more traffic policy instances were created by using the specified traffic policy.")
	}
	v.deleted = true
	return s.empty(c)
}

func (s *Service) listTrafficPolicies(c *call) *core.APIError {
	limit, err := maxItems(c, 100, 100)
	if err != nil {
		return err
	}
	marker := c.q("trafficpolicyid")
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*trafficPolicy
	for _, p := range s.policies {
		if p.live() {
			all = append(all, p)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	start := 0
	if marker != "" {
		start = -1
		for i, p := range all {
			if p.id == marker {
				start = i
			}
		}
		if start < 0 {
			return invalidInput("Invalid request: no traffic policy with ID %s to start from", marker)
		}
	}
	type summary struct {
		ID                 string `xml:"Id"`
		Name               string `xml:"Name"`
		Type               string `xml:"Type"`
		LatestVersion      int    `xml:"LatestVersion"`
		TrafficPolicyCount int    `xml:"TrafficPolicyCount"`
	}
	out := struct {
		XMLName                xml.Name  `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPoliciesResponse"`
		TrafficPolicySummaries []summary `xml:"TrafficPolicySummaries>TrafficPolicySummary"`
		IsTruncated            bool      `xml:"IsTruncated"`
		TrafficPolicyIDMarker  string    `xml:"TrafficPolicyIdMarker"`
		MaxItems               int       `xml:"MaxItems"`
	}{MaxItems: limit, TrafficPolicySummaries: []summary{}}
	for i := start; i < len(all); i++ {
		p := all[i]
		if len(out.TrafficPolicySummaries) == limit {
			out.IsTruncated = true
			out.TrafficPolicyIDMarker = p.id
			break
		}
		l := p.latest()
		out.TrafficPolicySummaries = append(out.TrafficPolicySummaries, summary{ID: p.id, Name: p.name, Type: l.typ, LatestVersion: l.version, TrafficPolicyCount: p.liveCount()})
		out.TrafficPolicyIDMarker = p.id
	}
	return s.write(c, http.StatusOK, out)
}

func (s *Service) listTrafficPolicyVersions(c *call) *core.APIError {
	limit, err := maxItems(c, 100, 100)
	if err != nil {
		return err
	}
	startVersion := 1
	if m := c.q("trafficpolicyversion"); m != "" {
		if startVersion, err = parseVersion(m); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policies[c.parts[1]]
	if p == nil {
		return noSuchTrafficPolicy(c.parts[1], 0)
	}
	out := struct {
		XMLName                    xml.Name           `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPolicyVersionsResponse"`
		TrafficPolicies            []xmlTrafficPolicy `xml:"TrafficPolicies>TrafficPolicy"`
		IsTruncated                bool               `xml:"IsTruncated"`
		TrafficPolicyVersionMarker string             `xml:"TrafficPolicyVersionMarker"`
		MaxItems                   int                `xml:"MaxItems"`
	}{MaxItems: limit, TrafficPolicies: []xmlTrafficPolicy{}}
	for _, v := range p.versions {
		if v.deleted || v.version < startVersion {
			continue
		}
		if len(out.TrafficPolicies) == limit {
			out.IsTruncated = true
			out.TrafficPolicyVersionMarker = strconv.Itoa(v.version)
			break
		}
		out.TrafficPolicies = append(out.TrafficPolicies, p.xml(v))
		out.TrafficPolicyVersionMarker = strconv.Itoa(v.version)
	}
	return s.write(c, http.StatusOK, out)
}
