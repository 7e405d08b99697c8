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
