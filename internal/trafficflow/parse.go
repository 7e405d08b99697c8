package trafficflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Parse decodes a traffic policy document.
//
// Field names are matched exactly (AWS's casing) and in any order. Besides the
// JSON types this package renders, Parse accepts the alternatives seen in AWS's
// own examples and in console output: Weight and Bias as JSON numbers or strings
// of digits, Latitude and Longitude as numbers or strings, and booleans as true /
// false or the strings "true" / "false". null counts as absent, and empty maps and
// lists decode as nil. Unknown fields are errors.
//
// Parse checks structure only; call Validate for the meaning. On failure the
// error is a ValidationErrors listing every structural problem found.
func Parse(data []byte) (*Document, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, ValidationErrors{{Scope: ScopeDocument, Code: CodeSyntax, Message: "the document must be a JSON object"}}
	}
	if !json.Valid(trimmed) {
		var probe any
		err := json.Unmarshal(trimmed, &probe)
		return nil, ValidationErrors{{Scope: ScopeDocument, Code: CodeSyntax, Message: fmt.Sprintf("the document is not valid JSON: %v", err)}}
	}
	var p parser
	doc := p.document(trimmed)
	if err := p.err(); err != nil {
		return nil, err
	}
	return doc, nil
}

type parser struct{ problems }

// object decodes raw as a JSON object. It returns nil (and no problem) for null.
func (p *parser) object(raw json.RawMessage, scope Scope, id, field string) (map[string]json.RawMessage, bool) {
	if isNull(raw) {
		return nil, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		p.add(scope, id, field, CodeSyntax, "must be a JSON object, not %s", jsonKind(raw))
		return nil, false
	}
	return m, true
}

func (p *parser) array(raw json.RawMessage, scope Scope, id, field string) ([]json.RawMessage, bool) {
	if isNull(raw) {
		return nil, true
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		p.add(scope, id, field, CodeSyntax, "must be a JSON array, not %s", jsonKind(raw))
		return nil, false
	}
	return a, true
}

func (p *parser) str(raw json.RawMessage, scope Scope, id, field string) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.add(scope, id, field, CodeSyntax, "must be a JSON string, not %s", jsonKind(raw))
		return ""
	}
	return s
}

// integer accepts 90, 90.0 and "90".
func (p *parser) integer(raw json.RawMessage, scope Scope, id, field string) *int {
	if isNull(raw) {
		return nil
	}
	var text string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &text); err != nil {
			p.add(scope, id, field, CodeSyntax, "must be an integer")
			return nil
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		text = string(raw)
	default:
		p.add(scope, id, field, CodeSyntax, "must be an integer (a JSON number or a string of digits), not %s", jsonKind(raw))
		return nil
	}
	if n, err := strconv.ParseInt(text, 10, 32); err == nil {
		v := int(n)
		return &v
	}
	if raw[0] != '"' {
		if f, err := strconv.ParseFloat(text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
			v := int(f)
			return &v
		}
	}
	p.add(scope, id, field, CodeSyntax, "must be a whole number, got %s", truncate(text, 40))
	return nil
}

// boolean accepts true, false, "true" and "false" (any case).
func (p *parser) boolean(raw json.RawMessage, scope Scope, id, field string) *bool {
	if isNull(raw) {
		return nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return &b
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch strings.ToLower(s) {
		case "true":
			return Bool(true)
		case "false":
			return Bool(false)
		}
	}
	p.add(scope, id, field, CodeSyntax, "must be true or false, not %s", truncate(string(raw), 40))
	return nil
}

// decimal accepts a JSON number or string and keeps its text.
func (p *parser) decimal(raw json.RawMessage, scope Scope, id, field string) string {
	if isNull(raw) {
		return ""
	}
	switch raw[0] {
	case '"':
		return p.str(raw, scope, id, field)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	p.add(scope, id, field, CodeSyntax, "must be a decimal number, not %s", jsonKind(raw))
	return ""
}

func (p *parser) unknown(scope Scope, id, field, key, hint string) {
	msg := fmt.Sprintf("unknown field %q; remove it", key)
	if hint != "" {
		msg += " (" + hint + ")"
	}
	p.add(scope, id, join(field, key), CodeUnknownField, "%s", msg)
}

func (p *parser) document(data []byte) *Document {
	top, ok := p.object(data, ScopeDocument, "", "")
	if !ok {
		return nil
	}
	doc := &Document{}
	for _, k := range sortedKeys(top) {
		raw := top[k]
		switch k {
		case "AWSPolicyFormatVersion":
			doc.FormatVersion = p.str(raw, ScopeDocument, "", k)
		case "RecordType":
			doc.RecordType = RecordType(p.str(raw, ScopeDocument, "", k))
		case "StartRule":
			doc.StartRule = p.str(raw, ScopeDocument, "", k)
		case "StartEndpoint":
			doc.StartEndpoint = p.str(raw, ScopeDocument, "", k)
		case "Endpoints":
			m, _ := p.object(raw, ScopeDocument, "", k)
			for _, id := range sortedKeys(m) {
				ep, ok := p.endpoint(id, m[id])
				if !ok {
					continue
				}
				if doc.Endpoints == nil {
					doc.Endpoints = map[string]Endpoint{}
				}
				doc.Endpoints[id] = ep
			}
		case "Rules":
			m, _ := p.object(raw, ScopeDocument, "", k)
			for _, id := range sortedKeys(m) {
				r, ok := p.rule(id, m[id])
				if !ok {
					continue
				}
				if doc.Rules == nil {
					doc.Rules = map[string]Rule{}
				}
				doc.Rules[id] = r
			}
		default:
			p.unknown(ScopeDocument, "", "", k, "")
		}
	}
	return doc
}

func (p *parser) endpoint(id string, raw json.RawMessage) (Endpoint, bool) {
	m, ok := p.object(raw, ScopeEndpoint, id, "")
	if !ok || m == nil {
		if ok {
			p.add(ScopeEndpoint, id, "", CodeSyntax, "must be a JSON object, not null")
		}
		return Endpoint{}, false
	}
	var ep Endpoint
	for _, k := range sortedKeys(m) {
		switch k {
		case "Type":
			ep.Type = EndpointType(p.str(m[k], ScopeEndpoint, id, k))
		case "Region":
			ep.Region = p.str(m[k], ScopeEndpoint, id, k)
		case "Value":
			ep.Value = p.str(m[k], ScopeEndpoint, id, k)
		default:
			p.unknown(ScopeEndpoint, id, "", k, "")
		}
	}
	return ep, true
}

func (p *parser) rule(id string, raw json.RawMessage) (Rule, bool) {
	m, ok := p.object(raw, ScopeRule, id, "")
	if !ok || m == nil {
		if ok {
			p.add(ScopeRule, id, "", CodeSyntax, "must be a JSON object, not null")
		}
		return Rule{}, false
	}
	var r Rule
	for _, k := range sortedKeys(m) {
		raw := m[k]
		switch k {
		case "RuleType":
			r.RuleType = RuleType(p.str(raw, ScopeRule, id, k))
		case "Primary", "Secondary":
			obj, ok := p.object(raw, ScopeRule, id, k)
			if !ok || obj == nil {
				continue
			}
			ref := &Reference{}
			for _, fk := range sortedKeys(obj) {
				if !p.reference(&ref.EndpointReference, &ref.RuleReference, &ref.EvaluateTargetHealth, &ref.HealthCheck, id, k, fk, obj[fk]) {
					p.unknown(ScopeRule, id, k, fk, "")
				}
			}
			if k == "Primary" {
				r.Primary = ref
			} else {
				r.Secondary = ref
			}
		case "Locations":
			elems, _ := p.array(raw, ScopeRule, id, k)
			for i, e := range elems {
				r.Locations = append(r.Locations, p.geoLocation(id, fmt.Sprintf("%s[%d]", k, i), e))
			}
		case "GeoproximityLocations":
			elems, _ := p.array(raw, ScopeRule, id, k)
			for i, e := range elems {
				r.GeoproximityLocations = append(r.GeoproximityLocations, p.geoproximity(id, fmt.Sprintf("%s[%d]", k, i), e))
			}
		case "Regions":
			elems, _ := p.array(raw, ScopeRule, id, k)
			for i, e := range elems {
				r.Regions = append(r.Regions, p.latencyRegion(id, fmt.Sprintf("%s[%d]", k, i), e))
			}
		case "Items":
			elems, _ := p.array(raw, ScopeRule, id, k)
			for i, e := range elems {
				r.Items = append(r.Items, p.item(id, fmt.Sprintf("%s[%d]", k, i), e))
			}
		default:
			p.unknown(ScopeRule, id, "", k, "")
		}
	}
	return r, true
}

// reference decodes one of the four fields every item shares. It returns false
// when key is not one of them.
func (p *parser) reference(ep, rule *string, eth **bool, hc *string, id, field, key string, raw json.RawMessage) bool {
	path := join(field, key)
	switch key {
	case "EndpointReference":
		*ep = p.str(raw, ScopeRule, id, path)
	case "RuleReference":
		*rule = p.str(raw, ScopeRule, id, path)
	case "EvaluateTargetHealth":
		*eth = p.boolean(raw, ScopeRule, id, path)
	case "HealthCheck":
		*hc = p.str(raw, ScopeRule, id, path)
	default:
		return false
	}
	return true
}

func (p *parser) itemObject(id, field string, raw json.RawMessage) map[string]json.RawMessage {
	m, ok := p.object(raw, ScopeRule, id, field)
	if ok && m == nil {
		p.add(ScopeRule, id, field, CodeSyntax, "must be a JSON object, not null")
	}
	return m
}

func (p *parser) geoLocation(id, field string, raw json.RawMessage) GeoLocation {
	var g GeoLocation
	m := p.itemObject(id, field, raw)
	for _, k := range sortedKeys(m) {
		r := &g.Reference
		if p.reference(&r.EndpointReference, &r.RuleReference, &r.EvaluateTargetHealth, &r.HealthCheck, id, field, k, m[k]) {
			continue
		}
		path := join(field, k)
		switch k {
		case "IsDefault":
			g.IsDefault = p.boolean(m[k], ScopeRule, id, path)
		case "Continent":
			g.Continent = p.str(m[k], ScopeRule, id, path)
		case "Country":
			g.Country = p.str(m[k], ScopeRule, id, path)
		case "Subdivision":
			g.Subdivision = p.str(m[k], ScopeRule, id, path)
		default:
			p.unknown(ScopeRule, id, field, k, "")
		}
	}
	return g
}

func (p *parser) geoproximity(id, field string, raw json.RawMessage) GeoproximityLocation {
	var g GeoproximityLocation
	m := p.itemObject(id, field, raw)
	for _, k := range sortedKeys(m) {
		r := &g.Reference
		if p.reference(&r.EndpointReference, &r.RuleReference, &r.EvaluateTargetHealth, &r.HealthCheck, id, field, k, m[k]) {
			continue
		}
		path := join(field, k)
		switch k {
		case "Region":
			g.Region = p.str(m[k], ScopeRule, id, path)
		case "Latitude":
			g.Latitude = p.decimal(m[k], ScopeRule, id, path)
		case "Longitude":
			g.Longitude = p.decimal(m[k], ScopeRule, id, path)
		case "Bias":
			g.Bias = p.integer(m[k], ScopeRule, id, path)
		case "Location":
			g.Location = p.location(id, path, m[k])
		default:
			p.unknown(ScopeRule, id, field, k, "")
		}
	}
	return g
}

// location decodes the Location object of a 2023-05-09 geoproximity entry;
// Validate checks that the document's version has it.
func (p *parser) location(id, field string, raw json.RawMessage) *Location {
	m := p.itemObject(id, field, raw)
	if m == nil {
		return nil
	}
	l := &Location{}
	for _, k := range sortedKeys(m) {
		path := join(field, k)
		switch k {
		case "Type":
			l.Type = p.str(m[k], ScopeRule, id, path)
		case "LocationName":
			l.LocationName = p.str(m[k], ScopeRule, id, path)
		case "Latitude":
			l.Latitude = p.decimal(m[k], ScopeRule, id, path)
		case "Longitude":
			l.Longitude = p.decimal(m[k], ScopeRule, id, path)
		default:
			p.unknown(ScopeRule, id, field, k, "")
		}
	}
	return l
}

func (p *parser) latencyRegion(id, field string, raw json.RawMessage) LatencyRegion {
	var l LatencyRegion
	m := p.itemObject(id, field, raw)
	for _, k := range sortedKeys(m) {
		r := &l.Reference
		if p.reference(&r.EndpointReference, &r.RuleReference, &r.EvaluateTargetHealth, &r.HealthCheck, id, field, k, m[k]) {
			continue
		}
		if k == "Region" {
			l.Region = p.str(m[k], ScopeRule, id, join(field, k))
			continue
		}
		p.unknown(ScopeRule, id, field, k, "")
	}
	return l
}

func (p *parser) item(id, field string, raw json.RawMessage) Item {
	var it Item
	m := p.itemObject(id, field, raw)
	for _, k := range sortedKeys(m) {
		r := &it.Reference
		if p.reference(&r.EndpointReference, &r.RuleReference, &r.EvaluateTargetHealth, &r.HealthCheck, id, field, k, m[k]) {
			continue
		}
		if k == "Weight" {
			it.Weight = p.integer(m[k], ScopeRule, id, join(field, k))
			continue
		}
		p.unknown(ScopeRule, id, field, k, "")
	}
	return it
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	return slices.Sorted(maps.Keys(m))
}
