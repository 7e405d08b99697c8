terraform {
  # The module needs 1.5 (check blocks). Its tests need `terraform test`
  # (Terraform >= 1.6 or OpenTofu); the module itself does not, and CI
  # validates it with Terraform 1.5.7 on a fresh machine (.ci/run).
  required_version = ">= 1.5"

  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}
