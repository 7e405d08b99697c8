package trafficpolicy

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

const (
	hcSingapore = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
	hcMumbai    = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
	hcOther     = "5e1c0a3b-0b1f-4c2e-9a55-000000000003"
)

// seedDoc is the seed's weighted + latency policy.
func seedDoc(t *testing.T, single, latency int) *trafficflow.Document {
	t.Helper()
	doc, err := trafficflow.BuildRollout(trafficflow.RolloutSpec{
		Single:        trafficflow.RegionalEndpoint{Region: "ap-southeast-1", Value: "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com", HealthCheck: hcSingapore},
		Regions:       []trafficflow.RegionalEndpoint{{Region: "ap-southeast-1", Value: "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com", HealthCheck: hcSingapore}, {Region: "ap-south-1", Value: "app-bom-0987654321.ap-south-1.elb.amazonaws.com", HealthCheck: hcMumbai}},
		SingleWeight:  single,
		LatencyWeight: latency,
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// everyRuleType uses every rule type and optional field.
func everyRuleType() *trafficflow.Document {
	b, i := trafficflow.Bool, trafficflow.Int
	return &trafficflow.Document{
		FormatVersion: trafficflow.FormatVersion,
		RecordType:    trafficflow.RecordTypeA,
		StartRule:     "by_country",
		Endpoints: map[string]trafficflow.Endpoint{
			"ip1":    {Type: trafficflow.EndpointValue, Value: "192.0.2.1"},
			"ip2":    {Type: trafficflow.EndpointValue, Value: "192.0.2.2"},
			"ip3":    {Type: trafficflow.EndpointValue, Value: "192.0.2.3"},
			"cdn":    {Type: trafficflow.EndpointCloudFront, Value: "d111111abcdef8.cloudfront.net"},
			"banner": {Type: trafficflow.EndpointS3Website, Region: "us-east-1", Value: "www.example.com"},
			"nlb":    {Type: trafficflow.EndpointNetworkLoadBalancer, Value: "net-74f87b114e21682a.elb.eu-west-1.amazonaws.com"},
		},
		Rules: map[string]trafficflow.Rule{
			"by_country": {RuleType: trafficflow.RuleGeo, Locations: []trafficflow.GeoLocation{
				{Reference: trafficflow.Reference{RuleReference: "near", EvaluateTargetHealth: b(true)}, Country: "IN"},
				{Reference: trafficflow.Reference{RuleReference: "pool"}, Continent: "EU"},
				{Reference: trafficflow.Reference{EndpointReference: "ip3", HealthCheck: hcOther}, Country: "US", Subdivision: "WA"},
				{Reference: trafficflow.Reference{RuleReference: "guard"}, IsDefault: b(true)},
			}},
			"near": {RuleType: trafficflow.RuleGeoproximity, GeoproximityLocations: []trafficflow.GeoproximityLocation{
				{Reference: trafficflow.Reference{EndpointReference: "nlb"}, Region: "aws:route53:eu-west-1", Bias: i(-10)},
				{Reference: trafficflow.Reference{RuleReference: "split", EvaluateTargetHealth: b(false)}, Latitude: "19.08", Longitude: "72.88", Bias: i(25)},
			}},
			"split": {RuleType: trafficflow.RuleWeighted, Items: []trafficflow.Item{
				{Reference: trafficflow.Reference{EndpointReference: "ip1", HealthCheck: hcSingapore}, Weight: i(3)},
				{Reference: trafficflow.Reference{EndpointReference: "cdn", EvaluateTargetHealth: b(false)}, Weight: i(0)},
			}},
			"pool": {RuleType: trafficflow.RuleMultivalue, Items: []trafficflow.Item{
				{Reference: trafficflow.Reference{EndpointReference: "ip2", HealthCheck: hcMumbai}},
				{Reference: trafficflow.Reference{EndpointReference: "ip3"}},
			}},
			"guard": {RuleType: trafficflow.RuleFailover,
				Primary:   &trafficflow.Reference{RuleReference: "regional", EvaluateTargetHealth: b(true)},
				Secondary: &trafficflow.Reference{EndpointReference: "banner"},
			},
			"regional": {RuleType: trafficflow.RuleLatency, Regions: []trafficflow.LatencyRegion{
				{Reference: trafficflow.Reference{EndpointReference: "ip1"}, Region: "us-east-1"},
				{Reference: trafficflow.Reference{EndpointReference: "ip2", HealthCheck: hcMumbai}, Region: "ap-northeast-1"},
			}},
		},
	}
}

func flatten(t *testing.T, doc *trafficflow.Document) DocumentModel {
	t.Helper()
	m, diags := flattenDocument(doc)
	if diags.HasError() {
		t.Fatalf("flattenDocument: %v", diags)
	}
	return m
}

func TestExpandFlattenRoundTrip(t *testing.T) {
	ctx := context.Background()
	for name, doc := range map[string]*trafficflow.Document{
		"seed 100/0":      seedDoc(t, 100, 0),
		"seed 90/10":      seedDoc(t, 90, 10),
		"seed 0/100":      seedDoc(t, 0, 100),
		"every rule type": everyRuleType(),
	} {
		t.Run(name, func(t *testing.T) {
			if err := trafficflow.Validate(doc); err != nil {
				t.Fatalf("test document invalid: %v", err)
			}
			x := expandDocument(ctx, flatten(t, doc))
			if !x.complete() || x.diags.HasError() {
				t.Fatalf("expansion incomplete: %+v %v", x, x.diags)
			}
			if !reflect.DeepEqual(x.doc, doc) {
				t.Errorf("expand(flatten(doc)) differs:\n got %+v\nwant %+v", x.doc, doc)
			}
			if d := x.validate(); d.HasError() {
				t.Errorf("valid document reported: %v", d)
			}
			want, _ := trafficflow.Render(doc)
			got, _ := trafficflow.Render(x.doc)
			if string(got) != string(want) {
				t.Errorf("rendering differs:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestFlattenSetsAndOmits(t *testing.T) {
	m := flatten(t, seedDoc(t, 90, 10))
	var eps []endpointModel
	if d := m.Endpoints.ElementsAs(context.Background(), &eps, false); d.HasError() {
		t.Fatal(d)
	}
	ids := map[string]bool{}
	for _, ep := range eps {
		ids[ep.ID.ValueString()] = true
		if !ep.Region.IsNull() {
			t.Errorf("absent region of %s flattened to %v, want null", ep.ID, ep.Region)
		}
	}
	if len(eps) != 2 || !ids["ap-south-1"] || !ids["ap-southeast-1"] {
		t.Errorf("endpoints: %+v", eps)
	}
	var rules []ruleModel
	if d := m.Rules.ElementsAs(context.Background(), &rules, false); d.HasError() {
		t.Fatal(d)
	}
	// Absent lists are empty lists (as Terraform has absent blocks), absent
	// single blocks are null.
	for _, r := range rules {
		if r.Locations.IsNull() || len(r.Locations.Elements()) != 0 || !r.Primary.IsNull() {
			t.Errorf("rule %s: absent blocks not empty/null: %+v", r.ID, r)
		}
	}
	if !m.StartEndpoint.IsNull() || m.StartRule.ValueString() != "split" {
		t.Errorf("start: %v %v", m.StartRule, m.StartEndpoint)
	}
}

// editRule decodes the rule with the given id, lets f change it and encodes
// the rules again.
func editRule(t *testing.T, m *DocumentModel, id string, f func(r *ruleModel)) {
	t.Helper()
	ctx := context.Background()
	var rules []ruleModel
	if d := m.Rules.ElementsAs(ctx, &rules, false); d.HasError() {
		t.Fatal(d)
	}
	found := false
	for i := range rules {
		if rules[i].ID.ValueString() == id {
			f(&rules[i])
			found = true
		}
	}
	if !found {
		t.Fatalf("no rule %q", id)
	}
	l, d := types.SetValueFrom(ctx, ruleObjectType, rules)
	if d.HasError() {
		t.Fatal(d)
	}
	m.Rules = l
}

func editItems(t *testing.T, l *types.List, f func(items []itemModel)) {
	t.Helper()
	ctx := context.Background()
	var items []itemModel
	if d := l.ElementsAs(ctx, &items, false); d.HasError() {
		t.Fatal(d)
	}
	f(items)
	v, d := types.ListValueFrom(ctx, itemObjectType, items)
	if d.HasError() {
		t.Fatal(d)
	}
	*l = v
}

func editRegions(t *testing.T, l *types.List, f func(regions []latencyRegionModel)) {
	t.Helper()
	ctx := context.Background()
	var regions []latencyRegionModel
	if d := l.ElementsAs(ctx, &regions, false); d.HasError() {
		t.Fatal(d)
	}
	f(regions)
	v, d := types.ListValueFrom(ctx, latencyObjectType, regions)
	if d.HasError() {
		t.Fatal(d)
	}
	*l = v
}

// errorsOf renders diagnostics as "path: summary: detail" lines, with the
// paths written by describePath.
func errorsOf(diags diag.Diagnostics) []string {
	var out []string
	for _, d := range diags.Errors() {
		p := ""
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			p = describePath(wp.Path())
		}
		out = append(out, p+": "+d.Summary()+": "+d.Detail())
	}
	return out
}

// describePath writes a path with the elements of the endpoint and rule
// sets named by their id: rule[split].item[1].weight.
func describePath(p path.Path) string {
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case path.PathStepElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case path.PathStepElementKeyValue:
			id := "?"
			if o, ok := s.Value.(types.Object); ok {
				if v, ok := o.Attributes()["id"].(types.String); ok {
					id = v.ValueString()
				}
			}
			b.WriteString("[" + id + "]")
		default:
			b.WriteString(step.String())
		}
	}
	return b.String()
}

// TestOneErrorPerWeightMistake: weight = 900 and weight = -100 give one
// error each, on the weight, and not also "needs at least one item with a
// non-zero weight" (issue 11).
func TestOneErrorPerWeightMistake(t *testing.T) {
	m := flatten(t, seedDoc(t, 90, 10))
	editRule(t, &m, "split", func(r *ruleModel) {
		editItems(t, &r.Items, func(items []itemModel) {
			items[0].Weight = types.Int64Value(900)
			items[1].Weight = types.Int64Value(-100)
		})
	})
	got := errorsOf(expandDocument(context.Background(), m).validate())
	if len(got) != 2 || !strings.HasPrefix(got[0], "rule[split].item[0].weight: ") || !strings.HasPrefix(got[1], "rule[split].item[1].weight: ") {
		t.Fatalf("want one error on each weight, got:\n  %s", strings.Join(got, "\n  "))
	}
	for _, g := range got {
		if strings.Contains(g, "non-zero") {
			t.Errorf("an out-of-range weight also reported as all-zero: %s", g)
		}
	}
}

func TestValidationDiagnostics(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name       string
		edit       func(t *testing.T, m *DocumentModel)
		wantPath   string
		wantPhrase []string
	}{
		{
			name: "weight out of range",
			edit: func(t *testing.T, m *DocumentModel) {
				editRule(t, m, "split", func(r *ruleModel) {
					editItems(t, &r.Items, func(items []itemModel) { items[1].Weight = types.Int64Value(300) })
				})
			},
			wantPath:   "rule[split].item[1].weight",
			wantPhrase: []string{`Invalid traffic policy: rule "split"`, `item[1].weight: weight 300 is out of range`},
		},
		{
			name: "dangling endpoint",
			edit: func(t *testing.T, m *DocumentModel) {
				editRule(t, m, "latency", func(r *ruleModel) {
					editRegions(t, &r.Regions, func(rs []latencyRegionModel) { rs[1].Endpoint = types.StringValue("mumbai") })
				})
			},
			wantPath:   "rule[latency].region[1].endpoint",
			wantPhrase: []string{`rule "latency", region[1].endpoint: endpoint "mumbai" is not defined`},
		},
		{
			name: "unknown region",
			edit: func(t *testing.T, m *DocumentModel) {
				editRule(t, m, "latency", func(r *ruleModel) {
					editRegions(t, &r.Regions, func(rs []latencyRegionModel) { rs[1].Region = types.StringValue("ap-mumbai-1") })
				})
			},
			wantPath:   "rule[latency].region[1].region",
			wantPhrase: []string{`"ap-mumbai-1" is not a known AWS region`, "ap-south-1"},
		},
		{
			name: "wrong entry blocks for the rule type",
			edit: func(t *testing.T, m *DocumentModel) {
				editRule(t, m, "split", func(r *ruleModel) { r.Type = types.StringValue("latency") })
			},
			wantPath:   "rule[split].item",
			wantPhrase: []string{`rule "split", item: latency rules do not use item blocks`, "region blocks"},
		},
		{
			name:       "missing start",
			edit:       func(t *testing.T, m *DocumentModel) { m.StartRule = types.StringNull() },
			wantPath:   "start_rule",
			wantPhrase: []string{"neither start_rule nor start_endpoint is set"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := flatten(t, seedDoc(t, 90, 10))
			tc.edit(t, &m)
			got := errorsOf(expandDocument(ctx, m).validate())
			var match string
			for _, g := range got {
				if strings.HasPrefix(g, tc.wantPath+": ") {
					match = g
				}
			}
			if match == "" {
				t.Fatalf("no error at %s; got:\n  %s", tc.wantPath, strings.Join(got, "\n  "))
			}
			for _, p := range tc.wantPhrase {
				if !strings.Contains(match, p) {
					t.Errorf("error %q lacks %q", match, p)
				}
			}
		})
	}
}

func TestValidationSkipsUnknowns(t *testing.T) {
	ctx := context.Background()
	// Health checks, weights and references unknown at plan time (they come
	// from other resources) must not be reported.
	m := flatten(t, seedDoc(t, 90, 10))
	editRule(t, &m, "split", func(r *ruleModel) {
		editItems(t, &r.Items, func(items []itemModel) {
			items[0].HealthCheck = types.StringUnknown()
			items[0].Weight = types.Int64Unknown()
			items[1].Weight = types.Int64Unknown()
		})
	})
	editRule(t, &m, "latency", func(r *ruleModel) {
		editRegions(t, &r.Regions, func(rs []latencyRegionModel) {
			rs[0].Endpoint = types.StringUnknown()
			rs[1].Region = types.StringUnknown()
		})
	})
	x := expandDocument(ctx, m)
	if x.complete() {
		t.Fatal("expansion with unknowns reported complete")
	}
	if d := x.validate(); d.HasError() {
		t.Errorf("unknown values reported: %v", errorsOf(d))
	}

	// A real problem elsewhere is still found.
	editRule(t, &m, "split", func(r *ruleModel) {
		editItems(t, &r.Items, func(items []itemModel) { items[1].HealthCheck = types.StringValue("hc-1") })
	})
	got := errorsOf(expandDocument(ctx, m).validate())
	if len(got) != 1 || !strings.Contains(got[0], `"hc-1" is not a Route 53 health check id`) || !strings.HasPrefix(got[0], "rule[split].item[1].health_check: ") {
		t.Errorf("want one health check error, got %q", got)
	}
}

func TestDuplicateIDs(t *testing.T) {
	ctx := context.Background()
	m := flatten(t, seedDoc(t, 90, 10))
	var eps []endpointModel
	m.Endpoints.ElementsAs(ctx, &eps, false)
	// Two blocks with the same id and different settings (Terraform keeps
	// one of two identical blocks: they are one element of the set).
	other := eps[0]
	other.Value = types.StringValue("app-bom-other.ap-south-1.elb.amazonaws.com")
	m.Endpoints, _ = types.SetValueFrom(ctx, endpointObjectType, append(eps, other))
	got := errorsOf(expandDocument(ctx, m).validate())
	id := eps[0].ID.ValueString()
	if len(got) != 1 || !strings.HasPrefix(got[0], "endpoint["+id+"].id: ") || !strings.Contains(got[0], `endpoint "`+id+`" is defined twice`) {
		t.Errorf("duplicate endpoint id: got %q", got)
	}
}

func TestHCLMessage(t *testing.T) {
	for in, want := range map[string]string{
		`both EndpointReference "a" and RuleReference "b" are set; keep exactly one`:      `both endpoint "a" and rule "b" are set; keep exactly one`,
		`region ap-south-1 is already used by Regions[0]; each region may appear once`:    `region ap-south-1 is already used by region[0]; each region may appear once`,
		`latency rules do not use Items; remove it (a latency rule uses Regions)`:         `latency rules do not use item blocks; remove it (a latency rule uses region blocks)`,
		`endpoint "Weight" is not defined; define it in Endpoints or fix the id`:          `endpoint "Weight" is not defined; define it in endpoint blocks or fix the id`,
		`missing; a failover rule needs both Primary and Secondary`:                       `missing; a failover rule needs both primary and secondary`,
		`StartRule "x" names an endpoint; use StartEndpoint for endpoints`:                `start_rule "x" names an endpoint; use start_endpoint for endpoints`,
		`the default location (Country "*") cannot also have a Continent or Subdivision`:  `the default location (country "*") cannot also have a continent or subdivision`,
		`multivalue items have no EvaluateTargetHealth; remove it and use HealthCheck`:    `multivalue items have no evaluate_target_health; remove it and use health_check`,
		`no location; set Region ("aws:route53:<region>") or Latitude and Longitude`:      `no location; set region ("aws:route53:<region>") or latitude and longitude`,
		`"ap-mumbai-1" is not a known AWS region; use a region code such as ap-south-1`:   `"ap-mumbai-1" is not a known AWS region; use a region code such as ap-south-1`,
		`s3-website endpoints are alias targets that only work with RecordType A, not MX`: `s3-website endpoints are alias targets that only work with record_type A, not MX`,
	} {
		if got := hclMessage(in); got != want {
			t.Errorf("hclMessage(%q)\n = %q\nwant %q", in, got, want)
		}
	}
	if got := hclField("GeoproximityLocations[3].Bias"); got != "geoproximity_location[3].bias" {
		t.Errorf("hclField = %q", got)
	}
}

func TestProblemPath(t *testing.T) {
	elem := func(id string) attr.Value {
		return types.ObjectValueMust(map[string]attr.Type{"id": types.StringType}, map[string]attr.Value{"id": types.StringValue(id)})
	}
	eps := map[string]path.Path{"sin": path.Root("endpoint").AtSetValue(elem("sin")), "bom": path.Root("endpoint").AtSetValue(elem("bom"))}
	rules := map[string]path.Path{"split": path.Root("rule").AtSetValue(elem("split")), "lat": path.Root("rule").AtSetValue(elem("lat"))}
	for _, tc := range []struct {
		p    trafficflow.Problem
		want string
	}{
		{trafficflow.Problem{Scope: trafficflow.ScopeDocument, Field: "RecordType"}, "record_type"},
		{trafficflow.Problem{Scope: trafficflow.ScopeDocument, Field: "Endpoints"}, "endpoint"},
		{trafficflow.Problem{Scope: trafficflow.ScopeEndpoint, ID: "bom", Field: "Value"}, "endpoint[bom].value"},
		{trafficflow.Problem{Scope: trafficflow.ScopeEndpoint, ID: "bom", Code: trafficflow.CodeID}, "endpoint[bom].id"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "lat", Field: "Regions[1].Region"}, "rule[lat].region[1].region"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "split", Field: "Primary.RuleReference"}, "rule[split].primary.rule"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "split", Field: "Locations[2].Subdivision"}, "rule[split].location[2].subdivision"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "split", Field: "GeoproximityLocations[0]"}, "rule[split].geoproximity_location[0]"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "split", Field: "RuleType"}, "rule[split].type"},
		{trafficflow.Problem{Scope: trafficflow.ScopeRule, ID: "lat", Code: trafficflow.CodeCycle}, "rule[lat]"},
	} {
		got, ok := problemPath(tc.p, eps, rules)
		if !ok || describePath(got) != tc.want {
			t.Errorf("problemPath(%+v) = %s, %v; want %s", tc.p, got, ok, tc.want)
		}
	}
	if _, ok := problemPath(trafficflow.Problem{Scope: trafficflow.ScopeDocument, Field: "AWSPolicyFormatVersion"}, eps, rules); ok {
		t.Error("format version problem mapped to an attribute")
	}
}

// TestSchemas checks both schemas are valid and agree with the Go models
// (a state round trip through each schema).
func TestSchemas(t *testing.T) {
	ctx := context.Background()
	var rresp resource.SchemaResponse
	NewTrafficPolicyVersionResource().Schema(ctx, resource.SchemaRequest{}, &rresp)
	if rresp.Diagnostics.HasError() {
		t.Fatal(rresp.Diagnostics)
	}
	if d := rresp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("version resource schema: %v", d)
	}
	for _, f := range []func() resource.Resource{NewTrafficPolicyRecordResource, NewHealthCheckResource, NewTrafficPolicyResource} {
		var resp resource.SchemaResponse
		f().Schema(ctx, resource.SchemaRequest{}, &resp)
		if d := resp.Schema.ValidateImplementation(ctx); d.HasError() {
			t.Fatalf("schema: %v", d)
		}
	}
	var dresp datasource.SchemaResponse
	NewTrafficPolicyDocumentDataSource().Schema(ctx, datasource.SchemaRequest{}, &dresp)
	if d := dresp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("data source schema: %v", d)
	}

	m := TrafficPolicyVersionResourceModel{
		DocumentModel:  flatten(t, everyRuleType()),
		ID:             types.StringValue("p/1"),
		PolicyID:       types.StringValue("p"),
		Version:        types.Int64Value(1),
		Name:           types.StringValue("app"),
		Comment:        types.StringNull(),
		Document:       types.StringNull(),
		DocumentJSON:   types.StringValue("{}"),
		RetainOnDelete: types.BoolValue(false),
	}
	st := tfsdk.State{Schema: rresp.Schema, Raw: tftypes.NewValue(rresp.Schema.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatalf("state set: %v", d)
	}
	var back TrafficPolicyVersionResourceModel
	if d := st.Get(ctx, &back); d.HasError() {
		t.Fatalf("state get: %v", d)
	}
	x := expandDocument(ctx, back.DocumentModel)
	if !reflect.DeepEqual(x.doc, everyRuleType()) {
		t.Errorf("document changed through the resource schema:\n got %+v", x.doc)
	}
}

// configFor builds a version resource configuration from a model.
func configFor(t *testing.T, m TrafficPolicyVersionResourceModel) (tfsdk.Config, resource.SchemaResponse) {
	t.Helper()
	ctx := context.Background()
	var sresp resource.SchemaResponse
	NewTrafficPolicyVersionResource().Schema(ctx, resource.SchemaRequest{}, &sresp)
	st := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
	if d := st.Set(ctx, &m); d.HasError() {
		t.Fatalf("config: %v", d)
	}
	return tfsdk.Config{Schema: sresp.Schema, Raw: st.Raw}, sresp
}

func emptyVersionModel() TrafficPolicyVersionResourceModel {
	var diags diag.Diagnostics
	return TrafficPolicyVersionResourceModel{
		DocumentModel: DocumentModel{
			RecordType: types.StringNull(), StartRule: types.StringNull(), StartEndpoint: types.StringNull(),
			Endpoints: set(endpointObjectType, nil, &diags), Rules: set(ruleObjectType, nil, &diags),
		},
		ID: types.StringNull(), PolicyID: types.StringNull(), Version: types.Int64Null(),
		Name: types.StringValue("app"), Comment: types.StringNull(), Document: types.StringNull(),
		DocumentJSON: types.StringNull(), RetainOnDelete: types.BoolNull(),
	}
}

func TestVersionValidateConfig(t *testing.T) {
	ctx := context.Background()
	r := NewTrafficPolicyVersionResource().(resource.ResourceWithValidateConfig)
	run := func(m TrafficPolicyVersionResourceModel) []string {
		cfg, _ := configFor(t, m)
		var resp resource.ValidateConfigResponse
		r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: cfg}, &resp)
		return errorsOf(resp.Diagnostics)
	}

	typed := emptyVersionModel()
	typed.DocumentModel = flatten(t, seedDoc(t, 90, 10))
	if got := run(typed); len(got) != 0 {
		t.Errorf("valid typed document: %q", got)
	}

	js, _ := trafficflow.Render(seedDoc(t, 90, 10))
	doc := emptyVersionModel()
	doc.Document = types.StringValue(string(js))
	if got := run(doc); len(got) != 0 {
		t.Errorf("valid JSON document: %q", got)
	}

	both := typed
	both.Document = types.StringValue(string(js))
	if got := run(both); len(got) != 1 || !strings.HasPrefix(got[0], "document: Two traffic policy documents") {
		t.Errorf("both forms: %q", got)
	}

	if got := run(emptyVersionModel()); len(got) != 1 || !strings.Contains(got[0], "Missing traffic policy document") {
		t.Errorf("no document: %q", got)
	}

	bad := emptyVersionModel()
	bad.Document = types.StringValue(strings.Replace(string(js), `"Weight":"90"`, `"Weight":"900"`, 1))
	got := run(bad)
	if len(got) != 1 || !strings.HasPrefix(got[0], `document: Invalid traffic policy: rule "split"`) || !strings.Contains(got[0], "Items[0].Weight: weight 900 is out of range") {
		t.Errorf("invalid JSON document: %q", got)
	}

	unknown := emptyVersionModel()
	unknown.Document = types.StringUnknown()
	if got := run(unknown); len(got) != 0 {
		t.Errorf("unknown JSON document: %q", got)
	}
}

func TestChangedDocumentPaths(t *testing.T) {
	a := emptyVersionModel()
	a.DocumentModel = flatten(t, seedDoc(t, 90, 10))
	b := a
	b.DocumentModel = flatten(t, seedDoc(t, 0, 100))
	got := changedDocumentPaths(b, a)
	if len(got) != 1 || !got[0].Equal(path.Root("rule")) {
		t.Errorf("changedDocumentPaths = %v, want [rule]", got)
	}
	if got := changedDocumentPaths(a, a); len(got) != 1 || !got[0].Equal(path.Root("document_json")) {
		t.Errorf("no change: %v", got)
	}
}
