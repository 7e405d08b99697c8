package difftest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// mutation changes one thing in a valid document. Most make it invalid; a
// few make something AWS accepts but the provider may not (unreachable parts,
// all-zero weights, the 2023-05-09 format, a region outside the commercial
// partition), which is exactly what the comparison is for. apply returns a
// description, or false when the document has nothing to mutate that way.
type mutation struct {
	name  string
	apply func(g *gen, doc object, clients []string) (string, bool)
}

// rulesOf returns the rules of a document by id (sorted ids).
func rulesOf(doc object) (object, []string) {
	rules, _ := doc["Rules"].(object)
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return rules, ids
}

func endpointsOf(doc object) (object, []string) {
	eps, _ := doc["Endpoints"].(object)
	ids := make([]string, 0, len(eps))
	for id := range eps {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return eps, ids
}

// itemList names the list of items of a rule type.
var itemList = map[string]string{"weighted": "Items", "multivalue": "Items", "latency": "Regions", "geo": "Locations", "geoproximity": "GeoproximityLocations"}

// items returns the entries of a rule (Primary and Secondary for failover).
func items(rule object) []object {
	if rule["RuleType"] == "failover" {
		var out []object
		for _, k := range []string{"Primary", "Secondary"} {
			if it, ok := rule[k].(object); ok {
				out = append(out, it)
			}
		}
		return out
	}
	typ, _ := rule["RuleType"].(string)
	list, _ := rule[itemList[typ]].([]any)
	out := make([]object, 0, len(list))
	for _, it := range list {
		if o, ok := it.(object); ok {
			out = append(out, o)
		}
	}
	return out
}

// ruleOfType picks a rule of one of the types, if any.
func ruleOfType(g *gen, doc object, types ...string) (string, object, bool) {
	rules, ids := rulesOf(doc)
	var match []string
	for _, id := range ids {
		r := rules[id].(object)
		for _, t := range types {
			if r["RuleType"] == t {
				match = append(match, id)
			}
		}
	}
	if len(match) == 0 {
		return "", nil, false
	}
	id := pick(g, match)
	return id, rules[id].(object), true
}

// anyItem picks an entry of any rule.
func anyItem(g *gen, doc object, types ...string) (string, object, bool) {
	if len(types) == 0 {
		types = []string{"weighted", "multivalue", "latency", "geo", "geoproximity", "failover"}
	}
	id, r, ok := ruleOfType(g, doc, types...)
	if !ok {
		return "", nil, false
	}
	its := items(r)
	if len(its) == 0 {
		return "", nil, false
	}
	return id, pick(g, its), true
}

var mutations = []mutation{
	{"weight out of range", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted")
		if !ok {
			return "", false
		}
		w := pick(g, []int{256, 900, 1000, -1, -100})
		it["Weight"] = g.number(w)
		return fmt.Sprintf("rule %s: Weight %d", id, w), true
	}},
	{"every weight out of range", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "weighted")
		if !ok {
			return "", false
		}
		for _, it := range items(r) {
			it["Weight"] = g.number(pick(g, []int{900, -100}))
		}
		return fmt.Sprintf("rule %s: every Weight out of range", id), true
	}},
	{"weight not a whole number", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted")
		if !ok {
			return "", false
		}
		v := pick(g, []any{"1.5", "abc", "", true, 2.5, []any{1}})
		it["Weight"] = v
		return fmt.Sprintf("rule %s: Weight %v", id, v), true
	}},
	{"weight missing", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted")
		if !ok {
			return "", false
		}
		delete(it, "Weight")
		return "rule " + id + ": an item without Weight", true
	}},
	{"every weight zero", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "weighted")
		if !ok {
			return "", false
		}
		for _, it := range items(r) {
			it["Weight"] = g.number(0)
		}
		return "rule " + id + ": every Weight 0", true
	}},
	{"bias out of range", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "geoproximity")
		if !ok {
			return "", false
		}
		b := pick(g, []int{100, -100, 150, 1000})
		it["Bias"] = g.number(b)
		return fmt.Sprintf("rule %s: Bias %d", id, b), true
	}},
	{"coordinates out of range or too precise", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "geoproximity")
		if !ok {
			return "", false
		}
		delete(it, "Region")
		lat, lon := pick(g, []string{"91", "-90.5", "45.123", "12.34", "1e1", "north"}), pick(g, []string{"181", "-180.01", "10.5", "7.777"})
		it["Latitude"], it["Longitude"] = lat, lon
		return fmt.Sprintf("rule %s: Latitude %s Longitude %s", id, lat, lon), true
	}},
	{"one coordinate", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "geoproximity")
		if !ok {
			return "", false
		}
		delete(it, "Region")
		delete(it, "Longitude")
		it["Latitude"] = "10.5"
		return "rule " + id + ": Latitude without Longitude", true
	}},
	{"region and coordinates", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "geoproximity")
		if !ok {
			return "", false
		}
		it["Region"], it["Latitude"], it["Longitude"] = "aws:route53:us-east-1", "10", "10"
		return "rule " + id + ": Region and coordinates", true
	}},
	{"geoproximity region without prefix or unknown", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "geoproximity")
		if !ok {
			return "", false
		}
		delete(it, "Latitude")
		delete(it, "Longitude")
		v := pick(g, []string{"us-east-1", "aws:route53:mars-1", "aws:route53:", "AWS:ROUTE53:us-east-1"})
		it["Region"] = v
		return "rule " + id + ": Region " + v, true
	}},
	{"broken endpoint reference", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc)
		if !ok {
			return "", false
		}
		delete(it, "RuleReference")
		it["EndpointReference"] = "nowhere"
		return "rule " + id + ": EndpointReference nowhere", true
	}},
	{"broken rule reference", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted", "latency", "geo", "geoproximity", "failover")
		if !ok {
			return "", false
		}
		delete(it, "EndpointReference")
		it["RuleReference"] = "missing-rule"
		return "rule " + id + ": RuleReference missing-rule", true
	}},
	{"reference to the wrong kind", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc)
		if !ok {
			return "", false
		}
		_, rids := rulesOf(doc)
		if ep, isEP := it["EndpointReference"].(string); isEP {
			it["EndpointReference"] = pick(g, rids)
			return fmt.Sprintf("rule %s: EndpointReference names rule (was %s)", id, ep), true
		}
		_, eids := endpointsOf(doc)
		it["RuleReference"] = pick(g, eids)
		return "rule " + id + ": RuleReference names an endpoint", true
	}},
	{"both references or none", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted", "latency", "geo", "geoproximity", "failover")
		if !ok {
			return "", false
		}
		if g.chance(0.5) {
			delete(it, "EndpointReference")
			delete(it, "RuleReference")
			return "rule " + id + ": an item without reference", true
		}
		_, eids := endpointsOf(doc)
		_, rids := rulesOf(doc)
		it["EndpointReference"], it["RuleReference"] = pick(g, eids), pick(g, rids)
		return "rule " + id + ": both references", true
	}},
	{"loop", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted", "latency", "geo", "geoproximity", "failover")
		if !ok {
			return "", false
		}
		delete(it, "EndpointReference")
		target := doc["StartRule"].(string)
		if g.chance(0.3) {
			target = id // itself
		}
		it["RuleReference"] = target
		return fmt.Sprintf("rule %s routes back to %s", id, target), true
	}},
	{"unknown field", func(g *gen, doc object, _ []string) (string, bool) {
		switch g.intn(4) {
		case 0:
			doc[pick(g, []string{"Comment", "TTL", "recordType", "StartRules"})] = "x"
			return "an unknown top-level field", true
		case 1:
			eps, eids := endpointsOf(doc)
			eps[pick(g, eids)].(object)[pick(g, []string{"Weight", "HealthCheck", "Name", "type"})] = "1"
			return "an unknown endpoint field", true
		case 2:
			id, r, ok := ruleOfType(g, doc, "weighted", "latency", "geo", "geoproximity", "failover", "multivalue")
			if !ok {
				return "", false
			}
			r[pick(g, []string{"Comment", "Items2", "GeoProximityLocations", "Primary2"})] = []any{}
			return "rule " + id + ": an unknown field", true
		default:
			id, it, ok := anyItem(g, doc)
			if !ok {
				return "", false
			}
			it[pick(g, []string{"Wieght", "Bias", "Region", "IsDefault", "Location", "HealthCheckId", "evaluateTargetHealth"})] = "1"
			return "rule " + id + ": an item with a field its rule type does not have", true
		}
	}},
	{"latency region twice", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "latency")
		if !ok {
			return "", false
		}
		its := items(r)
		it := object{"EndpointReference": firstEndpoint(doc), "Region": its[0]["Region"]}
		r["Regions"] = append(r["Regions"].([]any), it)
		return "rule " + id + ": a region twice", true
	}},
	{"unknown latency region", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "latency")
		if !ok {
			return "", false
		}
		v := pick(g, []string{"ap-mumbai-1", "US-EAST-1", "us-east-1 ", "", "eu-west-9"})
		it["Region"] = v
		return fmt.Sprintf("rule %s: Region %q", id, v), true
	}},
	{"region outside the commercial partition", func(g *gen, doc object, clients []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "latency")
		if !ok {
			return "", false
		}
		v := pick(g, []string{"cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", "eusc-de-east-1"})
		// Keep regions distinct, and in an order both latency models agree on.
		var regions []string
		for _, o := range items(mustRule(doc, id)) {
			r, _ := o["Region"].(string)
			if r == v {
				return "", false
			}
			if o["Region"] == it["Region"] {
				r = v
			}
			regions = append(regions, r)
		}
		if !latencyOrdersAgree(regions, clients) {
			return "", false
		}
		it["Region"] = v
		return fmt.Sprintf("rule %s: Region %s", id, v), true
	}},
	{"unknown rule type", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "weighted", "latency", "geo", "geoproximity", "failover", "multivalue")
		if !ok {
			return "", false
		}
		v := pick(g, []any{"Weighted", "random", "geolocation", "", nil})
		if v == nil {
			delete(r, "RuleType")
		} else {
			r["RuleType"] = v
		}
		return fmt.Sprintf("rule %s: RuleType %v", id, v), true
	}},
	{"rule type swapped", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "weighted", "latency", "geo", "geoproximity", "multivalue")
		if !ok {
			return "", false
		}
		old := r["RuleType"].(string)
		v := pick(g, []string{"weighted", "latency", "geo", "geoproximity", "multivalue", "failover"})
		if v == old || itemList[v] == itemList[old] && v != "multivalue" && old != "multivalue" {
			return "", false
		}
		r["RuleType"] = v
		return fmt.Sprintf("rule %s: RuleType %s with the fields of %s", id, v, old), true
	}},
	{"unknown endpoint type", func(g *gen, doc object, _ []string) (string, bool) {
		eps, eids := endpointsOf(doc)
		id := pick(g, eids)
		v := pick(g, []any{"ip", "alb", "Value", "", nil})
		if v == nil {
			delete(eps[id].(object), "Type")
		} else {
			eps[id].(object)["Type"] = v
		}
		return fmt.Sprintf("endpoint %s: Type %v", id, v), true
	}},
	{"value that does not fit the record type", func(g *gen, doc object, _ []string) (string, bool) {
		eps, eids := endpointsOf(doc)
		for _, id := range eids {
			ep := eps[id].(object)
			if ep["Type"] != "value" {
				continue
			}
			bad := map[string][]string{"A": {"2001:db8::1", "192.0.2.256", "host.example.com", "", "192.0.2"},
				"AAAA": {"192.0.2.1", "2001:db8::g", ""}, "CNAME": {"not a name", "", "a..b"}, "TXT": {"unquoted", `"open`},
				"MX": {"mx.example.com", "70000 mx.example.com", "10"}}[doc["RecordType"].(string)]
			v := pick(g, bad)
			ep["Value"] = v
			return fmt.Sprintf("endpoint %s: Value %q for %s", id, v, doc["RecordType"]), true
		}
		return "", false
	}},
	{"endpoint region misuse", func(g *gen, doc object, _ []string) (string, bool) {
		eps, eids := endpointsOf(doc)
		id := pick(g, eids)
		ep := eps[id].(object)
		if ep["Type"] == "s3-website" {
			v := pick(g, []any{nil, "mars-1"})
			if v == nil {
				delete(ep, "Region")
			} else {
				ep["Region"] = v
			}
			return fmt.Sprintf("endpoint %s: s3-website with Region %v", id, v), true
		}
		ep["Region"] = "us-east-1"
		return fmt.Sprintf("endpoint %s: Region on a %v endpoint", id, ep["Type"]), true
	}},
	{"alias endpoint with the wrong record type", func(g *gen, doc object, _ []string) (string, bool) {
		eps, eids := endpointsOf(doc)
		for _, id := range eids {
			ep := eps[id].(object)
			if ep["Type"] == "value" {
				continue
			}
			rt := pick(g, []string{"TXT", "CNAME", "MX", "AAAA"})
			if rt == "AAAA" && ep["Type"] != "s3-website" {
				continue
			}
			doc["RecordType"] = rt
			for _, other := range eids { // keep value endpoints valid for the new type
				if o := eps[other].(object); o["Type"] == "value" {
					o["Value"] = map[string]string{"TXT": `"t"`, "CNAME": "t.example.net", "MX": "10 mx.example.net", "AAAA": "2001:db8::1"}[rt]
				}
			}
			return fmt.Sprintf("endpoint %s: %v with RecordType %s", id, ep["Type"], rt), true
		}
		return "", false
	}},
	{"failover without one side", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "failover")
		if !ok {
			return "", false
		}
		k := pick(g, []string{"Primary", "Secondary"})
		delete(r, k)
		return "rule " + id + ": no " + k, true
	}},
	{"geo location problems", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "geo")
		if !ok {
			return "", false
		}
		list := r["Locations"].([]any)
		it := object{"EndpointReference": firstEndpoint(doc)}
		var desc string
		switch g.intn(7) {
		case 0:
			it["IsDefault"], desc = true, "two defaults"
			list = append(list, it, object{"EndpointReference": firstEndpoint(doc), "Country": "*"})
		case 1:
			it["Country"], desc = "XX", "country XX"
			list = append(list, it)
		case 2:
			it["Country"], it["Subdivision"], desc = "FR", "75", "a subdivision outside the US"
			list = append(list, it)
		case 3:
			it["Continent"], it["Country"], desc = "EU", "FR", "continent and country"
			list = append(list, it)
		case 4:
			desc = "a location without place"
			list = append(list, it)
		case 5:
			it["Continent"], desc = "EUROPE", "continent EUROPE"
			list = append(list, it)
		default:
			it["Country"], it["Subdivision"], desc = "US", "ZZ", "state ZZ"
			list = append(list, it)
		}
		r["Locations"] = list
		return "rule " + id + ": " + desc, true
	}},
	{"geo location twice", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "geo")
		if !ok {
			return "", false
		}
		its := items(r)
		dup := object{"EndpointReference": firstEndpoint(doc)}
		for _, k := range []string{"Country", "Continent", "Subdivision", "IsDefault"} {
			if v, ok := its[0][k]; ok {
				dup[k] = v
			}
		}
		if isFalse(dup["IsDefault"]) && dup["Country"] == nil && dup["Continent"] == nil {
			return "", false
		}
		r["Locations"] = append(r["Locations"].([]any), dup)
		return "rule " + id + ": a location twice", true
	}},
	{"empty item list", func(g *gen, doc object, _ []string) (string, bool) {
		id, r, ok := ruleOfType(g, doc, "weighted", "latency", "geo", "geoproximity", "multivalue")
		if !ok {
			return "", false
		}
		k := itemList[r["RuleType"].(string)]
		if g.chance(0.5) {
			r[k] = []any{}
		} else {
			delete(r, k)
		}
		return "rule " + id + ": no " + k, true
	}},
	{"multivalue to a rule or an alias", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "multivalue")
		if !ok {
			return "", false
		}
		_, rids := rulesOf(doc)
		if g.chance(0.5) && len(rids) > 1 {
			delete(it, "EndpointReference")
			it["RuleReference"] = pick(g, rids)
			return "rule " + id + ": multivalue item with RuleReference", true
		}
		if g.chance(0.5) {
			it["EvaluateTargetHealth"] = true
			return "rule " + id + ": multivalue item with EvaluateTargetHealth", true
		}
		eps, _ := endpointsOf(doc)
		eps["lb-extra"] = object{"Type": "application-load-balancer", "Value": "lb.us-east-1.elb.amazonaws.com"}
		it["EndpointReference"] = "lb-extra"
		return "rule " + id + ": multivalue item to a load balancer", true
	}},
	{"start problems", func(g *gen, doc object, _ []string) (string, bool) {
		switch g.intn(4) {
		case 0:
			_, eids := endpointsOf(doc)
			doc["StartEndpoint"] = eids[0]
			if doc["StartRule"] == nil {
				doc["StartRule"] = "r-missing"
			}
			return "both StartRule and StartEndpoint", true
		case 1:
			delete(doc, "StartRule")
			delete(doc, "StartEndpoint")
			return "no start", true
		case 2:
			if _, isRule := doc["StartRule"]; isRule {
				doc["StartRule"] = "nope"
			} else {
				doc["StartEndpoint"] = "nope"
			}
			return "a start that does not exist", true
		default:
			if _, isRule := doc["StartRule"]; isRule {
				_, eids := endpointsOf(doc)
				doc["StartRule"] = eids[0]
				return "StartRule names an endpoint", true
			}
			return "", false
		}
	}},
	{"top-level values", func(g *gen, doc object, _ []string) (string, bool) {
		switch g.intn(5) {
		case 0:
			v := pick(g, []any{"2016-01-01", "", "2015-10-1", nil, 20151001})
			if v == nil {
				delete(doc, "AWSPolicyFormatVersion")
			} else {
				doc["AWSPolicyFormatVersion"] = v
			}
			return fmt.Sprintf("AWSPolicyFormatVersion %v", v), true
		case 1:
			v := pick(g, []any{"NS", "SOA", "a", "BOGUS", "DS", nil})
			if v == nil {
				delete(doc, "RecordType")
			} else {
				doc["RecordType"] = v
			}
			return fmt.Sprintf("RecordType %v", v), true
		case 2:
			doc["Endpoints"] = pick(g, []any{[]any{}, "x", 1})
			return "Endpoints not an object", true
		case 3:
			doc["Rules"] = pick(g, []any{[]any{}, "x", true})
			return "Rules not an object", true
		default:
			doc["__raw"] = pick(g, []string{`{"AWSPolicyFormatVersion":"2015-10-01",`, `[]`, `"text"`, ``, `{}`, `null`})
			return "not a JSON object", true
		}
	}},
	{"format 2023-05-09", func(g *gen, doc object, _ []string) (string, bool) {
		doc["AWSPolicyFormatVersion"] = "2023-05-09"
		// Geoproximity entries in the 2023 form when asked.
		if g.chance(0.5) {
			for _, id := range sortedRuleIDs(doc, "geoproximity") {
				for _, it := range items(mustRule(doc, id)) {
					if r, ok := it["Region"].(string); ok {
						delete(it, "Region")
						it["Location"] = object{"Type": "Region", "LocationName": r}
						if g.chance(0.3) { // a Local Zone of the region, placed at the region
							it["Location"] = object{"Type": "LocalZone", "LocationName": r + pick(g, []string{"-atl-1a", "-lax-1", "-den-1b"})}
						}
					} else if lat, ok := it["Latitude"]; ok {
						lon := it["Longitude"]
						delete(it, "Latitude")
						delete(it, "Longitude")
						it["Location"] = object{"Type": "Coordinate", "Latitude": lat, "Longitude": lon}
					}
				}
			}
			return "AWSPolicyFormatVersion 2023-05-09, geoproximity locations as Location", true
		}
		return "AWSPolicyFormatVersion 2023-05-09", true
	}},
	{"unreachable rule or endpoint", func(g *gen, doc object, _ []string) (string, bool) {
		eps, _ := endpointsOf(doc)
		if g.chance(0.5) || doc["Rules"] == nil {
			eps["spare"] = object{"Type": "value", "Value": spareValue(doc)}
			return "an endpoint nothing references", true
		}
		rules, _ := rulesOf(doc)
		rules["spare-rule"] = object{"RuleType": "failover", "Primary": object{"EndpointReference": firstEndpoint(doc)}, "Secondary": object{"EndpointReference": firstEndpoint(doc)}}
		return "a rule nothing references", true
	}},
	{"ids outside the provider's character set", func(g *gen, doc object, _ []string) (string, bool) {
		eps, eids := endpointsOf(doc)
		id := pick(g, eids)
		nid := pick(g, []string{"my endpoint", "ép-1", "a/b", "x:y", strings.Repeat("e", 130), ""})
		eps[nid] = eps[id]
		delete(eps, id)
		renameRefs(doc, "EndpointReference", id, nid)
		if doc["StartEndpoint"] == id {
			doc["StartEndpoint"] = nid
		}
		return fmt.Sprintf("endpoint %s renamed %q", id, nid), true
	}},
	{"health check id forms", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc)
		if !ok {
			return "", false
		}
		v := pick(g, []string{"hc-1", "", "11111111-2222-3333-4444-55555555555", strings.Repeat("a", 65), "ABCDEF01-2345-6789-ABCD-EF0123456789"})
		it["HealthCheck"] = v
		return fmt.Sprintf("rule %s: HealthCheck %q", id, v), true
	}},
	{"EvaluateTargetHealth misuse", func(g *gen, doc object, _ []string) (string, bool) {
		id, it, ok := anyItem(g, doc, "weighted", "latency", "geo", "geoproximity", "failover")
		if !ok {
			return "", false
		}
		if g.chance(0.5) {
			v := pick(g, []any{"yes", 1, "TRUE", "False", object{}})
			it["EvaluateTargetHealth"] = v
			return fmt.Sprintf("rule %s: EvaluateTargetHealth %v", id, v), true
		}
		eps, _ := endpointsOf(doc)
		if doc["RecordType"] != "A" && doc["RecordType"] != "AAAA" {
			return "", false
		}
		eps["cf-extra"] = object{"Type": "cloudfront", "Value": "d9999abcdef8.cloudfront.net"}
		delete(it, "RuleReference")
		it["EndpointReference"] = "cf-extra"
		it["EvaluateTargetHealth"] = true
		return "rule " + id + ": EvaluateTargetHealth on a CloudFront endpoint", true
	}},
	{"size limit", func(g *gen, doc object, _ []string) (string, bool) {
		// Pad the document with whitespace to just under or just over
		// 102,400 characters (whitespace between JSON tokens is allowed).
		over := g.chance(0.5)
		b := mustJSON(doc)
		target := 102400 - 1
		if over {
			target = 102400 + 1
		}
		if len(b) >= target {
			return "", false
		}
		doc["__raw"] = b[:len(b)-1] + strings.Repeat(" ", target-len(b)) + "}"
		if over {
			return "document of 102,401 characters", true
		}
		return "document of 102,399 characters", true
	}},
}

func mustJSON(doc object) string {
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func mustRule(doc object, id string) object {
	rules, _ := rulesOf(doc)
	return rules[id].(object)
}

func sortedRuleIDs(doc object, typ string) []string {
	rules, ids := rulesOf(doc)
	var out []string
	for _, id := range ids {
		if rules[id].(object)["RuleType"] == typ {
			out = append(out, id)
		}
	}
	return out
}

func firstEndpoint(doc object) string {
	_, eids := endpointsOf(doc)
	return eids[0]
}

func isFalse(v any) bool { return v == false || v == "false" }

func spareValue(doc object) string {
	return map[string]string{"A": "192.0.2.200", "AAAA": "2001:db8::200", "CNAME": "spare.example.net", "TXT": `"spare"`, "MX": "10 spare.example.net"}[doc["RecordType"].(string)]
}

func renameRefs(doc object, key, from, to string) {
	rules, ids := rulesOf(doc)
	for _, id := range ids {
		for _, it := range items(rules[id].(object)) {
			if it[key] == from {
				it[key] = to
			}
		}
	}
}
