// How other AWS services reach queues: SNS delivering to a subscribed queue
// (core.QueueDeliverer) and Lambda event source mappings polling one
// (core.QueueConsumer), with the semantics of the API calls.
package sqs

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/iampolicy"
)

// DeliverFromSNS implements core.QueueDeliverer. The queue's policy must
// allow sqs:SendMessage to the SNS service principal for the topic (a queue
// without a policy refuses SNS, as in AWS), and a queue encrypted with the
// AWS managed key alias/aws/sqs cannot receive from SNS, whose key policy
// does not let SNS use it.
func (s *Service) DeliverFromSNS(ctx context.Context, d core.SNSDelivery) *core.APIError {
	topicAccount := s.env.AccountID
	if tp, ok := core.ParseARN(d.TopicARN); ok && tp.Account != "" {
		topicAccount = tp.Account
	}
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[d.QueueARN]
	if q == nil {
		return errQueueDoesNotExist()
	}
	decision := iampolicy.ImplicitDeny
	if doc := q.attrs.policy; doc != nil {
		decision = doc.Evaluate(iampolicy.Context{
			Action:           "sqs:SendMessage",
			Resource:         q.arn,
			PrincipalService: "sns.amazonaws.com",
			Keys:             map[string]string{"aws:SourceArn": d.TopicARN, "aws:SourceAccount": topicAccount},
		}, iampolicy.ResourcePolicy)
	}
	if decision != iampolicy.Allow {
		return &core.APIError{Status: http.StatusForbidden, Code: "AccessDenied",
			Message: "Access to the resource " + q.url + " is denied (the queue policy does not allow sqs:SendMessage by sns.amazonaws.com for " + d.TopicARN + ": " + decision.String() + ")."}
	}
	if k := q.attrs.KmsMasterKeyID; k == "alias/aws/sqs" || strings.HasSuffix(k, ":alias/aws/sqs") {
		return &core.APIError{Code: "KmsAccessDenied", QueryCode: "KMS.AccessDeniedException",
			Message: "The queue is encrypted with the AWS managed key alias/aws/sqs, whose key policy does not allow sns.amazonaws.com to use it; use a customer managed key that grants SNS kms:GenerateDataKey* and kms:Decrypt, or SSE-SQS."}
	}
	in := sendInput{Body: &d.Body}
	if len(d.MessageAttributes) > 0 {
		in.MessageAttributes = make(map[string]attrInput, len(d.MessageAttributes))
		for name, a := range d.MessageAttributes {
			dt := a.DataType
			v := attrInput{DataType: &dt}
			if isBinaryType(a.DataType) {
				v.BinaryValue = a.BinaryValue
			} else {
				sv := a.StringValue
				v.StringValue = &sv
			}
			in.MessageAttributes[name] = v
		}
	}
	if d.MessageGroupID != "" {
		g := d.MessageGroupID
		in.GroupID = &g
	}
	if d.MessageDeduplicationID != "" && q.fifo {
		id := d.MessageDeduplicationID
		in.DedupID = &id
	}
	m, delay, err := q.prepare(in, SNSSenderID)
	if err != nil {
		return err
	}
	q.send(m, delay, now)
	return nil
}

// ReceiveInternal implements core.QueueConsumer: ReceiveMessage with every
// system and message attribute, the queue's visibility timeout and a long
// poll of up to wait. limit is not capped at 10, for pollers that batch more.
func (s *Service) ReceiveInternal(ctx context.Context, queueARN string, limit int, wait time.Duration) ([]core.ReceivedMessage, *core.APIError) {
	limit = max(limit, 1)
	var out []core.ReceivedMessage
	err := s.receiveWait(ctx, queueARN, limit, nil, wait, func(q *queue, rs []received) {
		for _, r := range rs {
			m := r.m
			rm := core.ReceivedMessage{
				MessageID:              m.id,
				ReceiptHandle:          r.handle,
				Body:                   m.body,
				MD5OfBody:              m.md5Body,
				MD5OfMessageAttributes: md5OfAttributes(m.attrs),
				Attributes:             q.systemAttributes(r),
			}
			if len(m.attrs) > 0 {
				rm.MessageAttributes = make(map[string]core.MessageAttribute, len(m.attrs))
				for k, a := range m.attrs {
					a.BinaryValue = append([]byte(nil), a.BinaryValue...)
					rm.MessageAttributes[k] = a
				}
			}
			out = append(out, rm)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteInternal implements core.QueueConsumer (DeleteMessage).
func (s *Service) DeleteInternal(queueARN, receiptHandle string) *core.APIError {
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueARN]
	if q == nil {
		return errQueueDoesNotExist()
	}
	return q.deleteByHandle(receiptHandle, now)
}

// ChangeVisibilityInternal implements core.QueueConsumer
// (ChangeMessageVisibility); timeout is rounded up to whole seconds.
func (s *Service) ChangeVisibilityInternal(queueARN, receiptHandle string, timeout time.Duration) *core.APIError {
	secs := int64((timeout + time.Second - 1) / time.Second)
	now := s.env.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[queueARN]
	if q == nil {
		return errQueueDoesNotExist()
	}
	return q.changeVisibility(receiptHandle, secs, now)
}
