################################################################################
# Traffic policy and versions
################################################################################

output "policy_id" {
  description = "Id of the traffic policy; every stage is a version of it."
  # From the record rather than the versions, so that adding a stage does not
  # make it unknown in the plan.
  value = regis_traffic_policy_record.this.traffic_policy_id
}

output "versions" {
  description = "Stage (as a string, e.g. \"10\") → version number of the policy. Stages created in one apply are numbered in stage order ([0, 10, 100] → 1, 2, 3 on a new policy); a stage added later gets the next number."
  value       = tomap({ for k, v in regis_traffic_policy.this.versions : k => v.version })
}

output "version_ids" {
  description = "Stage → id of its version (`<policy_id>/<version>`)."
  value       = tomap({ for k, v in regis_traffic_policy.this.versions : k => v.id })
}

output "documents" {
  description = "Stage → the traffic policy document (JSON) of its version, normalised as Route 53 holds it."
  value       = tomap({ for k, v in regis_traffic_policy.this.versions : k => v.document_json })
}

output "retired_versions" {
  description = "Versions no stage has any more that the record still used when they were replaced or removed (see regis_traffic_policy): deleted by the next apply that changes the policy, or by destroy."
  value       = regis_traffic_policy.this.retired_versions
}

output "simulation" {
  description = "Stage → scenario → client region → endpoint id → percentage of lookups it answers. Scenarios are `healthy` and `<endpoint id> unhealthy` for each health check; endpoint ids are region codes and, when the single-region endpoint is not one of `regions`, `single-<region>`. Known at plan time once the health checks exist, so a new stage can be inspected before `active_stage` selects it."
  value = tomap({
    for k, d in data.regis_traffic_policy_document.stage : k => tomap({
      for scenario in distinct([for row in d.simulation : row.scenario]) : scenario => tomap({
        for row in d.simulation : row.client_region => row.shares if row.scenario == scenario
      })
    })
  })
}

################################################################################
# Active stage and record
################################################################################

output "active_stage" {
  description = "The stage the policy record uses."
  value       = var.active_stage
}

output "active_version" {
  description = "Version number of the policy the record uses."
  value       = regis_traffic_policy_record.this.traffic_policy_version
}

output "record_id" {
  description = "Id of the policy record (traffic policy instance)."
  value       = regis_traffic_policy_record.this.id
}

output "record_name" {
  description = "Fully qualified domain name of the policy record."
  value       = regis_traffic_policy_record.this.name
}

output "record_type" {
  description = "DNS type of the records the policy record creates."
  value       = regis_traffic_policy_record.this.record_type
}

################################################################################
# Endpoints and health checks
################################################################################

output "health_check_ids" {
  description = "Region → id of its health check (the members of the latency rule)."
  value       = tomap({ for r, hc in regis_health_check.region : r => hc.id })
}

output "single_region_health_check_id" {
  description = "Id of the single-region endpoint's health check: the matching region's when it is one of `regions`, the one created from `single_region_endpoint.health_check` otherwise, null when it has none."
  value       = local.single_health_check_id
}

output "single_region_endpoint_id" {
  description = "Id of the single-region endpoint in the documents and in `simulation`: its region code when it is one of `regions`, else `single-<region>`."
  value       = local.single_endpoint_id
}
