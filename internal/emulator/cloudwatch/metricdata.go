package cloudwatch

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

var metricIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

func validNamespace(ns, field string, allowAWS bool) *core.APIError {
	if ns == "" {
		return errMissingParameter(field)
	}
	if utf8.RuneCountInString(ns) > 255 {
		return constraint(ns, strings.ToLower(field[:1])+field[1:], "Member must have length less than or equal to 255")
	}
	if !allowAWS && strings.HasPrefix(ns, "AWS/") {
		return errInvalidParameterValue("The value AWS/ for parameter Namespace is invalid.")
	}
	return nil
}

func (s *Service) putMetricData(req *core.Request) (any, *core.APIError) {
	var in putMetricDataInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validNamespace(in.Namespace, "Namespace", false); err != nil {
		return nil, err
	}
	if len(in.EntityMetricData) > 0 {
		return nil, errInvalidParameterValue("The emulator does not support EntityMetricData; use MetricData.")
	}
	if len(in.MetricData) == 0 {
		return nil, errMissingParameter("MetricData")
	}
	if len(in.MetricData) > 1000 {
		return nil, constraint(len(in.MetricData), "metricData", "Member must have length less than or equal to 1000")
	}
	now := s.env.Clock.Now()
	type point struct {
		name string
		dims []Dimension
		sm   sample
	}
	points := make([]point, 0, len(in.MetricData))
	for i, d := range in.MetricData {
		field := "MetricData.member." + strconv.Itoa(i+1)
		if d.MetricName == "" {
			return nil, errMissingParameter(field + ".MetricName")
		}
		if utf8.RuneCountInString(d.MetricName) > 255 {
			return nil, constraint(d.MetricName, "metricData.member."+strconv.Itoa(i+1)+".metricName", "Member must have length less than or equal to 255")
		}
		if err := validateDimensions(d.Dimensions, "metricData.member."+strconv.Itoa(i+1)+".dimensions"); err != nil {
			return nil, err
		}
		if d.Unit != "" && !units[d.Unit] {
			return nil, constraint(d.Unit, "metricData.member."+strconv.Itoa(i+1)+".unit", "Member must satisfy enum value set: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None]")
		}
		given := 0
		if d.Value != nil {
			given++
		}
		if d.StatisticValues != nil {
			given++
		}
		if len(d.Values) > 0 {
			given++
		}
		if given > 1 {
			return nil, errInvalidParameterCombination("The parameters %s.Value, %s.StatisticValues and %s.Values are mutually exclusive and you have specified more than one.", field, field, field)
		}
		if given == 0 {
			return nil, errInvalidParameterCombination("At least one of the parameters %s.Value, %s.StatisticValues or %s.Values must be specified.", field, field, field)
		}
		if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
			return nil, errInvalidParameterValue("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", *d.StorageResolution, field)
		}
		ts := now
		if d.Timestamp != nil {
			ts = *d.Timestamp
			if ts.Before(now.Add(-14 * 24 * time.Hour)) {
				return nil, errInvalidParameterValue("The parameter %s.Timestamp must specify a time no more than two weeks in the past.", field)
			}
			if ts.After(now.Add(2 * time.Hour)) {
				return nil, errInvalidParameterValue("The parameter %s.Timestamp must specify a time no more than two hours in the future.", field)
			}
		}
		unit := d.Unit
		if unit == "" {
			unit = "None"
		}
		sm := sample{t: ts, unit: unit, highResolution: d.StorageResolution != nil && *d.StorageResolution == 1}
		switch {
		case d.Value != nil:
			v := *d.Value
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errInvalidParameterValue("The value %s for parameter %s.Value is invalid.", core.FormatDouble(v), field)
			}
			sm.count, sm.sum, sm.min, sm.max, sm.values = 1, v, v, v, []float64{v}
		case d.StatisticValues != nil:
			st := d.StatisticValues
			if st.SampleCount <= 0 || st.Minimum > st.Maximum {
				return nil, errInvalidParameterValue("The parameter %s.StatisticValues is invalid: SampleCount must be positive and Minimum not greater than Maximum.", field)
			}
			sm.count, sm.sum, sm.min, sm.max = st.SampleCount, st.Sum, st.Minimum, st.Maximum
		default:
			if len(d.Values) > 150 {
				return nil, constraint(len(d.Values), "metricData.member."+strconv.Itoa(i+1)+".values", "Member must have length less than or equal to 150")
			}
			if d.Counts != nil && len(d.Counts) != len(d.Values) {
				return nil, errInvalidParameterValue("The parameters %s.Values and %s.Counts must be of the same size.", field, field)
			}
			sm.values, sm.counts = d.Values, d.Counts
			sm.min, sm.max = d.Values[0], d.Values[0]
			for j, v := range d.Values {
				w := 1.0
				if d.Counts != nil {
					w = d.Counts[j]
				}
				sm.count += w
				sm.sum += v * w
				sm.min, sm.max = math.Min(sm.min, v), math.Max(sm.max, v)
			}
		}
		points = append(points, point{name: d.MetricName, dims: d.Dimensions, sm: sm})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range points {
		s.addSampleLocked(req.Region, in.Namespace, p.name, p.dims, p.sm)
	}
	return nil, nil
}

func validPeriod(p int64, field string) *core.APIError {
	if p < 1 {
		return constraint(p, field, "Member must have value greater than or equal to 1")
	}
	if p != 1 && p != 5 && p != 10 && p != 20 && p != 30 && p%60 != 0 {
		return errInvalidParameterValue("The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.")
	}
	return nil
}

func (s *Service) getMetricStatistics(req *core.Request) (any, *core.APIError) {
	var in getMetricStatisticsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validNamespace(in.Namespace, "Namespace", true); err != nil {
		return nil, err
	}
	if in.MetricName == "" {
		return nil, errMissingParameter("MetricName")
	}
	if in.StartTime.IsZero() {
		return nil, errMissingParameter("StartTime")
	}
	if in.EndTime.IsZero() {
		return nil, errMissingParameter("EndTime")
	}
	if in.Period == nil {
		return nil, errMissingParameter("Period")
	}
	if err := validPeriod(*in.Period, "period"); err != nil {
		return nil, err
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, errInvalidParameterCombination("Must specify either Statistics or ExtendedStatistics, but not both.")
	}
	if len(in.Statistics) > 5 || len(in.ExtendedStatistics) > 10 {
		return nil, errInvalidParameterValue("Too many statistics requested.")
	}
	for _, st := range in.Statistics {
		if !basicStatistics[st] {
			return nil, constraint(st, "statistics.member", "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]")
		}
	}
	for _, st := range in.ExtendedStatistics {
		if !extendedStatRE.MatchString(st) {
			return nil, errInvalidParameterValue("The value %s for parameter ExtendedStatistics is not supported.", st)
		}
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, errInvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	period := time.Duration(*in.Period) * time.Second
	if n := in.EndTime.Sub(in.StartTime) / period; n > 1440 {
		return nil, errInvalidParameterCombination("You have requested up to %d datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n)
	}
	s.sampleSQS(req.Region, in.Namespace, in.MetricName, in.Dimensions)
	s.mu.Lock()
	buckets := s.aggregateLocked(req.Region, in.Namespace, in.MetricName, in.Dimensions, in.Unit, in.StartTime, in.EndTime, period)
	s.mu.Unlock()
	out := getMetricStatisticsOutput{Label: in.MetricName, Datapoints: []Datapoint{}}
	for t, a := range buckets {
		dp := Datapoint{Timestamp: t, Unit: a.unit}
		if dp.Unit == "" {
			dp.Unit = "None"
		}
		for _, st := range in.Statistics {
			v, _ := a.stat(st)
			v2 := v
			switch st {
			case "SampleCount":
				dp.SampleCount = &v2
			case "Average":
				dp.Average = &v2
			case "Sum":
				dp.Sum = &v2
			case "Minimum":
				dp.Minimum = &v2
			case "Maximum":
				dp.Maximum = &v2
			}
		}
		for _, st := range in.ExtendedStatistics {
			if v, ok := a.stat(st); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[st] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	sort.Slice(out.Datapoints, func(i, j int) bool { return out.Datapoints[i].Timestamp.Before(out.Datapoints[j].Timestamp) })
	return out, nil
}

func (s *Service) getMetricData(req *core.Request) (any, *core.APIError) {
	var in getMetricDataInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.MetricDataQueries) == 0 {
		return nil, errMissingParameter("MetricDataQueries")
	}
	if len(in.MetricDataQueries) > 500 {
		return nil, constraint(len(in.MetricDataQueries), "metricDataQueries", "Member must have length less than or equal to 500")
	}
	if in.StartTime.IsZero() {
		return nil, errMissingParameter("StartTime")
	}
	if in.EndTime.IsZero() {
		return nil, errMissingParameter("EndTime")
	}
	if !in.StartTime.Before(in.EndTime) {
		return nil, errValidation("The parameter StartTime must be less than the parameter EndTime.")
	}
	if in.ScanBy != "" && in.ScanBy != "TimestampDescending" && in.ScanBy != "TimestampAscending" {
		return nil, constraint(in.ScanBy, "scanBy", "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]")
	}
	ids := map[string]bool{}
	for _, q := range in.MetricDataQueries {
		if !metricIDRE.MatchString(q.ID) {
			return nil, errValidation("The value %s for parameter MetricDataQueries.member.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.", q.ID)
		}
		if ids[q.ID] {
			return nil, errValidation("The values for parameter id in MetricDataQueries are not unique.")
		}
		ids[q.ID] = true
		if (q.MetricStat == nil) == (q.Expression == "") {
			return nil, errValidation("Exactly one of MetricStat and Expression must be specified for MetricDataQuery %s.", q.ID)
		}
		if m := q.MetricStat; m != nil {
			if m.Metric == nil || m.Metric.MetricName == "" || m.Metric.Namespace == "" || m.Period == nil || m.Stat == "" {
				return nil, errMissingParameter("MetricDataQueries.member.MetricStat (Metric, Period and Stat)")
			}
			if err := validPeriod(*m.Period, "metricDataQueries.member.metricStat.period"); err != nil {
				return nil, err
			}
			if !basicStatistics[m.Stat] && !extendedStatRE.MatchString(m.Stat) {
				return nil, errInvalidParameterValue("The value %s for parameter MetricDataQueries.member.MetricStat.Stat is not supported.", m.Stat)
			}
		}
	}
	out := getMetricDataOutput{MetricDataResults: []MetricDataResult{}, Messages: []MessageData{}}
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		res := MetricDataResult{ID: q.ID, Label: q.Label, Timestamps: []time.Time{}, Values: []float64{}, StatusCode: "Complete"}
		if q.MetricStat == nil {
			res.StatusCode = "InternalError"
			res.Messages = []MessageData{{Code: "Unsupported", Value: "The emulator does not evaluate metric math expressions."}}
			out.MetricDataResults = append(out.MetricDataResults, res)
			continue
		}
		m := q.MetricStat
		if res.Label == "" {
			res.Label = m.Metric.MetricName
		}
		s.sampleSQS(req.Region, m.Metric.Namespace, m.Metric.MetricName, m.Metric.Dimensions)
		s.mu.Lock()
		buckets := s.aggregateLocked(req.Region, m.Metric.Namespace, m.Metric.MetricName, m.Metric.Dimensions, m.Unit, in.StartTime, in.EndTime, time.Duration(*m.Period)*time.Second)
		s.mu.Unlock()
		var times []time.Time
		for t := range buckets {
			times = append(times, t)
		}
		sort.Slice(times, func(i, j int) bool {
			if in.ScanBy == "TimestampAscending" {
				return times[i].Before(times[j])
			}
			return times[i].After(times[j])
		})
		for _, t := range times {
			if v, ok := buckets[t].stat(m.Stat); ok {
				res.Timestamps = append(res.Timestamps, t)
				res.Values = append(res.Values, v)
			}
		}
		if in.MaxDatapoints != nil && int64(len(res.Values)) > *in.MaxDatapoints {
			res.Timestamps, res.Values = res.Timestamps[:*in.MaxDatapoints], res.Values[:*in.MaxDatapoints]
			res.StatusCode = "PartialData"
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	return out, nil
}

func (s *Service) listMetrics(req *core.Request) (any, *core.APIError) {
	var in listMetricsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		var err *core.APIError
		if after, err = decodeToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	var keys []string
	found := map[string]*series{}
	for k, se := range s.series {
		if se.region != req.Region || (in.Namespace != "" && se.namespace != in.Namespace) || (in.MetricName != "" && se.name != in.MetricName) || k <= after {
			continue
		}
		if !dimsMatch(se.dims, in.Dimensions) {
			continue
		}
		keys = append(keys, k)
		found[k] = se
	}
	s.mu.Unlock()
	sort.Strings(keys)
	out := listMetricsOutput{Metrics: []Metric{}}
	for i, k := range keys {
		if i == 500 {
			out.NextToken = encodeToken(keys[i-1])
			break
		}
		se := found[k]
		out.Metrics = append(out.Metrics, Metric{Namespace: se.namespace, MetricName: se.name, Dimensions: append([]Dimension{}, se.dims...)})
	}
	return out, nil
}

// dimsMatch applies ListMetrics dimension filters (a filter without a value
// matches any value of that dimension).
func dimsMatch(have []Dimension, filters []Dimension) bool {
	for _, f := range filters {
		ok := false
		for _, d := range have {
			if d.Name == f.Name && (f.Value == "" || d.Value == f.Value) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
