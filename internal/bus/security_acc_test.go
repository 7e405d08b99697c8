package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	goredis "github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	emulambda "github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
	emusns "github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// Secure by default, tested: what a bus gets without any security argument
// (encryption at rest, queue policies, least-privilege roles, TLS to Redis,
// the Redis token kept out of configuration, state and logs), checked
// against the emulator, which enforces queue policies on SNS deliveries
// and IAM policies on requests signed by role sessions (core.Request.Authorize).
// Every check is counted in the reliability numbers (security_checks).

// checks records named security checks of one test.
type checks struct {
	t    *testing.T
	test string
}

func (c checks) check(name string, err error) {
	c.t.Helper()
	securityCount.Count(c.test, name, err == nil)
	if err != nil {
		c.t.Errorf("security check %q: %v", name, err)
	}
}

// errCode is the AWS error code of err, "" for success, and the error itself
// for an error without a code, so that a failed call never reads as success.
func errCode(err error) string {
	if code := awsapi.ErrorCode(err); code != "" || err == nil {
		return code
	}
	return "error: " + err.Error()
}

// expect compares the outcomes of calls with what they must be ("" for
// success, else an error code).
func expect(got map[string]string, want map[string]string) error {
	var bad []string
	for _, k := range sortedKeys(want) {
		if got[k] != want[k] {
			w, g := want[k], got[k]
			if w == "" {
				w = "success"
			}
			if g == "" {
				g = "success"
			}
			bad = append(bad, fmt.Sprintf("%s: %s, want %s", k, g, w))
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// secureDefaultsConfig is a bus that sets no security argument at all (no
// kms_key_id, no tls): r1 plain, r2 in a VPC with an auth secret.
func secureDefaultsConfig(provider, name, zip, secret, extra string) string {
	return fmt.Sprintf(`%s
resource "regis_bus" "test" {
  name         = %[2]q
  consumer_zip = %[3]q
%[6]s
  regions = {
    %[4]q = {
      redis    = { endpoints = ["redis.ap-southeast-1.example:6379"] }
      consumer = { architecture = %[7]q }
    }
    %[5]q = {
      redis    = { endpoints = ["redis.ap-south-1.example:6379"], auth_secret_arn = %[8]q }
      vpc      = { subnet_ids = ["subnet-0a1b2c3d4e5f60718"], security_group_ids = ["sg-0a1b2c3d4e5f60718"] }
      consumer = { architecture = %[7]q }
    }
  }
}
`, provider, name, zip, r1, r2, extra, hostArch(), secret)
}

// roleSession returns SQS and Secrets Manager clients of region signed with
// the credentials Lambda gets for a role (STS's ServiceRoleAssumer, as the
// emulator's Lambda does for a function's execution role): the consumer's
// own identity, which its trust policy reserves to Lambda.
func roleSession(t *testing.T, emu *acctest.PrivateEmulator, roleARN, session string) func(region string) (*sqs.Client, *secretsmanager.Client) {
	t.Helper()
	assumer, ok := emu.Service("sts").(core.ServiceRoleAssumer)
	if !ok {
		t.Fatal("the emulator's STS cannot issue role credentials to services")
	}
	creds, aerr := assumer.AssumeRoleForService(roleARN, session, "lambda.amazonaws.com", r1, time.Hour)
	if aerr != nil {
		t.Fatalf("assuming %s as Lambda: %v", roleARN, aerr)
	}
	return func(region string) (*sqs.Client, *secretsmanager.Client) {
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region), config.WithBaseEndpoint(emu.URL()),
			config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}), config.WithRetryMaxAttempts(1),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)))
		if err != nil {
			t.Fatal(err)
		}
		return sqs.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg)
	}
}

// stateHasNo is a state check: the state (terraform show -json, every
// attribute of every resource) does not contain secret, and contains each
// of present (so that the check is known to look at the right state).
type stateHasNo struct {
	secret  string
	present []string
}

func (s stateHasNo) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), s.secret) {
		resp.Error = fmt.Errorf("the Terraform state contains the secret value %q", s.secret)
		return
	}
	for _, p := range s.present {
		if !strings.Contains(string(b), p) {
			resp.Error = fmt.Errorf("the Terraform state does not contain %q: the check did not read the bus's state", p)
			return
		}
	}
}

// TestAccBus_secureDefaults deploys a bus with no security argument and
// proves, call by call, what it promises:
//
//   - encryption at rest: the topic with the AWS-managed SNS key, every
//     queue and dead-letter queue with SSE-SQS; with kms_key_id, the
//     customer key everywhere and the role allowed to use it;
//   - queue policies: only the bus's topic may send (sns.amazonaws.com with
//     aws:SourceArn); another topic subscribed to the queue cannot deliver
//     (the emulator's SNS → SQS honours the policy), the bus's topic can;
//   - least privilege, enforced: with the credentials Lambda gets for each
//     region's consumer role, the role consumes its own queue and sends to
//     its own dead-letter queue and nothing else — not sending into its
//     queue, not receiving from its DLQ, not changing, purging or deleting
//     them, not the other region's queue or DLQ, not an unrelated queue,
//     not listing queues, not another secret than its own; and nobody but
//     Lambda may assume the role;
//   - TLS to Redis by default (REGIS_REDIS_TLS=true), and the auth secret
//     by ARN only: its value is neither in the function's environment nor
//     in the Terraform state.
func TestAccBus_secureDefaults(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	emu := acctest.NewPrivateEmulator(t)
	relEmulator(t, emu)
	c := emu.Client(t)
	ctx := context.Background()
	name := acctest.RandomName("tf-sec")
	token := "sec-redis-token-" + name
	secret := createAuthSecret(t, c, r2, name+"-redis-auth", token)
	otherSecret := createAuthSecret(t, c, r2, name+fixtureMark+"-other", "someone-elses-token")
	unrelated, err := c.SQS(ctx, r1).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + fixtureMark + "-q")})
	if err != nil {
		t.Fatal(err)
	}
	provider := emu.ProviderConfig()
	zip := tinyZip(t)
	sec := checks{t: t, test: t.Name()}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             emu.CheckInventoryEmpty(busScope),
		Steps: []resource.TestStep{
			{
				Config:            secureDefaultsConfig(provider, name, zip, secret, ""),
				ConfigPlanChecks:  emptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{stateHasNo{secret: token, present: []string{secret, name + "-consumer"}}},
				Check: func(s *terraform.State) error {
					ids, err := recordedIDs(s)
					if err != nil {
						return err
					}
					sec.check("the auth secret's value is not in the Terraform state", nil) // asserted by the state check of this step
					secureDefaultsChecks(t, emu, sec, ids, name, token, secret, otherSecret, aws.ToString(unrelated.QueueUrl))
					return nil
				},
			},
			{
				// A customer-managed key: the topic and every queue use it,
				// and each consumer role may use it for its queues only.
				Config:           secureDefaultsConfig(provider, name, zip, secret, `  kms_key_id = "alias/regis"`),
				ConfigPlanChecks: emptyPlanAfterApply(),
				Check: func(s *terraform.State) error {
					ids, err := recordedIDs(s)
					if err != nil {
						return err
					}
					sec.check("with kms_key_id: topic and every queue use the customer key, roles may use it", customerKeyEverywhere(ctx, c, ids, name, secret))
					return nil
				},
			},
		},
	})
}

func secureDefaultsChecks(t *testing.T, emu *acctest.PrivateEmulator, sec checks, ids map[string]map[string]string, name, token, secret, otherSecret, unrelatedURL string) {
	ctx := context.Background()
	c := emu.Client(t)
	topic := ids[""]["topic_arn"]

	// Encryption at rest.
	sec.check("topic encrypted with the AWS-managed SNS key by default", func() error {
		out, err := c.SNS(ctx, r1).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		if err != nil {
			return err
		}
		if k := out.Attributes["KmsMasterKeyId"]; k != "alias/aws/sns" {
			return fmt.Errorf("KmsMasterKeyId %q", k)
		}
		return nil
	}())
	sec.check("every queue and dead-letter queue encrypted with SSE-SQS by default", func() error {
		for _, region := range []string{r1, r2} {
			for _, url := range []string{ids[region]["queue_url"], ids[region]["dlq_url"]} {
				out, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
				if err != nil {
					return err
				}
				if out.Attributes["SqsManagedSseEnabled"] != "true" {
					return fmt.Errorf("%s: SqsManagedSseEnabled %q", url, out.Attributes["SqsManagedSseEnabled"])
				}
			}
		}
		return nil
	}())

	// Queue policies.
	sec.check("queue policies let only the bus's topic send (sns.amazonaws.com, aws:SourceArn)", func() error {
		for _, region := range []string{r1, r2} {
			out, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(ids[region]["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
			if err != nil {
				return err
			}
			if p := out.Attributes["Policy"]; !bus.SameJSONForTest(p, bus.QueuePolicyForTest(ids[region]["queue_arn"], topic)) ||
				!strings.Contains(p, `"aws:SourceArn":"`+topic+`"`) || !strings.Contains(p, "sns.amazonaws.com") {
				return fmt.Errorf("%s: policy %s", region, p)
			}
		}
		return nil
	}())

	// Stop the consumers, so that the test alone receives.
	for _, region := range []string{r1, r2} {
		if _, err := c.Lambda(ctx, region).UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(ids[region]["event_source_mapping_id"]), Enabled: aws.Bool(false)}); err != nil {
			t.Fatalf("disabling the mapping of %s: %v", region, err)
		}
	}
	sec.check("another topic subscribed to the queue cannot deliver; the bus's topic can", intruderCannotDeliver(ctx, emu, c, ids, name))

	// Least privilege, enforced by the emulator's IAM.
	role1 := roleSession(t, emu, ids[r1]["role_arn"], ids[r1]["function_name"])
	role2 := roleSession(t, emu, ids[r2]["role_arn"], ids[r2]["function_name"])
	sec.check("consumer role of "+r1+": consumes its own queue and sends to its own DLQ", func() error {
		admin := c.SQS(ctx, r1)
		if _, err := admin.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), MessageBody: aws.String("for the consumer")}); err != nil {
			return err
		}
		q, _ := role1(r1)
		got := map[string]string{}
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), MaxNumberOfMessages: 1, WaitTimeSeconds: 1})
		got["ReceiveMessage own queue"] = errCode(err)
		if err == nil && len(out.Messages) == 1 {
			h := out.Messages[0].ReceiptHandle
			_, err = q.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(ids[r1]["queue_url"]), ReceiptHandle: h, VisibilityTimeout: 5})
			got["ChangeMessageVisibility own queue"] = errCode(err)
			_, err = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), ReceiptHandle: h})
			got["DeleteMessage own queue"] = errCode(err)
		} else if err == nil {
			got["ReceiveMessage own queue"] = fmt.Sprintf("%d messages", len(out.Messages))
		}
		_, err = q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(ids[r1]["queue_url"])})
		got["GetQueueAttributes own queue"] = errCode(err)
		_, err = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ids[r1]["dlq_url"]), MessageBody: aws.String("poison")})
		got["SendMessage own DLQ"] = errCode(err)
		_, err = q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(ids[r1]["dlq_url"]), Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("poison")}}})
		got["SendMessageBatch own DLQ"] = errCode(err)
		return expect(got, map[string]string{"ReceiveMessage own queue": "", "ChangeMessageVisibility own queue": "", "DeleteMessage own queue": "",
			"GetQueueAttributes own queue": "", "SendMessage own DLQ": "", "SendMessageBatch own DLQ": ""})
	}())
	sec.check("consumer role of "+r1+": cannot inject into, reconfigure, purge or delete its own queues, nor read its DLQ", func() error {
		q, _ := role1(r1)
		got := map[string]string{}
		_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), MessageBody: aws.String("injected")})
		got["SendMessage own queue"] = errCode(err)
		_, err = q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(ids[r1]["queue_url"]), Attributes: map[string]string{"Policy": ""}})
		got["SetQueueAttributes own queue"] = errCode(err)
		_, err = q.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(ids[r1]["queue_url"])})
		got["PurgeQueue own queue"] = errCode(err)
		_, err = q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(ids[r1]["dlq_url"])})
		got["DeleteQueue own DLQ"] = errCode(err)
		_, err = q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(ids[r1]["dlq_url"])})
		got["ReceiveMessage own DLQ"] = errCode(err)
		return expect(got, map[string]string{"SendMessage own queue": "AccessDenied", "SetQueueAttributes own queue": "AccessDenied",
			"PurgeQueue own queue": "AccessDenied", "DeleteQueue own DLQ": "AccessDenied", "ReceiveMessage own DLQ": "AccessDenied"})
	}())
	sec.check("consumer role of "+r1+": denied on "+r2+"'s queue and DLQ, an unrelated queue, ListQueues and "+r2+"'s secret", func() error {
		q1, _ := role1(r1)
		q2, sm2 := role1(r2)
		got := map[string]string{}
		_, err := q2.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(ids[r2]["queue_url"])})
		got["ReceiveMessage "+r2+" queue"] = errCode(err)
		_, err = q2.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ids[r2]["dlq_url"]), MessageBody: aws.String("x")})
		got["SendMessage "+r2+" DLQ"] = errCode(err)
		_, err = q1.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(unrelatedURL)})
		got["ReceiveMessage unrelated queue"] = errCode(err)
		_, err = q1.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(unrelatedURL), MessageBody: aws.String("x")})
		got["SendMessage unrelated queue"] = errCode(err)
		_, err = q1.ListQueues(ctx, &sqs.ListQueuesInput{})
		got["ListQueues"] = errCode(err)
		_, err = sm2.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
		got["GetSecretValue "+r2+"'s secret"] = errCode(err)
		return expect(got, map[string]string{"ReceiveMessage " + r2 + " queue": "AccessDenied", "SendMessage " + r2 + " DLQ": "AccessDenied",
			"ReceiveMessage unrelated queue": "AccessDenied", "SendMessage unrelated queue": "AccessDenied", "ListQueues": "AccessDenied",
			"GetSecretValue " + r2 + "'s secret": "AccessDeniedException"})
	}())
	sec.check("consumer role of "+r2+": reads its own auth secret only, and not "+r1+"'s queue", func() error {
		_, sm := role2(r2)
		q1, _ := role2(r1)
		got := map[string]string{}
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
		got["GetSecretValue own secret"] = errCode(err)
		if err == nil && aws.ToString(out.SecretString) != token {
			got["GetSecretValue own secret"] = "wrong value"
		}
		_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(otherSecret)})
		got["GetSecretValue another secret"] = errCode(err)
		_, err = q1.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"])})
		got["ReceiveMessage "+r1+" queue"] = errCode(err)
		return expect(got, map[string]string{"GetSecretValue own secret": "", "GetSecretValue another secret": "AccessDeniedException",
			"ReceiveMessage " + r1 + " queue": "AccessDenied"})
	}())
	sec.check("only Lambda may assume a consumer role (an account principal's sts:AssumeRole is refused)", func() error {
		_, err := c.STS(ctx, r1).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(ids[r1]["role_arn"]), RoleSessionName: aws.String("intruder")})
		if errCode(err) != "AccessDenied" {
			if err == nil {
				return errors.New("AssumeRole by the account's administrator succeeded, want AccessDenied")
			}
			return fmt.Errorf("AssumeRole by the account's administrator: %w, want AccessDenied", err)
		}
		role, err := c.IAM(ctx).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ids[r1]["role_name"])})
		if err != nil {
			return err
		}
		if doc := decodePolicy(aws.ToString(role.Role.AssumeRolePolicyDocument)); !bus.SameJSONForTest(doc, bus.TrustPolicyForTest) {
			return fmt.Errorf("trust policy %s", doc)
		}
		return nil
	}())

	// The consumers again (the plan after this step must be empty).
	for _, region := range []string{r1, r2} {
		if _, err := c.Lambda(ctx, region).UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(ids[region]["event_source_mapping_id"]), Enabled: aws.Bool(true)}); err != nil {
			t.Fatalf("enabling the mapping of %s: %v", region, err)
		}
	}

	// TLS and the secret in the functions.
	for _, region := range []string{r1, r2} {
		f, err := c.Lambda(ctx, region).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ids[region]["function_name"])})
		if err != nil {
			t.Fatal(err)
		}
		env := f.Configuration.Environment.Variables
		sec.check(region+": TLS to Redis by default (REGIS_REDIS_TLS=true)", func() error {
			if env[contract.EnvRedisTLS] != "true" {
				return fmt.Errorf("%s=%q", contract.EnvRedisTLS, env[contract.EnvRedisTLS])
			}
			return nil
		}())
		if region == r2 {
			sec.check(r2+": the function's environment holds the secret's ARN, never the token", func() error {
				if env[contract.EnvRedisAuthSecretARN] != secret {
					return fmt.Errorf("%s=%q, want %s", contract.EnvRedisAuthSecretARN, env[contract.EnvRedisAuthSecretARN], secret)
				}
				for k, v := range env {
					if strings.Contains(v, token) || k == contract.EnvRedisAuthToken {
						return fmt.Errorf("the environment exposes the token in %s", k)
					}
				}
				return nil
			}())
		}
	}
}

// intruderCannotDeliver subscribes the r1 queue to a topic of another
// application and publishes to it and to the bus's topic: SNS must fail to
// deliver the intruder's message (the queue policy names only the bus's
// topic) and deliver the bus's.
func intruderCannotDeliver(ctx context.Context, emu *acctest.PrivateEmulator, c *conns.AWSClient, ids map[string]map[string]string, name string) error {
	home := c.SNS(ctx, r1)
	intruder, err := home.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name + fixtureMark + "-intruder")})
	if err != nil {
		return err
	}
	sub, err := home.Subscribe(ctx, &sns.SubscribeInput{TopicArn: intruder.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(ids[r1]["queue_arn"]),
		Attributes: map[string]string{"RawMessageDelivery": "true"}, ReturnSubscriptionArn: true})
	if err != nil {
		return fmt.Errorf("subscribing the queue to another topic: %w", err)
	}
	if _, err := home.Publish(ctx, &sns.PublishInput{TopicArn: intruder.TopicArn, Message: aws.String("from-the-intruder")}); err != nil {
		return err
	}
	if _, err := home.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(ids[""]["topic_arn"]), Message: aws.String("from-the-bus")}); err != nil {
		return err
	}
	svc, ok := emu.Service("sns").(*emusns.Service)
	if !ok {
		return errors.New("the emulator has no SNS service")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		bad, _ := svc.SubscriptionStats(aws.ToString(sub.SubscriptionArn))
		good, _ := svc.SubscriptionStats(ids[r1]["subscription_arn"])
		if bad.Delivered > 0 {
			return fmt.Errorf("the other topic delivered %d message(s) to the bus's queue", bad.Delivered)
		}
		if bad.Failed > 0 && good.Delivered > 0 {
			if !strings.Contains(bad.LastError, "AccessDenied") {
				return fmt.Errorf("the other topic's delivery failed with %q, want AccessDenied by the queue policy", bad.LastError)
			}
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deliveries not settled: other topic %+v, bus topic %+v", bad, good)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := c.SQS(ctx, r1).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		return err
	}
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
		if _, err := c.SQS(ctx, r1).DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(ids[r1]["queue_url"]), ReceiptHandle: m.ReceiptHandle}); err != nil {
			return err
		}
	}
	if len(bodies) != 1 || bodies[0] != "from-the-bus" {
		return fmt.Errorf("the queue received %q, want only the bus's message", bodies)
	}
	if _, err := home.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn}); err != nil {
		return err
	}
	_, err = home.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: intruder.TopicArn})
	return err
}

// customerKeyEverywhere checks a bus with kms_key_id = "alias/regis".
func customerKeyEverywhere(ctx context.Context, c *conns.AWSClient, ids map[string]map[string]string, name, secret string) error {
	out, err := c.SNS(ctx, r1).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(ids[""]["topic_arn"])})
	if err != nil {
		return err
	}
	if k := out.Attributes["KmsMasterKeyId"]; k != "alias/regis" {
		return fmt.Errorf("topic KmsMasterKeyId %q", k)
	}
	for _, region := range []string{r1, r2} {
		for _, url := range []string{ids[region]["queue_url"], ids[region]["dlq_url"]} {
			q, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
			if err != nil {
				return err
			}
			if q.Attributes["KmsMasterKeyId"] != "alias/regis" || q.Attributes["SqsManagedSseEnabled"] == "true" {
				return fmt.Errorf("%s: KmsMasterKeyId %q SqsManagedSseEnabled %q", url, q.Attributes["KmsMasterKeyId"], q.Attributes["SqsManagedSseEnabled"])
			}
		}
		pol, err := c.IAM(ctx).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(ids[region]["role_name"]), PolicyName: aws.String(bus.RolePolicyNameForTest)})
		if err != nil {
			return err
		}
		secretARN := ""
		if region == r2 {
			secretARN = secret
		}
		doc := decodePolicy(aws.ToString(pol.PolicyDocument))
		if want := bus.RolePolicyForTest(name, region, ids[region]["queue_arn"], ids[region]["dlq_arn"], secretARN, "alias/regis", region == r2); !bus.SameJSONForTest(doc, want) ||
			!strings.Contains(doc, "kms:Decrypt") || !strings.Contains(doc, `"kms:ResourceAliases":"alias/regis"`) {
			return fmt.Errorf("%s: role policy %s", region, doc)
		}
	}
	return nil
}

// decodePolicy undoes IAM's URL encoding of policy documents.
func decodePolicy(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// TestAccBus_secureDefaultsEndToEnd runs the real bundled consumer against a
// redis-server that accepts only TLS and an AUTH password, with the bus's
// defaults (TLS on) and the password in Secrets Manager: a command published
// to the topic reaches Redis, so the consumer fetched the secret with its
// role (GetSecretValue, authorized by the emulator's IAM) and connected over
// TLS; a poison message reaches the dead-letter queue (SendMessageBatch by
// the role); and the password is in none of the function's log lines nor in
// the Terraform state. (The consumer's own tests prove the same of its logs,
// metrics and Sentry events for every failure path:
// internal/consumer TestNoSecretsInLogsMetricsOrReports, TestConfigStringHidesToken,
// TestTLSAndAuth.)
func TestAccBus_secureDefaultsEndToEnd(t *testing.T) {
	skipWithoutAcc(t)
	redistest.RequireServer(t)
	t.Parallel()
	preCheck(t)
	emu := acctest.NewPrivateEmulator(t)
	svc, ok := emu.Service("lambda").(*emulambda.Service)
	if !ok {
		t.Fatal("the emulator has no lambda service")
	}
	svc.SetStateDelay(0)
	c := emu.Client(t)
	ctx := context.Background()
	name := acctest.RandomName("tf-sec-e2e")
	password := "e2e-AUTH-" + name
	srv := redistest.Start(t, redistest.Options{TLS: true, Password: password})
	secret := createAuthSecret(t, c, r1, name+"-redis-auth", password)
	sec := checks{t: t, test: t.Name()}
	config := fmt.Sprintf(`%s
resource "regis_bus" "test" {
  name = %q
  regions = {
    %q = {
      redis    = { endpoints = [%q], auth_secret_arn = %q }
      consumer = {
        architecture = %q
        log_level    = "debug"
        # The test CA of the TLS redis-server (Go reads SSL_CERT_FILE).
        environment  = { SSL_CERT_FILE = %q }
      }
    }
  }
}
`, emu.ProviderConfig(), name, r1, srv.Addr, secret, hostArch(), srv.TLS.CAFile)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             emu.CheckInventoryEmpty(busScope),
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigPlanChecks:  emptyPlanAfterApply(),
			ConfigStateChecks: []statecheck.StateCheck{stateHasNo{secret: password, present: []string{secret}}},
			Check: func(s *terraform.State) error {
				ids, err := recordedIDs(s)
				if err != nil {
					return err
				}
				sec.check("the Redis password is not in the Terraform state", nil) // asserted by the state check of this step
				sec.check("a command reaches a TLS-only, password-protected Redis through the consumer (secret read with its role)",
					replicateOverTLS(ctx, c, ids, srv, password))
				sec.check("a poison message reaches the dead-letter queue (sent by the consumer's role)", func() error {
					return eventually(ctx, func() error {
						out, err := c.SQS(ctx, r1).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(ids[r1]["dlq_url"]),
							AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
						if err != nil {
							return err
						}
						if n := out.Attributes["ApproximateNumberOfMessages"]; n != "1" {
							return fmt.Errorf("the dead-letter queue holds %s messages", n)
						}
						return nil
					})
				}())
				sec.check("the Redis password is in none of the consumer's log lines", func() error {
					logs := svc.FunctionLogs(r1, ids[r1]["function_name"])
					if len(logs) == 0 {
						return errors.New("the function wrote no log line: nothing was checked")
					}
					for _, line := range logs {
						if strings.Contains(line, password) {
							return fmt.Errorf("a log line holds the password: %s", line)
						}
					}
					t.Logf("%d consumer log lines checked:\n%s", len(logs), strings.Join(logs, "\n"))
					return nil
				}())
				return nil
			},
		}},
	})
}

// replicateOverTLS publishes a SET and a poison message and waits for the
// key in Redis.
func replicateOverTLS(ctx context.Context, c *conns.AWSClient, ids map[string]map[string]string, srv *redistest.Server, password string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	snsc := c.SNS(ctx, r1)
	pub, err := regis.NewPublisher(snsc, ids[""]["topic_arn"], regis.Options{Origin: regis.Origin{Region: r1, Service: "security-test"}})
	if err != nil {
		return err
	}
	res, err := pub.Set(ctx, "secure:key", "over-tls")
	if err != nil {
		return err
	}
	if err := res.Wait(ctx); err != nil {
		return err
	}
	if err := pub.Close(ctx); err != nil {
		return err
	}
	if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(ids[""]["topic_arn"]), Message: aws.String(`{"v":1,"cmds":[["INCR"`)}); err != nil {
		return err
	}
	rc := goredis.NewClient(&goredis.Options{Addr: srv.Addr, Password: password, TLSConfig: srv.TLS.ClientConfig()})
	defer rc.Close()
	return eventually(ctx, func() error {
		v, err := rc.Get(ctx, "secure:key").Result()
		if err != nil {
			return fmt.Errorf("GET secure:key: %w", err)
		}
		if v != "over-tls" {
			return fmt.Errorf("GET secure:key = %q", v)
		}
		return nil
	})
}

// TestBusSchemaSecrets checks the schema for attributes that could hold a
// secret: none takes a token or password (the AUTH token is passed by
// secret ARN), and any attribute named like one would have to be Sensitive.
func TestBusSchemaSecrets(t *testing.T) {
	resp := &fwresource.SchemaResponse{}
	bus.NewBusResource(nil).Schema(context.Background(), fwresource.SchemaRequest{}, resp)
	var secretish []string
	var walk func(prefix string, attrs map[string]schema.Attribute)
	walk = func(prefix string, attrs map[string]schema.Attribute) {
		for name, a := range attrs {
			p := prefix + name
			lower := strings.ToLower(name)
			if (strings.Contains(lower, "token") || strings.Contains(lower, "password") || strings.Contains(lower, "secret")) && !strings.HasSuffix(lower, "_arn") {
				secretish = append(secretish, p)
				if !a.IsSensitive() {
					t.Errorf("%s looks like it holds a secret but is not Sensitive", p)
				}
			}
			if n, ok := a.(schema.SingleNestedAttribute); ok {
				walk(p+".", n.Attributes)
			}
			if n, ok := a.(schema.MapNestedAttribute); ok {
				walk(p+".", n.NestedObject.Attributes)
			}
		}
	}
	walk("", resp.Schema.Attributes)
	regions := resp.Schema.Attributes["regions"].(schema.MapNestedAttribute)
	redis := regions.NestedObject.Attributes["redis"].(schema.SingleNestedAttribute)
	_, hasARN := redis.Attributes["auth_secret_arn"]
	ok := len(secretish) == 0 && hasARN && !t.Failed()
	securityCount.Count(t.Name(), "no attribute takes a token or password (the AUTH token goes by secret ARN); any such attribute would be Sensitive", ok)
	if !hasARN || len(secretish) > 0 {
		t.Errorf("redis.auth_secret_arn present: %t; attributes that look like secrets: %v", hasARN, secretish)
	}
}
