package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
)

var ctx = context.Background()

func wantAPIError(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("want %s containing %q, got %s: %s", code, msgPart, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestTopicLifecycle(t *testing.T) {
	emu, _, _ := startFake(t)
	c := snsClient(t, emu, region)

	arn := createTopic(t, c, "orders", map[string]string{"DisplayName": "Orders"})
	if want := "arn:aws:sns:ap-southeast-1:123456789012:orders"; arn != want {
		t.Fatalf("TopicArn = %s, want %s", arn, want)
	}
	// Idempotent with the same attributes, refused with different ones.
	if again := createTopic(t, c, "orders", map[string]string{"DisplayName": "Orders"}); again != arn {
		t.Fatalf("second CreateTopic returned %s", again)
	}
	_, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Other"}})
	var ip *snstypes.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Fatalf("CreateTopic with different attributes: want InvalidParameterException, got %v", err)
	}
	for _, bad := range []string{"has space", "dot.name", strings.Repeat("a", 257), "x.fifo"} {
		if _, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String(bad)}); !errors.As(err, &ip) {
			t.Errorf("CreateTopic %q: want InvalidParameterException, got %v", bad, err)
		}
	}

	got, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	a := got.Attributes
	for k, want := range map[string]string{
		"TopicArn": arn, "Owner": account, "DisplayName": "Orders",
		"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
	} {
		if a[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, a[k], want)
		}
	}
	var policy struct {
		Statement []struct {
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(a["Policy"]), &policy); err != nil || len(policy.Statement) != 1 ||
		policy.Statement[0].Resource != arn || policy.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != account {
		t.Errorf("default Policy = %s (%v)", a["Policy"], err)
	}
	if !json.Valid([]byte(a["EffectiveDeliveryPolicy"])) {
		t.Errorf("EffectiveDeliveryPolicy = %q", a["EffectiveDeliveryPolicy"])
	}

	// SetTopicAttributes and its validation.
	if _, err := c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"}]}`)})
	wantAPIError(t, err, "InvalidParameter", "Policy")
	_, err = c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("NoSuchAttribute"), AttributeValue: aws.String("x")})
	wantAPIError(t, err, "InvalidParameter", "AttributeName")
	got, _ = c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if got.Attributes["SignatureVersion"] != "2" {
		t.Errorf("SignatureVersion = %q after SetTopicAttributes", got.Attributes["SignatureVersion"])
	}

	// A topic lives in its region only.
	other := snsClient(t, emu, otherRegion)
	_, err = other.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	wantAPIError(t, err, "InvalidParameter", "TopicArn")
	// Another account's topic is an authorization error.
	_, err = c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-1:999999999999:orders")})
	var ae *snstypes.AuthorizationErrorException
	if !errors.As(err, &ae) {
		t.Errorf("foreign topic: want AuthorizationErrorException, got %v", err)
	}

	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatalf("DeleteTopic is idempotent, got %v", err)
	}
	_, err = c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("deleted topic: want NotFoundException, got %v", err)
	}
}

func TestListTopicsPaging(t *testing.T) {
	emu, _, _ := startFake(t)
	c := snsClient(t, emu, region)
	want := map[string]bool{}
	for i := range 105 {
		want[createTopic(t, c, fmt.Sprintf("t%03d", i), nil)] = true
	}
	createTopic(t, snsClient(t, emu, otherRegion), "elsewhere", nil)

	seen := map[string]bool{}
	pages := 0
	p := awssns.NewListTopicsPaginator(c, &awssns.ListTopicsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Topics) > 100 {
			t.Fatalf("page of %d topics", len(out.Topics))
		}
		for _, tp := range out.Topics {
			if seen[*tp.TopicArn] {
				t.Fatalf("%s listed twice", *tp.TopicArn)
			}
			seen[*tp.TopicArn] = true
		}
	}
	if pages != 2 || len(seen) != len(want) {
		t.Fatalf("%d pages, %d topics; want 2 pages, %d topics", pages, len(seen), len(want))
	}
	for arn := range want {
		if !seen[arn] {
			t.Fatalf("%s not listed", arn)
		}
	}
	_, err := c.ListTopics(ctx, &awssns.ListTopicsInput{NextToken: aws.String("!!not-a-token")})
	wantAPIError(t, err, "InvalidParameter", "NextToken")
}

func TestTags(t *testing.T) {
	emu, _, _ := startFake(t)
	c := snsClient(t, emu, region)
	out, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("tagged"),
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("cache")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.TopicArn
	if _, err := c.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: arn, Tags: []snstypes.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("infra")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &awssns.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tags) != 1 || *list.Tags[0].Key != "team" || *list.Tags[0].Value != "infra" {
		t.Fatalf("tags = %+v, want team=infra", list.Tags)
	}
	// Retrying CreateTopic with other tags is refused.
	_, err = c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("tagged"),
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("other")}}})
	wantAPIError(t, err, "InvalidParameter", "different tags")

	missing := aws.String("arn:aws:sns:ap-southeast-1:123456789012:missing")
	var rnf *snstypes.ResourceNotFoundException
	if _, err := c.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: missing}); !errors.As(err, &rnf) {
		t.Errorf("ListTagsForResource on a missing topic: want ResourceNotFoundException, got %v", err)
	}
	if _, err := c.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: missing, Tags: []snstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); !errors.As(err, &rnf) {
		t.Errorf("TagResource on a missing topic: want ResourceNotFoundException, got %v", err)
	}
	var many []snstypes.Tag
	for i := range 51 {
		many = append(many, snstypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	var tle *snstypes.TagLimitExceededException
	if _, err := c.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: arn, Tags: many}); !errors.As(err, &tle) {
		t.Errorf("51 tags: want TagLimitExceededException, got %v", err)
	}
}

func TestSubscriptions(t *testing.T) {
	emu, _, svc := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "fanout", nil)
	local, remote := queueARN(region, "local"), queueARN(otherRegion, "remote")

	subLocal := subscribe(t, c, topic, local, map[string]string{"RawMessageDelivery": "true"})
	subRemote := subscribe(t, c, topic, remote, nil)
	if !strings.HasPrefix(subLocal, topic+":") || subLocal == subRemote {
		t.Fatalf("subscription ARNs %s, %s", subLocal, subRemote)
	}
	// Subscribing the same endpoint again returns the same subscription,
	// unless the attributes differ.
	if again := subscribe(t, c, topic, local, map[string]string{"RawMessageDelivery": "true"}); again != subLocal {
		t.Fatalf("resubscribe returned %s, want %s", again, subLocal)
	}
	_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &local,
		Attributes: map[string]string{"RawMessageDelivery": "false"}})
	wantAPIError(t, err, "InvalidParameter", "different attributes")

	for _, tc := range []struct {
		protocol, endpoint string
		attrs              map[string]string
		msg                string
	}{
		{"carrier-pigeon", local, nil, "does not support this protocol"},
		{"sqs", "not-an-arn", nil, "SQS endpoint ARN"},
		{"sqs", queueARN(region, "jobs.fifo"), nil, "FIFO SQS Queues can not be subscribed to standard SNS topics"},
		{"sqs", queueARN(region, "q2"), map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + queueARN(otherRegion, "dlq") + `"}`}, "RedrivePolicy"},
		{"sqs", queueARN(region, "q2"), map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sns:ap-southeast-1:123456789012:t"}`}, "RedrivePolicy"},
		{"sqs", queueARN(region, "q2"), map[string]string{"RawMessageDelivery": "yes"}, "RawMessageDelivery"},
		{"sqs", queueARN(region, "q2"), map[string]string{"FilterPolicy": `{"a":"b"}`}, "FilterPolicy"},
		{"sqs", queueARN(region, "q2"), map[string]string{"FilterPolicy": `{"a":{"b":["c"]}}`}, "nested"},
		{"sqs", queueARN(region, "q2"), map[string]string{"FilterPolicyScope": "Everything"}, "FilterPolicyScope"},
		{"sqs", queueARN(region, "q2"), map[string]string{"Colour": "red"}, "AttributeName"},
	} {
		_, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &topic, Protocol: aws.String(tc.protocol), Endpoint: aws.String(tc.endpoint), Attributes: tc.attrs})
		wantAPIError(t, err, "InvalidParameter", tc.msg)
	}

	// Non-SQS endpoints wait for a confirmation the emulator never sends.
	pend, err := c.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	if err != nil || aws.ToString(pend.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("email Subscribe = %v, %v", pend, err)
	}

	attrs, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["SubscriptionsConfirmed"] != "2" || attrs.Attributes["SubscriptionsPending"] != "1" {
		t.Fatalf("subscription counts %v", attrs.Attributes)
	}

	sa, err := c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: &subLocal})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"TopicArn": topic, "Endpoint": local, "Protocol": "sqs", "RawMessageDelivery": "true",
		"PendingConfirmation": "false", "Owner": account, "SubscriptionArn": subLocal} {
		if sa.Attributes[k] != want {
			t.Errorf("subscription attribute %s = %q, want %q", k, sa.Attributes[k], want)
		}
	}
	if _, ok := sa.Attributes["FilterPolicy"]; ok {
		t.Errorf("FilterPolicy reported without one: %v", sa.Attributes)
	}
	if _, err := c.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: &subLocal,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":["set"]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SetSubscriptionAttributes(ctx, &awssns.SetSubscriptionAttributesInput{SubscriptionArn: &subLocal,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":[]}`)})
	wantAPIError(t, err, "InvalidParameter", "Invalid parameter: FilterPolicy: Empty arrays are not allowed")
	sa, _ = c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: &subLocal})
	if sa.Attributes["FilterPolicy"] != `{"kind":["set"]}` || sa.Attributes["FilterPolicyScope"] != "MessageAttributes" {
		t.Errorf("after SetSubscriptionAttributes: %v", sa.Attributes)
	}

	byTopic, err := c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(byTopic.Subscriptions) != 3 {
		t.Fatalf("ListSubscriptionsByTopic: %d subscriptions", len(byTopic.Subscriptions))
	}
	pendingListed := false
	for _, s := range byTopic.Subscriptions {
		if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" && aws.ToString(s.Protocol) == "email" {
			pendingListed = true
		}
	}
	if !pendingListed {
		t.Errorf("the pending subscription is not listed as PendingConfirmation: %+v", byTopic.Subscriptions)
	}
	all, err := snsClient(t, emu, otherRegion).ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 0 {
		t.Fatalf("ListSubscriptions in another region: %v, %v", all, err)
	}

	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: &subRemote}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: &subRemote}); err != nil {
		t.Fatalf("Unsubscribe is idempotent, got %v", err)
	}
	_, err = c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: &subRemote})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("deleted subscription: want NotFoundException, got %v", err)
	}
	attrs, _ = c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: &topic})
	if attrs.Attributes["SubscriptionsConfirmed"] != "1" || attrs.Attributes["SubscriptionsDeleted"] != "1" {
		t.Fatalf("after Unsubscribe: %v", attrs.Attributes)
	}

	inv := emu.Inventory()
	var subs, topics int
	for _, r := range inv {
		if r.Service == "sns" && r.Region == region {
			switch r.Type {
			case "subscription":
				subs++
			case "topic":
				topics++
			}
		}
	}
	if topics != 1 || subs != 2 {
		t.Fatalf("inventory: %d topics, %d subscriptions, want 1 and 2: %+v", topics, subs, inv)
	}

	// Deleting the topic deletes its subscriptions.
	if _, err := c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: &topic}); err != nil {
		t.Fatal(err)
	}
	for _, r := range emu.Inventory() {
		if r.Service == "sns" {
			t.Fatalf("left after DeleteTopic: %+v", r)
		}
	}
	if _, ok := svc.SubscriptionStats(subLocal); !ok {
		t.Error("delivery stats should outlive the subscription")
	}
}

func TestPublishValidation(t *testing.T) {
	emu, fake, _ := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "validate", nil)
	q := queueARN(region, "q")
	subscribe(t, c, topic, q, nil)

	var ip *snstypes.InvalidParameterException
	_, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(strings.Repeat("x", sns.MaxMessageSize+1))})
	if !errors.As(err, &ip) || aws.ToString(ip.Message) != "Invalid parameter: Message too long" {
		t.Fatalf("oversize Publish: want InvalidParameterException 'Invalid parameter: Message too long', got %v", err)
	}
	// Attribute names, types and values count toward the limit.
	_, err = c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(strings.Repeat("x", sns.MaxMessageSize-10)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"attr": strAttr("12345")}})
	if !errors.As(err, &ip) {
		t.Fatalf("body + attributes over the limit: want InvalidParameterException, got %v", err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(strings.Repeat("x", sns.MaxMessageSize))}); err != nil {
		t.Fatalf("a message of exactly 256 KiB is accepted, got %v", err)
	}
	if n := len(fake.to(q)); n != 1 {
		t.Fatalf("%d deliveries, want 1 (rejected messages are not delivered)", n)
	}

	var ipv *snstypes.InvalidParameterValueException
	for name, attrs := range map[string]map[string]snstypes.MessageAttributeValue{
		"bad type":     {"a": {DataType: aws.String("Text"), StringValue: aws.String("x")}},
		"bad number":   {"a": numAttr("twelve")},
		"empty string": {"a": strAttr("")},
		"bad name":     {"a b": strAttr("x")},
		"binary field": {"a": {DataType: aws.String("Binary"), StringValue: aws.String("x")}},
	} {
		_, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageAttributes: attrs})
		if !errors.As(err, &ipv) {
			t.Errorf("%s: want InvalidParameterValueException, got %v", name, err)
		}
	}
	for name, in := range map[string]*awssns.PublishInput{
		"empty message":     {TopicArn: &topic, Message: aws.String("")},
		"empty subject":     {TopicArn: &topic, Message: aws.String("m"), Subject: aws.String("")},
		"no default":        {TopicArn: &topic, Message: aws.String(`{"sqs":"x"}`), MessageStructure: aws.String("json")},
		"not json":          {TopicArn: &topic, Message: aws.String(`nope`), MessageStructure: aws.String("json")},
		"dedup on standard": {TopicArn: &topic, Message: aws.String("m"), MessageDeduplicationId: aws.String("d")},
		"no target":         {Message: aws.String("m")},
	} {
		if _, err := c.Publish(ctx, in); !errors.As(err, &ip) {
			t.Errorf("%s: want InvalidParameterException, got %v", name, err)
		}
	}

	var nf *snstypes.NotFoundException
	missing := "arn:aws:sns:ap-southeast-1:123456789012:missing"
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &missing, Message: aws.String("m")}); !errors.As(err, &nf) {
		t.Fatalf("Publish to a missing topic: want NotFoundException, got %v", err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TargetArn: &missing, Message: aws.String("m")}); !errors.As(err, &nf) {
		t.Fatalf("Publish to a missing TargetArn: want NotFoundException, got %v", err)
	}
	// TargetArn works like TopicArn.
	if _, err := c.Publish(ctx, &awssns.PublishInput{TargetArn: &topic, Message: aws.String("via target")}); err != nil {
		t.Fatal(err)
	}
	if got := fake.to(q); len(got) != 2 || !strings.Contains(got[1].Body, `"Message" : "via target"`) {
		t.Fatalf("TargetArn publish not delivered: %+v", got)
	}
}

func TestPublishBatch(t *testing.T) {
	emu, fake, _ := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "batch", nil)
	q := queueARN(region, "q")
	subscribe(t, c, topic, q, map[string]string{"RawMessageDelivery": "true"})

	entries := func(n int) []snstypes.PublishBatchRequestEntry {
		var out []snstypes.PublishBatchRequestEntry
		for i := range n {
			out = append(out, snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", i)), Message: aws.String(fmt.Sprintf("m%d", i))})
		}
		return out
	}

	_, err := c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: entries(11)})
	var tooMany *snstypes.TooManyEntriesInBatchRequestException
	if !errors.As(err, &tooMany) {
		t.Fatalf("11 entries: want TooManyEntriesInBatchRequestException, got %v", err)
	}
	dup := entries(2)
	dup[1].Id = dup[0].Id
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: dup})
	var notDistinct *snstypes.BatchEntryIdsNotDistinctException
	if !errors.As(err, &notDistinct) {
		t.Fatalf("duplicate ids: want BatchEntryIdsNotDistinctException, got %v", err)
	}
	big := entries(3)
	for i := range big {
		big[i].Message = aws.String(strings.Repeat("b", 100_000))
	}
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: big})
	var tooLong *snstypes.BatchRequestTooLongException
	if !errors.As(err, &tooLong) {
		t.Fatalf("300 KB batch: want BatchRequestTooLongException, got %v", err)
	}
	badID := entries(1)
	badID[0].Id = aws.String("has space")
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: badID})
	var invalidID *snstypes.InvalidBatchEntryIdException
	if !errors.As(err, &invalidID) {
		t.Fatalf("bad id: want InvalidBatchEntryIdException, got %v", err)
	}
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{}})
	var empty *snstypes.EmptyBatchRequestException
	if !errors.As(err, &empty) {
		t.Fatalf("no entries: want EmptyBatchRequestException, got %v", err)
	}
	missing := "arn:aws:sns:ap-southeast-1:123456789012:missing"
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &missing, PublishBatchRequestEntries: entries(1)})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing topic: want NotFoundException, got %v", err)
	}
	if n := len(fake.to(q)); n != 0 {
		t.Fatalf("%d deliveries from refused batches", n)
	}

	// One bad entry fails alone.
	mixed := entries(3)
	mixed[1].Message = aws.String("")
	mixed[2].MessageAttributes = map[string]snstypes.MessageAttributeValue{"kind": strAttr("set")}
	out, err := c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: mixed})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 {
		t.Fatalf("Successful %+v, Failed %+v", out.Successful, out.Failed)
	}
	if f := out.Failed[0]; aws.ToString(f.Id) != "e1" || aws.ToString(f.Code) != "InvalidParameter" || !f.SenderFault {
		t.Fatalf("failed entry %+v", f)
	}
	got := fake.to(q)
	if len(got) != 2 || got[0].Body != "m0" || got[1].Body != "m2" || got[1].MessageAttributes["kind"].StringValue != "set" {
		t.Fatalf("deliveries %+v", got)
	}
	if aws.ToString(out.Successful[0].MessageId) == "" || aws.ToString(out.Successful[0].MessageId) == aws.ToString(out.Successful[1].MessageId) {
		t.Fatalf("message ids %+v", out.Successful)
	}
}

func TestFaultInjection(t *testing.T) {
	emu, _, _ := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "faulty", nil)

	emu.InjectFault(emulator.Fault{Service: "sns", Action: "Publish", Err: &core.APIError{Status: http.StatusForbidden, Code: "AuthorizationError", Message: "injected denial"}})
	_, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m")})
	var ae *snstypes.AuthorizationErrorException
	if !errors.As(err, &ae) || aws.ToString(ae.Message) != "injected denial" {
		t.Fatalf("want the injected AuthorizationErrorException, got %v", err)
	}

	// A throttling fault is retried by the SDK and the call then succeeds.
	id := emu.InjectFault(emulator.Fault{Service: "sns", Action: "GetTopicAttributes", Throttle: true})
	if _, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: &topic}); err != nil {
		t.Fatalf("throttled call not retried: %v", err)
	}
	if emu.FaultHits(id) != 1 {
		t.Fatalf("fault hits = %d, want 1", emu.FaultHits(id))
	}
	var found bool
	for _, call := range emu.Calls() {
		if call.Service == "sns" && call.Action == "GetTopicAttributes" && call.Fault == "Throttling" && call.Region == region {
			found = true
		}
	}
	if !found {
		t.Fatal("the throttled call is not in the call log")
	}
}
