"""SNS → SQS through boto3 1.26 (query protocol), across two regions.

Pages cited: https://docs.aws.amazon.com/sns/latest/api/API_<Operation>.html
and the Developer Guide pages named beside each check.
"""

import base64
import json
import sys
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, advance_clock, case, check, client, eq, expect_error, run  # noqa: E402,F401

R1, R2 = REGIONS
sns1, sns2 = client("sns", R1), client("sns", R2)
sqs1, sqs2 = client("sqs", R1), client("sqs", R2)


def queue_allowing(sqs, name, topic_arns):
    """A queue whose policy lets SNS send only for the given topics
    (sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html: principal
    sns.amazonaws.com, condition aws:SourceArn)."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arns}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def receive_all(sqs, url):
    out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=2)
    msgs = out.get("Messages", [])
    for m in msgs:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return msgs


@case
def topics_live_in_their_region():
    # API_CreateTopic: idempotent by name; the ARN names the region.
    a1 = sns1.create_topic(Name="events")["TopicArn"]
    eq(a1, f"arn:aws:sns:{R1}:{ACCOUNT}:events", "topic ARN")
    eq(sns1.create_topic(Name="events")["TopicArn"], a1, "CreateTopic again")
    a2 = sns2.create_topic(Name="events")["TopicArn"]
    eq(a2, f"arn:aws:sns:{R2}:{ACCOUNT}:events", "topic ARN in R2")
    eq([t["TopicArn"] for t in sns1.list_topics()["Topics"]], [a1], "ListTopics R1")
    # API_GetTopicAttributes / API_SetTopicAttributes.
    sns1.set_topic_attributes(TopicArn=a1, AttributeName="DisplayName", AttributeValue="Events")
    attrs = sns1.get_topic_attributes(TopicArn=a1)["Attributes"]
    eq(attrs["DisplayName"], "Events", "DisplayName")
    eq(attrs["TopicArn"], a1, "TopicArn attribute")
    eq(attrs["Owner"], ACCOUNT, "Owner")
    # NotFound (HTTP 404) for a topic that does not exist, also across regions.
    expect_error("NotFound", sns2.get_topic_attributes, TopicArn=f"arn:aws:sns:{R2}:{ACCOUNT}:absent", status=404)
    expect_error("NotFound", sns1.publish, TopicArn=f"arn:aws:sns:{R1}:{ACCOUNT}:absent", Message="x")
    expect_error("InvalidParameter", sns1.create_topic, Name="bad name!")
    # API_TagResource / API_ListTagsForResource / API_UntagResource.
    sns1.tag_resource(ResourceArn=a1, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "test"}])
    sns1.untag_resource(ResourceArn=a1, TagKeys=["env"])
    eq(sns1.list_tags_for_resource(ResourceArn=a1)["Tags"], [{"Key": "team", "Value": "data"}], "topic tags")
    # API_DeleteTopic is idempotent.
    sns2.delete_topic(TopicArn=a2)
    sns2.delete_topic(TopicArn=a2)
    expect_error("NotFound", sns2.get_topic_attributes, TopicArn=a2)


@case
def fan_out_across_regions_raw_and_enveloped():
    # A topic in R1 delivers to queues in R1 and R2, one raw, one not
    # (sns/latest/dg/sns-large-payload-raw-message-delivery.html and
    # sns-message-and-json-formats.html#http-notification-json).
    topic = sns1.create_topic(Name="fanout")["TopicArn"]
    raw_url, raw_arn = queue_allowing(sqs2, "fan-raw", [topic])
    env_url, env_arn = queue_allowing(sqs1, "fan-env", [topic])
    raw_sub = sns1.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn,
                             Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)["SubscriptionArn"]
    env_sub = sns1.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=env_arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    check(raw_sub.startswith(topic + ":"), f"subscription ARN {raw_sub}")
    subs = sns1.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    eq(sorted(s["Endpoint"] for s in subs), sorted([raw_arn, env_arn]), "ListSubscriptionsByTopic endpoints")
    # API_GetSubscriptionAttributes.
    sa = sns1.get_subscription_attributes(SubscriptionArn=raw_sub)["Attributes"]
    eq((sa["RawMessageDelivery"], sa["Protocol"], sa["Endpoint"], sa["TopicArn"]), ("true", "sqs", raw_arn, topic), "raw subscription attributes")
    eq(sa["PendingConfirmation"], "false", "SQS subscriptions in the account need no confirmation")

    attrs = {"kind": {"DataType": "String", "StringValue": "set"}, "n": {"DataType": "Number", "StringValue": "7"},
             "bin": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}}
    pub = sns1.publish(TopicArn=topic, Message='{"k":"v & <w>"}', Subject="hello", MessageAttributes=attrs)

    raw = receive_all(sqs2, raw_url)
    eq(len(raw), 1, "raw deliveries")
    # Raw: the body is the message; attributes become SQS message attributes.
    eq(raw[0]["Body"], '{"k":"v & <w>"}', "raw body")
    eq(raw[0]["MessageAttributes"]["kind"], {"DataType": "String", "StringValue": "set"}, "raw string attribute")
    eq(raw[0]["MessageAttributes"]["bin"]["BinaryValue"], b"\x01\x02", "raw binary attribute")

    env = receive_all(sqs1, env_url)
    eq(len(env), 1, "enveloped deliveries")
    check("MessageAttributes" not in env[0], "enveloped delivery carries SQS message attributes")
    e = json.loads(env[0]["Body"])
    eq(e["Type"], "Notification", "envelope Type")
    eq(e["MessageId"], pub["MessageId"], "envelope MessageId")
    eq(e["TopicArn"], topic, "envelope TopicArn")
    eq(e["Subject"], "hello", "envelope Subject")
    eq(e["Message"], '{"k":"v & <w>"}', "envelope Message")
    eq(e["SignatureVersion"], "1", "envelope SignatureVersion")
    for k in ("Timestamp", "Signature", "SigningCertURL", "UnsubscribeURL"):
        check(e.get(k), f"envelope lacks {k}")
    check(e["Timestamp"].endswith("Z") and "T" in e["Timestamp"], f"Timestamp {e['Timestamp']} is not ISO 8601 UTC")
    check(len(base64.b64decode(e["Signature"])) > 0, "Signature is not base64")
    eq(e["MessageAttributes"]["kind"], {"Type": "String", "Value": "set"}, "envelope string attribute")
    eq(e["MessageAttributes"]["n"], {"Type": "Number", "Value": "7"}, "envelope number attribute")
    eq(e["MessageAttributes"]["bin"], {"Type": "Binary", "Value": base64.b64encode(b"\x01\x02").decode()}, "envelope binary attribute")

    # API_SetSubscriptionAttributes: raw delivery off → envelope.
    sns1.set_subscription_attributes(SubscriptionArn=raw_sub, AttributeName="RawMessageDelivery", AttributeValue="false")
    sns1.publish(TopicArn=topic, Message="second")
    m = receive_all(sqs2, raw_url)
    eq(json.loads(m[0]["Body"])["Message"], "second", "enveloped after raw delivery was turned off")
    # API_Unsubscribe: no more deliveries.
    sns1.unsubscribe(SubscriptionArn=raw_sub)
    sns1.publish(TopicArn=topic, Message="third")
    eq(receive_all(sqs2, raw_url), [], "delivery after Unsubscribe")
    eq(len(receive_all(sqs1, env_url)), 2, "the other subscription still receives")
    expect_error("NotFound", sns1.get_subscription_attributes, SubscriptionArn=raw_sub)


@case
def queue_policy_enforced_by_source_arn():
    # sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html: SNS delivers only
    # when the queue policy allows the topic (aws:SourceArn).
    allowed = sns2.create_topic(Name="allowed")["TopicArn"]
    other = sns2.create_topic(Name="other")["TopicArn"]
    url, arn = queue_allowing(sqs1, "guarded", [allowed])
    for t in (allowed, other):
        sns2.subscribe(TopicArn=t, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns2.publish(TopicArn=allowed, Message="from allowed")
    sns2.publish(TopicArn=other, Message="from other")
    eq([m["Body"] for m in receive_all(sqs1, url)], ["from allowed"], "bodies delivered")
    # A queue with no policy at all receives nothing from SNS.
    bare = sqs1.create_queue(QueueName="bare")["QueueUrl"]
    bare_arn = sqs1.get_queue_attributes(QueueUrl=bare, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns2.subscribe(TopicArn=allowed, Protocol="sqs", Endpoint=bare_arn)
    sns2.publish(TopicArn=allowed, Message="again")
    eq(receive_all(sqs1, bare), [], "delivered to a queue without a policy")


@case
def publish_batch():
    # API_PublishBatch: up to 10 entries, per-entry results.
    topic = sns2.create_topic(Name="batch")["TopicArn"]
    url, arn = queue_allowing(sqs2, "batch-q", [topic])
    sns2.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    out = sns2.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "A"}, {"Id": "b", "Message": "B",
                                      "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}])
    eq(sorted(s["Id"] for s in out["Successful"]), ["a", "b"], "PublishBatch successes")
    eq(out["Failed"], [], "PublishBatch failures")
    msgs = receive_all(sqs2, url)
    eq(sorted(m["Body"] for m in msgs), ["A", "B"], "batch deliveries")
    expect_error("TooManyEntriesInBatchRequest", sns2.publish_batch, TopicArn=topic,
                 PublishBatchRequestEntries=[{"Id": str(i), "Message": "x"} for i in range(11)])
    expect_error("BatchEntryIdsNotDistinct", sns2.publish_batch, TopicArn=topic,
                 PublishBatchRequestEntries=[{"Id": "x", "Message": "1"}, {"Id": "x", "Message": "2"}])


@case
def filter_policy_on_attributes():
    # sns/latest/dg/sns-message-filtering.html: a subscription with a filter
    # policy receives only matching messages.
    topic = sns1.create_topic(Name="filtered")["TopicArn"]
    url, arn = queue_allowing(sqs1, "filtered-q", [topic])
    sns1.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                   Attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"kind": ["set"]}'})
    sns1.publish(TopicArn=topic, Message="yes", MessageAttributes={"kind": {"DataType": "String", "StringValue": "set"}})
    sns1.publish(TopicArn=topic, Message="no", MessageAttributes={"kind": {"DataType": "String", "StringValue": "del"}})
    sns1.publish(TopicArn=topic, Message="none")
    eq([m["Body"] for m in receive_all(sqs1, url)], ["yes"], "filtered deliveries")


run()
