package emulator_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const authzRegion = "ap-southeast-1"

// authzFixture is an emulator with two queues and two secrets, made by the
// administrator (the emulator's ordinary credentials).
type authzFixture struct {
	emu                *emulator.Emulator
	admin              aws.Config
	queueA, queueB     string // URLs
	queueAARN, queueBA string // ARNs
	secretA, secretB   string // ARNs
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	ctx := context.Background()
	emu := emulatortest.Start(t)
	f := &authzFixture{emu: emu, admin: emulatortest.Config(t, emu, authzRegion)}
	q := sqs.NewFromConfig(f.admin)
	for _, name := range []string{"authz-a", "authz-b"} {
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			t.Fatal(err)
		}
		if name == "authz-a" {
			f.queueA, f.queueAARN = aws.ToString(out.QueueUrl), attrs.Attributes["QueueArn"]
		} else {
			f.queueB, f.queueBA = aws.ToString(out.QueueUrl), attrs.Attributes["QueueArn"]
		}
	}
	sm := secretsmanager.NewFromConfig(f.admin)
	for _, name := range []string{"authz/a", "authz/b"} {
		out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("token-of-" + name)})
		if err != nil {
			t.Fatal(err)
		}
		if name == "authz/a" {
			f.secretA = aws.ToString(out.ARN)
		} else {
			f.secretB = aws.ToString(out.ARN)
		}
	}
	return f
}

// role creates a role the account may assume, with the inline policy
// statements given, and returns a configuration signed with a session of it.
func (f *authzFixture) role(t *testing.T, name string, statements ...string) (aws.Config, string) {
	t.Helper()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + f.emu.AccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	im := iam.NewFromConfig(f.admin)
	r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if len(statements) > 0 {
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
		if _, err := im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := sts.NewFromConfig(f.admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("authz")})
	if err != nil {
		t.Fatal(err)
	}
	return sessionConfig(t, f.emu, out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken), aws.ToString(r.Role.Arn)
}

func sessionConfig(t *testing.T, emu *emulator.Emulator, akid, secret, token *string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(authzRegion), config.WithBaseEndpoint(emu.URL()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
		config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(aws.ToString(akid), aws.ToString(secret), aws.ToString(token))))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func stmt(effect, action, resource string) string {
	return fmt.Sprintf(`{"Effect":%q,"Action":%q,"Resource":%q}`, effect, action, resource)
}

// sqsCalls makes one call of each kind on a queue and returns the error
// code of each ("" for success).
func sqsCalls(t *testing.T, c *sqs.Client, url string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")})
	out["SendMessage"] = apiCode(err)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("m")}}})
	out["SendMessageBatch"] = apiCode(err)
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1})
	out["ReceiveMessage"] = apiCode(err)
	_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	out["GetQueueAttributes"] = apiCode(err)
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	out["PurgeQueue"] = apiCode(err)
	return out
}

// A role session may make exactly the SQS calls its policies allow, on the
// queues they name; the batch forms need the single form's permission; an
// explicit Deny wins; the administrator is not restricted.
func TestAuthorizeSQSRoleSessions(t *testing.T) {
	f := newAuthzFixture(t)
	ctx := context.Background()
	cfg, _ := f.role(t, "consumer",
		stmt("Allow", "sqs:ReceiveMessage", f.queueAARN),
		stmt("Allow", "sqs:SendMessage", f.queueAARN),
		stmt("Allow", "sqs:GetQueueAttributes", "arn:aws:sqs:*:*:authz-*"),
		stmt("Deny", "sqs:GetQueueAttributes", f.queueBA),
	)
	role := sqs.NewFromConfig(cfg)
	got := sqsCalls(t, role, f.queueA)
	want := map[string]string{"SendMessage": "", "SendMessageBatch": "", "ReceiveMessage": "", "GetQueueAttributes": "", "PurgeQueue": "AccessDenied"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("queue A: %s = %q, want %q", k, got[k], v)
		}
	}
	got = sqsCalls(t, role, f.queueB)
	for k := range want {
		if got[k] != "AccessDenied" {
			t.Errorf("queue B: %s = %q, want AccessDenied", k, got[k])
		}
	}
	// No Resource "*": listing queues is not allowed either.
	if _, err := role.ListQueues(ctx, &sqs.ListQueuesInput{}); apiCode(err) != "AccessDenied" {
		t.Errorf("ListQueues by the role: %v, want AccessDenied", err)
	}
	// The message says who, what and on which resource.
	_, err := role.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueB)})
	for _, part := range []string{"assumed-role/consumer/authz", "is not authorized to perform: sqs:ReceiveMessage", "on resource: " + f.queueBA} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("denial %v does not contain %q", err, part)
		}
	}
	// The explicit Deny wins over the wildcard Allow.
	_, err = role.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(f.queueB)})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "explicit deny") {
		t.Errorf("GetQueueAttributes on B: %v, want an explicit deny", err)
	}
	// The administrator may do everything.
	admin := sqs.NewFromConfig(f.admin)
	for k, v := range sqsCalls(t, admin, f.queueB) {
		if v != "" {
			t.Errorf("admin: %s = %q, want success", k, v)
		}
	}
}

// In the role's own account, a queue policy that names the role (or the
// session) grants as an identity policy would, and its Deny denies.
func TestAuthorizeSQSQueuePolicy(t *testing.T) {
	f := newAuthzFixture(t)
	ctx := context.Background()
	cfg, roleARN := f.role(t, "reader", stmt("Allow", "sqs:SendMessage", f.queueAARN))
	role := sqs.NewFromConfig(cfg)
	admin := sqs.NewFromConfig(f.admin)
	setPolicy := func(url, arn, effect, principal string) {
		t.Helper()
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":%q,"Principal":{"AWS":%q},"Action":["sqs:ReceiveMessage","sqs:SendMessage"],"Resource":%q}]}`, effect, principal, arn)
		if _, err := admin.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": doc}}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(url string) string {
		_, err := role.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
		return apiCode(err)
	}
	if got := receive(f.queueB); got != "AccessDenied" {
		t.Fatalf("before the queue policy: %q, want AccessDenied", got)
	}
	setPolicy(f.queueB, f.queueBA, "Allow", roleARN)
	if got := receive(f.queueB); got != "" {
		t.Errorf("queue policy allowing the role: %q, want success", got)
	}
	setPolicy(f.queueB, f.queueBA, "Allow", "arn:aws:sts::"+f.emu.AccountID()+":assumed-role/reader/authz")
	if got := receive(f.queueB); got != "" {
		t.Errorf("queue policy allowing the session: %q, want success", got)
	}
	setPolicy(f.queueA, f.queueAARN, "Deny", roleARN)
	if _, err := role.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.queueA), MessageBody: aws.String("m")}); apiCode(err) != "AccessDenied" {
		t.Errorf("queue policy denying the role: %v, want AccessDenied despite the identity policy", err)
	}
}

// A deleted role's sessions are denied everything.
func TestAuthorizeDeletedRole(t *testing.T) {
	f := newAuthzFixture(t)
	ctx := context.Background()
	cfg, _ := f.role(t, "gone", stmt("Allow", "sqs:*", "*"))
	role := sqs.NewFromConfig(cfg)
	if _, err := role.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueA)}); err != nil {
		t.Fatalf("before the deletion: %v", err)
	}
	im := iam.NewFromConfig(f.admin)
	if _, err := im.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("gone"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := role.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueA)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("after the deletion: %v, want AccessDenied", err)
	}
}

// GetSecretValue by a role session needs secretsmanager:GetSecretValue on
// the secret's full ARN, whether the secret is named by name, partial ARN or
// ARN; Secrets Manager answers AccessDeniedException.
func TestAuthorizeGetSecretValue(t *testing.T) {
	f := newAuthzFixture(t)
	ctx := context.Background()
	cfg, _ := f.role(t, "secret-reader", stmt("Allow", "secretsmanager:GetSecretValue", f.secretA))
	sm := secretsmanager.NewFromConfig(cfg)
	partial := f.secretA[:len(f.secretA)-7]
	for _, id := range []string{f.secretA, "authz/a", partial} {
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil || aws.ToString(out.SecretString) != "token-of-authz/a" {
			t.Errorf("GetSecretValue(%s) by the role: %v", id, err)
		}
	}
	for _, id := range []string{f.secretB, "authz/b", "authz/missing"} {
		_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if apiCode(err) != "AccessDeniedException" {
			t.Errorf("GetSecretValue(%s) by the role: %v, want AccessDeniedException", id, err)
		}
	}
	// The administrator reads any secret.
	if _, err := secretsmanager.NewFromConfig(f.admin).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(f.secretB)}); err != nil {
		t.Errorf("admin: %v", err)
	}
}

// The credentials a service principal gets for a role (what Lambda hands a
// function as its execution role) are restricted in the same way.
func TestAuthorizeServiceRoleCredentials(t *testing.T) {
	f := newAuthzFixture(t)
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	im := iam.NewFromConfig(f.admin)
	r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn-exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[` + stmt("Allow", "sqs:SendMessage", f.queueAARN) + `]}`
	if _, err := im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn-exec"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	assumer := f.emu.Service("sts").(core.ServiceRoleAssumer)
	creds, aerr := assumer.AssumeRoleForService(aws.ToString(r.Role.Arn), "fn", "lambda.amazonaws.com", authzRegion, time.Hour)
	if aerr != nil {
		t.Fatal(aerr)
	}
	c := sqs.NewFromConfig(sessionConfig(t, f.emu, &creds.AccessKeyID, &creds.SecretAccessKey, &creds.SessionToken))
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.queueA), MessageBody: aws.String("m")}); err != nil {
		t.Errorf("SendMessage on its queue: %v", err)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(f.queueB), MessageBody: aws.String("m")}); apiCode(err) != "AccessDenied" {
		t.Errorf("SendMessage on another queue: %v, want AccessDenied", err)
	}
}
