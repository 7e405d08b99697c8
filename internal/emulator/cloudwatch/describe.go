package cloudwatch

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

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
