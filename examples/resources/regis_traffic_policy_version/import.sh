# A version is imported by <policy id>/<version>. The document is read back
# as typed blocks when this provider created it from typed blocks, and as the
# JSON text Route 53 holds (in document) otherwise.
terraform import regis_traffic_policy_version.canary 4a8d2f6e-1c3b-4e5f-9a7b-2d4c6e8f0a1b/2
