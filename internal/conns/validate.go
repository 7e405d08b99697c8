package conns

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The checks in this file are shared by the provider's plan-time validation
// (internal/provider) and by New, so that a Go caller building a Config by
// hand gets the same messages as a Terraform user.

// roleARNRE matches IAM role ARNs in every partition. The role name part may
// carry a path (role/service-role/name).
var roleARNRE = regexp.MustCompile(`^arn:aws(-[a-z]+(-[a-z]+)?)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// ExampleRoleARN is the role ARN used in messages that show the expected form.
const ExampleRoleARN = "arn:aws:iam::123456789012:role/terraform"

// ValidateRoleARN returns an error when arn is not an IAM role ARN.
func ValidateRoleARN(arn string) error {
	if roleARNRE.MatchString(arn) {
		return nil
	}
	if strings.Contains(arn, ":user/") {
		return fmt.Errorf("%q is an IAM user ARN; sts:AssumeRole needs an IAM role ARN such as %q", arn, ExampleRoleARN)
	}
	return fmt.Errorf("%q is not an IAM role ARN: expected the form arn:<partition>:iam::<12-digit account id>:role/<name>, for example %q", arn, ExampleRoleARN)
}

// AssumeRole session duration limits enforced by STS (DurationSeconds
// 900–43200). The role's own MaximumSessionDuration may be lower; STS then
// rejects the call with a ValidationError.
const (
	MinAssumeRoleDuration = 15 * time.Minute
	MaxAssumeRoleDuration = 12 * time.Hour
)

// ParseAssumeRoleDuration parses a Go duration string ("1h", "45m", "1h30m")
// as the AWS provider's assume_role.duration does, and checks the STS range.
func ParseAssumeRoleDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use a number with a unit, such as \"1h\", \"45m\" or \"1h30m\" (units: s, m, h)", s)
	}
	if d < MinAssumeRoleDuration || d > MaxAssumeRoleDuration {
		return 0, fmt.Errorf("%q (%s) is outside the range STS allows for a role session: use a duration between 15m and 12h", s, d)
	}
	return d, nil
}

// ValidateEndpointURL returns an error when raw is not an absolute http(s)
// URL the SDK can send requests to.
func ValidateEndpointURL(raw string) error {
	if strings.TrimSpace(raw) != raw {
		return fmt.Errorf("%q has leading or trailing white space", raw)
	}
	if !strings.Contains(raw, "://") {
		if raw == "" || strings.HasPrefix(raw, "/") {
			return fmt.Errorf("%q is not an absolute URL: expected a scheme and host, such as \"http://localhost:4566\"", raw)
		}
		return fmt.Errorf("%q is not an absolute URL: it has no scheme; write it as \"http://%s\" or \"https://%s\"", raw, raw, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q has scheme %q: only http and https endpoints are supported", raw, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host: expected a URL such as \"http://localhost:4566\"", raw)
	}
	if u.Port() == "" && strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%q has an empty port", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a query or fragment: an endpoint is a scheme, host, optional port and optional path", raw)
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// ValidateTagKey checks a default tag key against the rules every service
// that Regis tags shares.
func ValidateTagKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("tag keys cannot be empty")
	case len(key) > 128:
		return fmt.Errorf("tag key %q is %d characters long; AWS allows at most 128", key, len(key))
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return fmt.Errorf("tag key %q uses the prefix \"aws:\", which AWS reserves for its own tags", key)
	}
	return nil
}

// ValidateTagValue checks a tag value's length.
func ValidateTagValue(key, value string) error {
	if len(value) > 256 {
		return fmt.Errorf("the value of tag %q is %d characters long; AWS allows at most 256", key, len(value))
	}
	return nil
}
