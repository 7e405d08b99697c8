"""CloudWatch metrics and alarms through boto3 1.26 (query protocol), in two regions.

Pages cited: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_<Op>.html
"""

import datetime
import sys
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from _conformance import ACCOUNT, REGIONS, case, check, client, eq, expect_error, run  # noqa: E402

R1, R2 = REGIONS
cw1, cw2 = client("cloudwatch", R1), client("cloudwatch", R2)
NOW = datetime.datetime.now(datetime.timezone.utc)


@case
def metrics_live_in_their_region():
    # API_PutMetricData / API_ListMetrics / API_GetMetricStatistics.
    dims = [{"Name": "Bus", "Value": "orders"}]
    cw1.put_metric_data(Namespace="Regis/Consumer", MetricData=[
        {"MetricName": "Applied", "Dimensions": dims, "Value": 3, "Unit": "Count", "Timestamp": NOW},
        {"MetricName": "Applied", "Dimensions": dims, "Value": 5, "Unit": "Count", "Timestamp": NOW},
    ])
    listed = cw1.list_metrics(Namespace="Regis/Consumer")["Metrics"]
    eq([(m["MetricName"], m["Dimensions"]) for m in listed], [("Applied", dims)], "ListMetrics R1")
    eq(cw2.list_metrics(Namespace="Regis/Consumer")["Metrics"], [], "ListMetrics R2")
    st = cw1.get_metric_statistics(Namespace="Regis/Consumer", MetricName="Applied", Dimensions=dims,
                                   StartTime=NOW - datetime.timedelta(minutes=5), EndTime=NOW + datetime.timedelta(minutes=5),
                                   Period=600, Statistics=["Sum", "SampleCount", "Maximum"])
    eq(len(st["Datapoints"]), 1, "datapoints")
    dp = st["Datapoints"][0]
    eq((dp["Sum"], dp["SampleCount"], dp["Maximum"]), (8.0, 2.0, 5.0), "statistics")
    # API_GetMetricData.
    gd = cw1.get_metric_data(MetricDataQueries=[{"Id": "a", "MetricStat": {
        "Metric": {"Namespace": "Regis/Consumer", "MetricName": "Applied", "Dimensions": dims}, "Period": 600, "Stat": "Sum"}}],
        StartTime=NOW - datetime.timedelta(minutes=5), EndTime=NOW + datetime.timedelta(minutes=5))
    eq(gd["MetricDataResults"][0]["Values"], [8.0], "GetMetricData values")
    # A namespace starting with "AWS/" is reserved: InvalidParameterValue.
    expect_error("InvalidParameterValue", cw1.put_metric_data, Namespace="AWS/SQS",
                 MetricData=[{"MetricName": "x", "Value": 1}])


@case
def alarms():
    # API_PutMetricAlarm / API_DescribeAlarms / API_SetAlarmState / API_DeleteAlarms.
    for cw in (cw1, cw2):
        cw.put_metric_alarm(AlarmName="dlq-not-empty", Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
                            Dimensions=[{"Name": "QueueName", "Value": "dlq"}], Statistic="Maximum", Period=60,
                            EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
                            Tags=[{"Key": "team", "Value": "data"}])
    a = cw1.describe_alarms(AlarmNames=["dlq-not-empty"])["MetricAlarms"]
    eq(len(a), 1, "alarms in R1")
    eq(a[0]["AlarmArn"], f"arn:aws:cloudwatch:{R1}:{ACCOUNT}:alarm:dlq-not-empty", "AlarmArn")
    eq(a[0]["ComparisonOperator"], "GreaterThanThreshold", "ComparisonOperator")
    check(a[0]["StateValue"] in ("INSUFFICIENT_DATA", "OK", "ALARM"), f"StateValue {a[0]['StateValue']}")
    # API_ListTagsForResource / API_TagResource / API_UntagResource.
    arn = a[0]["AlarmArn"]
    cw1.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "test"}])
    cw1.untag_resource(ResourceARN=arn, TagKeys=["team"])
    eq(cw1.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "env", "Value": "test"}], "alarm tags")
    cw1.set_alarm_state(AlarmName="dlq-not-empty", StateValue="ALARM", StateReason="conformance")
    eq(cw1.describe_alarms(AlarmNames=["dlq-not-empty"])["MetricAlarms"][0]["StateValue"], "ALARM", "state after SetAlarmState")
    expect_error("ResourceNotFound", cw1.set_alarm_state, AlarmName="absent", StateValue="OK", StateReason="x", status=404)
    expect_error("ValidationError", cw1.put_metric_alarm, AlarmName="bad", Namespace="N", MetricName="M", Statistic="Sum",
                 Period=7, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")
    cw1.delete_alarms(AlarmNames=["dlq-not-empty"])
    eq(cw1.describe_alarms(AlarmNames=["dlq-not-empty"])["MetricAlarms"], [], "deleted in R1")
    eq(len(cw2.describe_alarms(AlarmNames=["dlq-not-empty"])["MetricAlarms"]), 1, "R2's alarm left alone")


run()
