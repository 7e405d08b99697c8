"""Lambda functions and SQS event source mappings through boto3 1.26
(REST-JSON), in two regions. API surface only: create, get, list, update,
delete and their error codes.

Pages cited: https://docs.aws.amazon.com/lambda/latest/api/API_<Op>.html
"""

import base64
import hashlib
import io
import json
import sys
import time
import zipfile
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, case, check, client, eq, expect_error, run  # noqa: E402

R1, R2 = REGIONS
iam = client("iam", R1)
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ROLE = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
iam.attach_role_policy(RoleName="fn-role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")


def package(text):
    """A .zip holding an executable bootstrap (provided.al2023)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, "#!/bin/sh\n# " + text + "\nexit 1\n")
    return buf.getvalue()


def sha256_b64(b):
    return base64.b64encode(hashlib.sha256(b).digest()).decode()


def create_function(lam, name, code, **kw):
    return lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="bootstrap", Role=ROLE,
                               Code={"ZipFile": code}, Architectures=["x86_64"], Timeout=30, **kw)


@case
def functions():
    for region in (R1, R2):
        lam = client("lambda", region)
        code = package(region)
        # API_CreateFunction: the ARN names the region; CodeSha256 is the
        # base64 SHA-256 of the package and CodeSize its length.
        fn = create_function(lam, "consumer", code, Environment={"Variables": {"MODE": "plain"}},
                             Tags={"team": "data"})
        eq(fn["FunctionArn"], f"arn:aws:lambda:{region}:{ACCOUNT}:function:consumer", "FunctionArn")
        eq((fn["Runtime"], fn["Handler"], fn["Role"], fn["Timeout"]), ("provided.al2023", "bootstrap", ROLE, 30), "configuration")
        eq(fn["CodeSha256"], sha256_b64(code), "CodeSha256")
        eq(fn["CodeSize"], len(code), "CodeSize")
        # ResourceConflictException (409) for a function that exists.
        expect_error("ResourceConflictException", create_function, lam, "consumer", code, status=409)
        # API_GetFunction.
        got = lam.get_function(FunctionName="consumer")
        eq(got["Configuration"]["Environment"]["Variables"], {"MODE": "plain"}, "Environment")
        eq(got["Tags"], {"team": "data"}, "Tags")
        expect_error("ResourceNotFoundException", lam.get_function, FunctionName="absent", status=404)
    lam = client("lambda", R1)
    # Each region has its own functions (API_ListFunctions).
    eq([f["FunctionName"] for f in client("lambda", R2).list_functions()["Functions"]], ["consumer"], "ListFunctions R2")
    # API_UpdateFunctionConfiguration and API_UpdateFunctionCode.
    wait_updated(lam, "consumer")
    up = lam.update_function_configuration(FunctionName="consumer", Timeout=60, MemorySize=256,
                                           Environment={"Variables": {"MODE": "ordered"}})
    eq((up["Timeout"], up["MemorySize"]), (60, 256), "updated configuration")
    wait_updated(lam, "consumer")
    code2 = package("v2")
    up = lam.update_function_code(FunctionName="consumer", ZipFile=code2)
    eq(up["CodeSha256"], sha256_b64(code2), "CodeSha256 after UpdateFunctionCode")
    # Timeout is 1-900 (FunctionConfiguration): out of range is refused by
    # the request validation layer, ValidationException.
    expect_error("ValidationException", lam.update_function_configuration, FunctionName="consumer", Timeout=901)
    # API_TagResource / API_UntagResource / API_ListTags.
    arn = up["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"env": "test"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    eq(lam.list_tags(Resource=arn)["Tags"], {"env": "test"}, "function tags")
    # API_DeleteFunction.
    lam.delete_function(FunctionName="consumer")
    expect_error("ResourceNotFoundException", lam.get_function, FunctionName="consumer")
    expect_error("ResourceNotFoundException", lam.delete_function, FunctionName="consumer")


def wait_updated(lam, name):
    """Waits for LastUpdateStatus to leave InProgress (API_GetFunctionConfiguration)."""
    for _ in range(100):
        c = lam.get_function_configuration(FunctionName=name)
        if c.get("State", "Active") == "Active" and c.get("LastUpdateStatus", "Successful") != "InProgress":
            return
        time.sleep(0.1)
    raise AssertionError(f"{name} still updating")


@case
def event_source_mappings():
    lam, sqs = client("lambda", R2), client("sqs", R2)
    create_function(lam, "esm-fn", package("esm"))
    q = sqs.create_queue(QueueName="esm-q", Attributes={"VisibilityTimeout": "180"})["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # API_CreateEventSourceMapping: BatchSize defaults to 10 for SQS.
    m = lam.create_event_source_mapping(EventSourceArn=qarn, FunctionName="esm-fn", Enabled=False,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    check(len(m["UUID"]) == 36, f"UUID {m['UUID']}")
    eq(m["BatchSize"], 10, "default BatchSize")
    eq(m["EventSourceArn"], qarn, "EventSourceArn")
    eq(m["FunctionArn"], f"arn:aws:lambda:{R2}:{ACCOUNT}:function:esm-fn", "FunctionArn")
    eq(m["FunctionResponseTypes"], ["ReportBatchItemFailures"], "FunctionResponseTypes")
    # API_GetEventSourceMapping / API_ListEventSourceMappings.
    eq(lam.get_event_source_mapping(UUID=m["UUID"])["EventSourceArn"], qarn, "GetEventSourceMapping")
    eq([x["UUID"] for x in lam.list_event_source_mappings(FunctionName="esm-fn")["EventSourceMappings"]], [m["UUID"]], "by function")
    eq(client("lambda", R1).list_event_source_mappings()["EventSourceMappings"], [], "mappings in R1")
    # A second mapping of the same queue and function: ResourceConflictException.
    expect_error("ResourceConflictException", lam.create_event_source_mapping, EventSourceArn=qarn, FunctionName="esm-fn", status=409)
    # Batches above 10 need a batching window (API_CreateEventSourceMapping, BatchSize).
    expect_error("InvalidParameterValueException", lam.update_event_source_mapping, UUID=m["UUID"], BatchSize=100)
    # API_UpdateEventSourceMapping.
    wait_mapping(lam, m["UUID"])
    up = lam.update_event_source_mapping(UUID=m["UUID"], BatchSize=100, MaximumBatchingWindowInSeconds=5)
    eq((up["BatchSize"], up["MaximumBatchingWindowInSeconds"]), (100, 5), "updated mapping")
    # API_DeleteEventSourceMapping.
    wait_mapping(lam, m["UUID"])
    lam.delete_event_source_mapping(UUID=m["UUID"])
    for _ in range(100):
        try:
            lam.get_event_source_mapping(UUID=m["UUID"])
        except lam.exceptions.ResourceNotFoundException:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("mapping still there after DeleteEventSourceMapping")
    expect_error("ResourceNotFoundException", lam.get_event_source_mapping, UUID="00000000-0000-4000-8000-000000000000", status=404)


def wait_mapping(lam, uuid):
    for _ in range(100):
        if lam.get_event_source_mapping(UUID=uuid)["State"] in ("Enabled", "Disabled"):
            return
        time.sleep(0.1)
    raise AssertionError(f"mapping {uuid} did not settle")


run()
