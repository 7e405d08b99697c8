package contract

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
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
