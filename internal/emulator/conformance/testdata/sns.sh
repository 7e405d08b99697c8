# SNS → SQS through Debian's awscli 2.9 (query protocol): a topic in one
# region delivering to a queue in the other, raw and enveloped.
#
# Pages cited: https://docs.aws.amazon.com/sns/latest/api/API_<Op>.html,
# sns/latest/dg/sns-message-and-json-formats.html (the envelope).
source "$(dirname "$0")/_lib.sh"

case_cross_region_delivery() {
  local topic u qarn sub out body
  topic=$(json_get "$(aws1 "$R1" sns create-topic --name bus --tags Key=team,Value=data)" 'd["TopicArn"]')
  eq "$topic" "arn:aws:sns:$R1:$EMULATOR_ACCOUNT:bus" "topic ARN"
  u=$(json_get "$(aws1 "$R2" sqs create-queue --queue-name replica)" 'd["QueueUrl"]')
  qarn="arn:aws:sqs:$R2:$EMULATOR_ACCOUNT:replica"
  aws1 "$R2" sqs set-queue-attributes --queue-url "$u" --attributes "{\"Policy\":$("$PYTHON" -s -E -c 'import json,sys; print(json.dumps(json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":sys.argv[1],"Condition":{"ArnEquals":{"aws:SourceArn":sys.argv[2]}}}]})))' "$qarn" "$topic")}"
  # The subscription is made by the topic's region client.
  sub=$(json_get "$(aws1 "$R1" sns subscribe --topic-arn "$topic" --protocol sqs --notification-endpoint "$qarn" --attributes RawMessageDelivery=true --return-subscription-arn)" 'd["SubscriptionArn"]')
  out=$(aws1 "$R1" sns get-subscription-attributes --subscription-arn "$sub")
  eq "$(json_get "$out" 'd["Attributes"]["RawMessageDelivery"]')" true "RawMessageDelivery"
  aws1 "$R1" sns publish --topic-arn "$topic" --message 'raw & <body>' >/dev/null
  out=$(aws1 "$R2" sqs receive-message --queue-url "$u" --wait-time-seconds 2)
  eq "$(json_get "$out" 'd["Messages"][0]["Body"]')" 'raw & <body>' "raw delivery"
  aws1 "$R2" sqs delete-message --queue-url "$u" --receipt-handle "$(json_get "$out" 'd["Messages"][0]["ReceiptHandle"]')"
  aws1 "$R1" sns set-subscription-attributes --subscription-arn "$sub" --attribute-name RawMessageDelivery --attribute-value false
  aws1 "$R1" sns publish --topic-arn "$topic" --message enveloped --subject s >/dev/null
  body=$(json_get "$(aws1 "$R2" sqs receive-message --queue-url "$u" --wait-time-seconds 2)" 'd["Messages"][0]["Body"]')
  eq "$(json_get "$body" '(d["Type"], d["TopicArn"], d["Message"], d["Subject"], d["SignatureVersion"])')" "('Notification', '$topic', 'enveloped', 's', '1')" "envelope"
  eq "$(json_get "$(aws1 "$R1" sns list-subscriptions-by-topic --topic-arn "$topic")" '[s["Endpoint"] for s in d["Subscriptions"]]')" "['$qarn']" "subscriptions"
  eq "$(json_get "$(aws1 "$R1" sns list-tags-for-resource --resource-arn "$topic")" 'd["Tags"]')" "[{'Key': 'team', 'Value': 'data'}]" "topic tags"
  aws1 "$R1" sns unsubscribe --subscription-arn "$sub"
  aws1 "$R1" sns delete-topic --topic-arn "$topic"
  expect_error NotFound "$R1" sns get-topic-attributes --topic-arn "$topic"
}

run_cases
