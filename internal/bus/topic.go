package bus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// The bus topic, one per bus in the home region, where services publish.

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

// ------------------------------------------------------------ the reconciler

// topicKindName names the topic among the kinds of objects of a bus: one
// topic per bus, in the home region (the region's kinds are in engine.go).
const topicKindName = "topic"

// objectKinds names every kind of object a bus creates: the topic, then
// the kinds of every region, in the order ensure makes them.
func objectKinds() []string {
	names := []string{topicKindName}
	for _, k := range regionKinds {
		names = append(names, k.name)
	}
	return names
}

// topicExists reports SNS's refusal to create a topic that exists with
// other attributes or tags.
func topicExists(err error) bool {
	return awsapi.IsA[*snstypes.InvalidParameterException](err) && strings.Contains(awsapi.ErrorMessage(err), "already exists")
}

// findTopicARN returns the topic's ARN: the recorded one, or the one found
// by name in the home region ("" when there is no topic).
func (e *engine) findTopicARN(ctx context.Context) (string, error) {
	if e.topicARN != "" {
		return e.topicARN, nil
	}
	return busdiscovery.FindTopic(ctx, e.c.SNS(ctx, e.spec.HomeRegion), regions.PartitionOf(e.spec.HomeRegion), e.c.AccountID,
		e.spec.HomeRegion, contract.TopicName(e.spec.Name))
}

// ensureTopic brings the recorded topic (e.topicARN) to the spec or, when
// there is none or it is gone, creates it; a topic of the bus's name that
// exists outside the state is adopted and brought to the spec. It sets
// e.topicARN, and reports fresh when the topic is not the recorded one: its
// subscriptions, if any were recorded, went with the old topic.
func (e *engine) ensureTopic(ctx context.Context) (fresh bool, err error) {
	c := e.c.SNS(ctx, e.spec.HomeRegion)
	if e.topicARN != "" {
		err := updateTopic(ctx, c, e.topicARN, e.spec)
		if !awsapi.IsNotFound(err) {
			return false, err
		}
		e.topicARN = ""
	}
	topicARN, err := createTopic(ctx, c, e.spec)
	if topicExists(err) {
		// CreateTopic with the name alone returns the existing topic's ARN.
		var out *sns.CreateTopicOutput
		out, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(contract.TopicName(e.spec.Name))})
		if err == nil {
			topicARN = aws.ToString(out.TopicArn)
			e.topicARN = topicARN
			err = updateTopic(ctx, c, topicARN, e.spec)
		}
	}
	if err != nil {
		return true, err
	}
	e.topicARN = topicARN
	return true, nil
}

// topicState is what refresh reads of the topic.
type topicState struct {
	ARN   string
	Attrs map[string]string
	Tags  map[string]string
}

// readTopic reads the topic: nil when it does not exist.
func (e *engine) readTopic(ctx context.Context) (*topicState, error) {
	topicARN, err := e.findTopicARN(ctx)
	if err != nil || topicARN == "" {
		return nil, err
	}
	c := e.c.SNS(ctx, e.spec.HomeRegion)
	attrs, err := findTopicAttributes(ctx, c, topicARN)
	if awsapi.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading topic %s: %w", topicARN, err)
	}
	tags, err := listTopicTags(ctx, c, topicARN)
	if err != nil {
		return nil, fmt.Errorf("reading the tags of topic %s: %w", topicARN, err)
	}
	return &topicState{ARN: topicARN, Attrs: attrs, Tags: tags}, nil
}

// topicDrift is what no argument shows of the topic: read copies it into
// every region's drift, so that the plan shows it and Update repairs the
// topic (topicDrifted).
func topicDrift(t *topicState) []string {
	if t == nil {
		return []string{topicDriftPrefix + "missing (deleted outside Terraform); the next apply creates it again and subscribes every region"}
	}
	// A topic without a key reads like the default (alias/aws/sns) in
	// kms_key_id.
	if t.Attrs["KmsMasterKeyId"] == "" {
		return []string{topicDriftPrefix + "not encrypted (KmsMasterKeyId is empty), so SNS stores the commands in clear"}
	}
	return nil
}
