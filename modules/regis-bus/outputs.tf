################################################################################
# For publishers
################################################################################

output "name" {
  description = "Name of the bus (`<namespace>-<environment>-<name>`), which names every object."
  value       = regis_bus.this.name
}

output "topic_arn" {
  description = "ARN of the SNS topic services publish to: `regis.NewPublisher(client, topic_arn, …)` or `regis publish --topic-arn`."
  value       = regis_bus.this.topic_arn
}

output "home_region" {
  description = "Region of the topic, where publishers send."
  value       = regis_bus.this.home_region
}

output "publisher_policy_json" {
  description = "IAM policy document (JSON) that lets a service publish to the bus: `sns:Publish` on the topic (which covers `PublishBatch`), plus the KMS key when `kms_key_id` is set. Attach it to the publishers' roles, for example as an inline policy or an `aws_iam_policy`."
  value       = jsonencode(local.publisher_policy)
}

################################################################################
# Per region (maps keyed by region code)
################################################################################

output "queue_urls" {
  description = "Region → URL of the bus's SQS queue there."
  value       = { for r, s in regis_bus.this.regions : r => s.queue_url }
}

output "queue_arns" {
  description = "Region → ARN of the queue."
  value       = { for r, s in regis_bus.this.regions : r => s.queue_arn }
}

output "dlq_urls" {
  description = "Region → URL of the dead-letter queue: commands that could not be applied there (`regis dlq peek`, `regis dlq redrive`)."
  value       = { for r, s in regis_bus.this.regions : r => s.dlq_url }
}

output "dlq_arns" {
  description = "Region → ARN of the dead-letter queue."
  value       = { for r, s in regis_bus.this.regions : r => s.dlq_arn }
}

output "function_names" {
  description = "Region → name of the consumer function (its logs are in `/aws/lambda/<name>`)."
  value       = { for r, s in regis_bus.this.regions : r => s.function_name }
}

output "function_arns" {
  description = "Region → ARN of the consumer function."
  value       = { for r, s in regis_bus.this.regions : r => s.function_arn }
}

output "role_arns" {
  description = "Region → ARN of the consumer's IAM role (to grant it a customer-managed key of the Redis secret, for example)."
  value       = { for r, s in regis_bus.this.regions : r => s.role_arn }
}

output "subscription_arns" {
  description = "Region → ARN of the queue's subscription to the topic (it lives in the home region)."
  value       = { for r, s in regis_bus.this.regions : r => s.subscription_arn }
}

output "event_source_mapping_ids" {
  description = "Region → UUID of the event source mapping from the queue to the consumer."
  value       = { for r, s in regis_bus.this.regions : r => s.event_source_mapping_id }
}

output "alarm_names" {
  description = "Region → names of the region's CloudWatch alarms (DLQ not empty, oldest message age), those enabled."
  value       = { for r, s in regis_bus.this.regions : r => compact([s.dlq_alarm_name, s.oldest_message_age_alarm_name]) }
}

output "alarm_actions" {
  description = "Region → the ARNs its alarms notify (from `alarm_actions`, routed by region, or the region's override)."
  value       = { for r, s in local.settings : r => s.alarm_actions }
}

output "consumer_code_sha256" {
  description = "Region → SHA-256 of the consumer package deployed there (changes when a provider upgrade ships a new consumer)."
  value       = { for r, s in regis_bus.this.regions : r => s.consumer_code_sha256 }
}

output "drift" {
  description = "Region → differences the provider found that no argument shows (for example `ReportBatchItemFailures` removed by hand). Empty lists when all is as configured; the next apply repairs them."
  value       = { for r, s in regis_bus.this.regions : r => s.drift }
}

output "tags" {
  description = "The tags the bus's objects carry (standard tags, `tags` and the provider's `default_tags`)."
  value       = regis_bus.this.tags_all
}

################################################################################
# Live status (status_enabled only)
################################################################################

output "status" {
  description = "With `status_enabled`: region → queue depth, in-flight, delayed, DLQ depth, oldest message ages and event source mapping state, as `regis_bus_status` reads them. `null` otherwise."
  value       = var.status_enabled ? data.regis_bus_status.this[0].status : null
}
