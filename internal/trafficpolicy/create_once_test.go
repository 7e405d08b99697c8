package trafficpolicy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func responseError(status int) error {
	return wrapResponse(status, errors.New("api error"))
}

// wrapResponse is err as the SDK returns it: inside the HTTP response error.
func wrapResponse(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      err,
	}}
}

func TestAmbiguousError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"500", responseError(500), true},
		{"502 from a proxy", responseError(502), true},
		{"400 (throttling, validation)", responseError(400), false},
		{"409 (already exists)", responseError(409), false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"connection reset after sending", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, true},
		{"wrapped 503", &retry.MaxAttemptsError{Attempt: 3, Err: responseError(503)}, true},
	} {
		if got := ambiguousError(tc.err); got != tc.want {
			t.Errorf("%s: ambiguousError = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// The retryer of createOnce's calls retries refusals (throttling) but not
// answers after which the call may have been carried out.
func TestNoAmbiguousRetries(t *testing.T) {
	r := noAmbiguousRetries{Retryer: retry.NewStandard()}
	if r.IsErrorRetryable(responseError(500)) {
		t.Error("a 500 must not be retried by the SDK")
	}
	throttled := wrapResponse(400, &awstypes.ThrottlingException{Message: aws.String("Rate exceeded")})
	if !r.IsErrorRetryable(throttled) {
		t.Error("throttling must still be retried by the SDK")
	}
	if _, err := r.GetAttemptToken(context.Background()); err != nil {
		t.Errorf("GetAttemptToken: %v", err)
	}
	o := route53.Options{Retryer: retry.NewStandard()}
	withoutAmbiguousRetries(&o)
	if _, ok := o.Retryer.(noAmbiguousRetries); !ok {
		t.Errorf("withoutAmbiguousRetries left %T", o.Retryer)
	}
}

func TestCreateOnce(t *testing.T) {
	ctx := context.Background()
	conn := route53.New(route53.Options{Region: "us-east-1", Retryer: retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3 })})
	type result struct{ id string }
	script := func(errs ...error) (func(context.Context, ...func(*route53.Options)) (result, error), *int) {
		calls := 0
		return func(_ context.Context, optFns ...func(*route53.Options)) (result, error) {
			if len(optFns) != 1 {
				t.Errorf("create got %d options, want the one that stops ambiguous retries", len(optFns))
			}
			err := errs[min(calls, len(errs)-1)]
			calls++
			if err != nil {
				return result{}, err
			}
			return result{id: "created"}, nil
		}, &calls
	}
	findNothing := func(context.Context) (result, bool, error) { return result{}, false, nil }

	// Lost answer, the object exists: adopted, not created twice.
	create, calls := script(responseError(502), nil)
	got, err := createOnce(ctx, conn, create, func(context.Context) (result, bool, error) { return result{id: "found"}, true, nil })
	if err != nil || got.id != "found" || *calls != 1 {
		t.Errorf("lost answer, object found: %v, %v after %d calls; want the found object after 1 call", got, err, *calls)
	}

	// Lost answer, nothing was created: tried again.
	create, calls = script(responseError(500), nil)
	got, err = createOnce(ctx, conn, create, findNothing)
	if err != nil || got.id != "created" || *calls != 2 {
		t.Errorf("failed before creating: %v, %v after %d calls; want created on the 2nd call", got, err, *calls)
	}

	// A refusal is returned at once, without looking.
	create, calls = script(responseError(409))
	_, err = createOnce(ctx, conn, create, func(context.Context) (result, bool, error) {
		t.Error("find called after a refusal")
		return result{}, false, nil
	})
	if err == nil || *calls != 1 {
		t.Errorf("refusal: %v after %d calls", err, *calls)
	}

	// Attempts are bounded by the client's retryer.
	create, calls = script(responseError(500))
	if _, err = createOnce(ctx, conn, create, findNothing); err == nil || *calls != 3 {
		t.Errorf("always failing: %v after %d calls, want an error after 3", err, *calls)
	}

	// A failing lookup is reported with the error.
	create, _ = script(responseError(500))
	_, err = createOnce(ctx, conn, create, func(context.Context) (result, bool, error) { return result{}, false, errors.New("list failed") })
	if err == nil || !strings.Contains(err.Error(), "list failed") || !strings.Contains(err.Error(), "api error") {
		t.Errorf("failing lookup: %v", err)
	}
}
