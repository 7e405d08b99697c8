// Package iam emulates AWS Identity and Access Management for roles and
// policies: roles with trust policies, inline role policies, customer and AWS
// managed policies with versions, and attachments. IAM is a global service:
// its state does not depend on the region of the request's credential scope.
//
// Besides the API, the service implements core.RoleDirectory so that STS
// (AssumeRole) and Lambda (execution roles) can read a role's trust policy and
// permission policies, and offers pure helpers (TrustsService, Allowed) that
// evaluate them.
package iam

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Namespace is the xmlns of IAM responses.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// Service is the emulated IAM service.
type Service struct {
	env *core.Env
	api *core.API

	mu       sync.RWMutex
	roles    map[string]*role          // by lower-case name: IAM names are case-insensitive
	policies map[string]*managedPolicy // by ARN (customer and AWS managed)
}

// New returns an IAM service with the AWS managed policies that Lambda
// execution roles commonly attach already present.
func New(env *core.Env) *Service {
	s := &Service{
		env:      env,
		roles:    map[string]*role{},
		policies: map[string]*managedPolicy{},
	}
	for _, p := range awsManagedPolicies() {
		s.policies[p.arn] = p
	}
	s.api = s.newAPI()
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "iam" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

type handler func(req *core.Request, p params) (any, *core.APIError)

func (s *Service) handlers() map[string]handler {
	return map[string]handler{
		// roles
		"CreateRole":                    s.createRole,
		"GetRole":                       s.getRole,
		"DeleteRole":                    s.deleteRole,
		"ListRoles":                     s.listRoles,
		"UpdateRole":                    s.updateRole,
		"UpdateRoleDescription":         s.updateRoleDescription,
		"UpdateAssumeRolePolicy":        s.updateAssumeRolePolicy,
		"TagRole":                       s.tagRole,
		"UntagRole":                     s.untagRole,
		"ListRoleTags":                  s.listRoleTags,
		"PutRolePermissionsBoundary":    s.putRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": s.deleteRolePermissionsBoundary,
		"ListInstanceProfilesForRole":   s.listInstanceProfilesForRole,
		// inline role policies
		"PutRolePolicy":    s.putRolePolicy,
		"GetRolePolicy":    s.getRolePolicy,
		"DeleteRolePolicy": s.deleteRolePolicy,
		"ListRolePolicies": s.listRolePolicies,
		// managed policies
		"CreatePolicy":            s.createPolicy,
		"GetPolicy":               s.getPolicy,
		"DeletePolicy":            s.deletePolicy,
		"ListPolicies":            s.listPolicies,
		"GetPolicyVersion":        s.getPolicyVersion,
		"ListPolicyVersions":      s.listPolicyVersions,
		"CreatePolicyVersion":     s.createPolicyVersion,
		"DeletePolicyVersion":     s.deletePolicyVersion,
		"SetDefaultPolicyVersion": s.setDefaultPolicyVersion,
		"TagPolicy":               s.tagPolicy,
		"UntagPolicy":             s.untagPolicy,
		"ListPolicyTags":          s.listPolicyTags,
		"ListEntitiesForPolicy":   s.listEntitiesForPolicy,
		// attachments
		"AttachRolePolicy":         s.attachRolePolicy,
		"DetachRolePolicy":         s.detachRolePolicy,
		"ListAttachedRolePolicies": s.listAttachedRolePolicies,
	}
}

// callerResolver is implemented by the STS service: it names the identity
// that signed a request and answers ExpiredToken / InvalidClientTokenId for
// expired or mismatched temporary credentials.
type callerResolver interface {
	CallerARN(req *core.Request) (string, *core.APIError)
}

// callerKey is where ServeAWS stores the caller's ARN among the parameters
// (it always overwrites whatever a client sent under that name).
const callerKey = "\x00caller"

// callerARN is the ARN of the identity that signed the request.
func (s *Service) callerARN(req *core.Request, p params) string {
	if arn := p.Get(callerKey); arn != "" {
		return arn
	}
	return "arn:aws:iam::" + req.AccountID + ":root"
}

// newAPI serves IAM's operations in the query protocol. Each handler is
// told who signed the request (STS is asked before any lock of ours is
// taken), under callerKey among the parameters.
func (s *Service) newAPI() *core.API {
	ops := s.handlers()
	api := &core.API{
		Wires:    []core.Wire{core.QueryWire{QueryProtocol: core.QueryProtocol{Namespace: Namespace}, XMLTags: true, Version: "2010-05-08"}},
		Handlers: make(map[string]core.Handler, len(ops)),
	}
	for op, h := range ops {
		api.Handlers[op] = func(req *core.Request) (any, *core.APIError) {
			p := req.Params()
			delete(p, callerKey)
			if cr, ok := s.env.Lookup("sts").(callerResolver); ok {
				arn, err := cr.CallerARN(req)
				if err != nil {
					return nil, err
				}
				p[callerKey] = []string{arn}
			}
			return h(req, p)
		}
	}
	return api
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// Inventory implements core.Service: roles, their inline policies and
// attachments, and customer managed policies (AWS managed policies are not
// the account's resources).
func (s *Service) Inventory() []core.Resource {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []core.Resource
	add := func(typ, id string) {
		out = append(out, core.Resource{Service: "iam", Region: "global", Type: typ, ID: id})
	}
	for _, r := range s.roles {
		add("role", r.arn)
		for name := range r.inline {
			add("role-policy", r.name+":"+name)
		}
		for _, arn := range r.attached {
			add("role-policy-attachment", r.name+":"+arn)
		}
	}
	for _, p := range s.policies {
		if !p.awsManaged {
			add("policy", p.arn)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// RoleByARN implements core.RoleDirectory. The returned Policies are the
// documents of the role's inline policies (by name) followed by the default
// versions of its attached managed policies (in attachment order). The
// permissions boundary is not included: it limits, it does not grant.
func (s *Service) RoleByARN(arn string) (core.RoleInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roleByARNLocked(arn)
	if r == nil {
		return core.RoleInfo{}, false
	}
	info := core.RoleInfo{ARN: r.arn, Name: r.name, AssumeRolePolicy: r.trust}
	for _, name := range sortedKeys(r.inline) {
		info.Policies = append(info.Policies, r.inline[name])
	}
	for _, parn := range r.attached {
		if p := s.policies[parn]; p != nil {
			info.Policies = append(info.Policies, p.defaultVersion().document)
		}
	}
	return info, true
}

// RoleSessionLimits returns what STS needs beyond core.RoleInfo to issue a
// role session: the role's unique id (AROA…) and its MaxSessionDuration.
func (s *Service) RoleSessionLimits(arn string) (roleID string, maxSession time.Duration, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roleByARNLocked(arn)
	if r == nil {
		return "", 0, false
	}
	return r.id, time.Duration(r.maxSession) * time.Second, true
}

// NoteRoleUsed records a use of the role (an AssumeRole) for RoleLastUsed.
func (s *Service) NoteRoleUsed(arn, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.roleByARNLocked(arn); r != nil {
		r.lastUsed = s.env.Clock.Now()
		r.lastUsedRegion = region
	}
}

// roleByARNLocked finds a role of this account by its exact ARN (path included).
func (s *Service) roleByARNLocked(arn string) *role {
	a, ok := core.ParseARN(arn)
	if !ok || a.Service != "iam" || a.Account != s.env.AccountID || a.Region != "" {
		return nil
	}
	rest, ok := cutPrefix(a.Resource, "role/")
	if !ok {
		return nil
	}
	name := rest
	if i := lastSlash(rest); i >= 0 {
		name = rest[i+1:]
	}
	r := s.roles[lower(name)]
	if r == nil || r.arn != arn {
		return nil
	}
	return r
}
