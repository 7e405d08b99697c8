# One version per rollout stage: the share of lookups a weighted rule sends to
# a latency rule across Singapore and Mumbai instead of Singapore alone. The
# versions are numbered in the order of their keys, so on a new policy stage
# 0 is version 1, 10 is version 2 and 100 is version 3; a stage added later
# (50) gets the next number. Rolling out is moving the record to a higher
# number.
locals {
  stages = [0, 10, 100]
}

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

resource "regis_traffic_policy" "app" {
  name = "app"

  versions = {
    for s in local.stages : tostring(s) => {
      comment = "${s} % to the latency rule"
      document = jsonencode({
        AWSPolicyFormatVersion = "2015-10-01"
        RecordType             = "A"
        StartRule              = "split"
        Endpoints = {
          "ap-southeast-1" = { Type = "application-load-balancer", Value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com" }
          "ap-south-1"     = { Type = "application-load-balancer", Value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com" }
        }
        Rules = {
          split = {
            RuleType = "weighted"
            Items = [
              { EndpointReference = "ap-southeast-1", Weight = tostring(100 - s), HealthCheck = regis_health_check.singapore.id },
              { RuleReference = "latency", Weight = tostring(s), EvaluateTargetHealth = true },
            ]
          }
          latency = {
            RuleType = "latency"
            Regions = [
              { Region = "ap-southeast-1", EndpointReference = "ap-southeast-1", HealthCheck = regis_health_check.singapore.id },
              { Region = "ap-south-1", EndpointReference = "ap-south-1", HealthCheck = regis_health_check.mumbai.id },
            ]
          }
        }
      })
    }
  }
}

# app.example.com on stage 10. Rolling out is changing "10" to "100".
resource "regis_traffic_policy_record" "app" {
  hosted_zone_id         = "Z0123456789ABCDEFGHIJ"
  name                   = "app.example.com"
  ttl                    = 60
  traffic_policy_id      = regis_traffic_policy.app.id
  traffic_policy_version = regis_traffic_policy.app.versions["10"].version
}

output "versions" {
  value = { for k, v in regis_traffic_policy.app.versions : k => v.version } # { "0" = 1, "10" = 2, "100" = 3 }
}
