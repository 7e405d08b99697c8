# The seed's rollout pattern: a weighted rule sends 90 % of lookups to the
# single-region deployment (Singapore) and 10 % to a latency rule across
# Singapore and Mumbai. Each region has its health check; when one fails, its
# clients are answered from the other region.

resource "regis_health_check" "singapore" {
  type          = "HTTPS"
  fqdn          = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  resource_path = "/healthz"
}

resource "regis_health_check" "mumbai" {
  type          = "HTTPS"
  fqdn          = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
  resource_path = "/healthz"
}

resource "regis_traffic_policy_version" "canary" {
  name        = "app"
  comment     = "canary: 10 % to the latency rule"
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
      health_check = regis_health_check.singapore.id
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
      health_check = regis_health_check.singapore.id
    }
    region {
      region       = "ap-south-1"
      endpoint     = "ap-south-1"
      health_check = regis_health_check.mumbai.id
    }
  }
}

output "canary" {
  value = "${regis_traffic_policy_version.canary.policy_id} version ${regis_traffic_policy_version.canary.version}"
}
