terraform {
  required_providers {
    regis = {
      source = "regis-infra/regis"
    }
  }
}

# Credentials come from the usual AWS chain (environment, profile, SSO,
# instance role); the home region holds the bus topic.
provider "regis" {
  region = "ap-southeast-1"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/platform-deployer"
    session_name = "terraform"
  }

  default_tags {
    tags = {
      team       = "platform"
      managed_by = "terraform"
    }
  }
}

# Against LocalStack, moto or the regis emulator, configure endpoints the way
# the AWS provider does (or export AWS_ENDPOINT_URL=http://127.0.0.1:4566).
provider "regis" {
  alias      = "local"
  region     = "ap-southeast-1"
  access_key = "test"
  secret_key = "test"

  endpoints {
    sns            = "http://127.0.0.1:4566"
    sqs            = "http://127.0.0.1:4566"
    lambda         = "http://127.0.0.1:4566"
    iam            = "http://127.0.0.1:4566"
    sts            = "http://127.0.0.1:4566"
    route53        = "http://127.0.0.1:4566"
    cloudwatch     = "http://127.0.0.1:4566"
    secretsmanager = "http://127.0.0.1:4566"
  }
}
