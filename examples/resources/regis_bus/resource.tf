# Replicate the hotels cache from Singapore to Mumbai and Sydney. Services
# publish to the topic in the home region (the provider's region); every
# region in `regions` gets its queue, dead-letter queue, consumer function,
# event source mapping, IAM role and alarms. Adding a region is one more
# entry in `regions`.
resource "regis_bus" "hotels" {
  name = "hotels"

  regions = {
    "ap-southeast-1" = {
      redis = {
        endpoints       = ["master.hotels.abc123.apse1.cache.amazonaws.com:6379"]
        auth_secret_arn = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/hotels-redis-AbCdEf"
      }
      vpc = {
        subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
        security_group_ids = ["sg-0123456789abcdef0"]
      }
    }

    "ap-south-1" = {
      redis = {
        # ElastiCache Serverless: cluster mode, always TLS.
        endpoints       = ["hotels-xyz789.serverless.aps1.cache.amazonaws.com:6379"]
        cluster_mode    = true
        auth_secret_arn = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:regis/hotels-redis-GhIjKl"
      }
      vpc = {
        subnet_ids         = ["subnet-0aa1bb2cc3dd4ee5f"]
        security_group_ids = ["sg-0fedcba9876543210"]
      }
      consumer = {
        memory_size     = 512
        batch_size      = 100
        batching_window = 1
        max_concurrency = 20
      }
      alarms = {
        oldest_message_age_threshold = 120
        alarm_actions                = ["arn:aws:sns:ap-south-1:123456789012:oncall"]
      }
    }

    "ap-southeast-2" = {
      redis = {
        endpoints = ["master.hotels.def456.apse2.cache.amazonaws.com:6379"]
      }
      vpc = {
        subnet_ids         = ["subnet-0123abcd4567ef890"]
        security_group_ids = ["sg-0a0b0c0d0e0f01020"]
      }
      queue = {
        message_retention = 1209600 # 14 days
        dlq_retention     = 1209600
      }
    }
  }

  tags = {
    service = "hotels"
  }
}

# Publishers need the topic ARN.
output "hotels_topic_arn" {
  value = regis_bus.hotels.topic_arn
}
