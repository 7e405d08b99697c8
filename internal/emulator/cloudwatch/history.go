package cloudwatch

import (
	"strconv"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

type historyItem struct {
	region string
	item   AlarmHistoryItem
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
