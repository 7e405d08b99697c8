package consumer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// maxAttributes is SQS's limit of message attributes per message.
const maxAttributes = 10

// maxBatchPayload is SendMessageBatch's limit on the sum of the messages'
// sizes (bodies and attributes): 256 KiB, the default queue maximum.
const maxBatchPayload = 256 * 1024

// DeadLetter is a poison message on its way to the DLQ.
type DeadLetter struct {
	// SourceMessageID is the SQS messageId in the source queue.
	SourceMessageID string
	// Body is the original SQS body, unchanged (an SNS envelope stays one).
	Body string
	// Reason is a Reason… code; Error the human-readable cause.
	Reason, Error string
	// OriginRegion is the message's origin region when known.
	OriginRegion string
	// Bus is REGIS_BUS_NAME.
	Bus string
	// Attributes are the source message's attributes, carried over while
	// they fit SQS's limit of 10 per message (regis.* ones come first).
	Attributes map[string]events.SQSMessageAttribute
}

// DLQSender delivers dead letters. Send returns one error per letter, nil
// for each one sent; a letter that was not sent stays in the source queue
// (reported as a batch item failure) so it is never lost.
type DLQSender interface {
	Send(ctx context.Context, letters []DeadLetter) []error
}

// SQSSendAPI is the part of the SQS client SQSDLQ uses.
type SQSSendAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQSDLQ sends dead letters to an SQS queue with SendMessageBatch.
type SQSDLQ struct {
	Client   SQSSendAPI
	QueueURL string
}

// Send implements DLQSender: batches of at most 10 entries and 256 KiB.
func (q *SQSDLQ) Send(ctx context.Context, letters []DeadLetter) []error {
	errs := make([]error, len(letters))
	var batch []int
	size := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		q.sendBatch(ctx, letters, batch, errs)
		batch, size = batch[:0], 0
	}
	for i := range letters {
		n := letterSize(&letters[i])
		if len(batch) == 10 || (len(batch) > 0 && size+n > maxBatchPayload) {
			flush()
		}
		batch = append(batch, i)
		size += n
	}
	flush()
	return errs
}

func (q *SQSDLQ) sendBatch(ctx context.Context, letters []DeadLetter, idx []int, errs []error) {
	entries := make([]types.SendMessageBatchRequestEntry, len(idx))
	for j, i := range idx {
		l := &letters[i]
		entries[j] = types.SendMessageBatchRequestEntry{
			Id:                aws.String(strconv.Itoa(j)),
			MessageBody:       aws.String(l.Body),
			MessageAttributes: sqsAttributes(l),
		}
	}
	out, err := q.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.QueueURL), Entries: entries})
	if err != nil {
		for _, i := range idx {
			errs[i] = fmt.Errorf("send to the DLQ: %w", err)
		}
		return
	}
	sent := make(map[string]bool, len(out.Successful))
	for _, s := range out.Successful {
		sent[aws.ToString(s.Id)] = true
	}
	failed := make(map[string]types.BatchResultErrorEntry, len(out.Failed))
	for _, f := range out.Failed {
		failed[aws.ToString(f.Id)] = f
	}
	for j, i := range idx {
		id := strconv.Itoa(j)
		switch f, bad := failed[id]; {
		case bad:
			errs[i] = fmt.Errorf("send to the DLQ: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
		case !sent[id]:
			errs[i] = errors.New("send to the DLQ: entry neither successful nor failed in the reply")
		}
	}
}

// letterAttributes returns the attributes of a dead letter, regis.* first,
// then the original ones in name order while they fit.
func letterAttributes(l *DeadLetter) []namedAttr {
	attrs := []namedAttr{
		{name: contract.AttrReason, dataType: "String", value: l.Reason},
		{name: contract.AttrError, dataType: "String", value: truncateUTF8(sqsSafe(l.Error), contract.MaxErrorAttrLen)},
		{name: contract.AttrSourceMessageID, dataType: "String", value: l.SourceMessageID},
	}
	// SQS refuses empty string values.
	attrs = slices.DeleteFunc(attrs, func(a namedAttr) bool { return a.value == "" })
	if l.OriginRegion != "" {
		attrs = append(attrs, namedAttr{name: contract.AttrOriginRegion, dataType: "String", value: l.OriginRegion})
	}
	if l.Bus != "" {
		attrs = append(attrs, namedAttr{name: contract.AttrBus, dataType: "String", value: l.Bus})
	}
	names := make([]string, 0, len(l.Attributes))
	for n := range l.Attributes {
		if !strings.HasPrefix(n, "regis.") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if len(attrs) == maxAttributes {
			break
		}
		a := l.Attributes[n]
		switch {
		case a.StringValue != nil && *a.StringValue != "":
			attrs = append(attrs, namedAttr{name: n, dataType: a.DataType, value: *a.StringValue})
		case len(a.BinaryValue) > 0:
			attrs = append(attrs, namedAttr{name: n, dataType: a.DataType, binary: a.BinaryValue})
		}
	}
	return attrs
}

type namedAttr struct {
	name, dataType, value string
	binary                []byte
}

func sqsAttributes(l *DeadLetter) map[string]types.MessageAttributeValue {
	attrs := letterAttributes(l)
	m := make(map[string]types.MessageAttributeValue, len(attrs))
	for _, a := range attrs {
		v := types.MessageAttributeValue{DataType: aws.String(a.dataType)}
		if a.binary != nil {
			v.BinaryValue = a.binary
		} else {
			v.StringValue = aws.String(a.value)
		}
		m[a.name] = v
	}
	return m
}

// letterSize is what SQS counts: the body plus each attribute's name, type
// and value.
func letterSize(l *DeadLetter) int {
	n := len(l.Body)
	for _, a := range letterAttributes(l) {
		n += len(a.name) + len(a.dataType) + len(a.value) + len(a.binary)
	}
	return n
}

// sqsSafe replaces the characters SQS refuses in attribute values (it
// accepts #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD and #x10000–#x10FFFF).
func sqsSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD,
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '?'
	}, s)
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
