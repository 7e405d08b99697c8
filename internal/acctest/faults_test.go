package acctest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func TestEnumerateCalls(t *testing.T) {
	calls := []emulator.Call{
		{Region: "us-east-1", Service: "sts", Action: "GetCallerIdentity"},
		{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck"},
		{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck", Fault: "Throttling"},
		{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck"},
		{Region: "us-east-1", Service: "route53", Action: "GetHealthCheck"},
		{Region: "ap-south-1", Service: "sqs", Action: "CreateQueue"},
		{Region: "ap-southeast-1", Service: "sqs", Action: "CreateQueue"},
	}
	got := EnumerateCalls(calls, CallsOf("route53", "sqs"))
	want := []string{"route53.CreateHealthCheck#1", "route53.CreateHealthCheck#2", "route53.GetHealthCheck#1", "sqs.CreateQueue#1", "sqs.CreateQueue#1"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("call %d: %s, want %s", i, got[i], want[i])
		}
	}
	if got[3].Region == got[4].Region {
		t.Error("calls in two regions are counted apart")
	}
	if n := len(EnumerateCalls(calls, nil)); n != 6 {
		t.Errorf("without a filter: %d calls, want 6 (faulted calls left out)", n)
	}
}

func TestCallKeyFault(t *testing.T) {
	k := CallKey{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck", Occurrence: 3}
	f := k.Fault(emulator.Fault{Throttle: true, Times: 2, Action: "ignored"})
	if f.Region != "us-east-1" || f.Service != "route53" || f.Action != "CreateHealthCheck" || f.After != 2 || !f.Throttle || f.Times != 2 {
		t.Errorf("fault %+v", f)
	}
	if !Mutating(k) || Mutating(CallKey{Action: "GetHealthCheck"}) || Mutating(CallKey{Action: "ListTagsForResource"}) || Mutating(CallKey{Action: "DescribeAlarms"}) {
		t.Error("Mutating")
	}
}

func TestDefaultFaultError(t *testing.T) {
	re := DefaultFaultError("InternalFailure")(CallKey{Action: "CreateHealthCheck"})
	out := "Error: Creating health check\n\n  with regis_health_check.a,\n\nCreateHealthCheck: operation error Route 53: CreateHealthCheck, https response error StatusCode: 500, api error InternalFailure: injected"
	if !re.MatchString(out) {
		t.Errorf("%s does not match %q", re, out)
	}
	if re.MatchString(strings.Replace(out, "InternalFailure", "AccessDenied", 1)) {
		t.Errorf("%s matches another code", re)
	}
}

func TestFaultReportStats(t *testing.T) {
	r := &FaultReport{Cases: []*FaultCase{
		{Kind: "A", Ran: true, PhaseFailed: true, FailedAsExpected: true, Converged: true, Passed: true},
		{Kind: "A", Ran: true, PhaseFailed: true, FailedAsExpected: true, OrphansAtFailure: []string{"x", "y"}},
		{Kind: "A"},
		{Kind: "B", Ran: true, FailedAsExpected: true, Converged: true, LeftAfterDestroy: []string{"z"}},
	}}
	a := r.Stats("A")
	if a.Defined != 3 || a.Tried != 2 || a.PhaseFailed != 2 || a.Converged != 1 || a.CasesWithOrphans != 1 || a.Orphans != 2 || a.Passed != 1 {
		t.Errorf("stats of A: %+v", a)
	}
	if all := r.Stats(); all.Defined != 4 || all.LeftAfterDestroy != 1 {
		t.Errorf("stats of all: %+v", all)
	}
	if k := r.Kinds(); len(k) != 2 || k[0] != "A" || k[1] != "B" {
		t.Errorf("kinds %v", k)
	}
	if s := r.Summary(); !strings.Contains(s, "A: 3 cases, 2 tried") || !strings.Contains(s, "FAILED") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestFaultSweepOrphans(t *testing.T) {
	s := FaultSweep{
		Scope: InventoryFilter{Service: "route53", Match: func(r core.Resource) bool { return r.Type != "hostedzone" }},
		Owns: func(rs *terraform.ResourceState, obj core.Resource) bool {
			return obj.ID == "arn:aws:route53:::healthcheck/"+rs.Primary.ID
		},
	}
	// A state as Terraform hands it to checks: the root module's resources.
	st := &terraform.State{Modules: []*terraform.ModuleState{{
		Path:      []string{"root"},
		Resources: map[string]*terraform.ResourceState{"regis_health_check.a": {Type: "regis_health_check", Primary: &terraform.InstanceState{ID: "hc1"}}},
	}}}
	objs := []core.Resource{
		{Service: "route53", Type: "hostedzone", ID: "Z1"},
		{Service: "route53", Type: "healthcheck", ID: "arn:aws:route53:::healthcheck/hc1"},
		{Service: "route53", Type: "healthcheck", ID: "arn:aws:route53:::healthcheck/hc2"},
		{Service: "sqs", Type: "queue", ID: "q"},
	}
	got := s.Orphans(objs, st)
	if len(got) != 1 || got[0].ID != "arn:aws:route53:::healthcheck/hc2" {
		t.Errorf("orphans %v, want hc2 only", got)
	}
}

// The front door of a private emulator: calls go through unchanged until a
// loss is armed; then the call is carried out and its answer lost.
func TestPrivateEmulatorLosesResponses(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	emu := NewPrivateEmulator(t)
	ctx := context.Background()
	client := func(attempts int) *route53.Client {
		cfg := emu.Client(t).AWSConfig(ctx, "")
		return route53.NewFromConfig(cfg, func(o *route53.Options) {
			o.BaseEndpoint, o.Region = aws.String(emu.FrontURL()), "us-east-1"
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = attempts })
		})
	}
	create := func(c *route53.Client, ref string) (*route53.CreateHealthCheckOutput, error) {
		return c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
			CallerReference: aws.String(ref),
			HealthCheckConfig: &awstypes.HealthCheckConfig{
				Type: awstypes.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(80),
			},
		})
	}
	if _, err := create(client(1), "first"); err != nil {
		t.Fatalf("through the front door: %v", err)
	}

	// The 2nd CreateHealthCheck from now on is carried out, its answer lost.
	id := emu.LoseResponses(CallKey{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck", Occurrence: 2}, 1)
	if _, err := create(client(1), "second"); err != nil {
		t.Fatalf("1st call after arming: %v", err)
	}
	_, err := create(client(1), "third")
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadGateway {
		t.Fatalf("2nd call after arming: %v, want 502", err)
	}
	if n := emu.LostResponses(id); n != 1 {
		t.Errorf("LostResponses = %d, want 1", n)
	}
	if n := len(emu.Objects(InventoryFilter{Type: "healthcheck"})); n != 3 {
		t.Errorf("%d health checks, want 3: the call whose answer was lost was carried out", n)
	}
	// Armed once: the SDK's retry of the same call gets the answer.
	emu.LoseResponses(CallKey{Region: "us-east-1", Service: "route53", Action: "CreateHealthCheck", Occurrence: 1}, 1)
	out, err := create(client(3), "fourth")
	if err != nil || out.HealthCheck == nil {
		t.Fatalf("retried after a lost answer: %v", err)
	}
	emu.ClearFaults()
	if n := emu.LostResponses(id); n != 0 {
		t.Errorf("after ClearFaults, LostResponses = %d", n)
	}
	if !strings.Contains(emu.ProviderConfig("max_retries = 1"), emu.FrontURL()) {
		t.Error("ProviderConfig does not point at the front door")
	}
}
