package bus

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// awsManagedSNSKey is the topic's encryption when kms_key_id is not set.
const awsManagedSNSKey = "alias/aws/sns"

func topicKey(spec *busSpec) string {
	if spec.KMSKeyID != "" {
		return spec.KMSKeyID
	}
	return awsManagedSNSKey
}

func snsTags(tags map[string]string) []snstypes.Tag {
	var out []snstypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, snstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// createTopic creates the bus topic (CreateTopic is idempotent for a topic
// of the same name and attributes).
func createTopic(ctx context.Context, c *sns.Client, spec *busSpec) (string, error) {
	in := &sns.CreateTopicInput{
		Name:       aws.String(contract.TopicName(spec.Name)),
		Attributes: map[string]string{"KmsMasterKeyId": topicKey(spec)},
	}
	if len(spec.Tags) > 0 {
		in.Tags = snsTags(spec.Tags)
	}
	out, err := c.CreateTopic(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.TopicArn), nil
}

// findTopicAttributes returns the topic's attributes.
func findTopicAttributes(ctx context.Context, c *sns.Client, arn string) (map[string]string, error) {
	out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if awsapi.IsA[*snstypes.NotFoundException](err) {
		return nil, awsapi.NewNotFound("topic "+arn, err)
	}
	if err != nil {
		return nil, err
	}
	return out.Attributes, nil
}

func listTopicTags(ctx context.Context, c *sns.Client, arn string) (map[string]string, error) {
	out, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// updateTopic brings the topic's key and tags to the spec.
func updateTopic(ctx context.Context, c *sns.Client, arn string, spec *busSpec) error {
	attrs, err := findTopicAttributes(ctx, c, arn)
	if err != nil {
		return err
	}
	if attrs["KmsMasterKeyId"] != topicKey(spec) {
		if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
			TopicArn: aws.String(arn), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String(topicKey(spec)),
		}); err != nil {
			return err
		}
	}
	current, err := listTopicTags(ctx, c, arn)
	if err != nil {
		return err
	}
	add, remove := tagDiff(current, spec.Tags)
	if len(remove) > 0 {
		if _, err := c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: snsTags(add)}); err != nil {
			return err
		}
	}
	return nil
}

func deleteTopic(ctx context.Context, c *sns.Client, arn string) error {
	_, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	if awsapi.IsA[*snstypes.NotFoundException](err) {
		return nil
	}
	return err
}

// ------------------------------------------------------------ subscriptions

// subscribe subscribes the queue to the topic with raw message delivery.
// It must be called with a client of the topic's region: SNS creates the
// subscription where the topic is, whatever the queue's region.
func subscribe(ctx context.Context, c *sns.Client, topicARN, queueARN string) (string, error) {
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:              aws.String(topicARN),
		Protocol:              aws.String("sqs"),
		Endpoint:              aws.String(queueARN),
		Attributes:            map[string]string{"RawMessageDelivery": "true"},
		ReturnSubscriptionArn: true,
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.SubscriptionArn), nil
}

func findSubscriptionAttributes(ctx context.Context, c *sns.Client, arn string) (map[string]string, error) {
	out, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn)})
	if awsapi.IsA[*snstypes.NotFoundException](err) {
		return nil, awsapi.NewNotFound("subscription "+arn, err)
	}
	if err != nil {
		return nil, err
	}
	return out.Attributes, nil
}

func unsubscribe(ctx context.Context, c *sns.Client, arn string) error {
	_, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn)})
	if awsapi.IsA[*snstypes.NotFoundException](err) {
		return nil
	}
	return err
}

// Drift entries about subscriptions: all start with subscriptionDriftPrefix;
// only raw message delivery turned off is repaired in place, the others by
// subscribing again (a new subscription ARN).
const (
	subscriptionDriftPrefix = "subscription: "
	rawDeliveryDrift        = "raw message delivery is off"
)

// subscriptionDrift says what is wrong with a subscription, "" when nothing.
func subscriptionDrift(attrs map[string]string, topicARN, queueARN string) []string {
	var out []string
	if attrs["TopicArn"] != "" && attrs["TopicArn"] != topicARN {
		out = append(out, "subscription: belongs to topic "+attrs["TopicArn"])
	}
	if attrs["Protocol"] != "" && attrs["Protocol"] != "sqs" {
		out = append(out, "subscription: protocol is "+attrs["Protocol"]+", not sqs")
	}
	if attrs["Endpoint"] != "" && attrs["Endpoint"] != queueARN {
		out = append(out, "subscription: delivers to "+attrs["Endpoint"]+" instead of the region's queue")
	}
	if !strings.EqualFold(attrs["RawMessageDelivery"], "true") {
		out = append(out, subscriptionDriftPrefix+rawDeliveryDrift+" (the consumer would receive SNS envelopes)")
	}
	if strings.EqualFold(attrs["PendingConfirmation"], "true") {
		out = append(out, "subscription: pending confirmation")
	}
	if fp := strings.TrimSpace(attrs["FilterPolicy"]); fp != "" && fp != "{}" {
		out = append(out, "subscription: has a filter policy, which drops commands")
	}
	if rp := strings.TrimSpace(attrs["RedrivePolicy"]); rp != "" {
		out = append(out, "subscription: has an SNS redrive policy the bus does not set")
	}
	return out
}

// listTopicQueueSubscriptions returns the SQS queue ARN → subscription ARN
// of every SQS subscription of the topic (import and the status data source).
func listTopicQueueSubscriptions(ctx context.Context, c *sns.Client, topicARN string) (map[string]string, error) {
	out := map[string]string{}
	p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsapi.IsA[*snstypes.NotFoundException](err) {
			return nil, awsapi.NewNotFound("topic "+topicARN, err)
		}
		if err != nil {
			return nil, err
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) == "sqs" {
				out[aws.ToString(s.Endpoint)] = aws.ToString(s.SubscriptionArn)
			}
		}
	}
	return out, nil
}
