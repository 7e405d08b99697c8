package route53

import (
	"encoding/json"
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

// Service is the emulated Route 53.
type Service struct {
	env *core.Env
	api *core.API

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
	s := &Service{
		env:          env,
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
	s.api = newAPI(s)
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "route53" }

// API implements core.Service.
func (s *Service) API() *core.API { return s.api }

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

// maxItems parses the maxitems query parameter: def when absent, capped at ceiling.
func maxItems(req *core.Request, def, ceiling int) (int, *core.APIError) {
	v := query(req, "maxitems")
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
