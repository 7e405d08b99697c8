package cloudwatch

import (
	"encoding/json"
	"fmt"
	"regexp"
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
