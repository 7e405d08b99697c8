package iam

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ---------------------------------------------------------------- inline role policies

func inlinePolicyName(p params) (string, *core.APIError) {
	return requiredName(p, "PolicyName", "policyName", 128)
}

func (s *Service) putRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	if err := validateIdentityPolicy(doc); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	total := nonSpaceLen(doc)
	for n, d := range r.inline {
		if n != pname {
			total += nonSpaceLen(d)
		}
	}
	if total > maxRoleInlineSize {
		return nil, limitExceeded("Maximum policy size of %d bytes exceeded for role %s", maxRoleInlineSize, r.name)
	}
	r.inline[pname] = doc
	return nil, nil
}

func (s *Service) getRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	doc, ok := r.inline[pname]
	if !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", pname)
	}
	return struct {
		RoleName       string `xml:"RoleName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{r.name, pname, encodeDocument(doc)}, nil
}

func (s *Service) deleteRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	pname, err := inlinePolicyName(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if _, ok := r.inline[pname]; !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", pname)
	}
	delete(r.inline, pname)
	return nil, nil
}

func (s *Service) listRolePolicies(req *core.Request, p params) (any, *core.APIError) {
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
	items, next := paginate(sortedKeys(r.inline), func(n string) string { return n }, pg)
	out := struct {
		PolicyNames struct {
			Members []string `xml:"member"`
		} `xml:"PolicyNames"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	out.PolicyNames.Members = items
	return out, nil
}
