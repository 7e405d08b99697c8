package sqs_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

func TestQueueLifecycle(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"})
	if want := "https://sqs.us-east-1.amazonaws.com/" + emu.AccountID() + "/orders"; url != want {
		t.Fatalf("QueueUrl = %q, want %q", url, want)
	}

	got, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	attrs, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"QueueArn":                              "arn:aws:sqs:us-east-1:" + emu.AccountID() + ":orders",
		"VisibilityTimeout":                     "45",
		"MessageRetentionPeriod":                "345600",
		"MaximumMessageSize":                    "1048576",
		"DelaySeconds":                          "0",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"SqsManagedSseEnabled":                  "true",
	}
	for k, v := range want {
		if attrs.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], v)
		}
	}
	for _, k := range []string{"CreatedTimestamp", "LastModifiedTimestamp"} {
		if attrs.Attributes[k] == "" {
			t.Errorf("attribute %s missing", k)
		}
	}
	if _, ok := attrs.Attributes["FifoQueue"]; ok {
		t.Errorf("a standard queue reports FifoQueue")
	}

	// Same attributes: the existing queue. Different: QueueNameExists.
	if again := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Fatalf("idempotent CreateQueue returned %q", again)
	}
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "46"}})
	var qne *types.QueueNameExists
	if !errors.As(err, &qne) {
		t.Fatalf("CreateQueue with other attributes: %v, want QueueNameExists", err)
	}
	if apiCode(t, err) != "QueueAlreadyExists" {
		t.Fatalf("query code %q, want QueueAlreadyExists", apiCode(t, err))
	}

	inv := emu.Inventory()
	found := false
	for _, r := range inv {
		if r.Service == "sqs" && r.Type == "queue" && r.Region == usEast && r.ID == want["QueueArn"] {
			found = true
		}
	}
	if !found {
		t.Fatalf("inventory %v lacks the queue", inv)
	}

	if _, err := c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) {
		t.Fatalf("GetQueueUrl after delete: %v, want QueueDoesNotExist", err)
	}
	if apiCode(t, err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("query code %q", apiCode(t, err))
	}
	_, err = c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	if !errors.As(err, &qdne) {
		t.Fatalf("second DeleteQueue: %v, want QueueDoesNotExist", err)
	}
	for _, r := range emu.Inventory() {
		if r.ID == want["QueueArn"] {
			t.Fatalf("deleted queue still in inventory")
		}
	}

	// AWS makes you wait 60 seconds before reusing the name.
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	var qdr *types.QueueDeletedRecently
	if !errors.As(err, &qdr) {
		t.Fatalf("CreateQueue right after delete: %v, want QueueDeletedRecently", err)
	}
	emu.Clock().Advance(61 * time.Second)
	createQueue(t, c, "orders", nil)
}

func TestQueuesAreRegional(t *testing.T) {
	emu := emulatortest.Start(t)
	east, west := client(t, emu, usEast), client(t, emu, euWest)
	eastURL := createQueue(t, east, "jobs", nil)
	westURL := createQueue(t, west, "jobs", map[string]string{"DelaySeconds": "3"})
	if eastURL == westURL || !strings.Contains(westURL, "sqs.eu-west-1.amazonaws.com") {
		t.Fatalf("URLs %q and %q", eastURL, westURL)
	}
	if arn := queueARN(t, west, westURL); arn != "arn:aws:sqs:eu-west-1:"+emu.AccountID()+":jobs" {
		t.Fatalf("ARN %q", arn)
	}
	if d := queueAttr(t, east, eastURL, types.QueueAttributeNameDelaySeconds); d != "0" {
		t.Fatalf("east queue took the west queue's attributes: DelaySeconds=%s", d)
	}
	send(t, east, eastURL, "hello east")
	if n := queueAttr(t, west, westURL, types.QueueAttributeNameApproximateNumberOfMessages); n != "0" {
		t.Fatalf("west queue has %s messages", n)
	}

	// A URL of another region does not exist in this one, as in AWS.
	_, err := west.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(eastURL), MessageBody: aws.String("x")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) {
		t.Fatalf("send with another region's URL: %v, want QueueDoesNotExist", err)
	}
	// A URL on the emulator's own host is read in the request's region.
	local := emu.URL() + "/" + emu.AccountID() + "/jobs"
	if n := queueAttr(t, east, local, types.QueueAttributeNameApproximateNumberOfMessages); n != "1" {
		t.Fatalf("queue by local URL has %s messages", n)
	}

	list, err := west.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	if err != nil || len(list.QueueUrls) != 1 || list.QueueUrls[0] != westURL {
		t.Fatalf("ListQueues in eu-west-1 = %v, %v", list, err)
	}
	if _, err := east.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(eastURL)}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")}); err != nil {
		t.Fatalf("deleting the east queue removed the west one: %v", err)
	}
}

func TestListQueuesPrefixAndPagination(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	for _, n := range []string{"app-a", "app-b", "app-c", "app-d", "app-e", "other"} {
		createQueue(t, c, n, nil)
	}
	p := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("app-"), MaxResults: aws.Int32(2)})
	var urls []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.QueueUrls) > 2 {
			t.Fatalf("page of %d", len(out.QueueUrls))
		}
		urls = append(urls, out.QueueUrls...)
		pages++
	}
	if len(urls) != 5 || pages != 3 {
		t.Fatalf("got %d URLs in %d pages: %v", len(urls), pages, urls)
	}
	seen := map[string]bool{}
	for _, u := range urls {
		if seen[u] || !strings.Contains(u, "/app-") {
			t.Fatalf("unexpected or repeated URL %q", u)
		}
		seen[u] = true
	}
	_, err := c.ListQueues(ctx(t), &sqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	wantCode(t, err, "InvalidParameterValue")
}

func TestAttributeValidation(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "v", nil)
	arn := queueARN(t, c, url)

	var iav *types.InvalidAttributeValue
	var ian *types.InvalidAttributeName
	cases := []struct {
		name  string
		attrs map[string]string
		check func(error) bool
	}{
		{"visibility too long", map[string]string{"VisibilityTimeout": "43201"}, func(err error) bool { return errors.As(err, &iav) }},
		{"visibility not a number", map[string]string{"VisibilityTimeout": "soon"}, func(err error) bool { return errors.As(err, &iav) }},
		{"retention too short", map[string]string{"MessageRetentionPeriod": "59"}, func(err error) bool { return errors.As(err, &iav) }},
		{"wait too long", map[string]string{"ReceiveMessageWaitTimeSeconds": "21"}, func(err error) bool { return errors.As(err, &iav) }},
		{"delay too long", map[string]string{"DelaySeconds": "901"}, func(err error) bool { return errors.As(err, &iav) }},
		{"message size too small", map[string]string{"MaximumMessageSize": "1023"}, func(err error) bool { return errors.As(err, &iav) }},
		{"message size too large", map[string]string{"MaximumMessageSize": "1048577"}, func(err error) bool { return errors.As(err, &iav) }},
		{"bad policy", map[string]string{"Policy": `{"Statement":[{"Effect":"Allow","Action":"sqs:*"}]}`}, func(err error) bool { return errors.As(err, &iav) }},
		{"unknown attribute", map[string]string{"Colour": "blue"}, func(err error) bool { return errors.As(err, &ian) }},
		{"read-only attribute", map[string]string{"QueueArn": arn}, func(err error) bool { return errors.As(err, &ian) }},
		{"FIFO attribute on a standard queue", map[string]string{"ContentBasedDeduplication": "true"}, func(err error) bool { return errors.As(err, &ian) }},
		{"missing DLQ", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:` + emu.AccountID() + `:nope","maxReceiveCount":3}`},
			func(err error) bool { return err != nil && apiCode(t, err) == "InvalidParameterValue" }},
		{"maxReceiveCount out of range", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":1001}`},
			func(err error) bool { return err != nil && apiCode(t, err) == "InvalidParameterValue" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: tc.attrs})
			if !tc.check(err) {
				t.Fatalf("SetQueueAttributes(%v) = %v", tc.attrs, err)
			}
		})
	}
	if v := queueAttr(t, c, url, types.QueueAttributeNameVisibilityTimeout); v != "30" {
		t.Fatalf("a rejected change was applied: VisibilityTimeout=%s", v)
	}
	_, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Colour"}})
	if !errors.As(err, &ian) {
		t.Fatalf("GetQueueAttributes(Colour) = %v, want InvalidAttributeName", err)
	}

	// Names.
	for _, bad := range []string{"has space", strings.Repeat("x", 81), "dot.in.name", "nofifo.fifo"} {
		_, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(bad)})
		wantCode(t, err, "InvalidParameterValue")
	}
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("plain"), Attributes: map[string]string{"FifoQueue": "true"}})
	wantCode(t, err, "InvalidParameterValue")
	fifoURL := createQueue(t, c, "ordered.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	if v := queueAttr(t, c, fifoURL, types.QueueAttributeNameFifoQueue); v != "true" {
		t.Fatalf("FifoQueue = %q", v)
	}
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fifoURL), Attributes: map[string]string{"FifoQueue": "false"}})
	if !errors.As(err, &iav) {
		t.Fatalf("changing the queue type: %v", err)
	}

	// A valid policy, redrive policy and encryption round-trip.
	dlq := createQueue(t, c, "v-dlq", nil)
	dlqARN := queueARN(t, c, dlq)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"Policy":         policy,
		"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"5"}`,
		"KmsMasterKeyId": "alias/my-key",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if v := queueAttr(t, c, url, types.QueueAttributeNameRedrivePolicy); v != `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":5}` {
		t.Fatalf("RedrivePolicy = %s", v)
	}
	if v := queueAttr(t, c, url, types.QueueAttributeNamePolicy); v != policy {
		t.Fatalf("Policy = %s", v)
	}
	if v := queueAttr(t, c, url, types.QueueAttributeNameSqsManagedSseEnabled); v != "false" {
		t.Fatalf("SqsManagedSseEnabled with a KMS key = %s", v)
	}
	if v := queueAttr(t, c, url, types.QueueAttributeNameKmsDataKeyReusePeriodSeconds); v != "300" {
		t.Fatalf("KmsDataKeyReusePeriodSeconds = %s", v)
	}
}

func TestTags(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	out, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "infra", "env": "dev"}})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	initial, err := c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil || len(initial.Tags) != 2 || initial.Tags["team"] != "infra" || initial.Tags["env"] != "dev" {
		t.Fatalf("tags at creation = %v, %v", initial.Tags, err)
	}
	if _, err := c.TagQueue(ctx(t), &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "prod", "cost": "42"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagQueue(ctx(t), &sqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 2 || tags.Tags["env"] != "prod" || tags.Tags["cost"] != "42" {
		t.Fatalf("tags = %v", tags.Tags)
	}
}

func TestPermissions(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)
	url := createQueue(t, c, "shared", nil)
	if _, err := c.AddPermission(ctx(t), &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("partner"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	policy := queueAttr(t, c, url, types.QueueAttributeNamePolicy)
	if !strings.Contains(policy, `"Sid":"partner"`) || !strings.Contains(policy, "arn:aws:iam::111122223333:root") {
		t.Fatalf("policy = %s", policy)
	}
	_, err := c.AddPermission(ctx(t), &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("partner"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantCode(t, err, "InvalidParameterValue")
	if _, err := c.RemovePermission(ctx(t), &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("partner")}); err != nil {
		t.Fatal(err)
	}
	if p := queueAttr(t, c, url, types.QueueAttributeNamePolicy); p != "" {
		t.Fatalf("policy after removing the only statement = %s", p)
	}
}
