package sts

import (
	"net/http"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

var _ core.ServiceRoleAssumer = (*Service)(nil)

// AssumeRoleForService implements core.ServiceRoleAssumer: an AWS service
// principal (Lambda for a function's execution role) assumes a role on the
// account's behalf. The role must exist and its trust policy must allow the
// principal sts:AssumeRole; the credentials then act as
// arn:aws:sts::<account>:assumed-role/<role>/<sessionName>.
func (s *Service) AssumeRoleForService(roleARN, sessionName, servicePrincipal, region string, duration time.Duration) (core.Credentials, *core.APIError) {
	denied := core.StatusErrorf(http.StatusForbidden, "AccessDenied",
		"%s is not authorized to perform: sts:AssumeRole on resource: %s", servicePrincipal, roleARN)
	dir, _ := s.env.Lookup("iam").(core.RoleDirectory)
	if dir == nil {
		return core.Credentials{}, denied
	}
	info, ok := dir.RoleByARN(roleARN)
	if !ok {
		return core.Credentials{}, denied
	}
	trust, err := iampolicy.Parse(info.AssumeRolePolicy, iampolicy.ResourcePolicy)
	if err != nil {
		return core.Credentials{}, denied
	}
	c := iampolicy.Context{
		Action: "sts:AssumeRole", Resource: info.ARN, PrincipalService: servicePrincipal,
		Keys: map[string]string{"aws:RequestedRegion": region, "sts:RoleSessionName": sessionName},
	}
	if trust.Evaluate(c, iampolicy.ResourcePolicy) != iampolicy.Allow {
		return core.Credentials{}, denied
	}
	roleID := "AROA" + stableID(info.ARN, 17)
	if rd, ok := dir.(roleDetails); ok {
		if id, _, ok := rd.RoleSessionLimits(info.ARN); ok {
			roleID = id
		}
	}
	if ru, ok := dir.(roleUse); ok {
		ru.NoteRoleUsed(info.ARN, region)
	}
	if duration <= 0 {
		duration = time.Hour
	}
	id := Identity{
		Account:     s.env.AccountID,
		ARN:         "arn:aws:sts::" + s.env.AccountID + ":assumed-role/" + info.Name + "/" + sessionName,
		UserID:      roleID + ":" + sessionName,
		RoleARN:     info.ARN,
		SessionName: sessionName,
	}
	x := s.issue(id, duration)
	exp, _ := time.Parse("2006-01-02T15:04:05Z", x.Expiration)
	return core.Credentials{AccessKeyID: x.AccessKeyID, SecretAccessKey: x.SecretAccessKey, SessionToken: x.SessionToken, Expiration: exp}, nil
}
