################################################################################
# A service rolled out from one region to several with Route 53 Traffic Flow.
#
#   split (weighted, start rule)
#   ├─ weight 100 - stage → single-region endpoint (its health check, if any)
#   └─ weight stage       → latency (evaluate_target_health = true)
#                             ├─ region r1 → endpoint r1 (health check r1)
#                             └─ region r2 → endpoint r2 (health check r2)
#
# The document is the one trafficflow.BuildRollout builds: endpoint ids are the
# region codes, the single-region endpoint shares its id with the latency member
# of the same region, type and value, and is "single-<region>" otherwise.
#
# One traffic policy with an immutable version per stage (keyed by the stage,
# numbered in stage order), one policy record on the active stage's version:
# rolling out or back changes only the record's traffic_policy_version.
################################################################################

locals {
  hosted_zone_id = trimprefix(var.hosted_zone_id, "/hostedzone/")

  # Stage key ("10") → percentage to the latency rule (10).
  stages     = { for s in var.stages : tostring(s) => s }
  active_key = tostring(var.active_stage)

  alias_types = ["application-load-balancer", "network-load-balancer", "elastic-load-balancer", "cloudfront", "elastic-beanstalk"]

  single = var.single_region_endpoint

  # The single-region endpoint is the latency member of its region when it has
  # the same type and value (as in trafficflow.BuildRollout).
  single_shared = (
    contains(keys(var.regions), local.single.region) &&
    try(var.regions[local.single.region].type == local.single.type && var.regions[local.single.region].value == local.single.value, false)
  )
  single_endpoint_id            = local.single_shared ? local.single.region : "single-${local.single.region}"
  single_has_health_check       = !local.single_shared && local.single.health_check != null
  single_evaluate_target_health = local.single_shared ? coalesce(local.single.evaluate_target_health, try(var.regions[local.single.region].evaluate_target_health, false)) : coalesce(local.single.evaluate_target_health, false)

  # Endpoint id → endpoint of the document.
  endpoints = merge(
    { for r, e in var.regions : r => { type = e.type, value = e.value } },
    local.single_shared ? {} : { (local.single_endpoint_id) = { type = local.single.type, value = local.single.value } },
  )

  # Health check settings by endpoint id. Without fqdn and ip_address the check
  # targets the endpoint's value: as ip_address when it is an IP address (a
  # value endpoint of an A or AAAA record), else as fqdn (a load balancer's
  # DNS name).
  health_check_settings = {
    for id, hc in merge(
      { for r, e in var.regions : r => merge(e.health_check, { endpoint_value = e.value }) },
      local.single_has_health_check ? { (local.single_endpoint_id) = merge(local.single.health_check, { endpoint_value = local.single.value }) } : {},
    ) :
    id => merge(hc, {
      fqdn = hc.fqdn != null || hc.ip_address != null ? hc.fqdn : (
        can(cidrhost("${hc.endpoint_value}/32", 0)) || can(cidrhost("${hc.endpoint_value}/128", 0)) ? null : hc.endpoint_value
      )
      ip_address = hc.fqdn != null || hc.ip_address != null ? hc.ip_address : (
        can(cidrhost("${hc.endpoint_value}/32", 0)) || can(cidrhost("${hc.endpoint_value}/128", 0)) ? hc.endpoint_value : null
      )
    })
  }

  health_check_ids = merge(
    { for r, hc in regis_health_check.region : r => hc.id },
    local.single_has_health_check ? { (local.single_endpoint_id) = regis_health_check.single[0].id } : {},
  )
  single_health_check_id = lookup(local.health_check_ids, local.single_endpoint_id, null)

  simulation_client_regions = var.simulation_client_regions != null ? var.simulation_client_regions : sort(distinct(concat(keys(var.regions), [local.single.region])))

  # The simulated documents use stand-in health check ids, one per real health
  # check (endpoint id → UUID): where lookups go depends only on which entries
  # share a health check, not on its id. Without the real ids the data source
  # references no resource, so Terraform reads it at plan time even before the
  # health checks exist, and while they have changes pending.
  simulation_health_check_ids = {
    for i, id in sort(keys(local.health_check_settings)) : id => format("00000000-0000-4000-8000-%012d", i + 1)
  }
  # One what-if per health check: "<endpoint id> unhealthy".
  simulation_scenarios = [for id, hc in local.simulation_health_check_ids : { name = "${id} unhealthy", health_check = hc }]

  # Problems only visible when the inputs are taken together.
  endpoint_types = concat([local.single.type], [for e in values(var.regions) : e.type])
  # Value endpoints whose value does not fit record_type: A needs an IPv4
  # address, AAAA an IPv6 address, CNAME a domain name.
  misfit_values = [
    for id, e in local.endpoints : "${id} (${e.value})" if e.type == "value" && !(
      var.record_type == "A" ? can(cidrhost("${e.value}/32", 0)) && !strcontains(e.value, ":") :
      var.record_type == "AAAA" ? can(cidrhost("${e.value}/128", 0)) && strcontains(e.value, ":") :
      !can(cidrhost("${e.value}/32", 0)) && !can(cidrhost("${e.value}/128", 0))
    )
  ]
  input_problems = compact([
    var.record_type == "CNAME" && length(setintersection(local.endpoint_types, local.alias_types)) > 0 ?
    "record_type CNAME cannot answer with alias endpoints (${join(", ", setintersection(local.endpoint_types, local.alias_types))}): use record_type A (or AAAA), or endpoints of type \"value\"." : "",
    length(local.misfit_values) > 0 ?
    "Endpoints of type \"value\" must hold ${var.record_type == "A" ? "an IPv4 address" : var.record_type == "AAAA" ? "an IPv6 address" : "a domain name"} with record_type ${var.record_type}; they do not: ${join(", ", local.misfit_values)}." : "",
    local.single_shared && local.single.health_check != null ?
    "single_region_endpoint is the same endpoint as regions[\"${local.single.region}\"] (same type and value), so it uses that region's health check: remove single_region_endpoint.health_check." : "",
  ])
}

################################################################################
# Health checks: the application's heartbeat in each region
################################################################################

resource "regis_health_check" "region" {
  for_each = var.regions

  type              = local.health_check_settings[each.key].type
  fqdn              = local.health_check_settings[each.key].fqdn
  ip_address        = local.health_check_settings[each.key].ip_address
  port              = local.health_check_settings[each.key].port
  resource_path     = local.health_check_settings[each.key].resource_path
  search_string     = local.health_check_settings[each.key].search_string
  request_interval  = local.health_check_settings[each.key].request_interval
  failure_threshold = local.health_check_settings[each.key].failure_threshold
  regions           = local.health_check_settings[each.key].regions
  enable_sni        = local.health_check_settings[each.key].enable_sni
  measure_latency   = local.health_check_settings[each.key].measure_latency
  disabled          = local.health_check_settings[each.key].disabled

  tags = merge({ Name = "${var.name}-${each.key}" }, var.tags)

  lifecycle {
    # A replaced health check changes every version's document: the new
    # versions must exist (and the record move to one) before it goes.
    create_before_destroy = true
  }
}

resource "regis_health_check" "single" {
  count = local.single_has_health_check ? 1 : 0

  type              = local.health_check_settings[local.single_endpoint_id].type
  fqdn              = local.health_check_settings[local.single_endpoint_id].fqdn
  ip_address        = local.health_check_settings[local.single_endpoint_id].ip_address
  port              = local.health_check_settings[local.single_endpoint_id].port
  resource_path     = local.health_check_settings[local.single_endpoint_id].resource_path
  search_string     = local.health_check_settings[local.single_endpoint_id].search_string
  request_interval  = local.health_check_settings[local.single_endpoint_id].request_interval
  failure_threshold = local.health_check_settings[local.single_endpoint_id].failure_threshold
  regions           = local.health_check_settings[local.single_endpoint_id].regions
  enable_sni        = local.health_check_settings[local.single_endpoint_id].enable_sni
  measure_latency   = local.health_check_settings[local.single_endpoint_id].measure_latency
  disabled          = local.health_check_settings[local.single_endpoint_id].disabled

  tags = merge({ Name = "${var.name}-${local.single_endpoint_id}" }, var.tags)

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# One document per stage, simulated at plan time: a preview of the versions
# below, identical but for the stand-in health check ids
################################################################################

data "regis_traffic_policy_document" "stage" {
  for_each = local.stages

  record_type = var.record_type
  start_rule  = "split"

  dynamic "endpoint" {
    for_each = local.endpoints
    content {
      id    = endpoint.key
      type  = endpoint.value.type
      value = endpoint.value.value
    }
  }

  rule {
    id   = "split"
    type = "weighted"

    item {
      endpoint               = local.single_endpoint_id
      weight                 = 100 - each.value
      health_check           = lookup(local.simulation_health_check_ids, local.single_endpoint_id, null)
      evaluate_target_health = local.single_evaluate_target_health ? true : null
    }
    item {
      rule                   = "latency"
      weight                 = each.value
      evaluate_target_health = true
    }
  }

  rule {
    id   = "latency"
    type = "latency"

    dynamic "region" {
      for_each = var.regions
      content {
        region                 = region.key
        endpoint               = region.key
        health_check           = local.simulation_health_check_ids[region.key]
        evaluate_target_health = region.value.evaluate_target_health ? true : null
      }
    }
  }

  simulate {
    client_regions = local.simulation_client_regions

    dynamic "scenario" {
      for_each = local.simulation_scenarios
      content {
        name                    = scenario.value.name
        unhealthy_health_checks = [scenario.value.health_check]
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.input_problems) == 0
      error_message = join("\n", local.input_problems)
    }
  }
}

################################################################################
# The traffic policy: one immutable version per stage, numbered in stage order
################################################################################

resource "regis_traffic_policy" "this" {
  # Every stage is a version of the same policy, keyed by the stage. The
  # provider creates the versions of one apply one after the other in the
  # order of their keys, which are whole numbers: stages [0, 10, 100] are
  # versions 1, 2 and 3, every time, and a stage added later gets the next
  # number. A stage whose document changes (a new health check id, endpoint or
  # region) gets a new version; the others keep theirs.
  name = var.name

  versions = {
    for k, s in local.stages : k => {
      comment = "${var.name}: ${s}% to the latency rule, ${100 - s}% to ${local.single_endpoint_id}"

      # The document of data.regis_traffic_policy_document.stage with the
      # real health check ids (the tests check that the two differ only by
      # those ids). It is written out rather than taken from a data source's
      # json: Terraform reads a data source at apply time whenever a resource
      # it references has changes pending, so even an in-place health check
      # change would make every document unknown.
      #
      # RecordType comes through the data source so that, when its
      # precondition (the inputs taken together) fails, nothing is planned.
      document = jsonencode({
        AWSPolicyFormatVersion = "2015-10-01"
        RecordType             = data.regis_traffic_policy_document.stage[k].record_type
        StartRule              = "split"
        Endpoints              = { for id, e in local.endpoints : id => { Type = e.type, Value = e.value } }
        Rules = {
          split = {
            RuleType = "weighted"
            Items = [
              {
                EndpointReference    = local.single_endpoint_id
                Weight               = tostring(100 - s)
                HealthCheck          = local.single_health_check_id
                EvaluateTargetHealth = local.single_evaluate_target_health ? true : null
              },
              {
                RuleReference        = "latency"
                Weight               = tostring(s)
                EvaluateTargetHealth = true
              },
            ]
          }
          latency = {
            RuleType = "latency"
            Regions = [
              for r, e in var.regions : {
                Region               = r
                EndpointReference    = r
                HealthCheck          = regis_health_check.region[r].id
                EvaluateTargetHealth = e.evaluate_target_health ? true : null
              }
            ]
          }
        }
      })
    }
  }

  lifecycle {
    # A new name is a new policy: create it, move the record to it, then
    # delete the old one.
    create_before_destroy = true
  }
}

################################################################################
# The policy record: the DNS name, on the active stage's version
################################################################################

# Route 53 cannot change the DNS type of a policy record in place
# (ConflictingTypes): a new record_type replaces the record. The trigger is
# updated only once the versions of the new type exist, so that a failure
# while creating them does not lose it.
resource "terraform_data" "record_type" {
  input = var.record_type

  depends_on = [regis_traffic_policy.this]
}

resource "regis_traffic_policy_record" "this" {
  hosted_zone_id         = local.hosted_zone_id
  name                   = var.record_name
  ttl                    = var.ttl
  traffic_policy_id      = regis_traffic_policy.this.id
  traffic_policy_version = try(regis_traffic_policy.this.versions[local.active_key].version, null)

  lifecycle {
    # Replacements (another name, zone or record type) create the new record
    # first: Route 53 keeps policy records apart by zone, name and type, so
    # both can exist for a moment and answers never stop.
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.record_type]

    precondition {
      condition     = contains(keys(local.stages), local.active_key)
      error_message = "active_stage ${local.active_key} is not one of stages [${join(", ", [for s in var.stages : tostring(s)])}]. Set active_stage to one of them; to remove the stage the record uses, move active_stage to another stage first (or in the same change), then remove it."
    }
  }
}
