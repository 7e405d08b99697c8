package bus_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
)

// EnvFullSweep runs the exhaustive fault sweeps of the bus (every call of
// every phase under every kind); without it the sweeps try a representative
// subset that fits `make test`.
const EnvFullSweep = "REGIS_FULL_SWEEP"

func fullSweep() bool { return os.Getenv(EnvFullSweep) != "" }

// skipWithoutAcc skips without TF_ACC before any emulator is started.
func skipWithoutAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
}

func busSweep(kinds ...acctest.FaultKind) acctest.FaultSweep {
	return acctest.FaultSweep{
		Lifecycle: busLifecycle,
		Calls:     busCalls,
		Faults:    kinds,
		Scope:     busScope,
		Owns:      busOwns,
		Chain:     true,
	}
}

// only narrows a kind to the calls keep accepts (besides its own filter).
func only(k acctest.FaultKind, keep func(acctest.CallKey) bool) acctest.FaultKind {
	prev := k.Only
	k.Only = func(c acctest.CallKey) bool { return keep(c) && (prev == nil || prev(c)) }
	return k
}

// representative is the default run's subset of a phase's calls: the first
// call of each action that changes something (acctest.Mutating) in the home
// region (r1, where the topic and the subscriptions live) and in IAM, plus
// the provider's first sts:GetCallerIdentity. The other regions run the
// same code, and reads are the same calls in every phase's refresh; the
// exhaustive sweep (REGIS_FULL_SWEEP=1) tries them all.
func representative(c acctest.CallKey) bool {
	if c.Occurrence != 1 {
		return false
	}
	switch c.Service {
	case "sts":
		return true
	case "iam":
		return acctest.Mutating(c)
	}
	return c.Region == r1 && acctest.Mutating(c)
}

// The regis_bus lifecycle of busLifecycle — create two regions (alarms on,
// one in a VPC with an auth secret), add a region and tune consumer and
// queue settings in place, remove a region and change tags, destroy — with a
// fault at one API call of each phase in turn (SNS, SQS, IAM, Lambda,
// CloudWatch, and the provider's sts:GetCallerIdentity):
//
//   - InternalFailure (HTTP 500, max_retries = 1 so that the SDK gives up on
//     that call) and AccessDenied (403): the apply or destroy must fail
//     naming the action and the code, leave nothing the state does not track
//     (emulator inventory compared with the refreshed state), and converge
//     once the fault is gone (checks through the APIs, then an empty plan);
//     destroy then leaves nothing;
//   - LostResponse at mutating calls: the emulator carries the call out but
//     the answer is lost (502) and the SDK retries (max_retries = 3), so the
//     retry meets the effect of the first attempt (the role, function or
//     mapping exists already); the phase may fail or succeed, but must orphan
//     nothing and converge.
//
// With REGIS_FULL_SWEEP=1 (the exhaustive sweep): InternalFailure at every
// call of every phase (reads included; sts:GetCallerIdentity at its first
// call of each phase, the later ones being the same call of the next
// Terraform commands), AccessDenied at the first call of each action in
// each region, LostResponse at every mutating call. Without it (make test):
// InternalFailure and LostResponse at the representative calls (see
// representative); AccessDenied only in the exhaustive sweep.
//
// The cases are chained (FaultSweep.Chain): each run fails one call of each
// of the four phases.
func TestAccBusReliability_faults(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	start := time.Now()
	internal := only(acctest.InternalFailure(), notRepeatedSTS)
	lost := acctest.LostResponse()
	kinds := []acctest.FaultKind{internal, lost}
	if fullSweep() {
		denied := only(acctest.ClientError(403, "AccessDenied"), notRepeatedSTS)
		denied.FirstOnly = true
		kinds = append(kinds, denied)
	} else {
		for i := range kinds {
			kinds[i] = only(kinds[i], representative)
		}
	}
	report := busSweep(kinds...).Run(t)
	reliability.RecordSweep(t, report, false, time.Since(start))
}

// Throttling (three times in a row) at the first call of each action of each
// phase (each region; the representative calls without REGIS_FULL_SWEEP):
// the SDK's retryer (the provider's default max_retries) absorbs it and the
// lifecycle succeeds as without it, with every check.
func TestAccBusReliability_throttling(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	start := time.Now()
	throttle := only(acctest.Throttling(3), notRepeatedSTS)
	if !fullSweep() {
		throttle = only(throttle, representative)
	}
	report := busSweep(throttle).Run(t)
	reliability.RecordSweep(t, report, true, time.Since(start))
}

// Regression: Lambda's CreateFunction and CreateEventSourceMapping and
// IAM's CreateRole have no idempotency token. When they were carried out but
// their answers lost, the SDK's retry met the object the first attempt had
// made (EntityAlreadyExists, ResourceConflictException) and the provider
// failed, calling it someone else's, with the role, function or mapping
// left outside the state and every later apply failing the same way. Now
// the provider looks for what the lost call created and adopts it: one
// apply, losing the first answer of all three in both regions, succeeds
// with nothing orphaned.
func TestAccBus_lostCreateResponses(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	emu := acctest.NewPrivateEmulator(t)
	emu.ProviderArgs = []string{"max_retries = 3"}
	phases := busLifecycle(t, emu)
	create := phases[0].Step
	var losses []int
	create.PreConfig = func() {
		// IAM is global (its calls are signed for us-east-1): one rule
		// loses the answers of both regions' CreateRole.
		losses = append(losses, emu.LoseResponses(acctest.CallKey{Region: "us-east-1", Service: "iam", Action: "CreateRole", Occurrence: 1}, 2))
		for _, k := range []acctest.CallKey{
			{Region: r1, Service: "lambda", Action: "CreateFunction", Occurrence: 1},
			{Region: r2, Service: "lambda", Action: "CreateFunction", Occurrence: 1},
			{Region: r1, Service: "lambda", Action: "CreateEventSourceMapping", Occurrence: 1},
			{Region: r2, Service: "lambda", Action: "CreateEventSourceMapping", Occurrence: 1},
		} {
			losses = append(losses, emu.LoseResponses(k, 1))
		}
	}
	sweep := busSweep()
	create.Check = resource.ComposeAggregateTestCheckFunc(
		create.Check,
		func(s *terraform.State) error {
			for i, id := range losses {
				if n, want := emu.LostResponses(id), max(2-i, 1); n != want {
					return fmt.Errorf("loss %d dropped %d responses, want %d", i, n, want)
				}
			}
			if orphans := sweep.Orphans(emu.Inventory(), s); len(orphans) > 0 {
				return fmt.Errorf("objects outside the state: %v", orphans)
			}
			return nil
		},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             emu.CheckInventoryEmpty(busScope),
		Steps:                    []resource.TestStep{create},
	})
}

// ------------------------------------------------------------------ drift

// TestAccBus_driftCatalogue runs the out-of-band catalogue (catalogue.cases):
// every kind of object of a bus — the topic, both queues, the queue policy,
// the subscription, the role and its policy, the function, the mapping and
// the alarms — deleted, and altered the way a person in the console or
// another tool would, one change per step. For each, the plan must name what
// changed (an update of the bus whose refreshed state holds the change: a
// drift entry, a changed argument, a missing object) and not show it as
// something else; one apply must put everything back: checkBusHealthy
// compares every object with the configuration through the APIs, then the
// plan must be empty and nothing may be orphaned; destroy must leave nothing
// (emulator inventory). (TestAccBus_drift breaks several objects at once on
// the shared emulator; this catalogue runs on a private one, whose clock it
// moves past SQS's 60-second wait to re-create a deleted queue.)
func TestAccBus_driftCatalogue(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	emu := acctest.NewPrivateEmulator(t)
	relEmulator(t, emu)
	c := emu.Client(t)
	ctx := context.Background()
	name := acctest.RandomName("tf-drift")
	secret := createAuthSecret(t, c, r2, name+"-redis-auth", "drift-auth-token")
	zip := tinyZip(t)
	zipBytes, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	zipSHA := consumerzip.CodeSHA256(zipBytes)
	otherZip, err := lambdazip.Zip([]byte("#!/bin/sh\necho replaced\nexit 1\n"), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// A role of another application, which the function is switched to.
	other, err := c.IAM(ctx).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name + fixtureMark),
		AssumeRolePolicyDocument: aws.String(bus.TrustPolicyForTest)})
	if err != nil {
		t.Fatal(err)
	}
	tags, regions := relStage(1, secret)
	config := relBusConfig(emu.ProviderConfig(), name, zip, tags, regions)

	cat := &catalogue{ctx: ctx, c: c, accountID: emu.AccountID(), otherRoleARN: aws.ToString(other.Role.Arn),
		otherZip: otherZip, otherSHA: consumerzip.CodeSHA256(otherZip)}
	capture := func(s *terraform.State) error {
		var err error
		cat.ids, err = recordedIDs(s)
		return err
	}
	healthy := resource.ComposeAggregateTestCheckFunc(capture, checkBusHealthy(t, emu, name, secret, zipSHA))
	cases := cat.cases(name)
	for i := range cases {
		cases[i].heal = healthy
	}
	steps, finish := driftSteps(t, config, cases)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             emu.CheckInventoryEmpty(busScope),
		Steps: append([]resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply(),
			Check:            healthy,
		}}, steps...),
	})
	finish()
	t.Logf("out-of-band catalogue: %d changes of %d kinds of objects, each shown by the plan and healed by one apply", len(cases), len(bus.ObjectKindsForTest()))
}

// ------------------------------------------------------------- bad input

// TestAccBus_badInput plans invalid configurations that TestBusValidation
// does not cover, each refused before anything is created with a message
// that names what to change: VPC settings, KMS key forms, the consumer
// package, secret ARNs (and a token where an ARN belongs), reserved and too
// many tags, the function environment (size, reserved and managed
// variables, the Redis token), alarm actions, Redis endpoints and names.
// Rules that need the provider configured (the consumer package, tags
// merged with default_tags) run in ModifyPlan, the others in validation.
func TestAccBus_badInput(t *testing.T) {
	skipWithoutAcc(t)
	dir := t.TempDir()
	notZip := filepath.Join(dir, "consumer.txt")
	if err := os.WriteFile(notZip, []byte("#!/bin/sh\nexit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/redis-AbCdEf"
	region := func(body string) string {
		return "resource \"regis_bus\" \"bad\" {\n  name = \"hotels\"\n  regions = {\n    \"ap-southeast-1\" = {\n      redis = { endpoints = [\"redis.example:6379\"] }\n" +
			body + "\n    }\n  }\n}\n"
	}
	top := func(args string) string {
		return "resource \"regis_bus\" \"bad\" {\n  name = \"hotels\"\n" + args + "\n  regions = {\n    \"ap-southeast-1\" = { redis = { endpoints = [\"redis.example:6379\"] } }\n  }\n}\n"
	}
	redis := func(redis string) string {
		return "resource \"regis_bus\" \"bad\" {\n  name = \"hotels\"\n  regions = {\n    \"ap-southeast-1\" = {\n      redis = " + redis + "\n    }\n  }\n}\n"
	}
	manyTags := func(n int) string {
		var b strings.Builder
		b.WriteString("  tags = {\n")
		for i := range n {
			fmt.Fprintf(&b, "    k%02d = \"v\"\n", i)
		}
		b.WriteString("  }")
		return b.String()
	}
	bigEnv := `consumer = { environment = { BIG = "` + strings.Repeat("x", 4000) + `" } }`
	cases := []struct {
		name, config string
		provider     []string
		want         []string
	}{
		{"vpc without security groups", region(`vpc = { subnet_ids = ["subnet-0a1b2c3d"] }`), nil, []string{"security_group_ids", "required"}},
		{"vpc with an empty list of security groups", region(`vpc = { subnet_ids = ["subnet-0a1b2c3d"], security_group_ids = [] }`), nil, []string{"security_group_ids", "set must contain at least 1 elements"}},
		{"security group given by name", region(`vpc = { subnet_ids = ["subnet-0a1b2c3d"], security_group_ids = ["default"] }`), nil, []string{"must be a security group ID such as sg-0123456789abcdef0"}},
		{"kms key that is no key", top(`  kms_key_id = "my key"`), nil, []string{"Invalid kms_key_id", `"my key" is not a KMS key`, `alias ("alias/regis")`}},
		{"kms ARN with a malformed resource", top(`  kms_key_id = "arn:aws:kms:ap-southeast-1:123456789012:keys/regis"`), nil, []string{"Invalid kms_key_id", "is not a KMS key or alias ARN", "the ARN of a key or alias"}},
		{"empty kms_key_id", top(`  kms_key_id = ""`), nil, []string{"kms_key_id", "string length must be at least 1"}},
		{"consumer_zip that does not exist", top(fmt.Sprintf("  consumer_zip = %q", filepath.Join(dir, "missing.zip"))), nil, []string{"No consumer package", "cannot read", "Give the path of a zip file"}},
		{"consumer_zip that is not a zip", top(fmt.Sprintf("  consumer_zip = %q", notZip)), nil, []string{"No consumer package", "is not a zip file", "make lambda"}},
		{"consumer_zip base64 that does not decode", top(`  consumer_zip = "UEsDB!!not-base64"`), nil, []string{"No consumer package", "does not decode", "filebase64"}},
		{"auth_secret_arn naming an SSM parameter", redis(`{ endpoints = ["redis.example:6379"], auth_secret_arn = "arn:aws:ssm:ap-southeast-1:123456789012:parameter/regis/redis" }`), nil,
			[]string{"Invalid auth_secret_arn", "is not a Secrets Manager secret ARN", "Give the secret's ARN"}},
		{"auth_secret_arn given by name", redis(`{ endpoints = ["redis.example:6379"], auth_secret_arn = "regis/redis" }`), nil, []string{"Invalid auth_secret_arn", "not its name or the token"}},
		{"Redis token in consumer.environment", region(`consumer = { environment = { REGIS_REDIS_AUTH_TOKEN = "s3cr3t" } }`), nil,
			[]string{"Environment variable set by the bus", "REGIS_REDIS_AUTH_TOKEN", "use the matching argument"}},
		{"reserved Lambda variable", region(`consumer = { environment = { AWS_REGION = "us-east-1" } }`), nil, []string{"Reserved environment variable", "AWS_REGION", "Remove it"}},
		// What a new user set (issue 11.3): a misspelt variable of the
		// consumer, the test-only switch that turns off certificate checks.
		{"misspelt consumer variable", region(`consumer = { environment = { REGIS_REDIS_ADDR = "redis.example:6379" } }`), nil,
			[]string{"Reserved environment variable", "REGIS_REDIS_ADDR", "Did you mean REGIS_REDIS_ADDRS (set redis.endpoints instead)?"}},
		{"certificate checks turned off in the environment", region(`consumer = { environment = { REGIS_REDIS_TLS_SKIP_VERIFY = "true" } }`), nil,
			[]string{"Environment variable of the consumer", "REGIS_REDIS_TLS_SKIP_VERIFY", "the consumer always checks it now"}},
		{"metrics namespace of AWS", region(`consumer = { metrics_namespace = "AWS/Lambda" }`), nil, []string{"metrics_namespace", "must be a custom CloudWatch namespace"}},
		{"invalid variable name", region(`consumer = { environment = { "1BAD-NAME" = "x" } }`), nil, []string{"Invalid environment variable name", "starting with a letter"}},
		{"environment over Lambda's 4 KB", region(bigEnv), nil, []string{"Function environment too large", "4096 bytes", "Secrets Manager"}},
		{"tag key with the aws: prefix", top(`  tags = { "aws:owner" = "me" }`), nil, []string{"Reserved tag key", "Rename the key"}},
		{"51 tags", top(manyTags(51)), nil, []string{"tags", "map must contain at most 50 elements"}},
		{"tags and default_tags over 50", top(manyTags(45)), []string{"default_tags {\n  tags = { " + strings.Repeat("", 0) + "d1 = \"1\", d2 = \"2\", d3 = \"3\", d4 = \"4\", d5 = \"5\", d6 = \"6\" }\n}"},
			[]string{"Too many tags", "make 51 tags", "Remove 1 of them"}},
		{"empty tag key", top(`  tags = { "" = "x" }`), nil, []string{"tags", "string length must be between 1 and 128"}},
		{"alarm action that is not an ARN", region(`alarms = { alarm_actions = ["ops-team"] }`), nil, []string{"alarm_actions", "must be an ARN"}},
		{"more than 5 alarm actions", region(`alarms = { alarm_actions = [for i in range(6) : "arn:aws:sns:ap-southeast-1:123456789012:ops-${i}"] }`), nil,
			[]string{"alarm_actions", "list must contain at most 5 elements"}},
		{"age alarm threshold above 14 days", region(`alarms = { oldest_message_age_threshold = 1209601 }`), nil, []string{"oldest_message_age_threshold", "value must be between 0 and 1209600"}},
		{"Redis port out of range", redis(`{ endpoints = ["redis.example:70000"] }`), nil, []string{"Invalid Redis endpoint", `the port "70000" must be a number between 1 and 65535`}},
		{"Redis endpoint with a trailing space", redis(`{ endpoints = ["redis.example:6379 "] }`), nil, []string{"Invalid Redis endpoint", "leading or trailing white space"}},
		{"no Redis endpoint", redis(`{ endpoints = [] }`), nil, []string{"endpoints", "list must contain at least 1 elements"}},
		{"empty Redis username", redis(`{ endpoints = ["redis.example:6379"], auth_secret_arn = "` + secret + `", username = "" }`), nil, []string{"username", "string length must be at least 1"}},
		{"tombstone_ttl under an hour", top(`  tombstone_ttl = "30m"`), nil, []string{"tombstone_ttl too short", `Use at least "1h"`}},
		{"empty bus name", strings.Replace(top(""), `name = "hotels"`, `name = ""`, 1), nil, []string{"Invalid bus name", "name must not be empty: give the bus a name"}},
		{"bus name with a slash and a space", strings.Replace(top(""), `name = "hotels"`, `name = "hotels/eu west"`, 1), nil, []string{"Invalid bus name", `the characters "/", " "`, "use only letters, digits, hyphens and underscores"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok := false
			t.Cleanup(func() { invalidCount.Count("TestAccBus_badInput", tc.name, ok && !t.Failed()) })
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { preCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ConfigCompose(acctest.ProviderConfig(tc.provider...), tc.config),
					PlanOnly:    true,
					ExpectError: acctest.ErrorRegexp(tc.want...),
				}},
			})
			ok = true
		})
	}
}
