package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// queueAttrs is what a queue looks like, from GetQueueAttributes.
type queueAttrs map[string]string

// findQueueAttributes returns every attribute of the queue at url.
func findQueueAttributes(ctx context.Context, c *sqs.Client, url string) (queueAttrs, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
		return nil, awsapi.NewNotFound("queue "+url, err)
	}
	if err != nil {
		return nil, err
	}
	return out.Attributes, nil
}

// desiredQueueAttributes are the settable attributes of a bus queue (main or
// DLQ). The policy and the redrive policy are set separately.
func desiredQueueAttributes(spec *busSpec, visibility, retention int64) map[string]string {
	a := map[string]string{
		"VisibilityTimeout":      strconv.FormatInt(visibility, 10),
		"MessageRetentionPeriod": strconv.FormatInt(retention, 10),
		"DelaySeconds":           "0",
	}
	if spec.KMSKeyID != "" {
		a["KmsMasterKeyId"] = spec.KMSKeyID
		a["SqsManagedSseEnabled"] = "false"
	} else {
		a["SqsManagedSseEnabled"] = "true"
		a["KmsMasterKeyId"] = ""
	}
	return a
}

// createAttributes drops the empty values CreateQueue refuses.
func createAttributes(a map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// attributeDiff returns the desired attributes whose current value differs.
func attributeDiff(current queueAttrs, desired map[string]string) map[string]string {
	out := map[string]string{}
	for k, want := range desired {
		got := current[k]
		if k == "SqsManagedSseEnabled" && got == "" {
			got = "false"
		}
		if jsonAttributes[k] && sameJSON(got, want) {
			continue
		}
		if got != want {
			out[k] = want
		}
	}
	return out
}

// jsonAttributes are the queue attributes whose values are JSON documents,
// compared by content (SQS may return them reformatted).
var jsonAttributes = map[string]bool{"RedrivePolicy": true, "Policy": true, "RedriveAllowPolicy": true}

// createQueue creates a queue, retrying QueueDeletedRecently (a queue of the
// same name was deleted less than 60 seconds ago: AWS asks to wait). A queue
// of that name with other attributes makes it fail with QueueNameExists
// (with the same attributes, SQS returns the existing queue).
func createQueue(ctx context.Context, c *sqs.Client, name string, attrs, tags map[string]string) (url, arn string, err error) {
	out, err := awsapi.RetryWhen(ctx, queueDeletedRecentlyMax, func(ctx context.Context) (*sqs.CreateQueueOutput, error) {
		return c.CreateQueue(ctx, &sqs.CreateQueueInput{
			QueueName:  aws.String(name),
			Attributes: createAttributes(attrs),
			Tags:       tags,
		})
	}, awsapi.IsA[*sqstypes.QueueDeletedRecently])
	if err != nil {
		return "", "", err
	}
	url = aws.ToString(out.QueueUrl)
	attrsOut, err := findQueueAttributes(ctx, c, url)
	if err != nil {
		// The queue exists: report its URL so that it is recorded.
		return url, "", fmt.Errorf("reading the ARN of new queue %s: %w", url, err)
	}
	return url, attrsOut["QueueArn"], nil
}

func setQueueAttributes(ctx context.Context, c *sqs.Client, url string, attrs map[string]string) error {
	if len(attrs) == 0 {
		return nil
	}
	_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs})
	return err
}

func deleteQueue(ctx context.Context, c *sqs.Client, url string) error {
	_, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
		return nil
	}
	return err
}

// redrivePolicy is the main queue's RedrivePolicy.
func redrivePolicy(dlqARN string, maxReceive int64) string {
	b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": maxReceive})
	return string(b)
}

type redrive struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     any    `json:"maxReceiveCount"`
}

// parseRedrive reads a RedrivePolicy; maxReceiveCount may be a number or a
// string in what AWS returns.
func parseRedrive(s string) (target string, maxReceive int64, ok bool) {
	if s == "" {
		return "", 0, false
	}
	var r redrive
	if json.Unmarshal([]byte(s), &r) != nil {
		return "", 0, false
	}
	switch v := r.MaxReceiveCount.(type) {
	case float64:
		maxReceive = int64(v)
	case string:
		maxReceive, _ = strconv.ParseInt(v, 10, 64)
	}
	return r.DeadLetterTargetArn, maxReceive, true
}

func listQueueTags(ctx context.Context, c *sqs.Client, url string) (map[string]string, error) {
	out, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, err
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

func syncQueueTags(ctx context.Context, c *sqs.Client, url string, current, desired map[string]string) error {
	add, remove := tagDiff(current, desired)
	if len(remove) > 0 {
		if _, err := c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: remove}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: add}); err != nil {
			return err
		}
	}
	return nil
}

// ------------------------------------------------- the queue and its DLQ

// dlqVisibility is the dead-letter queue's visibility timeout (nothing
// consumes it but an operator's redrive).
const dlqVisibility = 30

// ensureQueueObject brings the queue at *url (its ARN in *queueARN) to want,
// or creates it as name when *url is empty or the queue is gone; a queue of
// that name that exists outside the state is adopted. what names it in
// errors. It returns the existing queue's policy ("" for a new queue).
func ensureQueueObject(ctx context.Context, op *regionOp, what, name string, want map[string]string, url, queueARN *string) (string, error) {
	sq := op.e.c.SQS(ctx, op.region())
	policy := ""
	// converge brings the queue at *url to want; it clears *url when the
	// queue is gone.
	converge := func() error {
		cur, err := findQueueAttributes(ctx, sq, *url)
		switch {
		case awsapi.IsNotFound(err):
			*url, *queueARN = "", ""
			return nil
		case err != nil:
			return op.fail("reading the "+what, err)
		}
		*queueARN = cur["QueueArn"]
		if err := setQueueAttributes(ctx, sq, *url, attributeDiff(cur, want)); err != nil {
			return op.fail("updating the "+what, err)
		}
		tags, err := listQueueTags(ctx, sq, *url)
		if err == nil {
			err = syncQueueTags(ctx, sq, *url, tags, op.e.spec.Tags)
		}
		if err != nil {
			return op.fail("tagging the "+what, err)
		}
		policy = cur["Policy"]
		return nil
	}
	if *url != "" {
		if err := converge(); err != nil {
			return "", err
		}
	}
	if *url == "" {
		u, a, err := createQueue(ctx, sq, name, want, op.e.spec.Tags)
		if awsapi.IsA[*sqstypes.QueueNameExists](err) {
			// The bus's queue exists with other settings, outside the
			// state (left by an earlier bus, or made by hand): it is the
			// bus's by its name, so adopt it and bring it to the spec.
			u, a, err = busdiscovery.FindQueue(ctx, sq, name)
			if err != nil {
				return "", op.fail("looking up the existing "+what+" "+name, err)
			}
			*url, *queueARN = u, a
			if *url == "" {
				return "", op.fail("creating the "+what, fmt.Errorf("SQS reported a queue named %s, then did not find it: run terraform apply again", name))
			}
			if err := converge(); err != nil {
				return "", err
			}
			return policy, nil
		}
		*url, *queueARN = u, a
		if err != nil {
			return "", op.fail("creating the "+what, err)
		}
	}
	if *queueARN == "" {
		cur, err := findQueueAttributes(ctx, sq, *url)
		if err != nil {
			return "", op.fail("reading the "+what, err)
		}
		*queueARN = cur["QueueArn"]
	}
	return policy, nil
}

// ensureQueue: the queue, redriving to the dead-letter queue.
func ensureQueue(ctx context.Context, op *regionOp) error {
	rs := op.rs
	want := desiredQueueAttributes(op.e.spec, rs.Queue.VisibilityTimeout, rs.Queue.MessageRetention)
	want["RedrivePolicy"] = redrivePolicy(op.ids.DLQARN, rs.Queue.MaxReceiveCount)
	policy, err := ensureQueueObject(ctx, op, "queue", contract.QueueName(op.e.spec.Name), want, &op.ids.QueueURL, &op.ids.QueueARN)
	op.queuePolicy = policy
	return err
}

// readQueueObject reads the queue at *url: nil attributes when it is gone
// (its ids cleared and noted missing).
func readQueueObject(ctx context.Context, op *regionOp, what string, url, queueARN *string) (queueAttrs, error) {
	if *url == "" {
		return nil, nil
	}
	sq := op.e.c.SQS(ctx, op.region())
	attrs, err := findQueueAttributes(ctx, sq, *url)
	switch {
	case awsapi.IsNotFound(err):
		*url, *queueARN = "", ""
		op.missing(what)
		return nil, nil
	case err != nil:
		return nil, op.fail("reading the "+what, err)
	}
	*queueARN = attrs["QueueArn"]
	spec := op.e.spec
	if spec.KMSKeyID != "" {
		if attrs["KmsMasterKeyId"] != spec.KMSKeyID {
			op.note(what + ": not encrypted with kms_key_id")
		}
	} else if attrs["SqsManagedSseEnabled"] != "true" || attrs["KmsMasterKeyId"] != "" {
		op.note(what + ": not encrypted with SQS-managed keys (SSE-SQS)")
	}
	tags, err := listQueueTags(ctx, sq, *url)
	if err != nil {
		return nil, op.fail("reading the tags of the "+what, err)
	}
	op.tagDrift(what, tags)
	return attrs, nil
}

func readQueue(ctx context.Context, op *regionOp) error {
	ids, rs := op.ids, op.rs
	attrs, err := readQueueObject(ctx, op, "queue", &ids.QueueURL, &ids.QueueARN)
	if attrs == nil {
		return err
	}
	op.queueAttrs = attrs
	rs.Queue.VisibilityTimeout = atoi(attrs["VisibilityTimeout"], rs.Queue.VisibilityTimeout)
	rs.Queue.MessageRetention = atoi(attrs["MessageRetentionPeriod"], rs.Queue.MessageRetention)
	target, maxReceive, ok := parseRedrive(attrs["RedrivePolicy"])
	switch {
	case !ok:
		op.note("queue: no redrive policy, so failing messages are never moved to the dead-letter queue")
	default:
		rs.Queue.MaxReceiveCount = maxReceive
		if dlq := op.dlqARN(); dlq != "" && target != dlq {
			op.note("queue: redrives to " + target + " instead of the region's dead-letter queue")
		}
	}
	if d := attrs["DelaySeconds"]; d != "" && d != "0" {
		op.note("queue: delivery delay is " + d + " seconds")
	}
	return nil
}

func deleteQueueObject(ctx context.Context, op *regionOp) error {
	if op.ids.QueueURL == "" {
		return nil
	}
	if err := deleteQueue(ctx, op.e.c.SQS(ctx, op.region()), op.ids.QueueURL); err != nil {
		return op.fail("deleting the queue", err)
	}
	op.ids.QueueURL, op.ids.QueueARN = "", ""
	return nil
}
