package bus

import (
	"context"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// ---------------------------------------------------------------- validators

// regionValidator checks a region name (home_region and the keys of regions).
type regionValidator struct{}

func (regionValidator) Description(context.Context) string {
	return "must be an AWS region name such as " + regions.Example
}
func (v regionValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (regionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := regions.Check(req.ConfigValue.ValueString())
	if v.Problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid AWS region", v.Problem)
	}
	if v.Warning != "" {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Unknown AWS region", v.Warning)
	}
}

// endpointValidator checks a Redis endpoint.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be host:port"
}
func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkEndpoint(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Redis endpoint", msg)
	}
}

// checkEndpoint returns what is wrong with a Redis endpoint, or "".
func checkEndpoint(ep string) string {
	const example = "master.hotels.abc123.apse1.cache.amazonaws.com:6379"
	if strings.TrimSpace(ep) != ep {
		return fmt.Sprintf("%q has leading or trailing white space.", ep)
	}
	if i := strings.Index(ep, "://"); i >= 0 {
		return fmt.Sprintf("%q is a URL: write the endpoint as host:port without the %s scheme (%q), and set tls = true for rediss.", ep, ep[:i+3], ep[i+3:])
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil || host == "" {
		if !strings.Contains(ep, ":") {
			return fmt.Sprintf("%q has no port: write host:port, for example %q (ElastiCache listens on 6379).", ep, ep+":6379")
		}
		return fmt.Sprintf("%q is not host:port, for example %q.", ep, example)
	}
	if strings.ContainsAny(host, "/ ,") {
		return fmt.Sprintf("%q: the host %q is not a host name or IP address.", ep, host)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Sprintf("%q: the port %q must be a number between 1 and 65535.", ep, port)
	}
	return ""
}

// secretARNValidator checks a Secrets Manager secret ARN.
type secretARNValidator struct{}

func (secretARNValidator) Description(context.Context) string {
	return "must be a Secrets Manager secret ARN"
}
func (v secretARNValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (secretARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	a, ok := parseARN(req.ConfigValue.ValueString())
	if !ok || a.Service != "secretsmanager" || !strings.HasPrefix(a.Resource, "secret:") {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid auth_secret_arn",
			fmt.Sprintf("%q is not a Secrets Manager secret ARN such as \"arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:regis/redis-AbCdEf\". "+
				"Give the secret's ARN, not its name or the token: the token must never be in the configuration.", req.ConfigValue.ValueString()))
	}
}

// tagKeyValidator refuses the tag keys AWS reserves for itself.
type tagKeyValidator struct{}

func (tagKeyValidator) Description(context.Context) string {
	return `must not start with "aws:"`
}
func (v tagKeyValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (tagKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if k := req.ConfigValue.ValueString(); strings.HasPrefix(strings.ToLower(k), "aws:") {
		resp.Diagnostics.AddAttributeError(req.Path, "Reserved tag key",
			fmt.Sprintf("The tag key %q starts with \"aws:\", a prefix AWS reserves for its own tags: every service of the bus would refuse it. Rename the key.", k))
	}
}

// durationValidator checks tombstone_ttl.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a duration of at least 1h, such as \"168h\""
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid tombstone_ttl",
			fmt.Sprintf("%q is not a duration: use a number and a unit such as \"168h\" or \"72h30m\" (units: s, m, h; days are written in hours).", s))
		return
	}
	if d < contract.MinTombstoneTTL {
		resp.Diagnostics.AddAttributeError(req.Path, "tombstone_ttl too short",
			fmt.Sprintf("%q is shorter than %s: tombstones must outlive every redelivery of a message. Use at least \"1h\", and more than the queues' message_retention.", s, contract.MinTombstoneTTL))
	}
}

// ---------------------------------------------------------------- arn

type arn struct {
	Partition, Service, Region, Account, Resource string
}

func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return arn{}, false
	}
	return arn{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// ------------------------------------------------------------ ValidateConfig

// problem is one plan-time finding.
type problem struct {
	Path    path.Path
	Summary string
	Detail  string
	Warning bool
}

func (p problem) add(diags *diag.Diagnostics) {
	if p.Warning {
		diags.AddAttributeWarning(p.Path, p.Summary, p.Detail)
	} else {
		diags.AddAttributeError(p.Path, p.Summary, p.Detail)
	}
}

// configView is the part of the configuration the cross-attribute rules
// read, with defaults filled in. A nil pointer is a value unknown until apply:
// rules that need it are skipped.
type configView struct {
	Name         *string
	HomeRegion   *string
	KMSKeyID     *string // nil also when not set
	TombstoneTTL *string
	// Regions is nil when the map is unknown.
	Regions map[string]*regionView
}

type regionView struct {
	Endpoints      []string // nil when unknown
	Cluster        *bool
	AuthSecretARN  *string // nil when not set or unknown
	Username       *string
	Timeout        *int64
	BatchSize      *int64
	BatchingWindow *int64
	Ordered        *bool
	// MetricsNamespace is nil when not set or unknown.
	MetricsNamespace *string
	Environment      map[string]string // nil when unknown
	Visibility       *int64
	Retention        *int64
	MaxReceive       *int64
	DLQRetention     *int64
	AlarmActions     []string
}

var envNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// envArguments names, for each variable of the consumer that the bus sets,
// the argument it comes from (the contract between the bus and its
// consumer: internal/contract).
var envArguments = map[string]string{
	contract.EnvRedisAddrs:         "redis.endpoints",
	contract.EnvRedisCluster:       "redis.cluster_mode",
	contract.EnvRedisTLS:           "redis.tls",
	contract.EnvRedisUsername:      "redis.username",
	contract.EnvRedisAuthToken:     "redis.auth_secret_arn",
	contract.EnvRedisAuthSecretARN: "redis.auth_secret_arn",
	contract.EnvOrdered:            "consumer.ordered",
	contract.EnvTombstoneTTL:       "tombstone_ttl",
	contract.EnvDLQURL:             "", // the region's dead-letter queue
	contract.EnvBusName:            "name",
	contract.EnvLogLevel:           "consumer.log_level",
	contract.EnvMetricsNamespace:   "consumer.metrics_namespace",
}

// managedEnv are the variables the bus sets itself.
var managedEnv = slices.Sorted(maps.Keys(envArguments))

// envTLSSkipVerify is the switch earlier consumers read to turn off the
// check of Redis's certificate (for tests); the consumer no longer has it.
const envTLSSkipVerify = "REGIS_REDIS_TLS_SKIP_VERIFY"

// envRefused are the consumer's variables that no argument sets, and the
// switch it no longer reads, with the reason regis_bus does not let them be
// set.
var envRefused = map[string]string{
	envTLSSkipVerify: "earlier consumers read it to turn off the check of Redis's certificate; the consumer always checks it now. " +
		"To trust a Redis whose certificate comes from a private CA, point SSL_CERT_FILE at that CA's bundle",
	contract.EnvRedisTLSServerName: "the consumer checks Redis's certificate against the host name of each endpoint: give, in redis.endpoints, the name the certificate carries",
	contract.EnvDeadlineMargin:     "the consumer keeps a margin before each invocation's deadline that adapts to the time left",
}

// envPassThrough are the variables the consumer reads that consumer.environment
// may set: SENTRY_DSN is the Sentry SDK's own, which enables its reporting.
var envPassThrough = []string{contract.EnvSentryDSN}

// consumerEnvPrefix starts the names of the consumer's own configuration:
// all of them are refused in consumer.environment, including the ones the
// consumer does not read (a misspelt name would be silently ignored).
const consumerEnvPrefix = "REGIS_"

// envProblem says why consumer.environment must not set k, "" when it may.
func envProblem(k string) (summary, detail string) {
	if arg, ok := envArguments[k]; ok {
		if arg == "" {
			return "Environment variable set by the bus", fmt.Sprintf("consumer.environment sets %s, which the bus sets to the region's dead-letter queue. Remove it.", k)
		}
		note := ""
		if k == contract.EnvRedisAuthToken {
			note = " The token then stays in Secrets Manager, out of the function's configuration and the Terraform state."
		}
		return "Environment variable set by the bus", fmt.Sprintf("consumer.environment sets %s, which the bus sets from its own arguments. Remove it and use the matching argument: set %s instead.%s", k, arg, note)
	}
	if why, ok := envRefused[k]; ok {
		return "Environment variable of the consumer", fmt.Sprintf("consumer.environment sets %s, which the consumer reads but regis_bus does not let you set: %s. Remove it.", k, why)
	}
	if strings.HasPrefix(k, consumerEnvPrefix) {
		hint := ""
		if near := nearestConsumerVariable(k); near != "" {
			hint = " Did you mean " + near
			if arg := envArguments[near]; arg != "" {
				hint += " (set " + arg + " instead)"
			}
			hint += "?"
		}
		return "Reserved environment variable", fmt.Sprintf("consumer.environment sets %s, but names starting with %s are the consumer's own configuration, which the bus sets from its arguments, and the consumer reads no %s.%s Remove it.",
			k, consumerEnvPrefix, k, hint)
	}
	return "", ""
}

// nearestConsumerVariable is the consumer's variable k is likely a typo of,
// "" when none is close.
func nearestConsumerVariable(k string) string {
	best, bestD := "", 3 // at most two edits
	for _, v := range contract.ConsumerEnvironment {
		if d := regions.EditDistance(k, v); d < bestD {
			best, bestD = v, d
		}
	}
	return best
}

// lambdaReserved are environment variables Lambda sets itself and refuses.
var lambdaReserved = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

func validateView(v configView) []problem {
	var out []problem
	root := path.Root

	var regionNames []string
	if v.Regions != nil {
		regionNames = slices.Sorted(mapKeys(v.Regions))
	}

	if v.Name != nil {
		for _, msg := range validateName(*v.Name, regionNames) {
			out = append(out, problem{Path: root("name"), Summary: "Invalid bus name", Detail: msg})
		}
	}

	// KMS: a key ARN names one region's key.
	if v.KMSKeyID != nil {
		if a, ok := parseARN(*v.KMSKeyID); ok {
			if a.Service != "kms" || !kmsResourceRE.MatchString(a.Resource) {
				out = append(out, problem{Path: root("kms_key_id"), Summary: "Invalid kms_key_id",
					Detail: fmt.Sprintf("%q is not a KMS key or alias ARN. %s", *v.KMSKeyID, kmsKeyForms)})
			} else {
				var other []string
				for _, r := range regionNames {
					if r != a.Region {
						other = append(other, r)
					}
				}
				if v.HomeRegion != nil && *v.HomeRegion != a.Region && !slices.Contains(other, *v.HomeRegion) {
					other = append(other, *v.HomeRegion)
				}
				if len(other) > 0 && !strings.Contains(a.Resource, "mrk-") {
					out = append(out, problem{Path: root("kms_key_id"), Summary: "KMS key in one region only",
						Detail: fmt.Sprintf("%q is a key of %s, but SQS and SNS can only use a key of their own region and the bus also has %s. "+
							"Use an alias that exists in every region (kms_key_id = \"alias/regis\"), or a multi-region key ID (\"mrk-…\").",
							*v.KMSKeyID, a.Region, strings.Join(other, ", "))})
				}
			}
		} else if !kmsIDRE.MatchString(*v.KMSKeyID) {
			out = append(out, problem{Path: root("kms_key_id"), Summary: "Invalid kms_key_id",
				Detail: fmt.Sprintf("%q is not a KMS key. %s", *v.KMSKeyID, kmsKeyForms)})
		}
	}

	var ttl time.Duration
	if v.TombstoneTTL != nil {
		ttl, _ = time.ParseDuration(*v.TombstoneTTL)
	}

	for _, name := range regionNames {
		r := v.Regions[name]
		if r == nil {
			continue
		}
		at := func(p ...string) path.Path {
			x := root("regions").AtMapKey(name)
			for _, s := range p {
				x = x.AtName(s)
			}
			return x
		}

		// Redis.
		if len(r.Endpoints) > 1 && r.Cluster != nil && !*r.Cluster {
			out = append(out, problem{Path: at("redis", "endpoints"), Summary: "Several Redis endpoints without cluster mode",
				Detail: fmt.Sprintf("Region %s lists %d endpoints, but a Redis without cluster mode has one primary endpoint. "+
					"Keep only the primary endpoint, or set cluster_mode = true if these are seed nodes of a cluster.", name, len(r.Endpoints))})
		}
		if r.AuthSecretARN != nil {
			if a, ok := parseARN(*r.AuthSecretARN); ok && a.Region != "" && a.Region != name {
				out = append(out, problem{Path: at("redis", "auth_secret_arn"), Summary: "Auth secret in another region",
					Detail: fmt.Sprintf("The consumer in %s reads its secret from Secrets Manager in %s, but this secret is in %s. "+
						"Replicate the secret to %s (Secrets Manager replica regions) and use the replica's ARN.", name, name, a.Region, name)})
			}
		}
		if r.Username != nil && r.AuthSecretARN == nil {
			out = append(out, problem{Path: at("redis", "username"), Summary: "Redis username without a secret", Warning: true,
				Detail: fmt.Sprintf("Region %s sets username but no auth_secret_arn: the consumer authenticates as %q without a password, which only works for a user with \"nopass\".", name, *r.Username)})
		}

		// Batching.
		if r.BatchSize != nil && *r.BatchSize > batchWithoutWindowLimit && r.BatchingWindow != nil && *r.BatchingWindow < 1 {
			out = append(out, problem{Path: at("consumer", "batching_window"), Summary: "Batch size needs a batching window",
				Detail: fmt.Sprintf("Region %s has consumer.batch_size = %d: Lambda accepts more than %d messages per batch only with a batching window. "+
					"Set consumer.batching_window to at least 1 (seconds), or batch_size to %d or less.", name, *r.BatchSize, batchWithoutWindowLimit, batchWithoutWindowLimit)})
		}

		// Visibility ≥ 6 × timeout.
		if r.Visibility != nil && r.Timeout != nil && *r.Visibility < visibilityPerTimeout*(*r.Timeout) {
			need := visibilityPerTimeout * (*r.Timeout)
			out = append(out, problem{Path: at("queue", "visibility_timeout"), Summary: "Visibility timeout too short for the function timeout",
				Detail: fmt.Sprintf("Region %s: queue.visibility_timeout is %d seconds but consumer.timeout is %d seconds; AWS requires the visibility timeout "+
					"to be at least 6 times the function timeout, or messages become visible again while a retrying invocation still holds them. "+
					"Set queue.visibility_timeout to at least %d, or lower consumer.timeout to at most %d.", name, *r.Visibility, *r.Timeout, need, *r.Visibility/visibilityPerTimeout)})
		}

		// Redrive.
		if r.MaxReceive != nil && *r.MaxReceive < advisedMaxReceiveCount {
			out = append(out, problem{Path: at("queue", "max_receive_count"), Summary: "Low max_receive_count", Warning: true,
				Detail: fmt.Sprintf("Region %s: with queue.max_receive_count = %d, a message that fails %d times (for example during a short Redis failover) "+
					"goes to the dead-letter queue and is not replicated until you redrive it. AWS advises at least %d.", name, *r.MaxReceive, *r.MaxReceive, advisedMaxReceiveCount)})
		}

		// Tombstones outliving redelivery (ordered mode).
		if r.Ordered != nil && *r.Ordered && ttl > 0 {
			longest := int64(0)
			what := ""
			if r.Retention != nil && *r.Retention > longest {
				longest, what = *r.Retention, "queue.message_retention"
			}
			if r.DLQRetention != nil && *r.DLQRetention > longest {
				longest, what = *r.DLQRetention, "queue.dlq_retention"
			}
			if longest > 0 && ttl < time.Duration(longest)*time.Second {
				out = append(out, problem{Path: root("tombstone_ttl"), Summary: "tombstone_ttl shorter than message retention", Warning: true,
					Detail: fmt.Sprintf("Region %s is in ordered mode and keeps messages for %s (%s), longer than tombstone_ttl %s: "+
						"a DEL redelivered after its tombstone expired could let an older SET resurrect the key. Raise tombstone_ttl above %s.",
						name, time.Duration(longest)*time.Second, what, ttl, time.Duration(longest)*time.Second)})
			}
		}

		// Extra environment.
		for _, k := range slices.Sorted(mapKeys(r.Environment)) {
			summary, detail := envProblem(k)
			switch {
			case summary != "":
				out = append(out, problem{Path: at("consumer", "environment"), Summary: summary, Detail: "Region " + name + ": " + detail})
			case slices.Contains(lambdaReserved, k) || strings.HasPrefix(k, "AWS_LAMBDA_"):
				out = append(out, problem{Path: at("consumer", "environment"), Summary: "Reserved environment variable",
					Detail: fmt.Sprintf("Region %s: consumer.environment sets %s, which Lambda reserves. Remove it.", name, k)})
			case !envNameRE.MatchString(k):
				out = append(out, problem{Path: at("consumer", "environment"), Summary: "Invalid environment variable name",
					Detail: fmt.Sprintf("Region %s: %q is not a valid environment variable name: use letters, digits and underscores, starting with a letter.", name, k)})
			}
		}

		// Lambda's 4 KB environment, with the variables the bus sets.
		if n := environmentSize(name, v.Name, r); n > maxEnvironmentSize {
			out = append(out, problem{Path: at("consumer", "environment"), Summary: "Function environment too large",
				Detail: fmt.Sprintf("Region %s: with the variables the bus sets, the consumer's environment would take about %d bytes, over Lambda's limit of %d bytes "+
					"(names and values together). Shorten or remove variables of consumer.environment, or keep large values in Secrets Manager or "+
					"Systems Manager Parameter Store and pass their names.", name, n, maxEnvironmentSize)})
		}

		// Dead letters keep their original enqueue time.
		if r.Retention != nil && r.DLQRetention != nil && *r.DLQRetention < *r.Retention {
			out = append(out, problem{Path: at("queue", "dlq_retention"), Summary: "Dead-letter queue keeps messages for less time than the queue", Warning: true,
				Detail: fmt.Sprintf("Region %s: queue.dlq_retention (%s) is shorter than queue.message_retention (%s). SQS keeps a message's original enqueue time "+
					"when it moves it to the dead-letter queue, so a message that failed late can expire there before anyone looks at it. "+
					"Set queue.dlq_retention to at least %d (AWS advises longer than the queue's).", name,
					time.Duration(*r.DLQRetention)*time.Second, time.Duration(*r.Retention)*time.Second, *r.Retention)})
		}

		// Alarm actions in the alarm's region.
		for _, act := range r.AlarmActions {
			if a, ok := parseARN(act); ok && a.Region != "" && a.Region != name {
				out = append(out, problem{Path: at("alarms", "alarm_actions"), Summary: "Alarm action in another region",
					Detail: fmt.Sprintf("Region %s: the alarm action %q is in %s, but CloudWatch alarms can only notify targets of their own region. Use a topic in %s.", name, act, a.Region, name)})
			}
		}
	}
	return out
}

// KMS key identifiers: a key ID, a multi-region key ID or an alias, and
// the resource part of a key or alias ARN.
var (
	kmsIDRE       = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}|alias/[A-Za-z0-9/_-]{1,250})$`)
	kmsResourceRE = regexp.MustCompile(`^(key/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})|alias/[A-Za-z0-9/_-]{1,250})$`)
)

const kmsKeyForms = "Give a key ID (\"1234abcd-12ab-34cd-56ef-1234567890ab\"), a multi-region key ID (\"mrk-…\"), an alias (\"alias/regis\"), or the ARN of a key or alias."

// maxEnvironmentSize is Lambda's limit on a function's environment
// variables (names and values, in bytes).
const maxEnvironmentSize = 4096

// environmentSize estimates the bytes of a region's function environment:
// consumer.environment (values unknown at plan time count as empty) and
// the variables the bus sets, with the longest values they can take.
func environmentSize(region string, name *string, r *regionView) int {
	if r.Environment == nil {
		return 0
	}
	bus := "bus"
	if name != nil {
		bus = *name
	}
	env := map[string]string{}
	for k, v := range r.Environment {
		env[k] = v
	}
	env[contract.EnvRedisAddrs] = strings.Join(r.Endpoints, ",")
	env[contract.EnvRedisCluster] = "false"
	env[contract.EnvRedisTLS] = "false"
	if r.AuthSecretARN != nil {
		env[contract.EnvRedisAuthSecretARN] = *r.AuthSecretARN
	}
	if r.Username != nil {
		env[contract.EnvRedisUsername] = *r.Username
	}
	env[contract.EnvOrdered] = "false"
	env[contract.EnvTombstoneTTL] = defaultTombstoneTTL
	env[contract.EnvDLQURL] = "https://sqs." + region + ".amazonaws.com/123456789012/" + contract.DLQName(bus)
	env[contract.EnvBusName] = bus
	env[contract.EnvLogLevel] = "debug"
	if r.MetricsNamespace != nil {
		env[contract.EnvMetricsNamespace] = *r.MetricsNamespace
	}
	n := 0
	for k, v := range env {
		n += len(k) + len(v)
	}
	return n
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ------------------------------------------------------ config model → view

func knownString(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

// int64OrDefault reads an optional number: its value, the default when not
// set, nil when unknown.
func int64OrDefault(v types.Int64, def int64) *int64 {
	if v.IsUnknown() {
		return nil
	}
	if v.IsNull() {
		return &def
	}
	x := v.ValueInt64()
	return &x
}

func boolOrDefault(v types.Bool, def bool) *bool {
	if v.IsUnknown() {
		return nil
	}
	if v.IsNull() {
		return &def
	}
	x := v.ValueBool()
	return &x
}

func stringOrDefault(v types.String, def string) *string {
	if v.IsUnknown() {
		return nil
	}
	if v.IsNull() {
		return &def
	}
	x := v.ValueString()
	return &x
}

// viewFromConfig extracts the view from the configuration, where defaults
// are not applied yet: a null argument reads as its default.
func viewFromConfig(ctx context.Context, m busResourceModel) (configView, diag.Diagnostics) {
	var diags diag.Diagnostics
	v := configView{
		Name:         knownString(m.Name),
		HomeRegion:   knownString(m.HomeRegion),
		KMSKeyID:     knownString(m.KMSKeyID),
		TombstoneTTL: stringOrDefault(m.TombstoneTTL, defaultTombstoneTTL),
	}
	if m.Regions.IsUnknown() {
		return v, diags
	}
	v.Regions = map[string]*regionView{}
	regions, d := regionModels(ctx, m.Regions)
	diags.Append(d...)
	for name, rm := range regions {
		r := &regionView{}
		v.Regions[name] = r
		if rm.Redis.IsUnknown() {
			// nothing known
		} else if !rm.Redis.IsNull() {
			var redis redisModel
			diags.Append(rm.Redis.As(ctx, &redis, lenient)...)
			if !redis.Endpoints.IsUnknown() && !redis.Endpoints.IsNull() {
				var eps []types.String
				diags.Append(redis.Endpoints.ElementsAs(ctx, &eps, false)...)
				r.Endpoints = []string{}
				for _, e := range eps {
					r.Endpoints = append(r.Endpoints, e.ValueString())
				}
			}
			r.Cluster = boolOrDefault(redis.ClusterMode, false)
			r.AuthSecretARN = knownString(redis.AuthSecretARN)
			r.Username = knownString(redis.Username)
		}
		c := consumerModel{}
		if rm.Consumer.IsUnknown() {
			c = consumerModel{MemorySize: types.Int64Unknown(), Timeout: types.Int64Unknown(), BatchSize: types.Int64Unknown(),
				BatchingWindow: types.Int64Unknown(), MaxConcurrency: types.Int64Unknown(), Architecture: types.StringUnknown(),
				Ordered: types.BoolUnknown(), LogLevel: types.StringUnknown(), MetricsNS: types.StringUnknown(), Environment: types.MapUnknown(types.StringType)}
		} else if !rm.Consumer.IsNull() {
			diags.Append(rm.Consumer.As(ctx, &c, lenient)...)
		} else {
			c = consumerModel{MemorySize: types.Int64Null(), Timeout: types.Int64Null(), BatchSize: types.Int64Null(),
				BatchingWindow: types.Int64Null(), MaxConcurrency: types.Int64Null(), Architecture: types.StringNull(),
				Ordered: types.BoolNull(), LogLevel: types.StringNull(), MetricsNS: types.StringNull(), Environment: types.MapNull(types.StringType)}
		}
		r.Timeout = int64OrDefault(c.Timeout, defaultTimeout)
		r.BatchSize = int64OrDefault(c.BatchSize, defaultBatchSize)
		r.BatchingWindow = int64OrDefault(c.BatchingWindow, defaultBatchingWindow)
		r.Ordered = boolOrDefault(c.Ordered, false)
		r.MetricsNamespace = knownString(c.MetricsNS)
		if !c.Environment.IsUnknown() {
			r.Environment = map[string]string{}
			if !c.Environment.IsNull() {
				// Keys are known even when values are not.
				for k, e := range c.Environment.Elements() {
					r.Environment[k] = ""
					if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
						r.Environment[k] = s.ValueString()
					}
				}
			}
		}

		q := queueModel{}
		if rm.Queue.IsUnknown() {
			q = queueModel{VisibilityTimeout: types.Int64Unknown(), MessageRetention: types.Int64Unknown(), MaxReceiveCount: types.Int64Unknown(), DLQRetention: types.Int64Unknown()}
		} else if !rm.Queue.IsNull() {
			diags.Append(rm.Queue.As(ctx, &q, lenient)...)
		} else {
			q = queueModel{VisibilityTimeout: types.Int64Null(), MessageRetention: types.Int64Null(), MaxReceiveCount: types.Int64Null(), DLQRetention: types.Int64Null()}
		}
		r.Visibility = int64OrDefault(q.VisibilityTimeout, defaultVisibility)
		r.Retention = int64OrDefault(q.MessageRetention, defaultRetention)
		r.MaxReceive = int64OrDefault(q.MaxReceiveCount, defaultMaxReceiveCount)
		r.DLQRetention = int64OrDefault(q.DLQRetention, defaultDLQRetention)

		if !rm.Alarms.IsUnknown() && !rm.Alarms.IsNull() {
			var a alarmsModel
			diags.Append(rm.Alarms.As(ctx, &a, lenient)...)
			if !a.AlarmActions.IsUnknown() && !a.AlarmActions.IsNull() {
				for _, e := range a.AlarmActions.Elements() {
					if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
						r.AlarmActions = append(r.AlarmActions, s.ValueString())
					}
				}
			}
		}
	}
	return v, diags
}
