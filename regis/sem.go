package regis

import (
	"container/list"
	"context"
	"sync"
)

// byteBudget bounds the bytes a publisher holds. Waiters are served first in,
// first out, so a large command is not starved by a stream of small ones.
type byteBudget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	closed  bool
	waiters list.List // of *budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when granted or when the budget closes
	err   error         // set before ready is closed when not granted
}

func newByteBudget(size int64) *byteBudget { return &byteBudget{size: size} }

// tryAcquire takes n bytes if it can without waiting.
func (b *byteBudget) tryAcquire(n int64) (ok bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, ErrClosed
	}
	if b.waiters.Len() == 0 && b.size-b.used >= n {
		b.used += n
		return true, nil
	}
	return false, nil
}

// acquire takes n bytes (n ≤ size), waiting until they are free, ctx is done
// or the budget is closed.
func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	if b.waiters.Len() == 0 && b.size-b.used >= n {
		b.used += n
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()

	select {
	case <-w.ready:
		return w.err
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready:
			// Granted (or closed) while we were giving up: give it back.
			if w.err == nil {
				b.used -= n
				b.grantLocked()
			}
		default:
			isFront := b.waiters.Front() == elem
			b.waiters.Remove(elem)
			if isFront {
				// The waiters behind may fit now.
				b.grantLocked()
			}
		}
		b.mu.Unlock()
		return ctx.Err()
	}
}

// release returns n bytes.
func (b *byteBudget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.used < 0 {
		b.mu.Unlock()
		panic("regis: released more buffer than acquired")
	}
	b.grantLocked()
	b.mu.Unlock()
}

func (b *byteBudget) grantLocked() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*budgetWaiter)
		if b.size-b.used < w.n {
			return
		}
		b.used += w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}

// close fails every waiter and every later acquire with ErrClosed.
func (b *byteBudget) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*budgetWaiter)
		w.err = ErrClosed
		b.waiters.Remove(e)
		close(w.ready)
	}
}

// inUse reports the bytes held.
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// waiting reports the number of blocked acquires.
func (b *byteBudget) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiters.Len()
}
