package secretsmanager

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

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
