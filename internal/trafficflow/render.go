package trafficflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// Render returns the document as compact JSON in AWS's traffic policy format.
//
// The output is canonical: the same Document always renders to the same bytes.
// Top-level fields come in the order of AWS's examples (AWSPolicyFormatVersion,
// RecordType, StartRule, StartEndpoint, Endpoints, Rules); endpoint and rule ids
// are sorted; list items keep their order (order has no meaning to Route 53 but
// belongs to the user's configuration); absent optional fields are omitted.
// Weight, Bias, Latitude and Longitude are JSON strings and booleans are JSON
// booleans, as in the examples of AWS's "Traffic Policy Document Format" page.
// HTML characters are not escaped. Compact output is what the provider sends to
// the API; RenderIndent is for people.
//
// Render does not validate; call Validate first when the document must be
// accepted by Route 53.
func Render(doc *Document) ([]byte, error) {
	if doc == nil {
		return nil, errors.New("trafficflow: render: nil document")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toWire(doc)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// RenderIndent is Render with each element on its own line, indented by indent
// (for example "  "). It is just as deterministic.
func RenderIndent(doc *Document, indent string) ([]byte, error) {
	compact, err := Render(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, compact, "", indent); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Normalize parses a document and renders it canonically, so that two
// documents that differ only in field order, whitespace, or number-versus-string
// spelling normalize to the same bytes (useful to suppress Terraform diffs
// against a document read back from Route 53).
func Normalize(data []byte) ([]byte, error) {
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return Render(doc)
}

// Wire shapes: field order here is the rendered order.

type wireDocument struct {
	AWSPolicyFormatVersion string                  `json:"AWSPolicyFormatVersion,omitempty"`
	RecordType             string                  `json:"RecordType,omitempty"`
	StartRule              string                  `json:"StartRule,omitempty"`
	StartEndpoint          string                  `json:"StartEndpoint,omitempty"`
	Endpoints              map[string]wireEndpoint `json:"Endpoints,omitempty"`
	Rules                  map[string]wireRule     `json:"Rules,omitempty"`
}

type wireEndpoint struct {
	Type   string `json:"Type,omitempty"`
	Region string `json:"Region,omitempty"`
	Value  string `json:"Value,omitempty"`
}

type wireRule struct {
	RuleType              string     `json:"RuleType,omitempty"`
	Primary               *wireItem  `json:"Primary,omitempty"`
	Secondary             *wireItem  `json:"Secondary,omitempty"`
	Locations             []wireItem `json:"Locations,omitempty"`
	GeoproximityLocations []wireItem `json:"GeoproximityLocations,omitempty"`
	Regions               []wireItem `json:"Regions,omitempty"`
	Items                 []wireItem `json:"Items,omitempty"`
}

// wireItem is the union of every item shape; unused fields are omitted.
type wireItem struct {
	EndpointReference    string        `json:"EndpointReference,omitempty"`
	RuleReference        string        `json:"RuleReference,omitempty"`
	IsDefault            *bool         `json:"IsDefault,omitempty"`
	Continent            string        `json:"Continent,omitempty"`
	Country              string        `json:"Country,omitempty"`
	Subdivision          string        `json:"Subdivision,omitempty"`
	Region               string        `json:"Region,omitempty"`
	Latitude             string        `json:"Latitude,omitempty"`
	Longitude            string        `json:"Longitude,omitempty"`
	Location             *wireLocation `json:"Location,omitempty"`
	Bias                 string        `json:"Bias,omitempty"`
	Weight               string        `json:"Weight,omitempty"`
	EvaluateTargetHealth *bool         `json:"EvaluateTargetHealth,omitempty"`
	HealthCheck          string        `json:"HealthCheck,omitempty"`
}

type wireLocation struct {
	Type         string `json:"Type,omitempty"`
	LocationName string `json:"LocationName,omitempty"`
	Latitude     string `json:"Latitude,omitempty"`
	Longitude    string `json:"Longitude,omitempty"`
}

func wireRef(r Reference) wireItem {
	return wireItem{
		EndpointReference:    r.EndpointReference,
		RuleReference:        r.RuleReference,
		EvaluateTargetHealth: r.EvaluateTargetHealth,
		HealthCheck:          r.HealthCheck,
	}
}

func intString(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func toWire(doc *Document) wireDocument {
	w := wireDocument{
		AWSPolicyFormatVersion: doc.FormatVersion,
		RecordType:             string(doc.RecordType),
		StartRule:              doc.StartRule,
		StartEndpoint:          doc.StartEndpoint,
	}
	if len(doc.Endpoints) > 0 {
		w.Endpoints = make(map[string]wireEndpoint, len(doc.Endpoints))
		for id, ep := range doc.Endpoints {
			w.Endpoints[id] = wireEndpoint{Type: string(ep.Type), Region: ep.Region, Value: ep.Value}
		}
	}
	if len(doc.Rules) > 0 {
		w.Rules = make(map[string]wireRule, len(doc.Rules))
		for id, r := range doc.Rules {
			w.Rules[id] = ruleToWire(r)
		}
	}
	return w
}

func ruleToWire(r Rule) wireRule {
	w := wireRule{RuleType: string(r.RuleType)}
	if r.Primary != nil {
		it := wireRef(*r.Primary)
		w.Primary = &it
	}
	if r.Secondary != nil {
		it := wireRef(*r.Secondary)
		w.Secondary = &it
	}
	for _, g := range r.Locations {
		it := wireRef(g.Reference)
		it.IsDefault, it.Continent, it.Country, it.Subdivision = g.IsDefault, g.Continent, g.Country, g.Subdivision
		w.Locations = append(w.Locations, it)
	}
	for _, g := range r.GeoproximityLocations {
		it := wireRef(g.Reference)
		it.Region, it.Latitude, it.Longitude, it.Bias = g.Region, g.Latitude, g.Longitude, intString(g.Bias)
		if l := g.Location; l != nil {
			it.Location = &wireLocation{Type: l.Type, LocationName: l.LocationName, Latitude: l.Latitude, Longitude: l.Longitude}
		}
		w.GeoproximityLocations = append(w.GeoproximityLocations, it)
	}
	for _, l := range r.Regions {
		it := wireRef(l.Reference)
		it.Region = l.Region
		w.Regions = append(w.Regions, it)
	}
	for _, item := range r.Items {
		it := wireRef(item.Reference)
		it.Weight = intString(item.Weight)
		w.Items = append(w.Items, it)
	}
	return w
}
