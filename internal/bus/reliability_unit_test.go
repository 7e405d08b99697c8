package bus

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Unit tests of the fixes and rules added with the reliability and security
// work (see reliability_acc_test.go and security_acc_test.go).

func driftList(entries ...string) types.List {
	elems := make([]attr.Value, len(entries))
	for i, e := range entries {
		elems[i] = types.StringValue(e)
	}
	return types.ListValueMust(types.StringType, elems)
}

// Drift that Update repairs with a new subscription or mapping must make
// the plan expect a new ARN / UUID; raw delivery is repaired in place.
func TestDriftReplaces(t *testing.T) {
	ctx := context.Background()
	raw := subscriptionDrift(map[string]string{"RawMessageDelivery": "false"}, tTopic, tQueue)
	filter := subscriptionDrift(map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"cmd":["SET"]}`}, tTopic, tQueue)
	for _, tc := range []struct {
		name          string
		drift         types.List
		sub, mapping  bool
		wantUnchanged bool
	}{
		{name: "none", drift: driftList()},
		{name: "null", drift: types.ListNull(types.StringType)},
		{name: "raw delivery off: repaired in place", drift: driftList(raw...)},
		{name: "filter policy: subscribed again", drift: driftList(filter...), sub: true},
		{name: "raw delivery and filter policy", drift: driftList(append(raw, filter...)...), sub: true},
		{name: "mapping of another queue: replaced", drift: driftList(mappingSourceDriftPrefix + "arn:aws:sqs:ap-south-1:123456789012:other instead of the region's queue"), mapping: true},
		{name: "other drift", drift: driftList("event source mapping: disabled", "queue: delivery delay is 30 seconds")},
	} {
		sub, mapping := driftReplaces(ctx, tc.drift)
		if sub != tc.sub || mapping != tc.mapping {
			t.Errorf("%s: driftReplaces = %t, %t; want %t, %t", tc.name, sub, mapping, tc.sub, tc.mapping)
		}
	}
	if len(raw) != 1 || !strings.Contains(raw[0], rawDeliveryDrift) {
		t.Fatalf("raw delivery drift = %v", raw)
	}
}

func TestTopicDrifted(t *testing.T) {
	ctx := context.Background()
	clean := map[string]regionModel{"ap-south-1": {Drift: driftList("queue: delivery delay is 30 seconds")}}
	if topicDrifted(ctx, clean) {
		t.Error("a region's own drift is not the topic's")
	}
	drifted := map[string]regionModel{"ap-south-1": {Drift: driftList()}, "us-east-1": {Drift: driftList(topicDriftPrefix + "not encrypted")}}
	if !topicDrifted(ctx, drifted) {
		t.Error("the topic's drift in one region must be found")
	}
}

func TestRoleExtraPermissions(t *testing.T) {
	if got := (&roleInfo{}).extraPermissions(); got != "" {
		t.Errorf("no extra permissions: %q", got)
	}
	got := (&roleInfo{OtherInline: []string{"debug"}, Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}).extraPermissions()
	if got != "inline debug; attached arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("extraPermissions = %q", got)
	}
}

func TestValidateView_kmsKeyForms(t *testing.T) {
	for _, key := range []string{
		"1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab", "alias/regis", "alias/team/regis_key-1",
		"arn:aws:kms:ap-southeast-1:123456789012:alias/regis",
	} {
		v := okView()
		v.KMSKeyID = p(key)
		if got := find(validateView(v), "Invalid kms_key_id"); len(got) != 0 {
			t.Errorf("%s refused: %+v", key, got)
		}
	}
	for _, key := range []string{"my key", "regis", "alias/", "alias/with space", "1234", "arn:aws:kms:ap-southeast-1:123456789012:keys/1234", "arn:aws:kms:ap-southeast-1:123456789012:key/not-a-uuid"} {
		v := okView()
		v.KMSKeyID = p(key)
		got := find(validateView(v), "Invalid kms_key_id")
		if len(got) != 1 || got[0].Path.String() != "kms_key_id" || !strings.Contains(got[0].Detail, `alias ("alias/regis")`) {
			t.Errorf("%s: %+v, want one error that shows the accepted forms", key, got)
		}
	}
}

func TestValidateView_environmentSize(t *testing.T) {
	v := okView()
	v.Regions["ap-south-1"].Environment = map[string]string{"SENTRY_DSN": strings.Repeat("x", 3000)}
	if got := find(validateView(v), "Function environment too large"); len(got) != 0 {
		t.Fatalf("3000 bytes of extra environment fit: %+v", got)
	}
	v.Regions["ap-south-1"].Environment = map[string]string{"SENTRY_DSN": strings.Repeat("x", 3900)}
	got := find(validateView(v), "Function environment too large")
	if len(got) != 1 || got[0].Path.String() != `regions["ap-south-1"].consumer.environment` || !strings.Contains(got[0].Detail, "4096 bytes") {
		t.Fatalf("3900 bytes: %+v", got)
	}
	// Unknown values count as empty: no false alarm.
	v.Regions["ap-south-1"].Environment = map[string]string{"SENTRY_DSN": ""}
	if got := find(validateView(v), "Function environment too large"); len(got) != 0 {
		t.Fatalf("unknown value: %+v", got)
	}
}

func TestValidateView_dlqRetentionShorterThanQueue(t *testing.T) {
	v := okView()
	v.Regions["ap-south-1"].DLQRetention = p(int64(3600))
	got := find(validateView(v), "Dead-letter queue keeps messages for less time")
	if len(got) != 1 || !got[0].Warning || !strings.Contains(got[0].Detail, "at least 345600") {
		t.Fatalf("%+v", got)
	}
	v.Regions["ap-south-1"].DLQRetention = p(int64(defaultRetention))
	if got := find(validateView(v), "Dead-letter queue keeps"); len(got) != 0 {
		t.Fatalf("equal retention: %+v", got)
	}
}

func TestTagKeyValidator(t *testing.T) {
	ctx := context.Background()
	for key, bad := range map[string]bool{"team": false, "aws:owner": true, "AWS:Owner": true, "awsome": false} {
		resp := &validator.StringResponse{}
		tagKeyValidator{}.ValidateString(ctx, validator.StringRequest{Path: path.Root("tags"), ConfigValue: types.StringValue(key)}, resp)
		if resp.Diagnostics.HasError() != bad {
			t.Errorf("%s: error %t, want %t", key, resp.Diagnostics.HasError(), bad)
		}
	}
}
