package route53_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// TestRolloutSplitOverDNS looks a 90/10 policy record up 10,000 times with
// the Go method and 1,000 times through a real DNS server.
func TestRolloutSplitOverDNS(t *testing.T) {
	e := start(t)
	e.svc.SetDelays(route53.Delays{})
	zoneID := e.zone(t, "example.com")
	ro := newRollout(t, e)
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("www"), Document: aws.String(ro.document(t, 90, 10))})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("www.example.com"),
		TTL: aws.Int64(45), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	e.waitApplied(t, aws.ToString(inst.TrafficPolicyInstance.Id))
	e.change(t, zoneID,
		rr(r53types.ChangeActionCreate, "txt.example.com", r53types.RRTypeTxt, 300, `"v=spf1 -all"`),
		rr(r53types.ChangeActionCreate, "v6.example.com", r53types.RRTypeAaaa, 300, "2001:db8::1"))

	// The Go method: 10,000 lookups from Singapore and from Mumbai.
	for _, region := range []string{"ap-southeast-1", "ap-south-1"} {
		got := shares(t, e.svc, region, "www.example.com", 10000, 42)
		regional := ro.sg
		if region == "ap-south-1" {
			regional = ro.mumbai
		}
		if math.Abs(got[regional]-0.10) > 0.02 || math.Abs(got[ro.single]-0.90) > 0.02 || len(got) != 2 {
			t.Errorf("from %s: shares %v, want 90 %% %s and 10 %% %s", region, got, ro.single, regional)
		}
	}

	// A real DNS server for clients in Singapore.
	srv, err := e.svc.StartDNS(route53.DNSConfig{ClientRegion: "ap-southeast-1", Addr: "127.0.0.1:0", Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	query := func(c *dns.Client, name string, qtype uint16) *dns.Msg {
		t.Helper()
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		resp, _, err := c.Exchange(m, srv.Addr())
		if err != nil {
			t.Fatalf("query %s %s: %v", name, dns.TypeToString[qtype], err)
		}
		return resp
	}
	const n = 1000
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		resp := query(client, "www.example.com.", dns.TypeA)
		if resp.Rcode != dns.RcodeSuccess || !resp.Authoritative || len(resp.Answer) != 1 {
			t.Fatalf("answer %d: %v", i, resp)
		}
		a, ok := resp.Answer[0].(*dns.A)
		if !ok || a.Hdr.Ttl != 45 {
			t.Fatalf("answer %d: %v, want an A record with TTL 45", i, resp.Answer[0])
		}
		counts[a.A.String()]++
	}
	if share := float64(counts[ro.sg]) / n; math.Abs(share-0.10) > 0.02 || counts[ro.sg]+counts[ro.single] != n {
		t.Errorf("DNS answers %v: Singapore share %.3f, want 0.10 ± 0.02", counts, share)
	}

	// TCP, other types, negative answers, names outside the zones.
	tcp := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	if resp := query(tcp, "txt.example.com.", dns.TypeTXT); len(resp.Answer) != 1 || resp.Answer[0].(*dns.TXT).Txt[0] != "v=spf1 -all" {
		t.Errorf("TXT over TCP: %v", resp)
	}
	if resp := query(client, "v6.example.com.", dns.TypeAAAA); len(resp.Answer) != 1 || resp.Answer[0].(*dns.AAAA).AAAA.String() != "2001:db8::1" {
		t.Errorf("AAAA: %v", resp)
	}
	resp := query(client, "www.example.com.", dns.TypeAAAA)
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 0 || len(resp.Ns) != 1 || resp.Ns[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("AAAA of an A-only name: %v; want NOERROR, no data, the SOA", resp)
	}
	resp = query(client, "nope.example.com.", dns.TypeA)
	if resp.Rcode != dns.RcodeNameError || !resp.Authoritative || len(resp.Ns) != 1 {
		t.Errorf("missing name: %v; want authoritative NXDOMAIN with the SOA", resp)
	}
	if resp := query(client, "www.example.org.", dns.TypeA); resp.Rcode != dns.RcodeRefused {
		t.Errorf("name outside every zone: %v; want REFUSED", resp)
	}
	if resp := query(client, "example.com.", dns.TypeNS); len(resp.Answer) != 4 {
		t.Errorf("apex NS: %v", resp)
	}

	// The server follows health: with Singapore failing, a 0/100 version sends Singapore clients to Mumbai.
	if _, err := e.c.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: p.TrafficPolicy.Id, Document: aws.String(ro.document(t, 0, 100))}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.UpdateTrafficPolicyInstance(ctx, &r53.UpdateTrafficPolicyInstanceInput{Id: inst.TrafficPolicyInstance.Id, TTL: aws.Int64(45), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	e.waitApplied(t, aws.ToString(inst.TrafficPolicyInstance.Id))
	if err := e.svc.SetHealthCheckStatus(ro.hcSG, false); err != nil {
		t.Fatal(err)
	}
	if resp := query(client, "www.example.com.", dns.TypeA); len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != ro.mumbai {
		t.Errorf("Singapore unhealthy: %v, want Mumbai %s", resp, ro.mumbai)
	}
	_ = e.svc.SetHealthCheckStatus(ro.hcSG, true)
	if resp := query(client, "www.example.com.", dns.TypeA); len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != ro.sg {
		t.Errorf("Singapore recovered: %v, want Singapore %s", resp, ro.sg)
	}

	// ServeDNS with a fixed address, stopped by its stop function.
	stop, err := e.svc.ServeDNS("ap-south-1", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := e.svc.ServeDNS("mars-north-1", "127.0.0.1:0"); err == nil {
		t.Error("ServeDNS for an unknown region should fail")
	}
}

// TestAliasEndpointsAndRoutingPolicies: alias endpoints outside the emulator
// answer as CNAMEs; ordinary weighted and failover record sets route.
func TestAliasEndpointsAndRoutingPolicies(t *testing.T) {
	e := start(t)
	e.svc.SetDelays(route53.Delays{})
	zoneID := e.zone(t, "example.com")
	doc := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"lat","Endpoints":{` +
		`"sg":{"Type":"application-load-balancer","Value":"app-sg.ap-southeast-1.elb.amazonaws.com"},` +
		`"in":{"Type":"value","Value":"198.51.100.7"}},` +
		`"Rules":{"lat":{"RuleType":"latency","Regions":[{"Region":"ap-southeast-1","EndpointReference":"sg"},{"Region":"ap-south-1","EndpointReference":"in"}]}}}`
	p, err := e.c.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String("alb"), Document: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := e.c.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String(zoneID), Name: aws.String("app.example.com"),
		TTL: aws.Int64(60), TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	e.waitApplied(t, aws.ToString(inst.TrafficPolicyInstance.Id))
	if a := lookupOne(t, e.svc, "ap-southeast-1", "app.example.com"); a.Type != "CNAME" || a.Value != "app-sg.ap-southeast-1.elb.amazonaws.com." || a.Endpoint != "sg" {
		t.Errorf("alias endpoint answer = %+v", a)
	}
	if a := lookupOne(t, e.svc, "ap-south-1", "app.example.com"); a.Type != "A" || a.Value != "198.51.100.7" {
		t.Errorf("value endpoint answer = %+v", a)
	}

	hc := e.healthCheck(t, "203.0.113.50")
	weighted := func(id string, w int64, v string) r53types.Change {
		c := rr(r53types.ChangeActionCreate, "w.example.com", r53types.RRTypeA, 60, v)
		c.ResourceRecordSet.SetIdentifier, c.ResourceRecordSet.Weight = aws.String(id), aws.Int64(w)
		return c
	}
	primary := rr(r53types.ChangeActionCreate, "f.example.com", r53types.RRTypeA, 60, "192.0.2.1")
	primary.ResourceRecordSet.SetIdentifier, primary.ResourceRecordSet.Failover, primary.ResourceRecordSet.HealthCheckId = aws.String("p"), r53types.ResourceRecordSetFailoverPrimary, aws.String(hc)
	secondary := rr(r53types.ChangeActionCreate, "f.example.com", r53types.RRTypeA, 60, "192.0.2.2")
	secondary.ResourceRecordSet.SetIdentifier, secondary.ResourceRecordSet.Failover = aws.String("s"), r53types.ResourceRecordSetFailoverSecondary
	alias := r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("example.com"), Type: r53types.RRTypeA,
		AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String(zoneID), DNSName: aws.String("f.example.com"), EvaluateTargetHealth: true}}}
	e.change(t, zoneID, weighted("a", 3, "192.0.2.31"), weighted("b", 1, "192.0.2.32"), primary, secondary, alias)

	got := shares(t, e.svc, "eu-west-1", "w.example.com", 4000, 9)
	if math.Abs(got["192.0.2.31"]-0.75) > 0.03 {
		t.Errorf("weighted 3:1 = %v", got)
	}
	if a := lookupOne(t, e.svc, "eu-west-1", "example.com"); a.Value != "192.0.2.1" || a.Name != "example.com." {
		t.Errorf("apex alias to the failover primary = %+v", a)
	}
	_ = e.svc.SetHealthCheckStatus(hc, false)
	if a := lookupOne(t, e.svc, "eu-west-1", "f.example.com"); a.Value != "192.0.2.2" {
		t.Errorf("primary unhealthy: %+v, want the secondary", a)
	}
	// A weighted record set next to a simple one is refused.
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		rr(r53types.ChangeActionCreate, "w.example.com", r53types.RRTypeA, 60, "192.0.2.9")}}})
	expectError[*r53types.InvalidChangeBatch](t, err, "a simple record set among weighted ones")
}
