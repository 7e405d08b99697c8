# Credentials come from the usual AWS chain (environment, profile, SSO,
# instance role). Against the regis emulator, LocalStack or moto, export
# AWS_ENDPOINT_URL=http://127.0.0.1:4566 (and test credentials) instead of
# changing this block.
provider "regis" {
  region = var.home_region

  default_tags {
    tags = var.default_tags
  }
}
