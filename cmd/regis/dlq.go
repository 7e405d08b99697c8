package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// reasonMaxReceives is the reason shown for dead letters without a
// regis.reason attribute: SQS's redrive policy moved them after
// maxReceiveCount receives, the consumer having failed them transiently
// (Redis unreachable, timeouts…) each time.
const reasonMaxReceives = "max_receives"

const dlqUsage = `
Usage:
  regis dlq peek    (--topic-arn ARN | --queue-url URL) [flags]
  regis dlq redrive (--topic-arn ARN | --queue-url URL) [flags]

  peek     show dead letters with their reason, without consuming them
  redrive  move dead letters back to their region's queue

Run 'regis dlq <command> -h' for its flags.
`

func (a *app) dlq(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, strings.TrimLeft(dlqUsage, "\n"))
		return exitUsage
	}
	switch args[0] {
	case "peek":
		return a.dlqPeek(ctx, args[1:])
	case "redrive":
		return a.dlqRedrive(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, strings.TrimLeft(dlqUsage, "\n"))
		return exitOK
	}
	fmt.Fprintf(a.stderr, "regis dlq: unknown command %q (want peek or redrive)\nRun 'regis dlq -h' for usage.\n", args[0])
	return exitUsage
}

const peekUsage = `
Usage: regis dlq peek (--topic-arn ARN | --queue-url URL) [flags]

Shows the dead letters of each region's DLQ: why the consumer gave up
(regis.reason and regis.error), where the message came from, its receive
count, when it was sent, and a summary of its commands. Command arguments
and values are not printed unless --show-body is given (then the commands
are printed as JSON lines that 'regis publish' accepts).

A reason of "max_receives" means the message has no regis.* attributes: SQS
moved it after maxReceiveCount failed receives (transient failures such as
Redis being unreachable), not the consumer.

Peeking does not delete anything. SQS has no read-only receive, so peek
receives the messages with a short visibility timeout (--visibility) and
makes them visible again at once when done; should peek be killed, they
reappear when the timeout expires. Each peek adds one to a message's receive
count (shown, and harmless: a DLQ has no redrive policy of its own, and peek
refuses to read one that has unless --force).
`

// deadLetter is one DLQ message as peek shows it.
type deadLetter struct {
	Region          string    `json:"region"`
	DLQ             string    `json:"dlq"`
	MessageID       string    `json:"message_id"`
	SentAt          time.Time `json:"sent_at"`
	ReceiveCount    int       `json:"receive_count"`
	Reason          string    `json:"reason"`
	Error           string    `json:"error,omitempty"`
	OriginRegion    string    `json:"origin_region,omitempty"`
	SourceMessageID string    `json:"source_message_id,omitempty"`
	Bus             string    `json:"bus,omitempty"`
	// MovedBySQSFrom is the DeadLetterQueueSourceArn system attribute.
	MovedBySQSFrom string `json:"moved_by_sqs_from,omitempty"`

	BodyBytes      int            `json:"body_bytes"`
	SNSEnvelope    bool           `json:"sns_envelope,omitempty"`
	RegisMessageID string         `json:"regis_message_id,omitempty"`
	PublishedAt    *time.Time     `json:"published_at,omitempty"`
	PublishedBy    string         `json:"published_by,omitempty"` // region/service
	Commands       int            `json:"commands"`
	CommandNames   map[string]int `json:"command_names,omitempty"`
	FirstCommand   string         `json:"first_command,omitempty"`
	DecodeError    string         `json:"decode_error,omitempty"`

	Body string     `json:"body,omitempty"` // --show-body
	Args [][]string `json:"args,omitempty"` // --show-body, when it decodes
}

func (a *app) dlqPeek(ctx context.Context, args []string) int {
	f := a.newFlags("dlq peek", peekUsage)
	bf := f.busFlags()
	maxN := f.Int("max", 10, "show at most `N` messages per DLQ (up to 1000)")
	showBody := f.Bool("show-body", false, "print the messages' commands in full (values included)")
	asJSON := f.Bool("json", false, "print one JSON object per message instead of text")
	visibility := f.Duration("visibility", 30*time.Second, "how long peeked messages are hidden at most (if peek is killed before it makes them visible again)")
	force := f.Bool("force", false, "peek even a DLQ that has a redrive policy of its own (peeking counts as a receive)")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if code := bf.check(f); code != 0 {
		return code
	}
	if *maxN < 1 || *maxN > 1000 {
		return f.usageError("--max must be between 1 and 1000")
	}
	if *visibility < time.Second || *visibility > 12*time.Hour {
		return f.usageError("--visibility must be between 1s and 12h")
	}
	c, err := a.clients(ctx, bf.aws)
	if err != nil {
		return a.fail(ctx, "dlq peek", err)
	}
	b, err := a.discover(ctx, c, bf)
	if err != nil {
		return a.fail(ctx, "dlq peek", err)
	}
	code := exitOK
	enc := json.NewEncoder(a.stdout)
	for _, q := range b.Queues {
		switch {
		case q.Err != nil:
			fmt.Fprintf(a.stderr, "regis dlq peek: %s: %v\n", q.Region, q.Err)
			code = exitError
			continue
		case q.DLQARN == "":
			fmt.Fprintf(a.stderr, "regis dlq peek: %s: queue %s: %v\n", q.Region, q.Name(), errNoDLQ)
			code = exitError
			continue
		case q.DLQAttrs["RedrivePolicy"] != "" && !*force:
			fmt.Fprintf(a.stderr, "regis dlq peek: %s: the DLQ %s has a redrive policy of its own, and peeking counts as a receive that could move messages on; use --force to peek anyway\n", q.Region, q.DLQName())
			code = exitError
			continue
		}
		letters, err := peekDLQ(ctx, c.SQS(q.Region), q, *maxN, *visibility, *showBody)
		if !*asJSON {
			printDeadLetters(a.stdout, q, letters, *showBody)
		} else {
			for i := range letters {
				_ = enc.Encode(&letters[i])
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return a.fail(ctx, "dlq peek", err)
			}
			fmt.Fprintf(a.stderr, "regis dlq peek: %s: %v\n", q.Region, err)
			code = exitError
		}
	}
	return code
}

// peekDLQ receives up to maxN messages of q's DLQ, hiding them for at most
// visibility, then makes them visible again.
func peekDLQ(ctx context.Context, client *sqs.Client, q *busQueue, maxN int, visibility time.Duration, showBody bool) (letters []deadLetter, err error) {
	// The count read at discovery tells when to stop without waiting for
	// an empty long poll; messages added since are not awaited.
	expect := int(attrInt(q.DLQAttrs, "ApproximateNumberOfMessages"))
	if expect == 0 {
		return nil, nil
	}
	handles := map[string]string{} // message id → latest receipt handle
	defer func() {
		if rerr := releaseMessages(ctx, client, q.Region, q.DLQURL, handles); rerr != nil && err == nil {
			err = rerr
		}
	}()
	var msgs []sqstypes.Message
	idle := 0
	for len(msgs) < maxN && len(msgs) < expect && idle < 2 {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(q.DLQURL),
			MaxNumberOfMessages:         int32(min(10, maxN-len(msgs))),
			VisibilityTimeout:           int32(visibility / time.Second),
			WaitTimeSeconds:             1, // a long poll asks every SQS server, a short one only some
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return describeAll(q, msgs, showBody), awsErr("SQS", "ReceiveMessage", q.Region, err)
		}
		fresh := 0
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if _, seen := handles[id]; !seen {
				msgs = append(msgs, m)
				fresh++
			}
			handles[id] = aws.ToString(m.ReceiptHandle)
		}
		if fresh == 0 {
			idle++
		} else {
			idle = 0
		}
	}
	return describeAll(q, msgs, showBody), nil
}

func describeAll(q *busQueue, msgs []sqstypes.Message, showBody bool) []deadLetter {
	out := make([]deadLetter, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, describe(q, m, showBody))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SentAt.Before(out[j].SentAt) })
	return out
}

// releaseMessages makes received messages visible again at once. It runs
// even when ctx is cancelled (Ctrl-C), with a time limit of its own.
func releaseMessages(ctx context.Context, client *sqs.Client, region, url string, handles map[string]string) error {
	if len(handles) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	var entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	for _, h := range handles {
		entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(len(entries))), ReceiptHandle: aws.String(h), VisibilityTimeout: 0,
		})
	}
	failed := 0
	var firstErr error
	for start := 0; start < len(entries); start += 10 {
		batch := entries[start:min(start+10, len(entries))]
		out, err := client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: batch})
		if err != nil {
			failed += len(batch)
			if firstErr == nil {
				firstErr = awsErr("SQS", "ChangeMessageVisibilityBatch", region, err)
			}
			continue
		}
		for _, fe := range out.Failed {
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("SQS ChangeMessageVisibilityBatch in %s: %s: %s", region, aws.ToString(fe.Code), aws.ToString(fe.Message))
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d messages stay hidden until their visibility timeout expires: %w", failed, firstErr)
	}
	return nil
}

// describe reads a DLQ message's attributes and summarises its body.
func describe(q *busQueue, m sqstypes.Message, showBody bool) deadLetter {
	d := deadLetter{
		Region:          q.Region,
		DLQ:             q.DLQName(),
		MessageID:       aws.ToString(m.MessageId),
		Reason:          stringAttr(m, contract.AttrReason),
		Error:           stringAttr(m, contract.AttrError),
		OriginRegion:    stringAttr(m, contract.AttrOriginRegion),
		SourceMessageID: stringAttr(m, contract.AttrSourceMessageID),
		Bus:             stringAttr(m, contract.AttrBus),
		MovedBySQSFrom:  m.Attributes[string(sqstypes.MessageSystemAttributeNameDeadLetterQueueSourceArn)],
	}
	if ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
		d.SentAt = time.UnixMilli(ms).UTC()
	}
	d.ReceiveCount, _ = strconv.Atoi(m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	if d.Reason == "" {
		d.Reason = reasonMaxReceives
	}
	body := aws.ToString(m.Body)
	d.BodyBytes = len(body)
	inner, envelope := snsMessage(body)
	d.SNSEnvelope = envelope
	msg, err := regis.Decode([]byte(inner))
	if err != nil {
		d.DecodeError = err.Error()
		if showBody {
			d.Body = body
		}
		return d
	}
	d.RegisMessageID = msg.ID
	t := msg.PublishedAt.UTC()
	d.PublishedAt = &t
	d.PublishedBy = msg.Origin.Region + "/" + msg.Origin.Service
	if d.OriginRegion == "" {
		d.OriginRegion = msg.Origin.Region
	}
	d.Commands = len(msg.Commands)
	d.CommandNames = map[string]int{}
	for i, c := range msg.Commands {
		if len(c.Args) == 0 {
			continue
		}
		name := strings.ToUpper(c.Args[0])
		if i == 0 {
			d.FirstCommand = name
		}
		d.CommandNames[name]++
		if showBody {
			d.Args = append(d.Args, c.Args)
		}
	}
	return d
}

func stringAttr(m sqstypes.Message, name string) string {
	if v, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(v.StringValue)
	}
	return ""
}

// snsMessage unwraps an SNS envelope (a subscription without raw message
// delivery), which the consumer accepts too.
func snsMessage(body string) (string, bool) {
	if !strings.HasPrefix(strings.TrimSpace(body), "{") || !strings.Contains(body, `"Notification"`) {
		return body, false
	}
	var env struct {
		Type    string  `json:"Type"`
		Message *string `json:"Message"`
	}
	if json.Unmarshal([]byte(body), &env) != nil || env.Type != "Notification" || env.Message == nil {
		return body, false
	}
	return *env.Message, true
}

func printDeadLetters(w io.Writer, q *busQueue, letters []deadLetter, showBody bool) {
	total := attrInt(q.DLQAttrs, "ApproximateNumberOfMessages")
	hidden := attrInt(q.DLQAttrs, "ApproximateNumberOfMessagesNotVisible")
	fmt.Fprintf(w, "%s  DLQ %s: %d messages", q.Region, q.DLQName(), total)
	if hidden > 0 {
		fmt.Fprintf(w, " (+%d in flight, not shown)", hidden)
	}
	if len(letters) < int(total) {
		fmt.Fprintf(w, ", showing %d", len(letters))
	}
	fmt.Fprintln(w)
	for i, d := range letters {
		fmt.Fprintf(w, "  %d) %s  id %s  receives %d\n", i+1, d.SentAt.Format(time.RFC3339), d.MessageID, d.ReceiveCount)
		switch {
		case d.Reason == reasonMaxReceives && q.MaxReceiveCount > 0:
			fmt.Fprintf(w, "     reason  %s: moved by SQS after %d failed receives (transient errors: see the consumer's logs)\n", d.Reason, q.MaxReceiveCount)
		case d.Reason == reasonMaxReceives:
			fmt.Fprintf(w, "     reason  %s: no regis.reason attribute (moved by SQS's redrive policy, or sent by hand)\n", d.Reason)
		case d.Error != "":
			fmt.Fprintf(w, "     reason  %s: %s\n", d.Reason, oneLine(d.Error, 300))
		default:
			fmt.Fprintf(w, "     reason  %s\n", d.Reason)
		}
		var origin []string
		if d.OriginRegion != "" {
			origin = append(origin, "origin "+d.OriginRegion)
		}
		if d.SourceMessageID != "" {
			origin = append(origin, "source message "+d.SourceMessageID)
		}
		if d.MovedBySQSFrom != "" {
			origin = append(origin, "moved by SQS from "+lastARNPart(d.MovedBySQSFrom))
		}
		if len(origin) > 0 {
			fmt.Fprintf(w, "     from    %s\n", strings.Join(origin, ", "))
		}
		fmt.Fprintf(w, "     body    %s\n", bodySummary(&d))
		if showBody {
			if d.Args != nil {
				for _, args := range d.Args {
					b, _ := json.Marshal(args)
					fmt.Fprintf(w, "       %s\n", b)
				}
			} else if d.Body != "" {
				fmt.Fprintf(w, "       %s\n", d.Body)
			}
		}
	}
}

func bodySummary(d *deadLetter) string {
	size := formatBytes(d.BodyBytes)
	if d.SNSEnvelope {
		size += " SNS envelope"
	}
	if d.DecodeError != "" {
		return fmt.Sprintf("%s, does not decode: %s", size, oneLine(d.DecodeError, 200))
	}
	names := make([]string, 0, len(d.CommandNames))
	for n := range d.CommandNames {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if d.CommandNames[names[i]] != d.CommandNames[names[j]] {
			return d.CommandNames[names[i]] > d.CommandNames[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n
		if c := d.CommandNames[n]; c > 1 {
			parts[i] = fmt.Sprintf("%s×%d", n, c)
		}
	}
	published := ""
	if d.PublishedAt != nil {
		published = " published " + d.PublishedAt.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s, regis message %s%s by %s: %d %s (%s), first %s",
		size, d.RegisMessageID, published, d.PublishedBy, d.Commands, plural(d.Commands, "command", "commands"), strings.Join(parts, " "), d.FirstCommand)
}

func formatBytes(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// oneLine flattens s and cuts it to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
