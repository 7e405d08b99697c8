package sts_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestAssumeRoleForService(t *testing.T) {
	emu := emulatortest.Start(t)
	ctx := context.Background()
	cfg := emulatortest.Config(t, emu, "ap-south-1")
	iamc := iam.NewFromConfig(cfg)
	lambdaTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ec2Trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	fn, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn-role"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	other, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ec2-role"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	if err != nil {
		t.Fatal(err)
	}
	assumer := emu.Service("sts").(core.ServiceRoleAssumer)

	if _, err := assumer.AssumeRoleForService(*other.Role.Arn, "fn", "lambda.amazonaws.com", "ap-south-1", time.Hour); err == nil || err.Code != "AccessDenied" {
		t.Fatalf("role trusting only EC2: got %v, want AccessDenied", err)
	}
	if _, err := assumer.AssumeRoleForService("arn:aws:iam::123456789012:role/missing", "fn", "lambda.amazonaws.com", "ap-south-1", time.Hour); err == nil {
		t.Fatal("missing role accepted")
	}
	creds, apiErr := assumer.AssumeRoleForService(*fn.Role.Arn, "my-function", "lambda.amazonaws.com", "ap-south-1", 15*time.Minute)
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	session, err := config.LoadDefaultConfig(ctx, config.WithRegion("ap-south-1"), config.WithBaseEndpoint(emu.URL()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)))
	if err != nil {
		t.Fatal(err)
	}
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::123456789012:assumed-role/fn-role/my-function"; aws.ToString(who.Arn) != want {
		t.Fatalf("caller %s, want %s", aws.ToString(who.Arn), want)
	}
	emu.Clock().Advance(16 * time.Minute)
	if _, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("expired service-role credentials accepted")
	}
}
