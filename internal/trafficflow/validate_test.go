package trafficflow

import (
	"fmt"
	"strings"
	"testing"
)

// single returns a StartEndpoint document with one value endpoint.
func single(rt RecordType, value string) *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: rt, StartEndpoint: "e",
		Endpoints: map[string]Endpoint{"e": {Type: EndpointValue, Value: value}}}
}

func failoverDoc() *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "fo",
		Endpoints: valueEndpoints(map[string]string{"p": "192.0.2.1", "s": "192.0.2.2"}),
		Rules: map[string]Rule{"fo": {RuleType: RuleFailover,
			Primary:   &Reference{EndpointReference: "p", HealthCheck: hcOther},
			Secondary: &Reference{EndpointReference: "s"},
		}},
	}
}

func multivalueDoc() *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "mv",
		Endpoints: valueEndpoints(map[string]string{"a": "192.0.2.1", "b": "192.0.2.2"}),
		Rules: map[string]Rule{"mv": {RuleType: RuleMultivalue, Items: []Item{
			{Reference: Reference{EndpointReference: "a", HealthCheck: hcOther}},
			{Reference: Reference{EndpointReference: "b"}},
		}}},
	}
}

func geoDoc() *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "geo",
		Endpoints: valueEndpoints(map[string]string{"in": "192.0.2.1", "eu": "192.0.2.2", "wa": "192.0.2.3", "any": "192.0.2.4"}),
		Rules: map[string]Rule{"geo": {RuleType: RuleGeo, Locations: []GeoLocation{
			{Reference: Reference{EndpointReference: "in"}, Country: "IN"},
			{Reference: Reference{EndpointReference: "eu"}, Continent: "EU"},
			{Reference: Reference{EndpointReference: "wa"}, Country: "US", Subdivision: "WA"},
			{Reference: Reference{EndpointReference: "any"}, Country: "*"},
		}}},
	}
}

func geoproximityDoc() *Document {
	return &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "gp",
		Endpoints: valueEndpoints(map[string]string{"aws": "192.0.2.1", "dc": "192.0.2.2"}),
		Rules: map[string]Rule{"gp": {RuleType: RuleGeoproximity, GeoproximityLocations: []GeoproximityLocation{
			{Reference: Reference{EndpointReference: "aws"}, Region: "aws:route53:ap-south-1", Bias: Int(10)},
			{Reference: Reference{EndpointReference: "dc"}, Latitude: "51.50", Longitude: "-0.16"},
		}}},
	}
}

// geoproximity2023Doc is a 2023-05-09 document whose geoproximity entries
// are a region, a Local Zone and coordinates.
func geoproximity2023Doc() *Document {
	return &Document{FormatVersion: FormatVersion2023, RecordType: RecordTypeA, StartRule: "gp",
		Endpoints: valueEndpoints(map[string]string{"aws": "192.0.2.1", "atl": "192.0.2.2", "dc": "192.0.2.3"}),
		Rules: map[string]Rule{"gp": {RuleType: RuleGeoproximity, GeoproximityLocations: []GeoproximityLocation{
			{Reference: Reference{EndpointReference: "aws"}, Location: &Location{Type: LocationRegion, LocationName: "aws:route53:ap-south-1"}, Bias: Int(10)},
			{Reference: Reference{EndpointReference: "atl"}, Location: &Location{Type: LocationLocalZone, LocationName: "aws:route53:us-east-1-atl-1a"}},
			{Reference: Reference{EndpointReference: "dc"}, Location: &Location{Type: LocationCoordinate, Latitude: "51.50", Longitude: "-0.16"}},
		}}},
	}
}

func TestValidateAccepts(t *testing.T) {
	cases := map[string]*Document{
		"seed 100/0":      seedRollout(t, 100, 0),
		"seed 90/10":      seedRollout(t, 90, 10),
		"seed 0/100":      seedRollout(t, 0, 100),
		"every rule type": everyRuleType(),
		"failover":        failoverDoc(),
		"multivalue":      multivalueDoc(),
		"geo":             geoDoc(),
		"geoproximity":    geoproximityDoc(),
		"2023-05-09":      geoproximity2023Doc(),
		"A":               single(RecordTypeA, "192.0.2.10"),
		"AAAA":            single(RecordTypeAAAA, "2001:db8::10"),
		"CNAME":           single(RecordTypeCNAME, "www.example.com"),
		"CNAME trailing":  single(RecordTypeCNAME, "www.example.com."),
		"PTR":             single(RecordTypePTR, "host.example.com"),
		"MX":              single(RecordTypeMX, "10 mail.example.com"),
		"SRV":             single(RecordTypeSRV, "1 10 5269 xmpp.example.com"),
		"CAA":             single(RecordTypeCAA, `0 issue "amazon.com"`),
		"NAPTR":           single(RecordTypeNAPTR, `100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`),
		"TXT":             single(RecordTypeTXT, `"hello world" "second \"quoted\" string"`),
		"SPF":             single(RecordTypeSPF, `"v=spf1 ip4:192.0.2.0/24 -all"`),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := Validate(doc); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	type want struct {
		scope Scope
		id    string
		field string // expected Problem.Field; "-" to skip the check
		code  Code
		text  string // substring of the message
	}
	seed := func(mutate func(d *Document)) func(t *testing.T) *Document {
		return func(t *testing.T) *Document {
			d := seedRollout(t, 90, 10)
			mutate(d)
			return d
		}
	}
	with := func(base func() *Document, mutate func(d *Document)) func(t *testing.T) *Document {
		return func(*testing.T) *Document {
			d := base()
			mutate(d)
			return d
		}
	}
	setItem := func(d *Document, rule string, i int, f func(*Item)) {
		r := d.Rules[rule]
		f(&r.Items[i])
		d.Rules[rule] = r
	}
	setRegion := func(d *Document, i int, f func(*LatencyRegion)) {
		r := d.Rules["latency"]
		f(&r.Regions[i])
		d.Rules["latency"] = r
	}
	cases := []struct {
		name string
		doc  func(t *testing.T) *Document
		want want
	}{
		{"all weights zero", seed(func(d *Document) {
			setItem(d, "split", 0, func(it *Item) { it.Weight = Int(0) })
			setItem(d, "split", 1, func(it *Item) { it.Weight = Int(0) })
		}), want{ScopeRule, "split", "", CodeWeight, "weighted rule needs at least one item with a non-zero weight"}},
		{"weight above 255", seed(func(d *Document) {
			setItem(d, "split", 0, func(it *Item) { it.Weight = Int(300) })
		}), want{ScopeRule, "split", "Items[0].Weight", CodeWeight, "weight 300 is out of range; use a value from 0 to 255"}},
		{"negative weight", seed(func(d *Document) {
			setItem(d, "split", 1, func(it *Item) { it.Weight = Int(-1) })
		}), want{ScopeRule, "split", "Items[1].Weight", CodeWeight, "out of range"}},
		{"multivalue item to an alias endpoint", with(multivalueDoc, func(d *Document) {
			d.Endpoints["a"] = Endpoint{Type: EndpointApplicationLoadBalancer, Value: albSingapore}
		}), want{ScopeRule, "mv", "Items[0].EndpointReference", CodeReference, "no multivalue alias records"}},
		{"EvaluateTargetHealth on a CloudFront endpoint", with(failoverDoc, func(d *Document) {
			d.Endpoints["s"] = Endpoint{Type: EndpointCloudFront, Value: "d111111abcdef8.cloudfront.net"}
			fo := d.Rules["fo"]
			fo.Secondary.EvaluateTargetHealth = Bool(true)
			d.Rules["fo"] = fo
		}), want{ScopeRule, "fo", "Secondary.EvaluateTargetHealth", CodeReference, "cannot evaluate the health of CloudFront"}},
		{"weight missing", seed(func(d *Document) {
			setItem(d, "split", 1, func(it *Item) { it.Weight = nil })
		}), want{ScopeRule, "split", "Items[1].Weight", CodeWeight, "missing"}},
		{"dangling endpoint reference", seed(func(d *Document) {
			setRegion(d, 1, func(l *LatencyRegion) { l.EndpointReference = "nowhere" })
		}), want{ScopeRule, "latency", "Regions[1].EndpointReference", CodeReference, `endpoint "nowhere" is not defined`}},
		{"dangling rule reference", seed(func(d *Document) {
			setItem(d, "split", 1, func(it *Item) { it.RuleReference = "latncy" })
		}), want{ScopeRule, "split", "Items[1].RuleReference", CodeReference, `rule "latncy" is not defined`}},
		{"endpoint reference naming a rule", seed(func(d *Document) {
			setItem(d, "split", 1, func(it *Item) { it.RuleReference, it.EndpointReference = "", "latency" })
		}), want{ScopeRule, "split", "Items[1].EndpointReference", CodeReference, "it names a rule; use RuleReference"}},
		{"both references", seed(func(d *Document) {
			setItem(d, "split", 0, func(it *Item) { it.RuleReference = "latency" })
		}), want{ScopeRule, "split", "Items[0]", CodeReference, "keep exactly one"}},
		{"no reference", seed(func(d *Document) {
			setItem(d, "split", 0, func(it *Item) { it.EndpointReference = "" })
		}), want{ScopeRule, "split", "Items[0]", CodeReference, "set EndpointReference or RuleReference"}},
		{"cycle", seed(func(d *Document) {
			setRegion(d, 1, func(l *LatencyRegion) { l.EndpointReference, l.RuleReference = "", "split" })
		}), want{ScopeRule, "latency", "", CodeCycle, "latency → split → latency"}},
		{"self reference", with(failoverDoc, func(d *Document) {
			d.Rules["fo"].Secondary.EndpointReference, d.Rules["fo"].Secondary.RuleReference = "", "fo"
		}), want{ScopeRule, "fo", "", CodeCycle, "references itself"}},
		{"unreachable endpoint", seed(func(d *Document) {
			d.Endpoints["orphan"] = Endpoint{Type: EndpointApplicationLoadBalancer, Value: "orphan.elb.amazonaws.com"}
		}), want{ScopeEndpoint, "orphan", "", CodeUnreachable, `not reachable from StartRule "split"`}},
		{"unreachable rule", seed(func(d *Document) {
			d.Rules["unused"] = Rule{RuleType: RuleWeighted, Items: []Item{{Reference: Reference{EndpointReference: "ap-south-1"}, Weight: Int(1)}}}
		}), want{ScopeRule, "unused", "", CodeUnreachable, "not reachable"}},
		{"unknown latency region", seed(func(d *Document) {
			setRegion(d, 0, func(l *LatencyRegion) { l.Region = "ap-southeast-9" })
		}), want{ScopeRule, "latency", "Regions[0].Region", CodeRegion, `"ap-southeast-9" is not a known AWS region`}},
		{"latency region missing", seed(func(d *Document) {
			setRegion(d, 0, func(l *LatencyRegion) { l.Region = "" })
		}), want{ScopeRule, "latency", "Regions[0].Region", CodeRegion, "missing"}},
		{"duplicate latency region", seed(func(d *Document) {
			setRegion(d, 1, func(l *LatencyRegion) { l.Region = "ap-southeast-1" })
		}), want{ScopeRule, "latency", "Regions[1].Region", CodeRegion, "already used by Regions[0]"}},
		{"failover without secondary", with(failoverDoc, func(d *Document) {
			r := d.Rules["fo"]
			r.Secondary = nil
			d.Rules["fo"] = r
			delete(d.Endpoints, "s")
		}), want{ScopeRule, "fo", "Secondary", CodeRuleShape, "needs both Primary and Secondary"}},
		{"failover with items", with(failoverDoc, func(d *Document) {
			r := d.Rules["fo"]
			r.Items = []Item{{Reference: Reference{EndpointReference: "p"}, Weight: Int(1)}}
			d.Rules["fo"] = r
		}), want{ScopeRule, "fo", "Items", CodeRuleShape, "failover rules do not use Items"}},
		{"multivalue referencing a rule", with(multivalueDoc, func(d *Document) {
			d.Rules["inner"] = Rule{RuleType: RuleWeighted, Items: []Item{{Reference: Reference{EndpointReference: "b"}, Weight: Int(1)}}}
			d.Rules["mv"].Items[1].EndpointReference, d.Rules["mv"].Items[1].RuleReference = "", "inner"
		}), want{ScopeRule, "mv", "Items[1].RuleReference", CodeReference, "multivalue rules can only reference endpoints"}},
		{"multivalue with weight", with(multivalueDoc, func(d *Document) {
			d.Rules["mv"].Items[0].Weight = Int(5)
		}), want{ScopeRule, "mv", "Items[0].Weight", CodeRuleShape, "multivalue items have no Weight"}},
		{"A record with an IPv6 value", with(failoverDoc, func(d *Document) {
			d.Endpoints["s"] = Endpoint{Type: EndpointValue, Value: "2001:db8::1"}
		}), want{ScopeEndpoint, "s", "Value", CodeRecordValue, "not an IPv4 address"}},
		{"AAAA record with an IPv4 value", func(*testing.T) *Document { return single(RecordTypeAAAA, "192.0.2.1") },
			want{ScopeEndpoint, "e", "Value", CodeRecordValue, "not an IPv6 address"}},
		{"MX without priority", func(*testing.T) *Document { return single(RecordTypeMX, "mail.example.com") },
			want{ScopeEndpoint, "e", "Value", CodeRecordValue, "not an MX value"}},
		{"TXT without quotes", func(*testing.T) *Document { return single(RecordTypeTXT, "hello") },
			want{ScopeEndpoint, "e", "Value", CodeRecordValue, "double quotes"}},
		{"empty value", func(*testing.T) *Document { return single(RecordTypeCNAME, "") },
			want{ScopeEndpoint, "e", "Value", CodeRecordValue, "Value is empty"}},
		{"load balancer with CNAME", seed(func(d *Document) { d.RecordType = RecordTypeCNAME }),
			want{ScopeEndpoint, "ap-southeast-1", "Type", CodeRecordType, "only work with RecordType A or AAAA, not CNAME"}},
		{"s3 website with AAAA", with(everyRuleType, func(d *Document) {
			d.RecordType = RecordTypeAAAA
			for _, id := range []string{"ip1", "ip2", "ip3", "ip4"} {
				d.Endpoints[id] = Endpoint{Type: EndpointValue, Value: "2001:db8::1"}
			}
		}), want{ScopeEndpoint, "banner", "Type", CodeRecordType, "s3-website endpoints are alias targets that only work with RecordType A"}},
		{"s3 website without region", with(everyRuleType, func(d *Document) {
			d.Endpoints["banner"] = Endpoint{Type: EndpointS3Website, Value: "www.example.com"}
		}), want{ScopeEndpoint, "banner", "Region", CodeRegion, "needs the AWS region the bucket was created in"}},
		{"region on a load balancer", seed(func(d *Document) {
			d.Endpoints["ap-south-1"] = Endpoint{Type: EndpointApplicationLoadBalancer, Region: "ap-south-1", Value: albMumbai}
		}), want{ScopeEndpoint, "ap-south-1", "Region", CodeEndpoint, "only used by s3-website endpoints"}},
		{"cloudfront value", with(everyRuleType, func(d *Document) {
			d.Endpoints["cdn"] = Endpoint{Type: EndpointCloudFront, Value: "cdn.example.com"}
		}), want{ScopeEndpoint, "cdn", "Value", CodeEndpoint, "not a CloudFront domain name"}},
		{"unknown endpoint type", seed(func(d *Document) {
			d.Endpoints["ap-south-1"] = Endpoint{Type: "alb", Value: albMumbai}
		}), want{ScopeEndpoint, "ap-south-1", "Type", CodeEndpoint, `"alb" is not an endpoint type`}},
		{"malformed health check id", seed(func(d *Document) {
			setItem(d, "split", 0, func(it *Item) { it.HealthCheck = "hc-0a1b2c3d" })
		}), want{ScopeRule, "split", "Items[0].HealthCheck", CodeHealthCheck, "not a Route 53 health check id"}},
		{"two geo defaults", with(geoDoc, func(d *Document) {
			d.Rules["geo"].Locations[1] = GeoLocation{Reference: Reference{EndpointReference: "eu"}, IsDefault: Bool(true)}
		}), want{ScopeRule, "geo", "Locations[3]", CodeGeo, "second default location"}},
		{"unknown country", with(geoDoc, func(d *Document) { d.Rules["geo"].Locations[0].Country = "XX" }),
			want{ScopeRule, "geo", "Locations[0].Country", CodeGeo, `"XX" is not a country code`}},
		{"subdivision outside the US", with(geoDoc, func(d *Document) { d.Rules["geo"].Locations[0].Subdivision = "MH" }),
			want{ScopeRule, "geo", "Locations[0].Subdivision", CodeGeo, `only supported for Country "US"`}},
		{"continent with country", with(geoDoc, func(d *Document) { d.Rules["geo"].Locations[1].Country = "FR" }),
			want{ScopeRule, "geo", "Locations[1]", CodeGeo, "Continent cannot be combined"}},
		{"duplicate geo location", with(geoDoc, func(d *Document) { d.Rules["geo"].Locations[2] = d.Rules["geo"].Locations[0] }),
			want{ScopeRule, "geo", "Locations[2]", CodeGeo, "country IN is already used by Locations[0]"}},
		{"empty geo location", with(geoDoc, func(d *Document) { d.Rules["geo"].Locations[1].Continent = "" }),
			want{ScopeRule, "geo", "Locations[1]", CodeGeo, "no location"}},
		{"bias out of range", with(geoproximityDoc, func(d *Document) { d.Rules["gp"].GeoproximityLocations[0].Bias = Int(120) }),
			want{ScopeRule, "gp", "GeoproximityLocations[0].Bias", CodeGeoproximity, "bias 120 is out of range; use a value from -99 to 99"}},
		{"latitude precision", with(geoproximityDoc, func(d *Document) { d.Rules["gp"].GeoproximityLocations[1].Latitude = "51.507" }),
			want{ScopeRule, "gp", "GeoproximityLocations[1].Latitude", CodeGeoproximity, "at most two decimals"}},
		{"longitude range", with(geoproximityDoc, func(d *Document) { d.Rules["gp"].GeoproximityLocations[1].Longitude = "-181" }),
			want{ScopeRule, "gp", "GeoproximityLocations[1].Longitude", CodeGeoproximity, "out of range"}},
		{"geoproximity region without prefix", with(geoproximityDoc, func(d *Document) { d.Rules["gp"].GeoproximityLocations[0].Region = "ap-south-1" }),
			want{ScopeRule, "gp", "GeoproximityLocations[0].Region", CodeRegion, `"aws:route53:ap-south-1"`}},
		{"wrong format version", seed(func(d *Document) { d.FormatVersion = "2012-10-17" }),
			want{ScopeDocument, "", "AWSPolicyFormatVersion", CodeFormatVersion, `use "2015-10-01"`}},
		{"Location in a 2015-10-01 document", with(geoproximityDoc, func(d *Document) {
			d.Rules["gp"].GeoproximityLocations[0].Region = ""
			d.Rules["gp"].GeoproximityLocations[0].Location = &Location{Type: LocationRegion, LocationName: "aws:route53:ap-south-1"}
		}), want{ScopeRule, "gp", "GeoproximityLocations[0].Location", CodeGeoproximity, "belongs to AWSPolicyFormatVersion 2023-05-09"}},
		{"Region in a 2023-05-09 document", with(geoproximityDoc, func(d *Document) { d.FormatVersion = FormatVersion2023 }),
			want{ScopeRule, "gp", "GeoproximityLocations[0]", CodeGeoproximity, "gives its place as Location"}},
		{"unknown Local Zone", with(geoproximity2023Doc, func(d *Document) {
			d.Rules["gp"].GeoproximityLocations[1].Location.LocationName = "aws:route53:mars-1-atl-1a"
		}), want{ScopeRule, "gp", "GeoproximityLocations[1].Location.LocationName", CodeGeoproximity, "not a Local Zone of a known region"}},
		{"Coordinate location with three decimals", with(geoproximity2023Doc, func(d *Document) {
			d.Rules["gp"].GeoproximityLocations[2].Location.Latitude = "51.501"
		}), want{ScopeRule, "gp", "GeoproximityLocations[2].Location.Latitude", CodeGeoproximity, "at most two decimals"}},
		{"unknown Location type", with(geoproximity2023Doc, func(d *Document) {
			d.Rules["gp"].GeoproximityLocations[0].Location.Type = "City"
		}), want{ScopeRule, "gp", "GeoproximityLocations[0].Location.Type", CodeGeoproximity, `"City" is not a location type`}},
		{"unsupported record type", func(*testing.T) *Document { return single("SOA", "x") },
			want{ScopeDocument, "", "RecordType", CodeRecordType, `"SOA" is not supported`}},
		{"both starts", seed(func(d *Document) { d.StartEndpoint = "ap-south-1" }),
			want{ScopeDocument, "", "StartRule", CodeStart, "keep exactly one"}},
		{"no start", seed(func(d *Document) { d.StartRule = "" }),
			want{ScopeDocument, "", "StartRule", CodeStart, "set exactly one"}},
		{"start rule undefined", seed(func(d *Document) { d.StartRule = "splt" }),
			want{ScopeDocument, "", "StartRule", CodeStart, `StartRule "splt" is not defined`}},
		{"start rule names an endpoint", seed(func(d *Document) { d.StartRule = "ap-south-1" }),
			want{ScopeDocument, "", "StartRule", CodeStart, "use StartEndpoint"}},
		{"rule id with a space", seed(func(d *Document) {
			d.Rules["the latency"] = d.Rules["latency"]
			delete(d.Rules, "latency")
			setItem(d, "split", 1, func(it *Item) { it.RuleReference = "the latency" })
		}), want{ScopeRule, "the latency", "", CodeID, "contains ' '"}},
		{"empty endpoint id", seed(func(d *Document) {
			d.Endpoints[""] = d.Endpoints["ap-south-1"]
		}), want{ScopeEndpoint, "", "", CodeID, "the id is empty"}},
		{"unknown rule type", seed(func(d *Document) {
			r := d.Rules["latency"]
			r.RuleType = "nearest"
			d.Rules["latency"] = r
		}), want{ScopeRule, "latency", "RuleType", CodeRuleShape, `"nearest" is not a rule type`}},
		{"document too long", func(*testing.T) *Document {
			d := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "w", Endpoints: map[string]Endpoint{}}
			w := Rule{RuleType: RuleWeighted}
			for i := 0; i < 1500; i++ {
				id := fmt.Sprintf("endpoint-with-a-rather-long-name-%04d", i)
				d.Endpoints[id] = Endpoint{Type: EndpointValue, Value: "192.0.2.1"}
				w.Items = append(w.Items, Item{Reference: Reference{EndpointReference: id}, Weight: Int(1)})
			}
			d.Rules = map[string]Rule{"w": w}
			return d
		}, want{ScopeDocument, "", "-", CodeLength, "Route 53 accepts at most 102400"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc(t)
			err := Validate(doc)
			if err == nil {
				t.Fatal("Validate accepted the document")
			}
			ps := problemsOf(t, err)
			found := false
			for _, p := range ps {
				if p.Scope == tc.want.scope && p.ID == tc.want.id && p.Code == tc.want.code &&
					(tc.want.field == "-" || p.Field == tc.want.field) && strings.Contains(p.Message, tc.want.text) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no problem %+v among:\n%s", tc.want, err)
			}
			// The rendered message names the offending rule or endpoint.
			if tc.want.scope != ScopeDocument {
				name := fmt.Sprintf("%s %q", tc.want.scope, tc.want.id)
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
		})
	}
	if len(cases) < 12 {
		t.Fatalf("only %d invalid documents", len(cases))
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	d := seedRollout(t, 90, 10)
	d.FormatVersion = "2015-10-02"
	split := d.Rules["split"]
	split.Items[0].Weight = Int(256)
	split.Items[0].HealthCheck = "not-a-uuid"
	d.Rules["split"] = split
	lat := d.Rules["latency"]
	lat.Regions[1].Region = "mumbai"
	d.Rules["latency"] = lat
	d.Endpoints["spare"] = Endpoint{Type: EndpointValue, Value: "192.0.2.9"}

	ps := problemsOf(t, Validate(d))
	want := []string{
		`AWSPolicyFormatVersion: "2015-10-02" is not a traffic policy format version`,
		`endpoint "spare": not reachable`,
		`rule "latency" Regions[1].Region: "mumbai" is not a known AWS region`,
		`rule "split" Items[0].HealthCheck: "not-a-uuid" is not a Route 53 health check id`,
		`rule "split" Items[0].Weight: weight 256 is out of range`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if !strings.HasPrefix(ps[i].String(), w) {
			t.Errorf("problem %d = %q, want prefix %q", i, ps[i], w)
		}
	}
	if !strings.HasPrefix(ps.Error(), "invalid traffic policy document (5 problems):\n  - AWSPolicyFormatVersion: ") {
		t.Errorf("Error() = %q", ps.Error())
	}
	if !ps.Has(CodeRegion) || ps.Has(CodeCycle) {
		t.Errorf("Has: wrong answer for %v", ps)
	}
}

// TestOneProblemPerWeightMistake: weights out of range (or missing) are
// reported once each, without "needs at least one item with a non-zero
// weight" on top (issue 11: weight = 900 and weight = -100 also reported it).
func TestOneProblemPerWeightMistake(t *testing.T) {
	for name, weights := range map[string][]*int{
		"900 and -100":   {Int(900), Int(-100)},
		"missing and -1": {nil, Int(-1)},
		"256 alone":      {Int(256)},
	} {
		d := seedRollout(t, 90, 10)
		split := d.Rules["split"]
		split.Items = split.Items[:len(weights)]
		for i, w := range weights {
			split.Items[i].Weight = w
		}
		d.Rules["split"] = split
		if len(weights) == 1 {
			d.Rules = map[string]Rule{"split": split}
			d.Endpoints = map[string]Endpoint{split.Items[0].EndpointReference: d.Endpoints[split.Items[0].EndpointReference]}
		}
		ps := problemsOf(t, Validate(d))
		if len(ps) != len(weights) {
			t.Errorf("%s: %d problems, want one per weight:\n%v", name, len(ps), ps)
		}
		for i, p := range ps {
			if p.Field != fmt.Sprintf("Items[%d].Weight", i) || strings.Contains(p.Message, "non-zero") {
				t.Errorf("%s: problem %d = %v", name, i, p)
			}
		}
	}
	// Once every weight is valid, all-zero weights are reported.
	d := seedRollout(t, 90, 10)
	split := d.Rules["split"]
	split.Items[0].Weight, split.Items[1].Weight = Int(0), Int(0)
	d.Rules["split"] = split
	if ps := problemsOf(t, Validate(d)); len(ps) != 1 || !strings.Contains(ps[0].Message, "non-zero") {
		t.Errorf("all-zero weights: %v", ps)
	}
}

func TestValidateJSON(t *testing.T) {
	if _, err := ValidateJSON([]byte(strings.Repeat(" ", MaxDocumentLength+1))); err == nil || !problemsOf(t, err).Has(CodeLength) {
		t.Errorf("oversized input: %v", err)
	}
	out, _ := Render(seedRollout(t, 90, 10))
	doc, err := ValidateJSON(out)
	if err != nil || doc == nil {
		t.Fatalf("ValidateJSON(seed) = %v, %v", doc, err)
	}
	bad := strings.Replace(string(out), `"Weight":"90"`, `"Weight":"900"`, 1)
	doc, err = ValidateJSON([]byte(bad))
	if doc == nil || err == nil || !strings.Contains(err.Error(), `rule "split" Items[0].Weight`) {
		t.Errorf("ValidateJSON(bad weight) = %v, %v", doc, err)
	}
	if _, err := ValidateJSON([]byte(`{"AWSPolicyFormatVersion":1}`)); err == nil || !problemsOf(t, err).Has(CodeSyntax) {
		t.Errorf("parse problem not returned: %v", err)
	}
}

func TestCheckRecordValue(t *testing.T) {
	cases := []struct {
		rt    RecordType
		value string
		ok    bool
	}{
		{RecordTypeA, "192.0.2.1", true},
		{RecordTypeA, "192.0.2.256", false},
		{RecordTypeA, "192.0.2", false},
		{RecordTypeA, "::ffff:192.0.2.1", false},
		{RecordTypeA, " 192.0.2.1", false},
		{RecordTypeAAAA, "2001:db8::1", true},
		{RecordTypeAAAA, "::ffff:192.0.2.1", true},
		{RecordTypeAAAA, "fe80::1%eth0", false},
		{RecordTypeCNAME, "example.com", true},
		{RecordTypeCNAME, "exa mple.com", false},
		{RecordTypeCNAME, "a..b", false},
		{RecordTypeCNAME, strings.Repeat("a", 64) + ".com", false},
		{RecordTypeMX, "10 mail.example.com", true},
		{RecordTypeMX, "70000 mail.example.com", false},
		{RecordTypeSRV, "1 10 5269 xmpp.example.com", true},
		{RecordTypeSRV, "1 10 xmpp.example.com", false},
		{RecordTypeCAA, `0 issuewild ";"`, true},
		{RecordTypeCAA, `0 issue amazon.com`, false},
		{RecordTypeNAPTR, `100 50 "a" "z3950+N2L+N2C" "" cidserver.example.com.`, true},
		{RecordTypeNAPTR, `100 50 "a" "z3950+N2L+N2C" cidserver.example.com.`, false},
		{RecordTypeTXT, `"a" "b"`, true},
		{RecordTypeTXT, `"unterminated`, false},
		{RecordTypeTXT, `"` + strings.Repeat("x", 256) + `"`, false},
		{RecordTypeSPF, `v=spf1 -all`, false},
	}
	for _, tc := range cases {
		msg := checkRecordValue(tc.rt, tc.value)
		if (msg == "") != tc.ok {
			t.Errorf("checkRecordValue(%s, %q) = %q, want ok=%v", tc.rt, tc.value, msg, tc.ok)
		}
	}
}

func TestProblemFormatting(t *testing.T) {
	one := ValidationErrors{{Scope: ScopeRule, ID: "split", Code: CodeWeight, Message: "weighted rule needs at least one item with a non-zero weight"}}
	if got, want := one.Error(), `invalid traffic policy document: rule "split": weighted rule needs at least one item with a non-zero weight`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{Scope: ScopeDocument, Message: "m"}, "document: m"},
		{Problem{Scope: ScopeDocument, Field: "RecordType", Message: "m"}, "RecordType: m"},
		{Problem{Scope: ScopeEndpoint, ID: "e", Field: "Value", Message: "m"}, `endpoint "e" Value: m`},
		{Problem{Scope: ScopeRule, ID: "r", Field: "Items[2].Weight", Message: "m"}, `rule "r" Items[2].Weight: m`},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	// Items[2] sorts before Items[10].
	ps := ValidationErrors{
		{Scope: ScopeRule, ID: "r", Field: "Items[10].Weight", Message: "b"},
		{Scope: ScopeRule, ID: "r", Field: "Items[2].Weight", Message: "a"},
		{Scope: ScopeEndpoint, ID: "z", Message: "c"},
		{Scope: ScopeDocument, Field: "RecordType", Message: "d"},
	}
	ps.sort()
	var order []string
	for _, p := range ps {
		order = append(order, p.Message)
	}
	if strings.Join(order, "") != "dcab" {
		t.Errorf("sorted order = %v", order)
	}
}
