terraform {
  # 1.5: check blocks in modules/regis-bus. CI validates this directory with
  # Terraform 1.5.7 on a fresh machine (.ci/run).
  required_version = ">= 1.5"

  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}
