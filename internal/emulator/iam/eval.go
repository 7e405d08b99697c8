package iam

import (
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// TrustsService reports whether a role's trust policy lets an AWS service
// principal (e.g. "lambda.amazonaws.com") assume it with sts:AssumeRole.
// Lambda uses it to reject execution roles it cannot assume, as AWS does.
func TrustsService(info core.RoleInfo, servicePrincipal string, keys map[string]string) bool {
	d, err := iampolicy.Parse(info.AssumeRolePolicy, iampolicy.ResourcePolicy)
	if err != nil {
		return false
	}
	c := iampolicy.Context{Action: "sts:AssumeRole", Resource: info.ARN, PrincipalService: servicePrincipal, Keys: keys}
	return d.Evaluate(c, iampolicy.ResourcePolicy) == iampolicy.Allow
}

// Allowed evaluates a role's permission policies (inline and attached, as
// RoleByARN returns them) for one action on one resource: any explicit Deny
// wins, then any Allow; otherwise the request is implicitly denied.
// Unparsable documents are skipped (IAM validated them when they were saved).
func Allowed(info core.RoleInfo, action, resource string, keys map[string]string) iampolicy.Decision {
	docs := make([]*iampolicy.Document, 0, len(info.Policies))
	for _, p := range info.Policies {
		if d, err := iampolicy.Parse(p, iampolicy.IdentityPolicy); err == nil {
			docs = append(docs, d)
		}
	}
	return iampolicy.EvaluateAll(docs, iampolicy.Context{Action: action, Resource: resource, Keys: keys}, iampolicy.IdentityPolicy)
}
