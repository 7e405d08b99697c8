package route53

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Namespace is the xmlns of Route 53 requests and responses.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// apiVersionPrefix starts every Route 53 API path.
const apiVersionPrefix = "/2013-04-01/"

// locationBase prefixes the Location header of created objects.
const locationBase = "https://route53.amazonaws.com/2013-04-01/"

// Delays are how long Route 53's asynchronous work takes, on the emulator
// clock (tests may skip them with Clock().Advance).
type Delays struct {
	// Change is how long a change (ChangeResourceRecordSets, CreateHostedZone,
	// DeleteHostedZone) stays PENDING before GetChange reports INSYNC.
	Change time.Duration
	// Instance is how long a traffic policy instance stays Creating, Updating
	// or Deleting before it is Applied (or gone).
	Instance time.Duration
}

// DefaultDelays keeps acceptance tests that poll fast while still showing the
// intermediate states.
func DefaultDelays() Delays { return Delays{Change: time.Second, Instance: time.Second} }

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

// Service is the emulated Route 53.
type Service struct {
	env   *core.Env
	proto core.RESTXMLProtocol

	mu     sync.Mutex
	delays Delays
	limits Limits
	seq    int64

	zones        map[string]*hostedZone // by id (no /hostedzone/ prefix)
	zoneRefs     map[string]bool        // every CallerReference ever used by CreateHostedZone
	changes      map[string]*change     // by id (no /change/ prefix)
	healthChecks map[string]*healthCheck
	hcRefs       map[string]string // CallerReference → health check id ("" once deleted)
	policies     map[string]*trafficPolicy
	instances    map[string]*instance

	dnsMu   sync.Mutex
	servers []*DNSServer
}

// New returns a Route 53 service using env for the account and the clock.
func New(env *core.Env) *Service {
	return &Service{
		env:          env,
		proto:        core.RESTXMLProtocol{Namespace: Namespace},
		delays:       DefaultDelays(),
		limits:       DefaultLimits(),
		zones:        map[string]*hostedZone{},
		zoneRefs:     map[string]bool{},
		changes:      map[string]*change{},
		healthChecks: map[string]*healthCheck{},
		hcRefs:       map[string]string{},
		policies:     map[string]*trafficPolicy{},
		instances:    map[string]*instance{},
	}
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "route53" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.proto }

// SetDelays changes the emulated propagation delays. Work already under way
// keeps the delay it started with.
func (s *Service) SetDelays(d Delays) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays = d
}

// CurrentDelays returns the emulated propagation delays.
func (s *Service) CurrentDelays() Delays {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delays
}

// SetLimits changes the account quotas (for tests that need more than AWS's
// defaults, or want to reach them quickly).
func (s *Service) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
}

// Close implements core.Closer: it stops every DNS server.
func (s *Service) Close() error {
	s.dnsMu.Lock()
	servers := s.servers
	s.servers = nil
	s.dnsMu.Unlock()
	for _, srv := range servers {
		srv.shutdown()
	}
	return nil
}

func (s *Service) now() time.Time { return s.env.Clock.Now() }

func (s *Service) nextSeq() int64 {
	s.seq++
	return s.seq
}

// ------------------------------------------------------------------ routing

// call is one parsed API request.
type call struct {
	req   *core.Request
	w     http.ResponseWriter
	parts []string // path segments after /2013-04-01/
	query map[string][]string
}

func (c *call) q(name string) string {
	if v := c.query[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

type handler func(c *call) *core.APIError

// route maps a method and path to the operation name and its handler.
func (s *Service) route(method string, p []string) (string, handler) {
	n := len(p)
	seg := func(i int) string {
		if i < n {
			return p[i]
		}
		return ""
	}
	switch seg(0) {
	case "hostedzone":
		switch {
		case n == 1 && method == http.MethodPost:
			return "CreateHostedZone", s.createHostedZone
		case n == 1 && method == http.MethodGet:
			return "ListHostedZones", s.listHostedZones
		case n == 2 && method == http.MethodGet:
			return "GetHostedZone", s.getHostedZone
		case n == 2 && method == http.MethodDelete:
			return "DeleteHostedZone", s.deleteHostedZone
		case n == 2 && method == http.MethodPost:
			return "UpdateHostedZoneComment", s.updateHostedZoneComment
		case n == 3 && seg(2) == "rrset" && method == http.MethodPost:
			return "ChangeResourceRecordSets", s.changeResourceRecordSets
		case n == 3 && seg(2) == "rrset" && method == http.MethodGet:
			return "ListResourceRecordSets", s.listResourceRecordSets
		}
	case "hostedzonecount":
		if n == 1 && method == http.MethodGet {
			return "GetHostedZoneCount", s.getHostedZoneCount
		}
	case "hostedzonesbyname":
		if n == 1 && method == http.MethodGet {
			return "ListHostedZonesByName", s.listHostedZonesByName
		}
	case "change":
		if n == 2 && method == http.MethodGet {
			return "GetChange", s.getChange
		}
	case "healthcheck":
		switch {
		case n == 1 && method == http.MethodPost:
			return "CreateHealthCheck", s.createHealthCheck
		case n == 1 && method == http.MethodGet:
			return "ListHealthChecks", s.listHealthChecks
		case n == 2 && method == http.MethodGet:
			return "GetHealthCheck", s.getHealthCheck
		case n == 2 && method == http.MethodPost:
			return "UpdateHealthCheck", s.updateHealthCheck
		case n == 2 && method == http.MethodDelete:
			return "DeleteHealthCheck", s.deleteHealthCheck
		case n == 3 && seg(2) == "status" && method == http.MethodGet:
			return "GetHealthCheckStatus", s.getHealthCheckStatus
		case n == 3 && seg(2) == "lastfailurereason" && method == http.MethodGet:
			return "GetHealthCheckLastFailureReason", s.getHealthCheckLastFailureReason
		}
	case "healthcheckcount":
		if n == 1 && method == http.MethodGet {
			return "GetHealthCheckCount", s.getHealthCheckCount
		}
	case "checkeripranges":
		if n == 1 && method == http.MethodGet {
			return "GetCheckerIpRanges", s.getCheckerIPRanges
		}
	case "accountlimit":
		if n == 2 && method == http.MethodGet {
			return "GetAccountLimit", s.getAccountLimit
		}
	case "tags":
		switch {
		case n == 3 && method == http.MethodPost:
			return "ChangeTagsForResource", s.changeTagsForResource
		case n == 3 && method == http.MethodGet:
			return "ListTagsForResource", s.listTagsForResource
		case n == 2 && method == http.MethodPost:
			return "ListTagsForResources", s.listTagsForResources
		}
	case "trafficpolicy":
		switch {
		case n == 1 && method == http.MethodPost:
			return "CreateTrafficPolicy", s.createTrafficPolicy
		case n == 2 && method == http.MethodPost:
			return "CreateTrafficPolicyVersion", s.createTrafficPolicyVersion
		case n == 3 && method == http.MethodGet:
			return "GetTrafficPolicy", s.getTrafficPolicy
		case n == 3 && method == http.MethodPost:
			return "UpdateTrafficPolicyComment", s.updateTrafficPolicyComment
		case n == 3 && method == http.MethodDelete:
			return "DeleteTrafficPolicy", s.deleteTrafficPolicy
		}
	case "trafficpolicies":
		switch {
		case n == 1 && method == http.MethodGet:
			return "ListTrafficPolicies", s.listTrafficPolicies
		case n == 3 && seg(2) == "versions" && method == http.MethodGet:
			return "ListTrafficPolicyVersions", s.listTrafficPolicyVersions
		}
	case "trafficpolicyinstance":
		switch {
		case n == 1 && method == http.MethodPost:
			return "CreateTrafficPolicyInstance", s.createTrafficPolicyInstance
		case n == 2 && method == http.MethodGet:
			return "GetTrafficPolicyInstance", s.getTrafficPolicyInstance
		case n == 2 && method == http.MethodPost:
			return "UpdateTrafficPolicyInstance", s.updateTrafficPolicyInstance
		case n == 2 && method == http.MethodDelete:
			return "DeleteTrafficPolicyInstance", s.deleteTrafficPolicyInstance
		}
	case "trafficpolicyinstances":
		switch {
		case n == 1 && method == http.MethodGet:
			return "ListTrafficPolicyInstances", s.listTrafficPolicyInstances
		case n == 2 && seg(1) == "hostedzone" && method == http.MethodGet:
			return "ListTrafficPolicyInstancesByHostedZone", s.listTrafficPolicyInstancesByHostedZone
		case n == 2 && seg(1) == "trafficpolicy" && method == http.MethodGet:
			return "ListTrafficPolicyInstancesByPolicy", s.listTrafficPolicyInstancesByPolicy
		}
	case "trafficpolicyinstancecount":
		if n == 1 && method == http.MethodGet {
			return "GetTrafficPolicyInstanceCount", s.getTrafficPolicyInstanceCount
		}
	}
	return "", nil
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) {
	path := req.HTTP.URL.Path
	rest, ok := strings.CutPrefix(path, apiVersionPrefix)
	if !ok {
		s.proto.WriteError(w, req, core.StatusErrorf(http.StatusNotFound, "UnknownOperationException",
			"the path %s is not a Route 53 API path (expected %s…)", path, apiVersionPrefix))
		return
	}
	var parts []string
	for _, p := range strings.Split(strings.Trim(rest, "/"), "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	// Clients that do not strip the prefixes send /hostedzone//hostedzone/ID.
	if len(parts) >= 3 && (parts[0] == "hostedzone" || parts[0] == "healthcheck" || parts[0] == "change") && parts[1] == parts[0] {
		parts = append(parts[:1], parts[2:]...)
	}
	action, h := s.route(req.HTTP.Method, parts)
	if h == nil {
		s.proto.WriteError(w, req, core.StatusErrorf(http.StatusNotFound, "UnknownOperationException",
			"the emulator does not implement %s %s", req.HTTP.Method, path))
		return
	}
	if err := req.Begin(action); err != nil {
		s.proto.WriteError(w, req, err)
		return
	}
	c := &call{req: req, w: w, parts: parts, query: req.HTTP.URL.Query()}
	if err := h(c); err != nil {
		s.proto.WriteError(w, req, err)
	}
}

// decode reads the XML request body into v. An empty body leaves v as is.
func decode(c *call, v any) *core.APIError {
	body, err := io.ReadAll(io.LimitReader(c.req.HTTP.Body, core.MaxRequestBody+1))
	if err != nil {
		return invalidInput("could not read the request body: %v", err)
	}
	if len(body) > core.MaxRequestBody {
		return core.StatusErrorf(http.StatusRequestEntityTooLarge, "InvalidInput", "the request body is too large")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return invalidInput("Invalid XML ; %v", err)
	}
	return nil
}

// write answers with an XML document (a struct with an XMLName in Namespace).
func (s *Service) write(c *call, status int, v any) *core.APIError {
	s.proto.WriteXML(c.w, c.req, status, v)
	return nil
}

// created answers 201 Created with a Location header.
func (s *Service) created(c *call, location string, v any) *core.APIError {
	c.w.Header().Set("Location", location)
	return s.write(c, http.StatusCreated, v)
}

// empty answers 200 with an empty <ActionResponse/> element.
func (s *Service) empty(c *call) *core.APIError {
	c.w.Header().Set("Content-Type", "text/xml")
	c.w.Header().Set("x-amzn-RequestId", c.req.ID)
	c.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(c.w, xml.Header+`<`+c.req.Action+`Response xmlns="`+Namespace+`"/>`)
	return nil
}

// maxItems parses the maxitems query parameter: def when absent, capped at ceiling.
func maxItems(c *call, def, ceiling int) (int, *core.APIError) {
	v := c.q("maxitems")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, invalidInput("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a positive integer", v)
	}
	if n > ceiling {
		n = ceiling
	}
	return n, nil
}

// timestamp formats t the way Route 53 does (ISO 8601, milliseconds, UTC).
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ------------------------------------------------------------------ errors

func invalidInput(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidInput", format, args...)
}

func noSuchHostedZone(id string) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: %s", id)
}

func noSuchHealthCheck(id string) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "NoSuchHealthCheck", "A health check with id %s does not exist.", id)
}

func noSuchTrafficPolicy(id string, version int) *core.APIError {
	if version > 0 {
		return core.StatusErrorf(http.StatusNotFound, "NoSuchTrafficPolicy", "No traffic policy found with ID: %s and version: %d", id, version)
	}
	return core.StatusErrorf(http.StatusNotFound, "NoSuchTrafficPolicy", "No traffic policy found with ID: %s", id)
}

func noSuchTrafficPolicyInstance(id string) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "NoSuchTrafficPolicyInstance", "No traffic policy instance found with ID: %s", id)
}

// invalidChangeBatch is Route 53's answer to a change batch it refuses: every
// problem in one bracketed, comma-separated message.
func invalidChangeBatch(msgs []string) *core.APIError {
	return core.Errorf("InvalidChangeBatch", "[%s]", strings.Join(msgs, ", "))
}

// ---------------------------------------------------------------- inventory

// Inventory implements core.Service: hosted zones, the record sets users
// created (not the zone's own SOA and NS), health checks, traffic policy
// versions that are not deleted and traffic policy instances. Route 53 is
// global: every resource is in region "global".
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	var out []core.Resource
	add := func(typ, id string) {
		out = append(out, core.Resource{Service: "route53", Region: "global", Type: typ, ID: id})
	}
	for _, z := range s.zones {
		add("hostedzone", "arn:aws:route53:::hostedzone/"+z.id)
		for _, r := range z.records {
			if z.isZoneRecord(r) {
				continue
			}
			id := z.id + "/" + r.Name + "/" + r.Type
			if r.SetIdentifier != "" {
				id += "/" + r.SetIdentifier
			}
			add("recordset", id)
		}
	}
	for _, hc := range s.healthChecks {
		add("healthcheck", "arn:aws:route53:::healthcheck/"+hc.id)
	}
	for _, p := range s.policies {
		for _, v := range p.versions {
			if !v.deleted {
				add("trafficpolicy", p.id+"/"+strconv.Itoa(v.version))
			}
		}
	}
	for _, in := range s.instances {
		add("trafficpolicyinstance", in.id)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ------------------------------------------------------------------- admin

// AdminHandler implements core.AdminService, mounted at /_emulator/route53/:
//
//	POST /healthchecks/{id}   {"healthy": false}   set what the checkers observe
//	GET  /healthchecks/{id}                         {"healthy": …, "effective": …}
//	POST /delays              {"change_seconds": 0.1, "instance_seconds": 0.1}
//	GET  /lookup?region=ap-southeast-1&name=www.example.com&type=A
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /healthchecks/{id}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Healthy *bool `json:"healthy"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Healthy == nil {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": `expected {"healthy": true|false}`})
			return
		}
		if err := s.SetHealthCheckStatus(r.PathValue("id"), *body.Healthy); err != nil {
			adminJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /healthchecks/{id}", func(w http.ResponseWriter, r *http.Request) {
		measured, effective, ok := s.HealthCheckStatus(r.PathValue("id"))
		if !ok {
			adminJSON(w, http.StatusNotFound, map[string]string{"error": "no such health check"})
			return
		}
		adminJSON(w, http.StatusOK, map[string]bool{"healthy": measured, "effective": effective})
	})
	mux.HandleFunc("POST /delays", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Change   *float64 `json:"change_seconds"`
			Instance *float64 `json:"instance_seconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": `expected {"change_seconds": N, "instance_seconds": N}`})
			return
		}
		d := s.CurrentDelays()
		if body.Change != nil && *body.Change >= 0 {
			d.Change = time.Duration(*body.Change * float64(time.Second))
		}
		if body.Instance != nil && *body.Instance >= 0 {
			d.Instance = time.Duration(*body.Instance * float64(time.Second))
		}
		s.SetDelays(d)
		adminJSON(w, http.StatusOK, map[string]float64{"change_seconds": d.Change.Seconds(), "instance_seconds": d.Instance.Seconds()})
	})
	mux.HandleFunc("GET /lookup", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		typ := q.Get("type")
		if typ == "" {
			typ = "A"
		}
		res, err := s.Resolve(q.Get("region"), q.Get("name"), typ, nil)
		if err != nil {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, res)
	})
	return mux
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
