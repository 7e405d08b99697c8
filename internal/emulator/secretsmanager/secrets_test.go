package secretsmanager_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	smithy "github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func client(t *testing.T, emu *emulator.Emulator, region string) *sm.Client {
	t.Helper()
	return sm.NewFromConfig(emulatortest.Config(t, emu, region))
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("expected an API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("expected %s, got %s (%v)", code, ae.ErrorCode(), err)
	}
	if ae.ErrorMessage() == "" {
		t.Fatalf("error %s has no message", code)
	}
}

func TestLifecycle(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, "us-east-1")

	created, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{
		Name:         aws.String("regis/redis-auth"),
		SecretString: aws.String("s3cret"),
		Description:  aws.String("AUTH token"),
		KmsKeyId:     aws.String("alias/regis"),
		Tags:         []types.Tag{{Key: aws.String("app"), Value: aws.String("regis")}},
	})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	arn := aws.ToString(created.ARN)
	prefix := "arn:aws:secretsmanager:us-east-1:" + emu.AccountID() + ":secret:regis/redis-auth-"
	if !strings.HasPrefix(arn, prefix) || len(arn) != len(prefix)+6 {
		t.Fatalf("ARN %q does not have AWS's form", arn)
	}
	if created.VersionId == nil {
		t.Fatalf("CreateSecret with a value returned no VersionId")
	}

	_, err = c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("regis/redis-auth"), SecretString: aws.String("x")})
	var exists *types.ResourceExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate CreateSecret: want ResourceExistsException, got %v", err)
	}

	// Lookups by name, full ARN and partial ARN.
	for _, id := range []string{"regis/redis-auth", arn, arn[:len(arn)-7]} {
		got, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetSecretValue(%s): %v", id, err)
		}
		if aws.ToString(got.SecretString) != "s3cret" || aws.ToString(got.ARN) != arn {
			t.Fatalf("GetSecretValue(%s) = %q %q", id, aws.ToString(got.SecretString), aws.ToString(got.ARN))
		}
		if len(got.VersionStages) != 1 || got.VersionStages[0] != "AWSCURRENT" {
			t.Fatalf("stages = %v", got.VersionStages)
		}
	}

	// Another region does not see it.
	_, err = client(t, emu, "eu-west-1").GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String("regis/redis-auth")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("other region: want ResourceNotFoundException, got %v", err)
	}

	put, err := c.PutSecretValue(ctx(t), &sm.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("rotated")})
	if err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	cur, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil || aws.ToString(cur.SecretString) != "rotated" || aws.ToString(cur.VersionId) != aws.ToString(put.VersionId) {
		t.Fatalf("AWSCURRENT after PutSecretValue = %v, %v", cur, err)
	}
	prev, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil || aws.ToString(prev.SecretString) != "s3cret" {
		t.Fatalf("AWSPREVIOUS = %v, %v", prev, err)
	}
	byID, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String(arn), VersionId: created.VersionId})
	if err != nil || aws.ToString(byID.SecretString) != "s3cret" {
		t.Fatalf("by VersionId = %v, %v", byID, err)
	}

	// A retried PutSecretValue with the same token is idempotent; a different value is refused.
	tok := aws.ToString(put.VersionId)
	if _, err := c.PutSecretValue(ctx(t), &sm.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("rotated"), ClientRequestToken: aws.String(tok)}); err != nil {
		t.Fatalf("idempotent PutSecretValue: %v", err)
	}
	_, err = c.PutSecretValue(ctx(t), &sm.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("other"), ClientRequestToken: aws.String(tok)})
	if !errors.As(err, &exists) {
		t.Fatalf("PutSecretValue reusing a token: want ResourceExistsException, got %v", err)
	}

	desc, err := c.DescribeSecret(ctx(t), &sm.DescribeSecretInput{SecretId: aws.String("regis/redis-auth")})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	if aws.ToString(desc.Description) != "AUTH token" || aws.ToString(desc.KmsKeyId) != "alias/regis" || len(desc.Tags) != 1 || len(desc.VersionIdsToStages) != 2 || desc.CreatedDate == nil {
		t.Fatalf("DescribeSecret = %+v", desc)
	}

	if _, err := c.TagResource(ctx(t), &sm.TagResourceInput{SecretId: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := c.UntagResource(ctx(t), &sm.UntagResourceInput{SecretId: aws.String(arn), TagKeys: []string{"app"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	desc, _ = c.DescribeSecret(ctx(t), &sm.DescribeSecretInput{SecretId: aws.String(arn)})
	if len(desc.Tags) != 1 || aws.ToString(desc.Tags[0].Key) != "env" {
		t.Fatalf("tags after tag/untag = %v", desc.Tags)
	}

	list, err := c.ListSecrets(ctx(t), &sm.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"regis/"}}}})
	if err != nil || len(list.SecretList) != 1 || aws.ToString(list.SecretList[0].ARN) != arn {
		t.Fatalf("ListSecrets = %+v, %v", list, err)
	}
	if got := emu.Inventory(); !hasSecret(got, arn) {
		t.Fatalf("inventory lacks %s: %v", arn, got)
	}
}

func hasSecret(inv []core.Resource, arn string) bool {
	for _, r := range inv {
		if r.Service == "secretsmanager" && r.Type == "secret" && r.ID == arn {
			return true
		}
	}
	return false
}

func TestBinaryAndValidation(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, "us-west-2")
	if _, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("bin"), SecretBinary: []byte{0, 1, 2, 255}}); err != nil {
		t.Fatalf("CreateSecret binary: %v", err)
	}
	got, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String("bin")})
	if err != nil || string(got.SecretBinary) != string([]byte{0, 1, 2, 255}) || got.SecretString != nil {
		t.Fatalf("binary round trip = %v, %v", got, err)
	}
	_, err = c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("both"), SecretBinary: []byte{1}, SecretString: aws.String("x")})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("bad name!")})
	wantCode(t, err, "InvalidParameterException")

	// A secret without a value has no AWSCURRENT version yet.
	if _, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("empty")}); err != nil {
		t.Fatalf("CreateSecret without value: %v", err)
	}
	_, err = c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String("empty")})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestDeletion(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, "us-east-1")
	for _, name := range []string{"a", "b"} {
		if _, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v")}); err != nil {
			t.Fatalf("CreateSecret: %v", err)
		}
	}

	_, err := c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("a"), RecoveryWindowInDays: aws.Int64(3)})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("a"), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
	wantCode(t, err, "InvalidParameterException")

	del, err := c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("a"), RecoveryWindowInDays: aws.Int64(7)})
	if err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	if del.DeletionDate == nil || del.DeletionDate.Sub(emu.Clock().Now()) < 6*24*time.Hour {
		t.Fatalf("DeletionDate = %v, want about 7 days ahead", del.DeletionDate)
	}
	// Scheduled: values are refused, the name is reserved, the secret is still described.
	_, err = c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String("a")})
	wantCode(t, err, "InvalidRequestException")
	_, err = c.PutSecretValue(ctx(t), &sm.PutSecretValueInput{SecretId: aws.String("a"), SecretString: aws.String("w")})
	wantCode(t, err, "InvalidRequestException")
	_, err = c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("a"), SecretString: aws.String("v")})
	wantCode(t, err, "InvalidRequestException")
	desc, err := c.DescribeSecret(ctx(t), &sm.DescribeSecretInput{SecretId: aws.String("a")})
	if err != nil || desc.DeletedDate == nil {
		t.Fatalf("DescribeSecret of a scheduled secret = %+v, %v", desc, err)
	}
	list, _ := c.ListSecrets(ctx(t), &sm.ListSecretsInput{})
	if len(list.SecretList) != 1 {
		t.Fatalf("ListSecrets lists %d secrets, want 1 (scheduled ones hidden)", len(list.SecretList))
	}
	list, _ = c.ListSecrets(ctx(t), &sm.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)})
	if len(list.SecretList) != 2 {
		t.Fatalf("ListSecrets IncludePlannedDeletion lists %d secrets, want 2", len(list.SecretList))
	}

	// Restore brings it back.
	if _, err := c.RestoreSecret(ctx(t), &sm.RestoreSecretInput{SecretId: aws.String("a")}); err != nil {
		t.Fatalf("RestoreSecret: %v", err)
	}
	if _, err := c.GetSecretValue(ctx(t), &sm.GetSecretValueInput{SecretId: aws.String("a")}); err != nil {
		t.Fatalf("GetSecretValue after restore: %v", err)
	}

	// The recovery window ends on the emulator clock.
	if _, err := c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("a"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatalf("DeleteSecret: %v", err)
	}
	emu.Clock().Advance(7*24*time.Hour + time.Minute)
	_, err = c.DescribeSecret(ctx(t), &sm.DescribeSecretInput{SecretId: aws.String("a")})
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("a"), SecretString: aws.String("again")}); err != nil {
		t.Fatalf("CreateSecret after purge: %v", err)
	}

	// Forced deletion is immediate.
	if _, err := c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("b"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatalf("force DeleteSecret: %v", err)
	}
	_, err = c.DescribeSecret(ctx(t), &sm.DescribeSecretInput{SecretId: aws.String("b")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.DeleteSecret(ctx(t), &sm.DeleteSecretInput{SecretId: aws.String("b"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestListPagination(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, "us-east-1")
	for i := 0; i < 5; i++ {
		if _, err := c.CreateSecret(ctx(t), &sm.CreateSecretInput{Name: aws.String("p" + string(rune('0'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	p := sm.NewListSecretsPaginator(c, &sm.ListSecretsInput{MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("ListSecrets page: %v", err)
		}
		pages++
		for _, e := range out.SecretList {
			seen[aws.ToString(e.Name)] = true
		}
	}
	if len(seen) != 5 || pages != 3 {
		t.Fatalf("paginated %d pages, %d secrets; want 3 pages, 5 secrets", pages, len(seen))
	}
}
