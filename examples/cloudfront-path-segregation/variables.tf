variable "home_region" {
  description = "The region that serves hotels (and served flights before the rollout)."
  type        = string
  default     = "ap-southeast-1"
}

variable "hosted_zone_id" {
  description = "Id of the existing public hosted zone that holds `site_domain_name` and `flights_origin_record_name`."
  type        = string
}

variable "site_domain_name" {
  description = "The name viewers use, served by the CloudFront distribution, for example `www.metasearch.example.com`."
  type        = string
}

variable "acm_certificate_arn" {
  description = "ARN of an ACM certificate **in us-east-1** (CloudFront only takes those) covering `site_domain_name`."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:acm:us-east-1:[0-9]{12}:certificate/.+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate in us-east-1: CloudFront uses certificates from that region only."
  }
}

variable "hotels_origin_domain_name" {
  description = "DNS name of the single-region hotels origin in the home region, for example an alias `hotels-origin.metasearch.example.com` of the Singapore load balancer. Its HTTPS listener's certificate must cover this name."
  type        = string
}

variable "flights_origin_record_name" {
  description = "DNS name of the flights Traffic Flow record that CloudFront uses as the multi-region flights origin, for example `flights-origin.metasearch.example.com`. Every regional flights load balancer needs a certificate covering it."
  type        = string
}

variable "flights_load_balancers" {
  description = "Region → DNS name of the flights application load balancer there. Must include `home_region`."
  type        = map(string)
}

variable "flights_heartbeat_path" {
  description = "Path of the flights application's heartbeat, checked by Route 53 in every region."
  type        = string
  default     = "/heartbeat"
}

variable "flights_rollout_stages" {
  description = "Percentages of flights origin lookups sent to the latency rule across all regions (the rest go to the home region)."
  type        = list(number)
  default     = [0, 10, 100]
}

variable "flights_active_stage" {
  description = "The stage the flights origin record uses; one of `flights_rollout_stages`."
  type        = number
  default     = 0
}

variable "price_class" {
  description = "CloudFront price class. `PriceClass_All` uses every edge location, including those nearest Mumbai and Singapore."
  type        = string
  default     = "PriceClass_All"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "tags" {
  description = "Tags of the distribution and health checks."
  type        = map(string)
  default     = {}
}
