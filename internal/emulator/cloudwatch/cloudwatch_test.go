package cloudwatch_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/cloudwatch"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

const region = "eu-west-1"

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func cwClient(t *testing.T, emu *emulator.Emulator) *cw.Client {
	return cw.NewFromConfig(emulatortest.Config(t, emu, region))
}

func service(t *testing.T, emu *emulator.Emulator) *cloudwatch.Service {
	t.Helper()
	s, ok := emu.Service("monitoring").(*cloudwatch.Service)
	if !ok {
		t.Fatalf("monitoring service is %T", emu.Service("monitoring"))
	}
	return s
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("expected API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("expected %s, got %s (%v)", code, ae.ErrorCode(), err)
	}
}

func basicAlarm(name string) *cw.PutMetricAlarmInput {
	return &cw.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		AlarmDescription:   aws.String("messages are failing"),
		Namespace:          aws.String("AWS/SQS"),
		MetricName:         aws.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:         []types.Dimension{{Name: aws.String("QueueName"), Value: aws.String("regis-dlq")}},
		Statistic:          types.StatisticMaximum,
		Period:             aws.Int32(60),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(0),
		ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData:   aws.String("notBreaching"),
	}
}

func TestAlarmRoundTripCBOR(t *testing.T) {
	emu := emulatortest.Start(t)
	c := cwClient(t, emu)

	in := basicAlarm("regis-dlq-not-empty")
	in.Tags = []types.Tag{{Key: aws.String("app"), Value: aws.String("regis")}}
	in.AlarmActions = []string{"arn:aws:sns:" + region + ":" + emu.AccountID() + ":alerts"}
	if _, err := c.PutMetricAlarm(ctx(t), in); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	for _, n := range []string{"b-alarm", "c-alarm"} {
		if _, err := c.PutMetricAlarm(ctx(t), basicAlarm(n)); err != nil {
			t.Fatalf("PutMetricAlarm %s: %v", n, err)
		}
	}

	out, err := c.DescribeAlarms(ctx(t), &cw.DescribeAlarmsInput{AlarmNames: []string{"regis-dlq-not-empty"}})
	if err != nil {
		t.Fatalf("DescribeAlarms: %v", err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms returned %d alarms", len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:"+region+":"+emu.AccountID()+":alarm:regis-dlq-not-empty" ||
		aws.ToString(a.MetricName) != "ApproximateNumberOfMessagesVisible" || aws.ToInt32(a.Period) != 60 ||
		aws.ToFloat64(a.Threshold) != 0 || a.ComparisonOperator != types.ComparisonOperatorGreaterThanThreshold ||
		len(a.Dimensions) != 1 || aws.ToString(a.Dimensions[0].Value) != "regis-dlq" || len(a.AlarmActions) != 1 ||
		a.AlarmConfigurationUpdatedTimestamp == nil || a.AlarmConfigurationUpdatedTimestamp.IsZero() || !aws.ToBool(a.ActionsEnabled) {
		t.Fatalf("alarm did not round-trip: %+v", a)
	}

	// Prefix, pagination.
	var names []string
	p := cw.NewDescribeAlarmsPaginator(c, &cw.DescribeAlarmsInput{MaxRecords: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("DescribeAlarms page: %v", err)
		}
		for _, a := range page.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	if strings.Join(names, ",") != "b-alarm,c-alarm,regis-dlq-not-empty" {
		t.Fatalf("paginated names = %v", names)
	}
	pre, err := c.DescribeAlarms(ctx(t), &cw.DescribeAlarmsInput{AlarmNamePrefix: aws.String("regis-")})
	if err != nil || len(pre.MetricAlarms) != 1 {
		t.Fatalf("prefix = %v, %v", pre, err)
	}

	tags, err := c.ListTagsForResource(ctx(t), &cw.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "app" {
		t.Fatalf("ListTagsForResource = %v, %v", tags, err)
	}
	if _, err := c.TagResource(ctx(t), &cw.TagResourceInput{ResourceARN: a.AlarmArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("x")}}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := c.UntagResource(ctx(t), &cw.UntagResourceInput{ResourceARN: a.AlarmArn, TagKeys: []string{"app"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	tags, _ = c.ListTagsForResource(ctx(t), &cw.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags = %v", tags.Tags)
	}

	// Validation errors decode with the query-compatible codes.
	bad := basicAlarm("bad")
	bad.Period = aws.Int32(45)
	_, err = c.PutMetricAlarm(ctx(t), bad)
	wantCode(t, err, "ValidationError")
	bad = basicAlarm("bad")
	bad.Statistic = ""
	_, err = c.PutMetricAlarm(ctx(t), bad)
	wantCode(t, err, "InvalidParameterCombination")
	bad = basicAlarm("bad")
	bad.AlarmActions = []string{"arn:aws:sns:us-east-1:" + emu.AccountID() + ":elsewhere"}
	_, err = c.PutMetricAlarm(ctx(t), bad)
	wantCode(t, err, "ValidationError")
	_, err = c.DeleteAlarms(ctx(t), &cw.DeleteAlarmsInput{AlarmNames: []string{"nope"}})
	wantCode(t, err, "ResourceNotFound")
	var rnf *types.ResourceNotFound
	if !errors.As(err, &rnf) {
		t.Fatalf("DeleteAlarms error is %T, want *types.ResourceNotFound", err)
	}

	if _, err := c.DeleteAlarms(ctx(t), &cw.DeleteAlarmsInput{AlarmNames: []string{"regis-dlq-not-empty", "b-alarm", "c-alarm"}}); err != nil {
		t.Fatalf("DeleteAlarms: %v", err)
	}
	if inv := emu.Inventory(); len(filter(inv)) != 0 {
		t.Fatalf("alarms left: %v", inv)
	}
	// Another region never saw them.
	other := cw.NewFromConfig(emulatortest.Config(t, emu, "us-east-1"))
	o, err := other.DescribeAlarms(ctx(t), &cw.DescribeAlarmsInput{})
	if err != nil || len(o.MetricAlarms) != 0 {
		t.Fatalf("other region = %v, %v", o, err)
	}
}

func filter(inv []core.Resource) []core.Resource {
	var out []core.Resource
	for _, r := range inv {
		if r.Service == "monitoring" {
			out = append(out, r)
		}
	}
	return out
}

// queryCall sends a raw query-protocol request, as boto3 and the CLI do.
func queryCall(t *testing.T, emu *emulator.Emulator, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, emu.URL()+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDQUERY/20240101/"+region+"/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestQueryProtocol(t *testing.T) {
	emu := emulatortest.Start(t)
	status, body := queryCall(t, emu, url.Values{
		"Action": {"PutMetricAlarm"}, "Version": {"2010-08-01"},
		"AlarmName": {"q-alarm"}, "Namespace": {"Regis"}, "MetricName": {"Lag"},
		"Dimensions.member.1.Name": {"Region"}, "Dimensions.member.1.Value": {"eu-west-1"},
		"Statistic": {"Average"}, "Period": {"60"}, "EvaluationPeriods": {"2"}, "DatapointsToAlarm": {"1"},
		"Threshold": {"1.5"}, "ComparisonOperator": {"GreaterThanOrEqualToThreshold"},
		"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"infra"},
	})
	if status != 200 || !strings.Contains(body, "<PutMetricAlarmResponse") {
		t.Fatalf("PutMetricAlarm (query) = %d %s", status, body)
	}
	status, body = queryCall(t, emu, url.Values{"Action": {"DescribeAlarms"}, "Version": {"2010-08-01"}, "AlarmNames.member.1": {"q-alarm"}})
	if status != 200 {
		t.Fatalf("DescribeAlarms (query) = %d %s", status, body)
	}
	var parsed struct {
		Result struct {
			Alarms []struct {
				Name       string  `xml:"AlarmName"`
				Threshold  float64 `xml:"Threshold"`
				Evaluation int     `xml:"EvaluationPeriods"`
				Dimensions []struct {
					Name  string `xml:"Name"`
					Value string `xml:"Value"`
				} `xml:"Dimensions>member"`
				State string `xml:"StateValue"`
			} `xml:"MetricAlarms>member"`
		} `xml:"DescribeAlarmsResult"`
	}
	if err := xml.Unmarshal([]byte(body), &parsed); err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	if len(parsed.Result.Alarms) != 1 || parsed.Result.Alarms[0].Threshold != 1.5 || parsed.Result.Alarms[0].Evaluation != 2 ||
		len(parsed.Result.Alarms[0].Dimensions) != 1 || parsed.Result.Alarms[0].Dimensions[0].Value != "eu-west-1" {
		t.Fatalf("DescribeAlarms (query) = %+v\n%s", parsed, body)
	}
	if !strings.Contains(body, `xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"`) {
		t.Fatalf("missing namespace: %s", body)
	}
	// The same alarm through the SDK (CBOR).
	out, err := cwClient(t, emu).DescribeAlarms(ctx(t), &cw.DescribeAlarmsInput{AlarmNames: []string{"q-alarm"}})
	if err != nil || len(out.MetricAlarms) != 1 || aws.ToFloat64(out.MetricAlarms[0].Threshold) != 1.5 {
		t.Fatalf("DescribeAlarms (CBOR) = %+v, %v", out, err)
	}
	// awsJson1_0, as some SDKs speak it.
	req, _ := http.NewRequest(http.MethodPost, emu.URL()+"/", strings.NewReader(`{"AlarmNames":["q-alarm"]}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.DescribeAlarms")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDJSON/20240101/"+region+"/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		MetricAlarms []struct {
			AlarmName                          string
			Threshold                          float64
			AlarmConfigurationUpdatedTimestamp float64
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&js)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(js.MetricAlarms) != 1 || js.MetricAlarms[0].Threshold != 1.5 || js.MetricAlarms[0].AlarmConfigurationUpdatedTimestamp < 1e9 {
		t.Fatalf("DescribeAlarms (JSON) = %d %+v %v", resp.StatusCode, js, err)
	}
	// The admin hook evaluates alarms: no data yet, so INSUFFICIENT_DATA.
	resp, err = http.Post(emu.URL()+"/_emulator/monitoring/evaluate", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /_emulator/monitoring/evaluate = %v, %v", resp, err)
	}
	resp.Body.Close()
	if st, _ := service(t, emu).AlarmState(region, "q-alarm"); st != "INSUFFICIENT_DATA" {
		t.Fatalf("state = %s", st)
	}
	// Errors use the query codes.
	status, body = queryCall(t, emu, url.Values{"Action": {"PutMetricAlarm"}, "AlarmName": {"x"}, "Namespace": {"R"}, "MetricName": {"M"},
		"Period": {"60"}, "EvaluationPeriods": {"1"}, "Threshold": {"1"}, "ComparisonOperator": {"GreaterThanThreshold"}})
	if status != 400 || !strings.Contains(body, "<Code>InvalidParameterCombination</Code>") {
		t.Fatalf("error (query) = %d %s", status, body)
	}
}

func TestMetricDataAndStatistics(t *testing.T) {
	emu := emulatortest.Start(t)
	c := cwClient(t, emu)
	now := emu.Clock().Now()
	dims := []types.Dimension{{Name: aws.String("Function"), Value: aws.String("consumer")}}
	_, err := c.PutMetricData(ctx(t), &cw.PutMetricDataInput{
		Namespace: aws.String("Regis"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("Applied"), Dimensions: dims, Value: aws.Float64(3), Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-30 * time.Second))},
			{MetricName: aws.String("Applied"), Dimensions: dims, Values: []float64{1, 2}, Counts: []float64{1, 2}, Unit: types.StandardUnitCount, Timestamp: aws.Time(now.Add(-20 * time.Second))},
		},
	})
	if err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	_, err = c.PutMetricData(ctx(t), &cw.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
	wantCode(t, err, "InvalidParameterValue")

	// An EMF line handed over by Lambda adds to the same series.
	emf := map[string]any{
		"_aws": map[string]any{"Timestamp": now.Add(-10 * time.Second).UnixMilli(), "CloudWatchMetrics": []any{map[string]any{
			"Namespace": "Regis", "Dimensions": [][]string{{"Function"}}, "Metrics": []any{map[string]any{"Name": "Applied", "Unit": "Count"}},
		}}},
		"Function": "consumer", "Applied": 4,
	}
	line, _ := json.Marshal(emf)
	service(t, emu).IngestEMF(region, "/aws/lambda/consumer", line)

	st, err := c.GetMetricStatistics(ctx(t), &cw.GetMetricStatisticsInput{
		Namespace: aws.String("Regis"), MetricName: aws.String("Applied"), Dimensions: dims,
		StartTime: aws.Time(now.Add(-5 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount, types.StatisticMaximum},
	})
	if err != nil {
		t.Fatalf("GetMetricStatistics: %v", err)
	}
	if len(st.Datapoints) != 1 {
		t.Fatalf("datapoints = %+v", st.Datapoints)
	}
	dp := st.Datapoints[0]
	// 3 + (1 + 2*2) + 4 = 12 over 1 + 3 + 1 = 5 samples.
	if aws.ToFloat64(dp.Sum) != 12 || aws.ToFloat64(dp.SampleCount) != 5 || aws.ToFloat64(dp.Maximum) != 4 || dp.Unit != types.StandardUnitCount {
		t.Fatalf("datapoint = sum %v count %v max %v unit %v", aws.ToFloat64(dp.Sum), aws.ToFloat64(dp.SampleCount), aws.ToFloat64(dp.Maximum), dp.Unit)
	}

	md, err := c.GetMetricData(ctx(t), &cw.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-5 * time.Minute)), EndTime: aws.Time(now.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("applied"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("Regis"), MetricName: aws.String("Applied"), Dimensions: dims},
			Period: aws.Int32(3600), Stat: aws.String("Sum"),
		}}},
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	if len(md.MetricDataResults) != 1 || len(md.MetricDataResults[0].Values) != 1 || md.MetricDataResults[0].Values[0] != 12 ||
		md.MetricDataResults[0].StatusCode != types.StatusCodeComplete || len(md.MetricDataResults[0].Timestamps) != 1 {
		t.Fatalf("GetMetricData = %+v", md.MetricDataResults)
	}
	lm, err := c.ListMetrics(ctx(t), &cw.ListMetricsInput{Namespace: aws.String("Regis")})
	if err != nil || len(lm.Metrics) != 1 {
		t.Fatalf("ListMetrics = %+v, %v", lm, err)
	}

	// An alarm on the custom metric.
	in := &cw.PutMetricAlarmInput{
		AlarmName: aws.String("applied-high"), Namespace: aws.String("Regis"), MetricName: aws.String("Applied"), Dimensions: dims,
		Statistic: types.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(10),
		ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
	}
	if _, err := c.PutMetricAlarm(ctx(t), in); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	service(t, emu).EvaluateAlarms()
	if s, _ := service(t, emu).AlarmState(region, "applied-high"); s != "ALARM" {
		t.Fatalf("custom metric alarm state = %s, want ALARM", s)
	}
}

func TestDLQNotEmptyAlarm(t *testing.T) {
	emu := emulatortest.Start(t)
	cfg := emulatortest.Config(t, emu, region)
	q := sqs.NewFromConfig(cfg)
	c := cwClient(t, emu)
	svc := service(t, emu)

	dlq, err := q.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("regis-dlq")})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	dlqAttrs, _ := q.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	src, err := q.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("regis-src"), Attributes: map[string]string{
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqAttrs.Attributes["QueueArn"] + `","maxReceiveCount":"1"}`,
		"VisibilityTimeout": "0",
	}})
	if err != nil {
		t.Fatalf("CreateQueue src: %v", err)
	}

	// The alarm notifies a topic that an SQS queue subscribes to.
	topicClient := sns.NewFromConfig(cfg)
	topic, err := topicClient.CreateTopic(ctx(t), &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	inbox, _ := q.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	inboxAttrs, _ := q.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: inbox.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	inboxARN := inboxAttrs.Attributes["QueueArn"]
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + inboxARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + aws.ToString(topic.TopicArn) + `"}}}]}`
	if _, err := q.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: inbox.QueueUrl, Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatalf("SetQueueAttributes: %v", err)
	}
	if _, err := topicClient.Subscribe(ctx(t), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(inboxARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}

	in := basicAlarm("regis-dlq-not-empty")
	in.TreatMissingData = nil
	in.AlarmActions = []string{aws.ToString(topic.TopicArn)}
	if _, err := c.PutMetricAlarm(ctx(t), in); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	svc.EvaluateAlarms()
	if s, _ := svc.AlarmState(region, "regis-dlq-not-empty"); s != "OK" {
		t.Fatalf("state with an empty DLQ = %s, want OK", s)
	}

	// A message fails once and is redriven to the DLQ on its next receive.
	if _, err := q.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: src.QueueUrl, MessageBody: aws.String("SET a 1")}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := q.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: src.QueueUrl}); err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
	}
	n, _ := q.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if n.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("DLQ holds %s messages, want 1", n.Attributes["ApproximateNumberOfMessages"])
	}

	// The background evaluator runs on the emulator clock.
	emu.Clock().Advance(61 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s, _ := svc.AlarmState(region, "regis-dlq-not-empty"); s == "ALARM" {
			break
		}
		if time.Now().After(deadline) {
			s, _ := svc.AlarmState(region, "regis-dlq-not-empty")
			t.Fatalf("state after a message reached the DLQ = %s, want ALARM", s)
		}
		time.Sleep(20 * time.Millisecond)
	}

	hist, err := c.DescribeAlarmHistory(ctx(t), &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("regis-dlq-not-empty"), HistoryItemType: types.HistoryItemTypeStateUpdate})
	if err != nil {
		t.Fatalf("DescribeAlarmHistory: %v", err)
	}
	if len(hist.AlarmHistoryItems) != 2 || aws.ToString(hist.AlarmHistoryItems[0].HistorySummary) != "Alarm updated from OK to ALARM" {
		t.Fatalf("history = %+v", hist.AlarmHistoryItems)
	}
	desc, _ := c.DescribeAlarms(ctx(t), &cw.DescribeAlarmsInput{AlarmNames: []string{"regis-dlq-not-empty"}})
	if a := desc.MetricAlarms[0]; a.StateValue != types.StateValueAlarm || !strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed") || !json.Valid([]byte(aws.ToString(a.StateReasonData))) {
		t.Fatalf("alarm = %+v", a)
	}

	// The notification reached the subscribed queue.
	msgs, err := q.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: inbox.QueueUrl, WaitTimeSeconds: 2})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("notification: %v, %v", msgs, err)
	}
	var note map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &note); err != nil || note["NewStateValue"] != "ALARM" || note["OldStateValue"] != "OK" {
		t.Fatalf("notification body = %s (%v)", aws.ToString(msgs.Messages[0].Body), err)
	}

	// SetAlarmState, then the next evaluation corrects it.
	if _, err := c.SetAlarmState(ctx(t), &cw.SetAlarmStateInput{AlarmName: aws.String("regis-dlq-not-empty"), StateValue: types.StateValueOk, StateReason: aws.String("testing")}); err != nil {
		t.Fatalf("SetAlarmState: %v", err)
	}
	if s, _ := svc.AlarmState(region, "regis-dlq-not-empty"); s != "OK" {
		t.Fatalf("state after SetAlarmState = %s", s)
	}
	svc.EvaluateAlarms()
	if s, _ := svc.AlarmState(region, "regis-dlq-not-empty"); s != "ALARM" {
		t.Fatalf("state after re-evaluation = %s, want ALARM", s)
	}
}
