terraform {
  # The module needs 1.5 (strcontains). Its tests need `terraform test`
  # (Terraform >= 1.6 or OpenTofu), but the module itself does not: `make test`
  # validates it with whatever Terraform CI has, which is 1.5.7 on a fresh
  # machine (.ci/run), the tests then running under OpenTofu.
  required_version = ">= 1.5"

  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}
