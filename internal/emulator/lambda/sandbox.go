package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// sandbox is one function process and the Runtime API it talks to.
type sandbox struct {
	e        *executor
	cmd      *exec.Cmd
	srv      *http.Server
	ln       net.Listener
	logFile  *os.File
	log      *logStream
	started  time.Time
	credsEnd time.Time

	next      chan *invocation
	ready     chan struct{} // closed at the first /next call (init done)
	readyOnce sync.Once
	initFail  chan struct{} // closed when the runtime posts an init error
	initErr   []byte
	initType  string
	initOnce  sync.Once
	exited    chan struct{}
	exitErr   error

	mu   sync.Mutex
	cur  *invocation
	dead bool

	logMu     sync.Mutex
	logOffset int64
	partial   []byte
}

// start launches a new process for the executor's version, or explains why
// it cannot run.
func (e *executor) start(ctx context.Context) (*sandbox, string) {
	c := e.v.cfg
	if !customRuntime(c.runtime) {
		return nil, fmt.Sprintf("the emulator runs only custom runtimes (provided.al2023, provided.al2) with a bootstrap executable; runtime %s is not supported", c.runtime)
	}
	root, err := e.s.workRoot()
	if err != nil {
		return nil, "could not prepare the execution environment: " + err.Error()
	}
	dir, err := e.v.code.extract(filepath.Join(root, "code"))
	if err != nil {
		return nil, "could not unzip the deployment package: " + err.Error()
	}
	cmd, msg := e.s.bootstrapCommand(filepath.Join(dir, "bootstrap"), c.architecture)
	if cmd == nil {
		return nil, msg
	}
	creds := e.s.roleCredentials(e.region, c.role, e.name)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "could not open the Runtime API: " + err.Error()
	}
	logFile, err := os.CreateTemp(root, "log-")
	if err != nil {
		ln.Close()
		return nil, "could not create the log file: " + err.Error()
	}
	sb := &sandbox{
		e: e, ln: ln, logFile: logFile, started: time.Now(), credsEnd: creds.Expiration,
		log:      e.newLogStream(),
		next:     make(chan *invocation),
		ready:    make(chan struct{}),
		initFail: make(chan struct{}),
		exited:   make(chan struct{}),
	}
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_REGION=" + e.region,
		"AWS_DEFAULT_REGION=" + e.region,
		"AWS_LAMBDA_FUNCTION_NAME=" + e.name,
		"AWS_LAMBDA_FUNCTION_VERSION=" + e.v.name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(c.memory),
		"AWS_LAMBDA_LOG_GROUP_NAME=" + c.logGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + sb.log.name,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"LAMBDA_TASK_ROOT=" + dir,
		"LAMBDA_RUNTIME_DIR=" + dir,
		"_HANDLER=" + c.handler,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken,
	}
	if c.logFormat == "JSON" {
		env = append(env, "AWS_LAMBDA_LOG_FORMAT=JSON")
	}
	if u := e.s.endpointURL(nil); u != "" {
		env = append(env, "AWS_ENDPOINT_URL="+u)
	}
	for k, v := range c.env {
		env = append(env, k+"="+v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", sb.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", sb.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", sb.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", sb.handleInitError)
	sb.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	cmd.Dir = dir
	cmd.Env = append(env, cmd.Env...) // QEMU's settings, if any
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setProcessGroup(cmd)
	sb.cmd = cmd
	sb.platformLog(nil, e.initStartLine())
	if err := cmd.Start(); err != nil {
		ln.Close()
		logFile.Close()
		_ = os.Remove(logFile.Name())
		return nil, err.Error()
	}
	e.mu.Lock()
	e.boxes[sb] = true
	retired := e.retired
	e.wg.Add(3)
	e.mu.Unlock()
	if retired {
		sb.kill() // retired while starting: the invocation fails with Runtime.ExitError
	}
	go func() {
		defer e.wg.Done()
		_ = sb.srv.Serve(ln)
	}()
	go func() {
		defer e.wg.Done()
		sb.exitErr = cmd.Wait()
		sb.mu.Lock()
		sb.dead = true
		sb.mu.Unlock()
		close(sb.exited)
		sb.drainLogs()
		_ = sb.srv.Close()
		_ = logFile.Close()
		_ = os.Remove(logFile.Name())
		e.mu.Lock()
		delete(e.boxes, sb)
		e.mu.Unlock()
	}()
	go func() {
		defer e.wg.Done()
		t := time.NewTicker(logPollInterval)
		defer t.Stop()
		for {
			select {
			case <-sb.exited:
				return
			case <-t.C:
				sb.drainLogs()
			}
		}
	}()
	return sb, ""
}

func (sb *sandbox) alive() bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return !sb.dead
}

// usable reports whether an idle sandbox can take an invocation of timeout:
// alive, with credentials that outlast it.
func (sb *sandbox) usable(timeout time.Duration) bool {
	if !sb.alive() {
		return false
	}
	// Credentials expire by the emulator clock (STS checks them with it).
	return sb.credsEnd.IsZero() || sb.e.s.env.Clock.Now().Add(timeout+5*time.Minute).Before(sb.credsEnd)
}

// kill ends the process (and its children).
func (sb *sandbox) kill() {
	sb.mu.Lock()
	sb.dead = true
	sb.mu.Unlock()
	if sb.cmd != nil && sb.cmd.Process != nil {
		killProcessGroup(sb.cmd)
	}
}

// drainLogs reads what the process wrote since the last call: each line goes
// to the function's logs, the current invocation's tail and the
// environment's CloudWatch Logs stream, where EMF documents become metrics
// (CloudWatch Logs extracts them from the lines it stores).
func (sb *sandbox) drainLogs() {
	sb.logMu.Lock()
	defer sb.logMu.Unlock()
	f, err := os.Open(sb.logFile.Name())
	if err != nil {
		return
	}
	_, _ = f.Seek(sb.logOffset, io.SeekStart)
	data, _ := io.ReadAll(io.LimitReader(f, 16<<20))
	f.Close()
	sb.logOffset += int64(len(data))
	data = append(sb.partial, data...)
	last := bytes.LastIndexByte(data, '\n')
	var lines []string
	if last >= 0 {
		lines = strings.Split(string(data[:last]), "\n")
		sb.partial = append([]byte(nil), data[last+1:]...)
	} else {
		sb.partial = data
	}
	select {
	case <-sb.exited:
		if len(sb.partial) > 0 {
			lines = append(lines, string(sb.partial))
			sb.partial = nil
		}
	default:
	}
	if len(lines) == 0 {
		return
	}
	sb.mu.Lock()
	cur := sb.cur
	sb.mu.Unlock()
	now := sb.e.s.env.Clock.Now()
	var emf [][]byte
	events := make([]core.LogEvent, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		sb.e.logs.add(l)
		if cur != nil {
			cur.log(l)
		}
		if l != "" {
			events = append(events, core.LogEvent{Time: now, Message: l})
		}
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "{") && strings.Contains(t, `"_aws"`) {
			emf = append(emf, []byte(t))
		}
	}
	if !sb.log.ship(events) || len(emf) == 0 {
		return
	}
	if sink, ok := sb.e.s.env.Lookup("monitoring").(core.EMFSink); ok {
		for _, doc := range emf {
			sink.IngestEMF(sb.e.region, sb.e.v.cfg.logGroup, doc)
		}
	}
}

// platformLog records one of Lambda's platform lines in the environment's stream.
func (sb *sandbox) platformLog(inv *invocation, line string) {
	sb.logMu.Lock()
	defer sb.logMu.Unlock()
	sb.e.platformLog(sb.log, inv, line)
}

// run hands inv to the process and waits for its outcome. undelivered
// reports that a warm process exited before taking the invocation.
func (sb *sandbox) run(ctx context.Context, inv *invocation, cold bool, timeout time.Duration) (_ invResult, undelivered bool) {
	e := sb.e
	start := time.Now()
	var initDur time.Duration
	if cold {
		t := time.NewTimer(initTimeout)
		select {
		case <-sb.ready:
			initDur = time.Since(start)
		case <-sb.initFail:
			t.Stop()
			sb.kill()
			return sb.initFailure(inv, start), false
		case <-sb.exited:
			t.Stop()
			select {
			case <-sb.initFail:
				return sb.initFailure(inv, start), false
			default:
			}
			sb.initReport(inv, start, "error\tError Type: Runtime.ExitError")
			return sb.exitFailure(inv, start), false
		case <-t.C:
			sb.kill()
			sb.initReport(inv, start, "timeout")
			return sb.timeoutFailure(inv, start, initTimeout), false
		case <-ctx.Done():
			t.Stop()
			sb.kill()
			return shuttingDown(), false
		}
		t.Stop()
	}
	sb.platformLog(inv, "START RequestId: "+inv.id+" Version: "+e.v.name)
	invStart := time.Now()
	inv.deadline = invStart.Add(timeout)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case sb.next <- inv:
	case <-sb.exited:
		if !cold {
			return invResult{}, true
		}
		return sb.exitFailure(inv, invStart), false
	case <-timer.C:
		sb.kill()
		return sb.timeoutFailure(inv, invStart, timeout), false
	case <-ctx.Done():
		sb.kill()
		return shuttingDown(), false
	}
	var res invResult
	select {
	case <-inv.done:
	case <-sb.exited:
		select {
		case <-inv.done:
		default:
			return sb.exitFailure(inv, invStart), false
		}
	case <-timer.C:
		select {
		case <-inv.done:
		default:
			sb.kill()
			return sb.timeoutFailure(inv, invStart, timeout), false
		}
	case <-ctx.Done():
		sb.kill()
		return shuttingDown(), false
	}
	dur := time.Since(invStart)
	sb.drainLogs()
	sb.mu.Lock()
	sb.cur = nil
	sb.mu.Unlock()
	res.payload = inv.resp
	res.duration = dur
	status := ""
	if inv.failed {
		res.functionError = "Unhandled"
		res.errorType = inv.errType
		status = "\tStatus: error\tError Type: " + inv.errType
	}
	sb.platformLog(inv, "END RequestId: "+inv.id)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, float64(dur)/float64(time.Millisecond), (dur+time.Millisecond-1)/time.Millisecond, e.v.cfg.memory, maxMemoryMB(sb.cmd))
	if cold {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(initDur)/float64(time.Millisecond))
	}
	sb.platformLog(inv, report+status)
	res.logs = inv.tail()
	return res, false
}

func shuttingDown() invResult {
	return invResult{functionError: "Unhandled", errorType: "ServiceException", payload: errorPayload("ServiceException", "the emulator is shutting down")}
}

func (sb *sandbox) finish(inv *invocation, res invResult, start time.Time, status string) invResult {
	sb.drainLogs()
	sb.mu.Lock()
	sb.cur = nil
	sb.mu.Unlock()
	dur := time.Since(start)
	res.duration = dur
	sb.platformLog(inv, "END RequestId: "+inv.id)
	sb.platformLog(inv, fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: 0 MB\tStatus: %s\tError Type: %s",
		inv.id, float64(dur)/float64(time.Millisecond), (dur+time.Millisecond-1)/time.Millisecond, sb.e.v.cfg.memory, status, res.errorType))
	res.functionError = "Unhandled"
	res.logs = inv.tail()
	return res
}

func (sb *sandbox) timeoutFailure(inv *invocation, start time.Time, timeout time.Duration) invResult {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, timeout.Seconds())
	sb.platformLog(inv, fmt.Sprintf("%s %s Task timed out after %.2f seconds", sb.e.s.env.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, timeout.Seconds()))
	return sb.finish(inv, invResult{errorType: "Sandbox.Timedout", payload: errorPayload("Sandbox.Timedout", msg)}, start, "timeout")
}

// initReport logs the end of a failed init (INIT_REPORT … Status: status)
// and the start of the invocation that was waiting for it.
func (sb *sandbox) initReport(inv *invocation, start time.Time, status string) {
	sb.platformLog(inv, fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s", float64(time.Since(start))/float64(time.Millisecond), status))
	sb.platformLog(inv, "START RequestId: "+inv.id+" Version: "+sb.e.v.name)
}

func (sb *sandbox) exitFailure(inv *invocation, start time.Time) invResult {
	reason := "Runtime exited without providing a reason"
	if sb.exitErr != nil {
		reason = "Runtime exited with error: " + sb.exitErr.Error()
	}
	msg := "RequestId: " + inv.id + " Error: " + reason
	sb.platformLog(inv, msg+"\nRuntime.ExitError")
	return sb.finish(inv, invResult{errorType: "Runtime.ExitError", payload: errorPayload("Runtime.ExitError", msg)}, start, "error")
}

func (sb *sandbox) initFailure(inv *invocation, start time.Time) invResult {
	typ := sb.initType
	if typ == "" {
		typ = "Runtime.Unknown"
	}
	payload := sb.initErr
	if !json.Valid(payload) {
		payload = errorPayload(typ, string(payload))
	}
	sb.initReport(inv, start, "error\tError Type: "+typ)
	return sb.finish(inv, invResult{errorType: typ, payload: payload}, time.Now(), "error")
}
