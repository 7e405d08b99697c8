package trafficpolicy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

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
