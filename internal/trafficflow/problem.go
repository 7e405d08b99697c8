package trafficflow

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Scope says what part of a document a Problem is about.
type Scope string

// Problem scopes.
const (
	ScopeDocument Scope = "document" // top-level fields
	ScopeEndpoint Scope = "endpoint" // Endpoints[ID]
	ScopeRule     Scope = "rule"     // Rules[ID]
)

// Code classifies a Problem so callers can react to some kinds differently (for
// example a Terraform resource mapping them to attributes).
type Code string

// Problem codes.
const (
	CodeSyntax        Code = "Syntax"        // not JSON, or a field of the wrong JSON type
	CodeUnknownField  Code = "UnknownField"  // a field the format does not have
	CodeFormatVersion Code = "FormatVersion" // AWSPolicyFormatVersion
	CodeRecordType    Code = "RecordType"    // RecordType missing or unsupported
	CodeStart         Code = "Start"         // StartRule / StartEndpoint
	CodeID            Code = "ID"            // empty id or characters outside the allowed set
	CodeReference     Code = "Reference"     // EndpointReference / RuleReference wrong or dangling
	CodeCycle         Code = "Cycle"         // rules that reference each other in a loop
	CodeUnreachable   Code = "Unreachable"   // rule or endpoint not reachable from the start
	CodeEndpoint      Code = "Endpoint"      // endpoint Type / Region / Value
	CodeRecordValue   Code = "RecordValue"   // value endpoint not valid for RecordType
	CodeRuleShape     Code = "RuleShape"     // RuleType and the item lists it has
	CodeWeight        Code = "Weight"        // weighted rule weights
	CodeRegion        Code = "Region"        // AWS region names
	CodeHealthCheck   Code = "HealthCheck"   // health check ids
	CodeGeo           Code = "Geo"           // geo rule locations
	CodeGeoproximity  Code = "Geoproximity"  // geoproximity coordinates and bias
	CodeLength        Code = "Length"        // rendered document too long
)

// Problem is one thing wrong with a document: where it is and what to change.
type Problem struct {
	Scope   Scope  // what the problem is about
	ID      string // rule or endpoint id; empty for ScopeDocument
	Field   string // field path inside the rule/endpoint/document, e.g. "Items[1].Weight"; may be empty
	Code    Code   // classification
	Message string // what is wrong and what to change
}

// String renders the problem as `rule "split" Items[1].Weight: message`.
func (p Problem) String() string {
	var b strings.Builder
	switch p.Scope {
	case ScopeRule, ScopeEndpoint:
		fmt.Fprintf(&b, "%s %q", p.Scope, p.ID)
		if p.Field != "" {
			b.WriteByte(' ')
			b.WriteString(p.Field)
		}
	default:
		if p.Field != "" {
			b.WriteString(p.Field)
		} else {
			b.WriteString("document")
		}
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// ValidationErrors is every problem found in a document, in a stable order. It
// is the error type returned by Parse, Validate and ValidateJSON.
type ValidationErrors []Problem

// Error lists the problems, one per line after a summary line; a single
// problem stays on one line.
func (v ValidationErrors) Error() string {
	switch len(v) {
	case 0:
		return "invalid traffic policy document"
	case 1:
		return "invalid traffic policy document: " + v[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid traffic policy document (%d problems):", len(v))
	for _, p := range v {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Has reports whether any problem has the given code.
func (v ValidationErrors) Has(code Code) bool {
	return slices.ContainsFunc(v, func(p Problem) bool { return p.Code == code })
}

var scopeOrder = map[Scope]int{ScopeDocument: 0, ScopeEndpoint: 1, ScopeRule: 2}

func (v ValidationErrors) sort() {
	slices.SortStableFunc(v, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(scopeOrder[a.Scope], scopeOrder[b.Scope]),
			cmp.Compare(a.ID, b.ID),
			compareFieldPaths(a.Field, b.Field),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// compareFieldPaths orders "Items[2]" before "Items[10]".
func compareFieldPaths(a, b string) int {
	for a != "" && b != "" {
		ai, bi := leadingDigits(a), leadingDigits(b)
		if ai > 0 && bi > 0 {
			an, bn := strings.TrimLeft(a[:ai], "0"), strings.TrimLeft(b[:bi], "0")
			if c := cmp.Or(cmp.Compare(len(an), len(bn)), cmp.Compare(an, bn)); c != 0 {
				return c
			}
			a, b = a[ai:], b[bi:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// problems collects Problems.
type problems struct{ list ValidationErrors }

func (ps *problems) add(scope Scope, id, field string, code Code, format string, args ...any) {
	ps.list = append(ps.list, Problem{Scope: scope, ID: id, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	ps.list.sort()
	return ps.list
}
