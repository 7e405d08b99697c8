package trafficflow

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, that Validate and the simulator
// never panic on what Parse accepts, and that rendering round-trips. The seed
// corpus runs with every `go test`; explore with
//
//	go test -run '^$' -fuzz FuzzParse ./internal/trafficflow
func FuzzParse(f *testing.F) {
	for _, doc := range []*Document{
		seedRollout(f, 100, 0), seedRollout(f, 90, 10), everyRuleType(), latencyOnly(),
		failoverDoc(), multivalueDoc(), geoDoc(), geoproximityDoc(), nestedDoc(true),
		single(RecordTypeTXT, `"a" "b"`),
	} {
		out, err := Render(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
	if data, err := os.ReadFile("testdata/seed_rollout_90_10.json"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"Rules":null}`, `{"Rules":{"r":{}}}`,
		`{"Rules":{"r":{"RuleType":"weighted","Items":[{},null,{"Weight":1e3}]}}}`,
		`{"Rules":{"r":{"RuleType":"failover","Primary":{"RuleReference":"r"},"Secondary":{}}},"StartRule":"r"}`,
		`{"Endpoints":{"":{"Type":"value"}},"StartEndpoint":"","RecordType":"A","AWSPolicyFormatVersion":"2015-10-01"}`,
		`{"Rules":{"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"Latitude":-1e309,"Bias":"99999999999"}]}}}`,
		`{"Rules":{"a":{"RuleType":"latency","Regions":[{"RuleReference":"b","EvaluateTargetHealth":true,"Region":"us-east-1"}]},` +
			`"b":{"RuleType":"latency","Regions":[{"RuleReference":"a","EvaluateTargetHealth":true,"Region":"us-east-1"}]}},` +
			`"StartRule":"a","RecordType":"A","AWSPolicyFormatVersion":"2015-10-01"}`,
		"{\"RecordType\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			var ve ValidationErrors
			if !errors.As(err, &ve) || len(ve) == 0 || ve.Error() == "" {
				t.Fatalf("Parse error %v (%T) is not a non-empty ValidationErrors", err, err)
			}
			return
		}
		verr := Validate(doc)
		if verr != nil {
			var ve ValidationErrors
			if !errors.As(verr, &ve) || len(ve) == 0 {
				t.Fatalf("Validate error %v is not a non-empty ValidationErrors", verr)
			}
		}

		out, err := Render(doc)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Render(doc)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, doc) {
			t.Fatalf("Parse(Render(doc)) != doc\n got %+v\nwant %+v", back, doc)
		}
		again, err := Render(back)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("Render is not stable: %s vs %s", again, out)
		}

		if verr != nil {
			return
		}
		p, err := Compile(doc)
		if err != nil {
			t.Fatalf("Compile of a valid document: %v", err)
		}
		rnd := rand.New(rand.NewPCG(1, 2))
		for _, client := range []string{"ap-southeast-1", "us-west-2", "eu-central-1"} {
			for _, unhealthy := range []Unhealthy{nil, healthChecksIn(doc)} {
				d, err := p.Simulate(client, unhealthy)
				if err != nil {
					t.Fatalf("Simulate: %v", err)
				}
				sum := d.NoAnswer
				for _, s := range d.Shares {
					sum += s
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Fatalf("shares sum to %v", sum)
				}
				if _, err := p.Resolve(client, unhealthy, rnd); err != nil {
					t.Fatalf("Resolve: %v", err)
				}
			}
		}
	})
}

// healthChecksIn marks every other health check in the document unhealthy.
func healthChecksIn(doc *Document) Unhealthy {
	u := Unhealthy{}
	flip := false
	mark := func(r Reference) {
		if r.HealthCheck != "" {
			if flip {
				u[r.HealthCheck] = true
			}
			flip = !flip
		}
	}
	for _, id := range sortedKeys(doc.Rules) {
		r := doc.Rules[id]
		if r.Primary != nil {
			mark(*r.Primary)
		}
		if r.Secondary != nil {
			mark(*r.Secondary)
		}
		for _, g := range r.Locations {
			mark(g.Reference)
		}
		for _, g := range r.GeoproximityLocations {
			mark(g.Reference)
		}
		for _, l := range r.Regions {
			mark(l.Reference)
		}
		for _, it := range r.Items {
			mark(it.Reference)
		}
	}
	return u
}
