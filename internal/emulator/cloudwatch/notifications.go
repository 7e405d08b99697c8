package cloudwatch

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

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
