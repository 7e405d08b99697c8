package secretsmanager

import (
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Limits of Secrets Manager.
const (
	maxSecretSize       = 65536
	maxNameLength       = 512
	maxDescription      = 2048
	maxTags             = 50
	maxVersions         = 100
	defaultRecoveryDays = 30

	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
)

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type version struct {
	id           string
	str          *string
	bin          []byte
	stages       []string
	created      time.Time
	lastAccessed time.Time
}

func (v *version) hasStage(stage string) bool {
	for _, s := range v.stages {
		if s == stage {
			return true
		}
	}
	return false
}

func (v *version) removeStage(stage string) {
	out := v.stages[:0]
	for _, s := range v.stages {
		if s != stage {
			out = append(out, s)
		}
	}
	v.stages = out
}

func (v *version) sameValue(str *string, bin []byte) bool {
	if (v.str == nil) != (str == nil) {
		return false
	}
	if v.str != nil && *v.str != *str {
		return false
	}
	return string(v.bin) == string(bin)
}

type secret struct {
	arn, name, region string
	description       string
	kmsKeyID          string
	tags              []tag
	versions          map[string]*version
	order             []string // version ids, oldest first
	created           time.Time
	lastChanged       time.Time
	lastAccessed      time.Time
	deletedAt         time.Time // zero unless scheduled for deletion
	deletionDate      time.Time
}

func (sec *secret) scheduled() bool { return !sec.deletedAt.IsZero() }

func (sec *secret) versionByStage(stage string) *version {
	for _, id := range sec.order {
		if v := sec.versions[id]; v.hasStage(stage) {
			return v
		}
	}
	return nil
}

// moveStage gives stage to v, taking it from whichever version had it. Moving
// AWSCURRENT labels the previous current version AWSPREVIOUS.
func (sec *secret) moveStage(stage string, v *version) {
	var prev *version
	for _, id := range sec.order {
		o := sec.versions[id]
		if o != v && o.hasStage(stage) {
			o.removeStage(stage)
			prev = o
		}
	}
	if !v.hasStage(stage) {
		v.stages = append(v.stages, stage)
	}
	if stage == stageCurrent && prev != nil {
		for _, id := range sec.order {
			sec.versions[id].removeStage(stagePrevious)
		}
		prev.stages = append(prev.stages, stagePrevious)
		v.removeStage(stagePrevious)
	}
}

// addVersion stores a new version and drops the oldest versions without a
// staging label beyond the version limit, as AWS does.
func (sec *secret) addVersion(v *version, stages []string) {
	sec.versions[v.id] = v
	sec.order = append(sec.order, v.id)
	for _, st := range stages {
		sec.moveStage(st, v)
	}
	for len(sec.order) > maxVersions {
		dropped := false
		for i, id := range sec.order {
			if len(sec.versions[id].stages) == 0 {
				delete(sec.versions, id)
				sec.order = append(sec.order[:i], sec.order[i+1:]...)
				dropped = true
				break
			}
		}
		if !dropped {
			break
		}
	}
}

func (sec *secret) versionsToStages() map[string][]string {
	out := map[string][]string{}
	for _, id := range sec.order {
		if v := sec.versions[id]; len(v.stages) > 0 {
			out[id] = append([]string(nil), v.stages...)
		}
	}
	return out
}

// ------------------------------------------------------------------ JSON shapes

// epoch is a timestamp in the JSON protocols' epoch-seconds form.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', 3, 64)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// day truncates t to its UTC date, the precision of LastAccessedDate.
func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(24 * time.Hour)
}

// ------------------------------------------------------------------ lookups

// purgeLocked removes secrets whose recovery window has ended.
func (s *Service) purgeLocked() {
	now := s.env.Clock.Now()
	for arn, sec := range s.secrets {
		if sec.scheduled() && !now.Before(sec.deletionDate) {
			delete(s.secrets, arn)
		}
	}
}

// findLocked resolves a SecretId (name, ARN or partial ARN) in the region of
// the request.
func (s *Service) findLocked(req *core.Request, id string) (*secret, *core.APIError) {
	if id == "" {
		return nil, errMissing("secretId")
	}
	if len(id) > 2048 {
		return nil, errValidation(id, "secretId", "Member must have length less than or equal to 2048")
	}
	s.purgeLocked()
	if strings.HasPrefix(id, "arn:") {
		if sec := s.secrets[id]; sec != nil && sec.region == req.Region {
			return sec, nil
		}
		for _, sec := range s.secrets {
			if sec.region == req.Region && len(sec.arn) > 7 && sec.arn[:len(sec.arn)-7] == id {
				return sec, nil
			}
		}
		return nil, errNotFound()
	}
	for _, sec := range s.secrets {
		if sec.region == req.Region && sec.name == id {
			return sec, nil
		}
	}
	return nil, errNotFound()
}

// secretARN is the ARN of the secret id names (a name, an ARN or a partial
// ARN), for authorization: the full ARN of the secret when it exists, else
// id as an ARN.
func (s *Service) secretARN(req *core.Request, id string) string {
	s.mu.Lock()
	sec, err := s.findLocked(req, id)
	s.mu.Unlock()
	switch {
	case err == nil:
		return sec.arn
	case strings.HasPrefix(id, "arn:"):
		return id
	}
	return core.ARN("secretsmanager", req.Region, req.AccountID, "secret:"+id)
}

// accessDeniedException is IAM's refusal in Secrets Manager's shape
// (AccessDeniedException, HTTP 400).
func accessDeniedException(e *core.APIError) *core.APIError {
	if e.Code != "AccessDenied" {
		return e
	}
	return &core.APIError{Code: "AccessDeniedException", Message: e.Message}
}

// ------------------------------------------------------------------ validation

var (
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)
	tokenRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

func validateName(name string) *core.APIError {
	if name == "" {
		return errMissing("name")
	}
	if len(name) > maxNameLength {
		return errValidation(name, "name", "Member must have length less than or equal to 512")
	}
	if !nameRE.MatchString(name) {
		return errInvalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	return nil
}

func validateToken(tok string) *core.APIError {
	if tok == "" {
		return nil
	}
	if len(tok) < 32 || len(tok) > 64 {
		return errValidation(tok, "clientRequestToken", "Member must have length between 32 and 64")
	}
	if !tokenRE.MatchString(tok) {
		return errInvalidParameter("ClientRequestToken can contain only letters, digits and hyphens.")
	}
	return nil
}

// validateValue checks a secret value; set reports whether one was given.
func validateValue(str *string, bin []byte) (set bool, err *core.APIError) {
	if str != nil && bin != nil {
		return false, errInvalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if str != nil && len(*str) > maxSecretSize {
		return false, errValidation("***", "secretString", "Member must have length less than or equal to 65536")
	}
	if bin != nil && len(bin) > maxSecretSize {
		return false, errValidation("***", "secretBinary", "Member must have length less than or equal to 65536")
	}
	return str != nil || bin != nil, nil
}

func validateTags(tags []tag) *core.APIError {
	if len(tags) > maxTags {
		return errValidation(len(tags), "tags", "Member must have length less than or equal to 50")
	}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 {
			return errValidation(t.Key, "tags.member.key", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return errValidation(t.Value, "tags.member.value", "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errInvalidParameter("Invalid tag key: keys beginning with aws: are reserved for AWS use.")
		}
	}
	return nil
}

func mergeTags(have []tag, add []tag) []tag {
	for _, t := range add {
		replaced := false
		for i := range have {
			if have[i].Key == t.Key {
				have[i].Value = t.Value
				replaced = true
			}
		}
		if !replaced {
			have = append(have, t)
		}
	}
	return have
}

func newVersionID() string { return core.NewRequestID() }

// randomSuffix returns the six characters AWS appends to secret ARNs.
func randomSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

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

type filter struct {
	Key    string   `json:"Key"`
	Values []string `json:"Values"`
}

type listSecretsInput struct {
	IncludePlannedDeletion bool     `json:"IncludePlannedDeletion"`
	MaxResults             *int     `json:"MaxResults"`
	NextToken              string   `json:"NextToken"`
	Filters                []filter `json:"Filters"`
	SortOrder              string   `json:"SortOrder"`
	SortBy                 string   `json:"SortBy"`
}

type secretListEntry struct {
	ARN                    string              `json:"ARN"`
	Name                   string              `json:"Name"`
	Description            string              `json:"Description,omitempty"`
	KmsKeyID               string              `json:"KmsKeyId,omitempty"`
	LastChangedDate        *epoch              `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epoch              `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epoch              `json:"DeletedDate,omitempty"`
	Tags                   []tag               `json:"Tags,omitempty"`
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
}

var filterKeys = map[string]bool{"description": true, "name": true, "tag-key": true, "tag-value": true, "primary-region": true, "owning-service": true, "all": true}

// matchFilter applies one ListSecrets filter: any of its values matches as a
// prefix; a value starting with "!" negates.
func matchFilter(sec *secret, f filter) bool {
	for _, val := range f.Values {
		neg := strings.HasPrefix(val, "!")
		v := strings.TrimPrefix(val, "!")
		if matchValue(sec, f.Key, v) != neg {
			return true
		}
	}
	return false
}

func matchValue(sec *secret, key, v string) bool {
	switch key {
	case "name":
		return strings.HasPrefix(sec.name, v)
	case "description":
		return strings.HasPrefix(strings.ToLower(sec.description), strings.ToLower(v))
	case "tag-key":
		for _, t := range sec.tags {
			if strings.HasPrefix(t.Key, v) {
				return true
			}
		}
	case "tag-value":
		for _, t := range sec.tags {
			if strings.HasPrefix(t.Value, v) {
				return true
			}
		}
	case "primary-region", "owning-service":
		return false
	case "all":
		return matchValue(sec, "name", v) || matchValue(sec, "description", v) || matchValue(sec, "tag-key", v) || matchValue(sec, "tag-value", v)
	}
	return false
}

func (s *Service) listSecrets(req *core.Request) (any, *core.APIError) {
	var in listSecretsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, errValidation(*in.MaxResults, "maxResults", "Member must have value between 1 and 100")
		}
		limit = *in.MaxResults
	}
	if len(in.Filters) > 10 {
		return nil, errValidation(len(in.Filters), "filters", "Member must have length less than or equal to 10")
	}
	for _, f := range in.Filters {
		if !filterKeys[f.Key] {
			return nil, errValidation(f.Key, "filters.member.key", "Member must satisfy enum value set: [all, description, name, tag-key, tag-value, primary-region, owning-service]")
		}
	}
	if in.SortOrder != "" && in.SortOrder != "asc" && in.SortOrder != "desc" {
		return nil, errValidation(in.SortOrder, "sortOrder", "Member must satisfy enum value set: [asc, desc]")
	}
	start := 0
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, aerr := strconv.Atoi(string(b))
		if err != nil || aerr != nil || n < 0 {
			return nil, core.Errorf("InvalidNextTokenException", "The NextToken value is invalid.")
		}
		start = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	var list []*secret
outer:
	for _, sec := range s.secrets {
		if sec.region != req.Region || (sec.scheduled() && !in.IncludePlannedDeletion) {
			continue
		}
		for _, f := range in.Filters {
			if !matchFilter(sec, f) {
				continue outer
			}
		}
		list = append(list, sec)
	}
	key := func(sec *secret) string {
		switch in.SortBy {
		case "name":
			return sec.name
		case "last-accessed-date":
			return sec.lastAccessed.Format(time.RFC3339Nano)
		case "last-changed-date":
			return sec.lastChanged.Format(time.RFC3339Nano)
		}
		return sec.created.Format(time.RFC3339Nano) + sec.arn
	}
	sort.Slice(list, func(i, j int) bool {
		if in.SortOrder == "desc" {
			return key(list[i]) > key(list[j])
		}
		return key(list[i]) < key(list[j])
	})
	out := struct {
		SecretList []secretListEntry `json:"SecretList"`
		NextToken  string            `json:"NextToken,omitempty"`
	}{SecretList: []secretListEntry{}}
	if start > len(list) {
		start = len(list)
	}
	end := min(start+limit, len(list))
	for _, sec := range list[start:end] {
		out.SecretList = append(out.SecretList, secretListEntry{
			ARN: sec.arn, Name: sec.name, Description: sec.description, KmsKeyID: sec.kmsKeyID,
			LastChangedDate:        epochPtr(sec.lastChanged),
			LastAccessedDate:       epochPtr(sec.lastAccessed),
			DeletedDate:            epochPtr(sec.deletionDate),
			Tags:                   append([]tag(nil), sec.tags...),
			SecretVersionsToStages: sec.versionsToStages(),
			CreatedDate:            epochPtr(sec.created),
		})
	}
	if end < len(list) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return out, nil
}

func (s *Service) listSecretVersionIDs(req *core.Request) (any, *core.APIError) {
	var in struct {
		SecretID          string `json:"SecretId"`
		IncludeDeprecated bool   `json:"IncludeDeprecated"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.findLocked(req, in.SecretID)
	if err != nil {
		return nil, err
	}
	type entry struct {
		VersionID        string   `json:"VersionId"`
		VersionStages    []string `json:"VersionStages,omitempty"`
		LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
		CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
	}
	out := struct {
		Versions []entry `json:"Versions"`
		ARN      string  `json:"ARN"`
		Name     string  `json:"Name"`
	}{Versions: []entry{}, ARN: sec.arn, Name: sec.name}
	for _, id := range sec.order {
		v := sec.versions[id]
		if len(v.stages) == 0 && !in.IncludeDeprecated {
			continue
		}
		out.Versions = append(out.Versions, entry{VersionID: id, VersionStages: append([]string(nil), v.stages...),
			LastAccessedDate: epochPtr(v.lastAccessed), CreatedDate: epochPtr(v.created)})
	}
	return out, nil
}

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
