package bus

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
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

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
		{"500", wrapResponse(500, errors.New("api error")), true},
		{"502 from a proxy", wrapResponse(502, errors.New("bad gateway")), true},
		{"400 (throttling, validation)", wrapResponse(400, errors.New("api error")), false},
		{"409 (already exists)", wrapResponse(409, &iamtypes.EntityAlreadyExistsException{}), false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{"connection reset after sending", &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, true},
		{"wrapped 503", &retry.MaxAttemptsError{Attempt: 3, Err: wrapResponse(503, errors.New("unavailable"))}, true},
	} {
		if got := ambiguousError(tc.err); got != tc.want {
			t.Errorf("%s: ambiguousError = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// The retryer of createOnce's calls retries refusals (throttling) but not
// answers after which the call may have been carried out, and the per-call
// options install it on Lambda and IAM clients.
func TestNoAmbiguousRetries(t *testing.T) {
	r := noAmbiguousRetries{Retryer: retry.NewStandard()}
	if r.IsErrorRetryable(wrapResponse(500, errors.New("api error"))) {
		t.Error("a 500 must not be retried by the SDK")
	}
	throttled := wrapResponse(400, &lambdatypes.TooManyRequestsException{Message: aws.String("Rate exceeded")})
	if !r.IsErrorRetryable(throttled) {
		t.Error("throttling must still be retried by the SDK")
	}
	if _, err := r.GetAttemptToken(context.Background()); err != nil {
		t.Errorf("GetAttemptToken: %v", err)
	}
	lo := lambda.Options{Retryer: retry.NewStandard()}
	lambdaOnce(&lo)
	if _, ok := lo.Retryer.(noAmbiguousRetries); !ok {
		t.Errorf("lambdaOnce left %T", lo.Retryer)
	}
	io := iam.Options{Retryer: retry.NewStandard()}
	iamOnce(&io)
	if _, ok := io.Retryer.(noAmbiguousRetries); !ok {
		t.Errorf("iamOnce left %T", io.Retryer)
	}
	if got := maxAttempts(retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 4 })); got != 4 {
		t.Errorf("maxAttempts = %d, want 4", got)
	}
}

func TestCreateOnce(t *testing.T) {
	ctx := context.Background()
	lost := wrapResponse(502, errors.New("bad gateway"))
	exists := wrapResponse(409, &iamtypes.EntityAlreadyExistsException{Message: aws.String("Role with name x already exists.")})
	denied := wrapResponse(403, errors.New("AccessDenied"))
	isExists := func(err error) bool { return errors.Is(err, exists) }

	type script struct {
		name     string
		creates  []error // answer of each create attempt (nil: success "new")
		found    []bool  // what each find reports
		want     string
		wantErr  error
		creating int // create attempts expected
		finding  int // find calls expected
	}
	for _, tc := range []script{
		{name: "success", creates: []error{nil}, want: "new", creating: 1},
		{name: "refused: no lookup, no retry", creates: []error{denied}, wantErr: denied, creating: 1},
		{name: "already exists without a lost answer: someone else's", creates: []error{exists}, wantErr: exists, creating: 1},
		{name: "lost answer, the call was carried out: adopted", creates: []error{lost}, found: []bool{true}, want: "found", creating: 1, finding: 1},
		{name: "lost answer, nothing created: created again", creates: []error{lost, nil}, found: []bool{false}, want: "new", creating: 2, finding: 1},
		{name: "lost answer, not visible yet, then already exists: adopted", creates: []error{lost, exists}, found: []bool{false, true}, want: "found", creating: 2, finding: 2},
		{name: "lost every time: gives up after the attempts", creates: []error{lost, lost, lost}, found: []bool{false, false, false}, wantErr: lost, creating: 3, finding: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creating, finding := 0, 0
			got, err := createOnce(ctx, 3,
				func(context.Context) (string, error) {
					e := tc.creates[creating]
					creating++
					if e != nil {
						return "", e
					}
					return "new", nil
				},
				func(context.Context) (string, bool, error) {
					ok := tc.found[finding]
					finding++
					if ok {
						return "found", true, nil
					}
					return "", false, nil
				},
				isExists,
			)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil || got != tc.want {
				t.Fatalf("createOnce = %q, %v; want %q", got, err, tc.want)
			}
			if creating != tc.creating || finding != tc.finding {
				t.Errorf("%d creates and %d lookups, want %d and %d", creating, finding, tc.creating, tc.finding)
			}
		})
	}

	// A failed lookup after "already exists" is reported with the error.
	_, err := createOnce(ctx, 3,
		func() func(context.Context) (string, error) {
			n := 0
			return func(context.Context) (string, error) {
				n++
				if n == 1 {
					return "", lost
				}
				return "", exists
			}
		}(),
		func(context.Context) (string, bool, error) { return "", false, errors.New("lookup throttled") },
		isExists)
	if !errors.Is(err, exists) || !strings.Contains(err.Error(), "lookup throttled") {
		t.Errorf("err = %v, want the conflict and the lookup's failure", err)
	}
}

func TestSameFunction(t *testing.T) {
	arn := "arn:aws:lambda:ap-south-1:123456789012:function:hotels-consumer"
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{arn, arn, true},
		{arn + ":$LATEST", arn, true},
		{arn, "hotels-consumer", true},
		{arn, "arn:aws:lambda:ap-south-1:123456789012:function:other-consumer", false},
	} {
		if got := sameFunction(tc.a, tc.b); got != tc.want {
			t.Errorf("sameFunction(%s, %s) = %t, want %t", tc.a, tc.b, got, tc.want)
		}
	}
}
