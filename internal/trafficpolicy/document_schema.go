package trafficpolicy

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

// The typed HCL of a traffic policy document is described once, as a tree of
// fieldSpec and blockSpec, and turned into the resource schema (version
// resource) and the data source schema (document data source) by the two
// small converters at the end of this file. The Go models in document.go
// mirror the same tree.

type fieldKind int

const (
	kindString fieldKind = iota
	kindInt
	kindBool
	kindFloat
)

// fieldSpec is one attribute inside a document block.
type fieldSpec struct {
	name     string
	kind     fieldKind
	required bool
	desc     string
}

// blockSpec is a nested block: repeated (a list, or a set when set is
// true) or single.
type blockSpec struct {
	name   string
	single bool
	// set: the blocks have no order (endpoints and rules are keyed by their
	// id), so Terraform compares them by value, never by position.
	set    bool
	desc   string
	fields []fieldSpec
	blocks []blockSpec
}

func (k fieldKind) attrType() attr.Type {
	switch k {
	case kindInt:
		return types.Int64Type
	case kindBool:
		return types.BoolType
	case kindFloat:
		return types.Float64Type
	}
	return types.StringType
}

// objectType is the Terraform object type of one block.
func (b blockSpec) objectType() types.ObjectType {
	m := make(map[string]attr.Type, len(b.fields)+len(b.blocks))
	for _, f := range b.fields {
		m[f.name] = f.kind.attrType()
	}
	for _, nb := range b.blocks {
		switch {
		case nb.single:
			m[nb.name] = nb.objectType()
		case nb.set:
			m[nb.name] = types.SetType{ElemType: nb.objectType()}
		default:
			m[nb.name] = types.ListType{ElemType: nb.objectType()}
		}
	}
	return types.ObjectType{AttrTypes: m}
}

// ------------------------------------------------------------ the document

func ruleTypesList() string {
	var s []string
	for _, t := range trafficflow.RuleTypes() {
		s = append(s, "`"+string(t)+"`")
	}
	return strings.Join(s, ", ")
}

func endpointTypesList() string {
	var s []string
	for _, t := range trafficflow.EndpointTypes() {
		s = append(s, "`"+string(t)+"`")
	}
	return strings.Join(s, ", ")
}

func recordTypesList() string {
	var s []string
	for _, t := range trafficflow.RecordTypes() {
		s = append(s, "`"+string(t)+"`")
	}
	return strings.Join(s, ", ")
}

// referenceFields are what every item of every rule has: where it routes to
// and its health settings.
func referenceFields() []fieldSpec {
	return []fieldSpec{
		{name: "endpoint", kind: kindString, desc: "Id of the `endpoint` block this entry routes to. Set exactly one of `endpoint` and `rule`."},
		{name: "rule", kind: kindString, desc: "Id of the `rule` block this entry routes to (a nested rule; not in multivalue rules). Set exactly one of `endpoint` and `rule`."},
		{name: "health_check", kind: kindString, desc: "Id of a Route 53 health check (for example `regis_health_check.app.id`). While it fails, Route 53 does not answer with this entry."},
		{name: "evaluate_target_health", kind: kindBool, desc: "Also treat the entry as unhealthy when its target is: for a `rule`, when the nested rule has no healthy entry left; for an alias endpoint, when the load balancer (or other AWS resource) reports unhealthy targets. Not in multivalue rules."},
	}
}

var (
	endpointBlockSpec = blockSpec{
		name: "endpoint",
		set:  true,
		desc: "An endpoint the policy can answer with. Repeat the block for each endpoint, in any order; rules refer to it by `id`.",
		fields: []fieldSpec{
			{name: "id", kind: kindString, required: true, desc: "Id of the endpoint inside the policy, referenced by `start_endpoint` and by the `endpoint` argument of rule entries. Letters, digits, `-`, `_` and `.`."},
			{name: "type", kind: kindString, required: true, desc: "What `value` names: " + endpointTypesList() + ". Every type but `value` is an alias target and needs `record_type` `A` (or `AAAA`, except `s3-website`)."},
			{name: "value", kind: kindString, required: true, desc: "For `value`, the record data in the syntax of `record_type` (an IPv4 address for `A`, …); for the other types, the DNS name of the load balancer, CloudFront distribution, Elastic Beanstalk environment or S3 website bucket."},
			{name: "region", kind: kindString, desc: "AWS region of the bucket, for `s3-website` endpoints only."},
		},
	}

	itemBlockSpec = blockSpec{
		name: "item",
		desc: "An entry of a `weighted` or `multivalue` rule. In a weighted rule each item gets a share of lookups in proportion to its `weight`.",
		fields: append(referenceFields(),
			fieldSpec{name: "weight", kind: kindInt, desc: "Weighted rules: relative weight, 0–255 (required). An item with weight 0 only answers when every item with a non-zero weight is unhealthy. Multivalue rules: not allowed."}),
	}

	latencyRegionBlockSpec = blockSpec{
		name: "region",
		desc: "An entry of a `latency` rule: lookups go to the healthy entry whose `region` has the lowest latency from the client.",
		fields: append([]fieldSpec{
			{name: "region", kind: kindString, required: true, desc: "AWS region of the entry's resources, for example `ap-south-1`. Each region may appear once per rule."},
		}, referenceFields()...),
	}

	primaryBlockSpec = blockSpec{
		name:   "primary",
		single: true,
		desc:   "The primary of a `failover` rule: answers while it is healthy.",
		fields: referenceFields(),
	}

	secondaryBlockSpec = blockSpec{
		name:   "secondary",
		single: true,
		desc:   "The secondary of a `failover` rule: answers while the primary is unhealthy.",
		fields: referenceFields(),
	}

	locationBlockSpec = blockSpec{
		name: "location",
		desc: "An entry of a `geo` rule: the place the client is in. Set exactly one of `continent`, `country` (optionally with `subdivision`) and `is_default`.",
		fields: append([]fieldSpec{
			{name: "continent", kind: kindString, desc: "Continent code: `AF`, `AN`, `AS`, `EU`, `NA`, `OC` or `SA`."},
			{name: "country", kind: kindString, desc: "ISO 3166-1 alpha-2 country code such as `IN`, or `*` for the default location."},
			{name: "subdivision", kind: kindString, desc: "US state code (with `country = \"US\"`)."},
			{name: "is_default", kind: kindBool, desc: "`true` for the entry that answers clients no other entry matches. Without a default, such clients get no answer."},
		}, referenceFields()...),
	}

	geoproximityBlockSpec = blockSpec{
		name: "geoproximity_location",
		desc: "An entry of a `geoproximity` rule, placed at an AWS region or at coordinates; the client goes to the nearest healthy entry after `bias`.",
		fields: append([]fieldSpec{
			{name: "region", kind: kindString, desc: "AWS region code such as `ap-south-1` (written `aws:route53:ap-south-1` in the document; that spelling is accepted too). Set `region` or `latitude` and `longitude`."},
			{name: "latitude", kind: kindFloat, desc: "Latitude in decimal degrees, −90 to 90, at most two decimals."},
			{name: "longitude", kind: kindFloat, desc: "Longitude in decimal degrees, −180 to 180, at most two decimals."},
			{name: "bias", kind: kindInt, desc: "−99 to 99: a positive bias grows the area this entry serves, a negative one shrinks it."},
		}, referenceFields()...),
	}

	multivalueItemNote = " Multivalue items take `endpoint` and `health_check` only."

	ruleBlockSpec = blockSpec{
		name: "rule",
		set:  true,
		desc: "A routing rule. Repeat the block for each rule, in any order; `type` says which entry blocks it takes: " +
			"`item` for `weighted` and `multivalue`, `region` for `latency`, `primary` and `secondary` for `failover`, " +
			"`location` for `geo`, `geoproximity_location` for `geoproximity`.",
		fields: []fieldSpec{
			{name: "id", kind: kindString, required: true, desc: "Id of the rule inside the policy, referenced by `start_rule` and by the `rule` argument of other rules' entries."},
			{name: "type", kind: kindString, required: true, desc: "Routing policy of the rule: " + ruleTypesList() + "."},
		},
		blocks: []blockSpec{
			withDesc(itemBlockSpec, itemBlockSpec.desc+multivalueItemNote),
			latencyRegionBlockSpec,
			primaryBlockSpec,
			secondaryBlockSpec,
			locationBlockSpec,
			geoproximityBlockSpec,
		},
	}
)

func withDesc(b blockSpec, desc string) blockSpec {
	b.desc = desc
	return b
}

// Object types of the document's blocks, for building list values.
var (
	endpointObjectType     = endpointBlockSpec.objectType()
	ruleObjectType         = ruleBlockSpec.objectType()
	itemObjectType         = itemBlockSpec.objectType()
	latencyObjectType      = latencyRegionBlockSpec.objectType()
	failoverObjectType     = primaryBlockSpec.objectType()
	locationObjectType     = locationBlockSpec.objectType()
	geoproximityObjectType = geoproximityBlockSpec.objectType()
)

// Top-level argument descriptions.
const (
	recordTypeDesc    = "DNS type of every record the policy creates: "
	startRuleDesc     = "Id of the `rule` block where Route 53 starts evaluating the policy. Set exactly one of `start_rule` and `start_endpoint`."
	startEndpointDesc = "Id of the `endpoint` block that answers every lookup, for a policy without rules. Set exactly one of `start_rule` and `start_endpoint`."
)

// ----------------------------------------------------- resource schema form

// documentResourceAttributes returns record_type, start_rule and
// start_endpoint for the version resource. record_type is also computed there,
// because the `document` JSON alternative carries its own.
func documentResourceAttributes() map[string]rschema.Attribute {
	return map[string]rschema.Attribute{
		"record_type": rschema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: recordTypeDesc + recordTypesList() + ". Required with the typed blocks; computed from `document` when that is used.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"start_rule": rschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: startRuleDesc,
		},
		"start_endpoint": rschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: startEndpointDesc,
		},
	}
}

func documentResourceBlocks() map[string]rschema.Block {
	return map[string]rschema.Block{
		endpointBlockSpec.name: resourceBlock(endpointBlockSpec),
		ruleBlockSpec.name:     resourceBlock(ruleBlockSpec),
	}
}

func resourceBlock(b blockSpec) rschema.Block {
	attrs := map[string]rschema.Attribute{}
	for _, f := range b.fields {
		attrs[f.name] = resourceField(f)
	}
	var blocks map[string]rschema.Block
	if len(b.blocks) > 0 {
		blocks = map[string]rschema.Block{}
		for _, nb := range b.blocks {
			blocks[nb.name] = resourceBlock(nb)
		}
	}
	if b.single {
		return rschema.SingleNestedBlock{MarkdownDescription: b.desc, Attributes: attrs, Blocks: blocks}
	}
	if b.set {
		return rschema.SetNestedBlock{
			MarkdownDescription: b.desc,
			NestedObject:        rschema.NestedBlockObject{Attributes: attrs, Blocks: blocks},
		}
	}
	return rschema.ListNestedBlock{
		MarkdownDescription: b.desc,
		NestedObject:        rschema.NestedBlockObject{Attributes: attrs, Blocks: blocks},
	}
}

func resourceField(f fieldSpec) rschema.Attribute {
	// Required fields only occur in repeated blocks (ids, types, values and
	// latency regions), where Terraform reports a missing one with its block.
	req, opt := f.required, !f.required
	switch f.kind {
	case kindInt:
		return rschema.Int64Attribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	case kindBool:
		return rschema.BoolAttribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	case kindFloat:
		return rschema.Float64Attribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	}
	return rschema.StringAttribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
}

// -------------------------------------------------- data source schema form

func documentDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"record_type": dsschema.StringAttribute{
			Required:            true,
			MarkdownDescription: recordTypeDesc + recordTypesList() + ".",
		},
		"start_rule": dsschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: startRuleDesc,
		},
		"start_endpoint": dsschema.StringAttribute{
			Optional:            true,
			MarkdownDescription: startEndpointDesc,
		},
	}
}

func documentDataSourceBlocks() map[string]dsschema.Block {
	return map[string]dsschema.Block{
		endpointBlockSpec.name: dataSourceBlock(endpointBlockSpec),
		ruleBlockSpec.name:     dataSourceBlock(ruleBlockSpec),
	}
}

func dataSourceBlock(b blockSpec) dsschema.Block {
	attrs := map[string]dsschema.Attribute{}
	for _, f := range b.fields {
		attrs[f.name] = dataSourceField(f)
	}
	var blocks map[string]dsschema.Block
	if len(b.blocks) > 0 {
		blocks = map[string]dsschema.Block{}
		for _, nb := range b.blocks {
			blocks[nb.name] = dataSourceBlock(nb)
		}
	}
	if b.single {
		return dsschema.SingleNestedBlock{MarkdownDescription: b.desc, Attributes: attrs, Blocks: blocks}
	}
	if b.set {
		return dsschema.SetNestedBlock{
			MarkdownDescription: b.desc,
			NestedObject:        dsschema.NestedBlockObject{Attributes: attrs, Blocks: blocks},
		}
	}
	return dsschema.ListNestedBlock{
		MarkdownDescription: b.desc,
		NestedObject:        dsschema.NestedBlockObject{Attributes: attrs, Blocks: blocks},
	}
}

func dataSourceField(f fieldSpec) dsschema.Attribute {
	req, opt := f.required, !f.required
	switch f.kind {
	case kindInt:
		return dsschema.Int64Attribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	case kindBool:
		return dsschema.BoolAttribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	case kindFloat:
		return dsschema.Float64Attribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
	}
	return dsschema.StringAttribute{Required: req, Optional: opt, MarkdownDescription: f.desc}
}

// blockNames are the HCL names of the lists of a rule, by the AWS name.
var blockNames = map[string]string{
	"Items":                 itemBlockSpec.name,
	"Regions":               latencyRegionBlockSpec.name,
	"Primary":               primaryBlockSpec.name,
	"Secondary":             secondaryBlockSpec.name,
	"Locations":             locationBlockSpec.name,
	"GeoproximityLocations": geoproximityBlockSpec.name,
	"Endpoints":             endpointBlockSpec.name,
	"Rules":                 ruleBlockSpec.name,
}

// fieldNames are the HCL names of AWS's document fields.
var fieldNames = map[string]string{
	"EndpointReference":    "endpoint",
	"RuleReference":        "rule",
	"HealthCheck":          "health_check",
	"EvaluateTargetHealth": "evaluate_target_health",
	"Weight":               "weight",
	"Region":               "region",
	"Continent":            "continent",
	"Country":              "country",
	"Subdivision":          "subdivision",
	"IsDefault":            "is_default",
	"Latitude":             "latitude",
	"Longitude":            "longitude",
	"Bias":                 "bias",
	"RuleType":             "type",
	"Type":                 "type",
	"Value":                "value",
	"RecordType":           "record_type",
	"StartRule":            "start_rule",
	"StartEndpoint":        "start_endpoint",
}

func init() {
	// Every HCL name used for diagnostics must exist in the specification.
	names := map[string]bool{"record_type": true, "start_rule": true, "start_endpoint": true}
	var walk func(b blockSpec)
	walk = func(b blockSpec) {
		names[b.name] = true
		for _, f := range b.fields {
			names[f.name] = true
		}
		for _, nb := range b.blocks {
			walk(nb)
		}
	}
	walk(endpointBlockSpec)
	walk(ruleBlockSpec)
	for aws, hcl := range fieldNames {
		if !names[hcl] {
			panic(fmt.Sprintf("trafficpolicy: field %s maps to unknown HCL name %s", aws, hcl))
		}
	}
	for aws, hcl := range blockNames {
		if !names[hcl] {
			panic(fmt.Sprintf("trafficpolicy: list %s maps to unknown HCL name %s", aws, hcl))
		}
	}
}
