package sns_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
)

// envelope is the SNS JSON envelope as a consumer decodes it.
type envelope struct {
	Type              string
	MessageID         string `json:"MessageId"`
	SequenceNumber    string
	TopicArn          string
	Subject           string
	Message           string
	Timestamp         string
	SignatureVersion  string
	Signature         string
	SigningCertURL    string
	UnsubscribeURL    string
	MessageAttributes map[string]struct{ Type, Value string }
}

var timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// verifySignature checks an envelope's signature with the emulator's certificate.
func verifySignature(t *testing.T, svc *sns.Service, env envelope) {
	t.Helper()
	block, _ := pem.Decode(svc.SigningCertificatePEM())
	if block == nil {
		t.Fatal("no signing certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signature)
	if err != nil {
		t.Fatalf("signature is not base64: %v", err)
	}
	data := []byte(sns.StringToSign(env.Type, env.MessageID, env.TopicArn, env.Subject, env.Message, env.Timestamp))
	pub := cert.PublicKey.(*rsa.PublicKey)
	if env.SignatureVersion == "2" {
		sum := sha256.Sum256(data)
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	} else {
		sum := sha1.Sum(data)
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	}
	if err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
}

func TestEnvelopeAndRawDelivery(t *testing.T) {
	emu, fake, svc := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "events", nil)
	rawQ, envQ := queueARN(region, "raw"), queueARN(otherRegion, "enveloped")
	subscribe(t, c, topic, rawQ, map[string]string{"RawMessageDelivery": "true"})
	envSub := subscribe(t, c, topic, envQ, nil)

	before := emu.Clock().Now()
	attrs := map[string]snstypes.MessageAttributeValue{
		"kind":  strAttr("set"),
		"count": numAttr("3"),
		"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		"tags":  {DataType: aws.String("String.Array"), StringValue: aws.String(`["a","b"]`)},
	}
	body := `{"cmd":"SET","key":"k<&>"}`
	out, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(body), Subject: aws.String("hello"), MessageAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}

	raw := fake.to(rawQ)
	if len(raw) != 1 || raw[0].Body != body || raw[0].TopicARN != topic {
		t.Fatalf("raw delivery %+v", raw)
	}
	ra := raw[0].MessageAttributes
	if len(ra) != 4 || ra["kind"].DataType != "String" || ra["kind"].StringValue != "set" ||
		ra["count"].StringValue != "3" || ra["count"].DataType != "Number" || string(ra["blob"].BinaryValue) != "\x00\x01\x02" ||
		ra["tags"].DataType != "String.Array" {
		t.Fatalf("raw attributes %+v", ra)
	}

	wrapped := fake.to(envQ)
	if len(wrapped) != 1 || wrapped[0].MessageAttributes != nil {
		t.Fatalf("enveloped delivery %+v", wrapped)
	}
	text := wrapped[0].Body
	// AWS's layout: one field per line, "Name" : value, in a fixed order.
	order := []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}
	last := -1
	for _, f := range order {
		i := strings.Index(text, "\n  \""+f+"\" : ")
		if i < 0 || i < last {
			t.Fatalf("field %s missing or out of order in\n%s", f, text)
		}
		last = i
	}
	if !strings.HasPrefix(text, "{\n  \"Type\" : \"Notification\",\n") || !strings.HasSuffix(text, "\n  }\n}") {
		t.Fatalf("envelope layout:\n%s", text)
	}
	if !strings.Contains(text, `"kind" : {"Type":"String","Value":"set"}`) {
		t.Fatalf("attribute layout:\n%s", text)
	}
	var env envelope
	if err := json.Unmarshal([]byte(text), &env); err != nil {
		t.Fatalf("envelope is not JSON: %v\n%s", err, text)
	}
	if env.Type != "Notification" || env.MessageID != aws.ToString(out.MessageId) || env.TopicArn != topic ||
		env.Subject != "hello" || env.Message != body || env.SignatureVersion != "1" {
		t.Fatalf("envelope %+v", env)
	}
	if !timestampRE.MatchString(env.Timestamp) {
		t.Fatalf("Timestamp %q", env.Timestamp)
	}
	ts, _ := time.Parse(time.RFC3339Nano, env.Timestamp)
	if ts.Before(before.Add(-time.Millisecond)) || ts.After(emu.Clock().Now()) {
		t.Fatalf("Timestamp %s not within the publish call", env.Timestamp)
	}
	if !strings.HasPrefix(env.SigningCertURL, "https://sns.ap-southeast-1.amazonaws.com/SimpleNotificationService-") ||
		env.UnsubscribeURL != "https://sns.ap-southeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="+envSub {
		t.Fatalf("URLs %s %s", env.SigningCertURL, env.UnsubscribeURL)
	}
	if env.MessageAttributes["count"].Type != "Number" || env.MessageAttributes["count"].Value != "3" ||
		env.MessageAttributes["blob"].Value != "AAEC" || env.MessageAttributes["tags"].Value != `["a","b"]` {
		t.Fatalf("envelope attributes %+v", env.MessageAttributes)
	}
	verifySignature(t, svc, env)

	// The certificate is served under /_emulator/sns/ by the name in SigningCertURL.
	name := env.SigningCertURL[strings.LastIndex(env.SigningCertURL, "/")+1:]
	resp, err := http.Get(emu.URL() + "/_emulator/sns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(pemBytes) != string(svc.SigningCertificatePEM()) {
		t.Fatalf("certificate endpoint: %d %q", resp.StatusCode, pemBytes)
	}

	// Without a subject the field is absent; SignatureVersion 2 signs with SHA-256.
	if _, err := c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: &topic, AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	wrapped = fake.to(envQ)
	if strings.Contains(wrapped[1].Body, `"Subject"`) || strings.Contains(wrapped[1].Body, `"MessageAttributes"`) {
		t.Fatalf("unexpected optional fields:\n%s", wrapped[1].Body)
	}
	env = envelope{}
	if err := json.Unmarshal([]byte(wrapped[1].Body), &env); err != nil || env.SignatureVersion != "2" {
		t.Fatalf("envelope %+v, %v", env, err)
	}
	verifySignature(t, svc, env)

	// MessageStructure=json sends the "sqs" entry to SQS subscribers.
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, MessageStructure: aws.String("json"),
		Message: aws.String(`{"default":"for everyone","sqs":"for queues","email":"for people"}`)}); err != nil {
		t.Fatal(err)
	}
	if raw = fake.to(rawQ); raw[len(raw)-1].Body != "for queues" {
		t.Fatalf("structured message delivered as %q", raw[len(raw)-1].Body)
	}
	if st := stats(t, svc, envSub); st.Delivered != 3 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestClientErrorGoesToDLQWithoutRetry(t *testing.T) {
	emu, fake, svc := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "refused", nil)
	q, dlq := queueARN(otherRegion, "locked"), queueARN(region, "dlq")
	sub := subscribe(t, c, topic, q, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`})
	noDLQ := subscribe(t, c, topic, queueARN(region, "locked-too"), nil)
	fake.setFail(func(arn string, _ int) *core.APIError {
		if arn == dlq {
			return nil
		}
		return core.StatusErrorf(http.StatusForbidden, "AccessDenied", "Access to the resource %s is denied.", arn)
	})

	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m")}); err != nil {
		t.Fatalf("a refused delivery must not fail Publish: %v", err)
	}
	if got := fake.to(dlq); len(got) != 1 || !strings.Contains(got[0].Body, `"Message" : "m"`) || got[0].TopicARN != topic {
		t.Fatalf("DLQ got %+v", got)
	}
	st := stats(t, svc, sub)
	if st.Delivered != 0 || st.Failed != 1 || st.Redriven != 1 || st.Retrying != 0 || !strings.Contains(st.LastError, "AccessDenied") {
		t.Fatalf("stats %+v", st)
	}
	if st := stats(t, svc, noDLQ); st.Dropped != 1 || st.Failed != 1 {
		t.Fatalf("without a DLQ: %+v", st)
	}
	// Client errors are not retried, even as time passes.
	emu.Clock().Advance(time.Hour)
	time.Sleep(10 * time.Millisecond)
	if n := fake.attemptsTo(q); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
	if svc.RetriesInFlight() != 0 {
		t.Fatal("retries in flight after a client error")
	}
}

func TestServerErrorRetriedInBackground(t *testing.T) {
	emu, fake, svc := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "flaky", nil)
	flaky, down, dlq := queueARN(region, "flaky"), queueARN(region, "down"), queueARN(region, "dlq")
	flakySub := subscribe(t, c, topic, flaky, map[string]string{"RawMessageDelivery": "true"})
	downSub := subscribe(t, c, topic, down, map[string]string{"RawMessageDelivery": "true", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `"}`})
	svc.SetRetryPolicy(sns.RetryPolicy{NoDelayRetries: 1, MinDelayRetries: 1, MinDelay: time.Second, BackoffRetries: 2, MaxDelay: 20 * time.Second, MaxDelayRetries: 2})
	fake.setFail(func(arn string, n int) *core.APIError {
		if arn == down || (arn == flaky && n <= 3) {
			return core.ErrInternal
		}
		return nil
	})

	start := time.Now()
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("retry me"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": strAttr("set")}}); err != nil {
		t.Fatalf("a failed delivery must not fail Publish: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Publish waited for the retries")
	}
	eventually(t, emu, "the retries to finish", func() bool { return svc.RetriesInFlight() == 0 })

	if got := fake.to(flaky); len(got) != 1 || got[0].Body != "retry me" {
		t.Fatalf("flaky queue got %+v", got)
	}
	if st := stats(t, svc, flakySub); st.Delivered != 1 || st.Failed != 3 || st.Redriven != 0 {
		t.Fatalf("flaky stats %+v", st)
	}
	// 1 attempt + 6 retries, then the DLQ, with the attributes of the raw delivery.
	if n := fake.attemptsTo(down); n != 7 {
		t.Fatalf("%d attempts to the broken queue, want 7", n)
	}
	if got := fake.to(dlq); len(got) != 1 || got[0].Body != "retry me" || got[0].MessageAttributes["kind"].StringValue != "set" {
		t.Fatalf("DLQ got %+v", got)
	}
	if st := stats(t, svc, downSub); st.Failed != 7 || st.Redriven != 1 || st.Delivered != 0 {
		t.Fatalf("broken queue stats %+v", st)
	}

	// Close stops retries that are still waiting.
	fake.setFail(func(string, int) *core.APIError { return core.ErrInternal })
	if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("never")}); err != nil {
		t.Fatal(err)
	}
	if svc.RetriesInFlight() == 0 {
		t.Fatal("no retry scheduled")
	}
	done := make(chan error)
	go func() { done <- svc.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the retries")
	}
}

func TestRetryPolicyDelays(t *testing.T) {
	p := sns.DefaultRetryPolicy()
	if p.Retries() != 115 {
		t.Fatalf("Retries = %d", p.Retries())
	}
	want := map[int]time.Duration{1: 0, 3: 0, 4: time.Second, 5: time.Second, 15: 20 * time.Second, 16: 20 * time.Second, 115: 20 * time.Second}
	for i, d := range want {
		if got := p.Delay(i); got != d {
			t.Errorf("Delay(%d) = %s, want %s", i, got, d)
		}
	}
	prev := time.Duration(0)
	for i := 6; i <= 15; i++ {
		d := p.Delay(i)
		if d < prev || d < time.Second || d > 20*time.Second {
			t.Fatalf("backoff Delay(%d) = %s after %s", i, d, prev)
		}
		prev = d
	}
}

func TestFilterPolicyDelivery(t *testing.T) {
	emu, fake, svc := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "filtered", nil)
	sets, big, body := queueARN(region, "sets"), queueARN(region, "big"), queueARN(region, "body")
	setsSub := subscribe(t, c, topic, sets, map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"cmd":["SET",{"prefix":"H"}]}`})
	subscribe(t, c, topic, big, map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"size":[{"numeric":[">",100]}]}`})
	subscribe(t, c, topic, body, map[string]string{"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
		"FilterPolicy": `{"op":{"region":[{"anything-but":"ap-south-1"}]}}`})

	publish := func(msg string, attrs map[string]snstypes.MessageAttributeValue) {
		t.Helper()
		if _, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String(msg), MessageAttributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	publish(`{"op":{"region":"ap-southeast-1"}}`, map[string]snstypes.MessageAttributeValue{"cmd": strAttr("SET"), "size": numAttr("5")})
	publish(`{"op":{"region":"ap-south-1"}}`, map[string]snstypes.MessageAttributeValue{"cmd": strAttr("HSET"), "size": numAttr("500")})
	publish(`not json`, map[string]snstypes.MessageAttributeValue{"cmd": strAttr("DEL"), "size": strAttr("500")})

	bodies := func(q string) []string {
		var out []string
		for _, d := range fake.to(q) {
			out = append(out, d.Body)
		}
		return out
	}
	if got := bodies(sets); len(got) != 2 {
		t.Errorf("cmd filter delivered %q", got)
	}
	// A String attribute never matches a numeric rule.
	if got := bodies(big); len(got) != 1 || !strings.Contains(got[0], "ap-south-1") {
		t.Errorf("numeric filter delivered %q", got)
	}
	if got := bodies(body); len(got) != 1 || !strings.Contains(got[0], "ap-southeast-1") {
		t.Errorf("body filter delivered %q", got)
	}
	if st := stats(t, svc, setsSub); st.Delivered != 2 || st.FilteredOut != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFIFOTopic(t *testing.T) {
	emu, fake, _ := startFake(t)
	c := snsClient(t, emu, region)
	topic := createTopic(t, c, "ordered.fifo", map[string]string{"FifoTopic": "true"})
	q := queueARN(region, "ordered.fifo")
	subscribe(t, c, topic, q, map[string]string{"RawMessageDelivery": "true"})

	_, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m")})
	wantAPIError(t, err, "InvalidParameter", "MessageGroupId")
	_, err = c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m"), MessageGroupId: aws.String("g")})
	wantAPIError(t, err, "InvalidParameter", "ContentBasedDeduplication")

	first, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m1"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	if err != nil {
		t.Fatal(err)
	}
	dup, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m1 again"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(dup.MessageId) != aws.ToString(first.MessageId) || aws.ToString(first.SequenceNumber) == "" {
		t.Fatalf("duplicate: %v / %v", first, dup)
	}
	emu.Clock().Advance(6 * time.Minute)
	second, err := c.Publish(ctx, &awssns.PublishInput{TopicArn: &topic, Message: aws.String("m2"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(second.SequenceNumber) <= aws.ToString(first.SequenceNumber) {
		t.Fatalf("sequence numbers %s then %s", aws.ToString(first.SequenceNumber), aws.ToString(second.SequenceNumber))
	}
	got := fake.to(q)
	if len(got) != 2 || got[0].MessageGroupID != "g" || got[0].MessageDeduplicationID != "d1" || got[1].Body != "m2" {
		t.Fatalf("deliveries %+v", got)
	}
	// A FIFO queue cannot be subscribed to a standard topic, and a FIFO topic
	// needs a .fifo name.
	_, err = c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("plain"), Attributes: map[string]string{"FifoTopic": "true"}})
	wantAPIError(t, err, "InvalidParameter", "must end with .fifo")
}
