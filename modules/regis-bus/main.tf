################################################################################
# A Regis replication bus with the team's conventions: one name for every
# object (<namespace>-<environment>-<name>), standard tags, alarms on in every
# region with on-call notified, production defaults, and a regions map that is
# one entry per region.
################################################################################

locals {
  name = join("-", compact([var.namespace, var.environment, var.name]))

  standard_tags = merge(
    {
      Name           = local.name
      "regis:bus"    = local.name
      "regis:module" = "regis-bus"
    },
    var.environment != "" ? { Environment = var.environment } : {},
  )
  tags = merge(local.standard_tags, var.tags)

  # The IAM roles are named <bus>-consumer-<region> (64 characters at most) and
  # the functions <bus>-consumer (64 at most).
  longest_region  = max(0, [for r in keys(var.regions) : length(r)]...)
  max_name_length = min(64 - length("-consumer"), 64 - length("-consumer-") - local.longest_region)

  # The settings of each region: its overrides, else the module-wide values.
  settings = {
    for r, c in var.regions : r => {
      architecture    = c.overrides.architecture != null ? c.overrides.architecture : var.architecture
      memory_size     = c.overrides.memory_size != null ? c.overrides.memory_size : var.memory_size
      timeout         = c.overrides.timeout != null ? c.overrides.timeout : var.timeout
      batch_size      = c.overrides.batch_size != null ? c.overrides.batch_size : var.batch_size
      batching_window = c.overrides.batching_window != null ? c.overrides.batching_window : var.batching_window
      max_concurrency = c.overrides.max_concurrency != null ? c.overrides.max_concurrency : var.max_concurrency
      log_level       = c.overrides.log_level != null ? c.overrides.log_level : var.log_level
      environment     = merge(var.consumer_environment, c.overrides.environment != null ? c.overrides.environment : {})

      visibility_timeout = (
        c.overrides.visibility_timeout != null ? c.overrides.visibility_timeout :
        var.visibility_timeout != null ? var.visibility_timeout :
        6 * (c.overrides.timeout != null ? c.overrides.timeout : var.timeout)
      )
      message_retention = c.overrides.message_retention != null ? c.overrides.message_retention : var.message_retention
      max_receive_count = c.overrides.max_receive_count != null ? c.overrides.max_receive_count : var.max_receive_count
      dlq_retention     = c.overrides.dlq_retention != null ? c.overrides.dlq_retention : var.dlq_retention

      dlq_not_empty_alarm                = c.overrides.dlq_not_empty_alarm != null ? c.overrides.dlq_not_empty_alarm : var.dlq_not_empty_alarm
      oldest_message_age_alarm_threshold = c.overrides.oldest_message_age_alarm_threshold != null ? c.overrides.oldest_message_age_alarm_threshold : var.oldest_message_age_alarm_threshold

      # CloudWatch alarms notify targets of their own region only: each ARN of
      # alarm_actions goes to the region it names.
      alarm_actions = c.overrides.alarm_actions != null ? c.overrides.alarm_actions : [for a in var.alarm_actions : a if split(":", a)[3] == r]
    }
  }

  # Problems only visible when the inputs are taken together. They stop the
  # plan with one message each, naming the regions at fault.
  batch_without_window = [for r, s in local.settings : "${r} (batch_size ${s.batch_size}, batching_window ${s.batching_window})" if s.batch_size > 10 && s.batching_window < 1]
  short_visibility     = [for r, s in local.settings : "${r} (visibility_timeout ${s.visibility_timeout}, timeout ${s.timeout}: needs at least ${6 * s.timeout})" if s.visibility_timeout < 6 * s.timeout]
  stray_alarm_actions  = [for a in var.alarm_actions : a if !contains(keys(var.regions), split(":", a)[3])]
  crowded_alarms       = [for r, s in local.settings : "${r} (${length(s.alarm_actions)})" if length(s.alarm_actions) > 5]
  regions_without_actions = [
    for r, s in local.settings : r if length(s.alarm_actions) == 0 && (s.dlq_not_empty_alarm || s.oldest_message_age_alarm_threshold > 0)
  ]
}

resource "regis_bus" "this" {
  name          = local.name
  home_region   = var.home_region
  kms_key_id    = var.kms_key_id
  consumer_zip  = var.consumer_zip
  tombstone_ttl = var.tombstone_ttl
  tags          = local.tags

  regions = {
    for r, c in var.regions : r => {
      redis = {
        endpoints       = c.redis_endpoints
        cluster_mode    = c.cluster_mode
        tls             = c.tls
        auth_secret_arn = c.auth_secret_arn
        username        = c.redis_username
      }

      vpc = length(c.subnet_ids) > 0 ? {
        subnet_ids         = c.subnet_ids
        security_group_ids = c.security_group_ids
      } : null

      consumer = {
        architecture    = local.settings[r].architecture
        memory_size     = local.settings[r].memory_size
        timeout         = local.settings[r].timeout
        batch_size      = local.settings[r].batch_size
        batching_window = local.settings[r].batching_window
        max_concurrency = local.settings[r].max_concurrency
        ordered         = c.ordered
        log_level       = local.settings[r].log_level
        environment     = local.settings[r].environment
      }

      queue = {
        visibility_timeout = local.settings[r].visibility_timeout
        message_retention  = local.settings[r].message_retention
        max_receive_count  = local.settings[r].max_receive_count
        dlq_retention      = local.settings[r].dlq_retention
      }

      alarms = {
        dlq_not_empty                = local.settings[r].dlq_not_empty_alarm
        oldest_message_age_threshold = local.settings[r].oldest_message_age_alarm_threshold
        alarm_actions                = local.settings[r].alarm_actions
      }
    }
  }

  timeouts {
    create = var.timeouts.create
    update = var.timeouts.update
    delete = var.timeouts.delete
  }

  lifecycle {
    precondition {
      condition     = length(local.name) <= local.max_name_length
      error_message = "The bus name \"${local.name}\" (namespace-environment-name) is ${length(local.name)} characters long; with the region ${try([for r in keys(var.regions) : r if length(r) == local.longest_region][0], "")} its IAM role \"${local.name}-consumer-${try([for r in keys(var.regions) : r if length(r) == local.longest_region][0], "")}\" would exceed IAM's 64 characters. Shorten name, namespace or environment to ${local.max_name_length} characters in all."
    }

    precondition {
      condition     = length(local.batch_without_window) == 0
      error_message = "Lambda takes more than 10 messages per batch only with a batching window of at least 1 second. Set batching_window (or regions[*].overrides.batching_window) to 1 or more, or batch_size to 10 or less, in: ${join(", ", local.batch_without_window)}."
    }

    precondition {
      condition     = length(local.short_visibility) == 0
      error_message = "The queue's visibility timeout must be at least 6 times the consumer's timeout, or messages reappear while a retried invocation still holds them. Raise visibility_timeout (or leave it null: 6 times the timeout), or lower timeout, in: ${join(", ", local.short_visibility)}."
    }

    precondition {
      condition     = length(local.stray_alarm_actions) == 0
      error_message = "alarm_actions ${join(", ", local.stray_alarm_actions)} ${length(local.stray_alarm_actions) == 1 ? "is" : "are"} in no region of the bus (${join(", ", keys(var.regions))}). CloudWatch alarms only notify targets of their own region: give each region's on-call topic, in that region."
    }

    precondition {
      condition     = length(local.crowded_alarms) == 0
      error_message = "CloudWatch alarms take at most 5 actions; alarm_actions gives more to: ${join(", ", local.crowded_alarms)}."
    }
  }
}

# Alarms nobody hears about. A warning, not an error: a first apply before
# the on-call topics exist is legitimate.
check "alarms_notify_someone" {
  assert {
    condition     = length(var.alarm_actions) == 0 || length(local.regions_without_actions) == 0
    error_message = "The alarms of ${join(", ", local.regions_without_actions)} notify nobody: alarm_actions has no ARN in ${length(local.regions_without_actions) == 1 ? "that region" : "those regions"}. Add the on-call topic of each region to alarm_actions."
  }
}

# Live status, read on every plan (see var.status_enabled).
data "regis_bus_status" "this" {
  count = var.status_enabled ? 1 : 0

  topic_arn = regis_bus.this.topic_arn
  regions   = sort(keys(var.regions))

  # Read once the bus is as planned: without this, a plan that adds a region
  # would read the data source before that region's queue exists, and fail.
  depends_on = [regis_bus.this]
}

locals {
  topic_region = split(":", regis_bus.this.topic_arn)[3]

  kms_key_is_arn = var.kms_key_id != null && can(regex("^arn:aws[a-z-]*:kms:[^:]+:[0-9]{12}:key/", var.kms_key_id))

  # What a publisher needs: sns:Publish (which also covers PublishBatch) on
  # the topic and, when the topic is encrypted with a customer-managed key, that
  # key. A key ARN can be the statement's resource; an alias or key ID cannot,
  # so the key is then allowed only as used by SNS in the topic's region.
  publisher_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "PublishToRegisBus"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = regis_bus.this.topic_arn
      }],
      [for k in(local.kms_key_is_arn ? [var.kms_key_id] : []) : {
        Sid      = "EncryptForRegisBus"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource = k
      }],
      [for k in(var.kms_key_id != null && !local.kms_key_is_arn ? [var.kms_key_id] : []) : {
        Sid       = "EncryptForRegisBus"
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:ViaService" = "sns.${local.topic_region}.amazonaws.com" } }
      }],
    )
  }
}
