package acctest

// Fault sweeps: how the provider behaves when any one of its API calls fails.
//
// A sweep runs a resource lifecycle (create, update, delete, or any phases a
// test defines) once on an emulator of its own and records the API calls of
// each phase. Then, for every recorded call and every kind of fault, it runs
// the lifecycle again on a fresh emulator, fails exactly that call, and checks
// what a careful operator needs from a provider:
//
//   - the apply (or destroy) fails, with an error that names the API action
//     and the error code (FaultKind.Outcome PhaseFails);
//   - nothing is orphaned: every object the emulator holds right after the
//     failure is tracked in the Terraform state (checked after a refresh);
//   - once the fault is gone, the same apply (or destroy) converges: no error,
//     the phase's own checks pass, the plan is empty afterwards, and after the
//     final destroy the emulator holds nothing of the configuration.
//
// Faults the SDK must absorb (throttling a few times) are checked the other
// way round (PhaseSucceeds): the phase must succeed as if nothing happened,
// and the fault must have answered as many attempts as it was armed for.
// Faults after which either outcome is right (PhaseMayFail: a response lost
// after the call was carried out, which the SDK retries) must leave no orphan
// and converge whether the phase failed or not.
//
// A sweep for any resource, service and configuration:
//
//	report := acctest.FaultSweep{
//		Lifecycle: func(t *testing.T, emu *acctest.PrivateEmulator) []acctest.FaultPhase {
//			cfg := acctest.ConfigCompose(emu.ProviderConfig(), testAccBusConfig(name))
//			return []acctest.FaultPhase{
//				{Name: "create", Step: resource.TestStep{Config: cfg}},
//				{Name: "delete", Step: resource.TestStep{Config: cfg, Destroy: true}},
//			}
//		},
//		Calls:  acctest.CallsOf("sns", "sqs", "lambda", "iam"),
//		Faults: []acctest.FaultKind{acctest.InternalFailure(), acctest.Throttling(3), acctest.LostResponse()},
//		Scope:  acctest.InventoryFilter{IDContains: name},
//		Owns:   func(rs *terraform.ResourceState, obj core.Resource) bool { ... },
//		Chain:  true,
//	}.Run(t)
//	t.Log(report.Summary())
//
// Each run gets a PrivateEmulator, so runs go in parallel without seeing each
// other's faults and calls. Sweeps share one pool of FaultParallelism()
// concurrent runs per test binary.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ---------------------------------------------------------- private emulator

// PrivateEmulator is an in-process emulator that belongs to one test: its
// call log, faults and inventory are that test's alone, so tests that inject
// faults or count calls can run in parallel. It is closed when the test ends.
//
// The provider reaches it (ProviderConfig) through a front door that can
// lose responses: LoseResponses makes the emulator carry out a call and the
// client receive 502 Bad Gateway instead of the answer, as when a connection
// breaks after the request reached AWS.
type PrivateEmulator struct {
	*emulator.Emulator

	// ProviderArgs are added inside the provider block ProviderConfig
	// returns (for example "max_retries = 2"). A FaultSweep sets them from
	// FaultKind.ProviderArgs before it calls the lifecycle.
	ProviderArgs []string

	front  *http.Server
	url    string
	mu     sync.Mutex
	serial sync.Mutex
	losses []*lossRule
	nextID int
}

type lossRule struct {
	id          int
	key         CallKey
	times, seen int
	hits        int
}

// NewPrivateEmulator starts an emulator for t. It skips the test unless
// acceptance tests target the in-process emulator (REGIS_ACC_ENDPOINT unset),
// since its hooks do not exist elsewhere.
func NewPrivateEmulator(t testing.TB) *PrivateEmulator {
	t.Helper()
	if Target() != ModeEmulator {
		t.Skipf("needs an emulator of its own (%s=%s)", EnvEndpoint, os.Getenv(EnvEndpoint))
	}
	if err := setTerraformEnv(); err != nil {
		t.Fatal(err)
	}
	e := emulator.New(emulator.Options{})
	if err := e.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("starting a private emulator: %v", err)
	}
	p := &PrivateEmulator{Emulator: e}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = e.Close()
		t.Fatalf("starting a private emulator: %v", err)
	}
	p.url = "http://" + l.Addr().String()
	p.front = &http.Server{Handler: http.HandlerFunc(p.serveFront), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.front.Serve(l) }()
	t.Cleanup(func() {
		_ = p.front.Close()
		_ = e.Close()
	})
	return p
}

// FrontURL is the endpoint the provider uses (ProviderConfig): the emulator
// behind the front door that can lose responses. URL is the emulator's own.
func (p *PrivateEmulator) FrontURL() string { return p.url }

// ProviderConfig is ProviderConfig for this emulator: home region Region1,
// the static test credentials, every service's endpoint set to FrontURL,
// then ProviderArgs and extra inside the block.
func (p *PrivateEmulator) ProviderConfig(extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider %q {\n  region = %q\n", ProviderName, Region1)
	fmt.Fprintf(&b, "  access_key = %q\n  secret_key = %q\n", AccessKeyID, SecretAccessKey)
	b.WriteString(EndpointsBlock(p.url))
	for _, e := range append(slices.Clone(p.ProviderArgs), extra...) {
		for _, line := range strings.Split(strings.TrimSpace(e), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Client returns an AWS client for this emulator, configured like the
// provider but talking to it directly (for fixtures, checks and out-of-band
// changes, which no lost response should hit).
func (p *PrivateEmulator) Client(t testing.TB) *conns.AWSClient {
	t.Helper()
	cfg := conns.Config{
		Region: Region1, ProviderVersion: "test",
		AccessKey: AccessKeyID, SecretKey: SecretAccessKey,
		Endpoints: map[string]string{},
	}
	for _, s := range conns.Services {
		cfg.Endpoints[s.Key] = p.URL()
	}
	c, _, err := conns.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("AWS client for the private emulator: %v", err)
	}
	return c
}

// LoseResponses makes the emulator carry out the call k names (counting the
// calls that come through FrontURL from now on) and the next times-1 calls
// of the same action, and answers each with 502 Bad Gateway. It returns an
// id for LostResponses.
//
// While a loss is armed, requests through FrontURL are served one at a time,
// to tell which call each made: long polls then hold up other calls.
func (p *PrivateEmulator) LoseResponses(k CallKey, times int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	p.losses = append(p.losses, &lossRule{id: p.nextID, key: k, times: max(times, 1)})
	return p.nextID
}

// LostResponses returns how many responses loss id has dropped.
func (p *PrivateEmulator) LostResponses(id int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.losses {
		if l.id == id {
			return l.hits
		}
	}
	return 0
}

// ClearFaults removes the emulator's faults and the armed losses.
func (p *PrivateEmulator) ClearFaults() {
	p.Emulator.ClearFaults()
	p.mu.Lock()
	p.losses = nil
	p.mu.Unlock()
}

func (p *PrivateEmulator) serveFront(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	armed := len(p.losses) > 0
	p.mu.Unlock()
	if !armed {
		p.ServeHTTP(w, r)
		return
	}
	p.serial.Lock()
	last := int64(0)
	if calls := p.Calls(); len(calls) > 0 {
		last = calls[len(calls)-1].Seq
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	lose := false
	for _, c := range p.Calls() {
		if c.Seq > last && c.Fault == "" && p.matchLoss(c) {
			lose = true
		}
	}
	p.serial.Unlock()
	if lose {
		http.Error(w, "502 Bad Gateway (response lost by the test's front door)", http.StatusBadGateway)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (p *PrivateEmulator) matchLoss(c emulator.Call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.losses {
		if l.key.Region != c.Region || l.key.Service != c.Service || l.key.Action != c.Action {
			continue
		}
		l.seen++
		if l.seen >= l.key.Occurrence && l.hits < l.times {
			l.hits++
			return true
		}
	}
	return false
}

// Objects returns the objects of this emulator that f selects.
func (p *PrivateEmulator) Objects(f InventoryFilter) []core.Resource {
	var out []core.Resource
	for _, r := range p.Inventory() {
		if f.matches(r) {
			out = append(out, r)
		}
	}
	return out
}

// CheckInventoryEmpty is CheckInventoryEmpty for this emulator.
func (p *PrivateEmulator) CheckInventoryEmpty(f InventoryFilter) func(*terraform.State) error {
	return func(*terraform.State) error {
		if left := p.Objects(f); len(left) > 0 {
			return fmt.Errorf("%d object(s) left in the emulator:\n  %s", len(left), strings.Join(describeObjects(left), "\n  "))
		}
		return nil
	}
}

func describeObjects(objs []core.Resource) []string {
	out := make([]string, len(objs))
	for i, r := range objs {
		out[i] = fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID)
	}
	return out
}

// ------------------------------------------------------------- call keys

// CallKey names one API call of a phase: the Occurrence-th call (from 1) of
// Action of Service in Region during that phase. Counting per action makes
// the key stable when Terraform runs resources in parallel: which resource
// makes the 2nd CreateHealthCheck may change from run to run, but there is
// always a 2nd one to fail.
type CallKey struct {
	Region     string `json:"region"`
	Service    string `json:"service"`
	Action     string `json:"action"`
	Occurrence int    `json:"occurrence"`
}

func (k CallKey) String() string {
	return fmt.Sprintf("%s.%s#%d", k.Service, k.Action, k.Occurrence)
}

// Fault returns template aimed at exactly this call: Region, Service and
// Action are set, and After lets the earlier occurrences through. Template
// says how the call fails (Throttle, Err) and how many attempts (Times).
func (k CallKey) Fault(template emulator.Fault) emulator.Fault {
	f := template
	f.Region, f.Service, f.Action, f.After = k.Region, k.Service, k.Action, k.Occurrence-1
	return f
}

// EnumerateCalls numbers calls per region, service and action, in order,
// and returns a key for each call keep accepts (nil accepts every call).
// Calls answered with an injected fault are left out: their retries would
// otherwise count as occurrences.
func EnumerateCalls(calls []emulator.Call, keep func(emulator.Call) bool) []CallKey {
	seen := map[[3]string]int{}
	var out []CallKey
	for _, c := range calls {
		if c.Fault != "" || (keep != nil && !keep(c)) {
			continue
		}
		id := [3]string{c.Region, c.Service, c.Action}
		seen[id]++
		out = append(out, CallKey{Region: c.Region, Service: c.Service, Action: c.Action, Occurrence: seen[id]})
	}
	return out
}

// CallsOf accepts the calls of the given services (signing names).
func CallsOf(services ...string) func(emulator.Call) bool {
	return func(c emulator.Call) bool { return slices.Contains(services, c.Service) }
}

// Mutating reports whether a call may change something: its action does not
// start with Get, List or Describe.
func Mutating(k CallKey) bool {
	for _, p := range []string{"Get", "List", "Describe"} {
		if strings.HasPrefix(k.Action, p) {
			return false
		}
	}
	return true
}

// ------------------------------------------------------------------ kinds

// FaultOutcome is what a phase must do under a fault.
type FaultOutcome int

const (
	// PhaseFails: the phase must fail with the kind's error; then nothing
	// may be orphaned and the phase must converge without the fault.
	PhaseFails FaultOutcome = iota
	// PhaseSucceeds: the fault must be absorbed (by the SDK's retries) and
	// the phase succeed as without it.
	PhaseSucceeds
	// PhaseMayFail: either outcome is right, but in both cases nothing may
	// be orphaned and the phase must converge.
	PhaseMayFail
)

// FaultKind is one way of failing a call.
type FaultKind struct {
	// Name names the kind in subtest names and reports ("InternalFailure").
	Name string
	// Fault is the emulator fault template: how the call fails (Throttle,
	// Err) and Times, the number of matching attempts that fail. Region,
	// Service, Action and After are set for each call. Times counts
	// attempts of the action, not of one call: with concurrent calls of the
	// same action the attempts interleave, so a kind that must fail exactly
	// one call uses Times 1 and an error the SDK does not retry (or
	// max_retries = 1).
	Fault emulator.Fault
	// LoseResponse, instead of Fault, lets the emulator carry out the call
	// and loses its response (PrivateEmulator.LoseResponses), Fault.Times
	// times.
	LoseResponse bool
	// Outcome is what the phase must do.
	Outcome FaultOutcome
	// FirstOnly tries the kind on the first occurrence of each action of a
	// phase only, instead of on every call.
	FirstOnly bool
	// Only, when set, selects the calls the kind is tried on (Mutating).
	Only func(CallKey) bool
	// ProviderArgs go into the provider block of this kind's runs (see
	// PrivateEmulator.ProviderArgs), typically max_retries.
	ProviderArgs []string
	// ExpectError is the error a failing phase must report; nil means
	// DefaultFaultError of Fault.Err's code (PhaseFails).
	ExpectError func(CallKey) *regexp.Regexp
}

// DefaultFaultError matches a Terraform error whose text names the failed
// action and then the error code, as SDK errors do ("operation error Route
// 53: CreateHealthCheck, … api error InternalFailure: …").
func DefaultFaultError(code string) func(CallKey) *regexp.Regexp {
	return func(k CallKey) *regexp.Regexp {
		return regexp.MustCompile(`(?s)Error: .*` + regexp.QuoteMeta(k.Action) + `.*` + regexp.QuoteMeta(code))
	}
}

// InternalFailure fails the call with HTTP 500 InternalFailure, a server
// error the SDK would retry. The kind's runs set max_retries = 1 (one attempt
// per call) so that the SDK gives up on exactly that call: a fault armed for
// several attempts would not stay on one call when the provider makes calls
// of the same action concurrently (Terraform creates resources in parallel),
// since the attempts of concurrent calls interleave.
func InternalFailure() FaultKind {
	return FaultKind{
		Name:         "InternalFailure",
		Fault:        emulator.Fault{Times: 1},
		ProviderArgs: []string{"max_retries = 1"},
		ExpectError:  DefaultFaultError("InternalFailure"),
	}
}

// ClientError fails the call once with a non-retryable client error, for
// example ClientError(403, "AccessDenied").
func ClientError(status int, code string) FaultKind {
	return FaultKind{
		Name: code,
		Fault: emulator.Fault{Times: 1, Err: &core.APIError{
			Status: status, Code: code, Message: "injected " + code + " fault",
		}},
		ExpectError: DefaultFaultError(code),
	}
}

// Throttling answers the first call of each action with the service's
// throttling error times times in a row; the SDK's retryer (the provider's
// default max_retries) must absorb it.
func Throttling(times int) FaultKind {
	return FaultKind{
		Name:      "Throttling",
		Fault:     emulator.Fault{Throttle: true, Times: times},
		Outcome:   PhaseSucceeds,
		FirstOnly: true,
	}
}

// LostResponse lets the emulator carry out each mutating call, once, and
// loses its response (502 Bad Gateway), with the provider's usual retries
// (max_retries = 3): the SDK sends the call again, and the second attempt
// meets the effect of the first (the object exists, the version moved on).
// The phase may fail or succeed, but must orphan nothing and converge.
func LostResponse() FaultKind {
	return FaultKind{
		Name:         "LostResponse",
		Fault:        emulator.Fault{Times: 1},
		LoseResponse: true,
		Outcome:      PhaseMayFail,
		Only:         Mutating,
		ProviderArgs: []string{"max_retries = 3"},
	}
}

// ----------------------------------------------------------------- sweep

// FaultPhase is one step of a lifecycle: a Config step (create, update) or a
// Destroy step. Its Check and plan checks describe success; a sweep keeps
// them for the runs that must succeed (PreApply plan checks also where the
// phase follows a phase that failed and converged, whose state must be the
// same as without the fault). PreConfig, if any, runs before the
// phase's calls are recorded (an out-of-band change, for example) and is not
// repeated when a failed phase is applied again.
type FaultPhase struct {
	Name string
	Step resource.TestStep
}

// FaultSweep runs a lifecycle with a fault at each of its calls in turn.
type FaultSweep struct {
	// Lifecycle returns the phases, in order, for one emulator: it is called
	// once to record the calls and once for every run, each time with a
	// new PrivateEmulator (create fixtures there, with emu.Client). It must
	// make the same calls every time it runs without faults.
	Lifecycle func(t *testing.T, emu *PrivateEmulator) []FaultPhase
	// Calls selects the calls to fail; nil selects all. Leave out calls the
	// provider makes for itself (sts GetCallerIdentity on every command).
	Calls func(emulator.Call) bool
	// Faults are tried at every selected call (see FaultKind.FirstOnly and
	// FaultKind.Only).
	Faults []FaultKind
	// Scope selects the emulator objects the configuration creates; they
	// are compared with the state and must all be gone after the destroy.
	Scope InventoryFilter
	// Owns reports whether resource rs of the state accounts for obj. An
	// object in Scope that no resource owns is an orphan.
	Owns func(rs *terraform.ResourceState, obj core.Resource) bool
	// Chain runs one case of every phase in the same lifecycle run: the
	// n-th run fails the n-th call of each phase, converges, and goes on to
	// the next phase. Runs are fewer (as many as the longest phase has
	// cases) and cheaper, at the price of cases depending on each other: a
	// case that does not converge stops its run, and the later cases of the
	// run are reported as not run. Without Chain every case runs the
	// lifecycle from the start.
	Chain bool
	// ProviderFactories serve the provider; ProtoV6ProviderFactories when nil.
	ProviderFactories map[string]func() (tfprotov6.ProviderServer, error)
}

// FaultCase is the outcome of one case of a sweep.
type FaultCase struct {
	Name  string  `json:"name"`
	Phase string  `json:"phase"`
	Call  CallKey `json:"call"`
	Kind  string  `json:"kind"`
	// Ran is false when the case was filtered out (go test -run), or not
	// reached because an earlier case of its chain failed.
	Ran bool `json:"ran"`
	// Hits is how many attempts the fault answered (responses lost).
	Hits int `json:"hits"`
	// PhaseFailed: the phase failed under the fault; Error is the
	// provider's error ("Error: …" lines of Terraform's output).
	PhaseFailed bool   `json:"phase_failed"`
	Error       string `json:"error,omitempty"`
	// FailedAsExpected: the phase failed with the expected error
	// (PhaseFails), or failed or succeeded (PhaseMayFail), or succeeded
	// with the fault answering every armed attempt (PhaseSucceeds).
	FailedAsExpected bool `json:"as_expected"`
	// OrphansAtFailure are the objects in scope no resource of the state
	// owned right after the phase ran under the fault (refreshed state).
	OrphansAtFailure []string `json:"orphans_at_failure,omitempty"`
	// Converged: the phase then succeeded, with its checks and an empty plan
	// (for PhaseSucceeds: the phase succeeded under the fault).
	Converged bool `json:"converged"`
	// LeftAfterDestroy are the objects in scope left after the destroy that
	// ended the case's run.
	LeftAfterDestroy []string `json:"left_after_destroy,omitempty"`
	// Passed: all of the above went as it must.
	Passed bool `json:"passed"`
	// Run names the subtest that ran the case.
	Run string `json:"run"`
}

// FaultReport is what a sweep found.
type FaultReport struct {
	// Calls are the recorded calls of each phase, in phase order.
	Calls []PhaseCalls `json:"calls"`
	// Cases, by kind, then phase, then call.
	Cases []*FaultCase `json:"cases"`
}

// PhaseCalls are the selected calls of one phase.
type PhaseCalls struct {
	Phase string    `json:"phase"`
	Calls []CallKey `json:"calls"`
}

// FaultStats are the numbers of a report for one fault kind (or all).
type FaultStats struct {
	// Defined is the number of cases; Tried those that ran.
	Defined int `json:"defined"`
	Tried   int `json:"tried"`
	// PhaseFailed counts cases whose phase failed under the fault;
	// AsExpected those that did what their kind's Outcome says.
	PhaseFailed int `json:"phase_failed"`
	AsExpected  int `json:"as_expected"`
	Converged   int `json:"converged"`
	// CasesWithOrphans counts cases that left untracked objects after the
	// failure; Orphans counts those objects.
	CasesWithOrphans int `json:"cases_with_orphans"`
	Orphans          int `json:"orphans"`
	LeftAfterDestroy int `json:"left_after_destroy"`
	Passed           int `json:"passed"`
}

// Stats sums the cases of the named kinds (every kind when none is named).
func (r *FaultReport) Stats(kinds ...string) FaultStats {
	var s FaultStats
	for _, c := range r.Cases {
		if len(kinds) > 0 && !slices.Contains(kinds, c.Kind) {
			continue
		}
		s.Defined++
		if !c.Ran {
			continue
		}
		s.Tried++
		if c.PhaseFailed {
			s.PhaseFailed++
		}
		if c.FailedAsExpected {
			s.AsExpected++
		}
		if c.Converged {
			s.Converged++
		}
		if len(c.OrphansAtFailure) > 0 {
			s.CasesWithOrphans++
			s.Orphans += len(c.OrphansAtFailure)
		}
		s.LeftAfterDestroy += len(c.LeftAfterDestroy)
		if c.Passed {
			s.Passed++
		}
	}
	return s
}

// Kinds lists the fault kinds of the report's cases.
func (r *FaultReport) Kinds() []string {
	var kinds []string
	for _, c := range r.Cases {
		if !slices.Contains(kinds, c.Kind) {
			kinds = append(kinds, c.Kind)
		}
	}
	return kinds
}

func (s FaultStats) String() string {
	return fmt.Sprintf("%d cases, %d tried, %d phases failed, %d as expected, %d converged, %d with orphans (%d objects), %d objects left after destroy, %d passed",
		s.Defined, s.Tried, s.PhaseFailed, s.AsExpected, s.Converged, s.CasesWithOrphans, s.Orphans, s.LeftAfterDestroy, s.Passed)
}

// Summary is a human-readable account of the report: the calls of each
// phase, the numbers per kind and the cases that did not pass.
func (r *FaultReport) Summary() string {
	var b strings.Builder
	for _, p := range r.Calls {
		fmt.Fprintf(&b, "phase %s: %d calls:", p.Phase, len(p.Calls))
		for _, k := range p.Calls {
			b.WriteString(" " + k.String())
		}
		b.WriteString("\n")
	}
	for _, k := range r.Kinds() {
		fmt.Fprintf(&b, "%s: %s\n", k, r.Stats(k))
	}
	for _, c := range r.Cases {
		if c.Ran && !c.Passed {
			fmt.Fprintf(&b, "FAILED %s in %s (hits %d, phase failed %t, orphans %v, converged %t, left %v)\n",
				c.Name, c.Run, c.Hits, c.PhaseFailed, c.OrphansAtFailure, c.Converged, c.LeftAfterDestroy)
		}
	}
	return b.String()
}

// EnvFaultParallelism sets how many sweep runs go at once in a test binary.
const EnvFaultParallelism = "REGIS_ACC_FAULT_PARALLELISM"

// FaultParallelism is the number of sweep runs that go at once: the value
// of REGIS_ACC_FAULT_PARALLELISM, else three times GOMAXPROCS (at least 4).
// Runs wait mostly on Terraform, one command after another, and on SDK
// retry back-off, so more runs than CPUs keep the CPUs busy.
func FaultParallelism() int {
	if n, err := strconv.Atoi(os.Getenv(EnvFaultParallelism)); err == nil && n > 0 {
		return n
	}
	return max(4, 3*runtime.GOMAXPROCS(0))
}

var faultSlots struct {
	once sync.Once
	ch   chan struct{}
}

func faultSlot() chan struct{} {
	faultSlots.once.Do(func() { faultSlots.ch = make(chan struct{}, FaultParallelism()) })
	return faultSlots.ch
}

// faultRun is one lifecycle run of a sweep: a case per phase at most.
type faultRun struct {
	name  string
	kind  FaultKind
	cases []*FaultCase // by phase index; nil where the phase runs clean
}

// Run records the lifecycle's calls, then runs the cases as subtests,
// FaultParallelism() at a time (they are not t.Parallel subtests: one pool,
// shared by every sweep of the test binary, bounds them). Subtests are named
// <kind>/<phase>/<service>.<action>#<n>, or with Chain
// <kind>/<n>:<phase>.<action>#<n>+… . The report holds every case; cases
// that do not pass also fail t.
func (s FaultSweep) Run(t *testing.T) *FaultReport {
	t.Helper()
	if s.Lifecycle == nil || len(s.Faults) == 0 {
		t.Fatal("FaultSweep needs a Lifecycle and at least one fault kind")
	}
	phases := s.record(t)
	report := &FaultReport{}
	for _, p := range phases {
		report.Calls = append(report.Calls, PhaseCalls{Phase: p.name, Calls: p.calls})
	}

	var runs []*faultRun
	for _, kind := range s.Faults {
		perPhase := make([][]*FaultCase, len(phases))
		longest := 0
		for i, p := range phases {
			for _, k := range p.calls {
				if (kind.FirstOnly && k.Occurrence != 1) || (kind.Only != nil && !kind.Only(k)) {
					continue
				}
				perPhase[i] = append(perPhase[i], &FaultCase{
					Name: p.name + "/" + k.String() + "/" + kind.Name, Phase: p.name, Call: k, Kind: kind.Name,
				})
			}
			longest = max(longest, len(perPhase[i]))
		}
		for _, cases := range perPhase {
			report.Cases = append(report.Cases, cases...)
		}
		if !s.Chain {
			for i, cases := range perPhase {
				for _, c := range cases {
					r := &faultRun{name: kind.Name + "/" + c.Phase + "/" + c.Call.String(), kind: kind, cases: make([]*FaultCase, len(phases))}
					r.cases[i] = c
					runs = append(runs, r)
				}
			}
			continue
		}
		for n := range longest {
			r := &faultRun{kind: kind, cases: make([]*FaultCase, len(phases))}
			var names []string
			for i, cases := range perPhase {
				if n < len(cases) {
					r.cases[i] = cases[n]
					names = append(names, cases[n].Phase+"."+cases[n].Call.Action+"#"+strconv.Itoa(cases[n].Call.Occurrence))
				}
			}
			r.name = fmt.Sprintf("%s/%02d:%s", kind.Name, n+1, strings.Join(names, "+"))
			runs = append(runs, r)
		}
	}

	slots := faultSlot()
	var wg sync.WaitGroup
	for _, r := range runs {
		for _, c := range r.cases {
			if c != nil {
				c.Run = r.name
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(r.name, func(t *testing.T) { s.runFaults(t, r) })
		}()
	}
	wg.Wait()
	return report
}

type recordedPhase struct {
	name  string
	calls []CallKey
}

// record runs the lifecycle without faults and keeps the selected calls of
// each phase: from its PreConfig to its Check (Config steps) or to the next
// phase (Destroy steps, whose Check would add a refresh).
func (s FaultSweep) record(t *testing.T) []recordedPhase {
	t.Helper()
	emu := NewPrivateEmulator(t)
	phases := s.Lifecycle(t, emu)
	if len(phases) == 0 {
		t.Fatal("the lifecycle has no phases")
	}
	out := make([]recordedPhase, len(phases))
	var mu sync.Mutex
	current := -1
	snap := func() {
		mu.Lock()
		defer mu.Unlock()
		if current >= 0 && out[current].calls == nil {
			out[current].calls = EnumerateCalls(emu.Calls(), s.Calls)
			if out[current].calls == nil {
				out[current].calls = []CallKey{}
			}
		}
	}
	var steps []resource.TestStep
	for i, p := range phases {
		out[i].name = p.Name
		step := p.Step
		pre := step.PreConfig
		step.PreConfig = func() {
			snap()
			if pre != nil {
				pre()
			}
			emu.ResetCalls()
			mu.Lock()
			current = i
			mu.Unlock()
		}
		if !step.Destroy {
			check := step.Check
			step.Check = func(st *terraform.State) error {
				snap()
				if check != nil {
					return check(st)
				}
				return nil
			}
		}
		steps = append(steps, step)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.factories(),
		Steps:                    steps,
		CheckDestroy:             emu.CheckInventoryEmpty(s.Scope),
	})
	// A lifecycle that ends with a Destroy step leaves nothing for the
	// final destroy, and resource.Test then skips CheckDestroy.
	snap()
	if err := emu.CheckInventoryEmpty(s.Scope)(nil); err != nil {
		t.Fatalf("without faults: %v", err)
	}
	for _, p := range out {
		if p.calls == nil {
			t.Fatalf("no calls recorded for phase %s", p.name)
		}
	}
	return out
}

func (s FaultSweep) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	if s.ProviderFactories != nil {
		return s.ProviderFactories
	}
	return ProtoV6ProviderFactories
}

// Orphans returns the objects in scope that no resource of st owns.
func (s FaultSweep) Orphans(objects []core.Resource, st *terraform.State) []core.Resource {
	var out []core.Resource
	for _, obj := range objects {
		if !s.Scope.matches(obj) {
			continue
		}
		owned := false
		if st != nil && s.Owns != nil {
			for _, m := range st.Modules {
				for _, rs := range m.Resources {
					owned = owned || s.Owns(rs, obj)
				}
			}
		}
		if !owned {
			out = append(out, obj)
		}
	}
	return out
}

// applyErrorPrefixes start the errors of terraform plan, apply and destroy
// in a Config step, as opposed to failed checks and non-empty plans.
var applyErrorPrefixes = []string{"Error running pre-apply plan:", "Error running apply:", "Error running destroy:"}

// errorLines keeps the "Error: …" lines of Terraform's output and the
// detail after them, shortened.
func errorLines(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "Error: "); i >= 0 {
		msg = msg[i:]
	}
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "│", " ")), " ")
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	return msg
}

// runFaults runs the lifecycle once on a fresh emulator. A phase without a
// case runs as is. A phase with a case runs with the fault armed; unless the
// fault must be absorbed, a refresh then compares the emulator with the
// state, and the phase runs again without the fault and must converge.
func (s FaultSweep) runFaults(t *testing.T, r *faultRun) {
	emu := NewPrivateEmulator(t)
	emu.ProviderArgs = r.kind.ProviderArgs
	phases := s.Lifecycle(t, emu)
	if len(phases) != len(r.cases) {
		t.Fatalf("the lifecycle returned %d phases, %d when its calls were recorded", len(phases), len(r.cases))
	}
	times := max(r.kind.Fault.Times, 1)
	expect := r.kind.ExpectError
	if expect == nil {
		code := r.kind.Fault.Code
		if r.kind.Fault.Err != nil {
			code = r.kind.Fault.Err.Code
		}
		expect = DefaultFaultError(code)
	}

	// settle runs at the start of the next step (or after the run): it
	// closes what the previous step left open. active is the case whose
	// faulty step runs, for ErrorCheck.
	var settle []func()
	var active *FaultCase
	runSettle := func() {
		for _, f := range settle {
			f()
		}
		settle = nil
		active = nil
	}
	settled := func(step resource.TestStep) resource.TestStep {
		pre := step.PreConfig
		step.PreConfig = func() {
			runSettle()
			if pre != nil {
				pre()
			}
		}
		return step
	}
	errorCheck := func(err error) error {
		c := active
		if c == nil || !slices.ContainsFunc(applyErrorPrefixes, func(p string) bool { return strings.HasPrefix(err.Error(), p) }) {
			return err
		}
		c.PhaseFailed, c.Error = true, errorLines(err)
		switch r.kind.Outcome {
		case PhaseFails:
			if re := expect(c.Call); !re.MatchString(err.Error()) {
				return fmt.Errorf("the phase failed, but not with an error matching %s: %w", re, err)
			}
			return nil
		case PhaseMayFail:
			return nil
		}
		return err
	}

	var steps []resource.TestStep
	for i, p := range phases {
		c := r.cases[i]
		if c == nil {
			steps = append(steps, settled(p.Step))
			continue
		}
		if p.Name != c.Phase {
			t.Fatalf("phase %d is %s, %s when its calls were recorded", i, p.Name, c.Phase)
		}
		faultID := 0
		faulty := p.Step
		pre := faulty.PreConfig
		faulty.PreConfig = func() {
			runSettle()
			if pre != nil {
				pre()
			}
			c.Ran = true
			if r.kind.LoseResponse {
				faultID = emu.LoseResponses(c.Call, times)
			} else {
				faultID = emu.InjectFault(c.Call.Fault(r.kind.Fault))
			}
			active = c
			// Once the step is over (the next step starts):
			settle = append(settle, func() {
				if r.kind.LoseResponse {
					c.Hits = emu.LostResponses(faultID)
				} else {
					c.Hits = emu.FaultHits(faultID)
				}
				emu.ClearFaults()
				switch {
				case c.Hits == 0:
					t.Errorf("%s: the fault on %s was never hit", c.Phase, c.Call)
				case r.kind.Outcome == PhaseSucceeds && c.Hits != times:
					t.Errorf("%s: the fault on %s answered %d attempts, want %d: the call was not retried", c.Phase, c.Call, c.Hits, times)
				case r.kind.Outcome == PhaseFails && !c.PhaseFailed:
					t.Errorf("%s: the fault on %s was hit, but the phase did not fail", c.Phase, c.Call)
				default:
					c.FailedAsExpected = true
					if r.kind.Outcome == PhaseSucceeds {
						c.Converged = true
					}
				}
			})
		}
		switch r.kind.Outcome {
		case PhaseSucceeds:
			steps = append(steps, faulty)
			continue
		case PhaseFails:
			faulty.Check = nil
			faulty.ConfigPlanChecks = resource.ConfigPlanChecks{}
			faulty.ConfigStateChecks = nil
		case PhaseMayFail:
			// If the phase succeeds, it must have done its work.
		}
		steps = append(steps, faulty)

		// Right after the faulty phase: everything the emulator holds must
		// be in the (refreshed) state. An orphan is reported, and the run
		// goes on to see whether the next apply converges anyway.
		steps = append(steps, resource.TestStep{
			PreConfig:          runSettle,
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: func(st *terraform.State) error {
				orphans := s.Orphans(emu.Inventory(), st)
				c.OrphansAtFailure = describeObjects(orphans)
				if len(orphans) > 0 {
					t.Errorf("%s: after the fault on %s, %d object(s) exist that the state does not track (orphans):\n  %s",
						c.Phase, c.Call, len(orphans), strings.Join(c.OrphansAtFailure, "\n  "))
				}
				return nil
			},
		})

		// The same phase again, without the fault, must converge.
		again := p.Step
		again.PreConfig = func() {
			runSettle()
			// The phase converged if the next step starts.
			settle = append(settle, func() { c.Converged = true })
		}
		again.ConfigPlanChecks.PreApply = nil
		if !again.Destroy {
			check := again.Check
			again.Check = func(st *terraform.State) error {
				if check != nil {
					if err := check(st); err != nil {
						return err
					}
				}
				if orphans := s.Orphans(emu.Inventory(), st); len(orphans) > 0 {
					return fmt.Errorf("after converging, %d object(s) exist that the state does not track:\n  %s",
						len(orphans), strings.Join(describeObjects(orphans), "\n  "))
				}
				return nil
			}
			again.ConfigPlanChecks.PostApplyPostRefresh = append(slices.Clip(again.ConfigPlanChecks.PostApplyPostRefresh), plancheck.ExpectEmptyPlan())
		}
		steps = append(steps, again)
	}

	completed := false
	defer func() {
		// Also after a failure (t.FailNow): earlier cases of a chain keep
		// their outcome.
		var left []string
		if completed {
			runSettle()
			left = describeObjects(emu.Objects(s.Scope))
			if len(left) > 0 {
				t.Errorf("%d object(s) left after the destroy:\n  %s", len(left), strings.Join(left, "\n  "))
			}
		}
		for _, c := range r.cases {
			if c == nil {
				continue
			}
			c.LeftAfterDestroy = left
			c.Passed = c.Ran && c.FailedAsExpected && c.Converged && len(c.OrphansAtFailure) == 0 && len(left) == 0
		}
	}()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: s.factories(),
		Steps:                    steps,
		ErrorCheck:               errorCheck,
		CheckDestroy:             emu.CheckInventoryEmpty(s.Scope),
	})
	// resource.Test returns only when every step passed. It skips
	// CheckDestroy when the last step destroyed everything, so the
	// inventory is checked again (deferred).
	completed = true
}
