package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
)

// CloudWatch metrics status reads. SQS publishes the age of a queue's
// oldest message only as a metric (there is no queue attribute for it); the
// consumer publishes replication lag as EMF metrics with dimensions
// OriginRegion and Region.
const (
	sqsNamespace        = "AWS/SQS"
	sqsOldestAgeMetric  = "ApproximateAgeOfOldestMessage"
	metricPeriodSeconds = 60
	metricsTimeout      = 20 * time.Second
)

// datapoint is a metric's latest value.
type datapoint struct {
	Value float64
	At    time.Time
}

// regionMetrics are one region's metrics; nil entries had no datapoint in
// the window.
type regionMetrics struct {
	QueueAge    map[string]*datapoint // by queue name
	DLQAge      map[string]*datapoint // by queue name (of the source queue)
	LagByOrigin map[string]datapoint
	Err         error
}

// fetchRegionMetrics reads, in one GetMetricData call (and its pages), the
// latest datapoint within window of: the oldest-message age of each queue
// and DLQ, and the consumer's ReplicationLagMax from each origin region.
func fetchRegionMetrics(ctx context.Context, cw *cloudwatch.Client, region string, queues []*busQueue, origins []string, namespace string, now time.Time, window time.Duration) regionMetrics {
	ctx, cancel := context.WithTimeout(ctx, metricsTimeout)
	defer cancel()
	rm := regionMetrics{QueueAge: map[string]*datapoint{}, DLQAge: map[string]*datapoint{}, LagByOrigin: map[string]datapoint{}}

	type target struct {
		set  map[string]*datapoint
		key  string
		lag  bool
		name string
	}
	targets := map[string]target{}
	var queries []cwtypes.MetricDataQuery
	add := func(id, ns, metric string, dims []cwtypes.Dimension, t target) {
		targets[id] = t
		queries = append(queries, cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric), Dimensions: dims},
				Period: aws.Int32(metricPeriodSeconds),
				Stat:   aws.String("Maximum"),
			},
			ReturnData: aws.Bool(true),
		})
	}
	for i, q := range queues {
		if q.QueueARN == "" {
			continue
		}
		add("queue"+strconv.Itoa(i), sqsNamespace, sqsOldestAgeMetric,
			[]cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(q.Name())}},
			target{set: rm.QueueAge, key: q.Name()})
		if q.DLQARN != "" {
			add("dlq"+strconv.Itoa(i), sqsNamespace, sqsOldestAgeMetric,
				[]cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(q.DLQName())}},
				target{set: rm.DLQAge, key: q.Name()})
		}
	}
	for i, o := range origins {
		add("lag"+strconv.Itoa(i), namespace, consumer.MetricReplicationLagMax,
			[]cwtypes.Dimension{
				{Name: aws.String("OriginRegion"), Value: aws.String(o)},
				{Name: aws.String("Region"), Value: aws.String(region)},
			},
			target{lag: true, name: o})
	}
	if len(queries) == 0 {
		return rm
	}
	pages := cloudwatch.NewGetMetricDataPaginator(cw, &cloudwatch.GetMetricDataInput{
		MetricDataQueries: queries,
		StartTime:         aws.Time(now.Add(-window)),
		// A minute ahead: a datapoint stamped while the call travels
		// still counts.
		EndTime: aws.Time(now.Add(time.Minute)),
		ScanBy:  cwtypes.ScanByTimestampDescending,
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			rm.Err = awsErr("CloudWatch", "GetMetricData", region, err)
			return rm
		}
		for _, r := range page.MetricDataResults {
			t, ok := targets[aws.ToString(r.Id)]
			if !ok || len(r.Values) == 0 || len(r.Timestamps) == 0 {
				continue
			}
			// Newest first; keep the newest seen across pages.
			dp := datapoint{Value: r.Values[0], At: r.Timestamps[0]}
			for k := range r.Timestamps {
				if r.Timestamps[k].After(dp.At) {
					dp = datapoint{Value: r.Values[k], At: r.Timestamps[k]}
				}
			}
			if t.lag {
				if old, ok := rm.LagByOrigin[t.name]; !ok || dp.At.After(old.At) {
					rm.LagByOrigin[t.name] = dp
				}
				continue
			}
			if old := t.set[t.key]; old == nil || dp.At.After(old.At) {
				d := dp
				t.set[t.key] = &d
			}
		}
	}
	return rm
}

// formatAge prints a duration in seconds compactly: 45s, 3m05s, 2h10m, 3d4h.
func formatAge(seconds *float64) string {
	if seconds == nil {
		return "n/a"
	}
	d := time.Duration(*seconds * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// formatMillis prints milliseconds: 850ms, 1.2s, 3m05s.
func formatMillis(ms *float64) string {
	if ms == nil {
		return "n/a"
	}
	switch {
	case *ms < 1000:
		return fmt.Sprintf("%.0fms", *ms)
	case *ms < 60000:
		return fmt.Sprintf("%.1fs", *ms/1000)
	}
	s := *ms / 1000
	return formatAge(&s)
}
