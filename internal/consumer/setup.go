package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// RedisLogger routes go-redis's internal log lines (dial failures, cluster
// state reloads) to slog as JSON, at warn level. They carry addresses and
// error texts, never credentials.
type RedisLogger struct{ L *slog.Logger }

// Printf implements go-redis's internal logging interface.
func (r RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.L.WarnContext(ctx, fmt.Sprintf(format, v...), "source", "go-redis")
}

// PostInitError reports an init failure through the Lambda Runtime API
// (POST /2018-06-01/runtime/init/error), the documented way for a custom
// runtime to fail its init phase with a readable reason. runtimeAPI is
// AWS_LAMBDA_RUNTIME_API (host:port). The caller exits afterwards.
func PostInitError(ctx context.Context, client *http.Client, runtimeAPI string, err error) error {
	if runtimeAPI == "" {
		return fmt.Errorf("%s is not set", contract.EnvLambdaRuntimeAPI)
	}
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	body, _ := json.Marshal(map[string]any{
		"errorMessage": err.Error(),
		"errorType":    "Regis.InitError",
		"stackTrace":   []string{},
	})
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+runtimeAPI+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Regis.InitError")
	resp, rerr := client.Do(req)
	if rerr != nil {
		return rerr
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("runtime API answered %s to init/error", resp.Status)
	}
	return nil
}
