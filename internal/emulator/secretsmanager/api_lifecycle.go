package secretsmanager

import (
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type secretIDInput struct {
	SecretID string `json:"SecretId"`
}

type describeSecretOutput struct {
	ARN                string              `json:"ARN"`
	Name               string              `json:"Name"`
	Description        string              `json:"Description,omitempty"`
	KmsKeyID           string              `json:"KmsKeyId,omitempty"`
	LastChangedDate    *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate   *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate        *epoch              `json:"DeletedDate,omitempty"`
	Tags               []tag               `json:"Tags,omitempty"`
	VersionIDsToStages map[string][]string `json:"VersionIdsToStages,omitempty"`
	CreatedDate        *epoch              `json:"CreatedDate,omitempty"`
}

func (s *Service) describeSecret(req *core.Request) (any, *core.APIError) {
	var in secretIDInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	return describeSecretOutput{
		ARN: sec.arn, Name: sec.name, Description: sec.description, KmsKeyID: sec.kmsKeyID,
		LastChangedDate:    epochPtr(sec.lastChanged),
		LastAccessedDate:   epochPtr(sec.lastAccessed),
		DeletedDate:        epochPtr(sec.deletionDate),
		Tags:               append([]tag(nil), sec.tags...),
		VersionIDsToStages: sec.versionsToStages(),
		CreatedDate:        epochPtr(sec.created),
	}, nil
}

type deleteSecretInput struct {
	SecretID                   string `json:"SecretId"`
	RecoveryWindowInDays       *int64 `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery *bool  `json:"ForceDeleteWithoutRecovery"`
}

type deleteSecretOutput struct {
	ARN          string `json:"ARN"`
	Name         string `json:"Name"`
	DeletionDate *epoch `json:"DeletionDate,omitempty"`
}

func (s *Service) deleteSecret(req *core.Request) (any, *core.APIError) {
	var in deleteSecretInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, errInvalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(defaultRecoveryDays)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, errInvalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	if force {
		delete(s.secrets, sec.arn)
		return deleteSecretOutput{ARN: sec.arn, Name: sec.name, DeletionDate: epochPtr(now)}, nil
	}
	if sec.scheduled() {
		return nil, errInvalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.")
	}
	sec.deletedAt = now
	sec.deletionDate = now.Add(time.Duration(days) * 24 * time.Hour)
	return deleteSecretOutput{ARN: sec.arn, Name: sec.name, DeletionDate: epochPtr(sec.deletionDate)}, nil
}

func (s *Service) restoreSecret(req *core.Request) (any, *core.APIError) {
	var in secretIDInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	sec.deletedAt, sec.deletionDate = time.Time{}, time.Time{}
	return secretRef{ARN: sec.arn, Name: sec.name}, nil
}
