// Package consumertest holds test doubles for the consumer, kept out of the
// shipped package: the Lambda never links it.
//
// It does not import the consumer package (whose own tests use it too), so
// its types are generic over the letter type: MemoryDLQ[consumer.DeadLetter]
// is a consumer.DLQSender.
package consumertest

import (
	"context"
	"sync"
)

// MemoryDLQ is an in-memory dead-letter queue.
type MemoryDLQ[L any] struct {
	// Fail, when set, decides per letter whether sending it fails.
	Fail func(L) error

	mu      sync.Mutex
	letters []L
}

// Send keeps the letters that Fail lets through and returns one error per
// letter (nil: kept), as consumer.DLQSender's Send does.
func (q *MemoryDLQ[L]) Send(_ context.Context, letters []L) []error {
	errs := make([]error, len(letters))
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, l := range letters {
		if q.Fail != nil {
			if errs[i] = q.Fail(l); errs[i] != nil {
				continue
			}
		}
		q.letters = append(q.letters, l)
	}
	return errs
}

// Letters returns the letters kept so far.
func (q *MemoryDLQ[L]) Letters() []L {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]L(nil), q.letters...)
}
