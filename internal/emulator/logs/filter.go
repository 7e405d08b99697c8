package logs

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// pattern is a parsed filter pattern for unstructured log events, as the
// "Filter pattern syntax" page of the CloudWatch Logs User Guide describes
// it: space-separated terms that must all appear (case-sensitive), "quoted
// phrases" for terms with spaces or symbols, ?term for terms of which any one
// must appear, -term for terms that must not appear, and %regex% for a
// regular expression. An empty pattern matches every event.
type pattern struct {
	all, any, none []matcher
}

type matcher func(string) bool

// maxPatternLen is FilterPattern's length limit.
const maxPatternLen = 1024

// regexChars are the characters a %regex% may hold: letters, digits, the
// symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + .
var regexChars = regexp.MustCompile(`^[A-Za-z0-9:_#=@/;,\-^$?\[\]{}|\\*+. ]*$`)

func parsePattern(src string) (*pattern, *core.APIError) {
	if len(src) > maxPatternLen {
		return nil, errConstraint(src, "filterPattern", "Member must have length less than or equal to 1024")
	}
	p := &pattern{}
	s := strings.TrimSpace(src)
	if s == "" {
		return p, nil
	}
	if s[0] == '{' || s[0] == '[' {
		return nil, errInvalidParameter("Invalid filter pattern: the emulator supports terms, quoted phrases, ?terms, -terms and %%regex%%, not JSON ({ … }) or space-delimited ([ … ]) patterns.")
	}
	for s != "" {
		prefix := byte(0)
		if s[0] == '?' || s[0] == '-' {
			prefix, s = s[0], s[1:]
		}
		var term string
		var m matcher
		switch {
		case strings.HasPrefix(s, `"`):
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, errInvalidParameter("Invalid character(s) in term '%s'", s)
			}
			term, s = s[1:end+1], s[end+2:]
			m = contains(term)
		case strings.HasPrefix(s, "%"):
			end := strings.IndexByte(s[1:], '%')
			if end < 0 {
				return nil, errInvalidParameter("Invalid character(s) in term '%s'", s)
			}
			expr := s[1 : end+1]
			s = s[end+2:]
			if !regexChars.MatchString(expr) || strings.ContainsAny(expr, "()") {
				return nil, errInvalidParameter("Invalid regex pattern %%%s%%", expr)
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, errInvalidParameter("Invalid regex pattern %%%s%%", expr)
			}
			m = re.MatchString
		default:
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			term, s = s[:end], s[end:]
			if term == "" {
				return nil, errInvalidParameter("Invalid filter pattern %q", src)
			}
			m = contains(term)
		}
		switch prefix {
		case '?':
			p.any = append(p.any, m)
		case '-':
			p.none = append(p.none, m)
		default:
			p.all = append(p.all, m)
		}
		s = strings.TrimLeft(s, " \t")
	}
	return p, nil
}

func contains(term string) matcher {
	return func(msg string) bool { return strings.Contains(msg, term) }
}

func (p *pattern) match(msg string) bool {
	for _, m := range p.all {
		if !m(msg) {
			return false
		}
	}
	for _, m := range p.none {
		if m(msg) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, m := range p.any {
		if m(msg) {
			return true
		}
	}
	return false
}

// ------------------------------------------------------------ FilterLogEvents

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
	Interleaved         *bool    `json:"interleaved"`
	StartFromHead       *bool    `json:"startFromHead"`
	Unmask              bool     `json:"unmask"`
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

// filterToken continues a FilterLogEvents search after (or, descending,
// before) the event with key (ts, seq).
func filterToken(descending bool, ts, seq int64) string {
	dir := "a"
	if descending {
		dir = "d"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s/%d/%d", dir, ts, seq)))
}

func parseFilterToken(tok string) (descending bool, ts, seq int64, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return false, 0, 0, false
	}
	parts := strings.Split(string(raw), "/")
	if len(parts) != 3 || (parts[0] != "a" && parts[0] != "d") {
		return false, 0, 0, false
	}
	ts, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return false, 0, 0, false
	}
	return parts[0] == "d", ts, seq, true
}

func (s *Service) filterLogEvents(req *core.Request) (any, *core.APIError) {
	var in filterLogEventsInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, errInvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, errConstraint(len(in.LogStreamNames), "logStreamNames", "Member must have length less than or equal to 100")
	}
	for _, n := range in.LogStreamNames {
		if err := validStreamName(n, "logStreamNames.member"); err != nil {
			return nil, err
		}
	}
	limit := maxReadEvents
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxReadEvents {
			return nil, errConstraint(*in.Limit, "limit", "Member must have value between 1 and 10000")
		}
		limit = *in.Limit
	}
	pat, perr := parsePattern(in.FilterPattern)
	if perr != nil {
		return nil, perr
	}
	start, end := int64(-1<<62), int64(1<<62)
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if in.EndTime != nil {
		end = *in.EndTime // inclusive
	}
	descending := in.StartFromHead != nil && !*in.StartFromHead
	var after position
	resume := false
	if in.NextToken != "" {
		d, ts, seq, ok := parseFilterToken(in.NextToken)
		if !ok {
			return nil, errInvalidParameter("The specified nextToken is invalid.")
		}
		descending, after.ts, after.seq, resume = d, ts, seq, true
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.identifiedGroupLocked(req, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	s.expireLocked(g)
	var streams []*stream
	if len(in.LogStreamNames) > 0 {
		for _, n := range in.LogStreamNames {
			st := g.streams[n]
			if st == nil {
				return nil, errStreamNotFound()
			}
			streams = append(streams, st)
		}
	} else {
		for _, st := range g.streams {
			if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
				streams = append(streams, st)
			}
		}
	}
	sort.Slice(streams, func(i, j int) bool { return streams[i].name < streams[j].name })
	type hit struct {
		st *stream
		e  event
	}
	var hits []hit
	for _, st := range streams {
		for _, e := range st.events {
			if e.ts < start || e.ts > end {
				continue
			}
			if resume && ((!descending && !after.before(e)) || (descending && !e.before(after.ts, after.seq))) {
				continue
			}
			if pat.match(e.msg) {
				hits = append(hits, hit{st, e})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i].e, hits[j].e
		if descending {
			a, b = b, a
		}
		return a.before(b.ts, b.seq)
	})
	out := struct {
		Events             []filteredLogEvent  `json:"events"`
		SearchedLogStreams []searchedLogStream `json:"searchedLogStreams"`
		NextToken          string              `json:"nextToken,omitempty"`
	}{Events: []filteredLogEvent{}, SearchedLogStreams: []searchedLogStream{}}
	bytes := 0
	for i, h := range hits {
		bytes += len(h.e.msg) + eventOverhead
		if i == limit || (bytes > maxResponseBytes && i > 0) {
			last := hits[i-1].e
			out.NextToken = filterToken(descending, last.ts, last.seq)
			break
		}
		out.Events = append(out.Events, filteredLogEvent{
			LogStreamName: h.st.name, Timestamp: h.e.ts, Message: h.e.msg, IngestionTime: h.e.ingested,
			EventID: fmt.Sprintf("%020d%036d", h.e.ts, h.e.seq),
		})
	}
	for _, st := range streams {
		out.SearchedLogStreams = append(out.SearchedLogStreams, searchedLogStream{LogStreamName: st.name, SearchedCompletely: out.NextToken == ""})
	}
	return out, nil
}
