# The seed's 90/10 rollout step, rendered and simulated at plan time.
data "regis_traffic_policy_document" "canary" {
  record_type = "A"
  start_rule  = "split"

  endpoint {
    id    = "ap-south-1"
    type  = "application-load-balancer"
    value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
  }
  endpoint {
    id    = "ap-southeast-1"
    type  = "application-load-balancer"
    value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  }

  rule {
    id   = "split"
    type = "weighted"
    item {
      endpoint     = "ap-southeast-1"
      weight       = 90
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
    }
    item {
      rule                   = "latency"
      weight                 = 10
      evaluate_target_health = true
    }
  }

  rule {
    id   = "latency"
    type = "latency"
    region {
      region       = "ap-southeast-1"
      endpoint     = "ap-southeast-1"
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000001"
    }
    region {
      region       = "ap-south-1"
      endpoint     = "ap-south-1"
      health_check = "5e1c0a3b-0b1f-4c2e-9a55-000000000002"
    }
  }

  # Where do Singapore and Mumbai clients go, with everything healthy and
  # with Singapore's health check failing?
  simulate {
    client_regions = ["ap-southeast-1", "ap-south-1"]
    scenario {
      name                    = "singapore down"
      unhealthy_health_checks = ["5e1c0a3b-0b1f-4c2e-9a55-000000000001"]
    }
  }
}

# The JSON works with aws_route53_traffic_policy too.
output "document" {
  value = data.regis_traffic_policy_document.canary.json
}

# e.g. { "healthy ap-south-1" = { "ap-south-1" = 10, "ap-southeast-1" = 90 }, … }
output "simulation" {
  value = {
    for s in data.regis_traffic_policy_document.canary.simulation :
    "${s.scenario} ${s.client_region}" => s.shares
  }
}
