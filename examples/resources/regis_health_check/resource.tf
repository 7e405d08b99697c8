# HTTPS check of the application's heartbeat behind the Singapore load
# balancer: healthy when /healthz answers 2xx/3xx with "ok" in the body.
resource "regis_health_check" "singapore" {
  type              = "HTTPS"
  fqdn              = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  resource_path     = "/healthz"
  search_string     = "ok"
  request_interval  = 10
  failure_threshold = 3
  regions           = ["ap-southeast-1", "ap-northeast-1", "ap-southeast-2", "us-west-2"]

  tags = {
    Name = "app-ap-southeast-1"
  }
}

# TCP check of an address: healthy when a connection to port 443 opens.
resource "regis_health_check" "mumbai" {
  type       = "TCP"
  ip_address = "203.0.113.10"
  port       = 443

  tags = {
    Name = "app-ap-south-1"
  }
}
