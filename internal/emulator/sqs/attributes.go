package sqs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// ------------------------------------------------------------- attributes

// Queue attribute names.
var (
	settableAttrs = map[string]bool{
		"DelaySeconds": true, "MaximumMessageSize": true, "MessageRetentionPeriod": true, "Policy": true,
		"ReceiveMessageWaitTimeSeconds": true, "VisibilityTimeout": true, "RedrivePolicy": true,
		"RedriveAllowPolicy": true, "KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true,
		"SqsManagedSseEnabled": true, "FifoQueue": true, "ContentBasedDeduplication": true,
		"DeduplicationScope": true, "FifoThroughputLimit": true,
	}
	readOnlyAttrs = map[string]bool{
		"ApproximateNumberOfMessages": true, "ApproximateNumberOfMessagesNotVisible": true,
		"ApproximateNumberOfMessagesDelayed": true, "CreatedTimestamp": true, "LastModifiedTimestamp": true,
		"QueueArn": true,
	}
	fifoOnlyAttrs = map[string]bool{
		"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true,
	}
)

func parseIntAttr(name, v string, lo, hi int) (int, *core.APIError) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return 0, errInvalidAttributeValue("Invalid value for the parameter %s. Reason: must be an integer from %d to %d.", name, lo, hi)
	}
	return n, nil
}

func parseBoolAttr(name, v string) (bool, *core.APIError) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errInvalidAttributeValue("Invalid value for the parameter %s. Reason: must be true or false.", name)
}

// applyAttrs validates in and applies it to a copy of base. q is the queue
// being changed (nil on creation), for checks that involve other queues.
// Callers hold s.mu.
func (s *Service) applyAttrs(base queueAttrs, in map[string]string, fifo bool, region, account, selfARN string, create bool) (queueAttrs, *core.APIError) {
	a := base
	for name := range in {
		if readOnlyAttrs[name] || !settableAttrs[name] {
			return a, errInvalidAttributeName(name)
		}
		if fifoOnlyAttrs[name] && !fifo {
			return a, errInvalidAttributeName(name)
		}
	}
	if v, ok := in["FifoQueue"]; ok {
		b, err := parseBoolAttr("FifoQueue", v)
		if err != nil {
			return a, err
		}
		if !create {
			if b != fifo {
				return a, errInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
			}
		} else if b != fifo {
			return a, errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
	}
	ints := []struct {
		name   string
		lo, hi int
		dst    *int
	}{
		{"VisibilityTimeout", 0, maxVisibilityTimeout, &a.VisibilityTimeout},
		{"MaximumMessageSize", minMessageSize, MaxMessageSize, &a.MaximumMessageSize},
		{"MessageRetentionPeriod", minRetention, maxRetention, &a.MessageRetentionPeriod},
		{"DelaySeconds", 0, maxDelay, &a.DelaySeconds},
		{"ReceiveMessageWaitTimeSeconds", 0, maxWaitTime, &a.ReceiveMessageWaitTimeSeconds},
		{"KmsDataKeyReusePeriodSeconds", minKMSReuse, maxKMSReuse, &a.KmsDataKeyReusePeriodSeconds},
	}
	for _, f := range ints {
		if v, ok := in[f.name]; ok {
			n, err := parseIntAttr(f.name, v, f.lo, f.hi)
			if err != nil {
				return a, err
			}
			*f.dst = n
		}
	}
	if v, ok := in["Policy"]; ok {
		if strings.TrimSpace(v) == "" {
			a.Policy, a.policy = "", nil
		} else {
			doc, err := iampolicy.Parse(v, iampolicy.ResourcePolicy)
			if err != nil {
				return a, errInvalidAttributeValue("Invalid value for the parameter Policy. Reason: %v.", err)
			}
			a.Policy, a.policy = v, doc
		}
	}
	if v, ok := in["ContentBasedDeduplication"]; ok {
		b, err := parseBoolAttr("ContentBasedDeduplication", v)
		if err != nil {
			return a, err
		}
		a.ContentBasedDeduplication = b
	}
	if v, ok := in["DeduplicationScope"]; ok {
		if v != "queue" && v != "messageGroup" {
			return a, errInvalidAttributeValue("Invalid value for the parameter DeduplicationScope. Reason: must be queue or messageGroup.")
		}
		a.DeduplicationScope = v
	}
	if v, ok := in["FifoThroughputLimit"]; ok {
		if v != "perQueue" && v != "perMessageGroupId" {
			return a, errInvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: must be perQueue or perMessageGroupId.")
		}
		a.FifoThroughputLimit = v
	}
	if fifo && a.FifoThroughputLimit == "perMessageGroupId" && a.DeduplicationScope != "messageGroup" {
		return a, errInvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.")
	}
	// Encryption: SSE-SQS and SSE-KMS exclude each other.
	sseSet, sseVal := false, false
	if v, ok := in["SqsManagedSseEnabled"]; ok {
		b, err := parseBoolAttr("SqsManagedSseEnabled", v)
		if err != nil {
			return a, err
		}
		sseSet, sseVal = true, b
	}
	if v, ok := in["KmsMasterKeyId"]; ok {
		v = strings.TrimSpace(v)
		if v != "" && sseSet && sseVal {
			return a, errInvalidAttributeValue("Invalid value for the parameter SqsManagedSseEnabled. Reason: You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
		}
		a.KmsMasterKeyID = v
		if v != "" {
			a.SqsManagedSseEnabled = false
		}
	}
	if sseSet {
		a.SqsManagedSseEnabled = sseVal
		if sseVal {
			a.KmsMasterKeyID = ""
		}
	}
	if v, ok := in["RedrivePolicy"]; ok {
		rp, norm, err := s.parseRedrivePolicy(v, fifo, region, account, selfARN)
		if err != nil {
			return a, err
		}
		a.RedrivePolicy, a.redrive = norm, rp
	}
	if v, ok := in["RedriveAllowPolicy"]; ok {
		rap, norm, err := parseRedriveAllowPolicy(v)
		if err != nil {
			return a, err
		}
		a.RedriveAllowPolicy, a.redriveAllow = norm, rap
	}
	return a, nil
}

func (s *Service) parseRedrivePolicy(v string, fifo bool, region, account, selfARN string) (*redrivePolicy, string, *core.APIError) {
	if strings.TrimSpace(v) == "" {
		return nil, "", nil
	}
	bad := func(reason string) *core.APIError { return errParam(v, "RedrivePolicy", reason) }
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return nil, "", bad("Redrive policy is not a valid JSON map.")
	}
	for k := range raw {
		if k != "deadLetterTargetArn" && k != "maxReceiveCount" {
			return nil, "", bad("Only following attributes are supported:[deadLetterTargetArn, maxReceiveCount].")
		}
	}
	target, _ := raw["deadLetterTargetArn"].(string)
	if target == "" {
		return nil, "", bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	mrc, present := raw["maxReceiveCount"]
	if !present {
		return nil, "", bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	var n int
	switch x := mrc.(type) {
	case float64:
		n = int(x)
		if float64(n) != x {
			n = -1
		}
	case string:
		var err error
		if n, err = strconv.Atoi(x); err != nil {
			n = -1
		}
	default:
		n = -1
	}
	if n < minMaxReceiveCount || n > maxMaxReceiveCount {
		return nil, "", bad(fmt.Sprintf("Invalid value for maxReceiveCount: %v, valid values are from 1 to 1000 both inclusive.", mrc))
	}
	p, ok := core.ParseARN(target)
	if !ok || p.Service != "sqs" {
		return nil, "", bad("Invalid value for deadLetterTargetArn.")
	}
	if p.Region != region || p.Account != account {
		return nil, "", bad("Dead-letter target must be in the same account and region as the source queue.")
	}
	dlq := s.queues[target]
	if dlq == nil {
		return nil, "", bad("Dead letter target does not exist.")
	}
	if dlq.fifo != fifo {
		if fifo {
			return nil, "", bad("Dead-letter queue of a FIFO queue must also be a FIFO queue.")
		}
		return nil, "", bad("Dead-letter queue of a standard queue must also be a standard queue.")
	}
	if rap := dlq.attrs.redriveAllow; rap != nil && selfARN != "" {
		allowed := true
		switch rap.RedrivePermission {
		case "denyAll":
			allowed = false
		case "byQueue":
			allowed = false
			for _, a := range rap.SourceQueueArns {
				if a == selfARN {
					allowed = true
				}
			}
		}
		if !allowed {
			return nil, "", bad("Dead-letter queue " + target + " does not allow this queue as a source queue (RedriveAllowPolicy).")
		}
	}
	rp := &redrivePolicy{DeadLetterTargetArn: target, MaxReceiveCount: n}
	norm, _ := json.Marshal(rp)
	return rp, string(norm), nil
}

func parseRedriveAllowPolicy(v string) (*redriveAllowPolicy, string, *core.APIError) {
	if strings.TrimSpace(v) == "" {
		return nil, "", nil
	}
	bad := func(reason string) *core.APIError { return errParam(v, "RedriveAllowPolicy", reason) }
	var p redriveAllowPolicy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, "", bad("Redrive allow policy is not a valid JSON map.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
		if len(p.SourceQueueArns) > 0 {
			return nil, "", bad("sourceQueueArns can be specified only when redrivePermission is byQueue.")
		}
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10 {
			return nil, "", bad("byQueue requires from 1 to 10 sourceQueueArns.")
		}
		for _, a := range p.SourceQueueArns {
			if pa, ok := core.ParseARN(a); !ok || pa.Service != "sqs" {
				return nil, "", bad("Invalid source queue ARN " + a + ".")
			}
		}
	default:
		return nil, "", bad("redrivePermission must be one of allowAll, denyAll, byQueue.")
	}
	norm, _ := json.Marshal(p)
	return &p, string(norm), nil
}

// attributeMap renders every attribute AWS returns for "All".
func (q *queue) attributeMap(now time.Time) map[string]string {
	q.tick(now)
	a := q.attrs
	m := map[string]string{
		"QueueArn":                              q.arn,
		"ApproximateNumberOfMessages":           strconv.Itoa(q.readyN),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(q.inflight),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(q.delayed),
		"CreatedTimestamp":                      strconv.FormatInt(q.created.Unix(), 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.modified.Unix(), 10),
		"VisibilityTimeout":                     strconv.Itoa(a.VisibilityTimeout),
		"MaximumMessageSize":                    strconv.Itoa(a.MaximumMessageSize),
		"MessageRetentionPeriod":                strconv.Itoa(a.MessageRetentionPeriod),
		"DelaySeconds":                          strconv.Itoa(a.DelaySeconds),
		"ReceiveMessageWaitTimeSeconds":         strconv.Itoa(a.ReceiveMessageWaitTimeSeconds),
		"SqsManagedSseEnabled":                  strconv.FormatBool(a.SqsManagedSseEnabled),
	}
	if a.Policy != "" {
		m["Policy"] = a.Policy
	}
	if a.RedrivePolicy != "" {
		m["RedrivePolicy"] = a.RedrivePolicy
	}
	if a.RedriveAllowPolicy != "" {
		m["RedriveAllowPolicy"] = a.RedriveAllowPolicy
	}
	if a.KmsMasterKeyID != "" {
		m["KmsMasterKeyId"] = a.KmsMasterKeyID
		m["KmsDataKeyReusePeriodSeconds"] = strconv.Itoa(a.KmsDataKeyReusePeriodSeconds)
	}
	if q.fifo {
		m["FifoQueue"] = "true"
		m["ContentBasedDeduplication"] = strconv.FormatBool(a.ContentBasedDeduplication)
		m["DeduplicationScope"] = a.DeduplicationScope
		m["FifoThroughputLimit"] = a.FifoThroughputLimit
	}
	return m
}

// sameAttrs reports the first attribute of in whose value differs from the
// queue's, for CreateQueue on an existing name.
func (s *Service) sameAttrs(q *queue, in map[string]string) (string, *core.APIError) {
	want, err := s.applyAttrs(q.attrs, in, q.fifo, q.region, q.account, q.arn, true)
	if err != nil {
		return "", err
	}
	have := q.attrMapNoCounts()
	got := (&queue{attrs: want, fifo: q.fifo}).attrMapNoCounts()
	for name := range in {
		if name == "FifoQueue" {
			continue
		}
		if have[name] != got[name] {
			return name, nil
		}
	}
	return "", nil
}

func (q *queue) attrMapNoCounts() map[string]string {
	a := q.attrs
	m := map[string]string{
		"VisibilityTimeout":             strconv.Itoa(a.VisibilityTimeout),
		"MaximumMessageSize":            strconv.Itoa(a.MaximumMessageSize),
		"MessageRetentionPeriod":        strconv.Itoa(a.MessageRetentionPeriod),
		"DelaySeconds":                  strconv.Itoa(a.DelaySeconds),
		"ReceiveMessageWaitTimeSeconds": strconv.Itoa(a.ReceiveMessageWaitTimeSeconds),
		"SqsManagedSseEnabled":          strconv.FormatBool(a.SqsManagedSseEnabled),
		"Policy":                        canonicalJSON(a.Policy),
		"RedrivePolicy":                 a.RedrivePolicy,
		"RedriveAllowPolicy":            a.RedriveAllowPolicy,
		"KmsMasterKeyId":                a.KmsMasterKeyID,
		"KmsDataKeyReusePeriodSeconds":  strconv.Itoa(a.KmsDataKeyReusePeriodSeconds),
		"ContentBasedDeduplication":     strconv.FormatBool(a.ContentBasedDeduplication),
		"DeduplicationScope":            a.DeduplicationScope,
		"FifoThroughputLimit":           a.FifoThroughputLimit,
	}
	return m
}

func canonicalJSON(s string) string {
	if s == "" {
		return ""
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	out, _ := json.Marshal(v)
	return string(out)
}
