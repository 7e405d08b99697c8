package awsapi

import (
	"context"
	"errors"
	"time"
)

// The backoff of RetryWhen and WaitForState (see the package documentation
// for why): the first wait is FirstDelay, each next one twice the previous,
// at most MaxDelay.
const (
	FirstDelay = 250 * time.Millisecond
	MaxDelay   = 5 * time.Second
)

// nextDelay is the wait after one of d.
func nextDelay(d time.Duration) time.Duration { return min(d*2, MaxDelay) }

// RetryWhen calls fn until it succeeds, fails with an error retryable does
// not accept, or timeout passes, and returns fn's last result. It does not
// start a wait that would end after the timeout: it returns the last error
// then. When ctx ends during a wait it returns the last error joined with
// ctx.Err().
//
// fn is typically one SDK call:
//
//	out, err := awsapi.RetryWhen(ctx, 2*time.Minute,
//		func(ctx context.Context) (*lambda.CreateFunctionOutput, error) { return c.CreateFunction(ctx, in) },
//		iamNotPropagated)
func RetryWhen[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error), retryable func(error) bool) (T, error) {
	deadline := time.Now().Add(timeout)
	delay := FirstDelay
	for {
		out, err := fn(ctx)
		if err == nil || !retryable(err) || time.Now().Add(delay).After(deadline) {
			return out, err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return out, errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay = nextDelay(delay)
	}
}
