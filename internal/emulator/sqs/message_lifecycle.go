package sqs

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ------------------------------------------------------------ queue state

// tick brings q up to now: delayed and in-flight messages whose time came
// become visible, and messages older than the retention period vanish.
func (q *queue) tick(now time.Time) {
	promoted := false
	for q.pending.Len() > 0 {
		m := q.pending.top()
		if m.visibleAt.After(now) {
			break
		}
		q.pending.remove(m)
		q.leaveState(m)
		q.addReady(m)
		promoted = true
	}
	retention := time.Duration(q.attrs.MessageRetentionPeriod) * time.Second
	for q.expiry.Len() > 0 {
		m := q.expiry.top()
		if m.enqueuedAt.Add(retention).After(now) {
			break
		}
		q.removeMessage(m)
	}
	if promoted {
		q.signal()
	}
}

// leaveState updates the counters for m leaving its current state.
func (q *queue) leaveState(m *message) {
	switch m.state {
	case stateInflight:
		q.leaveInflight(m)
	case stateDelayed:
		q.delayed--
	}
}

// removeMessage deletes m from q.
func (q *queue) removeMessage(m *message) {
	if m.state == stateReady {
		q.removeReady(m)
	} else {
		q.pending.remove(m)
		q.leaveState(m)
	}
	q.expiry.remove(m)
	delete(q.msgs, m.id)
}

// purge deletes every message.
func (q *queue) purge() {
	q.clearReady()
	q.pending.clear()
	q.expiry.clear()
	q.msgs = map[string]*message{}
	q.inflight, q.delayed = 0, 0
}

// enqueue adds a new (or moved) message; delay is how long it stays hidden.
func (q *queue) enqueue(m *message, delay time.Duration, now time.Time) {
	q.seq++
	m.seq = q.seq
	m.heapIdx, m.expIdx = -1, -1
	q.msgs[m.id] = m
	q.expiry.add(m)
	if delay > 0 {
		m.state = stateDelayed
		m.visibleAt = now.Add(delay)
		q.delayed++
		q.pending.add(m)
	} else {
		m.visibleAt = now
		q.addReady(m)
	}
	q.signal()
}

// nextWake is when the earliest hidden message becomes visible.
func (q *queue) nextWake() (time.Time, bool) {
	if q.pending.Len() == 0 {
		return time.Time{}, false
	}
	return q.pending.top().visibleAt, true
}

// ---------------------------------------------------------------- sending

// sendInput is what SendMessage and one SendMessageBatch entry carry.
type sendInput struct {
	Body              *string
	DelaySeconds      *int64
	MessageAttributes map[string]attrInput
	SystemAttributes  map[string]attrInput
	DedupID           *string
	GroupID           *string
}

type sendResult struct {
	MessageID        string
	MD5Body          string
	MD5Attributes    string
	MD5SysAttributes string
	SequenceNumber   string
}

// fifoIDRE matches MessageGroupId and MessageDeduplicationId values:
// alphanumeric and punctuation characters, 1 to 128.
var fifoIDRE = regexp.MustCompile(`^[\x21-\x7E]{1,128}$`)

// fifoSeqBase makes FIFO sequence numbers 20 digits long, as AWS's are.
const fifoSeqBase uint64 = 10_000_000_000_000_000_000

// prepare validates a send and builds the message (without id/seq). It
// returns the size of the message for batch limits.
func (q *queue) prepare(in sendInput, senderID string) (*message, time.Duration, *core.APIError) {
	if in.Body == nil || *in.Body == "" {
		return nil, 0, errMissingParameter("MessageBody")
	}
	body := *in.Body
	if r, bad := invalidChar(body); bad {
		return nil, 0, core.Errorf("InvalidMessageContents",
			"Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
	}
	attrs, attrSize, err := validateAttributes(in.MessageAttributes)
	if err != nil {
		return nil, 0, err
	}
	sys, err := validateSystemAttributes(in.SystemAttributes)
	if err != nil {
		return nil, 0, err
	}
	size := len(body) + attrSize
	if size > q.attrs.MaximumMessageSize {
		return nil, 0, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.attrs.MaximumMessageSize)
	}
	delay := time.Duration(q.attrs.DelaySeconds) * time.Second
	if in.DelaySeconds != nil {
		d := *in.DelaySeconds
		if q.fifo {
			return nil, 0, errParam(d, "DelaySeconds", "The request include parameter that is not valid for this queue type.")
		}
		if d < 0 || d > maxDelay {
			return nil, 0, errParam(d, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
		}
		delay = time.Duration(d) * time.Second
	}
	m := &message{
		body:     body,
		attrs:    attrs,
		sysAttrs: sys,
		md5Body:  md5Hex(body),
		senderID: senderID,
		size:     size,
	}
	if in.GroupID != nil {
		if !fifoIDRE.MatchString(*in.GroupID) {
			return nil, 0, errParam(*in.GroupID, "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		m.groupID = *in.GroupID
	}
	if q.fifo {
		if m.groupID == "" {
			return nil, 0, errMissingParameter("MessageGroupId")
		}
		switch {
		case in.DedupID != nil:
			if !fifoIDRE.MatchString(*in.DedupID) {
				return nil, 0, errParam(*in.DedupID, "MessageDeduplicationId", "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
			}
			m.dedupID = *in.DedupID
		case q.attrs.ContentBasedDeduplication:
			sum := sha256.Sum256([]byte(body))
			m.dedupID = hex.EncodeToString(sum[:])
		default:
			return nil, 0, errInvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	} else if in.DedupID != nil {
		return nil, 0, errParam(*in.DedupID, "MessageDeduplicationId", "The request include parameter that is not valid for this queue type")
	}
	return m, delay, nil
}

// send enqueues a prepared message and returns what SendMessage answers.
func (q *queue) send(m *message, delay time.Duration, now time.Time) sendResult {
	q.tick(now)
	res := sendResult{MD5Body: m.md5Body, MD5Attributes: md5OfAttributes(m.attrs), MD5SysAttributes: md5OfAttributes(m.sysAttrs)}
	if q.fifo {
		key := m.dedupID
		if q.attrs.DeduplicationScope == "messageGroup" {
			key = m.groupID + "\x00" + key
		}
		for len(q.dedupOrder) > 0 && !q.dedupOrder[0].until.After(now) {
			old := q.dedupOrder[0]
			if e, ok := q.dedup[old.key]; ok && e.until.Equal(old.until) {
				delete(q.dedup, old.key)
			}
			q.dedupOrder[0] = dedupKey{}
			q.dedupOrder = q.dedupOrder[1:]
		}
		if e, dup := q.dedup[key]; dup {
			res.MessageID, res.SequenceNumber = e.messageID, e.seqNumber
			return res
		}
		q.fifoSeq++
		m.seqNumber = fmt.Sprintf("%d", fifoSeqBase+q.fifoSeq)
		m.id = core.NewRequestID()
		until := now.Add(fifoDedupWindow)
		q.dedup[key] = dedupEntry{until: until, messageID: m.id, seqNumber: m.seqNumber}
		q.dedupOrder = append(q.dedupOrder, dedupKey{key: key, until: until})
	} else {
		m.id = core.NewRequestID()
	}
	m.sentAt, m.enqueuedAt = now, now
	q.enqueue(m, delay, now)
	res.MessageID, res.SequenceNumber = m.id, m.seqNumber
	return res
}

// -------------------------------------------------------------- receiving

// receipt handles are opaque to clients; they name the queue, the message
// and the receive that produced them.
func receiptHandle(q *queue, m *message) string {
	raw := q.arn + "\x00" + m.id + "\x00" + m.nonce
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

type parsedHandle struct{ queueARN, messageID, nonce string }

func parseReceiptHandle(h string) (parsedHandle, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil || !utf8.Valid(raw) {
		return parsedHandle{}, false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return parsedHandle{}, false
	}
	return parsedHandle{parts[0], parts[1], parts[2]}, true
}

// received is one message handed to a consumer, with a snapshot of its
// state at the receive.
type received struct {
	m      *message
	handle string
	count  int
	first  time.Time
}

// receive takes up to limit visible messages and hides them for visibility.
// Messages received more than maxReceiveCount times move to the DLQ instead.
// A FIFO queue delivers the oldest messages of the groups with nothing in
// flight, several of a group in order. Callers hold s.mu.
func (s *Service) receive(q *queue, limit int, visibility time.Duration, now time.Time) []received {
	q.tick(now)
	var out []received
	var dlq *queue
	if rp := q.attrs.redrive; rp != nil {
		if d := s.queues[rp.DeadLetterTargetArn]; d != q {
			dlq = d
		}
	}
	take := func(m *message) {
		if dlq != nil && m.receiveCount >= q.attrs.redrive.MaxReceiveCount {
			q.removeMessage(m)
			s.deadLetter(q, dlq, m, now)
			return
		}
		q.removeReady(m)
		m.receiveCount++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.receivedAt = now
		m.nonce = core.RandomHex(8)
		q.setInflight(m, now.Add(visibility))
		out = append(out, received{m: m, handle: receiptHandle(q, m), count: m.receiveCount, first: m.firstReceive})
	}
	if !q.fifo {
		for len(out) < limit && q.ready.Len() > 0 {
			take(q.nextToReceive())
		}
		return out
	}
	// Each pass empties the oldest available group into the result (or
	// the DLQ) up to limit; a group with messages in flight leaves q.avail.
	for len(out) < limit && len(q.avail) > 0 {
		g := q.avail[0]
		for len(out) < limit && g.ready.Len() > 0 {
			take(g.ready.top())
		}
	}
	return out
}

// deadLetter moves m (already removed from src) to dlq, keeping its id, body,
// attributes and receive count. Standard queues keep the original enqueue
// time for retention; FIFO queues restart it.
func (s *Service) deadLetter(src, dlq *queue, m *message, now time.Time) {
	dlq.tick(now)
	m.dlqSource = src.arn
	if dlq.fifo {
		m.enqueuedAt = now
	}
	dlq.enqueue(m, 0, now)
}

// systemAttributes are the message system attributes of a received message.
func (q *queue) systemAttributes(r received) map[string]string {
	m := r.m
	out := map[string]string{
		"SenderId":                         m.senderID,
		"SentTimestamp":                    strconv.FormatInt(core.Millis(m.sentAt), 10),
		"ApproximateReceiveCount":          strconv.Itoa(r.count),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(core.Millis(r.first), 10),
	}
	if t, ok := m.sysAttrs["AWSTraceHeader"]; ok {
		out["AWSTraceHeader"] = t.StringValue
	}
	if m.groupID != "" {
		out["MessageGroupId"] = m.groupID
	}
	if q.fifo {
		out["MessageDeduplicationId"] = m.dedupID
		out["SequenceNumber"] = m.seqNumber
	}
	if m.dlqSource != "" {
		out["DeadLetterQueueSourceArn"] = m.dlqSource
	}
	return out
}

// ------------------------------------------------- delete and visibility

// findByHandle resolves a receipt handle on q. Callers hold s.mu.
func (q *queue) findByHandle(handle string) (*message, parsedHandle, *core.APIError) {
	if handle == "" {
		return nil, parsedHandle{}, errMissingParameter("ReceiptHandle")
	}
	p, ok := parseReceiptHandle(handle)
	if !ok || p.queueARN != q.arn {
		return nil, p, errReceiptHandleIsInvalid(handle)
	}
	return q.msgs[p.messageID], p, nil
}

// deleteByHandle is DeleteMessage. In a standard queue an older receipt
// handle of a message still deletes it and a handle of a message already
// gone succeeds; in a FIFO queue a handle whose receive has expired fails.
func (q *queue) deleteByHandle(handle string, now time.Time) *core.APIError {
	q.tick(now)
	m, p, err := q.findByHandle(handle)
	if err != nil {
		return err
	}
	if m == nil {
		return nil
	}
	if q.fifo && (m.nonce != p.nonce || m.state != stateInflight) {
		return errParam(handle, "ReceiptHandle", "The receipt handle has expired.")
	}
	if q.loseDelete(m, now) {
		return nil
	}
	q.removeMessage(m)
	return nil
}

// changeVisibility is ChangeMessageVisibility.
func (q *queue) changeVisibility(handle string, timeout int64, now time.Time) *core.APIError {
	q.tick(now)
	m, p, err := q.findByHandle(handle)
	if err != nil {
		return err
	}
	if timeout < 0 || timeout > maxVisibilityTimeout {
		return errParam(timeout, "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200")
	}
	if m == nil || m.nonce != p.nonce {
		return errParam(handle, "ReceiptHandle", "Message does not exist or is not available for visibility timeout change.")
	}
	if m.state != stateInflight {
		return &core.APIError{Code: "MessageNotInflight", QueryCode: "AWS.SimpleQueueService.MessageNotInflight",
			Message: "The message referred to isn't in flight."}
	}
	until := now.Add(time.Duration(timeout) * time.Second)
	if until.Sub(m.receivedAt) > maxVisibilityTimeout*time.Second {
		return errParam(timeout, "VisibilityTimeout", "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]")
	}
	m.visibleAt = until
	q.pending.fix(m)
	q.signal()
	return nil
}
