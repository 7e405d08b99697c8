package secretsmanager

import (
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------------------ operations

type createSecretInput struct {
	Name               string  `json:"Name"`
	ClientRequestToken string  `json:"ClientRequestToken"`
	Description        *string `json:"Description"`
	KmsKeyID           string  `json:"KmsKeyId"`
	SecretBinary       []byte  `json:"SecretBinary"`
	SecretString       *string `json:"SecretString"`
	Tags               []tag   `json:"Tags"`
	AddReplicaRegions  []any   `json:"AddReplicaRegions"`
	Type               string  `json:"Type"`
}

type secretRef struct {
	ARN       string   `json:"ARN"`
	Name      string   `json:"Name"`
	VersionID string   `json:"VersionId,omitempty"`
	Stages    []string `json:"VersionStages,omitempty"`
}

// validateDescription applies the Description length limit.
func validateDescription(d *string) *core.APIError {
	if d != nil && len(*d) > maxDescription {
		return errValidation(*d, "description", "Member must have length less than or equal to 2048")
	}
	return nil
}

func (s *Service) createSecret(req *core.Request) (any, *core.APIError) {
	var in createSecretInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validateName(in.Name); err != nil {
		return nil, err
	}
	if err := validateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := validateDescription(in.Description); err != nil {
		return nil, err
	}
	hasValue, err := validateValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.AddReplicaRegions) > 0 {
		return nil, errInvalidRequest("The emulator does not replicate secrets: AddReplicaRegions is not supported.")
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	for _, sec := range s.secrets {
		if sec.region == req.Region && sec.name == in.Name {
			if sec.scheduled() {
				return nil, errInvalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.")
			}
			return nil, core.Errorf("ResourceExistsException", "The operation failed because the secret %s already exists.", in.Name)
		}
	}
	sec := &secret{
		arn:         core.ARN("secretsmanager", req.Region, req.AccountID, "secret:"+in.Name+"-"+randomSuffix()),
		name:        in.Name,
		region:      req.Region,
		kmsKeyID:    in.KmsKeyID,
		tags:        mergeTags(nil, in.Tags),
		versions:    map[string]*version{},
		created:     now,
		lastChanged: now,
	}
	if in.Description != nil {
		sec.description = *in.Description
	}
	out := secretRef{ARN: sec.arn, Name: sec.name}
	if hasValue {
		id := in.ClientRequestToken
		if id == "" {
			id = newVersionID()
		}
		sec.addVersion(&version{id: id, str: in.SecretString, bin: in.SecretBinary, created: now}, []string{stageCurrent})
		out.VersionID = id
	}
	s.secrets[sec.arn] = sec
	return out, nil
}

type getSecretValueInput struct {
	SecretID     string `json:"SecretId"`
	VersionID    string `json:"VersionId"`
	VersionStage string `json:"VersionStage"`
}

type getSecretValueOutput struct {
	ARN          string   `json:"ARN"`
	Name         string   `json:"Name"`
	VersionID    string   `json:"VersionId"`
	SecretBinary []byte   `json:"SecretBinary,omitempty"`
	SecretString *string  `json:"SecretString,omitempty"`
	Stages       []string `json:"VersionStages"`
	CreatedDate  *epoch   `json:"CreatedDate,omitempty"`
}

// pickVersion resolves VersionId / VersionStage (AWSCURRENT by default).
func pickVersion(sec *secret, versionID, stage string) (*version, *core.APIError) {
	if versionID != "" {
		v := sec.versions[versionID]
		if v == nil || (stage != "" && !v.hasStage(stage)) {
			return nil, core.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", versionID)
		}
		return v, nil
	}
	if stage == "" {
		stage = stageCurrent
	}
	v := sec.versionByStage(stage)
	if v == nil {
		return nil, core.Errorf("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", stage)
	}
	return v, nil
}

func (s *Service) getSecretValue(req *core.Request) (any, *core.APIError) {
	var in getSecretValueInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	// A caller acting as an IAM role needs secretsmanager:GetSecretValue
	// on the secret (checked without holding our lock: it asks STS and IAM).
	if err := req.AuthorizeTarget("secretsmanager:GetSecretValue", func() core.AuthzTarget {
		return core.AuthzTarget{Resource: s.secretARN(req, in.SecretID)}
	}); err != nil {
		return nil, accessDeniedException(err)
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
	v, err := pickVersion(sec, in.VersionID, in.VersionStage)
	if err != nil {
		return nil, err
	}
	sec.lastAccessed = day(now)
	v.lastAccessed = day(now)
	return getSecretValueOutput{
		ARN: sec.arn, Name: sec.name, VersionID: v.id,
		SecretString: v.str, SecretBinary: v.bin,
		Stages:      append([]string{}, v.stages...),
		CreatedDate: epochPtr(v.created),
	}, nil
}

type putSecretValueInput struct {
	SecretID           string   `json:"SecretId"`
	ClientRequestToken string   `json:"ClientRequestToken"`
	SecretBinary       []byte   `json:"SecretBinary"`
	SecretString       *string  `json:"SecretString"`
	VersionStages      []string `json:"VersionStages"`
}

// putValueLocked adds a version (or finds the identical one a retried
// request created) with the given stages.
func putValueLocked(sec *secret, token string, str *string, bin []byte, stages []string, now time.Time) (*version, *core.APIError) {
	if token == "" {
		token = newVersionID()
	}
	if v := sec.versions[token]; v != nil {
		if !v.sameValue(str, bin) {
			return nil, core.Errorf("ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
		}
		return v, nil
	}
	v := &version{id: token, str: str, bin: bin, created: now}
	sec.addVersion(v, stages)
	sec.lastChanged = now
	return v, nil
}

func (s *Service) putSecretValue(req *core.Request) (any, *core.APIError) {
	var in putSecretValueInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	hasValue, err := validateValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
	}
	if !hasValue {
		return nil, errInvalidRequest("You must provide either SecretString or SecretBinary.")
	}
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{stageCurrent}
	}
	if len(stages) > 20 {
		return nil, errValidation(len(stages), "versionStages", "Member must have length less than or equal to 20")
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
	v, err := putValueLocked(sec, in.ClientRequestToken, in.SecretString, in.SecretBinary, stages, now)
	if err != nil {
		return nil, err
	}
	return secretRef{ARN: sec.arn, Name: sec.name, VersionID: v.id, Stages: append([]string{}, v.stages...)}, nil
}

type updateSecretInput struct {
	SecretID           string  `json:"SecretId"`
	ClientRequestToken string  `json:"ClientRequestToken"`
	Description        *string `json:"Description"`
	KmsKeyID           *string `json:"KmsKeyId"`
	SecretBinary       []byte  `json:"SecretBinary"`
	SecretString       *string `json:"SecretString"`
}

func (s *Service) updateSecret(req *core.Request) (any, *core.APIError) {
	var in updateSecretInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := validateDescription(in.Description); err != nil {
		return nil, err
	}
	hasValue, err := validateValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return nil, err
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
	out := secretRef{ARN: sec.arn, Name: sec.name}
	if hasValue {
		v, err := putValueLocked(sec, in.ClientRequestToken, in.SecretString, in.SecretBinary, []string{stageCurrent}, now)
		if err != nil {
			return nil, err
		}
		out.VersionID = v.id
	}
	if in.Description != nil {
		sec.description = *in.Description
		sec.lastChanged = now
	}
	if in.KmsKeyID != nil {
		sec.kmsKeyID = *in.KmsKeyID
		sec.lastChanged = now
	}
	return out, nil
}
