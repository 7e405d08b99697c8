# Not part of the documentation example: lets `terraform validate` run on
# this directory (scripts/terraform-tests.sh).
terraform {
  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}
