package bus

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Every pass of the engine (ensure, read, delete) goes through every kind of
// a region's objects once: a kind added to regionKinds but forgotten in an
// order would never be read or deleted.
func TestReconcilerOrders(t *testing.T) {
	names := func(ks []*regionKind) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.name)
		}
		slices.Sort(out)
		return out
	}
	all := names(regionKinds)
	if len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Fatalf("a kind is twice in regionKinds: %v", all)
	}
	for order, ks := range map[string][]*regionKind{"readOrder": readOrder, "deleteOrder": deleteOrder} {
		if got := names(ks); !slices.Equal(got, all) {
			t.Errorf("%s has %v, regionKinds %v", order, got, all)
		}
	}
	for _, k := range regionKinds {
		if k.ensure == nil || k.read == nil || k.delete == nil {
			t.Errorf("%s lacks a step", k.name)
		}
	}
	if got := objectKinds(); got[0] != topicKindName || len(got) != len(regionKinds)+1 {
		t.Errorf("objectKinds() = %v", got)
	}
}

func TestParseBusID(t *testing.T) {
	for _, tc := range []struct{ id, name, home string }{
		{"hotels@ap-southeast-1", "hotels", "ap-southeast-1"},
		{"prod-hotels_2@us-gov-west-1", "prod-hotels_2", "us-gov-west-1"},
		{"arn:aws:sns:ap-southeast-1:123456789012:hotels", "hotels", "ap-southeast-1"},
		{"arn:aws-cn:sns:cn-north-1:123456789012:hotels", "hotels", "cn-north-1"},
	} {
		name, home, err := parseBusID(tc.id)
		if err != nil || name != tc.name || home != tc.home {
			t.Errorf("parseBusID(%q) = %q, %q, %v; want %q, %q", tc.id, name, home, err, tc.name, tc.home)
		}
		if busID(name, home) != tc.name+"@"+tc.home {
			t.Errorf("busID(%q, %q) = %q", name, home, busID(name, home))
		}
	}
	for _, tc := range []struct{ id, want string }{
		{"arn:aws:sqs:ap-southeast-1:123456789012:hotels", "not an SNS topic ARN"},
		{"arn:aws:sns:ap-southeast-1:123456789012:hotels:0f1e2d3c", "not an SNS topic ARN"}, // a subscription
		{"hotels", "is not a bus id"},
		{"@ap-southeast-1", "is not a bus id"},
		{"hotels/eu@ap-southeast-1", "is not a bus name"},
		{"hotels@ap-southeast1", "the home region"},
	} {
		_, _, err := parseBusID(tc.id)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseBusID(%q): %v, want an error with %q", tc.id, err, tc.want)
			continue
		}
		// Every refusal shows both forms that work.
		for _, form := range []string{`"hotels@ap-southeast-1"`, "arn:aws:sns:ap-southeast-1:123456789012:hotels", "also when the topic no longer exists"} {
			if !strings.Contains(err.Error(), form) {
				t.Errorf("parseBusID(%q): %q does not show %s", tc.id, err, form)
			}
		}
	}
}

// A version 0 state (id = the topic's ARN) is upgraded to the id of
// version 1, the rest unchanged; a state without name and home region
// takes them from the ARN.
func TestUpgradeStateV0(t *testing.T) {
	ctx := context.Background()
	r := &busResource{}
	up, ok := r.UpgradeState(ctx)[0]
	if !ok || up.PriorSchema != nil {
		t.Fatalf("no JSON upgrader for version 0: %+v", up)
	}
	v0 := `{"id":"arn:aws:sns:ap-southeast-1:123456789012:hotels","name":"hotels","home_region":"ap-southeast-1",` +
		`"topic_arn":"arn:aws:sns:ap-southeast-1:123456789012:hotels","tombstone_ttl":"168h","regions":{"ap-south-1":{"queue_url":"https://sqs/q"}}}`
	for _, tc := range []struct{ name, state string }{
		{"complete", v0},
		{"id only", `{"id":"arn:aws:sns:ap-southeast-1:123456789012:hotels"}`},
	} {
		resp := &resource.UpgradeStateResponse{}
		up.StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(tc.state)}}, resp)
		if resp.Diagnostics.HasError() || resp.DynamicValue == nil {
			t.Fatalf("%s: %v", tc.name, resp.Diagnostics)
		}
		var before, after map[string]any
		if err := json.Unmarshal([]byte(tc.state), &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(resp.DynamicValue.JSON, &after); err != nil {
			t.Fatal(err)
		}
		if after["id"] != "hotels@ap-southeast-1" {
			t.Errorf("%s: id %v", tc.name, after["id"])
		}
		delete(before, "id")
		delete(after, "id")
		b1, _ := json.Marshal(before)
		b2, _ := json.Marshal(after)
		if string(b1) != string(b2) {
			t.Errorf("%s: the other attributes changed:\n%s\n%s", tc.name, b1, b2)
		}
	}
	resp := &resource.UpgradeStateResponse{}
	up.StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(`{"id":"nonsense"}`)}}, resp)
	if !resp.Diagnostics.HasError() {
		t.Error("a state without a bus was upgraded")
	}
}

// A queue that is gone is reported missing, not as the subscription
// delivering "to <the queue's own ARN> instead of the region's queue".
func TestSubscriptionDriftWhileTheQueueIsGone(t *testing.T) {
	attrs := map[string]string{"TopicArn": tTopic, "Protocol": "sqs", "Endpoint": tQueue, "RawMessageDelivery": "true"}
	if d := subscriptionDrift(attrs, tTopic, tQueue); len(d) != 0 {
		t.Fatalf("drift %v", d)
	}
	if d := subscriptionDrift(attrs, tTopic, ""); len(d) != 0 {
		t.Fatalf("unknown queue: drift %v", d)
	}
	op := &regionOp{ids: &regionIDs{}, recorded: regionIDs{QueueARN: tQueue, DLQARN: tDLQ, DLQURL: "https://sqs/dlq"}}
	if op.queueARN() != tQueue || op.dlqARN() != tDLQ || op.dlqURL() != "https://sqs/dlq" {
		t.Fatalf("the recorded ARNs are lost once the queues are gone: %q %q %q", op.queueARN(), op.dlqARN(), op.dlqURL())
	}
}
