package trafficpolicy

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

var (
	_ resource.Resource                   = (*trafficPolicyResource)(nil)
	_ resource.ResourceWithConfigure      = (*trafficPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*trafficPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*trafficPolicyResource)(nil)
	_ resource.ResourceWithImportState    = (*trafficPolicyResource)(nil)
)

// NewTrafficPolicyResource is regis_traffic_policy: a traffic policy and its
// versions, keyed by the configuration and numbered in the order of their
// keys.
func NewTrafficPolicyResource() resource.Resource {
	return &trafficPolicyResource{}
}

type trafficPolicyResource struct {
	client *conns.AWSClient
}

// TrafficPolicyResourceModel is the resource's state.
type TrafficPolicyResourceModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Versions        types.Map    `tfsdk:"versions"`
	RetiredVersions types.List   `tfsdk:"retired_versions"`
}

// policyVersionModel is one element of versions.
type policyVersionModel struct {
	Document     types.String `tfsdk:"document"`
	Comment      types.String `tfsdk:"comment"`
	Version      types.Int64  `tfsdk:"version"`
	ID           types.String `tfsdk:"id"`
	DocumentJSON types.String `tfsdk:"document_json"`
}

var policyVersionObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"document":      types.StringType,
	"comment":       types.StringType,
	"version":       types.Int64Type,
	"id":            types.StringType,
	"document_json": types.StringType,
}}

func (r *trafficPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_traffic_policy"
}

func (r *trafficPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Route 53 traffic policy and its versions, numbered in the order of their keys.\n\n" +
			"Each element of `versions` is one immutable version. The versions this resource creates in one apply are created one after " +
			"the other in the order of their keys (keys that are whole numbers first, in numeric order, then the others in alphabetical order), " +
			"so that `{ \"0\" = …, \"10\" = …, \"100\" = … }` becomes versions 1, 2 and 3 of a new policy, every time; a key added later gets the " +
			"next number. A changed document is a new version under the same key; a key's version never changes in place.\n\n" +
			"Use it instead of several `regis_traffic_policy_version` resources of one `name` when their numbers matter, for example one version " +
			"per rollout stage, where rolling out should go from a lower number to a higher one. `modules/multi-region-service` does.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Id of the traffic policy. Use it as `traffic_policy_id` of a `regis_traffic_policy_record`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the traffic policy. A policy of that name that exists already gets the versions added to it. " +
					"Changing it creates the versions under the new name (a new policy) and deletes the old ones.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 512)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"versions": schema.MapNestedAttribute{
				Required: true,
				MarkdownDescription: "Key → one version of the policy. The key is yours (a rollout stage, `blue`, `v2`): it is how this resource " +
					"tells versions apart, and it orders the versions created in one apply. Adding a key creates a version with the next number; " +
					"changing a key's `document` creates a new version for it and deletes the old one; removing a key deletes its version. " +
					"A version a policy record still uses is not deleted yet: see `retired_versions`.",
				Validators: []validator.Map{
					mapvalidator.SizeBetween(1, 1000),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 64)),
				},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"document": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "The document as JSON in AWS's traffic policy format, for example `jsonencode({...})`, `file(\"policy.json\")` " +
							"or the `json` of a `regis_traffic_policy_document`. Validated when you plan.",
					},
					"comment": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Comment of the version (version 1's is the policy's). Changes in place.",
						Validators:          []validator.String{stringvalidator.LengthAtMost(1024)},
					},
					"version": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Number Route 53 gave the version. Use it as `traffic_policy_version` of a `regis_traffic_policy_record`.",
					},
					"id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`<policy id>/<version>`, as the id of a `regis_traffic_policy_version`.",
					},
					"document_json": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "The document as Route 53 holds it, normalised (fixed field order, ids sorted, compact).",
					},
				}},
			},
			"retired_versions": schema.ListAttribute{
				ElementType: types.Int64Type,
				Computed:    true,
				MarkdownDescription: "Versions this resource created and no longer lists, kept because a policy record still used them when they " +
					"were removed or replaced: Route 53 refuses to delete a version in use. This happens when a record moves to the new version " +
					"in the same apply (it is updated after this resource). A version whose deletion failed (the apply then reports the error) is kept here too. " +
					"They are deleted by the next apply that changes this resource, once no record uses them, and when it is destroyed.",
			},
		},
	}
}

func (r *trafficPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// creationOrder sorts keys in the order their versions are created: whole
// numbers first, in numeric order, then the other keys alphabetically.
func creationOrder(keys []string) []string {
	slices.SortFunc(keys, func(a, b string) int {
		na, errA := strconv.ParseUint(a, 10, 64)
		nb, errB := strconv.ParseUint(b, 10, 64)
		switch {
		case errA == nil && errB == nil && na != nb:
			return cmp.Compare(na, nb)
		case errA == nil && errB != nil:
			return -1
		case errA != nil && errB == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// versionsOf reads the versions map; ok is false while it is unknown.
func versionsOf(ctx context.Context, m types.Map, diags *diag.Diagnostics) (map[string]policyVersionModel, bool) {
	if m.IsUnknown() {
		return nil, false
	}
	out := map[string]policyVersionModel{}
	if m.IsNull() {
		return out, true
	}
	for k, v := range m.Elements() {
		o, ok := v.(types.Object)
		if !ok || o.IsUnknown() {
			return nil, false
		}
		var pv policyVersionModel
		diags.Append(o.As(ctx, &pv, basetypes.ObjectAsOptions{})...)
		out[k] = pv
	}
	return out, true
}

func versionsValue(ctx context.Context, m map[string]policyVersionModel, diags *diag.Diagnostics) types.Map {
	v, d := types.MapValueFrom(ctx, policyVersionObjectType, m)
	diags.Append(d...)
	return v
}

func int64List(ctx context.Context, vals []int64, diags *diag.Diagnostics) types.List {
	if vals == nil {
		vals = []int64{}
	}
	slices.Sort(vals)
	v, d := types.ListValueFrom(ctx, types.Int64Type, vals)
	diags.Append(d...)
	return v
}

func documentPath(key string) path.Path {
	return path.Root("versions").AtMapKey(key).AtName("document")
}

// renderVersionDocument is renderJSONDocument for the document of a key:
// Terraform points its errors at the resource rather than inside the map,
// so their detail starts with the key.
func renderVersionDocument(key, text string) (string, diag.Diagnostics) {
	js, _, diags := renderJSONDocument(text, documentPath(key))
	var out diag.Diagnostics
	for _, d := range diags {
		detail := fmt.Sprintf("versions[%q].document: %s", key, d.Detail())
		switch d.Severity() {
		case diag.SeverityError:
			out.AddAttributeError(documentPath(key), d.Summary(), detail)
		default:
			out.AddAttributeWarning(documentPath(key), d.Summary(), detail)
		}
	}
	return js, out
}

func (r *trafficPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	versions, known := versionsOf(ctx, cfg.Versions, &resp.Diagnostics)
	if !known {
		return
	}
	for key, pv := range versions {
		if pv.Document.IsUnknown() || pv.Document.IsNull() {
			continue
		}
		_, d := renderVersionDocument(key, pv.Document.ValueString())
		resp.Diagnostics.Append(d...)
	}
}

// ModifyPlan keeps the number of every version whose document does not
// change, and plans a new version (number unknown) for new and changed ones.
func (r *trafficPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, state TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	exists := !req.State.Raw.IsNull()
	if exists {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	current := map[string]policyVersionModel{}
	if exists {
		current, _ = versionsOf(ctx, state.Versions, &resp.Diagnostics)
	}
	planned, known := versionsOf(ctx, plan.Versions, &resp.Diagnostics)
	changed := !known
	if known {
		for key, pv := range planned {
			cur, had := current[key]
			js := ""
			if !pv.Document.IsUnknown() {
				var d diag.Diagnostics
				js, d = renderVersionDocument(key, pv.Document.ValueString())
				resp.Diagnostics.Append(d...)
			}
			switch {
			case had && js != "" && js == cur.DocumentJSON.ValueString():
				// The same version; its comment may change in place.
				pv.Version, pv.ID, pv.DocumentJSON = cur.Version, cur.ID, cur.DocumentJSON
				changed = changed || !pv.Comment.Equal(cur.Comment) || !pv.Document.Equal(cur.Document)
			default:
				pv.Version, pv.ID = types.Int64Unknown(), types.StringUnknown()
				pv.DocumentJSON = types.StringUnknown()
				if js != "" {
					pv.DocumentJSON = types.StringValue(js)
				}
				changed = true
			}
			planned[key] = pv
		}
		for key := range current {
			if _, ok := planned[key]; !ok {
				changed = true
			}
		}
		plan.Versions = versionsValue(ctx, planned, &resp.Diagnostics)
	}
	switch {
	case !exists:
		plan.RetiredVersions = int64List(ctx, nil, &resp.Diagnostics)
	case changed:
		plan.RetiredVersions = types.ListUnknown(types.Int64Type)
	default:
		plan.RetiredVersions = state.RetiredVersions
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *trafficPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringNull()
	r.apply(ctx, &plan, nil, nil, &resp.Diagnostics)
	if plan.ID.IsNull() {
		// Nothing was created.
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *trafficPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan, state TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	current, _ := versionsOf(ctx, state.Versions, &resp.Diagnostics)
	var retired []int64
	resp.Diagnostics.Append(state.RetiredVersions.ElementsAs(ctx, &retired, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = state.ID
	r.apply(ctx, &plan, current, retired, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// apply makes Route 53 hold plan's versions, from current (nil for a new
// resource) and the retired versions: it deletes the retired versions no
// record uses any more, creates the new and changed versions one by one in
// creation order, updates changed comments, then deletes the versions no key
// has any more (or retires them while a record uses them). It fills plan
// with the outcome, also after a failure, so that the state tracks every
// version that exists.
func (r *trafficPolicyResource) apply(ctx context.Context, plan *TrafficPolicyResourceModel, current map[string]policyVersionModel, retired []int64, diags *diag.Diagnostics) {
	conn := r.client.Route53(ctx)
	name := plan.Name.ValueString()
	planned, _ := versionsOf(ctx, plan.Versions, diags)
	if diags.HasError() {
		return
	}
	result := map[string]policyVersionModel{}
	// replaced are the versions of changed or removed keys, to delete.
	var replaced []int64
	finished := false
	defer func() {
		if !finished {
			// The keys not handled yet keep their versions, and the
			// versions waiting to be deleted are retired: all exist.
			for key, cur := range current {
				if _, done := result[key]; !done {
					result[key] = cur
				}
			}
			retired = append(retired, replaced...)
		}
		plan.Versions = versionsValue(ctx, result, diags)
		plan.RetiredVersions = int64List(ctx, retired, diags)
	}()

	policyID := plan.ID.ValueString()
	if policyID != "" && len(retired) > 0 {
		retired = r.deleteUnused(ctx, conn, policyID, name, retired, diags)
		if diags.HasError() {
			return
		}
	}

	for _, key := range creationOrder(slices.Collect(maps.Keys(planned))) {
		pv := planned[key]
		js, d := renderVersionDocument(key, pv.Document.ValueString())
		if diags.Append(d...); d.HasError() {
			return
		}
		cur, had := current[key]
		if had && js == cur.DocumentJSON.ValueString() {
			if !pv.Comment.Equal(cur.Comment) {
				if _, err := conn.UpdateTrafficPolicyComment(ctx, &route53.UpdateTrafficPolicyCommentInput{
					Id: aws.String(policyID), Version: aws.Int32(int32(cur.Version.ValueInt64())), Comment: aws.String(pv.Comment.ValueString()),
				}); err != nil {
					diags.AddError("Updating traffic policy comment",
						fmt.Sprintf("UpdateTrafficPolicyComment %s version %d (key %q): %v", policyID, cur.Version.ValueInt64(), key, err))
					return
				}
			}
			pv.Version, pv.ID, pv.DocumentJSON = cur.Version, cur.ID, cur.DocumentJSON
			result[key] = pv
			continue
		}
		tp, err := createTrafficPolicyVersion(ctx, conn, name, js, pv.Comment.ValueStringPointer())
		if err != nil {
			diags.AddError(fmt.Sprintf("Creating the version of %q for key %q", name, key), createErrorDetail(name, err))
			return
		}
		policyID = aws.ToString(tp.Id)
		plan.ID = types.StringValue(policyID)
		pv.setFromAPI(tp)
		result[key] = pv
		if had {
			replaced = append(replaced, cur.Version.ValueInt64())
		}
	}
	for key, cur := range current {
		if _, wanted := planned[key]; !wanted {
			replaced = append(replaced, cur.Version.ValueInt64())
		}
	}
	retired = append(retired, r.deleteUnused(ctx, conn, policyID, name, replaced, diags)...)
	finished = true
}

// deleteUnused deletes the given versions and returns those Route 53 refused
// to delete because a policy record uses them; a failure is added to diags
// and the versions not deleted yet are returned as well.
func (r *trafficPolicyResource) deleteUnused(ctx context.Context, conn *route53.Client, policyID, name string, versions []int64, diags *diag.Diagnostics) []int64 {
	var kept []int64
	for i, v := range versions {
		_, err := conn.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(int32(v))})
		switch {
		case err == nil, awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err):
		case awsapi.IsA[*awstypes.TrafficPolicyInUse](err):
			kept = append(kept, v)
		default:
			diags.AddError("Deleting traffic policy version",
				fmt.Sprintf("Deleting version %d of traffic policy %q (%s), which no key of versions has any more: %v", v, name, policyID, err))
			return append(kept, versions[i:]...)
		}
	}
	return kept
}

// setFromAPI records what Route 53 returned for a version.
func (pv *policyVersionModel) setFromAPI(tp *awstypes.TrafficPolicy) {
	version := aws.ToInt32(tp.Version)
	pv.Version = types.Int64Value(int64(version))
	pv.ID = types.StringValue(versionID(aws.ToString(tp.Id), version))
	raw := aws.ToString(tp.Document)
	if out, err := trafficflow.Normalize([]byte(raw)); err == nil {
		pv.DocumentJSON = types.StringValue(string(out))
	} else {
		pv.DocumentJSON = types.StringValue(raw)
	}
	switch c := aws.ToString(tp.Comment); {
	case c != "":
		pv.Comment = types.StringValue(c)
	case pv.Comment.IsNull() || pv.Comment.IsUnknown() || pv.Comment.ValueString() != "":
		pv.Comment = types.StringNull()
	}
}

// listTrafficPolicyVersions returns every version of a policy by number, or
// an awsapi.NotFoundError when the policy has none left.
func listTrafficPolicyVersions(ctx context.Context, conn *route53.Client, id string) (map[int32]*awstypes.TrafficPolicy, error) {
	input := &route53.ListTrafficPolicyVersionsInput{Id: aws.String(id), MaxItems: aws.Int32(100)}
	out := map[int32]*awstypes.TrafficPolicy{}
	for {
		page, err := conn.ListTrafficPolicyVersions(ctx, input)
		if awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
			return nil, awsapi.NewNotFound("traffic policy "+id, err)
		}
		if err != nil {
			return nil, err
		}
		for i := range page.TrafficPolicies {
			out[aws.ToInt32(page.TrafficPolicies[i].Version)] = &page.TrafficPolicies[i]
		}
		if !page.IsTruncated || page.TrafficPolicyVersionMarker == nil || aws.ToString(page.TrafficPolicyVersionMarker) == aws.ToString(input.TrafficPolicyVersionMarker) {
			break
		}
		input.TrafficPolicyVersionMarker = page.TrafficPolicyVersionMarker
	}
	if len(out) == 0 {
		return nil, awsapi.NewNotFound("traffic policy "+id, nil)
	}
	return out, nil
}

func (r *trafficPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID := state.ID.ValueString()
	found, err := listTrafficPolicyVersions(ctx, r.client.Route53(ctx), policyID)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Traffic policy not found",
			fmt.Sprintf("Traffic policy %q (%s) has no versions left in Route 53; it is removed from the state and will be created again.", state.Name.ValueString(), policyID))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading traffic policy", fmt.Sprintf("ListTrafficPolicyVersions %s: %v", policyID, err))
		return
	}
	current, _ := versionsOf(ctx, state.Versions, &resp.Diagnostics)
	for _, key := range creationOrder(slices.Collect(maps.Keys(current))) {
		pv := current[key]
		tp, ok := found[int32(pv.Version.ValueInt64())]
		if !ok {
			resp.Diagnostics.AddWarning("Traffic policy version not found",
				fmt.Sprintf("Version %d of traffic policy %q (key %q) no longer exists in Route 53; the plan creates it again, as a new version.",
					pv.Version.ValueInt64(), state.Name.ValueString(), key))
			delete(current, key)
			continue
		}
		if pv.Document.IsNull() {
			// Imported: the document as Route 53 holds it.
			pv.Document = types.StringValue(aws.ToString(tp.Document))
		}
		pv.setFromAPI(tp)
		current[key] = pv
		if state.Name.IsNull() {
			state.Name = types.StringValue(aws.ToString(tp.Name))
		}
	}
	var retired, still []int64
	resp.Diagnostics.Append(state.RetiredVersions.ElementsAs(ctx, &retired, false)...)
	for _, v := range retired {
		if _, ok := found[int32(v)]; ok {
			still = append(still, v)
		}
	}
	state.Versions = versionsValue(ctx, current, &resp.Diagnostics)
	state.RetiredVersions = int64List(ctx, still, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// policyInUseAdvice is what to do when destroying the policy meets a record
// that uses one of its versions.
const policyInUseAdvice = "Destroy or move the policy records that use the policy first (a regis_traffic_policy_record that references this resource " +
	"is destroyed before it), then destroy the policy again."

func (r *trafficPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	current, _ := versionsOf(ctx, state.Versions, &resp.Diagnostics)
	var versions []int64
	resp.Diagnostics.Append(state.RetiredVersions.ElementsAs(ctx, &versions, false)...)
	for _, pv := range current {
		versions = append(versions, pv.Version.ValueInt64())
	}
	slices.Sort(versions)
	conn := r.client.Route53(ctx)
	policyID, name := state.ID.ValueString(), state.Name.ValueString()
	for _, v := range versions {
		what := fmt.Sprintf("version %d of traffic policy %q (%s)", v, name, policyID)
		resp.Diagnostics.Append(deleteTrafficPolicyVersion(ctx, conn, policyID, int32(v), what, inUseWait, policyInUseAdvice)...)
	}
}

// ImportState takes "<policy id>", which imports every version of the
// policy keyed by its number, or "<policy id>:<key>=<version>,…", which
// imports the listed versions under the given keys.
func (r *trafficPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	policyID, spec, hasSpec := strings.Cut(req.ID, ":")
	if policyID == "" {
		resp.Diagnostics.AddError("Invalid import id", importIDHelp(req.ID))
		return
	}
	keys := map[string]int64{}
	if hasSpec {
		for _, pair := range strings.Split(spec, ",") {
			key, v, ok := strings.Cut(pair, "=")
			n, err := strconv.ParseInt(v, 10, 32)
			if !ok || key == "" || err != nil || n < 1 {
				resp.Diagnostics.AddError("Invalid import id", importIDHelp(req.ID))
				return
			}
			keys[key] = n
		}
	} else {
		found, err := listTrafficPolicyVersions(ctx, r.client.Route53(ctx), policyID)
		if err != nil {
			resp.Diagnostics.AddError("Importing traffic policy", fmt.Sprintf("ListTrafficPolicyVersions %s: %v", policyID, err))
			return
		}
		for v := range found {
			keys[strconv.Itoa(int(v))] = int64(v)
		}
	}
	versions := map[string]policyVersionModel{}
	for key, v := range keys {
		versions[key] = policyVersionModel{
			Document: types.StringNull(), Comment: types.StringNull(), Version: types.Int64Value(v),
			ID: types.StringValue(versionID(policyID, int32(v))), DocumentJSON: types.StringNull(),
		}
	}
	state := TrafficPolicyResourceModel{
		ID:              types.StringValue(policyID),
		Name:            types.StringNull(),
		Versions:        versionsValue(ctx, versions, &resp.Diagnostics),
		RetiredVersions: int64List(ctx, nil, &resp.Diagnostics),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func importIDHelp(id string) string {
	return fmt.Sprintf("%q is not <policy id> or <policy id>:<key>=<version>,…; for example "+
		"12345678-abcd-4321-8765-0123456789ab (every version, keyed by its number) or "+
		"12345678-abcd-4321-8765-0123456789ab:0=1,10=2,100=3 (versions 1, 2 and 3 under the keys 0, 10 and 100).", id)
}
