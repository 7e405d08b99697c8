package regis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// fakeSNS records what a Publisher sends and checks SNS's limits.
type fakeSNS struct {
	t *testing.T

	// gate, if set, holds every call until it is closed (or ctx is done).
	gate chan struct{}
	// entryFault, if set, may fail a batch entry; attempt counts how often
	// that body was sent before.
	entryFault func(body string, attempt int) *types.BatchResultErrorEntry
	// callFault, if set, may fail a whole call.
	callFault func(bodies []string) error

	mu        sync.Mutex
	calls     []fakeCall
	published []string       // accepted bodies, in order
	attempts  map[string]int // PublishBatch sends per message id
	inCall    int
	faults    int // batch entries failed by entryFault
}

type fakeCall struct {
	batch  bool
	bodies []string
}

func newFakeSNS(t *testing.T) *fakeSNS {
	return &fakeSNS{t: t, attempts: map[string]int{}}
}

const fakeTopic = "arn:aws:sns:ap-southeast-1:123456789012:regis"

func (f *fakeSNS) wait(ctx context.Context) error {
	f.mu.Lock()
	f.inCall++
	gate := f.gate
	f.mu.Unlock()
	if gate == nil {
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeSNS) Publish(ctx context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	body := aws.ToString(in.Message)
	if aws.ToString(in.TopicArn) != fakeTopic {
		f.t.Errorf("Publish to %q", aws.ToString(in.TopicArn))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{bodies: []string{body}})
	if len(body) > MaxRaisedMessageSize {
		return nil, fmt.Errorf("InvalidParameter: message of %d bytes too long", len(body))
	}
	if f.callFault != nil {
		if err := f.callFault([]string{body}); err != nil {
			return nil, err
		}
	}
	f.published = append(f.published, body)
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprint(len(f.published)))}, nil
}

func (f *fakeSNS) PublishBatch(ctx context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	if err := f.wait(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var bodies []string
	total := 0
	ids := map[string]bool{}
	for _, e := range in.PublishBatchRequestEntries {
		body := aws.ToString(e.Message)
		bodies = append(bodies, body)
		total += len(body)
		ids[aws.ToString(e.Id)] = true
	}
	f.calls = append(f.calls, fakeCall{batch: true, bodies: bodies})
	switch {
	case len(bodies) > MaxBatchEntries:
		f.t.Errorf("PublishBatch with %d entries", len(bodies))
		return nil, errors.New("TooManyEntriesInBatchRequest")
	case total > MaxBatchSize:
		f.t.Errorf("PublishBatch of %d bytes", total)
		return nil, errors.New("BatchRequestTooLong")
	case len(ids) != len(bodies):
		f.t.Errorf("PublishBatch with duplicate ids")
		return nil, errors.New("BatchEntryIdsNotDistinct")
	}
	if f.callFault != nil {
		if err := f.callFault(bodies); err != nil {
			return nil, err
		}
	}
	out := &sns.PublishBatchOutput{}
	for _, e := range in.PublishBatchRequestEntries {
		body := aws.ToString(e.Message)
		id := messageID(body)
		attempt := f.attempts[id]
		f.attempts[id]++
		if f.entryFault != nil {
			if fail := f.entryFault(body, attempt); fail != nil {
				f.faults++
				fail.Id = e.Id
				out.Failed = append(out.Failed, *fail)
				continue
			}
		}
		f.published = append(f.published, body)
		out.Successful = append(out.Successful, types.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String(fmt.Sprint(len(f.published)))})
	}
	return out, nil
}

func messageID(body string) string {
	m, err := Decode([]byte(body))
	if err != nil {
		return "undecodable"
	}
	return m.ID
}

// messages decodes every accepted body, in the order accepted.
func (f *fakeSNS) messages(t *testing.T) ([]*Message, []string) {
	t.Helper()
	f.mu.Lock()
	bodies := append([]string(nil), f.published...)
	f.mu.Unlock()
	var ms []*Message
	for _, b := range bodies {
		m, err := Decode([]byte(b))
		if err != nil {
			t.Fatalf("published an undecodable message: %v", err)
		}
		ms = append(ms, m)
	}
	return ms, bodies
}

func (f *fakeSNS) callLog() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeSNS) callsStarted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inCall
}

// commands flattens the commands of messages.
func commands(ms []*Message) []Command {
	var out []Command
	for _, m := range ms {
		out = append(out, m.Commands...)
	}
	return out
}

func joinArgs(c Command) string { return strings.Join(c.Args, " ") }
