package bus

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/busdiscovery"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

var (
	_ datasource.DataSource                     = (*busStatusDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*busStatusDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*busStatusDataSource)(nil)
)

// NewBusStatusDataSource returns the regis_bus_status data source.
func NewBusStatusDataSource() datasource.DataSource { return &busStatusDataSource{} }

type busStatusDataSource struct {
	client *conns.AWSClient
}

type busStatusModel struct {
	Name       types.String `tfsdk:"name"`
	TopicARN   types.String `tfsdk:"topic_arn"`
	HomeRegion types.String `tfsdk:"home_region"`
	Regions    types.List   `tfsdk:"regions"`
	Status     types.Map    `tfsdk:"status"`
}

// ageLookback is how far back GetMetricData looks for the latest
// ApproximateAgeOfOldestMessage datapoint.
const ageLookback = 15 * time.Minute

var statusAttrTypes = map[string]attr.Type{
	"queue_url":                  types.StringType,
	"dlq_url":                    types.StringType,
	"queue_depth":                types.Int64Type,
	"in_flight":                  types.Int64Type,
	"delayed":                    types.Int64Type,
	"dlq_depth":                  types.Int64Type,
	"oldest_message_age":         types.Int64Type,
	"dlq_oldest_message_age":     types.Int64Type,
	"event_source_mapping_state": types.StringType,
	"report_batch_item_failures": types.BoolType,
}

func (d *busStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bus_status"
}

func (d *busStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The live state of a Regis bus in each region: queue depth, messages in flight, dead-letter queue depth, " +
			"the age of the oldest message, and whether the consumer's event source mapping is enabled and reports batch item failures.\n\n" +
			"Depths come from `GetQueueAttributes` and are current. SQS gives the age of the oldest message only as the CloudWatch metric " +
			"`AWS/SQS ApproximateAgeOfOldestMessage` (there is no way to look at a message without receiving it, which would hide it from " +
			"the consumer), so the ages are the latest datapoint of the last 15 minutes, one minute old at most on an active queue, and " +
			"null when CloudWatch has none (an idle queue, or one created minutes ago).",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of the bus (the `name` of `regis_bus`). Give `name` or `topic_arn`.",
			},
			"topic_arn": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "ARN of the bus topic (the `topic_arn` of `regis_bus`). Give `name` or `topic_arn`.",
			},
			"home_region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Region of the topic, with `name`. Default: the provider's region.",
				Validators:          []validator.String{regionValidator{}},
			},
			"regions": schema.ListAttribute{
				ElementType: types.StringType, Optional: true, Computed: true,
				MarkdownDescription: "Regions to report. Default: every region whose queue is subscribed to the topic.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(regionValidator{})},
			},
			"status": schema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Status by region.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"queue_url":                  schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the queue."},
					"dlq_url":                    schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the dead-letter queue."},
					"queue_depth":                schema.Int64Attribute{Computed: true, MarkdownDescription: "Messages waiting in the queue (`ApproximateNumberOfMessages`)."},
					"in_flight":                  schema.Int64Attribute{Computed: true, MarkdownDescription: "Messages received by the consumer and not yet deleted (`ApproximateNumberOfMessagesNotVisible`)."},
					"delayed":                    schema.Int64Attribute{Computed: true, MarkdownDescription: "Delayed messages (`ApproximateNumberOfMessagesDelayed`)."},
					"dlq_depth":                  schema.Int64Attribute{Computed: true, MarkdownDescription: "Messages in the dead-letter queue: commands that were not replicated to this region."},
					"oldest_message_age":         schema.Int64Attribute{Computed: true, MarkdownDescription: "Age in seconds of the queue's oldest message (CloudWatch, latest datapoint); null without data. The replication lag of the region."},
					"dlq_oldest_message_age":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Age in seconds of the dead-letter queue's oldest message (CloudWatch, latest datapoint); null without data."},
					"event_source_mapping_state": schema.StringAttribute{Computed: true, MarkdownDescription: "State of the mapping from the queue to the consumer (`Enabled`, `Disabled`, …); null when there is none."},
					"report_batch_item_failures": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the mapping reports batch item failures, without which a batch with one failed message is deleted whole."},
				}},
			},
		},
	}
}

func (d *busStatusDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("topic_arn")),
	}
}

func (d *busStatusDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, err := conns.FromProviderData(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	d.client = c
}

func (d *busStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.client == nil {
		resp.Diagnostics.AddError("Provider not configured", conns.NotConfiguredDetail)
		return
	}
	var m busStatusModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The topic.
	topicARN := m.TopicARN.ValueString()
	home := m.HomeRegion.ValueString()
	if topicARN != "" {
		a, ok := parseARN(topicARN)
		if !ok || a.Service != "sns" {
			resp.Diagnostics.AddAttributeError(path.Root("topic_arn"), "Invalid topic_arn", fmt.Sprintf("%q is not an SNS topic ARN.", topicARN))
			return
		}
		if home != "" && home != a.Region {
			resp.Diagnostics.AddAttributeError(path.Root("home_region"), "home_region does not match topic_arn",
				fmt.Sprintf("The topic %s is in %s, not %s: remove home_region.", topicARN, a.Region, home))
			return
		}
		home = a.Region
	} else {
		if home == "" {
			home = d.client.HomeRegion
		}
		var err error
		topicARN, err = busdiscovery.FindTopic(ctx, d.client.SNS(ctx, home), regions.PartitionOf(home), d.client.AccountID, home, contract.TopicName(m.Name.ValueString()))
		if err == nil && topicARN == "" {
			err = fmt.Errorf("no topic named %s", contract.TopicName(m.Name.ValueString()))
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Bus not found", fmt.Sprintf("Looking for topic %s in %s: %v.", m.Name.ValueString(), home, err))
			return
		}
	}
	ta, _ := parseARN(topicARN)
	bus := ta.Resource

	// The regions: given, or the topic's subscribed queues.
	var regions []string
	queueARNs := map[string]string{}
	if !m.Regions.IsNull() && !m.Regions.IsUnknown() {
		resp.Diagnostics.Append(m.Regions.ElementsAs(ctx, &regions, false)...)
	} else {
		subs, err := busdiscovery.QueueSubscriptions(ctx, d.client.SNS(ctx, home), topicARN)
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the bus", fmt.Sprintf("Listing the subscriptions of %s: %v.", topicARN, err))
			return
		}
		for q := range subs {
			if a, ok := parseARN(q); ok && a.Resource == contract.QueueName(bus) {
				regions = append(regions, a.Region)
				queueARNs[a.Region] = q
			}
		}
		slices.Sort(regions)
	}

	var mu sync.Mutex
	status := map[string]attr.Value{}
	var absent []string
	errs := runRegions(regions, func(region string) error {
		st, err := d.regionStatus(ctx, region, bus, ta.Account)
		if awsapi.IsNotFound(err) {
			// A region named in regions that the bus does not reach (yet):
			// report it empty rather than failing the whole read.
			mu.Lock()
			absent = append(absent, region)
			status[region] = absentRegionStatus()
			mu.Unlock()
			return nil
		}
		if err != nil {
			return err
		}
		mu.Lock()
		status[region] = st
		mu.Unlock()
		return nil
	})
	if len(errs) > 0 {
		resp.Diagnostics.AddError("Cannot read the bus status", describeErrors(errs))
		return
	}

	if len(absent) > 0 {
		slices.Sort(absent)
		resp.Diagnostics.AddAttributeWarning(path.Root("regions"), "Regions without the bus",
			fmt.Sprintf("%s has no queue %s: the bus does not replicate there (yet). Their status has a null queue_url and null depths.",
				strings.Join(absent, ", "), contract.QueueName(bus)))
	}
	m.TopicARN = types.StringValue(topicARN)
	m.HomeRegion = types.StringValue(home)
	m.Regions = stringListValue(regions)
	sv, diags := types.MapValue(types.ObjectType{AttrTypes: statusAttrTypes}, status)
	resp.Diagnostics.Append(diags...)
	m.Status = sv
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// regionStatus reads one region: both queues' counters, the age metrics
// and the mapping.
func (d *busStatusDataSource) regionStatus(ctx context.Context, region, bus, account string) (types.Object, error) {
	sq := d.client.SQS(ctx, region)
	in := &sqs.GetQueueUrlInput{QueueName: aws.String(contract.QueueName(bus))}
	if account != "" {
		in.QueueOwnerAWSAccountId = aws.String(account)
	}
	qurl, err := sq.GetQueueUrl(ctx, in)
	if awsapi.IsA[*sqstypes.QueueDoesNotExist](err) {
		return types.Object{}, awsapi.NewNotFound("queue "+contract.QueueName(bus)+" in "+region, err)
	}
	if err != nil {
		return types.Object{}, stepErr(region, "finding queue "+contract.QueueName(bus), err)
	}
	queueURL := aws.ToString(qurl.QueueUrl)
	qa, err := findQueueAttributes(ctx, sq, queueURL)
	if err != nil {
		return types.Object{}, stepErr(region, "reading queue "+contract.QueueName(bus), err)
	}
	vals := map[string]attr.Value{
		"queue_url":                  types.StringValue(queueURL),
		"dlq_url":                    types.StringNull(),
		"queue_depth":                count(qa, sqstypes.QueueAttributeNameApproximateNumberOfMessages),
		"in_flight":                  count(qa, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible),
		"delayed":                    count(qa, sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed),
		"dlq_depth":                  types.Int64Null(),
		"oldest_message_age":         types.Int64Null(),
		"dlq_oldest_message_age":     types.Int64Null(),
		"event_source_mapping_state": types.StringNull(),
		"report_batch_item_failures": types.BoolValue(false),
	}
	dlq := ""
	if target, _, ok := parseRedrive(qa["RedrivePolicy"]); ok {
		if a, ok := parseARN(target); ok {
			dlq = a.Resource
			durl, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(a.Resource), QueueOwnerAWSAccountId: aws.String(a.Account)})
			if err != nil {
				return types.Object{}, stepErr(region, "finding the dead-letter queue", err)
			}
			dattrs, err := findQueueAttributes(ctx, sq, aws.ToString(durl.QueueUrl))
			if err != nil {
				return types.Object{}, stepErr(region, "reading the dead-letter queue", err)
			}
			vals["dlq_url"] = types.StringValue(aws.ToString(durl.QueueUrl))
			vals["dlq_depth"] = count(dattrs, sqstypes.QueueAttributeNameApproximateNumberOfMessages)
		}
	}

	ages, err := oldestAges(ctx, d.client.CloudWatch(ctx, region), contract.QueueName(bus), dlq)
	if err != nil {
		return types.Object{}, stepErr(region, "reading ApproximateAgeOfOldestMessage from CloudWatch", err)
	}
	if v, ok := ages[contract.QueueName(bus)]; ok {
		vals["oldest_message_age"] = types.Int64Value(v)
	}
	if v, ok := ages[dlq]; ok && dlq != "" {
		vals["dlq_oldest_message_age"] = types.Int64Value(v)
	}

	m, err := findMappingFor(ctx, d.client.Lambda(ctx, region), qa["QueueArn"], contract.FunctionName(bus))
	switch {
	case awsapi.IsNotFound(err):
	case err != nil:
		return types.Object{}, stepErr(region, "finding the event source mapping", err)
	default:
		vals["event_source_mapping_state"] = types.StringValue(aws.ToString(m.State))
		vals["report_batch_item_failures"] = types.BoolValue(slices.Contains(m.FunctionResponseTypes, reportBatchItemFailures))
	}
	return types.ObjectValueMust(statusAttrTypes, vals), nil
}

// absentRegionStatus is the status of a region without the bus's queue.
func absentRegionStatus() types.Object {
	vals := map[string]attr.Value{}
	for k, t := range statusAttrTypes {
		switch t {
		case types.Int64Type:
			vals[k] = types.Int64Null()
		case types.BoolType:
			vals[k] = types.BoolValue(false)
		default:
			vals[k] = types.StringNull()
		}
	}
	return types.ObjectValueMust(statusAttrTypes, vals)
}

func count(a queueAttrs, name sqstypes.QueueAttributeName) types.Int64 {
	v, err := strconv.ParseInt(a[string(name)], 10, 64)
	if err != nil {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}

// oldestAges returns the latest ApproximateAgeOfOldestMessage of each queue
// that has a datapoint in the last ageLookback.
func oldestAges(ctx context.Context, c *cloudwatch.Client, queues ...string) (map[string]int64, error) {
	now := time.Now()
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-ageLookback)),
		// The end lies ahead: there are no future datapoints, and a clock
		// running behind CloudWatch's must not hide the latest one.
		EndTime: aws.Time(now.Add(time.Hour)),
		ScanBy:  cwtypes.ScanByTimestampDescending,
	}
	ids := map[string]string{}
	for i, q := range queues {
		if q == "" {
			continue
		}
		id := "q" + strconv.Itoa(i)
		ids[id] = q
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String("AWS/SQS"),
					MetricName: aws.String("ApproximateAgeOfOldestMessage"),
					Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(q)}},
				},
				Period: aws.Int32(60),
				Stat:   aws.String("Maximum"),
			},
			ReturnData: aws.Bool(true),
		})
	}
	out := map[string]int64{}
	p := cloudwatch.NewGetMetricDataPaginator(c, in)
	latest := map[string]time.Time{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.MetricDataResults {
			q := ids[aws.ToString(r.Id)]
			for i, ts := range r.Timestamps {
				if i < len(r.Values) && ts.After(latest[q]) {
					latest[q] = ts
					out[q] = int64(r.Values[i])
				}
			}
		}
	}
	return out, nil
}
