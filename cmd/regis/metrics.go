package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// CloudWatch metrics status reads. SQS publishes the age of a queue's
// oldest message only as a metric (there is no queue attribute for it); the
// consumer publishes replication lag as EMF metrics with dimensions
// [Bus, OriginRegion, Region] when it knows its bus name, and always
// [OriginRegion, Region] (every bus of the region together).
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
	// Bus is the Bus dimension the lag was looked up with ("": none known).
	Bus string
	// LagAllBuses is set when LagByOrigin comes from the metrics without
	// the Bus dimension (every bus of the region together): the bus is
	// unknown, or its consumer does not publish the Bus dimension (older
	// than it, or without REGIS_BUS_NAME).
	LagAllBuses bool
	Err         error
}

// consumerBusName is the Bus dimension the consumer of these queues
// publishes its metrics under. regis_bus sets the consumer's REGIS_BUS_NAME
// to the bus name and names the bus's SNS topic and every region's queue
// after it (contract.QueueName), so the queues' name is the bus name.
// "" when the queues disagree: not a regis_bus, so no Bus to look for.
func consumerBusName(queues []*busQueue) string {
	name := ""
	for _, q := range queues {
		switch n := q.Name(); {
		case n == "":
			return ""
		case name == "":
			name = n
		case n != name:
			return ""
		}
	}
	return name
}

// fetchRegionMetrics reads, in one GetMetricData call (and its pages), the
// latest datapoint within window of: the oldest-message age of each queue
// and DLQ, and the consumer's ReplicationLagMax from each origin region.
// The lag is looked up for the bus (consumerBusName) and for the region as
// a whole; the bus's figures win. Without any for the bus, the region's
// are used only if the bus's consumer does not publish the Bus dimension at
// all (ListMetrics: no such metric in the last two weeks), so that an idle
// bus does not show another bus's lag.
func fetchRegionMetrics(ctx context.Context, cw *cloudwatch.Client, region string, queues []*busQueue, origins []string, namespace string, now time.Time, window time.Duration) regionMetrics {
	ctx, cancel := context.WithTimeout(ctx, metricsTimeout)
	defer cancel()
	rm := regionMetrics{QueueAge: map[string]*datapoint{}, DLQAge: map[string]*datapoint{}, LagByOrigin: map[string]datapoint{},
		Bus: consumerBusName(queues)}
	lagAll := map[string]datapoint{} // without the Bus dimension

	type target struct {
		set  map[string]*datapoint
		key  string
		lag  map[string]datapoint // set for lag queries
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
		dims := []cwtypes.Dimension{
			{Name: aws.String(contract.DimensionOriginRegion), Value: aws.String(o)},
			{Name: aws.String(contract.DimensionRegion), Value: aws.String(region)},
		}
		add("lag"+strconv.Itoa(i), namespace, contract.MetricReplicationLagMax, dims, target{lag: lagAll, name: o})
		if rm.Bus != "" {
			add("buslag"+strconv.Itoa(i), namespace, contract.MetricReplicationLagMax,
				append([]cwtypes.Dimension{{Name: aws.String(contract.DimensionBus), Value: aws.String(rm.Bus)}}, dims...),
				target{lag: rm.LagByOrigin, name: o})
		}
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
			if t.lag != nil {
				if old, ok := t.lag[t.name]; !ok || dp.At.After(old.At) {
					t.lag[t.name] = dp
				}
				continue
			}
			if old := t.set[t.key]; old == nil || dp.At.After(old.At) {
				d := dp
				t.set[t.key] = &d
			}
		}
	}
	if len(rm.LagByOrigin) == 0 && len(lagAll) > 0 && (rm.Bus == "" || !publishesBus(ctx, cw, namespace, region, rm.Bus)) {
		rm.LagByOrigin, rm.LagAllBuses = lagAll, true
	}
	return rm
}

// publishesBus tells whether the consumer of bus in region publishes its
// lag with the Bus dimension: CloudWatch lists a metric for two weeks after
// its last datapoint. When ListMetrics fails it says yes, so that the
// caller shows no figure rather than possibly another bus's.
func publishesBus(ctx context.Context, cw *cloudwatch.Client, namespace, region, bus string) bool {
	out, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(namespace),
		MetricName: aws.String(contract.MetricReplicationLagMax),
		Dimensions: []cwtypes.DimensionFilter{
			{Name: aws.String(contract.DimensionBus), Value: aws.String(bus)},
			{Name: aws.String(contract.DimensionRegion), Value: aws.String(region)},
		},
	})
	return err != nil || len(out.Metrics) > 0
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
