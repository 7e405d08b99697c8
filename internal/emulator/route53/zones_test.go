package route53_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func TestHostedZoneLifecycle(t *testing.T) {
	e := start(t)
	out, err := e.c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{
		Name: aws.String("Example.COM"), CallerReference: aws.String("ref-1"),
		HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("first")},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.HostedZone.Id)
	zoneID := strings.TrimPrefix(id, "/hostedzone/")
	if !strings.HasPrefix(id, "/hostedzone/Z") || len(zoneID) < 14 || len(zoneID) > 22 || strings.ToUpper(zoneID) != zoneID {
		t.Errorf("hosted zone id %q does not look like AWS's", id)
	}
	if got := aws.ToString(out.HostedZone.Name); got != "example.com." {
		t.Errorf("Name = %q, want example.com.", got)
	}
	if got := aws.ToString(out.Location); got != "https://route53.amazonaws.com/2013-04-01/hostedzone/"+zoneID {
		t.Errorf("Location = %q", got)
	}
	if n := len(out.DelegationSet.NameServers); n != 4 {
		t.Errorf("%d name servers, want 4", n)
	}
	if out.ChangeInfo.Status != r53types.ChangeStatusPending || !strings.HasPrefix(aws.ToString(out.ChangeInfo.Id), "/change/C") {
		t.Errorf("ChangeInfo = %+v, want a PENDING /change/C…", out.ChangeInfo)
	}
	if aws.ToInt64(out.HostedZone.ResourceRecordSetCount) != 2 || aws.ToString(out.HostedZone.Config.Comment) != "first" {
		t.Errorf("HostedZone = %+v", out.HostedZone)
	}

	// The change is INSYNC once the emulated propagation delay has passed.
	e.advance()
	ch, err := e.c.GetChange(ctx, &r53.GetChangeInput{Id: out.ChangeInfo.Id})
	if err != nil || ch.ChangeInfo.Status != r53types.ChangeStatusInsync {
		t.Fatalf("GetChange = %+v, %v; want INSYNC", ch, err)
	}
	_, err = e.c.GetChange(ctx, &r53.GetChangeInput{Id: aws.String("/change/CNOSUCHCHANGE")})
	expectError[*r53types.NoSuchChange](t, err, "GetChange of an unknown change")

	// CallerReference is single-use.
	_, err = e.c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("other.com"), CallerReference: aws.String("ref-1")})
	expectError[*r53types.HostedZoneAlreadyExists](t, err, "CreateHostedZone reusing a CallerReference")
	_, err = e.c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("bad..name"), CallerReference: aws.String("ref-2")})
	expectError[*r53types.InvalidDomainName](t, err, "CreateHostedZone with an empty label")

	// SOA and NS at the apex.
	list, err := e.c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceRecordSets) != 2 || list.ResourceRecordSets[0].Type != r53types.RRTypeNs || list.ResourceRecordSets[1].Type != r53types.RRTypeSoa {
		t.Fatalf("record sets = %+v, want NS and SOA", list.ResourceRecordSets)
	}
	if aws.ToInt64(list.ResourceRecordSets[0].TTL) != 172800 || !strings.Contains(aws.ToString(list.ResourceRecordSets[1].ResourceRecords[0].Value), "awsdns-hostmaster.amazon.com.") {
		t.Errorf("apex records = %+v", list.ResourceRecordSets)
	}

	got, err := e.c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(zoneID)})
	if err != nil || aws.ToString(got.HostedZone.Id) != id || len(got.DelegationSet.NameServers) != 4 {
		t.Fatalf("GetHostedZone = %+v, %v", got, err)
	}
	upd, err := e.c.UpdateHostedZoneComment(ctx, &r53.UpdateHostedZoneCommentInput{Id: aws.String(zoneID), Comment: aws.String("second")})
	if err != nil || aws.ToString(upd.HostedZone.Config.Comment) != "second" {
		t.Fatalf("UpdateHostedZoneComment = %+v, %v", upd, err)
	}

	// A zone with records other than SOA and NS cannot be deleted.
	e.change(t, zoneID, rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 300, "192.0.2.1"))
	_, err = e.c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(zoneID)})
	expectError[*r53types.HostedZoneNotEmpty](t, err, "DeleteHostedZone with a record")
	e.change(t, zoneID, rr(r53types.ChangeActionDelete, "www.example.com.", r53types.RRTypeA, 300, "192.0.2.1"))
	del, err := e.c.DeleteHostedZone(ctx, &r53.DeleteHostedZoneInput{Id: aws.String(zoneID)})
	if err != nil || del.ChangeInfo == nil {
		t.Fatalf("DeleteHostedZone = %+v, %v", del, err)
	}
	_, err = e.c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(zoneID)})
	nsz := errorAs[*r53types.NoSuchHostedZone](t, err, "GetHostedZone after delete")
	if !strings.Contains(nsz.ErrorMessage(), zoneID) {
		t.Errorf("message %q does not name the zone", nsz.ErrorMessage())
	}
	for _, r := range e.emu.Inventory() {
		if r.Service == "route53" {
			t.Errorf("left in the inventory: %+v", r)
		}
	}
}

func TestListHostedZones(t *testing.T) {
	e := start(t)
	names := []string{"b.example.org", "example.com", "a.example.org", "www.example.com", "example.net"}
	ids := map[string]string{}
	for _, n := range names {
		ids[n] = e.zone(t, n)
	}
	count, err := e.c.GetHostedZoneCount(ctx, &r53.GetHostedZoneCountInput{})
	if err != nil || aws.ToInt64(count.HostedZoneCount) != int64(len(names)) {
		t.Fatalf("GetHostedZoneCount = %+v, %v", count, err)
	}
	// ListHostedZones pages in creation order.
	var seen []string
	var marker *string
	for {
		out, err := e.c.ListHostedZones(ctx, &r53.ListHostedZonesInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range out.HostedZones {
			seen = append(seen, strings.TrimSuffix(aws.ToString(z.Name), "."))
		}
		if !out.IsTruncated {
			break
		}
		marker = out.NextMarker
	}
	if fmt.Sprint(seen) != fmt.Sprint(names) {
		t.Errorf("ListHostedZones = %v, want %v", seen, names)
	}
	// ListHostedZonesByName orders by reversed labels and starts at DNSName.
	out, err := e.c.ListHostedZonesByName(ctx, &r53.ListHostedZonesByNameInput{DNSName: aws.String("example.net"), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	var byName []string
	for _, z := range out.HostedZones {
		byName = append(byName, aws.ToString(z.Name))
	}
	if fmt.Sprint(byName) != "[example.net. a.example.org.]" || !out.IsTruncated || aws.ToString(out.NextDNSName) != "b.example.org." || aws.ToString(out.NextHostedZoneId) != ids["b.example.org"] {
		t.Errorf("ListHostedZonesByName = %v truncated=%v next=%s/%s", byName, out.IsTruncated, aws.ToString(out.NextDNSName), aws.ToString(out.NextHostedZoneId))
	}
}

func TestChangeResourceRecordSetsValidation(t *testing.T) {
	e := start(t)
	zoneID := e.zone(t, "example.com")
	e.change(t, zoneID,
		rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 300, "192.0.2.1", "192.0.2.2"),
		rr(r53types.ChangeActionCreate, "alias-me.example.com", r53types.RRTypeCname, 60, "www.example.com"),
	)
	cases := []struct {
		name   string
		change r53types.Change
		want   string
	}{
		{"duplicate", rr(r53types.ChangeActionCreate, "www.example.com.", r53types.RRTypeA, 300, "192.0.2.3"),
			"[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"},
		{"missing", rr(r53types.ChangeActionDelete, "nope.example.com.", r53types.RRTypeA, 300, "192.0.2.3"),
			"[Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found]"},
		{"mismatch", rr(r53types.ChangeActionDelete, "www.example.com.", r53types.RRTypeA, 300, "192.0.2.1"),
			"[Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values]"},
		{"outside", rr(r53types.ChangeActionCreate, "www.example.org", r53types.RRTypeA, 300, "192.0.2.3"),
			"[RRSet with DNS name www.example.org. is not permitted in zone example.com.]"},
		{"cname conflict", rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeCname, 300, "other.example.com"),
			"[RRSet of type CNAME with DNS name www.example.com. is not permitted because a conflicting RRSet of type  A with the same DNS name already exists in zone example.com.]"},
		{"bad ipv4", rr(r53types.ChangeActionCreate, "v4.example.com", r53types.RRTypeA, 300, "192.0.2"),
			"ARRDATAIllegalIPv4Address"},
		{"cname at apex", rr(r53types.ChangeActionCreate, "example.com", r53types.RRTypeCname, 300, "x.example.net"),
			"is not permitted at apex in zone example.com."},
		{"delete SOA", r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: e.apex(t, zoneID, r53types.RRTypeSoa)},
			"A HostedZone must contain exactly one SOA record."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{tc.change}}})
			icb := errorAs[*r53types.InvalidChangeBatch](t, err, tc.name)
			if !strings.Contains(icb.ErrorMessage(), tc.want) {
				t.Errorf("message %q does not contain %q", icb.ErrorMessage(), tc.want)
			}
		})
	}
	// Problems in one batch are all reported, and nothing is applied.
	_, err := e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		rr(r53types.ChangeActionCreate, "new.example.com", r53types.RRTypeA, 300, "192.0.2.9"),
		rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 300, "192.0.2.9"),
		rr(r53types.ChangeActionDelete, "gone.example.com", r53types.RRTypeA, 300, "192.0.2.9"),
	}}})
	icb := errorAs[*r53types.InvalidChangeBatch](t, err, "batch")
	if strings.Count(icb.ErrorMessage(), "Tried to") != 2 {
		t.Errorf("batch message %q should hold both problems", icb.ErrorMessage())
	}
	if ans, _ := e.svc.Lookup("us-east-1", "new.example.com", "A", nil); len(ans) != 0 {
		t.Errorf("a refused batch was partly applied: %v", ans)
	}
	// Alias and TTL together, and a health check that does not exist.
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
		Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("a.example.com"), Type: r53types.RRTypeA, TTL: aws.Int64(60),
			AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String(zoneID), DNSName: aws.String("www.example.com")}},
	}}}})
	expectError[*r53types.InvalidInput](t, err, "alias with TTL")
	hcChange := rr(r53types.ChangeActionCreate, "hc.example.com", r53types.RRTypeA, 60, "192.0.2.1")
	hcChange.ResourceRecordSet.HealthCheckId = aws.String("11111111-2222-3333-4444-555555555555")
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{hcChange}}})
	expectError[*r53types.NoSuchHealthCheck](t, err, "record with an unknown health check")
	_, err = e.c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("ZNOSUCHZONE123"), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{hcChange}}})
	expectError[*r53types.NoSuchHostedZone](t, err, "change in an unknown zone")

	// UPSERT replaces; DELETE followed by CREATE in one batch is fine.
	e.change(t, zoneID, rr(r53types.ChangeActionUpsert, "www.example.com", r53types.RRTypeA, 60, "192.0.2.7"))
	e.change(t, zoneID,
		rr(r53types.ChangeActionDelete, "www.example.com", r53types.RRTypeA, 60, "192.0.2.7"),
		rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 120, "192.0.2.8"))
	ans, err := e.svc.Lookup("eu-west-1", "WWW.example.com.", "A", nil)
	if err != nil || len(ans) != 1 || ans[0].Value != "192.0.2.8" || ans[0].TTL != 120 {
		t.Errorf("after UPSERT and DELETE+CREATE: %v, %v", ans, err)
	}
	// The CNAME is followed within the zone.
	ans, _ = e.svc.Lookup("eu-west-1", "alias-me.example.com", "A", nil)
	if len(ans) != 2 || ans[0].Type != "CNAME" || ans[1].Value != "192.0.2.8" {
		t.Errorf("CNAME chain = %v", ans)
	}
}

// apex returns the zone's SOA or NS record set as listed.
func (e *env) apex(t *testing.T, zoneID string, typ r53types.RRType) *r53types.ResourceRecordSet {
	t.Helper()
	out, err := e.c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.ResourceRecordSets {
		if r.Type == typ {
			return &r
		}
	}
	t.Fatalf("no %s record", typ)
	return nil
}

func TestListResourceRecordSetsOrderAndPaging(t *testing.T) {
	e := start(t)
	zoneID := e.zone(t, "example.com")
	e.change(t, zoneID,
		rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeTxt, 300, `"hello"`),
		rr(r53types.ChangeActionCreate, "www.example.com", r53types.RRTypeA, 300, "192.0.2.1"),
		rr(r53types.ChangeActionCreate, "b.example.com", r53types.RRTypeA, 300, "192.0.2.2"),
		rr(r53types.ChangeActionCreate, "x.a.example.com", r53types.RRTypeAaaa, 300, "2001:db8::1"),
		rr(r53types.ChangeActionCreate, "a.example.com", r53types.RRTypeMx, 300, "10 mail.example.com"),
		rr(r53types.ChangeActionCreate, "*.example.com", r53types.RRTypeA, 300, "192.0.2.99"),
	)
	want := []string{
		"example.com. NS", "example.com. SOA", `\052.example.com. A`, "a.example.com. MX", "x.a.example.com. AAAA",
		"b.example.com. A", "www.example.com. A", "www.example.com. TXT",
	}
	var got []string
	in := &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), MaxItems: aws.Int32(3)}
	pages := 0
	for {
		out, err := e.c.ListResourceRecordSets(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.ResourceRecordSets {
			got = append(got, aws.ToString(r.Name)+" "+string(r.Type))
		}
		if !out.IsTruncated {
			break
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 3 {
		t.Errorf("listing in %d pages = %q\nwant %q", pages, got, want)
	}
	out, err := e.c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		StartRecordName: aws.String("www.example.com"), StartRecordType: r53types.RRTypeTxt})
	if err != nil || len(out.ResourceRecordSets) != 1 || out.ResourceRecordSets[0].Type != r53types.RRTypeTxt {
		t.Errorf("from www TXT: %+v, %v", out, err)
	}
	_, err = e.c.ListResourceRecordSets(ctx, &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), StartRecordType: r53types.RRTypeA})
	expectError[*r53types.InvalidInput](t, err, "StartRecordType without StartRecordName")

	// The wildcard answers names that do not exist, not those that do.
	if a := lookupOne(t, e.svc, "us-east-1", "anything.example.com"); a.Value != "192.0.2.99" || a.Name != "anything.example.com." {
		t.Errorf("wildcard answer = %+v", a)
	}
	res, err := e.svc.Resolve("us-east-1", "a.example.com", "A", nil)
	if err != nil || len(res.Answers) != 0 || res.NXDomain {
		t.Errorf("a.example.com A (only MX there) = %+v, %v; want no data", res, err)
	}
}

func TestTagsAndFaults(t *testing.T) {
	e := start(t)
	zoneID := e.zone(t, "example.com")
	hc := e.healthCheck(t, "203.0.113.5")
	for _, r := range []struct {
		typ r53types.TagResourceType
		id  string
	}{{r53types.TagResourceTypeHostedzone, zoneID}, {r53types.TagResourceTypeHealthcheck, hc}} {
		_, err := e.c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceType: r.typ, ResourceId: aws.String(r.id),
			AddTags: []r53types.Tag{{Key: aws.String("team"), Value: aws.String("dns")}, {Key: aws.String("drop"), Value: aws.String("me")}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.c.ChangeTagsForResource(ctx, &r53.ChangeTagsForResourceInput{ResourceType: r.typ, ResourceId: aws.String(r.id), RemoveTagKeys: []string{"drop"}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.c.ListTagsForResource(ctx, &r53.ListTagsForResourceInput{ResourceType: r.typ, ResourceId: aws.String(r.id)})
		if err != nil || len(out.ResourceTagSet.Tags) != 1 || aws.ToString(out.ResourceTagSet.Tags[0].Key) != "team" || aws.ToString(out.ResourceTagSet.ResourceId) != r.id {
			t.Errorf("tags of %s = %+v, %v", r.typ, out, err)
		}
	}
	many, err := e.c.ListTagsForResources(ctx, &r53.ListTagsForResourcesInput{ResourceType: r53types.TagResourceTypeHealthcheck, ResourceIds: []string{hc}})
	if err != nil || len(many.ResourceTagSets) != 1 || len(many.ResourceTagSets[0].Tags) != 1 {
		t.Errorf("ListTagsForResources = %+v, %v", many, err)
	}
	_, err = e.c.ListTagsForResource(ctx, &r53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHealthcheck, ResourceId: aws.String("11111111-2222-3333-4444-555555555555")})
	expectError[*r53types.NoSuchHealthCheck](t, err, "tags of an unknown health check")

	// An injected fault is answered in Route 53's error format, so the SDK decodes it.
	e.emu.InjectFault(emulator.Fault{Service: "route53", Action: "GetHostedZone", Err: &core.APIError{Status: http.StatusNotFound, Code: "NoSuchHostedZone", Message: "injected"}})
	_, err = e.c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(zoneID)})
	if nsz := errorAs[*r53types.NoSuchHostedZone](t, err, "injected fault"); nsz.ErrorMessage() != "injected" {
		t.Errorf("message = %q", nsz.ErrorMessage())
	}
	// A server error is retried by the SDK and the call then succeeds.
	id := e.emu.InjectFault(emulator.Fault{Service: "route53", Action: "GetHostedZone"})
	if _, err := e.c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String(zoneID)}); err != nil {
		t.Fatalf("GetHostedZone after one injected 500: %v", err)
	}
	if e.emu.FaultHits(id) != 1 {
		t.Errorf("fault hits = %d, want 1", e.emu.FaultHits(id))
	}
	var actions []string
	for _, c := range e.emu.Calls() {
		if c.Service == "route53" && c.Region != "us-east-1" {
			t.Errorf("call %+v not signed for us-east-1", c)
		}
		actions = append(actions, c.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "ChangeTagsForResource") {
		t.Errorf("the call log lacks ChangeTagsForResource: %v", actions)
	}
}

func TestSeedHostedZone(t *testing.T) {
	e := start(t)
	if err := e.svc.SeedHostedZone("Example.Internal", "Z0REGISTEST000001"); err != nil {
		t.Fatal(err)
	}
	// The seeded zone is an ordinary zone: readable by its id, with its SOA
	// and NS records, and usable for record sets.
	got, err := e.c.GetHostedZone(ctx, &r53.GetHostedZoneInput{Id: aws.String("Z0REGISTEST000001")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.HostedZone.Id) != "/hostedzone/Z0REGISTEST000001" || aws.ToString(got.HostedZone.Name) != "example.internal." ||
		aws.ToInt64(got.HostedZone.ResourceRecordSetCount) != 2 || len(got.DelegationSet.NameServers) != 4 {
		t.Errorf("GetHostedZone = %+v, %+v", got.HostedZone, got.DelegationSet)
	}
	e.change(t, "Z0REGISTEST000001", rr(r53types.ChangeActionCreate, "www.example.internal", r53types.RRTypeA, 60, "192.0.2.1"))

	for _, c := range []struct{ name, id string }{
		{"other.internal", "Z0REGISTEST000001"},             // id in use
		{"other.internal", "/hostedzone/Z0REGISTEST000001"}, // same id, with the prefix
		{"other.internal", "z0registest000001"},             // lower case
		{"other.internal", "X0REGISTEST000001"},             // not Z…
		{"other.internal", "Z"},                             // too short
		{"other.internal", "Z" + strings.Repeat("A", 32)},   // too long
		{"other.internal", "/change/Z0REGISTEST000002"},     // another kind of id
		{"bad..name", "Z0REGISTEST000002"},                  // bad domain name
		{".", "Z0REGISTEST000002"},                          // the root
	} {
		if err := e.svc.SeedHostedZone(c.name, c.id); err == nil {
			t.Errorf("SeedHostedZone(%q, %q) = nil, want an error", c.name, c.id)
		}
	}
	if err := e.svc.SeedHostedZone("other.internal", "/hostedzone/Z0REGISTEST000002"); err != nil {
		t.Errorf("SeedHostedZone with the /hostedzone/ prefix: %v", err)
	}
	// Zones created through the API are listed after the seeded ones.
	zoneID := e.zone(t, "api.internal")
	list, err := e.c.ListHostedZones(ctx, &r53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, z := range list.HostedZones {
		ids = append(ids, strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"))
	}
	if want := []string{"Z0REGISTEST000001", "Z0REGISTEST000002", zoneID}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("ListHostedZones = %v, want %v", ids, want)
	}
}
