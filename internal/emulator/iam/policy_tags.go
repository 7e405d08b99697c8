package iam

import (
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func (s *Service) tagPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
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
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	if mp.awsManaged {
		return nil, s.unmodifiable(req, p, "TagPolicy", mp)
	}
	merged := mergeTags(mp.tags, tags)
	if len(merged) > maxTags {
		return nil, limitExceeded("The number of tags has reached the maximum limit.")
	}
	mp.tags = merged
	return nil, nil
}

func (s *Service) untagPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	keys, err := parseTagKeys(p)
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
		return nil, s.unmodifiable(req, p, "UntagPolicy", mp)
	}
	mp.tags = removeTags(mp.tags, keys)
	return nil, nil
}

func (s *Service) listPolicyTags(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	pg, err := pagination(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	return listTags(mp.tags, pg), nil
}

type xmlPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

func (s *Service) listEntitiesForPolicy(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	filter := p.Get("EntityFilter")
	switch filter {
	case "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return nil, validationError("entityFilter", filter, "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
	}
	usage := p.Get("PolicyUsageFilter")
	if usage != "" && usage != "PermissionsPolicy" && usage != "PermissionsBoundary" {
		return nil, validationError("policyUsageFilter", usage, "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
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
	if _, err := s.policyLocked(arn); err != nil {
		return nil, err
	}
	var roles []*role
	if filter == "" || filter == "Role" {
		for _, r := range s.roles {
			if !strings.HasPrefix(r.path, prefix) {
				continue
			}
			attached := false
			for _, a := range r.attached {
				attached = attached || a == arn
			}
			asBoundary := r.boundary == arn
			if (usage == "" && (attached || asBoundary)) || (usage == "PermissionsPolicy" && attached) ||
				(usage == "PermissionsBoundary" && asBoundary) {
				roles = append(roles, r)
			}
		}
	}
	sort.Slice(roles, func(i, j int) bool { return lower(roles[i].name) < lower(roles[j].name) })
	items, next := paginate(roles, func(r *role) string { return lower(r.name) }, pg)
	out := struct {
		PolicyGroups struct{} `xml:"PolicyGroups"`
		PolicyUsers  struct{} `xml:"PolicyUsers"`
		PolicyRoles  struct {
			Members []xmlPolicyRole `xml:"member"`
		} `xml:"PolicyRoles"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, r := range items {
		out.PolicyRoles.Members = append(out.PolicyRoles.Members, xmlPolicyRole{RoleName: r.name, RoleID: r.id})
	}
	return out, nil
}
