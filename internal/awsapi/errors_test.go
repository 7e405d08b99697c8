package awsapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
)

func TestIsA(t *testing.T) {
	nf := &lambdatypes.ResourceNotFoundException{Message: new("Function not found")}
	wrapped := fmt.Errorf("reading the function: %w", nf)
	if !awsapi.IsA[*lambdatypes.ResourceNotFoundException](wrapped) {
		t.Error("a wrapped ResourceNotFoundException is not recognised")
	}
	if awsapi.IsA[*lambdatypes.ResourceConflictException](wrapped) {
		t.Error("a ResourceNotFoundException is taken for a ResourceConflictException")
	}
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](nil) {
		t.Error("nil is an error type")
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	// SQS's JSON protocol carries the query-protocol code as an override:
	// the typed error keeps it as its code.
	gone := &sqstypes.QueueDoesNotExist{Message: new("The specified queue does not exist."), ErrorCodeOverride: new("AWS.SimpleQueueService.NonExistentQueue")}
	err := fmt.Errorf("GetQueueAttributes: %w", gone)
	for _, tc := range []struct {
		err           error
		code, message string
		text          string
	}{
		{err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.", "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist."},
		{&smithy.GenericAPIError{Code: "Throttling"}, "Throttling", "", "Throttling"},
		{errors.New("dial tcp: connection refused"), "", "dial tcp: connection refused", "dial tcp: connection refused"},
		{context.Canceled, "", "context canceled", "context canceled"},
		{nil, "", "", ""},
	} {
		if got := awsapi.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
		if got := awsapi.ErrorMessage(tc.err); got != tc.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.message)
		}
		if got := awsapi.ErrorText(tc.err); got != tc.text {
			t.Errorf("ErrorText(%v) = %q, want %q", tc.err, got, tc.text)
		}
	}
	if !awsapi.CodeIs(err, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue") {
		t.Error("CodeIs misses the second code")
	}
	if awsapi.CodeIs(err, "QueueDoesNotExist") || awsapi.CodeIs(errors.New("x"), "") || awsapi.CodeIs(nil) {
		t.Error("CodeIs matches what it should not")
	}
}

func TestNotFound(t *testing.T) {
	cause := &lambdatypes.ResourceNotFoundException{Message: new("gone")}
	err := fmt.Errorf("step: %w", awsapi.NewNotFound("Lambda function regis-orders", cause))
	if !awsapi.IsNotFound(err) {
		t.Fatal("a wrapped NotFoundError is not recognised")
	}
	if !awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		t.Error("the AWS error behind the NotFoundError is lost")
	}
	if got := err.Error(); got != "step: Lambda function regis-orders not found" {
		t.Errorf("message %q", got)
	}
	if awsapi.IsNotFound(cause) || awsapi.IsNotFound(nil) {
		t.Error("an AWS not-found error is a NotFoundError only once a find helper says so")
	}
	if got := awsapi.NewNotFound("", nil).Error(); got != "not found" {
		t.Errorf("anonymous: %q", got)
	}
}
