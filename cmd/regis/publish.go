package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

const publishUsage = `
Usage: regis publish --topic-arn ARN --origin-region REGION --service NAME [flags] < commands.jsonl

Publishes Redis commands to the bus, for backfills and repairs. Each input
line is one command, as a JSON array of strings (numbers are taken as
written):

  ["SET", "hotel:42", "{\"name\":\"Ritz\"}", "EX", "3600"]
  {"args": ["HSET", "rates:42", "2025-01-01", "120"]}

Blank lines and lines starting with # are skipped. Commands go through the
regis package like any publisher's: checked against the allow-list of
idempotent commands, relative TTLs rewritten to absolute times (SET … EX 60
becomes SET … PXAT <now+60s>, EXPIRE becomes PEXPIREAT), packed into as few
messages as possible and sent with PublishBatch.

A line that cannot be published (not JSON, refused by the allow-list, sent
but rejected by SNS) is reported with its line number on stderr and makes
the exit code 1; the other lines are still published unless --fail-fast.
Progress goes to stderr every --progress; a summary to stdout at the end.

Ctrl-C stops reading, sends what is already buffered and reports what was
and was not published (exit code 130); a second Ctrl-C aborts at once.
`

func (a *app) publish(ctx context.Context, args []string) int {
	f := a.newFlags("publish", publishUsage)
	topic := f.String("topic-arn", "", "the bus's SNS topic `ARN`")
	aopts := f.awsFlags()
	origin := f.String("origin-region", "", "the origin region stamped on the messages (required): the region whose data this is")
	service := f.String("service", "", "the origin service stamped on the messages (required), e.g. hotels-backfill")
	ordered := f.Bool("ordered", false, "version every command (the bus's consumers must run in ordered mode)")
	nodeID := f.Int("node-id", 0, "with --ordered, the version clock's node id (1–4095; 0: random)")
	gzip := f.Bool("gzip", false, "compress messages when that makes them smaller")
	failFast := f.Bool("fail-fast", false, "stop at the first line that cannot be published")
	dryRun := f.Bool("dry-run", false, "check and normalise every line, publish nothing (no AWS call)")
	every := f.Duration("progress", time.Second, "report progress on stderr this often (0: never)")
	flushTimeout := f.Duration("flush-timeout", time.Minute, "how long to wait for SNS to accept what is buffered at the end or after Ctrl-C")
	if code, ok := f.parse(args); !ok {
		return code
	}
	switch {
	case *topic == "" && !*dryRun:
		return f.usageError("--topic-arn is required")
	case *origin == "":
		return f.usageError("--origin-region is required")
	case *service == "":
		return f.usageError("--service is required")
	case *nodeID < 0 || *nodeID > 4095:
		return f.usageError("--node-id must be between 0 and 4095")
	case *flushTimeout <= 0:
		return f.usageError("--flush-timeout must be positive")
	}
	var t topicARN
	if *topic != "" {
		var err error
		if t, err = parseTopicARN(*topic); err != nil {
			return f.usageError("%v", err)
		}
	}
	p := &publishRun{a: a, ordered: *ordered, failFast: *failFast, started: a.now()}
	if *dryRun {
		return p.dryRun(ctx, *every)
	}

	c, err := a.clients(ctx, aopts)
	if err != nil {
		return a.fail(ctx, "publish", err)
	}
	if err := checkTopic(ctx, c.SNS(t.Region), t); err != nil {
		return a.fail(ctx, "publish", err)
	}
	opts := regis.Options{
		Origin:  regis.Origin{Region: *origin, Service: *service},
		Ordered: *ordered,
		NodeID:  *nodeID,
		Now:     a.now,
	}
	if *gzip {
		opts.Compression = regis.CompressionGzip
	}
	pub, err := regis.NewPublisher(c.SNS(t.Region), t.ARN, opts)
	if err != nil {
		return a.fail(ctx, "publish", err)
	}
	p.pub = pub
	return p.run(ctx, *every, *flushTimeout)
}

// publishRun is one publish command's state. It runs on one goroutine;
// reading stdin happens on another.
type publishRun struct {
	a        *app
	pub      *regis.Publisher
	ordered  bool
	failFast bool
	started  time.Time

	lines    int // lines read
	accepted int // commands handed to the publisher
	refused  int // lines that did not become a command
	lastLine int // the last line handled

	// groups are the lines of each message, in order, while its outcome
	// is unknown.
	groups       []*lineGroup
	failedLines  int
	publishFails int // messages SNS refused
	stop         bool
}

// lineGroup is the lines whose commands share one message, so share its
// outcome.
type lineGroup struct {
	res   *regis.Result
	id    string
	lines []int
}

type inputLine struct {
	n    int
	text []byte
	err  error
}

// maxLineBytes bounds an input line: a command must fit in a message, 1 MiB
// at most, and JSON escaping can double it.
const maxLineBytes = 4 << 20

// readLines sends the input's lines to the returned channel until EOF, an
// error or done is closed.
func readLines(r io.Reader, done <-chan struct{}) <-chan inputLine {
	ch := make(chan inputLine, 256)
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, 64<<10)
		send := func(l inputLine) bool {
			select {
			case ch <- l:
				return true
			case <-done:
				return false
			}
		}
		for n := 1; ; n++ {
			line, tooLong, err := readLine(br)
			if len(line) > 0 || tooLong || err == nil {
				l := inputLine{n: n, text: line}
				if tooLong {
					l.text, l.err = nil, fmt.Errorf("line longer than %d bytes", maxLineBytes)
				}
				if !send(l) {
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					send(inputLine{n: n, err: fmt.Errorf("read stdin: %w", err)})
				}
				return
			}
		}
	}()
	return ch
}

// readLine reads one line without its end of line, discarding the rest of a
// line over maxLineBytes.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLineBytes+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

// parseCommand reads one input line: a JSON array of strings (or numbers),
// or an object {"args": […]}. skip is true for blank and comment lines.
func parseCommand(text []byte) (args []string, skip bool, err error) {
	text = bytes.TrimSpace(text)
	if len(text) == 0 || text[0] == '#' {
		return nil, true, nil
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var raw []any
	switch text[0] {
	case '[':
		if err := dec.Decode(&raw); err != nil {
			return nil, false, fmt.Errorf("not a JSON array: %w", err)
		}
	case '{':
		dec.DisallowUnknownFields()
		var obj struct {
			Args *[]any `json:"args"`
		}
		if err := dec.Decode(&obj); err != nil {
			return nil, false, fmt.Errorf(`not a JSON object {"args": […]}: %w`, err)
		}
		if obj.Args == nil {
			return nil, false, errors.New(`the object has no "args"`)
		}
		raw = *obj.Args
	default:
		return nil, false, errors.New(`want a JSON array of strings, or an object {"args": […]}`)
	}
	if dec.More() {
		return nil, false, errors.New("more than one JSON value on the line")
	}
	if len(raw) == 0 {
		return nil, false, errors.New("empty command")
	}
	args = make([]string, len(raw))
	for i, v := range raw {
		switch v := v.(type) {
		case string:
			args[i] = v
		case json.Number:
			args[i] = v.String()
		default:
			return nil, false, fmt.Errorf("argument %d is a JSON %s, not a string or number", i+1, jsonKind(v))
		}
	}
	return args, false, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "value"
}

func (p *publishRun) lineError(n int, format string, args ...any) {
	p.refused++
	fmt.Fprintf(p.a.stderr, "line %d: %s\n", n, fmt.Sprintf(format, args...))
	if p.failFast {
		p.stop = true
	}
}

func (p *publishRun) run(ctx context.Context, every time.Duration, flushTimeout time.Duration) int {
	done := make(chan struct{})
	defer close(done)
	lines := readLines(p.a.stdin, done)
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	interrupted := false
read:
	for !p.stop {
		select {
		case <-ctx.Done():
			interrupted = true
			break read
		case <-tick:
			p.sweep(false)
			p.progress()
		case l, ok := <-lines:
			if !ok {
				break read
			}
			p.lines = l.n
			p.lastLine = l.n
			if l.err != nil {
				p.lineError(l.n, "%v", l.err)
				continue
			}
			args, skip, err := parseCommand(l.text)
			if skip {
				continue
			}
			if err != nil {
				p.lineError(l.n, "%v", err)
				continue
			}
			res, err := p.pub.Do(ctx, args...)
			if err != nil {
				if ctx.Err() != nil {
					// Ctrl-C while waiting for buffer space: this
					// line was not published.
					p.lastLine = l.n - 1
					interrupted = true
					break read
				}
				p.lineError(l.n, "%s", commandErrorText(err))
				continue
			}
			p.accepted++
			p.track(l.n, res)
		}
	}
	if interrupted {
		s := p.pub.Stats()
		fmt.Fprintf(p.a.stderr, "interrupted after line %d: sending the %d commands already buffered (Ctrl-C again to abort)\n", p.lastLine, s.Commands-s.CommandsPublished-s.CommandsFailed)
	}
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	closeErr := p.pub.Close(closeCtx)
	cancel()
	p.sweep(true)
	p.summary(interrupted, closeErr)
	switch {
	case interrupted:
		return exitInterrupted
	case p.refused > 0 || p.failedLines > 0 || p.stop || closeErr != nil:
		return exitError
	}
	return exitOK
}

// commandErrorText explains why the publisher refused a command.
func commandErrorText(err error) string {
	var ce *regis.CommandError
	if errors.As(err, &ce) {
		return fmt.Sprintf("%s refused: %s", ce.Command, ce.Reason)
	}
	return err.Error()
}

// track records that line n's command rides in res's message.
func (p *publishRun) track(n int, res *regis.Result) {
	id := res.MessageID()
	if k := len(p.groups); k > 0 && p.groups[k-1].id == id {
		p.groups[k-1].lines = append(p.groups[k-1].lines, n)
	} else {
		p.groups = append(p.groups, &lineGroup{res: res, id: id, lines: []int{n}})
	}
	if len(p.groups) >= 1024 {
		p.sweep(false)
	}
}

// sweep reports the messages whose outcome is known and forgets them. With
// final, every message's outcome must be known (the publisher is closed).
func (p *publishRun) sweep(final bool) {
	kept := p.groups[:0]
	for _, g := range p.groups {
		select {
		case <-g.res.Done():
		default:
			if !final {
				kept = append(kept, g)
				continue
			}
		}
		err := resultErr(g.res)
		if err == nil {
			continue
		}
		p.failedLines += len(g.lines)
		p.publishFails++
		fmt.Fprintf(p.a.stderr, "%s %s: not published: %s\n", plural(len(g.lines), "line", "lines"), formatLines(g.lines), publishErrorText(err))
		if p.failFast {
			p.stop = true
		}
	}
	for i := len(kept); i < len(p.groups); i++ {
		p.groups[i] = nil
	}
	p.groups = kept
}

// resultErr is the message's outcome, or an error if it is still unknown
// (the publisher gave up waiting for SNS when closing).
func resultErr(r *regis.Result) error {
	select {
	case <-r.Done():
		return r.Wait(context.Background())
	default:
		return errors.New("outcome unknown: SNS did not answer before --flush-timeout")
	}
}

// checkTopic fails early, before reading any input, when the topic does not
// exist or the credentials do not work. A caller allowed only sns:Publish
// (GetTopicAttributes denied) goes ahead.
func checkTopic(ctx context.Context, client *sns.Client, t topicARN) error {
	_, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(t.ARN)})
	switch {
	case err == nil:
		return nil
	case awsapi.IsA[*snstypes.NotFoundException](err):
		return fmt.Errorf("topic %s not found in %s (account and region come from the ARN; check the credentials' account)", t.ARN, t.Region)
	case awsapi.IsA[*snstypes.AuthorizationErrorException](err):
		return nil
	}
	return awsErr("SNS", "GetTopicAttributes", t.Region, err)
}

func publishErrorText(err error) string {
	var pe *regis.PublishError
	if errors.As(err, &pe) {
		if pe.Err != nil {
			if code := awsapi.ErrorCode(pe.Err); code != "" {
				return fmt.Sprintf("message %s: SNS %s: %s", pe.MessageID, code, awsapi.ErrorMessage(pe.Err))
			}
			return fmt.Sprintf("message %s: %v", pe.MessageID, pe.Err)
		}
		return fmt.Sprintf("message %s: SNS %s: %s", pe.MessageID, pe.Code, pe.Message)
	}
	return err.Error()
}

func (p *publishRun) progress() {
	s := p.pub.Stats()
	elapsed := p.a.now().Sub(p.started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.CommandsPublished) / elapsed
	}
	fmt.Fprintf(p.a.stderr, "progress: line %d, %s published in %s, %d lines refused, %d commands failed, %.0f commands/s\n",
		p.lastLine, count(int(s.CommandsPublished), "command"), count(int(s.Messages), "message"), p.refused, s.CommandsFailed, rate)
}

func (p *publishRun) summary(interrupted bool, closeErr error) {
	s := p.pub.Stats()
	elapsed := p.a.now().Sub(p.started)
	w := p.a.stdout
	fmt.Fprintf(w, "read %s: %s accepted, %s refused\n", count(p.lines, "line"), count(p.accepted, "command"), count(p.refused, "line"))
	fmt.Fprintf(w, "published %s in %s (%s) in %s",
		count(int(s.CommandsPublished), "command"), count(int(s.Messages), "message"), count(int(s.PublishCalls+s.BatchCalls), "SNS call"), elapsed.Round(time.Millisecond))
	if secs := elapsed.Seconds(); secs > 0 && s.CommandsPublished > 0 {
		fmt.Fprintf(w, ", %.0f commands/s", float64(s.CommandsPublished)/secs)
	}
	fmt.Fprintln(w)
	if unpublished := p.accepted - int(s.CommandsPublished); unpublished > 0 {
		fmt.Fprintf(w, "NOT published: %s accepted (lines reported above)\n", count(unpublished, "command"))
	}
	if closeErr != nil && p.failedLines == 0 {
		fmt.Fprintf(w, "closing the publisher: %v\n", closeErr)
	}
	switch {
	case interrupted:
		fmt.Fprintf(w, "interrupted: lines after %d were not read or not published; resume with: tail -n +%d\n", p.lastLine, p.lastLine+1)
	case p.stop:
		fmt.Fprintf(w, "stopped at line %d (--fail-fast); the lines after it were not read\n", p.lastLine)
	}
}

// dryRun checks every line as publish would, without AWS.
func (p *publishRun) dryRun(ctx context.Context, every time.Duration) int {
	done := make(chan struct{})
	defer close(done)
	lines := readLines(p.a.stdin, done)
	for l := range lines {
		if ctx.Err() != nil || p.stop {
			break
		}
		p.lines, p.lastLine = l.n, l.n
		if l.err != nil {
			p.lineError(l.n, "%v", l.err)
			continue
		}
		args, skip, err := parseCommand(l.text)
		if skip {
			continue
		}
		if err == nil {
			err = checkCommand(args, p.ordered, p.a.now())
		}
		if err != nil {
			p.lineError(l.n, "%s", commandErrorText(err))
			continue
		}
		p.accepted++
	}
	fmt.Fprintf(p.a.stdout, "dry run: read %s: %s would be published, %s refused\n", count(p.lines, "line"), count(p.accepted, "command"), count(p.refused, "line"))
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case p.refused > 0:
		return exitError
	}
	return exitOK
}

// checkCommand applies the checks Publisher.Do applies.
func checkCommand(args []string, ordered bool, now time.Time) error {
	canon, err := regis.Normalize(args, now)
	if err != nil {
		return err
	}
	if err := regis.Validate(canon, ordered); err != nil {
		return err
	}
	if ordered {
		for _, k := range regis.Keys(canon) {
			if strings.HasPrefix(k, regis.ReservedKeyPrefix) {
				return &regis.CommandError{Command: canon[0], Reason: fmt.Sprintf("keys starting with %q hold ordered-mode version metadata", regis.ReservedKeyPrefix)}
			}
		}
	}
	return nil
}

// formatLines prints line numbers as ranges: 3-7, 9, 12-13.
func formatLines(lines []int) string {
	var b strings.Builder
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(lines[i]))
		if j > i {
			b.WriteString("-" + strconv.Itoa(lines[j]))
		}
		i = j + 1
	}
	return b.String()
}

// count is "1 line", "2 lines".
func count(n int, noun string) string {
	return strconv.Itoa(n) + " " + plural(n, noun, noun+"s")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
