package consumer

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"time"
)

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

// Failure metrics. They are not per origin: one document per invocation in
// which messages failed transiently, or per failed init, with the
// dimensions [Bus, Region] and [Region] (only [Region] without a bus name),
// and the FailureKind property naming the cause (Failure… constants).
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

// Dimension names of the EMF metrics.
const (
	DimensionBus          = "Bus"
	DimensionOriginRegion = "OriginRegion"
	DimensionRegion       = "Region"
)

// UnknownOrigin is the OriginRegion of messages whose origin is unknown
// (they did not decode).
const UnknownOrigin = "unknown"

// originStats are the counts of one origin region in one invocation.
type originStats struct {
	commandsApplied  int
	commandsStale    int
	messagesApplied  int
	messagesFailed   int
	messagesPoisoned int
	poisonByReason   map[string]int
	lagSumMs         float64
	lagMaxMs         float64
}

type invocationStats map[string]*originStats

func (s invocationStats) origin(region string) *originStats {
	if region == "" {
		region = UnknownOrigin
	}
	o := s[region]
	if o == nil {
		o = &originStats{}
		s[region] = o
	}
	return o
}

func (s invocationStats) totals() (applied, failed, poisoned int) {
	for _, o := range s {
		applied += o.messagesApplied
		failed += o.messagesFailed
		poisoned += o.messagesPoisoned
	}
	return
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// emfDimensions are the dimension sets of the metrics: with the bus name,
// [Bus, OriginRegion, Region] and [OriginRegion, Region]; without it, the
// latter only.
func emfDimensions(bus string) [][]string {
	if bus == "" {
		return [][]string{{DimensionOriginRegion, DimensionRegion}}
	}
	return [][]string{{DimensionBus, DimensionOriginRegion, DimensionRegion}, {DimensionOriginRegion, DimensionRegion}}
}

// writeEMF writes one CloudWatch Embedded Metric Format document per origin
// region of the invocation, each on its own line. In EMF the dimension
// values are the document's root members, so one document carries one
// OriginRegion: a batch from a single origin (the usual case) is one line,
// a batch mixing origins is one line per origin. An invocation with no
// records at all writes nothing.
func writeEMF(w io.Writer, namespace, region, bus string, now time.Time, stats invocationStats, failure *batchFailure) error {
	origins := make([]string, 0, len(stats))
	for o := range stats {
		origins = append(origins, o)
	}
	sort.Strings(origins)
	if region == "" {
		region = "unknown"
	}
	dims := emfDimensions(bus)
	var buf []byte
	for _, origin := range origins {
		o := stats[origin]
		doc := map[string]any{
			DimensionOriginRegion:  origin,
			DimensionRegion:        region,
			MetricCommandsApplied:  o.commandsApplied,
			MetricMessagesApplied:  o.messagesApplied,
			MetricMessagesFailed:   o.messagesFailed,
			MetricMessagesPoisoned: o.messagesPoisoned,
		}
		if bus != "" {
			doc[DimensionBus] = bus
		}
		metrics := []emfMetric{
			{MetricCommandsApplied, "Count"},
			{MetricMessagesApplied, "Count"},
			{MetricMessagesFailed, "Count"},
			{MetricMessagesPoisoned, "Count"},
		}
		if o.commandsStale > 0 {
			doc[MetricCommandsStale] = o.commandsStale
			metrics = append(metrics, emfMetric{MetricCommandsStale, "Count"})
		}
		if o.messagesApplied > 0 {
			doc[MetricReplicationLagMax] = round3(o.lagMaxMs)
			doc[MetricReplicationLagMean] = round3(o.lagSumMs / float64(o.messagesApplied))
			metrics = append(metrics, emfMetric{MetricReplicationLagMax, "Milliseconds"}, emfMetric{MetricReplicationLagMean, "Milliseconds"})
		}
		reasons := make([]string, 0, len(o.poisonByReason))
		for r := range o.poisonByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			doc[MetricPoisonedPrefix+r] = o.poisonByReason[r]
			metrics = append(metrics, emfMetric{MetricPoisonedPrefix + r, "Count"})
		}
		doc["_aws"] = emfMeta{
			Timestamp: now.UnixMilli(),
			CloudWatchMetrics: []emfDirective{{
				Namespace:  namespace,
				Dimensions: dims,
				Metrics:    metrics,
			}},
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	if failure != nil {
		counts := map[string]int{MetricBatchFailures: 1}
		if failure.redis() {
			counts[MetricRedisErrors] = 1
		}
		b, err := failureDoc(namespace, region, bus, now, failure.kind, counts)
		if err != nil {
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	if len(buf) == 0 {
		return nil
	}
	_, err := w.Write(buf)
	return err
}

// failureDoc is the EMF document of a failure: counts by metric name, with
// the [Bus, Region] and [Region] dimensions.
func failureDoc(namespace, region, bus string, now time.Time, kind string, counts map[string]int) ([]byte, error) {
	if region == "" {
		region = "unknown"
	}
	dims := [][]string{{DimensionRegion}}
	doc := map[string]any{DimensionRegion: region, PropertyFailureKind: kind}
	if bus != "" {
		dims = [][]string{{DimensionBus, DimensionRegion}, {DimensionRegion}}
		doc[DimensionBus] = bus
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	metrics := make([]emfMetric, 0, len(names))
	for _, n := range names {
		doc[n] = counts[n]
		metrics = append(metrics, emfMetric{n, "Count"})
	}
	doc["_aws"] = emfMeta{
		Timestamp:         now.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{Namespace: namespace, Dimensions: dims, Metrics: metrics}},
	}
	return json.Marshal(doc)
}

// WriteInitFailure writes the EMF document counting a failed init
// (MetricInitFailures) with cfg's namespace, region and bus; the namespace
// falls back to the default when cfg's is unusable.
func WriteInitFailure(w io.Writer, cfg Config, now time.Time) error {
	ns := cfg.MetricsNamespace
	if ns == "" || strings.HasPrefix(ns, ":") || strings.HasPrefix(ns, "AWS/") || len(ns) > 255 {
		ns = DefaultMetricsNamespace
	}
	b, err := failureDoc(ns, cfg.Region, cfg.BusName, now, "init", map[string]int{MetricInitFailures: 1})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}
