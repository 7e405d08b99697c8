package bus

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

const alarmPeriod = 60

type (
	putAlarmInput = cloudwatch.PutMetricAlarmInput
	metricAlarm   = cwtypes.MetricAlarm
)

// alarmInput is the PutMetricAlarm of one bus alarm.
func dlqAlarmInput(bus string, rs *regionSpec, tags map[string]string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(contract.DLQAlarmName(bus)),
		AlarmDescription:   aws.String("Regis bus " + bus + ": the dead-letter queue holds messages that were not replicated to " + rs.Region + "."),
		Namespace:          aws.String("AWS/SQS"),
		MetricName:         aws.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:         []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(contract.DLQName(bus))}},
		Statistic:          cwtypes.StatisticMaximum,
		Period:             aws.Int32(alarmPeriod),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(0),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       rs.Alarms.AlarmActions,
		ActionsEnabled:     aws.Bool(true),
		Tags:               cwTags(tags),
	}
}

func ageAlarmInput(bus string, rs *regionSpec, tags map[string]string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(contract.AgeAlarmName(bus)),
		AlarmDescription:   aws.String("Regis bus " + bus + ": replication to " + rs.Region + " is lagging (the queue's oldest message is too old)."),
		Namespace:          aws.String("AWS/SQS"),
		MetricName:         aws.String("ApproximateAgeOfOldestMessage"),
		Dimensions:         []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(contract.QueueName(bus))}},
		Statistic:          cwtypes.StatisticMaximum,
		Period:             aws.Int32(alarmPeriod),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(float64(rs.Alarms.AgeThreshold)),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       rs.Alarms.AlarmActions,
		ActionsEnabled:     aws.Bool(true),
		Tags:               cwTags(tags),
	}
}

func cwTags(tags map[string]string) []cwtypes.Tag {
	var out []cwtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, cwtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// findAlarms returns the bus alarms that exist, by name.
func findAlarms(ctx context.Context, c *cloudwatch.Client, names ...string) (map[string]cwtypes.MetricAlarm, error) {
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNames: names,
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
	})
	if err != nil {
		return nil, err
	}
	found := map[string]cwtypes.MetricAlarm{}
	for _, a := range out.MetricAlarms {
		found[aws.ToString(a.AlarmName)] = a
	}
	return found, nil
}

// alarmMatches reports whether an existing alarm is what put would create.
func alarmMatches(a cwtypes.MetricAlarm, put *cloudwatch.PutMetricAlarmInput) bool {
	if aws.ToString(a.Namespace) != aws.ToString(put.Namespace) || aws.ToString(a.MetricName) != aws.ToString(put.MetricName) ||
		a.Statistic != put.Statistic || aws.ToInt32(a.Period) != aws.ToInt32(put.Period) ||
		aws.ToInt32(a.EvaluationPeriods) != aws.ToInt32(put.EvaluationPeriods) ||
		aws.ToFloat64(a.Threshold) != aws.ToFloat64(put.Threshold) || a.ComparisonOperator != put.ComparisonOperator ||
		!slices.Equal(a.AlarmActions, put.AlarmActions) || aws.ToString(a.AlarmDescription) != aws.ToString(put.AlarmDescription) {
		return false
	}
	if a.ActionsEnabled != nil && !*a.ActionsEnabled {
		return false
	}
	if len(a.Dimensions) != len(put.Dimensions) {
		return false
	}
	for i := range a.Dimensions {
		if aws.ToString(a.Dimensions[i].Name) != aws.ToString(put.Dimensions[i].Name) || aws.ToString(a.Dimensions[i].Value) != aws.ToString(put.Dimensions[i].Value) {
			return false
		}
	}
	return true
}

// alarmDefinitionMatches is alarmMatches without the parts that are
// arguments (threshold and actions), for drift reporting.
func alarmDefinitionMatches(a cwtypes.MetricAlarm, put *cloudwatch.PutMetricAlarmInput) bool {
	b := a
	b.Threshold = put.Threshold
	b.AlarmActions = put.AlarmActions
	return alarmMatches(b, put)
}

func putAlarm(ctx context.Context, c *cloudwatch.Client, in *cloudwatch.PutMetricAlarmInput) error {
	_, err := c.PutMetricAlarm(ctx, in)
	return err
}

func deleteAlarms(ctx context.Context, c *cloudwatch.Client, names ...string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := c.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: names})
	if awsapi.IsA[*cwtypes.ResourceNotFound](err) || awsapi.IsA[*cwtypes.ResourceNotFoundException](err) {
		return nil
	}
	return err
}

func syncAlarmTags(ctx context.Context, c *cloudwatch.Client, arn string, desired map[string]string) error {
	out, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return err
	}
	current := map[string]string{}
	for _, t := range out.Tags {
		current[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	add, remove := tagDiff(current, desired)
	if len(remove) > 0 {
		if _, err := c.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: remove}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: cwTags(add)}); err != nil {
			return err
		}
	}
	return nil
}
