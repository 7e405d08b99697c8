package trafficpolicy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

var (
	_ resource.Resource                   = (*trafficPolicyVersionResource)(nil)
	_ resource.ResourceWithConfigure      = (*trafficPolicyVersionResource)(nil)
	_ resource.ResourceWithValidateConfig = (*trafficPolicyVersionResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*trafficPolicyVersionResource)(nil)
	_ resource.ResourceWithImportState    = (*trafficPolicyVersionResource)(nil)
)

// NewTrafficPolicyVersionResource is regis_traffic_policy_version: one
// immutable version of a Route 53 traffic policy.
func NewTrafficPolicyVersionResource() resource.Resource {
	return &trafficPolicyVersionResource{}
}

type trafficPolicyVersionResource struct {
	client *conns.AWSClient
}

// TrafficPolicyVersionResourceModel is the resource's state.
type TrafficPolicyVersionResourceModel struct {
	DocumentModel
	ID             types.String `tfsdk:"id"`
	PolicyID       types.String `tfsdk:"policy_id"`
	Version        types.Int64  `tfsdk:"version"`
	Name           types.String `tfsdk:"name"`
	Comment        types.String `tfsdk:"comment"`
	Document       types.String `tfsdk:"document"`
	DocumentJSON   types.String `tfsdk:"document_json"`
	RetainOnDelete types.Bool   `tfsdk:"retain_on_delete"`
}

func (r *trafficPolicyVersionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_traffic_policy_version"
}

func (r *trafficPolicyVersionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := documentResourceAttributes()
	attrs["id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "`<policy_id>/<version>`.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["policy_id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Id of the traffic policy (shared by all versions of the same `name`). Use it as `traffic_policy_id` of a `regis_traffic_policy_record`.",
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["version"] = schema.Int64Attribute{
		Computed:            true,
		MarkdownDescription: "Version number Route 53 gave this document (1 for the first version of a name). Use it as `traffic_policy_version` of a `regis_traffic_policy_record`.",
		PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
	}
	attrs["name"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: "Name of the traffic policy. The first version of a name creates the policy (`CreateTrafficPolicy`); " +
			"every other version with the same name is added to it (`CreateTrafficPolicyVersion`). Changing it creates a new version under the new name.",
		Validators:    []validator.String{stringvalidator.LengthBetween(1, 512)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
	attrs["comment"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Comment of this version, shown in the Route 53 console (version 1's comment is the policy's). " +
			"The only argument that changes in place (`UpdateTrafficPolicyComment`).",
		Validators: []validator.String{stringvalidator.LengthAtMost(1024)},
	}
	attrs["document"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The document as JSON in AWS's traffic policy format, for configurations coming from `aws_route53_traffic_policy` " +
			"(for example `file(\"policy.json\")` or the `json` of `regis_traffic_policy_document`), in either format version Route 53 accepts: " +
			"`2015-10-01`, or `2023-05-09` (geoproximity entries with a `Location`, Local Zones included). Set either `document` or the typed arguments and blocks " +
			"(`record_type`, `start_rule`/`start_endpoint`, `endpoint`, `rule`), not both.",
	}
	attrs["document_json"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The document as Route 53 holds it, normalised (fixed field order, ids sorted, compact).",
	}
	attrs["retain_on_delete"] = schema.BoolAttribute{
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
		MarkdownDescription: "When `true`, destroying the resource only removes it from the Terraform state and leaves the version in Route 53 " +
			"(for example while policy records outside this configuration still use it). Default `false`: destroy deletes the version, " +
			"which Route 53 refuses while a policy record uses it.",
	}

	resp.Schema = schema.Schema{
		MarkdownDescription: "One immutable version of a Route 53 traffic policy (Traffic Flow).\n\n" +
			"Route 53 never changes a version: a changed document is a **new version** of the same policy, created next to the old ones, " +
			"so the policy records (`regis_traffic_policy_record`) that use the old version keep working until you move them. " +
			"Roll out by adding a version and pointing the record at it; roll back by pointing the record at the previous version. " +
			"Destroying a version deletes only that version.\n\n" +
			"The document is written with typed blocks (validated when you plan, with errors that name the rule or endpoint) or, " +
			"as in `aws_route53_traffic_policy`, as JSON in `document`.",
		Attributes: attrs,
		Blocks:     documentResourceBlocks(),
	}
}

func (r *trafficPolicyVersionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// typedParts names the typed arguments and blocks that are set.
func typedParts(d DocumentModel) []string {
	var parts []string
	if !d.RecordType.IsNull() {
		parts = append(parts, "record_type")
	}
	if !d.StartRule.IsNull() {
		parts = append(parts, "start_rule")
	}
	if !d.StartEndpoint.IsNull() {
		parts = append(parts, "start_endpoint")
	}
	if listSet(d.Endpoints) {
		parts = append(parts, "endpoint blocks")
	}
	if listSet(d.Rules) {
		parts = append(parts, "rule blocks")
	}
	return parts
}

func (r *trafficPolicyVersionResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	typed := typedParts(cfg.DocumentModel)
	switch {
	case !cfg.Document.IsNull() && len(typed) > 0:
		resp.Diagnostics.AddAttributeError(path.Root("document"), "Two traffic policy documents",
			"document is set together with "+strings.Join(typed, ", ")+". Describe the policy either with the typed arguments and blocks "+
				"or with document (JSON), not both: remove document, or remove "+strings.Join(typed, ", ")+".")
	case cfg.Document.IsNull() && len(typed) == 0:
		resp.Diagnostics.AddError("Missing traffic policy document",
			"Describe the policy with record_type, start_rule (or start_endpoint) and endpoint and rule blocks, "+
				"or with document set to the policy's JSON.")
	case !cfg.Document.IsNull():
		if cfg.Document.IsUnknown() {
			return
		}
		if _, err := trafficflow.ValidateJSON([]byte(cfg.Document.ValueString())); err != nil {
			resp.Diagnostics.Append(jsonProblemDiagnostics(err, path.Root("document"))...)
		}
	default:
		resp.Diagnostics.Append(expandDocument(ctx, cfg.DocumentModel).validate()...)
	}
}

// renderedDocument is the document of a plan or configuration: its
// normalised JSON and record type, or known=false while values are unknown.
func renderedDocument(ctx context.Context, m TrafficPolicyVersionResourceModel) (js, recordType string, known bool, diags diag.Diagnostics) {
	if !m.Document.IsNull() {
		if m.Document.IsUnknown() {
			return "", "", false, nil
		}
		js, recordType, diags := renderJSONDocument(m.Document.ValueString(), path.Root("document"))
		return js, recordType, !diags.HasError(), diags
	}
	x := expandDocument(ctx, m.DocumentModel)
	if !x.complete() {
		return "", "", false, x.diags
	}
	if diags = x.validate(); diags.HasError() {
		return "", "", false, diags
	}
	out, err := trafficflow.Render(x.doc)
	if err != nil {
		diags.AddError("Cannot render traffic policy document", err.Error())
		return "", "", false, diags
	}
	return string(out), string(x.doc.RecordType), true, diags
}

// renderJSONDocument validates a document written as JSON and renders it
// normalised; problems are reported on the attribute at.
func renderJSONDocument(text string, at path.Path) (js, recordType string, diags diag.Diagnostics) {
	doc, err := trafficflow.ValidateJSON([]byte(text))
	if err != nil {
		return "", "", jsonProblemDiagnostics(err, at)
	}
	out, err := trafficflow.Render(doc)
	if err != nil {
		diags.AddAttributeError(at, "Cannot render traffic policy document", err.Error())
		return "", "", diags
	}
	return string(out), string(doc.RecordType), nil
}

// ModifyPlan computes document_json and decides replacement: any change of
// the rendered document is a new version. A change of how the same document
// is written (JSON to typed blocks) is an in-place update that only rewrites
// the state, with a warning that says so. The order of the endpoint and rule
// blocks is no change at all: they are sets.
func (r *trafficPolicyVersionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	js, recordType, known, diags := renderedDocument(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if known {
		plan.DocumentJSON = types.StringValue(js)
		if !plan.Document.IsNull() {
			plan.RecordType = types.StringValue(recordType)
		}
	} else {
		plan.DocumentJSON = types.StringUnknown()
		if !plan.Document.IsNull() {
			plan.RecordType = types.StringUnknown()
		}
	}

	if !req.State.Raw.IsNull() {
		var state TrafficPolicyVersionResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		switch changed := changedDocumentPaths(plan, state); {
		case !known || js != state.DocumentJSON.ValueString():
			resp.RequiresReplace = append(resp.RequiresReplace, changed...)
		case changed[0].String() != "document_json":
			resp.Diagnostics.AddWarning("Same traffic policy document, written differently",
				fmt.Sprintf("The configuration describes the document of version %d of %q differently (%s), but it is the same document. "+
					"Route 53 never changes a version: the update only records the new way of writing it in the Terraform state, "+
					"and makes no Route 53 call.", state.Version.ValueInt64(), state.Name.ValueString(), joinPaths(changed)))
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func joinPaths(ps path.Paths) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

// changedDocumentPaths lists the document arguments that differ.
func changedDocumentPaths(plan, state TrafficPolicyVersionResourceModel) path.Paths {
	var out path.Paths
	for _, c := range []struct {
		name        string
		plan, state attr.Value
	}{
		{"document", plan.Document, state.Document},
		{"record_type", plan.RecordType, state.RecordType},
		{"start_rule", plan.StartRule, state.StartRule},
		{"start_endpoint", plan.StartEndpoint, state.StartEndpoint},
		{"endpoint", plan.Endpoints, state.Endpoints},
		{"rule", plan.Rules, state.Rules},
	} {
		if !c.plan.Equal(c.state) {
			out = append(out, path.Root(c.name))
		}
	}
	if len(out) == 0 {
		// The document Route 53 holds differs from the configuration's
		// although the configuration did not change: replace to converge.
		out = append(out, path.Root("document_json"))
	}
	return out
}

func (r *trafficPolicyVersionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	js, _, known, diags := renderedDocument(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !known {
		resp.Diagnostics.AddError("Traffic policy document not known", "The document still has unknown values at apply time; this is a bug in the provider.")
		return
	}
	name := plan.Name.ValueString()
	conn := r.client.Route53(ctx)
	tp, err := createTrafficPolicyVersion(ctx, conn, name, js, plan.Comment.ValueStringPointer())
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating traffic policy version of %q", name), createErrorDetail(name, err))
		return
	}
	plan.setFromAPI(tp)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// setFromAPI records what Route 53 returned for the version.
func (m *TrafficPolicyVersionResourceModel) setFromAPI(tp *awstypes.TrafficPolicy) {
	id, version := aws.ToString(tp.Id), aws.ToInt32(tp.Version)
	m.ID = types.StringValue(versionID(id, version))
	m.PolicyID = types.StringValue(id)
	m.Version = types.Int64Value(int64(version))
	m.Name = types.StringValue(aws.ToString(tp.Name))
	m.RecordType = types.StringValue(string(tp.Type))
	raw := aws.ToString(tp.Document)
	if out, err := trafficflow.Normalize([]byte(raw)); err == nil {
		m.DocumentJSON = types.StringValue(string(out))
	} else {
		m.DocumentJSON = types.StringValue(raw)
	}
	switch c := aws.ToString(tp.Comment); {
	case c != "":
		m.Comment = types.StringValue(c)
	case m.Comment.IsNull() || m.Comment.IsUnknown() || m.Comment.ValueString() != "":
		m.Comment = types.StringNull()
	}
}

func versionID(policyID string, version int32) string {
	return policyID + "/" + strconv.Itoa(int(version))
}

// parseVersionID splits "<policy id>/<version>".
func parseVersionID(id string) (string, int32, error) {
	policyID, v, ok := strings.Cut(id, "/")
	n, err := strconv.ParseInt(v, 10, 32)
	if !ok || policyID == "" || err != nil || n < 1 {
		return "", 0, fmt.Errorf("%q is not <policy id>/<version>, for example 12345678-abcd-4321-8765-0123456789ab/2", id)
	}
	return policyID, int32(n), nil
}

// createAttempts bounds the retries of a version whose policy was created or
// deleted by someone else (a parallel version of the same name) meanwhile.
const createAttempts = 6

// createTrafficPolicyVersion creates the policy named name with the document
// as version 1, or adds the document as a new version when a policy of that
// name exists.
func createTrafficPolicyVersion(ctx context.Context, conn *route53.Client, name, document string, comment *string) (*awstypes.TrafficPolicy, error) {
	for attempt := 1; ; attempt++ {
		retry := func(err error) bool {
			if attempt >= createAttempts {
				return false
			}
			select {
			case <-ctx.Done():
				return false
			case <-time.After(time.Duration(attempt) * awsapi.FirstDelay):
			}
			return true
		}
		existing, err := findTrafficPolicyByName(ctx, conn, name)
		switch {
		case awsapi.IsNotFound(err):
			tp, err := createOnce(ctx, conn, func(ctx context.Context, optFns ...func(*route53.Options)) (*awstypes.TrafficPolicy, error) {
				out, err := conn.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{
					Name:     aws.String(name),
					Document: aws.String(document),
					Comment:  comment,
				}, optFns...)
				if err != nil {
					return nil, err
				}
				return out.TrafficPolicy, nil
			}, func(ctx context.Context) (*awstypes.TrafficPolicy, bool, error) {
				// The policy exists now with this document as its only
				// version: the call created it.
				p, err := findTrafficPolicyByName(ctx, conn, name)
				if awsapi.IsNotFound(err) || (err == nil && aws.ToInt32(p.LatestVersion) != 1) {
					return nil, false, nil
				}
				if err != nil {
					return nil, false, err
				}
				return findCreatedVersion(ctx, conn, aws.ToString(p.Id), 0, document, comment)
			})
			if awsapi.IsA[*awstypes.TrafficPolicyAlreadyExists](err) && retry(err) {
				// Another version of the same name created the policy
				// first: add this one as a new version of it.
				continue
			}
			return tp, err
		case err != nil:
			return nil, fmt.Errorf("looking for traffic policy %q: %w", name, err)
		}
		tp, err := createOnce(ctx, conn, func(ctx context.Context, optFns ...func(*route53.Options)) (*awstypes.TrafficPolicy, error) {
			out, err := conn.CreateTrafficPolicyVersion(ctx, &route53.CreateTrafficPolicyVersionInput{
				Id:       existing.Id,
				Document: aws.String(document),
				Comment:  comment,
			}, optFns...)
			if err != nil {
				return nil, err
			}
			return out.TrafficPolicy, nil
		}, func(ctx context.Context) (*awstypes.TrafficPolicy, bool, error) {
			// A version newer than the latest one before the call, with
			// this document and comment: the call created it.
			return findCreatedVersion(ctx, conn, aws.ToString(existing.Id), aws.ToInt32(existing.LatestVersion), document, comment)
		})
		if (awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) || awsapi.IsA[*awstypes.ConcurrentModification](err)) && retry(err) {
			// The policy lost its last version meanwhile, or another
			// version is being added: look again.
			continue
		}
		return tp, err
	}
}

// findCreatedVersion looks, after a create call whose answer was lost, for
// the version it made: the first version of policy id after version after
// whose document and comment are the call's.
func findCreatedVersion(ctx context.Context, conn *route53.Client, id string, after int32, document string, comment *string) (*awstypes.TrafficPolicy, bool, error) {
	input := &route53.ListTrafficPolicyVersionsInput{Id: aws.String(id), MaxItems: aws.Int32(100)}
	for {
		out, err := conn.ListTrafficPolicyVersions(ctx, input)
		if awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		for i := range out.TrafficPolicies {
			tp := &out.TrafficPolicies[i]
			if aws.ToInt32(tp.Version) <= after || aws.ToString(tp.Comment) != aws.ToString(comment) {
				continue
			}
			if got, err := trafficflow.Normalize([]byte(aws.ToString(tp.Document))); err == nil && string(got) == document {
				return tp, true, nil
			}
		}
		if !out.IsTruncated || out.TrafficPolicyVersionMarker == nil || aws.ToString(out.TrafficPolicyVersionMarker) == aws.ToString(input.TrafficPolicyVersionMarker) {
			return nil, false, nil
		}
		input.TrafficPolicyVersionMarker = out.TrafficPolicyVersionMarker
	}
}

func createErrorDetail(name string, err error) string {
	switch {
	case awsapi.IsA[*awstypes.TooManyTrafficPolicyVersionsForCurrentPolicy](err):
		return fmt.Sprintf("Traffic policy %q has the most versions Route 53 allows (1000). Destroy versions no record uses any more, or give the new version another name (a new policy). Route 53 said: %v", name, err)
	case awsapi.IsA[*awstypes.TooManyTrafficPolicies](err):
		return fmt.Sprintf("The account has as many traffic policies as its quota allows; delete unused policies or ask AWS for a higher quota. Route 53 said: %v", err)
	case awsapi.IsA[*awstypes.InvalidTrafficPolicyDocument](err):
		return fmt.Sprintf("Route 53 rejected the document: %v", err)
	}
	return err.Error()
}

// findTrafficPolicyByName returns the summary of the policy named name, or
// an awsapi.NotFoundError.
func findTrafficPolicyByName(ctx context.Context, conn *route53.Client, name string) (*awstypes.TrafficPolicySummary, error) {
	input := &route53.ListTrafficPoliciesInput{MaxItems: aws.Int32(100)}
	for {
		out, err := conn.ListTrafficPolicies(ctx, input)
		if err != nil {
			return nil, err
		}
		for i := range out.TrafficPolicySummaries {
			if aws.ToString(out.TrafficPolicySummaries[i].Name) == name {
				return &out.TrafficPolicySummaries[i], nil
			}
		}
		if !out.IsTruncated || out.TrafficPolicyIdMarker == nil {
			return nil, awsapi.NewNotFound(fmt.Sprintf("traffic policy %q", name), nil)
		}
		input.TrafficPolicyIdMarker = out.TrafficPolicyIdMarker
	}
}

// findTrafficPolicyVersion returns one version of a policy, or an
// awsapi.NotFoundError when the version was deleted. GetTrafficPolicy cannot
// tell: Route 53 keeps deleted versions readable by id and version forever
// and only stops listing them, so the version is looked up in
// ListTrafficPolicyVersions.
func findTrafficPolicyVersion(ctx context.Context, conn *route53.Client, id string, version int32) (*awstypes.TrafficPolicy, error) {
	input := &route53.ListTrafficPolicyVersionsInput{Id: aws.String(id), MaxItems: aws.Int32(100)}
	for {
		out, err := conn.ListTrafficPolicyVersions(ctx, input)
		if awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
			return nil, awsapi.NewNotFound(fmt.Sprintf("version %d of traffic policy %s", version, id), err)
		}
		if err != nil {
			return nil, err
		}
		for i := range out.TrafficPolicies {
			if aws.ToInt32(out.TrafficPolicies[i].Version) == version {
				return &out.TrafficPolicies[i], nil
			}
		}
		if !out.IsTruncated || out.TrafficPolicyVersionMarker == nil || aws.ToString(out.TrafficPolicyVersionMarker) == aws.ToString(input.TrafficPolicyVersionMarker) {
			return nil, awsapi.NewNotFound(fmt.Sprintf("version %d of traffic policy %s", version, id), nil)
		}
		input.TrafficPolicyVersionMarker = out.TrafficPolicyVersionMarker
	}
}

// findTrafficPolicyInstancesByVersion lists the policy records that use one
// version of a policy.
func findTrafficPolicyInstancesByVersion(ctx context.Context, conn *route53.Client, id string, version int32) ([]awstypes.TrafficPolicyInstance, error) {
	input := &route53.ListTrafficPolicyInstancesByPolicyInput{
		TrafficPolicyId:      aws.String(id),
		TrafficPolicyVersion: aws.Int32(version),
	}
	var all []awstypes.TrafficPolicyInstance
	for {
		out, err := conn.ListTrafficPolicyInstancesByPolicy(ctx, input)
		if awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, out.TrafficPolicyInstances...)
		if !out.IsTruncated {
			return all, nil
		}
		input.HostedZoneIdMarker = out.HostedZoneIdMarker
		input.TrafficPolicyInstanceNameMarker = out.TrafficPolicyInstanceNameMarker
		input.TrafficPolicyInstanceTypeMarker = out.TrafficPolicyInstanceTypeMarker
	}
}

func (r *trafficPolicyVersionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, version, err := parseVersionID(state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid traffic policy version id", err.Error())
		return
	}
	tp, err := findTrafficPolicyVersion(ctx, r.client.Route53(ctx), policyID, version)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Traffic policy version not found",
			fmt.Sprintf("Version %d of traffic policy %s no longer exists in Route 53; it is removed from the state and will be created again as a new version.", version, policyID))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading traffic policy version", fmt.Sprintf("GetTrafficPolicy %s version %d: %v", policyID, version, err))
		return
	}
	imported := state.DocumentJSON.IsNull()
	state.setFromAPI(tp)
	if imported && state.Document.IsNull() {
		state.importDocument(aws.ToString(tp.Document), &resp.Diagnostics)
	}
	if state.Endpoints.IsNull() {
		state.Endpoints = set(endpointObjectType, nil, &resp.Diagnostics)
	}
	if state.Rules.IsNull() {
		state.Rules = set(ruleObjectType, nil, &resp.Diagnostics)
	}
	if state.RetainOnDelete.IsNull() {
		state.RetainOnDelete = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// importDocument describes an imported version's document the way its
// configuration most likely does, so that importing an unchanged version
// plans nothing: with the typed blocks when Route 53 holds exactly what the
// provider renders from typed blocks (a version this provider created), and
// otherwise as the JSON text Route 53 holds, in document (a version created
// from a file, by aws_route53_traffic_policy or the AWS CLI: document =
// file("policy.json") of the same file matches it).
func (m *TrafficPolicyVersionResourceModel) importDocument(raw string, diags *diag.Diagnostics) {
	doc, err := trafficflow.Parse([]byte(raw))
	if err == nil && doc.FormatVersion != trafficflow.FormatVersion {
		err = fmt.Errorf("it is in AWSPolicyFormatVersion %s; the typed blocks describe %s documents", doc.FormatVersion, trafficflow.FormatVersion)
	}
	if err != nil {
		diags.AddWarning("Traffic policy document not understood",
			fmt.Sprintf("The document of %s is kept in document because the provider cannot express it with typed blocks: %v", m.ID.ValueString(), err))
		m.Document = types.StringValue(raw)
		return
	}
	if rendered, err := trafficflow.Render(doc); err != nil || string(rendered) != raw {
		m.Document = types.StringValue(raw)
		return
	}
	typed, d := flattenDocument(doc)
	diags.Append(d...)
	m.DocumentModel = typed
}

func (r *trafficPolicyVersionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan, state TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Comment.Equal(state.Comment) {
		policyID, version, err := parseVersionID(state.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Invalid traffic policy version id", err.Error())
			return
		}
		_, err = r.client.Route53(ctx).UpdateTrafficPolicyComment(ctx, &route53.UpdateTrafficPolicyCommentInput{
			Id:      aws.String(policyID),
			Version: aws.Int32(version),
			Comment: aws.String(plan.Comment.ValueString()),
		})
		if err != nil {
			resp.Diagnostics.AddError("Updating traffic policy comment", fmt.Sprintf("UpdateTrafficPolicyComment %s version %d: %v", policyID, version, err))
			return
		}
	}
	// Everything else that can change in place only concerns the state: the
	// way the same document is written, and retain_on_delete.
	plan.ID, plan.PolicyID, plan.Version = state.ID, state.PolicyID, state.Version
	if plan.DocumentJSON.IsUnknown() {
		plan.DocumentJSON = state.DocumentJSON
	}
	if plan.RecordType.IsUnknown() {
		plan.RecordType = state.RecordType
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// inUseWait bounds how long Delete waits for policy records that are still
// moving away from the version (Updating or Deleting).
const inUseWait = 2 * time.Minute

func (r *trafficPolicyVersionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyVersionResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policyID, version, err := parseVersionID(state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Invalid traffic policy version id", err.Error())
		return
	}
	what := fmt.Sprintf("version %d of traffic policy %q (%s)", version, state.Name.ValueString(), policyID)
	if state.RetainOnDelete.ValueBool() {
		resp.Diagnostics.AddWarning("Traffic policy version kept in Route 53",
			fmt.Sprintf("retain_on_delete is true, so %s was removed from the Terraform state but not deleted. "+
				"Delete it when no policy record uses it any more, for example with: aws route53 delete-traffic-policy --id %s --version %d",
				what, policyID, version))
		return
	}

	resp.Diagnostics.Append(deleteTrafficPolicyVersion(ctx, r.client.Route53(ctx), policyID, version, what, inUseWait, inUseAdvice)...)
}

// deleteTrafficPolicyVersion deletes one version of a policy; a version
// already gone is no error. Route 53 refuses while a policy record uses the
// version: records that are moving away (or a list that is not up to date
// yet) are waited for, up to wait; records that stay are reported, with
// advice on what to do.
func deleteTrafficPolicyVersion(ctx context.Context, conn *route53.Client, policyID string, version int32, what string, wait time.Duration, advice string) diag.Diagnostics {
	var diags diag.Diagnostics
	var users []awstypes.TrafficPolicyInstance
	var lerr error
	_, err := awsapi.RetryWhen(ctx, wait, func(ctx context.Context) (*route53.DeleteTrafficPolicyOutput, error) {
		return conn.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: aws.String(policyID), Version: aws.Int32(version)})
	}, func(err error) bool {
		if !awsapi.IsA[*awstypes.TrafficPolicyInUse](err) {
			return false
		}
		users, lerr = findTrafficPolicyInstancesByVersion(ctx, conn, policyID, version)
		if lerr != nil {
			return false
		}
		moving := false
		for _, u := range users {
			if s := aws.ToString(u.State); s != trafficPolicyInstanceStateApplied && s != trafficPolicyInstanceStateFailed {
				moving = true
			}
		}
		return len(users) == 0 || moving
	})
	switch {
	case err == nil, awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err):
	case !awsapi.IsA[*awstypes.TrafficPolicyInUse](err):
		diags.AddError("Deleting traffic policy version", fmt.Sprintf("Deleting %s: %v", what, err))
	case lerr != nil:
		diags.AddError("Traffic policy version in use",
			fmt.Sprintf("Route 53 refuses to delete %s because a policy record uses it (%v), and listing the records failed: %v.\n\n%s", what, err, lerr, advice))
	default:
		diags.AddError("Traffic policy version in use", inUseDetail(what, users, advice))
	}
	return diags
}

const inUseAdvice = "Move the records to another version first (set traffic_policy_version of their regis_traffic_policy_record to another version and apply), " +
	"or set retain_on_delete = true on this regis_traffic_policy_version to keep the version in Route 53 and only remove it from Terraform. " +
	"If the version is being replaced because its document changed, add lifecycle { create_before_destroy = true } to the resource, " +
	"so that the new version exists and the records move to it before the old one is deleted (or add the new document as another regis_traffic_policy_version)."

func inUseDetail(what string, users []awstypes.TrafficPolicyInstance, advice string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Route 53 refuses to delete %s because policy records use it:\n", what)
	if len(users) == 0 {
		b.WriteString("  (Route 53 did not list them yet)\n")
	}
	for _, u := range users {
		fmt.Fprintf(&b, "  - %s %s in hosted zone %s (policy record %s, %s)\n",
			aws.ToString(u.Name), u.TrafficPolicyType, aws.ToString(u.HostedZoneId), aws.ToString(u.Id), aws.ToString(u.State))
	}
	b.WriteString("\n" + advice)
	return b.String()
}

func (r *trafficPolicyVersionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	policyID, version, err := parseVersionID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", "Import a traffic policy version by <policy id>/<version>: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), versionID(policyID, version))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("policy_id"), policyID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("version"), int64(version))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("retain_on_delete"), false)...)
}
