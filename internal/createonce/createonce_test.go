package createonce_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	route53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// wrapResponse is err the way the SDK hands it back: inside the error of an
// HTTP response with that status.
func wrapResponse(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      err,
	}}
}

func responseError(status int) error {
	return wrapResponse(status, errors.New("api error"))
}

func TestAmbiguousError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"500", responseError(500), true},
		{"502 from a proxy", wrapResponse(502, errors.New("bad gateway")), true},
		{"400 (throttling, validation)", responseError(400), false},
		{"400 Route 53 throttling", wrapResponse(400, &route53types.ThrottlingException{Message: aws.String("Rate exceeded")}), false},
		{"409", responseError(409), false},
		{"409 (already exists)", wrapResponse(409, &iamtypes.EntityAlreadyExistsException{}), false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"connection reset after sending", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, true},
		{"wrapped 503", &retry.MaxAttemptsError{Attempt: 3, Err: responseError(503)}, true},
	} {
		if got := createonce.Ambiguous(tc.err); got != tc.want {
			t.Errorf("%s: Ambiguous = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// The wrapped retryer still retries refusals such as throttling, but no
// longer an answer after which the call may have been carried out.
func TestNoAmbiguousRetries(t *testing.T) {
	r := createonce.Retryer(retry.NewStandard())
	if r.IsErrorRetryable(responseError(500)) {
		t.Error("a 500 must not be retried by the SDK")
	}
	if !retry.NewStandard().IsErrorRetryable(responseError(500)) {
		t.Error("the standard retryer itself retries a 500 (else the check above proves nothing)")
	}
	for _, throttled := range []error{
		wrapResponse(400, &lambdatypes.TooManyRequestsException{Message: aws.String("Rate exceeded")}),
		wrapResponse(400, &route53types.ThrottlingException{Message: aws.String("Rate exceeded")}),
	} {
		if !r.IsErrorRetryable(throttled) {
			t.Errorf("throttling must still be retried by the SDK: %v", throttled)
		}
	}
	v2, ok := r.(aws.RetryerV2)
	if !ok {
		t.Fatalf("%T is not an aws.RetryerV2", r)
	}
	if _, err := v2.GetAttemptToken(context.Background()); err != nil {
		t.Errorf("GetAttemptToken: %v", err)
	}
	if createonce.Retryer(nil) != nil {
		t.Error("Retryer(nil) must stay nil")
	}

	if got := createonce.Attempts(retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 4 })); got != 4 {
		t.Errorf("Attempts = %d, want 4", got)
	}
	if got := createonce.Attempts(createonce.Retryer(retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 4 }))); got != 4 {
		t.Errorf("Attempts of the wrapped retryer = %d, want 4", got)
	}
	if got := createonce.Attempts(nil); got != 1 {
		t.Errorf("Attempts(nil) = %d, want 1", got)
	}
}

func TestCreateOnce(t *testing.T) {
	ctx := context.Background()
	lost := wrapResponse(502, errors.New("bad gateway"))
	failed := responseError(500)
	exists := wrapResponse(409, &iamtypes.EntityAlreadyExistsException{Message: aws.String("Role with name x already exists.")})
	conflict := responseError(409)
	denied := wrapResponse(403, errors.New("AccessDenied"))
	listFailed := errors.New("list failed")
	isExists := func(err error) bool { return errors.Is(err, exists) }

	// found is what one call of find reports.
	type found struct {
		ok  bool
		err error
	}
	nothing, there := found{}, found{ok: true}

	for _, tc := range []struct {
		name     string
		exists   func(error) bool // Do's exists argument
		creates  []error          // the answer of each create attempt (nil: success, "new")
		finds    []found          // what each call of find reports
		want     string
		wantErr  error    // the error Do must return (wrapped or not)
		wantIn   []string // and what its message must contain
		creating int      // create attempts expected
		finding  int      // find calls expected
	}{
		{name: "success", exists: isExists, creates: []error{nil}, want: "new", creating: 1},
		{name: "refused: no lookup, no retry", exists: isExists, creates: []error{denied}, wantErr: denied, creating: 1},
		{name: "refused without exists", creates: []error{conflict}, wantErr: conflict, creating: 1},
		{name: "already exists without a lost answer: someone else's", exists: isExists, creates: []error{exists}, wantErr: exists, creating: 1},
		{name: "lost answer, the call was carried out: adopted", exists: isExists, creates: []error{lost}, finds: []found{there}, want: "found", creating: 1, finding: 1},
		{name: "lost answer, the call was carried out: adopted without exists", creates: []error{failed}, finds: []found{there}, want: "found", creating: 1, finding: 1},
		{name: "lost answer, nothing created: created again", exists: isExists, creates: []error{lost, nil}, finds: []found{nothing}, want: "new", creating: 2, finding: 1},
		{name: "lost answer, nothing created: created again without exists", creates: []error{failed, nil}, finds: []found{nothing}, want: "new", creating: 2, finding: 1},
		{name: "lost answer, not visible yet, then already exists: adopted", exists: isExists, creates: []error{lost, exists}, finds: []found{nothing, there}, want: "found", creating: 2, finding: 2},
		{name: "lost answer, not visible yet, then already exists but still not found", exists: isExists, creates: []error{lost, exists}, finds: []found{nothing, nothing}, wantErr: exists, creating: 2, finding: 2},
		{name: "lost answer, then already exists without exists: returned", creates: []error{lost, exists}, finds: []found{nothing}, wantErr: exists, creating: 2, finding: 1},
		{name: "already exists after a lost answer, lookup fails: both reported", exists: isExists, creates: []error{lost, exists}, finds: []found{nothing, {err: errors.New("lookup throttled")}},
			wantErr: exists, wantIn: []string{"lookup throttled"}, creating: 2, finding: 2},
		{name: "lost every time: gives up after the attempts", exists: isExists, creates: []error{lost, lost, lost}, finds: []found{nothing, nothing, nothing}, wantErr: lost, creating: 3, finding: 3},
		{name: "failing every time without exists: gives up after the attempts", creates: []error{failed, failed, failed}, finds: []found{nothing, nothing, nothing}, wantErr: failed, creating: 3, finding: 3},
		{name: "failing lookup: reported with the error", creates: []error{failed, failed, failed}, finds: []found{{err: listFailed}, {err: listFailed}, {err: listFailed}},
			wantErr: failed, wantIn: []string{"list failed", "api error"}, creating: 3, finding: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			creating, finding := 0, 0
			got, err := createonce.Do(ctx, 3,
				func(context.Context) (string, error) {
					if creating >= len(tc.creates) {
						t.Fatalf("create attempt %d, only %d scripted", creating+1, len(tc.creates))
					}
					e := tc.creates[creating]
					creating++
					if e != nil {
						return "", e
					}
					return "new", nil
				},
				func(context.Context) (string, bool, error) {
					if finding >= len(tc.finds) {
						t.Fatalf("lookup %d, only %d scripted", finding+1, len(tc.finds))
					}
					f := tc.finds[finding]
					finding++
					if f.ok {
						return "found", true, nil
					}
					return "", false, f.err
				},
				tc.exists,
			)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				for _, s := range tc.wantIn {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("err = %v, want it to mention %q", err, s)
					}
				}
			} else if err != nil || got != tc.want {
				t.Fatalf("Do = %q, %v; want %q", got, err, tc.want)
			}
			if creating != tc.creating || finding != tc.finding {
				t.Errorf("%d creates and %d lookups, want %d and %d", creating, finding, tc.creating, tc.finding)
			}
		})
	}
}

// A context that ends stops Do without another attempt.
func TestCreateOnceCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	start := time.Now()
	_, err := createonce.Do(ctx, 5,
		func(context.Context) (string, error) {
			calls++
			cancel()
			return "", responseError(500)
		},
		func(context.Context) (string, bool, error) { return "", false, nil },
		nil)
	if err == nil || calls != 1 {
		t.Errorf("canceled: %v after %d calls, want an error after 1", err, calls)
	}
	if time.Since(start) >= createonce.Backoff {
		t.Errorf("canceled: waited %s", time.Since(start))
	}
}
