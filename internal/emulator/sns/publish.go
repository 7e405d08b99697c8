package sns

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// message is one accepted publication.
type message struct {
	id, topicARN, region string
	subject              string
	// text is the Message parameter; with MessageStructure=json, structured
	// holds the per-protocol messages ("default" is required).
	text       string
	structured map[string]string
	attrs      map[string]core.MessageAttribute
	timestamp  time.Time
	// FIFO topics.
	groupID, dedupID, sequence string
	fifo                       bool
	duplicate                  bool
}

// textFor returns the message a protocol receives.
func (m *message) textFor(protocol string) string {
	if m.structured != nil {
		if v, ok := m.structured[protocol]; ok {
			return v
		}
		return m.structured["default"]
	}
	return m.text
}

// publishInput is a Publish call or a PublishBatch entry.
type publishInput struct {
	message, subject, structure string
	hasSubject                  bool
	attrs                       map[string]core.MessageAttribute
	groupID, dedupID            string
	hasDedupID                  bool
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

// parseMessageAttributes reads MessageAttributes.entry.N.Name /
// Value.DataType / Value.StringValue / Value.BinaryValue and validates them
// as SNS does (ParameterValueInvalid).
func parseMessageAttributes(p params, prefix string) (map[string]core.MessageAttribute, *core.APIError) {
	entries := core.QueryList(p, prefix+".entry")
	if len(entries) == 0 {
		return nil, nil
	}
	out := map[string]core.MessageAttribute{}
	for _, e := range entries {
		name := e["Name"]
		if name == "" {
			return nil, invalidParameterValue("The request must contain non-empty message attribute name.")
		}
		if len(name) > 256 {
			return nil, invalidParameterValue("Length of message attribute name must be less than 256 bytes.")
		}
		if !attrNameRE.MatchString(name) {
			for _, c := range name {
				if c >= unicode.MaxASCII || !attrNameRE.MatchString(string(c)) {
					return nil, invalidParameterValue("Invalid non-alphanumeric character '#x%X' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", c)
				}
			}
		}
		switch {
		case strings.HasPrefix(name, "."):
			return nil, invalidParameterValue("Invalid message attribute name starting with character '.' was found.")
		case strings.HasSuffix(name, "."):
			return nil, invalidParameterValue("Invalid message attribute name ending with character '.' was found.")
		case strings.Contains(name, ".."):
			return nil, invalidParameterValue("Message attribute name can not have successive '.' character.")
		case strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon."):
			return nil, invalidParameterValue("You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use by AWS.")
		}
		if _, dup := out[name]; dup {
			return nil, invalidParameterValue("Message attribute name '%s' is specified more than once.", name)
		}
		dataType, hasType := e["Value.DataType"]
		if !hasType || dataType == "" {
			return nil, core.Errorf("ValidationError", "1 validation error detected: Value null at 'messageAttributes.%s.member.dataType' failed to satisfy constraint: Member must not be null", name)
		}
		base := baseType(dataType)
		if base == "" || len(dataType) > 256 {
			return nil, invalidParameterValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		attr := core.MessageAttribute{DataType: dataType}
		if base == "Binary" {
			raw, ok := e["Value.BinaryValue"]
			if !ok {
				if _, hasString := e["Value.StringValue"]; hasString {
					return nil, invalidParameterValue("The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
				}
				return nil, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)
			}
			b, err := base64.StdEncoding.DecodeString(raw)
			if err != nil {
				return nil, invalidParameterValue("The message attribute '%s' has an invalid binary value: it is not base64-encoded.", name)
			}
			if len(b) == 0 {
				return nil, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)
			}
			attr.BinaryValue = b
		} else {
			v, ok := e["Value.StringValue"]
			if !ok {
				if _, hasBinary := e["Value.BinaryValue"]; hasBinary {
					return nil, invalidParameterValue("The message attribute '%s' with type '%s' must use field 'String'.", name, dataType)
				}
				return nil, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)
			}
			if v == "" {
				return nil, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)
			}
			if base == "Number" && !validNumber(v) {
				return nil, invalidParameterValue("Could not cast message attribute '%s' value to number.", name)
			}
			attr.StringValue = v
		}
		out[name] = attr
	}
	return out, nil
}

// baseType returns String, Number or Binary for a data type such as
// "String", "String.Array" or "Number.float", or "" when invalid.
func baseType(dataType string) string {
	for _, b := range []string{"String", "Number", "Binary"} {
		if dataType == b || (strings.HasPrefix(dataType, b+".") && len(dataType) > len(b)+1) {
			return b
		}
	}
	return ""
}

// validNumber accepts the decimal numbers SNS and SQS accept.
func validNumber(s string) bool {
	if _, ok := new(big.Float).SetString(s); !ok {
		return false
	}
	// big.Float also accepts "Inf" and hex forms; SNS does not.
	for _, c := range strings.ToLower(s) {
		if !strings.ContainsRune("0123456789.-+e", c) {
			return false
		}
	}
	return true
}

// messageSize counts the body and every attribute name, type and value.
func messageSize(body string, attrs map[string]core.MessageAttribute) int {
	n := len(body)
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// validateInput checks what does not depend on the topic.
func validateInput(in *publishInput) *core.APIError {
	if in.hasSubject {
		if in.subject == "" || len([]rune(in.subject)) > 100 {
			return invalidParameter("Invalid parameter: Subject")
		}
		for _, r := range in.subject {
			if unicode.IsControl(r) {
				return invalidParameter("Invalid parameter: Subject")
			}
		}
	}
	if in.message == "" {
		return invalidParameter("Invalid parameter: Empty message")
	}
	if messageSize(in.message, in.attrs) > MaxMessageSize {
		return invalidParameter("Invalid parameter: Message too long")
	}
	switch in.structure {
	case "":
	case "json":
		if _, err := parseStructured(in.message); err != nil {
			return err
		}
	default:
		return invalidParameter("Invalid parameter: MessageStructure")
	}
	return nil
}

// parseStructured reads a MessageStructure=json message: a JSON object with
// a string "default"; keys with non-string values are ignored.
func parseStructured(msg string) (map[string]string, *core.APIError) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(msg), &obj); err != nil {
		return nil, invalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse")
	}
	out := map[string]string{}
	for k, v := range obj {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	if _, ok := out["default"]; !ok {
		return nil, invalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body")
	}
	return out, nil
}

var fifoIDRE = regexp.MustCompile("^[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1,128}$")

// accept turns a validated input into a message for topic t: FIFO checks,
// deduplication and sequence numbers. s.mu must be held.
func (s *Service) accept(t *topic, in *publishInput) (*message, *core.APIError) {
	m := &message{
		id: core.NewRequestID(), topicARN: t.arn, region: t.region,
		subject: in.subject, text: in.message, attrs: in.attrs,
		timestamp: s.env.Clock.Now(), groupID: in.groupID, fifo: t.fifo,
	}
	if in.structure == "json" {
		m.structured, _ = parseStructured(in.message)
	}
	if !t.fifo {
		if in.hasDedupID {
			return nil, invalidParameter("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		if in.groupID != "" && !fifoIDRE.MatchString(in.groupID) {
			return nil, invalidParameter("Invalid parameter: MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		return m, nil
	}
	if in.groupID == "" {
		return nil, invalidParameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	}
	if !fifoIDRE.MatchString(in.groupID) {
		return nil, invalidParameter("Invalid parameter: MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	dedup := in.dedupID
	if !in.hasDedupID {
		if !t.contentBasedDedup() {
			return nil, invalidParameter("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		sum := sha256.Sum256([]byte(in.message))
		dedup = hex.EncodeToString(sum[:])
	} else if !fifoIDRE.MatchString(dedup) {
		return nil, invalidParameter("Invalid parameter: MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	m.dedupID = dedup
	now := m.timestamp
	for id, e := range t.dedup {
		if !now.Before(e.expires) {
			delete(t.dedup, id)
		}
	}
	if e, ok := t.dedup[dedup]; ok {
		// A duplicate is accepted but not delivered again.
		m.id, m.sequence, m.duplicate = e.messageID, e.seqN, true
		return m, nil
	}
	t.seq++
	m.sequence = fmt.Sprintf("1%019d", t.seq)
	t.dedup[dedup] = dedupEntry{expires: now.Add(fifoDedupWindow), messageID: m.id, seqN: m.sequence}
	return m, nil
}

type publishResult struct {
	MessageID      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

func (s *Service) publish(req *core.Request, p params) (any, *core.APIError) {
	attrs, err := parseMessageAttributes(p, "MessageAttributes")
	if err != nil {
		return nil, err
	}
	in := &publishInput{
		message: p.Get("Message"), subject: p.Get("Subject"), hasSubject: p.Has("Subject"),
		structure: p.Get("MessageStructure"), attrs: attrs,
		groupID: p.Get("MessageGroupId"), dedupID: p.Get("MessageDeduplicationId"), hasDedupID: p.Has("MessageDeduplicationId"),
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	topicARN, targetARN, phone := p.Get("TopicArn"), p.Get("TargetArn"), p.Get("PhoneNumber")
	set := 0
	for _, v := range []string{topicARN, targetARN, phone} {
		if v != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return nil, invalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
	case set > 1:
		return nil, invalidParameter("Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified")
	case phone != "":
		if !e164RE.MatchString(phone) {
			return nil, invalidParameter("Invalid parameter: PhoneNumber Reason: %s is not valid to publish to", phone)
		}
		// SMS is accepted and not sent anywhere.
		return publishResult{MessageID: core.NewRequestID()}, nil
	case targetARN != "":
		if strings.Contains(targetARN, ":endpoint/") {
			return nil, invalidParameter("Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified")
		}
		topicARN = targetARN
	}

	s.mu.Lock()
	t, err := s.lookupTopic(req, topicARN, "TopicArn")
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	m, err := s.accept(t, in)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	jobs := s.plan(t, m)
	s.mu.Unlock()

	s.deliverAll(jobs)
	return publishResult{MessageID: m.id, SequenceNumber: m.sequence}, nil
}

var e164RE = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

type batchSuccess struct {
	ID             string `xml:"Id"`
	MessageID      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

type batchFailure struct {
	ID          string `xml:"Id"`
	Code        string `xml:"Code"`
	Message     string `xml:"Message"`
	SenderFault bool   `xml:"SenderFault"`
}

type publishBatchResult struct {
	Successful struct {
		Members []batchSuccess `xml:"member"`
	} `xml:"Successful"`
	Failed struct {
		Members []batchFailure `xml:"member"`
	} `xml:"Failed"`
}

func (s *Service) publishBatch(req *core.Request, p params) (any, *core.APIError) {
	raw := core.QueryList(p, "PublishBatchRequestEntries.member")
	if len(raw) == 0 {
		return nil, core.Errorf("EmptyBatchRequest", "The batch request doesn't contain any entries.")
	}
	if len(raw) > 10 {
		return nil, core.Errorf("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
	}
	s.mu.Lock()
	_, err := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}

	type batchEntry struct {
		id string
		in *publishInput
	}
	seen := map[string]bool{}
	var entries []batchEntry
	total := 0
	for _, m := range raw {
		id := m["Id"]
		if seen[id] {
			return nil, core.Errorf("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
		}
		seen[id] = true
		if !batchIDRE.MatchString(id) {
			return nil, core.Errorf("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		sub := params{}
		for k, v := range m {
			sub[k] = []string{v}
		}
		attrs, aerr := parseMessageAttributes(sub, "MessageAttributes")
		if aerr != nil {
			// A malformed attribute fails the whole request, as on AWS.
			return nil, aerr
		}
		in := &publishInput{
			message: sub.Get("Message"), subject: sub.Get("Subject"), hasSubject: sub.Has("Subject"),
			structure: sub.Get("MessageStructure"), attrs: attrs,
			groupID: sub.Get("MessageGroupId"), dedupID: sub.Get("MessageDeduplicationId"), hasDedupID: sub.Has("MessageDeduplicationId"),
		}
		total += messageSize(in.message, in.attrs)
		entries = append(entries, batchEntry{id: id, in: in})
	}
	if total > MaxMessageSize {
		return nil, core.Errorf("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
	}

	var out publishBatchResult
	out.Successful.Members = []batchSuccess{}
	out.Failed.Members = []batchFailure{}
	var jobs []deliveryJob
	for _, e := range entries {
		if verr := validateInput(e.in); verr != nil {
			out.Failed.Members = append(out.Failed.Members, batchFailure{ID: e.id, Code: verr.Code, Message: verr.Message, SenderFault: true})
			continue
		}
		s.mu.Lock()
		t, terr := s.lookupTopic(req, p.Get("TopicArn"), "TopicArn")
		if terr != nil {
			s.mu.Unlock()
			out.Failed.Members = append(out.Failed.Members, batchFailure{ID: e.id, Code: terr.Code, Message: terr.Message, SenderFault: terr.FaultType() == "Sender"})
			continue
		}
		m, merr := s.accept(t, e.in)
		if merr != nil {
			s.mu.Unlock()
			out.Failed.Members = append(out.Failed.Members, batchFailure{ID: e.id, Code: merr.Code, Message: merr.Message, SenderFault: true})
			continue
		}
		jobs = append(jobs, s.plan(t, m)...)
		s.mu.Unlock()
		out.Successful.Members = append(out.Successful.Members, batchSuccess{ID: e.id, MessageID: m.id, SequenceNumber: m.sequence})
	}
	s.deliverAll(jobs)
	return out, nil
}

// formatTimestamp is the SNS envelope timestamp: ISO 8601, UTC, milliseconds.
func formatTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
