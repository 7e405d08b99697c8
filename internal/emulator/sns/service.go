// Package sns emulates Amazon SNS for the emulator: topics, subscriptions,
// tags, Publish and PublishBatch over the AWS query protocol, and real
// delivery to SQS queues in any region through core.QueueDeliverer.
//
// Delivery follows AWS: a message is delivered to every confirmed SQS
// subscription whose filter policy matches, raw or wrapped in the SNS JSON
// envelope (signed with a key of this emulator, see SigningCertificatePEM).
// Publish returns once the message is accepted; deliveries that succeed
// happen within the call (which keeps tests deterministic), and a failed
// delivery never fails the Publish call. As on AWS, a client-side error (the
// queue is gone, its policy does not allow the topic, its KMS key does not
// allow SNS) is not retried, and a server-side error (5xx, throttling) is
// retried in the background on the emulator clock following RetryPolicy. A
// message that cannot be delivered goes to the subscription's RedrivePolicy
// dead-letter queue (which must be in the topic's account and region, and
// whose policy must allow the topic), or is dropped. DeliveryStats count it
// all per subscription.
//
// Known differences from AWS: topic access policies are validated and
// stored but not enforced (every caller is the owning account; another
// account's topic is an AuthorizationError); only SQS endpoints receive
// messages, other protocols stay PendingConfirmation and ConfirmSubscription
// accepts no token; SMS publishing is accepted and discarded; the 20-second
// retry phase is cut from 100,000 to 100 retries; SubscriptionsDeleted never
// decays; delivery status logging and message archiving attributes are
// stored without effect, and CreateTopic ignores DataProtectionPolicy.
package sns

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Namespace is the xmlns of SNS query-protocol responses.
const Namespace = "http://sns.amazonaws.com/doc/2010-03-31/"

// MaxMessageSize is the largest message SNS accepts in bytes, counting the
// body and every attribute's name, type and value; it is also the limit of a
// whole PublishBatch request.
const MaxMessageSize = 262_144

// Service is the emulated SNS. Every topic lives in the region of the call
// that created it.
type Service struct {
	env *core.Env
	api *core.API

	mu     sync.Mutex
	topics map[string]*topic        // by ARN
	subs   map[string]*subscription // by ARN
	stats  map[string]*DeliveryStats
	retry  RetryPolicy
	closed bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	signerOnce sync.Once
	signer     *signer
}

// New returns an SNS service using env for the account, the clock and the
// SQS service it delivers to.
func New(env *core.Env) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env:    env,
		topics: map[string]*topic{},
		subs:   map[string]*subscription{},
		stats:  map[string]*DeliveryStats{},
		retry:  DefaultRetryPolicy(),
		ctx:    ctx,
		cancel: cancel,
	}
	s.api = s.newAPI()
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "sns" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

// Close implements core.Closer: it stops the background retries.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// params are the form parameters of one call.
type params = core.Params

type handler func(req *core.Request, p params) (any, *core.APIError)

// newAPI lists SNS's operations, served in the query protocol.
func (s *Service) newAPI() *core.API {
	ops := map[string]handler{
		"CreateTopic":               s.createTopic,
		"GetTopicAttributes":        s.getTopicAttributes,
		"SetTopicAttributes":        s.setTopicAttributes,
		"DeleteTopic":               s.deleteTopic,
		"ListTopics":                s.listTopics,
		"TagResource":               s.tagResource,
		"UntagResource":             s.untagResource,
		"ListTagsForResource":       s.listTagsForResource,
		"Subscribe":                 s.subscribe,
		"ConfirmSubscription":       s.confirmSubscription,
		"Unsubscribe":               s.unsubscribe,
		"GetSubscriptionAttributes": s.getSubscriptionAttributes,
		"SetSubscriptionAttributes": s.setSubscriptionAttributes,
		"ListSubscriptions":         s.listSubscriptions,
		"ListSubscriptionsByTopic":  s.listSubscriptionsByTopic,
		"Publish":                   s.publish,
		"PublishBatch":              s.publishBatch,
	}
	api := &core.API{
		Wires:    []core.Wire{core.QueryWire{QueryProtocol: core.QueryProtocol{Namespace: Namespace}, XMLTags: true}},
		Handlers: make(map[string]core.Handler, len(ops)),
	}
	for op, h := range ops {
		api.Handlers[op] = func(req *core.Request) (any, *core.APIError) { return h(req, req.Params()) }
	}
	return api
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// Inventory implements core.Service: every topic and subscription.
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []core.Resource
	for _, t := range s.topics {
		out = append(out, core.Resource{Service: "sns", Region: t.region, Type: "topic", ID: t.arn})
	}
	for _, sub := range s.subs {
		out = append(out, core.Resource{Service: "sns", Region: sub.region, Type: "subscription", ID: sub.arn})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ------------------------------------------------------------------ errors

func invalidParameter(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidParameter", format, args...)
}

func invalidParameterValue(format string, args ...any) *core.APIError {
	return core.Errorf("ParameterValueInvalid", format, args...)
}

func notFound(msg string) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "NotFound", "%s", msg)
}

func resourceNotFound() *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
}

func authorizationError(req *core.Request, resource string) *core.APIError {
	return core.StatusErrorf(http.StatusForbidden, "AuthorizationError",
		"User: arn:aws:iam::%s:root is not authorized to perform: SNS:%s on resource: %s because no resource-based policy allows the SNS:%s action",
		req.AccountID, req.Action, resource, req.Action)
}

// ---------------------------------------------------------------- ARNs

// topicARNParts checks a topic ARN and returns its parts.
func topicARNParts(arn string) (core.ParsedARN, bool) {
	p, ok := core.ParseARN(arn)
	if !ok || p.Partition != "aws" || p.Service != "sns" || !core.ValidRegion(p.Region) ||
		!validAccount(p.Account) || !validTopicName(p.Resource, true) {
		return core.ParsedARN{}, false
	}
	return p, true
}

// subscriptionARNParts checks a subscription ARN (<topic ARN>:<id>).
func subscriptionARNParts(arn string) (topicARN string, p core.ParsedARN, ok bool) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return "", core.ParsedARN{}, false
	}
	t, id := arn[:i], arn[i+1:]
	p, ok = topicARNParts(t)
	if !ok || id == "" {
		return "", core.ParsedARN{}, false
	}
	return t, p, true
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validTopicName applies the CreateTopic rules: 1-256 of [A-Za-z0-9_-],
// plus the .fifo suffix when allowFIFO.
func validTopicName(name string, allowFIFO bool) bool {
	if allowFIFO {
		name = strings.TrimSuffix(name, ".fifo")
	}
	if name == "" || len(name) > 256 {
		return false
	}
	for _, c := range name {
		if !isNameChar(c) {
			return false
		}
	}
	return true
}

// lookupTopic finds the topic named by a TopicArn parameter the way SNS
// checks it: malformed or in another region → InvalidParameter, in another
// account → AuthorizationError, missing → NotFound. s.mu must be held.
func (s *Service) lookupTopic(req *core.Request, arn, param string) (*topic, *core.APIError) {
	if arn == "" {
		return nil, invalidParameter("Invalid parameter: %s Reason: no value for required parameter", param)
	}
	p, ok := topicARNParts(arn)
	if !ok || p.Region != req.Region {
		return nil, invalidParameter("Invalid parameter: %s", param)
	}
	if p.Account != req.AccountID {
		return nil, authorizationError(req, arn)
	}
	t := s.topics[arn]
	if t == nil {
		return nil, notFound("Topic does not exist")
	}
	return t, nil
}

func isNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
