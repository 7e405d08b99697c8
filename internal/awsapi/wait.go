package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// StatusFunc reads an object and its state for WaitForState. The state of an
// object that no longer exists is "" (with a nil error), so that a wait for
// deletion has the target {""}.
type StatusFunc[T any] func(ctx context.Context) (obj T, state string, err error)

// WaitForState polls status until it reports a state in target, and returns
// the object seen then. States in pending keep it waiting, with the backoff
// of RetryWhen; any other state ends the wait with an *UnexpectedStateError
// (the caller may fill its Message with AWS's explanation). An error from
// status ends the wait with that error. After timeout it returns the last
// object seen and a *TimeoutError; when ctx is cancelled, an error wrapping
// ctx.Err().
func WaitForState[T any](ctx context.Context, timeout time.Duration, pending, target []string, status StatusFunc[T]) (T, error) {
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := FirstDelay
	var last T
	lastState := "(not yet read)"
	ended := func(err error) error {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("stopped waiting for state %s (last state %s): %w", QuoteStates(target), lastState, errors.Join(err, ctx.Err()))
		}
		return &TimeoutError{Timeout: timeout, Target: target, LastState: lastState, Err: err}
	}
	for {
		obj, state, err := status(wctx)
		if err != nil {
			if wctx.Err() != nil {
				return last, ended(err)
			}
			return obj, err
		}
		last, lastState = obj, QuoteStates([]string{state})
		switch {
		case slices.Contains(target, state):
			return obj, nil
		case !slices.Contains(pending, state):
			return obj, &UnexpectedStateError{State: state, Expected: target}
		}
		t := time.NewTimer(delay)
		select {
		case <-wctx.Done():
			t.Stop()
			return last, ended(nil)
		case <-t.C:
		}
		delay = nextDelay(delay)
	}
}

// UnexpectedStateError is a wait that ended in a state it did not expect.
type UnexpectedStateError struct {
	State    string
	Expected []string
	// Message is AWS's explanation of the state, when there is one.
	Message string
}

func (e *UnexpectedStateError) Error() string {
	s := fmt.Sprintf("unexpected state %s, wanted %s", QuoteStates([]string{e.State}), QuoteStates(e.Expected))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// TimeoutError is a wait that did not see a target state in time.
type TimeoutError struct {
	Timeout time.Duration
	Target  []string
	// LastState is the last state seen, quoted as QuoteStates does.
	LastState string
	// Err is the status function's error when the time ran out during a
	// read, nil otherwise.
	Err error
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("timed out after %s waiting for state %s (last state %s)", e.Timeout, QuoteStates(e.Target), e.LastState)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// QuoteStates renders states for a message: "Applied" or "Failed", with ""
// (the state of an object that is gone) as (gone).
func QuoteStates(states []string) string {
	q := make([]string, len(states))
	for i, s := range states {
		if s == "" {
			q[i] = "(gone)"
		} else {
			q[i] = fmt.Sprintf("%q", s)
		}
	}
	return strings.Join(q, " or ")
}
