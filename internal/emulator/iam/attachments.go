package iam

import (
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ---------------------------------------------------------------- attachments

func (s *Service) attachRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	if _, err := s.policyLocked(arn); err != nil {
		return nil, err
	}
	for _, a := range r.attached {
		if a == arn {
			return nil, nil // attaching again is a no-op, as in IAM
		}
	}
	if len(r.attached) >= maxManagedPerRole {
		return nil, limitExceeded("Cannot exceed quota for PoliciesPerRole: %d", maxManagedPerRole)
	}
	r.attached = append(r.attached, arn)
	return nil, nil
}

func (s *Service) detachRolePolicy(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	for i, a := range r.attached {
		if a == arn {
			r.attached = append(r.attached[:i], r.attached[i+1:]...)
			return nil, nil
		}
	}
	return nil, noSuchEntity("Policy %s was not found.", arn)
}

type xmlAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func (s *Service) listAttachedRolePolicies(req *core.Request, p params) (any, *core.APIError) {
	name, err := roleName(p)
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
	r, err := s.roleLocked(name)
	if err != nil {
		return nil, err
	}
	var list []*managedPolicy
	for _, a := range r.attached {
		if mp := s.policies[a]; mp != nil && strings.HasPrefix(mp.path, prefix) {
			list = append(list, mp)
		}
	}
	key := func(mp *managedPolicy) string { return lower(mp.name) + "\x00" + mp.arn }
	sort.Slice(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
	items, next := paginate(list, key, pg)
	out := struct {
		AttachedPolicies struct {
			Members []xmlAttachedPolicy `xml:"member"`
		} `xml:"AttachedPolicies"`
		IsTruncated bool   `xml:"IsTruncated"`
		Marker      string `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, mp := range items {
		out.AttachedPolicies.Members = append(out.AttachedPolicies.Members, xmlAttachedPolicy{PolicyName: mp.name, PolicyArn: mp.arn})
	}
	return out, nil
}
