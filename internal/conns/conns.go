// Package conns builds the AWS clients the provider's resources and data
// sources use. The provider's Configure builds one *AWSClient and hands it to
// every resource and data source as ProviderData; resources then ask it for
// a client per service and region:
//
//	c.SNS(ctx, region).CreateTopic(ctx, …)
//
// Everything is aws-sdk-go-v2: config.LoadDefaultConfig resolves credentials
// (static keys, environment, shared files, profiles, SSO, IMDS…), region,
// retry settings and endpoint variables exactly as the AWS CLI and the AWS
// provider do; stscreds assumes the configured role; the SDK's standard
// retryer retries throttling and transient errors.
package conns

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// Config is the provider configuration in Go terms. Empty fields mean "not
// set": the SDK's environment variables and shared files fill them in.
type Config struct {
	// Region is the home region: where STS is called and where resources
	// without a region of their own live. Falls back to AWS_REGION,
	// AWS_DEFAULT_REGION and the profile's region.
	Region string
	// Profile is the shared config profile (else AWS_PROFILE, "default").
	Profile string
	// SharedConfigFiles and SharedCredentialsFiles replace the default
	// ~/.aws/config and ~/.aws/credentials; a leading ~/ is expanded.
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	// AccessKey, SecretKey and Token are static credentials; AccessKey and
	// SecretKey go together.
	AccessKey, SecretKey, Token string
	// AssumeRole, when set, is assumed with the credentials above.
	AssumeRole *AssumeRole
	// Endpoints maps a Service.Key to a custom endpoint URL.
	Endpoints map[string]string
	// MaxRetries is the maximum number of attempts per API call; 0 means
	// AWS_MAX_ATTEMPTS / max_attempts, else DefaultMaxRetries.
	MaxRetries int
	// SkipCredentialsValidation skips the STS calls New makes to check the
	// credentials (GetCallerIdentity, and AssumeRole when configured).
	SkipCredentialsValidation bool
	// SkipRequestingAccountID leaves AccountID empty instead of asking STS.
	SkipRequestingAccountID bool
	// DefaultTags are merged into every taggable resource's tags.
	DefaultTags map[string]string

	// ProviderVersion and TerraformVersion go into the User-Agent.
	ProviderVersion  string
	TerraformVersion string
	// HTTPClient replaces the SDK's default HTTP client (tests).
	HTTPClient aws.HTTPClient
}

// AssumeRole configures sts:AssumeRole.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	// Duration of the session; 0 means the STS default (1h).
	Duration time.Duration
}

// AWSClient is the configured provider: identity, home region, default tags
// and a cache of SDK clients per service and region. It is safe for
// concurrent use; resources must not modify its exported fields.
type AWSClient struct {
	// HomeRegion is the provider's region.
	HomeRegion string
	// AccountID is the caller's account (empty with skip_requesting_account_id).
	AccountID string
	// Partition is "aws", "aws-cn", "aws-us-gov", ….
	Partition string
	// CallerARN is the identity's ARN when STS was asked for it.
	CallerARN string
	// DefaultTags are the provider's default_tags.
	DefaultTags map[string]string

	cfg       aws.Config
	endpoints map[string]string

	mu      sync.Mutex
	clients map[clientKey]any
}

type clientKey struct {
	service string
	region  string
}

// New resolves the configuration, checks the credentials with STS (unless
// told not to) and returns the client factory. Errors are *Error values
// with a message for the user; warnings are returned for problems that do
// not stop the provider.
func New(ctx context.Context, c Config) (*AWSClient, []Warning, error) {
	var warnings []Warning
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	if err := checkEnvEndpoints(); err != nil {
		return nil, nil, err
	}

	opts := []func(*config.LoadOptions) error{
		config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKeyValue("terraform-provider-regis", orDev(c.ProviderVersion)),
		}),
	}
	if c.TerraformVersion != "" {
		opts = append(opts, config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKeyValue("Terraform", c.TerraformVersion),
		}))
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if len(c.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(expandHome(c.SharedConfigFiles)))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(expandHome(c.SharedCredentialsFiles)))
	}
	if c.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(staticCredentials{aws.Credentials{
			AccessKeyID:     c.AccessKey,
			SecretAccessKey: c.SecretKey,
			SessionToken:    c.Token,
			Source:          sourceProviderConfig,
		}}))
	}
	if c.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(c.HTTPClient))
	}

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, loadError(c, err)
	}

	// Home region.
	if cfg.Region == "" {
		return nil, nil, &Error{
			Summary:   "No AWS region",
			Detail:    fmt.Sprintf("The provider needs a home region. Set region in the provider block (for example region = %q), or the AWS_REGION or AWS_DEFAULT_REGION environment variable, or region in the shared config profile.", regions.Example),
			Attribute: "region",
		}
	}
	if err := regions.Validate(cfg.Region); err != nil {
		return nil, nil, &Error{
			Summary:   "Invalid AWS region",
			Detail:    fmt.Sprintf("The region from %s is invalid: %v.", regionSource(c), err),
			Attribute: "region",
			Err:       err,
		}
	}

	// Retries: the provider argument, else the SDK's AWS_MAX_ATTEMPTS /
	// max_attempts (read by LoadDefaultConfig), else the AWS provider's 25.
	attempts := c.MaxRetries
	if attempts == 0 {
		attempts = cfg.RetryMaxAttempts
	}
	if attempts == 0 {
		attempts = DefaultMaxRetries
	}
	cfg.Retryer = newRetryer(attempts)
	// Every client would otherwise wrap the retryer with the loaded value.
	cfg.RetryMaxAttempts = 0

	client := &AWSClient{
		HomeRegion:  cfg.Region,
		Partition:   regions.PartitionOf(cfg.Region),
		DefaultTags: maps.Clone(c.DefaultTags),
		cfg:         cfg,
		endpoints:   maps.Clone(c.Endpoints),
		clients:     map[clientKey]any{},
	}

	// Base credentials: resolved locally (files, environment, SSO cache,
	// IMDS). Their absence is an error even when validation is skipped.
	baseCreds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, nil, &Error{
			Summary: "No valid AWS credentials found",
			Detail: "The provider found no credentials. Set access_key and secret_key, or profile (with shared_config_files / shared_credentials_files if the files are not in ~/.aws), " +
				"or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or run where an instance or container role is available.\n\nThe SDK reported: " + err.Error(),
			Err: err,
		}
	}

	if ar := c.AssumeRole; ar != nil {
		stsClient := client.newSTS(cfg)
		provider := stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if ar.SessionName != "" {
				o.RoleSessionName = ar.SessionName
			}
			if ar.ExternalID != "" {
				o.ExternalID = aws.String(ar.ExternalID)
			}
			if ar.Duration != 0 {
				o.Duration = ar.Duration
			}
		})
		client.cfg.Credentials = aws.NewCredentialsCache(provider)
		if !c.SkipCredentialsValidation {
			if _, err := client.cfg.Credentials.Retrieve(ctx); err != nil {
				code := awsapi.ErrorCode(err)
				detail := fmt.Sprintf("sts:AssumeRole of %s in %s with %s failed: %s.", ar.RoleARN, cfg.Region, describeKey(baseCreds, c.Profile), awsapi.ErrorText(err))
				if advice := credentialAdvice(code); advice != "" {
					detail += "\n\n" + advice
				}
				return nil, nil, &Error{Summary: "Cannot assume IAM role", Detail: detail, Attribute: "assume_role.role_arn", Err: err}
			}
		}
	}

	switch {
	case !c.SkipCredentialsValidation:
		out, err := client.STS(ctx, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, nil, credentialsRejected(c, cfg.Region, baseCreds, err)
		}
		client.setIdentity(out)
	case !c.SkipRequestingAccountID:
		out, err := client.STS(ctx, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			warnings = append(warnings, Warning{
				Summary: "AWS account ID not found",
				Detail: fmt.Sprintf("sts:GetCallerIdentity failed (%s), so the account ID is unknown and resources that build ARNs cannot do so. "+
					"Set skip_requesting_account_id = true to silence this warning if the endpoint has no STS.", awsapi.ErrorText(err)),
			})
			break
		}
		client.setIdentity(out)
	}
	return client, warnings, nil
}

// validate repeats the provider's plan-time checks for Go callers.
func (c Config) validate() error {
	if c.Region != "" {
		if err := regions.Validate(c.Region); err != nil {
			return &Error{Summary: "Invalid AWS region", Detail: err.Error() + ".", Attribute: "region", Err: err}
		}
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		set, unset := "access_key", "secret_key"
		if c.AccessKey == "" {
			set, unset = unset, set
		}
		return &Error{Summary: "Incomplete static credentials", Detail: StaticKeysDetail(set, unset), Attribute: set}
	}
	if c.Token != "" && c.AccessKey == "" {
		return &Error{Summary: "Incomplete static credentials", Detail: TokenDetail, Attribute: "token"}
	}
	if ar := c.AssumeRole; ar != nil {
		if ar.RoleARN == "" {
			return &Error{Summary: "Missing role_arn in assume_role", Detail: AssumeRoleMissingARNDetail, Attribute: "assume_role.role_arn"}
		}
		if err := ValidateRoleARN(ar.RoleARN); err != nil {
			return &Error{Summary: "Invalid assume_role.role_arn", Detail: err.Error() + ".", Attribute: "assume_role.role_arn", Err: err}
		}
		if ar.Duration != 0 && (ar.Duration < MinAssumeRoleDuration || ar.Duration > MaxAssumeRoleDuration) {
			return &Error{Summary: "Invalid assume_role.duration", Detail: fmt.Sprintf("%s is outside the range STS allows for a role session: use a duration between 15m and 12h.", ar.Duration), Attribute: "assume_role.duration"}
		}
	}
	for key, u := range c.Endpoints {
		if u == "" {
			continue
		}
		if !knownService(key) {
			return &Error{Summary: "Unknown service in endpoints", Detail: fmt.Sprintf("%q is not a service of this provider.", key), Attribute: "endpoints"}
		}
		if err := ValidateEndpointURL(u); err != nil {
			return &Error{Summary: "Invalid endpoint for " + key, Detail: fmt.Sprintf("endpoints.%s: %v.", key, err), Attribute: "endpoints." + key, Err: err}
		}
	}
	if c.MaxRetries < 0 {
		return &Error{Summary: "Invalid max_retries", Detail: "max_retries must be at least 1.", Attribute: "max_retries"}
	}
	for k, v := range c.DefaultTags {
		if err := ValidateTagKey(k); err != nil {
			return &Error{Summary: "Invalid default tag", Detail: err.Error() + ".", Attribute: "default_tags.tags", Err: err}
		}
		if err := ValidateTagValue(k, v); err != nil {
			return &Error{Summary: "Invalid default tag", Detail: err.Error() + ".", Attribute: "default_tags.tags", Err: err}
		}
	}
	return nil
}

// Messages shared with the provider's ValidateConfig.
const (
	AssumeRoleMissingARNDetail = "An assume_role block needs role_arn, the ARN of the IAM role to assume (for example role_arn = \"" + ExampleRoleARN + "\"). Add it, or remove the block to use the credentials directly."
	TokenDetail                = "token is a session token for temporary credentials and is only used together with access_key and secret_key. Set all three, or remove token."
)

// StaticKeysDetail explains that set needs unset.
func StaticKeysDetail(set, unset string) string {
	return fmt.Sprintf("%s is set but %s is not. Static credentials need both: set %s too, or remove %s to use a profile, the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the shared credentials file.", set, unset, unset, set)
}

func knownService(key string) bool {
	for _, s := range Services {
		if s.Key == key {
			return true
		}
	}
	return false
}

func credentialsRejected(c Config, region string, creds aws.Credentials, err error) error {
	code := awsapi.ErrorCode(err)
	var detail string
	if c.AssumeRole != nil {
		detail = fmt.Sprintf("STS rejected the credentials of role %s (assumed with %s) when the provider checked them with sts:GetCallerIdentity in %s: %s.",
			c.AssumeRole.RoleARN, describeKey(creds, c.Profile), region, awsapi.ErrorText(err))
	} else {
		detail = fmt.Sprintf("STS rejected %s when the provider checked it with sts:GetCallerIdentity in %s: %s.",
			describeKey(creds, c.Profile), region, awsapi.ErrorText(err))
	}
	if advice := credentialAdvice(code); advice != "" {
		detail += "\n\n" + advice
	}
	summary := "Invalid AWS credentials (" + code + ")"
	if code == "" {
		// No answer from STS at all: a transport failure, not a rejection.
		summary = "Cannot validate AWS credentials"
		detail = fmt.Sprintf("The provider could not check %s with sts:GetCallerIdentity in %s: %v.\n\n"+
			"Check that the STS endpoint is reachable: the endpoints block, the AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL environment variables, proxies and network access.",
			describeKey(creds, c.Profile), region, err)
	}
	detail += "\n\nFor an endpoint without STS, set skip_credentials_validation = true."
	return &Error{Summary: summary, Detail: detail, Err: err}
}

func loadError(c Config, err error) error {
	var where []string
	if c.Profile != "" {
		where = append(where, fmt.Sprintf("profile %q", c.Profile))
	} else if p := os.Getenv("AWS_PROFILE"); p != "" {
		where = append(where, fmt.Sprintf("profile %q (from AWS_PROFILE)", p))
	}
	if len(c.SharedConfigFiles) > 0 {
		where = append(where, "shared_config_files "+strings.Join(c.SharedConfigFiles, ", "))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		where = append(where, "shared_credentials_files "+strings.Join(c.SharedCredentialsFiles, ", "))
	}
	detail := "The AWS SDK could not load its configuration"
	if len(where) > 0 {
		detail += " (" + strings.Join(where, "; ") + ")"
	}
	detail += ": " + err.Error() + ".\n\nCheck that the profile exists in the shared config or credentials file and that the files are readable."
	attr := ""
	if c.Profile != "" {
		attr = "profile"
	}
	return &Error{Summary: "Cannot load AWS configuration", Detail: detail, Attribute: attr, Err: err}
}

func regionSource(c Config) string {
	switch {
	case c.Region != "":
		return "the provider's region argument"
	case os.Getenv("AWS_REGION") != "":
		return "the AWS_REGION environment variable"
	case os.Getenv("AWS_DEFAULT_REGION") != "":
		return "the AWS_DEFAULT_REGION environment variable"
	}
	return "the shared config profile"
}

func (c *AWSClient) setIdentity(out *sts.GetCallerIdentityOutput) {
	c.AccountID = aws.ToString(out.Account)
	c.CallerARN = aws.ToString(out.Arn)
	if p := partitionOfARN(c.CallerARN); p != "" {
		c.Partition = p
	}
}

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

func expandHome(paths []string) []string {
	home, err := os.UserHomeDir()
	out := make([]string, len(paths))
	for i, p := range paths {
		if err == nil && (p == "~" || strings.HasPrefix(p, "~/")) {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
		out[i] = p
	}
	return out
}

// staticCredentials is credentials.StaticCredentialsProvider with a Source
// of our own, so error messages can say the key came from the provider block.
type staticCredentials struct{ v aws.Credentials }

func (s staticCredentials) Retrieve(context.Context) (aws.Credentials, error) { return s.v, nil }

// ---------------------------------------------------------------- clients

// region returns region, or the home region when it is empty.
func (c *AWSClient) region(region string) string {
	if region == "" {
		return c.HomeRegion
	}
	return region
}

// AWSConfig returns the SDK configuration for region (the home region when
// empty): credentials, retryer and User-Agent of the provider. Clients built
// from it do not see the endpoints block; use the typed accessors.
func (c *AWSClient) AWSConfig(_ context.Context, region string) aws.Config {
	cfg := c.cfg.Copy()
	cfg.Region = c.region(region)
	return cfg
}

// Endpoint returns the endpoints block URL for a service, or "".
func (c *AWSClient) Endpoint(s Service) string { return c.endpoints[s.Key] }

// cached returns the client of service s in region, building it once.
func cached[T any](c *AWSClient, s Service, region string, build func(aws.Config, *string) T) T {
	if s.Global {
		region = regions.GlobalRegion(c.Partition)
	} else {
		region = c.region(region)
	}
	key := clientKey{service: s.Key, region: region}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.clients[key]; ok {
		return v.(T)
	}
	cfg := c.cfg.Copy()
	cfg.Region = region
	var endpoint *string
	if u := c.endpoints[s.Key]; u != "" {
		endpoint = aws.String(u)
	}
	v := build(cfg, endpoint)
	c.clients[key] = v
	return v
}

// SNS returns the SNS client of region ("" for the home region).
func (c *AWSClient) SNS(_ context.Context, region string) *sns.Client {
	return cached(c, ServiceSNS, region, func(cfg aws.Config, ep *string) *sns.Client {
		return sns.NewFromConfig(cfg, func(o *sns.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// SQS returns the SQS client of region ("" for the home region).
func (c *AWSClient) SQS(_ context.Context, region string) *sqs.Client {
	return cached(c, ServiceSQS, region, func(cfg aws.Config, ep *string) *sqs.Client {
		return sqs.NewFromConfig(cfg, func(o *sqs.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// Lambda returns the Lambda client of region ("" for the home region).
func (c *AWSClient) Lambda(_ context.Context, region string) *lambda.Client {
	return cached(c, ServiceLambda, region, func(cfg aws.Config, ep *string) *lambda.Client {
		return lambda.NewFromConfig(cfg, func(o *lambda.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// IAM returns the IAM client. IAM is global: requests are signed for the
// partition's global region (us-east-1 in aws).
func (c *AWSClient) IAM(_ context.Context) *iam.Client {
	return cached(c, ServiceIAM, "", func(cfg aws.Config, ep *string) *iam.Client {
		return iam.NewFromConfig(cfg, func(o *iam.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// STS returns the STS client of region ("" for the home region).
func (c *AWSClient) STS(_ context.Context, region string) *sts.Client {
	return cached(c, ServiceSTS, region, func(cfg aws.Config, ep *string) *sts.Client {
		return sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// newSTS builds an uncached STS client on cfg (the base credentials, for
// AssumeRole).
func (c *AWSClient) newSTS(cfg aws.Config) *sts.Client {
	var ep *string
	if u := c.endpoints[ServiceSTS.Key]; u != "" {
		ep = aws.String(u)
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, ep) })
}

// Route53 returns the Route 53 client. Route 53 is global: requests are
// signed for the partition's global region.
func (c *AWSClient) Route53(_ context.Context) *route53.Client {
	return cached(c, ServiceRoute53, "", func(cfg aws.Config, ep *string) *route53.Client {
		return route53.NewFromConfig(cfg, func(o *route53.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// CloudWatch returns the CloudWatch client of region ("" for the home region).
func (c *AWSClient) CloudWatch(_ context.Context, region string) *cloudwatch.Client {
	return cached(c, ServiceCloudWatch, region, func(cfg aws.Config, ep *string) *cloudwatch.Client {
		return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// SecretsManager returns the Secrets Manager client of region ("" for the home region).
func (c *AWSClient) SecretsManager(_ context.Context, region string) *secretsmanager.Client {
	return cached(c, ServiceSecretsManager, region, func(cfg aws.Config, ep *string) *secretsmanager.Client {
		return secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { setEndpoint(&o.BaseEndpoint, ep) })
	})
}

// setEndpoint applies the endpoints block (step 1 of the precedence
// documented in endpoints.go) over whatever the SDK resolved.
func setEndpoint(dst **string, ep *string) {
	if ep != nil {
		*dst = ep
	}
}

// ---------------------------------------------------------------- helpers

// MergeTags returns the default tags overlaid with a resource's own tags, as
// the AWS provider computes tags_all: a resource tag wins over a default tag
// with the same key. The result is a new map (empty, not nil, when there are
// no tags).
func (c *AWSClient) MergeTags(resourceTags map[string]string) map[string]string {
	out := make(map[string]string, len(c.DefaultTags)+len(resourceTags))
	maps.Copy(out, c.DefaultTags)
	maps.Copy(out, resourceTags)
	return out
}

// RegionalARN builds an ARN in the caller's partition and account.
func (c *AWSClient) RegionalARN(service, region, resource string) string {
	return "arn:" + c.Partition + ":" + service + ":" + c.region(region) + ":" + c.AccountID + ":" + resource
}

// GlobalARN builds an ARN without region (IAM, Route 53).
func (c *AWSClient) GlobalARN(service, resource string) string {
	return "arn:" + c.Partition + ":" + service + "::" + c.AccountID + ":" + resource
}

// FromProviderData returns the client a resource's or data source's
// Configure receives. It returns nil, nil when data is nil: the framework
// calls Configure before the provider is configured, and the provider leaves
// it nil while its configuration has values unknown until apply.
func FromProviderData(data any) (*AWSClient, error) {
	if data == nil {
		return nil, nil
	}
	c, ok := data.(*AWSClient)
	if !ok {
		return nil, fmt.Errorf("expected *conns.AWSClient as provider data, got %T; this is a bug in the provider", data)
	}
	return c, nil
}

// NotConfiguredDetail is the error detail for a resource or data source
// operation that runs without a configured client.
const NotConfiguredDetail = "The regis provider is not configured yet: its configuration has values that are known only after apply " +
	"(for example a region taken from another resource), and Terraform needs the provider while planning to read data sources and refresh existing resources. " +
	"For a data source, add depends_on with the resource the provider configuration comes from, so that Terraform reads it during apply. " +
	"Otherwise use values known at plan time in the provider block, or create that resource first with terraform apply -target."

// ---------------------------------------------------------------- partitions

func partitionOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" {
		return parts[1]
	}
	return ""
}
