package iam

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// params are the form parameters of a query-protocol request.
type params = core.Params

// validationError is the message AWS's request validation produces.
func validationError(field string, value any, constraint string) *core.APIError {
	return core.Errorf("ValidationError", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func missing(field string) *core.APIError {
	return core.Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

func noSuchEntity(format string, args ...any) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func alreadyExists(format string, args ...any) *core.APIError {
	return core.StatusErrorf(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func deleteConflict(format string, args ...any) *core.APIError {
	return core.StatusErrorf(http.StatusConflict, "DeleteConflict", format, args...)
}

func limitExceeded(format string, args ...any) *core.APIError {
	return core.StatusErrorf(http.StatusConflict, "LimitExceeded", format, args...)
}

func malformed(format string, args ...any) *core.APIError {
	return core.Errorf("MalformedPolicyDocument", format, args...)
}

func invalidInput(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidInput", format, args...)
}

var (
	nameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// pathRE is IAM's path pattern: "/" or "/" + printable ASCII + "/".
	pathRE       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	pathPrefixRE = regexp.MustCompile(`^/[\x21-\x7F]*$`)
	versionIDRE  = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)
)

// requiredName validates a role or policy name parameter.
func requiredName(p params, param, field string, maxLen int) (string, *core.APIError) {
	if !p.Has(param) {
		return "", missing(field)
	}
	v := p.Get(param)
	if len(v) < 1 {
		return "", validationError(field, v, "Member must have length greater than or equal to 1")
	}
	if len(v) > maxLen {
		return "", validationError(field, v, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	if !nameRE.MatchString(v) {
		return "", validationError(field, v, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return v, nil
}

// optionalPath validates a Path parameter; the default is "/".
func optionalPath(p params) (string, *core.APIError) {
	if !p.Has("Path") {
		return "/", nil
	}
	v := p.Get("Path")
	if len(v) > 512 {
		return "", validationError("path", v, "Member must have length less than or equal to 512")
	}
	if !pathRE.MatchString(v) {
		return "", validationError("path", v, `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return v, nil
}

func optionalPathPrefix(p params) (string, *core.APIError) {
	if !p.Has("PathPrefix") {
		return "/", nil
	}
	v := p.Get("PathPrefix")
	if len(v) > 512 || !pathPrefixRE.MatchString(v) {
		return "", validationError("pathPrefix", v, `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	return v, nil
}

func requiredARN(p params, param, field string) (string, *core.APIError) {
	if !p.Has(param) {
		return "", missing(field)
	}
	v := p.Get(param)
	if len(v) < 20 {
		return "", validationError(field, v, "Member must have length greater than or equal to 20")
	}
	if len(v) > 2048 {
		return "", validationError(field, v, "Member must have length less than or equal to 2048")
	}
	if _, ok := core.ParseARN(v); !ok {
		return "", invalidInput("ARN %s is not valid.", v)
	}
	return v, nil
}

func requiredDocument(p params, param, field string) (string, *core.APIError) {
	if !p.Has(param) {
		return "", missing(field)
	}
	v := p.Get(param)
	if len(v) < 1 {
		return "", validationError(field, v, "Member must have length greater than or equal to 1")
	}
	if len(v) > 131072 {
		return "", validationError(field, "...", "Member must have length less than or equal to 131072")
	}
	return v, nil
}

func optionalBool(p params, param string) (bool, *core.APIError) {
	if !p.Has(param) {
		return false, nil
	}
	b, err := strconv.ParseBool(p.Get(param))
	if err != nil {
		return false, validationError(lowerFirst(param), p.Get(param), "Member must be a boolean")
	}
	return b, nil
}

// nonSpaceLen is the size IAM counts against its policy quotas: whitespace
// does not count.
func nonSpaceLen(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// encodeDocument percent-encodes a policy document as IAM returns it in
// Get*Policy / Get*Role responses (RFC 3986, spaces as %20).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// isoTime is IAM's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func lower(s string) string { return strings.ToLower(s) }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func cutPrefix(s, prefix string) (string, bool) { return strings.CutPrefix(s, prefix) }

func lastSlash(s string) int { return strings.LastIndex(s, "/") }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ------------------------------------------------------------- pagination

// page holds the Marker/MaxItems pagination parameters of a List* call.
type page struct {
	after    string // the sort key of the last item of the previous page; "" for the first page
	maxItems int
}

func pagination(p params) (page, *core.APIError) {
	pg := page{maxItems: 100}
	if p.Has("MaxItems") {
		n, err := strconv.Atoi(p.Get("MaxItems"))
		if err != nil {
			return pg, validationError("maxItems", p.Get("MaxItems"), "Member must be an integer")
		}
		if n < 1 {
			return pg, validationError("maxItems", n, "Member must have value greater than or equal to 1")
		}
		if n > 1000 {
			return pg, validationError("maxItems", n, "Member must have value less than or equal to 1000")
		}
		pg.maxItems = n
	}
	if p.Has("Marker") {
		m := p.Get("Marker")
		raw, err := base64.RawURLEncoding.DecodeString(m)
		if m == "" || err != nil {
			return pg, validationError("marker", m, "Member must be a marker returned by a previous call")
		}
		pg.after = string(raw)
	}
	return pg, nil
}

// paginate returns the items after the marker, at most maxItems of them,
// and the marker of the next page ("" when there is none). items must be
// sorted by key, ascending and without duplicates.
func paginate[T any](items []T, key func(T) string, pg page) ([]T, string) {
	start := 0
	if pg.after != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > pg.after })
	}
	end := start + pg.maxItems
	if end >= len(items) {
		return items[start:], ""
	}
	return items[start:end], base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
}

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
