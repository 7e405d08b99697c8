package iam

import (
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
