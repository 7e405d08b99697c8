package trafficpolicy

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
)

// Exports for the acceptance tests (package trafficpolicy_test), as
// terraform-provider-aws does.
var (
	FindTrafficPolicyVersion      = findTrafficPolicyVersion
	FindTrafficPolicyInstanceByID = findTrafficPolicyInstanceByID
	FindHealthCheckByID           = findHealthCheckByID
	ListTrafficPolicyVersions     = listTrafficPolicyVersions
	WaitTrafficPolicyInstanceGone = waitTrafficPolicyInstanceDeleted
	IsNotFound                    = awsapi.IsNotFound
)

// WaitTrafficPolicyInstanceApplied waits for a new instance to be Applied.
var WaitTrafficPolicyInstanceApplied = func(ctx context.Context, conn *route53.Client, id string, timeout time.Duration) (*awstypes.TrafficPolicyInstance, error) {
	return waitTrafficPolicyInstanceApplied(ctx, conn, id, timeout, nil)
}
