package iam_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

const sqsPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "arn:aws:sqs:ap-south-1:123456789012:orders"}]
}`

func newClient(t *testing.T) (*emulator.Emulator, *iam.Client) {
	t.Helper()
	emu := emulatortest.Start(t)
	return emu, iam.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
}

func decode(t *testing.T, s *string) string {
	t.Helper()
	out, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("policy document is not URL-encoded: %v", err)
	}
	return out
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func mustCreateRole(t *testing.T, c *iam.Client, name string) *types.Role {
	t.Helper()
	out, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

func TestRoleLifecycle(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	trust := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]\n}"
	created, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("consumer"),
		Path:                     aws.String("/regis/"),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String("consumer role"),
		MaxSessionDuration:       aws.Int32(7200),
		Tags:                     []types.Tag{{Key: aws.String("app"), Value: aws.String("regis")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:iam::" + emu.AccountID() + ":role/regis/consumer"
	r := created.Role
	if aws.ToString(r.Arn) != wantARN || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") || len(aws.ToString(r.RoleId)) != 21 {
		t.Fatalf("created role: arn %s id %s", aws.ToString(r.Arn), aws.ToString(r.RoleId))
	}
	if len(r.Tags) != 1 || aws.ToString(r.Tags[0].Key) != "app" {
		t.Fatalf("CreateRole tags = %+v", r.Tags)
	}

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("consumer")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.Role
	// IAM percent-encodes documents (RFC 3986: a space is %20, never "+").
	if raw := aws.ToString(g.AssumeRolePolicyDocument); !strings.HasPrefix(raw, "%7B%0A%20%20%22Version%22%3A") || strings.ContainsAny(raw, "+ {") {
		t.Fatalf("AssumeRolePolicyDocument is not percent-encoded as IAM does: %q", raw)
	}
	if decode(t, g.AssumeRolePolicyDocument) != trust {
		t.Fatalf("trust policy round trip: %q", decode(t, g.AssumeRolePolicyDocument))
	}
	if aws.ToString(g.Path) != "/regis/" || aws.ToString(g.Description) != "consumer role" || aws.ToInt32(g.MaxSessionDuration) != 7200 {
		t.Fatalf("GetRole = %+v", g)
	}
	if g.CreateDate == nil || g.CreateDate.Sub(emu.Clock().Now()).Abs() > time.Minute {
		t.Fatalf("CreateDate = %v", g.CreateDate)
	}
	if aws.ToString(g.RoleId) != aws.ToString(r.RoleId) {
		t.Fatalf("RoleId changed: %s vs %s", aws.ToString(g.RoleId), aws.ToString(r.RoleId))
	}

	// IAM is global: the same role is seen from any region.
	other := iam.NewFromConfig(emulatortest.Config(t, emu, "ap-southeast-1"))
	if _, err := other.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("consumer")}); err != nil {
		t.Fatalf("GetRole from another region: %v", err)
	}

	if _, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("consumer"), Description: aws.String("updated"), MaxSessionDuration: aws.Int32(43200)}); err != nil {
		t.Fatal(err)
	}
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + emu.AccountID() + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("consumer"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("consumer"), Tags: []types.Tag{
		{Key: aws.String("APP"), Value: aws.String("replaced")}, {Key: aws.String("env"), Value: aws.String("dev")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("consumer"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("consumer")})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "APP" || aws.ToString(tags.Tags[0].Value) != "replaced" {
		t.Fatalf("tags after tag/untag = %+v", tags.Tags)
	}

	got, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("consumer")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.Description) != "updated" || aws.ToInt32(got.Role.MaxSessionDuration) != 43200 || decode(t, got.Role.AssumeRolePolicyDocument) != newTrust {
		t.Fatalf("after updates: %+v", got.Role)
	}

	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("consumer")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("consumer")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) || httpStatus(err) != 404 {
		t.Fatalf("GetRole after delete: %v (status %d)", err, httpStatus(err))
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("consumer")}); !errors.As(err, &nse) {
		t.Fatalf("DeleteRole twice: %v", err)
	}
}

func TestCreateRoleErrors(t *testing.T) {
	emu, c := newClient(t)
	ctx := context.Background()
	mustCreateRole(t, c, "Worker")

	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	var exists *types.EntityAlreadyExistsException
	if !errors.As(err, &exists) || httpStatus(err) != 409 {
		t.Fatalf("duplicate (case-insensitive) name: %v", err)
	}

	acct := emu.AccountID()
	malformed := map[string]string{
		"not json":          `{"Statement": [`,
		"no principal":      `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`,
		"resource":          `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
		"non-sts action":    `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sqs:SendMessage"}]}`,
		"missing role":      `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/nope"},"Action":"sts:AssumeRole"}]}`,
		"garbage principal": `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"someone"},"Action":"sts:AssumeRole"}]}`,
	}
	for name, doc := range malformed {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r-" + strings.ReplaceAll(name, " ", "-")), AssumeRolePolicyDocument: aws.String(doc)})
		var mpd *types.MalformedPolicyDocumentException
		if !errors.As(err, &mpd) {
			t.Errorf("%s: got %v, want MalformedPolicyDocument", name, err)
		}
	}
	// A role of the account that exists is a valid principal.
	if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trusts-worker"), AssumeRolePolicyDocument: aws.String(
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:role/Worker"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatalf("trust naming an existing role: %v", err)
	}

	for name, in := range map[string]*iam.CreateRoleInput{
		"short session": {RoleName: aws.String("a"), AssumeRolePolicyDocument: aws.String(lambdaTrust), MaxSessionDuration: aws.Int32(3599)},
		"long session":  {RoleName: aws.String("b"), AssumeRolePolicyDocument: aws.String(lambdaTrust), MaxSessionDuration: aws.Int32(43201)},
		"bad name":      {RoleName: aws.String("bad name"), AssumeRolePolicyDocument: aws.String(lambdaTrust)},
		"long name":     {RoleName: aws.String(strings.Repeat("n", 65)), AssumeRolePolicyDocument: aws.String(lambdaTrust)},
		"bad path":      {RoleName: aws.String("c"), Path: aws.String("no-slash"), AssumeRolePolicyDocument: aws.String(lambdaTrust)},
	} {
		_, err := c.CreateRole(ctx, in)
		if apiCode(err) != "ValidationError" || httpStatus(err) != 400 {
			t.Errorf("%s: got %v, want ValidationError", name, err)
		}
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("d"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		PermissionsBoundary: aws.String("arn:aws:iam::" + acct + ":policy/missing")})
	var inv *types.InvalidInputException
	if !errors.As(err, &inv) {
		t.Fatalf("missing permissions boundary: %v", err)
	}
	// Nothing of the failed attempts was created.
	roles, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(roles.Roles) != 2 {
		t.Fatalf("roles after failures = %d, want 2", len(roles.Roles))
	}
}

func TestInlineRolePolicies(t *testing.T) {
	_, c := newClient(t)
	ctx := context.Background()
	mustCreateRole(t, c, "fn")

	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("sqs"), PolicyDocument: aws.String(sqsPolicy)}); err != nil {
		t.Fatal(err)
	}
	logsDoc := `{"Statement":{"Effect":"Allow","Action":"logs:*","Resource":"arn:aws:logs:*:*:log-group:a b+c"}}`
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("logs"),
		PolicyDocument: aws.String(logsDoc)}); err != nil {
		t.Fatal(err)
	}
	logs, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	// Clients that decode with a plain percent-decoder (boto3) must get the
	// document back: "+" is %2B and a space %20.
	if raw := aws.ToString(logs.PolicyDocument); !strings.Contains(raw, "a%20b%2Bc") {
		t.Fatalf("PolicyDocument encoding: %q", raw)
	}
	got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("sqs")})
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, got.PolicyDocument) != sqsPolicy || aws.ToString(got.RoleName) != "fn" || aws.ToString(got.PolicyName) != "sqs" {
		t.Fatalf("GetRolePolicy = %+v", got)
	}
	list, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(list.PolicyNames, ",") != "logs,sqs" || list.IsTruncated {
		t.Fatalf("ListRolePolicies = %v truncated=%v", list.PolicyNames, list.IsTruncated)
	}

	for name, doc := range map[string]string{
		"principal":   `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}]}`,
		"no resource": `{"Statement":[{"Effect":"Allow","Action":"sqs:*"}]}`,
		"bad effect":  `{"Statement":[{"Effect":"Perhaps","Action":"sqs:*","Resource":"*"}]}`,
	} {
		_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(doc)})
		var mpd *types.MalformedPolicyDocumentException
		if !errors.As(err, &mpd) || mpd.ErrorMessage() == "" {
			t.Errorf("%s: got %v, want MalformedPolicyDocument with a message", name, err)
		}
	}
	// The aggregate inline size quota (10,240 characters without whitespace).
	big := `{"Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:*:` + strings.Repeat("q", 10300) + `"}]}`
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Fatalf("oversized inline policy: %v", err)
	}

	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	var dc *types.DeleteConflictException
	if !errors.As(err, &dc) || httpStatus(err) != 409 {
		t.Fatalf("DeleteRole with inline policies: %v", err)
	}
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("nope")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("GetRolePolicy missing: %v", err)
	}
	for _, n := range []string{"sqs", "logs"} {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("sqs")}); !errors.As(err, &nse) {
		t.Fatalf("DeleteRolePolicy twice: %v", err)
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatalf("DeleteRole after removing policies: %v", err)
	}
}
