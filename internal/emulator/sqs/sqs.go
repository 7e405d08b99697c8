// Package sqs emulates Amazon SQS over its JSON 1.0 protocol (the one
// aws-sdk-go-v2, boto3 and the AWS CLI v2 use). Every queue lives in the
// region of the request that created it; queue URLs have AWS's form
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
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// SNSSenderID is the SenderId SQS reports for messages SNS delivered (the
// principal id of the SNS service, as seen on real queues).
const SNSSenderID = "AIDAIT2UOQQY3AUEKVGXU"

// Service is the emulated SQS.
type Service struct {
	env   *core.Env
	proto protocol

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
	return &Service{
		env: env,
		proto: protocol{core.JSONProtocol{
			Version:         "1.0",
			TargetPrefix:    "AmazonSQS",
			ErrorNamespace:  "com.amazonaws.sqs#",
			QueryCompatible: true,
		}},
		queues:        map[string]*queue{},
		deletedAt:     map[string]time.Time{},
		tasks:         map[string]*moveTask{},
		tasksBySource: map[string][]*moveTask{},
		closing:       make(chan struct{}),
	}
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "sqs" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.proto }

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

type handler func(s *Service, req *core.Request) (any, *core.APIError)

var handlers = map[string]handler{
	"CreateQueue":                  (*Service).createQueue,
	"GetQueueUrl":                  (*Service).getQueueURL,
	"DeleteQueue":                  (*Service).deleteQueue,
	"ListQueues":                   (*Service).listQueues,
	"GetQueueAttributes":           (*Service).getQueueAttributes,
	"SetQueueAttributes":           (*Service).setQueueAttributes,
	"TagQueue":                     (*Service).tagQueue,
	"UntagQueue":                   (*Service).untagQueue,
	"ListQueueTags":                (*Service).listQueueTags,
	"AddPermission":                (*Service).addPermission,
	"RemovePermission":             (*Service).removePermission,
	"PurgeQueue":                   (*Service).purgeQueue,
	"ListDeadLetterSourceQueues":   (*Service).listDeadLetterSourceQueues,
	"SendMessage":                  (*Service).sendMessage,
	"SendMessageBatch":             (*Service).sendMessageBatch,
	"ReceiveMessage":               (*Service).receiveMessage,
	"DeleteMessage":                (*Service).deleteMessage,
	"DeleteMessageBatch":           (*Service).deleteMessageBatch,
	"ChangeMessageVisibility":      (*Service).changeMessageVisibility,
	"ChangeMessageVisibilityBatch": (*Service).changeMessageVisibilityBatch,
	"StartMessageMoveTask":         (*Service).startMessageMoveTask,
	"ListMessageMoveTasks":         (*Service).listMessageMoveTasks,
	"CancelMessageMoveTask":        (*Service).cancelMessageMoveTask,
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) {
	if req.HTTP.Header.Get("X-Amz-Target") == "" && req.HTTP.Method == http.MethodPost &&
		strings.HasPrefix(req.HTTP.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// A legacy query-protocol client (Action=...): answer in its own
		// format so that it reports a readable error.
		core.QueryProtocol{Namespace: "http://queue.amazonaws.com/doc/2012-11-05/"}.WriteError(w, req,
			core.Errorf("InvalidAction", "this SQS emulator speaks only the JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Operation>); use a current SDK or CLI"))
		return
	}
	op, aerr := s.proto.Operation(req.HTTP)
	if aerr != nil {
		s.proto.WriteError(w, req, aerr)
		return
	}
	h, ok := handlers[op]
	if !ok {
		s.proto.WriteError(w, req, core.Errorf("UnknownOperationException", "unknown operation %q", op))
		return
	}
	if aerr := req.Begin(op); aerr != nil {
		s.proto.WriteError(w, req, aerr)
		return
	}
	if aerr := s.authorize(req, op); aerr != nil {
		s.proto.WriteError(w, req, aerr)
		return
	}
	out, aerr := h(s, req)
	if aerr != nil {
		s.proto.WriteError(w, req, aerr)
		return
	}
	s.proto.WriteResult(w, req, out)
}

// decode reads the JSON input of an operation.
func (s *Service) decode(req *core.Request, v any) *core.APIError {
	return s.proto.Decode(req.HTTP, v)
}

// protocol is SQS's awsJson1_0 with the legacy query codes. A few errors come
// from AWS's generic validation layer and carry its namespace and an
// "Exception" suffix, as the real service sends them.
type protocol struct{ core.JSONProtocol }

var coralErrors = map[string]string{
	"InvalidParameterValue": "InvalidParameterValueException",
	"AccessDenied":          "AccessDeniedException",
}

// WriteError implements core.Protocol.
func (p protocol) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	if typ, ok := coralErrors[e.Code]; ok {
		jp := p.JSONProtocol
		jp.ErrorNamespace = "com.amazon.coral.service#"
		c := *e
		if c.QueryCode == "" {
			c.QueryCode = e.Code
		}
		c.Code = typ
		jp.WriteError(w, req, &c)
		return
	}
	p.JSONProtocol.WriteError(w, req, e)
}

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
