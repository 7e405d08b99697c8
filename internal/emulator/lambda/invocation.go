package lambda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// invocation is one request handed to a function process.
type invocation struct {
	id            string
	payload       []byte
	clientContext string
	traceID       string
	deadline      time.Time

	done    chan struct{}
	once    sync.Once
	resp    []byte
	failed  bool   // the runtime posted an error
	errType string // Lambda-Runtime-Function-Error-Type

	logMu sync.Mutex
	logs  bytes.Buffer
}

func newInvocation(payload []byte, clientContext string) *invocation {
	id := core.NewRequestID()
	return &invocation{
		id: id, payload: payload, clientContext: clientContext,
		traceID: fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), core.RandomHex(12), core.RandomHex(8)),
		done:    make(chan struct{}),
	}
}

func (inv *invocation) complete(resp []byte, failed bool, errType string) bool {
	ok := false
	inv.once.Do(func() {
		inv.resp, inv.failed, inv.errType = resp, failed, errType
		close(inv.done)
		ok = true
	})
	return ok
}

func (inv *invocation) log(line string) {
	inv.logMu.Lock()
	inv.logs.WriteString(line)
	inv.logs.WriteByte('\n')
	inv.logMu.Unlock()
}

func (inv *invocation) tail() string {
	inv.logMu.Lock()
	defer inv.logMu.Unlock()
	b := inv.logs.Bytes()
	if len(b) > logTailBytes {
		b = b[len(b)-logTailBytes:]
	}
	return string(b)
}

// invResult is the outcome of an invocation.
type invResult struct {
	payload []byte
	// functionError is "Unhandled" when the function failed, timed out or crashed.
	functionError string
	// errorType is the error's type (Sandbox.Timedout, Runtime.ExitError, the
	// function's own), for logs and counters.
	errorType string
	logs      string
	version   string
	// duration is how long the invocation ran (the Duration metric).
	duration time.Duration
}

func errorPayload(errType, message string) []byte {
	out, _ := json.Marshal(map[string]string{"errorType": errType, "errorMessage": message})
	return out
}
