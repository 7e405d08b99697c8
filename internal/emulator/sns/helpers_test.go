package sns_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
)

// fakeSQS stands in for the SQS service: it records what SNS delivers and
// fails deliveries as programmed.
type fakeSQS struct {
	mu        sync.Mutex
	delivered []core.SNSDelivery
	attempts  map[string]int
	// fail decides the error of an attempt (n counts attempts to that queue, from 1).
	fail func(queueARN string, n int) *core.APIError
}

func (f *fakeSQS) SigningName() string        { return "sqs" }
func (f *fakeSQS) Inventory() []core.Resource { return nil }

// API serves no operation: the fake is reached only through DeliverFromSNS.
func (f *fakeSQS) API() *core.API {
	return &core.API{Wires: []core.Wire{core.JSONWire{JSONProtocol: core.JSONProtocol{Version: "1.0", TargetPrefix: "AmazonSQS"}}}}
}

func (f *fakeSQS) DeliverFromSNS(_ context.Context, d core.SNSDelivery) *core.APIError {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.attempts[d.QueueARN]++
	if f.fail != nil {
		if err := f.fail(d.QueueARN, f.attempts[d.QueueARN]); err != nil {
			return err
		}
	}
	f.delivered = append(f.delivered, d)
	return nil
}

func (f *fakeSQS) setFail(fn func(queueARN string, n int) *core.APIError) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

// to returns the deliveries to one queue.
func (f *fakeSQS) to(queueARN string) []core.SNSDelivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.SNSDelivery
	for _, d := range f.delivered {
		if d.QueueARN == queueARN {
			out = append(out, d)
		}
	}
	return out
}

func (f *fakeSQS) attemptsTo(queueARN string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[queueARN]
}

const (
	region      = "ap-southeast-1"
	otherRegion = "ap-south-1"
	account     = emulator.DefaultAccountID
)

func queueARN(region, name string) string { return core.ARN("sqs", region, account, name) }

// startFake runs an emulator whose SQS is a fakeSQS.
func startFake(t *testing.T) (*emulator.Emulator, *fakeSQS, *sns.Service) {
	t.Helper()
	emu := emulatortest.Start(t)
	fake := &fakeSQS{}
	emu.Env().Register(fake)
	svc, ok := emu.Service("sns").(*sns.Service)
	if !ok {
		t.Fatal("the emulator has no SNS service")
	}
	return emu, fake, svc
}

func snsClient(t *testing.T, emu *emulator.Emulator, region string) *awssns.Client {
	t.Helper()
	return awssns.NewFromConfig(emulatortest.Config(t, emu, region))
}

func createTopic(t *testing.T, c *awssns.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateTopic(context.Background(), &awssns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateTopic %s: %v", name, err)
	}
	return aws.ToString(out.TopicArn)
}

func subscribe(t *testing.T, c *awssns.Client, topicARN, queue string, attrs map[string]string) string {
	t.Helper()
	out, err := c.Subscribe(context.Background(), &awssns.SubscribeInput{
		TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queue),
		Attributes: attrs, ReturnSubscriptionArn: true,
	})
	if err != nil {
		t.Fatalf("Subscribe %s: %v", queue, err)
	}
	return aws.ToString(out.SubscriptionArn)
}

func strAttr(v string) snstypes.MessageAttributeValue {
	return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

func numAttr(v string) snstypes.MessageAttributeValue {
	return snstypes.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(v)}
}

// eventually advances the emulator clock until cond holds, so that
// background retries run without real waiting.
func eventually(t *testing.T, emu *emulator.Emulator, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		emu.Clock().Advance(30 * time.Second)
		time.Sleep(2 * time.Millisecond)
	}
}

func stats(t *testing.T, svc *sns.Service, subARN string) sns.DeliveryStats {
	t.Helper()
	st, ok := svc.SubscriptionStats(subARN)
	if !ok {
		t.Fatalf("no delivery stats for %s", subARN)
	}
	return st
}
