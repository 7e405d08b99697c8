// Package iampolicy parses and evaluates IAM policy documents the way AWS
// does for the cases the emulator needs: resource policies (SQS queue
// policies, with a Principal) and identity policies (role policies).
// An explicit Deny wins over any Allow; no matching Allow is an implicit deny.
package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Strings is an IAM "string or list of strings" value.
type Strings []string

// UnmarshalJSON accepts a string or a list of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a string or a list of strings, got %s", b)
	}
	*s = many
	return nil
}

// Principal is "*" or a map such as {"AWS": [...], "Service": "sns.amazonaws.com"}.
type Principal struct {
	Any bool
	Map map[string]Strings
}

// UnmarshalJSON accepts "*" or a map of principal types to values.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("invalid principal %q", star)
		}
		p.Any = true
		return nil
	}
	return json.Unmarshal(b, &p.Map)
}

// Statement is one policy statement.
type Statement struct {
	Sid          string                        `json:"Sid"`
	Effect       string                        `json:"Effect"`
	Principal    *Principal                    `json:"Principal"`
	NotPrincipal *Principal                    `json:"NotPrincipal"`
	Action       Strings                       `json:"Action"`
	NotAction    Strings                       `json:"NotAction"`
	Resource     Strings                       `json:"Resource"`
	NotResource  Strings                       `json:"NotResource"`
	Condition    map[string]map[string]Strings `json:"Condition"`
}

// Document is a parsed policy.
type Document struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id"`
	Statement []Statement `json:"-"`
}

// UnmarshalJSON accepts Statement as one object or a list.
func (d *Document) UnmarshalJSON(b []byte) error {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	d.Version, d.ID = raw.Version, raw.ID
	if len(raw.Statement) == 0 {
		return errors.New("the policy has no Statement")
	}
	if raw.Statement[0] == '{' {
		var one Statement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return err
		}
		d.Statement = []Statement{one}
		return nil
	}
	return json.Unmarshal(raw.Statement, &d.Statement)
}

// Kind tells whether a policy is attached to a resource (needs a Principal)
// or to an identity (must not have one).
type Kind int

const (
	// ResourcePolicy is a policy on a resource, such as an SQS queue policy.
	ResourcePolicy Kind = iota
	// IdentityPolicy is a policy on a user or role.
	IdentityPolicy
)

// Parse parses and validates a policy document; the error message is the
// one to return with MalformedPolicyDocument / InvalidAttributeValue.
func Parse(doc string, kind Kind) (*Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("invalid policy JSON: %w", err)
	}
	if d.Version != "" && d.Version != "2012-10-17" && d.Version != "2008-10-17" {
		return nil, fmt.Errorf("the policy Version %q is not supported", d.Version)
	}
	for i, s := range d.Statement {
		name := s.Sid
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, fmt.Errorf("statement %s: Effect must be Allow or Deny", name)
		}
		if len(s.Action) == 0 && len(s.NotAction) == 0 {
			return nil, fmt.Errorf("statement %s: missing Action", name)
		}
		switch kind {
		case ResourcePolicy:
			if s.Principal == nil && s.NotPrincipal == nil {
				return nil, fmt.Errorf("statement %s: missing Principal", name)
			}
		case IdentityPolicy:
			if s.Principal != nil || s.NotPrincipal != nil {
				return nil, fmt.Errorf("statement %s: an identity policy cannot have a Principal", name)
			}
			if len(s.Resource) == 0 && len(s.NotResource) == 0 {
				return nil, fmt.Errorf("statement %s: missing Resource", name)
			}
		}
		for op := range s.Condition {
			if _, ok := operator(op); !ok {
				return nil, fmt.Errorf("statement %s: unsupported condition operator %q", name, op)
			}
		}
	}
	return &d, nil
}

// Context is one request to authorize.
type Context struct {
	// Action is "service:Operation", e.g. "sqs:SendMessage".
	Action string
	// Resource is the ARN acted on.
	Resource string
	// PrincipalService is the calling service principal, e.g. "sns.amazonaws.com".
	PrincipalService string
	// PrincipalARN is the calling IAM identity, if any.
	PrincipalARN string
	// PrincipalAccount is the account of PrincipalARN.
	PrincipalAccount string
	// Keys are condition keys, e.g. "aws:SourceArn".
	Keys map[string]string
}

// Decision is the result of an evaluation.
type Decision int

const (
	// ImplicitDeny: no statement allowed the request.
	ImplicitDeny Decision = iota
	// Allow: a statement allowed it and none denied it.
	Allow
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
)

func (d Decision) String() string {
	return [...]string{"implicit deny", "allow", "explicit deny"}[d]
}

// Evaluate decides c against the document. For identity policies the
// principal is not matched.
func (d *Document) Evaluate(c Context, kind Kind) Decision {
	result := ImplicitDeny
	for _, s := range d.Statement {
		if !s.matches(c, kind) {
			continue
		}
		if s.Effect == "Deny" {
			return ExplicitDeny
		}
		result = Allow
	}
	return result
}

// EvaluateAll combines several identity policies: any explicit deny wins,
// then any allow.
func EvaluateAll(docs []*Document, c Context, kind Kind) Decision {
	result := ImplicitDeny
	for _, d := range docs {
		switch d.Evaluate(c, kind) {
		case ExplicitDeny:
			return ExplicitDeny
		case Allow:
			result = Allow
		}
	}
	return result
}

func (s Statement) matches(c Context, kind Kind) bool {
	if kind == ResourcePolicy {
		if s.Principal != nil && !principalMatches(*s.Principal, c) {
			return false
		}
		if s.NotPrincipal != nil && principalMatches(*s.NotPrincipal, c) {
			return false
		}
	}
	if len(s.Action) > 0 && !anyMatch(s.Action, c.Action, true) {
		return false
	}
	if len(s.NotAction) > 0 && anyMatch(s.NotAction, c.Action, true) {
		return false
	}
	if len(s.Resource) > 0 && !anyMatch(s.Resource, c.Resource, false) {
		return false
	}
	if len(s.NotResource) > 0 && anyMatch(s.NotResource, c.Resource, false) {
		return false
	}
	for op, kv := range s.Condition {
		for key, values := range kv {
			if !conditionHolds(op, c.Keys, key, values) {
				return false
			}
		}
	}
	return true
}

func principalMatches(p Principal, c Context) bool {
	if p.Any {
		return true
	}
	for typ, values := range p.Map {
		for _, v := range values {
			switch typ {
			case "Service":
				if c.PrincipalService != "" && v == c.PrincipalService {
					return true
				}
			case "AWS":
				if v == "*" && (c.PrincipalARN != "" || c.PrincipalService != "") {
					return true
				}
				if c.PrincipalARN != "" && (v == c.PrincipalARN || v == c.PrincipalAccount ||
					v == "arn:aws:iam::"+c.PrincipalAccount+":root") {
					return true
				}
			}
		}
	}
	return false
}

func anyMatch(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if Wildcard(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if Wildcard(p, value) {
			return true
		}
	}
	return false
}

// Wildcard matches s against an IAM pattern with * and ?.
func Wildcard(pattern, s string) bool {
	// Iterative glob match with backtracking on the last star.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

type opFunc func(pattern, value string) bool

type condOp struct {
	cmp    opFunc
	negate bool
}

// operator returns the comparison for a condition operator and whether it is
// supported. The IfExists suffix, the ForAnyValue:/ForAllValues: set
// qualifiers and Null are handled by conditionHolds.
func operator(op string) (condOp, bool) {
	eq := func(p, v string) bool { return p == v }
	if _, rest, ok := strings.Cut(op, ":"); ok {
		if q := op[:len(op)-len(rest)-1]; q != "ForAnyValue" && q != "ForAllValues" {
			return condOp{}, false
		}
		op = rest
	}
	switch strings.TrimSuffix(op, "IfExists") {
	case "StringEquals", "ArnEquals", "Bool":
		return condOp{eq, false}, true
	case "StringNotEquals", "ArnNotEquals":
		return condOp{eq, true}, true
	case "StringEqualsIgnoreCase":
		return condOp{strings.EqualFold, false}, true
	case "StringNotEqualsIgnoreCase":
		return condOp{strings.EqualFold, true}, true
	case "StringLike", "ArnLike":
		return condOp{Wildcard, false}, true
	case "StringNotLike", "ArnNotLike":
		return condOp{Wildcard, true}, true
	case "NumericEquals":
		return condOp{numeric(func(c int) bool { return c == 0 }), false}, true
	case "NumericNotEquals":
		return condOp{numeric(func(c int) bool { return c == 0 }), true}, true
	case "NumericLessThan":
		return condOp{numeric(func(c int) bool { return c < 0 }), false}, true
	case "NumericLessThanEquals":
		return condOp{numeric(func(c int) bool { return c <= 0 }), false}, true
	case "NumericGreaterThan":
		return condOp{numeric(func(c int) bool { return c > 0 }), false}, true
	case "NumericGreaterThanEquals":
		return condOp{numeric(func(c int) bool { return c >= 0 }), false}, true
	case "DateEquals":
		return condOp{date(func(c int) bool { return c == 0 }), false}, true
	case "DateNotEquals":
		return condOp{date(func(c int) bool { return c == 0 }), true}, true
	case "DateLessThan":
		return condOp{date(func(c int) bool { return c < 0 }), false}, true
	case "DateLessThanEquals":
		return condOp{date(func(c int) bool { return c <= 0 }), false}, true
	case "DateGreaterThan":
		return condOp{date(func(c int) bool { return c > 0 }), false}, true
	case "DateGreaterThanEquals":
		return condOp{date(func(c int) bool { return c >= 0 }), false}, true
	case "IpAddress":
		return condOp{inCIDR, false}, true
	case "NotIpAddress":
		return condOp{inCIDR, true}, true
	case "Null":
		return condOp{}, true
	}
	return condOp{}, false
}

// numeric compares value with pattern as numbers; want receives
// sign(value - pattern).
func numeric(want func(int) bool) opFunc {
	return func(p, v string) bool {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(p, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return want(cmpFloat(a, b))
	}
}

// date compares value with pattern as times (RFC 3339 or epoch seconds).
func date(want func(int) bool) opFunc {
	parse := func(s string) (time.Time, bool) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, true
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, true
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0), true
		}
		return time.Time{}, false
	}
	return func(p, v string) bool {
		a, ok1 := parse(v)
		b, ok2 := parse(p)
		if !ok1 || !ok2 {
			return false
		}
		return want(a.Compare(b))
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// inCIDR reports whether the address value lies in the pattern's CIDR (or
// equals a bare address).
func inCIDR(p, v string) bool {
	ip, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	if prefix, err := netip.ParsePrefix(p); err == nil {
		return prefix.Contains(ip)
	}
	if a, err := netip.ParseAddr(p); err == nil {
		return a == ip
	}
	return false
}

func conditionHolds(op string, keys map[string]string, key string, values []string) bool {
	o, ok := operator(op)
	if !ok {
		return false
	}
	v, present := lookupKey(keys, key)
	if strings.TrimSuffix(op[strings.LastIndex(op, ":")+1:], "IfExists") == "Null" {
		// Null: "true" holds when the key is absent, "false" when present.
		for _, want := range values {
			if strings.EqualFold(want, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		// A missing key never matches a positive operator; negated operators,
		// …IfExists and ForAllValues (vacuously true over no values) hold.
		return o.negate || strings.HasSuffix(op, "IfExists") || strings.HasPrefix(op, "ForAllValues:")
	}
	matched := false
	for _, p := range values {
		if o.cmp(p, v) {
			matched = true
			break
		}
	}
	return matched != o.negate
}

func lookupKey(keys map[string]string, key string) (string, bool) {
	for k, v := range keys {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}
