package sqs

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ---------------------------------------------------------- SendMessage

type sendMessageInput struct {
	QueueURL                string               `json:"QueueUrl"`
	MessageBody             *string              `json:"MessageBody"`
	DelaySeconds            *int64               `json:"DelaySeconds"`
	MessageAttributes       map[string]attrInput `json:"MessageAttributes" query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]attrInput `json:"MessageSystemAttributes" query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationID  *string              `json:"MessageDeduplicationId"`
	MessageGroupID          *string              `json:"MessageGroupId"`
}

func (in sendMessageInput) send() sendInput {
	return sendInput{Body: in.MessageBody, DelaySeconds: in.DelaySeconds, MessageAttributes: in.MessageAttributes,
		SystemAttributes: in.MessageSystemAttributes, DedupID: in.MessageDeduplicationID, GroupID: in.MessageGroupID}
}

type sendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageID                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

func (s *Service) sendMessage(req *core.Request) (any, *core.APIError) {
	var in sendMessageInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	m, delay, err := q.prepare(in.send(), req.AccountID)
	if err != nil {
		return nil, err
	}
	r := q.send(m, delay, now)
	return sendMessageOutput{MD5OfMessageBody: r.MD5Body, MD5OfMessageAttributes: r.MD5Attributes,
		MD5OfMessageSystemAttributes: r.MD5SysAttributes, MessageID: r.MessageID, SequenceNumber: r.SequenceNumber}, nil
}

// ----------------------------------------------------------- batches

func itoa(n int) string { return strconv.Itoa(n) }

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

type batchError struct {
	ID          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

func entryFailure(id string, e *core.APIError) batchError {
	return batchError{ID: id, SenderFault: e.FaultType() == "Sender", Code: e.Code, Message: e.Message}
}

// checkBatch applies the checks every batch action makes on its entry ids.
func checkBatch(entryName string, ids []string) *core.APIError {
	if len(ids) == 0 {
		return errBatch("EmptyBatchRequest", "There should be at least one "+entryName+" in the request.")
	}
	if len(ids) > 10 {
		return errBatch("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent "+itoa(len(ids))+".")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchIDRE.MatchString(id) {
			return errBatch("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errBatch("BatchEntryIdsNotDistinct", "Id "+id+" repeated.")
		}
		seen[id] = true
	}
	return nil
}

type sendBatchEntry struct {
	ID                      string               `json:"Id"`
	MessageBody             *string              `json:"MessageBody"`
	DelaySeconds            *int64               `json:"DelaySeconds"`
	MessageAttributes       map[string]attrInput `json:"MessageAttributes" query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]attrInput `json:"MessageSystemAttributes" query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationID  *string              `json:"MessageDeduplicationId"`
	MessageGroupID          *string              `json:"MessageGroupId"`
}

// rawSize is the size an entry counts for BatchRequestTooLong.
func (e sendBatchEntry) rawSize() int {
	n := 0
	if e.MessageBody != nil {
		n += len(*e.MessageBody)
	}
	for name, a := range e.MessageAttributes {
		n += len(name)
		if a.DataType != nil {
			n += len(*a.DataType)
		}
		if a.StringValue != nil {
			n += len(*a.StringValue)
		}
		n += len(a.BinaryValue)
	}
	return n
}

type sendBatchResult struct {
	ID                           string `json:"Id"`
	MessageID                    string `json:"MessageId"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

func (s *Service) sendMessageBatch(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string           `json:"QueueUrl"`
		Entries  []sendBatchEntry `json:"Entries" query:"SendMessageBatchRequestEntry,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.ID
		total += e.rawSize()
	}
	if err := checkBatch("SendMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if total > MaxMessageSize {
		return nil, errBatch("BatchRequestTooLong", "Batch requests cannot be longer than "+itoa(MaxMessageSize)+" bytes. You have sent "+itoa(total)+" bytes.")
	}
	out := struct {
		Successful []sendBatchResult `json:"Successful" query:"SendMessageBatchResultEntry,flat"`
		Failed     []batchError      `json:"Failed" query:"BatchResultErrorEntry,flat"`
	}{Successful: []sendBatchResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		m, delay, err := q.prepare(sendInput{Body: e.MessageBody, DelaySeconds: e.DelaySeconds, MessageAttributes: e.MessageAttributes,
			SystemAttributes: e.MessageSystemAttributes, DedupID: e.MessageDeduplicationID, GroupID: e.MessageGroupID}, req.AccountID)
		if err != nil {
			out.Failed = append(out.Failed, entryFailure(e.ID, err))
			continue
		}
		r := q.send(m, delay, now)
		out.Successful = append(out.Successful, sendBatchResult{ID: e.ID, MessageID: r.MessageID, MD5OfMessageBody: r.MD5Body,
			MD5OfMessageAttributes: r.MD5Attributes, MD5OfMessageSystemAttributes: r.MD5SysAttributes, SequenceNumber: r.SequenceNumber})
	}
	return out, nil
}

// ------------------------------------------------------- ReceiveMessage

type receiveInput struct {
	QueueURL                    string   `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames" query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames" query:"MessageSystemAttributeName,flat"`
	MessageAttributeNames       []string `json:"MessageAttributeNames" query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         *int64   `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int64   `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int64   `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptID     *string  `json:"ReceiveRequestAttemptId"`
}

type messageOutput struct {
	MessageID              string                `json:"MessageId"`
	ReceiptHandle          string                `json:"ReceiptHandle"`
	MD5OfBody              string                `json:"MD5OfBody"`
	Body                   string                `json:"Body"`
	Attributes             map[string]string     `json:"Attributes,omitempty" query:"Attribute,flat,key=Name,value=Value"`
	MD5OfMessageAttributes string                `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]attrOutput `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat,key=Name,value=Value"`
}

var messageSystemAttributeNames = map[string]bool{
	"All": true, "SenderId": true, "SentTimestamp": true, "ApproximateReceiveCount": true,
	"ApproximateFirstReceiveTimestamp": true, "SequenceNumber": true, "MessageDeduplicationId": true,
	"MessageGroupId": true, "AWSTraceHeader": true, "DeadLetterQueueSourceArn": true,
}

func (s *Service) receiveMessage(req *core.Request) (any, *core.APIError) {
	var in receiveInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	limit := 1
	if in.MaxNumberOfMessages != nil {
		if v := *in.MaxNumberOfMessages; v < 1 || v > 10 {
			return nil, errParam(v, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
		}
		limit = int(*in.MaxNumberOfMessages)
	}
	if in.VisibilityTimeout != nil {
		if v := *in.VisibilityTimeout; v < 0 || v > maxVisibilityTimeout {
			return nil, errParam(v, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.")
		}
	}
	if in.WaitTimeSeconds != nil {
		if v := *in.WaitTimeSeconds; v < 0 || v > maxWaitTime {
			return nil, errParam(v, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
		}
	}
	sysNames := append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...)
	for _, n := range in.MessageSystemAttributeNames {
		if !messageSystemAttributeNames[n] {
			return nil, errInvalidAttributeName(n)
		}
	}
	s.mu.Lock()
	q, err := s.queueByURL(req, in.QueueURL)
	var wait time.Duration
	if err == nil {
		wait = time.Duration(q.attrs.ReceiveMessageWaitTimeSeconds) * time.Second
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if in.WaitTimeSeconds != nil {
		wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	var out struct {
		Messages []messageOutput `json:"Messages,omitempty" query:"Message,flat"`
	}
	err = s.receiveWait(req.HTTP.Context(), q.arn, limit, in.VisibilityTimeout, wait, func(q *queue, rs []received) {
		for _, r := range rs {
			out.Messages = append(out.Messages, q.render(r, sysNames, in.MessageAttributeNames))
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// render builds the ReceiveMessage view of a received message with the
// requested system and user attributes. Callers hold s.mu.
func (q *queue) render(r received, sysNames, attrNames []string) messageOutput {
	m := r.m
	out := messageOutput{MessageID: m.id, ReceiptHandle: r.handle, MD5OfBody: m.md5Body, Body: m.body}
	if len(sysNames) > 0 {
		all := q.systemAttributes(r)
		out.Attributes = map[string]string{}
		for _, n := range sysNames {
			if n == "All" {
				out.Attributes = all
				break
			}
			if v, ok := all[n]; ok {
				out.Attributes[n] = v
			}
		}
		if len(out.Attributes) == 0 {
			out.Attributes = nil
		}
	}
	selected := selectAttributes(m.attrs, attrNames)
	if len(selected) > 0 {
		out.MessageAttributes = make(map[string]attrOutput, len(selected))
		for k, a := range selected {
			out.MessageAttributes[k] = toAttrOutput(a)
		}
		out.MD5OfMessageAttributes = md5OfAttributes(selected)
	} else {
		out.MD5OfMessageAttributes = md5OfAttributes(m.attrs)
	}
	return out
}

// selectAttributes picks the message attributes a receive asked for: "All"
// or ".*" for every one, "prefix.*" for those under a prefix, or exact names.
func selectAttributes(attrs map[string]core.MessageAttribute, names []string) map[string]core.MessageAttribute {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]core.MessageAttribute{}
	for _, n := range names {
		switch {
		case n == "All" || n == ".*":
			return attrs
		case strings.HasSuffix(n, ".*"):
			prefix := strings.TrimSuffix(n, "*")
			for k, a := range attrs {
				if strings.HasPrefix(k, prefix) {
					out[k] = a
				}
			}
		default:
			if a, ok := attrs[n]; ok {
				out[n] = a
			}
		}
	}
	return out
}

// receiveWait receives from the queue with ARN arn, long polling up to wait
// (in emulated time) until at least one message is available. It never holds
// s.mu while waiting; it wakes on new or newly visible messages, on clock
// changes, on ctx's end and on shutdown. convert runs under s.mu with what
// was received (possibly nothing; q is nil when the queue was deleted).
func (s *Service) receiveWait(ctx context.Context, arn string, limit int, visibility *int64, wait time.Duration, convert func(q *queue, rs []received)) *core.APIError {
	clock := s.env.Clock
	deadline := clock.Now().Add(wait)
	first := true
	for {
		changed := clock.Changed()
		now := clock.Now()
		s.mu.Lock()
		q := s.queues[arn]
		if q == nil {
			s.mu.Unlock()
			if first {
				return errQueueDoesNotExist()
			}
			return nil
		}
		first = false
		vis := time.Duration(q.attrs.VisibilityTimeout) * time.Second
		if visibility != nil {
			vis = time.Duration(*visibility) * time.Second
		}
		rs := s.receive(q, limit, vis, now)
		if len(rs) > 0 || !now.Before(deadline) || done(ctx) {
			convert(q, rs)
			s.mu.Unlock()
			return nil
		}
		next := deadline
		if t, ok := q.nextWake(); ok && t.Before(next) {
			next = t
		}
		q.waiters++
		notify := q.notify
		s.mu.Unlock()

		d := max(next.Sub(clock.Now()), time.Millisecond)
		t := time.NewTimer(d)
		stop := false
		select {
		case <-notify:
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
		case <-s.closing:
			stop = true
		}
		t.Stop()
		s.mu.Lock()
		q.waiters--
		s.mu.Unlock()
		if stop {
			return nil
		}
	}
}

// done reports whether ctx has ended (the client went away): a long poll
// then answers with nothing.
func done(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// -------------------------------------------------------- DeleteMessage

func (s *Service) deleteMessage(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL      string `json:"QueueUrl"`
		ReceiptHandle string `json:"ReceiptHandle"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, q.deleteByHandle(in.ReceiptHandle, now)
}

type idResult struct {
	ID string `json:"Id"`
}

func (s *Service) deleteMessageBatch(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []struct {
			ID            string `json:"Id"`
			ReceiptHandle string `json:"ReceiptHandle"`
		} `json:"Entries" query:"DeleteMessageBatchRequestEntry,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.ID
	}
	if err := checkBatch("DeleteMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	out := struct {
		Successful []idResult   `json:"Successful" query:"DeleteMessageBatchResultEntry,flat"`
		Failed     []batchError `json:"Failed" query:"BatchResultErrorEntry,flat"`
	}{Successful: []idResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := q.deleteByHandle(e.ReceiptHandle, now); err != nil {
			out.Failed = append(out.Failed, entryFailure(e.ID, err))
			continue
		}
		out.Successful = append(out.Successful, idResult{e.ID})
	}
	return out, nil
}

// ---------------------------------------------- ChangeMessageVisibility

func (s *Service) changeMessageVisibility(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL          string `json:"QueueUrl"`
		ReceiptHandle     string `json:"ReceiptHandle"`
		VisibilityTimeout *int64 `json:"VisibilityTimeout"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.VisibilityTimeout == nil {
		return nil, errMissingParameter("VisibilityTimeout")
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	return nil, q.changeVisibility(in.ReceiptHandle, *in.VisibilityTimeout, now)
}

func (s *Service) changeMessageVisibilityBatch(req *core.Request) (any, *core.APIError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []struct {
			ID                string `json:"Id"`
			ReceiptHandle     string `json:"ReceiptHandle"`
			VisibilityTimeout *int64 `json:"VisibilityTimeout"`
		} `json:"Entries" query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.ID
	}
	if err := checkBatch("ChangeMessageVisibilityBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(req, in.QueueURL)
	if err != nil {
		return nil, err
	}
	out := struct {
		Successful []idResult   `json:"Successful" query:"ChangeMessageVisibilityBatchResultEntry,flat"`
		Failed     []batchError `json:"Failed" query:"BatchResultErrorEntry,flat"`
	}{Successful: []idResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		var timeout int64
		if e.VisibilityTimeout != nil {
			timeout = *e.VisibilityTimeout
		}
		if err := q.changeVisibility(e.ReceiptHandle, timeout, now); err != nil {
			out.Failed = append(out.Failed, entryFailure(e.ID, err))
			continue
		}
		out.Successful = append(out.Successful, idResult{e.ID})
	}
	return out, nil
}
