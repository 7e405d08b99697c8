"""CloudWatch Logs through boto3 1.26 (JSON 1.1), in two regions, and a
failing Lambda function seen the way an operator sees it: its Errors metric
and its log group.

Pages cited: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_<Op>.html,
AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html (filter patterns),
lambda/latest/dg/monitoring-metrics-types.html (Invocations, Errors),
lambda/latest/dg/monitoring-cloudwatchlogs.html (log group, stream names, REPORT lines).
"""

import datetime
import io
import json
import re
import sys
import time
import zipfile
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, case, check, client, eq, expect_error, run  # noqa: E402

R1, R2 = REGIONS
logs1, logs2 = client("logs", R1), client("logs", R2)


def now_ms():
    return int(time.time() * 1000)


@case
def log_groups():
    # API_CreateLogGroup: names are unique per region.
    for logs in (logs1, logs2):
        logs.create_log_group(logGroupName="/app/orders", tags={"team": "data"})
    expect_error("ResourceAlreadyExistsException", logs1.create_log_group, logGroupName="/app/orders", status=400)
    # Allowed characters: a-z, A-Z, 0-9, '_', '-', '/', '.', '#'.
    expect_error("InvalidParameterException", logs1.create_log_group, logGroupName="bad name!")
    logs1.create_log_group(logGroupName="/app/billing")
    # API_DescribeLogGroups: by prefix, ASCII-sorted; arn ends with ":*".
    got = logs1.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    eq([g["logGroupName"] for g in got], ["/app/billing", "/app/orders"], "DescribeLogGroups R1")
    eq(got[1]["arn"], f"arn:aws:logs:{R1}:{ACCOUNT}:log-group:/app/orders:*", "arn")
    eq([g["logGroupName"] for g in logs2.describe_log_groups()["logGroups"]], ["/app/orders"], "DescribeLogGroups R2")
    # API_PutRetentionPolicy: only the listed day counts.
    expect_error("InvalidParameterException", logs1.put_retention_policy, logGroupName="/app/orders", retentionInDays=2)
    logs1.put_retention_policy(logGroupName="/app/orders", retentionInDays=14)
    eq(logs1.describe_log_groups(logGroupNamePrefix="/app/orders")["logGroups"][0]["retentionInDays"], 14, "retentionInDays")
    expect_error("ResourceNotFoundException", logs1.put_retention_policy, logGroupName="/absent", retentionInDays=1)
    # API_TagResource / API_ListTagsForResource (ARN without ":*") and the older API_TagLogGroup.
    arn = f"arn:aws:logs:{R1}:{ACCOUNT}:log-group:/app/orders"
    logs1.tag_resource(resourceArn=arn, tags={"env": "test"})
    eq(logs1.list_tags_for_resource(resourceArn=arn)["tags"], {"team": "data", "env": "test"}, "ListTagsForResource")
    logs1.untag_log_group(logGroupName="/app/orders", tags=["team"])
    eq(logs1.list_tags_log_group(logGroupName="/app/orders")["tags"], {"env": "test"}, "ListTagsLogGroup")
    # API_DeleteLogGroup, then ResourceNotFoundException.
    logs1.delete_log_group(logGroupName="/app/orders")
    expect_error("ResourceNotFoundException", logs1.delete_log_group, logGroupName="/app/orders")
    eq(len(logs2.describe_log_groups(logGroupNamePrefix="/app/orders")["logGroups"]), 1, "R2's group left alone")


@case
def log_events():
    logs1.create_log_group(logGroupName="/app/events")
    for s in ("a", "b"):
        logs1.create_log_stream(logGroupName="/app/events", logStreamName=s)
    expect_error("ResourceAlreadyExistsException", logs1.create_log_stream, logGroupName="/app/events", logStreamName="a")
    expect_error("ResourceNotFoundException", logs1.create_log_stream, logGroupName="/absent", logStreamName="a")
    t = now_ms() - 60_000
    # API_PutLogEvents: events of a batch in chronological order.
    expect_error("InvalidParameterException", logs1.put_log_events, logGroupName="/app/events", logStreamName="a",
                 logEvents=[{"timestamp": t + 1, "message": "late"}, {"timestamp": t, "message": "early"}])
    logs1.put_log_events(logGroupName="/app/events", logStreamName="a", logEvents=[
        {"timestamp": t, "message": "INFO started"},
        {"timestamp": t + 2, "message": "ERROR connection refused"}])
    logs1.put_log_events(logGroupName="/app/events", logStreamName="b", logEvents=[
        {"timestamp": t + 1, "message": "ERROR Exiting now"},
        {"timestamp": t + 3, "message": "WARN slow reply"}])
    # Events more than 2 hours ahead are rejected, the rest stored.
    r = logs1.put_log_events(logGroupName="/app/events", logStreamName="b", logEvents=[
        {"timestamp": t + 4, "message": "kept"}, {"timestamp": now_ms() + 3 * 3600_000, "message": "too new"}])
    eq(r.get("rejectedLogEventsInfo"), {"tooNewLogEventStartIndex": 1}, "rejectedLogEventsInfo")
    # API_GetLogEvents from the head.
    got = logs1.get_log_events(logGroupName="/app/events", logStreamName="a", startFromHead=True)
    eq([e["message"] for e in got["events"]], ["INFO started", "ERROR connection refused"], "GetLogEvents")
    again = logs1.get_log_events(logGroupName="/app/events", logStreamName="a", startFromHead=True, nextToken=got["nextForwardToken"])
    eq((again["events"], again["nextForwardToken"]), ([], got["nextForwardToken"]), "the end of the stream returns the same token")
    # API_FilterLogEvents with filter patterns, interleaved across streams.
    def filtered(pattern):
        out = logs1.filter_log_events(logGroupName="/app/events", filterPattern=pattern)["events"]
        return [(e["logStreamName"], e["message"]) for e in out]
    eq(filtered("ERROR"), [("b", "ERROR Exiting now"), ("a", "ERROR connection refused")], "term")
    eq(filtered('"connection refused"'), [("a", "ERROR connection refused")], "quoted phrase")
    eq(filtered("?WARN ?INFO"), [("a", "INFO started"), ("b", "WARN slow reply")], "any term")
    eq(filtered("ERROR -Exiting"), [("a", "ERROR connection refused")], "excluded term")
    # API_DescribeLogStreams, ordered by last event.
    s = logs1.describe_log_streams(logGroupName="/app/events", orderBy="LastEventTime", descending=True)["logStreams"]
    eq([x["logStreamName"] for x in s], ["b", "a"], "streams by last event time")
    expect_error("InvalidParameterException", logs1.describe_log_streams, logGroupName="/app/events",
                 orderBy="LastEventTime", logStreamNamePrefix="a")


def failing_package():
    """A provided.al2023 package whose bootstrap fails before serving."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, "#!/bin/sh\necho cannot start: missing configuration >&2\nexit 1\n")
    return buf.getvalue()


@case
def failing_function_shows_in_logs_and_metrics():
    iam = client("iam", R2)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="failing-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="failing-role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    lam = client("lambda", R2)
    lam.create_function(FunctionName="failing", Runtime="provided.al2023", Handler="bootstrap", Role=role,
                        Code={"ZipFile": failing_package()}, Architectures=["x86_64"], Timeout=5)
    for _ in range(100):
        if lam.get_function_configuration(FunctionName="failing").get("State") == "Active":
            break
        time.sleep(0.1)
    # API_Invoke: a runtime that exits is a function error (X-Amz-Function-Error: Unhandled)
    # with the errorType Runtime.ExitError in the payload.
    out = lam.invoke(FunctionName="failing", Payload=b"{}")
    eq(out.get("FunctionError"), "Unhandled", "FunctionError")
    payload = json.loads(out["Payload"].read())
    eq(payload["errorType"], "Runtime.ExitError", "errorType")
    # The function's log group, one stream per execution environment named YYYY/MM/DD/[$LATEST]<32 hex>.
    logs = client("logs", R2)
    group = "/aws/lambda/failing"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    check(len(streams) >= 1, "no log stream")
    check(all(re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", s["logStreamName"]) for s in streams),
          f"stream names {[s['logStreamName'] for s in streams]}")
    errors = logs.filter_log_events(logGroupName=group, filterPattern="Runtime.ExitError")["events"]
    check(errors, "no Runtime.ExitError line in the function's log group")
    said = logs.filter_log_events(logGroupName=group, filterPattern='"missing configuration"')["events"]
    check(said, "the bootstrap's stderr is not in the function's log group")
    eq(client("logs", R1).describe_log_groups(logGroupNamePrefix=group)["logGroups"], [], "no log group in R1")
    # AWS/Lambda Errors and Invocations, per FunctionName.
    cw = client("cloudwatch", R2)
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    sums = {}
    for metric in ("Errors", "Invocations"):
        st = cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=metric, Dimensions=[{"Name": "FunctionName", "Value": "failing"}],
                                      StartTime=end - datetime.timedelta(hours=1), EndTime=end, Period=3600, Statistics=["Sum"])
        sums[metric] = sum(d["Sum"] for d in st["Datapoints"])
    eq(sums, {"Errors": 1.0, "Invocations": 1.0}, "AWS/Lambda sums")


run()
