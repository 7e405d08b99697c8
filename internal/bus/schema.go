package bus

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// Defaults. They are framework defaults, so plans show them.
const (
	defaultMemorySize       = 256
	defaultTimeout          = 30
	defaultBatchSize        = 10
	defaultBatchingWindow   = 0
	defaultMaxConcurrency   = 10
	defaultArchitecture     = consumerzip.ArchARM64
	defaultLogLevel         = "info"
	defaultVisibility       = 6 * defaultTimeout
	defaultRetention        = 4 * 24 * 3600
	defaultMaxReceiveCount  = 5
	defaultDLQRetention     = 4 * 24 * 3600
	defaultAgeThreshold     = 300
	defaultTombstoneTTL     = "168h"
	defaultRedisTLS         = true
	minRetention            = 60
	maxRetention            = 14 * 24 * 3600
	maxVisibility           = 12 * 3600
	maxBatchSize            = 10000
	maxBatchingWindow       = 300
	minConcurrency          = 2
	maxConcurrency          = 1000
	minMemory               = 128
	maxMemory               = 10240
	maxTimeout              = 900
	maxMaxReceiveCount      = 1000
	advisedMaxReceiveCount  = 5
	visibilityPerTimeout    = 6
	batchWithoutWindowLimit = 10
	maxTags                 = 50 // per object, in SNS, SQS, IAM, Lambda and CloudWatch
)

var logLevels = []string{"debug", "info", "warn", "error"}

// maxNamespace is CloudWatch's limit on a namespace's length.
const maxNamespace = 255

// customNamespaceRE matches the namespaces CloudWatch accepts for custom
// metrics: not starting with ":" nor "AWS/" (reserved for AWS's own).
var customNamespaceRE = regexp.MustCompile(`^(?:[^:A]|A$|A[^W]|AW$|AW[^S]|AWS$|AWS[^/])`)

var subnetRE = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
var securityGroupRE = regexp.MustCompile(`^sg-[0-9a-f]+$`)

// busSchema is the regis_bus schema. It is built once; the model's object
// types are derived from it so that the two cannot disagree.
func busSchema(ctx context.Context) schema.Schema {
	return schema.Schema{
		Version: busSchemaVersion,
		MarkdownDescription: "A Regis replication bus: one SNS topic in the home region that services publish Redis commands to, " +
			"and in every region of `regions` an SQS queue (with a dead-letter queue) subscribed to the topic, " +
			"the bundled consumer Lambda applying the commands to that region's Redis, its IAM role, the event source mapping " +
			"(always with `ReportBatchItemFailures`) and CloudWatch alarms.\n\n" +
			"Adding a region is one more entry in `regions`: Terraform creates that region's objects and touches no other region. " +
			"Regions are created in parallel. The consumer is shipped inside the provider; nothing needs to be built.\n\n" +
			"`regions` is a map keyed by region name rather than a repeated block: a change to one region shows in the plan under " +
			"that region's key only, and adding or removing a region never shifts the others.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bus's name and home region, `<name>@<home_region>` (for example `hotels@ap-southeast-1`): what identifies the bus, and what `terraform import` takes (as does the topic's ARN).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the bus. It names every object: the topic and the queues `<name>`, the dead-letter queues `<name>-dlq`, " +
					"the functions `<name>-consumer`, the IAM roles `<name>-consumer-<region>` and the alarms `<name>-dlq-not-empty` and " +
					"`<name>-oldest-message-age`. Letters, digits, `-` and `_`; the IAM role names must fit in 64 characters, so with " +
					"`ap-southeast-1` the name can be at most 40 characters. Changing it replaces the bus.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, maxFunctionName-len(contract.FunctionSuffix))},
			},
			"home_region": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Region of the SNS topic, where services publish. Default: the provider's `region`. " +
					"It does not need to be one of `regions`. Changing it replaces the bus.",
				Validators: []validator.String{regionValidator{}},
			},
			"regions": schema.MapNestedAttribute{
				Required: true,
				MarkdownDescription: "The regions that receive the commands, keyed by region name (for example `\"ap-south-1\"`). " +
					"Each region gets a queue, a dead-letter queue, a subscription to the topic, the consumer function, its IAM role, " +
					"the event source mapping and alarms.",
				Validators: []validator.Map{mapvalidator.SizeAtLeast(1), mapvalidator.KeysAre(regionValidator{})},
				NestedObject: schema.NestedAttributeObject{
					Attributes: regionAttributes(),
				},
			},
			"kms_key_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Customer-managed KMS key for the topic and every queue: a key ARN, a key ID or an alias (`alias/regis`). " +
					"Because SQS queues can only use a key of their own region, use an alias that exists in every region, or a multi-region " +
					"key ID (`mrk-…`); a key ARN works only when all regions are that key's region. The key policy must let " +
					"`sns.amazonaws.com` use `kms:GenerateDataKey*` and `kms:Decrypt`, or SNS cannot deliver to the queues. " +
					"Default: none, the topic is encrypted with the AWS-managed key `alias/aws/sns` and the queues with SQS-managed " +
					"encryption (SSE-SQS).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"consumer_zip": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Your own consumer package instead of the bundled one: the path of a zip file holding a " +
					"`bootstrap` executable for `provided.al2023`, or its content in base64 (`filebase64(\"consumer.zip\")`). " +
					"The same zip is used in every region, whatever its `consumer.architecture`. Default: the consumer bundled in the " +
					"provider, for each region's architecture. A change of the zip's content updates the functions' code in place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"tombstone_ttl": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaultTombstoneTTL),
				MarkdownDescription: "Ordered mode only: how long a key's version (and the tombstone a `DEL` leaves) is kept after its last write, " +
					"as a duration such as `\"168h\"`. It must outlive any redelivery: longer than the queues' `message_retention`, and the " +
					"DLQ's if you redrive it. At least `1h`. Default: `\"" + defaultTombstoneTTL + "\"`.",
				Validators: []validator.String{durationValidator{}},
			},
			"tags": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "Tags for every object of the bus that takes tags (topic, queues, functions, roles, alarms), " +
					"merged over the provider's `default_tags`.",
				Validators: []validator.Map{
					mapvalidator.SizeAtMost(maxTags),
					mapvalidator.KeysAre(stringvalidator.LengthBetween(1, 128), tagKeyValidator{}),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(256)),
				},
			},
			"tags_all": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "`tags` merged over the provider's `default_tags`: the tags the objects carry.",
			},
			"topic_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the SNS topic to publish to (`regis.NewPublisher(client, topic_arn, …)`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func regionAttributes() map[string]schema.Attribute {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"redis": schema.SingleNestedAttribute{
			Required:            true,
			MarkdownDescription: "The region's Redis (ElastiCache or any Redis the function can reach).",
			Attributes: map[string]schema.Attribute{
				"endpoints": schema.ListAttribute{
					ElementType: types.StringType,
					Required:    true,
					MarkdownDescription: "`host:port` of the primary endpoint (cluster mode disabled) or of the configuration endpoint " +
						"(cluster mode enabled, Serverless); several seed nodes only with `cluster_mode`. For example " +
						"`[\"master.hotels.abc123.apse1.cache.amazonaws.com:6379\"]`.",
					Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(endpointValidator{})},
				},
				"cluster_mode": schema.BoolAttribute{
					Optional: true, Computed: true, Default: booldefault.StaticBool(false),
					MarkdownDescription: "`true` for a Redis cluster (ElastiCache cluster mode enabled, ElastiCache Serverless). Default: `false`.",
				},
				"tls": schema.BoolAttribute{
					Optional: true, Computed: true, Default: booldefault.StaticBool(defaultRedisTLS),
					MarkdownDescription: "Use in-transit encryption (TLS) to Redis. ElastiCache Serverless always needs it. Default: `true`.",
				},
				"auth_secret_arn": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "ARN of a Secrets Manager secret, in this region, holding the AUTH token: the token itself, or JSON " +
						"with `password` (and optionally `username`). The consumer reads it when it starts; the token is never in the " +
						"function's configuration nor in Terraform state. The role gets `secretsmanager:GetSecretValue` on this secret only; " +
						"if the secret is encrypted with a customer-managed key, let the role use `kms:Decrypt` in that key's policy.",
					Validators: []validator.String{secretARNValidator{}},
				},
				"username": schema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "ElastiCache RBAC user name (with `auth_secret_arn`). Default: the default user, or the `username` in the secret.",
					Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
				},
			},
		},
		"vpc": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Run the consumer in a VPC (needed for ElastiCache). The subnets must reach SQS and, with " +
				"`auth_secret_arn`, Secrets Manager (VPC endpoints or a NAT gateway). Default: no VPC.",
			Attributes: map[string]schema.Attribute{
				"subnet_ids": schema.SetAttribute{
					ElementType: types.StringType, Required: true,
					MarkdownDescription: "Subnets of the function's network interfaces, ideally one per availability zone.",
					Validators:          []validator.Set{setvalidator.SizeBetween(1, 16), setvalidator.ValueStringsAre(stringvalidator.RegexMatches(subnetRE, "must be a subnet ID such as subnet-0123456789abcdef0"))},
				},
				"security_group_ids": schema.SetAttribute{
					ElementType: types.StringType, Required: true,
					MarkdownDescription: "Security groups of the function; Redis must accept its port from them.",
					Validators:          []validator.Set{setvalidator.SizeBetween(1, 5), setvalidator.ValueStringsAre(stringvalidator.RegexMatches(securityGroupRE, "must be a security group ID such as sg-0123456789abcdef0"))},
				},
			},
		},
		"consumer": schema.SingleNestedAttribute{
			Optional: true, Computed: true,
			Default:             objectdefault.StaticValue(defaultConsumerObject()),
			MarkdownDescription: "The consumer function and its event source mapping.",
			Attributes: map[string]schema.Attribute{
				"memory_size": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultMemorySize),
					MarkdownDescription: fmt.Sprintf("Memory of the function in MB, %d–%d. Default: `%d`.", minMemory, maxMemory, defaultMemorySize),
					Validators:          []validator.Int64{int64validator.Between(minMemory, maxMemory)},
				},
				"timeout": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultTimeout),
					MarkdownDescription: fmt.Sprintf("Function timeout in seconds, 1–%d. The queue's `visibility_timeout` must be at least 6 times this. Default: `%d`.", maxTimeout, defaultTimeout),
					Validators:          []validator.Int64{int64validator.Between(1, maxTimeout)},
				},
				"batch_size": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultBatchSize),
					MarkdownDescription: fmt.Sprintf("Messages per invocation, 1–%d; above %d needs `batching_window` of at least 1. Default: `%d`.", maxBatchSize, batchWithoutWindowLimit, defaultBatchSize),
					Validators:          []validator.Int64{int64validator.Between(1, maxBatchSize)},
				},
				"batching_window": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultBatchingWindow),
					MarkdownDescription: fmt.Sprintf("Seconds Lambda waits to fill a batch, 0–%d (`MaximumBatchingWindowInSeconds`). Adds up to that much replication lag. Default: `%d`.", maxBatchingWindow, defaultBatchingWindow),
					Validators:          []validator.Int64{int64validator.Between(0, maxBatchingWindow)},
				},
				"max_concurrency": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultMaxConcurrency),
					MarkdownDescription: fmt.Sprintf("Most concurrent invocations the queue drives (`ScalingConfig.MaximumConcurrency`), %d–%d. Bounds the load on Redis after a backlog. Default: `%d`.", minConcurrency, maxConcurrency, defaultMaxConcurrency),
					Validators:          []validator.Int64{int64validator.Between(minConcurrency, maxConcurrency)},
				},
				"architecture": schema.StringAttribute{
					Optional: true, Computed: true, Default: stringdefault.StaticString(defaultArchitecture),
					MarkdownDescription: "`arm64` (Graviton, cheaper) or `x86_64`. The bundled consumer exists for both. Default: `arm64`.",
					Validators:          []validator.String{stringvalidator.OneOf(consumerzip.Architectures...)},
				},
				"ordered": schema.BoolAttribute{
					Optional: true, Computed: true, Default: booldefault.StaticBool(false),
					MarkdownDescription: "Ordered mode: apply a command only if its version is newer than the key's, so late or redelivered " +
						"messages cannot overwrite newer data. Publishers must then set `regis.Options.Ordered`. Default: `false`.",
				},
				"log_level": schema.StringAttribute{
					Optional: true, Computed: true, Default: stringdefault.StaticString(defaultLogLevel),
					MarkdownDescription: "Consumer log level: `debug`, `info`, `warn` or `error`. Default: `info`.",
					Validators:          []validator.String{stringvalidator.OneOf(logLevels...)},
				},
				"metrics_namespace": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "CloudWatch namespace of the consumer's metrics (`" + contract.EnvMetricsNamespace + "`). " +
						"Default: `" + contract.DefaultMetricsNamespace + "`.",
					Validators: []validator.String{
						stringvalidator.LengthBetween(1, maxNamespace),
						stringvalidator.RegexMatches(customNamespaceRE, `must be a custom CloudWatch namespace: not starting with "AWS/" (AWS's own) nor ":"`),
					},
				},
				"environment": schema.MapAttribute{
					ElementType: types.StringType, Optional: true, Computed: true,
					Default: mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
					MarkdownDescription: "Extra environment variables of the consumer, such as `SENTRY_DSN` (Sentry reporting) or `SSL_CERT_FILE`. " +
						"Names starting with `REGIS_` are the consumer's own configuration, which the bus sets from its arguments: they are " +
						"refused at plan, each with the argument that sets it (`REGIS_REDIS_TLS` → `redis.tls`, `REGIS_METRICS_NAMESPACE` → " +
						"`consumer.metrics_namespace`, …). Lambda's reserved variables are refused too.",
				},
			},
		},
		"queue": schema.SingleNestedAttribute{
			Optional: true, Computed: true,
			Default:             objectdefault.StaticValue(defaultQueueObject()),
			MarkdownDescription: "The region's SQS queue and dead-letter queue.",
			Attributes: map[string]schema.Attribute{
				"visibility_timeout": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultVisibility),
					MarkdownDescription: fmt.Sprintf("Seconds a received message stays invisible, at most %d; at least 6 times `consumer.timeout`, as AWS advises for Lambda. Default: `%d`.", maxVisibility, defaultVisibility),
					Validators:          []validator.Int64{int64validator.Between(0, maxVisibility)},
				},
				"message_retention": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultRetention),
					MarkdownDescription: fmt.Sprintf("Seconds the queue keeps a message, %d–%d. Default: `%d` (4 days).", minRetention, maxRetention, defaultRetention),
					Validators:          []validator.Int64{int64validator.Between(minRetention, maxRetention)},
				},
				"max_receive_count": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultMaxReceiveCount),
					MarkdownDescription: fmt.Sprintf("Receives after which SQS moves a message to the dead-letter queue, 1–%d. Below 5, a short Redis outage can dead-letter good messages. Default: `%d`.", maxMaxReceiveCount, defaultMaxReceiveCount),
					Validators:          []validator.Int64{int64validator.Between(1, maxMaxReceiveCount)},
				},
				"dlq_retention": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultDLQRetention),
					MarkdownDescription: fmt.Sprintf("Seconds the dead-letter queue keeps a message, %d–%d. Default: `%d` (4 days).", minRetention, maxRetention, defaultDLQRetention),
					Validators:          []validator.Int64{int64validator.Between(minRetention, maxRetention)},
				},
			},
		},
		"alarms": schema.SingleNestedAttribute{
			Optional: true, Computed: true,
			Default:             objectdefault.StaticValue(defaultAlarmsObject()),
			MarkdownDescription: "CloudWatch alarms of the region.",
			Attributes: map[string]schema.Attribute{
				"dlq_not_empty": schema.BoolAttribute{
					Optional: true, Computed: true, Default: booldefault.StaticBool(true),
					MarkdownDescription: "Alarm `<name>-dlq-not-empty` when the dead-letter queue holds any message. Default: `true`.",
				},
				"oldest_message_age_threshold": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(defaultAgeThreshold),
					MarkdownDescription: fmt.Sprintf("Alarm `<name>-oldest-message-age` when the oldest message of the queue is older than this many seconds: replication is lagging. `0` turns the alarm off. Default: `%d`.", defaultAgeThreshold),
					Validators:          []validator.Int64{int64validator.Between(0, maxRetention)},
				},
				"alarm_actions": schema.ListAttribute{
					ElementType: types.StringType, Optional: true, Computed: true,
					Default:             listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{})),
					MarkdownDescription: "ARNs notified when an alarm fires, such as an SNS topic of this region. Default: none.",
					Validators:          []validator.List{listvalidator.SizeAtMost(5), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(regexp.MustCompile(`^arn:`), "must be an ARN"))},
				},
			},
		},

		"queue_url":                     computedString("URL of the region's queue."),
		"queue_arn":                     computedString("ARN of the region's queue."),
		"dlq_url":                       computedString("URL of the region's dead-letter queue."),
		"dlq_arn":                       computedString("ARN of the region's dead-letter queue."),
		"subscription_arn":              computedString("ARN of the queue's subscription to the topic (it lives in the home region)."),
		"function_name":                 computedString("Name of the consumer function."),
		"function_arn":                  computedString("ARN of the consumer function."),
		"role_name":                     computedString("Name of the consumer's IAM role."),
		"role_arn":                      computedString("ARN of the consumer's IAM role."),
		"event_source_mapping_id":       computedString("UUID of the event source mapping from the queue to the function."),
		"dlq_alarm_name":                computedString("Name of the dead-letter queue alarm, when enabled."),
		"oldest_message_age_alarm_name": computedString("Name of the oldest-message-age alarm, when enabled."),
		"consumer_code_sha256":          computedString("SHA-256 (base64, as Lambda's `CodeSha256`) of the deployed consumer package."),
		"drift": schema.ListAttribute{
			ElementType: types.StringType, Computed: true,
			MarkdownDescription: "Differences found between the region's objects and what the bus defines that no argument shows " +
				"(for example `ReportBatchItemFailures` removed from the event source mapping, or the queue policy edited). " +
				"Empty when the region is as configured; otherwise the next apply repairs them.",
		},
	}
}

func defaultConsumerObject() types.Object {
	return types.ObjectValueMust(consumerAttrTypes, map[string]attr.Value{
		"memory_size":       types.Int64Value(defaultMemorySize),
		"timeout":           types.Int64Value(defaultTimeout),
		"batch_size":        types.Int64Value(defaultBatchSize),
		"batching_window":   types.Int64Value(defaultBatchingWindow),
		"max_concurrency":   types.Int64Value(defaultMaxConcurrency),
		"architecture":      types.StringValue(defaultArchitecture),
		"ordered":           types.BoolValue(false),
		"log_level":         types.StringValue(defaultLogLevel),
		"metrics_namespace": types.StringNull(),
		"environment":       types.MapValueMust(types.StringType, map[string]attr.Value{}),
	})
}

func defaultQueueObject() types.Object {
	return types.ObjectValueMust(queueAttrTypes, map[string]attr.Value{
		"visibility_timeout": types.Int64Value(defaultVisibility),
		"message_retention":  types.Int64Value(defaultRetention),
		"max_receive_count":  types.Int64Value(defaultMaxReceiveCount),
		"dlq_retention":      types.Int64Value(defaultDLQRetention),
	})
}

func defaultAlarmsObject() types.Object {
	return types.ObjectValueMust(alarmsAttrTypes, map[string]attr.Value{
		"dlq_not_empty":                types.BoolValue(true),
		"oldest_message_age_threshold": types.Int64Value(defaultAgeThreshold),
		"alarm_actions":                types.ListValueMust(types.StringType, []attr.Value{}),
	})
}
