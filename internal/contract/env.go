package contract

import "time"

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
	// EnvLambdaRuntimeAPI is set by Lambda: the host:port of the Runtime API
	// the consumer's bootstrap talks to.
	EnvLambdaRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"
)

// ConsumerEnvironment lists every environment variable the consumer reads
// itself (the AWS SDK also reads the credentials and endpoint variables
// Lambda sets). EnvRegion and EnvLambdaRuntimeAPI are Lambda's; the others
// are the consumer's configuration.
var ConsumerEnvironment = []string{
	EnvRedisAddrs, EnvRedisCluster, EnvRedisTLS, EnvRedisTLSServerName,
	EnvRedisUsername, EnvRedisAuthToken, EnvRedisAuthSecretARN, EnvOrdered, EnvTombstoneTTL,
	EnvDLQURL, EnvBusName, EnvMetricsNamespace, EnvDeadlineMargin, EnvLogLevel, EnvSentryDSN,
	EnvRegion, EnvLambdaRuntimeAPI,
}

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
