package regions

import (
	"errors"
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"ap-south-l":     "ap-south-1",     // l for 1
		"AP-SOUTH-1":     "ap-south-1",     // case
		"ap-southeast1":  "ap-southeast-1", // missing hyphen
		"ap-southest-1":  "ap-southeast-1", // missing letter
		"eu-wset-1":      "eu-west-1",      // swapped letters
		"us-east-O":      "",               // O for 0: us-east-0 does not exist, and 1 and 2 are as far
		"eu-n0rth-1":     "eu-north-1",     // 0 for o
		"us_west_2":      "us-west-2",      // underscores
		" us-west-2 ":    "us-west-2",      // white space
		"us-gov-west-l":  "us-gov-west-1",  // other partitions too
		"ap-southeast":   "",               // seven regions equally close
		"ap-southeast-9": "",               // as close to every ap-southeast-N
		"Singapore":      "",
		"":               "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []string{"ap-southeast-1", "us-east-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1", "us-isob-east-1", "ap-southeast-9", "xx-middle-1"} {
		if err := Validate(ok); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
	for in, suggestion := range map[string]string{
		"ap-south-l":    "ap-south-1",
		"AP-SOUTH-1":    "ap-south-1",
		"ap-southeast1": "ap-southeast-1",
		"Singapore":     "",
		"ap-southeast":  "",
	} {
		err := Validate(in)
		var ne *NameError
		if !errors.As(err, &ne) || ne.Suggestion != suggestion {
			t.Errorf("Validate(%q) = %v, want a NameError suggesting %q", in, err, suggestion)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, `"`+in+`" is not an AWS region name`) || !strings.Contains(msg, `for example "ap-southeast-1"`) {
			t.Errorf("Validate(%q): %s", in, msg)
		}
		if suggestion != "" && !strings.Contains(msg, `did you mean "`+suggestion+`"?`) {
			t.Errorf("Validate(%q) does not propose %s: %s", in, suggestion, msg)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		in      string
		err     string
		warning bool
	}{
		{in: "ap-southeast-1"},
		{in: "us-gov-west-1"},
		{in: "ap-southest-1", err: `Did you mean "ap-southeast-1"`},
		{in: "eu-wset-1", err: `Did you mean "eu-west-1"`},
		{in: "AP-SOUTH-1", err: `not an AWS region name (did you mean "ap-south-1"?)`},
		{in: "ap-south-l", err: `did you mean "ap-south-1"?`},
		{in: "ap-southeast1", err: `did you mean "ap-southeast-1"?`},
		{in: "apsoutheast1", err: "not an AWS region name"},
		{in: "ap-southeast-9", warning: true}, // perhaps a new region
		{in: "ca-central-2", warning: true},   // one close region, but the same area and location
		{in: "xx-middle-1", warning: true},
	}
	for _, tc := range tests {
		v := Check(tc.in)
		if tc.err == "" && v.Problem != "" {
			t.Errorf("%s: unexpected error %s", tc.in, v.Problem)
		}
		if tc.err != "" && !strings.Contains(v.Problem, tc.err) {
			t.Errorf("%s: error %q, want %q", tc.in, v.Problem, tc.err)
		}
		if (v.Warning != "") != tc.warning {
			t.Errorf("%s: warning %q, want warning=%t", tc.in, v.Warning, tc.warning)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"eu-wset-1", "eu-west-1", 1}, {"ap-southest-1", "ap-southeast-1", 1}, {"ab", "ba", 1},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
		if got := EditDistance(tc.b, tc.a); got != tc.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.d)
		}
	}
}

func TestPartitions(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": AWS, "ap-southeast-1": AWS, "cn-north-1": AWSCN, "us-gov-west-1": AWSUSGov,
		"us-iso-east-1": AWSISO, "us-isob-east-1": AWSISOB, "eu-isoe-west-1": AWSISOE, "us-isof-south-1": AWSISOF,
		"xx-new-1": AWS,
	} {
		if got := PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%s) = %s, want %s", region, got, want)
		}
	}
	for _, p := range Partitions() {
		if got := PartitionOf(p.GlobalRegion); got != p.ID || !IsKnown(p.GlobalRegion) {
			t.Errorf("the global region %s of %s is in %s (known: %t)", p.GlobalRegion, p.ID, got, IsKnown(p.GlobalRegion))
		}
		if GlobalRegion(p.ID) != p.GlobalRegion {
			t.Errorf("GlobalRegion(%s) = %s", p.ID, GlobalRegion(p.ID))
		}
	}
	if GlobalRegion("aws-unknown") != "us-east-1" {
		t.Error("unknown partition")
	}
}

// Every known region is well formed, in the partition its name says, and
// the commercial ones carry what the Traffic Flow simulator needs.
func TestTable(t *testing.T) {
	codes := Codes()
	if len(codes) < 40 {
		t.Fatalf("only %d regions", len(codes))
	}
	for _, c := range codes {
		r, ok := Lookup(c)
		if !ok || !WellFormed(c) || PartitionOf(c) != r.Partition {
			t.Errorf("%s: known %t, well formed %t, partition %s vs %s", c, ok, WellFormed(c), r.Partition, PartitionOf(c))
		}
		if Suggest(c) != c {
			t.Errorf("Suggest(%q) = %q: a known region must suggest itself", c, Suggest(c))
		}
	}
	aws := InPartition(AWS)
	if len(aws) != 34 {
		t.Errorf("%d commercial regions, want 34", len(aws))
	}
	for _, r := range aws {
		if r.City == "" || r.Continent == "" || r.Country == "" || (r.Latitude == 0 && r.Longitude == 0) {
			t.Errorf("%s lacks its location: %+v", r.Code, r)
		}
		if (r.Country == "US") != (r.Subdivision != "") {
			t.Errorf("%s: subdivision %q for country %s", r.Code, r.Subdivision, r.Country)
		}
	}
}
