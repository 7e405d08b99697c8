// Package logs emulates Amazon CloudWatch Logs over its JSON 1.1 protocol
// (X-Amz-Target: Logs_20140328.<Operation>): log groups with retention
// policies and tags, log streams, PutLogEvents, GetLogEvents (forward and
// backward tokens) and FilterLogEvents with filter patterns, written from the
// CloudWatch Logs API reference.
//
// Other services write to it through core.LogSink: Lambda sends each
// function's output and its platform lines (START, END, REPORT, runtime
// errors) to the function's log group, one stream per execution environment,
// creating the group and the stream when the function's execution role may.
//
// Log groups live in the region of the call that created them. Events are
// kept in timestamp order per stream; a retention policy hides and drops
// events older than the retention period (at once, where AWS takes up to 72
// hours).
//
// Known differences from AWS: filter patterns support terms, quoted
// phrases, ?-alternatives, -exclusions and %regular expressions%, not the
// JSON ({ $.field = … }) and space-delimited ([a, b, …]) forms, which are
// refused with InvalidParameterException; KMS keys are stored but nothing is
// encrypted; deletion protection, metric and subscription filters, Logs
// Insights queries, destinations, exports, data protection and account
// policies are not implemented; storedBytes counts message bytes; each stream
// keeps its last 100,000 events.
package logs

import (
	"net/http"
	"sort"
	"sync"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Service is the emulated CloudWatch Logs.
type Service struct {
	env *core.Env
	api *core.API

	mu sync.Mutex
	// groups by region + "\x00" + name.
	groups map[string]*group
	// seq numbers ingested events in ingestion order, across groups.
	seq int64
}

var (
	_ core.Service = (*Service)(nil)
	_ core.LogSink = (*Service)(nil)
)

// New returns a CloudWatch Logs service for env.
func New(env *core.Env) *Service {
	s := &Service{env: env, groups: map[string]*group{}}
	s.api = &core.API{
		Wires:    []core.Wire{core.JSONWire{JSONProtocol: core.JSONProtocol{Version: "1.1", TargetPrefix: "Logs_20140328"}}},
		Handlers: make(map[string]core.Handler, len(handlers)),
	}
	for op, h := range handlers {
		s.api.Handlers[op] = func(req *core.Request) (any, *core.APIError) { return h(s, req) }
	}
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "logs" }

// Protocol implements core.Service.
func (s *Service) Protocol() core.Protocol { return s.api }

// Inventory implements core.Service: every log group, every region.
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Resource, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, core.Resource{Service: "logs", Region: g.region, Type: "log-group", ID: g.arn})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].ID < out[j].ID
	})
	return out
}

type handler func(s *Service, req *core.Request) (any, *core.APIError)

var handlers = map[string]handler{
	"CreateLogGroup":        (*Service).createLogGroup,
	"DeleteLogGroup":        (*Service).deleteLogGroup,
	"DescribeLogGroups":     (*Service).describeLogGroups,
	"PutRetentionPolicy":    (*Service).putRetentionPolicy,
	"DeleteRetentionPolicy": (*Service).deleteRetentionPolicy,
	"CreateLogStream":       (*Service).createLogStream,
	"DeleteLogStream":       (*Service).deleteLogStream,
	"DescribeLogStreams":    (*Service).describeLogStreams,
	"PutLogEvents":          (*Service).putLogEvents,
	"GetLogEvents":          (*Service).getLogEvents,
	"FilterLogEvents":       (*Service).filterLogEvents,
	"TagResource":           (*Service).tagResource,
	"UntagResource":         (*Service).untagResource,
	"ListTagsForResource":   (*Service).listTagsForResource,
	"TagLogGroup":           (*Service).tagLogGroup,
	"UntagLogGroup":         (*Service).untagLogGroup,
	"ListTagsLogGroup":      (*Service).listTagsLogGroup,
}

// ServeAWS implements core.Service.
func (s *Service) ServeAWS(w http.ResponseWriter, req *core.Request) { s.api.Serve(w, req) }

// ------------------------------------------------------------------ errors

func errGroupNotFound() *core.APIError {
	return core.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

func errStreamNotFound() *core.APIError {
	return core.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
}

func errInvalidParameter(format string, args ...any) *core.APIError {
	return core.Errorf("InvalidParameterException", format, args...)
}

// errConstraint is the error CloudWatch Logs answers to a member that breaks
// its model's constraints (InvalidParameterException, not ValidationException).
func errConstraint(value any, field, constraint string) *core.APIError {
	return core.Errorf("InvalidParameterException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func errMissing(field string) *core.APIError {
	return core.Errorf("InvalidParameterException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}
