package iam

import (
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------------------- tags

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTags struct {
	Members []tag `xml:"member"`
}

func tagList(tags []tag) *xmlTags {
	if len(tags) == 0 {
		return nil
	}
	return &xmlTags{Members: append([]tag(nil), tags...)}
}

const maxTags = 50

// parseTags reads Tags.member.N.Key / .Value.
func parseTags(p params) ([]tag, *core.APIError) {
	var out []tag
	seen := map[string]bool{}
	for _, m := range core.QueryList(p, "Tags.member") {
		k, v := m["Key"], m["Value"]
		if err := validateTag(k, v); err != nil {
			return nil, err
		}
		if seen[lower(k)] {
			return nil, invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lower(k)] = true
		out = append(out, tag{Key: k, Value: v})
	}
	if len(out) > maxTags {
		return nil, validationError("tags", len(out), "Member must have length less than or equal to 50")
	}
	return out, nil
}

func validateTag(k, v string) *core.APIError {
	if len(k) < 1 || len(k) > 128 {
		return validationError("tags.member.key", k, "Member must have length between 1 and 128")
	}
	if len(v) > 256 {
		return validationError("tags.member.value", v, "Member must have length less than or equal to 256")
	}
	return nil
}

// mergeTags adds or replaces tags (keys compare case-insensitively).
func mergeTags(have, add []tag) []tag {
	out := append([]tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func removeTags(have []tag, keys []string) []tag {
	var out []tag
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func parseTagKeys(p params) ([]string, *core.APIError) {
	var keys []string
	for _, m := range core.QueryList(p, "TagKeys.member") {
		keys = append(keys, m[""])
	}
	if len(keys) == 0 {
		return nil, missing("tagKeys")
	}
	if len(keys) > maxTags {
		return nil, validationError("tagKeys", len(keys), "Member must have length less than or equal to 50")
	}
	return keys, nil
}
