package consumer

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

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
		region = contract.UnknownOrigin
	}
	o := s[region]
	if o == nil {
		o = &originStats{}
		s[region] = o
	}
	return o
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
		return [][]string{{contract.DimensionOriginRegion, contract.DimensionRegion}}
	}
	return [][]string{{contract.DimensionBus, contract.DimensionOriginRegion, contract.DimensionRegion}, {contract.DimensionOriginRegion, contract.DimensionRegion}}
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
			contract.DimensionOriginRegion:  origin,
			contract.DimensionRegion:        region,
			contract.MetricCommandsApplied:  o.commandsApplied,
			contract.MetricMessagesApplied:  o.messagesApplied,
			contract.MetricMessagesFailed:   o.messagesFailed,
			contract.MetricMessagesPoisoned: o.messagesPoisoned,
		}
		if bus != "" {
			doc[contract.DimensionBus] = bus
		}
		metrics := []emfMetric{
			{contract.MetricCommandsApplied, "Count"},
			{contract.MetricMessagesApplied, "Count"},
			{contract.MetricMessagesFailed, "Count"},
			{contract.MetricMessagesPoisoned, "Count"},
		}
		if o.commandsStale > 0 {
			doc[contract.MetricCommandsStale] = o.commandsStale
			metrics = append(metrics, emfMetric{contract.MetricCommandsStale, "Count"})
		}
		if o.messagesApplied > 0 {
			doc[contract.MetricReplicationLagMax] = round3(o.lagMaxMs)
			doc[contract.MetricReplicationLagMean] = round3(o.lagSumMs / float64(o.messagesApplied))
			metrics = append(metrics, emfMetric{contract.MetricReplicationLagMax, "Milliseconds"}, emfMetric{contract.MetricReplicationLagMean, "Milliseconds"})
		}
		reasons := make([]string, 0, len(o.poisonByReason))
		for r := range o.poisonByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			doc[contract.MetricPoisonedPrefix+r] = o.poisonByReason[r]
			metrics = append(metrics, emfMetric{contract.MetricPoisonedPrefix + r, "Count"})
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
		counts := map[string]int{contract.MetricBatchFailures: 1}
		if failure.redis() {
			counts[contract.MetricRedisErrors] = 1
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
	dims := [][]string{{contract.DimensionRegion}}
	doc := map[string]any{contract.DimensionRegion: region, contract.PropertyFailureKind: kind}
	if bus != "" {
		dims = [][]string{{contract.DimensionBus, contract.DimensionRegion}, {contract.DimensionRegion}}
		doc[contract.DimensionBus] = bus
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
// (contract.MetricInitFailures) with cfg's namespace, region and bus; the namespace
// falls back to the default when cfg's is unusable.
func WriteInitFailure(w io.Writer, cfg contract.Config, now time.Time) error {
	ns := cfg.MetricsNamespace
	if ns == "" || strings.HasPrefix(ns, ":") || strings.HasPrefix(ns, "AWS/") || len(ns) > 255 {
		ns = contract.DefaultMetricsNamespace
	}
	b, err := failureDoc(ns, cfg.Region, cfg.BusName, now, contract.FailureInit, map[string]int{contract.MetricInitFailures: 1})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}
