// Package awsapi holds the mechanics of AWS calls that the provider's
// resources share, in the spirit of terraform-provider-aws's tfresource and
// errs packages: classification of the errors the SDK returns, retry of
// calls that AWS asks to try again later, and waiting for an object to reach
// a state.
//
// # Errors
//
// Prefer the SDK's typed errors: IsA[*types.ResourceNotFoundException](err)
// rather than comparing codes. CodeIs is for the codes the SDK has no type
// for. A find helper that finds nothing returns a *NotFoundError (NewNotFound),
// which callers test with IsNotFound whatever the service.
//
// # Retry and wait
//
// The SDK's retryer already retries throttling and transient failures of
// every call. RetryWhen is for errors that say "not yet" while something
// settles: IAM eventual consistency, a Lambda update in progress, Route 53's
// PriorRequestNotComplete, SQS's 60-second QueueDeletedRecently.
// WaitForState polls a status function until the object reaches a target
// state. Where the SDK has a waiter for the state (Lambda's FunctionActiveV2,
// FunctionUpdatedV2), callers use it with FirstDelay and MaxDelay as its
// bounds.
//
// Both use one backoff: the first wait is FirstDelay (250 ms), each next wait
// is twice the previous one, up to MaxDelay (5 s), without jitter. Why these
// numbers:
//
//   - What is awaited usually settles within a second or a few (a Lambda
//     event source mapping leaving Creating, a role becoming visible to
//     Lambda, a Route 53 policy record being Applied): a short first wait
//     keeps the common case fast.
//   - Doubling reaches the cap after four waits (0.25+0.5+1+2+4 ≈ 8 s), so
//     slow cases do not hammer the API; the 5 s cap bounds the time lost
//     after the object has settled, and keeps a 10-minute wait to ~120
//     calls, far below the per-account API rate limits (Route 53's
//     5 requests per second is the tightest) even with several regions
//     waiting at once.
//   - No jitter: these calls are not a fleet retrying a shared overloaded
//     endpoint (the SDK's retryer, which handles throttling, has jitter);
//     they are a few calls per object, and a fixed schedule is easier to
//     reason about in logs and tests.
//
// On cancellation of ctx, RetryWhen returns the last error joined with the
// context's error (errors.Join), so that callers can both match the AWS
// error (IsA, CodeIs) and see that the call was interrupted
// (errors.Is(err, context.Canceled)). When its own timeout passes it returns
// the last error unchanged: the AWS error is the explanation the user needs.
package awsapi
