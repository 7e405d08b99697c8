package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
)

const (
	usEast = "us-east-1"
	euWest = "eu-west-1"
)

// bootstrapZip is the test function (testdata/fn) built for the host
// architecture and zipped as a provided.al2023 deployment package;
// foreignZip is the same function built for the other architecture.
var bootstrapZip, foreignZip []byte

func TestMain(m *testing.M) {
	if runtime.GOOS != "linux" {
		fmt.Println("skipping: the Lambda emulator runs Linux bootstraps on the host")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "lambda-test-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		for _, b := range []struct {
			goarch string
			out    *[]byte
		}{{runtime.GOARCH, &bootstrapZip}, {goArch(otherArch()), &foreignZip}} {
			bin := filepath.Join(dir, "bootstrap-"+b.goarch)
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./testdata/fn")
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+b.goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Printf("building the test bootstrap for %s: %v\n%s", b.goarch, err, out)
				return 1
			}
			data, err := os.ReadFile(bin)
			if err != nil {
				fmt.Println(err)
				return 1
			}
			*b.out = zipFile("bootstrap", data, 0o755)
		}
		return m.Run()
	}()
	os.Exit(code)
}

// tinyZip is a deployment package whose bootstrap is a shell script, for
// tests that create functions without running the Go test program.
func tinyZip(script string) []byte {
	return zipFile("bootstrap", []byte("#!/bin/sh\n"+script+"\n"), 0o755)
}

func zipFile(name string, data []byte, mode os.FileMode) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate}
	h.SetMode(mode)
	w, _ := zw.CreateHeader(h)
	_, _ = w.Write(data)
	_ = zw.Close()
	return buf.Bytes()
}

func unzipBootstrap(t *testing.T) []byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(bootstrapZip), int64(len(bootstrapZip)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func hostArch() types.Architecture {
	if runtime.GOARCH == "arm64" {
		return types.ArchitectureArm64
	}
	return types.ArchitectureX8664
}

// otherArch is the Lambda architecture that is not the host's.
func otherArch() types.Architecture {
	if hostArch() == types.ArchitectureArm64 {
		return types.ArchitectureX8664
	}
	return types.ArchitectureArm64
}

// goArch is GOARCH for a Lambda architecture.
func goArch(a types.Architecture) string {
	if a == types.ArchitectureArm64 {
		return "arm64"
	}
	return "amd64"
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// env is an emulator with SDK clients.
type env struct {
	emu    *emulator.Emulator
	svc    *lambda.Service
	lambda *lambdasdk.Client
	iam    *iam.Client
	sqs    *sqs.Client
}

func start(t *testing.T, stateDelay time.Duration) *env {
	t.Helper()
	emu := emulatortest.Start(t)
	svc, ok := emu.Service("lambda").(*lambda.Service)
	if !ok {
		t.Fatalf("lambda service is %T", emu.Service("lambda"))
	}
	svc.SetStateDelay(stateDelay)
	cfg := emulatortest.Config(t, emu, usEast)
	return &env{emu: emu, svc: svc, lambda: lambdasdk.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}
}

func (e *env) lambdaIn(t *testing.T, region string) *lambdasdk.Client {
	return lambdasdk.NewFromConfig(emulatortest.Config(t, e.emu, region))
}

func (e *env) sqsIn(t *testing.T, region string) *sqs.Client {
	return sqs.NewFromConfig(emulatortest.Config(t, e.emu, region))
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// role creates an execution role trusted by Lambda with the given inline
// policy statements (JSON objects), and returns its ARN.
func (e *env) role(t *testing.T, name, trust string, statements ...string) string {
	t.Helper()
	out, err := e.iam.CreateRole(ctx(t), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if len(statements) > 0 {
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
		if _, err := e.iam.PutRolePolicy(ctx(t), &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("PutRolePolicy: %v", err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// logsStatement is what AWSLambdaBasicExecutionRole allows: Lambda writes
// the function's logs (and CloudWatch extracts EMF metrics from them) only
// when the execution role may.
const logsStatement = `{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}`

const sqsPollStatement = `{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"*"}`

type fnOpts struct {
	timeout int32
	env     map[string]string
	zip     []byte
	runtime types.Runtime
	arch    types.Architecture
}

func (e *env) createFunction(t *testing.T, c *lambdasdk.Client, name, role string, o fnOpts) *lambdasdk.CreateFunctionOutput {
	t.Helper()
	in := functionInput(name, role, o)
	out, err := c.CreateFunction(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	w := lambdasdk.NewFunctionActiveV2Waiter(c, func(o *lambdasdk.FunctionActiveV2WaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := w.Wait(ctx(t), &lambdasdk.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("FunctionActiveV2 %s: %v", name, err)
	}
	return out
}

func functionInput(name, role string, o fnOpts) *lambdasdk.CreateFunctionInput {
	if o.zip == nil {
		o.zip = bootstrapZip
	}
	if o.runtime == "" {
		o.runtime = types.RuntimeProvidedal2023
	}
	if o.arch == "" {
		o.arch = hostArch()
	}
	in := &lambdasdk.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          aws.String(role),
		Runtime:       o.runtime,
		Handler:       aws.String("bootstrap"),
		Architectures: []types.Architecture{o.arch},
		Code:          &types.FunctionCode{ZipFile: o.zip},
	}
	if o.timeout > 0 {
		in.Timeout = aws.Int32(o.timeout)
	}
	if o.env != nil {
		in.Environment = &types.Environment{Variables: o.env}
	}
	return in
}

// invoke calls the function synchronously and decodes its JSON answer.
func invoke(t *testing.T, c *lambdasdk.Client, name string, payload any) (*lambdasdk.InvokeOutput, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(payload)
	out, err := c.Invoke(ctx(t), &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: body, LogType: types.LogTypeTail})
	if err != nil {
		t.Fatalf("Invoke %s: %v", name, err)
	}
	var m map[string]any
	if len(out.Payload) > 0 && string(out.Payload) != "null" {
		if err := json.Unmarshal(out.Payload, &m); err != nil {
			t.Fatalf("Invoke %s: payload %q: %v", name, out.Payload, err)
		}
	}
	return out, m
}

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error, got success")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("expected an API error, got %v", err)
	}
	return ae
}

func wantError(t *testing.T, err error, code, messagePart string) {
	t.Helper()
	ae := apiError(t, err)
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), messagePart) {
		t.Fatalf("want %s containing %q, got %s: %q", code, messagePart, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// queue creates a queue (with a DLQ when maxReceive > 0) and returns its URL
// and ARN, and the DLQ's URL.
func (e *env) queue(t *testing.T, c *sqs.Client, name string, visibility, maxReceive int) (url, arn, dlqURL string) {
	t.Helper()
	attrs := map[string]string{"VisibilityTimeout": fmt.Sprint(visibility)}
	if maxReceive > 0 {
		d, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
		if err != nil {
			t.Fatalf("CreateQueue dlq: %v", err)
		}
		dlqURL = aws.ToString(d.QueueUrl)
		attrs["RedrivePolicy"] = fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"%d"}`, queueARN(t, c, dlqURL), maxReceive)
	}
	out, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	url = aws.ToString(out.QueueUrl)
	return url, queueARN(t, c, url), dlqURL
}

func queueARN(t *testing.T, c *sqs.Client, url string) string {
	return queueAttr(t, c, url, sqstypes.QueueAttributeNameQueueArn)
}

func queueAttr(t *testing.T, c *sqs.Client, url string, name sqstypes.QueueAttributeName) string {
	t.Helper()
	out, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{name}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	return out.Attributes[string(name)]
}

// depth is the number of messages in a queue, visible or in flight.
func depth(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	out, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	var a, b int
	if _, err := fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &a); err != nil {
		t.Fatalf("ApproximateNumberOfMessages: %v", err)
	}
	if _, err := fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &b); err != nil {
		t.Fatalf("ApproximateNumberOfMessagesNotVisible: %v", err)
	}
	return a + b
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
