package trafficflow

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestSeedRolloutMatchesAWSFormat(t *testing.T) {
	// testdata/seed_rollout_90_10.json was written by hand from AWS's "Traffic
	// Policy Document Format" page, in a different field order than Render's.
	want, err := os.ReadFile("testdata/seed_rollout_90_10.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Render(seedRollout(t, 90, 10))
	if err != nil {
		t.Fatal(err)
	}
	var wantTree, gotTree any
	if err := json.Unmarshal(want, &wantTree); err != nil {
		t.Fatalf("testdata: %v", err)
	}
	if err := json.Unmarshal(got, &gotTree); err != nil {
		t.Fatalf("rendered JSON does not decode: %v", err)
	}
	// Field for field: names, casing, nesting and JSON types (strings for
	// Weight, booleans for EvaluateTargetHealth) must all match.
	if diffs := jsonDiff("", wantTree, gotTree); len(diffs) > 0 {
		t.Errorf("rendered document differs from the AWS-format expectation:\n  %s\nrendered: %s", strings.Join(diffs, "\n  "), got)
	}
	// And the hand-written file parses to the same model.
	parsed, err := Parse(want)
	if err != nil {
		t.Fatalf("Parse(testdata): %v", err)
	}
	if !reflect.DeepEqual(parsed, seedRollout(t, 90, 10)) {
		t.Errorf("Parse(testdata) = %+v, want the built seed document", parsed)
	}
}

// jsonDiff lists the paths where two decoded JSON trees differ.
func jsonDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": want object, got " + describe(got)}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, path+"."+k+": missing")
				continue
			}
			out = append(out, jsonDiff(path+"."+k, wv, gv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, path+"."+k+": unexpected field")
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path + ": want " + describe(want) + ", got " + describe(got)}
		}
		var out []string
		for i := range w {
			out = append(out, jsonDiff(path+"["+strconv.Itoa(i)+"]", w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{path + ": want " + describe(want) + ", got " + describe(got)}
		}
		return nil
	}
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	switch v.(type) {
	case string:
		return "string " + string(b)
	case float64:
		return "number " + string(b)
	case bool:
		return "boolean " + string(b)
	}
	return string(b)
}

func TestRoundTrip(t *testing.T) {
	startEndpoint := &Document{
		FormatVersion: FormatVersion,
		RecordType:    RecordTypeTXT,
		StartEndpoint: "txt",
		Endpoints:     map[string]Endpoint{"txt": {Type: EndpointValue, Value: `"v=spf1 include:example.com -all" "<&>"`}},
	}
	cases := map[string]*Document{
		"seed 100/0":      seedRollout(t, 100, 0),
		"seed 90/10":      seedRollout(t, 90, 10),
		"seed 0/100":      seedRollout(t, 0, 100),
		"every rule type": everyRuleType(),
		"start endpoint":  startEndpoint,
		"latency only":    latencyOnly(),
		"2023-05-09":      geoproximity2023Doc(),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, render := range []func(*Document) ([]byte, error){
				Render,
				func(d *Document) ([]byte, error) { return RenderIndent(d, "  ") },
			} {
				out, err := render(doc)
				if err != nil {
					t.Fatal(err)
				}
				back, err := Parse(out)
				if err != nil {
					t.Fatalf("Parse(Render(doc)): %v\n%s", err, out)
				}
				if !reflect.DeepEqual(back, doc) {
					t.Errorf("Parse(Render(doc)) != doc\n got: %+v\nwant: %+v\njson: %s", back, doc, out)
				}
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	first, err := Render(everyRuleType())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		// A fresh document each time: maps are built in a new order and Go
		// randomises map iteration.
		out, err := Render(everyRuleType())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, first) {
			t.Fatalf("render %d differs:\n%s\n%s", i, out, first)
		}
	}
	// Same document from JSON with shuffled fields and alternative spellings.
	shuffled := `{"Rules":{"lat":{"Regions":[{"HealthCheck":"` + hcSingapore + `","Region":"ap-southeast-1","EndpointReference":"sin"},
		{"Region":"ap-south-1","HealthCheck":"` + hcMumbai + `","EndpointReference":"bom"}],"RuleType":"latency"}},
		"StartRule":"lat","Endpoints":{"bom":{"Value":"` + albMumbai + `","Type":"application-load-balancer"},
		"sin":{"Value":"` + albSingapore + `","Type":"application-load-balancer"}},"RecordType":"A","AWSPolicyFormatVersion":"2015-10-01"}`
	norm, err := Normalize([]byte(shuffled))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(latencyOnly())
	if !bytes.Equal(norm, want) {
		t.Errorf("Normalize(shuffled) =\n%s\nwant\n%s", norm, want)
	}
	// Top-level order follows AWS's examples; ids are sorted.
	s := string(want)
	order := []string{`"AWSPolicyFormatVersion"`, `"RecordType"`, `"StartRule"`, `"Endpoints"`, `"bom"`, `"sin"`, `"Rules"`}
	last := -1
	for _, key := range order {
		i := strings.Index(s, key)
		if i <= last {
			t.Errorf("%s out of order in %s", key, s)
		}
		last = i
	}
	if strings.ContainsAny(s, "\n\t") || strings.Contains(s, `": `) {
		t.Errorf("compact render has insignificant whitespace: %s", s)
	}
	indented, _ := RenderIndent(latencyOnly(), "  ")
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, indented); err != nil || !bytes.Equal(compacted.Bytes(), want) {
		t.Errorf("RenderIndent is not Render indented: %s", indented)
	}
}

func TestRenderDoesNotEscapeHTML(t *testing.T) {
	doc := &Document{FormatVersion: FormatVersion, RecordType: RecordTypeTXT, StartEndpoint: "t",
		Endpoints: map[string]Endpoint{"t": {Type: EndpointValue, Value: `"a<b>&c"`}}}
	out, err := Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `a<b>&c`) {
		t.Errorf("HTML characters were escaped: %s", out)
	}
}

func TestRenderOmitsAbsentFields(t *testing.T) {
	out, _ := Render(seedRollout(t, 90, 10))
	for _, absent := range []string{`"StartEndpoint"`, `"Region":""`, `"Primary"`, `"Items":null`, `"Bias"`, `"Locations"`} {
		if strings.Contains(string(out), absent) {
			t.Errorf("render contains %s: %s", absent, out)
		}
	}
	if _, err := Render(nil); err == nil {
		t.Error("Render(nil) succeeded")
	}
}
