package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// Retries beyond the SDK retryer's. The SDK retries throttling and transient
// errors of every call (the provider configures its standard retryer); these
// helpers retry errors that AWS returns while something else settles, as
// terraform-provider-aws does:
//
//   - IAM eventual consistency: Lambda refuses a role created a moment ago
//     ("The role defined for the function cannot be assumed by Lambda") and an
//     event source mapping whose role policy has not propagated ("The
//     provided execution role does not have permissions to call
//     ReceiveMessage on SQS").
//   - SQS QueueDeletedRecently: a queue cannot be re-created with the same
//     name for 60 seconds after it was deleted.
//   - Lambda ResourceConflictException while a function update is in
//     progress, ResourceInUseException while a mapping changes state.
const (
	iamPropagationTimeout   = 2 * time.Minute
	queueDeletedRecentlyMax = 70 * time.Second
	conflictTimeout         = 5 * time.Minute
)

// retryWhen calls fn until it succeeds, returns an error retryable does not
// accept, ctx ends or timeout passes. Waits grow from 1s to 10s.
func retryWhen(ctx context.Context, timeout time.Duration, fn func() error, retryable func(error) bool) error {
	deadline := time.Now().Add(timeout)
	wait := time.Second
	for {
		err := fn()
		if err == nil || !retryable(err) {
			return err
		}
		if time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, 10*time.Second)
	}
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func errorMessage(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

func codeIs(err error, codes ...string) bool {
	c := errorCode(err)
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// iamNotPropagated reports an error Lambda returns while a new role or role
// policy is not visible to it yet.
func iamNotPropagated(err error) bool {
	if !codeIs(err, "InvalidParameterValueException") {
		return false
	}
	msg := errorMessage(err)
	return strings.Contains(msg, "cannot be assumed by Lambda") ||
		strings.Contains(msg, "execution role does not have permissions") ||
		strings.Contains(msg, "ensure the role can perform") ||
		strings.Contains(msg, "does not have permission")
}

// stepError names the step of a region that failed.
type stepError struct {
	Region string
	Step   string
	Err    error
}

func (e *stepError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Region, e.Step, e.Err)
}

func (e *stepError) Unwrap() error { return e.Err }

func stepErr(region, step string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{Region: region, Step: step, Err: err}
}

// ------------------------------------------------ calls that create once

// CreateRole, CreateFunction and CreateEventSourceMapping have no
// idempotency token. When one is carried out but its answer is lost (a 5xx
// from a proxy, a connection broken after the request was sent, a timeout),
// the SDK's retry repeats it and meets the object the first attempt created:
// EntityAlreadyExists, ResourceConflictException ("Function already exist",
// "An event source mapping … already exists"). The provider used to report
// that as someone else's object, leaving the role, function or mapping
// outside the state and every later apply failing the same way. createOnce
// makes those calls without the SDK repeating them after such an answer
// (throttling and other refusals are still retried by the SDK) and, after
// one, looks for what the call may have created before trying again; an
// "already exists" answer to a later attempt is then the earlier attempt's
// object, and is adopted.

// ambiguousError reports whether a failed call may have been carried out:
// AWS answered 5xx, or no answer came although the request may have been
// sent. A 4xx answer (throttling included) or a failure to connect means it
// was not.
func ambiguousError(err error) bool {
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

// noAmbiguousRetries is the client's retryer, except that it does not retry
// errors after which the call may have been carried out.
type noAmbiguousRetries struct {
	aws.Retryer
}

func (r noAmbiguousRetries) IsErrorRetryable(err error) bool {
	return !ambiguousError(err) && r.Retryer.IsErrorRetryable(err)
}

func (r noAmbiguousRetries) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}

func wrapRetryer(r aws.Retryer) aws.Retryer {
	if r == nil {
		return nil
	}
	return noAmbiguousRetries{Retryer: r}
}

// lambdaOnce and iamOnce are the per-call options of createOnce's calls.
func lambdaOnce(o *lambda.Options) { o.Retryer = wrapRetryer(o.Retryer) }
func iamOnce(o *iam.Options)       { o.Retryer = wrapRetryer(o.Retryer) }

// maxAttempts is how many attempts a client's retryer makes (at least 1).
func maxAttempts(r aws.Retryer) int {
	if r == nil {
		return 1
	}
	return max(r.MaxAttempts(), 1)
}

// createOnce calls create (which must make its SDK call with lambdaOnce or
// iamOnce). After an error that may hide success it calls find: if find
// reports what the call created, that is the result; otherwise create is
// tried again, as many times in all as attempts. exists recognises the
// "already exists" answer that a later attempt gets when an earlier one
// was carried out after all: find's object is then adopted.
func createOnce[T any](ctx context.Context, attempts int,
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
		if ambiguous && exists(err) {
			found, ok, ferr := find(ctx)
			if ferr == nil && ok {
				return found, nil
			}
			if ferr != nil {
				return out, fmt.Errorf("%w (an earlier attempt's answer was lost, and looking for what it created failed: %v)", err, ferr)
			}
			return out, err
		}
		if !ambiguousError(err) || ctx.Err() != nil {
			return out, err
		}
		ambiguous = true
		found, ok, ferr := find(ctx)
		if ferr == nil && ok {
			return found, nil
		}
		if attempt >= attempts {
			if ferr != nil {
				return out, fmt.Errorf("%w (and looking for what the call may have created failed: %v)", err, ferr)
			}
			return out, err
		}
		t := time.NewTimer(time.Duration(attempt) * 250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return out, err
		case <-t.C:
		}
	}
}
