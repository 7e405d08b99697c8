# The single-region deployment is not one of the latency members: an older
# deployment at fixed addresses in Singapore, checked over TCP, while the new
# regional deployments answer with addresses too (type "value").

variables {
  name           = "mrs-separate"
  hosted_zone_id = "/hostedzone/Z0REGISTEST000001" # the prefix is accepted
  record_name    = "separate.example.internal."

  single_region_endpoint = {
    region = "ap-southeast-1"
    type   = "value"
    value  = "203.0.113.10"
    health_check = {
      type = "TCP"
      port = 443
    }
  }

  regions = {
    "ap-southeast-1" = {
      type         = "value"
      value        = "203.0.113.20"
      health_check = { type = "HTTP", resource_path = "/heartbeat" }
    }
    "eu-west-1" = {
      type         = "value"
      value        = "203.0.113.30"
      health_check = { type = "HTTP", resource_path = "/heartbeat", regions = ["eu-west-1", "us-east-1", "ap-southeast-1"] }
    }
  }

  stages       = [0, 50, 100]
  active_stage = 50
}

run "apply" {
  assert {
    condition     = output.single_region_endpoint_id == "single-ap-southeast-1"
    error_message = "A single-region endpoint that is not a latency member should get the id single-<region>: ${output.single_region_endpoint_id}"
  }

  assert {
    condition = (
      length(regis_health_check.single) == 1 &&
      regis_health_check.single[0].type == "TCP" &&
      regis_health_check.single[0].ip_address == "203.0.113.10" &&
      regis_health_check.single[0].port == 443 &&
      output.single_region_health_check_id == regis_health_check.single[0].id &&
      !contains(values(output.health_check_ids), output.single_region_health_check_id)
    )
    error_message = "The single-region endpoint should have its own TCP health check of 203.0.113.10:443."
  }

  assert {
    condition = (
      regis_health_check.region["ap-southeast-1"].ip_address == "203.0.113.20" &&
      regis_health_check.region["ap-southeast-1"].fqdn == null &&
      regis_health_check.region["ap-southeast-1"].port == 80 &&
      regis_health_check.region["eu-west-1"].ip_address == "203.0.113.30" &&
      length(regis_health_check.region["eu-west-1"].regions) == 3
    )
    error_message = "Health checks of value endpoints should check the endpoint's address."
  }

  assert {
    condition = (
      keys(jsondecode(output.documents["50"]).Endpoints) == ["ap-southeast-1", "eu-west-1", "single-ap-southeast-1"] &&
      jsondecode(output.documents["50"]).Endpoints["single-ap-southeast-1"].Value == "203.0.113.10" &&
      jsondecode(output.documents["50"]).Rules.split.Items[0].EndpointReference == "single-ap-southeast-1" &&
      jsondecode(output.documents["50"]).Rules.split.Items[0].HealthCheck == output.single_region_health_check_id
    )
    error_message = "The document should have three endpoints, the weighted item on single-ap-southeast-1 with its health check: ${output.documents["50"]}"
  }

  assert {
    condition     = output.active_version == output.versions["50"] && regis_traffic_policy_record.this.hosted_zone_id == "Z0REGISTEST000001"
    error_message = "The record should use the stage-50 version in zone Z0REGISTEST000001."
  }

  # Simulation, healthy: Singapore clients half on the old deployment, half
  # on the new Singapore one; Irish clients half on Singapore's old one.
  assert {
    condition = (
      output.simulation["50"]["healthy"]["ap-southeast-1"] == tomap({ "single-ap-southeast-1" = 50, "ap-southeast-1" = 50 }) &&
      output.simulation["50"]["healthy"]["eu-west-1"] == tomap({ "single-ap-southeast-1" = 50, "eu-west-1" = 50 })
    )
    error_message = "Unexpected stage-50 shares: ${jsonencode(output.simulation["50"]["healthy"])}"
  }

  # The old deployment failing sends everyone to the latency rule, even at
  # stage 0 where the rule's weight is 0.
  assert {
    condition = (
      keys(output.simulation["0"]) == tolist(["ap-southeast-1 unhealthy", "eu-west-1 unhealthy", "healthy", "single-ap-southeast-1 unhealthy"]) &&
      output.simulation["0"]["healthy"]["eu-west-1"] == tomap({ "single-ap-southeast-1" = 100 }) &&
      output.simulation["0"]["single-ap-southeast-1 unhealthy"]["eu-west-1"] == tomap({ "eu-west-1" = 100 }) &&
      output.simulation["0"]["single-ap-southeast-1 unhealthy"]["ap-southeast-1"] == tomap({ "ap-southeast-1" = 100 })
    )
    error_message = "Unexpected stage-0 simulation: ${jsonencode(output.simulation["0"])}"
  }
}

# Rolling back to 0 and forward to 100: the record moves, nothing else.
run "roll_back" {
  variables {
    active_stage = 0

    prev_health_check_ids = run.apply.health_check_ids
    prev_record_id        = run.apply.record_id
    prev_version_ids      = run.apply.version_ids
    prev_versions         = run.apply.versions
  }

  assert {
    condition     = output.active_version == var.prev_versions["0"] && output.version_ids == var.prev_version_ids && output.record_id == var.prev_record_id && output.health_check_ids == var.prev_health_check_ids
    error_message = "Rolling back should move the record to the stage-0 version only."
  }
}

run "roll_out_fully" {
  variables {
    active_stage = 100

    prev_health_check_ids = run.roll_back.health_check_ids
    prev_record_id        = run.roll_back.record_id
    prev_version_ids      = run.roll_back.version_ids
    prev_versions         = run.roll_back.versions
  }

  assert {
    condition     = output.active_version == var.prev_versions["100"] && output.version_ids == var.prev_version_ids && output.record_id == var.prev_record_id && output.health_check_ids == var.prev_health_check_ids
    error_message = "Rolling out fully should move the record to the stage-100 version only."
  }
}
