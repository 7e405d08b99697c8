################################################################################
# Hotels bus
################################################################################

output "hotels_bus_name" {
  description = "Name of the hotels bus."
  value       = module.hotels_bus.name
}

output "hotels_topic_arn" {
  description = "Topic the hotels services publish to (regis.NewPublisher, regis publish --topic-arn)."
  value       = module.hotels_bus.topic_arn
}

output "hotels_queue_urls" {
  description = "Region → the bus's queue."
  value       = module.hotels_bus.queue_urls
}

output "hotels_dlq_urls" {
  description = "Region → the bus's dead-letter queue."
  value       = module.hotels_bus.dlq_urls
}

output "hotels_function_names" {
  description = "Region → the consumer function."
  value       = module.hotels_bus.function_names
}

output "hotels_alarm_names" {
  description = "Region → the bus's alarms."
  value       = module.hotels_bus.alarm_names
}

output "hotels_publisher_policy_json" {
  description = "IAM policy to attach to the roles of the services that publish hotels data."
  value       = module.hotels_bus.publisher_policy_json
}

output "hotels_status_command" {
  description = "Shows every region's queue depth, dead letters and lag."
  value       = "regis status --topic-arn ${module.hotels_bus.topic_arn}"
}

################################################################################
# Flights rollout
################################################################################

output "flights_record_name" {
  description = "DNS name of the flights service."
  value       = module.flights_dns.record_name
}

output "flights_policy_id" {
  description = "Id of the flights traffic policy."
  value       = module.flights_dns.policy_id
}

output "flights_versions" {
  description = "Rollout stage (\"0\", \"10\", \"100\") → traffic policy version, in stage order."
  value       = module.flights_dns.versions
}

output "flights_retired_versions" {
  description = "Versions the flights record still used when their stage was replaced or removed; deleted by the next apply that changes the policy."
  value       = module.flights_dns.retired_versions
}

output "flights_active_stage" {
  description = "The stage the flights record uses."
  value       = module.flights_dns.active_stage
}

output "flights_active_version" {
  description = "The policy version the flights record uses."
  value       = module.flights_dns.active_version
}

output "flights_health_check_ids" {
  description = "Region → id of the health check on the flights heartbeat there."
  value       = module.flights_dns.health_check_ids
}

output "flights_simulation" {
  description = "Stage → scenario (healthy, <region> unhealthy) → client region → region answering → percentage of lookups."
  value       = module.flights_dns.simulation
}
