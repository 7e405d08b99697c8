package route53_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

var ctx = context.Background()

// env is one emulator with its Route 53 service and an SDK client.
type env struct {
	emu *emulator.Emulator
	svc *route53.Service
	c   *r53.Client
}

func start(t *testing.T) *env {
	t.Helper()
	emu := emulatortest.Start(t)
	svc, ok := emu.Service("route53").(*route53.Service)
	if !ok {
		t.Fatal("the emulator has no Route 53 service")
	}
	return &env{emu: emu, svc: svc, c: r53.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))}
}

// advance moves the emulator clock past the propagation delays.
func (e *env) advance() {
	e.emu.Clock().Advance(e.svc.CurrentDelays().Instance + e.svc.CurrentDelays().Change + time.Millisecond)
}

func (e *env) zone(t *testing.T, name string) string {
	t.Helper()
	out, err := e.c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name + "-" + time.Now().Format(time.RFC3339Nano))})
	if err != nil {
		t.Fatalf("CreateHostedZone %s: %v", name, err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
}

func (e *env) change(t *testing.T, zoneID string, changes ...r53types.Change) {
	t.Helper()
	if _, err := e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes},
	}); err != nil {
		t.Fatalf("ChangeResourceRecordSets: %v", err)
	}
}

func rr(action r53types.ChangeAction, name string, typ r53types.RRType, ttl int64, values ...string) r53types.Change {
	set := &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		set.ResourceRecords = append(set.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	return r53types.Change{Action: action, ResourceRecordSet: set}
}

func (e *env) healthCheck(t *testing.T, ip string) string {
	t.Helper()
	out, err := e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{
		CallerReference: aws.String("hc-" + ip + "-" + time.Now().Format(time.RFC3339Nano)),
		HealthCheckConfig: &r53types.HealthCheckConfig{
			Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String(ip), ResourcePath: aws.String("/health"),
		},
	})
	if err != nil {
		t.Fatalf("CreateHealthCheck %s: %v", ip, err)
	}
	return aws.ToString(out.HealthCheck.Id)
}

// expectError asserts that err decodes as the SDK error type T.
func expectError[T error](t *testing.T, err error, what string) {
	t.Helper()
	_ = errorAs[T](t, err, what)
}

// errorAs asserts that err decodes as the SDK error type T and returns it.
func errorAs[T error](t *testing.T, err error, what string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Fatalf("%s: got no error, want %T", what, target)
	}
	if !errors.As(err, &target) {
		t.Fatalf("%s: got %v (%T), want %T", what, err, err, target)
	}
	return target
}

// rollout holds the seed's rollout: one single-region endpoint and a latency
// rule across Singapore and Mumbai, each with its health check.
type rollout struct {
	single, sg, mumbai       string // endpoint values (IPv4)
	hcSingle, hcSG, hcMumbai string
}

func newRollout(t *testing.T, e *env) rollout {
	t.Helper()
	r := rollout{single: "192.0.2.10", sg: "198.51.100.1", mumbai: "198.51.100.2"}
	r.hcSingle = e.healthCheck(t, "203.0.113.10")
	r.hcSG = e.healthCheck(t, "203.0.113.1")
	r.hcMumbai = e.healthCheck(t, "203.0.113.2")
	return r
}

// document renders the rollout with the given weights: a weighted rule
// between the single-region endpoint and a latency rule across Singapore and
// Mumbai (whose health it evaluates), each endpoint with its health check.
func (r rollout) document(t *testing.T, single, latency int) string {
	t.Helper()
	return fmt.Sprintf(`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"split",`+
		`"Endpoints":{"ap-south-1":{"Type":"value","Value":%q},"ap-southeast-1":{"Type":"value","Value":%q},"single-us-east-1":{"Type":"value","Value":%q}},`+
		`"Rules":{"latency":{"RuleType":"latency","Regions":[`+
		`{"EndpointReference":"ap-southeast-1","Region":"ap-southeast-1","HealthCheck":%q},`+
		`{"EndpointReference":"ap-south-1","Region":"ap-south-1","HealthCheck":%q}]},`+
		`"split":{"RuleType":"weighted","Items":[`+
		`{"EndpointReference":"single-us-east-1","Weight":"%d","HealthCheck":%q},`+
		`{"RuleReference":"latency","Weight":"%d","EvaluateTargetHealth":true}]}}}`,
		r.mumbai, r.sg, r.single, r.hcSG, r.hcMumbai, single, r.hcSingle, latency)
}

// waitApplied polls GetTrafficPolicyInstance until the instance is Applied,
// returning the states seen on the way.
func (e *env) waitApplied(t *testing.T, id string) []string {
	t.Helper()
	var states []string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, err := e.c.GetTrafficPolicyInstance(ctx, &r53.GetTrafficPolicyInstanceInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetTrafficPolicyInstance: %v", err)
		}
		st := aws.ToString(out.TrafficPolicyInstance.State)
		if len(states) == 0 || states[len(states)-1] != st {
			states = append(states, st)
		}
		switch st {
		case "Applied":
			return states
		case "Failed":
			t.Fatalf("instance failed: %s", aws.ToString(out.TrafficPolicyInstance.Message))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("instance %s not Applied after 10s (states %v)", id, states)
	return nil
}

func (e *env) instanceState(t *testing.T, id string) *r53types.TrafficPolicyInstance {
	t.Helper()
	out, err := e.c.GetTrafficPolicyInstance(ctx, &r53.GetTrafficPolicyInstanceInput{Id: aws.String(id)})
	if err != nil {
		t.Fatalf("GetTrafficPolicyInstance: %v", err)
	}
	return out.TrafficPolicyInstance
}

// shares looks name up n times from clientRegion and returns the share of
// each answer value.
func shares(t *testing.T, svc *route53.Service, clientRegion, name string, n int, seed uint64) map[string]float64 {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		ans, err := svc.Lookup(clientRegion, name, "A", rnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans) != 1 {
			t.Fatalf("lookup %d: %d answers %v, want 1", i, len(ans), ans)
		}
		counts[ans[0].Value]++
	}
	out := map[string]float64{}
	for v, c := range counts {
		out[v] = float64(c) / float64(n)
	}
	return out
}

func lookupOne(t *testing.T, svc *route53.Service, clientRegion, name string) route53.Answer {
	t.Helper()
	ans, err := svc.Lookup(clientRegion, name, "A", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans) != 1 {
		t.Fatalf("lookup %s from %s: %v, want one answer", name, clientRegion, ans)
	}
	return ans[0]
}
