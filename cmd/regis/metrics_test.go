package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestConsumerBusName(t *testing.T) {
	q := func(arn string) *busQueue { return &busQueue{QueueARN: arn} }
	for _, tc := range []struct {
		queues []*busQueue
		want   string
	}{
		{[]*busQueue{q("arn:aws:sqs:eu-west-1:123456789012:hotels")}, "hotels"},
		{[]*busQueue{q("arn:aws:sqs:eu-west-1:123456789012:hotels"), q("arn:aws:sqs:eu-west-1:123456789012:hotels")}, "hotels"},
		{[]*busQueue{q("arn:aws:sqs:eu-west-1:123456789012:hotels"), q("arn:aws:sqs:eu-west-1:123456789012:flights")}, ""},
		{[]*busQueue{q("")}, ""},
		{nil, ""},
	} {
		if got := consumerBusName(tc.queues); got != tc.want {
			t.Errorf("consumerBusName(%d queues) = %q, want %q", len(tc.queues), got, tc.want)
		}
	}
}

// TestFetchLagPerBus publishes the consumer's lag as consumers of two buses
// in one region do (per bus, and for the region as a whole), plus an older
// consumer's (region only) and an idle bus, and checks which figures each
// bus's status reads.
func TestFetchLagPerBus(t *testing.T) {
	const region, origin = "eu-west-1", "us-east-1"
	emu := emulatortest.Start(t)
	cw := cloudwatch.NewFromConfig(emulatortest.Config(t, emu, region))
	ctx := context.Background()
	now := time.Now()
	put := func(bus string, ms float64, at time.Time) {
		t.Helper()
		dims := []cwtypes.Dimension{
			{Name: aws.String(contract.DimensionOriginRegion), Value: aws.String(origin)},
			{Name: aws.String(contract.DimensionRegion), Value: aws.String(region)},
		}
		data := []cwtypes.MetricDatum{{MetricName: aws.String(contract.MetricReplicationLagMax), Dimensions: dims,
			Value: aws.Float64(ms), Unit: cwtypes.StandardUnitMilliseconds, Timestamp: aws.Time(at)}}
		if bus != "" {
			data = append(data, cwtypes.MetricDatum{MetricName: aws.String(contract.MetricReplicationLagMax),
				Dimensions: append([]cwtypes.Dimension{{Name: aws.String(contract.DimensionBus), Value: aws.String(bus)}}, dims...),
				Value:      aws.Float64(ms), Unit: cwtypes.StandardUnitMilliseconds, Timestamp: aws.Time(at)})
		}
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
			Namespace: aws.String(contract.DefaultMetricsNamespace), MetricData: data,
		}); err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
	}
	fetch := func(bus string) regionMetrics {
		t.Helper()
		queues := []*busQueue{{Region: region, QueueARN: "arn:aws:sqs:" + region + ":123456789012:" + bus}}
		rm := fetchRegionMetrics(ctx, cw, region, queues, []string{origin}, contract.DefaultMetricsNamespace, time.Now(), 15*time.Minute)
		if rm.Err != nil {
			t.Fatalf("%s: %v", bus, rm.Err)
		}
		return rm
	}

	t.Run("region only: every bus's figure", func(t *testing.T) {
		// An older consumer (no Bus dimension) is all there is.
		put("", 700, now.Add(-time.Minute))
		rm := fetch("legacy")
		if dp, ok := rm.LagByOrigin[origin]; !ok || dp.Value != 700 || !rm.LagAllBuses || rm.Bus != "legacy" {
			t.Fatalf("lag %+v, all buses %v: want the region's 700", rm.LagByOrigin, rm.LagAllBuses)
		}
	})

	// Two buses' consumers, each publishing both dimension sets.
	put("hotels", 120, now.Add(-30*time.Second))
	put("flights", 950, now.Add(-20*time.Second))
	// A bus whose consumer publishes the Bus dimension but applied nothing
	// in the window.
	put("idle", 5, now.Add(-3*time.Hour))

	t.Run("each bus its own figure", func(t *testing.T) {
		for bus, want := range map[string]float64{"hotels": 120, "flights": 950} {
			rm := fetch(bus)
			if dp, ok := rm.LagByOrigin[origin]; !ok || dp.Value != want || rm.LagAllBuses {
				t.Errorf("%s: lag %+v (all buses %v), want %v", bus, rm.LagByOrigin, rm.LagAllBuses, want)
			}
		}
	})

	t.Run("idle bus shows no other bus's figure", func(t *testing.T) {
		rm := fetch("idle")
		if len(rm.LagByOrigin) != 0 || rm.LagAllBuses {
			t.Errorf("idle bus: lag %+v (all buses %v), want none", rm.LagByOrigin, rm.LagAllBuses)
		}
	})

	t.Run("ListMetrics refused: no fallback", func(t *testing.T) {
		id := emu.InjectFault(emulator.Fault{Service: "monitoring", Action: "ListMetrics", Times: -1,
			Code: "AccessDenied", Message: "not allowed", Status: 403})
		defer emu.ClearFaults()
		rm := fetch("legacy2")
		if emu.FaultHits(id) == 0 {
			t.Fatal("ListMetrics was not called")
		}
		if len(rm.LagByOrigin) != 0 || rm.Err != nil {
			t.Errorf("lag %+v, err %v: want none, and no error (the lag is best effort)", rm.LagByOrigin, rm.Err)
		}
	})
}
