# A version is imported by <policy id>/<version>. The document is read back
# into typed blocks (endpoints and rules sorted by id).
terraform import regis_traffic_policy_version.canary 4a8d2f6e-1c3b-4e5f-9a7b-2d4c6e8f0a1b/2
