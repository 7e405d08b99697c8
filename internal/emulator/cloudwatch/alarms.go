package cloudwatch

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Alarm states.
const (
	stateOK           = "OK"
	stateAlarm        = "ALARM"
	stateInsufficient = "INSUFFICIENT_DATA"
)

// Limits of CloudWatch alarms.
const (
	maxActions      = 5
	maxTags         = 50
	maxHistory      = 10_000
	historyMaxAge   = 30 * 24 * time.Hour
	maxEvaluateSpan = 7 * 24 * time.Hour
)

type alarm struct {
	region   string
	a        MetricAlarm
	tags     []Tag
	lastEval time.Time
}

type historyItem struct {
	region string
	item   AlarmHistoryItem
}

var comparisonOperators = map[string]bool{
	"GreaterThanOrEqualToThreshold":            true,
	"GreaterThanThreshold":                     true,
	"LessThanThreshold":                        true,
	"LessThanOrEqualToThreshold":               true,
	"LessThanLowerOrGreaterThanUpperThreshold": true,
	"LessThanLowerThreshold":                   true,
	"GreaterThanUpperThreshold":                true,
}

var treatMissing = map[string]bool{"breaching": true, "notBreaching": true, "ignore": true, "missing": true}

var states = map[string]bool{stateOK: true, stateAlarm: true, stateInsufficient: true}

var units = map[string]bool{}

func init() {
	for _, u := range strings.Split("Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None", " ") {
		units[u] = true
	}
}

var extendedStatRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{0,10})?|100(\.0{0,10})?)$`)

// ------------------------------------------------------------ errors

func errValidation(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "ValidationException", QueryCode: "ValidationError", Message: fmt.Sprintf(format, args...)}
}

func errInvalidParameterValue(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Message: fmt.Sprintf(format, args...)}
}

func errInvalidParameterCombination(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "InvalidParameterCombinationException", QueryCode: "InvalidParameterCombination", Message: fmt.Sprintf(format, args...)}
}

func errMissingParameter(name string) *core.APIError {
	return &core.APIError{Code: "MissingRequiredParameterException", QueryCode: "MissingParameter", Message: "The parameter " + name + " is required."}
}

func errResourceNotFound(format string, args ...any) *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", QueryCode: "ResourceNotFound", Message: fmt.Sprintf(format, args...)}
}

func errResourceNotFoundException(format string, args ...any) *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func errInvalidNextToken() *core.APIError {
	return &core.APIError{Code: "InvalidNextToken", QueryCode: "InvalidNextToken", Message: "The service couldn't process the provided NextToken."}
}

func errLimitExceeded(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "LimitExceededFault", QueryCode: "LimitExceeded", Message: fmt.Sprintf(format, args...)}
}

// constraint is AWS's generic validation message.
func constraint(value any, field, rule string) *core.APIError {
	return errValidation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, rule)
}

// ------------------------------------------------------------ validation

func validateDimensions(dims []Dimension, field string) *core.APIError {
	if len(dims) > 30 {
		return constraint(len(dims), field, "Member must have length less than or equal to 30")
	}
	seen := map[string]bool{}
	for _, d := range dims {
		if d.Name == "" || utf8.RuneCountInString(d.Name) > 255 {
			return constraint(d.Name, field+".member.name", "Member must have length between 1 and 255")
		}
		if d.Value == "" || utf8.RuneCountInString(d.Value) > 1024 {
			return constraint(d.Value, field+".member.value", "Member must have length between 1 and 1024")
		}
		if seen[d.Name] {
			return errInvalidParameterValue("No Metric may specify the same dimension twice. The following dimension was specified twice: %s", d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

func validateTags(tags []Tag) *core.APIError {
	if len(tags) > maxTags {
		return constraint(len(tags), "tags", "Member must have length less than or equal to 50")
	}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 {
			return constraint(t.Key, "tags.member.key", "Member must have length between 1 and 128")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return constraint(t.Value, "tags.member.value", "Member must have length less than or equal to 256")
		}
	}
	return nil
}

// validateActions checks alarm action ARNs: SNS topics of the alarm's region
// and account, EC2 automate actions, Auto Scaling, Systems Manager and Lambda.
func validateActions(actions []string, field, region, account string) *core.APIError {
	if len(actions) > maxActions {
		return constraint(len(actions), field, "Member must have length less than or equal to 5")
	}
	for _, a := range actions {
		p, ok := core.ParseARN(a)
		if !ok {
			return errValidation("Invalid arn syntax: %s", a)
		}
		switch p.Service {
		case "sns", "lambda":
			if p.Region != region {
				return errValidation("Invalid region %s specified. Only %s is supported.", p.Region, region)
			}
			if p.Account != account {
				return errValidation("Invalid account %s specified for action %s.", p.Account, a)
			}
		case "automate", "autoscaling", "ssm", "ssm-incidents", "swf", "opsinsights":
		default:
			return errValidation("Invalid arn syntax: %s", a)
		}
	}
	return nil
}

func alarmKey(region, name string) string { return region + "\x00" + name }

func (s *Service) alarmARN(region, name string) string {
	return core.ARN("cloudwatch", region, s.env.AccountID, "alarm:"+name)
}

// ------------------------------------------------------------ PutMetricAlarm

func (s *Service) putMetricAlarm(req *core.Request, c *call) (any, *core.APIError) {
	var in putMetricAlarmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AlarmName == "" {
		return nil, errMissingParameter("AlarmName")
	}
	if utf8.RuneCountInString(in.AlarmName) > 255 {
		return nil, constraint(in.AlarmName, "alarmName", "Member must have length less than or equal to 255")
	}
	if in.AlarmDescription != nil && utf8.RuneCountInString(*in.AlarmDescription) > 1024 {
		return nil, constraint(*in.AlarmDescription, "alarmDescription", "Member must have length less than or equal to 1024")
	}
	if in.EvaluationPeriods == nil {
		return nil, errMissingParameter("EvaluationPeriods")
	}
	if *in.EvaluationPeriods < 1 {
		return nil, constraint(*in.EvaluationPeriods, "evaluationPeriods", "Member must have value greater than or equal to 1")
	}
	if in.ComparisonOperator == "" {
		return nil, errMissingParameter("ComparisonOperator")
	}
	if !comparisonOperators[in.ComparisonOperator] {
		return nil, constraint(in.ComparisonOperator, "comparisonOperator", "Member must satisfy enum value set: [LessThanLowerThreshold, LessThanThreshold, GreaterThanUpperThreshold, LessThanLowerOrGreaterThanUpperThreshold, GreaterThanOrEqualToThreshold, LessThanOrEqualToThreshold, GreaterThanThreshold]")
	}
	band := strings.Contains(in.ComparisonOperator, "Upper") || strings.Contains(in.ComparisonOperator, "Lower")
	if band && in.ThresholdMetricID == "" {
		return nil, errValidation("ComparisonOperators for ranges require ThresholdMetricId to be set")
	}
	if !band && in.ThresholdMetricID != "" {
		return nil, errValidation("ThresholdMetricId can only be used with anomaly detection comparison operators.")
	}
	if in.Threshold == nil && in.ThresholdMetricID == "" {
		return nil, errValidation("Threshold or ThresholdMetricId must be specified.")
	}
	if in.Threshold != nil && in.ThresholdMetricID != "" {
		return nil, errInvalidParameterCombination("Threshold and ThresholdMetricId cannot both be specified.")
	}
	if in.TreatMissingData != "" && !treatMissing[in.TreatMissingData] {
		return nil, errValidation("The value %s is not supported for TreatMissingData. Valid values are breaching, notBreaching, ignore and missing.", in.TreatMissingData)
	}
	if in.EvaluateLowSampleCountPercentile != "" && in.EvaluateLowSampleCountPercentile != "evaluate" && in.EvaluateLowSampleCountPercentile != "ignore" {
		return nil, errValidation("Option %s is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.", in.EvaluateLowSampleCountPercentile)
	}
	if in.DatapointsToAlarm != nil {
		if *in.DatapointsToAlarm < 1 {
			return nil, constraint(*in.DatapointsToAlarm, "datapointsToAlarm", "Member must have value greater than or equal to 1")
		}
		if *in.DatapointsToAlarm > *in.EvaluationPeriods {
			return nil, errValidation("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
		}
	}
	if in.Unit != "" && !units[in.Unit] {
		return nil, constraint(in.Unit, "unit", "Member must satisfy enum value set: [Megabits, Terabits, Gigabits, Count, Bytes, Gigabytes, Gigabytes/Second, Kilobytes, Kilobits/Second, Terabytes, Terabits/Second, Bytes/Second, Percent, Megabytes, Megabits/Second, Milliseconds, Microseconds, Kilobytes/Second, Gigabits/Second, Megabytes/Second, Bits, Bits/Second, Count/Second, Seconds, Kilobits, Terabytes/Second, None]")
	}
	if err := validateDimensions(in.Dimensions, "dimensions"); err != nil {
		return nil, err
	}
	for field, acts := range map[string][]string{"oKActions": in.OKActions, "alarmActions": in.AlarmActions, "insufficientDataActions": in.InsufficientDataActions} {
		if err := validateActions(acts, field, req.Region, req.AccountID); err != nil {
			return nil, err
		}
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	var period int64
	if len(in.Metrics) > 0 {
		if in.MetricName != "" || in.Namespace != "" || in.Statistic != "" || in.ExtendedStatistic != "" || len(in.Dimensions) > 0 || in.Period != nil || in.Unit != "" {
			return nil, errInvalidParameterCombination("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit cannot be specified together with Metrics.")
		}
		returned := 0
		for _, q := range in.Metrics {
			if q.ID == "" {
				return nil, errMissingParameter("Metrics.member.Id")
			}
			if (q.MetricStat == nil) == (q.Expression == "") {
				return nil, errValidation("Exactly one element of the metrics list should have one of MetricStat or Expression.")
			}
			if q.ReturnData == nil || *q.ReturnData {
				returned++
			}
			if q.MetricStat != nil && q.MetricStat.Period != nil && period == 0 {
				period = *q.MetricStat.Period
			}
			if q.Period != nil && period == 0 {
				period = *q.Period
			}
		}
		if returned != 1 && !band {
			return nil, errValidation("Exactly one element of the metrics list should return data.")
		}
	} else {
		if in.MetricName == "" {
			return nil, errMissingParameter("MetricName")
		}
		if in.Namespace == "" {
			return nil, errMissingParameter("Namespace")
		}
		if (in.Statistic == "") == (in.ExtendedStatistic == "") {
			return nil, errInvalidParameterCombination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.")
		}
		if in.Statistic != "" && !basicStatistics[in.Statistic] {
			return nil, constraint(in.Statistic, "statistic", "Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]")
		}
		if in.ExtendedStatistic != "" && !extendedStatRE.MatchString(in.ExtendedStatistic) {
			return nil, errInvalidParameterValue("The value %s for parameter ExtendedStatistic is not supported.", in.ExtendedStatistic)
		}
		if in.Period == nil {
			return nil, errMissingParameter("Period")
		}
		period = *in.Period
	}
	if period != 0 {
		if period < 1 {
			return nil, constraint(period, "period", "Member must have value greater than or equal to 1")
		}
		if period != 10 && period != 20 && period != 30 && period%60 != 0 {
			return nil, errValidation("Period must be 10, 20, 30 or a multiple of 60")
		}
		if period*(*in.EvaluationPeriods) > 7*86400 {
			return nil, errValidation("The evaluation period (EvaluationPeriods * Period) must not exceed 7 days.")
		}
	}

	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	key := alarmKey(req.Region, in.AlarmName)
	existing := s.alarms[key]
	if existing == nil {
		n := 0
		for _, al := range s.alarms {
			if al.region == req.Region {
				n++
			}
		}
		if n >= s.maxAlarms {
			return nil, errLimitExceeded("The maximum number of alarms (%d) for this account in %s has been reached.", s.maxAlarms, req.Region)
		}
	}
	ma := MetricAlarm{
		AlarmName:                          in.AlarmName,
		AlarmArn:                           s.alarmARN(req.Region, in.AlarmName),
		AlarmDescription:                   in.AlarmDescription,
		AlarmConfigurationUpdatedTimestamp: now,
		ActionsEnabled:                     in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions:                          nonNil(in.OKActions),
		AlarmActions:                       nonNil(in.AlarmActions),
		InsufficientDataActions:            nonNil(in.InsufficientDataActions),
		StateValue:                         stateInsufficient,
		StateReason:                        "Unchecked: Initial alarm creation",
		StateUpdatedTimestamp:              now,
		StateTransitionedTimestamp:         now,
		MetricName:                         in.MetricName,
		Namespace:                          in.Namespace,
		Statistic:                          in.Statistic,
		ExtendedStatistic:                  in.ExtendedStatistic,
		Dimensions:                         nonNilDims(in.Dimensions),
		Period:                             in.Period,
		Unit:                               in.Unit,
		EvaluationPeriods:                  *in.EvaluationPeriods,
		DatapointsToAlarm:                  in.DatapointsToAlarm,
		Threshold:                          in.Threshold,
		ComparisonOperator:                 in.ComparisonOperator,
		TreatMissingData:                   in.TreatMissingData,
		EvaluateLowSampleCountPercentile:   in.EvaluateLowSampleCountPercentile,
		Metrics:                            in.Metrics,
		ThresholdMetricID:                  in.ThresholdMetricID,
	}
	summary, typ := fmt.Sprintf("Alarm %q created", in.AlarmName), "Create"
	if existing != nil {
		// An update keeps the state; tags given with an update are ignored.
		ma.StateValue, ma.StateReason, ma.StateReasonData = existing.a.StateValue, existing.a.StateReason, existing.a.StateReasonData
		ma.StateUpdatedTimestamp, ma.StateTransitionedTimestamp = existing.a.StateUpdatedTimestamp, existing.a.StateTransitionedTimestamp
		existing.a = ma
		existing.lastEval = time.Time{}
		summary, typ = fmt.Sprintf("Alarm %q updated", in.AlarmName), "Update"
	} else {
		s.alarms[key] = &alarm{region: req.Region, a: ma, tags: mergeTags(nil, in.Tags)}
	}
	data, _ := json.Marshal(map[string]any{"version": "1.0", "type": typ})
	s.recordLocked(req.Region, in.AlarmName, "ConfigurationUpdate", summary, string(data), now)
	s.wakeLocked()
	return nil, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilDims(d []Dimension) []Dimension {
	if d == nil {
		return []Dimension{}
	}
	return d
}

func mergeTags(have, add []Tag) []Tag {
	for _, t := range add {
		replaced := false
		for i := range have {
			if have[i].Key == t.Key {
				have[i].Value = t.Value
				replaced = true
			}
		}
		if !replaced {
			have = append(have, t)
		}
	}
	return have
}

// recordLocked appends an alarm history item. Callers hold s.mu.
func (s *Service) recordLocked(region, name, typ, summary, data string, now time.Time) {
	s.history = append(s.history, historyItem{region: region, item: AlarmHistoryItem{
		AlarmName: name, AlarmType: "MetricAlarm", Timestamp: now, HistoryItemType: typ, HistorySummary: summary, HistoryData: data,
	}})
	cutoff := now.Add(-historyMaxAge)
	drop := 0
	for drop < len(s.history) && (len(s.history)-drop > maxHistory || s.history[drop].item.Timestamp.Before(cutoff)) {
		drop++
	}
	if drop > 0 {
		s.history = append(s.history[:0], s.history[drop:]...)
	}
}

// ------------------------------------------------------------ DescribeAlarms

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(tok string) (string, *core.APIError) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", errInvalidNextToken()
	}
	return string(b), nil
}

func maxRecords(p *int64, def int64) (int, *core.APIError) {
	if p == nil {
		return int(def), nil
	}
	if *p < 1 || *p > 100 {
		return 0, constraint(*p, "maxRecords", "Member must have value between 1 and 100")
	}
	return int(*p), nil
}

func (s *Service) describeAlarms(req *core.Request, c *call) (any, *core.APIError) {
	var in describeAlarmsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		return nil, errInvalidParameterCombination("AlarmNames and AlarmNamePrefix cannot be specified together.")
	}
	if len(in.AlarmNames) > 100 {
		return nil, constraint(len(in.AlarmNames), "alarmNames", "Member must have length less than or equal to 100")
	}
	if in.StateValue != "" && !states[in.StateValue] {
		return nil, constraint(in.StateValue, "stateValue", "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
	}
	limit, err := maxRecords(in.MaxRecords, 50)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = decodeToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	wantMetric := len(in.AlarmTypes) == 0
	for _, t := range in.AlarmTypes {
		switch t {
		case "MetricAlarm":
			wantMetric = true
		case "CompositeAlarm":
		default:
			return nil, constraint(t, "alarmTypes.member", "Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]")
		}
	}
	names := map[string]bool{}
	for _, n := range in.AlarmNames {
		names[n] = true
	}
	out := describeAlarmsOutput{CompositeAlarms: []struct{}{}, MetricAlarms: []MetricAlarm{}}
	if !wantMetric || in.ChildrenOfAlarmName != "" || in.ParentsOfAlarmName != "" {
		return out, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*alarm
	for _, al := range s.alarms {
		a := al.a
		if al.region != req.Region || (len(names) > 0 && !names[a.AlarmName]) || !strings.HasPrefix(a.AlarmName, in.AlarmNamePrefix) ||
			(in.StateValue != "" && a.StateValue != in.StateValue) || (after != "" && a.AlarmName <= after) {
			continue
		}
		if in.ActionPrefix != "" && !hasActionPrefix(a, in.ActionPrefix) {
			continue
		}
		list = append(list, al)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].a.AlarmName < list[j].a.AlarmName })
	for i, al := range list {
		if i == limit {
			out.NextToken = encodeToken(list[i-1].a.AlarmName)
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, al.a)
	}
	return out, nil
}

func hasActionPrefix(a MetricAlarm, prefix string) bool {
	for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

func (s *Service) describeAlarmsForMetric(req *core.Request, c *call) (any, *core.APIError) {
	var in describeAlarmsForMetricInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.MetricName == "" {
		return nil, errMissingParameter("MetricName")
	}
	if in.Namespace == "" {
		return nil, errMissingParameter("Namespace")
	}
	key := seriesKey("", in.Namespace, in.MetricName, in.Dimensions)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		MetricAlarms []MetricAlarm `json:"MetricAlarms"`
	}{MetricAlarms: []MetricAlarm{}}
	for _, al := range s.alarms {
		a := al.a
		if al.region != req.Region || seriesKey("", a.Namespace, a.MetricName, a.Dimensions) != key ||
			(in.Statistic != "" && a.Statistic != in.Statistic) || (in.ExtendedStatistic != "" && a.ExtendedStatistic != in.ExtendedStatistic) ||
			(in.Period != nil && (a.Period == nil || *a.Period != *in.Period)) || (in.Unit != "" && a.Unit != in.Unit) {
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, a)
	}
	sort.Slice(out.MetricAlarms, func(i, j int) bool { return out.MetricAlarms[i].AlarmName < out.MetricAlarms[j].AlarmName })
	return out, nil
}

// ------------------------------------------------------------ other alarm operations

func (s *Service) deleteAlarms(req *core.Request, c *call) (any, *core.APIError) {
	var in alarmNamesInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AlarmNames == nil {
		return nil, errMissingParameter("AlarmNames")
	}
	if len(in.AlarmNames) > 100 {
		return nil, constraint(len(in.AlarmNames), "alarmNames", "Member must have length less than or equal to 100")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []string
	for _, n := range in.AlarmNames {
		if s.alarms[alarmKey(req.Region, n)] == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, errResourceNotFound("The following alarms could not be found: [%s]", strings.Join(missing, ", "))
	}
	for _, n := range in.AlarmNames {
		delete(s.alarms, alarmKey(req.Region, n))
	}
	return nil, nil
}

func (s *Service) enableAlarmActions(req *core.Request, c *call) (any, *core.APIError) {
	return s.setActionsEnabled(req, c, true)
}

func (s *Service) disableAlarmActions(req *core.Request, c *call) (any, *core.APIError) {
	return s.setActionsEnabled(req, c, false)
}

func (s *Service) setActionsEnabled(req *core.Request, c *call, enabled bool) (any, *core.APIError) {
	{
		var in alarmNamesInput
		if err := c.decode(&in); err != nil {
			return nil, err
		}
		if in.AlarmNames == nil {
			return nil, errMissingParameter("AlarmNames")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, n := range in.AlarmNames {
			if al := s.alarms[alarmKey(req.Region, n)]; al != nil {
				al.a.ActionsEnabled = enabled
			}
		}
		return nil, nil
	}
}

func (s *Service) setAlarmState(req *core.Request, c *call) (any, *core.APIError) {
	var in setAlarmStateInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AlarmName == "" {
		return nil, errMissingParameter("AlarmName")
	}
	if in.StateValue == "" {
		return nil, errMissingParameter("StateValue")
	}
	if !states[in.StateValue] {
		return nil, constraint(in.StateValue, "stateValue", "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
	}
	if in.StateReason == "" {
		return nil, errMissingParameter("StateReason")
	}
	if utf8.RuneCountInString(in.StateReason) > 1023 {
		return nil, constraint(in.StateReason, "stateReason", "Member must have length less than or equal to 1023")
	}
	if in.StateReasonData != "" && !json.Valid([]byte(in.StateReasonData)) {
		return nil, &core.APIError{Code: "InvalidFormatFault", QueryCode: "InvalidFormat", Message: "StateReasonData must be valid JSON."}
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	al := s.alarms[alarmKey(req.Region, in.AlarmName)]
	if al == nil {
		s.mu.Unlock()
		return nil, errResourceNotFound("Alarm %s does not exist", in.AlarmName)
	}
	note := s.transitionLocked(al, in.StateValue, in.StateReason, in.StateReasonData, now)
	s.mu.Unlock()
	s.notify(note)
	return nil, nil
}

func (s *Service) describeAlarmHistory(req *core.Request, c *call) (any, *core.APIError) {
	var in describeAlarmHistoryInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	switch in.HistoryItemType {
	case "", "ConfigurationUpdate", "StateUpdate", "Action", "AlarmContributorStateUpdate", "AlarmContributorAction":
	default:
		return nil, constraint(in.HistoryItemType, "historyItemType", "Member must satisfy enum value set: [ConfigurationUpdate, StateUpdate, Action, AlarmContributorStateUpdate, AlarmContributorAction]")
	}
	if in.ScanBy != "" && in.ScanBy != "TimestampDescending" && in.ScanBy != "TimestampAscending" {
		return nil, constraint(in.ScanBy, "scanBy", "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]")
	}
	limit, err := maxRecords(in.MaxRecords, 100)
	if err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != "" {
		tok, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		n, perr := strconv.Atoi(tok)
		if perr != nil || n < 0 {
			return nil, errInvalidNextToken()
		}
		start = n
	}
	s.mu.Lock()
	var items []AlarmHistoryItem
	for _, h := range s.history {
		it := h.item
		if h.region != req.Region || (in.AlarmName != "" && it.AlarmName != in.AlarmName) ||
			(in.HistoryItemType != "" && it.HistoryItemType != in.HistoryItemType) ||
			(!in.StartDate.IsZero() && it.Timestamp.Before(in.StartDate)) || (!in.EndDate.IsZero() && it.Timestamp.After(in.EndDate)) {
			continue
		}
		items = append(items, it)
	}
	s.mu.Unlock()
	if in.ScanBy != "TimestampAscending" {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	out := describeAlarmHistoryOutput{AlarmHistoryItems: []AlarmHistoryItem{}}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+limit, len(items))
	out.AlarmHistoryItems = append(out.AlarmHistoryItems, items[start:end]...)
	if end < len(items) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

// ------------------------------------------------------------ tags

// alarmByARNLocked resolves an alarm ARN of this account and region.
func (s *Service) alarmByARNLocked(req *core.Request, arn string) (*alarm, *core.APIError) {
	if arn == "" {
		return nil, errMissingParameter("ResourceARN")
	}
	p, ok := core.ParseARN(arn)
	if !ok || p.Service != "cloudwatch" {
		return nil, errInvalidParameterValue("Invalid ARN %s", arn)
	}
	name, ok := strings.CutPrefix(p.Resource, "alarm:")
	if !ok {
		return nil, errResourceNotFoundException("Unknown resource %s", arn)
	}
	al := s.alarms[alarmKey(req.Region, name)]
	if al == nil || p.Region != req.Region || p.Account != req.AccountID {
		return nil, errResourceNotFoundException("Alarm %s does not exist.", arn)
	}
	return al, nil
}

func (s *Service) tagResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, errMissingParameter("Tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	merged := mergeTags(append([]Tag(nil), al.tags...), in.Tags)
	if len(merged) > maxTags {
		return nil, errLimitExceeded("The resource would have more than 50 tags.")
	}
	al.tags = merged
	// The query protocol answers with an empty <…Result/>: the
	// model gives these outputs a result wrapper (botocore needs it).
	return struct{}{}, nil
}

func (s *Service) untagResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, errMissingParameter("TagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	var kept []Tag
	for _, t := range al.tags {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	al.tags = kept
	// The query protocol answers with an empty <…Result/>: the
	// model gives these outputs a result wrapper (botocore needs it).
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(req *core.Request, c *call) (any, *core.APIError) {
	var in resourceTagsInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	al, err := s.alarmByARNLocked(req, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return listTagsOutput{Tags: append([]Tag{}, al.tags...)}, nil
}

// ------------------------------------------------------------ evaluation

// notification is an alarm state change whose actions are to run.
type notification struct {
	region   string
	alarm    MetricAlarm
	oldState string
	actions  []string
}

// transitionLocked moves an alarm to state and records the change; it
// returns the actions to run (none when the state does not change).
func (s *Service) transitionLocked(al *alarm, state, reason, reasonData string, now time.Time) *notification {
	old, oldReason := al.a.StateValue, al.a.StateReason
	al.a.StateUpdatedTimestamp = now
	if old == state {
		return nil
	}
	al.a.StateValue, al.a.StateReason, al.a.StateReasonData = state, reason, reasonData
	al.a.StateTransitionedTimestamp = now
	data := map[string]any{
		"version":  "1.0",
		"oldState": map[string]any{"stateValue": old, "stateReason": oldReason},
		"newState": map[string]any{"stateValue": state, "stateReason": reason},
	}
	if reasonData != "" {
		var rd any
		if json.Unmarshal([]byte(reasonData), &rd) == nil {
			data["newState"].(map[string]any)["stateReasonData"] = rd
		}
	}
	hd, _ := json.Marshal(data)
	s.recordLocked(al.region, al.a.AlarmName, "StateUpdate", fmt.Sprintf("Alarm updated from %s to %s", old, state), string(hd), now)
	if !al.a.ActionsEnabled {
		return nil
	}
	var actions []string
	switch state {
	case stateAlarm:
		actions = al.a.AlarmActions
	case stateOK:
		actions = al.a.OKActions
	default:
		actions = al.a.InsufficientDataActions
	}
	if len(actions) == 0 {
		return nil
	}
	return &notification{region: al.region, alarm: al.a, oldState: old, actions: append([]string(nil), actions...)}
}

// notify runs the SNS actions of a state change by publishing AWS's alarm
// notification to the topic through the SNS service, and records the outcome
// in the alarm history. Other action types are recorded as not supported.
// It must be called without s.mu.
func (s *Service) notify(n *notification) {
	if n == nil {
		return
	}
	a := n.alarm
	msg := map[string]any{
		"AlarmName":                          a.AlarmName,
		"AlarmDescription":                   a.AlarmDescription,
		"AWSAccountId":                       s.env.AccountID,
		"AlarmConfigurationUpdatedTimestamp": a.AlarmConfigurationUpdatedTimestamp.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"NewStateValue":                      a.StateValue,
		"NewStateReason":                     a.StateReason,
		"StateChangeTime":                    a.StateTransitionedTimestamp.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"Region":                             n.region,
		"AlarmArn":                           a.AlarmArn,
		"OldStateValue":                      n.oldState,
		"OKActions":                          a.OKActions,
		"AlarmActions":                       a.AlarmActions,
		"InsufficientDataActions":            a.InsufficientDataActions,
		"Trigger": map[string]any{
			"MetricName":         a.MetricName,
			"Namespace":          a.Namespace,
			"StatisticType":      map[bool]string{true: "ExtendedStatistic", false: "Statistic"}[a.ExtendedStatistic != ""],
			"Statistic":          strings.ToUpper(a.Statistic),
			"Unit":               nilIfEmpty(a.Unit),
			"Dimensions":         lowerDims(a.Dimensions),
			"Period":             a.Period,
			"EvaluationPeriods":  a.EvaluationPeriods,
			"ComparisonOperator": a.ComparisonOperator,
			"Threshold":          a.Threshold,
			"TreatMissingData":   a.TreatMissingData,
		},
	}
	body, _ := json.Marshal(msg)
	subject := fmt.Sprintf("%s: %q in %s", a.StateValue, a.AlarmName, n.region)
	if len(subject) > 100 {
		subject = subject[:100]
	}
	now := s.env.Clock.Now()
	for _, act := range n.actions {
		summary := "Successfully executed action " + act
		if err := s.publish(act, subject, string(body)); err != "" {
			summary = "Failed to execute action " + act + ". Received error: \"" + err + "\""
		}
		data, _ := json.Marshal(map[string]any{"actionState": map[bool]string{true: "Succeeded", false: "Failed"}[strings.HasPrefix(summary, "Successfully")], "notificationResource": act, "stateUpdateTimestamp": a.StateTransitionedTimestamp.UnixMilli(), "publishedMessage": string(body)})
		s.mu.Lock()
		s.recordLocked(n.region, a.AlarmName, "Action", summary, string(data), now)
		s.mu.Unlock()
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func lowerDims(dims []Dimension) []map[string]string {
	out := []map[string]string{}
	for _, d := range dims {
		out = append(out, map[string]string{"value": d.Value, "name": d.Name})
	}
	return out
}

// publish sends an alarm notification to an SNS topic through the SNS
// service's own API, in process; it returns an error message or "".
func (s *Service) publish(topicARN, subject, message string) string {
	p, ok := core.ParseARN(topicARN)
	if !ok || p.Service != "sns" {
		return "the emulator runs only SNS alarm actions"
	}
	svc := s.env.Lookup("sns")
	if svc == nil {
		return "SNS is not available"
	}
	form := url.Values{"Action": {"Publish"}, "TopicArn": {topicARN}, "Subject": {subject}, "Message": {message}, "Version": {"2010-03-31"}}
	hr := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	svc.ServeAWS(rec, core.NewRequest(hr, core.Scope{AccessKey: "cloudwatch-internal", Region: p.Region, Service: "sns"}, s.env.AccountID, nil))
	if rec.Code != http.StatusOK {
		msg := rec.Body.String()
		if i := strings.Index(msg, "<Message>"); i >= 0 {
			msg = msg[i+len("<Message>"):]
			if j := strings.Index(msg, "</Message>"); j >= 0 {
				msg = msg[:j]
			}
		}
		return msg
	}
	return ""
}

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
