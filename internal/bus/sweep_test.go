package bus_test

// Sweepers for what regis_bus acceptance tests may leave in an account (see
// internal/acctest/sweep.go and `make sweep`): event source mappings,
// functions, their log groups, queues, topics (with their subscriptions),
// alarms, consumer roles and Redis AUTH secrets, whose names start with
// acctest.ResourcePrefix.

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

const (
	sweepMappings  = "regis_bus_event_source_mappings"
	sweepFunctions = "regis_bus_functions"
)

func init() {
	acctest.AddSweeper(sweepMappings, acctest.Sweeper{F: sweepBusMappings})
	acctest.AddSweeper(sweepFunctions, acctest.Sweeper{Dependencies: []string{sweepMappings}, F: sweepBusFunctions})
	acctest.AddSweeper("regis_bus_log_groups", acctest.Sweeper{Dependencies: []string{sweepFunctions}, F: sweepBusLogGroups})
	acctest.AddSweeper("regis_bus_queues", acctest.Sweeper{Dependencies: []string{sweepMappings}, F: sweepBusQueues})
	acctest.AddSweeper("regis_bus_topics", acctest.Sweeper{F: sweepBusTopics})
	acctest.AddSweeper("regis_bus_alarms", acctest.Sweeper{F: sweepBusAlarms})
	acctest.AddSweeper("regis_bus_auth_secrets", acctest.Sweeper{Dependencies: []string{sweepFunctions}, F: sweepBusSecrets})
	acctest.AddSweeper("regis_bus_roles", acctest.Sweeper{Global: true, Dependencies: []string{sweepFunctions}, F: sweepBusRoles})
}

// lambdaName is the function name in a Lambda function ARN
// (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]).
func lambdaName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 {
		return arn
	}
	return parts[6]
}

// An event source mapping is a test's when its function is.
func sweepBusMappings(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Lambda(ctx, s.Region)
	p := lambda.NewListEventSourceMappingsPaginator(conn, &lambda.ListEventSourceMappingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range page.EventSourceMappings {
			fn := lambdaName(aws.ToString(m.FunctionArn))
			if !acctest.IsTestName(fn) {
				s.Outside(1)
				continue
			}
			uuid := aws.ToString(m.UUID)
			s.Found(ctx, "event source mapping", fmt.Sprintf("%s (%s → %s)", uuid, aws.ToString(m.EventSourceArn), fn), func(ctx context.Context) error {
				if err := bus.SweepDeleteMapping(ctx, conn, uuid); err != nil {
					return err
				}
				return bus.SweepWaitMappingDeleted(ctx, conn, uuid)
			})
		}
	}
	return nil
}

func sweepBusFunctions(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Lambda(ctx, s.Region)
	p := lambda.NewListFunctionsPaginator(conn, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range page.Functions {
			name := aws.ToString(f.FunctionName)
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "function", name, func(ctx context.Context) error { return bus.SweepDeleteFunction(ctx, conn, name) })
		}
	}
	return nil
}

// The consumers' log groups, which Lambda creates: /aws/lambda/<function>.
func sweepBusLogGroups(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Logs(ctx)
	const lambdaPrefix = "/aws/lambda/"
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(conn, &cloudwatchlogs.DescribeLogGroupsInput{
		LogGroupNamePrefix: aws.String(lambdaPrefix + acctest.ResourcePrefix + "-"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range page.LogGroups {
			name := aws.ToString(g.LogGroupName)
			if !acctest.IsTestName(strings.TrimPrefix(name, lambdaPrefix)) || !strings.HasPrefix(name, lambdaPrefix) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "log group", name, func(ctx context.Context) error {
				_, err := conn.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
				if awsapi.IsA[*logstypes.ResourceNotFoundException](err) {
					return nil
				}
				return err
			})
		}
	}
	return nil
}

func sweepBusQueues(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.SQS(ctx, s.Region)
	p := sqs.NewListQueuesPaginator(conn, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(acctest.ResourcePrefix + "-")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.QueueUrls {
			if !acctest.IsTestName(queueName(u)) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "queue", u, func(ctx context.Context) error { return bus.SweepDeleteQueue(ctx, conn, u) })
		}
	}
	return nil
}

// queueName is the last path segment of a queue URL.
func queueName(queueURL string) string {
	if u, err := url.Parse(queueURL); err == nil {
		return path.Base(u.Path)
	}
	return path.Base(queueURL)
}

// Deleting a topic deletes its subscriptions.
func sweepBusTopics(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.SNS(ctx, s.Region)
	p := sns.NewListTopicsPaginator(conn, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.Topics {
			arn := aws.ToString(t.TopicArn)
			if !acctest.IsTestName(arn[strings.LastIndex(arn, ":")+1:]) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "topic", arn, func(ctx context.Context) error { return bus.SweepDeleteTopic(ctx, conn, arn) })
		}
	}
	return nil
}

func sweepBusAlarms(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.CloudWatch(ctx, s.Region)
	p := cloudwatch.NewDescribeAlarmsPaginator(conn, &cloudwatch.DescribeAlarmsInput{
		AlarmNamePrefix: aws.String(acctest.ResourcePrefix + "-"),
		AlarmTypes:      []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.MetricAlarms {
			name := aws.ToString(a.AlarmName)
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "alarm", name, func(ctx context.Context) error { return bus.SweepDeleteAlarms(ctx, conn, name) })
		}
	}
	return nil
}

// Secrets Manager's name filter is a prefix match that ignores case: the
// names are checked again here.
func sweepBusSecrets(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.SecretsManager(ctx, s.Region)
	p := secretsmanager.NewListSecretsPaginator(conn, &secretsmanager.ListSecretsInput{
		Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{acctest.ResourcePrefix + "-"}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sec := range page.SecretList {
			name, arn := aws.ToString(sec.Name), aws.ToString(sec.ARN)
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "secret", arn, func(ctx context.Context) error {
				_, err := conn.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)})
				if awsapi.IsA[*smtypes.ResourceNotFoundException](err) {
					return nil
				}
				return err
			})
		}
	}
	return nil
}

// Roles go with their inline policies and are detached from managed
// policies (which stay: they are not the tests').
func sweepBusRoles(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.IAM(ctx)
	p := iam.NewListRolesPaginator(conn, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.Roles {
			name := aws.ToString(r.RoleName)
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "role", name, func(ctx context.Context) error { return bus.SweepDeleteRole(ctx, conn, name) })
		}
	}
	return nil
}

// ------------------------------------------------------------------ test

// TestSweepers leaks a two-region bus in an emulator of its own — topic and
// subscriptions, queues, DLQs, functions, mappings, log groups, alarms,
// roles (with an inline policy and an attached managed policy), an AUTH
// secret — next to a production bus with the same kinds of objects and a few
// names that look like the prefix but are not it. Then it runs the sweepers
// as `make sweep` does: the dry run prints every leaked object and changes
// nothing; the deleting run leaves exactly the objects outside the prefix;
// a second deleting run finds nothing.
func TestSweepers(t *testing.T) {
	emu := acctest.NewPrivateEmulator(t)
	c := emu.Client(t)
	ctx := context.Background()
	regionList := []string{acctest.Region1, acctest.Region2}
	leak := acctest.RandomName("tf-acc-leak")
	hasLogs := emu.Service("logs") != nil

	// A managed policy both buses' roles are attached to: the sweep detaches
	// it from the leaked roles and keeps it.
	managed, err := c.IAM(ctx).CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("shared-logs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	keep := sweepFixtureBus(t, c, "hotels", regionList, aws.ToString(managed.Policy.Arn), hasLogs)
	leaked := sweepFixtureBus(t, c, leak, regionList, aws.ToString(managed.Policy.Arn), hasLogs)
	// Names that look like the prefix and are not it.
	for _, name := range []string{acctest.ResourcePrefix, "tf-accounts", "x-" + acctest.ResourcePrefix + "-queue", "TF-ACC-CAPS"} {
		if _, err := c.SQS(ctx, acctest.Region1).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SNS(ctx, acctest.Region2).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	// An emulator object is leaked when its ID holds the leaked bus's name
	// (subscriptions hold the topic's ARN, role policies the role's name)
	// or the ID the sweepers report (a mapping's UUID).
	isLeaked := func(r core.Resource) bool {
		return strings.Contains(r.ID, leak) || slices.ContainsFunc(leaked, func(obj string) bool {
			f := strings.Fields(obj)
			return strings.Contains(r.ID, f[len(f)-1])
		})
	}
	before := inventoryIDs(emu.Inventory(), nil)
	wantKept := inventoryIDs(emu.Inventory(), func(r core.Resource) bool { return !isLeaked(r) })
	if len(before) == len(wantKept) {
		t.Fatal("the fixture leaked nothing")
	}

	run := acctest.SweepRun{URL: emu.URL(), Regions: regionList}
	if !hasLogs {
		// This emulator has no CloudWatch Logs: every sweeper but the log
		// groups'.
		run.Only = []string{"regis_bus_event_source_mappings", "regis_bus_functions", "regis_bus_queues", "regis_bus_topics", "regis_bus_alarms", "regis_bus_auth_secrets", "regis_bus_roles"}
	}

	// Dry run: each leaked object is listed, none of the others; nothing
	// changes.
	out := acctest.RunSweepers(t, run)
	t.Logf("dry run:\n%s", out)
	for _, want := range leaked {
		if !strings.Contains(out, "would delete "+want) {
			t.Errorf("the dry run does not list %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, ": would delete ") && !strings.Contains(line, leak) {
			t.Errorf("the dry run would delete an object outside the prefix: %s", line)
		}
	}
	if !strings.Contains(out, "dry run: nothing is deleted") || strings.Contains(out, "deleted ") {
		t.Error("the dry run must say it deletes nothing, and delete nothing")
	}
	if after := inventoryIDs(emu.Inventory(), nil); !slices.Equal(after, before) {
		t.Fatalf("the dry run changed the emulator:\nbefore %v\nafter  %v", before, after)
	}

	// Deleting run: exactly the objects outside the prefix remain.
	run.Delete = true
	out = acctest.RunSweepers(t, run)
	t.Logf("deleting run:\n%s", out)
	for _, want := range leaked {
		if !strings.Contains(out, "deleted "+want) {
			t.Errorf("the deleting run does not report deleting %q", want)
		}
	}
	if strings.Contains(out, "FAILED") {
		t.Error("a deletion failed")
	}
	if after := inventoryIDs(emu.Inventory(), nil); !slices.Equal(after, wantKept) {
		t.Errorf("after the sweep:\n got  %v\n want %v", after, wantKept)
	}
	for _, k := range keep {
		if strings.Contains(out, k) {
			t.Errorf("the sweep names an object outside the prefix: %s", k)
		}
	}
	// The report lines count what was found and deleted, in each region.
	for _, want := range []string{
		"sweep regis_bus_queues " + acctest.Region1 + ": 2 found, 2 deleted, 0 failed",
		"sweep regis_bus_functions " + acctest.Region2 + ": 1 found, 1 deleted, 0 failed; 1 not named tf-acc-*, left alone",
		"sweep regis_bus_topics " + acctest.Region2 + ": 0 found, 0 deleted, 0 failed; 4 not named tf-acc-*, left alone",
		"sweep regis_bus_roles global (aws): 2 found, 2 deleted, 0 failed",
		"sweep regis_bus_roles: global, already swept in partition aws",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report has no line %q", want)
		}
	}

	// Nothing is left to find.
	out = acctest.RunSweepers(t, run)
	if strings.Contains(out, "deleted "+acctest.ResourcePrefix) || strings.Contains(out, "FAILED") {
		t.Errorf("a second sweep deleted or failed something:\n%s", out)
	}
	if after := inventoryIDs(emu.Inventory(), nil); !slices.Equal(after, wantKept) {
		t.Errorf("the second sweep changed the emulator: %v", after)
	}
}

// inventoryIDs lists "service region type id" of the objects keep accepts
// (all when nil), sorted.
func inventoryIDs(objs []core.Resource, keep func(core.Resource) bool) []string {
	var out []string
	for _, r := range objs {
		if keep == nil || keep(r) {
			out = append(out, fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID))
		}
	}
	slices.Sort(out)
	return out
}

// sweepFixtureBus creates, through the API, what a bus named name holds in
// regionList (topic in the first region): the objects a test interrupted
// half-way through its destroy would leave. An attached managed policy and
// an AUTH secret are added; the roles are attached to managedPolicy. It returns the "<kind> <id>" of each object as
// the sweepers report them.
func sweepFixtureBus(t *testing.T, c *conns.AWSClient, name string, regionList []string, managedPolicy string, withLogs bool) []string {
	t.Helper()
	ctx := context.Background()
	var objs []string
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture %s %s: %v", name, what, err)
		}
	}
	zip, err := lambdazip.Zip([]byte("#!/bin/sh\nexit 0\n"), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	must("zip", err)
	topic, err := c.SNS(ctx, regionList[0]).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(contract.TopicName(name))})
	must("topic", err)
	topicARN := aws.ToString(topic.TopicArn)
	objs = append(objs, "topic "+topicARN)
	for _, region := range regionList {
		var queueARNs []string
		for _, q := range []string{contract.QueueName(name), contract.DLQName(name)} {
			out, err := c.SQS(ctx, region).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q)})
			must("queue", err)
			attrs, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
			must("queue ARN", err)
			queueARNs = append(queueARNs, attrs.Attributes["QueueArn"])
			objs = append(objs, "queue "+aws.ToString(out.QueueUrl))
		}
		_, err := c.SNS(ctx, regionList[0]).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARNs[0])})
		must("subscription", err)

		role := contract.RoleName(name, region)
		roleOut, err := c.IAM(ctx).CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(role),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		})
		must("role", err)
		_, err = c.IAM(ctx).PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(role), PolicyName: aws.String(contract.RolePolicyName),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"*"}]}`),
		})
		must("role policy", err)
		_, err = c.IAM(ctx).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(managedPolicy)})
		must("attached policy", err)
		objs = append(objs, "role "+role)

		fn := contract.FunctionName(name)
		_, err = c.Lambda(ctx, region).CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(fn), Role: roleOut.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zip},
			Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		})
		must("function", err)
		objs = append(objs, "function "+fn)
		m, err := c.Lambda(ctx, region).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
			FunctionName: aws.String(fn), EventSourceArn: aws.String(queueARNs[0]), Enabled: aws.Bool(false),
		})
		must("mapping", err)
		objs = append(objs, "event source mapping "+aws.ToString(m.UUID))

		for _, alarm := range []string{contract.DLQAlarmName(name), contract.AgeAlarmName(name)} {
			_, err := c.CloudWatch(ctx, region).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
				AlarmName: aws.String(alarm), Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateNumberOfMessagesVisible"),
				Statistic: cwtypes.StatisticMaximum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(0),
				ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
				Dimensions:         []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(contract.DLQName(name))}},
			})
			must("alarm", err)
			objs = append(objs, "alarm "+alarm)
		}
		if withLogs {
			group := contract.LogGroupName(name)
			logs := acctest.NewSweep("fixture", region, c, false, nil).Logs(ctx)
			_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
			if err != nil && !awsapi.IsA[*logstypes.ResourceAlreadyExistsException](err) {
				must("log group", err)
			}
			objs = append(objs, "log group "+group)
		}
	}
	secret, err := c.SecretsManager(ctx, regionList[len(regionList)-1]).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "-redis-auth"), SecretString: aws.String("auth-token"),
	})
	must("secret", err)
	objs = append(objs, "secret "+aws.ToString(secret.ARN))
	return objs
}
