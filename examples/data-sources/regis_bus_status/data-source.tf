# Queue depth, dead-letter queue depth and replication lag of every region
# of the hotels bus, for a dashboard or a `terraform plan` sanity check.
data "regis_bus_status" "hotels" {
  name = "hotels"
}

output "hotels_dead_letters" {
  value = { for region, s in data.regis_bus_status.hotels.status : region => s.dlq_depth }
}

output "hotels_lag_seconds" {
  value = { for region, s in data.regis_bus_status.hotels.status : region => s.oldest_message_age }
}
