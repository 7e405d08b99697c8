package route53

import (
	"encoding/xml"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Account quotas (GetAccountLimit).

// Limits are the account quotas the emulator enforces.
type Limits struct {
	HostedZones            int // MAX_HOSTED_ZONES_BY_OWNER
	HealthChecks           int // MAX_HEALTH_CHECKS_BY_OWNER
	TrafficPolicies        int // MAX_TRAFFIC_POLICIES_BY_OWNER
	TrafficPolicyInstances int // MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER (policy records)
	TrafficPolicyVersions  int // versions per traffic policy (not adjustable on AWS)
}

// DefaultLimits are AWS's default quotas.
func DefaultLimits() Limits {
	return Limits{HostedZones: 500, HealthChecks: 200, TrafficPolicies: 50, TrafficPolicyInstances: 5, TrafficPolicyVersions: 1000}
}

// SetLimits changes the account quotas (for tests that need more than AWS's
// defaults, or want to reach them quickly).
func (s *Service) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
}

func (s *Service) getAccountLimit(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	typ := req.Param("Type")
	var limit, count int
	switch typ {
	case "MAX_HEALTH_CHECKS_BY_OWNER":
		limit, count = s.limits.HealthChecks, len(s.healthChecks)
	case "MAX_HOSTED_ZONES_BY_OWNER":
		limit, count = s.limits.HostedZones, len(s.zones)
	case "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER":
		limit, count = s.limits.TrafficPolicyInstances, len(s.instances)
	case "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER":
		limit, count = 100, 0
	case "MAX_TRAFFIC_POLICIES_BY_OWNER":
		limit, count = s.limits.TrafficPolicies, s.livePolicyCount()
	default:
		return nil, invalidInput("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [MAX_HEALTH_CHECKS_BY_OWNER, MAX_HOSTED_ZONES_BY_OWNER, MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER, MAX_REUSABLE_DELEGATION_SETS_BY_OWNER, MAX_TRAFFIC_POLICIES_BY_OWNER]", typ)
	}
	return struct {
		XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetAccountLimitResponse"`
		Limit   struct {
			Type  string `xml:"Type"`
			Value int    `xml:"Value"`
		} `xml:"Limit"`
		Count int `xml:"Count"`
	}{Limit: struct {
		Type  string `xml:"Type"`
		Value int    `xml:"Value"`
	}{typ, limit}, Count: count}, nil
}
