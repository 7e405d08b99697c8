package bus

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

const (
	tQueue = "arn:aws:sqs:ap-south-1:123456789012:hotels"
	tDLQ   = "arn:aws:sqs:ap-south-1:123456789012:hotels-dlq"
	tTopic = "arn:aws:sns:ap-southeast-1:123456789012:hotels"
)

type policyDoc struct {
	Statement []struct {
		Sid       string
		Action    []string
		Resource  any
		Condition map[string]any
	}
}

func parsePolicy(t *testing.T, s string) map[string]struct {
	Action    []string
	Resource  any
	Condition map[string]any
} {
	t.Helper()
	var d policyDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct {
		Action    []string
		Resource  any
		Condition map[string]any
	}{}
	for _, st := range d.Statement {
		out[st.Sid] = struct {
			Action    []string
			Resource  any
			Condition map[string]any
		}{st.Action, st.Resource, st.Condition}
	}
	return out
}

func TestRolePolicyLeastPrivilege(t *testing.T) {
	base := roleInputs{Bus: "hotels", Region: "ap-south-1", QueueARN: tQueue, DLQARN: tDLQ}
	p := parsePolicy(t, rolePolicy(base))
	if got := slices.Sorted(maps.Keys(p)); !slices.Equal(got, []string{"ConsumeQueue", "DeadLetter", "Logs"}) {
		t.Fatalf("statements %v: no secret, KMS or VPC statement without those arguments", got)
	}
	if p["ConsumeQueue"].Resource != tQueue || p["DeadLetter"].Resource != tDLQ || !slices.Equal(p["DeadLetter"].Action, []string{"sqs:SendMessage"}) {
		t.Fatalf("queue statements %+v", p)
	}
	if !slices.Equal(p["ConsumeQueue"].Action, []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}) {
		t.Fatalf("consume actions %v", p["ConsumeQueue"].Action)
	}
	logs, _ := json.Marshal(p["Logs"].Resource)
	if !strings.Contains(string(logs), "arn:aws:logs:ap-south-1:123456789012:log-group:/aws/lambda/hotels-consumer") || strings.Contains(string(logs), `"*"`) {
		t.Fatalf("logs resource %s", logs)
	}

	full := base
	full.AuthSecretARN = "arn:aws:secretsmanager:ap-south-1:123456789012:secret:r-AbCdEf"
	full.VPC = true
	full.KMSKeyID = "mrk-1234"
	p = parsePolicy(t, rolePolicy(full))
	if p["RedisAuthSecret"].Resource != full.AuthSecretARN {
		t.Fatalf("secret statement %+v", p["RedisAuthSecret"])
	}
	if p["QueueKey"].Resource != "arn:aws:kms:ap-south-1:123456789012:key/mrk-1234" || !slices.Contains(p["QueueKey"].Action, "kms:Decrypt") {
		t.Fatalf("key statement %+v", p["QueueKey"])
	}
	if !slices.Contains(p["VPCNetworkInterfaces"].Action, "ec2:CreateNetworkInterface") {
		t.Fatalf("VPC statement %+v", p["VPCNetworkInterfaces"])
	}

	alias := base
	alias.KMSKeyID = "alias/regis"
	p = parsePolicy(t, rolePolicy(alias))
	cond, _ := json.Marshal(p["QueueKey"].Condition)
	if p["QueueKey"].Resource != "arn:aws:kms:ap-south-1:123456789012:key/*" || !strings.Contains(string(cond), `"kms:ResourceAliases":"alias/regis"`) {
		t.Fatalf("alias key statement %+v %s", p["QueueKey"], cond)
	}
}

func TestQueuePolicyAndSameJSON(t *testing.T) {
	pol := queuePolicy(tQueue, tTopic)
	for _, want := range []string{`"Service":"sns.amazonaws.com"`, `"Action":"sqs:SendMessage"`, `"aws:SourceArn":"` + tTopic + `"`, `"Resource":"` + tQueue + `"`} {
		if !strings.Contains(pol, want) {
			t.Errorf("policy lacks %s: %s", want, pol)
		}
	}
	// The same document re-encoded (keys reordered, one-element lists) is the same.
	same := `{"Statement":[{"Condition":{"ArnEquals":{"aws:SourceArn":["` + tTopic + `"]}},"Resource":"` + tQueue + `","Action":["sqs:SendMessage"],"Principal":{"Service":"sns.amazonaws.com"},"Effect":"Allow","Sid":"AllowRegisTopic"}],"Id":"regis-bus","Version":"2012-10-17"}`
	if !sameJSON(pol, same) {
		t.Error("equivalent policies compare different")
	}
	if sameJSON(pol, queuePolicy(tQueue, tTopic+"-other")) || sameJSON(pol, "") {
		t.Error("different policies compare equal")
	}
}

func TestRedrive(t *testing.T) {
	target, n, ok := parseRedrive(redrivePolicy(tDLQ, 7))
	if !ok || target != tDLQ || n != 7 {
		t.Fatalf("%s %d %t", target, n, ok)
	}
	if _, n, ok := parseRedrive(`{"deadLetterTargetArn":"x","maxReceiveCount":"12"}`); !ok || n != 12 {
		t.Fatalf("string count: %d %t", n, ok)
	}
	if _, _, ok := parseRedrive(""); ok {
		t.Fatal("empty redrive policy parsed")
	}
}

func TestSubscriptionDrift(t *testing.T) {
	good := map[string]string{"TopicArn": tTopic, "Protocol": "sqs", "Endpoint": tQueue, "RawMessageDelivery": "true", "PendingConfirmation": "false"}
	if d := subscriptionDrift(good, tTopic, tQueue); len(d) != 0 {
		t.Fatalf("good subscription: %v", d)
	}
	bad := maps.Clone(good)
	bad["RawMessageDelivery"] = "false"
	bad["FilterPolicy"] = `{"x":["y"]}`
	d := subscriptionDrift(bad, tTopic, tQueue)
	if len(d) != 2 || !strings.Contains(d[0], "raw message delivery is off") || !strings.Contains(d[1], "filter policy") {
		t.Fatalf("drift %v", d)
	}
}

func TestMappingUpdateRestoresReportBatchItemFailures(t *testing.T) {
	rs := defaultRegionSpec("ap-south-1")
	fn := "arn:aws:lambda:ap-south-1:123456789012:function:hotels-consumer"
	m := &lambda.GetEventSourceMappingOutput{
		EventSourceArn: aws.String(tQueue), FunctionArn: aws.String(fn), State: aws.String(mappingEnabled),
		BatchSize: aws.Int32(int32(rs.Consumer.BatchSize)), MaximumBatchingWindowInSeconds: aws.Int32(0),
		ScalingConfig:         &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(int32(rs.Consumer.MaxConcurrency))},
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{reportBatchItemFailures},
	}
	if in := mappingUpdate(m, "u", fn, rs); in != nil {
		t.Fatalf("no change expected, got %+v", in)
	}
	if d := mappingDrift(m, tQueue, fn); len(d) != 0 {
		t.Fatalf("drift %v", d)
	}
	m.FunctionResponseTypes = nil
	m.State = aws.String(mappingDisabled)
	in := mappingUpdate(m, "u", fn, rs)
	if in == nil || len(in.FunctionResponseTypes) != 1 || in.FunctionResponseTypes[0] != reportBatchItemFailures || !aws.ToBool(in.Enabled) {
		t.Fatalf("update %+v", in)
	}
	if d := mappingDrift(m, tQueue, fn); len(d) != 2 || !strings.Contains(d[0], "ReportBatchItemFailures is off") {
		t.Fatalf("drift %v", d)
	}
}

// TestEnvironmentRoundTrip: what the bus writes into the function's
// environment reads back as the same arguments (refresh and import rely on
// it), with the consumer's own variable names.
func TestEnvironmentRoundTrip(t *testing.T) {
	spec := &busSpec{Name: "hotels", TombstoneTTL: "240h"}
	rs := defaultRegionSpec("ap-south-1")
	rs.Redis = redisSpec{Endpoints: []string{"a:6379", "b:6380"}, Cluster: true, TLS: true, AuthSecretARN: "arn:aws:secretsmanager:ap-south-1:1:secret:x", Username: "regis"}
	rs.Consumer.Ordered = true
	rs.Consumer.LogLevel = "debug"
	rs.Consumer.Environment = map[string]string{"SENTRY_DSN": "https://k@s/1"}
	env := consumerEnvironment(spec, rs, "https://sqs/dlq")
	for k, want := range map[string]string{
		contract.EnvRedisAddrs: "a:6379,b:6380", contract.EnvRedisCluster: "true", contract.EnvRedisTLS: "true",
		contract.EnvRedisAuthSecretARN: rs.Redis.AuthSecretARN, contract.EnvRedisUsername: "regis", contract.EnvOrdered: "true",
		contract.EnvTombstoneTTL: "240h", contract.EnvDLQURL: "https://sqs/dlq", contract.EnvBusName: "hotels", contract.EnvLogLevel: "debug",
		"SENTRY_DSN": "https://k@s/1",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	if _, ok := env[contract.EnvRedisAuthToken]; ok {
		t.Error("the token variable must never be set")
	}
	// The consumer accepts it.
	if _, err := contract.LoadConfig(func(k string) string { return env[k] }); err != nil {
		t.Fatalf("the consumer refuses the environment: %v", err)
	}

	back := defaultRegionSpec("ap-south-1")
	var ttl string
	if d := readEnvironment(env, back, &ttl, "hotels", "https://sqs/dlq"); len(d) != 0 {
		t.Fatalf("drift %v", d)
	}
	if r := back.Redis; !slices.Equal(r.Endpoints, rs.Redis.Endpoints) || !r.Cluster || !r.TLS || r.AuthSecretARN != rs.Redis.AuthSecretARN || r.Username != "regis" {
		t.Errorf("redis read back as %+v", back.Redis)
	}
	if !back.Consumer.Ordered || back.Consumer.LogLevel != "debug" || ttl != "240h" || !maps.Equal(back.Consumer.Environment, rs.Consumer.Environment) {
		t.Errorf("consumer read back as %+v, ttl %s", back.Consumer, ttl)
	}
	env[contract.EnvRedisAuthToken] = "leaked"
	if d := readEnvironment(env, back, &ttl, "hotels", "https://sqs/dlq"); len(d) != 1 || !strings.Contains(d[0], "token") {
		t.Fatalf("a token in the environment must be reported: %v", d)
	}
}

func TestTagDiff(t *testing.T) {
	add, remove := tagDiff(map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "x", "d": "4"})
	if !maps.Equal(add, map[string]string{"b": "x", "d": "4"}) || !slices.Equal(remove, []string{"c"}) {
		t.Fatalf("add %v remove %v", add, remove)
	}
}

func TestDesiredQueueEncryption(t *testing.T) {
	a := desiredQueueAttributes(&busSpec{}, 30, 60)
	if a["SqsManagedSseEnabled"] != "true" || a["KmsMasterKeyId"] != "" {
		t.Fatalf("default encryption %v", a)
	}
	if _, ok := createAttributes(a)["KmsMasterKeyId"]; ok {
		t.Fatal("CreateQueue must not get an empty KmsMasterKeyId")
	}
	a = desiredQueueAttributes(&busSpec{KMSKeyID: "alias/regis"}, 30, 60)
	if a["SqsManagedSseEnabled"] != "false" || a["KmsMasterKeyId"] != "alias/regis" {
		t.Fatalf("KMS encryption %v", a)
	}
}
