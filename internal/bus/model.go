package bus

import (
	"context"
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// busResourceModel is the regis_bus resource.
type busResourceModel struct {
	ID           types.String   `tfsdk:"id"`
	Name         types.String   `tfsdk:"name"`
	HomeRegion   types.String   `tfsdk:"home_region"`
	Regions      types.Map      `tfsdk:"regions"`
	KMSKeyID     types.String   `tfsdk:"kms_key_id"`
	ConsumerZip  types.String   `tfsdk:"consumer_zip"`
	TombstoneTTL types.String   `tfsdk:"tombstone_ttl"`
	Tags         types.Map      `tfsdk:"tags"`
	TagsAll      types.Map      `tfsdk:"tags_all"`
	TopicARN     types.String   `tfsdk:"topic_arn"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// regionModel is one element of regions.
type regionModel struct {
	Redis    types.Object `tfsdk:"redis"`
	VPC      types.Object `tfsdk:"vpc"`
	Consumer types.Object `tfsdk:"consumer"`
	Queue    types.Object `tfsdk:"queue"`
	Alarms   types.Object `tfsdk:"alarms"`

	QueueURL             types.String `tfsdk:"queue_url"`
	QueueARN             types.String `tfsdk:"queue_arn"`
	DLQURL               types.String `tfsdk:"dlq_url"`
	DLQARN               types.String `tfsdk:"dlq_arn"`
	SubscriptionARN      types.String `tfsdk:"subscription_arn"`
	FunctionName         types.String `tfsdk:"function_name"`
	FunctionARN          types.String `tfsdk:"function_arn"`
	RoleName             types.String `tfsdk:"role_name"`
	RoleARN              types.String `tfsdk:"role_arn"`
	EventSourceMappingID types.String `tfsdk:"event_source_mapping_id"`
	DLQAlarmName         types.String `tfsdk:"dlq_alarm_name"`
	AgeAlarmName         types.String `tfsdk:"oldest_message_age_alarm_name"`
	ConsumerCodeSHA256   types.String `tfsdk:"consumer_code_sha256"`
	Drift                types.List   `tfsdk:"drift"`
}

type redisModel struct {
	Endpoints     types.List   `tfsdk:"endpoints"`
	ClusterMode   types.Bool   `tfsdk:"cluster_mode"`
	TLS           types.Bool   `tfsdk:"tls"`
	AuthSecretARN types.String `tfsdk:"auth_secret_arn"`
	Username      types.String `tfsdk:"username"`
}

type vpcModel struct {
	SubnetIDs        types.Set `tfsdk:"subnet_ids"`
	SecurityGroupIDs types.Set `tfsdk:"security_group_ids"`
}

type consumerModel struct {
	MemorySize     types.Int64  `tfsdk:"memory_size"`
	Timeout        types.Int64  `tfsdk:"timeout"`
	BatchSize      types.Int64  `tfsdk:"batch_size"`
	BatchingWindow types.Int64  `tfsdk:"batching_window"`
	MaxConcurrency types.Int64  `tfsdk:"max_concurrency"`
	Architecture   types.String `tfsdk:"architecture"`
	Ordered        types.Bool   `tfsdk:"ordered"`
	LogLevel       types.String `tfsdk:"log_level"`
	MetricsNS      types.String `tfsdk:"metrics_namespace"`
	Environment    types.Map    `tfsdk:"environment"`
}

type queueModel struct {
	VisibilityTimeout types.Int64 `tfsdk:"visibility_timeout"`
	MessageRetention  types.Int64 `tfsdk:"message_retention"`
	MaxReceiveCount   types.Int64 `tfsdk:"max_receive_count"`
	DLQRetention      types.Int64 `tfsdk:"dlq_retention"`
}

type alarmsModel struct {
	DLQNotEmpty  types.Bool  `tfsdk:"dlq_not_empty"`
	AgeThreshold types.Int64 `tfsdk:"oldest_message_age_threshold"`
	AlarmActions types.List  `tfsdk:"alarm_actions"`
}

// Object types of the nested attributes. schema_test checks that they match
// the schema.
var (
	stringList = types.ListType{ElemType: types.StringType}
	stringSet  = types.SetType{ElemType: types.StringType}
	stringMap  = types.MapType{ElemType: types.StringType}

	redisAttrTypes = map[string]attr.Type{
		"endpoints":       stringList,
		"cluster_mode":    types.BoolType,
		"tls":             types.BoolType,
		"auth_secret_arn": types.StringType,
		"username":        types.StringType,
	}
	vpcAttrTypes = map[string]attr.Type{
		"subnet_ids":         stringSet,
		"security_group_ids": stringSet,
	}
	consumerAttrTypes = map[string]attr.Type{
		"memory_size":       types.Int64Type,
		"timeout":           types.Int64Type,
		"batch_size":        types.Int64Type,
		"batching_window":   types.Int64Type,
		"max_concurrency":   types.Int64Type,
		"architecture":      types.StringType,
		"ordered":           types.BoolType,
		"log_level":         types.StringType,
		"metrics_namespace": types.StringType,
		"environment":       stringMap,
	}
	queueAttrTypes = map[string]attr.Type{
		"visibility_timeout": types.Int64Type,
		"message_retention":  types.Int64Type,
		"max_receive_count":  types.Int64Type,
		"dlq_retention":      types.Int64Type,
	}
	alarmsAttrTypes = map[string]attr.Type{
		"dlq_not_empty":                types.BoolType,
		"oldest_message_age_threshold": types.Int64Type,
		"alarm_actions":                stringList,
	}
	regionAttrTypes = map[string]attr.Type{
		"redis":                         types.ObjectType{AttrTypes: redisAttrTypes},
		"vpc":                           types.ObjectType{AttrTypes: vpcAttrTypes},
		"consumer":                      types.ObjectType{AttrTypes: consumerAttrTypes},
		"queue":                         types.ObjectType{AttrTypes: queueAttrTypes},
		"alarms":                        types.ObjectType{AttrTypes: alarmsAttrTypes},
		"queue_url":                     types.StringType,
		"queue_arn":                     types.StringType,
		"dlq_url":                       types.StringType,
		"dlq_arn":                       types.StringType,
		"subscription_arn":              types.StringType,
		"function_name":                 types.StringType,
		"function_arn":                  types.StringType,
		"role_name":                     types.StringType,
		"role_arn":                      types.StringType,
		"event_source_mapping_id":       types.StringType,
		"dlq_alarm_name":                types.StringType,
		"oldest_message_age_alarm_name": types.StringType,
		"consumer_code_sha256":          types.StringType,
		"drift":                         stringList,
	}
	regionObjectType = types.ObjectType{AttrTypes: regionAttrTypes}
)

// -------------------------------------------------------------------- spec

// busSpec is the desired bus in Go terms, every value known.
type busSpec struct {
	Name         string
	HomeRegion   string
	KMSKeyID     string // "" for the AWS-managed defaults
	TombstoneTTL string
	// Tags are tags_all: default tags merged with the resource's.
	Tags    map[string]string
	Regions map[string]*regionSpec
	// UserZip is consumer_zip, or "" for the bundled consumer.
	UserZip string
}

func (b *busSpec) regionNames() []string {
	return slices.Sorted(maps.Keys(b.Regions))
}

type regionSpec struct {
	Region   string
	Redis    redisSpec
	VPC      *vpcSpec
	Consumer consumerSpec
	Queue    queueSpec
	Alarms   alarmsSpec
}

type redisSpec struct {
	Endpoints     []string
	Cluster       bool
	TLS           bool
	AuthSecretARN string
	Username      string
}

type vpcSpec struct {
	SubnetIDs        []string // sorted
	SecurityGroupIDs []string // sorted
}

type consumerSpec struct {
	MemorySize     int64
	Timeout        int64
	BatchSize      int64
	BatchingWindow int64
	MaxConcurrency int64
	Architecture   string
	Ordered        bool
	LogLevel       string
	// MetricsNamespace is "" for the consumer's default.
	MetricsNamespace string
	Environment      map[string]string
}

type queueSpec struct {
	VisibilityTimeout int64
	MessageRetention  int64
	MaxReceiveCount   int64
	DLQRetention      int64
}

type alarmsSpec struct {
	DLQNotEmpty  bool
	AgeThreshold int64
	AlarmActions []string
}

// regionIDs are the identifiers of a region's objects. A field is set as
// soon as the object exists and cleared as soon as it is gone, so that the
// state written after a failure records exactly what exists.
type regionIDs struct {
	QueueURL, QueueARN string
	DLQURL, DLQARN     string
	SubscriptionARN    string
	RoleName, RoleARN  string
	FunctionName       string
	FunctionARN        string
	CodeSHA256         string
	MappingUUID        string
	DLQAlarm, AgeAlarm string
}

func (ids *regionIDs) empty() bool { return *ids == regionIDs{} }

// ----------------------------------------------------------- model → spec

var asOpts = basetypes.ObjectAsOptions{}

// lenient decodes objects whose attributes may be null or unknown.
var lenient = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// regionModels decodes the regions map. Values may be unknown (plan time):
// a region whose whole object is unknown is left out.
func regionModels(ctx context.Context, m types.Map) (map[string]regionModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := map[string]regionModel{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	for k, v := range m.Elements() {
		obj, ok := v.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		var rm regionModel
		diags.Append(obj.As(ctx, &rm, lenient)...)
		out[k] = rm
	}
	return out, diags
}

// specFromModel builds the desired bus from a plan whose values are all
// known (Create and Update).
func specFromModel(ctx context.Context, m busResourceModel, tagsAll map[string]string) (*busSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	spec := &busSpec{
		Name:         m.Name.ValueString(),
		HomeRegion:   m.HomeRegion.ValueString(),
		KMSKeyID:     m.KMSKeyID.ValueString(),
		TombstoneTTL: m.TombstoneTTL.ValueString(),
		Tags:         tagsAll,
		UserZip:      m.ConsumerZip.ValueString(),
		Regions:      map[string]*regionSpec{},
	}
	regions, d := regionModels(ctx, m.Regions)
	diags.Append(d...)
	for name, rm := range regions {
		rs, d := regionSpecFromModel(ctx, name, rm)
		diags.Append(d...)
		if rs != nil {
			spec.Regions[name] = rs
		}
	}
	return spec, diags
}

func regionSpecFromModel(ctx context.Context, region string, rm regionModel) (*regionSpec, diag.Diagnostics) {
	var diags diag.Diagnostics
	rs := &regionSpec{Region: region}

	var redis redisModel
	diags.Append(rm.Redis.As(ctx, &redis, asOpts)...)
	var consumer consumerModel
	diags.Append(rm.Consumer.As(ctx, &consumer, asOpts)...)
	var queue queueModel
	diags.Append(rm.Queue.As(ctx, &queue, asOpts)...)
	var alarms alarmsModel
	diags.Append(rm.Alarms.As(ctx, &alarms, asOpts)...)
	if diags.HasError() {
		return nil, diags
	}
	diags.Append(redis.Endpoints.ElementsAs(ctx, &rs.Redis.Endpoints, false)...)
	rs.Redis.Cluster = redis.ClusterMode.ValueBool()
	rs.Redis.TLS = redis.TLS.ValueBool()
	rs.Redis.AuthSecretARN = redis.AuthSecretARN.ValueString()
	rs.Redis.Username = redis.Username.ValueString()

	if !rm.VPC.IsNull() {
		var vpc vpcModel
		diags.Append(rm.VPC.As(ctx, &vpc, asOpts)...)
		rs.VPC = &vpcSpec{}
		diags.Append(vpc.SubnetIDs.ElementsAs(ctx, &rs.VPC.SubnetIDs, false)...)
		diags.Append(vpc.SecurityGroupIDs.ElementsAs(ctx, &rs.VPC.SecurityGroupIDs, false)...)
		sort.Strings(rs.VPC.SubnetIDs)
		sort.Strings(rs.VPC.SecurityGroupIDs)
	}

	rs.Consumer = consumerSpec{
		MemorySize:       consumer.MemorySize.ValueInt64(),
		Timeout:          consumer.Timeout.ValueInt64(),
		BatchSize:        consumer.BatchSize.ValueInt64(),
		BatchingWindow:   consumer.BatchingWindow.ValueInt64(),
		MaxConcurrency:   consumer.MaxConcurrency.ValueInt64(),
		Architecture:     consumer.Architecture.ValueString(),
		Ordered:          consumer.Ordered.ValueBool(),
		LogLevel:         consumer.LogLevel.ValueString(),
		MetricsNamespace: consumer.MetricsNS.ValueString(),
		Environment:      map[string]string{},
	}
	if !consumer.Environment.IsNull() {
		diags.Append(consumer.Environment.ElementsAs(ctx, &rs.Consumer.Environment, false)...)
	}
	rs.Queue = queueSpec{
		VisibilityTimeout: queue.VisibilityTimeout.ValueInt64(),
		MessageRetention:  queue.MessageRetention.ValueInt64(),
		MaxReceiveCount:   queue.MaxReceiveCount.ValueInt64(),
		DLQRetention:      queue.DLQRetention.ValueInt64(),
	}
	rs.Alarms = alarmsSpec{
		DLQNotEmpty:  alarms.DLQNotEmpty.ValueBool(),
		AgeThreshold: alarms.AgeThreshold.ValueInt64(),
		AlarmActions: []string{},
	}
	if !alarms.AlarmActions.IsNull() {
		diags.Append(alarms.AlarmActions.ElementsAs(ctx, &rs.Alarms.AlarmActions, false)...)
	}
	return rs, diags
}

// ----------------------------------------------------------- spec → model

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringListValue(v []string) types.List {
	elems := make([]attr.Value, len(v))
	for i, s := range v {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}

func stringSetValue(v []string) types.Set {
	elems := make([]attr.Value, len(v))
	for i, s := range v {
		elems[i] = types.StringValue(s)
	}
	return types.SetValueMust(types.StringType, elems)
}

func stringMapValue(v map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(v))
	for k, s := range v {
		elems[k] = types.StringValue(s)
	}
	return types.MapValueMust(types.StringType, elems)
}

// configObjects renders a region's arguments.
func (rs *regionSpec) configObjects() (redis, vpc, consumer, queue, alarms types.Object) {
	redis = types.ObjectValueMust(redisAttrTypes, map[string]attr.Value{
		"endpoints":       stringListValue(rs.Redis.Endpoints),
		"cluster_mode":    types.BoolValue(rs.Redis.Cluster),
		"tls":             types.BoolValue(rs.Redis.TLS),
		"auth_secret_arn": stringOrNull(rs.Redis.AuthSecretARN),
		"username":        stringOrNull(rs.Redis.Username),
	})
	vpc = types.ObjectNull(vpcAttrTypes)
	if rs.VPC != nil {
		vpc = types.ObjectValueMust(vpcAttrTypes, map[string]attr.Value{
			"subnet_ids":         stringSetValue(rs.VPC.SubnetIDs),
			"security_group_ids": stringSetValue(rs.VPC.SecurityGroupIDs),
		})
	}
	env := rs.Consumer.Environment
	if env == nil {
		env = map[string]string{}
	}
	consumer = types.ObjectValueMust(consumerAttrTypes, map[string]attr.Value{
		"memory_size":       types.Int64Value(rs.Consumer.MemorySize),
		"timeout":           types.Int64Value(rs.Consumer.Timeout),
		"batch_size":        types.Int64Value(rs.Consumer.BatchSize),
		"batching_window":   types.Int64Value(rs.Consumer.BatchingWindow),
		"max_concurrency":   types.Int64Value(rs.Consumer.MaxConcurrency),
		"architecture":      types.StringValue(rs.Consumer.Architecture),
		"ordered":           types.BoolValue(rs.Consumer.Ordered),
		"log_level":         types.StringValue(rs.Consumer.LogLevel),
		"metrics_namespace": stringOrNull(rs.Consumer.MetricsNamespace),
		"environment":       stringMapValue(env),
	})
	queue = types.ObjectValueMust(queueAttrTypes, map[string]attr.Value{
		"visibility_timeout": types.Int64Value(rs.Queue.VisibilityTimeout),
		"message_retention":  types.Int64Value(rs.Queue.MessageRetention),
		"max_receive_count":  types.Int64Value(rs.Queue.MaxReceiveCount),
		"dlq_retention":      types.Int64Value(rs.Queue.DLQRetention),
	})
	actions := rs.Alarms.AlarmActions
	if actions == nil {
		actions = []string{}
	}
	alarms = types.ObjectValueMust(alarmsAttrTypes, map[string]attr.Value{
		"dlq_not_empty":                types.BoolValue(rs.Alarms.DLQNotEmpty),
		"oldest_message_age_threshold": types.Int64Value(rs.Alarms.AgeThreshold),
		"alarm_actions":                stringListValue(actions),
	})
	return
}

// regionValue renders a region for state: its arguments, the ids of what
// exists and the drift found.
func regionValue(rs *regionSpec, ids *regionIDs, drift []string) types.Object {
	redis, vpc, consumer, queue, alarms := rs.configObjects()
	if drift == nil {
		drift = []string{}
	}
	return types.ObjectValueMust(regionAttrTypes, map[string]attr.Value{
		"redis":                         redis,
		"vpc":                           vpc,
		"consumer":                      consumer,
		"queue":                         queue,
		"alarms":                        alarms,
		"queue_url":                     stringOrNull(ids.QueueURL),
		"queue_arn":                     stringOrNull(ids.QueueARN),
		"dlq_url":                       stringOrNull(ids.DLQURL),
		"dlq_arn":                       stringOrNull(ids.DLQARN),
		"subscription_arn":              stringOrNull(ids.SubscriptionARN),
		"function_name":                 stringOrNull(ids.FunctionName),
		"function_arn":                  stringOrNull(ids.FunctionARN),
		"role_name":                     stringOrNull(ids.RoleName),
		"role_arn":                      stringOrNull(ids.RoleARN),
		"event_source_mapping_id":       stringOrNull(ids.MappingUUID),
		"dlq_alarm_name":                stringOrNull(ids.DLQAlarm),
		"oldest_message_age_alarm_name": stringOrNull(ids.AgeAlarm),
		"consumer_code_sha256":          stringOrNull(ids.CodeSHA256),
		"drift":                         stringListValue(drift),
	})
}

// idsFromModel reads the ids recorded in a state region.
func idsFromModel(rm regionModel) *regionIDs {
	return &regionIDs{
		QueueURL:        rm.QueueURL.ValueString(),
		QueueARN:        rm.QueueARN.ValueString(),
		DLQURL:          rm.DLQURL.ValueString(),
		DLQARN:          rm.DLQARN.ValueString(),
		SubscriptionARN: rm.SubscriptionARN.ValueString(),
		RoleName:        rm.RoleName.ValueString(),
		RoleARN:         rm.RoleARN.ValueString(),
		FunctionName:    rm.FunctionName.ValueString(),
		FunctionARN:     rm.FunctionARN.ValueString(),
		CodeSHA256:      rm.ConsumerCodeSHA256.ValueString(),
		MappingUUID:     rm.EventSourceMappingID.ValueString(),
		DLQAlarm:        rm.DLQAlarmName.ValueString(),
		AgeAlarm:        rm.AgeAlarmName.ValueString(),
	}
}

func mapOf(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

func regionsMapValue(regions map[string]types.Object) types.Map {
	elems := make(map[string]attr.Value, len(regions))
	for k, v := range regions {
		elems[k] = v
	}
	return types.MapValueMust(regionObjectType, elems)
}

func errorSummary(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
