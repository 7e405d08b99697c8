package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
)

func TestStatus(t *testing.T) {
	b := newTestBus(t)
	south, southeast := b.queues[otherRegion], b.queues[topicRegion]
	for range 3 {
		send(t, south.client, south.url, "x", nil)
	}
	send(t, southeast.client, southeast.url, "y", nil)
	send(t, southeast.client, southeast.url, "z", nil)
	// One in flight in ap-southeast-1.
	if out, err := southeast.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(southeast.url), VisibilityTimeout: 300}); err != nil || len(out.Messages) != 1 {
		t.Fatalf("ReceiveMessage: %v, %d messages", err, len(out.Messages))
	}
	send(t, south.client, south.dlqURL, "dead", nil)
	send(t, south.client, south.dlqURL, "dead", nil)
	// The consumer in ap-south-1 reports lag for messages from both regions;
	// ap-southeast-1's reports nothing.
	putLag(t, b, otherRegion, map[string]float64{topicRegion: 850, otherRegion: 120})

	t.Run("json", func(t *testing.T) {
		r := b.run(t, "", "status", "--topic-arn", b.topicARN, "--json")
		if r.code != exitOK {
			t.Fatalf("exit code %d, want 0", r.code)
		}
		var rep statusReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("--json output does not parse: %v", err)
		}
		if rep.TopicARN != b.topicARN || len(rep.Queues) != 2 {
			t.Fatalf("report for %s with %d queues, want %s with 2", rep.TopicARN, len(rep.Queues), b.topicARN)
		}
		// Sorted by region: ap-south-1 first.
		want := []queueStatus{
			{Region: otherRegion, Queue: south.queueName, Messages: 3, DLQ: south.dlqNm, DLQMessages: 2, DLQTotal: 2, MaxReceiveCount: testMaxReceives},
			{Region: topicRegion, Queue: southeast.queueName, Messages: 1, InFlight: 1, DLQ: southeast.dlqNm, MaxReceiveCount: testMaxReceives},
		}
		for i, w := range want {
			g := rep.Queues[i]
			if g.Region != w.Region || g.Queue != w.Queue || g.Messages != w.Messages || g.InFlight != w.InFlight || g.Delayed != w.Delayed ||
				g.DLQ != w.DLQ || g.DLQMessages != w.DLQMessages || g.DLQTotal != w.DLQTotal || g.MaxReceiveCount != w.MaxReceiveCount {
				t.Errorf("queue %d = %+v\nwant %+v", i, g, w)
			}
			if g.QueueURL == "" || g.DLQURL == "" || g.Error != "" {
				t.Errorf("queue %d: url %q, DLQ url %q, error %q", i, g.QueueURL, g.DLQURL, g.Error)
			}
			// Ages come from CloudWatch's AWS/SQS metric, which the
			// emulator may or may not know: n/a with a note, or plausible.
			if a := g.OldestMessageAgeSeconds; a != nil && (*a < 0 || *a > 600) {
				t.Errorf("queue %d: oldest message age %v s", i, *a)
			} else if a == nil && !strings.Contains(strings.Join(rep.Notes, "\n"), "oldest-message age n/a") {
				t.Errorf("queue %d: age n/a without a note: %q", i, rep.Notes)
			}
		}
		if rep.DLQMessages != 2 {
			t.Errorf("dlq_messages = %d, want 2", rep.DLQMessages)
		}
		if lag := rep.Queues[0].ReplicationLagMaxMs; lag == nil || *lag != 850 {
			t.Errorf("ap-south-1 replication_lag_max_ms = %v, want 850 (the worst origin)", lag)
		}
		if by := rep.Queues[0].ReplicationLagByOrigin; by[topicRegion] != 850 || by[otherRegion] != 120 {
			t.Errorf("ap-south-1 lag by origin = %v", by)
		}
		if rep.Queues[1].ReplicationLagMaxMs != nil {
			t.Errorf("ap-southeast-1 lag = %v, want n/a (no datapoints)", *rep.Queues[1].ReplicationLagMaxMs)
		}
		if !strings.Contains(strings.Join(rep.Notes, "\n"), "replication lag n/a") {
			t.Errorf("no note explains the n/a lag: %q", rep.Notes)
		}
	})

	t.Run("table", func(t *testing.T) {
		r := b.run(t, "", "status", "--topic-arn", b.topicARN)
		if r.code != exitOK {
			t.Fatalf("exit code %d, want 0", r.code)
		}
		rows := map[string][]string{}
		for _, line := range strings.Split(r.stdout, "\n") {
			if f := strings.Fields(line); len(f) > 0 && (f[0] == otherRegion || f[0] == topicRegion) {
				rows[f[0]] = f
			}
		}
		// REGION QUEUE VISIBLE IN-FLIGHT DELAYED OLDEST DLQ DLQ-OLDEST LAG;
		// the ages depend on the emulator's AWS/SQS metrics: not compared.
		wantRows := map[string][]string{
			otherRegion: {otherRegion, south.queueName, "3", "0", "0", "?", "2", "?", "850ms"},
			topicRegion: {topicRegion, southeast.queueName, "1", "1", "0", "?", "0", "?", "n/a"},
		}
		for region, w := range wantRows {
			g := rows[region]
			if len(g) != len(w) {
				t.Errorf("row %s = %q, want %q", region, g, w)
				continue
			}
			for i := range w {
				if w[i] != "?" && g[i] != w[i] {
					t.Errorf("row %s column %d = %q, want %q (row %q)", region, i, g[i], w[i], g)
				}
			}
		}
		if !strings.Contains(r.stdout, "2 dead letters") || !strings.Contains(r.stdout, "note: replication lag n/a") {
			t.Errorf("table output lacks the DLQ summary or the lag note:\n%s", r.stdout)
		}
	})

	t.Run("fail-on-dlq", func(t *testing.T) {
		if r := b.run(t, "", "status", "--topic-arn", b.topicARN, "--fail-on-dlq", "--no-metrics"); r.code != exitDLQNotEmpty {
			t.Errorf("exit code %d with a non-empty DLQ, want %d", r.code, exitDLQNotEmpty)
		}
		// Only the region whose DLQ is empty.
		if r := b.run(t, "", "status", "--topic-arn", b.topicARN, "--region", topicRegion, "--fail-on-dlq", "--json"); r.code != exitOK {
			t.Errorf("exit code %d with an empty DLQ, want 0", r.code)
		}
	})

	t.Run("cloudwatch unreadable", func(t *testing.T) {
		id := b.emu.InjectFault(emulator.Fault{Service: "monitoring", Action: "GetMetricData", Times: -1,
			Code: "AccessDenied", Message: "not allowed", Status: 403})
		defer b.emu.ClearFaults()
		r := b.run(t, "", "status", "--topic-arn", b.topicARN, "--json")
		var rep statusReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK {
			t.Fatalf("exit %d (CloudWatch is best effort: want 0), output does not parse: %v", r.code, err)
		}
		if b.emu.FaultHits(id) == 0 {
			t.Fatal("GetMetricData was not called")
		}
		notes := strings.Join(rep.Notes, "\n")
		if rep.Queues[0].ReplicationLagMaxMs != nil || !strings.Contains(notes, "CloudWatch GetMetricData in ap-south-1: AccessDenied") {
			t.Errorf("lag %v, notes %q: want n/a and the CloudWatch error", rep.Queues[0].ReplicationLagMaxMs, notes)
		}
		if rep.Queues[0].Messages != 3 {
			t.Errorf("depths lost with CloudWatch: %+v", rep.Queues[0])
		}
	})

	t.Run("queue-url", func(t *testing.T) {
		// The DLQ's URL leads to its queue.
		r := b.run(t, "", "status", "--queue-url", south.dlqURL, "--json")
		var rep statusReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != exitOK {
			t.Fatalf("exit %d, output does not parse: %v", r.code, err)
		}
		if len(rep.Queues) != 1 || rep.Queues[0].Queue != south.queueName || rep.Queues[0].Messages != 3 || rep.Queues[0].DLQTotal != 2 {
			t.Errorf("status --queue-url <dlq> = %+v", rep.Queues)
		}
	})
}

func TestStatusErrors(t *testing.T) {
	b := newTestBus(t)
	t.Run("topic not found", func(t *testing.T) {
		r := b.run(t, "", "status", "--topic-arn", "arn:aws:sns:ap-southeast-1:"+b.emu.AccountID()+":nope")
		if r.code != exitError || !strings.Contains(r.stderr, "not found") {
			t.Errorf("exit %d, stderr %q: want 1 and 'not found'", r.code, r.stderr)
		}
	})
	t.Run("no subscriptions", func(t *testing.T) {
		out, err := sns.NewFromConfig(b.config(topicRegion)).CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String("lonely")})
		if err != nil {
			t.Fatal(err)
		}
		r := b.run(t, "", "status", "--topic-arn", aws.ToString(out.TopicArn))
		if r.code != exitError || !strings.Contains(r.stderr, "no SQS subscriptions") {
			t.Errorf("exit %d, stderr %q: want 1 and 'no SQS subscriptions'", r.code, r.stderr)
		}
	})
	t.Run("region not in bus", func(t *testing.T) {
		r := b.run(t, "", "status", "--topic-arn", b.topicARN, "--region", "eu-west-1")
		if r.code != exitError || !strings.Contains(r.stderr, "no queue in eu-west-1") || !strings.Contains(r.stderr, otherRegion) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("aws error names operation and region", func(t *testing.T) {
		b.emu.RejectAccessKey("AKIDEMULATORTEST")
		r := b.run(t, "", "status", "--topic-arn", b.topicARN)
		if r.code != exitError || !strings.Contains(r.stderr, "SNS ListSubscriptionsByTopic in ap-southeast-1") || !strings.Contains(r.stderr, "InvalidClientTokenId") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// putLag publishes the consumer's ReplicationLagMax metric for region, one
// value per origin region, as its EMF logs would.
func putLag(t *testing.T, b *testBus, region string, byOrigin map[string]float64) {
	t.Helper()
	var data []cwtypes.MetricDatum
	for origin, ms := range byOrigin {
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String(contract.MetricReplicationLagMax),
			Dimensions: []cwtypes.Dimension{
				{Name: aws.String("OriginRegion"), Value: aws.String(origin)},
				{Name: aws.String("Region"), Value: aws.String(region)},
			},
			Value: aws.Float64(ms),
			Unit:  cwtypes.StandardUnitMilliseconds,
		})
	}
	cw := cloudwatch.NewFromConfig(b.config(region))
	if _, err := cw.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{
		Namespace: aws.String(contract.DefaultMetricsNamespace), MetricData: data,
	}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
}
