# Two versions of the "www" policy: everything on the single-region
# deployment, then a canary sending 10 % to the latency rule.
resource "regis_traffic_policy_version" "before" {
  name           = "www"
  comment        = "before the rollout: Singapore only"
  record_type    = "A"
  start_endpoint = "ap-southeast-1"

  endpoint {
    id    = "ap-southeast-1"
    type  = "application-load-balancer"
    value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  }
}

resource "regis_traffic_policy_version" "canary" {
  name        = "www"
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
      endpoint = "ap-southeast-1"
      weight   = 90
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
      region   = "ap-southeast-1"
      endpoint = "ap-southeast-1"
    }
    region {
      region   = "ap-south-1"
      endpoint = "ap-south-1"
    }
  }

  # Create the canary after the first version, so it is version 2.
  depends_on = [regis_traffic_policy_version.before]
}

# www.example.com answers from the canary. To roll back, point both
# arguments at regis_traffic_policy_version.before and apply: the record is
# updated in place, with no gap in answers.
resource "regis_traffic_policy_record" "www" {
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
  name                   = "www.example.com"
  ttl                    = 60
  traffic_policy_id      = regis_traffic_policy_version.canary.policy_id
  traffic_policy_version = regis_traffic_policy_version.canary.version

  timeouts {
    update = "15m"
  }
}
