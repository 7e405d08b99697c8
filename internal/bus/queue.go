package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
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
// same name was deleted less than 60 seconds ago: AWS asks to wait).
func createQueue(ctx context.Context, c *sqs.Client, name string, attrs, tags map[string]string) (url, arn string, err error) {
	out, err := awsapi.RetryWhen(ctx, queueDeletedRecentlyMax, func(ctx context.Context) (*sqs.CreateQueueOutput, error) {
		return c.CreateQueue(ctx, &sqs.CreateQueueInput{
			QueueName:  aws.String(name),
			Attributes: createAttributes(attrs),
			Tags:       tags,
		})
	}, awsapi.IsA[*sqstypes.QueueDeletedRecently])
	if err != nil {
		if awsapi.IsA[*sqstypes.QueueNameExists](err) {
			return "", "", fmt.Errorf("a queue named %s already exists with other settings and does not belong to this bus's state: import the bus (terraform import) or delete the queue: %w", name, err)
		}
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

// queuePolicy lets the topic, and only it, send to the queue. SNS delivers
// as the service principal; aws:SourceArn pins the topic.
func queuePolicy(queueARN, topicARN string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Id":      "regis-bus",
		"Statement": []any{map[string]any{
			"Sid":       "AllowRegisTopic",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARN}},
		}},
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// sameJSON compares two JSON documents by content.
func sameJSON(a, b string) bool {
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(normalizePolicy(x), normalizePolicy(y))
}

// normalizePolicy makes IAM-style documents comparable: a single string and
// a one-element list mean the same.
func normalizePolicy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalizePolicy(e)
		}
		return out
	case []any:
		if len(t) == 1 {
			return normalizePolicy(t[0])
		}
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizePolicy(e)
		}
		return out
	}
	return v
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
