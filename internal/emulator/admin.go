package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// adminMux serves the test-only HTTP API under /_emulator/, for tests and
// demos that run the emulator as a separate process.
func (e *Emulator) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_emulator/health", func(w http.ResponseWriter, r *http.Request) {
		var names []string
		for _, s := range e.env.Services() {
			names = append(names, s.SigningName())
		}
		sort.Strings(names)
		writeJSON(w, http.StatusOK, map[string]any{"status": "running", "account_id": e.env.AccountID, "services": names})
	})
	mux.HandleFunc("GET /_emulator/inventory", func(w http.ResponseWriter, r *http.Request) {
		inv := e.Inventory()
		if inv == nil {
			inv = []core.Resource{}
		}
		writeJSON(w, http.StatusOK, inv)
	})
	mux.HandleFunc("GET /_emulator/calls", func(w http.ResponseWriter, r *http.Request) {
		calls := e.Calls()
		if calls == nil {
			calls = []Call{}
		}
		writeJSON(w, http.StatusOK, calls)
	})
	mux.HandleFunc("DELETE /_emulator/calls", func(w http.ResponseWriter, r *http.Request) {
		e.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"id": e.InjectFault(f)})
	})
	mux.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		e.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /_emulator/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Seconds float64 `json:"seconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Seconds < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "expected {\"seconds\": N} with N >= 0"})
			return
		}
		e.env.Clock.Advance(time.Duration(body.Seconds * float64(time.Second)))
		writeJSON(w, http.StatusOK, map[string]string{"now": e.env.Clock.Now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("POST /_emulator/credentials/reject", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			AccessKey string `json:"access_key"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AccessKey == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "expected {\"access_key\": \"...\"}"})
			return
		}
		e.RejectAccessKey(body.AccessKey)
		w.WriteHeader(http.StatusNoContent)
	})
	for _, s := range e.env.Services() {
		if a, ok := s.(core.AdminService); ok {
			prefix := "/_emulator/" + s.SigningName() + "/"
			mux.Handle(prefix, http.StripPrefix(prefix[:len(prefix)-1], a.AdminHandler()))
		}
	}
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
