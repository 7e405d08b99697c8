package conns

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Endpoint resolution
//
// A client's endpoint is chosen in this order, the same as the AWS provider:
//
//  1. the provider's endpoints { <service> = "…" } argument (Config.Endpoints);
//  2. AWS_ENDPOINT_URL_<SERVICE> (see Service.EnvVar), then the
//     "services" section of the shared config profile;
//  3. AWS_ENDPOINT_URL, then endpoint_url in the shared config profile;
//  4. the SDK's default endpoint for the service and region.
//
// Only step 1 is code of ours: it sets the client's BaseEndpoint in the
// option function passed to <service>.NewFromConfig, which runs after the
// SDK's own resolution. Steps 2–4 are done by aws-sdk-go-v2 itself:
// config.LoadDefaultConfig reads AWS_ENDPOINT_URL (and endpoint_url) into
// aws.Config.BaseEndpoint, and every service's NewFromConfig
// (resolveBaseEndpoint) replaces it with the service-specific variable or
// services-section value when there is one. (One SDK subtlety: while
// AWS_ENDPOINT_URL is set, a services section in the shared config is not
// consulted, only AWS_ENDPOINT_URL_<SERVICE>.) AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
// turns off steps 2 and 3 as it does for every SDK.

// Service is one AWS service the provider talks to.
type Service struct {
	// Key is the service's argument name in the provider's endpoints block.
	Key string
	// SDKID is the service id of aws-sdk-go-v2 (<pkg>.ServiceID).
	SDKID string
	// Global services have one endpoint per partition; their clients are
	// signed for the partition's global region.
	Global bool
}

// EnvVar is the service-specific endpoint variable the SDK reads:
// AWS_ENDPOINT_URL_ followed by the SDK service id in upper case with spaces
// replaced by underscores (the SDK's own normalisation).
func (s Service) EnvVar() string {
	return "AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(s.SDKID), " ", "_")
}

// The services, in the order of the endpoints block.
var (
	ServiceSNS            = Service{Key: "sns", SDKID: sns.ServiceID}
	ServiceSQS            = Service{Key: "sqs", SDKID: sqs.ServiceID}
	ServiceLambda         = Service{Key: "lambda", SDKID: lambda.ServiceID}
	ServiceIAM            = Service{Key: "iam", SDKID: iam.ServiceID, Global: true}
	ServiceSTS            = Service{Key: "sts", SDKID: sts.ServiceID}
	ServiceRoute53        = Service{Key: "route53", SDKID: route53.ServiceID, Global: true}
	ServiceCloudWatch     = Service{Key: "cloudwatch", SDKID: cloudwatch.ServiceID}
	ServiceSecretsManager = Service{Key: "secretsmanager", SDKID: secretsmanager.ServiceID}
)

// Services lists every service with an endpoints block argument.
var Services = []Service{
	ServiceSNS, ServiceSQS, ServiceLambda, ServiceIAM, ServiceSTS,
	ServiceRoute53, ServiceCloudWatch, ServiceSecretsManager,
}

// EnvEndpointURL is the SDK's variable for all services' endpoint.
const EnvEndpointURL = "AWS_ENDPOINT_URL"

// checkEnvEndpoints validates the endpoint variables the SDK will use, so a
// typo in one fails with its name instead of a connection error later.
func checkEnvEndpoints() error {
	names := []string{EnvEndpointURL}
	for _, s := range Services {
		names = append(names, s.EnvVar())
	}
	for _, name := range names {
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			continue
		}
		if err := ValidateEndpointURL(v); err != nil {
			return &Error{
				Summary: "Invalid endpoint in environment variable " + name,
				Detail:  fmt.Sprintf("The environment variable %s is set to an unusable endpoint: %v. Fix or unset it, or override it for this provider with the endpoints block.", name, err),
				Err:     err,
			}
		}
	}
	return nil
}
