################################################################################
# Naming and tagging
################################################################################

variable "name" {
  description = "Name of what the bus replicates, for example `hotels`. The bus is named `<namespace>-<environment>-<name>` (empty parts left out), and that name is given to every object: the topic and queues `<bus>`, the dead-letter queues `<bus>-dlq`, the functions `<bus>-consumer`, the IAM roles `<bus>-consumer-<region>` and the alarms `<bus>-dlq-not-empty` and `<bus>-oldest-message-age`. The whole bus name must leave room for the role names (64 characters): at most 54 minus the longest region code, 40 characters with `ap-southeast-1`. Changing it (or `namespace`, `environment`) replaces the bus."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.name))
    error_message = "name must be letters, digits, '-' or '_', starting with a letter or digit, because it names SNS topics, SQS queues, Lambda functions and IAM roles (got \"${var.name}\")."
  }
}

variable "namespace" {
  description = "Optional prefix of the bus name, such as your organisation or team (`acme`). Empty: no prefix."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.namespace == "" || can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.namespace))
    error_message = "namespace must be letters, digits, '-' or '_', starting with a letter or digit, or empty (got \"${var.namespace}\")."
  }
}

variable "environment" {
  description = "Optional environment, such as `prod` or `staging`. It goes into the bus name (`<namespace>-<environment>-<name>`) and into the `Environment` tag. Empty: neither."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.environment == "" || can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.environment))
    error_message = "environment must be letters, digits, '-' or '_', starting with a letter or digit, or empty (got \"${var.environment}\")."
  }
}

variable "tags" {
  description = "Tags of every object of the bus that takes tags (topic, queues, functions, roles, alarms). They are merged over the module's standard tags (`Name`, `Environment`, `regis:bus`, `regis:module`) and win over them; the provider's `default_tags` apply below both."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256])
    error_message = "tags keys must be 1 to 128 characters and values at most 256 characters; wrong: ${join(", ", [for k, v in var.tags : k if !(length(k) >= 1 && length(k) <= 128 && length(v) <= 256)])}."
  }
}

################################################################################
# Regions
################################################################################

variable "home_region" {
  description = "Region of the SNS topic, where services publish. `null`: the provider's `region`. It need not be one of `regions`. Changing it replaces the bus."
  type        = string
  default     = null

  validation {
    condition     = var.home_region == null ? true : can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$", var.home_region))
    error_message = "home_region must be an AWS region code such as \"ap-southeast-1\" (got \"${coalesce(var.home_region, "null")}\")."
  }
}

variable "regions" {
  description = <<-EOT
    The regions that receive the commands: region code → that region's Redis and network. Each region gets a queue, a dead-letter queue, the consumer function, its IAM role, the event source mapping and the alarms. Adding or removing an entry touches no other region.

    - `redis_endpoints`: `host:port` of the primary endpoint (cluster mode disabled), or of the configuration endpoint (cluster mode, ElastiCache Serverless); several seed nodes only with `cluster_mode`.
    - `cluster_mode` (default `false`), `tls` (in-transit encryption, default `true`).
    - `auth_secret_arn`: Secrets Manager secret, in this region, holding the AUTH token (or JSON with `password` and optionally `username`). The token never reaches Terraform.
    - `redis_username`: ElastiCache RBAC user (with `auth_secret_arn`).
    - `subnet_ids`, `security_group_ids`: run the consumer in these subnets (needed to reach ElastiCache). Both or neither. The subnets must reach SQS and, with a secret, Secrets Manager.
    - `ordered` (default `false`): ordered mode, which needs publishers to set `regis.Options.Ordered`.
    - `overrides`: this region's value of any of the module-wide consumer, queue and alarm settings (`architecture`, `memory_size`, `timeout`, `batch_size`, `batching_window`, `max_concurrency`, `log_level`, `environment` (merged over `consumer_environment`), `visibility_timeout`, `message_retention`, `max_receive_count`, `dlq_retention`, `dlq_not_empty_alarm`, `oldest_message_age_alarm_threshold`, `alarm_actions` (replaces the actions routed from `alarm_actions`)).
  EOT
  type = map(object({
    redis_endpoints    = list(string)
    cluster_mode       = optional(bool, false)
    tls                = optional(bool, true)
    auth_secret_arn    = optional(string)
    redis_username     = optional(string)
    subnet_ids         = optional(list(string), [])
    security_group_ids = optional(list(string), [])
    ordered            = optional(bool, false)
    overrides = optional(object({
      architecture                       = optional(string)
      memory_size                        = optional(number)
      timeout                            = optional(number)
      batch_size                         = optional(number)
      batching_window                    = optional(number)
      max_concurrency                    = optional(number)
      log_level                          = optional(string)
      environment                        = optional(map(string))
      visibility_timeout                 = optional(number)
      message_retention                  = optional(number)
      max_receive_count                  = optional(number)
      dlq_retention                      = optional(number)
      dlq_not_empty_alarm                = optional(bool)
      oldest_message_age_alarm_threshold = optional(number)
      alarm_actions                      = optional(list(string))
    }), {})
  }))
  nullable = false

  validation {
    condition     = length(var.regions) > 0
    error_message = "regions must hold at least one region, for example { \"ap-southeast-1\" = { redis_endpoints = [\"master.hotels.abc123.apse1.cache.amazonaws.com:6379\"] } }."
  }

  validation {
    condition     = alltrue([for r in keys(var.regions) : can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$", r))])
    error_message = "regions must be keyed by AWS region code such as \"ap-south-1\"; not region codes: ${join(", ", [for r in keys(var.regions) : "\"${r}\"" if !can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$", r))])}."
  }

  # Redis.
  validation {
    condition = alltrue(flatten([for r, c in var.regions : [length(c.redis_endpoints) > 0, [
      for e in c.redis_endpoints : can(regex("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}$", e)) && try(tonumber(regex("[0-9]+$", e)) >= 1 && tonumber(regex("[0-9]+$", e)) <= 65535, false)
    ]]]))
    error_message = "regions[*].redis_endpoints must list at least one endpoint, each written host:port without a scheme, for example \"master.hotels.abc123.apse1.cache.amazonaws.com:6379\" (set tls = true rather than writing rediss://); wrong in: ${join(", ", [for r, c in var.regions : r if !alltrue(concat([length(c.redis_endpoints) > 0], [for e in c.redis_endpoints : can(regex("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):[0-9]{1,5}$", e)) && try(tonumber(regex("[0-9]+$", e)) >= 1 && tonumber(regex("[0-9]+$", e)) <= 65535, false)]))])}."
  }

  validation {
    condition     = alltrue([for c in values(var.regions) : length(c.redis_endpoints) <= 1 || c.cluster_mode])
    error_message = "regions[*].redis_endpoints may list several endpoints (seed nodes) only with cluster_mode = true; a Redis without cluster mode has one primary endpoint. Wrong in: ${join(", ", [for r, c in var.regions : r if !(length(c.redis_endpoints) <= 1 || c.cluster_mode)])}."
  }

  validation {
    condition     = alltrue([for r, c in var.regions : c.auth_secret_arn == null ? true : can(regex("^arn:aws[a-z-]*:secretsmanager:${r}:[0-9]{12}:secret:.+$", c.auth_secret_arn))])
    error_message = "regions[*].auth_secret_arn must be the ARN of a Secrets Manager secret in that same region (the consumer reads it from its own region: use a replica's ARN), such as \"arn:aws:secretsmanager:ap-south-1:123456789012:secret:regis/hotels-AbCdEf\"; wrong in: ${join(", ", [for r, c in var.regions : r if !(c.auth_secret_arn == null ? true : can(regex("^arn:aws[a-z-]*:secretsmanager:${r}:[0-9]{12}:secret:.+$", c.auth_secret_arn)))])}."
  }

  # Network.
  validation {
    condition = alltrue([for c in values(var.regions) : (
      (length(c.subnet_ids) == 0) == (length(c.security_group_ids) == 0) &&
      length(c.subnet_ids) <= 16 && length(c.security_group_ids) <= 5 &&
      alltrue([for s in c.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))]) &&
      alltrue([for s in c.security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    )])
    error_message = "regions[*].subnet_ids and security_group_ids go together (both or neither), with 1 to 16 subnet IDs (subnet-…) and 1 to 5 security group IDs (sg-…); wrong in: ${join(", ", [for r, c in var.regions : r if !((length(c.subnet_ids) == 0) == (length(c.security_group_ids) == 0) && length(c.subnet_ids) <= 16 && length(c.security_group_ids) <= 5 && alltrue([for s in c.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))]) && alltrue([for s in c.security_group_ids : can(regex("^sg-[0-9a-f]+$", s))]))])}."
  }

  # Overrides: the same ranges as the module-wide settings.
  validation {
    condition = length(compact(flatten([for r, c in var.regions : [
      c.overrides.architecture == null ? "" : contains(["arm64", "x86_64"], c.overrides.architecture) ? "" : "${r}: architecture \"${c.overrides.architecture}\" (arm64 or x86_64)",
      c.overrides.log_level == null ? "" : contains(["debug", "info", "warn", "error"], c.overrides.log_level) ? "" : "${r}: log_level \"${c.overrides.log_level}\" (debug, info, warn or error)",
      c.overrides.memory_size == null ? "" : (c.overrides.memory_size >= 128 && c.overrides.memory_size <= 10240 && floor(c.overrides.memory_size) == c.overrides.memory_size) ? "" : "${r}: memory_size ${c.overrides.memory_size} (whole number, 128–10240)",
      c.overrides.timeout == null ? "" : (c.overrides.timeout >= 1 && c.overrides.timeout <= 900 && floor(c.overrides.timeout) == c.overrides.timeout) ? "" : "${r}: timeout ${c.overrides.timeout} (whole number, 1–900)",
      c.overrides.batch_size == null ? "" : (c.overrides.batch_size >= 1 && c.overrides.batch_size <= 10000 && floor(c.overrides.batch_size) == c.overrides.batch_size) ? "" : "${r}: batch_size ${c.overrides.batch_size} (whole number, 1–10000)",
      c.overrides.batching_window == null ? "" : (c.overrides.batching_window >= 0 && c.overrides.batching_window <= 300 && floor(c.overrides.batching_window) == c.overrides.batching_window) ? "" : "${r}: batching_window ${c.overrides.batching_window} (whole number, 0–300)",
      c.overrides.max_concurrency == null ? "" : (c.overrides.max_concurrency >= 2 && c.overrides.max_concurrency <= 1000 && floor(c.overrides.max_concurrency) == c.overrides.max_concurrency) ? "" : "${r}: max_concurrency ${c.overrides.max_concurrency} (whole number, 2–1000)",
      c.overrides.visibility_timeout == null ? "" : (c.overrides.visibility_timeout >= 0 && c.overrides.visibility_timeout <= 43200 && floor(c.overrides.visibility_timeout) == c.overrides.visibility_timeout) ? "" : "${r}: visibility_timeout ${c.overrides.visibility_timeout} (whole number, 0–43200)",
      c.overrides.message_retention == null ? "" : (c.overrides.message_retention >= 60 && c.overrides.message_retention <= 1209600 && floor(c.overrides.message_retention) == c.overrides.message_retention) ? "" : "${r}: message_retention ${c.overrides.message_retention} (whole number, 60–1209600)",
      c.overrides.dlq_retention == null ? "" : (c.overrides.dlq_retention >= 60 && c.overrides.dlq_retention <= 1209600 && floor(c.overrides.dlq_retention) == c.overrides.dlq_retention) ? "" : "${r}: dlq_retention ${c.overrides.dlq_retention} (whole number, 60–1209600)",
      c.overrides.max_receive_count == null ? "" : (c.overrides.max_receive_count >= 1 && c.overrides.max_receive_count <= 1000 && floor(c.overrides.max_receive_count) == c.overrides.max_receive_count) ? "" : "${r}: max_receive_count ${c.overrides.max_receive_count} (whole number, 1–1000)",
      c.overrides.oldest_message_age_alarm_threshold == null ? "" : (c.overrides.oldest_message_age_alarm_threshold >= 0 && c.overrides.oldest_message_age_alarm_threshold <= 1209600 && floor(c.overrides.oldest_message_age_alarm_threshold) == c.overrides.oldest_message_age_alarm_threshold) ? "" : "${r}: oldest_message_age_alarm_threshold ${c.overrides.oldest_message_age_alarm_threshold} (whole number, 0–1209600)",
    ]]))) == 0
    error_message = "regions[*].overrides out of range: ${join("; ", compact(flatten([for r, c in var.regions : [
      c.overrides.architecture == null ? "" : contains(["arm64", "x86_64"], c.overrides.architecture) ? "" : "${r}: architecture \"${c.overrides.architecture}\" (arm64 or x86_64)",
      c.overrides.log_level == null ? "" : contains(["debug", "info", "warn", "error"], c.overrides.log_level) ? "" : "${r}: log_level \"${c.overrides.log_level}\" (debug, info, warn or error)",
      c.overrides.memory_size == null ? "" : (c.overrides.memory_size >= 128 && c.overrides.memory_size <= 10240 && floor(c.overrides.memory_size) == c.overrides.memory_size) ? "" : "${r}: memory_size ${c.overrides.memory_size} (whole number, 128–10240)",
      c.overrides.timeout == null ? "" : (c.overrides.timeout >= 1 && c.overrides.timeout <= 900 && floor(c.overrides.timeout) == c.overrides.timeout) ? "" : "${r}: timeout ${c.overrides.timeout} (whole number, 1–900)",
      c.overrides.batch_size == null ? "" : (c.overrides.batch_size >= 1 && c.overrides.batch_size <= 10000 && floor(c.overrides.batch_size) == c.overrides.batch_size) ? "" : "${r}: batch_size ${c.overrides.batch_size} (whole number, 1–10000)",
      c.overrides.batching_window == null ? "" : (c.overrides.batching_window >= 0 && c.overrides.batching_window <= 300 && floor(c.overrides.batching_window) == c.overrides.batching_window) ? "" : "${r}: batching_window ${c.overrides.batching_window} (whole number, 0–300)",
      c.overrides.max_concurrency == null ? "" : (c.overrides.max_concurrency >= 2 && c.overrides.max_concurrency <= 1000 && floor(c.overrides.max_concurrency) == c.overrides.max_concurrency) ? "" : "${r}: max_concurrency ${c.overrides.max_concurrency} (whole number, 2–1000)",
      c.overrides.visibility_timeout == null ? "" : (c.overrides.visibility_timeout >= 0 && c.overrides.visibility_timeout <= 43200 && floor(c.overrides.visibility_timeout) == c.overrides.visibility_timeout) ? "" : "${r}: visibility_timeout ${c.overrides.visibility_timeout} (whole number, 0–43200)",
      c.overrides.message_retention == null ? "" : (c.overrides.message_retention >= 60 && c.overrides.message_retention <= 1209600 && floor(c.overrides.message_retention) == c.overrides.message_retention) ? "" : "${r}: message_retention ${c.overrides.message_retention} (whole number, 60–1209600)",
      c.overrides.dlq_retention == null ? "" : (c.overrides.dlq_retention >= 60 && c.overrides.dlq_retention <= 1209600 && floor(c.overrides.dlq_retention) == c.overrides.dlq_retention) ? "" : "${r}: dlq_retention ${c.overrides.dlq_retention} (whole number, 60–1209600)",
      c.overrides.max_receive_count == null ? "" : (c.overrides.max_receive_count >= 1 && c.overrides.max_receive_count <= 1000 && floor(c.overrides.max_receive_count) == c.overrides.max_receive_count) ? "" : "${r}: max_receive_count ${c.overrides.max_receive_count} (whole number, 1–1000)",
      c.overrides.oldest_message_age_alarm_threshold == null ? "" : (c.overrides.oldest_message_age_alarm_threshold >= 0 && c.overrides.oldest_message_age_alarm_threshold <= 1209600 && floor(c.overrides.oldest_message_age_alarm_threshold) == c.overrides.oldest_message_age_alarm_threshold) ? "" : "${r}: oldest_message_age_alarm_threshold ${c.overrides.oldest_message_age_alarm_threshold} (whole number, 0–1209600)",
    ]])))}."
  }

  validation {
    condition = alltrue([for r, c in var.regions : c.overrides.alarm_actions == null ? true : (
      length(c.overrides.alarm_actions) <= 5 &&
      alltrue([for a in c.overrides.alarm_actions : try(split(":", a)[0] == "arn" && split(":", a)[3] == r, false)])
    )])
    error_message = "regions[*].overrides.alarm_actions must be at most 5 ARNs of targets in that region (CloudWatch alarms notify targets of their own region only); wrong in: ${join(", ", [for r, c in var.regions : r if !(c.overrides.alarm_actions == null ? true : (length(c.overrides.alarm_actions) <= 5 && alltrue([for a in c.overrides.alarm_actions : try(split(":", a)[0] == "arn" && split(":", a)[3] == r, false)])))])}."
  }
}

################################################################################
# Consumer (module-wide; regions[*].overrides wins)
################################################################################

variable "architecture" {
  description = "Architecture of the consumer functions: `arm64` (Graviton: cheaper for the same work) or `x86_64`. The provider bundles the consumer for both."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be \"arm64\" or \"x86_64\" (got \"${var.architecture}\")."
  }
}

variable "memory_size" {
  description = "Memory of the consumer functions in MB (128–10240). CPU grows with it."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240 (got ${var.memory_size})."
  }
}

variable "timeout" {
  description = "Timeout of the consumer functions in seconds (1–900). Queues' visibility timeout must be at least 6 times this."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900 (got ${var.timeout})."
  }
}

variable "batch_size" {
  description = "Messages per invocation (1–10000). Above 10, Lambda needs `batching_window` of at least 1 second."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 10000 (got ${var.batch_size})."
  }
}

variable "batching_window" {
  description = "Seconds Lambda waits to fill a batch (0–300). Adds up to that much replication lag."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.batching_window >= 0 && var.batching_window <= 300 && floor(var.batching_window) == var.batching_window
    error_message = "batching_window must be a whole number of seconds from 0 to 300 (got ${var.batching_window})."
  }
}

variable "max_concurrency" {
  description = "Most concurrent invocations each region's queue drives (2–1000). Bounds the load on Redis while a backlog drains."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number from 2 to 1000 (got ${var.max_concurrency})."
  }
}

variable "log_level" {
  description = "Log level of the consumers: `debug`, `info`, `warn` or `error`."
  type        = string
  default     = "info"
  nullable    = false

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error (got \"${var.log_level}\")."
  }
}

variable "consumer_environment" {
  description = "Extra environment variables of every consumer, such as `SENTRY_DSN`. Names starting with `REGIS_` (the consumer's own configuration, which the bus sets from its arguments) and Lambda's reserved ones are refused by the provider."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.consumer_environment) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "consumer_environment keys must be environment variable names (letters, digits and '_', starting with a letter); wrong: ${join(", ", [for k in keys(var.consumer_environment) : k if !can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])}."
  }
}

variable "consumer_zip" {
  description = "Your own consumer package (a zip path, or its content in base64) instead of the one bundled in the provider. `null`: the bundled consumer, which is what you want unless you patch the consumer."
  type        = string
  default     = null
}

variable "tombstone_ttl" {
  description = "Ordered regions only: how long key versions and `DEL` tombstones are kept, as a duration such as `\"168h\"`. Keep it longer than the queues' and DLQs' retention (4 days by default)."
  type        = string
  default     = "168h"
  nullable    = false

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(h|m|s))+$", var.tombstone_ttl))
    error_message = "tombstone_ttl must be a duration such as \"168h\" or \"72h30m\" (units h, m, s; days are written in hours), of at least 1h (got \"${var.tombstone_ttl}\")."
  }
}

################################################################################
# Queues
################################################################################

variable "visibility_timeout" {
  description = "Seconds a received message stays invisible (0–43200). `null`: 6 times each region's consumer timeout, the minimum AWS advises, which follows the timeout when you change it."
  type        = number
  default     = null

  validation {
    condition     = var.visibility_timeout == null ? true : (var.visibility_timeout >= 0 && var.visibility_timeout <= 43200 && floor(var.visibility_timeout) == var.visibility_timeout)
    error_message = "visibility_timeout must be a whole number of seconds from 0 to 43200, or null for 6 times the consumer timeout."
  }
}

variable "message_retention" {
  description = "Seconds the queues keep a message that was not applied yet (60–1209600): how long a region can be down without losing commands."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention >= 60 && var.message_retention <= 1209600 && floor(var.message_retention) == var.message_retention
    error_message = "message_retention must be a whole number of seconds from 60 to 1209600 (14 days) (got ${var.message_retention})."
  }
}

variable "max_receive_count" {
  description = "Receives after which a message goes to the dead-letter queue (1–1000). Below 5, a short Redis failover can dead-letter good messages."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000 (got ${var.max_receive_count})."
  }
}

variable "dlq_retention" {
  description = "Seconds the dead-letter queues keep a message (60–1209600): how long you have to redrive it (`regis dlq redrive`)."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.dlq_retention >= 60 && var.dlq_retention <= 1209600 && floor(var.dlq_retention) == var.dlq_retention
    error_message = "dlq_retention must be a whole number of seconds from 60 to 1209600 (14 days) (got ${var.dlq_retention})."
  }
}

variable "kms_key_id" {
  description = "Customer-managed KMS key of the topic and every queue: an alias that exists in every region (`alias/regis`) or a multi-region key (`mrk-…`), since queues can only use a key of their own region. Its policy must let `sns.amazonaws.com` use `kms:GenerateDataKey*` and `kms:Decrypt`. `null`: AWS-managed encryption (SNS key, SSE-SQS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_id == null ? true : length(trimspace(var.kms_key_id)) > 0
    error_message = "kms_key_id must not be empty: give an alias, a key ID or a key ARN, or null."
  }
}

################################################################################
# Alarms
################################################################################

variable "dlq_not_empty_alarm" {
  description = "Alarm `<bus>-dlq-not-empty` in every region when its dead-letter queue holds a message: a command was not replicated there."
  type        = bool
  default     = true
  nullable    = false
}

variable "oldest_message_age_alarm_threshold" {
  description = "Alarm `<bus>-oldest-message-age` in every region when its queue's oldest message is older than this many seconds: replication is lagging. `0` turns the alarm off."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.oldest_message_age_alarm_threshold >= 0 && var.oldest_message_age_alarm_threshold <= 1209600 && floor(var.oldest_message_age_alarm_threshold) == var.oldest_message_age_alarm_threshold
    error_message = "oldest_message_age_alarm_threshold must be a whole number of seconds from 0 (no alarm) to 1209600."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires, typically your on-call SNS topic in each region. CloudWatch alarms only notify targets of their own region, so each ARN is given to the alarms of the region it is in (its fourth field): list one topic per region, such as `arn:aws:sns:ap-southeast-1:123456789012:oncall` and `arn:aws:sns:ap-south-1:123456789012:oncall`. At most 5 per region. `regions[*].overrides.alarm_actions` replaces a region's."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.alarm_actions : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}:[0-9]*:.+$", a))])
    error_message = "alarm_actions must be ARNs of regional targets such as \"arn:aws:sns:ap-south-1:123456789012:oncall\"; not such ARNs: ${join(", ", [for a in var.alarm_actions : a if !can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}:[0-9]*:.+$", a))])}."
  }
}

################################################################################
# Status and timeouts
################################################################################

variable "status_enabled" {
  description = "Read the bus's live status (queue and DLQ depths, lag, event source mappings) into the `status` output with the `regis_bus_status` data source. Off by default: a data source is read on every plan, which then needs `sqs:GetQueueAttributes`, `cloudwatch:GetMetricData` and `lambda:ListEventSourceMappings`, and its figures change between plans. `regis status` shows the same without Terraform."
  type        = bool
  default     = false
  nullable    = false
}

variable "timeouts" {
  description = "How long to wait for the bus to be created, updated or deleted, as durations (`\"30m\"`). `null` fields: the provider's defaults."
  type = object({
    create = optional(string)
    update = optional(string)
    delete = optional(string)
  })
  default  = {}
  nullable = false
}
