package route53_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

func TestHealthCheckLifecycle(t *testing.T) {
	e := start(t)
	cfg := &r53types.HealthCheckConfig{
		Type: r53types.HealthCheckTypeHttps, FullyQualifiedDomainName: aws.String("app.example.com"), ResourcePath: aws.String("/health"),
		Regions: []r53types.HealthCheckRegion{"us-east-1", "eu-west-1", "ap-southeast-1"},
	}
	out, err := e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: cfg})
	if err != nil {
		t.Fatal(err)
	}
	hc := out.HealthCheck
	id := aws.ToString(hc.Id)
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("id %q is not a UUID", id)
	}
	if aws.ToString(out.Location) != "https://route53.amazonaws.com/2013-04-01/healthcheck/"+id {
		t.Errorf("Location = %q", aws.ToString(out.Location))
	}
	c := hc.HealthCheckConfig
	if aws.ToInt32(c.Port) != 443 || aws.ToInt32(c.RequestInterval) != 30 || aws.ToInt32(c.FailureThreshold) != 3 ||
		!aws.ToBool(c.EnableSNI) || aws.ToBool(c.Inverted) || aws.ToBool(c.Disabled) || aws.ToInt64(hc.HealthCheckVersion) != 1 || len(c.Regions) != 3 {
		t.Errorf("defaults not applied: %+v version %d", c, aws.ToInt64(hc.HealthCheckVersion))
	}

	// The same CallerReference and settings return the same health check; other settings conflict.
	again, err := e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: cfg})
	if err != nil || aws.ToString(again.HealthCheck.Id) != id {
		t.Fatalf("idempotent CreateHealthCheck = %+v, %v", again, err)
	}
	other := *cfg
	other.ResourcePath = aws.String("/other")
	_, err = e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: &other})
	expectError[*r53types.HealthCheckAlreadyExists](t, err, "CreateHealthCheck reusing a CallerReference with other settings")

	invalid := []*r53types.HealthCheckConfig{
		{Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String("203.0.113.1"), Regions: []r53types.HealthCheckRegion{"us-east-1", "eu-west-1"}},
		{Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String("10.0.0.1")},
		{Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String("203.0.113.1"), RequestInterval: aws.Int32(20)},
		{Type: r53types.HealthCheckTypeHttp, IPAddress: aws.String("203.0.113.1"), FailureThreshold: aws.Int32(11)},
		{Type: r53types.HealthCheckTypeHttpStrMatch, IPAddress: aws.String("203.0.113.1")},
		{Type: r53types.HealthCheckTypeTcp, IPAddress: aws.String("203.0.113.1")},
		{Type: r53types.HealthCheckTypeHttp},
	}
	for i, cfg := range invalid {
		_, err := e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("bad-" + string(rune('a'+i))), HealthCheckConfig: cfg})
		expectError[*r53types.InvalidInput](t, err, "invalid health check "+string(rune('a'+i)))
	}

	// Optimistic locking on updates.
	_, err = e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(7), FailureThreshold: aws.Int32(5)})
	expectError[*r53types.HealthCheckVersionMismatch](t, err, "UpdateHealthCheck with a stale version")
	upd, err := e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), HealthCheckVersion: aws.Int64(1),
		FailureThreshold: aws.Int32(5), ResetElements: []r53types.ResettableElementName{r53types.ResettableElementNameRegions}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(upd.HealthCheck.HealthCheckVersion) != 2 || aws.ToInt32(upd.HealthCheck.HealthCheckConfig.FailureThreshold) != 5 || len(upd.HealthCheck.HealthCheckConfig.Regions) != 0 {
		t.Errorf("after update: %+v", upd.HealthCheck)
	}

	upd, err = e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(id),
		Regions: []r53types.HealthCheckRegion{"us-west-2", "sa-east-1", "ap-northeast-1", "eu-west-1"}, Inverted: aws.Bool(false)})
	if err != nil || len(upd.HealthCheck.HealthCheckConfig.Regions) != 4 || aws.ToInt64(upd.HealthCheck.HealthCheckVersion) != 3 {
		t.Fatalf("UpdateHealthCheck of Regions = %+v, %v", upd, err)
	}
	if _, err := e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(id), ResetElements: []r53types.ResettableElementName{r53types.ResettableElementNameRegions}}); err != nil {
		t.Fatal(err)
	}

	// Status as the checkers see it, per checker region.
	st, err := e.c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: aws.String(id)})
	if err != nil || len(st.HealthCheckObservations) != 8 || !strings.HasPrefix(aws.ToString(st.HealthCheckObservations[0].StatusReport.Status), "Success") {
		t.Fatalf("GetHealthCheckStatus = %+v, %v", st, err)
	}
	if err := e.svc.SetHealthCheckStatus(id, false); err != nil {
		t.Fatal(err)
	}
	st, _ = e.c.GetHealthCheckStatus(ctx, &r53.GetHealthCheckStatusInput{HealthCheckId: aws.String(id)})
	if !strings.HasPrefix(aws.ToString(st.HealthCheckObservations[0].StatusReport.Status), "Failure") {
		t.Errorf("unhealthy status = %+v", st.HealthCheckObservations[0].StatusReport)
	}

	list, err := e.c.ListHealthChecks(ctx, &r53.ListHealthChecksInput{})
	if err != nil || len(list.HealthChecks) != 1 {
		t.Fatalf("ListHealthChecks = %+v, %v", list, err)
	}
	cnt, err := e.c.GetHealthCheckCount(ctx, &r53.GetHealthCheckCountInput{})
	if err != nil || aws.ToInt64(cnt.HealthCheckCount) != 1 {
		t.Fatalf("GetHealthCheckCount = %+v, %v", cnt, err)
	}
	if _, err := e.c.DeleteHealthCheck(ctx, &r53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.GetHealthCheck(ctx, &r53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	expectError[*r53types.NoSuchHealthCheck](t, err, "GetHealthCheck after delete")
	// A deleted health check's CallerReference cannot be reused.
	_, err = e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"), HealthCheckConfig: cfg})
	expectError[*r53types.HealthCheckAlreadyExists](t, err, "CreateHealthCheck with a deleted health check's CallerReference")
}

func TestHealthStatusSemantics(t *testing.T) {
	e := start(t)
	a := e.healthCheck(t, "203.0.113.21")
	b := e.healthCheck(t, "203.0.113.22")
	calc, err := e.c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("calc"), HealthCheckConfig: &r53types.HealthCheckConfig{
		Type: r53types.HealthCheckTypeCalculated, HealthThreshold: aws.Int32(2), ChildHealthChecks: []string{a, b},
	}})
	if err != nil {
		t.Fatal(err)
	}
	calcID := aws.ToString(calc.HealthCheck.Id)
	effective := func(id string) bool {
		_, eff, ok := e.svc.HealthCheckStatus(id)
		if !ok {
			t.Fatalf("no health check %s", id)
		}
		return eff
	}
	if !effective(calcID) {
		t.Fatal("calculated check with two healthy children should be healthy")
	}
	// Unhealthy through the admin HTTP API of an out-of-process emulator.
	resp, err := http.Post(e.emu.URL()+"/_emulator/route53/healthchecks/"+a, "application/json", strings.NewReader(`{"healthy": false}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("admin POST: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if effective(a) || effective(calcID) {
		t.Error("a is unhealthy, so is the calculated check needing 2 of 2")
	}
	// Inverted flips; Disabled counts as healthy before Inverted applies.
	if _, err := e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(a), Inverted: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if !effective(a) {
		t.Error("inverted unhealthy check should be healthy")
	}
	if _, err := e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(a), Inverted: aws.Bool(false), Disabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if !effective(a) || !effective(calcID) {
		t.Error("a disabled check counts as healthy")
	}
	if _, err := e.c.UpdateHealthCheck(ctx, &r53.UpdateHealthCheckInput{HealthCheckId: aws.String(a), Inverted: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if effective(a) {
		t.Error("disabled and inverted: Route 53 stops routing to it")
	}
	if err := e.svc.SetHealthCheckStatus("11111111-2222-3333-4444-555555555555", false); err == nil {
		t.Error("SetHealthCheckStatus of an unknown check should fail")
	}
}
