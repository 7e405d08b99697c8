package bus

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// engine creates, converges, reads and deletes the objects of one bus. The
// per-region methods record every object in the regionIDs they are given as
// soon as it exists (and clear it as soon as it is gone): the caller writes
// those ids to state whatever happens, so that a failure half-way orphans
// nothing.
type engine struct {
	c    *conns.AWSClient
	spec *busSpec
	// topicARN is the bus topic's ARN, "" while the topic does not exist.
	topicARN string
	zips     *zipSource
}

// regionKind is one kind of AWS object that every region of a bus holds,
// with its reconciler. Each kind lives in its own file, with the find
// helpers its functions use:
//
//   - ensure brings the object to op.rs: it creates it when its id is empty
//     or the object is gone, adopts an object of the bus's name that exists
//     outside the state (the names are the bus's by the naming convention),
//     and records the id in op.ids the moment AWS returns it;
//   - read observes the object recorded in op.ids: it reads the arguments
//     AWS shows back into op.rs, clears the id of an object that is gone (and
//     notes it missing in op.drift), and notes in op.drift what no argument
//     shows;
//   - delete deletes the recorded object and clears its id; an object
//     already gone counts as deleted.
type regionKind struct {
	name   string
	ensure func(context.Context, *regionOp) error
	read   func(context.Context, *regionOp) error
	delete func(context.Context, *regionOp) error
}

// The kinds of a region's objects (the topic, one per bus, is in topic.go).
var (
	dlqKind          = &regionKind{name: "dead-letter queue", ensure: ensureDLQ, read: readDLQ, delete: deleteDLQ}
	queueKind        = &regionKind{name: "queue", ensure: ensureQueue, read: readQueue, delete: deleteQueueObject}
	queuePolicyKind  = &regionKind{name: "queue policy", ensure: ensureQueuePolicy, read: readQueuePolicy, delete: deleteQueuePolicy}
	subscriptionKind = &regionKind{name: "subscription", ensure: ensureSubscription, read: readSubscription, delete: deleteSubscription}
	roleKind         = &regionKind{name: "IAM role", ensure: ensureRole, read: readRole, delete: deleteRoleObject}
	rolePolicyKind   = &regionKind{name: "role policy", ensure: ensureRolePolicy, read: readRolePolicy, delete: deleteRolePolicy}
	functionKind     = &regionKind{name: "function", ensure: ensureFunction, read: readFunction, delete: deleteFunctionObject}
	mappingKind      = &regionKind{name: "event source mapping", ensure: ensureMapping, read: readMapping, delete: deleteMappingObject}
	alarmKind        = &regionKind{name: "alarm", ensure: ensureAlarms, read: readAlarms, delete: deleteAlarmObjects}
)

// regionKinds is every kind of object a region holds, in the order ensure
// makes them: the queue redrives to the dead-letter queue, the queue policy
// names the queue, the subscription delivers to it, the role's policy names
// both queues, the function runs with the role, the mapping feeds the queue
// to the function, and the alarms watch the queues.
var regionKinds = []*regionKind{dlqKind, queueKind, queuePolicyKind, subscriptionKind, roleKind, rolePolicyKind, functionKind, mappingKind, alarmKind}

// readOrder reads the role's policy after the function, whose environment
// tells whether the region uses an auth secret and a VPC, which the policy
// grants.
var readOrder = []*regionKind{dlqKind, queueKind, queuePolicyKind, subscriptionKind, roleKind, functionKind, rolePolicyKind, mappingKind, alarmKind}

// deleteOrder first stops the deliveries (subscription, mapping), then
// deletes what used the queues, then the queues. The queue and role
// policies go with their queue and role.
var deleteOrder = []*regionKind{subscriptionKind, mappingKind, alarmKind, functionKind, rolePolicyKind, roleKind, queuePolicyKind, queueKind, dlqKind}

// regionOp is one pass of the reconcilers over one region: what they share,
// and what one step hands to a later one.
type regionOp struct {
	e *engine
	// rs is the region's desired arguments (ensure), or its last known ones,
	// read back from AWS as read goes (read).
	rs  *regionSpec
	ids *regionIDs

	// ensure
	queuePolicy string    // the queue's policy before ensure ("" for a new queue)
	role        *roleInfo // the role as found (nil when new)
	roleCreated bool      // the role is new: the function must take it again

	// read
	importing    bool
	recorded     regionIDs  // the ids before read, including those of objects found gone
	queueAttrs   queueAttrs // the queue's attributes (the queue policy's read)
	drift        []string
	tombstoneTTL string // from the function's environment, "" when unknown
}

func (op *regionOp) region() string { return op.rs.Region }

// fail names the region and the step of an error.
func (op *regionOp) fail(step string, err error) error { return stepErr(op.rs.Region, step, err) }

// note adds drift entries.
func (op *regionOp) note(entries ...string) { op.drift = append(op.drift, entries...) }

// missingDrift ends the drift entry of a recorded object that is gone.
const missingDrift = ": missing (deleted outside Terraform); the next apply creates it again"

// missing notes that a recorded object is gone.
func (op *regionOp) missing(what string) { op.note(what + missingDrift) }

// queueARN is the ARN of the region's queue, also while the queue is gone
// (its ARN follows from its name, so a re-created queue has the same one):
// what the subscription and the mapping must point at.
func (op *regionOp) queueARN() string {
	if op.ids.QueueARN != "" {
		return op.ids.QueueARN
	}
	return op.recorded.QueueARN
}

func (op *regionOp) dlqARN() string {
	if op.ids.DLQARN != "" {
		return op.ids.DLQARN
	}
	return op.recorded.DLQARN
}

func (op *regionOp) dlqURL() string {
	if op.ids.DLQURL != "" {
		return op.ids.DLQURL
	}
	return op.recorded.DLQURL
}

// tagDrift notes an object whose tags are not tags_all.
func (op *regionOp) tagDrift(what string, tags map[string]string) {
	if !sameTags(tags, op.e.spec.Tags) {
		op.note(what + ": tags differ from tags_all")
	}
}

// ensureRegion creates what is missing in the region and brings what exists
// to the spec, kind by kind. With empty ids it creates (and adopts what
// exists by name): that is Create.
func (e *engine) ensureRegion(ctx context.Context, rs *regionSpec, ids *regionIDs) error {
	op := &regionOp{e: e, rs: rs, ids: ids}
	for _, k := range regionKinds {
		if err := k.ensure(ctx, op); err != nil {
			return err
		}
	}
	return nil
}

// readResult is what one region looks like in AWS.
type readResult struct {
	spec         *regionSpec
	ids          *regionIDs
	drift        []string
	tombstoneTTL string // from the function's environment, "" when unknown
}

// readRegion observes every recorded object of a region. Arguments that AWS
// shows (memory, batch size, retention, Redis endpoints, …) are read back
// from it; what no argument shows goes into drift. Objects that are gone
// lose their id and are noted missing, so that the next plan re-creates
// them. prior is the region's last known spec (the defaults on import).
func (e *engine) readRegion(ctx context.Context, prior *regionSpec, ids regionIDs, importing bool) (*readResult, error) {
	op := &regionOp{e: e, rs: prior.clone(), ids: &ids, importing: importing, recorded: ids}
	for _, k := range readOrder {
		if err := k.read(ctx, op); err != nil {
			return nil, err
		}
	}
	return &readResult{spec: op.rs, ids: op.ids, drift: op.drift, tombstoneTTL: op.tombstoneTTL}, nil
}

// deleteRegion deletes every recorded object of a region, clearing each id
// once its object is gone. Objects already gone count as deleted.
func (e *engine) deleteRegion(ctx context.Context, region string, ids *regionIDs) error {
	op := &regionOp{e: e, rs: &regionSpec{Region: region}, ids: ids}
	for _, k := range deleteOrder {
		if err := k.delete(ctx, op); err != nil {
			return err
		}
	}
	return nil
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
