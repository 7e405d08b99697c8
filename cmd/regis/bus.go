package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
)

// bus is what a command works on: the queues of a topic's SQS
// subscriptions (one per region for a Regis bus), or the one queue named by
// --queue-url.
type bus struct {
	TopicARN string // empty with --queue-url
	Queues   []*busQueue
	// Regions are the regions of all the topic's queues, also those
	// --region left out.
	Regions []string
}

// busQueue is one region's queue and its dead-letter queue.
type busQueue struct {
	Region   string
	QueueARN string
	QueueURL string
	// Attrs are the queue's attributes (All) when discovered.
	Attrs map[string]string

	// DLQARN and DLQURL are empty when the queue has no RedrivePolicy.
	DLQARN          string
	DLQURL          string
	DLQAttrs        map[string]string
	MaxReceiveCount int

	// Err is why the queue could not be examined; the other fields may be
	// partly filled.
	Err error
}

// Name is the queue's name.
func (q *busQueue) Name() string { return lastARNPart(q.QueueARN) }

// DLQName is the DLQ's name.
func (q *busQueue) DLQName() string { return lastARNPart(q.DLQARN) }

func lastARNPart(s string) string { return s[strings.LastIndex(s, ":")+1:] }

// errNoDLQ marks a queue without a RedrivePolicy.
var errNoDLQ = errors.New("the queue has no RedrivePolicy, so no dead-letter queue")

// discover finds the bus the flags name. Errors about the bus as a whole
// (topic not found, no subscriptions) are returned; errors about one queue
// are recorded in its Err so the other regions can still be served.
func (a *app) discover(ctx context.Context, c *clients, f *busFlags) (*bus, error) {
	if f.queueURL != "" {
		region := queueURLRegion(f.queueURL)
		switch {
		case len(f.regions) == 1 && region != "" && f.regions[0] != region:
			return nil, fmt.Errorf("--region %s does not match the queue URL's region %s", f.regions[0], region)
		case len(f.regions) == 1:
			region = f.regions[0]
		case region == "":
			region = c.defaultRegion()
		}
		if region == "" {
			return nil, fmt.Errorf("cannot tell the region of %s from its URL: pass --region", f.queueURL)
		}
		q, err := resolveQueueURL(ctx, c.SQS(region), region, f.queueURL)
		if err != nil {
			return nil, err
		}
		return &bus{Queues: []*busQueue{q}, Regions: []string{region}}, nil
	}

	topic, err := parseTopicARN(f.topicARN)
	if err != nil {
		return nil, err
	}
	arns, err := topicQueues(ctx, c.SNS(topic.Region), topic)
	if err != nil {
		return nil, err
	}
	b := &bus{TopicARN: topic.ARN}
	var all []string
	for _, qa := range arns {
		p, err := parseQueueARN(qa)
		if err != nil {
			continue
		}
		all = append(all, p.Region)
		if len(f.regions) > 0 && !f.regions.contains(p.Region) {
			continue
		}
		b.Queues = append(b.Queues, &busQueue{Region: p.Region, QueueARN: qa})
	}
	b.Regions = uniqueSorted(all)
	if len(b.Queues) == 0 {
		return nil, fmt.Errorf("the bus %s has no queue in %s (its queues are in %s)",
			topic.ARN, strings.Join(f.regions, ", "), strings.Join(b.Regions, ", "))
	}
	var wg sync.WaitGroup
	for _, q := range b.Queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.Err = resolveQueueARN(ctx, c.SQS(q.Region), q)
		}()
	}
	wg.Wait()
	sort.Slice(b.Queues, func(i, j int) bool {
		if b.Queues[i].Region != b.Queues[j].Region {
			return b.Queues[i].Region < b.Queues[j].Region
		}
		return b.Queues[i].QueueARN < b.Queues[j].QueueARN
	})
	return b, nil
}

// topicQueues lists the queue ARNs of the topic's SQS subscriptions.
func topicQueues(ctx context.Context, client *sns.Client, topic topicARN) ([]string, error) {
	var arns []string
	seen := map[string]bool{}
	pages := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic.ARN)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if awsapi.IsA[*snstypes.NotFoundException](err) {
				return nil, fmt.Errorf("topic %s not found in %s (account and region come from the ARN; check the credentials' account)", topic.ARN, topic.Region)
			}
			return nil, awsErr("SNS", "ListSubscriptionsByTopic", topic.Region, err)
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) != "sqs" {
				continue
			}
			e := aws.ToString(s.Endpoint)
			if !seen[e] {
				seen[e] = true
				arns = append(arns, e)
			}
		}
	}
	if len(arns) == 0 {
		return nil, fmt.Errorf("topic %s has no SQS subscriptions: is it a Regis bus?", topic.ARN)
	}
	return arns, nil
}

// resolveQueueARN fills in the URL, attributes and DLQ of a queue known by ARN.
func resolveQueueARN(ctx context.Context, client *sqs.Client, q *busQueue) error {
	url, err := queueURLFromARN(ctx, client, q.QueueARN)
	if err != nil {
		return err
	}
	q.QueueURL = url
	attrs, err := queueAttributes(ctx, client, q.Region, url)
	if err != nil {
		return err
	}
	q.Attrs = attrs
	return resolveDLQ(ctx, client, q)
}

// resolveDLQ reads the queue's RedrivePolicy and the DLQ's attributes. A
// queue without a DLQ is not an error here: commands that need one say so.
func resolveDLQ(ctx context.Context, client *sqs.Client, q *busQueue) error {
	dlq, maxReceives, err := parseRedrivePolicy(q.Attrs["RedrivePolicy"])
	if err != nil || dlq == "" {
		return err
	}
	q.DLQARN, q.MaxReceiveCount = dlq, maxReceives
	p, err := parseQueueARN(dlq)
	if err != nil {
		return fmt.Errorf("queue %s: RedrivePolicy: %w", q.QueueARN, err)
	}
	if p.Region != q.Region {
		return fmt.Errorf("queue %s: its DLQ %s is in another region", q.QueueARN, dlq)
	}
	if q.DLQURL, err = queueURLFromARN(ctx, client, dlq); err != nil {
		return fmt.Errorf("the DLQ of %s: %w", q.Name(), err)
	}
	if q.DLQAttrs, err = queueAttributes(ctx, client, q.Region, q.DLQURL); err != nil {
		return err
	}
	return nil
}

// resolveQueueURL examines the queue --queue-url names: a queue with a
// RedrivePolicy, or a DLQ with exactly one source queue.
func resolveQueueURL(ctx context.Context, client *sqs.Client, region, url string) (*busQueue, error) {
	attrs, err := queueAttributes(ctx, client, region, url)
	if err != nil {
		return nil, err
	}
	q := &busQueue{Region: region, QueueURL: url, QueueARN: attrs["QueueArn"], Attrs: attrs}
	if attrs["RedrivePolicy"] != "" {
		if err := resolveDLQ(ctx, client, q); err != nil {
			return nil, err
		}
		return q, nil
	}
	// Not a source queue: maybe the DLQ itself.
	out, err := client.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, awsErr("SQS", "ListDeadLetterSourceQueues", region, err)
	}
	switch len(out.QueueUrls) {
	case 0:
		// A queue without a DLQ: status still works; DLQ commands say why not.
		return q, nil
	case 1:
	default:
		return nil, fmt.Errorf("%s is the DLQ of %d queues (%s): pass the Regis queue's URL", url, len(out.QueueUrls), strings.Join(out.QueueUrls, ", "))
	}
	src := out.QueueUrls[0]
	srcAttrs, err := queueAttributes(ctx, client, region, src)
	if err != nil {
		return nil, err
	}
	q = &busQueue{Region: region, QueueURL: src, QueueARN: srcAttrs["QueueArn"], Attrs: srcAttrs}
	if err := resolveDLQ(ctx, client, q); err != nil {
		return nil, err
	}
	return q, nil
}

func queueURLFromARN(ctx context.Context, client *sqs.Client, queueARN string) (string, error) {
	p, err := parseQueueARN(queueARN)
	if err != nil {
		return "", err
	}
	in := &sqs.GetQueueUrlInput{QueueName: aws.String(p.Name)}
	if p.Account != "" {
		in.QueueOwnerAWSAccountId = aws.String(p.Account)
	}
	out, err := client.GetQueueUrl(ctx, in)
	if err != nil {
		if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
			return "", fmt.Errorf("queue %s does not exist (the subscription outlived it?)", queueARN)
		}
		return "", awsErr("SQS", "GetQueueUrl", p.Region, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

func queueAttributes(ctx context.Context, client *sqs.Client, region, url string) (map[string]string, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
			return nil, fmt.Errorf("queue %s does not exist in %s", url, region)
		}
		return nil, awsErr("SQS", "GetQueueAttributes", region, err)
	}
	return out.Attributes, nil
}

// parseRedrivePolicy reads {"deadLetterTargetArn": …, "maxReceiveCount": …}
// (the count is a number or a string, depending on who wrote it).
func parseRedrivePolicy(s string) (dlqARN string, maxReceives int, err error) {
	if s == "" {
		return "", 0, nil
	}
	var rp struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(s), &rp); err != nil {
		return "", 0, fmt.Errorf("unreadable RedrivePolicy %q: %w", s, err)
	}
	n, _ := strconv.Atoi(strings.Trim(string(rp.MaxReceiveCount), `"`))
	return rp.DeadLetterTargetArn, n, nil
}

func attrInt(attrs map[string]string, name string) int64 {
	n, _ := strconv.ParseInt(attrs[name], 10, 64)
	return n
}

func uniqueSorted(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
