package sqs

import (
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

var _ core.QueueMetrics = (*Service)(nil)

// QueueStats implements core.QueueMetrics: the AWS/SQS CloudWatch metrics of
// a queue, identified by ARN, at the emulator's current time. OldestAge is
// measured from when the oldest message entered this queue.
func (s *Service) QueueStats(queueARN string) (core.QueueStats, bool) {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueARN]
	if q == nil {
		return core.QueueStats{}, false
	}
	q.tick(now)
	st := core.QueueStats{
		Visible:           q.readyN,
		NotVisible:        q.inflight,
		Delayed:           q.delayed,
		VisibilityTimeout: time.Duration(q.attrs.VisibilityTimeout) * time.Second,
	}
	if q.expiry.Len() > 0 {
		if age := now.Sub(q.expiry.top().enqueuedAt); age > 0 {
			st.OldestAge = age
		}
	}
	return st, true
}
