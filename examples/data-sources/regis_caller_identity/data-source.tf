data "regis_caller_identity" "current" {}

output "account_id" {
  value = data.regis_caller_identity.current.account_id
}
