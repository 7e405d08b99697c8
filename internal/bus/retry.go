package bus

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// Retries beyond the SDK retryer's. The SDK retries throttling and transient
// errors of every call (the provider configures its standard retryer); these
// timeouts bound awsapi.RetryWhen of errors that AWS returns while something
// else settles, as
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

// iamNotPropagated reports an error Lambda returns while a new role or role
// policy is not visible to it yet.
func iamNotPropagated(err error) bool {
	if !awsapi.IsA[*lambdatypes.InvalidParameterValueException](err) {
		return false
	}
	msg := awsapi.ErrorMessage(err)
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

// CreateRole, CreateFunction and CreateEventSourceMapping carry no
// idempotency token, so the bus makes them through createonce.Do: a lost
// answer is followed by a look for the role, function or mapping the call
// may have made, which is adopted instead of being reported as someone
// else's object. lambdaOnce and iamOnce are the per-call options those calls
// pass, so that the SDK does not repeat them after such an answer.
func lambdaOnce(o *lambda.Options) { o.Retryer = createonce.Retryer(o.Retryer) }
func iamOnce(o *iam.Options)       { o.Retryer = createonce.Retryer(o.Retryer) }
