package chaos

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/regis-infra/terraform-provider-regis/regis"
)

// PoisonInjector sits between a regis.Publisher and its SNS client (it is
// a regis.SNSAPI): it passes every call through and, for every Every
// messages SNS accepted, publishes one poison message to the same topic, so
// that 1/(Every+1) of the messages on the topic are poison, interleaved with
// the others.
type PoisonInjector struct {
	SNS   regis.SNSAPI
	Topic string
	Every int
	// Make builds poison message n (0, 1, …).
	Make func(n int) Poison

	mu       sync.Mutex // serialises injections
	accepted int
	sent     []Poison
	err      error
}

var _ regis.SNSAPI = (*PoisonInjector)(nil)

// Publish implements regis.SNSAPI.
func (p *PoisonInjector) Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error) {
	out, err := p.SNS.Publish(ctx, in, optFns...)
	if err == nil {
		p.accept(ctx, 1)
	}
	return out, err
}

// PublishBatch implements regis.SNSAPI.
func (p *PoisonInjector) PublishBatch(ctx context.Context, in *sns.PublishBatchInput, optFns ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	out, err := p.SNS.PublishBatch(ctx, in, optFns...)
	if err == nil {
		p.accept(ctx, len(out.Successful))
	}
	return out, err
}

func (p *PoisonInjector) accept(ctx context.Context, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accepted += n
	for p.err == nil && len(p.sent) < p.accepted/p.Every {
		m := p.Make(len(p.sent))
		if _, err := p.SNS.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(p.Topic), Message: aws.String(m.Body)}); err != nil {
			p.err = fmt.Errorf("publishing poison message %s (%s): %w", m.ID, m.Reason, err)
			return
		}
		p.sent = append(p.sent, m)
	}
}

// Sent returns the poison messages published, and the first error.
func (p *PoisonInjector) Sent() ([]Poison, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Poison(nil), p.sent...), p.err
}

// Accepted is the number of the publisher's messages SNS accepted.
func (p *PoisonInjector) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}
