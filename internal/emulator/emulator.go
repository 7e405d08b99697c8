// Package emulator is a local, multi-region AWS emulator for the services
// Regis uses. One HTTP listener serves every service, like LocalStack's
// single port; the service and region of each request come from its SigV4
// credential scope, and every resource lives in its region. It speaks the AWS
// wire protocols, so unmodified SDKs and CLIs work against it.
//
// It is test and demo infrastructure: the provider reaches it only through
// ordinary endpoint configuration. Test-only hooks (inventory, call log,
// fault injection, clock) are Go methods and HTTP endpoints under /_emulator/.
package emulator

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// DefaultAccountID is the account every request acts in unless Options say otherwise.
const DefaultAccountID = "123456789012"

// Options configure an emulator.
type Options struct {
	// AccountID of the emulated account; DefaultAccountID when empty.
	AccountID string
	// Logger receives one debug line per call and service diagnostics.
	Logger *slog.Logger
}

// Emulator is a running (or startable) emulator.
type Emulator struct {
	env *core.Env

	mu       sync.Mutex
	faults   []*faultState
	nextID   int
	calls    []Call
	callSeq  int64
	rejected map[string]bool

	admin    *http.ServeMux
	server   *http.Server
	listener net.Listener
	url      string
}

// New builds an emulator with every service registered. Call Start to
// listen, or use it as an http.Handler.
func New(opts Options) *Emulator {
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	e := &Emulator{
		env:      core.NewEnv(opts.AccountID, opts.Logger),
		rejected: map[string]bool{},
	}
	for _, s := range builtinServices(e.env) {
		e.env.Register(s)
	}
	e.admin = e.adminMux()
	return e
}

// Env exposes the environment (clock, account, services) to typed test
// helpers in this module.
func (e *Emulator) Env() *core.Env { return e.env }

// AccountID is the emulated account.
func (e *Emulator) AccountID() string { return e.env.AccountID }

// Clock is the emulator's clock; tests advance it to expire timers.
func (e *Emulator) Clock() *core.Clock { return e.env.Clock }

// Start listens on addr ("127.0.0.1:0" for a random port) and serves in the background.
func (e *Emulator) Start(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	e.listener = l
	e.url = "http://" + l.Addr().String()
	for _, s := range e.env.Services() {
		if ea, ok := s.(core.EndpointAware); ok {
			ea.SetEndpointURL(e.url)
		}
	}
	e.server = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.server.Serve(l) }()
	return nil
}

// URL is the endpoint to give to SDKs ("http://127.0.0.1:port").
func (e *Emulator) URL() string { return e.url }

// Close stops the listener and every service's background work.
func (e *Emulator) Close() error {
	var errs []error
	if e.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, e.server.Shutdown(ctx))
	}
	for _, s := range e.env.Services() {
		if c, ok := s.(core.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// ServeHTTP routes a request to its service by the SigV4 credential scope.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		e.admin.ServeHTTP(w, r)
		return
	}
	scope, ok := core.ParseScope(r)
	if !ok {
		scope = e.guessScope(r)
	}
	svc := e.env.Lookup(scope.Service)
	if svc == nil {
		req := core.NewRequest(r, scope, e.env.AccountID, nil)
		core.DrainBody(r)
		core.QueryProtocol{}.WriteError(w, req, core.StatusErrorf(http.StatusNotImplemented, "NotImplemented",
			"the emulator does not implement service %q (signing name from the request's credential scope)", scope.Service))
		return
	}
	api := svc.API()
	req := core.NewRequest(r, scope, e.env.AccountID, e)
	if scope.AccessKey == "" {
		api.WriteError(w, req, core.MissingAuthentication())
		return
	}
	if !core.ValidRegion(scope.Region) {
		api.WriteError(w, req, core.Errorf("InvalidClientTokenId", "the region %q in the credential scope is not valid", scope.Region))
		return
	}
	e.mu.Lock()
	rejected := e.rejected[scope.AccessKey]
	e.mu.Unlock()
	if rejected {
		api.WriteError(w, req, core.InvalidClientTokenID())
		return
	}
	if cc, ok := e.env.Lookup("sts").(core.CredentialChecker); ok {
		if err := cc.CheckCredentials(req); err != nil {
			api.WriteError(w, req, err)
			return
		}
	}
	api.Serve(w, req)
}

// guessScope finds the service of an unsigned request, to answer its
// MissingAuthenticationToken in that service's protocol: the service whose
// wires recognize it (an X-Amz-Target prefix, a REST route, an RPC v2 path,
// a query API version; see core.Recognizer), STS otherwise.
func (e *Emulator) guessScope(r *http.Request) core.Scope {
	services := e.env.Services()
	sort.Slice(services, func(i, j int) bool { return services[i].SigningName() < services[j].SigningName() })
	for _, s := range services {
		if s.API().Recognizes(r) {
			return core.Scope{Service: s.SigningName(), Region: "us-east-1"}
		}
	}
	return core.Scope{Service: "sts", Region: "us-east-1"}
}

// Inventory lists every object in every region, sorted, for tests asserting
// that nothing is orphaned.
func (e *Emulator) Inventory() []core.Resource {
	var out []core.Resource
	for _, s := range e.env.Services() {
		out = append(out, s.Inventory()...)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	return out
}

// RejectAccessKey makes every later request signed with akid fail with
// InvalidClientTokenId, as AWS answers a revoked key.
func (e *Emulator) RejectAccessKey(akid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rejected[akid] = true
}

// Service returns a registered service by signing name, for typed test hooks.
func (e *Emulator) Service(signingName string) core.Service { return e.env.Lookup(signingName) }
