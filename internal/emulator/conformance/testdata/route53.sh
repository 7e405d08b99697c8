# Route 53 through Debian's awscli 2.9 (REST-XML): hosted zones, health
# checks, traffic policies, versions and policy records. API surface only:
# create, get, list, update, delete and their error codes. Route 53 is
# global: calls made with either region's settings see the same objects.
#
# Pages cited: https://docs.aws.amazon.com/Route53/latest/APIReference/API_<Op>.html
source "$(dirname "$0")/_lib.sh"

DOC='{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"split","Endpoints":{"sg":{"Type":"value","Value":"192.0.2.10"},"in":{"Type":"value","Value":"192.0.2.20"}},"Rules":{"split":{"RuleType":"weighted","Items":[{"EndpointReference":"sg","Weight":"90"},{"EndpointReference":"in","Weight":"10"}]}}}'
DOC2='{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"split","Endpoints":{"sg":{"Type":"value","Value":"192.0.2.10"},"in":{"Type":"value","Value":"192.0.2.20"}},"Rules":{"split":{"RuleType":"weighted","Items":[{"EndpointReference":"sg","Weight":"50"},{"EndpointReference":"in","Weight":"50"}]}}}'

case_health_checks() {
  # API_CreateHealthCheck: idempotent by CallerReference.
  local out id
  out=$(aws1 "$R1" route53 create-health-check --caller-reference hc-1 \
    --health-check-config IPAddress=198.51.100.7,Port=443,Type=HTTPS,ResourcePath=/health,RequestInterval=30,FailureThreshold=3)
  id=$(json_get "$out" 'd["HealthCheck"]["Id"]')
  eq "$(json_get "$out" 'd["HealthCheck"]["HealthCheckConfig"]["Type"]')" HTTPS "health check type"
  out=$(aws1 "$R2" route53 get-health-check --health-check-id "$id")
  eq "$(json_get "$out" 'd["HealthCheck"]["HealthCheckConfig"]["ResourcePath"]')" /health "GetHealthCheck through R2"
  eq "$(json_get "$out" 'd["HealthCheck"]["HealthCheckVersion"]')" 1 "HealthCheckVersion"
  # The same CallerReference with another configuration: HealthCheckAlreadyExists (409).
  expect_error HealthCheckAlreadyExists "$R1" route53 create-health-check --caller-reference hc-1 \
    --health-check-config IPAddress=198.51.100.8,Port=443,Type=HTTPS
  # Health checks refuse addresses that are not public: InvalidInput.
  expect_error InvalidInput "$R1" route53 create-health-check --caller-reference hc-private \
    --health-check-config IPAddress=10.0.0.1,Port=80,Type=HTTP
  # API_UpdateHealthCheck increments HealthCheckVersion.
  out=$(aws1 "$R1" route53 update-health-check --health-check-id "$id" --failure-threshold 5)
  eq "$(json_get "$out" 'd["HealthCheck"]["HealthCheckConfig"]["FailureThreshold"]')" 5 "FailureThreshold"
  eq "$(json_get "$out" 'd["HealthCheck"]["HealthCheckVersion"]')" 2 "HealthCheckVersion after update"
  # API_ChangeTagsForResource / API_ListTagsForResource.
  aws1 "$R1" route53 change-tags-for-resource --resource-type healthcheck --resource-id "$id" --add-tags Key=team,Value=data Key=env,Value=test
  aws1 "$R1" route53 change-tags-for-resource --resource-type healthcheck --resource-id "$id" --remove-tag-keys env
  out=$(aws1 "$R2" route53 list-tags-for-resource --resource-type healthcheck --resource-id "$id")
  eq "$(json_get "$out" '[(t["Key"], t["Value"]) for t in d["ResourceTagSet"]["Tags"]]')" "[('team', 'data')]" "health check tags"
  out=$(aws1 "$R2" route53 list-health-checks)
  eq "$(json_get "$out" '[h["Id"] for h in d["HealthChecks"]]')" "['$id']" "ListHealthChecks"
  # API_DeleteHealthCheck; then NoSuchHealthCheck (404).
  aws1 "$R1" route53 delete-health-check --health-check-id "$id"
  expect_error NoSuchHealthCheck "$R1" route53 get-health-check --health-check-id "$id"
}

case_traffic_policies_versions_and_records() {
  local out zone pid iid
  # API_CreateHostedZone.
  out=$(aws1 "$R1" route53 create-hosted-zone --name flights.example --caller-reference zone-1)
  zone=$(json_get "$out" 'd["HostedZone"]["Id"].split("/")[-1]')
  # API_CreateTrafficPolicy: version 1.
  out=$(aws1 "$R1" route53 create-traffic-policy --name split --document "$DOC" --comment first)
  pid=$(json_get "$out" 'd["TrafficPolicy"]["Id"]')
  eq "$(json_get "$out" 'd["TrafficPolicy"]["Version"]')" 1 "first version"
  eq "$(json_get "$out" 'd["TrafficPolicy"]["Type"]')" A "record type"
  # TrafficPolicyAlreadyExists (409) for a second policy of the same name.
  expect_error TrafficPolicyAlreadyExists "$R1" route53 create-traffic-policy --name split --document "$DOC"
  # InvalidTrafficPolicyDocument for a document with a broken reference.
  expect_error InvalidTrafficPolicyDocument "$R1" route53 create-traffic-policy --name broken \
    --document '{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"missing","Endpoints":{"a":{"Type":"value","Value":"192.0.2.1"}}}'
  # API_CreateTrafficPolicyVersion / API_ListTrafficPolicyVersions / API_GetTrafficPolicy.
  out=$(aws1 "$R2" route53 create-traffic-policy-version --id "$pid" --document "$DOC2" --comment second)
  eq "$(json_get "$out" 'd["TrafficPolicy"]["Version"]')" 2 "second version"
  out=$(aws1 "$R1" route53 list-traffic-policy-versions --id "$pid")
  eq "$(json_get "$out" 'sorted(v["Version"] for v in d["TrafficPolicies"])')" "[1, 2]" "versions"
  out=$(aws1 "$R2" route53 get-traffic-policy --id "$pid" --traffic-policy-version 1)
  eq "$(json_get "$out" '__import__("json").loads(d["TrafficPolicy"]["Document"])["Rules"]["split"]["Items"][0]["Weight"]')" 90 "version 1 document"
  expect_error NoSuchTrafficPolicy "$R1" route53 get-traffic-policy --id "$pid" --traffic-policy-version 9
  # API_UpdateTrafficPolicyComment.
  out=$(aws1 "$R1" route53 update-traffic-policy-comment --id "$pid" --traffic-policy-version 1 --comment renamed)
  eq "$(json_get "$out" 'd["TrafficPolicy"]["Comment"]')" renamed "updated comment"
  out=$(aws1 "$R2" route53 list-traffic-policies)
  eq "$(json_get "$out" '[(p["Id"], p["LatestVersion"], p["TrafficPolicyCount"]) for p in d["TrafficPolicySummaries"]]')" "[('$pid', 2, 2)]" "ListTrafficPolicies"
  # API_CreateTrafficPolicyInstance: a policy record of version 1.
  out=$(aws1 "$R1" route53 create-traffic-policy-instance --hosted-zone-id "$zone" --name www.flights.example \
    --ttl 60 --traffic-policy-id "$pid" --traffic-policy-version 1)
  iid=$(json_get "$out" 'd["TrafficPolicyInstance"]["Id"]')
  eq "$(json_get "$out" 'd["TrafficPolicyInstance"]["TrafficPolicyType"]')" A "instance record type"
  out=$(aws1 "$R2" route53 get-traffic-policy-instance --id "$iid")
  eq "$(json_get "$out" 'd["TrafficPolicyInstance"]["Name"]')" www.flights.example. "instance name"
  out=$(aws1 "$R1" route53 list-traffic-policy-instances-by-hosted-zone --hosted-zone-id "$zone")
  eq "$(json_get "$out" '[i["Id"] for i in d["TrafficPolicyInstances"]]')" "['$iid']" "instances by zone"
  out=$(aws1 "$R1" route53 list-traffic-policy-instances-by-policy --traffic-policy-id "$pid" --traffic-policy-version 1)
  eq "$(json_get "$out" '[i["Id"] for i in d["TrafficPolicyInstances"]]')" "['$iid']" "instances by policy"
  # A version in use cannot be deleted: TrafficPolicyInUse.
  expect_error TrafficPolicyInUse "$R1" route53 delete-traffic-policy --id "$pid" --traffic-policy-version 1
  # API_UpdateTrafficPolicyInstance moves the record to version 2.
  out=$(aws1 "$R2" route53 update-traffic-policy-instance --id "$iid" --ttl 30 --traffic-policy-id "$pid" --traffic-policy-version 2)
  eq "$(json_get "$out" 'd["TrafficPolicyInstance"]["TrafficPolicyVersion"]')" 2 "instance version after update"
  eq "$(json_get "$out" 'd["TrafficPolicyInstance"]["TTL"]')" 30 "instance TTL after update"
  aws1 "$R1" route53 delete-traffic-policy --id "$pid" --traffic-policy-version 1
  # API_DeleteTrafficPolicyInstance, then the last version goes too.
  aws1 "$R1" route53 delete-traffic-policy-instance --id "$iid"
  expect_error NoSuchTrafficPolicyInstance "$R1" route53 get-traffic-policy-instance --id "$iid"
  aws1 "$R1" route53 delete-traffic-policy --id "$pid" --traffic-policy-version 2
  # API_DeleteTrafficPolicy: "Route 53 never fully deletes the traffic
  # policy": deleted policies are not listed, but GetTrafficPolicy with the
  # id still returns the document.
  out=$(aws1 "$R2" route53 list-traffic-policies)
  eq "$(json_get "$out" 'd["TrafficPolicySummaries"]')" "[]" "ListTrafficPolicies after deleting every version"
  out=$(aws1 "$R2" route53 get-traffic-policy --id "$pid" --traffic-policy-version 2)
  eq "$(json_get "$out" 'd["TrafficPolicy"]["Version"]')" 2 "deleted version still readable"
  expect_error NoSuchTrafficPolicy "$R2" route53 delete-traffic-policy --id "$pid" --traffic-policy-version 2
  # API_DeleteHostedZone.
  aws1 "$R1" route53 delete-hosted-zone --id "$zone" >/dev/null
  expect_error NoSuchHostedZone "$R1" route53 get-hosted-zone --id "$zone"
}

run_cases
