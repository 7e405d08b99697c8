# A health check is imported by its id.
terraform import regis_health_check.singapore 0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b
