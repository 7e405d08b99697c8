package iam

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type role struct {
	name, path, id, arn string
	created             time.Time
	trust               string
	description         string
	maxSession          int // seconds
	boundary            string
	tags                []tag
	inline              map[string]string // policy name → document
	attached            []string          // managed policy ARNs, in attachment order
	lastUsed            time.Time
	lastUsedRegion      string
}

type xmlBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type xmlRoleLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

type xmlRole struct {
	Path                     string           `xml:"Path"`
	RoleName                 string           `xml:"RoleName"`
	RoleID                   string           `xml:"RoleId"`
	Arn                      string           `xml:"Arn"`
	CreateDate               string           `xml:"CreateDate"`
	AssumeRolePolicyDocument string           `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string           `xml:"Description,omitempty"`
	MaxSessionDuration       int              `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *xmlBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     *xmlTags         `xml:"Tags,omitempty"`
	RoleLastUsed             *xmlRoleLastUsed `xml:"RoleLastUsed,omitempty"`
}

// view renders the role. full adds what GetRole returns but ListRoles does
// not (tags, permissions boundary, last use).
func (r *role) view(full bool) xmlRole {
	x := xmlRole{
		Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: isoTime(r.created),
		AssumeRolePolicyDocument: encodeDocument(r.trust),
		Description:              r.description,
		MaxSessionDuration:       r.maxSession,
	}
	if full {
		if r.boundary != "" {
			x.PermissionsBoundary = &xmlBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.boundary}
		}
		x.Tags = tagList(r.tags)
		x.RoleLastUsed = &xmlRoleLastUsed{}
		if !r.lastUsed.IsZero() {
			x.RoleLastUsed = &xmlRoleLastUsed{LastUsedDate: isoTime(r.lastUsed), Region: r.lastUsedRegion}
		}
	}
	return x
}

func roleName(p params) (string, *core.APIError) { return requiredName(p, "RoleName", "roleName", 64) }

// roleLocked returns the named role or NoSuchEntity. s.mu must be held.
func (s *Service) roleLocked(name string) (*role, *core.APIError) {
	r := s.roles[lower(name)]
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

func maxSessionDuration(p params) (int, *core.APIError) {
	v := p.Get("MaxSessionDuration")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validationError("maxSessionDuration", v, "Member must be an integer")
	}
	if n < 3600 {
		return 0, validationError("maxSessionDuration", n, "Member must have value greater than or equal to 3600")
	}
	if n > 43200 {
		return 0, validationError("maxSessionDuration", n, "Member must have value less than or equal to 43200")
	}
	return n, nil
}

func description(p params) (string, *core.APIError) {
	d := p.Get("Description")
	if len([]rune(d)) > 1000 {
		return "", validationError("description", d, "Member must have length less than or equal to 1000")
	}
	return d, nil
}

// boundaryLocked checks that a permissions boundary names an existing
// managed policy. CreateRole answers a missing one with InvalidInput (its
// model has no NoSuchEntity), PutRolePermissionsBoundary with NoSuchEntity.
// s.mu must be held.
func (s *Service) boundaryLocked(arn string, missingAsNoSuchEntity bool) *core.APIError {
	if _, ok := core.ParseARN(arn); !ok || len(arn) < 20 {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if s.policies[arn] == nil {
		if missingAsNoSuchEntity {
			return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
		}
		return invalidInput("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}

func (s *Service) createRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(p)
	if err != nil {
		return nil, err
	}
	trust, err := requiredDocument(p, "AssumeRolePolicyDocument", "assumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	desc, err := description(p)
	if err != nil {
		return nil, err
	}
	maxSession := 3600
	if p.Has("MaxSessionDuration") {
		if maxSession, err = maxSessionDuration(p); err != nil {
			return nil, err
		}
	}
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	boundary := p.Get("PermissionsBoundary")

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roles[lower(name)] != nil {
		return nil, alreadyExists("Role with name %s already exists.", name)
	}
	if err := s.validateTrustPolicyLocked(trust); err != nil {
		return nil, err
	}
	if boundary != "" {
		if err := s.boundaryLocked(boundary, false); err != nil {
			return nil, err
		}
	}
	r := &role{
		name: name, path: path, id: "AROA" + core.RandomID(17),
		arn:     "arn:aws:iam::" + s.env.AccountID + ":role" + path + name,
		created: s.env.Clock.Now(), trust: trust, description: desc, maxSession: maxSession,
		boundary: boundary, tags: tags, inline: map[string]string{},
	}
	s.roles[lower(name)] = r
	if boundary != "" {
		s.policies[boundary].boundaryUses++
	}
	v := r.view(false)
	v.Tags = tagList(r.tags)
	if r.boundary != "" {
		v.PermissionsBoundary = &xmlBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.boundary}
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{v}, nil
}

func (s *Service) getRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	return struct {
		Role xmlRole `xml:"Role"`
	}{r.view(true)}, nil
}

func (s *Service) deleteRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if len(r.inline) > 0 {
		return nil, deleteConflict("Cannot delete entity, must delete policies first.")
	}
	if len(r.attached) > 0 {
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	if r.boundary != "" {
		if bp := s.policies[r.boundary]; bp != nil {
			bp.boundaryUses--
		}
	}
	delete(s.roles, lower(name))
	return nil, nil
}

type xmlRoleList struct {
	Members []xmlRole `xml:"member"`
}

func (s *Service) listRoles(req *core.Request, p params) (any, *core.APIError) {
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
	var roles []*role
	for _, r := range s.roles {
		if strings.HasPrefix(r.path, prefix) {
			roles = append(roles, r)
		}
	}
	sort.Slice(roles, func(i, j int) bool { return lower(roles[i].name) < lower(roles[j].name) })
	items, next := paginate(roles, func(r *role) string { return lower(r.name) }, pg)
	out := struct {
		Roles       xmlRoleList `xml:"Roles"`
		IsTruncated bool        `xml:"IsTruncated"`
		Marker      string      `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, r := range items {
		out.Roles.Members = append(out.Roles.Members, r.view(false))
	}
	return out, nil
}

func (s *Service) updateRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	var desc string
	var maxSession int
	if p.Has("Description") {
		if desc, err = description(p); err != nil {
			return nil, err
		}
	}
	if p.Has("MaxSessionDuration") {
		if maxSession, err = maxSessionDuration(p); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if p.Has("Description") {
		r.description = desc
	}
	if p.Has("MaxSessionDuration") {
		r.maxSession = maxSession
	}
	return struct{}{}, nil
}

func (s *Service) updateRoleDescription(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	if !p.Has("Description") {
		return nil, missing("description")
	}
	desc, err := description(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	r.description = desc
	return struct {
		Role xmlRole `xml:"Role"`
	}{r.view(true)}, nil
}

func (s *Service) updateAssumeRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if err := s.validateTrustPolicyLocked(doc); err != nil {
		return nil, err
	}
	r.trust = doc
	return nil, nil
}

func (s *Service) tagRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, missing("tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(r.tags, tags)
	if len(merged) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	r.tags = merged
	return nil, nil
}

func (s *Service) untagRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	keys, err := parseTagKeys(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	r.tags = removeTags(r.tags, keys)
	return nil, nil
}

type tagListResult struct {
	Tags        xmlTags `xml:"Tags"`
	IsTruncated bool    `xml:"IsTruncated"`
	Marker      string  `xml:"Marker,omitempty"`
}

func listTags(tags []tag, pg page) tagListResult {
	sorted := append([]tag(nil), tags...)
	sort.Slice(sorted, func(i, j int) bool { return lower(sorted[i].Key) < lower(sorted[j].Key) })
	items, next := paginate(sorted, func(t tag) string { return lower(t.Key) }, pg)
	return tagListResult{Tags: xmlTags{Members: items}, IsTruncated: next != "", Marker: next}
}

func (s *Service) listRoleTags(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	return listTags(r.tags, pg), nil
}

func (s *Service) putRolePermissionsBoundary(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	arn, err := requiredARN(p, "PermissionsBoundary", "permissionsBoundary")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if err := s.boundaryLocked(arn, true); err != nil {
		return nil, err
	}
	if r.boundary != "" {
		if bp := s.policies[r.boundary]; bp != nil {
			bp.boundaryUses--
		}
	}
	r.boundary = arn
	s.policies[arn].boundaryUses++
	return nil, nil
}

func (s *Service) deleteRolePermissionsBoundary(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if r.boundary != "" {
		if bp := s.policies[r.boundary]; bp != nil {
			bp.boundaryUses--
		}
		r.boundary = ""
	}
	return nil, nil
}

// listInstanceProfilesForRole: the emulator has no EC2 instance profiles,
// so every existing role has none (clients such as Terraform's AWS provider
// call it before deleting a role).
func (s *Service) listInstanceProfilesForRole(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	if _, err := pagination(p); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.roleLocked(name); err != nil {
		return nil, err
	}
	return struct {
		InstanceProfiles struct{} `xml:"InstanceProfiles"`
		IsTruncated      bool     `xml:"IsTruncated"`
	}{}, nil
}
