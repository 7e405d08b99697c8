# Invalid inputs fail at plan time, on the input at fault. Nothing is created.

variables {
  name           = "mrs-validation"
  hosted_zone_id = "Z0REGISTEST000001"
  record_name    = "validation.example.internal"

  single_region_endpoint = {
    region = "ap-southeast-1"
    value  = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  }

  regions = {
    "ap-southeast-1" = { value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com" }
    "ap-south-1"     = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com" }
  }

  stages       = [0, 10, 100]
  active_stage = 0
}

# The baseline plans cleanly, so each failure below is due to its one change.
run "valid" {
  command = plan

  assert {
    condition     = regis_traffic_policy_record.this.hosted_zone_id == "Z0REGISTEST000001" && length(regis_traffic_policy.this.versions) == 3
    error_message = "The valid baseline should plan one record and a policy of three versions."
  }
}

# ------------------------------------------------------------------ stages

run "active_stage_not_in_stages" {
  command = plan
  variables {
    active_stage = 50
  }
  expect_failures = [regis_traffic_policy_record.this]
}

# Removing the stage the record uses (without moving active_stage) is the
# same mistake, caught before anything is deleted.
run "removing_the_active_stage" {
  command = plan
  variables {
    stages       = [10, 100]
    active_stage = 0
  }
  expect_failures = [regis_traffic_policy_record.this]
}

run "active_stage_out_of_range" {
  command = plan
  variables {
    active_stage = 150
  }
  expect_failures = [var.active_stage]
}

run "stage_above_100" {
  command = plan
  variables {
    stages = [0, 10, 101]
  }
  expect_failures = [var.stages]
}

run "negative_stage" {
  command = plan
  variables {
    stages = [-10, 0, 100]
  }
  expect_failures = [var.stages]
}

run "fractional_stage" {
  command = plan
  variables {
    stages = [0, 12.5, 100]
  }
  expect_failures = [var.stages]
}

run "repeated_stage" {
  command = plan
  variables {
    stages = [0, 10, 10]
  }
  expect_failures = [var.stages]
}

run "no_stages" {
  command = plan
  variables {
    stages = []
  }
  expect_failures = [var.stages]
}

# ----------------------------------------------------------------- regions

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
      "Singapore"  = { value = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com" }
      "ap_south_1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com" }
    }
  }
  expect_failures = [var.regions]
}

run "single_region_not_a_code" {
  command = plan
  variables {
    single_region_endpoint = {
      region = "AP-SOUTHEAST-1"
      value  = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
    }
  }
  expect_failures = [var.single_region_endpoint]
}

run "unknown_endpoint_type" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { type = "alb", value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com" }
    }
  }
  expect_failures = [var.regions]
}

run "empty_endpoint_value" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = " " }
    }
  }
  expect_failures = [var.regions]
}

run "evaluate_target_health_on_value_endpoint" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { type = "value", value = "203.0.113.20", evaluate_target_health = true }
    }
  }
  expect_failures = [var.regions]
}

# ----------------------------------------------------------- health checks

run "health_check_type" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { type = "ICMP" } }
    }
  }
  expect_failures = [var.regions]
}

run "tcp_health_check_without_port" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { type = "TCP" } }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_port_out_of_range" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { port = 70000 } }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_fqdn_and_ip" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = {
        value        = "app-bom-0987654321.ap-south-1.elb.amazonaws.com"
        health_check = { fqdn = "app.example.com", ip_address = "203.0.113.20" }
      }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_path_without_slash" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { resource_path = "healthz" } }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_interval" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { request_interval = 20 } }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_failure_threshold" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { failure_threshold = 0 } }
    }
  }
  expect_failures = [var.regions]
}

run "health_check_checker_regions" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { value = "app-bom-0987654321.ap-south-1.elb.amazonaws.com", health_check = { regions = ["us-east-1", "ap-south-1", "eu-west-1"] } }
    }
  }
  expect_failures = [var.regions]
}

run "single_health_check_invalid" {
  command = plan
  variables {
    single_region_endpoint = {
      region       = "eu-west-1"
      value        = "legacy-1234.eu-west-1.elb.amazonaws.com"
      health_check = { request_interval = 60 }
    }
  }
  expect_failures = [var.single_region_endpoint]
}

# ---------------------------------------------------- inputs taken together

run "single_health_check_when_shared" {
  command = plan
  variables {
    single_region_endpoint = {
      region       = "ap-southeast-1"
      value        = "app-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
      health_check = { resource_path = "/heartbeat" }
    }
  }
  expect_failures = [data.regis_traffic_policy_document.stage]
}

run "cname_with_load_balancers" {
  command = plan
  variables {
    record_type = "CNAME"
  }
  expect_failures = [data.regis_traffic_policy_document.stage]
}

run "value_endpoint_not_an_address_for_a" {
  command = plan
  variables {
    regions = {
      "ap-south-1" = { type = "value", value = "app-bom.example.com" }
    }
  }
  expect_failures = [data.regis_traffic_policy_document.stage]
}

# CNAME records work with value endpoints holding domain names; their health
# checks check those names.
run "cname_with_domain_names" {
  command = plan
  variables {
    record_type            = "CNAME"
    single_region_endpoint = { region = "eu-west-1", type = "value", value = "legacy.example.com", health_check = {} }
    regions = {
      "ap-south-1" = { type = "value", value = "app-bom.example.com" }
    }
  }

  assert {
    condition = (
      data.regis_traffic_policy_document.stage["10"].record_type == "CNAME" &&
      regis_health_check.region["ap-south-1"].fqdn == "app-bom.example.com" &&
      regis_health_check.region["ap-south-1"].ip_address == null &&
      regis_health_check.single[0].fqdn == "legacy.example.com"
    )
    error_message = "A CNAME policy should plan, with health checks of the endpoints' domain names."
  }
}

# ---------------------------------------------------------- record and zone

run "record_type" {
  command = plan
  variables {
    record_type = "MX"
  }
  expect_failures = [var.record_type]
}

run "hosted_zone_id" {
  command = plan
  variables {
    hosted_zone_id = "example.internal"
  }
  expect_failures = [var.hosted_zone_id]
}

run "record_name" {
  command = plan
  variables {
    record_name = "not a name"
  }
  expect_failures = [var.record_name]
}

run "negative_ttl" {
  command = plan
  variables {
    ttl = -1
  }
  expect_failures = [var.ttl]
}

run "name" {
  command = plan
  variables {
    name = "my service"
  }
  expect_failures = [var.name]
}
