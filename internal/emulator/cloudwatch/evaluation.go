package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// evalTarget is what one alarm evaluation reads.
type evalTarget struct {
	key                   string
	region                string
	namespace, name, unit string
	dims                  []Dimension
	stat                  string
	period                time.Duration
}

// target returns the single metric an alarm evaluates; ok is false for
// alarms the emulator does not evaluate (metric math expressions, anomaly
// detection bands).
func target(al *alarm) (evalTarget, bool) {
	a := al.a
	t := evalTarget{key: alarmKey(al.region, a.AlarmName), region: al.region}
	if a.ThresholdMetricID != "" {
		return t, false
	}
	if len(a.Metrics) > 0 {
		var q *MetricDataQuery
		for i := range a.Metrics {
			if a.Metrics[i].ReturnData == nil || *a.Metrics[i].ReturnData {
				q = &a.Metrics[i]
			}
		}
		if q == nil || q.MetricStat == nil || q.MetricStat.Metric == nil || q.MetricStat.Period == nil {
			return t, false
		}
		m := q.MetricStat
		t.namespace, t.name, t.dims, t.unit, t.stat = m.Metric.Namespace, m.Metric.MetricName, m.Metric.Dimensions, m.Unit, m.Stat
		t.period = time.Duration(*m.Period) * time.Second
		return t, t.stat != ""
	}
	if a.Period == nil {
		return t, false
	}
	t.namespace, t.name, t.dims, t.unit = a.Namespace, a.MetricName, a.Dimensions, a.Unit
	t.stat = a.Statistic
	if t.stat == "" {
		t.stat = a.ExtendedStatistic
	}
	t.period = time.Duration(*a.Period) * time.Second
	return t, true
}

// EvaluateAlarms evaluates every alarm of every region now, as CloudWatch
// does once per period (at most every minute), and runs the actions of the
// alarms whose state changes. Tests call it instead of waiting.
func (s *Service) EvaluateAlarms() { s.evaluate(true) }

// evaluate evaluates the alarms that are due (or all with force).
func (s *Service) evaluate(force bool) {
	now := s.env.Clock.Now()
	s.mu.Lock()
	var targets []evalTarget
	for key, al := range s.alarms {
		t, ok := target(al)
		if !ok {
			continue
		}
		every := min(t.period, time.Minute)
		if !force && !al.lastEval.IsZero() && now.Sub(al.lastEval) < every {
			continue
		}
		t.key = key
		targets = append(targets, t)
	}
	s.mu.Unlock()
	sampled := map[string]bool{}
	for _, t := range targets {
		k := seriesKey(t.region, t.namespace, t.name, t.dims)
		if !sampled[k] {
			sampled[k] = true
			s.sampleSQS(t.region, t.namespace, t.name, t.dims)
		}
	}
	now = s.env.Clock.Now()
	var notes []*notification
	s.mu.Lock()
	for _, t := range targets {
		al := s.alarms[t.key]
		if al == nil {
			continue
		}
		al.lastEval = now
		if n := s.evaluateLocked(al, t, now); n != nil {
			notes = append(notes, n)
		}
	}
	s.mu.Unlock()
	for _, n := range notes {
		s.notify(n)
	}
}

// evaluateLocked computes an alarm's state from its last EvaluationPeriods
// periods ending now. Callers hold s.mu.
func (s *Service) evaluateLocked(al *alarm, t evalTarget, now time.Time) *notification {
	a := al.a
	m := int(a.EvaluationPeriods)
	n := m
	if a.DatapointsToAlarm != nil {
		n = int(*a.DatapointsToAlarm)
	}
	span := time.Duration(m) * t.period
	if span > maxEvaluateSpan {
		span = maxEvaluateSpan
	}
	start := now.Add(-span).Add(time.Nanosecond)
	buckets := s.aggregateLocked(t.region, t.namespace, t.name, t.dims, t.unit, start, now.Add(time.Nanosecond), t.period)
	threshold := 0.0
	if a.Threshold != nil {
		threshold = *a.Threshold
	}
	type dp struct {
		t time.Time
		v float64
	}
	var points []dp
	for i := 0; i < m; i++ {
		bt := start.Add(time.Duration(i) * t.period)
		if b := buckets[bt]; b != nil {
			if v, ok := b.stat(t.stat); ok {
				points = append(points, dp{bt, v})
			}
		}
	}
	missing := m - len(points)
	breaching := 0
	var recent []float64
	for _, p := range points {
		recent = append(recent, p.v)
		if breaches(a.ComparisonOperator, p.v, threshold) {
			breaching++
		}
	}
	treat := a.TreatMissingData
	if treat == "" {
		treat = "missing"
	}
	if treat == "breaching" {
		breaching += missing
	}
	var state string
	switch {
	case breaching >= n:
		state = stateAlarm
	case len(points) > 0 || treat == "notBreaching" || treat == "breaching":
		state = stateOK
	case treat == "ignore":
		return nil
	default:
		state = stateInsufficient
	}
	if state == a.StateValue {
		al.a.StateUpdatedTimestamp = now
		return nil
	}
	var reason string
	vals := make([]string, len(recent))
	for i, v := range recent {
		vals[i] = fmt.Sprintf("%s (%s)", formatFloat(v), points[i].t.UTC().Format("02/01/06 15:04:05"))
	}
	word := map[string]string{
		"GreaterThanOrEqualToThreshold": "greater than or equal to",
		"GreaterThanThreshold":          "greater than",
		"LessThanThreshold":             "less than",
		"LessThanOrEqualToThreshold":    "less than or equal to",
	}[a.ComparisonOperator]
	switch state {
	case stateAlarm:
		reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] was %s the threshold (%s) (minimum %d datapoint for %s -> ALARM transition).",
			breaching, m, strings.Join(vals, ", "), word, formatFloat(threshold), n, a.StateValue)
	case stateOK:
		reason = fmt.Sprintf("Threshold Crossed: %d datapoint [%s] was not %s the threshold (%s).", len(points), strings.Join(vals, ", "), word, formatFloat(threshold))
	default:
		reason = fmt.Sprintf("Insufficient Data: %d datapoints were unknown.", missing)
	}
	evaluated := []map[string]any{}
	for _, p := range points {
		evaluated = append(evaluated, map[string]any{"timestamp": p.t.UTC().Format("2006-01-02T15:04:05.000+0000"), "value": p.v})
	}
	rd, _ := json.Marshal(map[string]any{
		"version": "1.0", "queryDate": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"startDate": start.UTC().Format("2006-01-02T15:04:05.000+0000"), "statistic": t.stat,
		"period": int64(t.period / time.Second), "recentDatapoints": nonNilFloats(recent), "threshold": threshold,
		"evaluatedDatapoints": evaluated,
	})
	return s.transitionLocked(al, state, reason, string(rd), now)
}

func nonNilFloats(f []float64) []float64 {
	if f == nil {
		return []float64{}
	}
	return f
}

func breaches(op string, v, threshold float64) bool {
	if math.IsNaN(v) {
		return false
	}
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return v >= threshold
	case "GreaterThanThreshold":
		return v > threshold
	case "LessThanThreshold":
		return v < threshold
	case "LessThanOrEqualToThreshold":
		return v <= threshold
	}
	return false
}
