package secretsmanager

import (
	"crypto/rand"
	"regexp"
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
	if len(bin) > maxSecretSize {
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
