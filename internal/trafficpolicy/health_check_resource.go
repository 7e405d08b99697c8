package trafficpolicy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

var (
	_ resource.Resource                     = (*healthCheckResource)(nil)
	_ resource.ResourceWithConfigure        = (*healthCheckResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*healthCheckResource)(nil)
	_ resource.ResourceWithConfigValidators = (*healthCheckResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*healthCheckResource)(nil)
	_ resource.ResourceWithImportState      = (*healthCheckResource)(nil)
)

// NewHealthCheckResource is regis_health_check: a Route 53 health check of
// an endpoint (HTTP, HTTPS or TCP).
func NewHealthCheckResource() resource.Resource {
	return &healthCheckResource{}
}

type healthCheckResource struct {
	client *conns.AWSClient
}

// HealthCheckResourceModel is the resource's state.
type HealthCheckResourceModel struct {
	ID                types.String `tfsdk:"id"`
	Type              types.String `tfsdk:"type"`
	FQDN              types.String `tfsdk:"fqdn"`
	IPAddress         types.String `tfsdk:"ip_address"`
	Port              types.Int64  `tfsdk:"port"`
	ResourcePath      types.String `tfsdk:"resource_path"`
	SearchString      types.String `tfsdk:"search_string"`
	RequestInterval   types.Int64  `tfsdk:"request_interval"`
	FailureThreshold  types.Int64  `tfsdk:"failure_threshold"`
	Regions           types.Set    `tfsdk:"regions"`
	MeasureLatency    types.Bool   `tfsdk:"measure_latency"`
	InvertHealthcheck types.Bool   `tfsdk:"invert_healthcheck"`
	Disabled          types.Bool   `tfsdk:"disabled"`
	EnableSNI         types.Bool   `tfsdk:"enable_sni"`
	Tags              types.Map    `tfsdk:"tags"`
	TagsAll           types.Map    `tfsdk:"tags_all"`
}

// Protocols of the health checks this resource manages.
const (
	healthCheckHTTP  = "HTTP"
	healthCheckHTTPS = "HTTPS"
	healthCheckTCP   = "TCP"
)

// healthCheckRegions are the regions Route 53 health checkers run in.
func healthCheckRegions() []string {
	var out []string
	for _, r := range awstypes.HealthCheckRegion("").Values() {
		out = append(out, string(r))
	}
	return out
}

// healthCheckMaxTags is the most tags Route 53 keeps on a health check.
const healthCheckMaxTags = 50

// healthCheckUpdateAttempts bounds the re-reads after HealthCheckVersionMismatch.
const healthCheckUpdateAttempts = 5

// healthCheckInUseTimeout is how long Delete waits for records that still
// reference the health check to go (a policy record being deleted).
const healthCheckInUseTimeout = 2 * time.Minute

func (r *healthCheckResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_health_check"
}

func (r *healthCheckResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Route 53 health check of an endpoint. Reference its `id` as `health_check` in a traffic policy: " +
			"while the check fails, Route 53 stops answering with that entry (a latency rule then answers from the next-closest healthy region).\n\n" +
			"`type` is the protocol. Setting `search_string` makes an HTTP or HTTPS check also look for that string in the response " +
			"(Route 53's `HTTP_STR_MATCH` and `HTTPS_STR_MATCH` types), so adding or removing it replaces the health check.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Id of the health check (a UUID), as used by `health_check` in traffic policies.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Protocol: `HTTP`, `HTTPS` (healthy on a 2xx or 3xx status within 2 seconds after connecting) or `TCP` (healthy when a connection opens within 10 seconds). " +
					"Changing it replaces the health check.",
				Validators:    []validator.String{stringvalidator.OneOf(healthCheckHTTP, healthCheckHTTPS, healthCheckTCP)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"fqdn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Domain name of the endpoint: Route 53 resolves it and checks the address it gets (and sends it as the Host header and, with `enable_sni`, in TLS). " +
					"Set exactly one of `fqdn` and `ip_address`.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"ip_address": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Public IPv4 or IPv6 address of the endpoint. Set exactly one of `fqdn` and `ip_address`; " +
					"changing an address in place is possible, removing it (to use `fqdn`) replaces the health check. " +
					"Addresses Route 53 cannot check (private, loopback, link-local, shared, reserved and multicast ranges) are refused when you plan.",
				Validators: []validator.String{ipAddressValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !req.StateValue.IsNull() && req.PlanValue.IsNull()
					},
					"Route 53 cannot remove the IP address of a health check; it is replaced.",
					"Route 53 cannot remove the IP address of a health check; it is replaced.",
				)},
			},
			"port": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Port of the endpoint. Defaults to 80 for `HTTP` and 443 for `HTTPS`; required for `TCP`.",
				Validators:          []validator.Int64{int64validator.Between(1, 65535)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"resource_path": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path Route 53 requests, for example `/health` (`HTTP` and `HTTPS` only). Without it Route 53 requests `/`.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 255),
					stringvalidator.RegexMatches(regexp.MustCompile(`^/`), "must start with /, for example /health"),
				},
			},
			"search_string": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "String that must appear in the first 5,120 bytes of the response body for the endpoint to be healthy (`HTTP` and `HTTPS` only). " +
					"Changing the string is done in place; adding or removing it replaces the health check.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = req.StateValue.IsNull() != req.PlanValue.IsNull()
					},
					"Adding or removing search_string changes the Route 53 type of the health check, which replaces it.",
					"Adding or removing `search_string` changes the Route 53 type of the health check, which replaces it.",
				)},
			},
			"request_interval": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(30),
				MarkdownDescription: "Seconds between two checks by each checker: `30` (default) or `10` (fast, billed extra). Changing it replaces the health check.",
				Validators:          []validator.Int64{int64validator.OneOf(10, 30)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"failure_threshold": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(3),
				MarkdownDescription: "Consecutive checks that must fail (or succeed) to change the endpoint's status, 1–10. Default 3.",
				Validators:          []validator.Int64{int64validator.Between(1, 10)},
			},
			"regions": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Regions the checks are made from, at least three of " + quotedList(healthCheckRegions()) +
					". Leave it out to use all of them.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(3),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(healthCheckRegions()...)),
				},
			},
			"measure_latency": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Publish latency graphs from each checker region in CloudWatch. Changing it replaces the health check.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"invert_healthcheck": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Report healthy when the endpoint fails and unhealthy when it passes.",
			},
			"disabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Stop checking. Route 53 then treats the endpoint as healthy (or unhealthy with `invert_healthcheck`) for routing.",
			},
			"enable_sni": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Send `fqdn` in the TLS client hello (`HTTPS` only). Defaults to `true` for `HTTPS` and `false` otherwise.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"tags": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Tags of the health check (the `Name` tag is the name the Route 53 console shows). They are merged with the provider's `default_tags`; a tag here wins over a default tag with the same key.",
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(healthCheckMaxTags),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128)),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
			"tags_all": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "All tags of the health check: `tags` merged with the provider's `default_tags`.",
			},
		},
	}
}

func quotedList(vals []string) string {
	out := ""
	for i, v := range vals {
		if i > 0 {
			out += ", "
		}
		out += "`" + v + "`"
	}
	return out
}

func (r *healthCheckResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

func (r *healthCheckResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("fqdn"), path.MatchRoot("ip_address")),
	}
}

// ValidateConfig checks the arguments that depend on the protocol.
func (r *healthCheckResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg HealthCheckResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Type.IsUnknown() || cfg.Type.IsNull() {
		return
	}
	typ := cfg.Type.ValueString()
	if typ == healthCheckTCP {
		if cfg.Port.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("port"), "Missing port",
				"A TCP health check needs the port to connect to: set port.")
		}
		for _, a := range []struct {
			name string
			v    types.String
		}{{"resource_path", cfg.ResourcePath}, {"search_string", cfg.SearchString}} {
			if !a.v.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(a.name), "Argument not used by TCP health checks",
					fmt.Sprintf("%s only applies to HTTP and HTTPS health checks; remove it or change type.", a.name))
			}
		}
	}
	if typ != healthCheckHTTPS && !cfg.EnableSNI.IsNull() && !cfg.EnableSNI.IsUnknown() && cfg.EnableSNI.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("enable_sni"), "SNI needs HTTPS",
			fmt.Sprintf("enable_sni only applies to HTTPS health checks, and this one is %s; remove it or set type = \"HTTPS\".", typ))
	}
}

// ModifyPlan fills the protocol's defaults (port, enable_sni) and tags_all.
func (r *healthCheckResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, cfg HealthCheckResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typ := plan.Type.ValueString()
	if cfg.Port.IsNull() && !plan.Type.IsUnknown() {
		switch typ {
		case healthCheckHTTP:
			plan.Port = types.Int64Value(80)
		case healthCheckHTTPS:
			plan.Port = types.Int64Value(443)
		}
	}
	if cfg.EnableSNI.IsNull() {
		if plan.Type.IsUnknown() {
			plan.EnableSNI = types.BoolUnknown()
		} else {
			plan.EnableSNI = types.BoolValue(typ == healthCheckHTTPS)
		}
	}
	plan.TagsAll = types.MapUnknown(types.StringType)
	if tags, known := stringMap(ctx, plan.Tags); known && r.client != nil {
		all, diags := types.MapValueFrom(ctx, types.StringType, r.client.MergeTags(tags))
		resp.Diagnostics.Append(diags...)
		plan.TagsAll = all
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// stringMap reads a map of strings; known is false while any of it is unknown.
func stringMap(ctx context.Context, m types.Map) (map[string]string, bool) {
	if m.IsUnknown() {
		return nil, false
	}
	out := map[string]string{}
	if m.IsNull() {
		return out, true
	}
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		out[k] = s.ValueString()
	}
	return out, true
}

// awsHealthCheckType is Route 53's type for a protocol and search string.
func awsHealthCheckType(typ string, searchString types.String) awstypes.HealthCheckType {
	strMatch := !searchString.IsNull() && searchString.ValueString() != ""
	switch {
	case typ == healthCheckHTTP && strMatch:
		return awstypes.HealthCheckTypeHttpStrMatch
	case typ == healthCheckHTTPS && strMatch:
		return awstypes.HealthCheckTypeHttpsStrMatch
	}
	return awstypes.HealthCheckType(typ)
}

func (r *healthCheckResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan HealthCheckResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typ := plan.Type.ValueString()
	cfg := &awstypes.HealthCheckConfig{
		Type:                     awsHealthCheckType(typ, plan.SearchString),
		FullyQualifiedDomainName: plan.FQDN.ValueStringPointer(),
		IPAddress:                plan.IPAddress.ValueStringPointer(),
		Port:                     aws.Int32(int32(plan.Port.ValueInt64())),
		ResourcePath:             plan.ResourcePath.ValueStringPointer(),
		SearchString:             plan.SearchString.ValueStringPointer(),
		RequestInterval:          aws.Int32(int32(plan.RequestInterval.ValueInt64())),
		FailureThreshold:         aws.Int32(int32(plan.FailureThreshold.ValueInt64())),
		MeasureLatency:           aws.Bool(plan.MeasureLatency.ValueBool()),
		Inverted:                 aws.Bool(plan.InvertHealthcheck.ValueBool()),
		Disabled:                 aws.Bool(plan.Disabled.ValueBool()),
	}
	if typ == healthCheckHTTPS {
		cfg.EnableSNI = aws.Bool(plan.EnableSNI.ValueBool())
	}
	regions, diags := regionList(ctx, plan.Regions)
	resp.Diagnostics.Append(diags...)
	cfg.Regions = regions
	tags, _ := stringMap(ctx, plan.Tags)
	tagsAll := r.client.MergeTags(tags)

	conn := r.client.Route53(ctx)
	out, err := conn.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
		CallerReference:   aws.String(callerReference()),
		HealthCheckConfig: cfg,
	})
	if err != nil {
		resp.Diagnostics.AddError("Creating health check", fmt.Sprintf("CreateHealthCheck: %v", err))
		return
	}
	id := aws.ToString(out.HealthCheck.Id)
	plan.ID = types.StringValue(id)
	if plan.TagsAll.IsUnknown() {
		plan.TagsAll, diags = types.MapValueFrom(ctx, types.StringType, tagsAll)
		resp.Diagnostics.Append(diags...)
	}
	// Record the health check before tagging: if tagging fails it is kept
	// (tainted) rather than lost.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if err := updateHealthCheckTags(ctx, conn, id, nil, tagsAll); err != nil {
		resp.Diagnostics.AddError("Tagging health check", fmt.Sprintf("Health check %s: %v", id, err))
		return
	}
	r.readInto(ctx, conn, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func callerReference() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "regis-" + time.Now().UTC().Format("20060102150405") + "-" + hex.EncodeToString(b)
}

func regionList(ctx context.Context, s types.Set) ([]awstypes.HealthCheckRegion, diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, nil
	}
	var vals []string
	diags := s.ElementsAs(ctx, &vals, false)
	slices.Sort(vals)
	out := make([]awstypes.HealthCheckRegion, len(vals))
	for i, v := range vals {
		out[i] = awstypes.HealthCheckRegion(v)
	}
	return out, diags
}

// findHealthCheckByID returns the health check, or an awsapi.NotFoundError.
func findHealthCheckByID(ctx context.Context, conn *route53.Client, id string) (*awstypes.HealthCheck, error) {
	out, err := conn.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String(id)})
	if awsapi.IsA[*awstypes.NoSuchHealthCheck](err) {
		return nil, awsapi.NewNotFound("health check "+id, err)
	}
	if err != nil {
		return nil, err
	}
	if out.HealthCheck == nil || out.HealthCheck.HealthCheckConfig == nil {
		return nil, awsapi.NewNotFound("health check "+id, nil)
	}
	return out.HealthCheck, nil
}

// readInto refreshes m from Route 53; a missing health check leaves m.ID null.
func (r *healthCheckResource) readInto(ctx context.Context, conn *route53.Client, m *HealthCheckResourceModel, diags *diag.Diagnostics) {
	id := m.ID.ValueString()
	hc, err := findHealthCheckByID(ctx, conn, id)
	if awsapi.IsNotFound(err) {
		m.ID = types.StringNull()
		return
	}
	if err != nil {
		diags.AddError("Reading health check", fmt.Sprintf("GetHealthCheck %s: %v", id, err))
		return
	}
	c := hc.HealthCheckConfig
	switch c.Type {
	case awstypes.HealthCheckTypeHttp, awstypes.HealthCheckTypeHttpStrMatch:
		m.Type = types.StringValue(healthCheckHTTP)
	case awstypes.HealthCheckTypeHttps, awstypes.HealthCheckTypeHttpsStrMatch:
		m.Type = types.StringValue(healthCheckHTTPS)
	case awstypes.HealthCheckTypeTcp:
		m.Type = types.StringValue(healthCheckTCP)
	default:
		diags.AddError("Unsupported health check type",
			fmt.Sprintf("Health check %s is of type %s; regis_health_check manages HTTP, HTTPS and TCP health checks (with or without a search string).", id, c.Type))
		return
	}
	m.FQDN = optString(aws.ToString(c.FullyQualifiedDomainName))
	if ip := aws.ToString(c.IPAddress); !sameIP(ip, m.IPAddress.ValueString()) {
		m.IPAddress = optString(ip)
	}
	m.Port = types.Int64Value(int64(aws.ToInt32(c.Port)))
	m.ResourcePath = optString(aws.ToString(c.ResourcePath))
	m.SearchString = optString(aws.ToString(c.SearchString))
	m.RequestInterval = types.Int64Value(int64(aws.ToInt32(c.RequestInterval)))
	m.FailureThreshold = types.Int64Value(int64(aws.ToInt32(c.FailureThreshold)))
	m.MeasureLatency = types.BoolValue(aws.ToBool(c.MeasureLatency))
	m.InvertHealthcheck = types.BoolValue(aws.ToBool(c.Inverted))
	m.Disabled = types.BoolValue(aws.ToBool(c.Disabled))
	m.EnableSNI = types.BoolValue(m.Type.ValueString() == healthCheckHTTPS && aws.ToBool(c.EnableSNI))

	var regions []string
	for _, reg := range c.Regions {
		regions = append(regions, string(reg))
	}
	slices.Sort(regions)
	all := healthCheckRegions()
	slices.Sort(all)
	if len(regions) == 0 || (m.Regions.IsNull() && slices.Equal(regions, all)) {
		// No regions given: Route 53 uses (and may list) all of them.
		m.Regions = types.SetNull(types.StringType)
	} else {
		v, d := types.SetValueFrom(ctx, types.StringType, regions)
		diags.Append(d...)
		m.Regions = v
	}

	tagsAll, err := listHealthCheckTags(ctx, conn, id)
	if err != nil {
		diags.AddError("Reading health check tags", fmt.Sprintf("ListTagsForResource healthcheck %s: %v", id, err))
		return
	}
	var defaults map[string]string
	if r.client != nil {
		defaults = r.client.DefaultTags
	}
	prior, _ := stringMap(ctx, m.Tags)
	own := resourceTags(prior, defaults, tagsAll)
	if len(own) == 0 && m.Tags.IsNull() {
		m.Tags = types.MapNull(types.StringType)
	} else {
		v, d := types.MapValueFrom(ctx, types.StringType, own)
		diags.Append(d...)
		m.Tags = v
	}
	v, d := types.MapValueFrom(ctx, types.StringType, tagsAll)
	diags.Append(d...)
	m.TagsAll = v
}

// resourceTags splits a resource's own tags from the provider's default tags,
// as the AWS provider does: a tag is the resource's own when the
// configuration had it, or when it is not a default tag with the same value.
func resourceTags(prior, defaults, all map[string]string) map[string]string {
	own := map[string]string{}
	for k, v := range all {
		if _, configured := prior[k]; configured {
			own[k] = v
			continue
		}
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			continue
		}
		own[k] = v
	}
	return own
}

func sameIP(a, b string) bool {
	pa, errA := netip.ParseAddr(a)
	pb, errB := netip.ParseAddr(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return pa == pb
}

func listHealthCheckTags(ctx context.Context, conn *route53.Client, id string) (map[string]string, error) {
	out, err := conn.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{
		ResourceId:   aws.String(id),
		ResourceType: awstypes.TagResourceTypeHealthcheck,
	})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	if out.ResourceTagSet != nil {
		for _, t := range out.ResourceTagSet.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// updateHealthCheckTags changes the tags from "from" to "to", ten at a time (the
// most ChangeTagsForResource takes).
func updateHealthCheckTags(ctx context.Context, conn *route53.Client, id string, from, to map[string]string) error {
	var add []awstypes.Tag
	var remove []string
	for _, k := range sortedKeys(to) {
		if ov, ok := from[k]; !ok || ov != to[k] {
			add = append(add, awstypes.Tag{Key: aws.String(k), Value: aws.String(to[k])})
		}
	}
	for _, k := range sortedKeys(from) {
		if _, ok := to[k]; !ok {
			remove = append(remove, k)
		}
	}
	for len(add) > 0 || len(remove) > 0 {
		in := &route53.ChangeTagsForResourceInput{ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck}
		n := min(len(add), 10)
		in.AddTags, add = add[:n], add[n:]
		m := min(len(remove), 10)
		in.RemoveTagKeys, remove = remove[:m], remove[m:]
		if _, err := conn.ChangeTagsForResource(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

func (r *healthCheckResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state HealthCheckResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	r.readInto(ctx, r.client.Route53(ctx), &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.ID.IsNull() {
		resp.Diagnostics.AddWarning("Health check not found",
			fmt.Sprintf("Health check %s no longer exists in Route 53; it is removed from the state and will be created again.", id))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *healthCheckResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan, state HealthCheckResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	conn := r.client.Route53(ctx)
	id := state.ID.ValueString()
	plan.ID = state.ID

	input, changed, diags := healthCheckUpdateInput(ctx, id, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if changed {
		for attempt := 1; ; attempt++ {
			hc, err := findHealthCheckByID(ctx, conn, id)
			if err != nil {
				resp.Diagnostics.AddError("Updating health check", fmt.Sprintf("GetHealthCheck %s: %v", id, err))
				return
			}
			// HealthCheckVersion makes the update conditional: Route 53
			// refuses it if someone changed the health check meanwhile, and
			// we apply our change to the new version instead.
			input.HealthCheckVersion = hc.HealthCheckVersion
			_, err = conn.UpdateHealthCheck(ctx, input)
			if awsapi.IsA[*awstypes.HealthCheckVersionMismatch](err) && attempt < healthCheckUpdateAttempts {
				continue
			}
			if err != nil {
				resp.Diagnostics.AddError("Updating health check", fmt.Sprintf("UpdateHealthCheck %s: %v", id, err))
				return
			}
			break
		}
	}

	oldTags, _ := stringMap(ctx, state.TagsAll)
	newTags, _ := stringMap(ctx, plan.Tags)
	newAll := r.client.MergeTags(newTags)
	if !maps.Equal(oldTags, newAll) {
		if err := updateHealthCheckTags(ctx, conn, id, oldTags, newAll); err != nil {
			resp.Diagnostics.AddError("Tagging health check", fmt.Sprintf("Health check %s: %v", id, err))
			return
		}
	}
	r.readInto(ctx, conn, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.ID.IsNull() {
		resp.Diagnostics.AddError("Health check disappeared", fmt.Sprintf("Health check %s was deleted while it was being updated.", id))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// healthCheckUpdateInput builds UpdateHealthCheck for the arguments that
// changed; changed is false when only tags did.
func healthCheckUpdateInput(ctx context.Context, id string, plan, state HealthCheckResourceModel) (*route53.UpdateHealthCheckInput, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := &route53.UpdateHealthCheckInput{HealthCheckId: aws.String(id)}
	changed := false
	reset := func(e awstypes.ResettableElementName) { in.ResetElements = append(in.ResetElements, e) }
	if !plan.FQDN.Equal(state.FQDN) {
		changed = true
		if plan.FQDN.IsNull() {
			reset(awstypes.ResettableElementNameFullyQualifiedDomainName)
		} else {
			in.FullyQualifiedDomainName = plan.FQDN.ValueStringPointer()
		}
	}
	if !plan.IPAddress.Equal(state.IPAddress) && !plan.IPAddress.IsNull() {
		changed = true
		in.IPAddress = plan.IPAddress.ValueStringPointer()
	}
	if !plan.Port.Equal(state.Port) {
		changed = true
		in.Port = aws.Int32(int32(plan.Port.ValueInt64()))
	}
	if !plan.ResourcePath.Equal(state.ResourcePath) {
		changed = true
		if plan.ResourcePath.IsNull() {
			reset(awstypes.ResettableElementNameResourcePath)
		} else {
			in.ResourcePath = plan.ResourcePath.ValueStringPointer()
		}
	}
	if !plan.SearchString.Equal(state.SearchString) && !plan.SearchString.IsNull() {
		changed = true
		in.SearchString = plan.SearchString.ValueStringPointer()
	}
	if !plan.FailureThreshold.Equal(state.FailureThreshold) {
		changed = true
		in.FailureThreshold = aws.Int32(int32(plan.FailureThreshold.ValueInt64()))
	}
	if !plan.Regions.Equal(state.Regions) {
		changed = true
		if plan.Regions.IsNull() {
			reset(awstypes.ResettableElementNameRegions)
		} else {
			regions, d := regionList(ctx, plan.Regions)
			diags.Append(d...)
			in.Regions = regions
		}
	}
	if !plan.InvertHealthcheck.Equal(state.InvertHealthcheck) {
		changed = true
		in.Inverted = aws.Bool(plan.InvertHealthcheck.ValueBool())
	}
	if !plan.Disabled.Equal(state.Disabled) {
		changed = true
		in.Disabled = aws.Bool(plan.Disabled.ValueBool())
	}
	if !plan.EnableSNI.Equal(state.EnableSNI) && plan.Type.ValueString() == healthCheckHTTPS {
		changed = true
		in.EnableSNI = aws.Bool(plan.EnableSNI.ValueBool())
	}
	return in, changed, diags
}

func (r *healthCheckResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state HealthCheckResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	conn := r.client.Route53(ctx)
	_, err := awsapi.RetryWhen(ctx, healthCheckInUseTimeout, func(ctx context.Context) (*route53.DeleteHealthCheckOutput, error) {
		return conn.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)})
	}, awsapi.IsA[*awstypes.HealthCheckInUse])
	switch {
	case err == nil, awsapi.IsA[*awstypes.NoSuchHealthCheck](err):
	case awsapi.IsA[*awstypes.HealthCheckInUse](err):
		resp.Diagnostics.AddError("Health check in use",
			fmt.Sprintf("Route 53 refuses to delete health check %s because records still use it (for example the records of a policy record whose traffic policy version references it): %v. "+
				"Remove those records or move the policy record to a version without this health check first.", id, err))
	default:
		resp.Diagnostics.AddError("Deleting health check", fmt.Sprintf("DeleteHealthCheck %s: %v", id, err))
	}
}

func (r *healthCheckResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ipAddressValidator accepts the IPv4 and IPv6 addresses Route 53 can
// check.
type ipAddressValidator struct{}

func (ipAddressValidator) Description(context.Context) string {
	return "must be a public IPv4 or IPv6 address"
}

func (v ipAddressValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ipAddressValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IP address",
			fmt.Sprintf("%q is not an IP address; give the endpoint's public IPv4 or IPv6 address, or use fqdn for a domain name.", s))
		return
	}
	if what := nonPublicRange(ip); what != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "IP address Route 53 cannot check",
			fmt.Sprintf("%s is in %s. Route 53's health checkers check endpoints from the internet, and CreateHealthCheck refuses "+
				"local, private, non-routable and multicast addresses (InvalidInput). Give the endpoint's public address, "+
				"or set fqdn to a name that resolves to one.", s, what))
	}
}

// nonPublicRanges are the addresses CreateHealthCheck refuses. The API
// reference (HealthCheckConfig, IPAddress) says that Route 53 cannot check
// endpoints whose address is in a local, private, non-routable or multicast
// range, and points to RFC 5735 (special-use IPv4), RFC 6598 (shared address
// space) and RFC 5156 (special-use IPv6). The documentation ranges of those
// RFCs (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are not
// refused: the same reference uses 192.0.2.44 as its example of IPAddress.
var nonPublicRanges = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `0.0.0.0/8, "this network" (RFC 5735)`},
	{netip.MustParsePrefix("10.0.0.0/8"), "10.0.0.0/8, a private range (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "100.64.0.0/10, the shared address space of carrier-grade NAT (RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "127.0.0.0/8, the loopback range"},
	{netip.MustParsePrefix("169.254.0.0/16"), "169.254.0.0/16, the link-local range"},
	{netip.MustParsePrefix("172.16.0.0/12"), "172.16.0.0/12, a private range (RFC 1918)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "192.168.0.0/16, a private range (RFC 1918)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "224.0.0.0/4, the multicast range"},
	{netip.MustParsePrefix("240.0.0.0/4"), "240.0.0.0/4, reserved (RFC 5735; it includes the broadcast address)"},
	{netip.MustParsePrefix("::/128"), "::, the unspecified address"},
	{netip.MustParsePrefix("::1/128"), "::1, the loopback address"},
	{netip.MustParsePrefix("fc00::/7"), "fc00::/7, the unique local range (RFC 4193)"},
	{netip.MustParsePrefix("fe80::/10"), "fe80::/10, the link-local range"},
	{netip.MustParsePrefix("ff00::/8"), "ff00::/8, the multicast range"},
}

// nonPublicRange names the range of nonPublicRanges that holds ip, or "". An
// IPv4-mapped IPv6 address is judged by its IPv4 address.
func nonPublicRange(ip netip.Addr) string {
	ip = ip.Unmap()
	for _, r := range nonPublicRanges {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	return ""
}
