package bus

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// engine creates, converges, reads and deletes the objects of one bus. The
// per-region methods record every object in the regionIDs they are given as
// soon as it exists (and clear it as soon as it is gone): the caller writes
// those ids to state whatever happens, so that a failure half-way orphans
// nothing.
type engine struct {
	c        *conns.AWSClient
	spec     *busSpec
	topicARN string
	zips     *zipSource
}

const dlqVisibility = 30

// -------------------------------------------------------------------- ensure

// ensureQueue brings the queue at *url (its ARN in *arn) to want, or
// creates it as name when *url is empty or the queue is gone; what names it
// in errors. It returns the existing queue's policy ("" for a new queue).
func (e *engine) ensureQueue(ctx context.Context, sq *sqs.Client, region, what, name string, want map[string]string, url, arn *string) (string, error) {
	policy := ""
	if *url != "" {
		cur, err := findQueueAttributes(ctx, sq, *url)
		switch {
		case awsapi.IsNotFound(err):
			*url, *arn = "", ""
		case err != nil:
			return "", stepErr(region, "reading the "+what, err)
		default:
			*arn = cur["QueueArn"]
			if err := setQueueAttributes(ctx, sq, *url, attributeDiff(cur, want)); err != nil {
				return "", stepErr(region, "updating the "+what, err)
			}
			if err := e.syncQueueTags(ctx, sq, *url); err != nil {
				return "", stepErr(region, "tagging the "+what, err)
			}
			policy = cur["Policy"]
		}
	}
	if *url == "" {
		u, a, err := createQueue(ctx, sq, name, want, e.spec.Tags)
		*url, *arn = u, a
		if err != nil {
			return "", stepErr(region, "creating the "+what, err)
		}
	}
	if *arn == "" {
		cur, err := findQueueAttributes(ctx, sq, *url)
		if err != nil {
			return "", stepErr(region, "reading the "+what, err)
		}
		*arn = cur["QueueArn"]
	}
	return policy, nil
}

// ensureRegion creates what is missing in the region and brings what exists
// to the spec. With empty ids it only creates (no lookups): that is Create.
func (e *engine) ensureRegion(ctx context.Context, rs *regionSpec, ids *regionIDs) error {
	region := rs.Region
	spec := e.spec
	sq := e.c.SQS(ctx, region)
	tags := spec.Tags

	// 1. Dead-letter queue.
	dlqWant := desiredQueueAttributes(spec, dlqVisibility, rs.Queue.DLQRetention)
	if _, err := e.ensureQueue(ctx, sq, region, "dead-letter queue", contract.DLQName(spec.Name), dlqWant, &ids.DLQURL, &ids.DLQARN); err != nil {
		return err
	}

	// 2. Queue, redriving to the DLQ.
	qWant := desiredQueueAttributes(spec, rs.Queue.VisibilityTimeout, rs.Queue.MessageRetention)
	qWant["RedrivePolicy"] = redrivePolicy(ids.DLQARN, rs.Queue.MaxReceiveCount)
	currentPolicy, err := e.ensureQueue(ctx, sq, region, "queue", contract.QueueName(spec.Name), qWant, &ids.QueueURL, &ids.QueueARN)
	if err != nil {
		return err
	}

	// 3. Queue policy: the topic may send.
	if want := queuePolicy(ids.QueueARN, e.topicARN); !sameJSON(currentPolicy, want) {
		if err := setQueueAttributes(ctx, sq, ids.QueueURL, map[string]string{"Policy": want}); err != nil {
			return stepErr(region, "setting the queue policy", err)
		}
	}

	// 4. Subscription, made in the topic's region.
	topicSNS := e.c.SNS(ctx, spec.HomeRegion)
	if ids.SubscriptionARN != "" {
		attrs, err := findSubscriptionAttributes(ctx, topicSNS, ids.SubscriptionARN)
		switch {
		case awsapi.IsNotFound(err):
			ids.SubscriptionARN = ""
		case err != nil:
			return stepErr(region, "reading the subscription", err)
		default:
			drift := subscriptionDrift(attrs, e.topicARN, ids.QueueARN)
			if len(drift) == 1 && strings.Contains(drift[0], rawDeliveryDrift) {
				if _, err := topicSNS.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
					SubscriptionArn: aws.String(ids.SubscriptionARN), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true"),
				}); err != nil {
					return stepErr(region, "turning raw message delivery back on", err)
				}
			} else if len(drift) > 0 {
				// Anything else (another endpoint, a filter policy, …) is
				// simplest and safest to fix by subscribing again.
				if err := unsubscribe(ctx, topicSNS, ids.SubscriptionARN); err != nil {
					return stepErr(region, "removing the altered subscription", err)
				}
				ids.SubscriptionARN = ""
			}
		}
	}
	if ids.SubscriptionARN == "" {
		arn, err := subscribe(ctx, topicSNS, e.topicARN, ids.QueueARN)
		if err != nil {
			return stepErr(region, "subscribing the queue to the topic (from "+spec.HomeRegion+")", err)
		}
		ids.SubscriptionARN = arn
	}

	// 5. IAM role and its least-privilege policy.
	im := e.c.IAM(ctx)
	rName := contract.RoleName(spec.Name, region)
	wantPolicy := rolePolicy(roleInputs{Bus: spec.Name, Region: region, QueueARN: ids.QueueARN, DLQARN: ids.DLQARN,
		AuthSecretARN: rs.Redis.AuthSecretARN, KMSKeyID: spec.KMSKeyID, VPC: rs.VPC != nil})
	rolePolicyNow := ""
	if ids.RoleName != "" {
		info, err := findRole(ctx, im, ids.RoleName)
		switch {
		case awsapi.IsNotFound(err):
			ids.RoleName, ids.RoleARN = "", ""
		case err != nil:
			return stepErr(region, "reading the IAM role", err)
		default:
			ids.RoleARN = info.ARN
			rolePolicyNow = info.Policy
			if !sameJSON(info.Trust, trustPolicy) {
				if _, err := im.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(ids.RoleName), PolicyDocument: aws.String(trustPolicy)}); err != nil {
					return stepErr(region, "restoring the IAM role's trust policy", err)
				}
			}
			if err := syncRoleTags(ctx, im, ids.RoleName, info.Tags, tags); err != nil {
				return stepErr(region, "tagging the IAM role", err)
			}
			if err := removeExtraPermissions(ctx, im, ids.RoleName, info); err != nil {
				return stepErr(region, "removing permissions beyond the consumer's policy from the IAM role", err)
			}
		}
	}
	roleCreated := false
	if ids.RoleName == "" {
		arn, err := createRole(ctx, im, rName, spec.Name, tags)
		if err != nil {
			return stepErr(region, "creating the IAM role "+rName, err)
		}
		ids.RoleName, ids.RoleARN = rName, arn
		roleCreated = true
	}
	if !sameJSON(rolePolicyNow, wantPolicy) {
		if err := putRolePolicy(ctx, im, ids.RoleName, wantPolicy); err != nil {
			return stepErr(region, "putting the IAM role policy", err)
		}
	}

	// 6. Consumer function.
	lc := e.c.Lambda(ctx, region)
	fName := contract.FunctionName(spec.Name)
	zip, sha, err := e.zips.get(rs.Consumer.Architecture)
	if err != nil {
		return stepErr(region, "loading the consumer package", err)
	}
	if ids.FunctionName != "" {
		info, err := findFunction(ctx, lc, ids.FunctionName)
		switch {
		case awsapi.IsNotFound(err):
			ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
		case err != nil:
			return stepErr(region, "reading the consumer function", err)
		default:
			if err := e.convergeFunction(ctx, lc, ids, info, rs, zip, sha, roleCreated); err != nil {
				return stepErr(region, "updating the consumer function", err)
			}
		}
	}
	if ids.FunctionName == "" {
		out, err := createFunction(ctx, lc, fName, ids.RoleARN, spec, rs, ids.DLQURL, zip)
		if err != nil {
			return stepErr(region, "creating the consumer function", err)
		}
		ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = fName, aws.ToString(out.FunctionArn), aws.ToString(out.CodeSha256)
		if err := waitFunctionActive(ctx, lc, fName); err != nil {
			return stepErr(region, "starting the consumer function", err)
		}
	}

	// 7. Event source mapping, always reporting batch item failures.
	if ids.MappingUUID != "" {
		m, err := findMapping(ctx, lc, ids.MappingUUID)
		switch {
		case awsapi.IsNotFound(err):
			ids.MappingUUID = ""
		case err != nil:
			return stepErr(region, "reading the event source mapping", err)
		case aws.ToString(m.EventSourceArn) != ids.QueueARN:
			// The source of a mapping cannot change: replace it.
			if err := deleteMapping(ctx, lc, ids.MappingUUID); err != nil {
				return stepErr(region, "deleting the event source mapping of another queue", err)
			}
			ids.MappingUUID = ""
		default:
			if s := aws.ToString(m.State); s != mappingEnabled && s != mappingDisabled {
				if m, err = waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
					return stepErr(region, "waiting for the event source mapping", err)
				}
			}
			if in := mappingUpdate(m, ids.MappingUUID, ids.FunctionARN, rs); in != nil {
				if err := updateMapping(ctx, lc, in); err != nil {
					return stepErr(region, "updating the event source mapping", err)
				}
				if _, err := waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
					return stepErr(region, "waiting for the event source mapping", err)
				}
			}
		}
	}
	if ids.MappingUUID == "" {
		out, err := createMapping(ctx, lc, ids.QueueARN, ids.FunctionARN, rs)
		if err != nil {
			return stepErr(region, "creating the event source mapping", err)
		}
		ids.MappingUUID = aws.ToString(out.UUID)
		if _, err := waitMappingSettled(ctx, lc, ids.MappingUUID); err != nil {
			return stepErr(region, "enabling the event source mapping", err)
		}
	}

	// 8. Alarms.
	return e.ensureAlarms(ctx, rs, ids)
}

func (e *engine) syncQueueTags(ctx context.Context, sq *sqs.Client, url string) error {
	cur, err := listQueueTags(ctx, sq, url)
	if err != nil {
		return err
	}
	return syncQueueTags(ctx, sq, url, cur, e.spec.Tags)
}

// convergeFunction updates an existing function's configuration and code.
// A role re-created with the same name has the same ARN but is a new role:
// roleCreated makes the function take it again.
func (e *engine) convergeFunction(ctx context.Context, lc *lambda.Client, ids *regionIDs, info *functionInfo, rs *regionSpec, zip []byte, sha string, roleCreated bool) error {
	cfg := info.Config
	ids.FunctionARN = aws.ToString(cfg.FunctionArn)
	ids.CodeSHA256 = aws.ToString(cfg.CodeSha256)
	if cfg.LastUpdateStatus == lambdatypes.LastUpdateStatusInProgress || cfg.State == lambdatypes.StatePending {
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	in := functionConfigUpdate(cfg, ids.FunctionName, ids.RoleARN, e.spec, rs, ids.DLQURL)
	if in == nil && roleCreated {
		in = &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(ids.FunctionName)}
	}
	if in != nil && roleCreated {
		in.Role = aws.String(ids.RoleARN)
	}
	if in != nil {
		if _, err := retryConflict(ctx, func(ctx context.Context) (*lambda.UpdateFunctionConfigurationOutput, error) {
			return lc.UpdateFunctionConfiguration(ctx, in)
		}); err != nil {
			return err
		}
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	if aws.ToString(cfg.CodeSha256) != sha || functionArch(cfg) != rs.Consumer.Architecture {
		out, err := retryConflict(ctx, func(ctx context.Context) (*lambda.UpdateFunctionCodeOutput, error) {
			return lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName:  aws.String(ids.FunctionName),
				ZipFile:       zip,
				Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(rs.Consumer.Architecture)},
			})
		})
		if err != nil {
			return err
		}
		ids.CodeSHA256 = aws.ToString(out.CodeSha256)
		if err := waitFunctionUpdated(ctx, lc, ids.FunctionName); err != nil {
			return err
		}
	}
	return syncFunctionTags(ctx, lc, ids.FunctionARN, info.Tags, e.spec.Tags)
}

func (e *engine) ensureAlarms(ctx context.Context, rs *regionSpec, ids *regionIDs) error {
	region := rs.Region
	cw := e.c.CloudWatch(ctx, region)
	bus := e.spec.Name
	type alarm struct {
		name string
		want bool
		put  func() *putAlarmInput
		id   *string
	}
	alarms := []alarm{
		{contract.DLQAlarmName(bus), rs.Alarms.DLQNotEmpty, func() *putAlarmInput { return dlqAlarmInput(bus, rs, e.spec.Tags) }, &ids.DLQAlarm},
		{contract.AgeAlarmName(bus), rs.Alarms.AgeThreshold > 0, func() *putAlarmInput { return ageAlarmInput(bus, rs, e.spec.Tags) }, &ids.AgeAlarm},
	}
	// Existing alarms are looked up only when some were recorded: a new
	// region has none.
	existing := map[string]metricAlarm{}
	if ids.DLQAlarm != "" || ids.AgeAlarm != "" {
		var err error
		if existing, err = findAlarms(ctx, cw, contract.DLQAlarmName(bus), contract.AgeAlarmName(bus)); err != nil {
			return stepErr(region, "reading the alarms", err)
		}
		if _, ok := existing[ids.DLQAlarm]; !ok {
			ids.DLQAlarm = ""
		}
		if _, ok := existing[ids.AgeAlarm]; !ok {
			ids.AgeAlarm = ""
		}
	}
	for _, a := range alarms {
		cur, exists := existing[a.name]
		switch {
		case a.want && (!exists || *a.id == "" || !alarmMatches(cur, a.put())):
			if err := putAlarm(ctx, cw, a.put()); err != nil {
				return stepErr(region, "putting the alarm "+a.name, err)
			}
			*a.id = a.name
			if exists && cur.AlarmArn != nil {
				if err := syncAlarmTags(ctx, cw, aws.ToString(cur.AlarmArn), e.spec.Tags); err != nil {
					return stepErr(region, "tagging the alarm "+a.name, err)
				}
			}
		case a.want && exists:
			*a.id = a.name
			if err := syncAlarmTags(ctx, cw, aws.ToString(cur.AlarmArn), e.spec.Tags); err != nil {
				return stepErr(region, "tagging the alarm "+a.name, err)
			}
		case !a.want && *a.id != "":
			if err := deleteAlarms(ctx, cw, a.name); err != nil {
				return stepErr(region, "deleting the alarm "+a.name, err)
			}
			*a.id = ""
		}
	}
	return nil
}

// -------------------------------------------------------------------- delete

// deleteRegion deletes every recorded object of a region, clearing each id
// once its object is gone. Objects already gone count as deleted.
func (e *engine) deleteRegion(ctx context.Context, region string, ids *regionIDs) error {
	if ids.SubscriptionARN != "" {
		if err := unsubscribe(ctx, e.c.SNS(ctx, e.spec.HomeRegion), ids.SubscriptionARN); err != nil {
			return stepErr(region, "unsubscribing the queue", err)
		}
		ids.SubscriptionARN = ""
	}
	lc := e.c.Lambda(ctx, region)
	if ids.MappingUUID != "" {
		if err := deleteMapping(ctx, lc, ids.MappingUUID); err != nil {
			return stepErr(region, "deleting the event source mapping", err)
		}
		if err := waitMappingDeleted(ctx, lc, ids.MappingUUID); err != nil {
			return stepErr(region, "deleting the event source mapping", err)
		}
		ids.MappingUUID = ""
	}
	if ids.DLQAlarm != "" || ids.AgeAlarm != "" {
		var names []string
		for _, n := range []string{ids.DLQAlarm, ids.AgeAlarm} {
			if n != "" {
				names = append(names, n)
			}
		}
		if err := deleteAlarms(ctx, e.c.CloudWatch(ctx, region), names...); err != nil {
			return stepErr(region, "deleting the alarms", err)
		}
		ids.DLQAlarm, ids.AgeAlarm = "", ""
	}
	if ids.FunctionName != "" {
		if err := deleteFunction(ctx, lc, ids.FunctionName); err != nil {
			return stepErr(region, "deleting the consumer function", err)
		}
		ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
	}
	if ids.RoleName != "" {
		if err := deleteRole(ctx, e.c.IAM(ctx), ids.RoleName); err != nil {
			return stepErr(region, "deleting the IAM role", err)
		}
		ids.RoleName, ids.RoleARN = "", ""
	}
	sq := e.c.SQS(ctx, region)
	if ids.QueueURL != "" {
		if err := deleteQueue(ctx, sq, ids.QueueURL); err != nil {
			return stepErr(region, "deleting the queue", err)
		}
		ids.QueueURL, ids.QueueARN = "", ""
	}
	if ids.DLQURL != "" {
		if err := deleteQueue(ctx, sq, ids.DLQURL); err != nil {
			return stepErr(region, "deleting the dead-letter queue", err)
		}
		ids.DLQURL, ids.DLQARN = "", ""
	}
	return nil
}

// ---------------------------------------------------------------------- read

// readResult is what one region looks like in AWS.
type readResult struct {
	spec         *regionSpec
	ids          *regionIDs
	drift        []string
	tombstoneTTL string // from the function's environment, "" when unknown
}

// defaultRegionSpec is a region with every default, the starting point of
// an import.
func defaultRegionSpec(region string) *regionSpec {
	return &regionSpec{
		Region: region,
		Redis:  redisSpec{Endpoints: []string{}, TLS: defaultRedisTLS},
		Consumer: consumerSpec{MemorySize: defaultMemorySize, Timeout: defaultTimeout, BatchSize: defaultBatchSize,
			BatchingWindow: defaultBatchingWindow, MaxConcurrency: defaultMaxConcurrency, Architecture: defaultArchitecture,
			LogLevel: defaultLogLevel, Environment: map[string]string{}},
		Queue:  queueSpec{VisibilityTimeout: defaultVisibility, MessageRetention: defaultRetention, MaxReceiveCount: defaultMaxReceiveCount, DLQRetention: defaultDLQRetention},
		Alarms: alarmsSpec{DLQNotEmpty: true, AgeThreshold: defaultAgeThreshold, AlarmActions: []string{}},
	}
}

func (rs *regionSpec) clone() *regionSpec {
	c := *rs
	c.Redis.Endpoints = slices.Clone(rs.Redis.Endpoints)
	if rs.VPC != nil {
		v := *rs.VPC
		v.SubnetIDs = slices.Clone(v.SubnetIDs)
		v.SecurityGroupIDs = slices.Clone(v.SecurityGroupIDs)
		c.VPC = &v
	}
	c.Consumer.Environment = maps.Clone(rs.Consumer.Environment)
	c.Alarms.AlarmActions = slices.Clone(rs.Alarms.AlarmActions)
	return &c
}

// readRegion observes every recorded object of a region. Arguments that AWS
// shows (memory, batch size, retention, Redis endpoints, …) are read back
// from it; what no argument shows goes into drift. Objects that are gone
// lose their id, so that the next plan re-creates them. prior is the
// region's last known spec (the defaults on import).
func (e *engine) readRegion(ctx context.Context, prior *regionSpec, idsIn regionIDs, importing bool) (*readResult, error) {
	region := prior.Region
	rs := prior.clone()
	ids := idsIn
	res := &readResult{spec: rs, ids: &ids}
	var drift []string
	spec := e.spec
	sq := e.c.SQS(ctx, region)

	encryptionDrift := func(what string, attrs queueAttrs) {
		if spec.KMSKeyID != "" {
			if attrs["KmsMasterKeyId"] != spec.KMSKeyID {
				drift = append(drift, what+": not encrypted with kms_key_id")
			}
		} else if attrs["SqsManagedSseEnabled"] != "true" || attrs["KmsMasterKeyId"] != "" {
			drift = append(drift, what+": not encrypted with SQS-managed keys (SSE-SQS)")
		}
	}
	tagDrift := func(what string, tags map[string]string) {
		if !sameTags(tags, spec.Tags) {
			drift = append(drift, what+": tags differ from tags_all")
		}
	}

	// Dead-letter queue.
	if ids.DLQURL != "" {
		attrs, err := findQueueAttributes(ctx, sq, ids.DLQURL)
		switch {
		case awsapi.IsNotFound(err):
			ids.DLQURL, ids.DLQARN = "", ""
		case err != nil:
			return nil, stepErr(region, "reading the dead-letter queue", err)
		default:
			ids.DLQARN = attrs["QueueArn"]
			rs.Queue.DLQRetention = atoi(attrs["MessageRetentionPeriod"], rs.Queue.DLQRetention)
			encryptionDrift("dead-letter queue", attrs)
			tags, err := listQueueTags(ctx, sq, ids.DLQURL)
			if err != nil {
				return nil, stepErr(region, "reading the tags of the dead-letter queue", err)
			}
			tagDrift("dead-letter queue", tags)
		}
	}

	// Queue.
	if ids.QueueURL != "" {
		attrs, err := findQueueAttributes(ctx, sq, ids.QueueURL)
		switch {
		case awsapi.IsNotFound(err):
			ids.QueueURL, ids.QueueARN = "", ""
		case err != nil:
			return nil, stepErr(region, "reading the queue", err)
		default:
			ids.QueueARN = attrs["QueueArn"]
			rs.Queue.VisibilityTimeout = atoi(attrs["VisibilityTimeout"], rs.Queue.VisibilityTimeout)
			rs.Queue.MessageRetention = atoi(attrs["MessageRetentionPeriod"], rs.Queue.MessageRetention)
			target, maxReceive, ok := parseRedrive(attrs["RedrivePolicy"])
			switch {
			case !ok:
				drift = append(drift, "queue: no redrive policy, so failing messages are never moved to the dead-letter queue")
			default:
				rs.Queue.MaxReceiveCount = maxReceive
				if ids.DLQARN != "" && target != ids.DLQARN {
					drift = append(drift, "queue: redrives to "+target+" instead of the region's dead-letter queue")
				}
			}
			if e.topicARN != "" && !sameJSON(attrs["Policy"], queuePolicy(ids.QueueARN, e.topicARN)) {
				drift = append(drift, "queue: the policy differs from the one that lets the topic send")
			}
			if d := attrs["DelaySeconds"]; d != "" && d != "0" {
				drift = append(drift, "queue: delivery delay is "+d+" seconds")
			}
			encryptionDrift("queue", attrs)
			tags, err := listQueueTags(ctx, sq, ids.QueueURL)
			if err != nil {
				return nil, stepErr(region, "reading the tags of the queue", err)
			}
			tagDrift("queue", tags)
		}
	}

	// Subscription.
	if ids.SubscriptionARN != "" {
		attrs, err := findSubscriptionAttributes(ctx, e.c.SNS(ctx, spec.HomeRegion), ids.SubscriptionARN)
		switch {
		case awsapi.IsNotFound(err):
			ids.SubscriptionARN = ""
		case err != nil:
			return nil, stepErr(region, "reading the subscription", err)
		default:
			drift = append(drift, subscriptionDrift(attrs, e.topicARN, ids.QueueARN)...)
		}
	}

	// Role (its policy is compared below, once the function has told
	// whether the region uses a secret and a VPC).
	var role *roleInfo
	if ids.RoleName != "" {
		info, err := findRole(ctx, e.c.IAM(ctx), ids.RoleName)
		switch {
		case awsapi.IsNotFound(err):
			ids.RoleName, ids.RoleARN = "", ""
		case err != nil:
			return nil, stepErr(region, "reading the IAM role", err)
		default:
			ids.RoleARN = info.ARN
			role = info
		}
	}

	// Function.
	lc := e.c.Lambda(ctx, region)
	if ids.FunctionName != "" {
		info, err := findFunction(ctx, lc, ids.FunctionName)
		switch {
		case awsapi.IsNotFound(err):
			ids.FunctionName, ids.FunctionARN, ids.CodeSHA256 = "", "", ""
		case err != nil:
			return nil, stepErr(region, "reading the consumer function", err)
		default:
			cfg := info.Config
			ids.FunctionARN = aws.ToString(cfg.FunctionArn)
			ids.CodeSHA256 = aws.ToString(cfg.CodeSha256)
			rs.Consumer.MemorySize = int64(aws.ToInt32(cfg.MemorySize))
			rs.Consumer.Timeout = int64(aws.ToInt32(cfg.Timeout))
			rs.Consumer.Architecture = functionArch(cfg)
			subnets, groups := functionVPC(cfg)
			if len(subnets) == 0 && len(groups) == 0 {
				rs.VPC = nil
			} else {
				rs.VPC = &vpcSpec{SubnetIDs: subnets, SecurityGroupIDs: groups}
			}
			var env map[string]string
			if cfg.Environment != nil {
				env = cfg.Environment.Variables
			}
			drift = append(drift, readEnvironment(env, rs, &res.tombstoneTTL, spec.Name, ids.DLQURL)...)
			if cfg.Runtime != consumerRuntime || aws.ToString(cfg.Handler) != consumerHandler {
				drift = append(drift, fmt.Sprintf("function: runtime %s with handler %s instead of %s with %s", cfg.Runtime, aws.ToString(cfg.Handler), consumerRuntime, consumerHandler))
			}
			if ids.RoleARN != "" && aws.ToString(cfg.Role) != ids.RoleARN {
				drift = append(drift, "function: runs with role "+aws.ToString(cfg.Role)+" instead of the consumer role")
			}
			if cfg.State == lambdatypes.StateFailed {
				drift = append(drift, "function: state Failed: "+aws.ToString(cfg.StateReason))
			}
			tagDrift("function", info.Tags)
		}
	}

	if role != nil {
		if !sameJSON(role.Trust, trustPolicy) {
			drift = append(drift, "IAM role: the trust policy no longer lets only Lambda assume it")
		}
		if ids.QueueARN != "" && ids.DLQARN != "" {
			want := rolePolicy(roleInputs{Bus: spec.Name, Region: region, QueueARN: ids.QueueARN, DLQARN: ids.DLQARN,
				AuthSecretARN: rs.Redis.AuthSecretARN, KMSKeyID: spec.KMSKeyID, VPC: rs.VPC != nil})
			if role.Policy == "" {
				drift = append(drift, "IAM role: the "+contract.RolePolicyName+" policy is missing")
			} else if !sameJSON(role.Policy, want) {
				drift = append(drift, "IAM role: the "+contract.RolePolicyName+" policy was changed")
			}
		}
		if extra := role.extraPermissions(); extra != "" {
			drift = append(drift, "IAM role: has permissions beyond the "+contract.RolePolicyName+" policy ("+extra+")")
		}
		tagDrift("IAM role", role.Tags)
	}

	// Event source mapping.
	if ids.MappingUUID != "" {
		m, err := findMapping(ctx, lc, ids.MappingUUID)
		switch {
		case awsapi.IsNotFound(err):
			ids.MappingUUID = ""
		case err != nil:
			return nil, stepErr(region, "reading the event source mapping", err)
		default:
			rs.Consumer.BatchSize = int64(aws.ToInt32(m.BatchSize))
			rs.Consumer.BatchingWindow = int64(aws.ToInt32(m.MaximumBatchingWindowInSeconds))
			rs.Consumer.MaxConcurrency = mappingConcurrency(m)
			drift = append(drift, mappingDrift(m, ids.QueueARN, ids.FunctionARN)...)
		}
	}

	// Alarms. Their existence is an argument (dlq_not_empty, a threshold of 0).
	found, err := findAlarms(ctx, e.c.CloudWatch(ctx, region), contract.DLQAlarmName(spec.Name), contract.AgeAlarmName(spec.Name))
	if err != nil {
		return nil, stepErr(region, "reading the alarms", err)
	}
	dlqA, hasDLQ := found[contract.DLQAlarmName(spec.Name)]
	ageA, hasAge := found[contract.AgeAlarmName(spec.Name)]
	// An alarm of the bus's name that the bus never recorded is not read
	// back as its own, except on import.
	hasDLQ = hasDLQ && (importing || ids.DLQAlarm != "")
	hasAge = hasAge && (importing || ids.AgeAlarm != "")
	rs.Alarms.DLQNotEmpty = hasDLQ
	rs.Alarms.AgeThreshold = 0
	if hasAge {
		rs.Alarms.AgeThreshold = int64(aws.ToFloat64(ageA.Threshold))
	}
	switch {
	case hasDLQ:
		rs.Alarms.AlarmActions = nonNil(dlqA.AlarmActions)
	case hasAge:
		rs.Alarms.AlarmActions = nonNil(ageA.AlarmActions)
	}
	ids.DLQAlarm, ids.AgeAlarm = "", ""
	if hasDLQ {
		ids.DLQAlarm = contract.DLQAlarmName(spec.Name)
		if !alarmDefinitionMatches(dlqA, dlqAlarmInput(spec.Name, rs, nil)) {
			drift = append(drift, "alarm "+contract.DLQAlarmName(spec.Name)+": its metric, period or comparison was changed")
		}
	}
	if hasAge {
		ids.AgeAlarm = contract.AgeAlarmName(spec.Name)
		if !alarmDefinitionMatches(ageA, ageAlarmInput(spec.Name, rs, nil)) {
			drift = append(drift, "alarm "+contract.AgeAlarmName(spec.Name)+": its metric, period or comparison was changed")
		}
	}

	res.drift = drift
	return res, nil
}

// readEnvironment reads the consumer's arguments back from its environment
// and reports variables that do not match what the bus sets.
func readEnvironment(env map[string]string, rs *regionSpec, tombstone *string, bus, dlqURL string) []string {
	var drift []string
	if v, ok := env[contract.EnvRedisAddrs]; ok {
		rs.Redis.Endpoints = []string{}
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				rs.Redis.Endpoints = append(rs.Redis.Endpoints, a)
			}
		}
	} else {
		drift = append(drift, "function: "+contract.EnvRedisAddrs+" is missing")
	}
	rs.Redis.Cluster = parseBool(env[contract.EnvRedisCluster])
	rs.Redis.TLS = parseBool(env[contract.EnvRedisTLS])
	rs.Redis.AuthSecretARN = env[contract.EnvRedisAuthSecretARN]
	rs.Redis.Username = env[contract.EnvRedisUsername]
	rs.Consumer.Ordered = parseBool(env[contract.EnvOrdered])
	if v := env[contract.EnvLogLevel]; v != "" {
		rs.Consumer.LogLevel = v
	}
	*tombstone = env[contract.EnvTombstoneTTL]
	if _, ok := env[contract.EnvRedisAuthToken]; ok {
		drift = append(drift, "function: "+contract.EnvRedisAuthToken+" puts the Redis token in the function's configuration; the bus uses auth_secret_arn")
	}
	if env[contract.EnvDLQURL] != dlqURL && dlqURL != "" {
		drift = append(drift, "function: "+contract.EnvDLQURL+" is not the region's dead-letter queue")
	}
	if env[contract.EnvBusName] != bus {
		drift = append(drift, "function: "+contract.EnvBusName+" is not "+bus)
	}
	extra := map[string]string{}
	for k, v := range env {
		if !slices.Contains(managedEnv, k) {
			extra[k] = v
		}
	}
	rs.Consumer.Environment = extra
	return drift
}

func parseBool(s string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(s))
	return b
}

func atoi(s string, def int64) int64 {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v
	}
	return def
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
