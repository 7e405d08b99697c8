package conns

import (
	"errors"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// DefaultMaxRetries is max_retries when neither the provider configuration
// nor AWS_MAX_ATTEMPTS / max_attempts in the shared config set it. It is the
// AWS provider's default, and like the AWS provider the value is the SDK's
// maximum number of attempts per API call (so 1 means no retry).
const DefaultMaxRetries = 25

// maxDialAttempts bounds the attempts of a call whose connection cannot be
// opened at all (connection refused, unknown host). Such a call is usually a
// wrong endpoint, and 25 attempts with exponential backoff would keep
// `terraform plan` silent for minutes before reporting it.
const maxDialAttempts = 3

// newRetryer returns the retryer factory for aws.Config.Retryer: the SDK's
// standard retryer with maxAttempts attempts and without the client-side
// retry quota (the AWS provider turns it off too: with many attempts per
// call, the quota would otherwise stop all retries of a busy apply after a
// burst of throttling).
func newRetryer(maxAttempts int) func() aws.Retryer {
	return func() aws.Retryer {
		std := retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.RateLimiter = ratelimit.None
		})
		return dialFailFast{RetryerV2: std}
	}
}

// dialFailFast is the standard retryer, except that it gives up on a call
// after maxDialAttempts failed attempts to open a connection.
type dialFailFast struct {
	aws.RetryerV2
}

// RetryDelay is the hook the SDK's retry middleware asks after each failed
// attempt; an error ends the call.
func (r dialFailFast) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= maxDialAttempts && isDialError(err) {
		return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
