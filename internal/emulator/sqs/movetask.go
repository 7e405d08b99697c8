package sqs

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Message move task statuses.
const (
	taskRunning    = "RUNNING"
	taskCompleted  = "COMPLETED"
	taskCancelling = "CANCELLING"
	taskCancelled  = "CANCELLED"
	taskFailed     = "FAILED"
)

// defaultMoveRate is the rate of a task without MaxNumberOfMessagesPerSecond
// (AWS adapts it to the backlog; about 500 messages a second).
const defaultMoveRate = 500

// moveTickInterval is how often a running task moves its share of messages.
const moveTickInterval = 50 * time.Millisecond

// maxTasksKept is how many tasks per source queue ListMessageMoveTasks can show.
const maxTasksKept = 10

// moveTask is a running or finished StartMessageMoveTask. Fields are
// guarded by the service mutex.
type moveTask struct {
	handle    string
	sourceARN string
	destARN   string // empty: each message's original source queue
	rate      int
	rateSet   bool
	status    string
	moved     int64
	toMove    int64
	started   time.Time
	failure   string
	wake      chan struct{} // closed on cancel
}

func (s *Service) startMessageMoveTask(req *core.Request) (any, *core.APIError) {
	var in struct {
		SourceArn                    string  `json:"SourceArn"`
		DestinationArn               *string `json:"DestinationArn"`
		MaxNumberOfMessagesPerSecond *int64  `json:"MaxNumberOfMessagesPerSecond"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	rate, rateSet := defaultMoveRate, false
	if in.MaxNumberOfMessagesPerSecond != nil {
		v := *in.MaxNumberOfMessagesPerSecond
		if v < 1 || v > 500 {
			return nil, errParam(v, "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500.")
		}
		rate, rateSet = int(v), true
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.queueInRegion(req, in.SourceArn)
	if src == nil {
		return nil, errResourceNotFound()
	}
	isDLQ := false
	for _, q := range s.queues {
		if rp := q.attrs.redrive; rp != nil && rp.DeadLetterTargetArn == src.arn {
			isDLQ = true
			break
		}
	}
	if !isDLQ {
		return nil, errUnsupportedOperation("Source queue must be configured as a Dead Letter Queue.")
	}
	dest := ""
	if in.DestinationArn != nil && *in.DestinationArn != "" {
		d := s.queueInRegion(req, *in.DestinationArn)
		if d == nil {
			return nil, errResourceNotFound()
		}
		if d == src {
			return nil, errInvalidParameterValue("Source queue arn and destination queue arn cannot be the same.")
		}
		if d.fifo != src.fifo {
			return nil, errInvalidParameterValue("The source queue and the destination queue must be of the same type.")
		}
		dest = d.arn
	}
	for _, t := range s.tasksBySource[src.arn] {
		if t.status == taskRunning || t.status == taskCancelling {
			return nil, errUnsupportedOperation("There is already a task running. Only one active task is allowed for each source queue arn at a given time.")
		}
	}
	src.tick(now)
	raw, _ := json.Marshal(map[string]string{"taskId": core.NewRequestID(), "sourceArn": src.arn})
	t := &moveTask{
		handle:    base64.StdEncoding.EncodeToString(raw),
		sourceARN: src.arn,
		destARN:   dest,
		rate:      rate,
		rateSet:   rateSet,
		status:    taskRunning,
		toMove:    int64(src.readyN),
		started:   now,
		wake:      make(chan struct{}),
	}
	s.tasks[t.handle] = t
	list := append(s.tasksBySource[src.arn], t)
	if len(list) > maxTasksKept {
		for _, old := range list[:len(list)-maxTasksKept] {
			delete(s.tasks, old.handle)
		}
		list = append([]*moveTask(nil), list[len(list)-maxTasksKept:]...)
	}
	s.tasksBySource[src.arn] = list
	select {
	case <-s.closing:
		t.status, t.failure = taskFailed, "the emulator is shutting down"
		return nil, core.ErrInternal
	default:
	}
	s.wg.Add(1)
	go s.runMoveTask(t)
	return struct {
		TaskHandle string `json:"TaskHandle"`
	}{t.handle}, nil
}

// queueInRegion finds a queue by ARN in the request's region and account.
func (s *Service) queueInRegion(req *core.Request, arn string) *queue {
	p, ok := core.ParseARN(arn)
	if !ok || p.Service != "sqs" || p.Region != req.Region || p.Account != req.AccountID {
		return nil
	}
	return s.queues[arn]
}

// runMoveTask moves messages at the task's rate until the source has none
// left, the task is cancelled or the service closes.
func (s *Service) runMoveTask(t *moveTask) {
	defer s.wg.Done()
	ticker := time.NewTicker(moveTickInterval)
	defer ticker.Stop()
	last := time.Now()
	budget := 0.0
	for {
		select {
		case <-s.closing:
			s.mu.Lock()
			if t.status == taskRunning || t.status == taskCancelling {
				t.status, t.failure = taskFailed, "the emulator shut down"
			}
			s.mu.Unlock()
			return
		case <-t.wake:
		case <-ticker.C:
		}
		now := time.Now()
		budget += float64(t.rate) * now.Sub(last).Seconds()
		last = now
		if budget > float64(t.rate) {
			budget = float64(t.rate)
		}
		n := int(budget)
		budget -= float64(n)
		s.mu.Lock()
		done := s.moveSome(t, n)
		s.mu.Unlock()
		if done {
			return
		}
	}
}

// moveSome moves up to n messages and reports whether the task ended.
// Callers hold s.mu.
func (s *Service) moveSome(t *moveTask, n int) bool {
	if t.status == taskCancelling {
		t.status = taskCancelled
		return true
	}
	src := s.queues[t.sourceARN]
	if src == nil {
		t.status, t.failure = taskFailed, "AWS.SimpleQueueService.NonExistentQueue"
		return true
	}
	now := s.env.Clock.Now()
	src.tick(now)
	for i := 0; i < n; i++ {
		m := src.nextReady()
		if t.moved >= t.toMove || m == nil {
			break
		}
		destARN := t.destARN
		if destARN == "" {
			destARN = m.dlqSource
		}
		if destARN == "" {
			t.status, t.failure = taskFailed, "CouldNotDetermineMessageSource"
			return true
		}
		dst := s.queues[destARN]
		if dst == nil {
			t.status, t.failure = taskFailed, "AWS.SimpleQueueService.NonExistentQueue"
			return true
		}
		src.removeMessage(m)
		// The message starts over in its destination: same id, body and
		// attributes, no receives, a fresh retention period.
		m.receiveCount = 0
		m.firstReceive = time.Time{}
		m.dlqSource = ""
		m.nonce = ""
		m.enqueuedAt = now
		dst.tick(now)
		dst.enqueue(m, 0, now)
		t.moved++
	}
	if t.moved >= t.toMove || src.nextReady() == nil {
		t.status = taskCompleted
		return true
	}
	return false
}

type moveTaskEntry struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove int64  `json:"ApproximateNumberOfMessagesToMove"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

func (s *Service) listMessageMoveTasks(req *core.Request) (any, *core.APIError) {
	var in struct {
		SourceArn  string `json:"SourceArn"`
		MaxResults *int64 `json:"MaxResults"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.SourceArn == "" {
		return nil, errMissingParameter("SourceArn")
	}
	limit := 1
	if in.MaxResults != nil {
		if v := *in.MaxResults; v < 1 || v > 10 {
			return nil, errParam(v, "MaxResults", "Must be between 1 and 10, if provided.")
		}
		limit = int(*in.MaxResults)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queueInRegion(req, in.SourceArn) == nil {
		return nil, errResourceNotFound()
	}
	out := struct {
		Results []moveTaskEntry `json:"Results" query:"ListMessageMoveTasksResultEntry,flat"`
	}{Results: []moveTaskEntry{}}
	list := s.tasksBySource[in.SourceArn]
	for i := len(list) - 1; i >= 0 && len(out.Results) < limit; i-- {
		t := list[i]
		e := moveTaskEntry{
			Status:                            t.status,
			SourceArn:                         t.sourceARN,
			DestinationArn:                    t.destARN,
			ApproximateNumberOfMessagesMoved:  t.moved,
			ApproximateNumberOfMessagesToMove: t.toMove,
			FailureReason:                     t.failure,
			StartedTimestamp:                  core.Millis(t.started),
		}
		if t.status == taskRunning {
			e.TaskHandle = t.handle
		}
		if t.rateSet {
			r := t.rate
			e.MaxNumberOfMessagesPerSecond = &r
		}
		out.Results = append(out.Results, e)
	}
	return out, nil
}

func (s *Service) cancelMessageMoveTask(req *core.Request) (any, *core.APIError) {
	var in struct {
		TaskHandle string `json:"TaskHandle"`
	}
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.TaskHandle == "" {
		return nil, errMissingParameter("TaskHandle")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[in.TaskHandle]
	if t == nil {
		return nil, errResourceNotFound()
	}
	if p, _ := core.ParseARN(t.sourceARN); p.Region != req.Region {
		return nil, errResourceNotFound()
	}
	if t.status != taskRunning {
		return nil, errUnsupportedOperation("Only a task in RUNNING status can be cancelled; this one is %s.", t.status)
	}
	t.status = taskCancelling
	close(t.wake)
	return struct {
		ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
	}{t.moved}, nil
}
