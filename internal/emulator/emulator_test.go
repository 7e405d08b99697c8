package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestUnsignedRequestIsRefused(t *testing.T) {
	emu := emulatortest.Start(t)
	resp, err := http.Post(emu.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
}

func TestRejectedKeyFailsEveryService(t *testing.T) {
	emu := emulatortest.Start(t)
	cfg := emulatortest.Config(t, emu, "ap-southeast-1")
	emu.RejectAccessKey("AKIDEMULATORTEST")
	ctx := context.Background()
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if got := apiCode(err); got != "InvalidClientTokenId" {
		t.Errorf("sts: got %q (%v)", got, err)
	}
	_, err = sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if got := apiCode(err); got != "InvalidClientTokenId" {
		t.Errorf("sqs: got %q (%v)", got, err)
	}
}

func TestExpiredSessionFailsEveryService(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	cfg := emulatortest.Config(t, emu, "ap-southeast-1")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("ci"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	session, err := config.LoadDefaultConfig(ctx, config.WithRegion("ap-southeast-1"), config.WithBaseEndpoint(emu.URL()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(session).ListTopics(ctx, &sns.ListTopicsInput{}); err != nil {
		t.Fatalf("fresh session refused: %v", err)
	}
	emu.Clock().Advance(16 * time.Minute)
	_, err = sns.NewFromConfig(session).ListTopics(ctx, &sns.ListTopicsInput{})
	if got := apiCode(err); got != "ExpiredToken" {
		t.Fatalf("sns with expired session: got %q (%v)", got, err)
	}
}

func TestAdminAPI(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	cfg := emulatortest.Config(t, emu, "ap-south-1")
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })

	// A fault injected over HTTP fails the next matching call only.
	body := `{"region":"ap-south-1","service":"sqs","action":"CreateQueue","code":"AccessDenied","message":"nope","status":403}`
	resp, err := http.Post(emu.URL()+"/_emulator/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("want injected AccessDenied, got %v", err)
	}
	if _, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")}); err != nil {
		t.Fatalf("second call: %v", err)
	}

	resp, err = http.Get(emu.URL() + "/_emulator/inventory")
	if err != nil {
		t.Fatal(err)
	}
	var inv []struct{ Service, Region, Type, ID string }
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(inv) != 1 || inv[0].Region != "ap-south-1" || inv[0].Type != "queue" {
		t.Fatalf("inventory: %+v", inv)
	}

	calls := emu.Calls()
	var faulted int
	for _, c := range calls {
		if c.Action == "CreateQueue" && c.Fault != "" {
			faulted++
		}
	}
	if faulted != 1 {
		t.Fatalf("call log: %d faulted CreateQueue calls, want 1: %+v", faulted, calls)
	}
}

func TestFaultAfterAndTimes(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	cfg := emulatortest.Config(t, emu, "us-east-1")
	client := sns.NewFromConfig(cfg, func(o *sns.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	id := emu.InjectFault(emulator.Fault{Service: "sns", Action: "ListTopics", After: 1, Times: 2})
	var codes []string
	for i := 0; i < 4; i++ {
		_, err := client.ListTopics(ctx, &sns.ListTopicsInput{})
		codes = append(codes, apiCode(err))
	}
	if strings.Join(codes, ",") != ",InternalFailure,InternalFailure," {
		t.Fatalf("codes %q", codes)
	}
	if emu.FaultHits(id) != 2 {
		t.Fatalf("hits %d", emu.FaultHits(id))
	}
}
