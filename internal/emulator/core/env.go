package core

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Env is what the emulator gives each service: the account, the clock, a
// logger and a way to reach the other services (SNS delivering to SQS,
// Lambda polling SQS and checking IAM roles).
type Env struct {
	AccountID string
	Clock     *Clock
	Logger    *slog.Logger

	mu       sync.RWMutex
	services map[string]Service
}

// NewEnv returns an environment for the given account.
func NewEnv(accountID string, logger *slog.Logger) *Env {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Env{AccountID: accountID, Clock: NewClock(), Logger: logger, services: map[string]Service{}}
}

// Register adds a service; the emulator calls it at start.
func (e *Env) Register(s Service) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.services[s.SigningName()] = s
}

// Lookup returns the service with that signing name, or nil.
func (e *Env) Lookup(signingName string) Service {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.services[signingName]
}

// Services returns every registered service.
func (e *Env) Services() []Service {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Service, 0, len(e.services))
	for _, s := range e.services {
		out = append(out, s)
	}
	return out
}

// MessageAttribute is an SNS/SQS message attribute.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// SNSDelivery is one message SNS hands to an SQS queue.
type SNSDelivery struct {
	// QueueARN is the subscription endpoint.
	QueueARN string
	// TopicARN is the aws:SourceArn the queue policy is checked against.
	TopicARN string
	// Body is the raw message or the SNS JSON envelope.
	Body string
	// MessageAttributes are passed on with raw message delivery.
	MessageAttributes map[string]MessageAttribute
	// MessageGroupID and MessageDeduplicationID are for FIFO queues.
	MessageGroupID, MessageDeduplicationID string
}

// QueueDeliverer is implemented by the SQS service: SNS calls it for every
// SQS subscription. It returns an error when the queue does not exist or its
// policy does not allow the topic, as AWS would (the message is then not
// delivered).
type QueueDeliverer interface {
	DeliverFromSNS(ctx context.Context, d SNSDelivery) *APIError
}

// ReceivedMessage is a message received by an AWS service polling a queue
// from inside AWS (a Lambda event source mapping).
type ReceivedMessage struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string
	// Attributes are the system attributes: ApproximateReceiveCount,
	// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp.
	Attributes        map[string]string
	MessageAttributes map[string]MessageAttribute
}

// QueueConsumer is implemented by the SQS service for Lambda event source
// mappings. The semantics are those of ReceiveMessage / DeleteMessage /
// ChangeMessageVisibility: receive counts grow, the queue's visibility timeout
// applies, and messages move to the DLQ after maxReceiveCount.
type QueueConsumer interface {
	ReceiveInternal(ctx context.Context, queueARN string, limit int, wait time.Duration) ([]ReceivedMessage, *APIError)
	DeleteInternal(queueARN, receiptHandle string) *APIError
	ChangeVisibilityInternal(queueARN, receiptHandle string, timeout time.Duration) *APIError
}

// RoleInfo is what other services need to know of an IAM role.
type RoleInfo struct {
	ARN              string
	Name             string
	AssumeRolePolicy string
	// Policies are the documents of the role's inline and attached policies.
	Policies []string
}

// RoleDirectory is implemented by the IAM service for services that use
// roles (STS AssumeRole, Lambda execution roles).
type RoleDirectory interface {
	RoleByARN(arn string) (RoleInfo, bool)
}

// CredentialChecker is implemented by the STS service: it refuses requests
// signed with temporary credentials that expired or whose session token does
// not match, as every AWS service does. The emulator calls it for every
// request before the service sees it.
type CredentialChecker interface {
	CheckCredentials(req *Request) *APIError
}

// EndpointAware is implemented by services that must know the emulator's own
// endpoint URL ("http://127.0.0.1:port"): Lambda hands it to function
// processes as AWS_ENDPOINT_URL so that their SDK calls come back to the
// emulator. The emulator calls SetEndpointURL once it listens.
type EndpointAware interface {
	SetEndpointURL(url string)
}

// Credentials are temporary AWS credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// ServiceRoleAssumer is implemented by the STS service: an AWS service
// principal (e.g. "lambda.amazonaws.com") assumes a role on behalf of the
// account, as Lambda does for a function's execution role. The role's trust
// policy must allow the principal sts:AssumeRole; the credentials act as
// arn:aws:sts::<account>:assumed-role/<role>/<sessionName>.
type ServiceRoleAssumer interface {
	AssumeRoleForService(roleARN, sessionName, servicePrincipal, region string, duration time.Duration) (Credentials, *APIError)
}

// QueueStats are the CloudWatch AWS/SQS metrics of one queue at one instant.
type QueueStats struct {
	// Visible is ApproximateNumberOfMessagesVisible.
	Visible int
	// NotVisible is ApproximateNumberOfMessagesNotVisible (in flight).
	NotVisible int
	// Delayed is ApproximateNumberOfMessagesDelayed.
	Delayed int
	// OldestAge is ApproximateAgeOfOldestMessage (zero for an empty queue).
	OldestAge time.Duration
	// VisibilityTimeout is the queue's VisibilityTimeout attribute (Lambda
	// refuses event sources whose visibility timeout is below the function's
	// timeout).
	VisibilityTimeout time.Duration
}

// QueueMetrics is implemented by the SQS service for CloudWatch's AWS/SQS
// metrics (and for Lambda to check that an event source queue exists).
// ok is false when the queue does not exist.
type QueueMetrics interface {
	QueueStats(queueARN string) (stats QueueStats, ok bool)
}

// EMFSink is implemented by the CloudWatch service: Lambda hands it every
// log line of a function that is a CloudWatch Embedded Metric Format
// document, as CloudWatch Logs does, and CloudWatch extracts the metrics in
// the function's region. Lines that are not valid EMF are ignored.
type EMFSink interface {
	IngestEMF(region, logGroup string, line []byte)
}
