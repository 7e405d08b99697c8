# CloudWatch Logs through Debian's awscli 2.9 (JSON 1.1): what an operator
# types to read a function's logs.
#
# Pages cited: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_<Op>.html,
# AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html.
source "$(dirname "$0")/_lib.sh"

case_read_a_log_group() {
  local t out
  aws1 "$R1" logs create-log-group --log-group-name /aws/lambda/consumer
  aws1 "$R1" logs create-log-stream --log-group-name /aws/lambda/consumer --log-stream-name s1
  t=$(( $(date +%s) * 1000 - 60000 ))
  aws1 "$R1" logs put-log-events --log-group-name /aws/lambda/consumer --log-stream-name s1 \
    --log-events "timestamp=$t,message=START RequestId: r1" "timestamp=$((t + 1)),message=redis: connection refused" >/dev/null
  out=$(aws1 "$R1" logs describe-log-groups --log-group-name-prefix /aws/lambda/)
  eq "$(json_get "$out" '[g["logGroupName"] for g in d["logGroups"]]')" "['/aws/lambda/consumer']" "describe-log-groups"
  out=$(aws1 "$R1" logs filter-log-events --log-group-name /aws/lambda/consumer --filter-pattern '"connection refused"')
  eq "$(json_get "$out" '[e["message"] for e in d["events"]]')" "['redis: connection refused']" "filter-log-events"
  out=$(aws1 "$R1" logs get-log-events --log-group-name /aws/lambda/consumer --log-stream-name s1 --start-from-head)
  eq "$(json_get "$out" 'len(d["events"])')" 2 "get-log-events"
  # The group is in R1 only: ResourceNotFoundException elsewhere.
  expect_error ResourceNotFoundException "$R2" logs filter-log-events --log-group-name /aws/lambda/consumer
  aws1 "$R1" logs delete-log-group --log-group-name /aws/lambda/consumer
  expect_error ResourceNotFoundException "$R1" logs get-log-events --log-group-name /aws/lambda/consumer --log-stream-name s1
}

run_cases
