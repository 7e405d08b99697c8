package lambda

// Test-only hooks: what functions wrote, event source mapping counters,
// deployment packages.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// FunctionLogs returns what a function wrote to stdout and stderr, one entry
// per line, with Lambda's platform lines (START, END, REPORT, timeouts and
// runtime errors), oldest first (the last 20,000 lines are kept).
func (s *Service) FunctionLogs(region, name string) []string {
	s.mu.Lock()
	f := s.functions[functionKey(region, name)]
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.logs.snapshot()
}

// AdminHandler implements core.AdminService, under /_emulator/lambda/:
//
//	GET /logs?region=R&function=NAME       a function's log lines (text/plain)
//	GET /mappings/UUID/stats               an event source mapping's counters (JSON)
//	GET /code/REGION/NAME/SHA256HEX.zip    a deployment package (GetFunction's Code.Location)
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, r *http.Request) {
		lines := s.FunctionLogs(r.URL.Query().Get("region"), r.URL.Query().Get("function"))
		if lines == nil {
			http.Error(w, "no such function", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, l := range lines {
			_, _ = io.WriteString(w, l+"\n")
		}
	})
	mux.HandleFunc("GET /mappings/{uuid}/stats", func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.MappingStats(r.PathValue("uuid"))
		if !ok {
			http.Error(w, "no such event source mapping", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /code/{region}/{name}/{file}", func(w http.ResponseWriter, r *http.Request) {
		sha := strings.TrimSuffix(r.PathValue("file"), ".zip")
		s.mu.Lock()
		var code *codePackage
		if f := s.functions[functionKey(r.PathValue("region"), r.PathValue("name"))]; f != nil {
			for _, v := range append([]*version{f.cur, f.prev}, versionsOf(f)...) {
				if v != nil && v.code.hexSHA == sha {
					code = v.code
				}
			}
		}
		s.mu.Unlock()
		if code == nil {
			http.Error(w, "no such code", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write(code.zip)
	})
	return mux
}
