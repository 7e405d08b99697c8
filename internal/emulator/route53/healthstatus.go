package route53

import (
	"encoding/xml"
	"fmt"
	"net"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// What Route 53's health checkers observe (GetHealthCheckStatus,
// GetHealthCheckLastFailureReason, GetCheckerIpRanges, and the admin hook
// that sets it), and the status DNS answers follow.

// checkerRegions are the regions Route 53 health checkers run in, in the
// order of the HealthCheckRegion enum.
var checkerRegions = []string{"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"}

// checkerIPs are one (illustrative) checker address per checker region, from
// the ROUTE53_HEALTHCHECKS ranges AWS publishes.
var checkerIPs = map[string]string{
	"us-east-1": "15.177.2.1", "us-west-1": "15.177.10.1", "us-west-2": "15.177.14.1", "eu-west-1": "15.177.62.1",
	"ap-southeast-1": "15.177.82.1", "ap-southeast-2": "15.177.86.1", "ap-northeast-1": "15.177.74.1", "sa-east-1": "15.177.98.1",
}

type xmlObservation struct {
	Region       string `xml:"Region"`
	IPAddress    string `xml:"IPAddress"`
	StatusReport struct {
		Status      string `xml:"Status"`
		CheckedTime string `xml:"CheckedTime"`
	} `xml:"StatusReport"`
}

// observations is what each checker region reports for the health check:
// the observed status, before Inverted and Disabled (which GetHealthCheckStatus
// does not apply either).
func (s *Service) observations(hc *healthCheck, failuresOnly bool) []xmlObservation {
	regions := hc.config.Regions
	if len(regions) == 0 {
		regions = checkerRegions
	}
	healthy := hc.healthy
	var okMsg, failMsg string
	switch hc.config.Type {
	case "TCP":
		okMsg, failMsg = "Success: TCP connection established", "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall."
	case "CALCULATED":
		healthy = s.calculatedHealthy(hc, 0)
		okMsg, failMsg = "Success: The number of healthy child health checks meets the health threshold", "Failure: The number of healthy child health checks is below the health threshold"
	case "HTTP_STR_MATCH", "HTTPS_STR_MATCH":
		okMsg, failMsg = "Success: HTTP Status Code 200, OK. Resolved IP: "+hc.config.IPAddress+". Search string found.", "Failure: Search string not found in the response body."
	default:
		okMsg, failMsg = "Success: HTTP Status Code 200, OK", "Failure: HTTP Status Code 503, Service Unavailable."
	}
	if failuresOnly && healthy {
		return []xmlObservation{}
	}
	now := timestamp(s.now())
	out := make([]xmlObservation, 0, len(regions))
	for _, r := range regions {
		o := xmlObservation{Region: r, IPAddress: checkerIPs[r]}
		o.StatusReport.Status = okMsg
		if !healthy {
			o.StatusReport.Status = failMsg
		}
		o.StatusReport.CheckedTime = now
		out = append(out, o)
	}
	return out
}

func (s *Service) getHealthCheckStatus(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc, err := s.healthCheckByID(req.Param("HealthCheckId"))
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName                 xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckStatusResponse"`
		HealthCheckObservations []xmlObservation `xml:"HealthCheckObservations>HealthCheckObservation"`
	}{HealthCheckObservations: s.observations(hc, false)}, nil
}

func (s *Service) getHealthCheckLastFailureReason(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc, err := s.healthCheckByID(req.Param("HealthCheckId"))
	if err != nil {
		return nil, err
	}
	return struct {
		XMLName                 xml.Name         `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHealthCheckLastFailureReasonResponse"`
		HealthCheckObservations []xmlObservation `xml:"HealthCheckObservations>HealthCheckObservation"`
	}{HealthCheckObservations: s.observations(hc, true)}, nil
}

func (s *Service) getCheckerIPRanges(req *core.Request) (any, *core.APIError) {
	ranges := make([]string, 0, len(checkerRegions))
	for _, r := range checkerRegions {
		ip := net.ParseIP(checkerIPs[r]).To4()
		ranges = append(ranges, fmt.Sprintf("%d.%d.%d.0/26", ip[0], ip[1], ip[2]))
	}
	return struct {
		XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetCheckerIpRangesResponse"`
		CheckerIPRanges []string `xml:"CheckerIpRanges>member"`
	}{CheckerIPRanges: ranges}, nil
}

// SetHealthCheckStatus sets what Route 53's checkers observe for a health
// check: healthy true (the default) or false. The status DNS answers use then
// follows Disabled and Inverted as on AWS.
func (s *Service) SetHealthCheckStatus(id string, healthy bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc := s.healthChecks[stripPrefix(id)]
	if hc == nil {
		return fmt.Errorf("route53: no health check with id %q", id)
	}
	hc.healthy = healthy
	return nil
}

// HealthCheckStatus returns what the checkers observe and the status Route 53
// uses to answer DNS queries (after Disabled, Inverted and, for CALCULATED
// checks, the children).
func (s *Service) HealthCheckStatus(id string) (observed, effective, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	hc := s.healthChecks[stripPrefix(id)]
	if hc == nil {
		return false, false, false
	}
	return hc.healthy, s.effectiveHealthy(hc, 0), true
}

// effectiveHealthy is the status DNS answers use: a disabled check counts as
// healthy, then Inverted flips the result.
func (s *Service) effectiveHealthy(hc *healthCheck, depth int) bool {
	var healthy bool
	switch {
	case isTrue(hc.config.Disabled):
		healthy = true
	case hc.config.Type == "CALCULATED":
		healthy = s.calculatedHealthy(hc, depth)
	default:
		healthy = hc.healthy
	}
	if isTrue(hc.config.Inverted) {
		healthy = !healthy
	}
	return healthy
}

func (s *Service) calculatedHealthy(hc *healthCheck, depth int) bool {
	if depth > 8 {
		return true
	}
	n := 0
	for _, id := range hc.config.ChildHealthChecks {
		child := s.healthChecks[id]
		if child == nil || s.effectiveHealthy(child, depth+1) {
			n++ // a deleted child's status is unpredictable on AWS; count it healthy
		}
	}
	threshold := 0
	if hc.config.HealthThreshold != nil {
		threshold = int(*hc.config.HealthThreshold)
	}
	return n >= threshold
}

// unhealthySet returns the ids of every health check whose effective status
// is unhealthy.
func (s *Service) unhealthySet() map[string]bool {
	out := map[string]bool{}
	for id, hc := range s.healthChecks {
		if !s.effectiveHealthy(hc, 0) {
			out[id] = true
		}
	}
	return out
}
