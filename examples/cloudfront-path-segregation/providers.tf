# CloudFront, its certificate and the Route 53 records are global; the AWS
# provider is configured in us-east-1, where CloudFront's ACM certificates live.
provider "aws" {
  region = "us-east-1"
}

# The regis provider manages the flights Traffic Flow record and its health
# checks; its region is the home region.
provider "regis" {
  region = var.home_region
}
