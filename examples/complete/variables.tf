################################################################################
# Everywhere
################################################################################

variable "home_region" {
  description = "The region that served everything before: the bus topic lives here (publishers send here) and flights are answered from here at stage 0."
  type        = string
  default     = "ap-southeast-1"
}

variable "environment" {
  description = "Environment, such as `prod` or `staging`: part of the bus name (`<environment>-hotels`), of the flights traffic policy name, and the `Environment` tag. Empty: no prefix (the demo)."
  type        = string
  default     = ""
}

variable "default_tags" {
  description = "Tags on every object the provider creates."
  type        = map(string)
  default = {
    ManagedBy = "terraform"
    Project   = "multi-region-seed"
  }
}

################################################################################
# Hotels: Redis data replicated through the bus
################################################################################

variable "hotels_redis" {
  description = <<-EOT
    Region → the hotels Redis of that region, which the bus keeps in step. Every region listed gets a queue, a dead-letter queue and a consumer applying what the hotels services publish. Add a region by adding an entry.

    - `endpoints`: `host:port` of the primary endpoint (or of the configuration endpoint with `cluster_mode`).
    - `cluster_mode` (default `false`), `tls` (default `true`).
    - `auth_secret_arn`: Secrets Manager secret in that region holding the AUTH token.
    - `subnet_ids`, `security_group_ids`: the consumer's network, to reach ElastiCache (both or neither).
  EOT
  type = map(object({
    endpoints          = list(string)
    cluster_mode       = optional(bool, false)
    tls                = optional(bool, true)
    auth_secret_arn    = optional(string)
    subnet_ids         = optional(list(string), [])
    security_group_ids = optional(list(string), [])
  }))
}

variable "consumer_architecture" {
  description = "Architecture of the consumer functions: `arm64` (Graviton, the production default) or `x86_64`. The regis emulator runs functions on its own host, so the demo uses the host's architecture."
  type        = string
  default     = "arm64"
}

variable "oncall_topic_arns" {
  description = "On-call SNS topics, one per region; each region's bus alarms (dead letters, lag) notify the topic of that region. Empty: the alarms exist but notify nobody."
  type        = list(string)
  default     = []
}

################################################################################
# Metasearch flights: rolled out from the home region to every region
################################################################################

variable "flights_hosted_zone_id" {
  description = "Id of the existing Route 53 hosted zone of `flights_record_name` (`Z…`)."
  type        = string
}

variable "flights_record_name" {
  description = "DNS name of the flights service, in that zone, for example `flights.metasearch.example.com`."
  type        = string
}

variable "flights_load_balancers" {
  description = "Region → DNS name of the flights application load balancer there (one per application and region, so the health check sees the application's heartbeat). Must include `home_region`, whose load balancer serves everyone at stage 0."
  type        = map(string)
}

variable "flights_heartbeat_path" {
  description = "Path of the flights application's heartbeat, checked by Route 53 in every region."
  type        = string
  default     = "/heartbeat"
}

variable "flights_heartbeat_search_string" {
  description = "String the heartbeat's response body must contain to be healthy. `null`: any 2xx or 3xx answer is healthy."
  type        = string
  default     = null
}

variable "flights_rollout_stages" {
  description = "Rollout stages: the percentage of flights lookups sent to the latency rule across all regions (the rest go to the home region). One traffic policy version each."
  type        = list(number)
  default     = [0, 10, 100]
}

variable "flights_active_stage" {
  description = "The stage the flights record uses; one of `flights_rollout_stages`. Change it and apply to roll out (0 → 10 → 100) or back."
  type        = number
  default     = 0
}

variable "flights_ttl" {
  description = "TTL of the flights records in seconds (Route 53 ignores it for load balancer aliases)."
  type        = number
  default     = 60
}
