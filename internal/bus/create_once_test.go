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
