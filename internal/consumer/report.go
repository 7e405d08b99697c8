package consumer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// Reporter receives what deserves a human's attention: init errors and,
// per invocation, a summary of poison and transient failures. It must
// never receive secrets or command values.
type Reporter interface {
	InitError(err error)
	Summary(s Summary)
	// Flush waits for queued reports until ctx ends.
	Flush(ctx context.Context)
}

// Summary describes the failures of one invocation.
type Summary struct {
	Bus, Region string
	Records     int
	Failed      int
	// FirstFailure is the error of one transiently failed message.
	FirstFailure string
	Poisoned     map[string]int // by reason
	// FirstPoison is the error of one poison message.
	FirstPoison string
}

type nopReporter struct{}

func (nopReporter) InitError(error)       {}
func (nopReporter) Summary(Summary)       {}
func (nopReporter) Flush(context.Context) {}

// SentryReporter reports to Sentry through its own hub (no global state).
type SentryReporter struct {
	hub *sentry.Hub
}

// NewSentryReporter returns a reporter for dsn. transport may be nil (the
// SDK's HTTP transport); tests pass a fake one.
func NewSentryReporter(dsn string, cfg contract.Config, transport sentry.Transport) (*SentryReporter, error) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:         dsn,
		Transport:   transport,
		ServerName:  cfg.BusName,
		Environment: cfg.Region,
		// Events carry only what this package puts in them: no default
		// PII (the SDK's default), no integrations.
		Integrations: func([]sentry.Integration) []sentry.Integration {
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("regis consumer: %s: %w", contract.EnvSentryDSN, err)
	}
	scope := sentry.NewScope()
	scope.SetTag("component", "regis-consumer")
	if cfg.BusName != "" {
		scope.SetTag("bus", cfg.BusName)
	}
	if cfg.Region != "" {
		scope.SetTag("region", cfg.Region)
	}
	scope.SetTag("ordered", fmt.Sprint(cfg.Ordered))
	return &SentryReporter{hub: sentry.NewHub(client, scope)}, nil
}

// InitError implements Reporter.
func (r *SentryReporter) InitError(err error) {
	r.hub.WithScope(func(s *sentry.Scope) {
		s.SetTag("phase", "init")
		s.SetLevel(sentry.LevelFatal)
		r.hub.CaptureException(err)
	})
}

// Summary implements Reporter.
func (r *SentryReporter) Summary(sum Summary) {
	poisoned := 0
	reasons := make([]string, 0, len(sum.Poisoned))
	for reason, n := range sum.Poisoned {
		poisoned += n
		reasons = append(reasons, fmt.Sprintf("%s=%d", reason, n))
	}
	sort.Strings(reasons)
	r.hub.WithScope(func(s *sentry.Scope) {
		s.SetTag("phase", "invoke")
		s.SetContext("regis", sentry.Context{
			"records": sum.Records, "failed": sum.Failed, "poisoned": poisoned,
			"first_failure": sum.FirstFailure, "first_poison": sum.FirstPoison,
		})
		if sum.Failed > 0 {
			s.SetLevel(sentry.LevelError)
			s.SetFingerprint([]string{"regis-consumer", "transient"})
			r.hub.CaptureMessage(fmt.Sprintf("regis consumer: %d of %d messages failed transiently and will be retried: %s",
				sum.Failed, sum.Records, sum.FirstFailure))
		}
		if poisoned > 0 {
			s.SetLevel(sentry.LevelWarning)
			s.SetFingerprint([]string{"regis-consumer", "poison"})
			r.hub.CaptureMessage(fmt.Sprintf("regis consumer: %d poison messages sent to the DLQ (%s): %s",
				poisoned, strings.Join(reasons, ", "), sum.FirstPoison))
		}
	})
}

// Flush implements Reporter.
func (r *SentryReporter) Flush(ctx context.Context) {
	if _, ok := ctx.Deadline(); !ok {
		r.hub.Flush(2 * time.Second)
		return
	}
	r.hub.FlushWithContext(ctx)
}
