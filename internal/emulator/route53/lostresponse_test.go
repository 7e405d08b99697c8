package route53_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// TestLostResponsesAreTheClients reproduces a lost 201 reported with
// ~100 KB CreateTrafficPolicy bodies and shows where it comes from. The
// emulator answers only once it has read a body whole (see
// emulator.TestEveryAnswerFollowsTheWholeBody). The client then returns the
// response, and smithy-go closes the request body; if net/http's writer has
// not yet made its last read of the body (after Content-Length bytes, to see
// EOF), smithy-go's closed body answers it with io.EOF from WriteTo, which
// net/http takes for a write error: it closes the connection under the
// response body, and the SDK reports a deserialization error on a 201.
// Hiding WriteTo from net/http (a Read after Close returns io.EOF, which
// net/http takes for the end of the body) removes every loss.
//
// The race needs a fast server and a busy machine (loopback, 2 shared cores:
// 10 to 18% of the calls lost over runs of 500 and 2,000), so the test is a reproduction run on demand, not a
// check of the suite: REGIS_REPRO_LOST_RESPONSES=1.
func TestLostResponsesAreTheClients(t *testing.T) {
	if os.Getenv("REGIS_REPRO_LOST_RESPONSES") == "" {
		t.Skip("a reproduction of a client-side race; run with REGIS_REPRO_LOST_RESPONSES=1")
	}
	const calls = 500
	e := start(t)
	e.svc.SetLimits(route53.Limits{HostedZones: 500, HealthChecks: 200, TrafficPolicies: 2 * calls, TrafficPolicyInstances: 5, TrafficPolicyVersions: 1000})
	doc := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"e","Endpoints":{"e":{"Type":"value","Value":"192.0.2.1"}}}`
	doc = doc[:len(doc)-1] + strings.Repeat(" ", 100_000-len(doc)) + "}"
	lost := func(name string, hc *http.Client) int {
		client := r53.New(e.c.Options(), func(o *r53.Options) {
			o.RetryMaxAttempts = 1
			if hc != nil {
				o.HTTPClient = hc
			}
		})
		n := 0
		for i := 0; i < calls; i++ {
			_, err := client.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(fmt.Sprintf("%s-%d", name, i)), Document: aws.String(doc)})
			if err != nil {
				n++
			}
		}
		return n
	}
	stock := lost("stock", nil)
	readOnly := lost("readonly", &http.Client{Transport: hideWriteTo{http.DefaultTransport}})
	t.Logf("%d calls with ~100 KB bodies: %d responses lost with the SDK's client, %d with request bodies that hide WriteTo", calls, stock, readOnly)
	if readOnly != 0 {
		t.Errorf("%d responses lost with bodies that hide WriteTo: the loss is not (only) the client's", readOnly)
	}
	if stock == 0 {
		t.Log("the race did not happen on this run (it needs a loaded machine)")
	}
}

// hideWriteTo sends request bodies as plain readers.
type hideWriteTo struct{ next http.RoundTripper }

func (h hideWriteTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return h.next.RoundTrip(r)
}
