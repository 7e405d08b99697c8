package trafficpolicy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// isA reports whether err is, or wraps, an error of type T (an SDK error
// type such as *types.NoSuchTrafficPolicy).
func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// errNotFound is returned by the find helpers when the object is gone.
var errNotFound = errors.New("not found")

// notFound reports whether a find helper found nothing.
func notFound(err error) bool { return errors.Is(err, errNotFound) }

// configureClient is the Configure of every resource and data source here.
func configureClient(data any, diags *diag.Diagnostics) *conns.AWSClient {
	c, err := conns.FromProviderData(data)
	if err != nil {
		diags.AddError("Unexpected provider data", err.Error())
		return nil
	}
	return c
}

// notConfigured reports a missing client.
func notConfigured(c *conns.AWSClient, diags *diag.Diagnostics) bool {
	if c == nil {
		diags.AddError("Provider not configured", conns.NotConfiguredDetail)
		return true
	}
	return false
}

// Polling of Route 53's asynchronous work: first look after pollMin, then
// back off by half again each time up to pollMax.
const (
	pollMin = 250 * time.Millisecond
	pollMax = 5 * time.Second
)

// waitForState polls refresh until it reports a state in target. States in
// pending keep it waiting; any other state is an error (the caller adds the
// detail, e.g. Route 53's Message for Failed). "" is the state of an object
// that no longer exists, so a wait for deletion uses target {""}. It gives up
// after timeout, returning the last object seen.
func waitForState[T any](ctx context.Context, timeout time.Duration, pending, target []string, refresh func(context.Context) (T, string, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := pollMin
	var last T
	lastState := "(not yet read)"
	for {
		obj, state, err := refresh(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return last, fmt.Errorf("timed out after %s waiting for state %s (last state %s): %w", timeout, quoteStates(target), lastState, err)
			}
			return obj, err
		}
		last, lastState = obj, quoteStates([]string{state})
		switch {
		case slices.Contains(target, state):
			return obj, nil
		case !slices.Contains(pending, state):
			return obj, &unexpectedStateError{State: state, Expected: target}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("timed out after %s waiting for state %s (last state %s)", timeout, quoteStates(target), lastState)
		case <-time.After(delay):
		}
		delay = min(delay*3/2, pollMax)
	}
}

// unexpectedStateError is a wait that ended in a state it did not expect.
type unexpectedStateError struct {
	State    string
	Expected []string
	Message  string // Route 53's explanation, when there is one
}

func (e *unexpectedStateError) Error() string {
	s := fmt.Sprintf("unexpected state %s, wanted %s", quoteStates([]string{e.State}), quoteStates(e.Expected))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func quoteStates(states []string) string {
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

// retryWhen calls f until it succeeds, fails with an error retryable does not
// accept, or timeout passes. It is for API errors that say "try again later"
// (PriorRequestNotComplete, ConcurrentModification, eventual consistency);
// the SDK's retryer already retries throttling.
func retryWhen(ctx context.Context, timeout time.Duration, retryable func(error) bool, f func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	delay := pollMin
	for {
		err := f(ctx)
		if err == nil || !retryable(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(delay*2, pollMax)
	}
}

// ------------------------------------------------ calls that create once

// Route 53 makes CreateHealthCheck idempotent with a caller reference, but
// CreateTrafficPolicy, CreateTrafficPolicyVersion and
// CreateTrafficPolicyInstance have nothing of the kind: a repeated call after
// a lost answer makes a second version, or fails with
// TrafficPolicyAlreadyExists or TrafficPolicyInstanceAlreadyExists while the
// first attempt's object is left outside the state. Those calls go through
// createOnce.

// withoutAmbiguousRetries is the per-call option of createOnce's calls: the
// SDK must not repeat them after an answer that may hide success.
func withoutAmbiguousRetries(o *route53.Options) { o.Retryer = createonce.Retryer(o.Retryer) }

// createOnce is createonce.Do for a Route 53 call: create gets the option to
// pass on to the SDK call, and the attempts are those of conn's retryer. An
// "already exists" answer is returned as it comes (the callers decide what
// it means).
func createOnce[T any](ctx context.Context, conn *route53.Client,
	create func(context.Context, ...func(*route53.Options)) (T, error),
	find func(context.Context) (T, bool, error),
) (T, error) {
	return createonce.Do(ctx, createonce.Attempts(conn.Options().Retryer),
		func(ctx context.Context) (T, error) { return create(ctx, withoutAmbiguousRetries) },
		find, nil)
}
