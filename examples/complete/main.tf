################################################################################
# The seed scenario: Singapore served everything; Mumbai is added.
#
#  - hotels: the hotels services in Singapore keep publishing their Redis
#    writes to one topic; the bus applies them to the hotels Redis of every
#    region (Singapore and Mumbai), so reads are local everywhere.
#  - metasearch flights: the flights record moves from Singapore's load
#    balancer to a latency rule across Singapore and Mumbai, 0 % → 10 % → 100 %,
#    each region guarded by a health check on the application's heartbeat.
################################################################################

module "hotels_bus" {
  source = "../../modules/regis-bus"

  name        = "hotels"
  environment = var.environment

  regions = {
    for region, redis in var.hotels_redis : region => {
      redis_endpoints    = redis.endpoints
      cluster_mode       = redis.cluster_mode
      tls                = redis.tls
      auth_secret_arn    = redis.auth_secret_arn
      subnet_ids         = redis.subnet_ids
      security_group_ids = redis.security_group_ids
    }
  }

  architecture  = var.consumer_architecture
  alarm_actions = var.oncall_topic_arns

  tags = {
    Service = "hotels"
  }
}

module "flights_dns" {
  source = "../../modules/multi-region-service"

  name           = join("-", compact([var.environment, "metasearch-flights"]))
  hosted_zone_id = var.flights_hosted_zone_id
  record_name    = var.flights_record_name
  ttl            = var.flights_ttl

  # Before the rollout: the home region's load balancer answers everyone. It
  # is also the home region's latency member (same load balancer), so the two
  # share one endpoint and one health check.
  single_region_endpoint = {
    region = var.home_region
    value  = lookup(var.flights_load_balancers, var.home_region, "")
  }

  regions = {
    for region, dns_name in var.flights_load_balancers : region => {
      value = dns_name
      health_check = {
        resource_path = var.flights_heartbeat_path
        search_string = var.flights_heartbeat_search_string
      }
    }
  }

  stages       = var.flights_rollout_stages
  active_stage = var.flights_active_stage

  tags = {
    Service = "metasearch-flights"
  }
}

# Inputs that only make sense together, checked before anything is planned.
resource "terraform_data" "inputs" {
  lifecycle {
    precondition {
      condition     = contains(keys(var.flights_load_balancers), var.home_region)
      error_message = "flights_load_balancers must include the home region ${var.home_region}: its load balancer serves every flights lookup at stage 0 (it has ${join(", ", keys(var.flights_load_balancers))})."
    }

    precondition {
      condition     = contains(keys(var.hotels_redis), var.home_region)
      error_message = "hotels_redis must include the home region ${var.home_region}, where the hotels services run and read their Redis (it has ${join(", ", keys(var.hotels_redis))})."
    }
  }
}
