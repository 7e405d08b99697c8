package bus

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
)

// The queue policy of a region: it lets the bus topic, and only it, send to
// the queue. It is an attribute of the queue, so it goes with the queue.

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

func ensureQueuePolicy(ctx context.Context, op *regionOp) error {
	want := queuePolicy(op.ids.QueueARN, op.e.topicARN)
	if sameJSON(op.queuePolicy, want) {
		return nil
	}
	if err := setQueueAttributes(ctx, op.e.c.SQS(ctx, op.region()), op.ids.QueueURL, map[string]string{"Policy": want}); err != nil {
		return op.fail("setting the queue policy", err)
	}
	return nil
}

// readQueuePolicy compares the policy the queue's read found with the one
// the bus sets. Without the queue or the topic there is nothing to compare.
func readQueuePolicy(_ context.Context, op *regionOp) error {
	if op.queueAttrs == nil || op.e.topicARN == "" {
		return nil
	}
	if !sameJSON(op.queueAttrs["Policy"], queuePolicy(op.ids.QueueARN, op.e.topicARN)) {
		op.note("queue: the policy differs from the one that lets the topic send")
	}
	return nil
}

// deleteQueuePolicy: the policy is deleted with its queue.
func deleteQueuePolicy(context.Context, *regionOp) error { return nil }
