package cloudwatch

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Metric storage limits.
const (
	retention        = 15 * 24 * time.Hour
	maxSeriesSamples = 200_000
)

// sample is one PutMetricData datum (or EMF value, or SQS reading).
type sample struct {
	t                    time.Time
	count, sum, min, max float64
	values               []float64 // individual values, for percentiles; nil for statistic sets
	counts               []float64 // weights of values (nil: 1 each)
	unit                 string
	highResolution       bool
}

type series struct {
	region, namespace, name string
	dims                    []Dimension // sorted by name
	samples                 []sample
}

func canonicalDims(dims []Dimension) []Dimension {
	out := append([]Dimension(nil), dims...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func seriesKey(region, namespace, name string, dims []Dimension) string {
	var b strings.Builder
	b.WriteString(region + "\x00" + namespace + "\x00" + name)
	for _, d := range canonicalDims(dims) {
		b.WriteString("\x00" + d.Name + "=" + d.Value)
	}
	return b.String()
}

// addSampleLocked stores a sample, dropping expired ones. Callers hold s.mu.
func (s *Service) addSampleLocked(region, namespace, name string, dims []Dimension, sm sample) {
	key := seriesKey(region, namespace, name, dims)
	se := s.series[key]
	if se == nil {
		se = &series{region: region, namespace: namespace, name: name, dims: canonicalDims(dims)}
		s.series[key] = se
	}
	cutoff := s.env.Clock.Now().Add(-retention)
	if len(se.samples) >= maxSeriesSamples || (len(se.samples) > 0 && se.samples[0].t.Before(cutoff)) {
		kept := se.samples[:0]
		for _, x := range se.samples {
			if !x.t.Before(cutoff) {
				kept = append(kept, x)
			}
		}
		if len(kept) >= maxSeriesSamples {
			kept = kept[len(kept)-maxSeriesSamples+1:]
		}
		se.samples = kept
	}
	se.samples = append(se.samples, sm)
}

// agg is the aggregate of the samples of one period.
type agg struct {
	count, sum, min, max float64
	values, weights      []float64
	unit                 string
}

func (a *agg) add(x sample) {
	if a.count == 0 {
		a.min, a.max = x.min, x.max
	} else {
		a.min, a.max = math.Min(a.min, x.min), math.Max(a.max, x.max)
	}
	a.count += x.count
	a.sum += x.sum
	if a.unit == "" {
		a.unit = x.unit
	}
	for i, v := range x.values {
		w := 1.0
		if x.counts != nil {
			w = x.counts[i]
		}
		a.values = append(a.values, v)
		a.weights = append(a.weights, w)
	}
}

// stat computes a statistic (SampleCount, Average, Sum, Minimum, Maximum or
// pNN / pNN.N) of a period; ok is false when it cannot be computed.
func (a *agg) stat(name string) (float64, bool) {
	if a.count == 0 {
		return 0, false
	}
	switch name {
	case "SampleCount":
		return a.count, true
	case "Average":
		return a.sum / a.count, true
	case "Sum":
		return a.sum, true
	case "Minimum":
		return a.min, true
	case "Maximum":
		return a.max, true
	}
	if p, ok := percentile(name); ok && len(a.values) > 0 {
		idx := make([]int, len(a.values))
		total := 0.0
		for i := range idx {
			idx[i] = i
			total += a.weights[i]
		}
		sort.Slice(idx, func(i, j int) bool { return a.values[idx[i]] < a.values[idx[j]] })
		rank := p / 100 * total
		acc := 0.0
		for _, i := range idx {
			acc += a.weights[i]
			if acc >= rank {
				return a.values[i], true
			}
		}
		return a.values[idx[len(idx)-1]], true
	}
	return 0, false
}

// percentile parses an extended statistic "p0.0" … "p100".
func percentile(s string) (float64, bool) {
	if !strings.HasPrefix(s, "p") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s[1:], 64)
	if err != nil || f < 0 || f > 100 {
		return 0, false
	}
	return f, true
}

var basicStatistics = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}

// aggregateLocked groups the samples of a series (all series whose
// dimensions match exactly) into periods starting at start. Callers hold s.mu.
func (s *Service) aggregateLocked(region, namespace, name string, dims []Dimension, unit string, start, end time.Time, period time.Duration) map[time.Time]*agg {
	out := map[time.Time]*agg{}
	se := s.series[seriesKey(region, namespace, name, dims)]
	if se == nil || period <= 0 {
		return out
	}
	for _, x := range se.samples {
		if x.t.Before(start) || !x.t.Before(end) || (unit != "" && x.unit != unit) {
			continue
		}
		bucket := start.Add(time.Duration(int64(x.t.Sub(start)/period)) * period)
		a := out[bucket]
		if a == nil {
			a = &agg{}
			out[bucket] = a
		}
		a.add(x)
	}
	return out
}

// ------------------------------------------------------------ AWS/SQS metrics

// sqsMetrics are the queue metrics read from the SQS service.
var sqsMetrics = map[string]bool{
	"ApproximateNumberOfMessagesVisible":    true,
	"ApproximateNumberOfMessagesNotVisible": true,
	"ApproximateNumberOfMessagesDelayed":    true,
	"ApproximateAgeOfOldestMessage":         true,
}

// sampleSQS records the current value of an AWS/SQS queue metric, as SQS
// reports them to CloudWatch every minute. It must be called without s.mu.
func (s *Service) sampleSQS(region, namespace, name string, dims []Dimension) {
	if namespace != "AWS/SQS" || !sqsMetrics[name] || len(dims) != 1 || dims[0].Name != "QueueName" {
		return
	}
	st, ok := s.queueStats(region, dims[0].Value)
	if !ok {
		return
	}
	var v float64
	switch name {
	case "ApproximateNumberOfMessagesVisible":
		v = float64(st.Visible)
	case "ApproximateNumberOfMessagesNotVisible":
		v = float64(st.NotVisible)
	case "ApproximateNumberOfMessagesDelayed":
		v = float64(st.Delayed)
	case "ApproximateAgeOfOldestMessage":
		if st.OldestAge < 0 {
			return // unknown (see queueStats)
		}
		v = math.Floor(st.OldestAge.Seconds())
	}
	unit := "Count"
	if name == "ApproximateAgeOfOldestMessage" {
		unit = "Seconds"
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	s.addSampleLocked(region, namespace, name, dims, sample{t: now, count: 1, sum: v, min: v, max: v, values: []float64{v}, unit: unit})
	s.mu.Unlock()
}

// queueStats reads a queue's metrics from the SQS service through
// core.QueueMetrics, or, when SQS does not implement it, through an in-process
// GetQueueAttributes call (which knows no message ages: OldestAge is then -1).
func (s *Service) queueStats(region, queueName string) (core.QueueStats, bool) {
	svc := s.env.Lookup("sqs")
	if svc == nil {
		return core.QueueStats{}, false
	}
	arn := core.ARN("sqs", region, s.env.AccountID, queueName)
	if qm, ok := svc.(core.QueueMetrics); ok {
		return qm.QueueStats(arn)
	}
	body, _ := json.Marshal(map[string]any{
		"QueueUrl":       "https://sqs." + region + ".amazonaws.com/" + s.env.AccountID + "/" + queueName,
		"AttributeNames": []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"},
	})
	hr := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	hr.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueAttributes")
	hr.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	svc.ServeAWS(rec, core.NewRequest(hr, core.Scope{AccessKey: "cloudwatch-internal", Region: region, Service: "sqs"}, s.env.AccountID, nil))
	if rec.Code != http.StatusOK {
		return core.QueueStats{}, false
	}
	var out struct {
		Attributes map[string]string `json:"Attributes"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		return core.QueueStats{}, false
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(out.Attributes[k]); return n }
	return core.QueueStats{
		Visible:    atoi("ApproximateNumberOfMessages"),
		NotVisible: atoi("ApproximateNumberOfMessagesNotVisible"),
		Delayed:    atoi("ApproximateNumberOfMessagesDelayed"),
		OldestAge:  -1,
	}, true
}

// ------------------------------------------------------------ EMF

// IngestEMF implements core.EMFSink: it extracts the metrics of a CloudWatch
// Embedded Metric Format log line, as CloudWatch Logs does for a log group.
// Invalid documents are ignored (AWS logs them as plain events).
func (s *Service) IngestEMF(region, logGroup string, line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"_aws"`)) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return
	}
	meta, ok := doc["_aws"].(map[string]any)
	if !ok {
		return
	}
	tsNum, ok := meta["Timestamp"].(json.Number)
	if !ok {
		return
	}
	tsMillis, err := tsNum.Int64()
	if err != nil {
		return
	}
	ts := time.UnixMilli(tsMillis)
	directives, ok := meta["CloudWatchMetrics"].([]any)
	if !ok {
		return
	}
	type point struct {
		namespace, name string
		dims            []Dimension
		sm              sample
	}
	var points []point
	for _, d := range directives {
		dir, ok := d.(map[string]any)
		if !ok {
			return
		}
		ns, _ := dir["Namespace"].(string)
		if ns == "" || strings.HasPrefix(ns, "AWS/") {
			return
		}
		dimSets, _ := dir["Dimensions"].([]any)
		metrics, _ := dir["Metrics"].([]any)
		if len(metrics) > 100 {
			return
		}
		var sets [][]Dimension
		for _, ds := range dimSets {
			names, ok := ds.([]any)
			if !ok || len(names) > 30 {
				return
			}
			var dims []Dimension
			for _, n := range names {
				name, _ := n.(string)
				val, ok := doc[name].(string)
				if name == "" || !ok {
					return // a dimension must reference a string member
				}
				dims = append(dims, Dimension{Name: name, Value: val})
			}
			sets = append(sets, dims)
		}
		if len(dimSets) == 0 {
			sets = [][]Dimension{nil}
		}
		for _, m := range metrics {
			md, ok := m.(map[string]any)
			if !ok {
				return
			}
			name, _ := md["Name"].(string)
			unit, _ := md["Unit"].(string)
			if name == "" {
				return
			}
			var vals []float64
			switch v := doc[name].(type) {
			case json.Number:
				f, err := v.Float64()
				if err != nil {
					return
				}
				vals = []float64{f}
			case []any:
				for _, e := range v {
					n, ok := e.(json.Number)
					if !ok {
						return
					}
					f, err := n.Float64()
					if err != nil {
						return
					}
					vals = append(vals, f)
				}
			default:
				continue // a metric without a value is skipped
			}
			if len(vals) == 0 {
				continue
			}
			sm := sample{t: ts, min: vals[0], max: vals[0], values: vals, unit: unit}
			for _, f := range vals {
				sm.count++
				sm.sum += f
				sm.min, sm.max = math.Min(sm.min, f), math.Max(sm.max, f)
			}
			if r, ok := md["StorageResolution"].(json.Number); ok && r.String() == "1" {
				sm.highResolution = true
			}
			for _, dims := range sets {
				points = append(points, point{namespace: ns, name: name, dims: dims, sm: sm})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range points {
		s.addSampleLocked(region, p.namespace, p.name, p.dims, p.sm)
	}
	s.emfDocs++
}
