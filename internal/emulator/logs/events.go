package logs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// PutLogEvents and read limits.
const (
	maxBatchBytes    = 1_048_576 // sum of the messages in UTF-8 plus 26 bytes per event
	eventOverhead    = 26
	maxEventBytes    = 1_048_576 - eventOverhead
	maxBatchEvents   = 10_000
	maxFutureSkew    = 2 * time.Hour
	maxPastAge       = 14 * 24 * time.Hour
	maxBatchSpan     = 24 * time.Hour
	maxReadEvents    = 10_000
	maxResponseBytes = 1_048_576
)

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken"`
}

type rejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

func (s *Service) putLogEvents(req *core.Request) (any, *core.APIError) {
	var in putLogEventsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return nil, err
	}
	if in.LogEvents == nil {
		return nil, errMissing("logEvents")
	}
	if len(in.LogEvents) == 0 {
		return nil, errConstraint("[]", "logEvents", "Member must have length greater than or equal to 1")
	}
	if len(in.LogEvents) > maxBatchEvents {
		return nil, errConstraint(len(in.LogEvents), "logEvents", "Member must have length less than or equal to 10000")
	}
	size := 0
	for i, e := range in.LogEvents {
		field := fmt.Sprintf("logEvents.%d.member", i+1)
		if e.Timestamp == nil {
			return nil, errMissing(field + ".timestamp")
		}
		if e.Message == nil {
			return nil, errMissing(field + ".message")
		}
		if *e.Message == "" {
			return nil, errConstraint("", field+".message", "Member must have length greater than or equal to 1")
		}
		if len(*e.Message) > maxEventBytes {
			return nil, errInvalidParameter("Log event too large: %d bytes exceeds limit of %d", len(*e.Message)+eventOverhead, maxBatchBytes)
		}
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, errInvalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(*e.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return nil, errInvalidParameter("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}

	now := s.env.Clock.Now()
	nowMS := core.Millis(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errStreamNotFound()
	}
	var rejected rejectedLogEventsInfo
	tooOld := core.Millis(now.Add(-maxPastAge))
	tooNew := core.Millis(now.Add(maxFutureSkew))
	expired := int64(-1 << 62)
	if g.retention > 0 {
		expired = core.Millis(now.Add(-time.Duration(g.retention) * 24 * time.Hour))
	}
	var accepted []event
	for i, e := range in.LogEvents {
		ts := *e.Timestamp
		switch {
		case ts > tooNew:
			if rejected.TooNewLogEventStartIndex == nil {
				idx := i
				rejected.TooNewLogEventStartIndex = &idx
			}
			continue
		case ts < tooOld:
			idx := i
			rejected.TooOldLogEventEndIndex = &idx
			continue
		case ts < expired:
			idx := i
			rejected.ExpiredLogEventEndIndex = &idx
			continue
		}
		accepted = append(accepted, event{ts: ts, ingested: nowMS, msg: *e.Message})
	}
	if n := len(accepted); n > 1 && time.Duration(accepted[n-1].ts-accepted[0].ts)*time.Millisecond > maxBatchSpan {
		return nil, errInvalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	for i := range accepted {
		s.seq++
		accepted[i].seq = s.seq
	}
	st.insert(accepted)
	s.expireLocked(g)
	out := struct {
		NextSequenceToken     string                 `json:"nextSequenceToken"`
		RejectedLogEventsInfo *rejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
	}{NextSequenceToken: sequenceToken(st)}
	if rejected != (rejectedLogEventsInfo{}) {
		out.RejectedLogEventsInfo = &rejected
	}
	return out, nil
}

// WriteServiceLogs implements core.LogSink: it stores the events of an AWS
// service's write (Lambda's function logs) at the emulator's time of
// ingestion, creating the group and the stream when the write may.
func (s *Service) WriteServiceLogs(w core.ServiceLogWrite) *core.APIError {
	nowMS := core.Millis(s.env.Clock.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[groupKey(w.Region, w.Group)]
	if g == nil {
		if !w.CreateGroup {
			return errGroupNotFound()
		}
		g = s.newGroupLocked(w.Region, w.Group)
	}
	st := g.streams[w.Stream]
	if st == nil {
		if !w.CreateStream {
			return errStreamNotFound()
		}
		st = &stream{name: w.Stream, created: s.env.Clock.Now()}
		g.streams[w.Stream] = st
	}
	evs := make([]event, 0, len(w.Events))
	for _, e := range w.Events {
		if e.Message == "" {
			continue
		}
		msg := e.Message
		if len(msg) > maxEventBytes {
			msg = msg[:maxEventBytes]
		}
		s.seq++
		evs = append(evs, event{ts: core.Millis(e.Time), ingested: nowMS, seq: s.seq, msg: msg})
	}
	st.insert(evs)
	s.expireLocked(g)
	return nil
}

// ------------------------------------------------------------ GetLogEvents

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
	StartFromHead      *bool  `json:"startFromHead"`
	Unmask             bool   `json:"unmask"`
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// position is a place between two events of a stream, named by the
// (timestamp, seq) key of an event: a forward token reads the events after
// it, a backward token the events before it.
type position struct{ ts, seq int64 }

// before reports whether the position comes before event e.
func (p position) before(e event) bool { return p.ts < e.ts || (p.ts == e.ts && p.seq < e.seq) }

func (p position) token(dir string) string {
	return dir + "/" + strconv.FormatInt(p.ts, 10) + "/" + strconv.FormatInt(p.seq, 10)
}

func parsePosition(tok string) (dir string, p position, ok bool) {
	parts := strings.Split(tok, "/")
	if len(parts) != 3 || (parts[0] != "f" && parts[0] != "b") {
		return "", position{}, false
	}
	ts, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return "", position{}, false
	}
	return parts[0], position{ts, seq}, true
}

func (s *Service) getLogEvents(req *core.Request) (any, *core.APIError) {
	var in getLogEventsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return nil, err
	}
	limit := maxReadEvents
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxReadEvents {
			return nil, errConstraint(*in.Limit, "limit", "Member must have value between 1 and 10000")
		}
		limit = *in.Limit
	}
	start, end := int64(-1<<62), int64(1<<62)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime // exclusive
	}
	// Without a token, the direction is startFromHead's (false by default:
	// the latest events); a token gives its own direction.
	forward := in.StartFromHead != nil && *in.StartFromHead
	pos := position{start, -1} // forward: events at or after startTime
	if !forward {
		pos = position{end, -1} // backward: events before endTime
	}
	if in.NextToken != "" {
		dir, p, ok := parsePosition(in.NextToken)
		if !ok {
			return nil, errInvalidParameter("The specified nextToken is invalid.")
		}
		forward, pos = dir == "f", p
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.identifiedGroupLocked(req, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	s.expireLocked(g)
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errStreamNotFound()
	}
	inWindow := func(e event) bool { return e.ts >= start && e.ts < end }
	var page []event
	bytes := 0
	if forward {
		i := sort.Search(len(st.events), func(j int) bool { return !st.events[j].before(pos.ts, pos.seq+1) })
		for ; i < len(st.events) && len(page) < limit; i++ {
			e := st.events[i]
			if e.ts >= end {
				break
			}
			if !inWindow(e) {
				continue
			}
			if bytes += len(e.msg) + eventOverhead; bytes > maxResponseBytes && len(page) > 0 {
				break
			}
			page = append(page, e)
		}
	} else {
		i := sort.Search(len(st.events), func(j int) bool { return !st.events[j].before(pos.ts, pos.seq) }) - 1
		for ; i >= 0 && len(page) < limit; i-- {
			e := st.events[i]
			if e.ts < start {
				break
			}
			if !inWindow(e) {
				continue
			}
			if bytes += len(e.msg) + eventOverhead; bytes > maxResponseBytes && len(page) > 0 {
				break
			}
			page = append(page, e)
		}
		for l, r := 0, len(page)-1; l < r; l, r = l+1, r-1 {
			page[l], page[r] = page[r], page[l]
		}
	}
	out := struct {
		Events            []outputLogEvent `json:"events"`
		NextForwardToken  string           `json:"nextForwardToken"`
		NextBackwardToken string           `json:"nextBackwardToken"`
	}{Events: make([]outputLogEvent, 0, len(page))}
	for _, e := range page {
		out.Events = append(out.Events, outputLogEvent{Timestamp: e.ts, Message: e.msg, IngestionTime: e.ingested})
	}
	switch {
	case len(page) > 0:
		first, last := page[0], page[len(page)-1]
		out.NextForwardToken = position{last.ts, last.seq}.token("f")
		out.NextBackwardToken = position{first.ts, first.seq}.token("b")
	case forward:
		// Nothing after pos: the same forward token ends the pagination.
		out.NextForwardToken = pos.token("f")
		out.NextBackwardToken = position{pos.ts, pos.seq + 1}.token("b")
	default:
		out.NextBackwardToken = pos.token("b")
		out.NextForwardToken = position{pos.ts, pos.seq - 1}.token("f")
	}
	return out, nil
}
