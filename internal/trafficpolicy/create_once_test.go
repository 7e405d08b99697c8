package trafficpolicy

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
)

// lost is a call whose request went out and whose answer never came back.
var lost = &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}

// withoutAmbiguousRetries gives its call createonce's retryer: a lost answer,
// which the standard retryer would send again, is left to createOnce. (The
// retryer itself is tested in internal/createonce.)
func TestNoAmbiguousRetries(t *testing.T) {
	if !retry.NewStandard().IsErrorRetryable(lost) {
		t.Fatal("the standard retryer does not retry a lost answer: this test proves nothing")
	}
	o := route53.Options{Retryer: retry.NewStandard()}
	withoutAmbiguousRetries(&o)
	if o.Retryer.IsErrorRetryable(lost) {
		t.Error("the SDK still retries a call whose answer was lost")
	}
	o = route53.Options{}
	if withoutAmbiguousRetries(&o); o.Retryer != nil {
		t.Errorf("a client without a retryer got %T", o.Retryer)
	}
}

// createOnce hands create the option above, makes as many attempts as conn's
// retryer, and returns "already exists" as it comes: the callers decide what
// it means. (The rest of its behaviour is createonce.Do's, tested there.)
func TestCreateOnce(t *testing.T) {
	ctx := context.Background()
	conn := route53.New(route53.Options{Region: "us-east-1", Retryer: retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3 })})
	type result struct{ id string }
	script := func(errs ...error) (func(context.Context, ...func(*route53.Options)) (result, error), *int) {
		calls := 0
		return func(_ context.Context, optFns ...func(*route53.Options)) (result, error) {
			if len(optFns) != 1 {
				t.Errorf("create got %d options, want the one that stops ambiguous retries", len(optFns))
			} else {
				o := route53.Options{Retryer: retry.NewStandard()}
				if optFns[0](&o); o.Retryer.IsErrorRetryable(lost) {
					t.Error("create's option does not stop ambiguous retries")
				}
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

	// Attempts are bounded by the client's retryer.
	create, calls := script(lost)
	if _, err := createOnce(ctx, conn, create, findNothing); !errors.Is(err, lost) || *calls != 3 {
		t.Errorf("always lost: %v after %d calls, want the lost answer after 3", err, *calls)
	}

	// Lost answer, nothing found, then "already exists": returned as is.
	exists := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusConflict}},
		Err:      &awstypes.TrafficPolicyAlreadyExists{Message: aws.String("exists")},
	}}
	create, calls = script(lost, exists)
	if _, err := createOnce(ctx, conn, create, findNothing); !awsapi.IsA[*awstypes.TrafficPolicyAlreadyExists](err) || *calls != 2 {
		t.Errorf("lost, then already exists: %v after %d calls, want TrafficPolicyAlreadyExists after 2", err, *calls)
	}

	// Lost answer, the object is there: adopted.
	create, calls = script(lost, nil)
	got, err := createOnce(ctx, conn, create, func(context.Context) (result, bool, error) { return result{id: "found"}, true, nil })
	if err != nil || got.id != "found" || *calls != 1 {
		t.Errorf("lost answer, object found: %v, %v after %d calls; want the found object after 1 call", got, err, *calls)
	}
}
