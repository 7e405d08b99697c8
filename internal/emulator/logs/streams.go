package logs

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Log stream limits.
const (
	maxStreamName   = 512
	maxStreamEvents = 100_000
)

// stream is a log stream: its events sorted by (timestamp, seq).
type stream struct {
	name          string
	created       time.Time
	events        []event
	storedBytes   int64
	lastIngestion int64
}

// event is one stored log event.
type event struct {
	ts, ingested int64 // epoch milliseconds
	seq          int64 // ingestion order, unique
	msg          string
}

func (e event) before(ts, seq int64) bool { return e.ts < ts || (e.ts == ts && e.seq < seq) }

// insert adds events (each in timestamp order) keeping the stream sorted,
// and drops the oldest beyond maxStreamEvents.
func (st *stream) insert(evs []event) {
	for _, e := range evs {
		i := len(st.events)
		if i > 0 && !st.events[i-1].before(e.ts, e.seq) {
			i = sort.Search(len(st.events), func(j int) bool { return !st.events[j].before(e.ts, e.seq) })
		}
		st.events = append(st.events, event{})
		copy(st.events[i+1:], st.events[i:])
		st.events[i] = e
		st.storedBytes += int64(len(e.msg))
		if e.ingested > st.lastIngestion {
			st.lastIngestion = e.ingested
		}
	}
	if over := len(st.events) - maxStreamEvents; over > 0 {
		for _, e := range st.events[:over] {
			st.storedBytes -= int64(len(e.msg))
		}
		st.events = append(st.events[:0:0], st.events[over:]...)
	}
}

// dropBefore removes the events older than cutoff (epoch ms).
func (st *stream) dropBefore(cutoff int64) {
	i := sort.Search(len(st.events), func(j int) bool { return st.events[j].ts >= cutoff })
	if i == 0 {
		return
	}
	for _, e := range st.events[:i] {
		st.storedBytes -= int64(len(e.msg))
	}
	st.events = append(st.events[:0:0], st.events[i:]...)
}

// validStreamName checks a logStreamName member.
func validStreamName(name, field string) *core.APIError {
	if name == "" {
		return errMissing(field)
	}
	if utf8.RuneCountInString(name) > maxStreamName {
		return errConstraint(name, field, "Member must have length less than or equal to 512")
	}
	if strings.ContainsAny(name, ":*") {
		return errConstraint(name, field, `Member must satisfy regular expression pattern: [^:*]*`)
	}
	return nil
}

func (s *Service) createLogStream(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.streams[in.LogStreamName] != nil {
		return nil, core.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	g.streams[in.LogStreamName] = &stream{name: in.LogStreamName, created: s.env.Clock.Now()}
	return nil, nil
}

func (s *Service) deleteLogStream(req *core.Request) (any, *core.APIError) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if err := validGroupName(in.LogGroupName, "logGroupName"); err != nil {
		return nil, err
	}
	if err := validStreamName(in.LogStreamName, "logStreamName"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.groupLocked(req.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.streams[in.LogStreamName] == nil {
		return nil, errStreamNotFound()
	}
	delete(g.streams, in.LogStreamName)
	return nil, nil
}

type describeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               *int   `json:"limit"`
}

// logStreamOutput is AWS's LogStream shape.
type logStreamOutput struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

func (s *Service) describeLogStreams(req *core.Request) (any, *core.APIError) {
	var in describeLogStreamsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, errInvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, errConstraint(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	if in.LogStreamNamePrefix != "" {
		if err := validStreamName(in.LogStreamNamePrefix, "logStreamNamePrefix"); err != nil {
			return nil, err
		}
	}
	limit, err := listLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "o:"))
		if derr != nil || perr != nil || !strings.HasPrefix(string(raw), "o:") || n < 0 {
			return nil, errInvalidParameter("The specified nextToken is invalid.")
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.identifiedGroupLocked(req, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	s.expireLocked(g)
	var list []*stream
	for _, st := range g.streams {
		if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			list = append(list, st)
		}
	}
	less := func(a, b *stream) bool { return a.name < b.name }
	if in.OrderBy == "LastEventTime" {
		less = func(a, b *stream) bool {
			la, lb := lastEvent(a), lastEvent(b)
			if la != lb {
				return la < lb
			}
			return a.name < b.name
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if in.Descending {
			return less(list[j], list[i])
		}
		return less(list[i], list[j])
	})
	out := struct {
		LogStreams []logStreamOutput `json:"logStreams"`
		NextToken  string            `json:"nextToken,omitempty"`
	}{LogStreams: []logStreamOutput{}}
	for i := offset; i < len(list); i++ {
		if i-offset == limit {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(i)))
			break
		}
		out.LogStreams = append(out.LogStreams, streamOutput(g, list[i]))
	}
	return out, nil
}

// lastEvent is the timestamp of a stream's latest event (-1 when it has none).
func lastEvent(st *stream) int64 {
	if len(st.events) == 0 {
		return -1
	}
	return st.events[len(st.events)-1].ts
}

func streamOutput(g *group, st *stream) logStreamOutput {
	o := logStreamOutput{
		LogStreamName: st.name, CreationTime: core.Millis(st.created),
		Arn:                 g.arn + ":log-stream:" + st.name,
		UploadSequenceToken: sequenceToken(st),
		StoredBytes:         0, // deprecated: AWS reports 0
	}
	if n := len(st.events); n > 0 {
		first, last, ingested := st.events[0].ts, st.events[n-1].ts, st.lastIngestion
		o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = &first, &last, &ingested
	}
	return o
}

// sequenceToken is the (ignored) upload sequence token AWS still returns.
func sequenceToken(st *stream) string {
	var seq int64
	if n := len(st.events); n > 0 {
		seq = st.events[n-1].seq
	}
	return "4963" + strconv.FormatInt(1_000_000_000_000+seq, 10)
}
