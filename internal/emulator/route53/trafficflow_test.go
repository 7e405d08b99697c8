package route53_test

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// TestRolloutAndRollback walks the seed's rollout: a policy record moved
// v1 (100 % single region) → v2 (90/10) → v3 (0/100) → v1 with
// UpdateTrafficPolicyInstance, watching the states and the answers.
func TestRolloutAndRollback(t *testing.T) {
	e := start(t)
	// Transitions happen when the test advances the clock, never on their own.
	e.svc.SetDelays(route53.Delays{Change: time.Hour, Instance: time.Hour})
	zoneID := e.zone(t, "example.com")
	ro := newRollout(t, e)

	// Version 1, then 2 and 3.
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("www"), Document: aws.String(ro.document(t, 100, 0)), Comment: aws.String("single region")})
	if err != nil {
		t.Fatal(err)
	}
	policyID := aws.ToString(p.TrafficPolicy.Id)
	if aws.ToInt32(p.TrafficPolicy.Version) != 1 || p.TrafficPolicy.Type != r53types.RRTypeA ||
		aws.ToString(p.Location) != fmt.Sprintf("https://route53.amazonaws.com/2013-04-01/trafficpolicy/%s/1", policyID) {
		t.Fatalf("CreateTrafficPolicy = %+v location %s", p.TrafficPolicy, aws.ToString(p.Location))
	}
	for i, w := range [][2]int{{90, 10}, {0, 100}} {
		v, err := e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: aws.String(policyID), Document: aws.String(ro.document(t, w[0], w[1]))})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToInt32(v.TrafficPolicy.Version); got != int32(i+2) {
			t.Fatalf("version %d, want %d", got, i+2)
		}
	}
	_, err = e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("www"), Document: aws.String(ro.document(t, 1, 1))})
	expectError[*r53types.TrafficPolicyAlreadyExists](t, err, "CreateTrafficPolicy with a taken name")
	_, err = e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: aws.String(policyID),
		Document: aws.String(strings.Replace(ro.document(t, 1, 1), `"Region":"ap-south-1"`, `"Region":"ap-mumbai-1"`, 1))})
	bad := errorAs[*r53types.InvalidTrafficPolicyDocument](t, err, "CreateTrafficPolicyVersion with an unknown region")
	if !strings.Contains(bad.ErrorMessage(), "ap-mumbai-1") {
		t.Errorf("the message should name the problem: %q", bad.ErrorMessage())
	}
	_, err = e.c.GetTrafficPolicy(ctx, &r53.GetTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(9)})
	expectError[*r53types.NoSuchTrafficPolicy](t, err, "GetTrafficPolicy of a version that does not exist")

	// The policy record.
	created, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{
		HostedZoneId: aws.String(zoneID), Name: aws.String("www.example.com"), TTL: aws.Int64(60),
		TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	inst := created.TrafficPolicyInstance
	instID := aws.ToString(inst.Id)
	if aws.ToString(inst.State) != "Creating" || aws.ToString(inst.Name) != "www.example.com." || inst.TrafficPolicyType != r53types.RRTypeA {
		t.Fatalf("CreateTrafficPolicyInstance = %+v", inst)
	}
	_, err = e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{
		HostedZoneId: aws.String(zoneID), Name: aws.String("www.example.com."), TTL: aws.Int64(60),
		TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(2),
	})
	expectError[*r53types.TrafficPolicyInstanceAlreadyExists](t, err, "a second instance for the same name and type")
	if ans, _ := e.svc.Lookup("us-east-1", "www.example.com", "A", nil); len(ans) != 0 {
		t.Errorf("answers before the records are created: %v", ans)
	}
	e.advance()
	if st := aws.ToString(e.instanceState(t, instID).State); st != "Applied" {
		t.Fatalf("state after the delay = %s, want Applied", st)
	}

	// Its record set in the zone, as Route 53 shows it.
	list, err := e.c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), StartRecordName: aws.String("www.example.com")})
	if err != nil || len(list.ResourceRecordSets) != 1 {
		t.Fatalf("ListResourceRecordSets = %+v, %v", list, err)
	}
	rec := list.ResourceRecordSets[0]
	if aws.ToString(rec.TrafficPolicyInstanceId) != instID || rec.Type != r53types.RRTypeA || aws.ToString(rec.Name) != "www.example.com." || rec.TTL != nil {
		t.Errorf("policy record set = %+v", rec)
	}

	const n = 2000
	sg := func(v int32) map[string]float64 {
		return shares(t, e.svc, "ap-southeast-1", "www.example.com", n, uint64(v))
	}
	if got := sg(1); got[ro.single] != 1 {
		t.Fatalf("v1 answers = %v, want only %s", got, ro.single)
	}

	// v1 → v2: Updating (the old records still answer), then Applied.
	upd, err := e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(30), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.TrafficPolicyInstance.State) != "Updating" || aws.ToInt32(upd.TrafficPolicyInstance.TrafficPolicyVersion) != 2 {
		t.Fatalf("UpdateTrafficPolicyInstance = %+v", upd.TrafficPolicyInstance)
	}
	if got := sg(2); got[ro.single] != 1 {
		t.Errorf("while Updating, answers = %v; the old version should still answer", got)
	}
	// (The SDK retries PriorRequestNotComplete as throttling; once is enough here.)
	_, err = e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(30), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(3)},
		func(o *r53.Options) { o.RetryMaxAttempts = 1 })
	expectError[*r53types.PriorRequestNotComplete](t, err, "UpdateTrafficPolicyInstance while Updating")
	_, err = e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(1)})
	expectError[*r53types.TrafficPolicyInUse](t, err, "deleting the version still answering during the update")
	e.advance()
	if st := aws.ToString(e.instanceState(t, instID).State); st != "Applied" {
		t.Fatalf("state = %s, want Applied", st)
	}
	if got := sg(3); math.Abs(got[ro.sg]-0.10) > 0.02 || math.Abs(got[ro.single]-0.90) > 0.02 {
		t.Errorf("v2 answers from Singapore = %v, want 90 %% single region and 10 %% Singapore", got)
	}
	if a := lookupOne(t, e.svc, "ap-southeast-1", "www.example.com"); a.TTL != 30 || a.TrafficPolicyInstanceID != instID {
		t.Errorf("answer %+v: TTL 30 and the instance id expected", a)
	}

	// v2 is in use: it cannot be deleted until the record moves to v3.
	_, err = e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(2)})
	expectError[*r53types.TrafficPolicyInUse](t, err, "DeleteTrafficPolicy of the version in use")

	// v2 → v3, this time polling with a short real delay.
	e.svc.SetDelays(route53.Delays{Change: 50 * time.Millisecond, Instance: 100 * time.Millisecond})
	if _, err := e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(30), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	if states := e.waitApplied(t, instID); !slices.Equal(states, []string{"Updating", "Applied"}) {
		t.Errorf("states polled = %v, want [Updating Applied]", states)
	}
	if got := sg(4); got[ro.sg] != 1 {
		t.Errorf("v3 answers from Singapore = %v, want only Singapore", got)
	}
	if _, err := e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(2)}); err != nil {
		t.Fatalf("DeleteTrafficPolicy of v2 once unused: %v", err)
	}
	_, err = e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(2)})
	expectError[*r53types.NoSuchTrafficPolicy](t, err, "deleting v2 twice")
	// A deleted version stays readable but is no longer listed; v2 cannot be used again.
	if got, err := e.c.GetTrafficPolicy(ctx, &r53.GetTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(2)}); err != nil || aws.ToInt32(got.TrafficPolicy.Version) != 2 {
		t.Errorf("GetTrafficPolicy of deleted v2 = %+v, %v", got, err)
	}
	versions, err := e.c.ListTrafficPolicyVersions(ctx, &r53.ListTrafficPolicyVersionsInput{Id: aws.String(policyID)})
	if err != nil {
		t.Fatal(err)
	}
	var listed []int32
	for _, v := range versions.TrafficPolicies {
		listed = append(listed, aws.ToInt32(v.Version))
	}
	if !slices.Equal(listed, []int32{1, 3}) {
		t.Errorf("listed versions = %v, want [1 3]", listed)
	}
	pols, err := e.c.ListTrafficPolicies(ctx, &r53.ListTrafficPoliciesInput{})
	if err != nil || len(pols.TrafficPolicySummaries) != 1 || aws.ToInt32(pols.TrafficPolicySummaries[0].LatestVersion) != 3 || aws.ToInt32(pols.TrafficPolicySummaries[0].TrafficPolicyCount) != 2 {
		t.Errorf("ListTrafficPolicies = %+v, %v", pols, err)
	}
	_, err = e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(30), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(2)})
	expectError[*r53types.NoSuchTrafficPolicy](t, err, "UpdateTrafficPolicyInstance to a deleted version")

	// A version of another record type cannot replace this one.
	cname, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("cname"), Document: aws.String(
		`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"CNAME","StartEndpoint":"lb","Endpoints":{"lb":{"Type":"value","Value":"lb.example.net"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(30), TrafficPolicyId: cname.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	expectError[*r53types.ConflictingTypes](t, err, "UpdateTrafficPolicyInstance to a CNAME policy")

	// Rollback: v3 → v1 is one changed number.
	e.svc.SetDelays(route53.Delays{Change: time.Hour, Instance: time.Hour})
	if _, err := e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(instID), TTL: aws.Int64(60), TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if st := aws.ToString(e.instanceState(t, instID).State); st != "Updating" {
		t.Errorf("state = %s, want Updating", st)
	}
	e.advance()
	if got := sg(5); got[ro.single] != 1 {
		t.Errorf("after rollback answers = %v, want only the single region", got)
	}

	// The instance is listed three ways and counted.
	byZone, err := e.c.ListTrafficPolicyInstancesByHostedZone(ctx, &r53.ListTrafficPolicyInstancesByHostedZoneInput{HostedZoneId: aws.String(zoneID)})
	if err != nil || len(byZone.TrafficPolicyInstances) != 1 {
		t.Errorf("ListTrafficPolicyInstancesByHostedZone = %+v, %v", byZone, err)
	}
	byPolicy, err := e.c.ListTrafficPolicyInstancesByPolicy(ctx, &r53.ListTrafficPolicyInstancesByPolicyInput{TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(3)})
	if err != nil || len(byPolicy.TrafficPolicyInstances) != 0 {
		t.Errorf("instances of v3 = %+v, %v; want none", byPolicy, err)
	}
	all, err := e.c.ListTrafficPolicyInstances(ctx, &r53.ListTrafficPolicyInstancesInput{})
	if err != nil || len(all.TrafficPolicyInstances) != 1 || aws.ToInt32(all.TrafficPolicyInstances[0].TrafficPolicyVersion) != 1 {
		t.Errorf("ListTrafficPolicyInstances = %+v, %v", all, err)
	}
	count, err := e.c.GetTrafficPolicyInstanceCount(ctx, &r53.GetTrafficPolicyInstanceCountInput{})
	if err != nil || aws.ToInt32(count.TrafficPolicyInstanceCount) != 1 {
		t.Errorf("GetTrafficPolicyInstanceCount = %+v, %v", count, err)
	}

	// Inventory, then tear everything down: Deleting, then gone; nothing left.
	inv := map[string]int{}
	for _, r := range e.emu.Inventory() {
		if r.Service == "route53" {
			inv[r.Type]++
			if r.Region != "global" {
				t.Errorf("resource %+v not global", r)
			}
		}
	}
	if inv["hostedzone"] != 1 || inv["trafficpolicyinstance"] != 1 || inv["trafficpolicy"] != 3 || inv["healthcheck"] != 3 || inv["recordset"] != 0 {
		t.Errorf("inventory = %v", inv)
	}
	_, err = e.c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(zoneID)})
	expectError[*r53types.HostedZoneNotEmpty](t, err, "DeleteHostedZone with a policy record")
	if _, err := e.c.DeleteTrafficPolicyInstance(ctx, &r53.DeleteTrafficPolicyInstanceInput{Id: aws.String(instID)}); err != nil {
		t.Fatal(err)
	}
	if st := aws.ToString(e.instanceState(t, instID).State); st != "Deleting" {
		t.Errorf("state after delete = %s, want Deleting", st)
	}
	e.advance()
	_, err = e.c.GetTrafficPolicyInstance(ctx, &r53.GetTrafficPolicyInstanceInput{Id: aws.String(instID)})
	expectError[*r53types.NoSuchTrafficPolicyInstance](t, err, "GetTrafficPolicyInstance after delete")
	for _, v := range []int32{1, 3} {
		if _, err := e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: cname.TrafficPolicy.Id, Version: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: aws.String(policyID), Document: aws.String(ro.document(t, 1, 1))})
	expectError[*r53types.NoSuchTrafficPolicy](t, err, "a version of a policy whose versions are all deleted")
	for _, hc := range []string{ro.hcSingle, ro.hcSG, ro.hcMumbai} {
		if _, err := e.c.DeleteHealthCheck(ctx, &r53.DeleteHealthCheckInput{HealthCheckId: aws.String(hc)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(zoneID)}); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.emu.Inventory() {
		if r.Service == "route53" {
			t.Errorf("orphan: %+v", r)
		}
	}
}

// TestHealthCheckFailover: with the Singapore health check failing, clients
// in Singapore get Mumbai, and Singapore again once it recovers.
func TestHealthCheckFailover(t *testing.T) {
	e := start(t)
	e.svc.SetDelays(route53.Delays{})
	zoneID := e.zone(t, "example.com")
	ro := newRollout(t, e)
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("all-regions"), Document: aws.String(ro.document(t, 0, 100))})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("www.example.com"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	e.waitApplied(t, aws.ToString(inst.TrafficPolicyInstance.Id))

	for region, want := range map[string]string{"ap-southeast-1": ro.sg, "ap-south-1": ro.mumbai, "ap-southeast-3": ro.sg, "eu-west-1": ro.mumbai} {
		if a := lookupOne(t, e.svc, region, "www.example.com"); a.Value != want {
			t.Errorf("client in %s answered %s (endpoint %s), want %s", region, a.Value, a.Endpoint, want)
		}
	}
	if err := e.svc.SetHealthCheckStatus(ro.hcSG, false); err != nil {
		t.Fatal(err)
	}
	a := lookupOne(t, e.svc, "ap-southeast-1", "www.example.com")
	if a.Value != ro.mumbai || a.Endpoint != "ap-south-1" {
		t.Errorf("with Singapore unhealthy, a Singapore client got %+v, want Mumbai", a)
	}
	// Both regions down: the latency rule is unhealthy as a whole, and with
	// zero weight for the single region Route 53 still answers (all unhealthy
	// counts as all healthy inside the weighted rule).
	_ = e.svc.SetHealthCheckStatus(ro.hcMumbai, false)
	if a := lookupOne(t, e.svc, "ap-southeast-1", "www.example.com"); a.Value == "" {
		t.Error("no answer with every region down")
	}
	_ = e.svc.SetHealthCheckStatus(ro.hcMumbai, true)
	// Recovery through the admin HTTP API.
	resp, err := http.Post(e.emu.URL()+"/_emulator/route53/healthchecks/"+ro.hcSG, "application/json", strings.NewReader(`{"healthy": true}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("admin POST: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if a := lookupOne(t, e.svc, "ap-southeast-1", "www.example.com"); a.Value != ro.sg {
		t.Errorf("after recovery a Singapore client got %+v, want Singapore", a)
	}
}

func TestPolicyRecordConflictsAndDirectDelete(t *testing.T) {
	e := start(t)
	e.svc.SetDelays(route53.Delays{})
	zoneID := e.zone(t, "example.com")
	doc := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"w","Endpoints":{"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"},"spare":{"Type":"value","Value":"192.0.2.3"}},` +
		`"Rules":{"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"0"},{"EndpointReference":"b","Weight":0}]},"unused":{"RuleType":"failover","Primary":{"EndpointReference":"spare"},"Secondary":{"EndpointReference":"a"}}}}`
	// Route 53 accepts all-zero weights and unreachable rules (the provider's own checks are stricter).
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("equal"), Document: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreateTrafficPolicy with all-zero weights and an unused rule: %v", err)
	}
	// A record set already at the name: the instance fails.
	e.change(t, zoneID, rr(r53types.ChangeActionCreate, "taken.example.com", r53types.RRTypeA, 60, "192.0.2.9"))
	failed, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("taken.example.com"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	fi := e.instanceState(t, aws.ToString(failed.TrafficPolicyInstance.Id))
	if aws.ToString(fi.State) != "Failed" || !strings.Contains(aws.ToString(fi.Message), "already exists") {
		t.Errorf("instance over an existing record = %s %q, want Failed", aws.ToString(fi.State), aws.ToString(fi.Message))
	}
	if a := lookupOne(t, e.svc, "us-east-1", "taken.example.com"); a.Value != "192.0.2.9" {
		t.Errorf("the existing record should keep answering: %+v", a)
	}
	_, err = e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("www.example.org"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	expectError[*r53types.InvalidInput](t, err, "an instance name outside the zone")
	_, err = e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("x.example.com"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(4)})
	expectError[*r53types.NoSuchTrafficPolicy](t, err, "an instance of a version that does not exist")

	ok, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("eq.example.com"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(ok.TrafficPolicyInstance.Id)
	e.waitApplied(t, id)
	got := shares(t, e.svc, "us-east-1", "eq.example.com", 4000, 7)
	if math.Abs(got["192.0.2.1"]-0.5) > 0.03 || math.Abs(got["192.0.2.2"]-0.5) > 0.03 {
		t.Errorf("all-zero weights should share equally: %v", got)
	}
	// Ordinary records cannot be created over the policy record.
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		rr(r53types.ChangeActionCreate, "eq.example.com", r53types.RRTypeA, 60, "192.0.2.9")}}})
	expectError[*r53types.InvalidChangeBatch](t, err, "CREATE over a policy record")
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		rr(r53types.ChangeActionUpsert, "eq.example.com", r53types.RRTypeA, 60, "192.0.2.9")}}})
	expectError[*r53types.InvalidChangeBatch](t, err, "UPSERT of a policy record")
	// Deleting it directly, as AWS documents, leaves the instance without records.
	e.change(t, zoneID, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String("eq.example.com."), Type: r53types.RRTypeA, TrafficPolicyInstanceId: aws.String(id)}})
	res, err := e.svc.Resolve("us-east-1", "eq.example.com", "A", nil)
	if err != nil || len(res.Answers) != 0 || !res.NXDomain {
		t.Errorf("after deleting the policy record: %+v, %v; want NXDOMAIN", res, err)
	}
	if st := aws.ToString(e.instanceState(t, id).State); st != "Applied" {
		t.Errorf("the instance should remain (state %s)", st)
	}
	// An update creates the records again.
	if _, err := e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: aws.String(id), TTL: aws.Int64(61), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	e.waitApplied(t, id)
	if a := lookupOne(t, e.svc, "us-east-1", "eq.example.com"); a.TTL != 61 {
		t.Errorf("after the update: %+v", a)
	}
}

func TestTrafficPolicyLimits(t *testing.T) {
	e := start(t)
	doc := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"e","Endpoints":{"e":{"Type":"value","Value":"192.0.2.1"}}}`
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("many"), Document: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	for v := 2; v <= 1000; v++ {
		if _, err := e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: p.TrafficPolicy.Id, Document: aws.String(doc)}); err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
	}
	_, err = e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: p.TrafficPolicy.Id, Document: aws.String(doc)})
	expectError[*r53types.TooManyTrafficPolicyVersionsForCurrentPolicy](t, err, "the 1001st version")
	// Deleting versions does not free numbers.
	if _, err := e.c.DeleteTrafficPolicy(ctx, &r53.DeleteTrafficPolicyInput{Id: p.TrafficPolicy.Id, Version: aws.Int32(1000)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: p.TrafficPolicy.Id, Document: aws.String(doc)})
	expectError[*r53types.TooManyTrafficPolicyVersionsForCurrentPolicy](t, err, "a version after deleting one")
	// Paging through versions.
	out, err := e.c.ListTrafficPolicyVersions(ctx, &r53.ListTrafficPolicyVersionsInput{Id: p.TrafficPolicy.Id, MaxItems: aws.Int32(10), TrafficPolicyVersionMarker: aws.String("995")})
	if err != nil || len(out.TrafficPolicies) != 5 || out.IsTruncated {
		t.Errorf("versions from 995 = %d truncated=%v, %v", len(out.TrafficPolicies), out.IsTruncated, err)
	}

	e.svc.SetLimits(route53.Limits{HostedZones: 500, HealthChecks: 200, TrafficPolicies: 2, TrafficPolicyInstances: 5, TrafficPolicyVersions: 1000})
	if _, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("second"), Document: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("third"), Document: aws.String(doc)})
	expectError[*r53types.TooManyTrafficPolicies](t, err, "a policy over the limit")
	_, err = e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("bad"), Document: aws.String(`{"AWSPolicyFormatVersion":"2015-10-01"}`)})
	expectError[*r53types.InvalidTrafficPolicyDocument](t, err, "a document without RecordType")
}
