package sns

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

type topic struct {
	arn, name, region, owner string
	fifo                     bool
	// attrs are the attributes set by the caller (defaults are computed).
	attrs map[string]string
	tags  map[string]string
	// subs are the subscription ARNs in creation order.
	subs    []string
	deleted int
	// FIFO state: deduplication ids seen in the last 5 minutes and the
	// sequence number of the last message.
	dedup map[string]dedupEntry
	seq   uint64
}

type dedupEntry struct {
	expires         time.Time
	messageID, seqN string
}

// fifoDedupWindow is the FIFO deduplication interval of SNS.
const fifoDedupWindow = 5 * time.Minute

// topicAttrs are the topic attributes callers may set. FifoTopic is
// create-only.
var topicAttrs = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"SignatureVersion": true, "TracingConfig": true, "FifoTopic": true, "ContentBasedDeduplication": true,
	"ArchivePolicy": true, "FifoThroughputScope": true,
	// Delivery status logging: accepted and stored, not acted upon.
	"ApplicationSuccessFeedbackRoleArn": true, "ApplicationSuccessFeedbackSampleRate": true, "ApplicationFailureFeedbackRoleArn": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true, "HTTPFailureFeedbackRoleArn": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true, "LambdaFailureFeedbackRoleArn": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true, "SQSFailureFeedbackRoleArn": true,
	"FirehoseSuccessFeedbackRoleArn": true, "FirehoseSuccessFeedbackSampleRate": true, "FirehoseFailureFeedbackRoleArn": true,
}

// defaultEffectiveDeliveryPolicy is what SNS reports for a topic without a DeliveryPolicy.
const defaultEffectiveDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// defaultPolicy is the access policy SNS gives a new topic.
func defaultPolicy(arn, account string) string {
	type statement struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Principal map[string]string            `json:"Principal"`
		Action    []string                     `json:"Action"`
		Resource  string                       `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition"`
	}
	doc := struct {
		Version   string      `json:"Version"`
		ID        string      `json:"Id"`
		Statement []statement `json:"Statement"`
	}{
		Version: "2008-10-17",
		ID:      "__default_policy_ID",
		Statement: []statement{{
			Sid:       "__default_statement_ID",
			Effect:    "Allow",
			Principal: map[string]string{"AWS": "*"},
			Action: []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
				"SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			Resource:  arn,
			Condition: map[string]map[string]string{"StringEquals": {"AWS:SourceOwner": account}},
		}},
	}
	out, _ := json.Marshal(doc)
	return string(out)
}

// attr returns the effective value of a settable attribute.
func (t *topic) attr(name string) string {
	if v, ok := t.attrs[name]; ok {
		return v
	}
	switch name {
	case "Policy":
		return defaultPolicy(t.arn, t.owner)
	case "SignatureVersion":
		return "1"
	case "TracingConfig":
		return "PassThrough"
	case "FifoTopic", "ContentBasedDeduplication":
		if name == "FifoTopic" && t.fifo {
			return "true"
		}
		return "false"
	}
	return ""
}

func (t *topic) contentBasedDedup() bool {
	return strings.EqualFold(t.attr("ContentBasedDeduplication"), "true")
}

// allAttributes is what GetTopicAttributes returns. s.mu must be held.
func (s *Service) allAttributes(t *topic) map[string]string {
	out := map[string]string{}
	for k, v := range t.attrs {
		out[k] = v
	}
	out["TopicArn"] = t.arn
	out["Owner"] = t.owner
	out["Policy"] = t.attr("Policy")
	out["DisplayName"] = t.attr("DisplayName")
	out["EffectiveDeliveryPolicy"] = defaultEffectiveDeliveryPolicy
	if dp := t.attrs["DeliveryPolicy"]; dp != "" {
		out["EffectiveDeliveryPolicy"] = dp
	}
	confirmed, pending := 0, 0
	for _, arn := range t.subs {
		if sub := s.subs[arn]; sub != nil {
			if sub.pending {
				pending++
			} else {
				confirmed++
			}
		}
	}
	out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	out["SubscriptionsPending"] = strconv.Itoa(pending)
	out["SubscriptionsDeleted"] = strconv.Itoa(t.deleted)
	if t.fifo {
		out["FifoTopic"] = "true"
		out["ContentBasedDeduplication"] = t.attr("ContentBasedDeduplication")
	}
	return out
}

// validateTopicAttribute checks one attribute for CreateTopic (creating) or
// SetTopicAttributes and returns its normalized value.
func validateTopicAttribute(name, value string, fifo, creating bool) (string, *core.APIError) {
	if !topicAttrs[name] || (name == "FifoTopic" && !creating) {
		return "", invalidParameter("Invalid parameter: AttributeName")
	}
	switch name {
	case "DisplayName":
		if len(value) > 100 {
			return "", invalidParameter("Invalid parameter: DisplayName Reason: DisplayName must be at most 100 characters long")
		}
	case "Policy":
		if value == "" {
			return "", nil
		}
		doc, err := iampolicy.Parse(value, iampolicy.ResourcePolicy)
		if err != nil {
			return "", invalidParameter("Invalid parameter: Policy Error: %v", err)
		}
		for _, st := range doc.Statement {
			for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
				if a != "*" && !strings.HasPrefix(strings.ToLower(a), "sns:") {
					return "", invalidParameter("Invalid parameter: Policy statement action out of service scope!")
				}
			}
		}
	case "DeliveryPolicy", "ArchivePolicy":
		if value == "" {
			return "", nil
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(value), &obj); err != nil {
			return "", invalidParameter("Invalid parameter: %s: failed to parse JSON.", name)
		}
		if name == "ArchivePolicy" && !fifo {
			return "", invalidParameter("Invalid parameter: ArchivePolicy Reason: Message archiving is only supported for FIFO topics")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return "", invalidParameter("Invalid parameter: SignatureVersion")
		}
	case "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return "", invalidParameter("Invalid parameter: TracingConfig")
		}
	case "FifoTopic":
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return "", invalidParameter("Invalid parameter: FifoTopic")
		}
		return strings.ToLower(value), nil
	case "ContentBasedDeduplication":
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return "", invalidParameter("Invalid parameter: ContentBasedDeduplication")
		}
		value = strings.ToLower(value)
		if !fifo && value == "true" {
			return "", invalidParameter("Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
		}
	case "FifoThroughputScope":
		if !fifo {
			return "", invalidParameter("Invalid parameter: FifoThroughputScope Reason: FifoThroughputScope can only be set for FIFO topics")
		}
		if value != "Topic" && value != "MessageGroup" {
			return "", invalidParameter("Invalid parameter: FifoThroughputScope")
		}
	}
	return value, nil
}

// sameAttributeValue compares attribute values the way a retried CreateTopic
// expects: JSON documents by content, booleans without case.
func sameAttributeValue(name, a, b string) bool {
	switch name {
	case "Policy", "DeliveryPolicy", "ArchivePolicy":
		var x, y any
		if json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil {
			return reflect.DeepEqual(x, y)
		}
	case "FifoTopic", "ContentBasedDeduplication":
		return strings.EqualFold(a, b)
	}
	return a == b
}

type createTopicResult struct {
	TopicArn string `xml:"TopicArn"`
}

func (s *Service) createTopic(req *core.Request, p params) (any, *core.APIError) {
	name := p.Get("Name")
	attrs := core.QueryMap(p, "Attributes.entry", "key", "value")
	tags, terr := parseTags(p)
	if terr != nil {
		return nil, terr
	}
	fifo := strings.EqualFold(attrs["FifoTopic"], "true")
	switch {
	case name == "":
		return nil, invalidParameter("Invalid parameter: Topic Name")
	case fifo && (!strings.HasSuffix(name, ".fifo") || !validTopicName(name, true)):
		return nil, invalidParameter("Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	case !fifo && !validTopicName(name, false):
		return nil, invalidParameter("Invalid parameter: Topic Name")
	}
	normalized := map[string]string{}
	for k, v := range attrs {
		nv, err := validateTopicAttribute(k, v, fifo, true)
		if err != nil {
			return nil, err
		}
		if nv != "" || k == "DisplayName" {
			normalized[k] = nv
		}
	}
	delete(normalized, "FifoTopic")
	arn := core.ARN("sns", req.Region, req.AccountID, name)

	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[arn]; t != nil {
		// CreateTopic is idempotent for a topic with the same attributes and tags.
		for k, v := range attrs {
			if !sameAttributeValue(k, t.attr(k), v) {
				return nil, invalidParameter("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
			}
		}
		for k, v := range tags {
			if cur, ok := t.tags[k]; !ok || cur != v {
				return nil, invalidParameter("Invalid parameter: Tags Reason: Topic already exists with different tags")
			}
		}
		return createTopicResult{TopicArn: arn}, nil
	}
	if len(tags) > maxTags {
		return nil, tagLimitExceeded()
	}
	s.topics[arn] = &topic{
		arn: arn, name: name, region: req.Region, owner: req.AccountID, fifo: fifo,
		attrs: normalized, tags: tags, dedup: map[string]dedupEntry{},
	}
	return createTopicResult{TopicArn: arn}, nil
}

type entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type attributesResult struct {
	Attributes []entry `xml:"Attributes>entry"`
}

func sortedEntries(m map[string]string) []entry {
	out := make([]entry, 0, len(m))
	for k, v := range m {
		out = append(out, entry{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Service) getTopicAttributes(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
	if err != nil {
		return nil, err
	}
	return attributesResult{Attributes: sortedEntries(s.allAttributes(t))}, nil
}

func (s *Service) setTopicAttributes(req *core.Request, p params) (any, *core.APIError) {
	name := p.Get("AttributeName")
	value := p.Get("AttributeValue")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
	if err != nil {
		return nil, err
	}
	nv, err := validateTopicAttribute(name, value, t.fifo, false)
	if err != nil {
		return nil, err
	}
	if nv == "" && name != "DisplayName" {
		delete(t.attrs, name)
	} else {
		t.attrs[name] = nv
	}
	return nil, nil
}

func (s *Service) deleteTopic(req *core.Request, p params) (any, *core.APIError) {
	arn := p.Get("TopicArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookupTopic(req, arn, "TopicArn")
	if err != nil {
		if err.Code == "NotFound" {
			return nil, nil // DeleteTopic is idempotent
		}
		return nil, err
	}
	for _, sub := range t.subs {
		delete(s.subs, sub)
	}
	delete(s.topics, arn)
	return nil, nil
}

type topicMember struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsResult struct {
	Topics struct {
		Members []topicMember `xml:"member"`
	} `xml:"Topics"`
	NextToken string `xml:"NextToken,omitempty"`
}

// listPageSize is the page size of the SNS List* operations.
const listPageSize = 100

// page returns the ARNs after the one encoded in token, and the token of
// the next page.
func page(arns []string, token string) ([]string, string, *core.APIError) {
	sort.Strings(arns)
	start := 0
	if token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(after) == 0 {
			return nil, "", invalidParameter("Invalid parameter: NextToken")
		}
		start = sort.SearchStrings(arns, string(after))
		if start < len(arns) && arns[start] == string(after) {
			start++
		}
	}
	end := start + listPageSize
	if end >= len(arns) {
		return arns[start:], "", nil
	}
	return arns[start:end], base64.RawURLEncoding.EncodeToString([]byte(arns[end-1])), nil
}

func (s *Service) listTopics(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var arns []string
	for arn, t := range s.topics {
		if t.region == req.Region && t.owner == req.AccountID {
			arns = append(arns, arn)
		}
	}
	pg, next, err := page(arns, p.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	var out listTopicsResult
	out.Topics.Members = []topicMember{}
	for _, arn := range pg {
		out.Topics.Members = append(out.Topics.Members, topicMember{TopicArn: arn})
	}
	out.NextToken = next
	return out, nil
}

// ------------------------------------------------------------------ tags

const maxTags = 50

func tagLimitExceeded() *core.APIError {
	return core.Errorf("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
}

// parseTags reads Tags.member.N.Key / Value.
func parseTags(p params) (map[string]string, *core.APIError) {
	tags := map[string]string{}
	for _, m := range core.QueryList(p, "Tags.member") {
		k, v := m["Key"], m["Value"]
		if _, dup := tags[k]; dup {
			return nil, invalidParameter("Invalid parameter: Duplicated keys are not allowed.")
		}
		if k == "" || len(k) > 128 {
			return nil, invalidParameter("Invalid parameter: Tag Key Reason: must be between 1 and 128 characters long")
		}
		if len(v) > 256 {
			return nil, invalidParameter("Invalid parameter: Tag Value Reason: must be at most 256 characters long")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidParameter("Invalid parameter: Tag Key Reason: the aws: prefix is reserved for AWS use")
		}
		tags[k] = v
	}
	return tags, nil
}

// taggedTopic finds the topic a ResourceArn names. s.mu must be held.
func (s *Service) taggedTopic(req *core.Request, arn string) (*topic, *core.APIError) {
	pa, ok := topicARNParts(arn)
	if !ok {
		return nil, invalidParameter("Invalid parameter: ResourceArn")
	}
	if pa.Account != req.AccountID {
		return nil, authorizationError(req, arn)
	}
	t := s.topics[arn]
	if t == nil || pa.Region != req.Region {
		return nil, resourceNotFound()
	}
	return t, nil
}

func (s *Service) tagResource(req *core.Request, p params) (any, *core.APIError) {
	tags, err := parseTags(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(req, p.Get("ResourceArn"))
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for k, v := range t.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	if len(merged) > maxTags {
		return nil, tagLimitExceeded()
	}
	t.tags = merged
	return struct{}{}, nil
}

func (s *Service) untagResource(req *core.Request, p params) (any, *core.APIError) {
	var keys []string
	for _, m := range core.QueryList(p, "TagKeys.member") {
		keys = append(keys, m[""])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(req, p.Get("ResourceArn"))
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		delete(t.tags, k)
	}
	return struct{}{}, nil
}

type tagMember struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type listTagsResult struct {
	Tags struct {
		Members []tagMember `xml:"member"`
	} `xml:"Tags"`
}

func (s *Service) listTagsForResource(req *core.Request, p params) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(req, p.Get("ResourceArn"))
	if err != nil {
		return nil, err
	}
	var out listTagsResult
	out.Tags.Members = []tagMember{}
	for _, e := range sortedEntries(t.tags) {
		out.Tags.Members = append(out.Tags.Members, tagMember(e))
	}
	return out, nil
}
