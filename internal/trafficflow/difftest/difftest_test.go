// Package difftest compares the provider's Traffic Flow (internal/trafficflow:
// the plan-time validation and the simulator) with the emulator's Route 53,
// an independent implementation written from AWS's documentation, on
// generated documents. It has only tests.
//
//	go test ./internal/trafficflow/difftest/                                  # 1,000 documents
//	REGIS_DIFFTEST_N=100000 go test ./internal/trafficflow/difftest/ -timeout 2h
//	go test ./internal/trafficflow/difftest/ -difftest.n=5000 -difftest.seed=7 -difftest.report=/tmp/difftest.txt
//
// Every disagreement was resolved with AWS's documentation; the decisions
// are in docs/trafficflow-conformance.md.
package difftest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

var (
	flagN       = flag.Int("difftest.n", 0, "documents to generate (default 1000, or $REGIS_DIFFTEST_N; 200 with -short)")
	flagSeed    = flag.Uint64("difftest.seed", 0, "generator seed (default 1, or $REGIS_DIFFTEST_SEED)")
	flagLookups = flag.Int("difftest.lookups", 300, "DNS lookups per client region and health state when the simulator's answer is random")
	flagReport  = flag.String("difftest.report", "", "also write the run's counts and disagreements to this file")
)

// settings resolves the flags and environment.
func settings(t *testing.T) (n int, seed uint64) {
	n, seed = 1000, 1
	if testing.Short() {
		n = 200
	}
	if v := os.Getenv("REGIS_DIFFTEST_N"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 {
			t.Fatalf("REGIS_DIFFTEST_N=%q: want a positive number of documents", v)
		}
		n = x
	}
	if v := os.Getenv("REGIS_DIFFTEST_SEED"); v != "" {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("REGIS_DIFFTEST_SEED=%q: want a number", v)
		}
		seed = x
	}
	if *flagN > 0 {
		n = *flagN
	}
	if *flagSeed > 0 {
		seed = *flagSeed
	}
	return n, seed
}

// verdict is one side's answer to "is this document valid?".
type verdict struct {
	accepted bool
	code     string // error code (emulator) or problem codes (provider)
	message  string
}

func (v verdict) String() string {
	if v.accepted {
		return "accepted"
	}
	return "refused (" + v.code + "): " + truncate(v.message, 400)
}

// disagreement is one document on which the two sides differ.
type disagreement struct {
	c        docCase
	what     string // "verdict" or "dns"
	provider string
	emulator string
}

// counts are the figures of a run.
type counts struct {
	documents, generatedValid, mutated       int
	emulatorAccepted, emulatorRefused        int
	providerAccepted, providerRefused        int
	providerPolicy                           int // refused only by the provider's own stricter checks
	dnsDocuments, dnsComparisons, dnsLookups int
	regionRedraws                            int
	byMutation                               map[string]int
}

// TestDifferential is the comparison; see the package comment.
func TestDifferential(t *testing.T) {
	n, seed := settings(t)
	ctx := context.Background()
	emu := emulatortest.Start(t)
	svc, ok := emu.Service("route53").(*route53.Service)
	if !ok {
		t.Fatal("the emulator has no Route 53 service")
	}
	svc.SetDelays(route53.Delays{})
	svc.SetLimits(route53.Limits{HostedZones: 500, HealthChecks: 200, TrafficPolicies: 1000, TrafficPolicyInstances: 1000, TrafficPolicyVersions: 1000})
	// No SDK retries: a retried CreateTrafficPolicy would meet
	// TrafficPolicyAlreadyExists (see emulatorVerdict).
	client := r53.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"), func(o *r53.Options) { o.RetryMaxAttempts = 1 })
	zone, err := client.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("difftest.example"), CallerReference: aws.String("difftest")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := aws.ToString(zone.HostedZone.Id)
	var checks []string
	for i := 0; i < 6; i++ {
		hc, err := client.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(fmt.Sprintf("hc-%d", i)),
			HealthCheckConfig: &r53types.HealthCheckConfig{Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String(fmt.Sprintf("203.0.113.%d", i+1)), ResourcePath: aws.String("/")}})
		if err != nil {
			t.Fatal(err)
		}
		checks = append(checks, aws.ToString(hc.HealthCheck.Id))
	}

	g := newGen(seed, checks)
	rnd := rand.New(rand.NewPCG(seed, 99))
	cnt := counts{byMutation: map[string]int{}}
	var found []disagreement
	start := time.Now()
	for i := 0; i < n; i++ {
		c := g.next(i)
		cnt.documents++
		if c.Kind == "valid" {
			cnt.generatedValid++
		} else {
			cnt.mutated++
			cnt.byMutation[c.Kind]++
		}
		prov, provDoc, policyOnly := providerVerdict(c.JSON)
		emul, policyID := emulatorVerdict(ctx, t, client, c)
		if emul.accepted {
			cnt.emulatorAccepted++
		} else {
			cnt.emulatorRefused++
		}
		switch {
		case prov.accepted:
			cnt.providerAccepted++
		case policyOnly:
			cnt.providerPolicy++
		default:
			cnt.providerRefused++
		}
		// The provider's own stricter checks are deliberate (see
		// docs/trafficflow-conformance.md): a document refused only by them
		// counts as accepted for the comparison.
		if (prov.accepted || policyOnly) != emul.accepted {
			found = append(found, disagreement{c: c, what: "verdict", provider: prov.String(), emulator: emul.String()})
		} else if prov.accepted && emul.accepted && subset(c.Checks, checks) {
			// (A record of a policy naming a health check that does not
			// exist fails, as on AWS: only documents with real checks are
			// looked up.)
			if d := compareDNS(ctx, t, client, svc, zoneID, checks, c, provDoc, policyID, rnd, &cnt); d != "" {
				found = append(found, disagreement{c: c, what: "dns", provider: "see below", emulator: d})
			}
		}
		if policyID != "" {
			if _, err := client.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(1)}); err != nil {
				t.Fatalf("DeleteTrafficPolicy: %v", err)
			}
		}
	}
	cnt.regionRedraws = g.redraws
	report := cnt.report(seed, found)
	t.Logf("%s(%d documents in %s)", report, n, time.Since(start).Round(time.Second))
	if *flagReport != "" {
		if err := os.WriteFile(*flagReport, []byte(report), 0o600); err != nil {
			t.Error(err)
		}
	}
	if len(found) > 0 {
		t.Errorf("%d disagreements between the provider and the emulator; resolve each with AWS's documentation and record it in docs/trafficflow-conformance.md", len(found))
	}
	if cnt.dnsDocuments == 0 || cnt.emulatorRefused == 0 || cnt.emulatorAccepted == 0 {
		t.Errorf("the generator did not exercise both verdicts and the DNS comparison: %+v", cnt)
	}
}

// providerPolicy reports the provider's deliberate checks beyond Route 53's:
// documents refused only by them are not disagreements (see
// docs/trafficflow-conformance.md for each, with the AWS page it departs
// from): rules and endpoints the start does not reach, every weight of a
// weighted rule 0, ids outside letters, digits, '-', '_' and '.', and health
// check ids that are not UUIDs (up to the 64 characters Route 53 reads).
func providerPolicy(p trafficflow.Problem) bool {
	switch p.Code {
	case trafficflow.CodeUnreachable:
		return true
	case trafficflow.CodeID:
		return p.ID != ""
	case trafficflow.CodeWeight:
		return p.Field == "" // every weight 0
	case trafficflow.CodeHealthCheck:
		id, err := strconv.QuotedPrefix(p.Message)
		if err != nil {
			return false
		}
		id, _ = strconv.Unquote(id)
		return strings.Contains(p.Message, "is not a Route 53 health check id") && len(id) <= 64
	}
	return false
}

// providerVerdict is the plan-time verdict of the provider on a document
// given as JSON (regis_traffic_policy_version's document argument).
func providerVerdict(js string) (verdict, *trafficflow.Document, bool) {
	doc, err := trafficflow.ValidateJSON([]byte(js))
	if err == nil {
		return verdict{accepted: true}, doc, false
	}
	var ve trafficflow.ValidationErrors
	if !errors.As(err, &ve) {
		return verdict{code: "error", message: err.Error()}, nil, false
	}
	policyOnly := true
	codes := map[string]bool{}
	for _, p := range ve {
		codes[string(p.Code)] = true
		if !providerPolicy(p) {
			policyOnly = false
		}
	}
	list := make([]string, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	sort.Strings(list)
	return verdict{code: strings.Join(list, ","), message: ve.Error()}, nil, policyOnly
}

// emulatorVerdict creates the traffic policy with the real SDK client.
func emulatorVerdict(ctx context.Context, t *testing.T, client *r53.Client, c docCase) (verdict, string) {
	t.Helper()
	out, err := client.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(fmt.Sprintf("difftest-%d", c.Index)), Document: aws.String(c.JSON)})
	if err == nil {
		return verdict{accepted: true}, aws.ToString(out.TrafficPolicy.Id)
	}
	var doc *r53types.InvalidTrafficPolicyDocument
	var input *r53types.InvalidInput
	var resp *smithyhttp.ResponseError
	switch {
	case errors.As(err, &doc):
		return verdict{code: "InvalidTrafficPolicyDocument", message: doc.ErrorMessage()}, ""
	case errors.As(err, &input):
		return verdict{code: "InvalidInput", message: input.ErrorMessage()}, ""
	case errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusCreated:
		// The policy was created but the client lost the response: with a
		// request body of about 100 KB and a server that answers at once,
		// smithy-go closes the request body when the response headers
		// arrive while net/http is still finishing the request, and
		// net/http then drops the connection. Find the policy by name.
		id := policyByName(ctx, t, client, fmt.Sprintf("difftest-%d", c.Index))
		return verdict{accepted: true}, id
	}
	t.Fatalf("document %d: CreateTrafficPolicy failed with an error that is not a verdict on the document: %v", c.Index, err)
	return verdict{}, ""
}

func policyByName(ctx context.Context, t *testing.T, client *r53.Client, name string) string {
	t.Helper()
	var marker *string
	for {
		out, err := client.ListTrafficPolicies(ctx, &r53.ListTrafficPoliciesInput{TrafficPolicyIdMarker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out.TrafficPolicySummaries {
			if aws.ToString(p.Name) == name {
				return aws.ToString(p.Id)
			}
		}
		if !out.IsTruncated {
			t.Fatalf("traffic policy %s not found after a 201 Created", name)
		}
		marker = out.TrafficPolicyIdMarker
	}
}

// compareDNS creates a policy record for the document and compares, for each
// client region and health state, the simulator's shares with the emulator's
// answers. It returns "" or what differs.
func compareDNS(ctx context.Context, t *testing.T, client *r53.Client, svc *route53.Service, zoneID string, checks []string,
	c docCase, doc *trafficflow.Document, policyID string, rnd *rand.Rand, cnt *counts) string {
	t.Helper()
	policy, err := trafficflow.Compile(doc)
	if err != nil {
		t.Fatalf("document %d: Compile after a clean ValidateJSON: %v", c.Index, err)
	}
	name := fmt.Sprintf("d%d.difftest.example", c.Index)
	in, err := client.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String(name),
		TTL: aws.Int64(60), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatalf("document %d: CreateTrafficPolicyInstance: %v", c.Index, err)
	}
	defer func() {
		if _, err := client.DeleteTrafficPolicyInstance(ctx, &r53.DeleteTrafficPolicyInstanceInput{Id: in.TrafficPolicyInstance.Id}); err != nil {
			t.Fatalf("DeleteTrafficPolicyInstance: %v", err)
		}
	}()
	st, err := client.GetTrafficPolicyInstance(ctx, &r53.GetTrafficPolicyInstanceInput{Id: in.TrafficPolicyInstance.Id})
	if err != nil {
		t.Fatal(err)
	}
	if state := aws.ToString(st.TrafficPolicyInstance.State); state != "Applied" {
		t.Fatalf("document %d: the policy record is %s (%s), not Applied\n%s", c.Index, state, aws.ToString(st.TrafficPolicyInstance.Message), c.JSON)
	}
	cnt.dnsDocuments++
	for _, unhealthy := range healthStates(rnd, c.Checks) {
		for _, hc := range checks {
			if err := svc.SetHealthCheckStatus(hc, !unhealthy[hc]); err != nil {
				t.Fatal(err)
			}
		}
		for _, region := range c.Clients {
			dist, err := policy.Simulate(region, trafficflow.Unhealthy(unhealthy))
			if err != nil {
				t.Fatalf("document %d: Simulate from %s: %v", c.Index, region, err)
			}
			want := map[string]float64{}
			for ep, share := range dist.Shares {
				want[ep] = share
			}
			if dist.NoAnswer > 0 {
				want[""] = dist.NoAnswer
			}
			lookups := *flagLookups
			for _, p := range want {
				if p > 1-1e-9 {
					lookups = 40 // one expected answer: any other is a disagreement
				}
			}
			got := map[string]float64{}
			for k := 0; k < lookups; k++ {
				ans, err := svc.Lookup(region, name, string(doc.RecordType), rnd)
				if err != nil {
					t.Fatalf("document %d: Lookup from %s: %v", c.Index, region, err)
				}
				if len(ans) == 0 {
					got[""]++
				}
				for _, a := range ans {
					got[a.Endpoint] += 1 / float64(len(ans))
				}
			}
			cnt.dnsLookups += lookups
			keys := map[string]bool{}
			for k := range want {
				keys[k] = true
			}
			for k := range got {
				keys[k] = true
			}
			for k := range keys {
				cnt.dnsComparisons++
				if m := got[k] / float64(lookups); disagrees(m, want[k], lookups) {
					return fmt.Sprintf("client %s, unhealthy %v: endpoint %q answered %.3f of %d lookups, the simulator says %.3f (simulator %v; emulator %v)",
						region, sortedSet(unhealthy), k, m, lookups, want[k], fmtShares(want, 1), fmtShares(got, float64(lookups)))
				}
			}
		}
	}
	return ""
}

// healthStates are the sets of failing health checks tried: none, two
// random subsets of those the document references, and all of them.
func healthStates(rnd *rand.Rand, referenced []string) []map[string]bool {
	states := []map[string]bool{{}}
	if len(referenced) == 0 {
		return states
	}
	for k := 0; k < 2; k++ {
		s := map[string]bool{}
		for _, hc := range referenced {
			if rnd.Float64() < 0.5 {
				s[hc] = true
			}
		}
		states = append(states, s)
	}
	all := map[string]bool{}
	for _, hc := range referenced {
		all[hc] = true
	}
	return append(states, all)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k[:8])
	}
	sort.Strings(out)
	return out
}

func fmtShares(m map[string]float64, div float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if name == "" {
			name = "(no answer)"
		}
		parts = append(parts, fmt.Sprintf("%s=%.3f", name, m[k]/div))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// report renders the counts and the disagreements.
func (c counts) report(seed uint64, found []disagreement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "differential run, seed %d:\n", seed)
	fmt.Fprintf(&b, "  documents: %d (%d generated valid, %d mutated)\n", c.documents, c.generatedValid, c.mutated)
	fmt.Fprintf(&b, "  emulator (Route 53): %d accepted, %d refused\n", c.emulatorAccepted, c.emulatorRefused)
	fmt.Fprintf(&b, "  provider at plan: %d accepted, %d refused, %d refused only by its own stricter checks\n", c.providerAccepted, c.providerRefused, c.providerPolicy)
	fmt.Fprintf(&b, "  DNS: %d documents, %d lookups, %d share comparisons (false-alarm bound %.0e per run)\n", c.dnsDocuments, c.dnsLookups, c.dnsComparisons, falseAlarm)
	fmt.Fprintf(&b, "  latency and geoproximity region sets drawn again because the two models ranked them differently: %d\n", c.regionRedraws)
	fmt.Fprintf(&b, "  disagreements: %d\n", len(found))
	kinds := make([]string, 0, len(c.byMutation))
	for k := range c.byMutation {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	b.WriteString("  mutations:")
	for _, k := range kinds {
		fmt.Fprintf(&b, " %s=%d;", k, c.byMutation[k])
	}
	b.WriteString("\n")
	for _, d := range found {
		fmt.Fprintf(&b, "\n--- document %d (%s: %s), %s disagreement\n  provider: %s\n  emulator: %s\n  document: %s\n",
			d.c.Index, d.c.Kind, d.c.Mutation, d.what, d.provider, d.emulator, truncate(d.c.JSON, 1500))
	}
	return b.String()
}
