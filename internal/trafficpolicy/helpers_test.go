package trafficpolicy

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResourceTags(t *testing.T) {
	defaults := map[string]string{"team": "edge", "env": "prod"}
	all := map[string]string{"team": "edge", "env": "test", "Name": "hc"}
	// env differs from its default: the resource's own; team equals it: a
	// default tag unless the configuration had it.
	if got := resourceTags(nil, defaults, all); !maps.Equal(got, map[string]string{"env": "test", "Name": "hc"}) {
		t.Errorf("import: %v", got)
	}
	if got := resourceTags(map[string]string{"team": "edge", "Name": "hc"}, defaults, all); !maps.Equal(got, map[string]string{"team": "edge", "env": "test", "Name": "hc"}) {
		t.Errorf("configured team: %v", got)
	}
}

func TestHealthCheckTypes(t *testing.T) {
	for _, tc := range []struct {
		typ    string
		search types.String
		want   awstypes.HealthCheckType
	}{
		{"HTTP", types.StringNull(), awstypes.HealthCheckTypeHttp},
		{"HTTP", types.StringValue("ok"), awstypes.HealthCheckTypeHttpStrMatch},
		{"HTTPS", types.StringValue("ok"), awstypes.HealthCheckTypeHttpsStrMatch},
		{"HTTPS", types.StringNull(), awstypes.HealthCheckTypeHttps},
		{"TCP", types.StringNull(), awstypes.HealthCheckTypeTcp},
	} {
		if got := awsHealthCheckType(tc.typ, tc.search); got != tc.want {
			t.Errorf("awsHealthCheckType(%s, %v) = %s, want %s", tc.typ, tc.search, got, tc.want)
		}
	}
	if !sameIP("2001:db8::1", "2001:0db8:0:0::1") || sameIP("192.0.2.1", "192.0.2.2") {
		t.Error("sameIP")
	}
}

func TestVersionID(t *testing.T) {
	id, v, err := parseVersionID("abc-123/7")
	if err != nil || id != "abc-123" || v != 7 {
		t.Errorf("parseVersionID = %q %d %v", id, v, err)
	}
	for _, bad := range []string{"abc", "abc/", "/3", "abc/0", "abc/x"} {
		if _, _, err := parseVersionID(bad); err == nil {
			t.Errorf("parseVersionID(%q) accepted", bad)
		}
	}
	if versionID("abc", 12) != "abc/12" {
		t.Error("versionID")
	}
}

func TestEquivalentNames(t *testing.T) {
	if !equivalentNames("WWW.Example.com.", "www.example.com") || equivalentNames("www.example.com", "api.example.com") {
		t.Error("equivalentNames")
	}
}

func TestSimulateDocument(t *testing.T) {
	doc := seedDoc(t, 90, 10)
	rows, diags := simulateDocument(doc, &simulation{
		regions:   []string{"ap-southeast-1", "ap-south-1"},
		scenarios: []scenario{{name: "singapore down", unhealthy: []string{hcSingapore}}},
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	type row struct {
		Scenario     string             `tfsdk:"scenario"`
		ClientRegion string             `tfsdk:"client_region"`
		Shares       map[string]float64 `tfsdk:"shares"`
		NoAnswer     float64            `tfsdk:"no_answer"`
		Routes       []string           `tfsdk:"routes"`
	}
	var got []row
	if d := rows.ElementsAs(context.Background(), &got, false); d.HasError() {
		t.Fatal(d)
	}
	want := []row{
		{"healthy", "ap-southeast-1", map[string]float64{"ap-southeast-1": 100}, 0, nil},
		{"healthy", "ap-south-1", map[string]float64{"ap-southeast-1": 90, "ap-south-1": 10}, 0, nil},
		{"singapore down", "ap-southeast-1", map[string]float64{"ap-south-1": 100}, 0, nil},
		{"singapore down", "ap-south-1", map[string]float64{"ap-south-1": 100}, 0, nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Scenario != want[i].Scenario || got[i].ClientRegion != want[i].ClientRegion || !maps.Equal(got[i].Shares, want[i].Shares) || got[i].NoAnswer != 0 {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[1].Routes[0] != "split → ap-southeast-1 (90.00%)" {
		t.Errorf("routes: %q", got[1].Routes)
	}

	// Without a simulate block: an empty list, not null.
	empty, _ := simulateDocument(doc, nil)
	if empty.IsNull() || len(empty.Elements()) != 0 {
		t.Errorf("no simulation: %v", empty)
	}
	if percent(0.1) != 10 || percent(1.0/3) != 33.3333 {
		t.Errorf("percent: %v %v", percent(0.1), percent(1.0/3))
	}
}

func TestReadSimulate(t *testing.T) {
	ctx := context.Background()
	x := expandDocument(ctx, flatten(t, seedDoc(t, 90, 10)))
	obj := func(regions []string, scenarios ...scenarioModel) types.Object {
		m := simulateModel{
			ClientRegions: types.ListNull(types.StringType),
			Scenarios:     types.ListValueMust(scenarioObjectType(), nil),
		}
		if regions != nil {
			m.ClientRegions, _ = types.ListValueFrom(ctx, types.StringType, regions)
		}
		if len(scenarios) > 0 {
			m.Scenarios, _ = types.ListValueFrom(ctx, scenarioObjectType(), scenarios)
		}
		o, d := types.ObjectValueFrom(ctx, simulateObjectType().AttrTypes, m)
		if d.HasError() {
			t.Fatal(d)
		}
		return o
	}
	sc := func(name string, hcs ...string) scenarioModel {
		l, _ := types.ListValueFrom(ctx, types.StringType, hcs)
		return scenarioModel{Name: types.StringValue(name), UnhealthyHealthChecks: l}
	}

	sim, diags := readSimulate(ctx, obj([]string{"ap-south-1"}, sc("down", hcSingapore)), x)
	if diags.HasError() || sim == nil || len(sim.scenarios) != 1 || sim.regions[0] != "ap-south-1" {
		t.Errorf("valid simulate: %+v %v", sim, diags)
	}
	_, diags = readSimulate(ctx, obj(nil), x)
	if got := errorsOf(diags); len(got) != 1 || !strings.Contains(got[0], "Missing client_regions") {
		t.Errorf("no client_regions: %q", got)
	}
	_, diags = readSimulate(ctx, obj([]string{"ap-mumbai-1"}, sc("healthy"), sc("x"), sc("x")), x)
	if got := errorsOf(diags); len(got) != 3 {
		t.Errorf("bad region, reserved and duplicate names: %q", got)
	}
	_, diags = readSimulate(ctx, obj([]string{"ap-south-1"}, sc("other", hcOther)), x)
	if diags.HasError() || diags.WarningsCount() != 1 || !strings.Contains(diags.Warnings()[0].Detail(), "no entry of the document uses it") {
		t.Errorf("unused health check: %v", diags)
	}
	if sim, diags := readSimulate(ctx, types.ObjectNull(simulateObjectType().AttrTypes), x); sim != nil || diags.HasError() {
		t.Errorf("no simulate block: %v %v", sim, diags)
	}
}

func scenarioObjectType() types.ObjectType {
	return types.ObjectType{AttrTypes: map[string]attr.Type{
		"name":                    types.StringType,
		"unhealthy_health_checks": types.ListType{ElemType: types.StringType},
	}}
}

func simulateObjectType() types.ObjectType {
	return types.ObjectType{AttrTypes: map[string]attr.Type{
		"client_regions": types.ListType{ElemType: types.StringType},
		"scenario":       types.ListType{ElemType: scenarioObjectType()},
	}}
}

// The addresses Route 53 refuses to health-check are refused when planning;
// public and documentation addresses are accepted.
func TestHealthCheckIPAddress(t *testing.T) {
	for _, tc := range []struct {
		ip, want string
	}{
		{"10.1.2.3", "10.0.0.0/8, a private range"},
		{"172.16.0.1", "172.16.0.0/12, a private range"},
		{"172.31.255.255", "172.16.0.0/12, a private range"},
		{"192.168.1.10", "192.168.0.0/16, a private range"},
		{"127.0.0.1", "the loopback range"},
		{"169.254.169.254", "the link-local range"},
		{"100.64.0.1", "shared address space"},
		{"100.127.255.254", "shared address space"},
		{"0.1.2.3", `"this network"`},
		{"224.0.0.251", "the multicast range"},
		{"255.255.255.255", "reserved"},
		{"::1", "the loopback address"},
		{"::", "the unspecified address"},
		{"fd12:3456::1", "the unique local range"},
		{"fe80::1", "the link-local range"},
		{"ff02::1", "the multicast range"},
		{"::ffff:10.0.0.1", "10.0.0.0/8, a private range"},
		{"203.0.113.7", ""},
		{"192.0.2.44", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"8.8.8.8", ""},
		{"2001:db8::1", ""},
		{"2600:1f18::1", ""},
	} {
		got := nonPublicRange(netip.MustParseAddr(tc.ip))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("nonPublicRange(%s) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}

func TestCreationOrder(t *testing.T) {
	got := creationOrder([]string{"100", "blue", "10", "0", "50", "green", "007", "7", "Blue"})
	want := []string{"0", "007", "7", "10", "50", "100", "Blue", "blue", "green"}
	if !slices.Equal(got, want) {
		t.Errorf("creationOrder = %q, want %q", got, want)
	}
}
