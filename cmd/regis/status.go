package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

const statusUsage = `
Usage: regis status (--topic-arn ARN | --queue-url URL) [flags]

Shows, for each region of the bus: the queue's visible, in-flight and delayed
messages, its DLQ's messages (all states), the age of the oldest message in
both, and the consumer's replication lag.

Depths are SQS's approximate counts (GetQueueAttributes). SQS exposes the age
of the oldest message only as the CloudWatch metric AWS/SQS
ApproximateAgeOfOldestMessage, and the lag comes from the consumer's metric
ReplicationLagMax (namespace Regis by default): both are the latest datapoint
within --metrics-window, "n/a" when CloudWatch has none or cannot be read.

With --fail-on-dlq the exit code is 3 when any DLQ holds messages, for cron
jobs and CI checks (1 still means that something could not be read).
`

// statusReport is the --json output.
type statusReport struct {
	TopicARN    string        `json:"topic_arn,omitempty"`
	Queues      []queueStatus `json:"queues"`
	DLQMessages int64         `json:"dlq_messages"` // all DLQs, all states
	Notes       []string      `json:"notes,omitempty"`
}

type queueStatus struct {
	Region   string `json:"region"`
	Queue    string `json:"queue"`
	QueueURL string `json:"queue_url,omitempty"`
	QueueARN string `json:"queue_arn,omitempty"`

	Messages                int64    `json:"messages"`                   // ApproximateNumberOfMessages
	InFlight                int64    `json:"in_flight"`                  // …NotVisible
	Delayed                 int64    `json:"delayed"`                    // …Delayed
	OldestMessageAgeSeconds *float64 `json:"oldest_message_age_seconds"` // CloudWatch, null if n/a

	DLQ                        string   `json:"dlq,omitempty"`
	DLQURL                     string   `json:"dlq_url,omitempty"`
	DLQARN                     string   `json:"dlq_arn,omitempty"`
	MaxReceiveCount            int      `json:"max_receive_count,omitempty"`
	DLQMessages                int64    `json:"dlq_messages"`
	DLQInFlight                int64    `json:"dlq_in_flight"`
	DLQDelayed                 int64    `json:"dlq_delayed"`
	DLQTotal                   int64    `json:"dlq_total"`
	DLQOldestMessageAgeSeconds *float64 `json:"dlq_oldest_message_age_seconds"`

	// ReplicationLagMaxMs is the highest of the latest ReplicationLagMax
	// datapoints of each origin region; null if n/a.
	ReplicationLagMaxMs    *float64           `json:"replication_lag_max_ms"`
	ReplicationLagByOrigin map[string]float64 `json:"replication_lag_max_ms_by_origin,omitempty"`

	Error string `json:"error,omitempty"`
}

func (a *app) status(ctx context.Context, args []string) int {
	f := a.newFlags("status", statusUsage)
	bf := f.busFlags()
	asJSON := f.Bool("json", false, "print JSON instead of a table")
	failOnDLQ := f.Bool("fail-on-dlq", false, "exit with code 3 when any DLQ holds messages")
	noMetrics := f.Bool("no-metrics", false, "do not call CloudWatch (age and lag become n/a)")
	namespace := f.String("metrics-namespace", contract.DefaultMetricsNamespace, "CloudWatch `namespace` of the consumer's metrics")
	window := f.Duration("metrics-window", 15*time.Minute, "how far back to look for the latest CloudWatch datapoint")
	if code, ok := f.parse(args); !ok {
		return code
	}
	if code := bf.check(f); code != 0 {
		return code
	}
	if *window < time.Minute {
		return f.usageError("--metrics-window must be at least 1m")
	}
	c, err := a.clients(ctx, bf.aws)
	if err != nil {
		return a.fail(ctx, "status", err)
	}
	b, err := a.discover(ctx, c, bf)
	if err != nil {
		return a.fail(ctx, "status", err)
	}

	rep := statusReport{TopicARN: b.TopicARN}
	failed := false
	for _, q := range b.Queues {
		qs := queueStatus{Region: q.Region, Queue: q.Name(), QueueURL: q.QueueURL, QueueARN: q.QueueARN}
		if q.Attrs != nil {
			qs.Messages = attrInt(q.Attrs, "ApproximateNumberOfMessages")
			qs.InFlight = attrInt(q.Attrs, "ApproximateNumberOfMessagesNotVisible")
			qs.Delayed = attrInt(q.Attrs, "ApproximateNumberOfMessagesDelayed")
		}
		if q.DLQARN != "" {
			qs.DLQ, qs.DLQURL, qs.DLQARN, qs.MaxReceiveCount = q.DLQName(), q.DLQURL, q.DLQARN, q.MaxReceiveCount
		}
		if q.DLQAttrs != nil {
			qs.DLQMessages = attrInt(q.DLQAttrs, "ApproximateNumberOfMessages")
			qs.DLQInFlight = attrInt(q.DLQAttrs, "ApproximateNumberOfMessagesNotVisible")
			qs.DLQDelayed = attrInt(q.DLQAttrs, "ApproximateNumberOfMessagesDelayed")
			qs.DLQTotal = qs.DLQMessages + qs.DLQInFlight + qs.DLQDelayed
		}
		switch {
		case q.Err != nil:
			qs.Error = q.Err.Error()
			failed = true
		case q.DLQARN == "":
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: queue %s has no dead-letter queue (no RedrivePolicy): poison messages are retried until they expire", q.Region, q.Name()))
		}
		rep.DLQMessages += qs.DLQTotal
		rep.Queues = append(rep.Queues, qs)
	}

	if *noMetrics {
		rep.Notes = append(rep.Notes, "CloudWatch not queried (--no-metrics): oldest-message age and replication lag are n/a")
	} else {
		rep.Notes = append(rep.Notes, a.addMetrics(ctx, c, b, rep.Queues, *namespace, *window)...)
	}

	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return a.fail(ctx, "status", err)
		}
	} else {
		printStatus(a.stdout, &rep)
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed:
		return exitError
	case *failOnDLQ && rep.DLQMessages > 0:
		if *asJSON {
			fmt.Fprintf(a.stderr, "regis status: the DLQs hold %d messages\n", rep.DLQMessages)
		}
		return exitDLQNotEmpty
	}
	return exitOK
}

// addMetrics fills in the CloudWatch figures, one call per region, and
// returns notes about what could not be read.
func (a *app) addMetrics(ctx context.Context, c *clients, b *bus, rows []queueStatus, namespace string, window time.Duration) []string {
	byRegion := map[string][]*busQueue{}
	for _, q := range b.Queues {
		if q.Err == nil {
			byRegion[q.Region] = append(byRegion[q.Region], q)
		}
	}
	results := map[string]regionMetrics{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	now := a.now()
	for region, qs := range byRegion {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rm := fetchRegionMetrics(ctx, c.CloudWatch(region), region, qs, b.Regions, namespace, now, window)
			mu.Lock()
			results[region] = rm
			mu.Unlock()
		}()
	}
	wg.Wait()

	var notes, unreadable []string
	noAge, noLag := false, false
	for i := range rows {
		r := &rows[i]
		rm, ok := results[r.Region]
		if !ok {
			continue
		}
		if rm.Err != nil {
			unreadable = append(unreadable, rm.Err.Error())
			continue
		}
		if dp := rm.QueueAge[r.Queue]; dp != nil {
			v := dp.Value
			r.OldestMessageAgeSeconds = &v
		} else {
			noAge = true
		}
		if dp := rm.DLQAge[r.Queue]; dp != nil {
			v := dp.Value
			r.DLQOldestMessageAgeSeconds = &v
		}
		if len(rm.LagByOrigin) == 0 {
			noLag = true
			continue
		}
		r.ReplicationLagByOrigin = map[string]float64{}
		var worst float64
		for o, dp := range rm.LagByOrigin {
			r.ReplicationLagByOrigin[o] = dp.Value
			worst = max(worst, dp.Value)
		}
		r.ReplicationLagMaxMs = &worst
	}
	if len(unreadable) > 0 {
		sort.Strings(unreadable)
		notes = append(notes, "CloudWatch could not be read, so oldest-message age and replication lag are n/a there: "+strings.Join(uniqueSorted(unreadable), "; "))
	}
	if noAge {
		notes = append(notes, fmt.Sprintf("oldest-message age n/a: no AWS/SQS %s datapoint in the last %s (SQS stops publishing metrics for queues idle for hours)", sqsOldestAgeMetric, window))
	}
	if noLag {
		notes = append(notes, fmt.Sprintf("replication lag n/a: no %s/%s datapoint in the last %s (no message applied, or the consumer's metrics are elsewhere: --metrics-namespace)", namespace, contract.MetricReplicationLagMax, window))
	}
	return notes
}

func printStatus(w io.Writer, rep *statusReport) {
	if rep.TopicARN != "" {
		fmt.Fprintf(w, "Bus %s\n\n", rep.TopicARN)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tQUEUE\tVISIBLE\tIN FLIGHT\tDELAYED\tOLDEST\tDLQ\tDLQ OLDEST\tLAG (MAX)")
	var errs []string
	for _, r := range rep.Queues {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\terror\t\t\t\t\t\t\n", r.Region, r.Queue)
			errs = append(errs, r.Region+": "+r.Error)
			continue
		}
		dlq := "-"
		if r.DLQ != "" {
			dlq = fmt.Sprint(r.DLQTotal)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", r.Region, r.Queue, r.Messages, r.InFlight, r.Delayed,
			formatAge(r.OldestMessageAgeSeconds), dlq, formatAge(r.DLQOldestMessageAgeSeconds), formatMillis(r.ReplicationLagMaxMs))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if rep.DLQMessages > 0 {
		fmt.Fprintf(w, "%d dead letters: see them with 'regis dlq peek', retry them with 'regis dlq redrive'.\n", rep.DLQMessages)
	} else {
		fmt.Fprintln(w, "The DLQs are empty.")
	}
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// fail reports a command's error and returns its exit code.
func (a *app) fail(ctx context.Context, cmd string, err error) int {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintf(a.stderr, "regis %s: interrupted\n", cmd)
		return exitInterrupted
	}
	fmt.Fprintf(a.stderr, "regis %s: %v\n", cmd, err)
	return exitError
}
