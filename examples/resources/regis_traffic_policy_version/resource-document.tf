# Coming from aws_route53_traffic_policy: keep the JSON document. A change of
# the document is a new version of the same policy; with
# create_before_destroy the new version exists before the old one is deleted,
# so a regis_traffic_policy_record on it moves over in place.
resource "regis_traffic_policy_version" "api" {
  name = "api"
  document = jsonencode({
    AWSPolicyFormatVersion = "2015-10-01"
    RecordType             = "A"
    StartRule              = "by_latency"
    Endpoints = {
      "ap-southeast-1" = { Type = "value", Value = "203.0.113.10" }
      "ap-south-1"     = { Type = "value", Value = "203.0.113.20" }
    }
    Rules = {
      by_latency = {
        RuleType = "latency"
        Regions = [
          { Region = "ap-southeast-1", EndpointReference = "ap-southeast-1" },
          { Region = "ap-south-1", EndpointReference = "ap-south-1" },
        ]
      }
    }
  })

  lifecycle {
    create_before_destroy = true
  }
}
