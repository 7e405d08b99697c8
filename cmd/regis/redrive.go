package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

const redriveUsage = `
Usage: regis dlq redrive (--topic-arn ARN | --queue-url URL) [flags]

Moves each region's dead letters back to that region's Regis queue, so the
consumer tries them again: after a fix to Redis, the consumer or a
publisher. Messages that are still poison come back to the DLQ.

By default this starts an SQS message move task (StartMessageMoveTask) per
DLQ, with the region's queue as its destination, and returns; --wait follows
the tasks and shows their progress (moved/total) on stderr until they end.
SQS runs one task per DLQ at a time: if one is already running, it is
reported (and followed with --wait) instead of starting another. A task
moves the messages that were in the DLQ when it started, at --rate messages
a second (SQS adapts the rate itself when --rate is 0, up to about 500/s).

--reason CODE moves only dead letters with those regis.reason codes (use
"max_receives" for messages SQS moved after maxReceiveCount receives). Move
tasks cannot filter, so this mode does the work itself: it receives each
DLQ message, sends a copy to the queue (without the regis.* attributes),
and deletes it from the DLQ only once the copy is sent. A crash between the
two leaves a message in both queues, which is harmless because Regis
commands are idempotent; it never loses one. Messages that do not match are
hidden for --visibility while the DLQ is scanned, then made visible again.

Reason codes:
  ` + "%s" + `
`

type redriveOpts struct {
	rate       int
	wait       bool
	interval   time.Duration
	reasons    stringList
	max        int
	dryRun     bool
	visibility time.Duration
}

func (a *app) dlqRedrive(ctx context.Context, args []string) int {
	f := a.newFlags("dlq redrive", fmt.Sprintf(redriveUsage, wrap(strings.Join(append(slices.Clone(contract.PoisonReasons), reasonMaxReceives), ", "), 62, "  ")))
	bf := f.busFlags()
	var o redriveOpts
	f.IntVar(&o.rate, "rate", 0, "move at most `N` messages a second per DLQ (1–500; 0: SQS decides)")
	f.BoolVar(&o.wait, "wait", false, "wait for the move tasks to end, showing progress on stderr")
	f.DurationVar(&o.interval, "interval", 2*time.Second, "with --wait, how often to poll the tasks")
	f.Var(&o.reasons, "reason", "move only dead letters with this regis.reason `code` (repeatable or comma-separated; receive→send→delete instead of a move task)")
	f.IntVar(&o.max, "max", 0, "with --reason, move at most `N` messages per DLQ (0: all)")
	f.BoolVar(&o.dryRun, "dry-run", false, "say what would be moved, move nothing")
	f.DurationVar(&o.visibility, "visibility", 5*time.Minute, "with --reason, how long scanned messages stay hidden at most")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if code := bf.check(f); code != 0 {
		return code
	}
	switch {
	case o.rate < 0 || o.rate > 500:
		return f.usageError("--rate must be between 1 and 500 (or 0)")
	case o.interval < 10*time.Millisecond:
		return f.usageError("--interval is too short")
	case o.max < 0:
		return f.usageError("--max must not be negative")
	case o.max > 0 && len(o.reasons) == 0:
		return f.usageError("--max needs --reason (a move task moves the whole DLQ)")
	case o.visibility < 10*time.Second || o.visibility > 12*time.Hour:
		return f.usageError("--visibility must be between 10s and 12h")
	}
	for _, r := range o.reasons {
		if r != reasonMaxReceives && !slices.Contains(contract.PoisonReasons, r) {
			return f.usageError("unknown --reason %q (want one of %s, %s)", r, strings.Join(contract.PoisonReasons, ", "), reasonMaxReceives)
		}
	}
	c, err := a.clients(ctx, bf.aws)
	if err != nil {
		return a.fail(ctx, "dlq redrive", err)
	}
	b, err := a.discover(ctx, c, bf)
	if err != nil {
		return a.fail(ctx, "dlq redrive", err)
	}
	var queues []*busQueue
	code := exitOK
	for _, q := range b.Queues {
		switch {
		case q.Err != nil:
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: %v\n", q.Region, q.Err)
			code = exitError
		case q.DLQARN == "":
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: queue %s: %v\n", q.Region, q.Name(), errNoDLQ)
			code = exitError
		default:
			queues = append(queues, q)
		}
	}
	var rc int
	if len(o.reasons) > 0 {
		rc = a.redriveFiltered(ctx, c, queues, &o)
	} else {
		rc = a.redriveTasks(ctx, c, queues, &o)
	}
	if rc != exitOK {
		return rc
	}
	return code
}

// ----------------------------------------------------------- move tasks

// moveTask follows one DLQ's message move task.
type moveTask struct {
	q      *busQueue
	handle string
	status string
	moved  int64
	toMove int64
	reason string
	done   bool
}

func (a *app) redriveTasks(ctx context.Context, c *clients, queues []*busQueue, o *redriveOpts) int {
	code := exitOK
	var tasks []*moveTask
	for _, q := range queues {
		client := c.SQS(q.Region)
		latest, err := latestMoveTask(ctx, client, q)
		if err != nil {
			fmt.Fprintf(a.stderr, "regis dlq redrive: %v\n", err)
			code = exitError
			continue
		}
		if latest != nil && isActive(latest) {
			fmt.Fprintf(a.stdout, "%s: a move task is already running on DLQ %s (started %s, %s): not starting another\n",
				q.Region, q.DLQName(), formatMillisTime(latest.StartedTimestamp), progress(latest))
			tasks = append(tasks, &moveTask{q: q, handle: aws.ToString(latest.TaskHandle)})
			continue
		}
		n := attrInt(q.DLQAttrs, "ApproximateNumberOfMessages")
		if n == 0 {
			fmt.Fprintf(a.stdout, "%s: DLQ %s is empty: nothing to redrive\n", q.Region, q.DLQName())
			continue
		}
		if o.dryRun {
			fmt.Fprintf(a.stdout, "%s: would move about %d messages from DLQ %s to %s (dry run)\n", q.Region, n, q.DLQName(), q.Name())
			continue
		}
		in := &sqs.StartMessageMoveTaskInput{
			SourceArn: aws.String(q.DLQARN),
			// Always name the destination: without it SQS sends each
			// message back to the queue it was redriven from, and fails
			// the task for the consumer's dead letters, which were sent
			// to the DLQ, not redriven.
			DestinationArn: aws.String(q.QueueARN),
		}
		if o.rate > 0 {
			in.MaxNumberOfMessagesPerSecond = aws.Int32(int32(o.rate))
		}
		out, err := client.StartMessageMoveTask(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return a.fail(ctx, "dlq redrive", err)
			}
			// Lost a race with another operator?
			if latest, lerr := latestMoveTask(ctx, client, q); lerr == nil && latest != nil && isActive(latest) {
				fmt.Fprintf(a.stdout, "%s: a move task is already running on DLQ %s (%s): not starting another\n", q.Region, q.DLQName(), progress(latest))
				tasks = append(tasks, &moveTask{q: q, handle: aws.ToString(latest.TaskHandle)})
				continue
			}
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: %v\n", q.Region, awsErr("SQS", "StartMessageMoveTask", q.Region, err))
			code = exitError
			continue
		}
		rate := "at the rate SQS picks"
		if o.rate > 0 {
			rate = fmt.Sprintf("at up to %d/s", o.rate)
		}
		fmt.Fprintf(a.stdout, "%s: moving about %d messages from DLQ %s to %s %s\n", q.Region, n, q.DLQName(), q.Name(), rate)
		tasks = append(tasks, &moveTask{q: q, handle: aws.ToString(out.TaskHandle)})
	}
	if len(tasks) == 0 || o.dryRun {
		return code
	}
	if !o.wait {
		fmt.Fprintln(a.stdout, "The move tasks run in the background: follow them with 'regis status' or 'regis dlq redrive --wait'.")
		return code
	}
	if rc := a.waitTasks(ctx, c, tasks, o.interval); rc != exitOK {
		return rc
	}
	return code
}

func (a *app) waitTasks(ctx context.Context, c *clients, tasks []*moveTask, interval time.Duration) int {
	code := exitOK
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		pending := 0
		for _, t := range tasks {
			if t.done {
				continue
			}
			latest, err := latestMoveTask(ctx, c.SQS(t.q.Region), t.q)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				fmt.Fprintf(a.stderr, "regis dlq redrive: %v\n", err)
				t.done, code = true, exitError
				continue
			}
			if latest == nil {
				fmt.Fprintf(a.stderr, "regis dlq redrive: %s: the move task on DLQ %s is no longer listed\n", t.q.Region, t.q.DLQName())
				t.done, code = true, exitError
				continue
			}
			t.status = aws.ToString(latest.Status)
			t.moved = latest.ApproximateNumberOfMessagesMoved
			t.toMove = aws.ToInt64(latest.ApproximateNumberOfMessagesToMove)
			t.reason = aws.ToString(latest.FailureReason)
			if isActive(latest) {
				pending++
				fmt.Fprintf(a.stderr, "%s: %s %s\n", t.q.Region, t.status, progress(latest))
				continue
			}
			t.done = true
			switch t.status {
			case "COMPLETED":
				fmt.Fprintf(a.stdout, "%s: done: %d messages moved from DLQ %s to %s\n", t.q.Region, t.moved, t.q.DLQName(), t.q.Name())
			case "FAILED":
				fmt.Fprintf(a.stdout, "%s: FAILED after moving %d of %d messages: %s\n", t.q.Region, t.moved, t.toMove, t.reason)
				code = exitError
			default:
				fmt.Fprintf(a.stdout, "%s: %s after moving %d of %d messages\n", t.q.Region, t.status, t.moved, t.toMove)
				code = exitError
			}
		}
		if pending == 0 && ctx.Err() == nil {
			return code
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(a.stderr, "regis dlq redrive: stopped waiting; the move tasks keep running (follow them with 'regis status')")
			return exitInterrupted
		case <-ticker.C:
		}
	}
}

// latestMoveTask is the most recent move task of q's DLQ, nil if none.
func latestMoveTask(ctx context.Context, client *sqs.Client, q *busQueue) (*sqstypes.ListMessageMoveTasksResultEntry, error) {
	out, err := client.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(q.DLQARN), MaxResults: aws.Int32(1)})
	if err != nil {
		return nil, awsErr("SQS", "ListMessageMoveTasks", q.Region, err)
	}
	if len(out.Results) == 0 {
		return nil, nil
	}
	return &out.Results[0], nil
}

func isActive(t *sqstypes.ListMessageMoveTasksResultEntry) bool {
	s := aws.ToString(t.Status)
	return s == "RUNNING" || s == "CANCELLING"
}

func progress(t *sqstypes.ListMessageMoveTasksResultEntry) string {
	if t.ApproximateNumberOfMessagesToMove == nil {
		return fmt.Sprintf("%d moved", t.ApproximateNumberOfMessagesMoved)
	}
	return fmt.Sprintf("%d/%d moved", t.ApproximateNumberOfMessagesMoved, *t.ApproximateNumberOfMessagesToMove)
}

func formatMillisTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// -------------------------------------------------- filtered (--reason)

// filterResult counts what a filtered redrive did with one DLQ.
type filterResult struct {
	moved      int
	notDeleted int            // copied to the queue, delete from the DLQ failed
	left       map[string]int // by reason: did not match, or over --max
	sendFailed int
	errs       []error
}

func (a *app) redriveFiltered(ctx context.Context, c *clients, queues []*busQueue, o *redriveOpts) int {
	code := exitOK
	for _, q := range queues {
		r := redriveMatching(ctx, c.SQS(q.Region), q, o)
		verb := "moved"
		if o.dryRun {
			verb = "would move"
		}
		fmt.Fprintf(a.stdout, "%s: %s %d dead letters (%s) from DLQ %s to %s", q.Region, verb, r.moved, strings.Join(o.reasons, ", "), q.DLQName(), q.Name())
		if len(r.left) > 0 {
			fmt.Fprintf(a.stdout, "; left in the DLQ: %s", formatCounts(r.left))
		}
		fmt.Fprintln(a.stdout)
		if r.notDeleted > 0 {
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: %d messages were copied to %s but could not be deleted from the DLQ: they are in both (harmless: commands are idempotent)\n", q.Region, r.notDeleted, q.Name())
		}
		if r.sendFailed > 0 {
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: %d matching messages could not be sent and stay in the DLQ\n", q.Region, r.sendFailed)
		}
		for _, err := range r.errs {
			fmt.Fprintf(a.stderr, "regis dlq redrive: %s: %v\n", q.Region, err)
		}
		if len(r.errs) > 0 || r.notDeleted > 0 || r.sendFailed > 0 {
			code = exitError
		}
		if ctx.Err() != nil {
			return exitInterrupted
		}
	}
	return code
}

// redriveMatching moves the dead letters of q whose reason is one of
// o.reasons to q's queue: receive, send a copy, delete the original only
// once the copy is sent.
func redriveMatching(ctx context.Context, client *sqs.Client, q *busQueue, o *redriveOpts) (r filterResult) {
	r.left = map[string]int{}
	expect := int(attrInt(q.DLQAttrs, "ApproximateNumberOfMessages"))
	held := map[string]string{} // id → receipt handle of messages to make visible again
	defer func() {
		if err := releaseMessages(ctx, client, q.Region, q.DLQURL, held); err != nil {
			r.errs = append(r.errs, err)
		}
	}()
	seen := map[string]bool{}
	start := time.Now()
	idle := 0
	for len(seen) < expect && idle < 2 && ctx.Err() == nil {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(q.DLQURL),
			MaxNumberOfMessages:         10,
			VisibilityTimeout:           int32(o.visibility / time.Second),
			WaitTimeSeconds:             1,
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() == nil {
				r.errs = append(r.errs, awsErr("SQS", "ReceiveMessage", q.Region, err))
			}
			return r
		}
		var batch []sqstypes.Message
		fresh := 0
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				// Its visibility expired during a long scan: keep it
				// hidden with the new handle, count it once.
				if _, ok := held[id]; ok {
					held[id] = aws.ToString(m.ReceiptHandle)
				}
				continue
			}
			seen[id] = true
			fresh++
			reason := stringAttr(m, contract.AttrReason)
			if reason == "" {
				reason = reasonMaxReceives
			}
			if !o.reasons.contains(reason) || (o.max > 0 && r.moved+len(batch) >= o.max) || o.dryRun {
				held[id] = aws.ToString(m.ReceiptHandle)
				if o.dryRun && o.reasons.contains(reason) && (o.max == 0 || r.moved < o.max) {
					r.moved++
				} else {
					r.left[reason]++
				}
				continue
			}
			batch = append(batch, m)
		}
		if fresh == 0 {
			idle++
		} else {
			idle = 0
		}
		if len(batch) == 0 {
			continue
		}
		sent, failed, err := sendCopies(ctx, client, q, batch)
		if err != nil {
			r.errs = append(r.errs, err)
		}
		r.sendFailed += len(failed)
		for _, m := range failed {
			held[aws.ToString(m.MessageId)] = aws.ToString(m.ReceiptHandle)
		}
		notDeleted, err := deleteMessages(ctx, client, q, sent)
		if err != nil {
			r.errs = append(r.errs, err)
		}
		// A copy whose original could not be deleted stays hidden until
		// its visibility expires rather than being released and
		// redriven twice.
		r.notDeleted += notDeleted
		r.moved += len(sent)
		if o.rate > 0 {
			due := start.Add(time.Duration(float64(r.moved) / float64(o.rate) * float64(time.Second)))
			select {
			case <-ctx.Done():
			case <-time.After(time.Until(due)):
			}
		}
	}
	return r
}

// sendCopies sends copies of the messages to q's queue, in batches within
// SendMessageBatch's limits (10 entries, 256 KiB), and returns those sent and
// those not.
func sendCopies(ctx context.Context, client *sqs.Client, q *busQueue, msgs []sqstypes.Message) (sent, failed []sqstypes.Message, err error) {
	const maxBatchBytes = 256 * 1024
	var firstErr error
	flush := func(batch []sqstypes.Message) {
		if len(batch) == 0 {
			return
		}
		entries := make([]sqstypes.SendMessageBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = sqstypes.SendMessageBatchRequestEntry{
				Id:                aws.String(strconv.Itoa(i)),
				MessageBody:       m.Body,
				MessageAttributes: originalAttributes(m.MessageAttributes),
			}
		}
		out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.QueueURL), Entries: entries})
		if err != nil {
			failed = append(failed, batch...)
			if firstErr == nil {
				firstErr = awsErr("SQS", "SendMessageBatch", q.Region, err)
			}
			return
		}
		ok := map[string]bool{}
		for _, s := range out.Successful {
			ok[aws.ToString(s.Id)] = true
		}
		for _, fe := range out.Failed {
			if firstErr == nil {
				firstErr = fmt.Errorf("SQS SendMessageBatch in %s: %s: %s", q.Region, aws.ToString(fe.Code), aws.ToString(fe.Message))
			}
		}
		for i, m := range batch {
			if ok[strconv.Itoa(i)] {
				sent = append(sent, m)
			} else {
				failed = append(failed, m)
			}
		}
	}
	var batch []sqstypes.Message
	size := 0
	for _, m := range msgs {
		n := messageSize(m)
		if len(batch) == 10 || (len(batch) > 0 && size+n > maxBatchBytes) {
			flush(batch)
			batch, size = nil, 0
		}
		batch = append(batch, m)
		size += n
	}
	flush(batch)
	return sent, failed, firstErr
}

// originalAttributes drops the regis.* attributes the consumer added when
// it dead-lettered the message; the others are the message's own.
func originalAttributes(attrs map[string]sqstypes.MessageAttributeValue) map[string]sqstypes.MessageAttributeValue {
	out := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range attrs {
		if strings.HasPrefix(k, "regis.") {
			continue
		}
		out[k] = sqstypes.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func messageSize(m sqstypes.Message) int {
	n := len(aws.ToString(m.Body))
	for k, v := range originalAttributes(m.MessageAttributes) {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// deleteMessages deletes the messages from q's DLQ and returns how many it
// could not delete.
func deleteMessages(ctx context.Context, client *sqs.Client, q *busQueue, msgs []sqstypes.Message) (int, error) {
	// Deleting is what makes the move complete: do it even if Ctrl-C
	// arrived after the copies were sent.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	notDeleted := 0
	var firstErr error
	for start := 0; start < len(msgs); start += 10 {
		batch := msgs[start:min(start+10, len(msgs))]
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.DLQURL), Entries: entries})
		if err != nil {
			notDeleted += len(batch)
			if firstErr == nil {
				firstErr = awsErr("SQS", "DeleteMessageBatch", q.Region, err)
			}
			continue
		}
		for _, fe := range out.Failed {
			notDeleted++
			if firstErr == nil {
				firstErr = fmt.Errorf("SQS DeleteMessageBatch in %s: %s: %s", q.Region, aws.ToString(fe.Code), aws.ToString(fe.Message))
			}
		}
	}
	return notDeleted, firstErr
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

// wrap breaks s into lines of at most width bytes at spaces, indenting the
// lines after the first.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(word) > width {
				b.WriteString("\n" + indent)
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
