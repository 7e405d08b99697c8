################################################################################
# Service and DNS record
################################################################################

variable "name" {
  description = "Name of the service. It is the name of the traffic policy this module owns (so it must be unique among the account's traffic policies: two module instances with the same name would add versions to one policy) and prefixes the health checks' `Name` tags (`<name>-<region>`)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", var.name))
    error_message = "name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (got \"${var.name}\")."
  }
}

variable "hosted_zone_id" {
  description = "Id of the existing public hosted zone the record is created in, for example `Z0123456789ABCDEFGHIJ` (a `/hostedzone/` prefix is accepted and removed). The module does not create the zone."
  type        = string

  validation {
    condition     = can(regex("^(/hostedzone/)?Z[0-9A-Z]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 hosted zone id: Z followed by upper-case letters and digits, for example Z0123456789ABCDEFGHIJ (got \"${var.hosted_zone_id}\")."
  }
}

variable "record_name" {
  description = "Fully qualified domain name of the policy record, for example `app.example.com`. It must be in the hosted zone. Changing it creates a new policy record (and deletes the old one)."
  type        = string

  validation {
    condition = (
      length(trimsuffix(var.record_name, ".")) <= 253 &&
      can(regex("^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$", var.record_name))
    )
    error_message = "record_name must be a fully qualified domain name such as app.example.com: dot-separated labels of 1 to 63 letters, digits, '-' or '_', at most 253 characters (got \"${var.record_name}\")."
  }
}

variable "ttl" {
  description = "TTL in seconds of the records the policy creates. Route 53 ignores it for alias records (load balancer endpoints), which answer with the target's TTL, but the policy record still needs one."
  type        = number
  default     = 60

  validation {
    condition     = var.ttl >= 0 && var.ttl <= 2147483647 && floor(var.ttl) == var.ttl
    error_message = "ttl must be a whole number of seconds from 0 to 2147483647 (got ${var.ttl})."
  }
}

variable "record_type" {
  description = "DNS type of the record: `A` (default; load balancer endpoints are alias targets, which need `A` or `AAAA`), `AAAA`, or `CNAME` (only with endpoints of type `value` whose values are domain names). Route 53 cannot change the type of an existing policy record: changing it replaces every version and the record."
  type        = string
  default     = "A"

  validation {
    condition     = contains(["A", "AAAA", "CNAME"], var.record_type)
    error_message = "record_type must be A, AAAA or CNAME (got \"${var.record_type}\")."
  }
}

################################################################################
# Endpoints and health checks
################################################################################

variable "single_region_endpoint" {
  description = <<-EOT
    The deployment that serves everyone before the rollout: the weighted rule's first item.
    - `region`: AWS region code of the endpoint.
    - `type`: Traffic Flow endpoint type, `application-load-balancer` (default), `network-load-balancer`, `elastic-load-balancer`, `cloudfront`, `elastic-beanstalk` or `value`.
    - `value`: the load balancer's (or other target's) DNS name, or the record value for type `value`.
    - `evaluate_target_health`: also use the alias target's own health. Defaults to the matching region's setting when the endpoint is one of `regions`, else `false`.
    - `health_check`: settings of a health check for this endpoint (same fields as in `regions`). Only when the endpoint is not one of `regions`: an endpoint with the same region, type and value as an entry of `regions` is that entry (one endpoint in the document, as trafficflow's BuildRollout does) and uses its health check. Without it, the single-region endpoint has no health check.
  EOT
  type = object({
    region                 = string
    type                   = optional(string, "application-load-balancer")
    value                  = string
    evaluate_target_health = optional(bool)
    health_check = optional(object({
      type              = optional(string, "HTTPS")
      fqdn              = optional(string)
      ip_address        = optional(string)
      port              = optional(number)
      resource_path     = optional(string)
      search_string     = optional(string)
      request_interval  = optional(number, 30)
      failure_threshold = optional(number, 3)
      regions           = optional(set(string))
      enable_sni        = optional(bool)
      measure_latency   = optional(bool, false)
      disabled          = optional(bool, false)
    }))
  })

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", var.single_region_endpoint.region))
    error_message = "single_region_endpoint.region must be an AWS region code such as ap-southeast-1 (got \"${var.single_region_endpoint.region}\")."
  }

  validation {
    condition     = contains(["application-load-balancer", "network-load-balancer", "elastic-load-balancer", "cloudfront", "elastic-beanstalk", "value"], var.single_region_endpoint.type)
    error_message = "single_region_endpoint.type must be one of application-load-balancer, network-load-balancer, elastic-load-balancer, cloudfront, elastic-beanstalk, value (got \"${var.single_region_endpoint.type}\")."
  }

  validation {
    condition     = trimspace(var.single_region_endpoint.value) != ""
    error_message = "single_region_endpoint.value must not be empty: give the load balancer's DNS name (or the record value for type \"value\")."
  }

  validation {
    condition     = !(var.single_region_endpoint.type == "value" && coalesce(var.single_region_endpoint.evaluate_target_health, false))
    error_message = "single_region_endpoint.evaluate_target_health only applies to alias endpoints (load balancers, CloudFront, Elastic Beanstalk), not to type \"value\"."
  }

  validation {
    condition = var.single_region_endpoint.health_check == null ? true : (
      contains(["HTTP", "HTTPS", "TCP"], var.single_region_endpoint.health_check.type) &&
      !(var.single_region_endpoint.health_check.fqdn != null && var.single_region_endpoint.health_check.ip_address != null) &&
      (var.single_region_endpoint.health_check.type != "TCP" || var.single_region_endpoint.health_check.port != null) &&
      contains([10, 30], var.single_region_endpoint.health_check.request_interval) &&
      contains([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], var.single_region_endpoint.health_check.failure_threshold)
    )
    error_message = "single_region_endpoint.health_check is invalid: type must be HTTP, HTTPS or TCP; set at most one of fqdn and ip_address; TCP needs port; request_interval must be 10 or 30; failure_threshold a whole number from 1 to 10."
  }
}

variable "regions" {
  description = <<-EOT
    The multi-region deployment: AWS region code → its endpoint, the members of the latency rule. One `regis_health_check` is created per region (the application's heartbeat, behind the region's dedicated load balancer); while it fails, that region's clients are answered by the next-closest healthy region.
    - `type`, `value`, `evaluate_target_health`: as in `single_region_endpoint` (`evaluate_target_health` defaults to `false`).
    - `health_check`: `type` (`HTTPS` default, `HTTP` or `TCP`); `fqdn` or `ip_address` (default: the endpoint's `value`, as `ip_address` for `value` endpoints of `A`/`AAAA` records, else as `fqdn`); `port` (default 443 for HTTPS, 80 for HTTP, required for TCP); `resource_path` (the heartbeat path, e.g. `/healthz`; Route 53 requests `/` without it); `search_string`; `request_interval` (30 default, or 10); `failure_threshold` (3 default, 1–10); `regions` (checker regions, at least 3; default all); `enable_sni`; `measure_latency`; `disabled`. See the `regis_health_check` resource for their meaning.
  EOT
  type = map(object({
    type                   = optional(string, "application-load-balancer")
    value                  = string
    evaluate_target_health = optional(bool, false)
    health_check = optional(object({
      type              = optional(string, "HTTPS")
      fqdn              = optional(string)
      ip_address        = optional(string)
      port              = optional(number)
      resource_path     = optional(string)
      search_string     = optional(string)
      request_interval  = optional(number, 30)
      failure_threshold = optional(number, 3)
      regions           = optional(set(string))
      enable_sni        = optional(bool)
      measure_latency   = optional(bool, false)
      disabled          = optional(bool, false)
    }), {})
  }))

  validation {
    condition     = length(var.regions) > 0
    error_message = "regions must name at least one region: the latency rule needs at least one member."
  }

  validation {
    condition     = alltrue([for r in keys(var.regions) : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", r))])
    error_message = "Every key of regions must be an AWS region code such as ap-south-1; not region codes: ${join(", ", [for r in keys(var.regions) : "\"${r}\"" if !can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", r))])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : contains(["application-load-balancer", "network-load-balancer", "elastic-load-balancer", "cloudfront", "elastic-beanstalk", "value"], e.type)])
    error_message = "regions[*].type must be one of application-load-balancer, network-load-balancer, elastic-load-balancer, cloudfront, elastic-beanstalk, value; wrong in: ${join(", ", [for r, e in var.regions : r if !contains(["application-load-balancer", "network-load-balancer", "elastic-load-balancer", "cloudfront", "elastic-beanstalk", "value"], e.type)])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : trimspace(e.value) != ""])
    error_message = "regions[*].value must not be empty (give the load balancer's DNS name, or the record value for type \"value\"); empty in: ${join(", ", [for r, e in var.regions : r if trimspace(e.value) == ""])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : !(e.type == "value" && e.evaluate_target_health)])
    error_message = "regions[*].evaluate_target_health only applies to alias endpoints (load balancers, CloudFront, Elastic Beanstalk), not to type \"value\"; set in: ${join(", ", [for r, e in var.regions : r if e.type == "value" && e.evaluate_target_health])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : contains(["HTTP", "HTTPS", "TCP"], e.health_check.type)])
    error_message = "regions[*].health_check.type must be HTTP, HTTPS or TCP; wrong in: ${join(", ", [for r, e in var.regions : r if !contains(["HTTP", "HTTPS", "TCP"], e.health_check.type)])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : e.health_check.fqdn == null || e.health_check.ip_address == null])
    error_message = "regions[*].health_check: set fqdn or ip_address, not both (leave both out to check the endpoint's value); both set in: ${join(", ", [for r, e in var.regions : r if !(e.health_check.fqdn == null || e.health_check.ip_address == null)])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : e.health_check.port == null ? e.health_check.type != "TCP" : (e.health_check.port >= 1 && e.health_check.port <= 65535 && floor(e.health_check.port) == e.health_check.port)])
    error_message = "regions[*].health_check.port must be a port from 1 to 65535, and TCP health checks need one; wrong in: ${join(", ", [for r, e in var.regions : r if !(e.health_check.port == null ? e.health_check.type != "TCP" : (e.health_check.port >= 1 && e.health_check.port <= 65535 && floor(e.health_check.port) == e.health_check.port))])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : e.health_check.resource_path == null ? true : (e.health_check.type != "TCP" && can(regex("^/", e.health_check.resource_path)))])
    error_message = "regions[*].health_check.resource_path must start with / (for example /healthz) and only applies to HTTP and HTTPS checks; wrong in: ${join(", ", [for r, e in var.regions : r if !(e.health_check.resource_path == null ? true : (e.health_check.type != "TCP" && can(regex("^/", e.health_check.resource_path))))])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : e.health_check.search_string == null ? true : (e.health_check.type != "TCP" && length(e.health_check.search_string) >= 1 && length(e.health_check.search_string) <= 255)])
    error_message = "regions[*].health_check.search_string must be 1 to 255 characters and only applies to HTTP and HTTPS checks; wrong in: ${join(", ", [for r, e in var.regions : r if !(e.health_check.search_string == null ? true : (e.health_check.type != "TCP" && length(e.health_check.search_string) >= 1 && length(e.health_check.search_string) <= 255))])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : contains([10, 30], e.health_check.request_interval)])
    error_message = "regions[*].health_check.request_interval must be 30 (standard) or 10 (fast); wrong in: ${join(", ", [for r, e in var.regions : r if !contains([10, 30], e.health_check.request_interval)])}."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : contains([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], e.health_check.failure_threshold)])
    error_message = "regions[*].health_check.failure_threshold must be a whole number from 1 to 10; wrong in: ${join(", ", [for r, e in var.regions : r if !contains([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], e.health_check.failure_threshold)])}."
  }

  validation {
    condition = alltrue([for e in values(var.regions) : e.health_check.regions == null ? true : (
      length(e.health_check.regions) >= 3 &&
      length(setsubtract(e.health_check.regions, ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"])) == 0
    )])
    error_message = "regions[*].health_check.regions must list at least three of the Route 53 checker regions us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1 (or be left out for all of them)."
  }

  validation {
    condition     = alltrue([for e in values(var.regions) : !(coalesce(e.health_check.enable_sni, false) && e.health_check.type != "HTTPS")])
    error_message = "regions[*].health_check.enable_sni only applies to HTTPS checks; set with another type in: ${join(", ", [for r, e in var.regions : r if coalesce(e.health_check.enable_sni, false) && e.health_check.type != "HTTPS"])}."
  }
}

################################################################################
# Rollout
################################################################################

variable "stages" {
  description = "Rollout stages: each is the percentage (a whole number from 0 to 100) of lookups the weighted rule sends to the multi-region latency rule; the rest goes to the single-region endpoint. Each stage is one immutable version of the module's `regis_traffic_policy`, keyed by the stage and numbered in stage order ([0, 10, 100] are versions 1, 2 and 3 of a new policy; a stage added later gets the next number), so adding or removing a stage never touches the others. 0 (all single-region) and 100 (all multi-region) are valid: the other item keeps weight 0 and only answers when every non-zero item is unhealthy. Remove a stage only when `active_stage` moves away from it in the same apply (its version is then retired until the next change of the policy) or before."
  type        = list(number)
  default     = [0, 10, 50, 100]

  validation {
    condition     = length(var.stages) > 0
    error_message = "stages must list at least one stage, for example [0, 10, 50, 100]."
  }

  validation {
    condition     = alltrue([for s in var.stages : s >= 0 && s <= 100 && floor(s) == s])
    error_message = "Every stage must be a whole percentage from 0 to 100 (the share of lookups sent to the latency rule); out of range or fractional: ${join(", ", [for s in var.stages : tostring(s) if !(s >= 0 && s <= 100 && floor(s) == s)])}."
  }

  validation {
    condition     = length(distinct(var.stages)) == length(var.stages)
    error_message = "stages must not repeat a stage: each stage is one policy version (got [${join(", ", [for s in var.stages : tostring(s)])}])."
  }
}

variable "active_stage" {
  description = "The stage the policy record uses: one of `stages`. Rolling out or back is changing this number only; the plan is one in-place update of `regis_traffic_policy_record`."
  type        = number
  default     = 0

  validation {
    condition     = var.active_stage >= 0 && var.active_stage <= 100 && floor(var.active_stage) == var.active_stage
    error_message = "active_stage must be one of stages, a whole percentage from 0 to 100 (got ${var.active_stage})."
  }
}

################################################################################
# Simulation and tags
################################################################################

variable "simulation_client_regions" {
  description = "AWS regions to simulate clients in for the `simulation` output. Default: the regions of `regions` and of `single_region_endpoint`."
  type        = list(string)
  default     = null

  validation {
    condition     = var.simulation_client_regions == null ? true : (length(var.simulation_client_regions) > 0 && alltrue([for r in var.simulation_client_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", r))]))
    error_message = "simulation_client_regions must be null or a non-empty list of AWS region codes such as ap-south-1."
  }
}

variable "tags" {
  description = "Tags of the health checks, merged with the provider's `default_tags`. The module sets `Name` to `<name>-<endpoint id>` unless given here."
  type        = map(string)
  default     = {}
}
