package core

import (
	"context"
	"sync"
	"time"
)

// Clock is the emulator's time: the wall clock plus an offset that tests can
// advance, so that hour-long AWS timers (retention, tombstones) are testable
// without waiting. Short waits (long polling, visibility timeouts of a few
// seconds) still pass in real time.
type Clock struct {
	mu      sync.Mutex
	offset  time.Duration
	changed chan struct{}
}

// NewClock returns a clock at wall time.
func NewClock() *Clock { return &Clock{changed: make(chan struct{})} }

// Now returns the emulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves emulated time forward by d and wakes every waiter.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	ch := c.changed
	c.changed = make(chan struct{})
	c.mu.Unlock()
	close(ch)
}

// Changed returns a channel closed at the next Advance.
func (c *Clock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// Sleep waits until emulated time has moved by d (in real time or by
// Advance), or ctx ends. It reports whether the full duration passed.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) bool {
	deadline := c.Now().Add(d)
	for {
		left := deadline.Sub(c.Now())
		if left <= 0 {
			return true
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-c.Changed():
			t.Stop()
		case <-t.C:
		}
	}
}

// Millis returns t in epoch milliseconds, the unit of SQS timestamps.
func Millis(t time.Time) int64 { return t.UnixNano() / int64(time.Millisecond) }
