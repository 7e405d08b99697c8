package trafficpolicy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

// DocumentModel is the typed document: the top-level arguments and blocks
// that the version resource and the document data source share. It is
// embedded in both models.
type DocumentModel struct {
	RecordType    types.String `tfsdk:"record_type"`
	StartRule     types.String `tfsdk:"start_rule"`
	StartEndpoint types.String `tfsdk:"start_endpoint"`
	Endpoints     types.Set    `tfsdk:"endpoint"`
	Rules         types.Set    `tfsdk:"rule"`
}

// endpointModel is an endpoint block.
type endpointModel struct {
	ID     types.String `tfsdk:"id"`
	Type   types.String `tfsdk:"type"`
	Value  types.String `tfsdk:"value"`
	Region types.String `tfsdk:"region"`
}

// referenceModel is what every entry of every rule has.
type referenceModel struct {
	Endpoint             types.String `tfsdk:"endpoint"`
	Rule                 types.String `tfsdk:"rule"`
	HealthCheck          types.String `tfsdk:"health_check"`
	EvaluateTargetHealth types.Bool   `tfsdk:"evaluate_target_health"`
}

// itemModel is an item block of a weighted or multivalue rule.
type itemModel struct {
	referenceModel
	Weight types.Int64 `tfsdk:"weight"`
}

// latencyRegionModel is a region block of a latency rule.
type latencyRegionModel struct {
	referenceModel
	Region types.String `tfsdk:"region"`
}

// locationModel is a location block of a geo rule.
type locationModel struct {
	referenceModel
	Continent   types.String `tfsdk:"continent"`
	Country     types.String `tfsdk:"country"`
	Subdivision types.String `tfsdk:"subdivision"`
	IsDefault   types.Bool   `tfsdk:"is_default"`
}

// geoproximityModel is a geoproximity_location block.
type geoproximityModel struct {
	referenceModel
	Region    types.String  `tfsdk:"region"`
	Latitude  types.Float64 `tfsdk:"latitude"`
	Longitude types.Float64 `tfsdk:"longitude"`
	Bias      types.Int64   `tfsdk:"bias"`
}

// ruleModel is a rule block.
type ruleModel struct {
	ID                    types.String `tfsdk:"id"`
	Type                  types.String `tfsdk:"type"`
	Items                 types.List   `tfsdk:"item"`
	Regions               types.List   `tfsdk:"region"`
	Primary               types.Object `tfsdk:"primary"`
	Secondary             types.Object `tfsdk:"secondary"`
	Locations             types.List   `tfsdk:"location"`
	GeoproximityLocations types.List   `tfsdk:"geoproximity_location"`
}

// collection is a list or set of blocks.
type collection interface {
	IsNull() bool
	IsUnknown() bool
	Elements() []attr.Value
	ElementsAs(ctx context.Context, target any, allowUnhandled bool) diag.Diagnostics
}

// listSet reports whether a list or set of blocks has elements or is unknown.
func listSet(l collection) bool {
	return l.IsUnknown() || (!l.IsNull() && len(l.Elements()) > 0)
}

// ------------------------------------------------------------------ expand

// expansion is a DocumentModel converted to a trafficflow.Document, with
// what was unknown at the time (plan-time values from other resources) so
// that validation can skip what it cannot judge yet.
type expansion struct {
	doc *trafficflow.Document

	// unknown: some value was unknown (the document cannot be rendered yet).
	unknown bool
	// incomplete: an id or a whole list was unknown; nothing can be checked.
	incomplete bool
	// unknownRefs: a reference target was unknown, so reference, loop and
	// reachability checks cannot be trusted.
	unknownRefs       bool
	unknownRecordType bool
	unknownStart      bool
	// masks hide the problems of unknown values.
	masks []mask
	// unknownWeights names rules with an unknown weight.
	unknownWeights map[string]bool

	// endpointAt and ruleAt give the path of the block of each id.
	endpointAt map[string]path.Path
	ruleAt     map[string]path.Path

	// diags are problems found while expanding (duplicate ids).
	diags diag.Diagnostics
}

// mask hides problems about an entity or one of its fields.
type mask struct {
	scope trafficflow.Scope
	id    string
	field string // "" for the whole rule or endpoint
}

// complete reports whether the document is fully known.
func (x *expansion) complete() bool { return !x.unknown && !x.incomplete }

func (x *expansion) str(v types.String, onUnknown func()) string {
	if v.IsUnknown() {
		x.unknown = true
		if onUnknown != nil {
			onUnknown()
		}
		return ""
	}
	return v.ValueString()
}

func (x *expansion) intPtr(v types.Int64, onUnknown func()) *int {
	switch {
	case v.IsUnknown():
		x.unknown = true
		if onUnknown != nil {
			onUnknown()
		}
		return nil
	case v.IsNull():
		return nil
	}
	n := v.ValueInt64()
	// Clamp into int range; the validator reports values out of range.
	if n > math.MaxInt32 {
		n = math.MaxInt32
	} else if n < math.MinInt32 {
		n = math.MinInt32
	}
	return trafficflow.Int(int(n))
}

func (x *expansion) boolPtr(v types.Bool) *bool {
	if v.IsUnknown() {
		x.unknown = true
		return nil
	}
	if v.IsNull() {
		return nil
	}
	return trafficflow.Bool(v.ValueBool())
}

func (x *expansion) degrees(v types.Float64, onUnknown func()) string {
	switch {
	case v.IsUnknown():
		x.unknown = true
		onUnknown()
		return ""
	case v.IsNull():
		return ""
	}
	return strconv.FormatFloat(v.ValueFloat64(), 'f', -1, 64)
}

// list reads a list of blocks into dst; an unknown list makes the expansion
// incomplete.
func (x *expansion) list(ctx context.Context, l collection, dst any) bool {
	if l.IsUnknown() {
		x.unknown, x.incomplete = true, true
		return false
	}
	if l.IsNull() {
		return true
	}
	if d := l.ElementsAs(ctx, dst, false); d.HasError() {
		x.diags.Append(d...)
		x.unknown, x.incomplete = true, true
		return false
	}
	return true
}

// expandDocument converts the typed document to a trafficflow.Document.
func expandDocument(ctx context.Context, d DocumentModel) *expansion {
	x := &expansion{
		doc: &trafficflow.Document{
			FormatVersion: trafficflow.FormatVersion,
		},
		unknownWeights: map[string]bool{},
		endpointAt:     map[string]path.Path{},
		ruleAt:         map[string]path.Path{},
	}
	doc := x.doc
	doc.RecordType = trafficflow.RecordType(x.str(d.RecordType, func() { x.unknownRecordType = true }))
	doc.StartRule = x.str(d.StartRule, func() { x.unknownStart = true })
	doc.StartEndpoint = x.str(d.StartEndpoint, func() { x.unknownStart = true })

	endpointBlocks := x.blocks(d.Endpoints, path.Root(endpointBlockSpec.name))
	if len(endpointBlocks) > 0 {
		doc.Endpoints = map[string]trafficflow.Endpoint{}
	}
	for _, b := range endpointBlocks {
		var ep endpointModel
		if !x.as(ctx, b.value, &ep) {
			continue
		}
		if ep.ID.IsUnknown() {
			x.unknown, x.incomplete = true, true
			continue
		}
		id := ep.ID.ValueString()
		if _, dup := x.endpointAt[id]; dup {
			x.diags.AddAttributeError(b.at.AtName("id"),
				fmt.Sprintf("Invalid traffic policy: endpoint %q", id),
				fmt.Sprintf("endpoint %q is defined twice, by two endpoint blocks with different settings; give each endpoint block its own id", id))
			continue
		}
		x.endpointAt[id] = b.at
		maskAll := func() { x.masks = append(x.masks, mask{trafficflow.ScopeEndpoint, id, ""}) }
		doc.Endpoints[id] = trafficflow.Endpoint{
			Type:   trafficflow.EndpointType(x.str(ep.Type, maskAll)),
			Value:  x.str(ep.Value, maskAll),
			Region: x.str(ep.Region, maskAll),
		}
	}

	ruleBlocks := x.blocks(d.Rules, path.Root(ruleBlockSpec.name))
	if len(ruleBlocks) > 0 {
		doc.Rules = map[string]trafficflow.Rule{}
	}
	for _, b := range ruleBlocks {
		var rm ruleModel
		if !x.as(ctx, b.value, &rm) {
			continue
		}
		if rm.ID.IsUnknown() {
			x.unknown, x.incomplete = true, true
			continue
		}
		id := rm.ID.ValueString()
		if _, dup := x.ruleAt[id]; dup {
			x.diags.AddAttributeError(b.at.AtName("id"),
				fmt.Sprintf("Invalid traffic policy: rule %q", id),
				fmt.Sprintf("rule %q is defined twice, by two rule blocks with different settings; give each rule block its own id", id))
			continue
		}
		x.ruleAt[id] = b.at
		doc.Rules[id] = x.rule(ctx, id, rm)
	}
	return x
}

// block is one element of a set of blocks, with its path.
type block struct {
	value attr.Value
	at    path.Path
}

// blocks returns the elements of a set of blocks (endpoint, rule); an
// unknown set makes the expansion incomplete.
func (x *expansion) blocks(s types.Set, at path.Path) []block {
	if s.IsUnknown() {
		x.unknown, x.incomplete = true, true
		return nil
	}
	var out []block
	for _, v := range s.Elements() {
		out = append(out, block{value: v, at: at.AtSetValue(v)})
	}
	return out
}

// as reads one block; an unknown block makes the expansion incomplete.
func (x *expansion) as(ctx context.Context, v attr.Value, dst any) bool {
	o, ok := v.(types.Object)
	if !ok || o.IsUnknown() || o.IsNull() {
		x.unknown, x.incomplete = true, true
		return false
	}
	if d := o.As(ctx, dst, basetypes.ObjectAsOptions{}); d.HasError() {
		x.diags.Append(d...)
		x.unknown, x.incomplete = true, true
		return false
	}
	return true
}

func (x *expansion) rule(ctx context.Context, id string, rm ruleModel) trafficflow.Rule {
	maskField := func(field string) func() {
		return func() { x.masks = append(x.masks, mask{trafficflow.ScopeRule, id, field}) }
	}
	r := trafficflow.Rule{RuleType: trafficflow.RuleType(x.str(rm.Type, maskField("")))}

	var items []itemModel
	x.list(ctx, rm.Items, &items)
	for j, it := range items {
		field := fmt.Sprintf("Items[%d]", j)
		r.Items = append(r.Items, trafficflow.Item{
			Reference: x.reference(id, field, it.referenceModel),
			Weight: x.intPtr(it.Weight, func() {
				maskField(field + ".Weight")()
				x.unknownWeights[id] = true
			}),
		})
	}

	var regions []latencyRegionModel
	x.list(ctx, rm.Regions, &regions)
	for j, lr := range regions {
		field := fmt.Sprintf("Regions[%d]", j)
		r.Regions = append(r.Regions, trafficflow.LatencyRegion{
			Reference: x.reference(id, field, lr.referenceModel),
			Region:    x.str(lr.Region, maskField(field)),
		})
	}

	r.Primary = x.failover(ctx, id, "Primary", rm.Primary)
	r.Secondary = x.failover(ctx, id, "Secondary", rm.Secondary)

	var locations []locationModel
	x.list(ctx, rm.Locations, &locations)
	for j, lm := range locations {
		field := fmt.Sprintf("Locations[%d]", j)
		m := maskField(field)
		r.Locations = append(r.Locations, trafficflow.GeoLocation{
			Reference:   x.reference(id, field, lm.referenceModel),
			Continent:   x.str(lm.Continent, m),
			Country:     x.str(lm.Country, m),
			Subdivision: x.str(lm.Subdivision, m),
			IsDefault:   x.boolPtr(lm.IsDefault),
		})
		if lm.IsDefault.IsUnknown() {
			m()
		}
	}

	var geoprox []geoproximityModel
	x.list(ctx, rm.GeoproximityLocations, &geoprox)
	for j, gm := range geoprox {
		field := fmt.Sprintf("GeoproximityLocations[%d]", j)
		m := maskField(field)
		region := x.str(gm.Region, m)
		if region != "" && !strings.HasPrefix(region, trafficflow.GeoproximityRegionPrefix) && trafficflow.IsRegion(region) {
			region = trafficflow.GeoproximityRegionPrefix + region
		}
		r.GeoproximityLocations = append(r.GeoproximityLocations, trafficflow.GeoproximityLocation{
			Reference: x.reference(id, field, gm.referenceModel),
			Region:    region,
			Latitude:  x.degrees(gm.Latitude, m),
			Longitude: x.degrees(gm.Longitude, m),
			Bias:      x.intPtr(gm.Bias, m),
		})
	}
	return r
}

func (x *expansion) failover(ctx context.Context, ruleID, field string, o types.Object) *trafficflow.Reference {
	if o.IsUnknown() {
		x.unknown, x.incomplete = true, true
		return nil
	}
	if o.IsNull() {
		return nil
	}
	var m referenceModel
	if d := o.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		x.diags.Append(d...)
		x.unknown, x.incomplete = true, true
		return nil
	}
	ref := x.reference(ruleID, field, m)
	return &ref
}

func (x *expansion) reference(ruleID, field string, m referenceModel) trafficflow.Reference {
	target := func() {
		x.masks = append(x.masks, mask{trafficflow.ScopeRule, ruleID, field})
		x.unknownRefs = true
	}
	return trafficflow.Reference{
		EndpointReference:    x.str(m.Endpoint, target),
		RuleReference:        x.str(m.Rule, target),
		HealthCheck:          x.str(m.HealthCheck, nil),
		EvaluateTargetHealth: x.boolPtr(m.EvaluateTargetHealth),
	}
}

// relevant reports whether a problem is about known values only.
func (x *expansion) relevant(p trafficflow.Problem) bool {
	switch p.Code {
	case trafficflow.CodeReference, trafficflow.CodeCycle, trafficflow.CodeUnreachable:
		if x.unknownRefs || (p.Code == trafficflow.CodeUnreachable && x.unknownStart) {
			return false
		}
	case trafficflow.CodeStart:
		if x.unknownStart {
			return false
		}
	case trafficflow.CodeRecordType, trafficflow.CodeRecordValue:
		if x.unknownRecordType {
			return false
		}
	case trafficflow.CodeWeight:
		if p.Field == "" && x.unknownWeights[p.ID] {
			return false
		}
	case trafficflow.CodeLength:
		if x.unknown {
			return false
		}
	}
	for _, m := range x.masks {
		if m.scope != p.Scope || m.id != p.ID {
			continue
		}
		if m.field == "" || p.Field == m.field ||
			strings.HasPrefix(p.Field, m.field+".") || strings.HasPrefix(p.Field, m.field+"[") {
			return false
		}
	}
	return true
}

// validate runs trafficflow.Validate on what is known and returns every
// problem as a diagnostic on the block or argument at fault.
func (x *expansion) validate() diag.Diagnostics {
	diags := x.diags
	if x.incomplete {
		return diags
	}
	err := trafficflow.Validate(x.doc)
	if err == nil {
		return diags
	}
	var ve trafficflow.ValidationErrors
	if !errors.As(err, &ve) {
		diags.AddError("Invalid traffic policy", err.Error())
		return diags
	}
	for _, p := range ve {
		if x.relevant(p) {
			diags.Append(problemDiagnostic(p, x.endpointAt, x.ruleAt))
		}
	}
	return diags
}

// ----------------------------------------------------------------- flatten

// flattenDocument converts a document to the typed blocks. Endpoints and
// rules are sets (a document keys them by id and has no order); the entries
// of a rule keep the order the document gives them.
func flattenDocument(doc *trafficflow.Document) (DocumentModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	d := DocumentModel{
		RecordType:    types.StringValue(string(doc.RecordType)),
		StartRule:     optString(doc.StartRule),
		StartEndpoint: optString(doc.StartEndpoint),
	}
	var endpoints []attr.Value
	for _, id := range sortedKeys(doc.Endpoints) {
		ep := doc.Endpoints[id]
		endpoints = append(endpoints, object(endpointObjectType, map[string]attr.Value{
			"id":     types.StringValue(id),
			"type":   types.StringValue(string(ep.Type)),
			"value":  types.StringValue(ep.Value),
			"region": optString(ep.Region),
		}, &diags))
	}
	d.Endpoints = set(endpointObjectType, endpoints, &diags)

	var rules []attr.Value
	for _, id := range sortedKeys(doc.Rules) {
		r := doc.Rules[id]
		var items, regions, locations, geoprox []attr.Value
		for _, it := range r.Items {
			items = append(items, object(itemObjectType, withReference(it.Reference, map[string]attr.Value{
				"weight": optInt(it.Weight),
			}), &diags))
		}
		for _, lr := range r.Regions {
			regions = append(regions, object(latencyObjectType, withReference(lr.Reference, map[string]attr.Value{
				"region": types.StringValue(lr.Region),
			}), &diags))
		}
		for _, g := range r.Locations {
			locations = append(locations, object(locationObjectType, withReference(g.Reference, map[string]attr.Value{
				"continent":   optString(g.Continent),
				"country":     optString(g.Country),
				"subdivision": optString(g.Subdivision),
				"is_default":  optBool(g.IsDefault),
			}), &diags))
		}
		for _, g := range r.GeoproximityLocations {
			geoprox = append(geoprox, object(geoproximityObjectType, withReference(g.Reference, map[string]attr.Value{
				"region":    optString(strings.TrimPrefix(g.Region, trafficflow.GeoproximityRegionPrefix)),
				"latitude":  optDegrees(g.Latitude),
				"longitude": optDegrees(g.Longitude),
				"bias":      optInt(g.Bias),
			}), &diags))
		}
		rules = append(rules, object(ruleObjectType, map[string]attr.Value{
			"id":                    types.StringValue(id),
			"type":                  types.StringValue(string(r.RuleType)),
			"item":                  list(itemObjectType, items, &diags),
			"region":                list(latencyObjectType, regions, &diags),
			"primary":               failoverObject(r.Primary, &diags),
			"secondary":             failoverObject(r.Secondary, &diags),
			"location":              list(locationObjectType, locations, &diags),
			"geoproximity_location": list(geoproximityObjectType, geoprox, &diags),
		}, &diags))
	}
	d.Rules = set(ruleObjectType, rules, &diags)
	return d, diags
}

func withReference(ref trafficflow.Reference, m map[string]attr.Value) map[string]attr.Value {
	m["endpoint"] = optString(ref.EndpointReference)
	m["rule"] = optString(ref.RuleReference)
	m["health_check"] = optString(ref.HealthCheck)
	m["evaluate_target_health"] = optBool(ref.EvaluateTargetHealth)
	return m
}

func failoverObject(ref *trafficflow.Reference, diags *diag.Diagnostics) types.Object {
	if ref == nil {
		return types.ObjectNull(failoverObjectType.AttrTypes)
	}
	return object(failoverObjectType, withReference(*ref, map[string]attr.Value{}), diags)
}

func object(t types.ObjectType, m map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	v, d := types.ObjectValue(t.AttrTypes, m)
	diags.Append(d...)
	return v
}

func list(elem types.ObjectType, elems []attr.Value, diags *diag.Diagnostics) types.List {
	if elems == nil {
		elems = []attr.Value{}
	}
	v, d := types.ListValue(elem, elems)
	diags.Append(d...)
	return v
}

func set(elem types.ObjectType, elems []attr.Value, diags *diag.Diagnostics) types.Set {
	if elems == nil {
		elems = []attr.Value{}
	}
	v, d := types.SetValue(elem, elems)
	diags.Append(d...)
	return v
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func optInt(n *int) types.Int64 {
	if n == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*n))
}

func optBool(b *bool) types.Bool {
	if b == nil {
		return types.BoolNull()
	}
	return types.BoolValue(*b)
}

func optDegrees(s string) types.Float64 {
	if s == "" {
		return types.Float64Null()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return types.Float64Null()
	}
	return types.Float64Value(f)
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
