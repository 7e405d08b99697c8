package iam

import (
	"fmt"
	"strconv"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func versionID(p params) (string, *core.APIError) {
	if !p.Has("VersionId") {
		return "", missing("versionId")
	}
	v := p.Get("VersionId")
	if !versionIDRE.MatchString(v) {
		return "", validationError("versionId", v, `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return v, nil
}

func (s *Service) getPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	mp, err := s.policyLocked(arn)
	if err != nil {
		return nil, err
	}
	v := mp.version(vid)
	if v == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{mp.versionView(v, true)}, nil
}

type xmlVersionList struct {
	Members []xmlPolicyVersion `xml:"member"`
}

func (s *Service) listPolicyVersions(req *core.Request, p params) (any, *core.APIError) {
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
	// Newest first, as IAM lists them.
	versions := make([]*policyVersion, 0, len(mp.versions))
	for i := len(mp.versions) - 1; i >= 0; i-- {
		versions = append(versions, mp.versions[i])
	}
	key := func(v *policyVersion) string { return fmt.Sprintf("%010d", 1_000_000_000-v.number) }
	items, next := paginate(versions, key, pg)
	out := struct {
		Versions    xmlVersionList `xml:"Versions"`
		IsTruncated bool           `xml:"IsTruncated"`
		Marker      string         `xml:"Marker,omitempty"`
	}{IsTruncated: next != "", Marker: next}
	for _, v := range items {
		out.Versions.Members = append(out.Versions.Members, mp.versionView(v, false))
	}
	return out, nil
}

func (s *Service) createPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(p, "PolicyDocument", "policyDocument")
	if err != nil {
		return nil, err
	}
	setDefault, err := optionalBool(p, "SetAsDefault")
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
		return nil, s.unmodifiable(req, p, "CreatePolicyVersion", mp)
	}
	if err := validateManagedDocument(doc); err != nil {
		return nil, err
	}
	if len(mp.versions) >= maxPolicyVersions {
		return nil, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	now := s.env.Clock.Now()
	v := &policyVersion{id: "v" + strconv.Itoa(mp.nextVersion), number: mp.nextVersion, document: doc, created: now}
	mp.nextVersion++
	mp.versions = append(mp.versions, v)
	if setDefault {
		mp.defaultID = v.id
	}
	mp.updated = now
	return struct {
		PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
	}{mp.versionView(v, false)}, nil
}

func (s *Service) deletePolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
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
		return nil, s.unmodifiable(req, p, "DeletePolicyVersion", mp)
	}
	if mp.version(vid) == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	if vid == mp.defaultID {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	for i, v := range mp.versions {
		if v.id == vid {
			mp.versions = append(mp.versions[:i], mp.versions[i+1:]...)
			break
		}
	}
	return nil, nil
}

func (s *Service) setDefaultPolicyVersion(req *core.Request, p params) (any, *core.APIError) {
	arn, err := policyARN(p)
	if err != nil {
		return nil, err
	}
	vid, err := versionID(p)
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
		return nil, s.unmodifiable(req, p, "SetDefaultPolicyVersion", mp)
	}
	if mp.version(vid) == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, vid)
	}
	mp.defaultID = vid
	mp.updated = s.env.Clock.Now()
	return nil, nil
}
