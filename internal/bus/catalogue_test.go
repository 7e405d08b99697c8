package bus_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// The out-of-band catalogue: for every kind of object a bus creates, the
// changes a person or another tool can make to it with the SDK (as with
// awscli): deleting it, and altering it. TestAccBus_driftCatalogue runs
// them; TestOutOfBandCatalogueCoversEveryKind keeps the catalogue complete
// against the reconcilers' own registry (bus.ObjectKindsForTest), so that a
// new kind of object cannot be added without its cases.

// Ways of changing an object out of band.
const (
	deleted = "deleted"
	altered = "altered"
)

// catalogue holds what the cases act on: filled in while the test runs
// (the cases are built before, and read it when they run).
type catalogue struct {
	ctx       context.Context
	c         *conns.AWSClient
	accountID string
	// ids is the state's ids after the last healthy apply (recordedIDs).
	ids map[string]map[string]string
	// otherRoleARN is a role of another application; otherZip another
	// package, whose SHA-256 is otherSHA.
	otherRoleARN string
	otherZip     []byte
	otherSHA     string
}

func (cat *catalogue) id(region, attr string) *string { return aws.String(cat.ids[region][attr]) }
func (cat *catalogue) home() *sns.Client              { return cat.c.SNS(cat.ctx, r1) }
func (cat *catalogue) sq(region string) *sqs.Client   { return cat.c.SQS(cat.ctx, region) }
func (cat *catalogue) lc(region string) *lambda.Client {
	return cat.c.Lambda(cat.ctx, region)
}
func (cat *catalogue) im() *iam.Client { return cat.c.IAM(cat.ctx) }

func (cat *catalogue) setQueue(region, which string, attrs func() map[string]string) func() error {
	return func() error {
		_, err := cat.sq(region).SetQueueAttributes(cat.ctx, &sqs.SetQueueAttributesInput{QueueUrl: cat.id(region, which), Attributes: attrs()})
		return err
	}
}

func (cat *catalogue) setSub(region, attr, value string) func() error {
	return func() error {
		_, err := cat.home().SetSubscriptionAttributes(cat.ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: cat.id(region, "subscription_arn"),
			AttributeName: aws.String(attr), AttributeValue: aws.String(value)})
		return err
	}
}

func (cat *catalogue) updateFunction(region string, change func(in *lambda.UpdateFunctionConfigurationInput, cur *lambdatypes.FunctionConfiguration)) func() error {
	return func() error {
		cur, err := cat.lc(region).GetFunction(cat.ctx, &lambda.GetFunctionInput{FunctionName: cat.id(region, "function_name")})
		if err != nil {
			return err
		}
		in := &lambda.UpdateFunctionConfigurationInput{FunctionName: cat.id(region, "function_name")}
		change(in, cur.Configuration)
		_, err = cat.lc(region).UpdateFunctionConfiguration(cat.ctx, in)
		return err
	}
}

func withEnv(change func(env map[string]string)) func(*lambda.UpdateFunctionConfigurationInput, *lambdatypes.FunctionConfiguration) {
	return func(in *lambda.UpdateFunctionConfigurationInput, cur *lambdatypes.FunctionConfiguration) {
		env := maps.Clone(cur.Environment.Variables)
		change(env)
		in.Environment = &lambdatypes.Environment{Variables: env}
	}
}

func (cat *catalogue) updateMapping(region string, change func(in *lambda.UpdateEventSourceMappingInput)) func() error {
	return func() error {
		in := &lambda.UpdateEventSourceMappingInput{UUID: cat.id(region, "event_source_mapping_id")}
		change(in)
		_, err := cat.lc(region).UpdateEventSourceMapping(cat.ctx, in)
		return err
	}
}

func (cat *catalogue) putAlarm(region string, change func(in *cloudwatch.PutMetricAlarmInput)) func() error {
	return func() error {
		cw := cat.c.CloudWatch(cat.ctx, region)
		out, err := cw.DescribeAlarms(cat.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{cat.ids[region]["oldest_message_age_alarm_name"]}})
		if err != nil {
			return fmt.Errorf("reading the age alarm: %w", err)
		}
		if len(out.MetricAlarms) != 1 {
			return fmt.Errorf("reading the age alarm: %d found", len(out.MetricAlarms))
		}
		a := out.MetricAlarms[0]
		in := &cloudwatch.PutMetricAlarmInput{AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, Namespace: a.Namespace, MetricName: a.MetricName,
			Dimensions: a.Dimensions, Statistic: a.Statistic, Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold,
			ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData, AlarmActions: a.AlarmActions, ActionsEnabled: a.ActionsEnabled}
		change(in)
		_, err = cw.PutMetricAlarm(cat.ctx, in)
		return err
	}
}

// missing is the drift entry of an object found gone.
func missing(what string) string { return what + ": missing (deleted outside Terraform)" }

// cases is the catalogue, for the lifecycle bus of relStage(1) named name:
// r1 (home) plain, r2 in a VPC with an auth secret. Each case names the
// kind of object it changes (bus.ObjectKindsForTest) and whether it deletes
// or alters it; shows are phrases the plan's refreshed state must hold, and
// hides phrases it must not (drift shown as something else).
func (cat *catalogue) cases(name string) []driftCase {
	ctx := cat.ctx
	widePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	return []driftCase{
		// Topic.
		{kind: "topic", how: altered, name: "topic encryption turned off", region: r1, shows: []string{"topic: not encrypted"}, change: func() error {
			_, err := cat.home().SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: cat.id("", "topic_arn"), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("")})
			return err
		}},
		{kind: "topic", how: altered, name: "topic tags changed", shows: []string{`"extra":"x"`}, change: func() error {
			_, err := cat.home().TagResource(ctx, &sns.TagResourceInput{ResourceArn: cat.id("", "topic_arn"), Tags: []snstypes.Tag{{Key: aws.String("extra"), Value: aws.String("x")}}})
			return err
		}},
		// The topic deleted: its subscriptions go with it, every region's
		// objects stay. The bus stays in the state, shows the topic and
		// the subscriptions missing, and one apply re-creates the topic
		// and subscribes every region again.
		{kind: "topic", how: deleted, name: "topic deleted", shows: []string{`"topic_arn":null`, missing("topic"), `"subscription_arn":null`, missing("subscription")}, change: func() error {
			_, err := cat.home().DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: cat.id("", "topic_arn")})
			return err
		}},
		// Queue.
		{kind: "queue", how: deleted, name: "queue deleted", region: r1, shows: []string{`"queue_url":null`, missing("queue")},
			hides: []string{"instead of the region's queue"}, change: func() error {
				_, err := cat.sq(r1).DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: cat.id(r1, "queue_url")})
				return err
			}},
		{kind: "queue", how: altered, name: "queue visibility timeout and retention changed", region: r2, shows: []string{`"visibility_timeout":45`, `"message_retention":600`},
			change: cat.setQueue(r2, "queue_url", func() map[string]string {
				return map[string]string{"VisibilityTimeout": "45", "MessageRetentionPeriod": "600"}
			})},
		{kind: "queue", how: altered, name: "queue encryption turned off", region: r1, shows: []string{"queue: not encrypted with SQS-managed keys"},
			change: cat.setQueue(r1, "queue_url", func() map[string]string { return map[string]string{"SqsManagedSseEnabled": "false"} })},
		{kind: "queue", how: altered, name: "queue delivery delay set", region: r2, shows: []string{"queue: delivery delay is 30 seconds"},
			change: cat.setQueue(r2, "queue_url", func() map[string]string { return map[string]string{"DelaySeconds": "30"} })},
		{kind: "queue", how: altered, name: "redrive policy removed", region: r1, shows: []string{"queue: no redrive policy"},
			change: cat.setQueue(r1, "queue_url", func() map[string]string { return map[string]string{"RedrivePolicy": ""} })},
		{kind: "queue", how: altered, name: "redrive max receive count lowered", region: r2, shows: []string{`"max_receive_count":1`},
			change: cat.setQueue(r2, "queue_url", func() map[string]string {
				return map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + cat.ids[r2]["dlq_arn"] + `","maxReceiveCount":1}`}
			})},
		{kind: "queue", how: altered, name: "queue tags changed", region: r2, shows: []string{"queue: tags differ from tags_all"}, change: func() error {
			_, err := cat.sq(r2).TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: cat.id(r2, "queue_url"), Tags: map[string]string{"team": "someone-else"}})
			return err
		}},
		// Queue policy.
		{kind: "queue policy", how: altered, name: "queue policy opened to every principal", region: r1, shows: []string{"queue: the policy differs"},
			change: cat.setQueue(r1, "queue_url", func() map[string]string {
				return map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"` + cat.ids[r1]["queue_arn"] + `"}]}`}
			})},
		{kind: "queue policy", how: deleted, name: "queue policy removed", region: r2, shows: []string{"queue: the policy differs"},
			change: cat.setQueue(r2, "queue_url", func() map[string]string { return map[string]string{"Policy": ""} })},
		// Dead-letter queue.
		{kind: "dead-letter queue", how: deleted, name: "dead-letter queue deleted", region: r2, shows: []string{`"dlq_url":null`, missing("dead-letter queue")},
			hides: []string{"redrives to"}, change: func() error {
				_, err := cat.sq(r2).DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: cat.id(r2, "dlq_url")})
				return err
			}},
		{kind: "dead-letter queue", how: altered, name: "dead-letter queue retention changed", region: r1, shows: []string{`"dlq_retention":600`},
			change: cat.setQueue(r1, "dlq_url", func() map[string]string { return map[string]string{"MessageRetentionPeriod": "600"} })},
		{kind: "dead-letter queue", how: altered, name: "dead-letter queue encryption turned off", region: r2, shows: []string{"dead-letter queue: not encrypted"},
			change: cat.setQueue(r2, "dlq_url", func() map[string]string { return map[string]string{"SqsManagedSseEnabled": "false"} })},
		// Subscription.
		{kind: "subscription", how: deleted, name: "subscription deleted", region: r2, shows: []string{`"subscription_arn":null`, missing("subscription")}, change: func() error {
			_, err := cat.home().Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: cat.id(r2, "subscription_arn")})
			return err
		}},
		{kind: "subscription", how: altered, name: "raw message delivery turned off", region: r1, shows: []string{"subscription: raw message delivery is off"},
			change: cat.setSub(r1, "RawMessageDelivery", "false")},
		{kind: "subscription", how: altered, name: "filter policy added to the subscription", region: r2, shows: []string{"subscription: has a filter policy"},
			change: cat.setSub(r2, "FilterPolicy", `{"cmd":["SET"]}`)},
		// Role.
		{kind: "IAM role", how: deleted, name: "role deleted", region: r1, shows: []string{`"role_name":null`, missing("IAM role")}, change: func() error {
			if _, err := cat.im().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: cat.id(r1, "role_name"), PolicyName: aws.String(bus.RolePolicyNameForTest)}); err != nil {
				return err
			}
			_, err := cat.im().DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: cat.id(r1, "role_name")})
			return err
		}},
		{kind: "IAM role", how: altered, name: "another inline policy added to the role", region: r2, shows: []string{"IAM role: has permissions beyond the regis-consumer policy", "inline debug"}, change: func() error {
			_, err := cat.im().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: cat.id(r2, "role_name"), PolicyName: aws.String("debug"), PolicyDocument: aws.String(widePolicy)})
			return err
		}},
		{kind: "IAM role", how: altered, name: "managed policy attached to the role (SQS on every queue)", region: r1, shows: []string{"IAM role: has permissions beyond the regis-consumer policy", "attached arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"}, change: func() error {
			_, err := cat.im().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: cat.id(r1, "role_name"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")})
			return err
		}},
		{kind: "IAM role", how: altered, name: "trust policy changed", region: r2, shows: []string{"IAM role: the trust policy no longer lets only Lambda assume it"}, change: func() error {
			_, err := cat.im().UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: cat.id(r2, "role_name"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + cat.accountID + `:root"},"Action":"sts:AssumeRole"}]}`)})
			return err
		}},
		{kind: "IAM role", how: altered, name: "role tags removed", region: r1, shows: []string{"IAM role: tags differ from tags_all"}, change: func() error {
			_, err := cat.im().UntagRole(ctx, &iam.UntagRoleInput{RoleName: cat.id(r1, "role_name"), TagKeys: []string{"team"}})
			return err
		}},
		// Role policy.
		{kind: "role policy", how: altered, name: "role policy widened", region: r2, shows: []string{"IAM role: the regis-consumer policy was changed"}, change: func() error {
			_, err := cat.im().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: cat.id(r2, "role_name"), PolicyName: aws.String(bus.RolePolicyNameForTest), PolicyDocument: aws.String(widePolicy)})
			return err
		}},
		{kind: "role policy", how: deleted, name: "role policy deleted", region: r1, shows: []string{"IAM role: the regis-consumer policy is missing"}, change: func() error {
			_, err := cat.im().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: cat.id(r1, "role_name"), PolicyName: aws.String(bus.RolePolicyNameForTest)})
			return err
		}},
		// Function.
		{kind: "function", how: deleted, name: "function deleted", region: r2, shows: []string{`"function_name":null`, missing("function")}, change: func() error {
			_, err := cat.lc(r2).DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: cat.id(r2, "function_name")})
			return err
		}},
		{kind: "function", how: altered, name: "function memory and timeout changed", region: r1, shows: []string{`"memory_size":1024`, `"timeout":3`},
			change: cat.updateFunction(r1, func(in *lambda.UpdateFunctionConfigurationInput, _ *lambdatypes.FunctionConfiguration) {
				in.MemorySize, in.Timeout = aws.Int32(1024), aws.Int32(3)
			})},
		{kind: "function", how: altered, name: "function handler changed", region: r2, shows: []string{"function: runtime provided.al2023 with handler other"},
			change: cat.updateFunction(r2, func(in *lambda.UpdateFunctionConfigurationInput, _ *lambdatypes.FunctionConfiguration) {
				in.Handler = aws.String("other")
			})},
		{kind: "function", how: altered, name: "function runs with another role", region: r1, shows: []string{"function: runs with role " + cat.otherRoleARN},
			change: cat.updateFunction(r1, func(in *lambda.UpdateFunctionConfigurationInput, _ *lambdatypes.FunctionConfiguration) {
				in.Role = aws.String(cat.otherRoleARN)
			})},
		{kind: "function", how: altered, name: "plaintext Redis token put in the environment", region: r2, shows: []string{"puts the Redis token in the function"},
			change: cat.updateFunction(r2, withEnv(func(env map[string]string) { env[contract.EnvRedisAuthToken] = "leaked-token" }))},
		{kind: "function", how: altered, name: "environment: TLS off, DLQ URL and log level changed", region: r1, shows: []string{"REGIS_DLQ_URL is not the region", `"tls":false`, `"log_level":"debug"`},
			change: cat.updateFunction(r1, withEnv(func(env map[string]string) {
				env[contract.EnvRedisTLS], env[contract.EnvDLQURL], env[contract.EnvLogLevel] = "false", "https://sqs.example/other", "debug"
			}))},
		{kind: "function", how: altered, name: "function code replaced", region: r1, shows: []string{`"consumer_code_sha256":"` + cat.otherSHA + `"`}, change: func() error {
			_, err := cat.lc(r1).UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: cat.id(r1, "function_name"), ZipFile: cat.otherZip})
			return err
		}},
		{kind: "function", how: altered, name: "function taken out of its VPC", region: r2, shows: []string{`"vpc":null`},
			change: cat.updateFunction(r2, func(in *lambda.UpdateFunctionConfigurationInput, _ *lambdatypes.FunctionConfiguration) {
				in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}
			})},
		{kind: "function", how: altered, name: "function tags changed", region: r2, shows: []string{"function: tags differ from tags_all"}, change: func() error {
			_, err := cat.lc(r2).TagResource(ctx, &lambda.TagResourceInput{Resource: cat.id(r2, "function_arn"), Tags: map[string]string{"stage": "other"}})
			return err
		}},
		// Event source mapping.
		{kind: "event source mapping", how: deleted, name: "event source mapping deleted", region: r1, shows: []string{`"event_source_mapping_id":null`, missing("event source mapping")}, change: func() error {
			_, err := cat.lc(r1).DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: cat.id(r1, "event_source_mapping_id")})
			return err
		}},
		{kind: "event source mapping", how: altered, name: "event source mapping disabled", region: r2, shows: []string{"event source mapping: disabled"},
			change: cat.updateMapping(r2, func(in *lambda.UpdateEventSourceMappingInput) { in.Enabled = aws.Bool(false) })},
		{kind: "event source mapping", how: altered, name: "ReportBatchItemFailures removed", region: r1, shows: []string{"event source mapping: ReportBatchItemFailures is off"},
			change: cat.updateMapping(r1, func(in *lambda.UpdateEventSourceMappingInput) {
				in.FunctionResponseTypes = []lambdatypes.FunctionResponseType{}
			})},
		{kind: "event source mapping", how: altered, name: "batch size and concurrency changed", region: r2, shows: []string{`"batch_size":3`, `"max_concurrency":50`},
			change: cat.updateMapping(r2, func(in *lambda.UpdateEventSourceMappingInput) {
				in.BatchSize, in.ScalingConfig = aws.Int32(3), &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(50)}
			})},
		{kind: "event source mapping", how: altered, name: "filter criteria added to the mapping", region: r1, shows: []string{"event source mapping: has filter criteria"},
			change: cat.updateMapping(r1, func(in *lambda.UpdateEventSourceMappingInput) {
				in.FilterCriteria = &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String(`{"body":{"cmd":["SET"]}}`)}}}
			})},
		// Alarms. A deleted alarm is a missing object, not dlq_not_empty
		// turned false.
		{kind: "alarm", how: deleted, name: "dead-letter queue alarm deleted", region: r2, shows: []string{`"dlq_alarm_name":null`, missing("alarm " + contract.DLQAlarmName(name)), `"dlq_not_empty":true`},
			hides: []string{`"dlq_not_empty":false`}, change: func() error {
				_, err := cat.c.CloudWatch(ctx, r2).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{cat.ids[r2]["dlq_alarm_name"]}})
				return err
			}},
		{kind: "alarm", how: altered, name: "age alarm threshold changed", region: r1, shows: []string{`"oldest_message_age_threshold":900`},
			change: cat.putAlarm(r1, func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = aws.Float64(900) })},
		{kind: "alarm", how: altered, name: "age alarm comparison and actions changed", region: r2, shows: []string{"its metric, period or comparison was changed"},
			change: cat.putAlarm(r2, func(in *cloudwatch.PutMetricAlarmInput) {
				in.ComparisonOperator, in.ActionsEnabled = cwtypes.ComparisonOperatorLessThanThreshold, aws.Bool(false)
			})},
	}
}

// The catalogue covers every kind of object the bus creates, as the
// reconcilers register them, both deleted and altered (every kind has
// settings a person can change); and it names no kind the bus does not
// create.
func TestOutOfBandCatalogueCoversEveryKind(t *testing.T) {
	kinds := bus.ObjectKindsForTest()
	if len(kinds) < 10 {
		t.Fatalf("only %d kinds registered: %v", len(kinds), kinds)
	}
	covered := map[string]map[string]int{}
	for _, c := range (&catalogue{}).cases("bus") {
		if !slices.Contains(kinds, c.kind) {
			t.Errorf("case %q: %q is not a kind of object the bus creates (%v)", c.name, c.kind, kinds)
		}
		if c.how != deleted && c.how != altered {
			t.Errorf("case %q: how is %q", c.name, c.how)
		}
		if covered[c.kind] == nil {
			covered[c.kind] = map[string]int{}
		}
		covered[c.kind][c.how]++
	}
	for _, k := range kinds {
		for _, how := range []string{deleted, altered} {
			if covered[k][how] == 0 {
				t.Errorf("no case of the %s %s: add one to catalogue.cases", k, how)
			}
		}
	}
}
