package sqs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestQueueStats(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(emulatortest.Config(t, emu, "ap-south-1"))
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("stats"), Attributes: map[string]string{"VisibilityTimeout": "45"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:ap-south-1:123456789012:stats"
	metrics := emu.Service("sqs").(core.QueueMetrics)
	if _, ok := metrics.QueueStats("arn:aws:sqs:ap-south-1:123456789012:missing"); ok {
		t.Fatal("stats for a missing queue")
	}
	st, ok := metrics.QueueStats(arn)
	if !ok || st.Visible != 0 || st.OldestAge != 0 || st.VisibilityTimeout != 45*time.Second {
		t.Fatalf("empty queue: %+v %v", st, ok)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("m")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("later"), DelaySeconds: 600}); err != nil {
		t.Fatal(err)
	}
	emu.Clock().Advance(90 * time.Second)
	if _, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1}); err != nil {
		t.Fatal(err)
	}
	st, _ = metrics.QueueStats(arn)
	if st.Visible != 2 || st.NotVisible != 1 || st.Delayed != 1 {
		t.Fatalf("counts: %+v", st)
	}
	if st.OldestAge < 90*time.Second || st.OldestAge > time.Hour {
		t.Fatalf("oldest age %v, want about 90s", st.OldestAge)
	}
}
