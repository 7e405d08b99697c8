// Package busdiscovery finds the AWS objects of a Regis bus by their names,
// without a Terraform state: the bus is identified by what its owner
// controls, its name and its home region, and every object is named after
// the bus (the convention of internal/contract, names.go).
//
// The regions of a bus are revealed by two lists:
//
//   - IAM roles are global and named <name>-consumer-<region>, so one listing
//     of the account's roles (ListRoles) names every region that has a role;
//   - the topic's SQS subscriptions, when the topic exists, name the queues
//     subscribed to it, and so their regions.
//
// A caller that knows more regions (a CLI flag, a Terraform state) passes
// them in Query.Regions. In each region, the objects are then looked up by
// name: the queues with GetQueueUrl, the function with GetFunction, the
// event source mapping from the queue to the function, and the alarms.
//
// The regis_bus resource uses it to import a bus (also when its topic is
// gone) and the regis CLI to find a bus by name. It takes SDK clients and
// returns identifiers; it changes nothing.
package busdiscovery

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// Clients hands out the SDK clients discovery calls, per region (IAM is
// global).
type Clients interface {
	SNS(region string) *sns.Client
	SQS(region string) *sqs.Client
	Lambda(region string) *lambda.Client
	IAM() *iam.Client
	CloudWatch(region string) *cloudwatch.Client
}

// Query names the bus to find.
type Query struct {
	Name       string
	HomeRegion string
	// AccountID, when known, names the topic's ARN directly; otherwise it is
	// taken from the ARNs of the objects found, or the home region's topics
	// are listed.
	AccountID string
	// Regions are looked in besides those the roles and the topic's
	// subscriptions reveal.
	Regions []string
}

// Bus is what exists of a bus.
type Bus struct {
	Name       string
	HomeRegion string
	// TopicARN is "" when the topic does not exist.
	TopicARN string
	// Regions holds every region where at least one object of the bus
	// exists.
	Regions map[string]*Region
}

// Empty reports whether nothing of the bus exists.
func (b *Bus) Empty() bool { return b.TopicARN == "" && len(b.Regions) == 0 }

// RegionNames lists the regions found, sorted.
func (b *Bus) RegionNames() []string { return slices.Sorted(maps.Keys(b.Regions)) }

// Region is what exists of a bus in one region; "" for what does not. The
// subscription lives in the home region but belongs to the region of its
// queue; the role is global but carries the region in its name.
type Region struct {
	Region          string
	QueueURL        string
	QueueARN        string
	DLQURL          string
	DLQARN          string
	SubscriptionARN string
	RoleName        string
	RoleARN         string
	FunctionName    string
	FunctionARN     string
	MappingUUID     string
	DLQAlarmName    string
	AgeAlarmName    string
}

// Empty reports whether nothing of the bus exists in the region.
func (r *Region) Empty() bool { return *r == Region{Region: r.Region} }

// Find looks for every object of the bus.
func Find(ctx context.Context, c Clients, q Query) (*Bus, error) {
	if q.Name == "" || q.HomeRegion == "" {
		return nil, errors.New("busdiscovery: a bus is found by its name and home region")
	}
	bus := &Bus{Name: q.Name, HomeRegion: q.HomeRegion, Regions: map[string]*Region{}}

	roles, err := RoleRegions(ctx, c.IAM(), q.Name)
	if err != nil {
		return nil, fmt.Errorf("listing the IAM roles %s<region>: %w", contract.RoleName(q.Name, ""), err)
	}
	account := q.AccountID
	for _, roleARN := range roles {
		if a, err := arn.Parse(roleARN); err == nil && account == "" {
			account = a.AccountID
		}
	}
	bus.TopicARN, err = FindTopic(ctx, c.SNS(q.HomeRegion), regions.PartitionOf(q.HomeRegion), account, q.HomeRegion, contract.TopicName(q.Name))
	if err != nil {
		return nil, fmt.Errorf("looking for topic %s in %s: %w", contract.TopicName(q.Name), q.HomeRegion, err)
	}
	subs := map[string]string{}
	if bus.TopicARN != "" {
		subs, err = QueueSubscriptions(ctx, c.SNS(q.HomeRegion), bus.TopicARN)
		if awsapi.IsNotFound(err) {
			bus.TopicARN, subs, err = "", map[string]string{}, nil // deleted meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("listing the subscriptions of %s: %w", bus.TopicARN, err)
		}
	}

	candidates := map[string]bool{}
	for region := range roles {
		candidates[region] = true
	}
	for queueARN := range subs {
		if a, err := arn.Parse(queueARN); err == nil && a.Service == "sqs" && a.Resource == contract.QueueName(q.Name) {
			candidates[a.Region] = true
		}
	}
	for _, region := range q.Regions {
		if regions.WellFormed(region) {
			candidates[region] = true
		}
	}

	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	for _, region := range slices.Sorted(maps.Keys(candidates)) {
		wg.Go(func() {
			r, err := findRegion(ctx, c, q.Name, region, roles[region], subs)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %w", region, err))
			case !r.Empty():
				bus.Regions[region] = r
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return bus, nil
}

func findRegion(ctx context.Context, c Clients, bus, region, roleARN string, subs map[string]string) (*Region, error) {
	r := &Region{Region: region}
	if roleARN != "" {
		r.RoleName, r.RoleARN = contract.RoleName(bus, region), roleARN
	}
	sq := c.SQS(region)
	var err error
	if r.QueueURL, r.QueueARN, err = FindQueue(ctx, sq, contract.QueueName(bus)); err != nil {
		return nil, fmt.Errorf("looking for queue %s: %w", contract.QueueName(bus), err)
	}
	if r.DLQURL, r.DLQARN, err = FindQueue(ctx, sq, contract.DLQName(bus)); err != nil {
		return nil, fmt.Errorf("looking for queue %s: %w", contract.DLQName(bus), err)
	}
	if r.QueueARN != "" {
		r.SubscriptionARN = subs[r.QueueARN]
	}
	lc := c.Lambda(region)
	fname := contract.FunctionName(bus)
	if r.FunctionARN, err = FindFunction(ctx, lc, fname); err != nil {
		return nil, fmt.Errorf("looking for function %s: %w", fname, err)
	}
	if r.FunctionARN != "" {
		r.FunctionName = fname
		if r.QueueARN != "" {
			m, err := FindMapping(ctx, lc, r.QueueARN, r.FunctionARN)
			if err != nil {
				return nil, fmt.Errorf("looking for the event source mapping from %s to %s: %w", contract.QueueName(bus), fname, err)
			}
			if m != nil {
				r.MappingUUID = aws.ToString(m.UUID)
			}
		}
	}
	alarms, err := FindAlarms(ctx, c.CloudWatch(region), contract.DLQAlarmName(bus), contract.AgeAlarmName(bus))
	if err != nil {
		return nil, fmt.Errorf("looking for the alarms: %w", err)
	}
	if _, ok := alarms[contract.DLQAlarmName(bus)]; ok {
		r.DLQAlarmName = contract.DLQAlarmName(bus)
	}
	if _, ok := alarms[contract.AgeAlarmName(bus)]; ok {
		r.AgeAlarmName = contract.AgeAlarmName(bus)
	}
	return r, nil
}

// RoleRegions lists the consumer roles of a bus: region → role ARN, from
// the names <bus>-consumer-<region> of the account's roles. IAM lists roles
// by path, not by name, so every role is listed and the names are matched
// here; a suffix that is not a region name (the role of a bus named
// "<bus>-consumer-x") is not the bus's.
func RoleRegions(ctx context.Context, c *iam.Client, bus string) (map[string]string, error) {
	prefix := contract.RoleName(bus, "")
	out := map[string]string{}
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, role := range page.Roles {
			region, ok := strings.CutPrefix(aws.ToString(role.RoleName), prefix)
			if ok && regions.WellFormed(region) {
				out[region] = aws.ToString(role.Arn)
			}
		}
	}
	return out, nil
}

// FindTopic returns the ARN of the topic named name in region, "" when
// there is none. With the account it asks for that ARN; without, it lists
// the region's topics.
func FindTopic(ctx context.Context, c *sns.Client, partition, account, region, name string) (string, error) {
	if account != "" {
		topicARN := arn.ARN{Partition: partition, Service: "sns", Region: region, AccountID: account, Resource: name}.String()
		_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
		switch {
		case awsapi.IsA[*snstypes.NotFoundException](err):
			return "", nil
		case err != nil:
			return "", err
		}
		return topicARN, nil
	}
	p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, t := range page.Topics {
			if a, err := arn.Parse(aws.ToString(t.TopicArn)); err == nil && a.Region == region && a.Resource == name {
				return a.String(), nil
			}
		}
	}
	return "", nil
}

// QueueSubscriptions returns the SQS subscriptions of a topic: queue ARN →
// subscription ARN. A topic that does not exist is an awsapi.NotFoundError.
func QueueSubscriptions(ctx context.Context, c *sns.Client, topicARN string) (map[string]string, error) {
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

// FindQueue returns the URL and ARN of the queue named name, "" when there
// is none.
func FindQueue(ctx context.Context, c *sqs.Client, name string) (url, queueARN string, err error) {
	out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	url = aws.ToString(out.QueueUrl)
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
		return "", "", nil // deleted meanwhile
	}
	if err != nil {
		return "", "", err
	}
	return url, attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// FindFunction returns the ARN of the function named name, "" when there is
// none.
func FindFunction(ctx context.Context, c *lambda.Client, name string) (string, error) {
	out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if out.Configuration == nil {
		return "", fmt.Errorf("GetFunction %s returned no configuration", name)
	}
	return aws.ToString(out.Configuration.FunctionArn), nil
}

// FindMapping returns the event source mapping from queueARN to function
// (a name or an ARN, a version or alias qualifier ignored), nil when there
// is none. A mapping being deleted does not count.
func FindMapping(ctx context.Context, c *lambda.Client, queueARN, function string) (*lambdatypes.EventSourceMappingConfiguration, error) {
	p := lambda.NewListEventSourceMappingsPaginator(c, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(queueARN), FunctionName: aws.String(function)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if awsapi.IsA[*lambdatypes.ResourceNotFoundException](err) {
			return nil, nil // the function is gone
		}
		if err != nil {
			return nil, err
		}
		for i := range page.EventSourceMappings {
			m := &page.EventSourceMappings[i]
			if aws.ToString(m.EventSourceArn) == queueARN && SameFunction(aws.ToString(m.FunctionArn), function) && aws.ToString(m.State) != "Deleting" {
				return m, nil
			}
		}
	}
	return nil, nil
}

// SameFunction compares two function names or ARNs, ignoring a version or
// alias qualifier.
func SameFunction(a, b string) bool {
	name := func(s string) string {
		if x, err := arn.Parse(s); err == nil {
			s = strings.TrimPrefix(x.Resource, "function:")
		}
		n, _, _ := strings.Cut(s, ":")
		return n
	}
	return name(a) == name(b)
}

// FindAlarms returns the metric alarms of the given names that exist.
func FindAlarms(ctx context.Context, c *cloudwatch.Client, names ...string) (map[string]cwtypes.MetricAlarm, error) {
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNames: names,
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
	})
	if err != nil {
		return nil, err
	}
	found := map[string]cwtypes.MetricAlarm{}
	for _, a := range out.MetricAlarms {
		found[aws.ToString(a.AlarmName)] = a
	}
	return found, nil
}
