package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// awsOptions are the command-line overrides of the SDK's default chain.
type awsOptions struct {
	Profile     string
	EndpointURL string
}

// loadDefaultConfig loads the SDK's default configuration chain. The region
// is set per call by the clients, from ARNs and URLs.
func loadDefaultConfig(ctx context.Context, o awsOptions) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return cfg, nil
}

// clients hands out one client per service and region, all from one base
// configuration.
type clients struct {
	base aws.Config

	mu  sync.Mutex
	sqs map[string]*sqs.Client
	sns map[string]*sns.Client
	cw  map[string]*cloudwatch.Client
}

func (a *app) clients(ctx context.Context, o *awsOptions) (*clients, error) {
	cfg, err := a.loadConfig(ctx, *o)
	if err != nil {
		return nil, err
	}
	return &clients{base: cfg, sqs: map[string]*sqs.Client{}, sns: map[string]*sns.Client{}, cw: map[string]*cloudwatch.Client{}}, nil
}

// defaultRegion is the region of the configuration chain (AWS_REGION, the
// profile's region), empty if none.
func (c *clients) defaultRegion() string { return c.base.Region }

func (c *clients) config(region string) aws.Config {
	cfg := c.base.Copy()
	cfg.Region = region
	return cfg
}

func (c *clients) SQS(region string) *sqs.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sqs[region] == nil {
		c.sqs[region] = sqs.NewFromConfig(c.config(region))
	}
	return c.sqs[region]
}

func (c *clients) SNS(region string) *sns.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sns[region] == nil {
		c.sns[region] = sns.NewFromConfig(c.config(region))
	}
	return c.sns[region]
}

func (c *clients) CloudWatch(region string) *cloudwatch.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cw[region] == nil {
		c.cw[region] = cloudwatch.NewFromConfig(c.config(region))
	}
	return c.cw[region]
}

// opError is a failed AWS call, named by service, operation and region.
type opError struct {
	Service, Op, Region string
	Err                 error
}

func awsErr(service, op, region string, err error) error {
	return &opError{Service: service, Op: op, Region: region, Err: err}
}

func (e *opError) Error() string {
	where := fmt.Sprintf("%s %s in %s", e.Service, e.Op, e.Region)
	switch code := awsapi.ErrorCode(e.Err); {
	case errors.Is(e.Err, context.Canceled):
		return where + ": interrupted"
	case code != "":
		return where + ": " + awsapi.ErrorText(e.Err) + hint(code)
	}
	return where + ": " + e.Err.Error()
}

func (e *opError) Unwrap() error { return e.Err }

func hint(code string) string {
	switch code {
	case "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch":
		return " (check the AWS credentials: --profile, AWS_PROFILE, aws sso login)"
	case "AccessDenied", "AccessDeniedException", "AuthorizationError":
		return " (the caller's IAM policy does not allow it)"
	}
	return ""
}

// topicARN is a parsed SNS topic ARN.
type topicARN struct {
	ARN, Region, Account, Name string
}

func parseTopicARN(s string) (topicARN, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sns" || a.Region == "" || a.Resource == "" || strings.Contains(a.Resource, ":") {
		return topicARN{}, fmt.Errorf("%q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", s)
	}
	return topicARN{ARN: s, Region: a.Region, Account: a.AccountID, Name: a.Resource}, nil
}

// queueARN is a parsed SQS queue ARN.
type queueARN struct {
	ARN, Region, Account, Name string
}

func parseQueueARN(s string) (queueARN, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sqs" || a.Region == "" || a.Resource == "" {
		return queueARN{}, fmt.Errorf("%q is not an SQS queue ARN", s)
	}
	return queueARN{ARN: s, Region: a.Region, Account: a.AccountID, Name: a.Resource}, nil
}

// queueURLRegion reads the region from an SQS queue URL: the AWS forms
// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME and
// https://REGION.queue.amazonaws.com/…, and LocalStack's
// http://sqs.REGION.localhost.localstack.cloud:4566/…. It returns "" for
// other hosts.
func queueURLRegion(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	labels := strings.Split(u.Hostname(), ".")
	switch {
	case len(labels) >= 3 && labels[0] == "sqs" && regions.WellFormed(labels[1]):
		return labels[1]
	case len(labels) >= 3 && labels[1] == "queue" && regions.WellFormed(labels[0]):
		return labels[0]
	}
	return ""
}
