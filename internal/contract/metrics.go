package contract

// Metric names written in EMF. Their dimensions are [OriginRegion, Region]:
// the region that published the messages and the region applying them; and,
// when the consumer knows its bus (REGIS_BUS_NAME), also [Bus, OriginRegion,
// Region], so that two buses in one account and region keep their figures
// apart. The bus-less set is kept beside it: it is what consumers without
// a bus name publish, and region-wide views (all buses) keep working.
const (
	MetricReplicationLagMax  = "ReplicationLagMax"  // ms, max over applied messages of apply time − publish time
	MetricReplicationLagMean = "ReplicationLagMean" // ms
	MetricCommandsApplied    = "CommandsApplied"    // commands of applied messages (ordered mode: including stale ones)
	MetricCommandsStale      = "CommandsStale"      // ordered mode: commands older than the stored version, skipped
	MetricMessagesApplied    = "MessagesApplied"
	MetricMessagesFailed     = "MessagesFailed"   // transient: reported in batchItemFailures, retried by SQS
	MetricMessagesPoisoned   = "MessagesPoisoned" // sent to the DLQ (all reasons)
	// MetricPoisonedPrefix + reason counts the poison messages of one
	// reason, e.g. MessagesPoisoned_wrong_type. EMF takes one value per
	// dimension per document, so a Reason dimension would need a document
	// per reason; a metric per reason keeps one document per origin.
	MetricPoisonedPrefix = "MessagesPoisoned_"
)

// Dimension names of the EMF metrics.
const (
	DimensionBus          = "Bus"
	DimensionOriginRegion = "OriginRegion"
	DimensionRegion       = "Region"
)

// UnknownOrigin is the OriginRegion of messages whose origin is unknown
// (they did not decode).
const UnknownOrigin = "unknown"

// Failure metrics. They are not per origin: one document per invocation in
// which messages failed transiently, or per failed init, with the
// dimensions [Bus, Region] and [Region] (only [Region] without a bus name),
// and the PropertyFailureKind property naming the cause (Failure…).
const (
	// MetricBatchFailures counts invocations in which messages failed
	// transiently (1 per such invocation).
	MetricBatchFailures = "BatchFailures"
	// MetricRedisErrors counts the invocations among them whose failure
	// came from Redis: unreachable, TLS, credentials, or an error reply such
	// as OOM or READONLY.
	MetricRedisErrors = "RedisErrors"
	// MetricInitFailures counts consumer inits that failed (configuration,
	// AUTH secret): the function cannot take any batch.
	MetricInitFailures = "InitFailures"
	// PropertyFailureKind names the cause in those documents.
	PropertyFailureKind = "FailureKind"
)

// Kinds of failure: the values of PropertyFailureKind, also logged as
// "failure" on the error line of the invocation.
const (
	// FailureRedisUnavailable: Redis could not be reached (refused, timed
	// out, reset, DNS).
	FailureRedisUnavailable = "redis_unavailable"
	// FailureRedisTLS: the TLS handshake failed (certificate not trusted,
	// wrong name).
	FailureRedisTLS = "redis_tls"
	// FailureRedisAuth: Redis refused the credentials or the user's
	// permissions (NOAUTH, WRONGPASS, NOPERM).
	FailureRedisAuth = "redis_auth"
	// FailureRedisRefused: Redis answered with an error that is not the
	// message's fault (OOM, READONLY, LOADING, CLUSTERDOWN, BUSY…).
	FailureRedisRefused = "redis_refused"
	// FailureDeadline: the invocation's deadline came before every message
	// was applied.
	FailureDeadline = "deadline"
	// FailureDLQ: poison messages could not be sent to the DLQ.
	FailureDLQ = "dlq_unavailable"
	// FailureInit: the consumer's init failed (InitFailures).
	FailureInit = "init"
)
