package sns

import (
	"encoding/json"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type subscription struct {
	arn, topicARN, region, owner string
	protocol, endpoint           string
	// attrs are the attributes set by the caller: RawMessageDelivery,
	// FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy,
	// SubscriptionRoleArn.
	attrs  map[string]string
	filter *FilterPolicy
	// dlq is the deadLetterTargetArn of the RedrivePolicy.
	dlq     string
	pending bool
}

func (sub *subscription) raw() bool { return sub.attrs["RawMessageDelivery"] == "true" }

func (sub *subscription) scope() string {
	if v := sub.attrs["FilterPolicyScope"]; v != "" {
		return v
	}
	return ScopeMessageAttributes
}

var protocols = map[string]bool{
	"http": true, "https": true, "email": true, "email-json": true, "sms": true,
	"sqs": true, "application": true, "lambda": true, "firehose": true,
}

var subscriptionAttrs = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

// sqsQueueARN checks an SQS queue ARN.
func sqsQueueARN(arn string) (core.ParsedARN, bool) {
	p, ok := core.ParseARN(arn)
	if !ok || p.Partition != "aws" || p.Service != "sqs" || !core.ValidRegion(p.Region) ||
		!validAccount(p.Account) || p.Resource == "" || strings.Contains(p.Resource, ":") {
		return core.ParsedARN{}, false
	}
	return p, true
}

// subAttrChange is one validated subscription attribute.
type subAttrChange struct {
	name, value string
	filter      *FilterPolicy // FilterPolicy and FilterPolicyScope
	dlq         string        // RedrivePolicy
}

// validateSubscriptionAttribute checks one attribute for Subscribe (prefix
// "Invalid parameter: Attributes Reason: ") or SetSubscriptionAttributes
// ("Invalid parameter: "). scope and policy are the filter policy scope and
// document in effect after the change.
func validateSubscriptionAttribute(t *topic, protocol, prefix, name, value, scope, policy string) (subAttrChange, *core.APIError) {
	c := subAttrChange{name: name, value: value}
	if !subscriptionAttrs[name] {
		return c, invalidParameter("%sAttributeName", prefix)
	}
	switch name {
	case "RawMessageDelivery":
		v := strings.ToLower(value)
		if v != "true" && v != "false" {
			return c, invalidParameter("%sRawMessageDelivery: Invalid value [%s]. Must be true or false.", prefix, value)
		}
		if v == "true" && protocol != "sqs" && protocol != "http" && protocol != "https" && protocol != "firehose" {
			return c, invalidParameter("%sDelivery protocol [%s] does not support raw message delivery.", prefix, protocol)
		}
		c.value = v
	case "FilterPolicyScope", "FilterPolicy":
		if scope != ScopeMessageAttributes && scope != ScopeMessageBody {
			return c, invalidParameter("%sFilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", prefix, scope)
		}
		if strings.TrimSpace(policy) != "" {
			fp, err := ParseFilterPolicy(policy, scope)
			if err != nil {
				return c, invalidParameter("%sFilterPolicy: %v", prefix, err)
			}
			c.filter = fp
		}
	case "RedrivePolicy":
		if strings.TrimSpace(value) == "" {
			return c, nil
		}
		var rp struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if err := json.Unmarshal([]byte(value), &rp); err != nil {
			return c, invalidParameter("%sRedrivePolicy: failed to parse JSON.", prefix)
		}
		q, ok := sqsQueueARN(rp.DeadLetterTargetArn)
		if !ok {
			return c, invalidParameter("%sRedrivePolicy: deadLetterTargetArn is an invalid arn", prefix)
		}
		if q.Region != t.region || q.Account != t.owner {
			return c, invalidParameter("%sRedrivePolicy: deadLetterTargetArn must be an Amazon SQS queue in the account and region of the subscription (%s, %s)", prefix, t.owner, t.region)
		}
		if t.fifo != strings.HasSuffix(q.Resource, ".fifo") {
			return c, invalidParameter("%sRedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.", prefix)
		}
		c.dlq = rp.DeadLetterTargetArn
	case "DeliveryPolicy", "ReplayPolicy":
		if strings.TrimSpace(value) == "" {
			return c, nil
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(value), &obj); err != nil {
			return c, invalidParameter("%s%s: failed to parse JSON.", prefix, name)
		}
	}
	return c, nil
}

// apply stores a validated attribute on sub.
func (sub *subscription) apply(c subAttrChange) {
	if c.value == "" {
		delete(sub.attrs, c.name)
	} else {
		sub.attrs[c.name] = c.value
	}
	switch c.name {
	case "FilterPolicy", "FilterPolicyScope":
		sub.filter = c.filter
	case "RedrivePolicy":
		sub.dlq = c.dlq
	}
}

type subscribeResult struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

func (s *Service) subscribe(req *core.Request, p params) (any, *core.APIError) {
	protocol := p.Get("Protocol")
	endpoint := p.Get("Endpoint")
	attrs := core.QueryMap(p, "Attributes.entry", "key", "value")
	returnARN := strings.EqualFold(p.Get("ReturnSubscriptionArn"), "true")

	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
	if err != nil {
		return nil, err
	}
	if !protocols[protocol] {
		return nil, invalidParameter("Invalid parameter: Amazon SNS does not support this protocol string: %s", protocol)
	}
	if endpoint == "" {
		return nil, invalidParameter("Invalid parameter: Endpoint Reason: no value for required parameter")
	}
	sameAccount := true
	switch protocol {
	case "sqs":
		q, ok := sqsQueueARN(endpoint)
		if !ok {
			return nil, invalidParameter("Invalid parameter: SQS endpoint ARN")
		}
		if strings.HasSuffix(q.Resource, ".fifo") && !t.fifo {
			return nil, invalidParameter("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
		sameAccount = q.Account == t.owner
	case "http", "https":
		if !strings.HasPrefix(endpoint, protocol+"://") {
			return nil, invalidParameter("Invalid parameter: Endpoint must match the specified protocol")
		}
	case "lambda", "firehose", "application":
		if pa, ok := core.ParseARN(endpoint); !ok || (protocol == "lambda" && pa.Service != "lambda") {
			return nil, invalidParameter("Invalid parameter: %s endpoint ARN", protocol)
		}
	case "email", "email-json":
		if !strings.Contains(endpoint, "@") {
			return nil, invalidParameter("Invalid parameter: Email address")
		}
	}

	const prefix = "Invalid parameter: Attributes Reason: "
	scope := attrs["FilterPolicyScope"]
	if scope == "" {
		scope = ScopeMessageAttributes
	}
	var changes []subAttrChange
	for _, name := range sortedKeys(attrs) {
		c, err := validateSubscriptionAttribute(t, protocol, prefix, name, attrs[name], scope, attrs["FilterPolicy"])
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}

	// Subscribing the same endpoint again returns the existing subscription.
	for _, arn := range t.subs {
		sub := s.subs[arn]
		if sub == nil || sub.protocol != protocol || sub.endpoint != endpoint {
			continue
		}
		for _, c := range changes {
			cur := sub.attrs[c.name]
			if c.name == "FilterPolicyScope" && cur == "" {
				cur = ScopeMessageAttributes
			}
			if c.name == "RawMessageDelivery" && cur == "" {
				cur = "false"
			}
			if !sameAttributeValue("Policy", cur, c.value) {
				return nil, invalidParameter("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
			}
		}
		if sub.pending && !returnARN {
			return subscribeResult{SubscriptionArn: "pending confirmation"}, nil
		}
		return subscribeResult{SubscriptionArn: sub.arn}, nil
	}

	sub := &subscription{
		arn:      t.arn + ":" + core.NewRequestID(),
		topicARN: t.arn, region: t.region, owner: req.AccountID,
		protocol: protocol, endpoint: endpoint,
		attrs: map[string]string{},
		// SQS queues of the topic's account are confirmed at once; other
		// endpoints wait for a confirmation the emulator never sends.
		pending: protocol != "sqs" || !sameAccount,
	}
	for _, c := range changes {
		sub.apply(c)
	}
	s.subs[sub.arn] = sub
	t.subs = append(t.subs, sub.arn)
	if _, ok := s.stats[sub.arn]; !ok {
		s.stats[sub.arn] = &DeliveryStats{}
	}
	if sub.pending && !returnARN {
		return subscribeResult{SubscriptionArn: "pending confirmation"}, nil
	}
	return subscribeResult{SubscriptionArn: sub.arn}, nil
}

func (s *Service) confirmSubscription(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupTopic(req, p.Get("TopicArn"), "Topic"); err != nil {
		return nil, err
	}
	// The emulator never sends confirmation tokens, so none is valid.
	return nil, invalidParameter("Invalid parameter: Token")
}

// lookupSubscription finds a subscription by ARN. s.mu must be held.
func (s *Service) lookupSubscription(req *core.Request, arn string) (*subscription, *core.APIError) {
	_, pa, ok := subscriptionARNParts(arn)
	if !ok || pa.Region != req.Region {
		return nil, invalidParameter("Invalid parameter: SubscriptionArn")
	}
	if pa.Account != req.AccountID {
		return nil, authorizationError(req, arn)
	}
	sub := s.subs[arn]
	if sub == nil {
		return nil, notFound("Subscription does not exist")
	}
	return sub, nil
}

func (s *Service) unsubscribe(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.lookupSubscription(req, p.Get("SubscriptionArn"))
	if err != nil {
		if err.Code == "NotFound" {
			return nil, nil // Unsubscribe is idempotent
		}
		return nil, err
	}
	s.removeSubscription(sub)
	return nil, nil
}

// removeSubscription deletes sub from its topic. s.mu must be held.
func (s *Service) removeSubscription(sub *subscription) {
	delete(s.subs, sub.arn)
	if t := s.topics[sub.topicARN]; t != nil {
		for i, arn := range t.subs {
			if arn == sub.arn {
				t.subs = append(t.subs[:i:i], t.subs[i+1:]...)
				break
			}
		}
		t.deleted++
	}
}

func (s *Service) subscriptionAttributes(sub *subscription) map[string]string {
	out := map[string]string{}
	for k, v := range sub.attrs {
		out[k] = v
	}
	out["SubscriptionArn"] = sub.arn
	out["TopicArn"] = sub.topicARN
	out["Owner"] = sub.owner
	out["Protocol"] = sub.protocol
	out["Endpoint"] = sub.endpoint
	out["PendingConfirmation"] = boolString(sub.pending)
	out["ConfirmationWasAuthenticated"] = boolString(!sub.pending)
	out["RawMessageDelivery"] = boolString(sub.raw())
	if sub.filter != nil {
		out["FilterPolicyScope"] = sub.scope()
	} else {
		delete(out, "FilterPolicy")
		delete(out, "FilterPolicyScope")
	}
	return out
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (s *Service) getSubscriptionAttributes(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.lookupSubscription(req, p.Get("SubscriptionArn"))
	if err != nil {
		return nil, err
	}
	return attributesResult{Attributes: sortedEntries(s.subscriptionAttributes(sub))}, nil
}

func (s *Service) setSubscriptionAttributes(req *core.Request, p params) (any, *core.APIError) {
	name := p.Get("AttributeName")
	value := p.Get("AttributeValue")
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.lookupSubscription(req, p.Get("SubscriptionArn"))
	if err != nil {
		return nil, err
	}
	t := s.topics[sub.topicARN]
	if t == nil {
		return nil, notFound("Topic does not exist")
	}
	scope, policy := sub.scope(), sub.attrs["FilterPolicy"]
	switch name {
	case "FilterPolicyScope":
		scope = value
	case "FilterPolicy":
		policy = value
	}
	c, err := validateSubscriptionAttribute(t, sub.protocol, "Invalid parameter: ", name, value, scope, policy)
	if err != nil {
		return nil, err
	}
	sub.apply(c)
	return nil, nil
}

type subscriptionMember struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type listSubscriptionsResult struct {
	Subscriptions struct {
		Members []subscriptionMember `xml:"member"`
	} `xml:"Subscriptions"`
	NextToken string `xml:"NextToken,omitempty"`
}

func (s *Service) subscriptionPage(arns []string, token string) (any, *core.APIError) {
	pg, next, err := page(arns, token)
	if err != nil {
		return nil, err
	}
	var out listSubscriptionsResult
	out.Subscriptions.Members = []subscriptionMember{}
	for _, arn := range pg {
		sub := s.subs[arn]
		m := subscriptionMember{SubscriptionArn: sub.arn, Owner: sub.owner, Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: sub.topicARN}
		if sub.pending {
			m.SubscriptionArn = "PendingConfirmation"
		}
		out.Subscriptions.Members = append(out.Subscriptions.Members, m)
	}
	out.NextToken = next
	return out, nil
}

func (s *Service) listSubscriptions(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var arns []string
	for arn, sub := range s.subs {
		if sub.region == req.Region && sub.owner == req.AccountID {
			arns = append(arns, arn)
		}
	}
	return s.subscriptionPage(arns, p.Get("NextToken"))
}

func (s *Service) listSubscriptionsByTopic(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
	if err != nil {
		return nil, err
	}
	return s.subscriptionPage(append([]string(nil), t.subs...), p.Get("NextToken"))
}
