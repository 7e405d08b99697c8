package lambda

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func writeJSON(w http.ResponseWriter, req *core.Request, status int, v any, errType string) {
	out, err := json.Marshal(v)
	if err != nil {
		out = []byte(`{"message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", req.ID)
	if errType != "" {
		w.Header().Set("X-Amzn-ErrorType", errType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// readBody reads a JSON request body of at most limit bytes into v.
func readBody(req *core.Request, limit int64, v any) *core.APIError {
	body, err := io.ReadAll(io.LimitReader(req.HTTP.Body, limit+1))
	if err != nil {
		return errInvalidRequestContent("Could not read the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return core.StatusErrorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than %d bytes for the %s operation", limit, req.Action)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errInvalidRequestContent("Could not parse request body into json: %v", err)
	}
	return nil
}
