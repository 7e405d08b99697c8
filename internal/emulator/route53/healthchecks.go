package route53

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"sort"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// healthCheckConfig is HealthCheckConfig on the wire and in storage.
type healthCheckConfig struct {
	IPAddress                    string           `xml:"IPAddress,omitempty"`
	Port                         *int32           `xml:"Port,omitempty"`
	Type                         string           `xml:"Type"`
	ResourcePath                 string           `xml:"ResourcePath,omitempty"`
	FullyQualifiedDomainName     string           `xml:"FullyQualifiedDomainName,omitempty"`
	SearchString                 string           `xml:"SearchString,omitempty"`
	RequestInterval              *int32           `xml:"RequestInterval,omitempty"`
	FailureThreshold             *int32           `xml:"FailureThreshold,omitempty"`
	MeasureLatency               *bool            `xml:"MeasureLatency,omitempty"`
	Inverted                     *bool            `xml:"Inverted,omitempty"`
	Disabled                     *bool            `xml:"Disabled,omitempty"`
	HealthThreshold              *int32           `xml:"HealthThreshold,omitempty"`
	ChildHealthChecks            []string         `xml:"ChildHealthChecks>ChildHealthCheck,omitempty"`
	EnableSNI                    *bool            `xml:"EnableSNI,omitempty"`
	Regions                      []string         `xml:"Regions>Region,omitempty"`
	AlarmIdentifier              *alarmIdentifier `xml:"AlarmIdentifier,omitempty"`
	InsufficientDataHealthStatus string           `xml:"InsufficientDataHealthStatus,omitempty"`
	RoutingControlArn            string           `xml:"RoutingControlArn,omitempty"`
}

type alarmIdentifier struct {
	Region string `xml:"Region"`
	Name   string `xml:"Name"`
}

// healthCheck is one health check and what its checkers currently observe.
type healthCheck struct {
	id        string
	callerRef string
	config    healthCheckConfig
	version   int64
	seq       int64
	tags      map[string]string
	// healthy is what the checkers observe (the endpoint's real state, which
	// the emulator does not probe): set by SetHealthCheckStatus.
	healthy bool
}

type xmlHealthCheck struct {
	ID                 string            `xml:"Id"`
	CallerReference    string            `xml:"CallerReference"`
	HealthCheckConfig  healthCheckConfig `xml:"HealthCheckConfig"`
	HealthCheckVersion int64             `xml:"HealthCheckVersion"`
}

func (hc *healthCheck) xml() xmlHealthCheck {
	return xmlHealthCheck{ID: hc.id, CallerReference: hc.callerRef, HealthCheckConfig: hc.config, HealthCheckVersion: hc.version}
}

func ptr[T any](v T) *T { return &v }

func isTrue(b *bool) bool { return b != nil && *b }

// withDefaults fills in what Route 53 sets when a field is omitted.
func (c healthCheckConfig) withDefaults() healthCheckConfig {
	switch c.Type {
	case "HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP":
		if c.Port == nil {
			switch c.Type {
			case "HTTP", "HTTP_STR_MATCH":
				c.Port = ptr[int32](80)
			case "HTTPS", "HTTPS_STR_MATCH":
				c.Port = ptr[int32](443)
			}
		}
		if c.RequestInterval == nil {
			c.RequestInterval = ptr[int32](30)
		}
		if c.FailureThreshold == nil {
			c.FailureThreshold = ptr[int32](3)
		}
		if c.MeasureLatency == nil {
			c.MeasureLatency = ptr(false)
		}
		if c.EnableSNI == nil {
			c.EnableSNI = ptr(c.Type == "HTTPS" || c.Type == "HTTPS_STR_MATCH")
		}
	}
	if c.Inverted == nil {
		c.Inverted = ptr(false)
	}
	if c.Disabled == nil {
		c.Disabled = ptr(false)
	}
	return c
}

// validate checks a complete configuration the way CreateHealthCheck and
// UpdateHealthCheck do.
func (s *Service) validateHealthCheck(c healthCheckConfig, selfID string) *core.APIError {
	endpoint := false
	switch c.Type {
	case "HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP":
		endpoint = true
	case "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL":
	case "":
		return invalidInput("Invalid parameter : Missing field 'Type'")
	default:
		return invalidInput("1 validation error detected: Value '%s' at 'healthCheckConfig.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL]", c.Type)
	}
	if endpoint {
		if c.IPAddress == "" && c.FullyQualifiedDomainName == "" {
			return invalidInput("Invalid parameter : Either IPAddress or FullyQualifiedDomainName must be specified for %s health checks", c.Type)
		}
		if c.IPAddress != "" {
			if msg := checkHealthCheckIP(c.IPAddress); msg != "" {
				return invalidInput("%s", msg)
			}
		}
		if c.Type == "TCP" && c.Port == nil {
			return invalidInput("Invalid parameter : Port must be specified for TCP health checks")
		}
		if c.Port != nil && (*c.Port < 1 || *c.Port > 65535) {
			return invalidInput("1 validation error detected: Value '%d' at 'healthCheckConfig.port' failed to satisfy constraint: Member must have value between 1 and 65535", *c.Port)
		}
		if c.RequestInterval != nil && *c.RequestInterval != 10 && *c.RequestInterval != 30 {
			return invalidInput("Invalid parameter : RequestInterval must be 10 or 30 (was %d)", *c.RequestInterval)
		}
		if c.FailureThreshold != nil && (*c.FailureThreshold < 1 || *c.FailureThreshold > 10) {
			return invalidInput("1 validation error detected: Value '%d' at 'healthCheckConfig.failureThreshold' failed to satisfy constraint: Member must have value between 1 and 10", *c.FailureThreshold)
		}
		if c.Type == "TCP" && (c.ResourcePath != "" || c.SearchString != "") {
			return invalidInput("Invalid parameter : ResourcePath and SearchString are not valid for TCP health checks")
		}
		if len(c.ResourcePath) > 255 || len(c.FullyQualifiedDomainName) > 255 || len(c.SearchString) > 255 {
			return invalidInput("Invalid parameter : ResourcePath, FullyQualifiedDomainName and SearchString are at most 255 characters")
		}
		if (c.Type == "HTTP_STR_MATCH" || c.Type == "HTTPS_STR_MATCH") && c.SearchString == "" {
			return invalidInput("Invalid parameter : SearchString must be specified for %s health checks", c.Type)
		}
		if c.SearchString != "" && c.Type != "HTTP_STR_MATCH" && c.Type != "HTTPS_STR_MATCH" {
			return invalidInput("Invalid parameter : SearchString is only valid for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
		}
		if len(c.Regions) > 0 {
			if len(c.Regions) < 3 {
				return invalidInput("Invalid parameter : At least 3 regions must be specified (%d given)", len(c.Regions))
			}
			seen := map[string]bool{}
			for _, r := range c.Regions {
				if !slices.Contains(checkerRegions, r) {
					return invalidInput("1 validation error detected: Value '%s' at 'healthCheckConfig.regions' failed to satisfy constraint: Member must satisfy enum value set: %v", r, checkerRegions)
				}
				if seen[r] {
					return invalidInput("Invalid parameter : Region %s is listed more than once", r)
				}
				seen[r] = true
			}
		}
		if len(c.ChildHealthChecks) > 0 || c.HealthThreshold != nil {
			return invalidInput("Invalid parameter : ChildHealthChecks and HealthThreshold are only valid for CALCULATED health checks")
		}
	}
	switch c.Type {
	case "CALCULATED":
		if c.IPAddress != "" || c.FullyQualifiedDomainName != "" || c.Port != nil || c.ResourcePath != "" {
			return invalidInput("Invalid parameter : IPAddress, FullyQualifiedDomainName, Port and ResourcePath are not valid for CALCULATED health checks")
		}
		if c.HealthThreshold == nil {
			return invalidInput("Invalid parameter : HealthThreshold must be specified for CALCULATED health checks")
		}
		if *c.HealthThreshold < 0 || *c.HealthThreshold > 256 {
			return invalidInput("1 validation error detected: Value '%d' at 'healthCheckConfig.healthThreshold' failed to satisfy constraint: Member must have value between 0 and 256", *c.HealthThreshold)
		}
		if len(c.ChildHealthChecks) > 256 {
			return invalidInput("Invalid parameter : at most 256 ChildHealthChecks")
		}
		for _, id := range c.ChildHealthChecks {
			if id == selfID {
				return invalidInput("Invalid parameter : a calculated health check cannot monitor itself")
			}
			if s.healthChecks[id] == nil {
				return noSuchHealthCheck(id)
			}
		}
	case "CLOUDWATCH_METRIC":
		if c.AlarmIdentifier == nil {
			return invalidInput("Invalid parameter : AlarmIdentifier must be specified for CLOUDWATCH_METRIC health checks")
		}
	case "RECOVERY_CONTROL":
		if c.RoutingControlArn == "" {
			return invalidInput("Invalid parameter : RoutingControlArn must be specified for RECOVERY_CONTROL health checks")
		}
	}
	switch c.InsufficientDataHealthStatus {
	case "", "Healthy", "Unhealthy", "LastKnownStatus":
	default:
		return invalidInput("1 validation error detected: Value '%s' at 'healthCheckConfig.insufficientDataHealthStatus' failed to satisfy constraint: Member must satisfy enum value set: [Healthy, Unhealthy, LastKnownStatus]", c.InsufficientDataHealthStatus)
	}
	return nil
}

// checkHealthCheckIP refuses what Route 53 cannot check: local, private,
// non-routable and multicast addresses.
func checkHealthCheckIP(s string) string {
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return fmt.Sprintf("Invalid parameter : IPAddress %s is not a valid IPv4 or IPv6 address", s)
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() ||
		ip.IsInterfaceLocalMulticast() || ip.IsLinkLocalMulticast() || (ip.Is4() && (ip.As4()[0] == 0 || ip.As4()[0] >= 240)) ||
		(ip.Is4() && ip.As4()[0] == 100 && ip.As4()[1]&0xc0 == 64) {
		return fmt.Sprintf("Invalid parameter : IP address %s is in a local, private, non-routable or multicast range; Route 53 cannot check it", s)
	}
	return ""
}

// -------------------------------------------------------------- operations

func (s *Service) createHealthCheck(req *core.Request) (any, *core.APIError) {
	var in struct {
		CallerReference   string             `xml:"CallerReference"`
		HealthCheckConfig *healthCheckConfig `xml:"HealthCheckConfig"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.CallerReference == "" || len(in.CallerReference) > 64 {
		return nil, invalidInput("1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 64")
	}
	if in.HealthCheckConfig == nil {
		return nil, invalidInput("Invalid parameter : Missing field 'HealthCheckConfig'")
	}
	cfg := in.HealthCheckConfig.withDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.validateHealthCheck(cfg, ""); err != nil {
		return nil, err
	}
	if id, used := s.hcRefs[in.CallerReference]; used {
		hc := s.healthChecks[id]
		if hc == nil || !reflect.DeepEqual(hc.config, cfg) {
			return nil, core.StatusErrorf(http.StatusConflict, "HealthCheckAlreadyExists",
				"A health check with the specified caller reference already exists, and its settings differ from those in the request (or it was deleted).")
		}
		return created(locationBase+"healthcheck/"+hc.id, createHealthCheckResponse{HealthCheck: hc.xml()})
	}
	if len(s.healthChecks) >= s.limits.HealthChecks {
		return nil, core.Errorf("TooManyHealthChecks", "This health check can't be created because the current account has reached the limit on the number of health checks (%d).", s.limits.HealthChecks)
	}
	hc := &healthCheck{id: core.NewRequestID(), callerRef: in.CallerReference, config: cfg, version: 1, seq: s.nextSeq(), tags: map[string]string{}, healthy: true}
	s.healthChecks[hc.id] = hc
	s.hcRefs[in.CallerReference] = hc.id
	return created(locationBase+"healthcheck/"+hc.id, createHealthCheckResponse{HealthCheck: hc.xml()})
}

type createHealthCheckResponse struct {
	XMLName     xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHealthCheckResponse"`
	HealthCheck xmlHealthCheck `xml:"HealthCheck"`
}

func (s *Service) healthCheckByID(id string) (*healthCheck, *core.APIError) {
	hc := s.healthChecks[stripPrefix(id)]
	if hc == nil {
		return nil, noSuchHealthCheck(id)
	}
	return hc, nil
}

func (s *Service) getHealthCheck(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc, err := s.healthCheckByID(req.Param("HealthCheckId"))
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName     xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckResponse"`
		HealthCheck xmlHealthCheck `xml:"HealthCheck"`
	}{HealthCheck: hc.xml()}, nil
}

func (s *Service) updateHealthCheck(req *core.Request) (any, *core.APIError) {
	var in struct {
		HealthCheckVersion           *int64           `xml:"HealthCheckVersion"`
		IPAddress                    *string          `xml:"IPAddress"`
		Port                         *int32           `xml:"Port"`
		ResourcePath                 *string          `xml:"ResourcePath"`
		FullyQualifiedDomainName     *string          `xml:"FullyQualifiedDomainName"`
		SearchString                 *string          `xml:"SearchString"`
		FailureThreshold             *int32           `xml:"FailureThreshold"`
		Inverted                     *bool            `xml:"Inverted"`
		Disabled                     *bool            `xml:"Disabled"`
		HealthThreshold              *int32           `xml:"HealthThreshold"`
		ChildHealthChecks            *[]string        `xml:"ChildHealthChecks>ChildHealthCheck"`
		EnableSNI                    *bool            `xml:"EnableSNI"`
		Regions                      *[]string        `xml:"Regions>Region"`
		AlarmIdentifier              *alarmIdentifier `xml:"AlarmIdentifier"`
		InsufficientDataHealthStatus *string          `xml:"InsufficientDataHealthStatus"`
		ResetElements                []string         `xml:"ResetElements>ResettableElementName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hc, err := s.healthCheckByID(req.Param("HealthCheckId"))
	if err != nil {
		return nil, err
	}
	if in.HealthCheckVersion != nil && *in.HealthCheckVersion != hc.version {
		return nil, core.StatusErrorf(http.StatusConflict, "HealthCheckVersionMismatch",
			"The value of HealthCheckVersion in the request (%d) doesn't match the value of HealthCheckVersion in the health check (%d).", *in.HealthCheckVersion, hc.version)
	}
	cfg := hc.config
	cfg.Regions = slices.Clone(cfg.Regions)
	cfg.ChildHealthChecks = slices.Clone(cfg.ChildHealthChecks)
	for _, e := range in.ResetElements {
		switch e {
		case "FullyQualifiedDomainName":
			cfg.FullyQualifiedDomainName = ""
		case "Regions":
			cfg.Regions = nil
		case "ResourcePath":
			cfg.ResourcePath = ""
		case "ChildHealthChecks":
			cfg.ChildHealthChecks = nil
		default:
			return nil, invalidInput("1 validation error detected: Value '%s' at 'resetElements' failed to satisfy constraint: Member must satisfy enum value set: [FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks]", e)
		}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&cfg.IPAddress, in.IPAddress)
	set(&cfg.ResourcePath, in.ResourcePath)
	set(&cfg.FullyQualifiedDomainName, in.FullyQualifiedDomainName)
	set(&cfg.SearchString, in.SearchString)
	set(&cfg.InsufficientDataHealthStatus, in.InsufficientDataHealthStatus)
	if in.Port != nil {
		cfg.Port = in.Port
	}
	if in.FailureThreshold != nil {
		cfg.FailureThreshold = in.FailureThreshold
	}
	if in.Inverted != nil {
		cfg.Inverted = in.Inverted
	}
	if in.Disabled != nil {
		cfg.Disabled = in.Disabled
	}
	if in.HealthThreshold != nil {
		cfg.HealthThreshold = in.HealthThreshold
	}
	if in.ChildHealthChecks != nil {
		cfg.ChildHealthChecks = *in.ChildHealthChecks
	}
	if in.EnableSNI != nil {
		cfg.EnableSNI = in.EnableSNI
	}
	if in.Regions != nil {
		cfg.Regions = *in.Regions
	}
	if in.AlarmIdentifier != nil {
		cfg.AlarmIdentifier = in.AlarmIdentifier
	}
	if err := s.validateHealthCheck(cfg, hc.id); err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(cfg, hc.config) {
		hc.config = cfg
		hc.version++
	}
	return struct {
		XMLName     xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateHealthCheckResponse"`
		HealthCheck xmlHealthCheck `xml:"HealthCheck"`
	}{HealthCheck: hc.xml()}, nil
}

// deleteHealthCheck deletes the health check even when record sets or
// traffic policies still reference it, as Route 53 does today.
func (s *Service) deleteHealthCheck(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc, err := s.healthCheckByID(req.Param("HealthCheckId"))
	if err != nil {
		return nil, err
	}
	delete(s.healthChecks, hc.id)
	s.hcRefs[hc.callerRef] = ""
	return nil, nil
}

func (s *Service) listHealthChecks(req *core.Request) (any, *core.APIError) {
	limit, err := maxItems(req, 100, 1000)
	if err != nil {
		return nil, err
	}
	marker := query(req, "marker")
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]*healthCheck, 0, len(s.healthChecks))
	for _, hc := range s.healthChecks {
		all = append(all, hc)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	start := 0
	if marker != "" {
		start = -1
		for i, hc := range all {
			if hc.id == marker {
				start = i
			}
		}
		if start < 0 {
			return nil, invalidInput("Invalid marker: %s", marker)
		}
	}
	out := struct {
		XMLName      xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHealthChecksResponse"`
		HealthChecks []xmlHealthCheck `xml:"HealthChecks>HealthCheck"`
		Marker       string           `xml:"Marker"`
		IsTruncated  bool             `xml:"IsTruncated"`
		NextMarker   string           `xml:"NextMarker,omitempty"`
		MaxItems     int              `xml:"MaxItems"`
	}{Marker: marker, MaxItems: limit, HealthChecks: []xmlHealthCheck{}}
	for i := start; i < len(all); i++ {
		if len(out.HealthChecks) == limit {
			out.IsTruncated = true
			out.NextMarker = all[i].id
			break
		}
		out.HealthChecks = append(out.HealthChecks, all[i].xml())
	}
	return out, nil
}

func (s *Service) getHealthCheckCount(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return struct {
		XMLName          xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckCountResponse"`
		HealthCheckCount int      `xml:"HealthCheckCount"`
	}{HealthCheckCount: len(s.healthChecks)}, nil
}
