package sqs_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/emulatortest"
)

// The query protocol (form in, XML out) is what awscli 2.9, boto3 1.26 and
// the SDKs from before November 2023 speak. These tests post query requests
// by hand and check them against the shapes of SQS's 2012-11-05 model and
// the XML examples of the API reference
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
// The conformance suite (internal/emulator/conformance) drives the same
// wire with the real clients.

// queryCall posts Action=action with params, signed for region (the
// emulator reads the credential scope), to path on the emulator.
func queryCall(t *testing.T, emu *emulator.Emulator, region, path, action string, params url.Values) (int, string) {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2012-11-05"}}
	for k, v := range params {
		form[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, emu.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDQUERY/20240101/"+region+"/sqs/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

type queryError struct {
	Error struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

func TestQueryProtocolSameQueueBothWires(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, usEast)

	// CreateQueue in query: flattened Attribute.N.Name/Value and Tag.N.Key/Value.
	status, body := queryCall(t, emu, usEast, "/", "CreateQueue", url.Values{
		"QueueName":         {"both"},
		"Attribute.1.Name":  {"VisibilityTimeout"},
		"Attribute.1.Value": {"45"},
		"Tag.1.Key":         {"team"},
		"Tag.1.Value":       {"data"},
	})
	if status != 200 {
		t.Fatalf("CreateQueue: %d %s", status, body)
	}
	var created struct {
		Result struct {
			QueueURL string `xml:"QueueUrl"`
		} `xml:"CreateQueueResult"`
		Meta struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}
	if err := xml.Unmarshal([]byte(body), &created); err != nil || created.Meta.RequestID == "" {
		t.Fatalf("CreateQueue response %s: %v", body, err)
	}
	qurl := created.Result.QueueURL
	if qurl != "https://sqs.us-east-1.amazonaws.com/"+emu.AccountID()+"/both" {
		t.Fatalf("QueueUrl %q", qurl)
	}
	// The JSON client sees what the query client set.
	if v := queueAttr(t, c, qurl, types.QueueAttributeNameVisibilityTimeout); v != "45" {
		t.Fatalf("VisibilityTimeout over JSON = %q", v)
	}
	tags, err := c.ListQueueTags(ctx(t), &sqs.ListQueueTagsInput{QueueUrl: aws.String(qurl)})
	if err != nil || tags.Tags["team"] != "data" {
		t.Fatalf("tags over JSON %v, %v", tags, err)
	}

	// A body with every character XML escapes, sent over JSON, received
	// over query: the parsed body and its MD5 are the sent ones.
	sent := "say \"hi\" & <b>'bye'</b>\r\n\ttab"
	out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(qurl), MessageBody: aws.String(sent),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"colour": {DataType: aws.String("String"), StringValue: aws.String("b&w")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	status, body = queryCall(t, emu, usEast, "/", "ReceiveMessage", url.Values{
		"QueueUrl":               {qurl},
		"AttributeName.1":        {"ApproximateReceiveCount"},
		"MessageAttributeName.1": {"All"},
	})
	if status != 200 {
		t.Fatalf("ReceiveMessage: %d %s", status, body)
	}
	// SQS writes the carriage return as a character reference (a parser
	// would turn a raw one into a line feed) and quotes as entities.
	for _, want := range []string{"&#xD;", "&quot;hi&quot;", "&apos;bye&apos;", "&amp;", "&lt;b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("ReceiveMessage XML lacks %s: %s", want, body)
		}
	}
	var recv struct {
		Messages []struct {
			MessageID string `xml:"MessageId"`
			Body      string
			MD5OfBody string
			Attribute []struct{ Name, Value string }
			MD5Attrs  string `xml:"MD5OfMessageAttributes"`
			MsgAttr   []struct {
				Name  string
				Value struct{ DataType, StringValue, BinaryValue string }
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := xml.Unmarshal([]byte(body), &recv); err != nil || len(recv.Messages) != 1 {
		t.Fatalf("ReceiveMessage response %s: %v", body, err)
	}
	m := recv.Messages[0]
	sum := md5.Sum([]byte(m.Body))
	if m.Body != sent || m.MD5OfBody != hex.EncodeToString(sum[:]) || m.MessageID != aws.ToString(out.MessageId) {
		t.Fatalf("received %+v, sent %q", m, sent)
	}
	if m.MD5Attrs != aws.ToString(out.MD5OfMessageAttributes) {
		t.Fatalf("MD5OfMessageAttributes %s, SendMessage said %s", m.MD5Attrs, aws.ToString(out.MD5OfMessageAttributes))
	}
	if len(m.Attribute) != 1 || m.Attribute[0].Name != "ApproximateReceiveCount" || m.Attribute[0].Value != "1" {
		t.Fatalf("system attributes %+v", m.Attribute)
	}
	if len(m.MsgAttr) != 2 || m.MsgAttr[0].Name != "blob" || m.MsgAttr[0].Value.BinaryValue != "AAEC" ||
		m.MsgAttr[1].Name != "colour" || m.MsgAttr[1].Value.StringValue != "b&w" || m.MsgAttr[1].Value.DataType != "String" {
		t.Fatalf("message attributes %+v", m.MsgAttr)
	}
}

func TestQueryProtocolErrorsAndBatches(t *testing.T) {
	emu := emulatortest.Start(t)
	c := client(t, emu, euWest)
	qurl := createQueue(t, c, "batch", nil)

	// Errors are <ErrorResponse> with the query code.
	status, body := queryCall(t, emu, euWest, "/", "GetQueueUrl", url.Values{"QueueName": {"absent"}})
	var qe queryError
	if err := xml.Unmarshal([]byte(body), &qe); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if status != 400 || qe.Error.Code != "AWS.SimpleQueueService.NonExistentQueue" || qe.Error.Type != "Sender" || qe.RequestID == "" {
		t.Fatalf("GetQueueUrl of a missing queue: %d %+v", status, qe)
	}
	status, body = queryCall(t, emu, euWest, "/", "CreateQueue", url.Values{
		"QueueName": {"batch"}, "Attribute.1.Name": {"DelaySeconds"}, "Attribute.1.Value": {"5"},
	})
	if err := xml.Unmarshal([]byte(body), &qe); err != nil || status != 400 || qe.Error.Code != "QueueAlreadyExists" {
		t.Fatalf("CreateQueue with other attributes: %d %s", status, body)
	}
	status, body = queryCall(t, emu, euWest, "/", "FlyToTheMoon", nil)
	if err := xml.Unmarshal([]byte(body), &qe); err != nil || status != 400 || qe.Error.Code != "InvalidAction" {
		t.Fatalf("unknown action: %d %s", status, body)
	}

	// SendMessageBatch posted to the queue's own path, without QueueUrl,
	// as older SDKs do: one entry succeeds, one fails.
	status, body = queryCall(t, emu, euWest, "/"+emu.AccountID()+"/batch", "SendMessageBatch", url.Values{
		"SendMessageBatchRequestEntry.1.Id":                                   {"ok"},
		"SendMessageBatchRequestEntry.1.MessageBody":                          {"one"},
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name":              {"n"},
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType":    {"Number"},
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": {"42"},
		"SendMessageBatchRequestEntry.2.Id":                                   {"late"},
		"SendMessageBatchRequestEntry.2.MessageBody":                          {"two"},
		"SendMessageBatchRequestEntry.2.DelaySeconds":                         {"901"},
	})
	var batch struct {
		OK []struct {
			ID        string `xml:"Id"`
			MessageID string `xml:"MessageId"`
		} `xml:"SendMessageBatchResult>SendMessageBatchResultEntry"`
		Failed []struct {
			ID          string `xml:"Id"`
			SenderFault bool
			Code        string
		} `xml:"SendMessageBatchResult>BatchResultErrorEntry"`
	}
	if err := xml.Unmarshal([]byte(body), &batch); err != nil || status != 200 {
		t.Fatalf("SendMessageBatch: %d %s %v", status, body, err)
	}
	if len(batch.OK) != 1 || batch.OK[0].ID != "ok" || len(batch.Failed) != 1 || batch.Failed[0].ID != "late" ||
		!batch.Failed[0].SenderFault || batch.Failed[0].Code != "InvalidParameterValue" {
		t.Fatalf("SendMessageBatch result %+v", batch)
	}
	got, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(qurl), MessageAttributeNames: []string{"n"}})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "one" ||
		aws.ToString(got.Messages[0].MessageAttributes["n"].StringValue) != "42" {
		t.Fatalf("JSON receive after query batch: %+v %v", got, err)
	}

	// A malformed integer is refused naming the parameter.
	status, body = queryCall(t, emu, euWest, "/", "ReceiveMessage", url.Values{"QueueUrl": {qurl}, "MaxNumberOfMessages": {"ten"}})
	if err := xml.Unmarshal([]byte(body), &qe); err != nil || status != 400 || qe.Error.Code != "InvalidParameterValue" ||
		!strings.Contains(qe.Error.Message, "MaxNumberOfMessages") {
		t.Fatalf("malformed MaxNumberOfMessages: %d %s", status, body)
	}
}
