package lambda_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestCreateFunctionValidation(t *testing.T) {
	e := start(t, 0)
	role := e.role(t, "exec", lambdaTrust)
	ec2Role := e.role(t, "ec2-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	cases := []struct {
		name   string
		mutate func(in *lambdasdk.CreateFunctionInput)
		code   string
		msg    string
	}{
		{"missing role", func(in *lambdasdk.CreateFunctionInput) {
			in.Role = aws.String("arn:aws:iam::" + e.emu.AccountID() + ":role/nope")
		}, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"role not trusting lambda", func(in *lambdasdk.CreateFunctionInput) { in.Role = aws.String(ec2Role) },
			"InvalidParameterValueException", "cannot be assumed by Lambda"},
		{"memory too small", func(in *lambdasdk.CreateFunctionInput) { in.MemorySize = aws.Int32(64) },
			"ValidationException", "memorySize"},
		{"timeout too long", func(in *lambdasdk.CreateFunctionInput) { in.Timeout = aws.Int32(901) },
			"ValidationException", "timeout"},
		{"not a zip", func(in *lambdasdk.CreateFunctionInput) { in.Code.ZipFile = []byte("definitely not a zip") },
			"InvalidParameterValueException", "Could not unzip"},
		{"S3 code", func(in *lambdasdk.CreateFunctionInput) {
			in.Code = &types.FunctionCode{S3Bucket: aws.String("b"), S3Key: aws.String("k")}
		}, "InvalidParameterValueException", "S3"},
		{"reserved environment key", func(in *lambdasdk.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		}, "InvalidParameterValueException", "Reserved keys used in this request: AWS_REGION"},
		{"environment over 4 KB", func(in *lambdasdk.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 4100)}}
		}, "InvalidParameterValueException", "exceeded the 4KB limit"},
		{"VPC without ENI permissions", func(in *lambdasdk.CreateFunctionInput) {
			in.VpcConfig = &types.VpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}}
		}, "InvalidParameterValueException", "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"},
		{"two architectures", func(in *lambdasdk.CreateFunctionInput) {
			in.Architectures = []types.Architecture{types.ArchitectureArm64, types.ArchitectureX8664}
		}, "ValidationException", "architectures"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := functionInput("bad", role, fnOpts{zip: tinyZip("exit 0")})
			tc.mutate(in)
			_, err := e.lambda.CreateFunction(ctx(t), in)
			wantError(t, err, tc.code, tc.msg)
		})
	}

	// A VPC function needs a role that may manage ENIs.
	vpcRole := e.role(t, "vpc", lambdaTrust, `{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DeleteNetworkInterface"],"Resource":"*"}`)
	in := functionInput("in-vpc", vpcRole, fnOpts{zip: tinyZip("exit 0")})
	in.VpcConfig = &types.VpcConfig{SubnetIds: []string{"subnet-1", "subnet-2"}, SecurityGroupIds: []string{"sg-1"}}
	out, err := e.lambda.CreateFunction(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateFunction in VPC: %v", err)
	}
	if out.VpcConfig == nil || len(out.VpcConfig.SubnetIds) != 2 || out.VpcConfig.SecurityGroupIds[0] != "sg-1" {
		t.Fatalf("VpcConfig = %+v", out.VpcConfig)
	}

	e.createFunction(t, e.lambda, "dup", role, fnOpts{zip: tinyZip("exit 0")})
	_, err = e.lambda.CreateFunction(ctx(t), functionInput("dup", role, fnOpts{zip: tinyZip("exit 0")}))
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("duplicate CreateFunction: want ResourceConflictException, got %v", err)
	}
	_, err = e.lambda.GetFunction(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(aws.ToString(nf.Message), "Function not found: arn:aws:lambda:us-east-1:") {
		t.Fatalf("GetFunction of a missing function: %v", err)
	}
}

// waitAdvancing runs a waiter while the emulator clock jumps past the state
// delay (an hour in these tests): the waiter first sees the transitional
// state, then the final one.
func waitAdvancing(t *testing.T, e *env, wait func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- wait() }()
	time.Sleep(200 * time.Millisecond)
	e.emu.Clock().Advance(2 * time.Hour)
	if err := <-done; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestFunctionLifecycleWithWaiters(t *testing.T) {
	e := start(t, time.Hour)
	role := e.role(t, "exec", lambdaTrust)
	in := functionInput("regis-consumer", role, fnOpts{timeout: 5, env: map[string]string{"GREETING": "hello"}})
	in.Tags = map[string]string{"app": "regis"}
	in.Description = aws.String("applies commands")
	created, err := e.lambda.CreateFunction(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	sum := sha256.Sum256(bootstrapZip)
	if created.State != types.StatePending || aws.ToString(created.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) ||
		created.CodeSize != int64(len(bootstrapZip)) || aws.ToString(created.Version) != "$LATEST" ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:"+e.emu.AccountID()+":function:regis-consumer" ||
		aws.ToInt32(created.Timeout) != 5 || aws.ToInt32(created.MemorySize) != 128 || created.Architectures[0] != hostArch() {
		t.Fatalf("CreateFunction output = %+v", created)
	}
	// Pending functions cannot be invoked or updated.
	_, err = e.lambda.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String("regis-consumer")})
	wantError(t, err, "ResourceConflictException", "Pending")
	_, err = e.lambda.UpdateFunctionConfiguration(ctx(t), &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("regis-consumer"), Timeout: aws.Int32(6)})
	wantError(t, err, "ResourceConflictException", "Pending")

	active := lambdasdk.NewFunctionActiveV2Waiter(e.lambda)
	waitAdvancing(t, e, func() error {
		return active.Wait(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("regis-consumer")}, 30*time.Second)
	})

	got, err := e.lambda.GetFunction(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("regis-consumer")})
	if err != nil {
		t.Fatalf("GetFunction: %v", err)
	}
	if got.Configuration.State != types.StateActive || got.Configuration.LastUpdateStatus != types.LastUpdateStatusSuccessful ||
		got.Tags["app"] != "regis" || got.Configuration.Environment.Variables["GREETING"] != "hello" || aws.ToString(got.Configuration.Description) != "applies commands" {
		t.Fatalf("GetFunction = %+v tags %v", got.Configuration, got.Tags)
	}
	resp, err := http.Get(aws.ToString(got.Code.Location))
	if err != nil {
		t.Fatalf("GET Code.Location: %v", err)
	}
	zipData, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(zipData) != string(bootstrapZip) {
		t.Fatalf("Code.Location %s served %d bytes (status %d)", aws.ToString(got.Code.Location), len(zipData), resp.StatusCode)
	}

	// An update is InProgress for a while; a second update conflicts.
	rev := aws.ToString(got.Configuration.RevisionId)
	upd, err := e.lambda.UpdateFunctionConfiguration(ctx(t), &lambdasdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("regis-consumer"), MemorySize: aws.Int32(256),
		Environment: &types.Environment{Variables: map[string]string{"GREETING": "bonjour"}},
	})
	if err != nil {
		t.Fatalf("UpdateFunctionConfiguration: %v", err)
	}
	if upd.LastUpdateStatus != types.LastUpdateStatusInProgress || aws.ToString(upd.RevisionId) == rev || aws.ToInt32(upd.MemorySize) != 256 || aws.ToInt32(upd.Timeout) != 5 {
		t.Fatalf("update output = %+v", upd)
	}
	_, err = e.lambda.UpdateFunctionCode(ctx(t), &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("regis-consumer"), ZipFile: bootstrapZip})
	wantError(t, err, "ResourceConflictException", "An update is in progress for resource: arn:aws:lambda:us-east-1:")
	updated := lambdasdk.NewFunctionUpdatedV2Waiter(e.lambda)
	waitAdvancing(t, e, func() error {
		return updated.Wait(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("regis-consumer")}, 30*time.Second)
	})
	cfg, err := e.lambda.GetFunctionConfiguration(ctx(t), &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String("regis-consumer")})
	if err != nil || cfg.LastUpdateStatus != types.LastUpdateStatusSuccessful || cfg.Environment.Variables["GREETING"] != "bonjour" {
		t.Fatalf("after update: %+v, %v", cfg, err)
	}
	// A stale RevisionId is refused.
	_, err = e.lambda.UpdateFunctionConfiguration(ctx(t), &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("regis-consumer"), Timeout: aws.Int32(7), RevisionId: aws.String(rev)})
	wantError(t, err, "PreconditionFailedException", "Revision Id")

	// New code, published as version 1.
	newZip := zipFile("bootstrap", bootstrapZipContent(t), 0o755)
	code, err := e.lambda.UpdateFunctionCode(ctx(t), &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("regis-consumer"), ZipFile: newZip, Publish: true})
	if err != nil {
		t.Fatalf("UpdateFunctionCode: %v", err)
	}
	if aws.ToString(code.Version) != "1" || !strings.HasSuffix(aws.ToString(code.FunctionArn), ":regis-consumer:1") {
		t.Fatalf("published version = %s %s", aws.ToString(code.Version), aws.ToString(code.FunctionArn))
	}
	waitAdvancing(t, e, func() error {
		return updated.Wait(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("regis-consumer")}, 30*time.Second)
	})
	v1, err := e.lambda.GetFunctionConfiguration(ctx(t), &lambdasdk.GetFunctionConfigurationInput{FunctionName: aws.String("regis-consumer"), Qualifier: aws.String("1")})
	if err != nil || aws.ToString(v1.Version) != "1" {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	_, payload := invoke(t, e.lambda, "regis-consumer:1", map[string]string{"action": "echo"})
	if env := payload["env"].(map[string]any); env["AWS_LAMBDA_FUNCTION_VERSION"] != "1" {
		t.Fatalf("version 1 runs as %v", env["AWS_LAMBDA_FUNCTION_VERSION"])
	}

	// Tags.
	arn := aws.ToString(got.Configuration.FunctionArn)
	if _, err := e.lambda.TagResource(ctx(t), &lambdasdk.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := e.lambda.UntagResource(ctx(t), &lambdasdk.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"app"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	tags, err := e.lambda.ListTags(ctx(t), &lambdasdk.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "test" {
		t.Fatalf("ListTags = %v, %v", tags, err)
	}

	// Reserved concurrency.
	if _, err := e.lambda.PutFunctionConcurrency(ctx(t), &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("regis-consumer"), ReservedConcurrentExecutions: aws.Int32(3)}); err != nil {
		t.Fatalf("PutFunctionConcurrency: %v", err)
	}
	conc, err := e.lambda.GetFunctionConcurrency(ctx(t), &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("regis-consumer")})
	if err != nil || aws.ToInt32(conc.ReservedConcurrentExecutions) != 3 {
		t.Fatalf("GetFunctionConcurrency = %v, %v", conc, err)
	}
	_, err = e.lambda.PutFunctionConcurrency(ctx(t), &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("regis-consumer"), ReservedConcurrentExecutions: aws.Int32(950)})
	wantError(t, err, "InvalidParameterValueException", "UnreservedConcurrentExecution")

	list, err := e.lambda.ListFunctions(ctx(t), &lambdasdk.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Fatalf("ListFunctions = %v, %v", list, err)
	}
	if other, err := e.lambdaIn(t, euWest).ListFunctions(ctx(t), &lambdasdk.ListFunctionsInput{}); err != nil || len(other.Functions) != 0 {
		t.Fatalf("ListFunctions in another region = %v, %v", other, err)
	}
	if !hasResource(e, "function", arn) || !hasResource(e, "function-version", arn+":1") {
		t.Fatalf("inventory lacks the function: %v", e.emu.Inventory())
	}

	if _, err := e.lambda.DeleteFunction(ctx(t), &lambdasdk.DeleteFunctionInput{FunctionName: aws.String(arn)}); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	_, err = e.lambda.GetFunction(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String("regis-consumer")})
	wantError(t, err, "ResourceNotFoundException", "Function not found")
	if hasResource(e, "function", arn) {
		t.Fatalf("deleted function still in inventory")
	}
}

// bootstrapZipContent returns a variant of the test binary (same program,
// different bytes) so that an update changes CodeSha256.
func bootstrapZipContent(t *testing.T) []byte {
	t.Helper()
	return append(unzipBootstrap(t), []byte("\x00regis")...)
}

func hasResource(e *env, typ, id string) bool {
	for _, r := range e.emu.Inventory() {
		if r.Service == "lambda" && r.Type == typ && r.ID == id {
			return true
		}
	}
	return false
}
