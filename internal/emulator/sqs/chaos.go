package sqs

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Delivery chaos (test hook).
//
// The emulator's standard queues are kinder than SQS: they hand out the
// oldest visible message first and a deleted message is gone for good. SQS
// promises neither. Its documentation for standard queues says:
//
//   - "best-effort ordering": messages may be delivered in an order other
//     than the one they were sent in;
//   - "at-least-once delivery": SQS keeps copies of a message on several
//     servers, and when one of them is unavailable during a DeleteMessage,
//     its copy is not deleted and "you might get that message copy again".
//
// SetDeliveryChaos lets a test turn both on for a queue, so that consumers
// are exercised against what SQS may really do, at a rate the test chooses,
// through the ordinary API (ReceiveMessage, DeleteMessage, event source
// mappings): nothing about the consumer is special-cased.

// DeliveryChaos configures the freedoms a standard queue takes.
type DeliveryChaos struct {
	// Shuffle makes every receive take visible messages in uniformly random
	// order instead of oldest first.
	Shuffle bool
	// DuplicateProbability is the chance, for each message, that its first
	// successful delete is lost (answered with success, as SQS does, but a
	// copy survives): the message becomes visible again and is delivered
	// once more. 1 delivers every message at least twice. A message loses
	// at most one delete.
	DuplicateProbability float64
	// DuplicateDelay bounds when the surviving copy becomes visible again:
	// after a uniformly random delay in [0, DuplicateDelay]. Zero means the
	// queue's visibility timeout.
	DuplicateDelay time.Duration
	// Seed seeds the random choices (0: a random seed).
	Seed uint64
}

// DeliveryChaosStats counts what delivery chaos did to a queue.
type DeliveryChaosStats struct {
	// Received is the number of messages received while shuffling.
	Received int64 `json:"received"`
	// OutOfOrder is how many of them were not the oldest visible message.
	OutOfOrder int64 `json:"out_of_order"`
	// LostDeletes is the number of deletes that were lost: each is one
	// more delivery of a message that was already deleted once.
	LostDeletes int64 `json:"lost_deletes"`
}

type queueChaos struct {
	cfg   DeliveryChaos
	rng   *rand.Rand
	stats DeliveryChaosStats
}

// SetDeliveryChaos turns delivery chaos on for the standard queue with ARN
// queueARN (a zero DeliveryChaos turns it off). FIFO queues keep their
// guarantees and refuse it.
func (s *Service) SetDeliveryChaos(queueARN string, c DeliveryChaos) error {
	if c.DuplicateProbability < 0 || c.DuplicateProbability > 1 {
		return fmt.Errorf("sqs: DuplicateProbability %v is not in [0, 1]", c.DuplicateProbability)
	}
	if c.DuplicateDelay < 0 {
		return fmt.Errorf("sqs: DuplicateDelay %s is negative", c.DuplicateDelay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueARN]
	if q == nil {
		return fmt.Errorf("sqs: no queue %s", queueARN)
	}
	if q.fifo {
		return fmt.Errorf("sqs: %s is a FIFO queue: it guarantees order and exactly-once processing", queueARN)
	}
	if c == (DeliveryChaos{}) {
		q.chaos = nil
		return nil
	}
	seed := c.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	q.chaos = &queueChaos{cfg: c, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	return nil
}

// DeliveryChaosStats returns the counters of a queue's delivery chaos.
func (s *Service) DeliveryChaosStats(queueARN string) (DeliveryChaosStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueARN]
	if q == nil || q.chaos == nil {
		return DeliveryChaosStats{}, false
	}
	return q.chaos.stats, true
}

// nextToReceive is the visible message a receive of a standard queue takes
// next: the oldest, or with Shuffle any of them. Callers hold s.mu.
func (q *queue) nextToReceive() *message {
	oldest := q.ready.top()
	c := q.chaos
	if c == nil || !c.cfg.Shuffle {
		return oldest
	}
	m := q.ready.items[c.rng.IntN(q.ready.Len())]
	c.stats.Received++
	if m != oldest {
		c.stats.OutOfOrder++
	}
	return m
}

// loseDelete decides whether the delete of the in-flight message m is lost
// and, if so, schedules the surviving copy. Callers hold s.mu.
func (q *queue) loseDelete(m *message, now time.Time) bool {
	c := q.chaos
	if c == nil || q.fifo || m.deleteLost || m.state != stateInflight || c.cfg.DuplicateProbability == 0 {
		return false
	}
	if c.cfg.DuplicateProbability < 1 && c.rng.Float64() >= c.cfg.DuplicateProbability {
		return false
	}
	m.deleteLost = true
	maxDelay := c.cfg.DuplicateDelay
	if maxDelay == 0 {
		maxDelay = time.Duration(q.attrs.VisibilityTimeout) * time.Second
	}
	var delay time.Duration
	if maxDelay > 0 {
		delay = time.Duration(c.rng.Int64N(int64(maxDelay) + 1))
	}
	m.visibleAt = now.Add(delay)
	q.pending.fix(m)
	c.stats.LostDeletes++
	// Long polls sleep until the earliest hidden message shows: that may
	// now be this one.
	q.signal()
	return true
}
