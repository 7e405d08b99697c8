// Package lambda emulates AWS Lambda for zip-packaged custom runtimes
// (provided.al2023, provided.al2): functions, versions, tags, reserved
// concurrency, synchronous and asynchronous Invoke, and Amazon SQS event
// source mappings, over Lambda's REST-JSON protocol.
//
// Functions really run. The emulator unzips the deployment package, starts its
// bootstrap executable as a process with the Lambda environment (the
// function's variables, AWS_REGION, AWS_LAMBDA_FUNCTION_*, the execution
// role's temporary credentials and AWS_ENDPOINT_URL pointing back at the
// emulator) and serves it the Lambda Runtime API on a loopback port of its
// own. Processes are reused between invocations (one invocation at a time
// each) and more are started for concurrent invocations up to the function's
// reserved concurrency; a timed-out invocation kills its process (Sandbox.Timedout),
// a process that exits fails its invocation (Runtime.ExitError), a bootstrap
// that is missing, not executable or built for another machine than the
// function's Architectures cannot start (Runtime.InvalidEntrypoint, "exec
// format error"), and the next invocation starts a fresh process. A bootstrap
// built for the other architecture than the host's runs through QEMU
// user-mode emulation (qemu-aarch64 or qemu-x86_64 on PATH, from Debian's
// qemu-user, or binfmt_misc) and fails with Runtime.InvalidEntrypoint, naming
// the package to install, where QEMU is missing (or SetQEMU(false)).
//
// Every invocation is counted in CloudWatch's AWS/Lambda metrics
// (core.MetricSink): Invocations, Errors (function and runtime errors),
// Duration and Throttles, per account, FunctionName and Resource. What a
// function writes to stdout and stderr, with Lambda's platform lines
// (INIT_START, START, END, REPORT, runtime errors), goes to CloudWatch Logs
// (core.LogSink): to the function's log group (/aws/lambda/<name> or
// LoggingConfig.LogGroup), one stream per execution environment named
// YYYY/MM/DD/[<version>]<32 hex digits>, stamped with the emulator's clock.
// As on AWS, the execution role must allow logs:PutLogEvents, and
// logs:CreateLogGroup / logs:CreateLogStream for Lambda to create the group
// and stream on first write; otherwise the lines are dropped, and so are the
// Embedded Metric Format metrics CloudWatch would extract from them
// (core.EMFSink). Every line is also kept per function for tests
// (FunctionLogs, GET /_emulator/lambda/logs).
//
// Execution role credentials come from the STS service (core.ServiceRoleAssumer:
// the process acts as arn:aws:sts::<account>:assumed-role/<role>/<function>);
// when STS does not offer them, the process gets random keys, which the
// emulator treats as an administrator user. The emulator's own URL comes
// from core.EndpointAware (set when the emulator listens), or else from the
// Host of the Lambda API requests.
//
// Event source mappings poll their queue through core.QueueConsumer with
// AWS's semantics: long polls, batches of up to BatchSize gathered within
// MaximumBatchingWindowInSeconds (and 6 MB), synchronous invocations with
// the SQS event, deletion of the whole batch on success — unless the mapping
// reports batch item failures, in which case only the messages the function
// did not list are deleted and an invalid response fails the whole batch —
// and no deletion at all on function errors, so messages come back after the
// visibility timeout and reach the queue's dead-letter queue after
// maxReceiveCount receives. Pollers scale from one to ScalingConfig.MaximumConcurrency
// (5 when unset) while batches come back full. MappingStats counts what they do.
//
// Known differences from AWS: only zip packages with a bootstrap executable
// run (other runtimes are accepted and fail at invocation; S3 and image code
// are refused); the process runs on the host (directly or through QEMU), so
// the bootstrap must be a Linux binary or a script the host can run; platform
// log lines are in the Text format whatever LoggingConfig.LogFormat says; no
// sandboxing, memory limits, layers, aliases, function URLs, code
// signing, destinations or filter criteria (stored, not applied); VPC
// settings are checked against the role and stored; asynchronous invocations
// are retried twice (after 1 and 2 minutes of emulator time) and then dropped.
package lambda

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// DefaultStateDelay is how long new and updated functions and event source
// mappings stay Pending / InProgress / Creating / Updating, in emulator time.
const DefaultStateDelay = 500 * time.Millisecond

// Service is the emulated Lambda.
type Service struct {
	env   *core.Env
	proto protocol

	endpointMu sync.RWMutex
	endpoint   string

	mu         sync.Mutex
	functions  map[string]*function // by region + "\x00" + name
	executors  map[*executor]bool   // every executor with processes that may run
	mappings   map[string]*mapping  // by UUID
	stateDelay time.Duration
	noQEMU     bool // SetQEMU(false)
	workDir    string
	closed     bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ core.Service       = (*Service)(nil)
	_ core.Closer        = (*Service)(nil)
	_ core.AdminService  = (*Service)(nil)
	_ core.EndpointAware = (*Service)(nil)
)

// New returns a Lambda service for env.
func New(env *core.Env) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{
		env:        env,
		functions:  map[string]*function{},
		mappings:   map[string]*mapping{},
		executors:  map[*executor]bool{},
		stateDelay: DefaultStateDelay,
		ctx:        ctx,
		cancel:     cancel,
	}
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "lambda" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.proto }

// SetEndpointURL implements core.EndpointAware.
func (s *Service) SetEndpointURL(url string) {
	s.endpointMu.Lock()
	defer s.endpointMu.Unlock()
	s.endpoint = strings.TrimRight(url, "/")
}

// endpointURL is the emulator's URL, or the one a request reached it on.
func (s *Service) endpointURL(req *core.Request) string {
	s.endpointMu.RLock()
	u := s.endpoint
	s.endpointMu.RUnlock()
	if u == "" && req != nil && req.HTTP != nil && req.HTTP.Host != "" {
		u = "http://" + req.HTTP.Host
		s.SetEndpointURL(u)
	}
	return u
}

// SetStateDelay sets how long functions stay Pending / InProgress and event
// source mappings Creating / Updating / Deleting (emulator time). Tests
// shorten it; 0 makes transitions immediate.
func (s *Service) SetStateDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stateDelay = d
}

// Inventory implements core.Service: functions (with their published
// versions) and event source mappings, every region.
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []core.Resource
	for _, f := range s.functions {
		out = append(out, core.Resource{Service: "lambda", Region: f.region, Type: "function", ID: f.arn})
		for _, v := range f.versionOrder {
			out = append(out, core.Resource{Service: "lambda", Region: f.region, Type: "function-version", ID: f.arn + ":" + v})
		}
	}
	now := s.env.Clock.Now()
	for _, m := range s.mappings {
		if m.gone(now) {
			continue
		}
		out = append(out, core.Resource{Service: "lambda", Region: m.region, Type: "event-source-mapping", ID: m.arn})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Close implements core.Closer: it stops the pollers and kills every function process.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var execs []*executor
	for e := range s.executors {
		execs = append(execs, e)
	}
	dir := s.workDir
	s.mu.Unlock()
	s.cancel()
	for _, e := range execs {
		e.retire()
		e.killAll()
	}
	s.wg.Wait()
	for _, e := range execs {
		e.wait()
	}
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	return nil
}

// ------------------------------------------------------------ routing

type route struct {
	method string
	re     *regexp.Regexp
	action string
	h      func(s *Service, req *core.Request, w http.ResponseWriter, p []string) (int, any, *core.APIError)
}

var routes = []route{
	{"POST", regexp.MustCompile(`^/2015-03-31/functions/?$`), "CreateFunction", (*Service).createFunction},
	{"GET", regexp.MustCompile(`^/2015-03-31/functions/?$`), "ListFunctions", (*Service).listFunctions},
	{"GET", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/?$`), "GetFunction", (*Service).getFunction},
	{"DELETE", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/?$`), "DeleteFunction", (*Service).deleteFunction},
	{"GET", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/configuration/?$`), "GetFunctionConfiguration", (*Service).getFunctionConfiguration},
	{"PUT", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/configuration/?$`), "UpdateFunctionConfiguration", (*Service).updateFunctionConfiguration},
	{"PUT", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/code/?$`), "UpdateFunctionCode", (*Service).updateFunctionCode},
	{"POST", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/invocations/?$`), "Invoke", (*Service).invokeAPI},
	{"POST", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/versions/?$`), "PublishVersion", (*Service).publishVersion},
	{"GET", regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/versions/?$`), "ListVersionsByFunction", (*Service).listVersions},
	{"PUT", regexp.MustCompile(`^/2017-10-31/functions/([^/]+)/concurrency/?$`), "PutFunctionConcurrency", (*Service).putConcurrency},
	{"GET", regexp.MustCompile(`^/2019-09-30/functions/([^/]+)/concurrency/?$`), "GetFunctionConcurrency", (*Service).getConcurrency},
	{"DELETE", regexp.MustCompile(`^/2017-10-31/functions/([^/]+)/concurrency/?$`), "DeleteFunctionConcurrency", (*Service).deleteConcurrency},
	{"GET", regexp.MustCompile(`^/2017-03-31/tags/(.+)$`), "ListTags", (*Service).listTags},
	{"POST", regexp.MustCompile(`^/2017-03-31/tags/(.+)$`), "TagResource", (*Service).tagResource},
	{"DELETE", regexp.MustCompile(`^/2017-03-31/tags/(.+)$`), "UntagResource", (*Service).untagResource},
	{"POST", regexp.MustCompile(`^/2015-03-31/event-source-mappings/?$`), "CreateEventSourceMapping", (*Service).createMapping},
	{"GET", regexp.MustCompile(`^/2015-03-31/event-source-mappings/?$`), "ListEventSourceMappings", (*Service).listMappings},
	{"GET", regexp.MustCompile(`^/2015-03-31/event-source-mappings/([^/]+)/?$`), "GetEventSourceMapping", (*Service).getMapping},
	{"PUT", regexp.MustCompile(`^/2015-03-31/event-source-mappings/([^/]+)/?$`), "UpdateEventSourceMapping", (*Service).updateMapping},
	{"DELETE", regexp.MustCompile(`^/2015-03-31/event-source-mappings/([^/]+)/?$`), "DeleteEventSourceMapping", (*Service).deleteMapping},
	{"GET", regexp.MustCompile(`^/2016-08-19/account-settings/?$`), "GetAccountSettings", (*Service).getAccountSettings},
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) {
	path := req.HTTP.URL.Path
	for _, rt := range routes {
		if rt.method != req.HTTP.Method {
			continue
		}
		m := rt.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		if err := req.Begin(rt.action); err != nil {
			s.proto.WriteError(w, req, err)
			return
		}
		status, out, err := rt.h(s, req, w, m[1:])
		if err != nil {
			s.proto.WriteError(w, req, err)
			return
		}
		if status == 0 {
			return // the handler wrote the response (Invoke)
		}
		if status == http.StatusNoContent {
			w.Header().Set("x-amzn-RequestId", req.ID)
			w.WriteHeader(status)
			return
		}
		s.proto.WriteJSON(w, req, status, out)
		return
	}
	s.proto.WriteError(w, req, core.StatusErrorf(http.StatusNotFound, "UnknownOperationException",
		"The emulator does not implement the Lambda operation %s %s.", req.HTTP.Method, path))
}

// protocol is Lambda's REST-JSON. Lambda's error shapes disagree on the case
// of their message member ("Message" for ResourceNotFoundException, "message"
// for most others), so errors carry both.
type protocol struct{ core.RESTJSONProtocol }

// WriteError implements core.Protocol.
func (p protocol) WriteError(w http.ResponseWriter, req *core.Request, e *core.APIError) {
	typ := "User"
	if e.FaultType() == "Receiver" {
		typ = "Service"
	}
	body := map[string]string{"Type": typ, "message": e.Message, "Message": e.Message}
	if e.Code == "TooManyRequestsException" {
		body["Reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded"
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, req, e.HTTPStatus(), body, e.Code)
}

// ------------------------------------------------------------ errors

func errNotFound(arn string) *core.APIError {
	return core.StatusErrorf(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s", arn)
}

func errInvalidParameter(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidParameterValueException", format, args...)
}

func errConflict(format string, args ...any) *core.APIError {
	return core.StatusErrorf(http.StatusConflict, "ResourceConflictException", format, args...)
}

func errValidation(value any, field, rule string) *core.APIError {
	return core.Errorf("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, rule)
}

func errInvalidRequestContent(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidRequestContentException", format, args...)
}
