package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	goredis "github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip/consumerziptest"
	"github.com/regis-infra/terraform-provider-regis/internal/chaos"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator"
	cwemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/cloudwatch"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	lambdaemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
	snsemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/sns"
	sqsemu "github.com/regis-infra/terraform-provider-regis/internal/emulator/sqs"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// The run's parameters. Timings are chosen so that a mode runs in a few
// minutes on two cores; the bus settings are the ones a user would pick for
// a short function timeout.
const (
	homeRegion   = acctest.Region1 // the topic, and the publisher
	outageRegion = acctest.Region2

	defaultCommands = 100_000
	// publishFor paces publishing, so that the outage happens while
	// messages keep arriving.
	publishFor = 20 * time.Second
	// The Redis of outageRegion is down from outageAt×publishFor for outageFor.
	outageAt  = 0.35
	outageFor = 10 * time.Second
	// poisonEvery: one poison message per 99 valid ones, 1% of all.
	poisonEvery = 99

	consumerTimeout = 2                   // seconds
	visibility      = 6 * consumerTimeout // the least the bus accepts
	batchSize       = 10
	maxConcurrency  = 3
	// duplicateDelay bounds when the surviving copy of a message shows up
	// again after its delete was lost.
	duplicateDelay = 15 * time.Second

	convergeTimeout = 5 * time.Minute
)

var regions = []string{acctest.Region1, acctest.Region2, acctest.Region3}

// Environment knobs for development runs.
const (
	envCommands = "REGIS_CHAOS_COMMANDS" // commands to publish (default 100,000)
	envOutage   = "REGIS_CHAOS_OUTAGE"   // "kill" (default: SIGKILL, restart from the AOF) or "pause" (SIGSTOP, SIGCONT)
	envSeed     = "REGIS_CHAOS_SEED"     // the stream's seed (default: random, logged)
)

// TestChaos_plain is the chaos run in plain mode: Redis must equal the
// model except on keys whose writes were reordered (see the package doc).
func TestChaos_plain(t *testing.T) { runChaos(t, false) }

// TestChaos_ordered is the chaos run in ordered mode: Redis must equal the
// model on every key.
func TestChaos_ordered(t *testing.T) { runChaos(t, true) }

func runChaos(t *testing.T, ordered bool) {
	started := time.Now()
	mode := map[bool]string{false: "plain", true: "ordered"}[ordered]
	redistest.RequireServer(t)
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 (make chaos)", resource.EnvTfAcc)
	}
	emu := acctest.Emulator(t)
	name := acctest.RandomName("chaos-" + mode)
	servers := map[string]*redistest.Server{}
	for _, r := range regions {
		// Persistence on, as on ElastiCache with Multi-AZ or AOF: a
		// crashed node comes back with its data; the bus cannot restore
		// data Redis itself lost.
		servers[r] = redistest.Start(t, redistest.Options{Args: []string{"--appendonly", "yes", "--appendfsync", "always"}})
	}
	namespace := "RegisChaos/" + name
	outage := os.Getenv(envOutage)
	switch outage {
	case "":
		outage = "kill"
	case "kill", "pause":
	default:
		t.Fatalf("%s=%q: want kill or pause", envOutage, outage)
	}
	commands := defaultCommands
	if v := os.Getenv(envCommands); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			t.Fatalf("%s=%q: want a number ≥ 1000", envCommands, v)
		}
		commands = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envSeed); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want an unsigned integer", envSeed, v)
		}
		seed = n
	}
	t.Logf("stream seed %d (%s=%d to replay the same stream)", seed, envSeed, seed)
	sum := &chaos.Summary{
		Mode: mode, Seed: seed, Regions: regions, OutageRegion: outageRegion, OutageKind: outage, PerRegion: map[string]*chaos.RegionSummary{},
		Duplicates: "every message's first delete lost (SQS at-least-once): redelivered after 0–" + duplicateDelay.String(),
		Shuffle:    "every receive takes a random visible message (SQS best-effort ordering)",
		Settings: map[string]any{
			"consumer.timeout": consumerTimeout, "queue.visibility_timeout": visibility, "consumer.batch_size": batchSize,
			"consumer.max_concurrency": maxConcurrency, "queue.max_receive_count": 5, "publish_seconds_target": publishFor.Seconds(),
			"publisher.max_message_bytes": maxMessageBytes(ordered), "redis": "redis-server, appendonly yes, appendfsync always",
		},
	}
	for _, r := range regions {
		sum.PerRegion[r] = &chaos.RegionSummary{PoisonInDLQ: map[string]int{}, PoisonMetrics: map[string]int{}}
	}
	run := &chaosRun{
		t: t, emu: emu, ordered: ordered, servers: servers, namespace: namespace, outage: outage, commands: commands, seed: seed, sum: sum,
	}
	defer func() {
		sum.TotalSeconds = time.Since(started).Seconds()
		if sum.CommandsPublished > 0 {
			var b strings.Builder
			sum.WriteTable(&b)
			fmt.Print(b.String())
			if path, err := sum.WriteJSON(); err != nil {
				t.Errorf("writing the summary: %v", err)
			} else if path != "" {
				t.Logf("summary written to %s", path)
			}
		}
	}()
	resource.Test(t, resource.TestCase{
		PreCheck: func() {
			acctest.PreCheck(t)
			consumerziptest.Ensure(t)
		},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// Lambda's log groups outlive the bus, as documented (docs/resources/bus.md).
		CheckDestroy: acctest.CheckInventoryEmpty(acctest.InventoryFilter{IDContains: name, Match: func(r core.Resource) bool { return r.Service != "logs" }}),
		Steps: []resource.TestStep{{
			Config: busConfig(name, servers, ordered, namespace),
			Check: func(s *terraform.State) error {
				ids, err := stateIDs(s)
				if err != nil {
					return err
				}
				run.ids = ids
				if err := run.do(); err != nil {
					return err
				}
				if len(sum.Failures) > 0 {
					return fmt.Errorf("%d failures:\n  %s", len(sum.Failures), strings.Join(sum.Failures, "\n  "))
				}
				return nil
			},
		}},
	})
}

func maxMessageBytes(ordered bool) int {
	// About 50 commands per message: some 2,000 messages, enough for
	// shuffling, duplicates and 1% poison to matter.
	if ordered {
		return 4000
	}
	return 2048
}

// busConfig is the bus under test: three regions, a short function timeout
// and the least visibility timeout the bus allows for it, so that
// redeliveries happen within seconds.
func busConfig(name string, servers map[string]*redistest.Server, ordered bool, namespace string) string {
	arch := consumerzip.ArchX8664
	if runtime.GOARCH == "arm64" {
		arch = consumerzip.ArchARM64
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"regis_bus\" \"chaos\" {\n  name = %q\n  regions = {\n", name)
	for _, r := range regions {
		fmt.Fprintf(&b, `    %q = {
      redis = {
        endpoints = [%q]
        tls       = false
      }
      consumer = {
        architecture    = %q
        timeout         = %d
        batch_size      = %d
        max_concurrency = %d
        ordered         = %t
        metrics_namespace = %q
      }
      queue = {
        visibility_timeout = %d
      }
    }
`, r, servers[r].Addr, arch, consumerTimeout, batchSize, maxConcurrency, ordered, namespace, visibility)
	}
	b.WriteString("  }\n}\n")
	return acctest.ConfigCompose(acctest.ProviderConfig(), b.String())
}

// regionIDs are the objects of one region of the bus, from the state.
type regionIDs struct {
	queueARN, queueURL, dlqURL, dlqARN, mapping, alarm, function string
}

func stateIDs(s *terraform.State) (map[string]regionIDs, error) {
	rs, ok := s.RootModule().Resources["regis_bus.chaos"]
	if !ok || rs.Primary == nil {
		return nil, errors.New("regis_bus.chaos is not in the state")
	}
	a := rs.Primary.Attributes
	out := map[string]regionIDs{"": {queueARN: a["topic_arn"]}}
	for _, r := range regions {
		p := "regions." + r + "."
		out[r] = regionIDs{queueARN: a[p+"queue_arn"], queueURL: a[p+"queue_url"], dlqURL: a[p+"dlq_url"], dlqARN: a[p+"dlq_arn"],
			mapping: a[p+"event_source_mapping_id"], alarm: a[p+"dlq_alarm_name"], function: a[p+"function_name"]}
		if out[r].queueARN == "" || out[r].dlqURL == "" || out[r].mapping == "" || out[r].alarm == "" {
			return nil, fmt.Errorf("region %s: incomplete state %v", r, out[r])
		}
	}
	return out, nil
}

// chaosRun is one run against a deployed bus.
type chaosRun struct {
	t         *testing.T
	emu       *emulator.Emulator
	ordered   bool
	servers   map[string]*redistest.Server
	namespace string
	outage    string
	commands  int
	seed      uint64
	ids       map[string]regionIDs
	sum       *chaos.Summary

	model     *chaos.Model
	msgCmds   map[string]int    // regis message id → valid commands it carries
	onceMsg   map[string]string // once key → regis message id
	poison    []chaos.Poison
	publishAt time.Time
}

func (r *chaosRun) fail(format string, args ...any) {
	r.sum.Failures = append(r.sum.Failures, fmt.Sprintf(format, args...))
}

func (r *chaosRun) do() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	sqsSvc := r.emu.Service("sqs").(*sqsemu.Service)
	for i, region := range regions {
		if err := sqsSvc.SetDeliveryChaos(r.ids[region].queueARN, sqsemu.DeliveryChaos{
			Shuffle: true, DuplicateProbability: 1, DuplicateDelay: duplicateDelay, Seed: uint64(i + 1),
		}); err != nil {
			return err
		}
	}
	if err := r.publish(ctx); err != nil {
		return err
	}
	if err := r.converge(ctx); err != nil {
		return err
	}
	r.sum.ConvergeSeconds = time.Since(r.publishAt).Seconds()
	for _, region := range regions {
		if err := r.checkAlarm(ctx, region); err != nil {
			return err
		}
	}
	lost := map[string]map[string]bool{} // region → lost message ids
	snaps := map[string]map[string]*chaos.Value{}
	for _, region := range regions {
		lost[region] = map[string]bool{}
		snap, err := r.checkRedis(ctx, region, lost[region])
		if err != nil {
			return err
		}
		snaps[region] = snap
		r.sum.PerRegion[region].KeysDifferentFromHome = len(chaos.Disagree(snaps[homeRegion], snap))
		if err := r.checkDLQ(ctx, region, lost[region]); err != nil {
			return err
		}
		if err := r.collectStats(ctx, region); err != nil {
			return err
		}
		rs := r.sum.PerRegion[region]
		rs.MessagesLost = len(lost[region])
		for id := range lost[region] {
			rs.CommandsLost += r.msgCmds[id]
		}
		rs.CommandsApplied = r.sum.CommandsPublished - rs.CommandsLost
		if rs.CommandsLost > 0 {
			r.fail("%s: %d valid commands lost (%d messages)", region, rs.CommandsLost, rs.MessagesLost)
		}
	}
	if len(r.sum.Failures) > 0 {
		r.logDiagnostics()
	}
	return nil
}

// logDiagnostics logs the consumer's warnings and errors and Lambda's
// platform errors, for a failed run.
func (r *chaosRun) logDiagnostics() {
	lambdaSvc := r.emu.Service("lambda").(*lambdaemu.Service)
	for _, region := range regions {
		var lines []string
		for _, l := range lambdaSvc.FunctionLogs(region, r.ids[region].function) {
			if strings.Contains(l, `"level":"WARN"`) && strings.Contains(l, "Redis unreachable") {
				continue // the outage
			}
			if strings.Contains(l, `"level":"WARN"`) && strings.Contains(l, "poison message sent to the DLQ") {
				continue
			}
			if strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) || strings.Contains(l, "Task timed out") ||
				strings.Contains(l, "Runtime.") || strings.Contains(l, "Status: error") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 40 {
			lines = append(lines[:20], append([]string{"…"}, lines[len(lines)-20:]...)...)
		}
		ms, _ := lambdaSvc.MappingStats(r.ids[region].mapping)
		r.t.Logf("%s: mapping %+v; consumer warnings and errors:\n  %s", region, ms, strings.Join(lines, "\n  "))
	}
}

// publish publishes the stream, paced over publishFor, with the poison
// injector between the publisher and SNS, and takes outageRegion's Redis
// down and up again meanwhile (on this goroutine: redistest must not fail
// the test from another).
func (r *chaosRun) publish(ctx context.Context) error {
	c := acctest.Client(r.t)
	origin := regis.Origin{Region: homeRegion, Service: "chaos"}
	poisonOrigin := regis.Origin{Region: homeRegion, Service: "chaos-poison"}
	reasons := chaos.PoisonReasons(r.ordered)
	inj := &chaos.PoisonInjector{
		SNS: c.SNS(ctx, homeRegion), Topic: r.ids[""].queueARN, Every: poisonEvery,
		Make: func(n int) chaos.Poison {
			return chaos.NewPoison(n, reasons[n%len(reasons)], r.ordered, poisonOrigin, time.Now())
		},
	}
	pub, err := regis.NewPublisher(inj, r.ids[""].queueARN, regis.Options{
		Origin: origin, Ordered: r.ordered, NodeID: 1, MaxMessageBytes: maxMessageBytes(r.ordered),
		// Full messages only (but the last): the pacing pauses would
		// otherwise seal small ones.
		Linger: time.Second,
	})
	if err != nil {
		return err
	}
	r.model = chaos.NewModel()
	r.msgCmds, r.onceMsg = map[string]int{}, map[string]string{}
	gen := chaos.NewGenerator(chaos.DefaultStreamOptions(r.seed), r.model)
	srv := r.servers[outageRegion]
	down, up := time.Duration(outageAt*float64(publishFor)), time.Duration(outageAt*float64(publishFor))+outageFor
	var wentDown, cameUp time.Time
	outageStep := func() {
		el := time.Since(r.publishAt)
		switch {
		case wentDown.IsZero() && el >= down:
			if r.outage == "pause" {
				srv.Pause()
			} else {
				srv.Kill()
			}
			wentDown = time.Now()
			r.t.Logf("%s: Redis %s (%s) at %.1fs", outageRegion, map[string]string{"pause": "paused", "kill": "killed"}[r.outage], srv.Addr, el.Seconds())
		case !wentDown.IsZero() && cameUp.IsZero() && el >= up:
			if r.outage == "pause" {
				srv.Resume()
			} else {
				srv.Restart()
			}
			cameUp = time.Now()
			r.t.Logf("%s: Redis back at %.1fs, after %.1fs", outageRegion, el.Seconds(), cameUp.Sub(wentDown).Seconds())
		}
	}

	r.publishAt = time.Now()
	results := make([]*regis.Result, 0, r.commands)
	for i := range r.commands {
		if i%250 == 0 {
			outageStep()
			due := r.publishAt.Add(time.Duration(float64(publishFor) * float64(i) / float64(r.commands)))
			time.Sleep(time.Until(due))
		}
		op := gen.Next()
		res, cmd, err := chaos.Publish(ctx, pub, op)
		if err != nil {
			return err
		}
		if err := r.model.Apply(cmd); err != nil {
			return fmt.Errorf("the stream broke the model's rules: %w", err)
		}
		results = append(results, res)
		id := res.MessageID()
		r.msgCmds[id]++
		if op.Once {
			for _, k := range op.Keys() {
				r.onceMsg[k] = id
			}
		}
	}
	if err := pub.Close(ctx); err != nil {
		return fmt.Errorf("publishing: %w", err)
	}
	for _, res := range results {
		if err := res.Wait(ctx); err != nil {
			return err
		}
	}
	r.sum.PublishSeconds = time.Since(r.publishAt).Seconds()
	for cameUp.IsZero() {
		time.Sleep(100 * time.Millisecond)
		outageStep()
	}
	r.sum.OutageSeconds = cameUp.Sub(wentDown).Seconds()

	poison, err := inj.Sent()
	if err != nil {
		return err
	}
	r.poison = poison
	for _, p := range poison {
		for _, c := range p.Effects {
			if err := r.model.Apply(c); err != nil {
				return err
			}
		}
	}
	st := pub.Stats()
	r.sum.CommandsPublished = int(st.CommandsPublished)
	r.sum.MessagesPublished = int(st.Messages)
	r.sum.PoisonPublished = len(poison)
	r.sum.PoisonPercent = 100 * float64(len(poison)) / float64(len(poison)+int(st.Messages))
	r.sum.PoisonByReason = map[string]int{}
	for _, p := range poison {
		r.sum.PoisonByReason[p.Reason]++
	}
	r.sum.Keys = r.model.Keys()
	for _, k := range r.model.Written() {
		switch n := r.model.Writes(k); {
		case n >= 2:
			r.sum.KeysMultiWrite++
		case n == 1:
			r.sum.KeysOnce++
		}
	}
	withOnce := map[string]bool{}
	for _, id := range r.onceMsg {
		withOnce[id] = true
	}
	r.sum.MessagesNoOnceKey = len(r.msgCmds) - len(withOnce)
	if int(st.CommandsPublished) != r.commands || st.CommandsFailed != 0 {
		return fmt.Errorf("publisher: %d of %d commands published, %d failed", st.CommandsPublished, r.commands, st.CommandsFailed)
	}
	r.t.Logf("published %d commands in %d messages and %d poison messages in %.1fs", st.CommandsPublished, st.Messages, len(poison), r.sum.PublishSeconds)
	return nil
}

// converge waits until every region's queue is empty: nothing visible, in
// flight (including copies waiting to come back) or delayed, and SNS has no
// delivery retry pending.
func (r *chaosRun) converge(ctx context.Context) error {
	sqsSvc := r.emu.Service("sqs").(*sqsemu.Service)
	snsSvc := r.emu.Service("sns").(*snsemu.Service)
	deadline := time.Now().Add(convergeTimeout)
	quiet := 0
	lastLog := time.Now()
	for quiet < 3 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the queues did not drain within %s: %s", convergeTimeout, r.queueState(sqsSvc))
		}
		busy := snsSvc.RetriesInFlight() > 0
		for _, region := range regions {
			st, ok := sqsSvc.QueueStats(r.ids[region].queueARN)
			if !ok {
				return fmt.Errorf("%s: queue gone", region)
			}
			busy = busy || st.Visible+st.NotVisible+st.Delayed > 0
		}
		if busy {
			quiet = 0
		} else {
			quiet++
		}
		if time.Since(lastLog) > 15*time.Second {
			r.t.Logf("%.0fs: %s", time.Since(r.publishAt).Seconds(), r.queueState(sqsSvc))
			lastLog = time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
	r.t.Logf("converged %.1fs after the first publish", time.Since(r.publishAt).Seconds())
	return nil
}

func (r *chaosRun) queueState(sqsSvc *sqsemu.Service) string {
	var parts []string
	for _, region := range regions {
		st, _ := sqsSvc.QueueStats(r.ids[region].queueARN)
		parts = append(parts, fmt.Sprintf("%s visible %d in flight %d", region, st.Visible, st.NotVisible))
	}
	return strings.Join(parts, "; ")
}

// checkAlarm checks that the DLQ-not-empty alarm fired: in its history
// (before and after an evaluation forced now) and in DescribeAlarms. It
// runs before the DLQ is read, which hides its messages.
func (r *chaosRun) checkAlarm(ctx context.Context, region string) error {
	cw := acctest.Client(r.t).CloudWatch(ctx, region)
	name := r.ids[region].alarm
	fired := func() (bool, error) {
		out, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{
			AlarmName: aws.String(name), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		})
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(out.AlarmHistoryItems, func(it cwtypes.AlarmHistoryItem) bool {
			return strings.HasSuffix(aws.ToString(it.HistorySummary), "to ALARM")
		}), nil
	}
	rs := r.sum.PerRegion[region]
	var err error
	if rs.AlarmBackground, err = fired(); err != nil {
		return err
	}
	r.emu.Service("monitoring").(*cwemu.Service).EvaluateAlarms()
	if rs.AlarmFired, err = fired(); err != nil {
		return err
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return err
	}
	if len(out.MetricAlarms) != 1 {
		return fmt.Errorf("%s: alarm %s not found", region, name)
	}
	rs.AlarmState = string(out.MetricAlarms[0].StateValue)
	if !rs.AlarmFired || rs.AlarmState != string(cwtypes.StateValueAlarm) {
		r.fail("%s: the DLQ alarm did not fire (state %s)", region, rs.AlarmState)
	}
	return nil
}

// checkRedis compares the region's Redis with the model.
func (r *chaosRun) checkRedis(ctx context.Context, region string, lost map[string]bool) (map[string]*chaos.Value, error) {
	rc := goredis.NewClient(&goredis.Options{Addr: r.servers[region].Addr})
	defer rc.Close()
	snap, err := chaos.ReadRedis(ctx, rc, func(k string) bool { return r.ordered && strings.HasPrefix(k, consumer.MetaPrefix) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", region, err)
	}
	rs := r.sum.PerRegion[region]
	diffs := r.model.Compare(snap)
	rs.DivergentKeys = len(diffs)
	for _, d := range diffs {
		if !d.Explained {
			rs.UnexplainedKeys++
		}
		if len(rs.Examples) < 5 {
			rs.Examples = append(rs.Examples, d.String())
		}
		if id, ok := r.onceMsg[d.Key]; ok {
			lost[id] = true
		}
	}
	switch {
	case r.ordered && len(diffs) > 0:
		r.fail("%s: ordered mode: %d keys differ from the model, e.g. %s", region, len(diffs), diffs[0])
	case rs.UnexplainedKeys > 0:
		r.fail("%s: %d keys differ from the model in a way reordering cannot explain, e.g. %s", region, rs.UnexplainedKeys,
			diffs[slices.IndexFunc(diffs, func(d chaos.Diff) bool { return !d.Explained })])
	}
	return snap, nil
}

// checkDLQ reads every dead letter of the region: each poison message must
// be there with its reason, and no valid message.
func (r *chaosRun) checkDLQ(ctx context.Context, region string, lost map[string]bool) error {
	sq := acctest.Client(r.t).SQS(ctx, region)
	url := r.ids[region].dlqURL
	byBody := map[string]chaos.Poison{}
	for _, p := range r.poison {
		byBody[p.Body] = p
	}
	rs := r.sum.PerRegion[region]
	depth, ok := r.emu.Service("sqs").(*sqsemu.Service).QueueStats(r.ids[region].dlqARN)
	if !ok {
		return fmt.Errorf("%s: no DLQ %s", region, r.ids[region].dlqARN)
	}
	found := map[string]string{} // poison id → reason attribute
	empty := 0
	for empty < 2 {
		// Each letter is hidden for the rest of the run once read, so
		// that the scan sees each once. No retries: a retried receive
		// would hide the letters of the lost answer from the scan.
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 900,
			MessageAttributeNames: []string{"All"},
		}, func(o *sqs.Options) { o.Retryer = aws.NopRetryer{} })
		if err != nil {
			return fmt.Errorf("%s: reading the DLQ: %w", region, err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		for _, m := range out.Messages {
			rs.DLQLetters++
			body := aws.ToString(m.Body)
			reason := attr(m, contract.AttrReason)
			if p, ok := byBody[body]; ok {
				if reason != p.Reason {
					rs.WrongReason = append(rs.WrongReason, fmt.Sprintf("%s: %q, want %q (%s)", p.ID, reason, p.Reason, attr(m, contract.AttrError)))
				}
				if _, dup := found[p.ID]; !dup {
					rs.PoisonInDLQ[reason]++
				}
				found[p.ID] = reason
				continue
			}
			if msg, err := regis.Decode([]byte(body)); err == nil && r.msgCmds[msg.ID] > 0 {
				// A valid message dead-lettered: by the consumer (with a
				// reason) or by SQS after maxReceiveCount receives.
				if !lost[msg.ID] {
					rs.CommandsInDLQ += r.msgCmds[msg.ID]
				}
				lost[msg.ID] = true
				r.fail("%s: valid message %s (%d commands) in the DLQ, reason %q: %s", region, msg.ID, r.msgCmds[msg.ID], reason, attr(m, contract.AttrError))
				continue
			}
			rs.ForeignLetters++
			r.fail("%s: unknown dead letter, reason %q: %.200s", region, reason, body)
		}
	}
	if rs.DLQLetters != depth.Visible || depth.NotVisible+depth.Delayed != 0 {
		r.fail("%s: read %d dead letters, but the DLQ held %d visible, %d in flight, %d delayed", region, rs.DLQLetters, depth.Visible, depth.NotVisible, depth.Delayed)
	}
	for _, p := range r.poison {
		if _, ok := found[p.ID]; !ok {
			rs.PoisonMissing = append(rs.PoisonMissing, p.ID+" ("+p.Reason+")")
		}
	}
	if len(rs.PoisonMissing) > 0 {
		r.fail("%s: %d poison messages not in the DLQ: %s", region, len(rs.PoisonMissing), strings.Join(rs.PoisonMissing, ", "))
	}
	if len(rs.WrongReason) > 0 {
		r.fail("%s: poison messages with the wrong reason: %s", region, strings.Join(rs.WrongReason, "; "))
	}
	return nil
}

func attr(m sqstypes.Message, name string) string {
	return aws.ToString(m.MessageAttributes[name].StringValue)
}

// collectStats reads what the emulator and the consumer's metrics counted.
func (r *chaosRun) collectStats(ctx context.Context, region string) error {
	rs := r.sum.PerRegion[region]
	ms, ok := r.emu.Service("lambda").(*lambdaemu.Service).MappingStats(r.ids[region].mapping)
	if !ok {
		return fmt.Errorf("%s: no event source mapping %s", region, r.ids[region].mapping)
	}
	rs.MessagesDelivered = ms.MessagesReceived
	rs.MessagesFailed = ms.MessagesFailed
	rs.FailedInvocations = ms.FunctionErrors + ms.InvalidResponses
	if cs, ok := r.emu.Service("sqs").(*sqsemu.Service).DeliveryChaosStats(r.ids[region].queueARN); ok {
		rs.DuplicatesInjected = cs.LostDeletes
		rs.OutOfOrderReceives = cs.OutOfOrder
	}
	if region == outageRegion && rs.MessagesFailed == 0 {
		r.fail("%s: no message failed during the Redis outage: the outage was not exercised", region)
	}
	if rs.DuplicatesInjected < int64(r.sum.MessagesPublished+r.sum.PoisonPublished) {
		r.fail("%s: %d duplicates injected for %d messages: not every message was delivered twice", region, rs.DuplicatesInjected, r.sum.MessagesPublished+r.sum.PoisonPublished)
	}

	cw := acctest.Client(r.t).CloudWatch(ctx, region)
	sumOf := func(metric string) (int64, error) {
		var total float64
		for _, origin := range []string{homeRegion, contract.UnknownOrigin} {
			out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String(r.namespace), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("OriginRegion"), Value: aws.String(origin)}, {Name: aws.String("Region"), Value: aws.String(region)}},
				StartTime:  aws.Time(r.publishAt.Add(-5 * time.Minute)), EndTime: aws.Time(time.Now().Add(5 * time.Minute)),
				Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
			})
			if err != nil {
				return 0, fmt.Errorf("%s: GetMetricStatistics %s: %w", region, metric, err)
			}
			for _, dp := range out.Datapoints {
				total += aws.ToFloat64(dp.Sum)
			}
		}
		return int64(total), nil
	}
	var err error
	if rs.CommandsApplications, err = sumOf(contract.MetricCommandsApplied); err != nil {
		return err
	}
	if rs.CommandsStale, err = sumOf(contract.MetricCommandsStale); err != nil {
		return err
	}
	if rs.MessagesApplied, err = sumOf(contract.MetricMessagesApplied); err != nil {
		return err
	}
	if rs.MessagesPoisoned, err = sumOf(contract.MetricMessagesPoisoned); err != nil {
		return err
	}
	for _, reason := range slices.Sorted(maps.Keys(r.sum.PoisonByReason)) {
		n, err := sumOf(contract.MetricPoisonedPrefix + reason)
		if err != nil {
			return err
		}
		rs.PoisonMetrics[reason] = int(n)
	}
	if rs.CommandsApplications < int64(r.sum.CommandsPublished) {
		r.fail("%s: the consumer reports %d command applications, fewer than the %d commands published", region, rs.CommandsApplications, r.sum.CommandsPublished)
	}
	return nil
}
