package bus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/createonce"
)

// The consumer runs on the OS-only runtime: the zip holds a Go `bootstrap`.
const (
	consumerRuntime = lambdatypes.RuntimeProvidedal2023
	consumerHandler = "bootstrap"
	functionWait    = 10 * time.Minute
)

// consumerEnvironment is the consumer's configuration, in the variables
// internal/consumer reads (the contract between the bus and its consumer).
func consumerEnvironment(spec *busSpec, rs *regionSpec, dlqURL string) map[string]string {
	env := map[string]string{}
	maps.Copy(env, rs.Consumer.Environment)
	env[contract.EnvRedisAddrs] = strings.Join(rs.Redis.Endpoints, ",")
	env[contract.EnvRedisCluster] = strconv.FormatBool(rs.Redis.Cluster)
	env[contract.EnvRedisTLS] = strconv.FormatBool(rs.Redis.TLS)
	if rs.Redis.AuthSecretARN != "" {
		env[contract.EnvRedisAuthSecretARN] = rs.Redis.AuthSecretARN
	}
	if rs.Redis.Username != "" {
		env[contract.EnvRedisUsername] = rs.Redis.Username
	}
	env[contract.EnvOrdered] = strconv.FormatBool(rs.Consumer.Ordered)
	env[contract.EnvTombstoneTTL] = spec.TombstoneTTL
	env[contract.EnvDLQURL] = dlqURL
	env[contract.EnvBusName] = spec.Name
	env[contract.EnvLogLevel] = rs.Consumer.LogLevel
	return env
}

func lambdaVPC(rs *regionSpec) *lambdatypes.VpcConfig {
	if rs.VPC == nil {
		// An empty configuration detaches a function from its VPC.
		return &lambdatypes.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}
	}
	return &lambdatypes.VpcConfig{SubnetIds: rs.VPC.SubnetIDs, SecurityGroupIds: rs.VPC.SecurityGroupIDs}
}

func functionDescription(bus string) string {
	return "Regis consumer of bus " + bus + " (managed by Terraform)"
}

// createFunction creates the consumer, retrying while IAM has not propagated
// the new role to Lambda. It returns as soon as Lambda answers, with the ARN
// and CodeSha256; the caller records them and then waits for Active.
func createFunction(ctx context.Context, c *lambda.Client, name, roleARN string, spec *busSpec, rs *regionSpec, dlqURL string, zip []byte) (*lambda.CreateFunctionOutput, error) {
	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Runtime:       consumerRuntime,
		Handler:       aws.String(consumerHandler),
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(rs.Consumer.Architecture)},
		Role:          aws.String(roleARN),
		Code:          &lambdatypes.FunctionCode{ZipFile: zip},
		MemorySize:    aws.Int32(int32(rs.Consumer.MemorySize)),
		Timeout:       aws.Int32(int32(rs.Consumer.Timeout)),
		Description:   aws.String(functionDescription(spec.Name)),
		Environment:   &lambdatypes.Environment{Variables: consumerEnvironment(spec, rs, dlqURL)},
		PackageType:   lambdatypes.PackageTypeZip,
		Publish:       false,
	}
	if rs.VPC != nil {
		in.VpcConfig = lambdaVPC(rs)
	}
	if len(spec.Tags) > 0 {
		in.Tags = spec.Tags
	}
	// A lost answer must not turn our own new function into "someone
	// else's": adopt what an attempt whose answer was lost created.
	out, err := createonce.Do(ctx, createonce.Attempts(c.Options().Retryer),
		func(ctx context.Context) (*lambda.CreateFunctionOutput, error) {
			return awsapi.RetryWhen(ctx, iamPropagationTimeout, func(ctx context.Context) (*lambda.CreateFunctionOutput, error) {
				return c.CreateFunction(ctx, in, lambdaOnce)
			}, iamNotPropagated)
		},
		func(ctx context.Context) (*lambda.CreateFunctionOutput, bool, error) {
			info, err := findFunction(ctx, c, name)
			if awsapi.IsNotFound(err) {
				return nil, false, nil
			}
			if err != nil {
				return nil, false, err
			}
			cfg := info.Config
			return &lambda.CreateFunctionOutput{FunctionArn: cfg.FunctionArn, FunctionName: cfg.FunctionName, CodeSha256: cfg.CodeSha256, State: cfg.State}, true, nil
		},
		func(err error) bool { return awsapi.IsA[*lambdatypes.ResourceConflictException](err) },
	)
	if awsapi.IsA[*lambdatypes.ResourceConflictException](err) {
		return nil, fmt.Errorf("a Lambda function named %s already exists and is not in this bus's state: import the bus (terraform import) or delete the function: %w", name, err)
	}
	return out, err
}

type functionInfo struct {
	Config *lambdatypes.FunctionConfiguration
	Tags   map[string]string
}

func findFunction(ctx context.Context, c *lambda.Client, name string) (*functionInfo, error) {
	out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		return nil, awsapi.NewNotFound("Lambda function "+name, err)
	}
	if err != nil {
		return nil, err
	}
	info := &functionInfo{Config: out.Configuration, Tags: out.Tags}
	if info.Tags == nil {
		info.Tags = map[string]string{}
	}
	if info.Config == nil {
		return nil, fmt.Errorf("GetFunction %s returned no configuration", name)
	}
	return info, nil
}

// waitFunctionActive waits for a new function to leave Pending.
func waitFunctionActive(ctx context.Context, c *lambda.Client, name string) error {
	w := lambda.NewFunctionActiveV2Waiter(c, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = awsapi.FirstDelay, awsapi.MaxDelay
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, functionWait); err != nil {
		return functionWaitError(ctx, c, name, "to become Active", err)
	}
	return nil
}

// waitFunctionUpdated waits for an update of the function to finish.
func waitFunctionUpdated(ctx context.Context, c *lambda.Client, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(c, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = awsapi.FirstDelay, awsapi.MaxDelay
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, functionWait); err != nil {
		return functionWaitError(ctx, c, name, "to finish updating", err)
	}
	return nil
}

// functionWaitError adds Lambda's reason to a waiter failure.
func functionWaitError(ctx context.Context, c *lambda.Client, name, what string, err error) error {
	if info, ferr := findFunction(ctx, c, name); ferr == nil {
		cfg := info.Config
		reason := aws.ToString(cfg.StateReason)
		if r := aws.ToString(cfg.LastUpdateStatusReason); r != "" {
			reason = r
		}
		if reason != "" {
			return fmt.Errorf("waiting for function %s %s: %w (state %s, last update %s: %s)", name, what, err, cfg.State, cfg.LastUpdateStatus, reason)
		}
	}
	return fmt.Errorf("waiting for function %s %s: %w", name, what, err)
}

// retryConflict retries a Lambda call refused because an update of the
// function or mapping is still in progress.
func retryConflict[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return awsapi.RetryWhen(ctx, conflictTimeout, fn, func(err error) bool {
		return awsapi.IsA[*lambdatypes.ResourceConflictException](err) || awsapi.IsA[*lambdatypes.ResourceInUseException](err) || iamNotPropagated(err)
	})
}

// functionConfigDiff compares the function's configuration with the spec
// and returns the update to make (nil when none).
func functionConfigUpdate(cfg *lambdatypes.FunctionConfiguration, name, roleARN string, spec *busSpec, rs *regionSpec, dlqURL string) *lambda.UpdateFunctionConfigurationInput {
	in := &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name)}
	changed := false
	if aws.ToInt32(cfg.MemorySize) != int32(rs.Consumer.MemorySize) {
		in.MemorySize, changed = aws.Int32(int32(rs.Consumer.MemorySize)), true
	}
	if aws.ToInt32(cfg.Timeout) != int32(rs.Consumer.Timeout) {
		in.Timeout, changed = aws.Int32(int32(rs.Consumer.Timeout)), true
	}
	if cfg.Runtime != consumerRuntime {
		in.Runtime, changed = consumerRuntime, true
	}
	if aws.ToString(cfg.Handler) != consumerHandler {
		in.Handler, changed = aws.String(consumerHandler), true
	}
	if aws.ToString(cfg.Role) != roleARN {
		in.Role, changed = aws.String(roleARN), true
	}
	if aws.ToString(cfg.Description) != functionDescription(spec.Name) {
		in.Description, changed = aws.String(functionDescription(spec.Name)), true
	}
	want := consumerEnvironment(spec, rs, dlqURL)
	var have map[string]string
	if cfg.Environment != nil {
		have = cfg.Environment.Variables
	}
	if !maps.Equal(have, want) {
		in.Environment, changed = &lambdatypes.Environment{Variables: want}, true
	}
	subnets, groups := functionVPC(cfg)
	var wantSubnets, wantGroups []string
	if rs.VPC != nil {
		wantSubnets, wantGroups = rs.VPC.SubnetIDs, rs.VPC.SecurityGroupIDs
	}
	if !slices.Equal(subnets, wantSubnets) || !slices.Equal(groups, wantGroups) {
		in.VpcConfig, changed = lambdaVPC(rs), true
	}
	if !changed {
		return nil
	}
	return in
}

// functionVPC returns the function's sorted subnets and security groups.
func functionVPC(cfg *lambdatypes.FunctionConfiguration) (subnets, groups []string) {
	if cfg.VpcConfig == nil {
		return nil, nil
	}
	subnets = slices.Clone(cfg.VpcConfig.SubnetIds)
	groups = slices.Clone(cfg.VpcConfig.SecurityGroupIds)
	sort.Strings(subnets)
	sort.Strings(groups)
	if len(subnets) == 0 {
		subnets = nil
	}
	if len(groups) == 0 {
		groups = nil
	}
	return subnets, groups
}

func functionArch(cfg *lambdatypes.FunctionConfiguration) string {
	if len(cfg.Architectures) == 0 {
		return string(lambdatypes.ArchitectureX8664) // Lambda's default
	}
	return string(cfg.Architectures[0])
}

func syncFunctionTags(ctx context.Context, c *lambda.Client, arn string, current, desired map[string]string) error {
	add, remove := tagDiff(current, desired)
	if len(remove) > 0 {
		if _, err := c.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: remove}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := c.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: add}); err != nil {
			return err
		}
	}
	return nil
}

func deleteFunction(ctx context.Context, c *lambda.Client, name string) error {
	_, err := retryConflict(ctx, func(ctx context.Context) (*lambda.DeleteFunctionOutput, error) {
		return c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	})
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		return nil
	}
	return err
}
