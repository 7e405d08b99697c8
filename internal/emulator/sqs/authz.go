package sqs

import (
	"encoding/base64"
	"encoding/json"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// IAM authorization of SQS calls (core.Request.Authorize): a caller acting
// as an IAM role needs the matching sqs: permission on the queue, from the
// role's policies or the queue's own policy, as in AWS. The emulator's
// ordinary callers are administrators and are not checked.

// iamAction is the IAM action an SQS operation needs: a batch needs the
// permission of its single form.
func iamAction(op string) string {
	switch op {
	case "SendMessageBatch":
		return "sqs:SendMessage"
	case "DeleteMessageBatch":
		return "sqs:DeleteMessage"
	case "ChangeMessageVisibilityBatch":
		return "sqs:ChangeMessageVisibility"
	}
	return "sqs:" + op
}

// authorize checks the caller's permission for op before the handler runs.
func (s *Service) authorize(req *core.Request, op string) *core.APIError {
	return req.AuthorizeTarget(iamAction(op), func() core.AuthzTarget { return s.authzTarget(req) })
}

// authzTarget is the queue a request acts on (its ARN and policy), read
// from the call's input. Actions on no queue (ListQueues) act on "*".
func (s *Service) authzTarget(req *core.Request) core.AuthzTarget {
	var in struct{ QueueURL, QueueName, SourceArn, TaskHandle string }
	in.QueueURL, in.QueueName = req.Param("QueueUrl"), req.Param("QueueName")
	in.SourceArn, in.TaskHandle = req.Param("SourceArn"), req.Param("TaskHandle")
	arn := ""
	switch {
	case in.QueueURL != "":
		if region, account, name, ok := parseQueueURL(in.QueueURL); ok {
			if region == "" {
				region = req.Region
			}
			arn = core.ARN("sqs", region, account, name)
		}
	case in.QueueName != "":
		arn = core.ARN("sqs", req.Region, req.AccountID, in.QueueName)
	case in.SourceArn != "":
		arn = in.SourceArn
	case in.TaskHandle != "":
		if raw, err := base64.StdEncoding.DecodeString(in.TaskHandle); err == nil {
			var h struct {
				SourceArn string `json:"sourceArn"`
			}
			if json.Unmarshal(raw, &h) == nil {
				arn = h.SourceArn
			}
		}
	}
	if arn == "" {
		return core.AuthzTarget{Resource: "*"}
	}
	t := core.AuthzTarget{Resource: arn}
	s.mu.Lock()
	if q := s.queues[arn]; q != nil {
		t.Policy = q.attrs.policy
	}
	s.mu.Unlock()
	return t
}
