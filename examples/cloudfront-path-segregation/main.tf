################################################################################
# One CloudFront distribution, two kinds of origin:
#
#   /hotels/*   → hotels origin, a single region (Singapore)
#   /flights/*  → flights origin, a Route 53 Traffic Flow record: the latency
#                 rule answers each CloudFront edge with its nearest healthy
#                 region (after the rollout reaches it)
#   everything else → hotels origin
#
# CloudFront resolves an origin's DNS name from its edge locations, so a
# latency record as origin sends each edge to the region closest to it.
################################################################################

# The flights origin: a Traffic Flow record rolled out from the home region to
# every region, with a health check on each region's heartbeat.
module "flights_origin" {
  source = "../../modules/multi-region-service"

  name           = "metasearch-flights-origin"
  hosted_zone_id = var.hosted_zone_id
  record_name    = var.flights_origin_record_name

  single_region_endpoint = {
    region = var.home_region
    value  = lookup(var.flights_load_balancers, var.home_region, "")
  }

  regions = {
    for region, dns_name in var.flights_load_balancers : region => {
      value        = dns_name
      health_check = { resource_path = var.flights_heartbeat_path }
    }
  }

  stages       = var.flights_rollout_stages
  active_stage = var.flights_active_stage
  tags         = var.tags
}

# AWS-managed policies, looked up by name.
data "aws_cloudfront_cache_policy" "caching_disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_cache_policy" "use_origin_cache_control" {
  name = "Managed-UseOriginCacheControlHeaders-QueryStrings"
}

# Everything the viewer sent but Host: the origins receive their own name as
# Host, which their certificates cover and their listener rules match.
data "aws_cloudfront_origin_request_policy" "all_viewer_except_host" {
  name = "Managed-AllViewerExceptHostHeader"
}

locals {
  hotels_origin_id  = "hotels-${var.home_region}"
  flights_origin_id = "flights-multi-region"

  all_methods = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
}

resource "aws_cloudfront_distribution" "this" {
  enabled         = true
  comment         = "metasearch: /hotels/* from ${var.home_region}, /flights/* multi-region"
  aliases         = [var.site_domain_name]
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.price_class

  origin {
    origin_id   = local.hotels_origin_id
    domain_name = var.hotels_origin_domain_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  origin {
    origin_id = local.flights_origin_id
    # The Traffic Flow record's name, not a load balancer's: which region
    # answers is Route 53's decision, per edge location.
    domain_name = module.flights_origin.record_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
      # Keep-alive connections outlive a DNS change: short ones let a
      # failover or a rollout step take effect within seconds.
      origin_keepalive_timeout = 5
      origin_read_timeout      = 30
    }
  }

  # Flights: searches and prices change by the second, nothing is cached.
  ordered_cache_behavior {
    path_pattern             = "/flights/*"
    target_origin_id         = local.flights_origin_id
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = local.all_methods
    cached_methods           = ["GET", "HEAD"]
    compress                 = true
    cache_policy_id          = data.aws_cloudfront_cache_policy.caching_disabled.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
  }

  # Hotels: the origin's Cache-Control decides.
  ordered_cache_behavior {
    path_pattern             = "/hotels/*"
    target_origin_id         = local.hotels_origin_id
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = local.all_methods
    cached_methods           = ["GET", "HEAD"]
    compress                 = true
    cache_policy_id          = data.aws_cloudfront_cache_policy.use_origin_cache_control.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
  }

  # The rest of the site stays where it was.
  default_cache_behavior {
    target_origin_id         = local.hotels_origin_id
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = local.all_methods
    cached_methods           = ["GET", "HEAD"]
    compress                 = true
    cache_policy_id          = data.aws_cloudfront_cache_policy.use_origin_cache_control.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
      locations        = []
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.acm_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  tags = var.tags
}

# The site's name points at the distribution (IPv4 and IPv6).
resource "aws_route53_record" "site" {
  for_each = toset(["A", "AAAA"])

  zone_id = var.hosted_zone_id
  name    = var.site_domain_name
  type    = each.value

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}
