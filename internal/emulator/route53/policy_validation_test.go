package route53_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// doc wraps endpoints and rules in a 2015-10-01 document of type A that
// starts at rule "r".
func doc(endpoints, rules string) string {
	return `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"r","Endpoints":{` + endpoints + `},"Rules":{` + rules + `}}`
}

const twoEndpoints = `"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"}`

// TestTrafficPolicyDocumentValidation: CreateTrafficPolicy refuses what the
// Traffic Policy Document Format does not allow, naming the problem, and
// accepts the rest (including the format's own examples).
func TestTrafficPolicyDocumentValidation(t *testing.T) {
	e := start(t)
	accepted := map[string]string{
		"the format's weighted example, weights as strings": doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"3","HealthCheck":"11111111-1111-1111-1111-111111111111"},{"EndpointReference":"b","Weight":"1"}]}`),
		"weights as numbers, all zero":                      doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":0},{"EndpointReference":"b","Weight":0}]}`),
		"a start endpoint and no rules":                     `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"a","Endpoints":{` + twoEndpoints + `}}`,
		"an unreachable rule and endpoint":                  doc(twoEndpoints+`,"c":{"Type":"value","Value":"192.0.2.3"}`, `"r":{"RuleType":"failover","Primary":{"EndpointReference":"a"},"Secondary":{"EndpointReference":"b"}},"spare":{"RuleType":"multivalue","Items":[{"EndpointReference":"c"}]}`),
		"geo with IsDefault, country, continent, US state":  doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","IsDefault":true},{"EndpointReference":"b","Country":"US","Subdivision":"VA"},{"EndpointReference":"b","Country":"FR","IsDefault":"false"},{"EndpointReference":"a","Continent":"AS"}]}`),
		"geo default as Country *":                          doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Country":"*"},{"EndpointReference":"b","Country":"DE"}]}`),
		"geoproximity by region and coordinates, with bias": doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-west-1","Bias":"10"},{"EndpointReference":"b","Latitude":"51.50","Longitude":"-0.16","Bias":-99}]}`),
		"2023-05-09 geoproximity with a Local Zone":         `{"AWSPolicyFormatVersion":"2023-05-09","RecordType":"A","StartRule":"r","Endpoints":{` + twoEndpoints + `},"Rules":{"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"LocalZone","LocationName":"aws:route53:us-east-1-atl-1a"}},{"EndpointReference":"b","Location":{"Type":"Coordinate","Latitude":"38.9","Longitude":"-77.01"},"Bias":"10"}]}}}`,
		"nested rules with EvaluateTargetHealth as string":  doc(twoEndpoints, `"r":{"RuleType":"latency","Regions":[{"RuleReference":"w","Region":"us-east-1","EvaluateTargetHealth":"true"},{"EndpointReference":"b","Region":"eu-west-1"}]},"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`),
		"alias endpoints of every type":                     `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"r","Endpoints":{"cf":{"Type":"cloudfront","Value":"d111111abcdef8.cloudfront.net"},"alb":{"Type":"application-load-balancer","Value":"x-1.us-east-1.elb.amazonaws.com"},"s3":{"Type":"s3-website","Region":"us-east-1","Value":"www.example.com"}},"Rules":{"r":{"RuleType":"failover","Primary":{"EndpointReference":"alb","EvaluateTargetHealth":true},"Secondary":{"RuleReference":"w"}},"w":{"RuleType":"weighted","Items":[{"EndpointReference":"cf","Weight":1},{"EndpointReference":"s3","Weight":1}]}}}`,
		"an empty HealthCheck (no health check)":            doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1,"HealthCheck":""}]}`),
		"MX values":                                         `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"MX","StartEndpoint":"m","Endpoints":{"m":{"Type":"value","Value":"10 mail.example.com"}}}`,
	}
	for name, document := range accepted {
		if _, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(name), Document: aws.String(document)}); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}

	refused := []struct{ name, document, want string }{
		{"not JSON", `{"AWSPolicyFormatVersion":`, "not valid JSON"},
		{"not an object", `[1,2]`, "JSON object"},
		{"unknown format version", strings.Replace(doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), "2015-10-01", "2016-01-01", 1), "2016-01-01"},
		{"missing RecordType", `{"AWSPolicyFormatVersion":"2015-10-01","StartEndpoint":"a","Endpoints":{` + twoEndpoints + `}}`, "missing RecordType"},
		{"NS policies", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"NS","StartEndpoint":"n","Endpoints":{"n":{"Type":"value","Value":"ns.example.com"}}}`, `"NS"`},
		{"both starts", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"a","StartRule":"r","Endpoints":{` + twoEndpoints + `}}`, "not both"},
		{"no start", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","Endpoints":{` + twoEndpoints + `}}`, "missing StartRule or StartEndpoint"},
		{"start rule missing", doc(twoEndpoints, ``), `no rule "r"`},
		{"unknown top-level field", strings.Replace(doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), `"RecordType"`, `"Comment":"x","RecordType"`, 1), "Comment: unknown field"},
		{"misspelled list", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoProximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-east-1"}]}`), "GeoProximityLocations: unknown field"},
		{"unknown rule type", doc(twoEndpoints, `"r":{"RuleType":"random","Items":[{"EndpointReference":"a"}]}`), `"random" is not a rule type`},
		{"unknown endpoint type", doc(`"a":{"Type":"ip","Value":"192.0.2.1"}`, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), `"ip" is not an endpoint type`},
		{"value not an IPv4 address", doc(`"a":{"Type":"value","Value":"2001:db8::1"}`, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), "not a valid A value"},
		{"Region on a load balancer", doc(`"a":{"Type":"elastic-load-balancer","Region":"us-east-1","Value":"x.elb.amazonaws.com"}`, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), "only s3-website endpoints take a Region"},
		{"S3 without Region", doc(`"a":{"Type":"s3-website","Value":"www.example.com"}`, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), "needs the Region"},
		{"S3 for AAAA", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"AAAA","StartEndpoint":"s","Endpoints":{"s":{"Type":"s3-website","Region":"us-east-1","Value":"www.example.com"}}}`, "not AAAA"},
		{"weight above 255", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"900"},{"EndpointReference":"b","Weight":1}]}`), "900 is out of range"},
		{"negative weight", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":-100}]}`), "-100 is out of range"},
		{"fractional weight", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"1.5"}]}`), "not a whole number"},
		{"missing weight", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a"}]}`), "missing Weight"},
		{"empty items", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[]}`), "at least one entry"},
		{"both references", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","RuleReference":"r","Weight":1}]}`), "not both"},
		{"broken endpoint reference", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"zz","Weight":1}]}`), `no endpoint "zz"`},
		{"broken rule reference", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"RuleReference":"zz","Weight":1}]}`), `no rule "zz"`},
		{"a loop", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"RuleReference":"s","Weight":1}]},"s":{"RuleType":"failover","Primary":{"RuleReference":"r"},"Secondary":{"EndpointReference":"b"}}`), "loop"},
		{"a rule routing to itself", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"RuleReference":"r","Weight":1},{"EndpointReference":"a","Weight":1}]}`), "loop"},
		{"failover without Secondary", doc(twoEndpoints, `"r":{"RuleType":"failover","Primary":{"EndpointReference":"a"}}`), "needs Secondary"},
		{"unknown latency region", doc(twoEndpoints, `"r":{"RuleType":"latency","Regions":[{"EndpointReference":"a","Region":"ap-mumbai-1"}]}`), "ap-mumbai-1"},
		{"a region twice", doc(twoEndpoints, `"r":{"RuleType":"latency","Regions":[{"EndpointReference":"a","Region":"us-east-1"},{"EndpointReference":"b","Region":"us-east-1"}]}`), "one entry per region"},
		{"latency without Region", doc(twoEndpoints, `"r":{"RuleType":"latency","Regions":[{"EndpointReference":"a"}]}`), "missing Region"},
		{"two defaults", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","IsDefault":true},{"EndpointReference":"b","Country":"*"}]}`), "already the default"},
		{"unknown country", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Country":"XX"}]}`), `"XX" is not a country code`},
		{"subdivision outside the US", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Country":"FR","Subdivision":"75"}]}`), "United States"},
		{"continent and country", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Continent":"EU","Country":"FR"}]}`), "either Continent or Country"},
		{"no location", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a"}]}`), "missing the location"},
		{"a country twice", doc(twoEndpoints, `"r":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Country":"FR"},{"EndpointReference":"b","Country":"FR"}]}`), "already has the location country FR"},
		{"bias out of range", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-east-1","Bias":100}]}`), "100 is out of range"},
		{"region without prefix", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"us-east-1"}]}`), "aws:route53:"},
		{"three decimals", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":"51.501","Longitude":"0"}]}`), "more than two decimals"},
		{"latitude out of range", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":"91","Longitude":"0"}]}`), "out of range"},
		{"latitude alone", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":"10"}]}`), "both Latitude and Longitude"},
		{"2015 document with Location", doc(twoEndpoints, `"r":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"Region","LocationName":"aws:route53:us-east-1"}}]}`), "Location: unknown field"},
		{"multivalue to a rule", doc(twoEndpoints, `"r":{"RuleType":"multivalue","Items":[{"RuleReference":"s"}]},"s":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}]}`), "RuleReference: unknown field"},
		{"multivalue to a load balancer", doc(`"a":{"Type":"application-load-balancer","Value":"x.elb.amazonaws.com"}`, `"r":{"RuleType":"multivalue","Items":[{"EndpointReference":"a"}]}`), "value endpoints only"},
		{"multivalue CNAME", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"CNAME","StartRule":"r","Endpoints":{"a":{"Type":"value","Value":"a.example.com"}},"Rules":{"r":{"RuleType":"multivalue","Items":[{"EndpointReference":"a"}]}}}`, "CNAME"},
		{"EvaluateTargetHealth on CloudFront", doc(`"a":{"Type":"cloudfront","Value":"d1.cloudfront.net"}`, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1,"EvaluateTargetHealth":true}]}`), "CloudFront"},
		{"EvaluateTargetHealth not a boolean", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1,"EvaluateTargetHealth":"yes"}]}`), "true or false"},
		{"a health check id over 64 characters", doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1,"HealthCheck":"`+strings.Repeat("a", 65)+`"}]}`), "longer than 64"},
		{"empty latency region", doc(twoEndpoints, `"r":{"RuleType":"latency","Regions":[{"EndpointReference":"a","Region":""}]}`), `"" is not an AWS region`},
	}
	for _, tc := range refused {
		_, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(tc.name), Document: aws.String(tc.document)})
		bad := errorAs[*r53types.InvalidTrafficPolicyDocument](t, err, tc.name)
		if !strings.Contains(bad.ErrorMessage(), tc.want) {
			t.Errorf("%s: message %q should say %q", tc.name, bad.ErrorMessage(), tc.want)
		}
	}

	// Every problem is listed; one mistake is one problem.
	_, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("two mistakes"), Document: aws.String(
		doc(twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":900},{"EndpointReference":"zz","Weight":-100}]}`))})
	bad := errorAs[*r53types.InvalidTrafficPolicyDocument](t, err, "two mistakes")
	if msg := bad.ErrorMessage(); strings.Count(msg, " | ") != 2 || !strings.Contains(msg, "900") || !strings.Contains(msg, "-100") || !strings.Contains(msg, `"zz"`) {
		t.Errorf("three problems expected, each once: %q", msg)
	}

	// The request's own limits are InvalidInput.
	_, err = e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("huge"), Document: aws.String(strings.Repeat(" ", 102401))})
	expectError[*r53types.InvalidInput](t, err, "a document over 102,400 characters")
}
