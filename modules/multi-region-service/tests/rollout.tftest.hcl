# Roll out and back by changing active_stage only, against the regis emulator
# (scripts/terraform-tests.sh starts it with the hosted zone
# example.internal = Z0REGISTEST000001 and exports AWS_ENDPOINT_URL).
#
# The single-region endpoint is the Singapore member of the latency rule (same
# type and value), so the documents have two endpoints and two health checks.
#
# Runs compare with the outputs of the last applied run before them, passed
# in as test-only variables (prev_*): OpenTofu 1.10 does not accept run.<name>
# references in assertions, and in variables it only resolves those of the
# last applied run (older ones, and plan runs, come out unknown).

variables {
  name           = "mrs-rollout"
  hosted_zone_id = "Z0REGISTEST000001"
  record_name    = "rollout.example.internal"
  ttl            = 30

  single_region_endpoint = {
    region = "ap-southeast-1"
    value  = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  }

  regions = {
    "ap-southeast-1" = {
      value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
      health_check = {
        resource_path = "/heartbeat"
        search_string = "ok"
      }
    }
    "ap-south-1" = {
      value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
      health_check = {
        resource_path     = "/heartbeat"
        request_interval  = 10
        failure_threshold = 2
      }
    }
  }

  stages       = [0, 10, 100]
  active_stage = 0
}

# Before anything exists, the plan already shows what each stage would do.
run "preview" {
  command = plan

  assert {
    condition = jsonencode(output.simulation["10"]["healthy"]) == jsonencode({
      "ap-south-1"     = { "ap-south-1" = 10, "ap-southeast-1" = 90 }
      "ap-southeast-1" = { "ap-southeast-1" = 100 }
    })
    error_message = "At stage 10, Mumbai clients should get 10 % ap-south-1 and 90 % ap-southeast-1, Singapore clients all ap-southeast-1: ${jsonencode(output.simulation["10"]["healthy"])}"
  }

  assert {
    condition     = output.single_region_endpoint_id == "ap-southeast-1"
    error_message = "The single-region endpoint is the Singapore member of the latency rule and should share its id: ${output.single_region_endpoint_id}"
  }
}

run "initial" {
  # Numbered in stage order, every time (they used to be numbered in the
  # order Terraform happened to create them: 0 → 2, 10 → 3, 100 → 1).
  assert {
    condition     = output.versions == tomap({ "0" = 1, "10" = 2, "100" = 3 })
    error_message = "Stages 0, 10 and 100 on a new policy should be versions 1, 2 and 3, in stage order: ${jsonencode(output.versions)}"
  }

  assert {
    condition     = length(output.retired_versions) == 0
    error_message = "A new policy has no retired versions: ${jsonencode(output.retired_versions)}"
  }

  assert {
    condition     = alltrue([for k, id in output.version_ids : id == "${output.policy_id}/${output.versions[k]}"])
    error_message = "Every stage should be a version of policy ${output.policy_id}: ${jsonencode(output.version_ids)}"
  }

  assert {
    condition     = output.active_version == output.versions["0"] && regis_traffic_policy_record.this.traffic_policy_id == output.policy_id
    error_message = "The record should use the stage-0 version ${output.versions["0"]}, not ${output.active_version}."
  }

  assert {
    condition     = regis_traffic_policy_record.this.state == "Applied" && output.record_type == "A" && regis_traffic_policy_record.this.ttl == 30
    error_message = "The record should be Applied, type A, TTL 30: ${regis_traffic_policy_record.this.state} ${output.record_type} ${regis_traffic_policy_record.this.ttl}"
  }

  assert {
    condition     = regis_traffic_policy_record.this.hosted_zone_id == "Z0REGISTEST000001" && output.record_name == "rollout.example.internal"
    error_message = "The record should be rollout.example.internal in Z0REGISTEST000001."
  }

  # One health check per region, the per-application heartbeat on the load
  # balancer's DNS name.
  assert {
    condition = (
      keys(output.health_check_ids) == tolist(["ap-south-1", "ap-southeast-1"]) &&
      length(distinct(values(output.health_check_ids))) == 2 &&
      alltrue([for id in values(output.health_check_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    )
    error_message = "Expected two distinct health check ids, for ap-south-1 and ap-southeast-1: ${jsonencode(output.health_check_ids)}"
  }

  assert {
    condition = (
      regis_health_check.region["ap-south-1"].fqdn == "app-bom-0987654321.ap-south-1.elb.amazonaws.com" &&
      regis_health_check.region["ap-south-1"].type == "HTTPS" &&
      regis_health_check.region["ap-south-1"].port == 443 &&
      regis_health_check.region["ap-south-1"].resource_path == "/heartbeat" &&
      regis_health_check.region["ap-south-1"].request_interval == 10 &&
      regis_health_check.region["ap-south-1"].failure_threshold == 2 &&
      regis_health_check.region["ap-southeast-1"].search_string == "ok" &&
      regis_health_check.region["ap-southeast-1"].request_interval == 30 &&
      regis_health_check.region["ap-southeast-1"].tags_all["Name"] == "mrs-rollout-ap-southeast-1"
    )
    error_message = "The health checks do not have the settings of var.regions."
  }

  assert {
    condition     = length(regis_health_check.single) == 0 && output.single_region_health_check_id == output.health_check_ids["ap-southeast-1"]
    error_message = "The single-region endpoint is the Singapore member: it should use Singapore's health check and get none of its own."
  }

  # The documents: the weighted split of each stage, two shared endpoints.
  assert {
    condition = alltrue([for k, w in { "0" = 0, "10" = 10, "100" = 100 } :
      jsondecode(output.documents[k]).Rules.split.Items[0].EndpointReference == "ap-southeast-1" &&
      tonumber(jsondecode(output.documents[k]).Rules.split.Items[0].Weight) == 100 - w &&
      jsondecode(output.documents[k]).Rules.split.Items[0].HealthCheck == output.health_check_ids["ap-southeast-1"] &&
      jsondecode(output.documents[k]).Rules.split.Items[1].RuleReference == "latency" &&
      tonumber(jsondecode(output.documents[k]).Rules.split.Items[1].Weight) == w &&
      keys(jsondecode(output.documents[k]).Endpoints) == ["ap-south-1", "ap-southeast-1"]
    ])
    error_message = "The documents do not split 100 - stage / stage between ap-southeast-1 and the latency rule: ${jsonencode(output.documents)}"
  }

  # The simulated documents are the versions' documents but for the stand-in
  # health check ids (numbered in the order of the endpoint ids).
  assert {
    condition = alltrue([for k, d in data.regis_traffic_policy_document.stage :
      replace(replace(d.json,
        "00000000-0000-4000-8000-000000000001", output.health_check_ids["ap-south-1"]),
      "00000000-0000-4000-8000-000000000002", output.health_check_ids["ap-southeast-1"]) == output.documents[k]
    ])
    error_message = "The simulated documents differ from the versions' documents by more than the health check ids."
  }

  # Stage 0 and 100 are valid, and fail over through the zero-weight item.
  assert {
    condition = (
      output.simulation["0"]["healthy"]["ap-south-1"] == tomap({ "ap-southeast-1" = 100 }) &&
      output.simulation["0"]["ap-southeast-1 unhealthy"]["ap-south-1"] == tomap({ "ap-south-1" = 100 }) &&
      output.simulation["100"]["healthy"]["ap-south-1"] == tomap({ "ap-south-1" = 100 }) &&
      output.simulation["100"]["healthy"]["ap-southeast-1"] == tomap({ "ap-southeast-1" = 100 }) &&
      output.simulation["100"]["ap-south-1 unhealthy"]["ap-south-1"] == tomap({ "ap-southeast-1" = 100 })
    )
    error_message = "Stage 0 should send everyone to ap-southeast-1 (ap-south-1 when Singapore fails), stage 100 everyone to their closest healthy region: ${jsonencode(output.simulation)}"
  }

  assert {
    condition     = keys(output.simulation["10"]) == tolist(["ap-south-1 unhealthy", "ap-southeast-1 unhealthy", "healthy"])
    error_message = "Each stage should be simulated healthy and with each region's health check failing: ${jsonencode(keys(output.simulation["10"]))}"
  }
}

# Rolling out is one number: the plan changes only the record's version.
run "plan_roll_out" {
  command = plan

  variables {
    active_stage = 10

    prev_health_check_ids = run.initial.health_check_ids
    prev_record_id        = run.initial.record_id
    prev_version_ids      = run.initial.version_ids
    prev_versions         = run.initial.versions
  }

  assert {
    condition     = regis_traffic_policy_record.this.traffic_policy_version == var.prev_versions["10"] && regis_traffic_policy_record.this.id == var.prev_record_id
    error_message = "The plan should move record ${var.prev_record_id} in place to version ${var.prev_versions["10"]}."
  }

  # Known, unchanged ids in the plan: no version or health check is replaced.
  assert {
    condition     = tomap({ for k, v in regis_traffic_policy.this.versions : k => v.id }) == var.prev_version_ids
    error_message = "Rolling out must not create or replace a version."
  }

  assert {
    condition     = tomap({ for r, hc in regis_health_check.region : r => hc.id }) == var.prev_health_check_ids
    error_message = "Rolling out must not create or replace a health check."
  }
}

run "roll_out" {
  variables {
    active_stage = 10

    prev_documents        = run.initial.documents
    prev_health_check_ids = run.initial.health_check_ids
    prev_policy_id        = run.initial.policy_id
    prev_record_id        = run.initial.record_id
    prev_version_ids      = run.initial.version_ids
    prev_versions         = run.initial.versions
  }

  assert {
    condition     = output.active_version == var.prev_versions["10"] && output.active_stage == 10
    error_message = "The record should have moved to the stage-10 version ${var.prev_versions["10"]}, not ${output.active_version}."
  }

  assert {
    condition     = regis_traffic_policy_record.this.state == "Applied" && output.record_id == var.prev_record_id && output.policy_id == var.prev_policy_id
    error_message = "The same record should be Applied on the same policy after the move."
  }

  assert {
    condition = (
      output.versions == var.prev_versions &&
      output.version_ids == var.prev_version_ids &&
      output.documents == var.prev_documents &&
      output.health_check_ids == var.prev_health_check_ids
    )
    error_message = "Rolling out changed something other than the record."
  }
}

run "roll_back" {
  variables {
    active_stage = 0

    prev_active_version   = run.roll_out.active_version
    prev_health_check_ids = run.roll_out.health_check_ids
    prev_record_id        = run.roll_out.record_id
    prev_version_ids      = run.roll_out.version_ids
    prev_versions         = run.roll_out.versions
  }

  assert {
    condition     = output.active_version == var.prev_versions["0"] && output.active_version != var.prev_active_version && output.record_id == var.prev_record_id
    error_message = "Rolling back should move the record from version ${var.prev_active_version} to the stage-0 version ${var.prev_versions["0"]} again, not ${output.active_version}."
  }

  assert {
    condition     = output.version_ids == var.prev_version_ids && output.health_check_ids == var.prev_health_check_ids
    error_message = "Rolling back changed something other than the record."
  }
}

# A new stage is the next version; the others keep their numbers.
run "add_stage" {
  variables {
    stages = [0, 10, 50, 100]

    prev_version_ids = run.roll_back.version_ids
    prev_versions    = run.roll_back.versions
  }

  assert {
    condition     = output.versions == merge(var.prev_versions, tomap({ "50" = 4 }))
    error_message = "Adding stage 50 should create version 4 and keep the other stages' versions: ${jsonencode(output.versions)}"
  }

  assert {
    condition     = output.active_version == var.prev_versions["0"] && alltrue([for k, id in var.prev_version_ids : output.version_ids[k] == id])
    error_message = "Adding a stage must not move the record or touch the other versions."
  }

  assert {
    condition     = output.simulation["50"]["healthy"]["ap-south-1"] == tomap({ "ap-south-1" = 50, "ap-southeast-1" = 50 })
    error_message = "At stage 50, Mumbai clients should be split evenly: ${jsonencode(output.simulation["50"]["healthy"])}"
  }
}

# Moving the record off a stage and removing that stage can be one apply:
# Terraform updates the record before it deletes the version.
run "move_and_remove_stage" {
  variables {
    stages       = [0, 50, 100]
    active_stage = 50

    prev_version_ids = run.add_stage.version_ids
  }

  assert {
    condition     = output.active_version == 4 && keys(output.versions) == tolist(["0", "100", "50"])
    error_message = "The record should be on version 4 (stage 50) and stage 10 gone: ${output.active_version} ${jsonencode(output.versions)}"
  }

  assert {
    condition     = length(output.retired_versions) == 0
    error_message = "Stage 10's version was not in use: it should be deleted, not retired: ${jsonencode(output.retired_versions)}"
  }

  assert {
    condition     = alltrue([for k in ["0", "50", "100"] : output.version_ids[k] == var.prev_version_ids[k]])
    error_message = "Removing stage 10 must not touch the other stages."
  }
}

# Route 53 cannot change a policy record's type in place: a new record_type is
# a new record (created before the old one is deleted) on new versions.
run "change_record_type" {
  variables {
    stages       = [0, 50, 100]
    active_stage = 50
    record_type  = "AAAA"

    prev_policy_id = run.move_and_remove_stage.policy_id
    prev_record_id = run.move_and_remove_stage.record_id
  }

  assert {
    condition     = output.record_type == "AAAA" && regis_traffic_policy_record.this.state == "Applied" && output.record_id != var.prev_record_id
    error_message = "The record should have been replaced by an AAAA record: ${output.record_type} ${output.record_id}"
  }

  assert {
    condition     = output.active_version == output.versions["50"] && alltrue([for d in values(output.documents) : jsondecode(d).RecordType == "AAAA"])
    error_message = "The record should use the new stage-50 version, and every version should be AAAA."
  }

  assert {
    condition     = output.policy_id == var.prev_policy_id && output.versions == tomap({ "0" = 5, "50" = 6, "100" = 7 })
    error_message = "The AAAA documents should be versions 5, 6 and 7 of the same policy, in stage order: ${jsonencode(output.versions)}"
  }

  # The old stage-50 version was in use when the policy changed (the record
  # is replaced after the policy is updated): it is kept, and deleted by the
  # next change of the policy.
  assert {
    condition     = output.retired_versions == tolist([4])
    error_message = "Version 4, which the old record used, should be retired: ${jsonencode(output.retired_versions)}"
  }
}

# The next change of the policy deletes the retired version; a new stage is
# the next number.
run "next_change_deletes_retired_version" {
  variables {
    stages       = [0, 50, 75, 100]
    active_stage = 50
    record_type  = "AAAA"

    prev_versions = run.change_record_type.versions
  }

  assert {
    condition     = length(output.retired_versions) == 0 && output.versions == merge(var.prev_versions, tomap({ "75" = 8 }))
    error_message = "Version 4 should be deleted and stage 75 be version 8: ${jsonencode(output.retired_versions)} ${jsonencode(output.versions)}"
  }
}
