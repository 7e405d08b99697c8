package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Filter policy scopes (the FilterPolicyScope subscription attribute).
const (
	ScopeMessageAttributes = "MessageAttributes"
	ScopeMessageBody       = "MessageBody"
)

// Filter policy limits of SNS.
const (
	maxFilterKeys         = 5
	maxFilterCombinations = 150
)

// FilterPolicy is a parsed subscription filter policy. Supported: exact
// strings, numbers, booleans and null; prefix, suffix, equals-ignore-case,
// anything-but (values, prefix, suffix), numeric (=, <, <=, >, >= and
// ranges), exists, cidr, and $or; nested keys with the MessageBody scope.
// Matching is typed: string rules match String attributes (and strings of a
// String.Array or of the body), numeric rules match Number attributes (and
// JSON numbers); Binary attributes only satisfy exists.
type FilterPolicy struct {
	scope string
	alts  []alternative
}

// alternative is one branch of the policy ($or expands into several): every
// condition must hold.
type alternative []condition

type condition struct {
	path  []string
	rules []rule
}

type ruleKind int

const (
	ruleExact ruleKind = iota
	rulePrefix
	ruleSuffix
	ruleEqualsIgnoreCase
	ruleAnythingBut
	ruleAnythingButPrefix
	ruleAnythingButSuffix
	ruleNumeric
	ruleExists
	ruleCIDR
)

type rule struct {
	kind   ruleKind
	lit    value   // ruleExact
	lits   []value // ruleAnythingBut
	str    string  // prefix, suffix, equals-ignore-case
	ops    []numericOp
	exists bool
	cidr   netip.Prefix
}

type numericOp struct {
	op string
	n  float64
}

type valueKind int

const (
	kindString valueKind = iota
	kindNumber
	kindBool
	kindNull
)

// PolicyError is why a filter policy is invalid, worded like SNS's reasons.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return e.Reason }

func policyErr(format string, args ...any) error {
	return &PolicyError{Reason: fmt.Sprintf(format, args...)}
}

// value is one message value a rule is matched against.
type value struct {
	kind valueKind
	s    string
	n    float64
	b    bool
}

func (v value) equal(o value) bool {
	if v.kind != o.kind {
		return false
	}
	switch v.kind {
	case kindString:
		return v.s == o.s
	case kindNumber:
		return v.n == o.n
	case kindBool:
		return v.b == o.b
	}
	return true
}

// ParseFilterPolicy parses and validates a filter policy for a scope
// (ScopeMessageAttributes when empty). Errors read like SNS's reasons, to be
// prefixed with "Invalid parameter: FilterPolicy: ".
func ParseFilterPolicy(doc, scope string) (*FilterPolicy, error) {
	if scope == "" {
		scope = ScopeMessageAttributes
	}
	if scope != ScopeMessageAttributes && scope != ScopeMessageBody {
		return nil, policyErr("Invalid filter policy scope %q", scope)
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, policyErr("failed to parse JSON.")
	}
	if dec.More() {
		return nil, policyErr("failed to parse JSON.")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, policyErr("Filter policy must be a JSON object")
	}
	fp := &FilterPolicy{scope: scope}
	alts, err := fp.expand(obj, nil)
	if err != nil {
		return nil, err
	}
	combinations := 0
	for _, a := range alts {
		if len(a) > maxFilterKeys {
			return nil, policyErr("Filter policy can not have more than %d keys", maxFilterKeys)
		}
		c := 1
		for _, cond := range a {
			c *= len(cond.rules)
		}
		combinations += c
	}
	if combinations > maxFilterCombinations {
		return nil, policyErr("Filter policy is too complex")
	}
	fp.alts = alts
	return fp, nil
}

// Scope returns the policy's scope.
func (fp *FilterPolicy) Scope() string { return fp.scope }

func (fp *FilterPolicy) expand(obj map[string]any, prefix []string) ([]alternative, error) {
	alts := []alternative{{}}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		if k == "$or" {
			options, ok := v.([]any)
			if !ok || len(options) < 2 {
				return nil, policyErr(`"$or" must be an array of at least two objects`)
			}
			var next []alternative
			for _, o := range options {
				om, ok := o.(map[string]any)
				if !ok {
					return nil, policyErr(`"$or" must be an array of at least two objects`)
				}
				sub, err := fp.expand(om, prefix)
				if err != nil {
					return nil, err
				}
				next = append(next, cross(alts, sub)...)
			}
			alts = next
			continue
		}
		path := append(append([]string{}, prefix...), k)
		switch val := v.(type) {
		case map[string]any:
			if fp.scope == ScopeMessageAttributes {
				return nil, policyErr("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			sub, err := fp.expand(val, path)
			if err != nil {
				return nil, err
			}
			alts = cross(alts, sub)
		case []any:
			if len(val) == 0 {
				return nil, policyErr("Empty arrays are not allowed")
			}
			rules := make([]rule, 0, len(val))
			for _, r := range val {
				pr, err := parseRule(r)
				if err != nil {
					return nil, err
				}
				rules = append(rules, pr)
			}
			for i := range alts {
				alts[i] = append(alts[i], condition{path: path, rules: rules})
			}
		default:
			return nil, policyErr("%q must be an object or an array", k)
		}
	}
	return alts, nil
}

func cross(a, b []alternative) []alternative {
	out := make([]alternative, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(append(alternative{}, x...), y...))
		}
	}
	return out
}

// literal converts a JSON scalar to a value.
func literal(v any) (value, bool) {
	switch x := v.(type) {
	case string:
		return value{kind: kindString, s: x}, true
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return value{}, false
		}
		return value{kind: kindNumber, n: f}, true
	case bool:
		return value{kind: kindBool, b: x}, true
	case nil:
		return value{kind: kindNull}, true
	}
	return value{}, false
}

func parseRule(v any) (rule, error) {
	if lit, ok := literal(v); ok {
		return rule{kind: ruleExact, lit: lit}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return rule{}, policyErr("Match value must be String, number, true, false, or null")
	}
	if len(m) != 1 {
		return rule{}, policyErr("Only one key allowed in match expression")
	}
	for op, arg := range m {
		switch op {
		case "prefix", "suffix", "equals-ignore-case":
			s, ok := arg.(string)
			if !ok {
				return rule{}, policyErr("%s match pattern must be a string", op)
			}
			kind := map[string]ruleKind{"prefix": rulePrefix, "suffix": ruleSuffix, "equals-ignore-case": ruleEqualsIgnoreCase}[op]
			return rule{kind: kind, str: s}, nil
		case "anything-but":
			return parseAnythingBut(arg)
		case "numeric":
			ops, err := parseNumeric(arg)
			return rule{kind: ruleNumeric, ops: ops}, err
		case "exists":
			b, ok := arg.(bool)
			if !ok {
				return rule{}, policyErr("exists match pattern must be either true or false.")
			}
			return rule{kind: ruleExists, exists: b}, nil
		case "cidr":
			s, ok := arg.(string)
			if !ok {
				return rule{}, policyErr("prefix match pattern must be a string")
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return rule{}, policyErr("Malformed CIDR: %s", s)
			}
			return rule{kind: ruleCIDR, cidr: p.Masked()}, nil
		default:
			return rule{}, policyErr("Unrecognized match type %s", op)
		}
	}
	return rule{}, policyErr("Match value must be String, number, true, false, or null")
}

func parseAnythingBut(arg any) (rule, error) {
	switch x := arg.(type) {
	case []any:
		if len(x) == 0 {
			return rule{}, policyErr("Empty arrays are not allowed")
		}
		r := rule{kind: ruleAnythingBut}
		for _, e := range x {
			lit, ok := literal(e)
			if !ok || lit.kind == kindNull || lit.kind == kindBool {
				return rule{}, policyErr("Inside anything but list, start|null|boolean is not supported.")
			}
			r.lits = append(r.lits, lit)
		}
		return r, nil
	case map[string]any:
		if len(x) != 1 {
			return rule{}, policyErr("Only one key allowed in match expression")
		}
		for op, v := range x {
			s, ok := v.(string)
			switch {
			case op != "prefix" && op != "suffix":
				return rule{}, policyErr("Unsupported anything-but pattern: %s", op)
			case !ok:
				return rule{}, policyErr("%s match pattern must be a string", op)
			case op == "prefix":
				return rule{kind: ruleAnythingButPrefix, str: s}, nil
			default:
				return rule{kind: ruleAnythingButSuffix, str: s}, nil
			}
		}
	}
	lit, ok := literal(arg)
	if !ok || lit.kind == kindNull || lit.kind == kindBool {
		return rule{}, policyErr("Value of anything-but must be an array or single string/number value.")
	}
	return rule{kind: ruleAnythingBut, lits: []value{lit}}, nil
}

func parseNumeric(arg any) ([]numericOp, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 {
		return nil, policyErr("Value of numeric must be an array.")
	}
	var ops []numericOp
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return nil, policyErr("Invalid member in numeric match: %v", list[i])
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, policyErr("Unrecognized numeric range operator: %s", op)
		}
		if i+1 >= len(list) {
			return nil, policyErr("Value of %s must be numeric", opName(op))
		}
		n, ok := list[i+1].(json.Number)
		if !ok {
			return nil, policyErr("Value of %s must be numeric", opName(op))
		}
		f, err := n.Float64()
		if err != nil {
			return nil, policyErr("Value of %s must be numeric", opName(op))
		}
		ops = append(ops, numericOp{op: op, n: f})
	}
	switch len(ops) {
	case 1:
	case 2:
		lo, hi := ops[0], ops[1]
		if (lo.op != ">" && lo.op != ">=") || (hi.op != "<" && hi.op != "<=") {
			return nil, policyErr("Bad numeric range operator")
		}
		if hi.n <= lo.n {
			return nil, policyErr("Bottom must be less than top")
		}
	default:
		return nil, policyErr("Too many terms in numeric range expression")
	}
	return ops, nil
}

func opName(op string) string {
	if op == "=" {
		return "equals"
	}
	return op
}

func (r rule) match(v value) bool {
	switch r.kind {
	case ruleExact:
		return r.lit.equal(v)
	case rulePrefix:
		return v.kind == kindString && strings.HasPrefix(v.s, r.str)
	case ruleSuffix:
		return v.kind == kindString && strings.HasSuffix(v.s, r.str)
	case ruleEqualsIgnoreCase:
		return v.kind == kindString && strings.EqualFold(v.s, r.str)
	case ruleAnythingBut:
		for _, l := range r.lits {
			if l.equal(v) {
				return false
			}
		}
		return v.kind == kindString || v.kind == kindNumber
	case ruleAnythingButPrefix:
		return v.kind == kindString && !strings.HasPrefix(v.s, r.str)
	case ruleAnythingButSuffix:
		return v.kind == kindString && !strings.HasSuffix(v.s, r.str)
	case ruleNumeric:
		if v.kind != kindNumber {
			return false
		}
		for _, o := range r.ops {
			var ok bool
			switch o.op {
			case "=":
				ok = v.n == o.n
			case "<":
				ok = v.n < o.n
			case "<=":
				ok = v.n <= o.n
			case ">":
				ok = v.n > o.n
			case ">=":
				ok = v.n >= o.n
			}
			if !ok {
				return false
			}
		}
		return true
	case ruleCIDR:
		if v.kind != kindString {
			return false
		}
		ip, err := netip.ParseAddr(v.s)
		return err == nil && r.cidr.Contains(ip)
	}
	return false
}

// lookup is how a policy reads the message: present reports whether the key
// exists with a non-null value, values are what rules match.
type lookup func(path []string) (present bool, values []value)

// Match reports whether a message is delivered: body is the message the
// endpoint would receive, attrs its message attributes. A nil policy
// matches everything.
func (fp *FilterPolicy) Match(body string, attrs map[string]core.MessageAttribute) bool {
	if fp == nil {
		return true
	}
	var look lookup
	anyKey := true
	if fp.scope == ScopeMessageBody {
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			return false
		}
		root, ok := doc.(map[string]any)
		if !ok {
			return false
		}
		look = func(path []string) (bool, []value) { return bodyValues(root, path) }
	} else {
		anyKey = len(attrs) > 0
		look = func(path []string) (bool, []value) { return attributeValues(attrs, path[0]) }
	}
	for _, alt := range fp.alts {
		if fp.matchAlternative(alt, look, anyKey) {
			return true
		}
	}
	return false
}

func (fp *FilterPolicy) matchAlternative(alt alternative, look lookup, anyKey bool) bool {
	for _, c := range alt {
		present, values := look(c.path)
		ok := false
		for _, r := range c.rules {
			if r.kind == ruleExists {
				// exists:false needs at least one attribute in the message.
				if r.exists == present && (present || anyKey) {
					ok = true
					break
				}
				continue
			}
			for _, v := range values {
				if r.match(v) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// attributeValues reads one message attribute: a String gives a string, a
// Number a number, a String.Array its elements; Binary gives no value.
func attributeValues(attrs map[string]core.MessageAttribute, name string) (bool, []value) {
	a, ok := attrs[name]
	if !ok {
		return false, nil
	}
	switch baseType(a.DataType) {
	case "Number":
		f, err := strconv.ParseFloat(a.StringValue, 64)
		if err != nil {
			return true, nil
		}
		return true, []value{{kind: kindNumber, n: f}}
	case "String":
		if a.DataType == "String.Array" {
			dec := json.NewDecoder(bytes.NewReader([]byte(a.StringValue)))
			dec.UseNumber()
			var arr []any
			if err := dec.Decode(&arr); err != nil {
				return true, nil // invalid arrays never match
			}
			var out []value
			for _, e := range arr {
				if lit, ok := literal(e); ok {
					out = append(out, lit)
				}
			}
			return true, out
		}
		return true, []value{{kind: kindString, s: a.StringValue}}
	}
	return true, nil
}

// bodyValues walks a JSON body along path; arrays match if any element does.
func bodyValues(root map[string]any, path []string) (bool, []value) {
	nodes := []any{root}
	for _, key := range path {
		var next []any
		for _, n := range nodes {
			next = append(next, children(n, key)...)
		}
		nodes = next
	}
	var out []value
	var flatten func(any)
	flatten = func(n any) {
		if arr, ok := n.([]any); ok {
			for _, e := range arr {
				flatten(e)
			}
			return
		}
		if lit, ok := literal(n); ok {
			out = append(out, lit)
		}
	}
	for _, n := range nodes {
		flatten(n)
	}
	present := false
	for _, v := range out {
		if v.kind != kindNull {
			present = true
		}
	}
	return present, out
}

func children(n any, key string) []any {
	switch x := n.(type) {
	case map[string]any:
		if v, ok := x[key]; ok {
			return []any{v}
		}
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, children(e, key)...)
		}
		return out
	}
	return nil
}
