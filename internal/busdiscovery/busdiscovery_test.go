package busdiscovery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const (
	home  = "ap-southeast-1"
	other = "ap-south-1"
)

// clients implements busdiscovery.Clients on the emulator.
type clients struct {
	t   *testing.T
	emu *emulator.Emulator
}

func (c clients) SNS(region string) *sns.Client {
	return sns.NewFromConfig(emulatortest.Config(c.t, c.emu, region))
}
func (c clients) SQS(region string) *sqs.Client {
	return sqs.NewFromConfig(emulatortest.Config(c.t, c.emu, region))
}
func (c clients) Lambda(region string) *lambda.Client {
	return lambda.NewFromConfig(emulatortest.Config(c.t, c.emu, region))
}
func (c clients) IAM() *iam.Client {
	return iam.NewFromConfig(emulatortest.Config(c.t, c.emu, "us-east-1"))
}
func (c clients) CloudWatch(region string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(emulatortest.Config(c.t, c.emu, region))
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// made is what makeBus created, per region.
type made struct {
	topic   string
	regions map[string]*busdiscovery.Region
}

// makeBus creates, with the SDK as a person would, the objects of a bus
// named bus with its topic in home and a queue, DLQ, subscription, role,
// function, mapping and alarms in each of regions.
func makeBus(t *testing.T, c clients, bus string, regions ...string) made {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	topic, err := c.SNS(home).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(contract.TopicName(bus))})
	must("topic", err)
	zip, err := lambdazip.Zip([]byte("#!/bin/sh\nexit 1\n"), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	must("zip", err)
	out := made{topic: aws.ToString(topic.TopicArn), regions: map[string]*busdiscovery.Region{}}
	for _, region := range regions {
		r := &busdiscovery.Region{Region: region}
		out.regions[region] = r
		sq := c.SQS(region)
		for _, q := range []struct {
			name     string
			url, arn *string
		}{{contract.QueueName(bus), &r.QueueURL, &r.QueueARN}, {contract.DLQName(bus), &r.DLQURL, &r.DLQARN}} {
			qo, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q.name)})
			must("queue", err)
			*q.url = aws.ToString(qo.QueueUrl)
			a, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qo.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
			must("queue ARN", err)
			*q.arn = a.Attributes["QueueArn"]
		}
		sub, err := c.SNS(home).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(r.QueueARN), ReturnSubscriptionArn: true})
		must("subscription", err)
		r.SubscriptionARN = aws.ToString(sub.SubscriptionArn)
		r.RoleName = contract.RoleName(bus, region)
		role, err := c.IAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.RoleName), AssumeRolePolicyDocument: aws.String(trust)})
		must("role", err)
		r.RoleARN = aws.ToString(role.Role.Arn)
		_, err = c.IAM().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.RoleName), PolicyName: aws.String(contract.RolePolicyName),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"` + r.QueueARN + `"}]}`)})
		must("role policy", err)
		r.FunctionName = contract.FunctionName(bus)
		fn, err := c.Lambda(region).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(r.FunctionName), Role: role.Role.Arn,
			Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zip}})
		must("function", err)
		r.FunctionARN = aws.ToString(fn.FunctionArn)
		m, err := c.Lambda(region).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(r.QueueARN), FunctionName: fn.FunctionArn})
		must("mapping", err)
		r.MappingUUID = aws.ToString(m.UUID)
		for _, name := range []string{contract.DLQAlarmName(bus), contract.AgeAlarmName(bus)} {
			_, err := c.CloudWatch(region).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/SQS"),
				MetricName: aws.String("ApproximateNumberOfMessagesVisible"), Statistic: cwtypes.StatisticMaximum, Period: aws.Int32(60),
				EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(0), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})
			must("alarm", err)
		}
		r.DLQAlarmName, r.AgeAlarmName = contract.DLQAlarmName(bus), contract.AgeAlarmName(bus)
	}
	return out
}

func find(t *testing.T, c clients, q busdiscovery.Query) *busdiscovery.Bus {
	t.Helper()
	b, err := busdiscovery.Find(context.Background(), c, q)
	if err != nil {
		t.Fatalf("Find(%+v): %v", q, err)
	}
	return b
}

func sameRegion(t *testing.T, got, want *busdiscovery.Region) {
	t.Helper()
	if got == nil {
		t.Fatalf("region %s not found", want.Region)
	}
	if *got != *want {
		t.Errorf("region %s:\n got  %+v\n want %+v", want.Region, *got, *want)
	}
}

// Find reveals every object of a bus by its names, the topic and the
// subscriptions included; without the topic, the roles still reveal the
// regions and every other object is found; a region without a role is
// found when the caller names it. Another bus whose name starts like this
// one's is not taken for it.
func TestFind(t *testing.T) {
	emu := emulatortest.Start(t)
	c := clients{t: t, emu: emu}
	ctx := context.Background()
	want := makeBus(t, c, "hotels", home, other)
	// A bus whose role names start with this bus's role prefix.
	makeBus(t, c, "hotels-consumer-x", home)

	got := find(t, c, busdiscovery.Query{Name: "hotels", HomeRegion: home})
	if got.TopicARN != want.topic {
		t.Errorf("topic %q, want %q", got.TopicARN, want.topic)
	}
	if names := got.RegionNames(); strings.Join(names, ",") != other+","+home {
		t.Fatalf("regions %v", names)
	}
	for region, r := range want.regions {
		sameRegion(t, got.Regions[region], r)
	}

	// The topic is gone (its subscriptions with it): the roles name the
	// regions.
	if _, err := c.SNS(home).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(want.topic)}); err != nil {
		t.Fatal(err)
	}
	for region := range want.regions {
		want.regions[region].SubscriptionARN = ""
	}
	got = find(t, c, busdiscovery.Query{Name: "hotels", HomeRegion: home})
	if got.TopicARN != "" || len(got.Regions) != 2 {
		t.Fatalf("without the topic: topic %q, regions %v", got.TopicARN, got.RegionNames())
	}
	for region, r := range want.regions {
		sameRegion(t, got.Regions[region], r)
	}

	// Without the topic and one region's role, that region is found only
	// when named.
	iamc := c.IAM()
	if _, err := iamc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(want.regions[other].RoleName), PolicyName: aws.String(contract.RolePolicyName)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(want.regions[other].RoleName)}); err != nil {
		t.Fatal(err)
	}
	want.regions[other].RoleName, want.regions[other].RoleARN = "", ""
	if got = find(t, c, busdiscovery.Query{Name: "hotels", HomeRegion: home}); len(got.Regions) != 1 || got.Regions[home] == nil {
		t.Fatalf("regions %v, want %s only", got.RegionNames(), home)
	}
	got = find(t, c, busdiscovery.Query{Name: "hotels", HomeRegion: home, Regions: []string{other, "not a region"}})
	sameRegion(t, got.Regions[other], want.regions[other])

	// The account named by the caller: the same topic lookup without a
	// listing.
	if got = find(t, c, busdiscovery.Query{Name: "hotels-consumer-x", HomeRegion: home, AccountID: emu.AccountID()}); got.TopicARN == "" || len(got.Regions) != 1 {
		t.Fatalf("the other bus: topic %q regions %v", got.TopicARN, got.RegionNames())
	}

	// Nothing of a bus that was never made.
	if got = find(t, c, busdiscovery.Query{Name: "nothing", HomeRegion: home}); !got.Empty() {
		t.Fatalf("found %+v", got)
	}
	if _, err := busdiscovery.Find(ctx, c, busdiscovery.Query{Name: "hotels"}); err == nil {
		t.Fatal("a query without a home region was accepted")
	}
}

func TestSameFunction(t *testing.T) {
	arn := "arn:aws:lambda:ap-south-1:123456789012:function:hotels-consumer"
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{arn, arn, true},
		{arn + ":$LATEST", arn, true},
		{arn, "hotels-consumer", true},
		{arn, "arn:aws:lambda:ap-south-1:123456789012:function:other-consumer", false},
	} {
		if got := busdiscovery.SameFunction(tc.a, tc.b); got != tc.want {
			t.Errorf("SameFunction(%s, %s) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}
