"""SQS through boto3 1.26 (the query protocol: form in, XML out).

Every check cites the API reference page (or Developer Guide page) that
states the behaviour:
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_<Operation>.html
"""

import hashlib
import struct
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import (ACCOUNT, ENDPOINT, REGIONS, advance_clock, case, check,  # noqa: E402
                          client, eq, expect_error, run)

R1, R2 = REGIONS
sqs1, sqs2 = client("sqs", R1), client("sqs", R2)


def md5_of_attributes(attrs):
    """The documented digest of message attributes (Developer Guide,
    sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation):
    names sorted; for each, length-prefixed name, data type, a transport
    byte (1 string/number, 2 binary) and the length-prefixed value."""
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        enc = lambda b: struct.pack(">I", len(b)) + b  # noqa: E731
        buf += enc(name.encode()) + enc(a["DataType"].encode())
        if "BinaryValue" in a:
            buf += b"\x02" + enc(a["BinaryValue"])
        else:
            buf += b"\x01" + enc(a["StringValue"].encode())
    return hashlib.md5(buf).hexdigest()


def url_of(region, name):
    return f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}"


@case
def queues_live_in_their_region():
    # API_CreateQueue: the URL names the queue's region and account;
    # API_ListQueues lists the queues of the region called.
    u1 = sqs1.create_queue(QueueName="orders")["QueueUrl"]
    u2 = sqs2.create_queue(QueueName="orders")["QueueUrl"]
    eq(u1, url_of(R1, "orders"), "queue URL in R1")
    eq(u2, url_of(R2, "orders"), "queue URL in R2")
    eq(sqs1.get_queue_url(QueueName="orders")["QueueUrl"], u1, "GetQueueUrl R1")
    eq(sqs2.list_queues(QueueNamePrefix="ord")["QueueUrls"], [u2], "ListQueues R2")
    arn = sqs2.get_queue_attributes(QueueUrl=u2, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    eq(arn, f"arn:aws:sqs:{R2}:{ACCOUNT}:orders", "QueueArn")
    # A message sent in one region is not in the other's queue.
    sqs1.send_message(QueueUrl=u1, MessageBody="r1 only")
    check("Messages" not in sqs2.receive_message(QueueUrl=u2), "R2's queue received R1's message")
    # API_GetQueueUrl: AWS.SimpleQueueService.NonExistentQueue.
    expect_error("AWS.SimpleQueueService.NonExistentQueue", sqs1.get_queue_url, QueueName="absent", status=400)
    expect_error("AWS.SimpleQueueService.NonExistentQueue", sqs1.send_message, QueueUrl=url_of(R1, "absent"), MessageBody="x")


@case
def create_queue_is_idempotent_only_with_the_same_attributes():
    # API_CreateQueue: same name and attributes returns the existing URL;
    # different attribute values fail with QueueAlreadyExists (QueueNameExists).
    u = sqs1.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    eq(sqs1.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "40"})["QueueUrl"], u, "same attributes")
    expect_error("QueueAlreadyExists", sqs1.create_queue, QueueName="idem", Attributes={"VisibilityTimeout": "41"})
    # API_CreateQueue: names are 1-80 alphanumerics, hyphens, underscores.
    expect_error("InvalidParameterValue", sqs1.create_queue, QueueName="bad name!")
    # API_SetQueueAttributes / API_GetQueueAttributes.
    sqs1.set_queue_attributes(QueueUrl=u, Attributes={"VisibilityTimeout": "60", "DelaySeconds": "3"})
    attrs = sqs1.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"]
    eq(attrs["VisibilityTimeout"], "60", "VisibilityTimeout")
    eq(attrs["DelaySeconds"], "3", "DelaySeconds")
    for name in ["ApproximateNumberOfMessages", "CreatedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod", "QueueArn"]:
        check(name in attrs, f"GetQueueAttributes All lacks {name}")
    expect_error("InvalidAttributeName", sqs1.get_queue_attributes, QueueUrl=u, AttributeNames=["NoSuchAttribute"])
    # API_SetQueueAttributes: VisibilityTimeout is 0 to 43,200.
    expect_error("InvalidAttributeValue", sqs1.set_queue_attributes, QueueUrl=u, Attributes={"VisibilityTimeout": "43201"})


@case
def message_attributes_and_digests():
    # API_SendMessage / API_ReceiveMessage; digests per the Developer Guide.
    u = sqs1.create_queue(QueueName="attrs")["QueueUrl"]
    body = 'he said "hi" & <b>\'bye\'</b>\r\n\ttab \u00e9\U0001F600'
    attrs = {
        "colour": {"DataType": "String", "StringValue": "b&w"},
        "count": {"DataType": "Number", "StringValue": "42"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
        "note.kind": {"DataType": "String.custom", "StringValue": "x"},
    }
    out = sqs1.send_message(QueueUrl=u, MessageBody=body, MessageAttributes=attrs)
    eq(out["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest(), "MD5OfMessageBody")
    eq(out["MD5OfMessageAttributes"], md5_of_attributes(attrs), "MD5OfMessageAttributes")
    got = sqs1.receive_message(QueueUrl=u, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    eq(len(got), 1, "messages received")
    m = got[0]
    # The body comes back byte for byte (CR included) through SQS's XML.
    eq(m["Body"], body, "Body")
    eq(m["MD5OfBody"], out["MD5OfMessageBody"], "MD5OfBody")
    eq(m["MessageAttributes"]["raw"]["BinaryValue"], b"\x00\x01\x02", "binary attribute")
    eq(m["MessageAttributes"]["count"], {"DataType": "Number", "StringValue": "42"}, "number attribute")
    eq(m["MD5OfMessageAttributes"], md5_of_attributes(attrs), "received MD5OfMessageAttributes")
    for name in ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]:
        check(name in m["Attributes"], f"system attribute {name} missing")
    eq(m["Attributes"]["ApproximateReceiveCount"], "1", "ApproximateReceiveCount")
    # Selecting attributes by name and by prefix ("note.*").
    sqs1.change_message_visibility(QueueUrl=u, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    m = sqs1.receive_message(QueueUrl=u, MessageAttributeNames=["note.*", "count"])["Messages"][0]
    eq(sorted(m["MessageAttributes"]), ["count", "note.kind"], "selected attributes")
    # API_SendMessage: characters outside the allowed XML set are refused.
    expect_error("InvalidMessageContents", sqs1.send_message, QueueUrl=u, MessageBody="bad \x01 char")
    # API_SendMessage: an attribute without a value is refused.
    expect_error("InvalidParameterValue", sqs1.send_message, QueueUrl=u, MessageBody="x",
                 MessageAttributes={"a": {"DataType": "Number", "StringValue": "not a number"}})


@case
def receive_delete_and_visibility():
    u = sqs2.create_queue(QueueName="vis", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs2.send_message(QueueUrl=u, MessageBody="one")
    m = sqs2.receive_message(QueueUrl=u)["Messages"][0]
    # In flight: not received again before its visibility timeout.
    check("Messages" not in sqs2.receive_message(QueueUrl=u), "an in-flight message was received again")
    a = sqs2.get_queue_attributes(QueueUrl=u, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    eq(a["ApproximateNumberOfMessagesNotVisible"], "1", "in flight")
    # API_ChangeMessageVisibility: 0 makes it visible at once.
    sqs2.change_message_visibility(QueueUrl=u, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    m2 = sqs2.receive_message(QueueUrl=u, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    eq(m2["Attributes"]["ApproximateReceiveCount"], "2", "receive count after a change of visibility")
    # After the visibility timeout it comes back by itself.
    advance_clock(31)
    m3 = sqs2.receive_message(QueueUrl=u)["Messages"][0]
    eq(m3["MessageId"], m["MessageId"], "message back after its visibility timeout")
    # API_DeleteMessage.
    sqs2.delete_message(QueueUrl=u, ReceiptHandle=m3["ReceiptHandle"])
    advance_clock(31)
    check("Messages" not in sqs2.receive_message(QueueUrl=u), "a deleted message came back")
    expect_error("ReceiptHandleIsInvalid", sqs2.delete_message, QueueUrl=u, ReceiptHandle="not-a-handle")
    # API_ReceiveMessage: MaxNumberOfMessages is 1 to 10.
    expect_error("InvalidParameterValue", sqs2.receive_message, QueueUrl=u, MaxNumberOfMessages=11)


@case
def batches():
    u = sqs1.create_queue(QueueName="batch")["QueueUrl"]
    # API_SendMessageBatch: per-entry results, failures as BatchResultErrorEntry.
    out = sqs1.send_message_batch(QueueUrl=u, Entries=[
        {"Id": "a", "MessageBody": "A", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "b", "MessageBody": "B"},
        {"Id": "c", "MessageBody": "C", "DelaySeconds": 901},
    ])
    eq(sorted(e["Id"] for e in out["Successful"]), ["a", "b"], "successful entries")
    eq([(f["Id"], f["SenderFault"]) for f in out["Failed"]], [("c", True)], "failed entries")
    eq(out["Successful"][0]["MD5OfMessageBody"] if out["Successful"][0]["Id"] == "b" else
       out["Successful"][1]["MD5OfMessageBody"], hashlib.md5(b"B").hexdigest(), "batch MD5OfMessageBody")
    expect_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", sqs1.send_message_batch, QueueUrl=u,
                 Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    expect_error("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", sqs1.send_message_batch, QueueUrl=u,
                 Entries=[{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}])
    expect_error("AWS.SimpleQueueService.InvalidBatchEntryId", sqs1.send_message_batch, QueueUrl=u,
                 Entries=[{"Id": "bad id!", "MessageBody": "x"}])
    msgs = sqs1.receive_message(QueueUrl=u, MaxNumberOfMessages=10)["Messages"]
    eq(sorted(m["Body"] for m in msgs), ["A", "B"], "batch bodies")
    # API_ChangeMessageVisibilityBatch and API_DeleteMessageBatch.
    cv = sqs1.change_message_visibility_batch(QueueUrl=u, Entries=[
        {"Id": "x", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "y", "ReceiptHandle": "bogus", "VisibilityTimeout": 0},
    ])
    eq([e["Id"] for e in cv["Successful"]], ["x"], "ChangeMessageVisibilityBatch successes")
    eq([(f["Id"], f["Code"]) for f in cv["Failed"]], [("y", "ReceiptHandleIsInvalid")], "ChangeMessageVisibilityBatch failures")
    again = sqs1.receive_message(QueueUrl=u)["Messages"]
    eq(again[0]["MessageId"], msgs[0]["MessageId"], "message made visible by the batch")
    d = sqs1.delete_message_batch(QueueUrl=u, Entries=[
        {"Id": "d1", "ReceiptHandle": again[0]["ReceiptHandle"]},
        {"Id": "d2", "ReceiptHandle": msgs[1]["ReceiptHandle"]},
        {"Id": "d3", "ReceiptHandle": "bogus"},
    ])
    eq(sorted(e["Id"] for e in d["Successful"]), ["d1", "d2"], "DeleteMessageBatch successes")
    eq([f["Id"] for f in d["Failed"]], ["d3"], "DeleteMessageBatch failures")


@case
def purge():
    # API_PurgeQueue: deletes every message; one purge per 60 s
    # (AWS.SimpleQueueService.PurgeQueueInProgress, HTTP 403).
    for region, c in ((R1, sqs1), (R2, sqs2)):
        u = c.create_queue(QueueName="purge")["QueueUrl"]
        for i in range(5):
            c.send_message(QueueUrl=u, MessageBody=str(i))
        c.purge_queue(QueueUrl=u)
        check("Messages" not in c.receive_message(QueueUrl=u), f"{region}: messages left after a purge")
        expect_error("AWS.SimpleQueueService.PurgeQueueInProgress", c.purge_queue, QueueUrl=u, status=403)
    advance_clock(61)
    sqs1.purge_queue(QueueUrl=url_of(R1, "purge"))


@case
def queue_deleted_recently():
    # API_CreateQueue: "After you delete a queue, you must wait at least 60
    # seconds before creating a queue with the same name."
    # (AWS.SimpleQueueService.QueueDeletedRecently)
    u = sqs1.create_queue(QueueName="phoenix")["QueueUrl"]
    sqs1.delete_queue(QueueUrl=u)
    expect_error("AWS.SimpleQueueService.NonExistentQueue", sqs1.get_queue_url, QueueName="phoenix")
    expect_error("AWS.SimpleQueueService.QueueDeletedRecently", sqs1.create_queue, QueueName="phoenix")
    # The other region's namespace is its own.
    sqs2.create_queue(QueueName="phoenix")
    advance_clock(61)
    eq(sqs1.create_queue(QueueName="phoenix")["QueueUrl"], u, "re-created after 60 s")


@case
def redrive_to_the_dead_letter_queue():
    # Developer Guide sqs-dead-letter-queues.html: after maxReceiveCount
    # receives without a delete, the message moves to the DLQ.
    dlq = sqs2.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = sqs2.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs2.create_queue(QueueName="work", Attributes={
        "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}' % dlq_arn})["QueueUrl"]
    sqs2.send_message(QueueUrl=src, MessageBody="poison")
    for i in (1, 2):
        m = sqs2.receive_message(QueueUrl=src, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        eq(m["Attributes"]["ApproximateReceiveCount"], str(i), "receive count")
    check("Messages" not in sqs2.receive_message(QueueUrl=src), "message still in its queue after maxReceiveCount")
    moved = sqs2.receive_message(QueueUrl=dlq)["Messages"]
    eq([m["Body"] for m in moved], ["poison"], "message in the DLQ")
    # API_ListDeadLetterSourceQueues.
    eq(sqs2.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src], "dead-letter source queues")
    # API_SetQueueAttributes: a DLQ must exist in the same region.
    expect_error("InvalidParameterValue", sqs1.create_queue, QueueName="work", Attributes={
        "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}' % dlq_arn.replace(R2, R1)})


@case
def tags():
    # API_TagQueue / API_UntagQueue / API_ListQueueTags; CreateQueue tags.
    u = sqs1.create_queue(QueueName="tagged", tags={"team": "data"})["QueueUrl"]
    sqs1.tag_queue(QueueUrl=u, Tags={"env": "test", "team": "ops"})
    eq(sqs1.list_queue_tags(QueueUrl=u)["Tags"], {"env": "test", "team": "ops"}, "tags")
    sqs1.untag_queue(QueueUrl=u, TagKeys=["env"])
    eq(sqs1.list_queue_tags(QueueUrl=u)["Tags"], {"team": "ops"}, "tags after untag")


@case
def list_queues_pages():
    # API_ListQueues: MaxResults 1-1000 with NextToken.
    for i in range(5):
        sqs2.create_queue(QueueName=f"page-{i}")
    urls, token = [], None
    while True:
        kw = {"QueueNamePrefix": "page-", "MaxResults": 2}
        if token:
            kw["NextToken"] = token
        out = sqs2.list_queues(**kw)
        urls += out.get("QueueUrls", [])
        token = out.get("NextToken")
        if not token:
            break
    eq(sorted(urls), [url_of(R2, f"page-{i}") for i in range(5)], "paged ListQueues")


@case
def long_poll_returns_when_a_message_arrives():
    # API_ReceiveMessage: WaitTimeSeconds long polling returns as soon as a
    # message is available (sent here before the call).
    u = sqs1.create_queue(QueueName="poll")["QueueUrl"]
    sqs1.send_message(QueueUrl=u, MessageBody="ready")
    out = sqs1.receive_message(QueueUrl=u, WaitTimeSeconds=20)
    eq([m["Body"] for m in out["Messages"]], ["ready"], "long poll")


def query_call(region, action, params):
    """An SQS query request signed by botocore, for operations newer than
    this botocore's model (the message move tasks, June 2023). The request
    and response forms are the API reference's query examples."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import os
    import urllib.parse
    body = urllib.parse.urlencode({"Action": action, "Version": "2012-11-05", **params})
    req = AWSRequest(method="POST", url=ENDPOINT + "/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]), "sqs", region).add_auth(req)
    r = urllib.request.Request(req.url, data=body.encode(), headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, ET.fromstring(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())


NS = {"q": "http://queue.amazonaws.com/doc/2012-11-05/"}


@case
def message_move_tasks():
    # API_StartMessageMoveTask / API_ListMessageMoveTasks /
    # API_CancelMessageMoveTask: redrive a DLQ back to its source queue.
    dlq = sqs1.create_queue(QueueName="mv-dlq")["QueueUrl"]
    dlq_arn = sqs1.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs1.create_queue(QueueName="mv-src", Attributes={
        "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % dlq_arn})["QueueUrl"]
    for i in range(3):
        sqs1.send_message(QueueUrl=src, MessageBody=f"m{i}")
    sqs1.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
    check("Messages" not in sqs1.receive_message(QueueUrl=src, MaxNumberOfMessages=10), "messages not dead-lettered")
    status, root = query_call(R1, "StartMessageMoveTask", {"SourceArn": dlq_arn})
    eq(status, 200, "StartMessageMoveTask status")
    check(root.find("q:StartMessageMoveTaskResult/q:TaskHandle", NS) is not None, "StartMessageMoveTask has no TaskHandle")
    deadline = time.monotonic() + 20
    entry = None
    while time.monotonic() < deadline:
        status, root = query_call(R1, "ListMessageMoveTasks", {"SourceArn": dlq_arn})
        eq(status, 200, "ListMessageMoveTasks status")
        entry = root.find("q:ListMessageMoveTasksResult/q:ListMessageMoveTasksResultEntry", NS)
        if entry is not None and entry.findtext("q:Status", namespaces=NS) == "COMPLETED":
            break
        time.sleep(0.2)
    check(entry is not None, "ListMessageMoveTasks lists no task")
    eq(entry.findtext("q:Status", namespaces=NS), "COMPLETED", "task status")
    eq(entry.findtext("q:ApproximateNumberOfMessagesMoved", namespaces=NS), "3", "messages moved")
    eq(entry.findtext("q:SourceArn", namespaces=NS), dlq_arn, "task SourceArn")
    got = sqs1.receive_message(QueueUrl=src, MaxNumberOfMessages=10)["Messages"]
    eq(sorted(m["Body"] for m in got), ["m0", "m1", "m2"], "messages back in the source queue")
    # A handle that names no task: ResourceNotFoundException.
    status, root = query_call(R1, "CancelMessageMoveTask", {"TaskHandle": "bm90LWEtdGFzaw=="})
    eq((status, root.findtext("q:Error/q:Code", namespaces=NS)), (404, "ResourceNotFoundException"), "cancel of no task")


run()
