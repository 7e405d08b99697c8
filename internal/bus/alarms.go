package bus

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
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

// ------------------------------------------------------------ the reconciler

// The alarms of a region: <name>-dlq-not-empty when dlq_not_empty, and
// <name>-oldest-message-age when the threshold is above 0. Whether each
// exists is an argument.

// ensureAlarms puts the alarms the arguments want that are missing or
// differ, and deletes the recorded ones they no longer want.
func ensureAlarms(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	cw := op.e.c.CloudWatch(ctx, op.region())
	bus := op.e.spec.Name
	tags := op.e.spec.Tags
	type alarm struct {
		name string
		want bool
		put  func() *putAlarmInput
		id   *string
	}
	alarms := []alarm{
		{contract.DLQAlarmName(bus), rs.Alarms.DLQNotEmpty, func() *putAlarmInput { return dlqAlarmInput(bus, rs, tags) }, &ids.DLQAlarm},
		{contract.AgeAlarmName(bus), rs.Alarms.AgeThreshold > 0, func() *putAlarmInput { return ageAlarmInput(bus, rs, tags) }, &ids.AgeAlarm},
	}
	// Existing alarms are looked up only when some were recorded: a new
	// region has none (PutMetricAlarm overwrites an alarm of the same name).
	existing := map[string]metricAlarm{}
	if ids.DLQAlarm != "" || ids.AgeAlarm != "" {
		var err error
		if existing, err = busdiscovery.FindAlarms(ctx, cw, contract.DLQAlarmName(bus), contract.AgeAlarmName(bus)); err != nil {
			return op.fail("reading the alarms", err)
		}
		if _, ok := existing[ids.DLQAlarm]; !ok {
			ids.DLQAlarm = ""
		}
		if _, ok := existing[ids.AgeAlarm]; !ok {
			ids.AgeAlarm = ""
		}
	}
	for _, a := range alarms {
		cur, exists := existing[a.name]
		switch {
		case a.want && (!exists || *a.id == "" || !alarmMatches(cur, a.put())):
			if err := putAlarm(ctx, cw, a.put()); err != nil {
				return op.fail("putting the alarm "+a.name, err)
			}
			*a.id = a.name
			if exists && cur.AlarmArn != nil {
				if err := syncAlarmTags(ctx, cw, aws.ToString(cur.AlarmArn), tags); err != nil {
					return op.fail("tagging the alarm "+a.name, err)
				}
			}
		case a.want && exists:
			*a.id = a.name
			if err := syncAlarmTags(ctx, cw, aws.ToString(cur.AlarmArn), tags); err != nil {
				return op.fail("tagging the alarm "+a.name, err)
			}
		case !a.want && *a.id != "":
			if err := deleteAlarms(ctx, cw, a.name); err != nil {
				return op.fail("deleting the alarm "+a.name, err)
			}
			*a.id = ""
		}
	}
	return nil
}

// readAlarms reads the alarms back into the arguments. An alarm the bus
// recorded that is gone is a missing object, noted in drift: its argument
// keeps its value, so that the plan shows the alarm re-created rather than
// a changed setting. An alarm of the bus's name that the bus never recorded
// is not read back as its own, except on import.
func readAlarms(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	bus := op.e.spec.Name
	dlqName, ageName := contract.DLQAlarmName(bus), contract.AgeAlarmName(bus)
	found, err := busdiscovery.FindAlarms(ctx, op.e.c.CloudWatch(ctx, op.region()), dlqName, ageName)
	if err != nil {
		return op.fail("reading the alarms", err)
	}
	dlqA, hasDLQ := found[dlqName]
	ageA, hasAge := found[ageName]
	hasDLQ = hasDLQ && (op.importing || op.recorded.DLQAlarm != "")
	hasAge = hasAge && (op.importing || op.recorded.AgeAlarm != "")
	ids.DLQAlarm, ids.AgeAlarm = "", ""
	switch {
	case hasDLQ:
		rs.Alarms.DLQNotEmpty = true
		ids.DLQAlarm = dlqName
	case op.recorded.DLQAlarm != "":
		op.missing("alarm " + dlqName)
	default:
		rs.Alarms.DLQNotEmpty = false
	}
	switch {
	case hasAge:
		rs.Alarms.AgeThreshold = int64(aws.ToFloat64(ageA.Threshold))
		ids.AgeAlarm = ageName
	case op.recorded.AgeAlarm != "":
		op.missing("alarm " + ageName)
	default:
		rs.Alarms.AgeThreshold = 0
	}
	switch {
	case hasDLQ:
		rs.Alarms.AlarmActions = nonNil(dlqA.AlarmActions)
	case hasAge:
		rs.Alarms.AlarmActions = nonNil(ageA.AlarmActions)
	}
	if hasDLQ && !alarmDefinitionMatches(dlqA, dlqAlarmInput(bus, rs, nil)) {
		op.note("alarm " + dlqName + ": its metric, period or comparison was changed")
	}
	if hasAge && !alarmDefinitionMatches(ageA, ageAlarmInput(bus, rs, nil)) {
		op.note("alarm " + ageName + ": its metric, period or comparison was changed")
	}
	return nil
}

func deleteAlarmObjects(ctx context.Context, op *regionOp) error {
	ids := op.ids
	var names []string
	for _, n := range []string{ids.DLQAlarm, ids.AgeAlarm} {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := deleteAlarms(ctx, op.e.c.CloudWatch(ctx, op.region()), names...); err != nil {
		return op.fail("deleting the alarms", err)
	}
	ids.DLQAlarm, ids.AgeAlarm = "", ""
	return nil
}
