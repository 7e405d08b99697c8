package bus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

var (
	_ resource.Resource                   = (*busResource)(nil)
	_ resource.ResourceWithConfigure      = (*busResource)(nil)
	_ resource.ResourceWithValidateConfig = (*busResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*busResource)(nil)
	_ resource.ResourceWithImportState    = (*busResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*busResource)(nil)
)

// Default operation timeouts (the timeouts block overrides them). Creating
// a region waits for IAM to propagate to Lambda, which can take a minute or
// two on AWS; regions are created in parallel.
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

// NewBusResource returns the regis_bus resource, deploying the consumer
// packages of zips (nil: the ones embedded in the provider, consumerzip.Zip).
func NewBusResource(zips ZipSource) resource.Resource {
	if zips == nil {
		zips = consumerzip.Zip
	}
	return &busResource{zips: zips}
}

type busResource struct {
	client *conns.AWSClient
	zips   ZipSource
}

func (r *busResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bus"
}

func (r *busResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = busSchema(ctx)
}

func (r *busResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, err := conns.FromProviderData(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.client = c
}

func (r *busResource) notConfigured(diags *diag.Diagnostics) bool {
	if r.client == nil {
		diags.AddError("Provider not configured", conns.NotConfiguredDetail)
		return true
	}
	return false
}

// ---------------------------------------------------------------- validate

func (r *busResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m busResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	view, diags := viewFromConfig(ctx, m)
	resp.Diagnostics.Append(diags...)
	for _, p := range validateView(view) {
		p.add(&resp.Diagnostics)
	}
}

// ---------------------------------------------------------------- plan

// ModifyPlan fills in what the plan can know: the home region default, the
// id (name and home region), tags_all, and for each region (planRegion) the
// ids of its existing objects, the alarm names, the SHA-256 of the consumer
// package it will run, and an empty drift. A region whose state differs from
// this (drift found by refresh, an object gone, a new consumer package)
// therefore shows as an update.
func (r *busResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan, config busResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	hasState := !req.State.Raw.IsNull()
	var state busResourceModel
	if hasState {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if config.HomeRegion.IsNull() {
		plan.HomeRegion = types.StringValue(r.client.HomeRegion)
	}
	replacing := false
	if hasState {
		if !plan.HomeRegion.IsUnknown() && !plan.HomeRegion.Equal(state.HomeRegion) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("home_region"))
			replacing = true
		}
		if !plan.Name.Equal(state.Name) {
			replacing = true
		}
	}
	plan.ID = types.StringUnknown()
	if !plan.Name.IsUnknown() && !plan.HomeRegion.IsUnknown() {
		plan.ID = types.StringValue(busID(plan.Name.ValueString(), plan.HomeRegion.ValueString()))
	}
	// A topic found gone by refresh (null in the state) is created again.
	if plan.TopicARN.IsNull() {
		plan.TopicARN = types.StringUnknown()
	}

	if plan.Tags.IsUnknown() {
		plan.TagsAll = types.MapUnknown(types.StringType)
	} else {
		tags, d := mapOf(ctx, plan.Tags)
		resp.Diagnostics.Append(d...)
		merged := r.client.MergeTags(tags)
		if len(merged) > maxTags {
			resp.Diagnostics.AddAttributeError(path.Root("tags"), "Too many tags",
				fmt.Sprintf("tags and the provider's default_tags make %d tags, but AWS allows %d per object (topic, queue, role, function, alarm). Remove %d of them.",
					len(merged), maxTags, len(merged)-maxTags))
			return
		}
		plan.TagsAll = stringMapValue(merged)
	}

	if plan.Regions.IsUnknown() || plan.Regions.IsNull() {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}
	prior := map[string]regionModel{}
	if hasState && !replacing {
		var d diag.Diagnostics
		prior, d = regionModels(ctx, state.Regions)
		resp.Diagnostics.Append(d...)
	}

	var zips *zipSource
	if !plan.ConsumerZip.IsUnknown() {
		zips = newZipSource(plan.ConsumerZip.ValueString(), r.zips)
	}
	regions := map[string]attr.Value{}
	for key, v := range plan.Regions.Elements() {
		obj, ok := v.(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			regions[key] = v
			continue
		}
		old, existed := prior[key]
		var priorRegion *regionModel
		if existed {
			priorRegion = &old
		}
		nv, d := planRegion(ctx, key, obj, priorRegion, plan.Name, zips)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		regions[key] = nv
	}
	rv, d := types.MapValue(regionObjectType, regions)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Regions = rv
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// planRegion plans one region: its planned object obj with the ids of its
// existing objects (prior is its state, nil for a new region), the names
// that follow from the bus name and the arguments, the SHA-256 of the
// package it will run (zips nil when consumer_zip is unknown), and an empty
// drift.
func planRegion(ctx context.Context, key string, obj types.Object, prior *regionModel, bus types.String, zips *zipSource) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	var rm regionModel
	diags.Append(obj.As(ctx, &rm, lenient)...)
	if diags.HasError() {
		return obj, diags
	}
	existed := prior != nil
	var old regionModel
	if existed {
		old = *prior
	}
	keep := func(cur types.String) types.String {
		if existed && !cur.IsNull() && !cur.IsUnknown() {
			return cur
		}
		return types.StringUnknown()
	}
	rm.QueueURL = keep(old.QueueURL)
	rm.QueueARN = keep(old.QueueARN)
	rm.DLQURL = keep(old.DLQURL)
	rm.DLQARN = keep(old.DLQARN)
	rm.SubscriptionARN = keep(old.SubscriptionARN)
	rm.FunctionName = keep(old.FunctionName)
	rm.FunctionARN = keep(old.FunctionARN)
	rm.RoleName = keep(old.RoleName)
	rm.RoleARN = keep(old.RoleARN)
	rm.EventSourceMappingID = keep(old.EventSourceMappingID)
	// A new region's function and role names follow from the bus name.
	if !existed && !bus.IsUnknown() {
		rm.FunctionName = types.StringValue(contract.FunctionName(bus.ValueString()))
		rm.RoleName = types.StringValue(contract.RoleName(bus.ValueString(), key))
	}
	// Drift that Update repairs by replacing the subscription or the
	// mapping gives them a new ARN / UUID.
	if existed {
		newSub, newMapping := driftReplaces(ctx, old.Drift)
		if newSub {
			rm.SubscriptionARN = types.StringUnknown()
		}
		if newMapping {
			rm.EventSourceMappingID = types.StringUnknown()
		}
	}
	rm.Drift = types.ListValueMust(types.StringType, []attr.Value{})

	// Alarm names follow from the arguments.
	rm.DLQAlarmName, rm.AgeAlarmName = types.StringUnknown(), types.StringUnknown()
	if !bus.IsUnknown() && !rm.Alarms.IsUnknown() && !rm.Alarms.IsNull() {
		var a alarmsModel
		diags.Append(rm.Alarms.As(ctx, &a, lenient)...)
		if !a.DLQNotEmpty.IsUnknown() {
			rm.DLQAlarmName = types.StringNull()
			if a.DLQNotEmpty.ValueBool() {
				rm.DLQAlarmName = types.StringValue(contract.DLQAlarmName(bus.ValueString()))
			}
		}
		if !a.AgeThreshold.IsUnknown() {
			rm.AgeAlarmName = types.StringNull()
			if a.AgeThreshold.ValueInt64() > 0 {
				rm.AgeAlarmName = types.StringValue(contract.AgeAlarmName(bus.ValueString()))
			}
		}
	}

	// The package the region will run.
	rm.ConsumerCodeSHA256 = types.StringUnknown()
	if zips != nil && !rm.Consumer.IsUnknown() && !rm.Consumer.IsNull() {
		var c consumerModel
		diags.Append(rm.Consumer.As(ctx, &c, lenient)...)
		if !c.Architecture.IsUnknown() {
			_, sha, err := zips.get(c.Architecture.ValueString())
			if err != nil {
				diags.AddAttributeError(path.Root("consumer_zip"), "No consumer package", err.Error()+".")
				return obj, diags
			}
			rm.ConsumerCodeSHA256 = types.StringValue(sha)
		}
	}

	nv, d := types.ObjectValueFrom(ctx, regionAttrTypes, rm)
	diags.Append(d...)
	return nv, diags
}

// ---------------------------------------------------------------- create

func (r *busResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var plan busResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	tagsAll, d := mapOf(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	spec, d := specFromModel(ctx, plan, tagsAll)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	e := &engine{c: r.client, spec: spec, zips: newZipSource(spec.UserZip, r.zips)}
	// The topic first: the queue policies and subscriptions name it. A
	// topic of the bus's name that exists already is adopted, and so is
	// every object of the bus's names (ensureRegion).
	if _, err := e.ensureTopic(ctx); err != nil {
		resp.Diagnostics.AddError("Cannot create the Regis bus topic",
			fmt.Sprintf("Creating SNS topic %s in %s failed: %v. Nothing was created.", contract.TopicName(spec.Name), spec.HomeRegion, err))
		return
	}

	ids := map[string]*regionIDs{}
	for _, name := range spec.regionNames() {
		ids[name] = &regionIDs{}
	}
	errs := runRegions(spec.regionNames(), func(region string) error {
		return e.ensureRegion(ctx, spec.Regions[region], ids[region])
	})

	// Whatever happened, record every object that exists.
	regions := map[string]types.Object{}
	for _, name := range spec.regionNames() {
		regions[name] = regionValue(spec.Regions[name], ids[name], incompleteDrift(errs[name]))
	}
	plan.ID = types.StringValue(busID(spec.Name, spec.HomeRegion))
	plan.TopicARN = types.StringValue(e.topicARN)
	plan.Regions = regionsMapValue(regions)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if len(errs) > 0 {
		resp.Diagnostics.AddError("Regis bus partially created", describeErrors(errs)+
			"\n\nEvery object that was created is recorded in the state, so nothing is left behind: Terraform marks the bus as tainted "+
			"and replaces it on the next apply. Fix the cause above, then run terraform apply again.")
	}
}

// runRegions runs fn for every region in parallel, waits for all of them
// (one region's failure does not interrupt the others, so each finishes a
// step and records it) and returns the errors by region.
func runRegions(regions []string, fn func(region string) error) map[string]error {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = map[string]error{}
	)
	for _, region := range regions {
		wg.Go(func() {
			if err := fn(region); err != nil {
				mu.Lock()
				errs[region] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

func describeErrors(errs map[string]error) string {
	var lines []string
	for _, region := range slices.Sorted(maps.Keys(errs)) {
		lines = append(lines, "- "+errs[region].Error())
	}
	return strings.Join(lines, "\n")
}

// incompleteDrift marks a region whose last apply failed, so that the next
// plan shows it as an update even without a refresh.
func incompleteDrift(err error) []string {
	if err == nil {
		return nil
	}
	return []string{"incomplete: the last apply failed (" + errorSummary(err) + ")"}
}

// ---------------------------------------------------------------- read

func (r *busResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var state busResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	newState, gone, diags := r.read(ctx, state)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if gone {
		resp.Diagnostics.AddWarning("Regis bus no longer exists",
			fmt.Sprintf("Nothing of bus %s exists any more: its topic and every object the state recorded are gone. "+
				"The bus is removed from the state, and the next apply creates it.", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newState)...)
}

// read observes the bus. gone is true when nothing of it exists any more:
// the topic, and every object the state recorded. A bus whose topic alone
// is gone stays: its regions' objects are read, the topic and the
// subscriptions show as missing, and the next apply re-creates them.
func (r *busResource) read(ctx context.Context, state busResourceModel) (busResourceModel, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	busName, home := state.Name.ValueString(), state.HomeRegion.ValueString()
	if busName == "" || home == "" {
		// Import sets the id only.
		var err error
		if busName, home, err = parseBusID(state.ID.ValueString()); err != nil {
			diags.AddError("Invalid bus id", err.Error())
			return state, false, diags
		}
	}
	importing := state.Regions.IsNull() || state.Regions.IsUnknown()
	priorTags, d := mapOf(ctx, state.TagsAll)
	diags.Append(d...)
	spec := &busSpec{Name: busName, HomeRegion: home, Tags: priorTags, KMSKeyID: state.KMSKeyID.ValueString(),
		TombstoneTTL: state.TombstoneTTL.ValueString(), Regions: map[string]*regionSpec{}}
	if spec.TombstoneTTL == "" {
		spec.TombstoneTTL = defaultTombstoneTTL
	}
	e := &engine{c: r.client, spec: spec, topicARN: state.TopicARN.ValueString()}

	topic, err := e.readTopic(ctx)
	if err != nil {
		diags.AddError("Cannot read the Regis bus", err.Error())
		return state, false, diags
	}
	e.topicARN = ""
	if topic != nil {
		e.topicARN = topic.ARN
		spec.Tags = topic.Tags
		spec.KMSKeyID = ""
		if k := topic.Attrs["KmsMasterKeyId"]; k != "" && k != awsManagedSNSKey {
			spec.KMSKeyID = k
		}
	}

	// Regions: the recorded ones, or on import those found by name.
	priorSpecs := map[string]*regionSpec{}
	priorIDs := map[string]*regionIDs{}
	if importing {
		found, err := busdiscovery.Find(ctx, discoveryClients{ctx: ctx, c: r.client},
			busdiscovery.Query{Name: busName, HomeRegion: home, AccountID: r.client.AccountID})
		if err != nil {
			diags.AddError("Cannot import the Regis bus", fmt.Sprintf("Looking for the objects of bus %s (home region %s): %v", busName, home, err))
			return state, false, diags
		}
		if found.Empty() {
			diags.AddError("Cannot import the Regis bus", notFoundDetail(busName, home))
			return state, false, diags
		}
		for region, fr := range found.Regions {
			priorSpecs[region] = defaultRegionSpec(region)
			priorIDs[region] = idsFromDiscovery(fr)
		}
	} else {
		old, d := specFromModel(ctx, state, spec.Tags)
		diags.Append(d...)
		models, d := regionModels(ctx, state.Regions)
		diags.Append(d...)
		if diags.HasError() {
			return state, false, diags
		}
		for region, rm := range models {
			priorSpecs[region] = old.Regions[region]
			priorIDs[region] = idsFromModel(rm)
		}
	}

	names := slices.Sorted(maps.Keys(priorSpecs))
	var mu sync.Mutex
	results := map[string]*readResult{}
	errs := runRegions(names, func(region string) error {
		res, err := e.readRegion(ctx, priorSpecs[region], *priorIDs[region], importing)
		if err != nil {
			return err
		}
		mu.Lock()
		results[region] = res
		mu.Unlock()
		return nil
	})
	if len(errs) > 0 {
		diags.AddError("Cannot read the Regis bus", describeErrors(errs))
		return state, false, diags
	}
	if topic == nil && !importing && !slices.ContainsFunc(names, func(region string) bool { return !results[region].ids.empty() }) {
		return state, true, diags
	}

	// tombstone_ttl is one value for the bus but lives in every function:
	// keep the configured value when a region has it, and report the
	// regions that differ.
	ttl := ""
	for _, region := range names {
		if t := results[region].tombstoneTTL; t != "" && (ttl == "" || t == spec.TombstoneTTL) {
			ttl = t
		}
	}
	if ttl != "" {
		spec.TombstoneTTL = ttl
	}
	regions := map[string]types.Object{}
	for _, region := range names {
		res := results[region]
		if res.tombstoneTTL != "" && res.tombstoneTTL != spec.TombstoneTTL {
			res.drift = append(res.drift, "function: REGIS_TOMBSTONE_TTL is "+res.tombstoneTTL+", not tombstone_ttl "+spec.TombstoneTTL)
		}
		res.drift = append(res.drift, topicDrift(topic)...)
		regions[region] = regionValue(res.spec, res.ids, res.drift)
	}

	out := state
	out.ID = types.StringValue(busID(busName, home))
	out.TopicARN = stringOrNull(e.topicARN)
	out.Name = types.StringValue(busName)
	out.HomeRegion = types.StringValue(home)
	out.KMSKeyID = stringOrNull(spec.KMSKeyID)
	out.TombstoneTTL = types.StringValue(spec.TombstoneTTL)
	out.TagsAll = stringMapValue(spec.Tags)
	out.Tags = ownTags(ctx, state.Tags, spec.Tags, r.client.DefaultTags)
	out.Regions = regionsMapValue(regions)
	if out.Timeouts.IsNull() || out.Timeouts.IsUnknown() {
		out.Timeouts = state.Timeouts
	}
	return out, false, diags
}

// ownTags derives the resource's tags from the tags the topic carries, as
// the AWS provider does: the tags_all entries that do not come from
// default_tags (a key the configuration sets itself stays, even with the
// default's value).
func ownTags(ctx context.Context, prior types.Map, tagsAll, defaults map[string]string) types.Map {
	priorTags, _ := mapOf(ctx, prior)
	own := map[string]string{}
	for k, v := range tagsAll {
		if _, set := priorTags[k]; set {
			own[k] = v
			continue
		}
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			continue
		}
		own[k] = v
	}
	if len(own) == 0 && prior.IsNull() {
		return types.MapNull(types.StringType)
	}
	return stringMapValue(own)
}

// ---------------------------------------------------------------- update

func (r *busResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var plan, state busResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	newTags, d := mapOf(ctx, plan.TagsAll)
	resp.Diagnostics.Append(d...)
	oldTags, d := mapOf(ctx, state.TagsAll)
	resp.Diagnostics.Append(d...)
	newSpec, d := specFromModel(ctx, plan, newTags)
	resp.Diagnostics.Append(d...)
	oldSpec, d := specFromModel(ctx, state, oldTags)
	resp.Diagnostics.Append(d...)
	planRegions, d := regionModels(ctx, plan.Regions)
	resp.Diagnostics.Append(d...)
	stateRegions, d := regionModels(ctx, state.Regions)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	e := &engine{c: r.client, spec: newSpec, topicARN: state.TopicARN.ValueString(), zips: newZipSource(newSpec.UserZip, r.zips)}

	// The topic: re-created when it is gone (refresh found it missing), or
	// brought to the spec. A new topic has none of the recorded
	// subscriptions: every region is then converged, which subscribes it.
	busWide := newSpec.KMSKeyID != oldSpec.KMSKeyID || newSpec.TombstoneTTL != oldSpec.TombstoneTTL || !maps.Equal(newSpec.Tags, oldSpec.Tags)
	if e.topicARN == "" || newSpec.KMSKeyID != oldSpec.KMSKeyID || !maps.Equal(newSpec.Tags, oldSpec.Tags) || topicDrifted(ctx, stateRegions) {
		fresh, err := e.ensureTopic(ctx)
		if err != nil {
			if e.topicARN != "" {
				// Record the topic, so that the next apply finds it.
				state.TopicARN = types.StringValue(e.topicARN)
				resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
			}
			resp.Diagnostics.AddError("Cannot update the Regis bus topic", fmt.Sprintf("Creating or updating SNS topic %s in %s: %v. No region was changed.",
				contract.TopicName(newSpec.Name), newSpec.HomeRegion, err))
			return
		}
		busWide = busWide || fresh
	}

	// Regions to converge: new ones, changed ones, and all when a bus-wide
	// argument changed. Regions to delete: the ones no longer configured.
	stateObjs := map[string]types.Object{}
	for k, v := range state.Regions.Elements() {
		stateObjs[k] = v.(types.Object)
	}
	ids := map[string]*regionIDs{}
	var toEnsure, toDelete []string
	for name := range planRegions {
		old, existed := stateRegions[name]
		planObj := plan.Regions.Elements()[name].(types.Object)
		if existed {
			ids[name] = idsFromModel(old)
		} else {
			ids[name] = &regionIDs{}
		}
		if !existed || busWide || !planObj.Equal(stateObjs[name]) {
			toEnsure = append(toEnsure, name)
		}
	}
	for name, old := range stateRegions {
		if _, keep := planRegions[name]; !keep {
			ids[name] = idsFromModel(old)
			toDelete = append(toDelete, name)
		}
	}
	sort.Strings(toEnsure)
	sort.Strings(toDelete)
	deleting := map[string]bool{}
	for _, name := range toDelete {
		deleting[name] = true
	}
	del := &engine{c: r.client, spec: oldSpec, topicARN: e.topicARN}
	errs := runRegions(append(slices.Clone(toEnsure), toDelete...), func(region string) error {
		if deleting[region] {
			return del.deleteRegion(ctx, region, ids[region])
		}
		return e.ensureRegion(ctx, newSpec.Regions[region], ids[region])
	})

	regions := map[string]types.Object{}
	for name := range planRegions {
		if slices.Contains(toEnsure, name) {
			regions[name] = regionValue(newSpec.Regions[name], ids[name], incompleteDrift(errs[name]))
		} else {
			regions[name] = stateObjs[name]
		}
	}
	for _, name := range toDelete {
		if err := errs[name]; err != nil && !ids[name].empty() {
			// Keep what is left, so that the next apply deletes it.
			regions[name] = regionValue(oldSpec.Regions[name], ids[name], []string{"removal incomplete: " + errorSummary(err)})
		}
	}
	plan.ID = types.StringValue(busID(newSpec.Name, newSpec.HomeRegion))
	plan.TopicARN = types.StringValue(e.topicARN)
	plan.Regions = regionsMapValue(regions)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if len(errs) > 0 {
		resp.Diagnostics.AddError("Regis bus partially updated", describeErrors(errs)+
			"\n\nEvery object that exists is recorded in the state. Fix the cause above, then run terraform apply again to finish.")
	}
}

// driftReplaces reports whether a region's drift (as refresh found it) is
// repaired by replacing the subscription (anything but raw message delivery
// turned off: a filter or redrive policy, another endpoint, a pending
// confirmation) or the event source mapping (it reads another queue), as
// ensureRegion does.
func driftReplaces(ctx context.Context, list types.List) (subscription, mapping bool) {
	var drift []string
	if list.IsNull() || list.IsUnknown() || list.ElementsAs(ctx, &drift, false).HasError() {
		return false, false
	}
	for _, d := range drift {
		if strings.HasPrefix(d, subscriptionDriftPrefix) && !strings.Contains(d, rawDeliveryDrift) {
			subscription = true
		}
		if strings.HasPrefix(d, mappingSourceDriftPrefix) {
			mapping = true
		}
	}
	return subscription, mapping
}

// topicDriftPrefix starts the drift entries about the topic (which read
// copies into every region).
const topicDriftPrefix = "topic: "

// topicDrifted reports whether refresh found the topic drifted.
func topicDrifted(ctx context.Context, regions map[string]regionModel) bool {
	for _, rm := range regions {
		var drift []string
		if rm.Drift.IsNull() || rm.Drift.IsUnknown() || rm.Drift.ElementsAs(ctx, &drift, false).HasError() {
			continue
		}
		for _, d := range drift {
			if strings.HasPrefix(d, topicDriftPrefix) {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------- delete

func (r *busResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var state busResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	tags, d := mapOf(ctx, state.TagsAll)
	resp.Diagnostics.Append(d...)
	spec, d := specFromModel(ctx, state, tags)
	resp.Diagnostics.Append(d...)
	models, d := regionModels(ctx, state.Regions)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	e := &engine{c: r.client, spec: spec, topicARN: state.TopicARN.ValueString()}
	ids := map[string]*regionIDs{}
	for name, rm := range models {
		ids[name] = idsFromModel(rm)
	}
	names := slices.Sorted(maps.Keys(models))
	errs := runRegions(names, func(region string) error {
		return e.deleteRegion(ctx, region, ids[region])
	})
	if len(errs) == 0 {
		// The topic is found by name when the state has none (it was gone
		// at the last refresh): one made since is the bus's too.
		topicARN, err := e.findTopicARN(ctx)
		if err == nil && topicARN != "" {
			err = deleteTopic(ctx, r.client.SNS(ctx, spec.HomeRegion), topicARN)
		}
		if err != nil {
			errs[spec.HomeRegion+" (topic)"] = fmt.Errorf("deleting topic %s: %w", contract.TopicName(spec.Name), err)
		}
	}
	if len(errs) == 0 {
		return
	}
	// Keep what is left in the state so that the next destroy finishes.
	regions := map[string]types.Object{}
	for _, name := range names {
		if !ids[name].empty() {
			regions[name] = regionValue(spec.Regions[name], ids[name], incompleteDrift(errs[name]))
		}
	}
	state.Regions = regionsMapValue(regions)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.AddError("Regis bus partially deleted", describeErrors(errs)+
		"\n\nWhat is left is still recorded in the state. Fix the cause above, then run terraform destroy again.")
}
