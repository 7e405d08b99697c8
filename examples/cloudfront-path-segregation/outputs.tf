output "distribution_id" {
  description = "Id of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_domain_name" {
  description = "The distribution's own name (`d111111abcdef8.cloudfront.net`)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "site_url" {
  description = "Where viewers go."
  value       = "https://${var.site_domain_name}/"
}

output "flights_origin_record_name" {
  description = "The multi-region flights origin: the Traffic Flow record CloudFront resolves."
  value       = module.flights_origin.record_name
}

output "flights_origin_versions" {
  description = "Rollout stage → traffic policy version of the flights origin record."
  value       = module.flights_origin.versions
}

output "flights_origin_active_version" {
  description = "The version the flights origin record uses."
  value       = module.flights_origin.active_version
}
