// Package consumer is the logic of the Regis consumer Lambda: it decodes the
// SQS records of one invocation (raw Regis messages or SNS envelopes),
// checks every command against the allow-list, applies the commands to the
// region's Redis with pipelines (optionally in ordered mode, see ordered.go),
// sends poison messages to the region's dead-letter queue, and reports the
// messages that failed transiently as batch item failures so SQS retries
// them. It writes one CloudWatch EMF line per origin region per invocation
// and structured logs, and reports to Sentry when configured.
//
// The package does no AWS or Redis set-up of its own beyond what Config
// describes; lambda/main.go wires it to the real clients.
package consumer

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by LoadConfig. The regis_bus resource sets them
// on the consumer function; they are the contract between the two.
const (
	// EnvRedisAddrs is the comma-separated list of host:port Redis endpoints
	// (required). Standalone: the primary endpoint. Cluster: the
	// configuration endpoint (or several seed nodes).
	EnvRedisAddrs = "REGIS_REDIS_ADDRS"
	// EnvRedisCluster is "true" for cluster mode (ElastiCache cluster mode
	// enabled, Serverless), "false" (default) for a single primary.
	EnvRedisCluster = "REGIS_REDIS_CLUSTER"
	// EnvRedisTLS is "true" to use in-transit encryption (TLS 1.2+). The
	// server certificate is always verified, against the system roots
	// (ElastiCache's certificates chain to Amazon's public roots). A Redis
	// with a certificate from a private CA is trusted by pointing Go's
	// standard SSL_CERT_FILE (or SSL_CERT_DIR) at that CA's bundle, e.g. in
	// a Lambda layer; there is no switch that turns verification off.
	EnvRedisTLS = "REGIS_REDIS_TLS"
	// EnvRedisTLSServerName overrides the name the server certificate is
	// checked against (default: the host of each address dialled).
	EnvRedisTLSServerName = "REGIS_REDIS_TLS_SERVER_NAME"
	// EnvRedisUsername is the RBAC user name (optional; default user when
	// empty). A username in the auth secret takes precedence.
	EnvRedisUsername = "REGIS_REDIS_USERNAME"
	// EnvRedisAuthToken is the AUTH token (password). Prefer
	// EnvRedisAuthSecretARN, which keeps it out of the function's
	// configuration. At most one of the two may be set.
	EnvRedisAuthToken = "REGIS_REDIS_AUTH_TOKEN"
	// EnvRedisAuthSecretARN is a Secrets Manager secret ARN holding the
	// AUTH token, fetched once per container at init. The SecretString is
	// either the token itself or a JSON object with "password", "token" or
	// "auth_token", and optionally "username".
	EnvRedisAuthSecretARN = "REGIS_REDIS_AUTH_SECRET_ARN"
	// EnvOrdered is "true" for ordered mode: every command must carry a
	// version and applies only if newer than what the key (or member, or
	// TTL) already has. See ordered.go.
	EnvOrdered = "REGIS_ORDERED"
	// EnvTombstoneTTL is how long ordered-mode version metadata (including
	// the tombstone a DEL leaves) lives at least after the last applied
	// write to a key, as a Go duration (default DefaultTombstoneTTL; the
	// metadata's TTL is this plus a refresh period of up to an hour, renewed
	// at most once per period). It must exceed the
	// longest time a message can still be delivered after a newer one was
	// applied: the source queue's retention, and the DLQ's if messages are
	// redriven.
	EnvTombstoneTTL = "REGIS_TOMBSTONE_TTL"
	// EnvDLQURL is the URL of the region's dead-letter queue, where poison
	// messages are sent with the reason as message attributes. When empty,
	// poison messages are reported as failed instead, so SQS's own redrive
	// policy moves them after maxReceiveCount receives.
	EnvDLQURL = "REGIS_DLQ_URL"
	// EnvBusName names the bus, for logs, the metrics' Bus dimension and
	// Sentry tags.
	EnvBusName = "REGIS_BUS_NAME"
	// EnvMetricsNamespace is the CloudWatch namespace of the EMF metrics
	// (default DefaultMetricsNamespace).
	EnvMetricsNamespace = "REGIS_METRICS_NAMESPACE"
	// EnvDeadlineMargin is the time kept free before the invocation's
	// deadline for DLQ sends, logs and metrics, as a Go duration (default:
	// a tenth of the remaining time, between 200ms and 2s).
	EnvDeadlineMargin = "REGIS_DEADLINE_MARGIN"
	// EnvLogLevel is the slog level: debug, info (default), warn or error.
	EnvLogLevel = "REGIS_LOG_LEVEL"
	// EnvSentryDSN enables Sentry reporting of init errors and of poison
	// and transient failure summaries.
	EnvSentryDSN = "SENTRY_DSN"
	// EnvRegion is set by Lambda: the region the consumer runs in, used as
	// the Region metric dimension.
	EnvRegion = "AWS_REGION"
)

// Defaults.
const (
	// DefaultTombstoneTTL is 7 days: SQS's default retention (4 days, the
	// seed design's for the queue and its DLQ) plus 3 days of margin for a
	// redrive from the DLQ and for clock skew. Raise it if either queue
	// keeps messages longer (SQS allows up to 14 days).
	DefaultTombstoneTTL = 7 * 24 * time.Hour
	// DefaultMetricsNamespace is the CloudWatch namespace of the metrics.
	DefaultMetricsNamespace = "Regis"
	// MinTombstoneTTL refuses windows too short to outlive any SQS
	// redelivery (SQS's minimum retention is 60 seconds, but a visibility
	// timeout alone can be 12 hours).
	MinTombstoneTTL = time.Hour
)

// Config is the consumer's configuration, read from the environment.
type Config struct {
	RedisAddrs         []string
	RedisCluster       bool
	RedisTLS           bool
	RedisTLSServerName string
	RedisUsername      string
	// RedisAuthToken is a secret: never log it.
	RedisAuthToken     string
	RedisAuthSecretARN string
	Ordered            bool
	TombstoneTTL       time.Duration
	DLQURL             string
	BusName            string
	MetricsNamespace   string
	DeadlineMargin     time.Duration // 0: adaptive
	LogLevel           string
	SentryDSN          string
	Region             string
}

// String describes the configuration without secrets.
func (c Config) String() string {
	auth := "none"
	switch {
	case c.RedisAuthSecretARN != "":
		auth = "secret " + c.RedisAuthSecretARN
	case c.RedisAuthToken != "":
		auth = "token (redacted)"
	}
	return fmt.Sprintf("addrs=%s cluster=%t tls=%t auth=%s ordered=%t tombstone=%s dlq=%q bus=%q region=%q",
		strings.Join(c.RedisAddrs, ","), c.RedisCluster, c.RedisTLS, auth, c.Ordered, c.TombstoneTTL, c.DLQURL, c.BusName, c.Region)
}

// LoadConfigFromEnv reads the configuration from the process environment.
func LoadConfigFromEnv() (Config, error) { return LoadConfig(os.Getenv) }

// LoadConfig reads the configuration through getenv and checks it. Every
// problem is reported at once, naming the variable to change.
func LoadConfig(getenv func(string) string) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	boolean := func(name string) bool {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(name, "%q is not true or false", v)
		}
		return b
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			bad(name, "%q is not a Go duration such as 168h", v)
			return def
		}
		return d
	}

	c := Config{
		RedisCluster:       boolean(EnvRedisCluster),
		RedisTLS:           boolean(EnvRedisTLS),
		RedisTLSServerName: strings.TrimSpace(getenv(EnvRedisTLSServerName)),
		RedisUsername:      strings.TrimSpace(getenv(EnvRedisUsername)),
		RedisAuthToken:     getenv(EnvRedisAuthToken),
		RedisAuthSecretARN: strings.TrimSpace(getenv(EnvRedisAuthSecretARN)),
		Ordered:            boolean(EnvOrdered),
		TombstoneTTL:       duration(EnvTombstoneTTL, DefaultTombstoneTTL),
		DLQURL:             strings.TrimSpace(getenv(EnvDLQURL)),
		BusName:            strings.TrimSpace(getenv(EnvBusName)),
		MetricsNamespace:   strings.TrimSpace(getenv(EnvMetricsNamespace)),
		DeadlineMargin:     duration(EnvDeadlineMargin, 0),
		LogLevel:           strings.ToLower(strings.TrimSpace(getenv(EnvLogLevel))),
		SentryDSN:          strings.TrimSpace(getenv(EnvSentryDSN)),
		Region:             strings.TrimSpace(getenv(EnvRegion)),
	}
	for _, a := range strings.Split(getenv(EnvRedisAddrs), ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			bad(EnvRedisAddrs, "%q is not host:port", a)
			continue
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			bad(EnvRedisAddrs, "%q has an invalid port", a)
			continue
		}
		c.RedisAddrs = append(c.RedisAddrs, a)
	}
	if len(c.RedisAddrs) == 0 && !hasErr(errs, EnvRedisAddrs) {
		bad(EnvRedisAddrs, "required: the Redis primary or configuration endpoint as host:port")
	}
	if len(c.RedisAddrs) > 1 && !c.RedisCluster {
		bad(EnvRedisAddrs, "several addresses need %s=true (a standalone Redis has one primary endpoint)", EnvRedisCluster)
	}
	if c.RedisAuthToken != "" && c.RedisAuthSecretARN != "" {
		bad(EnvRedisAuthToken, "set either %s or %s, not both", EnvRedisAuthToken, EnvRedisAuthSecretARN)
	}
	if c.RedisAuthSecretARN != "" && !strings.HasPrefix(c.RedisAuthSecretARN, "arn:") {
		bad(EnvRedisAuthSecretARN, "%q is not an ARN", c.RedisAuthSecretARN)
	}
	if c.TombstoneTTL < MinTombstoneTTL {
		bad(EnvTombstoneTTL, "%s is shorter than the minimum %s: tombstones must outlive every redelivery", c.TombstoneTTL, MinTombstoneTTL)
	}
	if c.DeadlineMargin < 0 {
		bad(EnvDeadlineMargin, "must not be negative")
	}
	if c.MetricsNamespace == "" {
		c.MetricsNamespace = DefaultMetricsNamespace
	} else if strings.HasPrefix(c.MetricsNamespace, ":") || strings.HasPrefix(c.MetricsNamespace, "AWS/") || len(c.MetricsNamespace) > 255 {
		bad(EnvMetricsNamespace, "%q is not a valid custom CloudWatch namespace", c.MetricsNamespace)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		bad(EnvLogLevel, "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.DLQURL != "" && !strings.HasPrefix(c.DLQURL, "http://") && !strings.HasPrefix(c.DLQURL, "https://") {
		bad(EnvDLQURL, "%q is not a queue URL", c.DLQURL)
	}
	if len(errs) > 0 {
		return c, &ConfigError{Errs: errs}
	}
	return c, nil
}

func hasErr(errs []error, name string) bool {
	for _, e := range errs {
		if strings.HasPrefix(e.Error(), name+":") {
			return true
		}
	}
	return false
}

// ConfigError lists every problem found in the environment.
type ConfigError struct{ Errs []error }

func (e *ConfigError) Error() string {
	parts := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		parts[i] = err.Error()
	}
	return "regis consumer: invalid configuration: " + strings.Join(parts, "; ")
}

// Unwrap returns the individual problems.
func (e *ConfigError) Unwrap() []error { return e.Errs }
