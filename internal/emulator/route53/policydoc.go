package route53

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// This file reads a traffic policy document the way the Route 53 API
// reference describes it ("Traffic Policy Document Format"): the JSON shape,
// its field names (case-sensitive) and the value types. What the values
// mean, and how they fit together, is checked in policycheck.go.
//
// Where the reference shows a value in quotes but a client may reasonably
// send a JSON number or boolean (Weight "3" or 3, EvaluateTargetHealth
// "true" or true, Latitude "51.50" or 51.5), both are read; null reads as an
// absent field. A field the format does not define is an error: Route 53
// refuses a misspelled field (for example GeoProximityLocations) rather than
// ignoring it.

// Traffic policy format versions.
const (
	formatVersion2015 = "2015-10-01"
	formatVersion2023 = "2023-05-09"
)

// Rule types.
const (
	ruleFailover     = "failover"
	ruleGeo          = "geo"
	ruleGeoproximity = "geoproximity"
	ruleLatency      = "latency"
	ruleMultivalue   = "multivalue"
	ruleWeighted     = "weighted"
)

// Endpoint types.
const (
	endpointValue        = "value"
	endpointCloudFront   = "cloudfront"
	endpointALB          = "application-load-balancer"
	endpointCLB          = "elastic-load-balancer"
	endpointNLB          = "network-load-balancer"
	endpointBeanstalk    = "elastic-beanstalk"
	endpointS3Website    = "s3-website"
	maxDocumentLength    = 102400
	maxHealthCheckLength = 64
)

// tfDocument is a traffic policy document as the emulated Route 53 read it.
type tfDocument struct {
	FormatVersion string
	RecordType    string
	StartRule     string
	StartEndpoint string
	Endpoints     map[string]*tfEndpoint
	Rules         map[string]*tfRule
}

type tfEndpoint struct {
	Type, Value, Region string
}

// tfRule is a rule: its items in document order (Primary then Secondary for
// a failover rule).
type tfRule struct {
	Type  string
	Items []*tfItem
}

// tfItem is one place a rule routes to, with what its rule type adds.
type tfItem struct {
	Path                 string // for messages, e.g. Rules.split.Items[1]
	EndpointRef, RuleRef string
	EvaluateTargetHealth bool
	HealthCheck          string

	Weight    int64 // weighted
	hasWeight bool

	Region    string // latency
	hasRegion bool

	IsDefault                       bool // geo
	Continent, Country, Subdivision string
	hasIsDefault                    bool

	// geoproximity: a region (or the region of a Local Zone) or coordinates
	ProxRegion          string
	ProxRegionField     string // the field that named it, for messages
	Latitude, Longitude float64
	hasCoordinates      bool
	Bias                int64
}

// docReader collects the problems of one document.
type docReader struct {
	problems []string
}

func (r *docReader) fail(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	r.problems = append(r.problems, msg)
}

type jsonObject map[string]json.RawMessage

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// object reads raw as a JSON object.
func (r *docReader) object(raw json.RawMessage, path string) (jsonObject, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		r.fail(path, "must be a JSON object")
		return nil, false
	}
	return m, true
}

// array reads raw as a JSON array.
func (r *docReader) array(raw json.RawMessage, path string) ([]json.RawMessage, bool) {
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil || a == nil {
		r.fail(path, "must be a JSON array")
		return nil, false
	}
	return a, true
}

// keys reports the fields of obj that are not allowed.
func (r *docReader) keys(obj jsonObject, path string, allowed ...string) {
	var unknown []string
	for k := range obj {
		if !containsString(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		r.fail(join(path, k), "unknown field; the fields here are %s", strings.Join(allowed, ", "))
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// str reads a string field; present is false when it is absent or null.
func (r *docReader) str(obj jsonObject, key, path string) (s string, present bool) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		r.fail(join(path, key), "must be a string")
		return "", false
	}
	return s, true
}

// boolean reads true/false, or the strings "true"/"false".
func (r *docReader) boolean(obj jsonObject, key, path string) (b, present bool) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return false, false
	}
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	r.fail(join(path, key), "must be true or false, not %s", raw)
	return false, false
}

// numberText returns a number field as text, from a JSON number or string.
func (r *docReader) numberText(obj jsonObject, key, path string) (text string, present bool) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), true
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		r.fail(join(path, key), "must be a number, not %s", raw)
		return "", false
	}
	return n.String(), true
}

// integer reads a whole number within [lo, hi]; ok is false (and a problem
// recorded) when it is present but not such a number.
func (r *docReader) integer(obj jsonObject, key, path string, lo, hi int64) (n int64, present, ok bool) {
	text, present := r.numberText(obj, key, path)
	if !present {
		return 0, false, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		r.fail(join(path, key), "%q is not a whole number; use %d to %d", text, lo, hi)
		return 0, true, false
	}
	if n < lo || n > hi {
		r.fail(join(path, key), "%d is out of range; use %d to %d", n, lo, hi)
		return n, true, false
	}
	return n, true, true
}

// coordinate reads a latitude or longitude within ±limit, with at most two
// decimals ("If you specify a value with greater precision, Route 53
// returns an error").
func (r *docReader) coordinate(obj jsonObject, key, path string, limit float64) (v float64, present, ok bool) {
	text, present := r.numberText(obj, key, path)
	if !present {
		return 0, false, false
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(text, "eExX_") {
		r.fail(join(path, key), "%q is not a number of degrees", text)
		return 0, true, false
	}
	if _, frac, hasDot := strings.Cut(text, "."); hasDot && len(frac) > 2 {
		r.fail(join(path, key), "%s has more than two decimals; Route 53 accepts up to two (for example %.2f)", text, v)
		return v, true, false
	}
	if v < -limit || v > limit {
		r.fail(join(path, key), "%s is out of range; use %g to %g degrees", text, -limit, limit)
		return v, true, false
	}
	return v, true, true
}

// parseDocument reads a document; it returns the problems found, if any,
// and as much of the document as could be read.
func parseDocument(document string) (*tfDocument, []string) {
	r := &docReader{}
	top, ok := r.object(json.RawMessage(document), "")
	if !ok {
		var probe any
		if err := json.Unmarshal([]byte(document), &probe); err != nil {
			return nil, []string{fmt.Sprintf("the document is not valid JSON: %v", err)}
		}
		return nil, []string{"the document must be a JSON object"}
	}
	r.keys(top, "", "AWSPolicyFormatVersion", "RecordType", "StartRule", "StartEndpoint", "Endpoints", "Rules")
	d := &tfDocument{Endpoints: map[string]*tfEndpoint{}, Rules: map[string]*tfRule{}}
	d.FormatVersion, _ = r.str(top, "AWSPolicyFormatVersion", "")
	d.RecordType, _ = r.str(top, "RecordType", "")
	var hasRule, hasEndpoint bool
	d.StartRule, hasRule = r.str(top, "StartRule", "")
	d.StartEndpoint, hasEndpoint = r.str(top, "StartEndpoint", "")
	switch {
	case hasRule && hasEndpoint:
		r.fail("", "give either StartRule or StartEndpoint, not both")
	case !hasRule && !hasEndpoint:
		r.fail("", "missing StartRule or StartEndpoint: name the rule or endpoint the policy starts with")
	}
	if raw, ok := top["Endpoints"]; ok && !isNull(raw) {
		if obj, ok := r.object(raw, "Endpoints"); ok {
			for _, id := range sortedKeys(obj) {
				if ep := r.endpoint(obj[id], "Endpoints."+id); ep != nil {
					d.Endpoints[id] = ep
				}
			}
		}
	}
	if raw, ok := top["Rules"]; ok && !isNull(raw) {
		if obj, ok := r.object(raw, "Rules"); ok {
			for _, id := range sortedKeys(obj) {
				if rule := r.rule(obj[id], "Rules."+id, d.FormatVersion); rule != nil {
					d.Rules[id] = rule
				}
			}
		}
	}
	return d, r.problems
}

func (r *docReader) endpoint(raw json.RawMessage, path string) *tfEndpoint {
	obj, ok := r.object(raw, path)
	if !ok {
		return nil
	}
	r.keys(obj, path, "Type", "Region", "Value")
	ep := &tfEndpoint{}
	ep.Type, _ = r.str(obj, "Type", path)
	ep.Region, _ = r.str(obj, "Region", path)
	ep.Value, _ = r.str(obj, "Value", path)
	return ep
}

// itemFields are the fields each rule type's items may have.
var itemFields = map[string][]string{
	ruleFailover:     {"EndpointReference", "RuleReference", "EvaluateTargetHealth", "HealthCheck"},
	ruleGeo:          {"EndpointReference", "RuleReference", "IsDefault", "Continent", "Country", "Subdivision", "EvaluateTargetHealth", "HealthCheck"},
	ruleGeoproximity: {"EndpointReference", "RuleReference", "Region", "Latitude", "Longitude", "Bias", "EvaluateTargetHealth", "HealthCheck"},
	ruleLatency:      {"EndpointReference", "RuleReference", "Region", "EvaluateTargetHealth", "HealthCheck"},
	ruleMultivalue:   {"EndpointReference", "HealthCheck"},
	ruleWeighted:     {"EndpointReference", "RuleReference", "Weight", "EvaluateTargetHealth", "HealthCheck"},
}

// geoproximityFields2023 replaces Region, Latitude and Longitude with
// Location in format 2023-05-09.
var geoproximityFields2023 = []string{"EndpointReference", "RuleReference", "Location", "Bias", "EvaluateTargetHealth", "HealthCheck"}

func (r *docReader) rule(raw json.RawMessage, path, version string) *tfRule {
	obj, ok := r.object(raw, path)
	if !ok {
		return nil
	}
	typ, present := r.str(obj, "RuleType", path)
	if !present {
		r.fail(path, "missing RuleType (failover, geo, geoproximity, latency, multivalue or weighted)")
		return nil
	}
	rule := &tfRule{Type: typ}
	var list string
	switch typ {
	case ruleFailover:
		r.keys(obj, path, "RuleType", "Primary", "Secondary")
		for _, k := range []string{"Primary", "Secondary"} {
			raw, ok := obj[k]
			if !ok || isNull(raw) {
				r.fail(path, "a failover rule needs %s", k)
				continue
			}
			if it := r.item(raw, path+"."+k, typ, version); it != nil {
				rule.Items = append(rule.Items, it)
			}
		}
		return rule
	case ruleGeo:
		list = "Locations"
	case ruleGeoproximity:
		list = "GeoproximityLocations"
	case ruleLatency:
		list = "Regions"
	case ruleMultivalue, ruleWeighted:
		list = "Items"
	default:
		r.fail(join(path, "RuleType"), "%q is not a rule type; use failover, geo, geoproximity, latency, multivalue or weighted", typ)
		return nil
	}
	r.keys(obj, path, "RuleType", list)
	raw, ok = obj[list]
	if !ok || isNull(raw) {
		r.fail(path, "a %s rule needs %s", typ, list)
		return rule
	}
	elems, ok := r.array(raw, join(path, list))
	if !ok {
		return rule
	}
	if len(elems) == 0 {
		r.fail(join(path, list), "a %s rule needs at least one entry", typ)
	}
	for i, e := range elems {
		if it := r.item(e, fmt.Sprintf("%s.%s[%d]", path, list, i), typ, version); it != nil {
			rule.Items = append(rule.Items, it)
		}
	}
	return rule
}

// item reads one entry of a rule; the checks that need the whole document
// (references, ranges that depend on the type) are in policycheck.go.
func (r *docReader) item(raw json.RawMessage, path, ruleType, version string) *tfItem {
	obj, ok := r.object(raw, path)
	if !ok {
		return nil
	}
	fields := itemFields[ruleType]
	if ruleType == ruleGeoproximity && version == formatVersion2023 {
		fields = geoproximityFields2023
	}
	r.keys(obj, path, fields...)
	it := &tfItem{Path: path}
	ep, hasEP := r.str(obj, "EndpointReference", path)
	var rr string
	var hasRR bool
	if ruleType != ruleMultivalue { // there, RuleReference is an unknown field
		rr, hasRR = r.str(obj, "RuleReference", path)
	}
	switch {
	case hasEP && hasRR:
		r.fail(path, "give either EndpointReference or RuleReference, not both")
	case !hasEP && !hasRR:
		if ruleType == ruleMultivalue {
			r.fail(path, "missing EndpointReference")
		} else {
			r.fail(path, "missing EndpointReference or RuleReference")
		}
	}
	it.EndpointRef, it.RuleRef = ep, rr
	it.EvaluateTargetHealth, _ = r.boolean(obj, "EvaluateTargetHealth", path)
	it.HealthCheck, _ = r.str(obj, "HealthCheck", path)
	switch ruleType {
	case ruleWeighted:
		var valid bool
		it.Weight, it.hasWeight, valid = r.integer(obj, "Weight", path, 0, 255)
		if !it.hasWeight {
			r.fail(path, "missing Weight (0 to 255)")
		}
		if !valid {
			it.hasWeight = false
		}
	case ruleLatency:
		it.Region, it.hasRegion = r.str(obj, "Region", path)
		if !it.hasRegion {
			r.fail(path, "missing Region: the AWS region of the resource, such as us-east-1")
		}
	case ruleGeo:
		it.IsDefault, it.hasIsDefault = r.boolean(obj, "IsDefault", path)
		it.Continent, _ = r.str(obj, "Continent", path)
		it.Country, _ = r.str(obj, "Country", path)
		it.Subdivision, _ = r.str(obj, "Subdivision", path)
	case ruleGeoproximity:
		it.Bias, _, _ = r.integer(obj, "Bias", path, -99, 99)
		if version == formatVersion2023 {
			r.location2023(obj, path, it)
		} else {
			r.location2015(obj, path, it)
		}
	}
	return it
}

// location2015 reads Region ("aws:route53:<region>") or Latitude and
// Longitude of a geoproximity location.
func (r *docReader) location2015(obj jsonObject, path string, it *tfItem) {
	region, hasRegion := r.str(obj, "Region", path)
	_, hasLat := obj["Latitude"]
	_, hasLon := obj["Longitude"]
	switch {
	case hasRegion && (hasLat || hasLon):
		r.fail(path, "give either Region or Latitude and Longitude, not both")
	case hasRegion:
		it.ProxRegionField = "Region"
		code, ok := strings.CutPrefix(region, "aws:route53:")
		switch {
		case !ok:
			r.fail(join(path, "Region"), "%q: write the region as aws:route53:<region code>, for example aws:route53:us-east-1", region)
		case !isRegion(code):
			r.fail(join(path, "Region"), "%q is not an AWS region; use one of %s", code, regionCodes())
		default:
			it.ProxRegion = code
		}
	case hasLat || hasLon:
		lat, latPresent, latOK := r.coordinate(obj, "Latitude", path, 90)
		lon, lonPresent, lonOK := r.coordinate(obj, "Longitude", path, 180)
		if !latPresent || !lonPresent {
			r.fail(path, "give both Latitude and Longitude")
		}
		if latOK && lonOK {
			it.Latitude, it.Longitude, it.hasCoordinates = lat, lon, true
		}
	default:
		r.fail(path, "missing Region, or Latitude and Longitude: where the resource is")
	}
}

// location2023 reads the Location object of format 2023-05-09: a Region,
// a LocalZone (placed at its parent region) or a Coordinate.
func (r *docReader) location2023(obj jsonObject, path string, it *tfItem) {
	raw, ok := obj["Location"]
	if !ok || isNull(raw) {
		r.fail(path, "missing Location: where the resource is")
		return
	}
	lp := join(path, "Location")
	loc, ok := r.object(raw, lp)
	if !ok {
		return
	}
	typ, _ := r.str(loc, "Type", lp)
	switch typ {
	case "Region", "LocalZone":
		r.keys(loc, lp, "Type", "LocationName")
		name, present := r.str(loc, "LocationName", lp)
		if !present {
			r.fail(lp, "missing LocationName")
			return
		}
		it.ProxRegionField = "Location.LocationName"
		code, ok := strings.CutPrefix(name, "aws:route53:")
		if !ok {
			r.fail(join(lp, "LocationName"), "%q: write it as aws:route53:<name>, for example aws:route53:us-east-1", name)
			return
		}
		if typ == "Region" {
			if !isRegion(code) {
				r.fail(join(lp, "LocationName"), "%q is not an AWS region; use one of %s", code, regionCodes())
				return
			}
			it.ProxRegion = code
			return
		}
		parent, ok := localZoneParent(code)
		if !ok || !localZoneName.MatchString(code) {
			r.fail(join(lp, "LocationName"), "%q is not a Local Zone of a known region (for example us-east-1-atl-1a)", code)
			return
		}
		it.ProxRegion = parent.Code
	case "Coordinate":
		r.keys(loc, lp, "Type", "Latitude", "Longitude")
		lat, latPresent, latOK := r.coordinate(loc, "Latitude", lp, 90)
		lon, lonPresent, lonOK := r.coordinate(loc, "Longitude", lp, 180)
		if !latPresent || !lonPresent {
			r.fail(lp, "give both Latitude and Longitude")
		}
		if latOK && lonOK {
			it.Latitude, it.Longitude, it.hasCoordinates = lat, lon, true
		}
	default:
		r.fail(join(lp, "Type"), "%q: use Region, LocalZone or Coordinate", typ)
	}
}

// localZoneName is the shape of a Local Zone ("us-east-1-atl-1a") or Local
// Zone group ("us-west-2-lax-1") name: a region, a location code, a number.
var localZoneName = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]+-[a-z]+-[0-9]+[a-z]?$`)

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
