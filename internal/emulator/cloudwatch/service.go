// Package cloudwatch emulates Amazon CloudWatch metrics and metric alarms.
//
// It speaks the three protocols CloudWatch clients use: Smithy RPC v2 CBOR
// (aws-sdk-go-v2 ≥ 1.70: POST /service/GraniteServiceVersion20100801/operation/<Op>),
// awsJson1_0 (X-Amz-Target: GraniteServiceVersion20100801.<Op>) and the AWS
// query protocol (Action=<Op>, XML responses; boto3 and the AWS CLI). The
// service is awsQueryCompatible: CBOR and JSON errors carry the Smithy error
// shape in __type and the legacy query code (e.g. InvalidParameterValue) in
// the x-amzn-query-error header, which the SDK reports as the error code.
//
// Metrics come from PutMetricData, from CloudWatch Embedded Metric Format
// log lines that the Lambda service hands over (core.EMFSink), and, for the
// AWS/SQS namespace, from the SQS service: ApproximateNumberOfMessagesVisible,
// ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed and
// ApproximateAgeOfOldestMessage per QueueName, sampled whenever an alarm is
// evaluated or the metric is queried (through core.QueueMetrics, or an
// in-process GetQueueAttributes when SQS lacks it, which cannot tell message
// ages).
//
// Alarms are evaluated in the background on the emulator clock, every period
// (at most every minute), or on demand with EvaluateAlarms. An alarm reads
// its last EvaluationPeriods periods, ending at the evaluation, and goes to
// ALARM when at least DatapointsToAlarm of them breach the threshold,
// applying TreatMissingData to periods without data. State changes are
// recorded in the alarm history and run the alarm's SNS actions by publishing
// AWS's notification JSON to the topic through the SNS service.
//
// Known differences from AWS: metric math expressions, anomaly detection,
// composite alarms, dashboards, metric streams and insight rules are not
// implemented (alarms on expressions stay INSUFFICIENT_DATA, GetMetricData
// answers expressions with StatusCode InternalError); periods are sliding
// windows ending at the evaluation time rather than aligned minutes; the
// alarm evaluation of partially missing data is simplified to "ALARM when
// enough periods breach, else OK when any period has data"; non-SNS alarm
// actions are recorded as failed.
package cloudwatch

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// evaluationTick is how often, in emulator time, the background evaluator
// looks for alarms that are due.
const evaluationTick = 10 * time.Second

// Service is the emulated CloudWatch.
type Service struct {
	env *core.Env
	api *core.API

	mu        sync.Mutex
	alarms    map[string]*alarm // by region + name
	history   []historyItem
	series    map[string]*series
	maxAlarms int
	emfDocs   int
	wake      chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ core.Service      = (*Service)(nil)
	_ core.EMFSink      = (*Service)(nil)
	_ core.MetricSink   = (*Service)(nil)
	_ core.Closer       = (*Service)(nil)
	_ core.AdminService = (*Service)(nil)
)

// New returns a CloudWatch service for env and starts its alarm evaluator.
func New(env *core.Env) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		env:       env,
		alarms:    map[string]*alarm{},
		series:    map[string]*series{},
		maxAlarms: 5000,
		wake:      make(chan struct{}, 1),
		ctx:       ctx,
		cancel:    cancel,
	}
	s.api = newAPI(s)
	s.wg.Add(1)
	go s.evaluator()
	return s
}

// SigningName implements core.Service.
func (s *Service) SigningName() string { return "monitoring" }

// API implements core.Service.
func (s *Service) API() *core.API { return s.api }

// Close implements core.Closer: it stops the alarm evaluator.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// Inventory implements core.Service: every alarm, every region.
func (s *Service) Inventory() []core.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Resource, 0, len(s.alarms))
	for _, al := range s.alarms {
		out = append(out, core.Resource{Service: "monitoring", Region: al.region, Type: "alarm", ID: al.a.AlarmArn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AlarmState returns an alarm's state value (OK, ALARM, INSUFFICIENT_DATA).
func (s *Service) AlarmState(region, name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	al := s.alarms[alarmKey(region, name)]
	if al == nil {
		return "", false
	}
	return al.a.StateValue, true
}

// EMFDocuments returns how many EMF documents have been ingested.
func (s *Service) EMFDocuments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emfDocs
}

// wakeLocked nudges the evaluator (a new or updated alarm is evaluated soon).
func (s *Service) wakeLocked() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// evaluator evaluates due alarms every evaluationTick of emulator time.
func (s *Service) evaluator() {
	defer s.wg.Done()
	for {
		tick, cancel := context.WithCancel(s.ctx)
		done := make(chan bool, 1)
		go func() { done <- s.env.Clock.Sleep(tick, evaluationTick) }()
		select {
		case <-s.ctx.Done():
			cancel()
			<-done
			return
		case <-s.wake:
			cancel()
			<-done
		case <-done:
			cancel()
		}
		if s.ctx.Err() != nil {
			return
		}
		s.evaluate(false)
	}
}

// AdminHandler implements core.AdminService: POST /_emulator/monitoring/evaluate
// evaluates every alarm now (EvaluateAlarms for out-of-process emulators).
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /evaluate", func(w http.ResponseWriter, r *http.Request) {
		s.EvaluateAlarms()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
