terraform {
  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}
