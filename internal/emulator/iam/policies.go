package iam

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type policyVersion struct {
	id       string
	number   int
	document string
	created  time.Time
}

type managedPolicy struct {
	name, path, id, arn string
	description         string
	created, updated    time.Time
	versions            []*policyVersion // ascending by number
	nextVersion         int
	defaultID           string
	boundaryUses        int
	tags                []tag
	awsManaged          bool
}

func (p *managedPolicy) version(id string) *policyVersion {
	for _, v := range p.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (p *managedPolicy) defaultVersion() *policyVersion { return p.version(p.defaultID) }

type xmlPolicy struct {
	PolicyName                    string   `xml:"PolicyName"`
	PolicyID                      string   `xml:"PolicyId"`
	Arn                           string   `xml:"Arn"`
	Path                          string   `xml:"Path"`
	DefaultVersionID              string   `xml:"DefaultVersionId"`
	AttachmentCount               int      `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int      `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool     `xml:"IsAttachable"`
	Description                   string   `xml:"Description,omitempty"`
	CreateDate                    string   `xml:"CreateDate"`
	UpdateDate                    string   `xml:"UpdateDate"`
	Tags                          *xmlTags `xml:"Tags,omitempty"`
}

type xmlPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

func (p *managedPolicy) versionView(v *policyVersion, withDoc bool) xmlPolicyVersion {
	x := xmlPolicyVersion{VersionID: v.id, IsDefaultVersion: v.id == p.defaultID, CreateDate: isoTime(v.created)}
	if withDoc {
		x.Document = encodeDocument(v.document)
	}
	return x
}

// attachmentsLocked counts the roles the policy is attached to.
func (s *Service) attachmentsLocked(arn string) int {
	n := 0
	for _, r := range s.roles {
		for _, a := range r.attached {
			if a == arn {
				n++
			}
		}
	}
	return n
}

// view renders a policy; full (GetPolicy, CreatePolicy) adds the
// description and tags, which ListPolicies leaves out.
func (s *Service) policyViewLocked(p *managedPolicy, full bool) xmlPolicy {
	x := xmlPolicy{
		PolicyName: p.name, PolicyID: p.id, Arn: p.arn, Path: p.path, DefaultVersionID: p.defaultID,
		AttachmentCount: s.attachmentsLocked(p.arn), PermissionsBoundaryUsageCount: p.boundaryUses,
		IsAttachable: true, CreateDate: isoTime(p.created), UpdateDate: isoTime(p.updated),
	}
	if full {
		x.Description = p.description
		x.Tags = tagList(p.tags)
	}
	return x
}

func policyARN(p params) (string, *core.APIError) { return requiredARN(p, "PolicyArn", "policyArn") }

func (s *Service) policyLocked(arn string) (*managedPolicy, *core.APIError) {
	p := s.policies[arn]
	if p == nil {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return p, nil
}

// unmodifiable answers changes to AWS managed policies: they belong to the
// "aws" account, so the caller is not authorized.
func (s *Service) unmodifiable(req *core.Request, p params, action string, mp *managedPolicy) *core.APIError {
	return core.StatusErrorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: iam:%s on resource: policy %s", s.callerARN(req, p), action, mp.arn)
}

func validateManagedDocument(doc string) *core.APIError {
	if err := validateIdentityPolicy(doc); err != nil {
		return err
	}
	if nonSpaceLen(doc) > maxManagedPolicySize {
		return limitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

func (s *Service) createPolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := requiredName(p, "PolicyName", "policyName", 128)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	desc, err := description(p)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	if err := validateManagedDocument(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.policies {
		if !other.awsManaged && lower(other.name) == lower(name) {
			return nil, alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	now := s.env.Clock.Now()
	mp := &managedPolicy{
		name: name, path: path, id: "ANPA" + core.RandomID(17),
		arn:         "arn:aws:iam::" + s.env.AccountID + ":policy" + path + name,
		description: desc, created: now, updated: now, tags: tags,
		versions:    []*policyVersion{{id: "v1", number: 1, document: doc, created: now}},
		nextVersion: 2, defaultID: "v1",
	}
	s.policies[mp.arn] = mp
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyViewLocked(mp, true)}, nil
}

func (s *Service) getPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xmlPolicy `xml:"Policy"`
	}{s.policyViewLocked(mp, true)}, nil
}

func (s *Service) deletePolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "DeletePolicy", mp)
	}
	if s.attachmentsLocked(arn) > 0 || mp.boundaryUses > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(mp.versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.policies, arn)
	return nil, nil
}

type xmlPolicyList struct {
	Members []xmlPolicy `xml:"member"`
}

func (s *Service) listPolicies(req *core.Request, p params) (any, *core.APIError) {
	scope := "All"
	if p.Has("Scope") {
		scope = p.Get("Scope")
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, validationError("scope", scope, "Member must satisfy enum value set: [All, AWS, Local]")
	}
	onlyAttached, err := optionalBool(p, "OnlyAttached")
	if err != nil {
		return nil, err
	}
	prefix, err := optionalPathPrefix(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*managedPolicy
	for _, mp := range s.policies {
		if (scope == "AWS" && !mp.awsManaged) || (scope == "Local" && mp.awsManaged) {
			continue
		}
		if !strings.HasPrefix(mp.path, prefix) {
			continue
		}
		if onlyAttached && s.attachmentsLocked(mp.arn) == 0 && mp.boundaryUses == 0 {
			continue
		}
		list = append(list, mp)
	}
	key := func(mp *managedPolicy) string { return lower(mp.name) + "\x00" + mp.arn }
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
	items, next := paginate(list, key, pg)
	out := struct {
		Policies    xmlPolicyList `xml:"Policies"`
		IsTruncated bool          `xml:"IsTruncated"`
		Marker      string        `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, mp := range items {
		out.Policies.Members = append(out.Policies.Members, s.policyViewLocked(mp, false))
	}
	return out, nil
}
