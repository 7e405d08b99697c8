package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
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

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
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

// withCreds returns an SDK configuration for region signed with the given credentials.
func withCreds(t *testing.T, emu *emulator.Emulator, region string, c *ststypes.Credentials) aws.Config {
	t.Helper()
	cfg := emulatortest.Config(t, emu, region)
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	return cfg
}

func withKey(t *testing.T, emu *emulator.Emulator, region, akid string) aws.Config {
	t.Helper()
	cfg := emulatortest.Config(t, emu, region)
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(akid, "secret", ""))
	return cfg
}

func trustAccount(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
}

func createRole(t *testing.T, c *iam.Client, name, trust string, maxSession int32) (arn, id string) {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := c.CreateRole(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn), aws.ToString(out.Role.RoleId)
}

func TestGetCallerIdentityUser(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	var first *sts.GetCallerIdentityOutput
	for _, region := range []string{"us-east-1", "ap-southeast-1"} {
		out, err := sts.NewFromConfig(emulatortest.Config(t, emu, region)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if aws.ToString(out.Account) != emu.AccountID() ||
			aws.ToString(out.Arn) != "arn:aws:iam::"+emu.AccountID()+":user/emulator-AKIDEMULATORTEST" ||
			!strings.HasPrefix(aws.ToString(out.UserId), "AIDA") || len(aws.ToString(out.UserId)) != 21 {
			t.Fatalf("%s: identity %+v", region, out)
		}
		if first != nil && aws.ToString(first.UserId) != aws.ToString(out.UserId) {
			t.Fatalf("UserId not stable: %s vs %s", aws.ToString(first.UserId), aws.ToString(out.UserId))
		}
		first = out
	}
	other, err := sts.NewFromConfig(withKey(t, emu, "eu-west-1", "AKIAOTHERKEY0001")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(other.UserId) == aws.ToString(first.UserId) || !strings.HasSuffix(aws.ToString(other.Arn), ":user/emulator-AKIAOTHERKEY0001") {
		t.Fatalf("other key identity %+v", other)
	}
	if inv := emu.Inventory(); len(inv) != 0 {
		t.Fatalf("STS left resources: %+v", inv)
	}
}

func TestAssumeRoleIdentity(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	arn, roleID := createRole(t, ic, "deployer", trustAccount(emu.AccountID()), 0)

	emu.Clock().Advance(48 * time.Hour) // credentials expire relative to the emulator clock
	client := sts.NewFromConfig(emulatortest.Config(t, emu, "ap-southeast-1"))
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("ci@build.1")})
	if err != nil {
		t.Fatal(err)
	}
	sessionARN := "arn:aws:sts::" + emu.AccountID() + ":assumed-role/deployer/ci@build.1"
	if aws.ToString(out.AssumedRoleUser.Arn) != sessionARN || aws.ToString(out.AssumedRoleUser.AssumedRoleId) != roleID+":ci@build.1" {
		t.Fatalf("AssumedRoleUser = %+v", out.AssumedRoleUser)
	}
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("credentials = %+v", cr)
	}
	wantExp := emu.Clock().Now().Add(time.Hour)
	if cr.Expiration == nil || cr.Expiration.Sub(wantExp).Abs() > time.Minute {
		t.Fatalf("Expiration = %v, want about %v (emulator clock + 1h)", cr.Expiration, wantExp)
	}

	id, err := sts.NewFromConfig(withCreds(t, emu, "eu-central-1", cr)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != sessionARN || aws.ToString(id.UserId) != roleID+":ci@build.1" || aws.ToString(id.Account) != emu.AccountID() {
		t.Fatalf("assumed-role identity = %+v", id)
	}

	// RoleLastUsed records the AssumeRole.
	role, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deployer")})
	if err != nil {
		t.Fatal(err)
	}
	if role.Role.RoleLastUsed == nil || aws.ToString(role.Role.RoleLastUsed.Region) != "ap-southeast-1" {
		t.Fatalf("RoleLastUsed = %+v", role.Role.RoleLastUsed)
	}
}

func TestAssumeRoleExpiry(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	arn, _ := createRole(t, ic, "short", trustAccount(emu.AccountID()), 0)
	out, err := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(arn), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	session := sts.NewFromConfig(withCreds(t, emu, "us-east-1", out.Credentials))
	if _, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("fresh credentials: %v", err)
	}

	// A session token that does not belong to the key is refused.
	forged := *out.Credentials
	forged.SessionToken = aws.String("forged")
	_, err = sts.NewFromConfig(withCreds(t, emu, "us-east-1", &forged)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" || httpStatus(err) != 403 {
		t.Fatalf("forged session token: %v", err)
	}

	emu.Clock().Advance(901 * time.Second)
	_, err = session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "ExpiredToken" || httpStatus(err) != 403 {
		t.Fatalf("expired credentials on STS: %v", err)
	}
	// IAM refuses them too.
	_, err = iam.NewFromConfig(withCreds(t, emu, "us-east-1", out.Credentials)).ListRoles(ctx, &iam.ListRolesInput{})
	if apiCode(err) != "ExpiredToken" || httpStatus(err) != 403 {
		t.Fatalf("expired credentials on IAM: %v", err)
	}
	// Long-term keys are unaffected by the clock.
	if _, err := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestAssumeRoleRefused(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	acct := emu.AccountID()
	ic := iam.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	client := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	caller := "arn:aws:iam::" + acct + ":user/emulator-AKIDEMULATORTEST"

	lambdaOnly, _ := createRole(t, ic, "lambda-only",
		`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, 0)
	external, _ := createRole(t, ic, "third-party",
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cr3t-id"}}}]}`, 0)
	plain, _ := createRole(t, ic, "plain", trustAccount(acct), 0)
	long, _ := createRole(t, ic, "long", trustAccount(acct), 7200)
	missing := "arn:aws:iam::" + acct + ":role/missing"

	denied := []struct {
		name string
		in   sts.AssumeRoleInput
		res  string
	}{
		{"missing role", sts.AssumeRoleInput{RoleArn: aws.String(missing)}, missing},
		{"other account", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999999999999:role/plain")}, "arn:aws:iam::999999999999:role/plain"},
		{"service-only trust", sts.AssumeRoleInput{RoleArn: aws.String(lambdaOnly)}, lambdaOnly},
		{"no external id", sts.AssumeRoleInput{RoleArn: aws.String(external)}, external},
		{"wrong external id", sts.AssumeRoleInput{RoleArn: aws.String(external), ExternalId: aws.String("guess")}, external},
	}
	for _, tc := range denied {
		in := tc.in
		in.RoleSessionName = aws.String("sess")
		_, err := client.AssumeRole(ctx, &in)
		want := "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + tc.res
		if apiCode(err) != "AccessDenied" || httpStatus(err) != 403 || apiMessage(err) != want {
			t.Errorf("%s: got %v (status %d), want AccessDenied %q", tc.name, err, httpStatus(err), want)
		}
	}
	if _, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(external), RoleSessionName: aws.String("sess"), ExternalId: aws.String("s3cr3t-id")}); err != nil {
		t.Fatalf("right external id: %v", err)
	}

	invalid := []struct {
		name string
		in   sts.AssumeRoleInput
		msg  string
	}{
		{"duration below 900", sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(899)}, "greater than or equal to 900"},
		{"duration above role max", sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(3601)}, "MaxSessionDuration"},
		{"duration above 12h", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(43201)}, "less than or equal to 43200"},
		{"session name too short", sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("a")}, "length greater than or equal to 2"},
		{"session name charset", sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("has space")}, "regular expression"},
		{"session name too long", sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String(strings.Repeat("x", 65))}, "less than or equal to 64"},
	}
	for _, tc := range invalid {
		in := tc.in
		_, err := client.AssumeRole(ctx, &in)
		if apiCode(err) != "ValidationError" || httpStatus(err) != 400 || !strings.Contains(apiMessage(err), tc.msg) {
			t.Errorf("%s: got %v, want ValidationError mentioning %q", tc.name, err, tc.msg)
		}
	}
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatalf("duration within the role's MaxSessionDuration: %v", err)
	}
	if d := time.Until(*out.Credentials.Expiration); d < 7000*time.Second || d > 7300*time.Second {
		t.Fatalf("Expiration in %v, want about 2h", d)
	}

	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("ok"),
		Policy: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)})
	var mpd *ststypes.MalformedPolicyDocumentException
	if !errors.As(err, &mpd) {
		t.Fatalf("malformed session policy: %v", err)
	}
	// Session tags need sts:TagSession in the trust policy.
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("ok"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("infra")}}})
	if apiCode(err) != "AccessDenied" || !strings.Contains(apiMessage(err), "sts:TagSession") {
		t.Fatalf("session tags without sts:TagSession: %v", err)
	}
}

func TestAssumeRoleChaining(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	acct := emu.AccountID()
	ic := iam.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	first, _ := createRole(t, ic, "first", trustAccount(acct), 0)
	second, _ := createRole(t, ic, "second", trustAccount(acct), 43200)
	named, _ := createRole(t, ic, "names-first",
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"`+first+`"},"Action":"sts:AssumeRole"}]}`, 0)

	out, err := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1")).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("hop1")})
	if err != nil {
		t.Fatal(err)
	}
	chained := sts.NewFromConfig(withCreds(t, emu, "us-east-1", out.Credentials))
	sessionARN := "arn:aws:sts::" + acct + ":assumed-role/first/hop1"

	// The trust policy of "second" trusts the account; the session's own role
	// grants nothing yet, so it is refused.
	_, err = chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("hop2")})
	if apiCode(err) != "AccessDenied" || !strings.HasPrefix(apiMessage(err), "User: "+sessionARN+" is not authorized") {
		t.Fatalf("chaining without permission: %v", err)
	}
	// A trust policy naming the caller's role needs no identity permission.
	if _, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(named), RoleSessionName: aws.String("hop2")}); err != nil {
		t.Fatalf("trust naming the caller's role: %v", err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("first"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + second + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out2, err := chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("hop2")})
	if err != nil {
		t.Fatalf("chaining with permission: %v", err)
	}
	id, err := sts.NewFromConfig(withCreds(t, emu, "us-east-1", out2.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":assumed-role/second/hop2" {
		t.Fatalf("chained identity = %s", aws.ToString(id.Arn))
	}
	// Role chaining caps sessions at one hour even when the role allows more.
	_, err = chained.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("hop2"), DurationSeconds: aws.Int32(7200)})
	if apiCode(err) != "ValidationError" || !strings.Contains(apiMessage(err), "role chaining") {
		t.Fatalf("chained session over 1h: %v", err)
	}
}

func TestRejectedAccessKey(t *testing.T) {
	emu := emulatortest.Start(t)
	emu.RejectAccessKey("AKIAREVOKED00001")
	ctx := context.Background()
	_, err := sts.NewFromConfig(withKey(t, emu, "us-east-1", "AKIAREVOKED00001")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" || httpStatus(err) != 403 {
		t.Fatalf("revoked key: got %v (status %d), want InvalidClientTokenId / 403", err, httpStatus(err))
	}
	// Other keys still work.
	if _, err := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestGetSessionToken(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	user := sts.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	me, err := user.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := user.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	session := sts.NewFromConfig(withCreds(t, emu, "us-east-1", out.Credentials))
	id, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != aws.ToString(me.Arn) || aws.ToString(id.UserId) != aws.ToString(me.UserId) {
		t.Fatalf("session identity %+v, want the user's %+v", id, me)
	}
	_, err = session.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("GetSessionToken with session credentials: %v", err)
	}
	info, err := user.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(info.Account) != emu.AccountID() {
		t.Fatalf("GetAccessKeyInfo = %s", aws.ToString(info.Account))
	}
}
