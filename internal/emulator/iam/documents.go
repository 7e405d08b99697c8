package iam

import (
	"regexp"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// IAM quotas on policy sizes (characters, whitespace not counted).
const (
	maxTrustPolicySize   = 2048  // ACLSizePerRole (default quota)
	maxRoleInlineSize    = 10240 // aggregate of a role's inline policies
	maxManagedPolicySize = 6144
	maxManagedPerRole    = 10 // PoliciesPerRole (default quota)
	maxPolicyVersions    = 5
)

var (
	accountRE       = regexp.MustCompile(`^\d{12}$`)
	iamPrincipalRE  = regexp.MustCompile(`^arn:aws:iam::(\d{12}):(root|user/.+|role/.+)$`)
	stsPrincipalRE  = regexp.MustCompile(`^arn:aws:sts::(\d{12}):(assumed-role/[^/]+/.+|federated-user/.+)$`)
	servicePrincRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.[a-z0-9.-]+$`)
	validPrincTypes = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}
)

// validateIdentityPolicy checks a permission policy (inline or managed).
func validateIdentityPolicy(doc string) *core.APIError {
	if _, err := iampolicy.Parse(doc, iampolicy.IdentityPolicy); err != nil {
		return malformed("%v", err)
	}
	return nil
}

// validateTrustPolicyLocked checks a role trust policy the way IAM does: a
// resource policy (every statement names a principal) without Resource,
// whose actions are STS actions, and whose AWS principals are well formed
// and, for roles of this account, exist. s.mu must be held.
func (s *Service) validateTrustPolicyLocked(doc string) *core.APIError {
	d, err := iampolicy.Parse(doc, iampolicy.ResourcePolicy)
	if err != nil {
		return malformed("%v", err)
	}
	if nonSpaceLen(doc) > maxTrustPolicySize {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	for _, st := range d.Statement {
		if len(st.Resource) > 0 || len(st.NotResource) > 0 {
			return malformed("Has prohibited field Resource")
		}
		for _, a := range append(append([]string(nil), st.Action...), st.NotAction...) {
			if !strings.HasPrefix(lower(a), "sts:") {
				return malformed("AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
		for _, pr := range []*iampolicy.Principal{st.Principal, st.NotPrincipal} {
			if pr == nil || pr.Any {
				continue
			}
			for typ, values := range pr.Map {
				if !validPrincTypes[typ] {
					return malformed("Invalid principal in policy: %q", typ)
				}
				for _, v := range values {
					if err := s.checkPrincipalLocked(typ, v); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (s *Service) checkPrincipalLocked(typ, v string) *core.APIError {
	bad := malformed("Invalid principal in policy: \"%s\":\"%s\"", strings.ToUpper(typ), v)
	switch typ {
	case "AWS":
		if v == "*" || accountRE.MatchString(v) || stsPrincipalRE.MatchString(v) {
			return nil
		}
		m := iamPrincipalRE.FindStringSubmatch(v)
		if m == nil {
			return bad
		}
		// IAM resolves role principals of the account when the policy is
		// saved: a role that does not exist is an invalid principal.
		if m[1] == s.env.AccountID && strings.HasPrefix(m[2], "role/") && s.roleByARNLocked(v) == nil {
			return bad
		}
	case "Service":
		if !servicePrincRE.MatchString(v) {
			return bad
		}
	default:
		if v == "" {
			return bad
		}
	}
	return nil
}
