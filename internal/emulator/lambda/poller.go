package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Poller timing.
const (
	longPoll       = 20 * time.Second
	maxEventBytes  = 6 << 20
	problemBackoff = time.Second
)

// lambdaAttributes are the SQS system attributes Lambda puts in events.
var lambdaAttributes = []string{
	"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
	"SequenceNumber", "MessageGroupId", "MessageDeduplicationId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
}

// pollSnapshot is a mapping's configuration as one poll cycle uses it.
type pollSnapshot struct {
	region, account string
	queueARN        string
	fn              functionRef
	batchSize       int
	window          time.Duration
	reportFailures  bool
	maxPollers      int
	active          bool
	gone            bool
	readyAt         time.Time
	changed         chan struct{}
}

// startWorkerLocked starts a poller for m. Callers hold s.mu.
func (s *Service) startWorkerLocked(m *mapping) {
	id := m.nextWorker
	m.nextWorker++
	m.stats.Pollers++
	if m.stats.Pollers > m.stats.MaxPollers {
		m.stats.MaxPollers = m.stats.Pollers
	}
	s.wg.Add(1)
	go s.pollWorker(m, id)
}

func (s *Service) snapshot(m *mapping) pollSnapshot {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := pollSnapshot{
		region: m.region, account: m.account, queueARN: m.queueARN, fn: m.fn, batchSize: m.batchSize,
		window: time.Duration(m.window) * time.Second, reportFailures: m.reportsFailures(),
		active: m.active(now) && !s.closed, gone: m.deleted || s.closed, readyAt: m.readyAt, changed: m.changed,
		maxPollers: defaultPollers,
	}
	if m.maxConcurrency != nil {
		sn.maxPollers = *m.maxConcurrency
	}
	if f := s.functions[functionKey(m.region, m.fn.name)]; f != nil && f.reserved != nil && *f.reserved < sn.maxPollers {
		sn.maxPollers = max(*f.reserved, 1)
	}
	return sn
}

// functionReady reports whether a mapping's function can be invoked now.
func (s *Service) functionReady(region string, ref functionRef) bool {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.functions[functionKey(region, ref.name)]
	if f == nil {
		return false
	}
	v := f.serving(now)
	if ref.qualifier != "" && ref.qualifier != latest {
		v = f.versions[ref.qualifier]
	}
	return v != nil && (!now.Before(v.readyAt) || v.update)
}

// waitChange waits for a change of the mapping, d of emulator time, or the end.
func (s *Service) waitChange(changed chan struct{}, d time.Duration) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		select {
		case <-changed:
			cancel()
		case <-ctx.Done():
		}
	}()
	s.env.Clock.Sleep(ctx, d)
}

func (s *Service) stopWorker(m *mapping) {
	s.mu.Lock()
	m.stats.Pollers--
	s.mu.Unlock()
}

// pollWorker is one poller of a mapping. Poller 0 lives as long as the
// mapping; the others exit when the queue runs dry.
func (s *Service) pollWorker(m *mapping, id int) {
	defer s.wg.Done()
	defer s.stopWorker(m)
	for {
		if s.ctx.Err() != nil {
			return
		}
		sn := s.snapshot(m)
		if sn.gone {
			return
		}
		if !sn.active {
			if id > 0 {
				return
			}
			wait := time.Second
			if d := sn.readyAt.Sub(s.env.Clock.Now()); d > 0 && d < wait {
				wait = d
			}
			s.waitChange(sn.changed, wait)
			continue
		}
		qc, ok := s.env.Lookup("sqs").(core.QueueConsumer)
		if !ok || !s.functionReady(sn.region, sn.fn) {
			s.setResult(m, "PROBLEM: Function not ready")
			s.waitChange(sn.changed, problemBackoff)
			continue
		}
		batch := s.gather(m, qc, sn)
		if len(batch) == 0 {
			if id > 0 {
				return
			}
			continue
		}
		if len(batch) >= sn.batchSize {
			s.mu.Lock()
			if m.stats.Pollers < sn.maxPollers && !m.deleted && !s.closed {
				s.startWorkerLocked(m)
			}
			s.mu.Unlock()
		}
		s.process(m, qc, sn, batch)
	}
}

// changeContext is canceled when the mapping changes or the service stops.
func (s *Service) changeContext(changed chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(s.ctx)
	go func() {
		select {
		case <-changed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// gather receives a batch: one long poll, then, with a batching window, more
// receives until the batch is full, the window has passed since the first
// message, or the event would exceed 6 MB. Messages beyond 6 MB are released.
func (s *Service) gather(m *mapping, qc core.QueueConsumer, sn pollSnapshot) []core.ReceivedMessage {
	ctx, cancel := s.changeContext(sn.changed)
	defer cancel()
	first, err := qc.ReceiveInternal(ctx, sn.queueARN, sn.batchSize, longPoll)
	s.count(m, func(st *MappingStats) { st.Polls++; st.MessagesReceived += int64(len(first)) })
	if err != nil {
		if ctx.Err() == nil {
			s.setResult(m, "PROBLEM: "+err.Message)
			s.waitChange(sn.changed, problemBackoff)
		}
		return nil
	}
	batch := first
	if sn.window > 0 && len(batch) > 0 {
		deadline := s.env.Clock.Now().Add(sn.window)
		for len(batch) < sn.batchSize && eventSize(batch) < maxEventBytes {
			left := deadline.Sub(s.env.Clock.Now())
			if left <= 0 {
				break
			}
			more, err := qc.ReceiveInternal(ctx, sn.queueARN, sn.batchSize-len(batch), min(left, longPoll))
			s.count(m, func(st *MappingStats) { st.Polls++; st.MessagesReceived += int64(len(more)) })
			if err != nil {
				break
			}
			batch = append(batch, more...)
		}
	}
	// Keep the batch under the 6 MB invocation payload; release the rest.
	size := len(`{"Records":[]}`)
	for i, msg := range batch {
		rec, _ := json.Marshal(sqsRecord(msg, sn))
		size += len(rec) + 1
		if size > maxEventBytes && i > 0 {
			for _, extra := range batch[i:] {
				_ = qc.ChangeVisibilityInternal(sn.queueARN, extra.ReceiptHandle, 0)
			}
			return batch[:i]
		}
	}
	return batch
}

func eventSize(batch []core.ReceivedMessage) int {
	n := 0
	for _, m := range batch {
		n += len(m.Body) + 512
		for k, a := range m.MessageAttributes {
			n += len(k) + len(a.StringValue) + len(a.BinaryValue)*4/3 + 64
		}
	}
	return n
}

// sqsMessageAttribute is an attribute in the SQS event's JSON.
type sqsMessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues []string `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

type sqsEventRecord struct {
	MessageID              string                         `json:"messageId"`
	ReceiptHandle          string                         `json:"receiptHandle"`
	Body                   string                         `json:"body"`
	Attributes             map[string]string              `json:"attributes"`
	MessageAttributes      map[string]sqsMessageAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes string                         `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                         `json:"md5OfBody"`
	EventSource            string                         `json:"eventSource"`
	EventSourceARN         string                         `json:"eventSourceARN"`
	AWSRegion              string                         `json:"awsRegion"`
}

func sqsRecord(msg core.ReceivedMessage, sn pollSnapshot) sqsEventRecord {
	rec := sqsEventRecord{
		MessageID: msg.MessageID, ReceiptHandle: msg.ReceiptHandle, Body: msg.Body,
		Attributes: map[string]string{}, MessageAttributes: map[string]sqsMessageAttribute{},
		MD5OfBody: msg.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: sn.queueARN, AWSRegion: sn.region,
	}
	for _, k := range lambdaAttributes {
		if v, ok := msg.Attributes[k]; ok {
			rec.Attributes[k] = v
		}
	}
	if len(msg.MessageAttributes) > 0 {
		rec.MD5OfMessageAttributes = msg.MD5OfMessageAttributes
	}
	for name, a := range msg.MessageAttributes {
		out := sqsMessageAttribute{DataType: a.DataType, StringListValues: []string{}, BinaryListValues: []string{}}
		if a.BinaryValue != nil {
			out.BinaryValue = a.BinaryValue
		} else {
			v := a.StringValue
			out.StringValue = &v
		}
		rec.MessageAttributes[name] = out
	}
	return rec
}

func (s *Service) count(m *mapping, f func(*MappingStats)) {
	s.mu.Lock()
	f(&m.stats)
	s.mu.Unlock()
}

func (s *Service) setResult(m *mapping, r string) {
	s.mu.Lock()
	m.lastResult = r
	s.mu.Unlock()
}

// process invokes the function with a batch and deletes what AWS would delete.
func (s *Service) process(m *mapping, qc core.QueueConsumer, sn pollSnapshot, batch []core.ReceivedMessage) {
	records := make([]sqsEventRecord, len(batch))
	ids := make(map[string]bool, len(batch))
	for i, msg := range batch {
		records[i] = sqsRecord(msg, sn)
		ids[msg.MessageID] = true
	}
	payload, _ := json.Marshal(map[string]any{"Records": records})
	s.count(m, func(st *MappingStats) { st.Batches++ })
	res, err := s.invoke(s.ctx, sn.region, sn.account, sn.fn, payload, "")
	if err != nil || res.functionError != "" {
		s.count(m, func(st *MappingStats) { st.FunctionErrors++; st.MessagesFailed += int64(len(batch)) })
		s.setResult(m, "PROBLEM: Function call failed")
		if err != nil {
			s.waitChange(sn.changed, problemBackoff)
		}
		return
	}
	s.count(m, func(st *MappingStats) { st.Invocations++ })
	failed := map[string]bool{}
	if sn.reportFailures {
		var ok bool
		if failed, ok = parseBatchItemFailures(res.payload, ids); !ok {
			s.count(m, func(st *MappingStats) { st.InvalidResponses++; st.MessagesFailed += int64(len(batch)) })
			s.setResult(m, "PROBLEM: Function returned an invalid batchItemFailures response")
			return
		}
		if len(failed) > 0 {
			s.count(m, func(st *MappingStats) { st.PartialFailures++; st.MessagesFailed += int64(len(failed)) })
		}
	}
	deleted := 0
	for _, msg := range batch {
		if failed[msg.MessageID] {
			continue
		}
		if qc.DeleteInternal(sn.queueARN, msg.ReceiptHandle) == nil {
			deleted++
		}
	}
	s.count(m, func(st *MappingStats) { st.MessagesDeleted += int64(deleted) })
	s.setResult(m, "OK")
}

// parseBatchItemFailures reads a ReportBatchItemFailures response. An empty
// or null response, or an empty or null batchItemFailures list, is a complete
// success; a response that is not a JSON object, an entry without an
// itemIdentifier, or an identifier that is empty or not in the batch fails
// the whole batch (ok false).
func parseBatchItemFailures(payload []byte, ids map[string]bool) (failed map[string]bool, ok bool) {
	failed = map[string]bool{}
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || string(p) == "null" {
		return failed, true
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(p, &resp); err != nil {
		return nil, false
	}
	raw, present := resp["batchItemFailures"]
	if !present || string(bytes.TrimSpace(raw)) == "null" {
		return failed, true
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	for _, it := range items {
		idRaw, has := it["itemIdentifier"]
		if !has {
			return nil, false
		}
		var id *string
		if err := json.Unmarshal(idRaw, &id); err != nil || id == nil || *id == "" || !ids[*id] {
			return nil, false
		}
		failed[*id] = true
	}
	return failed, true
}
