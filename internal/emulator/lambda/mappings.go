package lambda

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iam"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// Event source mapping limits and defaults (SQS).
const (
	defaultBatchSize   = 10
	maxBatchSize       = 10_000
	maxFIFOBatchSize   = 10
	maxWindow          = 300
	defaultPollers     = 5
	minMaxConcurrency  = 2
	maxMaxConcurrency  = 1000
	reportItemFailures = "ReportBatchItemFailures"
)

// MappingStats counts what an event source mapping's pollers did.
type MappingStats struct {
	// Polls is the number of ReceiveMessage calls on the queue.
	Polls int64 `json:"polls"`
	// MessagesReceived counts received messages (a message received again
	// after its visibility timeout counts again).
	MessagesReceived int64 `json:"messages_received"`
	// Batches is the number of invocations attempted (one per batch).
	Batches int64 `json:"batches"`
	// Invocations counts batches the function returned a response for.
	Invocations int64 `json:"invocations"`
	// FunctionErrors counts batches whose invocation failed (function error,
	// timeout, crash) or could not run (throttled, missing function): none
	// of their messages were deleted.
	FunctionErrors int64 `json:"function_errors"`
	// InvalidResponses counts successful invocations whose batchItemFailures
	// response was invalid, which fails the whole batch.
	InvalidResponses int64 `json:"invalid_responses"`
	// PartialFailures counts batches for which the function reported some
	// failed items (with ReportBatchItemFailures).
	PartialFailures int64 `json:"partial_failures"`
	// MessagesDeleted counts messages deleted from the queue.
	MessagesDeleted int64 `json:"messages_deleted"`
	// MessagesFailed counts received messages left on the queue to come back
	// after their visibility timeout.
	MessagesFailed int64 `json:"messages_failed"`
	// Pollers is the number of pollers now; MaxPollers the most there were.
	Pollers    int `json:"pollers"`
	MaxPollers int `json:"max_pollers"`
}

type mapping struct {
	uuid, arn, region, account string
	queueARN                   string
	fn                         functionRef
	functionARN                string
	batchSize                  int
	window                     int
	responseTypes              []string
	maxConcurrency             *int
	filterCriteria             json.RawMessage
	enabled                    bool
	transitional               string // state until readyAt: Creating, Updating, Enabling, Disabling, Deleting
	readyAt                    time.Time
	deleted                    bool
	lastModified               time.Time
	tags                       map[string]string
	stats                      MappingStats
	changed                    chan struct{}
	lastResult                 string
	nextWorker                 int
}

// state is the State AWS reports.
func (m *mapping) state(now time.Time) string {
	if now.Before(m.readyAt) {
		return m.transitional
	}
	if m.deleted {
		return "Deleting"
	}
	if m.enabled {
		return "Enabled"
	}
	return "Disabled"
}

// gone reports whether a deleted mapping has finished deleting.
func (m *mapping) gone(now time.Time) bool { return m.deleted && !now.Before(m.readyAt) }

// active reports whether the pollers should poll.
func (m *mapping) active(now time.Time) bool {
	return !m.deleted && m.enabled && !now.Before(m.readyAt)
}

// signalLocked wakes the pollers after a change. Callers hold s.mu.
func (m *mapping) signalLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

func (m *mapping) reportsFailures() bool {
	for _, t := range m.responseTypes {
		if t == reportItemFailures {
			return true
		}
	}
	return false
}

type scalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

type mappingConfiguration struct {
	UUID                           string          `json:"UUID"`
	BatchSize                      int             `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int             `json:"MaximumBatchingWindowInSeconds"`
	EventSourceArn                 string          `json:"EventSourceArn"`
	FunctionArn                    string          `json:"FunctionArn"`
	LastModified                   float64         `json:"LastModified"`
	State                          string          `json:"State"`
	StateTransitionReason          string          `json:"StateTransitionReason"`
	FunctionResponseTypes          []string        `json:"FunctionResponseTypes"`
	ScalingConfig                  *scalingConfig  `json:"ScalingConfig,omitempty"`
	FilterCriteria                 json.RawMessage `json:"FilterCriteria,omitempty"`
	EventSourceMappingArn          string          `json:"EventSourceMappingArn"`
}

func (m *mapping) configuration(now time.Time) mappingConfiguration {
	out := mappingConfiguration{
		UUID: m.uuid, BatchSize: m.batchSize, MaximumBatchingWindowInSeconds: m.window,
		EventSourceArn: m.queueARN, FunctionArn: m.functionARN,
		LastModified:          float64(m.lastModified.UnixMilli()) / 1000,
		State:                 m.state(now),
		StateTransitionReason: "USER_INITIATED",
		FunctionResponseTypes: append([]string{}, m.responseTypes...),
		FilterCriteria:        m.filterCriteria,
		EventSourceMappingArn: m.arn,
	}
	if m.maxConcurrency != nil {
		out.ScalingConfig = &scalingConfig{MaximumConcurrency: m.maxConcurrency}
	}
	return out
}

// ------------------------------------------------------------ validation

type mappingInput struct {
	EventSourceArn                 string            `json:"EventSourceArn"`
	FunctionName                   *string           `json:"FunctionName"`
	Enabled                        *bool             `json:"Enabled"`
	BatchSize                      *int              `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int              `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string          `json:"FunctionResponseTypes"`
	ScalingConfig                  *scalingConfig    `json:"ScalingConfig"`
	FilterCriteria                 json.RawMessage   `json:"FilterCriteria"`
	StartingPosition               string            `json:"StartingPosition"`
	StartingPositionTimestamp      json.RawMessage   `json:"StartingPositionTimestamp"`
	Tags                           map[string]string `json:"Tags"`
	ParallelizationFactor          *int              `json:"ParallelizationFactor"`
	MaximumRecordAgeInSeconds      *int              `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool             `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           *int              `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        *int              `json:"TumblingWindowInSeconds"`
	DestinationConfig              json.RawMessage   `json:"DestinationConfig"`
	Topics                         []string          `json:"Topics"`
	Queues                         []string          `json:"Queues"`
	SourceAccessConfigurations     json.RawMessage   `json:"SourceAccessConfigurations"`
	SelfManagedEventSource         json.RawMessage   `json:"SelfManagedEventSource"`
	ProvisionedPollerConfig        json.RawMessage   `json:"ProvisionedPollerConfig"`
}

// unsupportedForSQS names the first stream or broker parameter given.
func (in *mappingInput) unsupportedForSQS() string {
	switch {
	case in.StartingPosition != "" || len(in.StartingPositionTimestamp) > 0:
		return "StartingPosition"
	case in.ParallelizationFactor != nil:
		return "ParallelizationFactor"
	case in.MaximumRecordAgeInSeconds != nil:
		return "MaximumRecordAgeInSeconds"
	case in.BisectBatchOnFunctionError != nil:
		return "BisectBatchOnFunctionError"
	case in.MaximumRetryAttempts != nil:
		return "MaximumRetryAttempts"
	case in.TumblingWindowInSeconds != nil:
		return "TumblingWindowInSeconds"
	case len(in.DestinationConfig) > 0 && string(in.DestinationConfig) != "null":
		return "DestinationConfig"
	case len(in.Topics) > 0:
		return "Topics"
	case len(in.Queues) > 0:
		return "Queues"
	case len(in.SourceAccessConfigurations) > 0 && string(in.SourceAccessConfigurations) != "null":
		return "SourceAccessConfigurations"
	case len(in.SelfManagedEventSource) > 0 && string(in.SelfManagedEventSource) != "null":
		return "SelfManagedEventSource"
	case len(in.ProvisionedPollerConfig) > 0 && string(in.ProvisionedPollerConfig) != "null":
		return "ProvisionedPollerConfig"
	}
	return ""
}

// validateBatching checks batch size, window, response types and scaling
// once merged with the mapping's current values.
func validateBatching(batch, window int, fifo bool, types []string, maxConc *int) *core.APIError {
	if batch < 1 {
		return errValidation(batch, "batchSize", "Member must have value greater than or equal to 1")
	}
	if batch > maxBatchSize {
		return errValidation(batch, "batchSize", "Member must have value less than or equal to 10000")
	}
	if window < 0 {
		return errValidation(window, "maximumBatchingWindowInSeconds", "Member must have value greater than or equal to 0")
	}
	if window > maxWindow {
		return errValidation(window, "maximumBatchingWindowInSeconds", "Member must have value less than or equal to 300")
	}
	if fifo {
		if batch > maxFIFOBatchSize {
			return errInvalidParameter("BatchSize must be between 1 and 10 for FIFO queues.")
		}
		if window > 0 {
			return errInvalidParameter("Batching window is not supported for FIFO queues")
		}
	} else if batch > 10 && window < 1 {
		return errInvalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	for _, t := range types {
		if t != reportItemFailures {
			return errValidation("["+strings.Join(types, ", ")+"]", "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")
		}
	}
	if len(types) > 1 {
		return errValidation(len(types), "functionResponseTypes", "Member must have length less than or equal to 1")
	}
	if maxConc != nil {
		if *maxConc < minMaxConcurrency {
			return errValidation(*maxConc, "scalingConfig.maximumConcurrency", "Member must have value greater than or equal to 2")
		}
		if *maxConc > maxMaxConcurrency {
			return errValidation(*maxConc, "scalingConfig.maximumConcurrency", "Member must have value less than or equal to 1000")
		}
	}
	return nil
}

// queueInfo returns a queue's visibility timeout; ok is false when the queue
// does not exist. It asks SQS through core.QueueMetrics, or else through an
// in-process GetQueueAttributes.
func (s *Service) queueInfo(queueARN string) (visibility time.Duration, ok bool) {
	svc := s.env.Lookup("sqs")
	if svc == nil {
		return 0, false
	}
	if qm, isQM := svc.(core.QueueMetrics); isQM {
		st, found := qm.QueueStats(queueARN)
		return st.VisibilityTimeout, found
	}
	p, _ := core.ParseARN(queueARN)
	body, _ := json.Marshal(map[string]any{
		"QueueUrl":       "https://sqs." + p.Region + ".amazonaws.com/" + p.Account + "/" + p.Resource,
		"AttributeNames": []string{"VisibilityTimeout"},
	})
	hr := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	hr.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueAttributes")
	hr.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	svc.API().Serve(rec, core.NewRequest(hr, core.Scope{AccessKey: "lambda-internal", Region: p.Region, Service: "sqs"}, s.env.AccountID, nil))
	if rec.Code != http.StatusOK {
		return 0, false
	}
	var out struct {
		Attributes map[string]string `json:"Attributes"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		return 0, false
	}
	n, _ := strconv.Atoi(out.Attributes["VisibilityTimeout"])
	return time.Duration(n) * time.Second, true
}

// checkSource validates the queue of a mapping for a function: same region,
// existing, a visibility timeout not below the function timeout, and an
// execution role allowed to poll it.
func (s *Service) checkSource(region, queueARN, role string, timeout int) *core.APIError {
	p, ok := core.ParseARN(queueARN)
	if !ok || p.Service != "sqs" {
		return errInvalidParameter("The emulator supports only Amazon SQS event sources; %s is not an SQS queue ARN.", queueARN)
	}
	if p.Region != region {
		return errInvalidParameter("Event source region must match Lambda region %s.", region)
	}
	vis, found := s.queueInfo(queueARN)
	if !found {
		return errInvalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.")
	}
	if dir, _ := s.env.Lookup("iam").(core.RoleDirectory); dir != nil {
		info, ok := dir.RoleByARN(role)
		for _, action := range []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"} {
			if !ok || iam.Allowed(info, "sqs:"+action, queueARN, nil) != iampolicy.Allow {
				return errInvalidParameter("The provided execution role does not have permissions to call %s on SQS", action)
			}
		}
	}
	if vis < time.Duration(timeout)*time.Second {
		return errInvalidParameter("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", int(vis/time.Second), timeout)
	}
	return nil
}

// functionForMapping resolves a mapping's FunctionName: its ref, ARN, role and timeout.
func (s *Service) functionForMapping(req *core.Request, name string) (functionRef, string, string, int, *core.APIError) {
	ref, err := parseFunctionName(req, name)
	if err != nil {
		return ref, "", "", 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, v, err := s.lookupLocked(req, ref)
	if err != nil {
		return ref, "", "", 0, err
	}
	arn := f.arn
	if ref.qualifier != "" {
		arn += ":" + ref.qualifier
	}
	return ref, arn, v.cfg.role, v.cfg.timeout, nil
}

func isFIFO(queueARN string) bool { return strings.HasSuffix(queueARN, ".fifo") }

// ------------------------------------------------------------ operations

func (s *Service) createMapping(req *core.Request) (any, *core.APIError) {
	var in mappingInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.FunctionName == nil || *in.FunctionName == "" {
		return nil, errValidation("null", "functionName", "Member must not be null")
	}
	if in.EventSourceArn == "" {
		return nil, errInvalidParameter("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, documentdb or kafka.")
	}
	if p := in.unsupportedForSQS(); p != "" {
		return nil, errInvalidParameter("Unsupported %s parameter for given event source.", p)
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	batch, window := defaultBatchSize, 0
	if in.BatchSize != nil {
		batch = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		window = *in.MaximumBatchingWindowInSeconds
	}
	var maxConc *int
	if in.ScalingConfig != nil {
		maxConc = in.ScalingConfig.MaximumConcurrency
	}
	if err := validateBatching(batch, window, isFIFO(in.EventSourceArn), in.FunctionResponseTypes, maxConc); err != nil {
		return nil, err
	}
	ref, fnARN, role, timeout, err := s.functionForMapping(req, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if err := s.checkSource(req.Region, in.EventSourceArn, role, timeout); err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, core.StatusErrorf(http.StatusServiceUnavailable, "ServiceException", "The emulator is shutting down.")
	}
	for _, m := range s.mappings {
		if m.region == req.Region && m.queueARN == in.EventSourceArn && m.functionARN == fnARN && !m.deleted {
			return nil, errConflict("An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s", in.EventSourceArn, ref.name, m.uuid)
		}
	}
	id := core.NewRequestID()
	m := &mapping{
		uuid: id, arn: core.ARN("lambda", req.Region, req.AccountID, "event-source-mapping:"+id),
		region: req.Region, account: req.AccountID, queueARN: in.EventSourceArn, fn: ref, functionARN: fnARN,
		batchSize: batch, window: window, responseTypes: append([]string{}, in.FunctionResponseTypes...),
		maxConcurrency: maxConc, filterCriteria: nullToNil(in.FilterCriteria),
		enabled: in.Enabled == nil || *in.Enabled, transitional: "Creating", readyAt: now.Add(s.stateDelay),
		lastModified: now, tags: copyTags(in.Tags), changed: make(chan struct{}), lastResult: "No records processed",
	}
	s.mappings[id] = m
	s.startWorkerLocked(m)
	return m.configuration(now), nil
}

func nullToNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

// mappingLocked finds a mapping of the request's region. Callers hold s.mu.
func (s *Service) mappingLocked(req *core.Request, id string) (*mapping, *core.APIError) {
	now := s.env.Clock.Now()
	m := s.mappings[id]
	if m != nil && m.gone(now) {
		delete(s.mappings, id)
		m = nil
	}
	if m == nil || m.region != req.Region || m.account != req.AccountID {
		return nil, core.StatusErrorf(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
	}
	return m, nil
}

func (s *Service) getMapping(req *core.Request) (any, *core.APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.mappingLocked(req, req.Param("UUID"))
	if err != nil {
		return nil, err
	}
	return m.configuration(s.env.Clock.Now()), nil
}

func (s *Service) updateMapping(req *core.Request) (any, *core.APIError) {
	var in mappingInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	if in.EventSourceArn != "" {
		return nil, errInvalidParameter("EventSourceArn cannot be updated.")
	}
	if name := in.unsupportedForSQS(); name != "" {
		return nil, errInvalidParameter("Unsupported %s parameter for given event source.", name)
	}
	s.mu.Lock()
	m, err := s.mappingLocked(req, req.Param("UUID"))
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	queueARN := m.queueARN
	batch, window, types, maxConc := m.batchSize, m.window, m.responseTypes, m.maxConcurrency
	s.mu.Unlock()
	if in.BatchSize != nil {
		batch = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		window = *in.MaximumBatchingWindowInSeconds
	}
	if in.FunctionResponseTypes != nil {
		types = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		maxConc = in.ScalingConfig.MaximumConcurrency
	}
	if err := validateBatching(batch, window, isFIFO(queueARN), types, maxConc); err != nil {
		return nil, err
	}
	var ref functionRef
	var fnARN string
	if in.FunctionName != nil && *in.FunctionName != "" {
		var role string
		var timeout int
		if ref, fnARN, role, timeout, err = s.functionForMapping(req, *in.FunctionName); err != nil {
			return nil, err
		}
		if err := s.checkSource(req.Region, queueARN, role, timeout); err != nil {
			return nil, err
		}
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, err = s.mappingLocked(req, req.Param("UUID")); err != nil {
		return nil, err
	}
	if m.deleted || now.Before(m.readyAt) {
		return nil, core.StatusErrorf(http.StatusBadRequest, "ResourceInUseException", "Cannot update the event source mapping because it is in use.")
	}
	m.batchSize, m.window, m.responseTypes, m.maxConcurrency = batch, window, append([]string{}, types...), maxConc
	if fnARN != "" {
		m.fn, m.functionARN = ref, fnARN
	}
	if in.FilterCriteria != nil {
		m.filterCriteria = nullToNil(in.FilterCriteria)
	}
	m.transitional = "Updating"
	if in.Enabled != nil && *in.Enabled != m.enabled {
		m.enabled = *in.Enabled
		m.transitional = map[bool]string{true: "Enabling", false: "Disabling"}[m.enabled]
	}
	m.readyAt = now.Add(s.stateDelay)
	m.lastModified = now
	m.signalLocked()
	return m.configuration(now), nil
}

func (s *Service) deleteMapping(req *core.Request) (any, *core.APIError) {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.mappingLocked(req, req.Param("UUID"))
	if err != nil {
		return nil, err
	}
	if m.deleted || now.Before(m.readyAt) {
		return nil, core.StatusErrorf(http.StatusBadRequest, "ResourceInUseException", "Cannot delete the event source mapping because it is in use.")
	}
	m.deleted = true
	m.transitional = "Deleting"
	m.readyAt = now.Add(s.stateDelay)
	m.lastModified = now
	m.signalLocked()
	return m.configuration(now), nil
}

func (s *Service) listMappings(req *core.Request) (any, *core.APIError) {
	marker, limit, err := pageParams(req)
	if err != nil {
		return nil, err
	}
	if req.HTTP.URL.Query().Get("MaxItems") == "" {
		limit = 100
	}
	q := req.HTTP.URL.Query()
	source := q.Get("EventSourceArn")
	var ref *functionRef
	if name := q.Get("FunctionName"); name != "" {
		r, err := parseFunctionName(req, name)
		if err != nil {
			return nil, err
		}
		ref = &r
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*mapping
	for id, m := range s.mappings {
		if m.gone(now) {
			delete(s.mappings, id)
			continue
		}
		if m.region != req.Region || (source != "" && m.queueARN != source) {
			continue
		}
		if ref != nil && (m.fn.name != ref.name || (ref.qualifier != "" && m.fn.qualifier != ref.qualifier)) {
			continue
		}
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].uuid < list[j].uuid })
	out := struct {
		EventSourceMappings []mappingConfiguration `json:"EventSourceMappings"`
		NextMarker          string                 `json:"NextMarker,omitempty"`
	}{EventSourceMappings: []mappingConfiguration{}}
	for _, m := range list {
		if marker != "" && m.uuid <= marker {
			continue
		}
		if len(out.EventSourceMappings) == limit {
			out.NextMarker = out.EventSourceMappings[limit-1].UUID
			break
		}
		out.EventSourceMappings = append(out.EventSourceMappings, m.configuration(now))
	}
	return out, nil
}

// MappingStats returns the counters of an event source mapping.
func (s *Service) MappingStats(uuid string) (MappingStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mappings[uuid]
	if m == nil {
		return MappingStats{}, false
	}
	return m.stats, true
}
