package lambda

import (
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// logBuffer keeps the last lines a function wrote (and the platform lines).
type logBuffer struct {
	mu    sync.Mutex
	lines []string
	bytes int
}

const (
	maxLogLines = 20_000
	maxLogBytes = 8 << 20
)

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	b.bytes += len(line)
	drop := 0
	for len(b.lines)-drop > maxLogLines || b.bytes > maxLogBytes {
		b.bytes -= len(b.lines[drop])
		drop++
	}
	if drop > 0 {
		b.lines = append(b.lines[:0:0], b.lines[drop:]...)
	}
}

func (b *logBuffer) snapshot() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// How often a log stream re-reads the execution role's logs permissions
// (IAM changes reach AWS's services within seconds, too).
const logPermissionTTL = 5 * time.Second

// logStream is the CloudWatch Logs stream of one execution environment.
// Lambda writes the function's output and its own platform lines (START,
// END, REPORT, runtime errors) to the function's log group (LoggingConfig,
// /aws/lambda/<name> by default) with the permissions of the function's
// execution role: logs:PutLogEvents, and logs:CreateLogGroup /
// logs:CreateLogStream to create the group and the stream on first write.
// Without them, as on AWS, the lines are dropped (the emulator's logger
// says so once per stream); FunctionLogs still has them.
type logStream struct {
	s                   *Service
	region, group, role string
	name                string

	mu      sync.Mutex
	checked time.Time // wall clock of the last permission check
	perms   logPerms
	warned  bool
}

type logPerms struct{ put, createGroup, createStream bool }

// newLogStream names a new stream as Lambda does: the date of the
// environment's start, the version in brackets and 32 hex digits.
func (e *executor) newLogStream() *logStream {
	return &logStream{
		s: e.s, region: e.region, group: e.v.cfg.logGroup, role: e.v.cfg.role,
		name: e.s.env.Clock.Now().UTC().Format("2006/01/02") + "/[" + e.v.name + "]" + core.RandomHex(16),
	}
}

// ship writes events to the stream through the CloudWatch Logs service. It
// reports whether they were stored (or there is no CloudWatch Logs service to
// store them, in which case EMF metrics still reach CloudWatch).
func (l *logStream) ship(events []core.LogEvent) bool {
	if l == nil || len(events) == 0 {
		return true
	}
	sink, ok := l.s.env.Lookup("logs").(core.LogSink)
	if !ok {
		return true
	}
	p := l.permissions()
	var err *core.APIError
	if !p.put {
		err = core.Errorf("AccessDeniedException", "the execution role %s does not allow logs:PutLogEvents on the log group %s", l.role, l.group)
	} else {
		err = sink.WriteServiceLogs(core.ServiceLogWrite{
			Region: l.region, Group: l.group, Stream: l.name, Events: events,
			CreateGroup: p.createGroup, CreateStream: p.createStream,
		})
	}
	if err == nil {
		return true
	}
	l.mu.Lock()
	warn := !l.warned
	l.warned = true
	l.mu.Unlock()
	if warn {
		l.s.env.Logger.Warn("lambda: the function's log lines are not written to CloudWatch Logs (as on AWS, the execution role needs logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents)",
			"group", l.group, "stream", l.name, "err", err)
	}
	return false
}

func (l *logStream) permissions() logPerms {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.checked.IsZero() || time.Since(l.checked) > logPermissionTTL {
		l.perms = l.s.logPermissions(l.region, l.group, l.name, l.role)
		l.checked = time.Now()
	}
	return l.perms
}

// logPermissions evaluates what an execution role allows on a log stream.
// Without an IAM service every write is allowed; an unknown role allows none.
func (s *Service) logPermissions(region, group, stream, roleARN string) logPerms {
	dir, ok := s.env.Lookup("iam").(core.RoleDirectory)
	if !ok {
		return logPerms{put: true, createGroup: true, createStream: true}
	}
	info, ok := dir.RoleByARN(roleARN)
	if !ok {
		return logPerms{}
	}
	groupARN := core.ARN("logs", region, s.env.AccountID, "log-group:"+group)
	streamARN := groupARN + ":log-stream:" + stream
	allowed := func(action, resource string) bool { return iam.Allowed(info, action, resource, nil) == iampolicy.Allow }
	return logPerms{
		put:          allowed("logs:PutLogEvents", streamARN),
		createGroup:  allowed("logs:CreateLogGroup", groupARN),
		createStream: allowed("logs:CreateLogStream", streamARN),
	}
}
