# Values for the local demo (`make demo`): the regis emulator, with the hosted
# zone example.internal created at start-up under the id Z0REGISTEST000001,
# and one plain redis-server per region on this machine.

hotels_redis = {
  "ap-southeast-1" = { endpoints = ["127.0.0.1:6379"], tls = false }
  "ap-south-1"     = { endpoints = ["127.0.0.1:6380"], tls = false }
}

# The emulator runs the consumer on its own host: use the host's architecture
# (x86_64 here; arm64 on an ARM machine).
consumer_architecture = "x86_64"

flights_hosted_zone_id = "Z0REGISTEST000001"
flights_record_name    = "flights.example.internal"
flights_load_balancers = {
  "ap-southeast-1" = "flights-sin-1234567890.ap-southeast-1.elb.amazonaws.com"
  "ap-south-1"     = "flights-bom-0987654321.ap-south-1.elb.amazonaws.com"
}
