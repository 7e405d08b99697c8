package route53

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// This file decides whether Route 53 accepts a traffic policy document, from
// the Route 53 API reference (CreateTrafficPolicy, CreateTrafficPolicyVersion
// and "Traffic Policy Document Format") and the Developer Guide pages the
// format refers to for the records Traffic Flow creates (ResourceRecordSet
// Type, Weight, Region, GeoLocation and MultiValueAnswer; AliasTarget
// EvaluateTargetHealth).
//
// What Route 53 accepts although it may not be what the author meant is
// accepted here too: rules and endpoints the start does not reach, a
// weighted rule whose weights are all 0 (traffic is then shared equally),
// and ids made of any characters.

// routedRecordTypes are the types a record with a routing policy may have
// (ResourceRecordSet Type: "Values for weighted, latency, geolocation, and
// failover resource record sets"); Traffic Flow creates such records.
var routedRecordTypes = map[string]bool{
	"A": true, "AAAA": true, "CAA": true, "CNAME": true, "MX": true, "NAPTR": true, "PTR": true,
	"SPF": true, "SRV": true, "TXT": true, "TLSA": true, "SSHFP": true, "SVCB": true, "HTTPS": true,
}

const routedRecordTypeList = "A, AAAA, CAA, CNAME, MX, NAPTR, PTR, SPF, SRV, TXT, TLSA, SSHFP, SVCB or HTTPS"

// aliasRecordTypes are the record types each alias endpoint type can answer
// (Traffic Policy Document Format, RecordType).
var aliasRecordTypes = map[string][]string{
	endpointCloudFront: {"A", "AAAA"},
	endpointALB:        {"A", "AAAA"},
	endpointCLB:        {"A", "AAAA"},
	endpointNLB:        {"A", "AAAA"},
	endpointBeanstalk:  {"A", "AAAA"},
	endpointS3Website:  {"A"},
}

// validateDocument checks a document as CreateTrafficPolicy and
// CreateTrafficPolicyVersion do: InvalidInput for the request's own
// constraints, InvalidTrafficPolicyDocument listing every problem of the
// document.
func validateDocument(document string) (*tfDocument, *core.APIError) {
	if document == "" {
		return nil, invalidInput("Invalid request: Missing field 'Document'")
	}
	if n := utf8.RuneCountInString(document); n > maxDocumentLength {
		return nil, invalidInput("1 validation error detected: Value at 'document' failed to satisfy constraint: Member must have length less than or equal to %d", maxDocumentLength)
	}
	doc, problems := parseDocument(document)
	if doc != nil {
		problems = append(problems, checkDocument(doc)...)
	}
	if len(problems) > 0 {
		return nil, core.Errorf("InvalidTrafficPolicyDocument", "Invalid traffic policy document: %s", strings.Join(problems, " | "))
	}
	return doc, nil
}

// checkDocument checks what the parse could not: values, references and
// the shape of the rule graph.
func checkDocument(d *tfDocument) []string {
	c := &docReader{}
	switch d.FormatVersion {
	case formatVersion2015, formatVersion2023:
	case "":
		c.fail("", "missing AWSPolicyFormatVersion; use %s", formatVersion2015)
	default:
		c.fail("AWSPolicyFormatVersion", "%q is not a traffic policy format version; use %s or %s", d.FormatVersion, formatVersion2015, formatVersion2023)
	}
	recordTypeOK := routedRecordTypes[d.RecordType]
	switch {
	case d.RecordType == "":
		c.fail("", "missing RecordType, the DNS type of the records the policy creates (%s)", routedRecordTypeList)
	case !recordTypeOK:
		c.fail("RecordType", "%q is not a DNS type a traffic policy can create; use %s", d.RecordType, routedRecordTypeList)
	}
	if d.StartRule != "" && d.Rules[d.StartRule] == nil {
		c.fail("StartRule", "no rule %q in Rules", d.StartRule)
	}
	if d.StartEndpoint != "" && d.Endpoints[d.StartEndpoint] == nil {
		c.fail("StartEndpoint", "no endpoint %q in Endpoints", d.StartEndpoint)
	}
	for _, id := range sortedKeys(d.Endpoints) {
		checkEndpoint(c, d, id, recordTypeOK)
	}
	for _, id := range sortedKeys(d.Rules) {
		checkRule(c, d, id)
	}
	checkCycles(c, d)
	return c.problems
}

func checkEndpoint(c *docReader, d *tfDocument, id string, recordTypeOK bool) {
	path := "Endpoints." + id
	ep := d.Endpoints[id]
	if id == "" {
		c.fail("Endpoints", "an endpoint id is empty")
	}
	switch ep.Type {
	case "":
		c.fail(path, "missing Type")
		return
	case endpointValue, endpointCloudFront, endpointALB, endpointCLB, endpointNLB, endpointBeanstalk, endpointS3Website:
	default:
		c.fail(join(path, "Type"), "%q is not an endpoint type; use value, cloudfront, application-load-balancer, elastic-load-balancer, network-load-balancer, elastic-beanstalk or s3-website", ep.Type)
		return
	}
	if ep.Value == "" {
		c.fail(path, "missing Value")
	}
	if ep.Type == endpointS3Website {
		switch {
		case ep.Region == "":
			c.fail(path, "an s3-website endpoint needs the Region of its bucket")
		case !isRegion(ep.Region):
			c.fail(join(path, "Region"), "%q is not an AWS region; use one of %s", ep.Region, regionCodes())
		}
	} else if ep.Region != "" {
		c.fail(join(path, "Region"), "only s3-website endpoints take a Region")
	}
	if ep.Value == "" || !recordTypeOK {
		return
	}
	if ep.Type == endpointValue {
		if msg := checkValue(d.RecordType, ep.Value); msg != "" {
			c.fail(join(path, "Value"), "%q is not a valid %s value: %s", ep.Value, d.RecordType, msg)
		}
		return
	}
	if types := aliasRecordTypes[ep.Type]; !containsString(types, d.RecordType) {
		c.fail(path, "a %s endpoint answers records of type %s, not %s", ep.Type, strings.Join(types, " or "), d.RecordType)
	}
	if _, ok := normalizeName(ep.Value); !ok || strings.ContainsAny(ep.Value, " \t") {
		c.fail(join(path, "Value"), "%q is not a DNS name", ep.Value)
	}
}

func checkRule(c *docReader, d *tfDocument, id string) {
	path := "Rules." + id
	if id == "" {
		c.fail("Rules", "a rule id is empty")
	}
	rule := d.Rules[id]
	if rule.Type == ruleMultivalue && d.RecordType == "CNAME" {
		c.fail(path, "a multivalue rule cannot create CNAME records")
	}
	for _, it := range rule.Items {
		checkItem(c, d, rule, it)
	}
	switch rule.Type {
	case ruleLatency:
		seen := map[string]string{}
		for _, it := range rule.Items {
			if !it.hasRegion {
				continue // reported as missing
			}
			if !isRegion(it.Region) {
				c.fail(join(it.Path, "Region"), "%q is not an AWS region; use one of %s", it.Region, regionCodes())
				continue
			}
			if first, dup := seen[it.Region]; dup {
				c.fail(join(it.Path, "Region"), "%s already has region %s: a latency rule has one entry per region", first, it.Region)
				continue
			}
			seen[it.Region] = it.Path
		}
	case ruleGeo:
		checkGeo(c, rule)
	}
}

func checkItem(c *docReader, d *tfDocument, rule *tfRule, it *tfItem) {
	if it.RuleRef != "" && d.Rules[it.RuleRef] == nil {
		c.fail(join(it.Path, "RuleReference"), "no rule %q in Rules", it.RuleRef)
	}
	if it.EndpointRef != "" {
		ep := d.Endpoints[it.EndpointRef]
		switch {
		case ep == nil:
			c.fail(join(it.Path, "EndpointReference"), "no endpoint %q in Endpoints", it.EndpointRef)
		case rule.Type == ruleMultivalue && ep.Type != endpointValue && ep.Type != "":
			c.fail(it.Path, "a multivalue rule routes to value endpoints only; endpoint %q is %s (Route 53 has no multivalue alias records)", it.EndpointRef, ep.Type)
		case ep.Type == endpointCloudFront && it.EvaluateTargetHealth:
			c.fail(join(it.Path, "EvaluateTargetHealth"), "cannot be true for CloudFront endpoint %q", it.EndpointRef)
		}
	}
	// A health check id is at most 64 characters (ResourceRecordSet
	// HealthCheckId); an empty one is no health check. Whether the health
	// check exists is checked when a policy record is created.
	if len(it.HealthCheck) > maxHealthCheckLength {
		c.fail(join(it.Path, "HealthCheck"), "%q is longer than %d characters", it.HealthCheck, maxHealthCheckLength)
	}
}

// checkGeo checks the locations of a geo rule: each is a continent, a
// country (with a US state as Subdivision), or the default (IsDefault, or
// Country "*"), and appears once ("You can't create two geolocation resource
// record sets that specify the same geographic location", ResourceRecordSet
// GeoLocation). Geoproximity locations may repeat: nothing forbids it.
func checkGeo(c *docReader, rule *tfRule) {
	seen := map[string]string{}
	for _, it := range rule.Items {
		key, ok := geoKey(c, it)
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			if key == "default" {
				c.fail(it.Path, "%s is already the default location: a geo rule has one", first)
			} else {
				c.fail(it.Path, "%s already has the location %s", first, key)
			}
			continue
		}
		seen[key] = it.Path
	}
}

// geoKey names the location of a geo entry ("default", "continent EU",
// "country FR", "subdivision US-VA"), reporting problems.
func geoKey(c *docReader, it *tfItem) (string, bool) {
	isDefault := it.IsDefault || it.Country == "*"
	switch {
	case it.Country == "*" && (it.Continent != "" || it.Subdivision != ""):
		c.fail(it.Path, "Country \"*\" is the default location: give no Continent or Subdivision with it")
		return "", false
	case it.IsDefault && (it.Continent != "" || (it.Country != "" && it.Country != "*") || it.Subdivision != ""):
		c.fail(join(it.Path, "IsDefault"), "the default location takes no Continent, Country or Subdivision")
		return "", false
	case it.hasIsDefault && !it.IsDefault && it.Country == "*":
		c.fail(join(it.Path, "IsDefault"), "Country \"*\" is the default location; IsDefault cannot be false")
		return "", false
	case isDefault:
		return "default", true
	case it.Continent != "" && (it.Country != "" || it.Subdivision != ""):
		c.fail(it.Path, "give either Continent or Country, not both")
		return "", false
	case it.Continent != "":
		if !isContinent(it.Continent) {
			c.fail(join(it.Path, "Continent"), "%q is not a continent code; use AF, AN, AS, EU, NA, OC or SA", it.Continent)
			return "", false
		}
		return "continent " + it.Continent, true
	case it.Country == "":
		if it.Subdivision != "" {
			c.fail(it.Path, "a Subdivision needs its Country")
		} else {
			c.fail(it.Path, "missing the location: give Continent, Country, or IsDefault true")
		}
		return "", false
	case !isCountry(it.Country):
		c.fail(join(it.Path, "Country"), "%q is not a country code Route 53 supports (ISO 3166-1 alpha-2, or * for the default)", it.Country)
		return "", false
	case it.Subdivision == "":
		return "country " + it.Country, true
	case it.Country != "US":
		c.fail(join(it.Path, "Subdivision"), "Route 53 supports subdivisions for the United States (US) only, not %s", it.Country)
		return "", false
	case !usStates[it.Subdivision]:
		c.fail(join(it.Path, "Subdivision"), "%q is not a US state code", it.Subdivision)
		return "", false
	}
	return "subdivision US-" + it.Subdivision, true
}

// checkCycles reports rules that reach themselves: Traffic Flow builds a
// tree of records, and a record cannot be its own alias target.
func checkCycles(c *docReader, d *tfDocument) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var reported = map[string]bool{}
	var visit func(id string, stack []string)
	visit = func(id string, stack []string) {
		state[id] = visiting
		stack = append(stack, id)
		rule := d.Rules[id]
		for _, it := range rule.Items {
			next := it.RuleRef
			if next == "" || d.Rules[next] == nil {
				continue
			}
			switch state[next] {
			case visiting:
				start := 0
				for i, s := range stack {
					if s == next {
						start = i
					}
				}
				loop := append(append([]string(nil), stack[start:]...), next)
				if !reported[next] {
					reported[next] = true
					quoted := make([]string, len(loop))
					for i, s := range loop {
						quoted[i] = strconv.Quote(s)
					}
					c.fail("Rules."+next, "the rules form a loop (%s); a rule cannot route back to itself", strings.Join(quoted, " -> "))
				}
			case unvisited:
				visit(next, stack)
			}
		}
		state[id] = done
	}
	for _, id := range sortedKeys(d.Rules) {
		if state[id] == unvisited {
			visit(id, nil)
		}
	}
}
