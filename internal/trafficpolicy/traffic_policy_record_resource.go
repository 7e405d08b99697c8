package trafficpolicy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

var (
	_ resource.Resource                = (*trafficPolicyRecordResource)(nil)
	_ resource.ResourceWithConfigure   = (*trafficPolicyRecordResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*trafficPolicyRecordResource)(nil)
	_ resource.ResourceWithImportState = (*trafficPolicyRecordResource)(nil)
)

// NewTrafficPolicyRecordResource is regis_traffic_policy_record: a Route 53
// traffic policy instance (a "policy record" in the console).
func NewTrafficPolicyRecordResource() resource.Resource {
	return &trafficPolicyRecordResource{}
}

type trafficPolicyRecordResource struct {
	client *conns.AWSClient
}

// TrafficPolicyRecordResourceModel is the resource's state.
type TrafficPolicyRecordResourceModel struct {
	ID                   types.String   `tfsdk:"id"`
	HostedZoneID         types.String   `tfsdk:"hosted_zone_id"`
	Name                 types.String   `tfsdk:"name"`
	TTL                  types.Int64    `tfsdk:"ttl"`
	TrafficPolicyID      types.String   `tfsdk:"traffic_policy_id"`
	TrafficPolicyVersion types.Int64    `tfsdk:"traffic_policy_version"`
	State                types.String   `tfsdk:"state"`
	RecordType           types.String   `tfsdk:"record_type"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// Traffic policy instance states.
const (
	trafficPolicyInstanceStateApplied  = "Applied"
	trafficPolicyInstanceStateCreating = "Creating"
	trafficPolicyInstanceStateUpdating = "Updating"
	trafficPolicyInstanceStateDeleting = "Deleting"
	trafficPolicyInstanceStateFailed   = "Failed"
)

// Default timeouts of the asynchronous instance operations.
const (
	recordCreateTimeout = 10 * time.Minute
	recordUpdateTimeout = 10 * time.Minute
	recordDeleteTimeout = 10 * time.Minute
	// policyVisibleTimeout is how long Create retries NoSuchTrafficPolicy for
	// a version that was just created (Route 53 is eventually consistent).
	policyVisibleTimeout = 15 * time.Second
)

func (r *trafficPolicyRecordResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_traffic_policy_record"
}

func (r *trafficPolicyRecordResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Route 53 policy record (traffic policy instance): the DNS name whose records Route 53 builds from one version of a traffic policy.\n\n" +
			"Changing `traffic_policy_version` (or `traffic_policy_id` or `ttl`) moves the record **in place** with `UpdateTrafficPolicyInstance`: " +
			"Route 53 builds the records of the new version, switches to them, then removes the old ones, and the resource waits until the record is `Applied` again. " +
			"Rolling out and rolling back are changes of this one number.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Id of the traffic policy instance.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"hosted_zone_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Id of the hosted zone the records are created in. Changing it creates a new policy record. " +
					"The zone must exist and hold `name`: both are checked when you plan.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 44)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = bareZoneID(req.StateValue.ValueString()) != bareZoneID(req.PlanValue.ValueString())
					},
					"Changing the hosted zone (other than adding or removing the /hostedzone/ prefix) creates a new policy record.",
					"Changing the hosted zone (other than adding or removing the `/hostedzone/` prefix) creates a new policy record.",
				)},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Fully qualified domain name of the records, for example `www.example.com` (a trailing dot and letter case make no difference): " +
					"the hosted zone's name or a name under it. Changing it creates a new policy record.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !equivalentNames(req.StateValue.ValueString(), req.PlanValue.ValueString())
					},
					"Changing the name (other than its case or trailing dot) creates a new policy record.",
					"Changing the name (other than its case or trailing dot) creates a new policy record.",
				)},
			},
			"ttl": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "TTL, in seconds, of every record the policy creates. Changes in place.",
				Validators:          []validator.Int64{int64validator.Between(0, math.MaxInt32)},
			},
			"traffic_policy_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Id of the traffic policy, usually `regis_traffic_policy_version.<name>.policy_id`. Changes in place (to a policy of the same record type).",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 36)},
			},
			"traffic_policy_version": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Version of the policy the record uses, usually `regis_traffic_policy_version.<name>.version`. Changes in place: this is the number a rollout or a rollback changes.",
				Validators:          []validator.Int64{int64validator.Between(1, 1000)},
			},
			"state": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "State of the policy record in Route 53: `Applied` once its records are in place (`Creating`, `Updating`, `Deleting` and `Failed` are transient or error states).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"record_type": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "DNS type of the records, from the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *trafficPolicyRecordResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = configureClient(req.ProviderData, &resp.Diagnostics)
}

// bareZoneID returns a hosted zone id without the /hostedzone/ prefix the
// Route 53 API sometimes returns.
func bareZoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

// equivalentNames compares DNS names as Route 53 does: without the trailing
// dot and ignoring case.
func equivalentNames(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// ModifyPlan checks, for a new record (or one moving to another zone or
// name), that the hosted zone exists and holds the name. It then plans the
// outcome of a move: the record ends Applied (an update that does not get
// there is an error), and its record_type is unknown when it moves to another
// policy (which may have another type).
func (r *trafficPolicyRecordResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, state TrafficPolicyRecordResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() || bareZoneID(plan.HostedZoneID.ValueString()) != bareZoneID(state.HostedZoneID.ValueString()) ||
		!equivalentNames(plan.Name.ValueString(), state.Name.ValueString()) {
		r.checkZoneAndName(ctx, plan, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() {
		return
	}
	moves := !plan.TrafficPolicyID.Equal(state.TrafficPolicyID) || !plan.TrafficPolicyVersion.Equal(state.TrafficPolicyVersion) || !plan.TTL.Equal(state.TTL)
	if moves {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("state"), types.StringValue(trafficPolicyInstanceStateApplied))...)
	}
	if !moves {
		return
	}
	// Route 53 cannot move a record to a version of another DNS type
	// (ConflictingTypes): when the target version is known, look up its type
	// and plan a replacement instead of an update that would fail.
	if r.client != nil && !plan.TrafficPolicyID.IsUnknown() && !plan.TrafficPolicyVersion.IsUnknown() {
		out, err := r.client.Route53(ctx).GetTrafficPolicy(ctx, &route53.GetTrafficPolicyInput{
			Id: plan.TrafficPolicyID.ValueStringPointer(), Version: aws.Int32(int32(plan.TrafficPolicyVersion.ValueInt64())),
		})
		// A version not visible yet is left to Create/Update, which wait for
		// it and explain a missing one; any other failure stops the plan
		// rather than risk planning an in-place update Route 53 would refuse.
		if err != nil && !awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
			resp.Diagnostics.AddError("Planning policy record",
				fmt.Sprintf("GetTrafficPolicy %s version %d (to learn its record type): %v", plan.TrafficPolicyID.ValueString(), plan.TrafficPolicyVersion.ValueInt64(), err))
			return
		}
		if err == nil && out.TrafficPolicy != nil {
			newType := string(out.TrafficPolicy.Type)
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("record_type"), types.StringValue(newType))...)
			if newType != state.RecordType.ValueString() {
				// Terraform replaces only for a path whose value changes.
				resp.RequiresReplace = append(resp.RequiresReplace, path.Root("traffic_policy_id"), path.Root("traffic_policy_version"))
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("state"), types.StringUnknown())...)
			}
			return
		}
	}
	if !plan.TrafficPolicyID.Equal(state.TrafficPolicyID) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("record_type"), types.StringUnknown())...)
	}
}

// checkZoneAndName looks the hosted zone up when planning a new record, as
// Route 53 would when creating it: the zone must exist and the name must be
// the zone's name or a name under it. Unknown values are left to the apply. A
// look-up that is denied (the planning credentials may be read-restricted) is
// a warning: the apply makes the same checks. Any other failure stops the
// plan, naming the call.
func (r *trafficPolicyRecordResource) checkZoneAndName(ctx context.Context, plan TrafficPolicyRecordResourceModel, diags *diag.Diagnostics) {
	if r.client == nil || plan.HostedZoneID.IsUnknown() || plan.HostedZoneID.IsNull() {
		return
	}
	zoneID := bareZoneID(plan.HostedZoneID.ValueString())
	zone, err := findHostedZoneByID(ctx, r.client.Route53(ctx), zoneID)
	switch {
	case awsapi.IsNotFound(err), awsapi.IsA[*awstypes.InvalidInput](err):
		diags.AddAttributeError(path.Root("hosted_zone_id"), "Hosted zone not found",
			fmt.Sprintf("Route 53 has no hosted zone %s (%s). hosted_zone_id takes the id of an existing hosted zone, such as "+
				"Z0123456789ABCDEFGHIJ (the zone_id of an aws_route53_zone, or the Id that aws route53 list-hosted-zones shows), "+
				"not its name.", zoneID, awsapi.ErrorText(err)))
		return
	case awsapi.CodeIs(err, "AccessDenied", "AccessDeniedException"):
		diags.AddWarning("Hosted zone not checked",
			fmt.Sprintf("GetHostedZone %s was denied (%s), so the plan cannot tell whether hosted zone %s exists and holds the record's name; "+
				"Route 53 checks both when the policy record is created. Allow route53:GetHostedZone to have them checked when planning.",
				zoneID, awsapi.ErrorText(err), zoneID))
		return
	case err != nil:
		diags.AddError("Planning policy record",
			fmt.Sprintf("GetHostedZone %s (to check hosted_zone_id and name): %v", zoneID, err))
		return
	}
	if plan.Name.IsUnknown() || plan.Name.IsNull() {
		return
	}
	name, zoneName := plan.Name.ValueString(), strings.TrimSuffix(aws.ToString(zone.Name), ".")
	if !inZone(name, zoneName) {
		diags.AddAttributeError(path.Root("name"), "Name outside its hosted zone",
			fmt.Sprintf("%q is not in hosted zone %s (%s): the name of a policy record must be %s or end with .%s. "+
				"Change name, or set hosted_zone_id to the zone that holds %q.", name, zoneName, zoneID, zoneName, zoneName, name))
	}
}

// inZone reports whether a DNS name is the zone's name or below it, compared
// as Route 53 does (without the trailing dot, ignoring case).
func inZone(name, zone string) bool {
	name, zone = strings.ToLower(strings.TrimSuffix(name, ".")), strings.ToLower(strings.TrimSuffix(zone, "."))
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// findHostedZoneByID returns the hosted zone, or an awsapi.NotFoundError.
func findHostedZoneByID(ctx context.Context, conn *route53.Client, id string) (*awstypes.HostedZone, error) {
	out, err := conn.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if awsapi.IsA[*awstypes.NoSuchHostedZone](err) {
		return nil, awsapi.NewNotFound("hosted zone "+id, err)
	}
	if err != nil {
		return nil, err
	}
	if out.HostedZone == nil {
		return nil, awsapi.NewNotFound("hosted zone "+id, nil)
	}
	return out.HostedZone, nil
}

func (r *trafficPolicyRecordResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan TrafficPolicyRecordResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, recordCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	conn := r.client.Route53(ctx)
	name := plan.Name.ValueString()
	input := &route53.CreateTrafficPolicyInstanceInput{
		HostedZoneId:         aws.String(plan.HostedZoneID.ValueString()),
		Name:                 aws.String(name),
		TTL:                  aws.Int64(plan.TTL.ValueInt64()),
		TrafficPolicyId:      aws.String(plan.TrafficPolicyID.ValueString()),
		TrafficPolicyVersion: aws.Int32(int32(plan.TrafficPolicyVersion.ValueInt64())),
	}
	inst, err := awsapi.RetryWhen(ctx, policyVisibleTimeout, func(ctx context.Context) (*awstypes.TrafficPolicyInstance, error) {
		return createOnce(ctx, conn, func(ctx context.Context, optFns ...func(*route53.Options)) (*awstypes.TrafficPolicyInstance, error) {
			out, err := conn.CreateTrafficPolicyInstance(ctx, input, optFns...)
			if err != nil {
				return nil, err
			}
			return out.TrafficPolicyInstance, nil
		}, func(ctx context.Context) (*awstypes.TrafficPolicyInstance, bool, error) {
			return findCreatedTrafficPolicyInstance(ctx, conn, input)
		})
	}, func(err error) bool {
		return awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) || awsapi.IsA[*awstypes.PriorRequestNotComplete](err)
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating policy record %s", name), createRecordErrorDetail(plan, err))
		return
	}
	id := aws.ToString(inst.Id)
	// Record the instance before waiting: if the wait fails, Terraform keeps
	// it (tainted, to be replaced) instead of losing track of it.
	plan.ID = types.StringValue(id)
	plan.State = types.StringValue(aws.ToString(inst.State))
	plan.RecordType = types.StringValue(string(inst.TrafficPolicyType))
	if plan.State.ValueString() == "" {
		plan.State = types.StringValue(trafficPolicyInstanceStateCreating)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	applied, err := waitTrafficPolicyInstanceApplied(ctx, conn, id, timeout, nil)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Waiting for policy record %s", name),
			fmt.Sprintf("Policy record %s (%s) did not become Applied: %v", name, id, err))
		return
	}
	plan.setFromAPI(applied)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func createRecordErrorDetail(plan TrafficPolicyRecordResourceModel, err error) string {
	switch {
	case awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err):
		return fmt.Sprintf("Version %d of traffic policy %s does not exist: check traffic_policy_id and traffic_policy_version. Route 53 said: %v",
			plan.TrafficPolicyVersion.ValueInt64(), plan.TrafficPolicyID.ValueString(), err)
	case awsapi.IsA[*awstypes.NoSuchHostedZone](err):
		return fmt.Sprintf("Hosted zone %s does not exist: check hosted_zone_id. Route 53 said: %v", plan.HostedZoneID.ValueString(), err)
	case awsapi.IsA[*awstypes.TrafficPolicyInstanceAlreadyExists](err):
		return fmt.Sprintf("A policy record for %s already exists in hosted zone %s; import it (terraform import <address> <id>) or remove it first. Route 53 said: %v",
			plan.Name.ValueString(), plan.HostedZoneID.ValueString(), err)
	case awsapi.IsA[*awstypes.TooManyTrafficPolicyInstances](err):
		return fmt.Sprintf("The account has as many policy records as its quota allows (5 by default); ask AWS for a higher quota. Route 53 said: %v", err)
	}
	return err.Error()
}

// setFromAPI records what Route 53 returned for the instance.
func (m *TrafficPolicyRecordResourceModel) setFromAPI(inst *awstypes.TrafficPolicyInstance) {
	m.ID = types.StringValue(aws.ToString(inst.Id))
	// Keep the configured spelling of the zone id (with or without the
	// /hostedzone/ prefix) when it names the same zone.
	if zone := bareZoneID(aws.ToString(inst.HostedZoneId)); m.HostedZoneID.IsNull() || bareZoneID(m.HostedZoneID.ValueString()) != zone {
		m.HostedZoneID = types.StringValue(zone)
	}
	if name := aws.ToString(inst.Name); !equivalentNames(m.Name.ValueString(), name) || m.Name.IsNull() {
		m.Name = types.StringValue(strings.TrimSuffix(name, "."))
	}
	m.TTL = types.Int64Value(aws.ToInt64(inst.TTL))
	m.TrafficPolicyID = types.StringValue(aws.ToString(inst.TrafficPolicyId))
	m.TrafficPolicyVersion = types.Int64Value(int64(aws.ToInt32(inst.TrafficPolicyVersion)))
	m.State = types.StringValue(aws.ToString(inst.State))
	m.RecordType = types.StringValue(string(inst.TrafficPolicyType))
}

func (r *trafficPolicyRecordResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyRecordResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, err := findTrafficPolicyInstanceByID(ctx, r.client.Route53(ctx), state.ID.ValueString())
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Policy record not found",
			fmt.Sprintf("Policy record %s (%s) no longer exists in Route 53; it is removed from the state and will be created again.", state.Name.ValueString(), state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading policy record", fmt.Sprintf("GetTrafficPolicyInstance %s: %v", state.ID.ValueString(), err))
		return
	}
	state.setFromAPI(inst)
	if aws.ToString(inst.State) == trafficPolicyInstanceStateFailed {
		resp.Diagnostics.AddWarning("Policy record failed",
			fmt.Sprintf("Route 53 reports policy record %s (%s) as Failed: %s. Its records may be missing or stale; "+
				"fix the cause and move the record to a version again (or replace it with terraform apply -replace).",
				state.Name.ValueString(), state.ID.ValueString(), aws.ToString(inst.Message)))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *trafficPolicyRecordResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var plan, state TrafficPolicyRecordResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, recordUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = state.ID
	if plan.TTL.Equal(state.TTL) && plan.TrafficPolicyID.Equal(state.TrafficPolicyID) && plan.TrafficPolicyVersion.Equal(state.TrafficPolicyVersion) {
		// Only the spelling of the name or the timeouts changed.
		plan.State, plan.RecordType = state.State, state.RecordType
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}

	conn := r.client.Route53(ctx)
	id := state.ID.ValueString()
	want := &instanceTarget{
		policyID: plan.TrafficPolicyID.ValueString(),
		version:  int32(plan.TrafficPolicyVersion.ValueInt64()),
		ttl:      plan.TTL.ValueInt64(),
	}
	_, err := awsapi.RetryWhen(ctx, timeout, func(ctx context.Context) (*route53.UpdateTrafficPolicyInstanceOutput, error) {
		return conn.UpdateTrafficPolicyInstance(ctx, &route53.UpdateTrafficPolicyInstanceInput{
			Id:                   aws.String(id),
			TTL:                  aws.Int64(want.ttl),
			TrafficPolicyId:      aws.String(want.policyID),
			TrafficPolicyVersion: aws.Int32(want.version),
		})
	}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
	if err != nil {
		detail := fmt.Sprintf("UpdateTrafficPolicyInstance %s to version %d of policy %s: %v", id, want.version, want.policyID, err)
		switch {
		case awsapi.IsA[*awstypes.ConflictingTypes](err):
			detail = fmt.Sprintf("Version %d of policy %s creates records of another DNS type than this policy record (%s); Route 53 cannot change the type in place. "+
				"Create a new policy record for the new type instead. Route 53 said: %v", want.version, want.policyID, state.RecordType.ValueString(), err)
		case awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err):
			detail = fmt.Sprintf("Version %d of traffic policy %s does not exist: check traffic_policy_id and traffic_policy_version. Route 53 said: %v", want.version, want.policyID, err)
		}
		resp.Diagnostics.AddError(fmt.Sprintf("Updating policy record %s", plan.Name.ValueString()), detail)
		return
	}
	applied, err := waitTrafficPolicyInstanceApplied(ctx, conn, id, timeout, want)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Waiting for policy record %s", plan.Name.ValueString()),
			fmt.Sprintf("Policy record %s (%s) did not become Applied with version %d of policy %s: %v", plan.Name.ValueString(), id, want.version, want.policyID, err))
		return
	}
	plan.setFromAPI(applied)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *trafficPolicyRecordResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if notConfigured(r.client, &resp.Diagnostics) {
		return
	}
	var state TrafficPolicyRecordResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, recordDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	conn := r.client.Route53(ctx)
	id := state.ID.ValueString()
	_, err := awsapi.RetryWhen(ctx, timeout, func(ctx context.Context) (*route53.DeleteTrafficPolicyInstanceOutput, error) {
		return conn.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: aws.String(id)})
	}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
	if awsapi.IsA[*awstypes.NoSuchTrafficPolicyInstance](err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Deleting policy record", fmt.Sprintf("DeleteTrafficPolicyInstance %s (%s): %v", id, state.Name.ValueString(), err))
		return
	}
	if _, err := waitTrafficPolicyInstanceDeleted(ctx, conn, id, timeout); err != nil {
		resp.Diagnostics.AddError("Waiting for policy record deletion", fmt.Sprintf("Policy record %s (%s): %v", state.Name.ValueString(), id, err))
	}
}

func (r *trafficPolicyRecordResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ----------------------------------------------------- find, status, wait

// findTrafficPolicyInstanceByID returns the instance, or an
// awsapi.NotFoundError.
func findTrafficPolicyInstanceByID(ctx context.Context, conn *route53.Client, id string) (*awstypes.TrafficPolicyInstance, error) {
	out, err := conn.GetTrafficPolicyInstance(ctx, &route53.GetTrafficPolicyInstanceInput{Id: aws.String(id)})
	if awsapi.IsA[*awstypes.NoSuchTrafficPolicyInstance](err) {
		return nil, awsapi.NewNotFound("policy record "+id, err)
	}
	if err != nil {
		return nil, err
	}
	if out.TrafficPolicyInstance == nil {
		return nil, awsapi.NewNotFound("policy record "+id, nil)
	}
	return out.TrafficPolicyInstance, nil
}

// findCreatedTrafficPolicyInstance looks, after a create call whose answer
// was lost, for the instance it made: the instance of the zone with the
// call's name, policy, version and TTL.
func findCreatedTrafficPolicyInstance(ctx context.Context, conn *route53.Client, in *route53.CreateTrafficPolicyInstanceInput) (*awstypes.TrafficPolicyInstance, bool, error) {
	input := &route53.ListTrafficPolicyInstancesByHostedZoneInput{HostedZoneId: in.HostedZoneId}
	for {
		out, err := conn.ListTrafficPolicyInstancesByHostedZone(ctx, input)
		if awsapi.IsA[*awstypes.NoSuchTrafficPolicyInstance](err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		for i := range out.TrafficPolicyInstances {
			inst := &out.TrafficPolicyInstances[i]
			if equivalentNames(aws.ToString(inst.Name), aws.ToString(in.Name)) &&
				aws.ToString(inst.TrafficPolicyId) == aws.ToString(in.TrafficPolicyId) &&
				aws.ToInt32(inst.TrafficPolicyVersion) == aws.ToInt32(in.TrafficPolicyVersion) &&
				aws.ToInt64(inst.TTL) == aws.ToInt64(in.TTL) {
				return inst, true, nil
			}
		}
		if !out.IsTruncated {
			return nil, false, nil
		}
		input.TrafficPolicyInstanceNameMarker = out.TrafficPolicyInstanceNameMarker
		input.TrafficPolicyInstanceTypeMarker = out.TrafficPolicyInstanceTypeMarker
	}
}

// instanceTarget is what an update asked for, so that a stale Applied state
// from before the update is not mistaken for its end.
type instanceTarget struct {
	policyID string
	version  int32
	ttl      int64
}

// stateAppliedBefore is the state reported while Route 53 still shows the
// instance Applied with its old settings.
const stateAppliedBefore = "Applied (not yet updated)"

// statusTrafficPolicyInstance reports the instance's State ("" once it is gone).
func statusTrafficPolicyInstance(conn *route53.Client, id string, want *instanceTarget) awsapi.StatusFunc[*awstypes.TrafficPolicyInstance] {
	return func(ctx context.Context) (*awstypes.TrafficPolicyInstance, string, error) {
		inst, err := findTrafficPolicyInstanceByID(ctx, conn, id)
		if awsapi.IsNotFound(err) {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		state := aws.ToString(inst.State)
		if want != nil && state == trafficPolicyInstanceStateApplied &&
			(aws.ToString(inst.TrafficPolicyId) != want.policyID || aws.ToInt32(inst.TrafficPolicyVersion) != want.version || aws.ToInt64(inst.TTL) != want.ttl) {
			state = stateAppliedBefore
		}
		return inst, state, nil
	}
}

// waitTrafficPolicyInstanceApplied waits until the instance is Applied (with
// the settings of want, for an update). A Failed instance is an error carrying
// Route 53's Message.
func waitTrafficPolicyInstanceApplied(ctx context.Context, conn *route53.Client, id string, timeout time.Duration, want *instanceTarget) (*awstypes.TrafficPolicyInstance, error) {
	inst, err := awsapi.WaitForState(ctx, timeout,
		[]string{trafficPolicyInstanceStateCreating, trafficPolicyInstanceStateUpdating, stateAppliedBefore},
		[]string{trafficPolicyInstanceStateApplied},
		statusTrafficPolicyInstance(conn, id, want))
	var use *awsapi.UnexpectedStateError
	if errors.As(err, &use) && inst != nil {
		use.Message = aws.ToString(inst.Message)
	}
	return inst, err
}

// waitTrafficPolicyInstanceDeleted waits until the instance is gone.
func waitTrafficPolicyInstanceDeleted(ctx context.Context, conn *route53.Client, id string, timeout time.Duration) (*awstypes.TrafficPolicyInstance, error) {
	inst, err := awsapi.WaitForState(ctx, timeout,
		[]string{trafficPolicyInstanceStateDeleting, trafficPolicyInstanceStateApplied},
		[]string{""},
		statusTrafficPolicyInstance(conn, id, nil))
	var use *awsapi.UnexpectedStateError
	if errors.As(err, &use) && inst != nil {
		use.Message = aws.ToString(inst.Message)
	}
	return inst, err
}
