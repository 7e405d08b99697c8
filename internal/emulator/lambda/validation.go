package lambda

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

var (
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	roleARNRE      = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyRE       = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
	qualifierRE    = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]+)$`)
)

// reservedEnvKeys may not be set by functions.
var reservedEnvKeys = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

var runtimes = map[string]bool{}

func init() {
	for _, r := range strings.Fields(`nodejs nodejs4.3 nodejs6.10 nodejs8.10 nodejs10.x nodejs12.x nodejs14.x nodejs16.x nodejs18.x nodejs20.x nodejs22.x nodejs24.x
		java8 java8.al2 java11 java17 java21 java25 python2.7 python3.6 python3.7 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13 python3.14
		dotnetcore1.0 dotnetcore2.0 dotnetcore2.1 dotnetcore3.1 dotnet6 dotnet8 dotnet10 nodejs4.3-edge go1.x ruby2.5 ruby2.7 ruby3.2 ruby3.3 ruby3.4 ruby4.0
		provided provided.al2 provided.al2023`) {
		runtimes[r] = true
	}
}

// deprecatedRuntimes can no longer be used to create or update functions.
var deprecatedRuntimes = map[string]bool{
	"nodejs": true, "nodejs4.3": true, "nodejs6.10": true, "nodejs8.10": true, "nodejs10.x": true, "nodejs12.x": true, "nodejs14.x": true,
	"nodejs4.3-edge": true, "java8": true, "python2.7": true, "python3.6": true, "python3.7": true, "python3.8": true,
	"dotnetcore1.0": true, "dotnetcore2.0": true, "dotnetcore2.1": true, "dotnetcore3.1": true, "dotnet6": true,
	"go1.x": true, "ruby2.5": true, "ruby2.7": true, "provided": true,
}

func customRuntime(r string) bool {
	return r == "provided.al2023" || r == "provided.al2" || r == "provided"
}

func validateRuntime(r string) *core.APIError {
	if !runtimes[r] {
		return errValidation(r, "runtime", "Member must satisfy enum value set: [nodejs20.x, nodejs22.x, java17, java21, python3.11, python3.12, python3.13, dotnet8, ruby3.3, ruby3.4, provided.al2, provided.al2023, …]")
	}
	if deprecatedRuntimes[r] {
		return errInvalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", r)
	}
	return nil
}

func validateEnv(env map[string]string) *core.APIError {
	var reserved []string
	for k := range env {
		if reservedEnvKeys[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	for k := range env {
		if !envKeyRE.MatchString(k) {
			return errValidation(k, "environment.variables.key", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
	}
	js, _ := json.Marshal(env)
	if len(js) > maxEnvSize {
		return errInvalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", js)
	}
	return nil
}

func validateTags(tags map[string]string) *core.APIError {
	if len(tags) > maxTags {
		return errInvalidParameter("Number of tags exceeds resource tag limit.")
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 {
			return errValidation(k, "tags.key", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(v) > 256 {
			return errValidation(v, "tags.value", "Member must have length less than or equal to 256")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errInvalidParameter("Tag keys with the prefix aws: are reserved for AWS use.")
		}
	}
	return nil
}

// checkRole verifies that the execution role exists and trusts Lambda, and,
// for a function in a VPC, that it allows the ENI actions Lambda performs.
func (s *Service) checkRole(roleARN string, vpc bool) *core.APIError {
	dir, _ := s.env.Lookup("iam").(core.RoleDirectory)
	if dir == nil {
		return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
	}
	info, ok := dir.RoleByARN(roleARN)
	if !ok || !iam.TrustsService(info, lambdaPrincipal, nil) {
		return errInvalidParameter("The role defined for the function cannot be assumed by Lambda.")
	}
	if vpc {
		for _, action := range []string{"CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface"} {
			if iam.Allowed(info, "ec2:"+action, "*", nil) != iampolicy.Allow {
				return errInvalidParameter("The provided execution role does not have permissions to call %s on EC2", action)
			}
		}
	}
	return nil
}

// applyCommon applies the settings CreateFunction and UpdateFunctionConfiguration share.
func applyCommon(cfg *config, desc *string, timeout, memory *int, env *environmentInput, vpc *vpcConfigInput,
	tracing *struct{ Mode string }, eph *struct{ Size int }, logging *loggingConfig) *core.APIError {
	if desc != nil {
		if utf8.RuneCountInString(*desc) > 256 {
			return errValidation(*desc, "description", "Member must have length less than or equal to 256")
		}
		cfg.description = *desc
	}
	if timeout != nil {
		if *timeout < 1 {
			return errValidation(*timeout, "timeout", "Member must have value greater than or equal to 1")
		}
		if *timeout > 900 {
			return errValidation(*timeout, "timeout", "Member must have value less than or equal to 900")
		}
		cfg.timeout = *timeout
	}
	if memory != nil {
		if *memory < 128 {
			return errValidation(*memory, "memorySize", "Member must have value greater than or equal to 128")
		}
		if *memory > 10240 {
			return errValidation(*memory, "memorySize", "Member must have value less than or equal to 10240")
		}
		cfg.memory = *memory
	}
	if env != nil {
		if err := validateEnv(env.Variables); err != nil {
			return err
		}
		cfg.env = map[string]string{}
		for k, v := range env.Variables {
			cfg.env[k] = v
		}
		cfg.envSet = true
	}
	if vpc != nil {
		if len(vpc.SubnetIDs) > 16 {
			return errValidation(len(vpc.SubnetIDs), "vpcConfig.subnetIds", "Member must have length less than or equal to 16")
		}
		if len(vpc.SecurityGroupIDs) > 5 {
			return errValidation(len(vpc.SecurityGroupIDs), "vpcConfig.securityGroupIds", "Member must have length less than or equal to 5")
		}
		for _, id := range vpc.SubnetIDs {
			if !strings.HasPrefix(id, "subnet-") {
				return core.Errorf("InvalidSubnetIDException", "The subnet ID '%s' does not exist", id)
			}
		}
		for _, id := range vpc.SecurityGroupIDs {
			if !strings.HasPrefix(id, "sg-") {
				return core.Errorf("InvalidSecurityGroupIDException", "The security group ID '%s' does not exist", id)
			}
		}
		if (len(vpc.SubnetIDs) == 0) != (len(vpc.SecurityGroupIDs) == 0) {
			return errInvalidParameter("SubnetIds and SecurityGroupIds must coexist or be both empty list.")
		}
		cfg.subnets = append([]string{}, vpc.SubnetIDs...)
		cfg.sgs = append([]string{}, vpc.SecurityGroupIDs...)
		cfg.ipv6 = vpc.Ipv6AllowedForDualStack
	}
	if tracing != nil {
		if tracing.Mode != "Active" && tracing.Mode != "PassThrough" {
			return errValidation(tracing.Mode, "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")
		}
		cfg.tracing = tracing.Mode
	}
	if eph != nil {
		if eph.Size < 512 || eph.Size > 10240 {
			return errValidation(eph.Size, "ephemeralStorage.size", "Member must have value between 512 and 10240")
		}
		cfg.ephemeral = eph.Size
	}
	if logging != nil {
		if logging.LogFormat != "" {
			if logging.LogFormat != "Text" && logging.LogFormat != "JSON" {
				return errValidation(logging.LogFormat, "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")
			}
			cfg.logFormat = logging.LogFormat
		}
		if logging.LogGroup != "" {
			cfg.logGroup = logging.LogGroup
		}
	}
	return nil
}
