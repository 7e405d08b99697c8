package bus

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// lambdaOnce and iamOnce give their call createonce's retryer: a request
// sent whose answer never came back, which the standard retryer would send
// again, is left to createonce.Do. (The retryer itself is tested in
// internal/createonce.)
func TestNoAmbiguousRetries(t *testing.T) {
	lost := &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}
	if !retry.NewStandard().IsErrorRetryable(lost) {
		t.Fatal("the standard retryer does not retry a lost answer: this test proves nothing")
	}
	lo := lambda.Options{Retryer: retry.NewStandard()}
	lambdaOnce(&lo)
	io := iam.Options{Retryer: retry.NewStandard()}
	iamOnce(&io)
	for name, r := range map[string]aws.Retryer{"lambdaOnce": lo.Retryer, "iamOnce": io.Retryer} {
		if r.IsErrorRetryable(lost) {
			t.Errorf("%s: the SDK still retries a call whose answer was lost", name)
		}
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
