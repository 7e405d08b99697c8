package trafficflow

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAcceptsAlternativeSpellings(t *testing.T) {
	// Numbers instead of strings, strings instead of booleans, null for absent
	// fields, any field order: all mean the same document.
	in := `{
	  "Rules": {
	    "near": {"GeoproximityLocations": [
	      {"Bias": -10, "EndpointReference": "a", "Region": "aws:route53:eu-west-1", "EvaluateTargetHealth": "TRUE"},
	      {"EndpointReference": "b", "Latitude": 51.50, "Longitude": "-0.16", "Bias": "0", "HealthCheck": null}
	    ], "RuleType": "geoproximity"},
	    "w": {"RuleType": "weighted", "Items": [
	      {"Weight": 90, "RuleReference": "near", "EvaluateTargetHealth": "false"},
	      {"Weight": 10.0, "EndpointReference": "c"}
	    ]}
	  },
	  "StartRule": "w",
	  "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}, "b": {"Value": "192.0.2.2", "Type": "value", "Region": null},
	                "c": {"Type": "value", "Value": "192.0.2.3"}},
	  "RecordType": "A",
	  "AWSPolicyFormatVersion": "2015-10-01"
	}`
	doc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{
		FormatVersion: FormatVersion, RecordType: RecordTypeA, StartRule: "w",
		Endpoints: valueEndpoints(map[string]string{"a": "192.0.2.1", "b": "192.0.2.2", "c": "192.0.2.3"}),
		Rules: map[string]Rule{
			"near": {RuleType: RuleGeoproximity, GeoproximityLocations: []GeoproximityLocation{
				{Reference: Reference{EndpointReference: "a", EvaluateTargetHealth: Bool(true)}, Region: "aws:route53:eu-west-1", Bias: Int(-10)},
				{Reference: Reference{EndpointReference: "b"}, Latitude: "51.50", Longitude: "-0.16", Bias: Int(0)},
			}},
			"w": {RuleType: RuleWeighted, Items: []Item{
				{Reference: Reference{RuleReference: "near", EvaluateTargetHealth: Bool(false)}, Weight: Int(90)},
				{Reference: Reference{EndpointReference: "c"}, Weight: Int(10)},
			}},
		},
	}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("Parse =\n%+v\nwant\n%+v", doc, want)
	}
	if err := Validate(doc); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseEmptyCollectionsAreNil(t *testing.T) {
	doc, err := Parse([]byte(`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"e",
		"Endpoints":{"e":{"Type":"value","Value":"192.0.2.1"}},"Rules":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Rules != nil {
		t.Errorf("Rules = %#v, want nil", doc.Rules)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string // substrings of the error, each must appear
	}{
		{"not JSON", `{"AWSPolicyFormatVersion":`, []string{"not valid JSON"}},
		{"array", `[]`, []string{"must be a JSON object"}},
		{"empty", ``, []string{"must be a JSON object"}},
		{"trailing data", `{} {}`, []string{"not valid JSON"}},
		{"wrong casing is an unknown field", `{"recordType":"A"}`, []string{`recordType: unknown field "recordType"`}},
		{"unknown top-level field", `{"Comment":"x"}`, []string{`unknown field "Comment"`}},
		{"record type not a string", `{"RecordType":1}`, []string{"RecordType: must be a JSON string, not a number"}},
		{"endpoints not an object", `{"Endpoints":[]}`, []string{"Endpoints: must be a JSON object, not an array"}},
		{"unknown endpoint field", `{"Endpoints":{"e":{"Type":"value","Vaule":"x"}}}`, []string{`endpoint "e" Vaule: unknown field`}},
		{"weight not a number", `{"Rules":{"w":{"RuleType":"weighted","Items":[{"Weight":"ninety"}]}}}`,
			[]string{`rule "w" Items[0].Weight: must be a whole number`}},
		{"fractional weight", `{"Rules":{"w":{"RuleType":"weighted","Items":[{"Weight":1.5}]}}}`,
			[]string{`rule "w" Items[0].Weight: must be a whole number`}},
		{"bad boolean", `{"Rules":{"f":{"RuleType":"failover","Primary":{"EvaluateTargetHealth":"yes"}}}}`,
			[]string{`rule "f" Primary.EvaluateTargetHealth: must be true or false`}},
		{"unknown Location field", `{"Rules":{"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"Location":{"Type":"Region","Name":"x"}}]}}}`,
			[]string{`rule "g" GeoproximityLocations[0].Location.Name: unknown field`}},
		{"item not an object", `{"Rules":{"l":{"RuleType":"latency","Regions":["ap-south-1"]}}}`,
			[]string{`rule "l" Regions[0]: must be a JSON object, not a string`}},
		{"rule null", `{"Rules":{"r":null}}`, []string{`rule "r": must be a JSON object, not null`}},
		{"several problems at once", `{"Foo":1,"Rules":{"r":{"Bar":2}}}`, []string{`unknown field "Foo"`, `rule "r" Bar: unknown field`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", doc)
			}
			ve := problemsOf(t, err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, p := range ve {
				if p.Code != CodeSyntax && p.Code != CodeUnknownField {
					t.Errorf("parse problem %v has code %s", p, p.Code)
				}
			}
		})
	}
}
