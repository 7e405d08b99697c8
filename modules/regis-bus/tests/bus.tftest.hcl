# The hotels bus in Singapore and Mumbai, applied against the regis emulator
# (scripts/terraform-tests.sh). The Redis endpoints need not exist: the
# consumer connects only when a message arrives, and none is published here.
# Then a third region is added and removed: the first two regions' objects
# must stay exactly as they were.

variables {
  namespace   = "acme"
  environment = "test"
  name        = "hotels"

  tags = {
    team = "search"
    Name = "hotels-replication" # user tags win over the standard ones
  }

  regions = {
    "ap-southeast-1" = {
      redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"]
      auth_secret_arn = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/hotels-redis-AbCdEf"
    }
    "ap-south-1" = {
      redis_endpoints    = ["hotels-test.serverless.aps1.cache.amazonaws.com:6379"]
      cluster_mode       = true
      subnet_ids         = ["subnet-0aa1bb2cc3dd4ee5f"]
      security_group_ids = ["sg-0fedcba9876543210"]
      ordered            = true
      overrides = {
        memory_size     = 512
        timeout         = 60
        batch_size      = 100
        batching_window = 1
      }
    }
  }

  # One on-call topic per region: each goes to its own region's alarms.
  alarm_actions = [
    "arn:aws:sns:ap-southeast-1:123456789012:oncall",
    "arn:aws:sns:ap-south-1:123456789012:oncall",
  ]
}

run "two_regions" {
  # Naming: one name, <namespace>-<environment>-<name>, for every object.
  assert {
    condition = (
      output.name == "acme-test-hotels" &&
      startswith(output.topic_arn, "arn:aws:sns:ap-southeast-1:") && endswith(output.topic_arn, ":acme-test-hotels") &&
      output.home_region == "ap-southeast-1"
    )
    error_message = "The bus should be acme-test-hotels in ap-southeast-1: ${output.name} ${output.topic_arn}"
  }

  assert {
    condition = (
      keys(output.queue_urls) == ["ap-south-1", "ap-southeast-1"] &&
      alltrue([for r, a in output.queue_arns : a == "arn:aws:sqs:${r}:${split(":", output.topic_arn)[4]}:acme-test-hotels"]) &&
      alltrue([for r, a in output.dlq_arns : a == "arn:aws:sqs:${r}:${split(":", output.topic_arn)[4]}:acme-test-hotels-dlq"]) &&
      alltrue([for r, u in output.dlq_urls : endswith(u, "/acme-test-hotels-dlq")]) &&
      alltrue([for r, f in output.function_names : f == "acme-test-hotels-consumer"]) &&
      alltrue([for r, f in output.function_arns : startswith(f, "arn:aws:lambda:${r}:")]) &&
      alltrue([for r, a in output.role_arns : endswith(a, ":role/acme-test-hotels-consumer-${r}")]) &&
      alltrue([for r, a in output.subscription_arns : startswith(a, "${output.topic_arn}:")]) &&
      alltrue([for r, id in output.event_source_mapping_ids : id != ""])
    )
    error_message = "Every region's objects should be named after the bus: ${jsonencode(output.queue_arns)} ${jsonencode(output.function_names)} ${jsonencode(output.role_arns)}"
  }

  # Tagging: standard tags, user tags over them.
  assert {
    condition = (
      output.tags["Name"] == "hotels-replication" &&
      output.tags["Environment"] == "test" &&
      output.tags["regis:bus"] == "acme-test-hotels" &&
      output.tags["regis:module"] == "regis-bus" &&
      output.tags["team"] == "search"
    )
    error_message = "Unexpected tags: ${jsonencode(output.tags)}"
  }

  # Alarms on by default in every region, each notifying its region's topic.
  assert {
    condition = alltrue([for r in ["ap-southeast-1", "ap-south-1"] : (
      output.alarm_names[r] == tolist(["acme-test-hotels-dlq-not-empty", "acme-test-hotels-oldest-message-age"]) &&
      regis_bus.this.regions[r].alarms.dlq_not_empty &&
      regis_bus.this.regions[r].alarms.oldest_message_age_threshold == 300 &&
      regis_bus.this.regions[r].alarms.alarm_actions == tolist(["arn:aws:sns:${r}:123456789012:oncall"])
    )])
    error_message = "Each region should have both alarms, notifying its own on-call topic: ${jsonencode(output.alarm_names)} ${jsonencode(output.alarm_actions)}"
  }

  # Production defaults, and Mumbai's overrides.
  assert {
    condition = (
      regis_bus.this.regions["ap-southeast-1"].consumer.architecture == "arm64" &&
      regis_bus.this.regions["ap-southeast-1"].consumer.ordered == false &&
      regis_bus.this.regions["ap-southeast-1"].consumer.timeout == 30 &&
      regis_bus.this.regions["ap-southeast-1"].queue.visibility_timeout == 180 &&
      regis_bus.this.regions["ap-southeast-1"].queue.max_receive_count == 5 &&
      regis_bus.this.regions["ap-southeast-1"].queue.dlq_retention == 345600 &&
      regis_bus.this.regions["ap-southeast-1"].redis.tls == true &&
      regis_bus.this.regions["ap-southeast-1"].vpc == null
    )
    error_message = "Singapore should have the module's defaults: ${jsonencode(regis_bus.this.regions["ap-southeast-1"])}"
  }

  assert {
    condition = (
      regis_bus.this.regions["ap-south-1"].consumer.ordered == true &&
      regis_bus.this.regions["ap-south-1"].consumer.memory_size == 512 &&
      regis_bus.this.regions["ap-south-1"].consumer.batch_size == 100 &&
      regis_bus.this.regions["ap-south-1"].consumer.batching_window == 1 &&
      regis_bus.this.regions["ap-south-1"].queue.visibility_timeout == 360 &&
      regis_bus.this.regions["ap-south-1"].redis.cluster_mode == true &&
      tolist(regis_bus.this.regions["ap-south-1"].vpc.subnet_ids) == tolist(["subnet-0aa1bb2cc3dd4ee5f"])
    )
    error_message = "Mumbai should have its overrides, and a visibility timeout of 6 × its 60 s timeout: ${jsonencode(regis_bus.this.regions["ap-south-1"])}"
  }

  # The publishers' policy: sns:Publish on the topic, nothing else.
  assert {
    condition = (
      jsondecode(output.publisher_policy_json).Version == "2012-10-17" &&
      length(jsondecode(output.publisher_policy_json).Statement) == 1 &&
      jsondecode(output.publisher_policy_json).Statement[0].Effect == "Allow" &&
      jsondecode(output.publisher_policy_json).Statement[0].Action == ["sns:Publish"] &&
      jsondecode(output.publisher_policy_json).Statement[0].Resource == output.topic_arn
    )
    error_message = "Unexpected publisher policy: ${output.publisher_policy_json}"
  }

  assert {
    condition     = alltrue([for r, d in output.drift : length(d) == 0]) && output.status == null
    error_message = "A fresh bus should have no drift, and no status without status_enabled: ${jsonencode(output.drift)}"
  }
}

# A third region: only its objects are created. The live status is read too,
# after the bus is updated (the new region's queue does not exist at plan).
run "add_region" {
  variables {
    regions = {
      "ap-southeast-1" = {
        redis_endpoints = ["master.hotels.test.apse1.cache.amazonaws.com:6379"]
        auth_secret_arn = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/hotels-redis-AbCdEf"
      }
      "ap-south-1" = {
        redis_endpoints    = ["hotels-test.serverless.aps1.cache.amazonaws.com:6379"]
        cluster_mode       = true
        subnet_ids         = ["subnet-0aa1bb2cc3dd4ee5f"]
        security_group_ids = ["sg-0fedcba9876543210"]
        ordered            = true
        overrides = {
          memory_size     = 512
          timeout         = 60
          batch_size      = 100
          batching_window = 1
        }
      }
      "ap-southeast-2" = {
        redis_endpoints = ["master.hotels.test.apse2.cache.amazonaws.com:6379"]
      }
    }
    alarm_actions = [
      "arn:aws:sns:ap-southeast-1:123456789012:oncall",
      "arn:aws:sns:ap-south-1:123456789012:oncall",
      "arn:aws:sns:ap-southeast-2:123456789012:oncall",
    ]
    status_enabled = true

    # Outputs of run "two_regions", for the assertions.
    before_topic_arn     = run.two_regions.topic_arn
    before_queue_arns    = run.two_regions.queue_arns
    before_dlq_arns      = run.two_regions.dlq_arns
    before_function_arns = run.two_regions.function_arns
    before_role_arns     = run.two_regions.role_arns
    before_subscriptions = run.two_regions.subscription_arns
    before_mappings      = run.two_regions.event_source_mapping_ids
    before_code          = run.two_regions.consumer_code_sha256
  }

  assert {
    condition     = output.topic_arn == var.before_topic_arn && keys(output.queue_urls) == ["ap-south-1", "ap-southeast-1", "ap-southeast-2"]
    error_message = "The topic should be unchanged and the bus should now have three regions: ${jsonencode(keys(output.queue_urls))}"
  }

  assert {
    condition = alltrue([for r in ["ap-southeast-1", "ap-south-1"] : (
      output.queue_arns[r] == var.before_queue_arns[r] &&
      output.dlq_arns[r] == var.before_dlq_arns[r] &&
      output.function_arns[r] == var.before_function_arns[r] &&
      output.role_arns[r] == var.before_role_arns[r] &&
      output.subscription_arns[r] == var.before_subscriptions[r] &&
      output.event_source_mapping_ids[r] == var.before_mappings[r] &&
      output.consumer_code_sha256[r] == var.before_code[r]
    )])
    error_message = "Adding ap-southeast-2 should leave Singapore's and Mumbai's objects as they were."
  }

  assert {
    condition = (
      output.queue_arns["ap-southeast-2"] == "arn:aws:sqs:ap-southeast-2:${split(":", output.topic_arn)[4]}:acme-test-hotels" &&
      output.alarm_names["ap-southeast-2"] == tolist(["acme-test-hotels-dlq-not-empty", "acme-test-hotels-oldest-message-age"]) &&
      output.alarm_actions["ap-southeast-2"] == tolist(["arn:aws:sns:ap-southeast-2:123456789012:oncall"])
    )
    error_message = "ap-southeast-2 should get the bus's queue and alarms, notifying its own topic."
  }

  assert {
    condition = keys(output.status) == tolist(["ap-south-1", "ap-southeast-1", "ap-southeast-2"]) && alltrue([for r, s in output.status : (
      s.queue_depth == 0 && s.dlq_depth == 0 && s.queue_url == output.queue_urls[r] &&
      s.event_source_mapping_state == "Enabled" && s.report_batch_item_failures
    )])
    error_message = "The status of every region should show empty queues and an enabled mapping with ReportBatchItemFailures: ${jsonencode(output.status)}"
  }
}

# Removing it again deletes only its objects. Compared with run "add_region",
# which matched run "two_regions" for these regions: OpenTofu 1.10 (what CI
# runs the tests with when its Terraform is older than 1.6) reads run
# "two_regions"'s outputs as unknown in this run.
run "remove_region" {
  variables {
    # Outputs of run "add_region", for the assertions.
    kept_queue_arns    = run.add_region.queue_arns
    kept_function_arns = run.add_region.function_arns
    kept_mappings      = run.add_region.event_source_mapping_ids
  }

  assert {
    condition = keys(output.queue_urls) == ["ap-south-1", "ap-southeast-1"] && alltrue([for r in ["ap-southeast-1", "ap-south-1"] : (
      output.queue_arns[r] == var.kept_queue_arns[r] &&
      output.function_arns[r] == var.kept_function_arns[r] &&
      output.event_source_mapping_ids[r] == var.kept_mappings[r]
    )])
    error_message = "Removing ap-southeast-2 should leave the first two regions as they were: ${jsonencode(output.queue_arns)}"
  }
}
