package secretsmanager

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func (s *Service) updateSecretVersionStage(req *core.Request) (any, *core.APIError) {
	var in struct {
		SecretID            string `json:"SecretId"`
		VersionStage        string `json:"VersionStage"`
		MoveToVersionID     string `json:"MoveToVersionId"`
		RemoveFromVersionID string `json:"RemoveFromVersionId"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.VersionStage == "" {
		return nil, errMissing("versionStage")
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	if sec.scheduled() {
		return nil, errMarkedForDeletion()
	}
	holder := sec.versionByStage(in.VersionStage)
	if holder != nil && holder.id != in.RemoveFromVersionID && in.MoveToVersionID != "" && holder.id != in.MoveToVersionID {
		return nil, errInvalidParameter("The staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", in.VersionStage, holder.id)
	}
	if in.RemoveFromVersionID != "" {
		v := sec.versions[in.RemoveFromVersionID]
		if v == nil || !v.hasStage(in.VersionStage) {
			return nil, errInvalidParameter("The staging label %s is not attached to version %s.", in.VersionStage, in.RemoveFromVersionID)
		}
		if in.VersionStage == stageCurrent && in.MoveToVersionID == "" {
			return nil, errInvalidParameter("You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.")
		}
		v.removeStage(in.VersionStage)
	}
	if in.MoveToVersionID != "" {
		v := sec.versions[in.MoveToVersionID]
		if v == nil {
			return nil, core.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.MoveToVersionID)
		}
		sec.moveStage(in.VersionStage, v)
	}
	sec.lastChanged = now
	return secretRef{ARN: sec.arn, Name: sec.name}, nil
}

func (s *Service) tagResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		SecretID string `json:"SecretId"`
		Tags     []tag  `json:"Tags"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errMissing("tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(append([]tag(nil), sec.tags...), in.Tags)
	if len(merged) > maxTags {
		return nil, errInvalidParameter("The request failed because it would exceed the limit of 50 tags on the secret.")
	}
	sec.tags = merged
	return nil, nil
}

func (s *Service) untagResource(req *core.Request) (any, *core.APIError) {
	var in struct {
		SecretID string   `json:"SecretId"`
		TagKeys  []string `json:"TagKeys"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissing("tagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	kept := sec.tags[:0]
	for _, t := range sec.tags {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	sec.tags = kept
	return nil, nil
}
