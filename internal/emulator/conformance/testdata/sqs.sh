# SQS through Debian's awscli 2.9 (query protocol), in two regions: the
# calls the README and the operating guide tell users to make.
#
# Pages cited: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_<Op>.html
source "$(dirname "$0")/_lib.sh"

case_queue_round_trip() {
  local u1 u2 out rh
  u1=$(json_get "$(aws1 "$R1" sqs create-queue --queue-name bus --attributes VisibilityTimeout=120 --tags team=data)" 'd["QueueUrl"]')
  u2=$(json_get "$(aws1 "$R2" sqs create-queue --queue-name bus)" 'd["QueueUrl"]')
  eq "$u1" "https://sqs.$R1.amazonaws.com/$EMULATOR_ACCOUNT/bus" "queue URL in R1"
  eq "$u2" "https://sqs.$R2.amazonaws.com/$EMULATOR_ACCOUNT/bus" "queue URL in R2"
  eq "$(json_get "$(aws1 "$R1" sqs get-queue-url --queue-name bus)" 'd["QueueUrl"]')" "$u1" "GetQueueUrl"
  out=$(aws1 "$R1" sqs get-queue-attributes --queue-url "$u1" --attribute-names VisibilityTimeout QueueArn)
  eq "$(json_get "$out" 'd["Attributes"]["VisibilityTimeout"]')" 120 "VisibilityTimeout"
  eq "$(json_get "$out" 'd["Attributes"]["QueueArn"]')" "arn:aws:sqs:$R1:$EMULATOR_ACCOUNT:bus" "QueueArn"
  # A body with quotes, ampersands, angle brackets and a CR LF comes back whole.
  aws1 "$R1" sqs send-message --queue-url "$u1" --message-body $'{"cmd":"SET","v":"a & <b>"}\r\nend' \
    --message-attributes '{"version":{"DataType":"Number","StringValue":"1"}}' >/dev/null
  out=$(aws1 "$R1" sqs receive-message --queue-url "$u1" --attribute-names All --message-attribute-names All)
  eq "$(json_get "$out" 'repr(d["Messages"][0]["Body"])')" "'{\"cmd\":\"SET\",\"v\":\"a & <b>\"}\\r\\nend'" "body"
  eq "$(json_get "$out" 'd["Messages"][0]["MessageAttributes"]["version"]["StringValue"]')" 1 "message attribute"
  eq "$(json_get "$out" 'd["Messages"][0]["Attributes"]["ApproximateReceiveCount"]')" 1 "ApproximateReceiveCount"
  rh=$(json_get "$out" 'd["Messages"][0]["ReceiptHandle"]')
  aws1 "$R1" sqs delete-message --queue-url "$u1" --receipt-handle "$rh"
  eq "$(json_get "$(aws1 "$R1" sqs get-queue-attributes --queue-url "$u1" --attribute-names All)" 'd["Attributes"]["ApproximateNumberOfMessagesNotVisible"]')" 0 "in flight after delete"
  # R2's queue of the same name is another queue.
  eq "$(aws1 "$R2" sqs receive-message --queue-url "$u2")" "" "R2 receive"
  eq "$(json_get "$(aws1 "$R1" sqs list-queue-tags --queue-url "$u1")" 'd["Tags"]')" "{'team': 'data'}" "tags"
  expect_error AWS.SimpleQueueService.NonExistentQueue "$R2" sqs get-queue-url --queue-name absent
}

case_purge_and_recreate() {
  local u
  u=$(json_get "$(aws1 "$R2" sqs create-queue --queue-name tmp)" 'd["QueueUrl"]')
  aws1 "$R2" sqs send-message --queue-url "$u" --message-body one >/dev/null
  aws1 "$R2" sqs purge-queue --queue-url "$u"
  eq "$(aws1 "$R2" sqs receive-message --queue-url "$u")" "" "receive after purge"
  expect_error AWS.SimpleQueueService.PurgeQueueInProgress "$R2" sqs purge-queue --queue-url "$u"
  aws1 "$R2" sqs delete-queue --queue-url "$u"
  # API_DeleteQueue / API_CreateQueue: 60 s before the name can be reused.
  expect_error AWS.SimpleQueueService.QueueDeletedRecently "$R2" sqs create-queue --queue-name tmp
  advance_clock 61
  eq "$(json_get "$(aws1 "$R2" sqs create-queue --queue-name tmp)" 'd["QueueUrl"]')" "$u" "re-created"
}

run_cases
