package bus

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
)

// The subscription of a region's queue to the bus topic. It lives in the
// home region, where the topic is, and is made with a client of that region.

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

// subscriptionDrift says what is wrong with a subscription, nothing when
// nothing. queueARN is the region's queue, also while that queue is gone
// ("" when unknown: the endpoint is then not compared).
func subscriptionDrift(attrs map[string]string, topicARN, queueARN string) []string {
	var out []string
	if attrs["TopicArn"] != "" && attrs["TopicArn"] != topicARN {
		out = append(out, "subscription: belongs to topic "+attrs["TopicArn"])
	}
	if attrs["Protocol"] != "" && attrs["Protocol"] != "sqs" {
		out = append(out, "subscription: protocol is "+attrs["Protocol"]+", not sqs")
	}
	if attrs["Endpoint"] != "" && queueARN != "" && attrs["Endpoint"] != queueARN {
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

// subscriptionExists reports SNS's refusal to subscribe a queue that is
// subscribed already with other attributes.
func subscriptionExists(err error) bool {
	return awsapi.IsA[*snstypes.InvalidParameterException](err) && strings.Contains(awsapi.ErrorMessage(err), "already exists")
}

// convergeSubscription brings the recorded subscription to the bus's: raw
// message delivery is turned back on in place; anything else (another
// endpoint, a filter policy, …) is simplest and safest to fix by
// subscribing again, so the subscription is removed and its id cleared. A
// subscription that is gone loses its id.
func convergeSubscription(ctx context.Context, op *regionOp, c *sns.Client) error {
	ids := op.ids
	attrs, err := findSubscriptionAttributes(ctx, c, ids.SubscriptionARN)
	switch {
	case awsapi.IsNotFound(err):
		ids.SubscriptionARN = ""
		return nil
	case err != nil:
		return op.fail("reading the subscription", err)
	}
	drift := subscriptionDrift(attrs, op.e.topicARN, ids.QueueARN)
	if len(drift) == 1 && strings.Contains(drift[0], rawDeliveryDrift) {
		if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(ids.SubscriptionARN), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true"),
		}); err != nil {
			return op.fail("turning raw message delivery back on", err)
		}
	} else if len(drift) > 0 {
		if err := unsubscribe(ctx, c, ids.SubscriptionARN); err != nil {
			return op.fail("removing the altered subscription", err)
		}
		ids.SubscriptionARN = ""
	}
	return nil
}

func ensureSubscription(ctx context.Context, op *regionOp) error {
	ids, home := op.ids, op.e.spec.HomeRegion
	c := op.e.c.SNS(ctx, home)
	if ids.SubscriptionARN != "" {
		if err := convergeSubscription(ctx, op, c); err != nil {
			return err
		}
	}
	if ids.SubscriptionARN != "" {
		return nil
	}
	subARN, err := subscribe(ctx, c, op.e.topicARN, ids.QueueARN)
	if subscriptionExists(err) {
		// The queue is subscribed already, outside the state, with other
		// attributes: adopt that subscription, then converge it (which may
		// remove it, to subscribe again).
		subs, ferr := busdiscovery.QueueSubscriptions(ctx, c, op.e.topicARN)
		if ferr != nil {
			return op.fail("looking up the queue's existing subscription", ferr)
		}
		if ids.SubscriptionARN = subs[ids.QueueARN]; ids.SubscriptionARN != "" {
			if err := convergeSubscription(ctx, op, c); err != nil {
				return err
			}
			if ids.SubscriptionARN != "" {
				return nil
			}
		}
		subARN, err = subscribe(ctx, c, op.e.topicARN, ids.QueueARN)
	}
	if err != nil {
		return op.fail("subscribing the queue to the topic (from "+home+")", err)
	}
	ids.SubscriptionARN = subARN
	return nil
}

func readSubscription(ctx context.Context, op *regionOp) error {
	ids := op.ids
	if ids.SubscriptionARN == "" {
		return nil
	}
	attrs, err := findSubscriptionAttributes(ctx, op.e.c.SNS(ctx, op.e.spec.HomeRegion), ids.SubscriptionARN)
	switch {
	case awsapi.IsNotFound(err):
		ids.SubscriptionARN = ""
		op.missing("subscription")
	case err != nil:
		return op.fail("reading the subscription", err)
	default:
		op.note(subscriptionDrift(attrs, op.e.topicARN, op.queueARN())...)
	}
	return nil
}

func deleteSubscription(ctx context.Context, op *regionOp) error {
	if op.ids.SubscriptionARN == "" {
		return nil
	}
	if err := unsubscribe(ctx, op.e.c.SNS(ctx, op.e.spec.HomeRegion), op.ids.SubscriptionARN); err != nil {
		return op.fail("unsubscribing the queue", err)
	}
	op.ids.SubscriptionARN = ""
	return nil
}
