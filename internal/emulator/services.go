package emulator

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/cloudwatch"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/logs"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/secretsmanager"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sqs"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sts"
)

// builtinServices lists the emulated services. Each is built with the shared
// environment so that services can reach each other (SNS delivers to SQS).
func builtinServices(env *core.Env) []core.Service {
	return []core.Service{
		iam.New(env),
		sts.New(env),
		sns.New(env),
		sqs.New(env),
		secretsmanager.New(env),
		cloudwatch.New(env),
		lambda.New(env),
		logs.New(env),
		route53.New(env),
	}
}
