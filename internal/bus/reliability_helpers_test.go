package bus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
	emulambda "github.com/regis-infra/terraform-provider-regis/internal/emulator/lambda"
)

// ------------------------------------------------------------------ numbers

// reliability collects what the reliability and security tests of the bus
// measured; TestMain prints its summary when the test binary ends. With
// REGIS_RELIABILITY_OUT set, the numbers are also written there as JSON:
// bus-reliability-<test>.json per sweep and bus-reliability-summary.json.
var reliability = &acctest.Report{
	Heading:    "=== regis_bus reliability and security summary",
	FilePrefix: "bus-reliability-",
	ListFailed: true,
}

// The cases counted by test: drift cases, invalid configurations (rejected
// at plan) and security checks.
var (
	driftCount    = reliability.Counter("drift", "drift", "shown by plan and healed by apply")
	invalidCount  = reliability.Counter("invalid_configs", "invalid configs", "rejected at plan with the expected message")
	securityCount = reliability.Counter("security_checks", "security checks", "passed")
)

// TestMain runs the tests and prints the reliability summary, or under
// -sweep the sweepers instead (sweep_test.go, `make sweep`).
func TestMain(m *testing.M) { acctest.TestMain(m, reliability.Finish) }

// sortedKeys lists the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// -------------------------------------------------------- private emulator

// r3 is the region the lifecycle adds in its first update.
var r3 = acctest.Region3

// relEmulator prepares a private emulator for bus lifecycles: Lambda's
// asynchronous states settle at once (so that every run makes the same
// waiter calls), and the clock jumps past SQS's 60-second
// QueueDeletedRecently barrier after every DeleteQueue (a tainted bus is
// replaced by deleting and re-creating queues of the same names).
func relEmulator(t *testing.T, emu *acctest.PrivateEmulator) {
	t.Helper()
	svc, ok := emu.Service("lambda").(*emulambda.Service)
	if !ok {
		t.Fatal("the emulator has no lambda service")
	}
	svc.SetStateDelay(0)
	stop := fastForwardDeletedQueues(emu.Emulator)
	t.Cleanup(stop)
}

// tinyConsumerZip is a consumer package that is never run (the lifecycles
// send no message): it keeps CreateFunction cheap. The bundled zips are ~5 MB
// per region, which dominates a 2-core machine running many lifecycles.
var tinyConsumerZip = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "regis-bus-rel-")
	if err != nil {
		return "", err
	}
	z, err := lambdazip.Zip([]byte("#!/bin/sh\nexit 1\n"), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "tiny.zip")
	return path, os.WriteFile(path, z, 0o644)
})

func tinyZip(t *testing.T) string {
	t.Helper()
	p, err := tinyConsumerZip()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// createAuthSecret stores a Redis AUTH token in Secrets Manager of region
// (a fixture outside the bus) and returns the secret's ARN.
func createAuthSecret(t *testing.T, c *conns.AWSClient, region, name, token string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.SecretsManager(ctx, region).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(token),
	})
	if err != nil {
		t.Fatalf("creating secret %s in %s: %v", name, region, err)
	}
	return aws.ToString(out.ARN)
}

// ------------------------------------------------------------ configuration

// relRegion is one region of a lifecycle configuration.
type relRegion struct {
	Region    string
	Secret    string // auth_secret_arn, "" for none
	VPC       bool
	Consumer  string // extra lines of consumer = { … }
	Queue     string // extra lines of queue = { … }
	AlarmsAge int    // oldest_message_age_threshold (alarms are always on)
}

// relBusConfig renders regis_bus.test for a private emulator's provider.
func relBusConfig(provider, name, zip string, tags map[string]string, regions []relRegion) string {
	var b strings.Builder
	b.WriteString(provider)
	fmt.Fprintf(&b, "\nresource \"regis_bus\" \"test\" {\n  name         = %q\n  consumer_zip = %q\n", name, zip)
	if len(tags) > 0 {
		b.WriteString("  tags = {\n")
		for _, k := range sortedKeys(tags) {
			fmt.Fprintf(&b, "    %s = %q\n", k, tags[k])
		}
		b.WriteString("  }\n")
	}
	b.WriteString("  regions = {\n")
	for _, r := range regions {
		fmt.Fprintf(&b, "    %q = {\n      redis = {\n        endpoints = [\"127.0.0.1:6379\"]\n", r.Region)
		if r.Secret != "" {
			fmt.Fprintf(&b, "        tls             = true\n        auth_secret_arn = %q\n", r.Secret)
		} else {
			b.WriteString("        tls       = false\n")
		}
		b.WriteString("      }\n")
		if r.VPC {
			b.WriteString("      vpc = {\n        subnet_ids         = [\"subnet-0a1b2c3d4e5f60718\", \"subnet-0b1c2d3e4f5a60718\"]\n        security_group_ids = [\"sg-0a1b2c3d4e5f60718\"]\n      }\n")
		}
		fmt.Fprintf(&b, "      consumer = {\n        architecture = %q\n        timeout      = 5\n%s      }\n", hostArch(), indent(r.Consumer, 8))
		fmt.Fprintf(&b, "      queue = {\n        visibility_timeout = 30\n%s      }\n", indent(r.Queue, 8))
		age := r.AlarmsAge
		if age == 0 {
			age = 300
		}
		fmt.Fprintf(&b, "      alarms = {\n        dlq_not_empty                = true\n        oldest_message_age_threshold = %d\n      }\n", age)
		b.WriteString("    }\n")
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// relStage is one configuration of the lifecycle:
//
//	1 (create)            r1 (home) plain; r2 in a VPC with an auth secret and TLS
//	2 (grow and tune)     r3 added; r1's consumer (memory, batch, window, log
//	                      level, environment) and queue (visibility,
//	                      retention, max receive count) changed in place
//	3 (shrink and retag)  r2 removed; tags changed (a bus-wide argument)
func relStage(stage int, secret string) (map[string]string, []relRegion) {
	tags := map[string]string{"stage": "one", "team": "platform"}
	r1cfg := relRegion{Region: r1}
	r2cfg := relRegion{Region: r2, Secret: secret, VPC: true}
	if stage == 1 {
		return tags, []relRegion{r1cfg, r2cfg}
	}
	r1cfg.Consumer = "memory_size     = 512\nbatch_size      = 20\nbatching_window = 1\nlog_level       = \"debug\"\nmetrics_namespace = \"RegisRel\""
	r1cfg.Queue = "message_retention = 7200\nmax_receive_count = 7\ndlq_retention     = 86400"
	r1cfg.AlarmsAge = 600
	r3cfg := relRegion{Region: r3}
	if stage == 2 {
		return tags, []relRegion{r1cfg, r2cfg, r3cfg}
	}
	return map[string]string{"stage": "three", "owner": "sre"}, []relRegion{r1cfg, r3cfg}
}

// ------------------------------------------------------------- lifecycle

// busLifecycle is the lifecycle the sweeps fail call by call: create (two
// regions, alarms on, one region in a VPC with an auth secret), grow and tune
// (a region added, consumer and queue settings changed in place), shrink and
// retag (a region removed, tags changed) and delete.
func busLifecycle(t *testing.T, emu *acctest.PrivateEmulator) []acctest.FaultPhase {
	relEmulator(t, emu)
	c := emu.Client(t)
	name := acctest.RandomName("tf-rel")
	secret := createAuthSecret(t, c, r2, name+"-redis-auth", "rel-auth-token-"+name)
	provider := emu.ProviderConfig()
	zip := tinyZip(t)
	config := func(stage int) string {
		tags, regions := relStage(stage, secret)
		return relBusConfig(provider, name, zip, tags, regions)
	}
	update := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	return []acctest.FaultPhase{
		{Name: "create", Step: resource.TestStep{
			Config:           config(1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(resourceName, "regions.%", "2"),
				checkRelBus(c, name, secret, 1),
			),
		}},
		{Name: "grow", Step: resource.TestStep{
			Config:           config(2),
			ConfigPlanChecks: update,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(resourceName, "regions.%", "3"),
				checkRelBus(c, name, secret, 2),
			),
		}},
		{Name: "shrink", Step: resource.TestStep{
			Config:           config(3),
			ConfigPlanChecks: update,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(resourceName, "regions.%", "2"),
				resource.TestCheckResourceAttr(resourceName, "tags_all.stage", "three"),
				checkRelBus(c, name, secret, 3),
			),
		}},
		{Name: "delete", Step: resource.TestStep{Config: config(3), Destroy: true}},
	}
}

// checkRelBus checks through the APIs what a lifecycle stage promises in
// every region: the queue redrives to the DLQ with the stage's settings and
// lets only the topic send, the subscription delivers raw from the home
// region, the function has the stage's memory and environment (the secret's
// ARN, never a token), the mapping reports batch item failures with the
// stage's batch size.
func checkRelBus(c *conns.AWSClient, name, secret string, stage int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		topic := ids[""]["topic_arn"]
		_, regions := relStage(stage, secret)
		for _, rc := range regions {
			region := rc.Region
			a := ids[region]
			if a == nil {
				return fmt.Errorf("region %s is not in the state", region)
			}
			sub, err := c.SNS(ctx, r1).GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(a["subscription_arn"])})
			if err != nil {
				return fmt.Errorf("%s: subscription: %w", region, err)
			}
			if sub.Attributes["RawMessageDelivery"] != "true" || sub.Attributes["Endpoint"] != a["queue_arn"] || sub.Attributes["TopicArn"] != topic {
				return fmt.Errorf("%s: subscription attributes %v", region, sub.Attributes)
			}
			q, err := c.SQS(ctx, region).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(a["queue_url"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
			if err != nil {
				return fmt.Errorf("%s: queue: %w", region, err)
			}
			wantRetention, wantReceive := "345600", "5"
			if region == r1 && stage >= 2 {
				wantRetention, wantReceive = "7200", "7"
			}
			if q.Attributes["MessageRetentionPeriod"] != wantRetention || !strings.Contains(q.Attributes["RedrivePolicy"], a["dlq_arn"]) ||
				!strings.Contains(strings.ReplaceAll(q.Attributes["RedrivePolicy"], `"`, ""), "maxReceiveCount:"+wantReceive) ||
				q.Attributes["SqsManagedSseEnabled"] != "true" || !strings.Contains(q.Attributes["Policy"], topic) {
				return fmt.Errorf("%s: queue attributes %v", region, q.Attributes)
			}
			f, err := c.Lambda(ctx, region).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a["function_name"])})
			if err != nil {
				return fmt.Errorf("%s: function: %w", region, err)
			}
			env := f.Configuration.Environment.Variables
			wantMemory := int32(256)
			if region == r1 && stage >= 2 {
				wantMemory = 512
				if env["REGIS_METRICS_NAMESPACE"] != "RegisRel" || env[contract.EnvLogLevel] != "debug" {
					return fmt.Errorf("%s: function environment %v", region, env)
				}
			}
			if aws.ToInt32(f.Configuration.MemorySize) != wantMemory || env[contract.EnvDLQURL] != a["dlq_url"] || aws.ToString(f.Configuration.Role) != a["role_arn"] {
				return fmt.Errorf("%s: function memory %d role %s environment %v", region, aws.ToInt32(f.Configuration.MemorySize), aws.ToString(f.Configuration.Role), env)
			}
			if env[contract.EnvRedisAuthSecretARN] != rc.Secret || env[contract.EnvRedisAuthToken] != "" {
				return fmt.Errorf("%s: function has secret ARN %q (want %q) and token variable %q", region, env[contract.EnvRedisAuthSecretARN], rc.Secret, env[contract.EnvRedisAuthToken])
			}
			if vpc := f.Configuration.VpcConfig; rc.VPC != (vpc != nil && len(vpc.SubnetIds) == 2) {
				return fmt.Errorf("%s: function VPC %+v, want VPC %t", region, vpc, rc.VPC)
			}
			m, err := c.Lambda(ctx, region).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(a["event_source_mapping_id"])})
			if err != nil {
				return fmt.Errorf("%s: mapping: %w", region, err)
			}
			wantBatch := int32(10)
			if region == r1 && stage >= 2 {
				wantBatch = 20
			}
			if aws.ToInt32(m.BatchSize) != wantBatch || len(m.FunctionResponseTypes) != 1 || m.FunctionResponseTypes[0] != lambdatypes.FunctionResponseTypeReportBatchItemFailures ||
				aws.ToString(m.EventSourceArn) != a["queue_arn"] || aws.ToString(m.FunctionArn) != a["function_arn"] || aws.ToString(m.State) != "Enabled" {
				return fmt.Errorf("%s: mapping batch %d types %v %s → %s %s", region, aws.ToInt32(m.BatchSize), m.FunctionResponseTypes,
					aws.ToString(m.EventSourceArn), aws.ToString(m.FunctionArn), aws.ToString(m.State))
			}
			if a["dlq_alarm_name"] != name+"-dlq-not-empty" || a["oldest_message_age_alarm_name"] != name+"-oldest-message-age" {
				return fmt.Errorf("%s: alarms %q and %q", region, a["dlq_alarm_name"], a["oldest_message_age_alarm_name"])
			}
		}
		if len(ids)-1 != len(regions) {
			return fmt.Errorf("%d regions in the state, want %d", len(ids)-1, len(regions))
		}
		return nil
	}
}

// --------------------------------------------------------- scope and owner

// busScope is everything a lifecycle may create in its private emulator:
// every object but the Secrets Manager secret and the objects named with
// fixtureMark, which tests make themselves, and the consumer's log group,
// which Lambda creates and the bus leaves behind (docs/resources/bus.md).
var busScope = acctest.InventoryFilter{Match: func(r core.Resource) bool {
	return r.Service != "secretsmanager" && r.Service != "logs" && !strings.Contains(r.ID, fixtureMark)
}}

// fixtureMark is in the names of the objects tests make besides the bus
// (out of busScope).
const fixtureMark = "-fixture"

// busOwns says which emulator objects regis_bus.test's state accounts for:
// the topic, and in each region the queue, DLQ, subscription, role (and its
// inline policy), function, mapping and alarms whose ids it records. An id
// recorded without its ARN (a queue URL, a role or function name) still
// owns its object.
func busOwns(rs *terraform.ResourceState, obj core.Resource) bool {
	if rs.Type != "regis_bus" || rs.Primary == nil {
		return false
	}
	attrs := rs.Primary.Attributes
	if obj.Type == "topic" {
		return obj.ID == attrs["topic_arn"] || obj.ID == rs.Primary.ID
	}
	for _, region := range stateRegions(attrs) {
		get := func(k string) string { return attrs["regions."+region+"."+k] }
		switch obj.Type {
		case "queue":
			for _, k := range []string{"queue", "dlq"} {
				if obj.ID == get(k+"_arn") || (get(k+"_url") != "" && obj.ID == queueARNFromURL(get(k+"_url"), region)) {
					return true
				}
			}
		case "subscription":
			if obj.ID == get("subscription_arn") {
				return true
			}
		case "role":
			if n := get("role_name"); obj.ID == get("role_arn") || (n != "" && strings.HasSuffix(obj.ID, ":role/"+n)) {
				return true
			}
		case "role-policy":
			if n := get("role_name"); n != "" && strings.HasPrefix(obj.ID, n+":") {
				return true
			}
		case "function":
			if n := get("function_name"); obj.Region == region && (obj.ID == get("function_arn") || (n != "" && strings.HasSuffix(obj.ID, ":function:"+n))) {
				return true
			}
		case "event-source-mapping":
			if id := get("event_source_mapping_id"); obj.Region == region && id != "" && strings.HasSuffix(obj.ID, ":"+id) {
				return true
			}
		case "alarm":
			for _, k := range []string{"dlq_alarm_name", "oldest_message_age_alarm_name"} {
				if n := get(k); obj.Region == region && n != "" && strings.HasSuffix(obj.ID, ":alarm:"+n) {
					return true
				}
			}
		}
	}
	return false
}

// stateRegions lists the region keys of a regis_bus state's attributes.
func stateRegions(attrs map[string]string) []string {
	seen := map[string]bool{}
	for k := range attrs {
		rest, ok := strings.CutPrefix(k, "regions.")
		if !ok {
			continue
		}
		if region, _, ok := strings.Cut(rest, "."); ok && region != "%" {
			seen[region] = true
		}
	}
	return sortedKeys(seen)
}

// queueARNFromURL derives a queue's ARN from its URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>).
func queueARNFromURL(raw, region string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 {
		return ""
	}
	return core.ARN("sqs", region, parts[0], parts[1])
}

// busCalls selects the calls a sweep fails: every call of the services the
// bus uses, and the provider's own sts:GetCallerIdentity (made once per
// Terraform command when the provider is configured).
var busCalls = acctest.CallsOf("sns", "sqs", "iam", "lambda", "monitoring", "sts")

// notRepeatedSTS keeps only the first sts:GetCallerIdentity of a phase: the
// later ones are the same call of the provider's configuration for the
// following Terraform commands.
func notRepeatedSTS(k acctest.CallKey) bool {
	return k.Service != "sts" || k.Occurrence == 1
}

// ------------------------------------------------------------------- drift

// driftCase is one out-of-band change: change makes it through the API (as
// another tool or a person would); the plan must then show it (an update
// of the bus whose refreshed state, the plan's "before", contains every
// phrase of shows for the region, or the whole bus when region is ""), and
// after the apply heal must find the bus as configured and the plan be
// empty.
type driftCase struct {
	// kind is the kind of object changed (bus.ObjectKindsForTest) and how
	// whether it is deleted or altered (the catalogue's cases).
	kind, how string
	name      string
	region    string
	shows     []string
	// hides are phrases the refreshed state must not hold: the drift shown
	// as something else.
	hides  []string
	change func() error
	heal   resource.TestCheckFunc
}

// driftSteps turns cases into test steps that follow a first step applying
// config, and counts them in the reliability numbers: a case healed when
// the next step starts, or when finish is called after resource.Test
// returned, without a failure.
func driftSteps(t *testing.T, config string, cases []driftCase) (steps []resource.TestStep, finish func()) {
	t.Helper()
	healed := make([]bool, len(cases))
	current := -1
	done := func() {
		if current >= 0 && !t.Failed() {
			healed[current] = true
		}
	}
	t.Cleanup(func() {
		for i, c := range cases {
			driftCount.Count(t.Name(), c.name, healed[i])
		}
	})
	for i, c := range cases {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				done()
				current = i
				if err := c.change(); err != nil {
					t.Fatalf("drift %q: changing out of band: %v", c.name, err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectNonEmptyPlan(),
					plancheck.ExpectResourceAction(resourceName, plancheck.ResourceActionUpdate),
					planShows{drift: c.name, region: c.region, phrases: c.shows, absent: c.hides},
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: c.heal,
		})
	}
	return steps, done
}

// planShows checks that the refreshed state in the plan (the change's
// "before") shows a drift: its JSON, for one region or the whole bus,
// contains every phrase.
type planShows struct {
	drift, region string
	phrases       []string
	absent        []string
}

func (p planShows) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != resourceName || rc.Change == nil {
			continue
		}
		shown := rc.Change.Before
		if p.region != "" {
			before, _ := rc.Change.Before.(map[string]any)
			regions, _ := before["regions"].(map[string]any)
			shown = regions[p.region]
		}
		b, _ := json.Marshal(shown)
		for _, phrase := range p.phrases {
			if !strings.Contains(string(b), phrase) {
				resp.Error = fmt.Errorf("drift %q: the plan's refreshed state of %s does not show %q:\n%s", p.drift, orBus(p.region), phrase, b)
				return
			}
		}
		for _, phrase := range p.absent {
			if strings.Contains(string(b), phrase) {
				resp.Error = fmt.Errorf("drift %q: the plan's refreshed state of %s shows %q, which is not what changed:\n%s", p.drift, orBus(p.region), phrase, b)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("drift %q: no change of %s in the plan", p.drift, resourceName)
}

func orBus(region string) string {
	if region == "" {
		return "the bus"
	}
	return "region " + region
}

// checkBusHealthy checks through the APIs that a stage-1 lifecycle bus (r1
// plain, r2 in a VPC with the auth secret) is exactly as configured — every
// object that a drift case may change — that refresh finds no drift, and
// that the emulator holds nothing the state does not track.
func checkBusHealthy(t *testing.T, emu *acctest.PrivateEmulator, name, secret, zipSHA string) resource.TestCheckFunc {
	c := emu.Client(t)
	return resource.ComposeAggregateTestCheckFunc(
		resource.TestCheckResourceAttr(resourceName, "regions."+r1+".drift.#", "0"),
		resource.TestCheckResourceAttr(resourceName, "regions."+r2+".drift.#", "0"),
		resource.TestCheckResourceAttr(resourceName, "regions."+r1+".consumer_code_sha256", zipSHA),
		resource.TestCheckResourceAttr(resourceName, "regions."+r2+".consumer_code_sha256", zipSHA),
		checkRelBus(c, name, secret, 1),
		func(s *terraform.State) error {
			ctx := context.Background()
			ids, err := recordedIDs(s)
			if err != nil {
				return err
			}
			rs := s.RootModule().Resources[resourceName].Primary.Attributes
			tagsAll := map[string]string{}
			for k, v := range rs {
				if key, ok := strings.CutPrefix(k, "tags_all."); ok && key != "%" {
					tagsAll[key] = v
				}
			}
			sameTags := func(what string, got map[string]string) error {
				if len(got) != len(tagsAll) {
					return fmt.Errorf("%s: tags %v, want %v", what, got, tagsAll)
				}
				for k, v := range tagsAll {
					if got[k] != v {
						return fmt.Errorf("%s: tags %v, want %v", what, got, tagsAll)
					}
				}
				return nil
			}
			topic := ids[""]["topic_arn"]
			ta, err := c.SNS(ctx, r1).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
			if err != nil {
				return err
			}
			if k := ta.Attributes["KmsMasterKeyId"]; k != "alias/aws/sns" {
				return fmt.Errorf("topic: KmsMasterKeyId %q, want alias/aws/sns", k)
			}
			tt, err := c.SNS(ctx, r1).ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(topic)})
			if err != nil {
				return err
			}
			topicTags := map[string]string{}
			for _, tag := range tt.Tags {
				topicTags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			if err := sameTags("topic", topicTags); err != nil {
				return err
			}
			for _, region := range []string{r1, r2} {
				a := ids[region]
				fail := func(format string, args ...any) error {
					return fmt.Errorf("%s: %s", region, fmt.Sprintf(format, args...))
				}
				sq := c.SQS(ctx, region)
				for _, q := range []struct{ what, url string }{{"queue", a["queue_url"]}, {"dead-letter queue", a["dlq_url"]}} {
					out, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
					if err != nil {
						return fail("%s: %v", q.what, err)
					}
					at := out.Attributes
					if at["VisibilityTimeout"] != "30" || (at["DelaySeconds"] != "0" && at["DelaySeconds"] != "") || at["SqsManagedSseEnabled"] != "true" ||
						at["KmsMasterKeyId"] != "" || at["MessageRetentionPeriod"] != "345600" {
						return fail("%s attributes %v", q.what, at)
					}
					if q.what == "queue" && !bus.SameJSONForTest(at["Policy"], bus.QueuePolicyForTest(a["queue_arn"], topic)) {
						return fail("queue policy %s", at["Policy"])
					}
					tags, err := sq.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(q.url)})
					if err != nil {
						return err
					}
					if err := sameTags(region+" "+q.what, tags.Tags); err != nil {
						return err
					}
				}
				sub, err := c.SNS(ctx, r1).GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(a["subscription_arn"])})
				if err != nil {
					return err
				}
				if fp := sub.Attributes["FilterPolicy"]; (fp != "" && fp != "{}") || sub.Attributes["RedrivePolicy"] != "" {
					return fail("subscription attributes %v", sub.Attributes)
				}
				im := c.IAM(ctx)
				role, err := im.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(a["role_name"])})
				if err != nil {
					return err
				}
				trust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument))
				if !bus.SameJSONForTest(trust, bus.TrustPolicyForTest) {
					return fail("role trust policy %s", trust)
				}
				roleTags := map[string]string{}
				for _, tag := range role.Role.Tags {
					roleTags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
				}
				if err := sameTags(region+" role", roleTags); err != nil {
					return err
				}
				pol, err := im.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(a["role_name"]), PolicyName: aws.String(bus.RolePolicyNameForTest)})
				if err != nil {
					return err
				}
				doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
				secretARN, vpc := "", false
				if region == r2 {
					secretARN, vpc = secret, true
				}
				if want := bus.RolePolicyForTest(name, region, a["queue_arn"], a["dlq_arn"], secretARN, "", vpc); !bus.SameJSONForTest(doc, want) {
					return fail("role policy %s, want %s", doc, want)
				}
				inline, err := im.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(a["role_name"])})
				if err != nil {
					return err
				}
				attached, err := im.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(a["role_name"])})
				if err != nil {
					return err
				}
				if len(inline.PolicyNames) != 1 || len(attached.AttachedPolicies) != 0 {
					return fail("role has inline policies %v and attached policies %d, want only %s", inline.PolicyNames, len(attached.AttachedPolicies), bus.RolePolicyNameForTest)
				}
				lc := c.Lambda(ctx, region)
				f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a["function_name"])})
				if err != nil {
					return err
				}
				cfg := f.Configuration
				env := cfg.Environment.Variables
				if aws.ToInt32(cfg.Timeout) != 5 || aws.ToString(cfg.Handler) != "bootstrap" || cfg.Runtime != lambdatypes.RuntimeProvidedal2023 ||
					aws.ToString(cfg.CodeSha256) != zipSHA || env[contract.EnvBusName] != name || env[contract.EnvRedisAddrs] != "127.0.0.1:6379" ||
					env[contract.EnvRedisTLS] != fmt.Sprint(region == r2) || len(env) != 8+boolInt(region == r2) {
					return fail("function timeout %d handler %s runtime %s code %s environment %v", aws.ToInt32(cfg.Timeout), aws.ToString(cfg.Handler), cfg.Runtime, aws.ToString(cfg.CodeSha256), env)
				}
				if err := sameTags(region+" function", f.Tags); err != nil {
					return err
				}
				m, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(a["event_source_mapping_id"])})
				if err != nil {
					return err
				}
				if (m.FilterCriteria != nil && len(m.FilterCriteria.Filters) > 0) || aws.ToInt32(m.MaximumBatchingWindowInSeconds) != 0 ||
					m.ScalingConfig == nil || aws.ToInt32(m.ScalingConfig.MaximumConcurrency) != 10 {
					return fail("mapping filter %v window %d scaling %v", m.FilterCriteria, aws.ToInt32(m.MaximumBatchingWindowInSeconds), m.ScalingConfig)
				}
				al, err := c.CloudWatch(ctx, region).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name + "-dlq-not-empty", name + "-oldest-message-age"}})
				if err != nil {
					return err
				}
				if len(al.MetricAlarms) != 2 {
					return fail("%d alarms, want 2", len(al.MetricAlarms))
				}
				for _, x := range al.MetricAlarms {
					want := 0.0
					if aws.ToString(x.AlarmName) == name+"-oldest-message-age" {
						want = 300
					}
					if x.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanThreshold || aws.ToInt32(x.Period) != 60 || aws.ToFloat64(x.Threshold) != want ||
						aws.ToInt32(x.EvaluationPeriods) != 1 || (x.ActionsEnabled != nil && !*x.ActionsEnabled) {
						return fail("alarm %s: %s %v period %d threshold %v", aws.ToString(x.AlarmName), x.ComparisonOperator, x.ActionsEnabled, aws.ToInt32(x.Period), aws.ToFloat64(x.Threshold))
					}
				}
			}
			sweep := acctest.FaultSweep{Scope: busScope, Owns: busOwns}
			if orphans := sweep.Orphans(emu.Inventory(), s); len(orphans) > 0 {
				return fmt.Errorf("%d object(s) exist that the state does not track: %v", len(orphans), orphans)
			}
			return nil
		},
	)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
