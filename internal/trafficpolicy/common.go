package trafficpolicy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

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
