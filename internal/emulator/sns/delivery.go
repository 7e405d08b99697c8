package sns

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// DeliveryStats counts what happened to the messages of one subscription.
// Counters are kept after the subscription is deleted.
type DeliveryStats struct {
	// Delivered is the number of messages the endpoint accepted.
	Delivered int64 `json:"delivered"`
	// FilteredOut is the number of messages the filter policy rejected.
	FilteredOut int64 `json:"filtered_out"`
	// Failed is the number of delivery attempts that failed (each retry counts).
	Failed int64 `json:"failed"`
	// Retrying is the number of messages waiting for a retry.
	Retrying int64 `json:"retrying"`
	// Redriven is the number of messages moved to the RedrivePolicy DLQ.
	Redriven int64 `json:"redriven"`
	// RedriveFailed is the number of messages the DLQ refused (then dropped).
	RedriveFailed int64 `json:"redrive_failed"`
	// Dropped is the number of messages discarded: undeliverable without a
	// DLQ, refused by the DLQ, or pending when the subscription was deleted.
	Dropped int64 `json:"dropped"`
	// LastError is the last delivery error, "Code: message".
	LastError string `json:"last_error,omitempty"`
}

// RetryPolicy is how SNS retries deliveries that fail with a server-side
// error. AWS's policy for SQS endpoints has four phases: 3 immediate retries,
// 2 retries 1 s apart, 10 retries backing off exponentially from 1 s to
// 20 s, then 100,000 retries 20 s apart (23 days). The emulator bounds the
// last phase; delays run on the emulator clock, so tests advance it.
type RetryPolicy struct {
	NoDelayRetries  int
	MinDelayRetries int
	MinDelay        time.Duration
	BackoffRetries  int
	MaxDelay        time.Duration
	MaxDelayRetries int
}

// DefaultRetryPolicy is AWS's SQS delivery policy with its 20-second phase
// cut to 100 retries (about 35 minutes of emulated time in all).
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{NoDelayRetries: 3, MinDelayRetries: 2, MinDelay: time.Second, BackoffRetries: 10, MaxDelay: 20 * time.Second, MaxDelayRetries: 100}
}

// Retries is the number of retries after the first attempt.
func (p RetryPolicy) Retries() int {
	return p.NoDelayRetries + p.MinDelayRetries + p.BackoffRetries + p.MaxDelayRetries
}

// Delay is the wait before retry i (1-based).
func (p RetryPolicy) Delay(i int) time.Duration {
	switch {
	case i <= p.NoDelayRetries:
		return 0
	case i <= p.NoDelayRetries+p.MinDelayRetries:
		return p.MinDelay
	case i <= p.NoDelayRetries+p.MinDelayRetries+p.BackoffRetries:
		k := i - p.NoDelayRetries - p.MinDelayRetries
		if p.MinDelay <= 0 || p.MaxDelay <= p.MinDelay {
			return p.MaxDelay
		}
		ratio := float64(p.MaxDelay) / float64(p.MinDelay)
		return time.Duration(float64(p.MinDelay) * math.Pow(ratio, float64(k)/float64(p.BackoffRetries)))
	}
	return p.MaxDelay
}

// SetRetryPolicy changes the retry policy of later failures.
func (s *Service) SetRetryPolicy(p RetryPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retry = p
}

// SubscriptionStats returns the delivery counters of a subscription.
func (s *Service) SubscriptionStats(subscriptionARN string) (DeliveryStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stats[subscriptionARN]
	if !ok {
		return DeliveryStats{}, false
	}
	return *st, true
}

// RetriesInFlight is the number of messages, across subscriptions, waiting
// for a delivery retry.
func (s *Service) RetriesInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.stats {
		n += int(st.Retrying)
	}
	return n
}

// bump updates the counters of a subscription under the lock.
func (s *Service) bump(subARN string, f func(*DeliveryStats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats[subARN]
	if st == nil {
		st = &DeliveryStats{}
		s.stats[subARN] = st
	}
	f(st)
}

// deliveryJob is one message for one subscription, planned under the lock.
type deliveryJob struct {
	msg        *message
	subARN     string
	queueARN   string
	raw        bool
	filter     *FilterPolicy
	dlq        string
	sigVersion string
}

// plan lists the deliveries of m: every confirmed SQS subscription of t.
// s.mu must be held.
func (s *Service) plan(t *topic, m *message) []deliveryJob {
	if m.duplicate {
		return nil
	}
	var jobs []deliveryJob
	for _, arn := range t.subs {
		sub := s.subs[arn]
		if sub == nil || sub.pending || sub.protocol != "sqs" {
			continue
		}
		jobs = append(jobs, deliveryJob{
			msg: m, subARN: sub.arn, queueARN: sub.endpoint, raw: sub.raw(),
			filter: sub.filter, dlq: sub.dlq, sigVersion: t.attr("SignatureVersion"),
		})
	}
	return jobs
}

func (s *Service) deliverer() core.QueueDeliverer {
	d, _ := s.env.Lookup("sqs").(core.QueueDeliverer)
	return d
}

// deliverAll filters and delivers planned jobs. It must be called without
// the lock: it calls SQS.
func (s *Service) deliverAll(jobs []deliveryJob) {
	for _, job := range jobs {
		text := job.msg.textFor("sqs")
		if job.filter != nil && !job.filter.Match(text, job.msg.attrs) {
			s.bump(job.subARN, func(st *DeliveryStats) { st.FilteredOut++ })
			continue
		}
		d := core.SNSDelivery{QueueARN: job.queueARN, TopicARN: job.msg.topicARN}
		if job.raw {
			d.Body = text
			d.MessageAttributes = job.msg.attrs
		} else {
			d.Body = s.envelope(job.msg, text, job.subARN, job.sigVersion)
		}
		if job.msg.fifo {
			d.MessageGroupID, d.MessageDeduplicationID = job.msg.groupID, job.msg.dedupID
		} else if job.msg.groupID != "" {
			d.MessageGroupID = job.msg.groupID
		}
		s.attempt(job, d)
	}
}

// serverError reports whether SNS would retry a delivery error: the endpoint
// failed or throttled. Client errors (queue gone, policy refusal, KMS access)
// are not retried, as on AWS.
func serverError(e *core.APIError) bool {
	if e.HTTPStatus() >= 500 || e.FaultType() == "Receiver" || e.HTTPStatus() == http.StatusTooManyRequests {
		return true
	}
	code := strings.ToLower(e.Code)
	return strings.Contains(code, "throttl") || code == "requestthrottled" || code == "serviceunavailable"
}

func (s *Service) send(d core.SNSDelivery) *core.APIError {
	q := s.deliverer()
	if q == nil {
		return core.Errorf("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist (no SQS service is registered).")
	}
	return q.DeliverFromSNS(s.ctx, d)
}

// attempt makes the first delivery attempt and handles its failure.
func (s *Service) attempt(job deliveryJob, d core.SNSDelivery) {
	err := s.send(d)
	if err == nil {
		s.bump(job.subARN, func(st *DeliveryStats) { st.Delivered++ })
		return
	}
	s.bump(job.subARN, func(st *DeliveryStats) { st.Failed++; st.LastError = err.Error() })
	if serverError(err) {
		s.scheduleRetry(job, d)
		return
	}
	s.redrive(job, d)
}

// scheduleRetry retries a delivery in the background on the emulator clock.
func (s *Service) scheduleRetry(job deliveryJob, d core.SNSDelivery) {
	s.mu.Lock()
	st := s.stats[job.subARN]
	if st == nil {
		st = &DeliveryStats{}
		s.stats[job.subARN] = st
	}
	if s.closed {
		st.Dropped++
		s.mu.Unlock()
		return
	}
	st.Retrying++
	policy := s.retry
	s.wg.Add(1)
	s.mu.Unlock()

	go func() {
		defer s.wg.Done()
		defer s.bump(job.subARN, func(st *DeliveryStats) { st.Retrying-- })
		for i := 1; i <= policy.Retries(); i++ {
			if !s.env.Clock.Sleep(s.ctx, policy.Delay(i)) || s.ctx.Err() != nil {
				return
			}
			s.mu.Lock()
			_, exists := s.subs[job.subARN]
			s.mu.Unlock()
			if !exists {
				s.bump(job.subARN, func(st *DeliveryStats) { st.Dropped++ })
				return
			}
			err := s.send(d)
			if err == nil {
				s.bump(job.subARN, func(st *DeliveryStats) { st.Delivered++ })
				return
			}
			s.bump(job.subARN, func(st *DeliveryStats) { st.Failed++; st.LastError = err.Error() })
			if !serverError(err) {
				break
			}
		}
		s.redrive(job, d)
	}()
}

// redrive sends an undeliverable message to the subscription's DLQ, or
// drops it.
func (s *Service) redrive(job deliveryJob, d core.SNSDelivery) {
	s.mu.Lock()
	dlq := job.dlq
	if sub := s.subs[job.subARN]; sub != nil {
		dlq = sub.dlq
	}
	s.mu.Unlock()
	if dlq == "" {
		s.bump(job.subARN, func(st *DeliveryStats) { st.Dropped++ })
		return
	}
	d.QueueARN = dlq
	if err := s.send(d); err != nil {
		s.bump(job.subARN, func(st *DeliveryStats) {
			st.RedriveFailed++
			st.Dropped++
			st.LastError = err.Error()
		})
		return
	}
	s.bump(job.subARN, func(st *DeliveryStats) { st.Redriven++ })
}

// ---------------------------------------------------------------- envelope

// envelope builds the JSON document SNS delivers without raw delivery, in
// AWS's field order and layout.
func (s *Service) envelope(m *message, text, subARN, sigVersion string) string {
	host := "https://sns." + m.region + ".amazonaws.com/"
	ts := formatTimestamp(m.timestamp)
	sg := s.getSigner()
	signature, certURL := "", host
	if sg != nil {
		signature = sg.sign(sigVersion, "Notification", m.id, m.topicARN, m.subject, text, ts)
		certURL = host + sg.certName
	}
	var b strings.Builder
	field := func(name, value string, last bool) {
		b.WriteString("  ")
		b.WriteString(jsonString(name))
		b.WriteString(" : ")
		b.WriteString(jsonString(value))
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("{\n")
	field("Type", "Notification", false)
	field("MessageId", m.id, false)
	if m.sequence != "" {
		field("SequenceNumber", m.sequence, false)
	}
	field("TopicArn", m.topicARN, false)
	if m.subject != "" {
		field("Subject", m.subject, false)
	}
	field("Message", text, false)
	field("Timestamp", ts, false)
	field("SignatureVersion", sigVersion, false)
	field("Signature", signature, false)
	field("SigningCertURL", certURL, false)
	field("UnsubscribeURL", host+"?Action=Unsubscribe&SubscriptionArn="+subARN, len(m.attrs) == 0)
	if len(m.attrs) > 0 {
		b.WriteString("  \"MessageAttributes\" : {\n")
		names := make([]string, 0, len(m.attrs))
		for n := range m.attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			a := m.attrs[n]
			value := a.StringValue
			if baseType(a.DataType) == "Binary" {
				value = base64.StdEncoding.EncodeToString(a.BinaryValue)
			}
			b.WriteString("    ")
			b.WriteString(jsonString(n))
			b.WriteString(" : {\"Type\":")
			b.WriteString(jsonString(a.DataType))
			b.WriteString(",\"Value\":")
			b.WriteString(jsonString(value))
			b.WriteString("}")
			if i < len(names)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}")
	return b.String()
}

// jsonString encodes s as a JSON string without HTML escaping.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
