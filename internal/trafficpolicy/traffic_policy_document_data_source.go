package trafficpolicy

import (
	"context"
	"fmt"
	"math"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

var (
	_ datasource.DataSource                   = (*trafficPolicyDocumentDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*trafficPolicyDocumentDataSource)(nil)
)

// NewTrafficPolicyDocumentDataSource is regis_traffic_policy_document: a
// traffic policy document written with typed blocks, rendered to AWS's JSON
// and simulated. It makes no AWS calls.
func NewTrafficPolicyDocumentDataSource() datasource.DataSource {
	return &trafficPolicyDocumentDataSource{}
}

type trafficPolicyDocumentDataSource struct{}

// TrafficPolicyDocumentDataSourceModel is the data source's configuration and result.
type TrafficPolicyDocumentDataSourceModel struct {
	DocumentModel
	Simulate   types.Object `tfsdk:"simulate"`
	JSON       types.String `tfsdk:"json"`
	Simulation types.List   `tfsdk:"simulation"`
}

type simulateModel struct {
	ClientRegions types.List `tfsdk:"client_regions"`
	Scenarios     types.List `tfsdk:"scenario"`
}

type scenarioModel struct {
	Name                  types.String `tfsdk:"name"`
	UnhealthyHealthChecks types.List   `tfsdk:"unhealthy_health_checks"`
}

// baselineScenario is the scenario every simulation starts with.
const baselineScenario = "healthy"

var simulationObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"scenario":      types.StringType,
	"client_region": types.StringType,
	"shares":        types.MapType{ElemType: types.Float64Type},
	"no_answer":     types.Float64Type,
	"routes":        types.ListType{ElemType: types.StringType},
}}

func (d *trafficPolicyDocumentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_traffic_policy_document"
}

func (d *trafficPolicyDocumentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := documentDataSourceAttributes()
	attrs["json"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The document as JSON in AWS's traffic policy format (`AWSPolicyFormatVersion` 2015-10-01), compact and deterministic: " +
			"fixed field order, endpoints and rules sorted by id, weights and biases as strings. " +
			"Use it as `document` of `regis_traffic_policy_version` or of `aws_route53_traffic_policy`.",
	}
	attrs["simulation"] = schema.ListNestedAttribute{
		Computed: true,
		MarkdownDescription: "Where lookups go, one element per scenario and client region (the `healthy` scenario first, then the `scenario` blocks in order; " +
			"client regions in the order of `client_regions`). Empty without a `simulate` block.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"scenario": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Scenario name: `healthy` (every health check passes) or the `name` of a `scenario` block.",
			},
			"client_region": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "AWS region the DNS resolver of the client is placed in.",
			},
			"shares": schema.MapAttribute{
				ElementType:         types.Float64Type,
				Computed:            true,
				MarkdownDescription: "Endpoint id → percentage (0–100) of lookups answered with that endpoint. Endpoints that never answer are left out.",
			},
			"no_answer": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Percentage of lookups that get no answer (a geo rule without a location for the client and without a default).",
			},
			"routes": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "The paths through the rules behind the shares, largest first, for example `split → latency → ap-south-1 (10.00%)`.",
			},
		}},
	}
	blocks := documentDataSourceBlocks()
	blocks["simulate"] = schema.SingleNestedBlock{
		MarkdownDescription: "Simulate the policy: for each scenario (always including `healthy`) and each client region, which endpoints answer and how often.",
		Attributes: map[string]schema.Attribute{
			"client_regions": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "(Required in a `simulate` block) AWS regions to place the client's DNS resolver in, for example `[\"ap-southeast-1\", \"ap-south-1\"]`.",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues()},
			},
		},
		Blocks: map[string]schema.Block{
			"scenario": schema.ListNestedBlock{
				MarkdownDescription: "A what-if: some health checks failing.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Name of the scenario in `simulation` (not `healthy`, which is the baseline).",
					},
					"unhealthy_health_checks": schema.ListAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "Ids of the health checks that fail in this scenario (the `health_check` values of the document).",
					},
				}},
			},
		},
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "A Route 53 traffic policy document written with typed blocks: renders it to AWS's JSON and shows what it will do before anything is applied.\n\n" +
			"Every rule type is supported, including weighted rules. The document is validated when you plan, and errors name the rule or endpoint at fault.\n\n" +
			"**Simulation.** With a `simulate` block, `simulation` gives the share of lookups each endpoint answers for clients in the given AWS regions, " +
			"with every health check passing (`healthy`) and in each `scenario`. It follows Route 53's documented behaviour: weighted rules split by weight among healthy items; " +
			"latency rules pick the healthy region with the lowest latency from the client; failover, geo, geoproximity and multivalue rules as documented; " +
			"`evaluate_target_health` on a rule reference backs out of a nested rule with no healthy entry; when nothing is healthy Route 53 answers as if everything were. " +
			"Latencies between regions come from a table of approximate round-trip times (public inter-region measurements, estimated from distance for other pairs), " +
			"not from Route 53's own latency data, which measures resolver networks and changes over time: near ties between regions may go the other way in reality. " +
			"Alias targets' own health (a load balancer's targets) is not simulated.",
		Attributes: attrs,
		Blocks:     blocks,
	}
}

func (d *trafficPolicyDocumentDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg TrafficPolicyDocumentDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	x := expandDocument(ctx, cfg.DocumentModel)
	resp.Diagnostics.Append(x.validate()...)
	_, diags := readSimulate(ctx, cfg.Simulate, x)
	resp.Diagnostics.Append(diags...)
}

// simulation is the parsed simulate block.
type simulation struct {
	regions   []string
	scenarios []scenario
}

type scenario struct {
	name      string
	unhealthy []string
}

// readSimulate reads and checks the simulate block; nil when absent or
// not known yet.
func readSimulate(ctx context.Context, o types.Object, x *expansion) (*simulation, diag.Diagnostics) {
	var diags diag.Diagnostics
	if o.IsNull() || o.IsUnknown() {
		return nil, nil
	}
	var m simulateModel
	if diags = o.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
		return nil, diags
	}
	at := path.Root("simulate")
	sim := &simulation{}
	known := true
	switch {
	case m.ClientRegions.IsUnknown():
		known = false
	case m.ClientRegions.IsNull():
		diags.AddAttributeError(at.AtName("client_regions"), "Missing client_regions",
			"A simulate block needs client_regions: the AWS regions to simulate clients in, for example [\"ap-southeast-1\", \"ap-south-1\"].")
	default:
		for i, v := range m.ClientRegions.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() {
				known = false
				continue
			}
			if !trafficflow.IsRegion(s.ValueString()) {
				diags.AddAttributeError(at.AtName("client_regions").AtListIndex(i), "Unknown AWS region",
					fmt.Sprintf("%q is not an AWS region the simulator knows; use a region code such as ap-south-1 (see the provider's region list).", s.ValueString()))
			}
			sim.regions = append(sim.regions, s.ValueString())
		}
	}
	var scenarios []scenarioModel
	if m.Scenarios.IsUnknown() {
		known = false
	} else if !m.Scenarios.IsNull() {
		diags.Append(m.Scenarios.ElementsAs(ctx, &scenarios, false)...)
	}
	used := map[string]bool{}
	if x != nil && x.doc != nil {
		for _, r := range x.doc.Rules {
			for _, ref := range ruleReferences(r) {
				if ref.HealthCheck != "" {
					used[ref.HealthCheck] = true
				}
			}
		}
	}
	seen := map[string]int{}
	for i, sc := range scenarios {
		sat := at.AtName("scenario").AtListIndex(i)
		if sc.Name.IsUnknown() || sc.UnhealthyHealthChecks.IsUnknown() {
			known = false
			continue
		}
		name := sc.Name.ValueString()
		switch j, dup := seen[name]; {
		case name == baselineScenario:
			diags.AddAttributeError(sat.AtName("name"), "Reserved scenario name",
				fmt.Sprintf("%q is the baseline scenario every simulation includes; give this scenario another name.", baselineScenario))
		case dup:
			diags.AddAttributeError(sat.AtName("name"), "Duplicate scenario name",
				fmt.Sprintf("scenario %q is already defined by scenario block %d (counting from 0); give each scenario its own name.", name, j))
		default:
			seen[name] = i
		}
		s := scenario{name: name}
		for j, v := range sc.UnhealthyHealthChecks.Elements() {
			hc, ok := v.(types.String)
			if !ok || hc.IsUnknown() {
				known = false
				continue
			}
			id := hc.ValueString()
			if x != nil && x.complete() && !used[id] {
				diags.AddAttributeWarning(sat.AtName("unhealthy_health_checks").AtListIndex(j), "Health check not in the document",
					fmt.Sprintf("Scenario %q marks health check %q unhealthy, but no entry of the document uses it, so it changes nothing.", name, id))
			}
			s.unhealthy = append(s.unhealthy, id)
		}
		sim.scenarios = append(sim.scenarios, s)
	}
	if !known || diags.HasError() {
		return nil, diags
	}
	return sim, diags
}

// ruleReferences lists every entry of a rule.
func ruleReferences(r trafficflow.Rule) []trafficflow.Reference {
	var refs []trafficflow.Reference
	for _, it := range r.Items {
		refs = append(refs, it.Reference)
	}
	for _, l := range r.Regions {
		refs = append(refs, l.Reference)
	}
	for _, g := range r.Locations {
		refs = append(refs, g.Reference)
	}
	for _, g := range r.GeoproximityLocations {
		refs = append(refs, g.Reference)
	}
	if r.Primary != nil {
		refs = append(refs, *r.Primary)
	}
	if r.Secondary != nil {
		refs = append(refs, *r.Secondary)
	}
	return refs
}

func (d *trafficPolicyDocumentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m TrafficPolicyDocumentDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	x := expandDocument(ctx, m.DocumentModel)
	resp.Diagnostics.Append(x.validate()...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !x.complete() {
		resp.Diagnostics.AddError("Traffic policy document not known", "The document still has unknown values when it is read; this is a bug in the provider.")
		return
	}
	out, err := trafficflow.Render(x.doc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot render traffic policy document", err.Error())
		return
	}
	m.JSON = types.StringValue(string(out))

	sim, diags := readSimulate(ctx, m.Simulate, x)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rows, diags := simulateDocument(x.doc, sim)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Simulation = rows
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// simulateDocument computes the simulation list: the healthy baseline first,
// then each scenario, each for every client region.
func simulateDocument(doc *trafficflow.Document, sim *simulation) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	var rows []attr.Value
	if sim != nil {
		policy, err := trafficflow.Compile(doc)
		if err != nil {
			diags.AddError("Cannot simulate traffic policy", err.Error())
			return types.ListNull(simulationObjectType), diags
		}
		scenarios := append([]scenario{{name: baselineScenario}}, sim.scenarios...)
		for _, sc := range scenarios {
			unhealthy := trafficflow.UnhealthyChecks(sc.unhealthy...)
			for _, region := range sim.regions {
				dist, err := policy.Simulate(region, unhealthy)
				if err != nil {
					diags.AddAttributeError(path.Root("simulate").AtName("client_regions"), "Cannot simulate traffic policy",
						fmt.Sprintf("scenario %q, client region %s: %v", sc.name, region, err))
					continue
				}
				shares := map[string]attr.Value{}
				for id, share := range dist.Shares {
					shares[id] = types.Float64Value(percent(share))
				}
				var routes []attr.Value
				for _, rt := range dist.Routes {
					routes = append(routes, types.StringValue(rt.String()))
				}
				rows = append(rows, object(simulationObjectType, map[string]attr.Value{
					"scenario":      types.StringValue(sc.name),
					"client_region": types.StringValue(region),
					"shares":        mustMap(types.Float64Type, shares, &diags),
					"no_answer":     types.Float64Value(percent(dist.NoAnswer)),
					"routes":        mustList(types.StringType, routes, &diags),
				}, &diags))
			}
		}
	}
	if rows == nil {
		rows = []attr.Value{}
	}
	v, d := types.ListValue(simulationObjectType, rows)
	diags.Append(d...)
	return v, diags
}

// percent turns a share into a percentage rounded to 4 decimals, so that
// 0.1 reads 10 rather than 10.000000000000002.
func percent(share float64) float64 {
	return math.Round(share*100*1e4) / 1e4
}

func mustMap(elem attr.Type, m map[string]attr.Value, diags *diag.Diagnostics) types.Map {
	v, d := types.MapValue(elem, m)
	diags.Append(d...)
	return v
}

func mustList(elem attr.Type, l []attr.Value, diags *diag.Diagnostics) types.List {
	if l == nil {
		l = []attr.Value{}
	}
	v, d := types.ListValue(elem, l)
	diags.Append(d...)
	return v
}
