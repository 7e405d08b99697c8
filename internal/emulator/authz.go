package emulator

import (
	"net/http"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sts"
)

var _ core.Authorizer = (*Emulator)(nil)

// callerResolver is implemented by the STS service.
type callerResolver interface {
	Caller(req *core.Request) (sts.Identity, *core.APIError)
}

// Authorize implements core.Authorizer: IAM authorization of requests made
// with role sessions.
//
// The caller comes from STS (the temporary credentials that signed the
// request). Only role sessions are checked: the emulator's long-term access
// keys are the account's administrators, and so are sessions of their own
// (GetSessionToken). For a role session, as in AWS for a request in the
// role's own account:
//
//   - an explicit Deny in the role's permission policies (inline and
//     attached) or in the resource's policy denies;
//   - otherwise an Allow in either allows (the resource's policy may name
//     the role's ARN or the session's ARN as principal);
//   - otherwise the request is implicitly denied.
//
// A deleted role has no policies: its sessions are denied everything.
// Permissions boundaries and session policies are not applied.
func (e *Emulator) Authorize(req *core.Request, action string, target func() core.AuthzTarget) *core.APIError {
	cr, ok := e.env.Lookup("sts").(callerResolver)
	if !ok {
		return nil
	}
	id, aerr := cr.Caller(req)
	if aerr != nil {
		return aerr
	}
	if !id.AssumedRole() {
		return nil
	}
	t := target()
	if t.Resource == "" {
		t.Resource = "*"
	}
	keys := map[string]string{
		"aws:PrincipalArn":     id.RoleARN,
		"aws:PrincipalAccount": id.Account,
		"aws:PrincipalType":    "AssumedRole",
		"aws:userid":           id.UserID,
		"aws:RequestedRegion":  req.Region,
	}
	identity := iampolicy.ImplicitDeny
	if dir, ok := e.env.Lookup("iam").(core.RoleDirectory); ok {
		if info, found := dir.RoleByARN(id.RoleARN); found {
			identity = iam.Allowed(info, action, t.Resource, keys)
		}
	}
	resource := iampolicy.ImplicitDeny
	if t.Policy != nil && identity != iampolicy.ExplicitDeny {
		for _, principal := range []string{id.RoleARN, id.ARN} {
			switch t.Policy.Evaluate(iampolicy.Context{
				Action: action, Resource: t.Resource, PrincipalARN: principal, PrincipalAccount: id.Account, Keys: keys,
			}, iampolicy.ResourcePolicy) {
			case iampolicy.ExplicitDeny:
				resource = iampolicy.ExplicitDeny
			case iampolicy.Allow:
				if resource != iampolicy.ExplicitDeny {
					resource = iampolicy.Allow
				}
			}
		}
	}
	switch {
	case identity == iampolicy.ExplicitDeny:
		return accessDenied(id, action, t.Resource, "with an explicit deny in an identity-based policy")
	case resource == iampolicy.ExplicitDeny:
		return accessDenied(id, action, t.Resource, "with an explicit deny in a resource-based policy")
	case identity == iampolicy.Allow || resource == iampolicy.Allow:
		return nil
	}
	return accessDenied(id, action, t.Resource, "because no identity-based policy allows the "+action+" action")
}

// accessDenied is IAM's refusal, in AWS's words.
func accessDenied(id sts.Identity, action, resource, why string) *core.APIError {
	return &core.APIError{
		Status: http.StatusForbidden, Code: "AccessDenied",
		Message: "User: " + id.ARN + " is not authorized to perform: " + action + " on resource: " + resource + " " + strings.TrimSpace(why),
	}
}
