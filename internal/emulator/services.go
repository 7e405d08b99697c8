package emulator

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// builtinServices lists the emulated services. Each is built with the shared
// environment so that services can reach each other (SNS delivers to SQS).
func builtinServices(env *core.Env) []core.Service {
	return []core.Service{}
}
