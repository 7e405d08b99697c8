package lambda

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorPayload(typ, msg))
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func (sb *sandbox) handleNext(w http.ResponseWriter, r *http.Request) {
	sb.readyOnce.Do(func() { close(sb.ready) })
	var inv *invocation
	select {
	case inv = <-sb.next:
	case <-r.Context().Done():
		return
	case <-sb.exited:
		return
	}
	sb.mu.Lock()
	sb.cur = inv
	sb.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", sb.e.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	if inv.clientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (sb *sandbox) current(id string) *invocation {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.cur != nil && sb.cur.id == id {
		return sb.cur
	}
	return nil
}

func (sb *sandbox) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := sb.current(r.PathValue("id"))
	if inv == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes+1))
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if len(body) > maxResponseBytes {
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponseBytes)
		inv.complete(errorPayload("Function.ResponseSizeTooLarge", msg), true, "Function.ResponseSizeTooLarge")
		runtimeError(w, http.StatusRequestEntityTooLarge, "Function.ResponseSizeTooLarge", msg)
		return
	}
	// aws-lambda-go reports a handler whose response stream fails in trailers.
	if typ := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
		inv.complete(errorPayload(typ, r.Trailer.Get("Lambda-Runtime-Function-Error-Body")), true, typ)
		accepted(w)
		return
	}
	if !inv.complete(body, false, "") {
		runtimeError(w, http.StatusBadRequest, "InvalidStateTransition", "State transition from ResponseSent to InvocationResponse failed for runtime.")
		return
	}
	accepted(w)
}

func (sb *sandbox) handleError(w http.ResponseWriter, r *http.Request) {
	inv := sb.current(r.PathValue("id"))
	if inv == nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	var parsed struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &parsed) == nil && parsed.ErrorType != "" && typ == "" {
		typ = parsed.ErrorType
	}
	if typ == "" {
		typ = "Unhandled"
	}
	if !json.Valid(body) {
		body = errorPayload(typ, string(body))
	}
	if !inv.complete(body, true, typ) {
		runtimeError(w, http.StatusBadRequest, "InvalidStateTransition", "State transition from ResponseSent to InvocationErrorResponse failed for runtime.")
		return
	}
	accepted(w)
}

func (sb *sandbox) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	sb.initOnce.Do(func() {
		sb.initErr = body
		sb.initType = r.Header.Get("Lambda-Runtime-Function-Error-Type")
		close(sb.initFail)
	})
	accepted(w)
}
