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
	if rs.Consumer.MetricsNamespace != "" {
		env[contract.EnvMetricsNamespace] = rs.Consumer.MetricsNamespace
	}
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
// and CodeSha256; the caller records them and then waits for Active. A
// function of that name that exists already makes it fail with
// ResourceConflictException.
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

// ------------------------------------------------------------ the reconciler

// convergeFunction updates an existing function's configuration and code.
// A role re-created with the same name has the same ARN but is a new role:
// op.roleCreated makes the function take it again.
func convergeFunction(ctx context.Context, op *regionOp, lc *lambda.Client, info *functionInfo, zip []byte, sha string) error {
	ids, rs := op.ids, op.rs
	cfg := info.Config
	ids.FunctionARN = aws.ToString(cfg.FunctionArn)
	ids.CodeSHA256 = aws.ToString(cfg.CodeSha256)
	if cfg.LastUpdateStatus == lambdatypes.LastUpdateStatusInProgress || cfg.State == lambdatypes.StatePending {
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	in := functionConfigUpdate(cfg, ids.FunctionName, ids.RoleARN, op.e.spec, rs, ids.DLQURL)
	if in == nil && op.roleCreated {
		in = &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(ids.FunctionName)}
	}
	if in != nil && op.roleCreated {
		in.Role = aws.String(ids.RoleARN)
	}
	if in != nil {
		if _, err := retryConflict(ctx, func(ctx context.Context) (*lambda.UpdateFunctionConfigurationOutput, error) {
			return lc.UpdateFunctionConfiguration(ctx, in)
		}); err != nil {
			return err
		}
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	if aws.ToString(cfg.CodeSha256) != sha || functionArch(cfg) != rs.Consumer.Architecture {
		out, err := retryConflict(ctx, func(ctx context.Context) (*lambda.UpdateFunctionCodeOutput, error) {
			return lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName:  aws.String(ids.FunctionName),
				ZipFile:       zip,
				Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(rs.Consumer.Architecture)},
			})
		})
		if err != nil {
			return err
		}
		ids.CodeSHA256 = aws.ToString(out.CodeSha256)
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	return syncFunctionTags(ctx, lc, ids.FunctionARN, info.Tags, op.e.spec.Tags)
}

// ensureFunction: the consumer function, running the package of the
// region's architecture with the role.
func ensureFunction(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	lc := op.e.c.Lambda(ctx, op.region())
	zip, sha, err := op.e.zips.get(rs.Consumer.Architecture)
	if err != nil {
		return op.fail("loading the consumer package", err)
	}
	// converge brings the function named in ids to the spec; it clears the
	// ids when the function is gone.
	converge := func() error {
		info, err := findFunction(ctx, lc, ids.FunctionName)
		switch {
		case awsapi.IsNotFound(err):
			ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
			return nil
		case err != nil:
			return op.fail("reading the consumer function", err)
		}
		if err := convergeFunction(ctx, op, lc, info, zip, sha); err != nil {
			return op.fail("updating the consumer function", err)
		}
		return nil
	}
	if ids.FunctionName != "" {
		if err := converge(); err != nil {
			return err
		}
	}
	if ids.FunctionName != "" {
		return nil
	}
	name := contract.FunctionName(op.e.spec.Name)
	out, err := createFunction(ctx, lc, name, ids.RoleARN, op.e.spec, rs, ids.DLQURL, zip)
	switch {
	case awsapi.IsA[*lambdatypes.ResourceConflictException](err):
		// The function of the bus's name exists outside the state (left
		// by an earlier bus, or made by hand): adopt it and bring it to the
		// bus's configuration and package.
		ids.FunctionName = name
		if err := converge(); err != nil {
			return err
		}
		if ids.FunctionName == "" {
			return op.fail("creating the consumer function", fmt.Errorf("Lambda reported function %s as existing, then did not find it: run terraform apply again: %w", name, err))
		}
		return nil
	case err != nil:
		return op.fail("creating the consumer function", err)
	}
	ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = name, aws.ToString(out.FunctionArn), aws.ToString(out.CodeSha256)
	if err := waitFunctionActive(ctx, lc, name); err != nil {
		return op.fail("starting the consumer function", err)
	}
	return nil
}

func readFunction(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	if ids.FunctionName == "" {
		return nil
	}
	info, err := findFunction(ctx, op.e.c.Lambda(ctx, op.region()), ids.FunctionName)
	switch {
	case awsapi.IsNotFound(err):
		ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
		op.missing("function")
		return nil
	case err != nil:
		return op.fail("reading the consumer function", err)
	}
	cfg := info.Config
	ids.FunctionARN = aws.ToString(cfg.FunctionArn)
	ids.CodeSHA256 = aws.ToString(cfg.CodeSha256)
	rs.Consumer.MemorySize = int64(aws.ToInt32(cfg.MemorySize))
	rs.Consumer.Timeout = int64(aws.ToInt32(cfg.Timeout))
	rs.Consumer.Architecture = functionArch(cfg)
	subnets, groups := functionVPC(cfg)
	if len(subnets) == 0 && len(groups) == 0 {
		rs.VPC = nil
	} else {
		rs.VPC = &vpcSpec{SubnetIDs: subnets, SecurityGroupIDs: groups}
	}
	var env map[string]string
	if cfg.Environment != nil {
		env = cfg.Environment.Variables
	}
	op.note(readEnvironment(env, rs, &op.tombstoneTTL, op.e.spec.Name, op.dlqURL())...)
	if cfg.Runtime != consumerRuntime || aws.ToString(cfg.Handler) != consumerHandler {
		op.note(fmt.Sprintf("function: runtime %s with handler %s instead of %s with %s", cfg.Runtime, aws.ToString(cfg.Handler), consumerRuntime, consumerHandler))
	}
	if ids.RoleARN != "" && aws.ToString(cfg.Role) != ids.RoleARN {
		op.note("function: runs with role " + aws.ToString(cfg.Role) + " instead of the consumer role")
	}
	if cfg.State == lambdatypes.StateFailed {
		op.note("function: state Failed: " + aws.ToString(cfg.StateReason))
	}
	op.tagDrift("function", info.Tags)
	return nil
}

func deleteFunctionObject(ctx context.Context, op *regionOp) error {
	ids := op.ids
	if ids.FunctionName == "" {
		return nil
	}
	if err := deleteFunction(ctx, op.e.c.Lambda(ctx, op.region()), ids.FunctionName); err != nil {
		return op.fail("deleting the consumer function", err)
	}
	ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
	return nil
}

// readEnvironment reads the consumer's arguments back from its environment
// and reports variables that do not match what the bus sets.
func readEnvironment(env map[string]string, rs *regionSpec, tombstone *string, bus, dlqURL string) []string {
	var drift []string
	if v, ok := env[contract.EnvRedisAddrs]; ok {
		rs.Redis.Endpoints = []string{}
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				rs.Redis.Endpoints = append(rs.Redis.Endpoints, a)
			}
		}
	} else {
		drift = append(drift, "function: "+contract.EnvRedisAddrs+" is missing")
	}
	rs.Redis.Cluster = parseBool(env[contract.EnvRedisCluster])
	rs.Redis.TLS = parseBool(env[contract.EnvRedisTLS])
	rs.Redis.AuthSecretARN = env[contract.EnvRedisAuthSecretARN]
	rs.Redis.Username = env[contract.EnvRedisUsername]
	rs.Consumer.Ordered = parseBool(env[contract.EnvOrdered])
	if v := env[contract.EnvLogLevel]; v != "" {
		rs.Consumer.LogLevel = v
	}
	rs.Consumer.MetricsNamespace = env[contract.EnvMetricsNamespace]
	*tombstone = env[contract.EnvTombstoneTTL]
	if _, ok := env[contract.EnvRedisAuthToken]; ok {
		drift = append(drift, "function: "+contract.EnvRedisAuthToken+" puts the Redis token in the function's configuration; the bus uses auth_secret_arn")
	}
	if env[contract.EnvDLQURL] != dlqURL && dlqURL != "" {
		drift = append(drift, "function: "+contract.EnvDLQURL+" is not the region's dead-letter queue")
	}
	if env[contract.EnvBusName] != bus {
		drift = append(drift, "function: "+contract.EnvBusName+" is not "+bus)
	}
	extra := map[string]string{}
	for k, v := range env {
		if !slices.Contains(managedEnv, k) {
			extra[k] = v
		}
	}
	rs.Consumer.Environment = extra
	return drift
}
