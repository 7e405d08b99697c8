# Invalid inputs fail at plan time, on the input at fault, with a message that
# says what to change. Nothing is created.

variables {
  name        = "validation"
  environment = "test"

  regions = {
    "ap-southeast-1" = { redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"] }
    "ap-south-1"     = { redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"] }
  }
}

# The baseline plans cleanly, so each failure below is due to its one change.
run "valid" {
  command = plan

  assert {
    condition = (
      regis_bus.this.name == "test-validation" &&
      regis_bus.this.regions["ap-south-1"].queue.visibility_timeout == 180 &&
      regis_bus.this.regions["ap-south-1"].consumer.architecture == "arm64"
    )
    error_message = "The valid baseline should plan the bus test-validation with the module's defaults."
  }
}

# The visibility timeout follows the consumer timeout when left null.
run "visibility_follows_timeout" {
  command = plan
  variables {
    timeout = 120
    regions = {
      "ap-southeast-1" = { redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"] }
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        overrides       = { timeout = 15 }
      }
    }
  }

  assert {
    condition = (
      regis_bus.this.regions["ap-southeast-1"].queue.visibility_timeout == 720 &&
      regis_bus.this.regions["ap-south-1"].queue.visibility_timeout == 90
    )
    error_message = "visibility_timeout should default to 6 × each region's timeout."
  }
}

# ------------------------------------------------------------------ names

run "name_with_a_dot" {
  command = plan
  variables {
    name = "hotels.v2"
  }
  expect_failures = [var.name]
}

run "name_too_long_for_the_iam_roles" {
  command = plan
  variables {
    namespace = "acme"
    name      = "hotel-availability-replication-v2" # acme-test-… is 43 characters; 40 fit with ap-southeast-1
  }
  expect_failures = [regis_bus.this]
}

run "environment_with_spaces" {
  command = plan
  variables {
    environment = "pre prod"
  }
  expect_failures = [var.environment]
}

# ---------------------------------------------------------------- regions

run "no_regions" {
  command = plan
  variables {
    regions = {}
  }
  expect_failures = [var.regions]
}

run "region_name_not_a_code" {
  command = plan
  variables {
    regions = {
      "Singapore"  = { redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"] }
      "ap_south_1" = { redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"] }
    }
  }
  expect_failures = [var.regions]
}

run "home_region_not_a_code" {
  command = plan
  variables {
    home_region = "Singapore"
  }
  expect_failures = [var.home_region]
}

run "redis_endpoint_is_a_url" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { redis_endpoints = ["rediss://master.hotels.test.aps1.cache.amazonaws.com:6379"] }
    }
  }
  expect_failures = [var.regions]
}

run "redis_endpoint_without_port" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com"] }
    }
  }
  expect_failures = [var.regions]
}

run "several_endpoints_without_cluster_mode" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { redis_endpoints = ["10.0.0.1:6379", "10.0.0.2:6379"] }
    }
  }
  expect_failures = [var.regions]
}

run "secret_in_another_region" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        auth_secret_arn = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/hotels-redis-AbCdEf"
      }
    }
  }
  expect_failures = [var.regions]
}

run "subnets_without_security_groups" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        subnet_ids      = ["subnet-0aa1bb2cc3dd4ee5f"]
      }
    }
  }
  expect_failures = [var.regions]
}

run "override_out_of_range" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        overrides       = { architecture = "amd64" }
      }
    }
  }
  expect_failures = [var.regions]
}

# ------------------------------------------------------- consumer and queue

run "memory_size_too_small" {
  command = plan
  variables {
    memory_size = 100
  }
  expect_failures = [var.memory_size]
}

run "batch_size_above_10_without_window" {
  command = plan
  variables {
    batch_size = 100
  }
  expect_failures = [regis_bus.this]
}

run "region_batch_size_above_10_without_window" {
  command = plan
  variables {
    regions = {
      "ap-southeast-1" = { redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"] }
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        overrides       = { batch_size = 50 }
      }
    }
  }
  expect_failures = [regis_bus.this]
}

run "visibility_below_6_times_timeout" {
  command = plan
  variables {
    visibility_timeout = 60 # timeout is 30
  }
  expect_failures = [regis_bus.this]
}

run "region_timeout_above_visibility" {
  command = plan
  variables {
    visibility_timeout = 180
    regions = {
      "ap-southeast-1" = { redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"] }
      "ap-south-1" = {
        redis_endpoints = ["master.hotels.test.aps1.cache.amazonaws.com:6379"]
        overrides       = { timeout = 120 }
      }
    }
  }
  expect_failures = [regis_bus.this]
}

run "tombstone_ttl_in_days" {
  command = plan
  variables {
    tombstone_ttl = "7d"
  }
  expect_failures = [var.tombstone_ttl]
}

# ----------------------------------------------------------------- alarms

run "alarm_action_not_an_arn" {
  command = plan
  variables {
    alarm_actions = ["oncall"]
  }
  expect_failures = [var.alarm_actions]
}

run "alarm_action_outside_the_bus_regions" {
  command = plan
  variables {
    alarm_actions = [
      "arn:aws:sns:ap-southeast-1:123456789012:oncall",
      "arn:aws:sns:ap-south-1:123456789012:oncall",
      "arn:aws:sns:us-east-1:123456789012:oncall",
    ]
  }
  expect_failures = [regis_bus.this]
}

# A region whose alarms notify nobody is a warning (check block), not an
# error: the plan goes on.
run "region_without_alarm_action" {
  command = plan
  variables {
    alarm_actions = ["arn:aws:sns:ap-southeast-1:123456789012:oncall"]
  }
  expect_failures = [check.alarms_notify_someone]

  assert {
    condition = (
      regis_bus.this.regions["ap-southeast-1"].alarms.alarm_actions == tolist(["arn:aws:sns:ap-southeast-1:123456789012:oncall"]) &&
      length(regis_bus.this.regions["ap-south-1"].alarms.alarm_actions) == 0
    )
    error_message = "Singapore's topic should go to Singapore's alarms only."
  }
}
