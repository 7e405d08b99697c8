package logs_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const (
	usEast = "us-east-1"
	euWest = "eu-west-1"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func start(t *testing.T) (*emulator.Emulator, *cwl.Client) {
	t.Helper()
	emu := emulatortest.Start(t)
	return emu, client(t, emu, usEast)
}

func client(t *testing.T, emu *emulator.Emulator, region string) *cwl.Client {
	return cwl.NewFromConfig(emulatortest.Config(t, emu, region))
}

// wantError asserts an API error code whose message contains part.
func wantError(t *testing.T, err error, code, part string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), part) {
		t.Fatalf("want %s containing %q, got %s: %q", code, part, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func mustGroup(t *testing.T, c *cwl.Client, name string) {
	t.Helper()
	if _, err := c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatalf("CreateLogGroup %s: %v", name, err)
	}
}

func mustStream(t *testing.T, c *cwl.Client, group, name string) {
	t.Helper()
	if _, err := c.CreateLogStream(ctx(t), &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(name)}); err != nil {
		t.Fatalf("CreateLogStream %s: %v", name, err)
	}
}

func put(t *testing.T, c *cwl.Client, group, stream string, evs ...types.InputLogEvent) *cwl.PutLogEventsOutput {
	t.Helper()
	out, err := c.PutLogEvents(ctx(t), &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		t.Fatalf("PutLogEvents: %v", err)
	}
	return out
}

func ev(ts time.Time, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(msg)}
}

func TestLogGroups(t *testing.T) {
	emu, c := start(t)
	for _, n := range []string{"/aws/lambda/b", "/aws/lambda/a", "/app/x", "/aws/lambda/c"} {
		mustGroup(t, c, n)
	}
	_, err := c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/x")})
	wantError(t, err, "ResourceAlreadyExistsException", "already exists")
	_, err = c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	wantError(t, err, "InvalidParameterException", "logGroupName")
	_, err = c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 513))})
	wantError(t, err, "InvalidParameterException", "length")
	_, err = c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String("aws/mine")})
	wantError(t, err, "InvalidParameterException", "aws/")

	// Prefix, in ASCII order, paginated two at a time.
	var names []string
	p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
			if aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:"+emu.AccountID()+":log-group:"+aws.ToString(g.LogGroupName)+":*" ||
				aws.ToString(g.LogGroupArn) != strings.TrimSuffix(aws.ToString(g.Arn), ":*") || g.LogGroupClass != types.LogGroupClassStandard {
				t.Fatalf("group shape = %+v", g)
			}
		}
	}
	if strings.Join(names, ",") != "/aws/lambda/a,/aws/lambda/b,/aws/lambda/c" || pages != 2 {
		t.Fatalf("DescribeLogGroups by prefix = %v in %d pages", names, pages)
	}
	// A pattern is a case-sensitive substring.
	out, err := c.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("lambda/b")})
	if err != nil || len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupName) != "/aws/lambda/b" {
		t.Fatalf("DescribeLogGroups by pattern = %+v, %v", out, err)
	}
	_, err = c.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("x"), LogGroupNamePrefix: aws.String("/")})
	wantError(t, err, "InvalidParameterException", "mutually exclusive")
	_, err = c.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	wantError(t, err, "InvalidParameterException", "limit")

	// Retention.
	_, err = c.PutRetentionPolicy(ctx(t), &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/app/x"), RetentionInDays: aws.Int32(2)})
	wantError(t, err, "InvalidParameterException", "retentionInDays")
	if _, err := c.PutRetentionPolicy(ctx(t), &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/app/x"), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/x")})
	if len(out.LogGroups) != 1 || aws.ToInt32(out.LogGroups[0].RetentionInDays) != 14 {
		t.Fatalf("retention not reported: %+v", out.LogGroups)
	}
	if _, err := c.DeleteRetentionPolicy(ctx(t), &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/app/x")}); err != nil {
		t.Fatal(err)
	}
	out, _ = c.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/x")})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("retention still set after DeleteRetentionPolicy: %v", *out.LogGroups[0].RetentionInDays)
	}
	_, err = c.PutRetentionPolicy(ctx(t), &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(1)})
	wantError(t, err, "ResourceNotFoundException", "log group does not exist")

	// Groups live in their region, and in the inventory.
	eu := client(t, emu, euWest)
	if out, err := eu.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{}); err != nil || len(out.LogGroups) != 0 {
		t.Fatalf("eu-west-1 sees %+v, %v", out, err)
	}
	mustGroup(t, eu, "/app/x") // the same name in another region
	inv := 0
	for _, r := range emu.Inventory() {
		if r.Service == "logs" && r.Type == "log-group" {
			inv++
		}
	}
	if inv != 5 {
		t.Fatalf("inventory holds %d log groups, want 5", inv)
	}

	if _, err := c.DeleteLogGroup(ctx(t), &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteLogGroup(ctx(t), &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/x")})
	wantError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	if out, _ := eu.DescribeLogGroups(ctx(t), &cwl.DescribeLogGroupsInput{}); len(out.LogGroups) != 1 {
		t.Fatalf("deleting in us-east-1 touched eu-west-1: %+v", out.LogGroups)
	}
}

func TestLogStreams(t *testing.T) {
	emu, c := start(t)
	_, err := c.CreateLogStream(ctx(t), &cwl.CreateLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s")})
	wantError(t, err, "ResourceNotFoundException", "log group does not exist")
	mustGroup(t, c, "/g")
	_, err = c.CreateLogStream(ctx(t), &cwl.CreateLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("a:b")})
	wantError(t, err, "InvalidParameterException", "logStreamName")
	now := emu.Clock().Now()
	for i, n := range []string{"c", "a", "b"} {
		mustStream(t, c, "/g", n)
		put(t, c, "/g", n, ev(now.Add(time.Duration(i)*time.Second), "line "+n))
	}
	_, err = c.CreateLogStream(ctx(t), &cwl.CreateLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("a")})
	wantError(t, err, "ResourceAlreadyExistsException", "already exists")

	names := func(in *cwl.DescribeLogStreamsInput) string {
		t.Helper()
		out, err := c.DescribeLogStreams(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, s := range out.LogStreams {
			n = append(n, aws.ToString(s.LogStreamName))
		}
		return strings.Join(n, ",")
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/g")}); got != "a,b,c" {
		t.Fatalf("by name = %s", got)
	}
	// c was written first, b last.
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/g"), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)}); got != "b,a,c" {
		t.Fatalf("by last event, descending = %s", got)
	}
	if got := names(&cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:" + emu.AccountID() + ":log-group:/g:*"), LogStreamNamePrefix: aws.String("b")}); got != "b" {
		t.Fatalf("by identifier and prefix = %s", got)
	}
	_, err = c.DescribeLogStreams(ctx(t), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	wantError(t, err, "InvalidParameterException", "LastEventTime")
	_, err = c.DescribeLogStreams(ctx(t), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/g"), LogGroupIdentifier: aws.String("/g")})
	wantError(t, err, "InvalidParameterException", "mutually exclusive")

	out, _ := c.DescribeLogStreams(ctx(t), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/g"), LogStreamNamePrefix: aws.String("a")})
	s := out.LogStreams[0]
	if aws.ToInt64(s.FirstEventTimestamp) != now.Add(time.Second).UnixMilli() || aws.ToInt64(s.LastEventTimestamp) != aws.ToInt64(s.FirstEventTimestamp) ||
		aws.ToInt64(s.LastIngestionTime) == 0 || !strings.HasSuffix(aws.ToString(s.Arn), ":log-group:/g:log-stream:a") {
		t.Fatalf("stream shape = %+v", s)
	}

	if _, err := c.DeleteLogStream(ctx(t), &cwl.DeleteLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteLogStream(ctx(t), &cwl.DeleteLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("a")})
	wantError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestPutLogEventsLimits(t *testing.T) {
	emu, c := start(t)
	mustGroup(t, c, "/g")
	mustStream(t, c, "/g", "s")
	now := emu.Clock().Now()
	in := func(evs ...types.InputLogEvent) *cwl.PutLogEventsInput {
		return &cwl.PutLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), LogEvents: evs}
	}
	_, err := c.PutLogEvents(ctx(t), in(ev(now, "b"), ev(now.Add(-time.Second), "a")))
	wantError(t, err, "InvalidParameterException", "chronological order")
	_, err = c.PutLogEvents(ctx(t), in(ev(now, "")))
	wantError(t, err, "InvalidParameterException", "message")
	big := strings.Repeat("x", 600_000)
	_, err = c.PutLogEvents(ctx(t), in(ev(now, big), ev(now, big)))
	wantError(t, err, "InvalidParameterException", "1048576")
	_, err = c.PutLogEvents(ctx(t), in(ev(now.Add(-25*time.Hour), "a"), ev(now, "b")))
	wantError(t, err, "InvalidParameterException", "24 hours")
	many := make([]types.InputLogEvent, 10_001)
	for i := range many {
		many[i] = ev(now, "m")
	}
	_, err = c.PutLogEvents(ctx(t), in(many...))
	wantError(t, err, "InvalidParameterException", "10000")
	_, err = c.PutLogEvents(ctx(t), &cwl.PutLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("nope"), LogEvents: []types.InputLogEvent{ev(now, "a")}})
	wantError(t, err, "ResourceNotFoundException", "log stream does not exist")

	// Too old, expired by the retention and too new are rejected; the rest is stored.
	if _, err := c.PutRetentionPolicy(ctx(t), &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/g"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	out := put(t, c, "/g", "s",
		ev(now.Add(-15*24*time.Hour), "too old"),
		ev(now.Add(-8*24*time.Hour), "expired"),
		ev(now, "kept"),
		ev(now.Add(3*time.Hour), "too new"))
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 0 || aws.ToInt32(r.ExpiredLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 3 {
		t.Fatalf("rejectedLogEventsInfo = %+v", r)
	}
	got, err := c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s")})
	if err != nil || len(got.Events) != 1 || aws.ToString(got.Events[0].Message) != "kept" {
		t.Fatalf("stored = %+v, %v", got, err)
	}

	// The retention drops events as the clock passes it.
	emu.Clock().Advance(8 * 24 * time.Hour)
	got, _ = c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s")})
	if len(got.Events) != 0 {
		t.Fatalf("events outlived the 7-day retention: %+v", got.Events)
	}
}

func TestGetLogEventsPagination(t *testing.T) {
	emu, c := start(t)
	mustGroup(t, c, "/g")
	mustStream(t, c, "/g", "s")
	base := emu.Clock().Now().Add(-time.Hour)
	var evs []types.InputLogEvent
	for i := 0; i < 25; i++ {
		evs = append(evs, ev(base.Add(time.Duration(i)*time.Second), fmt.Sprintf("event %02d", i)))
	}
	put(t, c, "/g", "s", evs...)
	msgs := func(out *cwl.GetLogEventsOutput) []string {
		var m []string
		for _, e := range out.Events {
			m = append(m, aws.ToString(e.Message))
		}
		return m
	}

	// Default: the latest events, in time order.
	out, err := c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if m := msgs(out); len(m) != 10 || m[0] != "event 15" || m[9] != "event 24" {
		t.Fatalf("tail = %v", m)
	}
	// Going backward from there.
	back, _ := c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10), NextToken: out.NextBackwardToken})
	if m := msgs(back); len(m) != 10 || m[0] != "event 05" || m[9] != "event 14" {
		t.Fatalf("backward page = %v", m)
	}

	// Forward from the head with the paginator, which stops on a repeated token.
	var all []string
	p := cwl.NewGetLogEventsPaginator(c, &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(7)},
		func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, msgs(page)...)
	}
	if len(all) != 25 || all[0] != "event 00" || all[24] != "event 24" || !sort.StringsAreSorted(all) {
		t.Fatalf("forward pagination = %v", all)
	}

	// A time window: start inclusive, end exclusive.
	out, _ = c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true),
		StartTime: aws.Int64(base.Add(3 * time.Second).UnixMilli()), EndTime: aws.Int64(base.Add(6 * time.Second).UnixMilli())})
	if m := msgs(out); strings.Join(m, ",") != "event 03,event 04,event 05" {
		t.Fatalf("window = %v", m)
	}
	_, err = c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	wantError(t, err, "InvalidParameterException", "nextToken")
}

func TestFilterLogEvents(t *testing.T) {
	emu, c := start(t)
	mustGroup(t, c, "/g")
	mustStream(t, c, "/g", "one")
	mustStream(t, c, "/g", "two")
	t0 := emu.Clock().Now().Add(-time.Minute)
	put(t, c, "/g", "one",
		ev(t0, "INFO started"),
		ev(t0.Add(2*time.Second), "ERROR connection refused"),
		ev(t0.Add(4*time.Second), "WARN slow reply: 812 ms"))
	put(t, c, "/g", "two",
		ev(t0.Add(time.Second), "ERROR Exiting now"),
		ev(t0.Add(3*time.Second), "error in lower case"),
		ev(t0.Add(5*time.Second), "Runtime.ExitError"))

	filter := func(pattern string, mod ...func(*cwl.FilterLogEventsInput)) []string {
		t.Helper()
		in := &cwl.FilterLogEventsInput{LogGroupName: aws.String("/g"), FilterPattern: aws.String(pattern)}
		for _, m := range mod {
			m(in)
		}
		out, err := c.FilterLogEvents(ctx(t), in)
		if err != nil {
			t.Fatalf("FilterLogEvents %q: %v", pattern, err)
		}
		var m []string
		for _, e := range out.Events {
			m = append(m, aws.ToString(e.LogStreamName)+":"+aws.ToString(e.Message))
			if len(aws.ToString(e.EventId)) == 0 || aws.ToInt64(e.IngestionTime) == 0 {
				t.Fatalf("event shape = %+v", e)
			}
		}
		return m
	}
	cases := []struct{ pattern, want string }{
		{"", "one:INFO started|two:ERROR Exiting now|one:ERROR connection refused|two:error in lower case|one:WARN slow reply: 812 ms|two:Runtime.ExitError"},
		{"ERROR", "two:ERROR Exiting now|one:ERROR connection refused"}, // case-sensitive
		{"ERROR refused", "one:ERROR connection refused"},               // every term
		{`"connection refused"`, "one:ERROR connection refused"},        // a phrase
		{`"slow reply:"`, "one:WARN slow reply: 812 ms"},
		{"?WARN ?INFO", "one:INFO started|one:WARN slow reply: 812 ms"}, // any term
		{"ERROR -Exiting", "one:ERROR connection refused"},              // exclusion
		{"Runtime.ExitError", "two:Runtime.ExitError"},
		{`%[0-9]+ ms%`, "one:WARN slow reply: 812 ms"},
		{"nothing-matches", ""},
	}
	for _, tc := range cases {
		if got := strings.Join(filter(tc.pattern), "|"); got != tc.want {
			t.Errorf("pattern %q = %s, want %s", tc.pattern, got, tc.want)
		}
	}
	if got := strings.Join(filter("ERROR", func(in *cwl.FilterLogEventsInput) { in.LogStreamNames = []string{"one"} }), "|"); got != "one:ERROR connection refused" {
		t.Fatalf("by stream name = %s", got)
	}
	if got := strings.Join(filter("", func(in *cwl.FilterLogEventsInput) { in.StartFromHead = aws.Bool(false); in.Limit = aws.Int32(2) }), "|"); got != "two:Runtime.ExitError|one:WARN slow reply: 812 ms" {
		t.Fatalf("descending = %s", got)
	}
	if got := strings.Join(filter("", func(in *cwl.FilterLogEventsInput) {
		in.StartTime = aws.Int64(t0.Add(time.Second).UnixMilli())
		in.EndTime = aws.Int64(t0.Add(2 * time.Second).UnixMilli())
	}), "|"); got != "two:ERROR Exiting now|one:ERROR connection refused" {
		t.Fatalf("time range (both ends inclusive) = %s", got)
	}

	// Pagination with nextToken.
	var pages, n int
	p := cwl.NewFilterLogEventsPaginator(c, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/g"), Limit: aws.Int32(4)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n += len(out.Events)
	}
	if pages != 2 || n != 6 {
		t.Fatalf("paginated %d events in %d pages", n, pages)
	}

	_, err := c.FilterLogEvents(ctx(t), &cwl.FilterLogEventsInput{LogGroupName: aws.String("/g"), LogStreamNames: []string{"one"}, LogStreamNamePrefix: aws.String("o")})
	wantError(t, err, "InvalidParameterException", "mutually exclusive")
	_, err = c.FilterLogEvents(ctx(t), &cwl.FilterLogEventsInput{LogGroupName: aws.String("/g"), FilterPattern: aws.String(`{ $.level = "ERROR" }`)})
	wantError(t, err, "InvalidParameterException", "filter pattern")
	_, err = c.FilterLogEvents(ctx(t), &cwl.FilterLogEventsInput{LogGroupName: aws.String("/nope")})
	wantError(t, err, "ResourceNotFoundException", "log group does not exist")
}

// The deprecated log-group tagging operations are tested on purpose: older
// clients still call them.
//
//nolint:staticcheck // SA1019: TagLogGroup, UntagLogGroup and ListTagsLogGroup are exercised deliberately.
func TestLogGroupTags(t *testing.T) {
	emu, c := start(t)
	if _, err := c.CreateLogGroup(ctx(t), &cwl.CreateLogGroupInput{LogGroupName: aws.String("/g"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:" + emu.AccountID() + ":log-group:/g"
	if _, err := c.TagResource(ctx(t), &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagLogGroup(ctx(t), &cwl.TagLogGroupInput{LogGroupName: aws.String("/g"), Tags: map[string]string{"old": "api"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx(t), &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 3 || tags.Tags["team"] != "a" || tags.Tags["env"] != "test" || tags.Tags["old"] != "api" {
		t.Fatalf("ListTagsForResource = %v, %v", tags, err)
	}
	if _, err := c.UntagResource(ctx(t), &cwl.UntagResourceInput{ResourceArn: aws.String(arn + ":*"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagLogGroup(ctx(t), &cwl.UntagLogGroupInput{LogGroupName: aws.String("/g"), Tags: []string{"old"}}); err != nil {
		t.Fatal(err)
	}
	old, err := c.ListTagsLogGroup(ctx(t), &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("/g")})
	if err != nil || len(old.Tags) != 1 || old.Tags["env"] != "test" {
		t.Fatalf("ListTagsLogGroup = %v, %v", old, err)
	}
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = c.TagResource(ctx(t), &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantError(t, err, "TooManyTagsException", "50")
	_, err = c.TagResource(ctx(t), &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"aws:x": "y"}})
	wantError(t, err, "InvalidParameterException", "aws:")
	_, err = c.ListTagsForResource(ctx(t), &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-missing")})
	wantError(t, err, "ResourceNotFoundException", "does not exist")
	_, err = c.ListTagsLogGroup(ctx(t), &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("/missing")})
	wantError(t, err, "ResourceNotFoundException", "log group does not exist")
}

func TestServiceLogWrites(t *testing.T) {
	emu, c := start(t)
	sink, ok := emu.Service("logs").(core.LogSink)
	if !ok {
		t.Fatalf("the logs service is not a core.LogSink")
	}
	now := emu.Clock().Now()
	w := core.ServiceLogWrite{Region: usEast, Group: "/aws/lambda/f", Stream: "2026/01/01/[$LATEST]abc", Events: []core.LogEvent{{Time: now, Message: "hello"}, {Time: now, Message: ""}}}
	if err := sink.WriteServiceLogs(w); err == nil || err.Code != "ResourceNotFoundException" {
		t.Fatalf("a write that may not create the group = %v", err)
	}
	w.CreateGroup = true
	if err := sink.WriteServiceLogs(w); err == nil || err.Message != "The specified log stream does not exist." {
		t.Fatalf("a write that may not create the stream = %v", err)
	}
	w.CreateStream = true
	if err := sink.WriteServiceLogs(w); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetLogEvents(ctx(t), &cwl.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/f"), LogStreamName: aws.String(w.Stream)})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "hello" || aws.ToInt64(out.Events[0].Timestamp) != now.UnixMilli() {
		t.Fatalf("service write = %+v, %v", out, err)
	}
}
