// Package createonce makes AWS create calls that have no idempotency token
// without creating twice.
//
// IAM's CreateRole, Lambda's CreateFunction and CreateEventSourceMapping, and
// Route 53's CreateTrafficPolicy, CreateTrafficPolicyVersion and
// CreateTrafficPolicyInstance take no client token. If such a call is carried
// out but its answer never reaches the provider (a 5xx from a proxy, a
// connection broken after the request went out, a timeout), the SDK's
// automatic retry sends it again: it then creates a second object (a second
// traffic policy version) or fails with an "already exists" error, and either
// way the object of the first attempt ends up outside the Terraform state.
//
// The SDK must therefore not repeat these calls blindly. Retryer keeps the
// SDK from retrying them after such an ambiguous failure (throttling and
// other refusals are still retried), and Do takes over: after an ambiguous
// failure it looks for what the call may have created, adopts it when it is
// there, and only otherwise tries the call again.
package createonce

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Backoff is how long Do waits after its first failed attempt; the wait
// after attempt n is n times Backoff.
const Backoff = 250 * time.Millisecond

// Ambiguous reports whether a call that failed with err may nevertheless
// have been carried out. That is the case when AWS answered with a 5xx
// status, or when no answer arrived although the request may have been sent.
// A 4xx answer (throttling included) or a failure to connect at all means the
// call was not carried out. A nil error is not ambiguous.
func Ambiguous(err error) bool {
	if err == nil {
		return false
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() > 0 {
		return status.HTTPStatusCode() >= 500
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return true
}

// retryer is a client's retryer that declines to retry ambiguous errors.
type retryer struct {
	aws.Retryer
}

func (r retryer) IsErrorRetryable(err error) bool {
	return !Ambiguous(err) && r.Retryer.IsErrorRetryable(err)
}

// GetAttemptToken passes through to the wrapped retryer when it is an
// aws.RetryerV2, so that wrapping it changes nothing but IsErrorRetryable.
func (r retryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.GetInitialToken(), nil
}

// Retryer returns r changed so that it never retries an Ambiguous error; it
// is what the per-call option of a create call made through Do installs. A
// nil r (a client without a retryer) stays nil.
func Retryer(r aws.Retryer) aws.Retryer {
	if r == nil {
		return nil
	}
	return retryer{Retryer: r}
}

// Attempts is the number of attempts r allows, and at least 1 (also for a
// nil r). It is the usual attempts argument of Do, from the client's own
// retryer.
func Attempts(r aws.Retryer) int {
	if r == nil {
		return 1
	}
	return max(r.MaxAttempts(), 1)
}

// Do runs create, which must make its SDK call with an option that installs
// Retryer, at most attempts times.
//
// A success is returned as is, and so is a failure that is not Ambiguous.
// After an Ambiguous failure Do calls find: when find reports the object the
// call would have created, that object is the result; otherwise Do waits
// (attempt × Backoff) and calls create again. When the attempts are used up,
// or ctx ends, the last error is returned, together with find's error if
// find failed.
//
// exists, when not nil, recognises the "already exists" error a later
// attempt gets because an earlier one was carried out after all (but find
// did not see its object yet). After an ambiguous attempt such an error
// makes Do call find once more and adopt what it reports. With a nil exists
// that error is simply returned, like any other refusal.
func Do[T any](ctx context.Context, attempts int,
	create func(context.Context) (T, error),
	find func(context.Context) (T, bool, error),
	exists func(error) bool,
) (T, error) {
	ambiguous := false
	for attempt := 1; ; attempt++ {
		out, err := create(ctx)
		if err == nil {
			return out, nil
		}
		if ambiguous && exists != nil && exists(err) {
			found, ok, ferr := find(ctx)
			switch {
			case ferr != nil:
				//nolint:errorlint // Only the create call's error is in the chain: callers classify it (IsA, CodeIs); the look-up's error is context for the person.
				return out, fmt.Errorf("%w (an earlier attempt's answer was lost, and looking for what it created failed: %v)", err, ferr)
			case ok:
				return found, nil
			default:
				return out, err
			}
		}
		if !Ambiguous(err) || ctx.Err() != nil {
			return out, err
		}
		ambiguous = true
		found, ok, ferr := find(ctx)
		if ferr == nil && ok {
			return found, nil
		}
		if attempt >= attempts {
			if ferr != nil {
				//nolint:errorlint // As above: the create call's error alone is in the chain.
				return out, fmt.Errorf("%w (and looking for what the call may have created failed: %v)", err, ferr)
			}
			return out, err
		}
		t := time.NewTimer(time.Duration(attempt) * Backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return out, err
		case <-t.C:
		}
	}
}
