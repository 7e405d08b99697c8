package emulator

import (
	"net/http"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Fault makes matching calls fail. Empty Region, Service or Action match any.
type Fault struct {
	Region  string `json:"region,omitempty"`
	Service string `json:"service,omitempty"`
	Action  string `json:"action,omitempty"`
	// After lets this many matching calls through first: After 2 fails the 3rd.
	After int `json:"after,omitempty"`
	// Times is how many matching calls fail; 0 means 1, a negative value forever.
	Times int `json:"times,omitempty"`
	// Throttle answers with the throttling error of the request's own
	// protocol (core.Protocol.Throttling), which the SDK retryers retry.
	// Otherwise Err, or an internal error (500).
	Throttle bool           `json:"throttle,omitempty"`
	Err      *core.APIError `json:"-"`
	// Code, Message and Status set Err from JSON (the HTTP admin API).
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Status  int    `json:"status,omitempty"`
}

type faultState struct {
	id   int
	f    Fault
	seen int
	hits int
}

// Call is one API call the emulator served.
type Call struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	Region    string    `json:"region"`
	Service   string    `json:"service"`
	Action    string    `json:"action"`
	AccessKey string    `json:"access_key"`
	// Fault is the code of the injected fault answered, if any.
	Fault string `json:"fault,omitempty"`
}

// maxCalls bounds the call log; older calls are dropped.
const maxCalls = 200_000

// InjectFault adds a fault and returns its id.
func (e *Emulator) InjectFault(f Fault) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if f.Err == nil && f.Code != "" {
		f.Err = &core.APIError{Status: f.Status, Code: f.Code, Message: f.Message}
	}
	e.nextID++
	e.faults = append(e.faults, &faultState{id: e.nextID, f: f})
	return e.nextID
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// FaultHits returns how many calls fault id has failed.
func (e *Emulator) FaultHits(id int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.faults {
		if s.id == id {
			return s.hits
		}
	}
	return 0
}

// Calls returns the call log (oldest first).
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Call(nil), e.calls...)
}

// ResetCalls empties the call log.
func (e *Emulator) ResetCalls() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = nil
}

// BeforeAction implements core.Hooks: it logs the call and answers an
// injected fault when one matches.
func (e *Emulator) BeforeAction(req *core.Request) *core.APIError {
	e.mu.Lock()
	defer e.mu.Unlock()
	var answer *core.APIError
	for _, s := range e.faults {
		f := s.f
		if (f.Region != "" && f.Region != req.Region) || (f.Service != "" && f.Service != req.Service) ||
			(f.Action != "" && f.Action != req.Action) {
			continue
		}
		s.seen++
		times := f.Times
		if times == 0 {
			times = 1
		}
		if s.seen <= f.After || (times > 0 && s.hits >= times) {
			continue
		}
		s.hits++
		answer = e.faultError(req, f)
		break
	}
	e.callSeq++
	c := Call{Seq: e.callSeq, Time: e.env.Clock.Now(), Region: req.Region, Service: req.Service, Action: req.Action, AccessKey: req.AccessKey}
	if answer != nil {
		c.Fault = answer.Code
	}
	if len(e.calls) >= maxCalls {
		e.calls = append(e.calls[:0], e.calls[len(e.calls)-maxCalls/2:]...)
	}
	e.calls = append(e.calls, c)
	if l := e.env.Logger; l != nil {
		l.Debug("call", "region", req.Region, "service", req.Service, "action", req.Action, "fault", c.Fault)
	}
	return answer
}

func (e *Emulator) faultError(req *core.Request, f Fault) *core.APIError {
	if f.Throttle {
		return req.Throttling("Rate exceeded (injected fault)")
	}
	if f.Err != nil {
		err := *f.Err
		return &err
	}
	return &core.APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "injected fault on " + req.Action, Receiver: true}
}
