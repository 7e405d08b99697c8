// Package sqs emulates Amazon SQS in both wire encodings AWS serves it in:
// the query protocol (form-encoded Action=...&Version=2012-11-05, XML out;
// awscli 2.9, boto3 1.26 and other SDKs from before November 2023) and JSON
// 1.0 (X-Amz-Target: AmazonSQS.<Operation>; current SDKs and CLIs). Each
// operation has one implementation; wire.go turns both encodings into its
// input and its output back into the caller's encoding. Every queue lives in
// the region of the request that created it; queue URLs have AWS's form
// https://sqs.<region>.amazonaws.com/<account>/<name> whatever endpoint the
// client talks to.
//
// Besides the API it implements core.QueueDeliverer (SNS → SQS) and
// core.QueueConsumer (the Lambda event source mapping poller), with the same
// semantics as the API calls.
//
// Calls signed by an IAM role session (a Lambda function acting as its
// execution role, AssumeRole) are authorized as in AWS: the role's policies
// or the queue's policy must allow the action on the queue (authz.go).
package sqs

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// SNSSenderID is the SenderId SQS reports for messages SNS delivered (the
// principal id of the SNS service, as seen on real queues).
const SNSSenderID = "AIDAIT2UOQQY3AUEKVGXU"

// Service is the emulated SQS.
type Service struct {
	env *core.Env
	api *core.API

	mu sync.Mutex
	// queues by ARN (the ARN names the region, account and queue).
	queues map[string]*queue
	// deletedAt remembers when a queue ARN was deleted, for QueueDeletedRecently.
	deletedAt map[string]time.Time
	// move tasks by handle, and the handles of each source queue, newest last.
	tasks         map[string]*moveTask
	tasksBySource map[string][]*moveTask

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

var (
	_ core.Service        = (*Service)(nil)
	_ core.QueueDeliverer = (*Service)(nil)
	_ core.QueueConsumer  = (*Service)(nil)
	_ core.Closer         = (*Service)(nil)
)

// New returns an SQS service for env.
func New(env *core.Env) *Service {
	s := &Service{
		env:           env,
		queues:        map[string]*queue{},
		deletedAt:     map[string]time.Time{},
		tasks:         map[string]*moveTask{},
		tasksBySource: map[string][]*moveTask{},
		closing:       make(chan struct{}),
	}
	s.api = newAPI(s)
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "sqs" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

// Inventory implements core.Service: one resource per queue, every region.
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Resource, 0, len(s.queues))
	for _, q := range s.queues {
		out = append(out, core.Resource{Service: "sqs", Region: q.region, Type: "queue", ID: q.arn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Close implements core.Closer: it stops the message move tasks and wakes
// every long poll.
func (s *Service) Close() error {
	// Closing under s.mu orders it with startMessageMoveTask's wg.Add.
	s.mu.Lock()
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// ------------------------------------------------------------------ errors

func errQueueDoesNotExist() *core.APIError {
	return &core.APIError{Code: "QueueDoesNotExist", QueryCode: "AWS.SimpleQueueService.NonExistentQueue",
		Message: "The specified queue does not exist."}
}

func errInvalidParameterValue(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidParameterValue", format, args...)
}

// errParam is AWS's "Value X for parameter P is invalid. Reason: R." message.
func errParam(value any, param, reason string) *core.APIError {
	return core.Errorf("InvalidParameterValue", "Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}

func errMissingParameter(name string) *core.APIError {
	return core.Errorf("MissingParameter", "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) *core.APIError {
	return core.Errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidAttributeValue", format, args...)
}

func errReceiptHandleIsInvalid(handle string) *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ReceiptHandleIsInvalid",
		Message: "The input receipt handle \"" + handle + "\" is not a valid receipt handle."}
}

func errBatch(code, message string) *core.APIError {
	return &core.APIError{Code: code, QueryCode: "AWS.SimpleQueueService." + code, Message: message}
}

func errResourceNotFound() *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException",
		Message: "The resource that you requested does not exist."}
}

func errUnsupportedOperation(format string, args ...any) *core.APIError {
	e := core.Errorf("UnsupportedOperation", format, args...)
	e.QueryCode = "AWS.SimpleQueueService.UnsupportedOperation"
	return e
}
