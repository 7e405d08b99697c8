package bus_test

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip"
	"github.com/regis-infra/terraform-provider-regis/internal/bus/consumerzip/consumerziptest"
	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

const resourceName = "regis_bus.test"

// regionConfig is one region of a test bus.
type regionConfig struct {
	Region   string
	Redis    string // host:port
	Consumer string // extra lines inside consumer = { … }
	Queue    string // extra lines inside queue = { … }
	Alarms   string // the whole alarms = { … } object, or ""
}

// testBusConfig renders a regis_bus with short timeouts and the host's
// architecture, so that functions can run on the emulator.
func testBusConfig(name string, regions []regionConfig, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"regis_bus\" \"test\" {\n  name = %q\n", name)
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("  regions = {\n")
	for _, r := range regions {
		redis := r.Redis
		if redis == "" {
			redis = "127.0.0.1:6379"
		}
		fmt.Fprintf(&b, "    %q = {\n", r.Region)
		fmt.Fprintf(&b, "      redis = {\n        endpoints = [%q]\n        tls = false\n      }\n", redis)
		fmt.Fprintf(&b, "      consumer = {\n        architecture = %q\n        timeout = 5\n%s      }\n", hostArch(), indent(r.Consumer, 8))
		fmt.Fprintf(&b, "      queue = {\n        visibility_timeout = 30\n%s      }\n", indent(r.Queue, 8))
		if r.Alarms != "" {
			b.WriteString(indent(r.Alarms, 6))
		}
		b.WriteString("    }\n")
	}
	b.WriteString("  }\n}\n")
	return acctest.ConfigCompose(acctest.ProviderConfig(), b.String())
}

// hostArch is the Lambda architecture of this machine: the emulator runs
// functions as processes on the host.
func hostArch() string {
	if runtime.GOARCH == "arm64" {
		return consumerzip.ArchARM64
	}
	return consumerzip.ArchX8664
}

func indent(s string, n int) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		b.WriteString(strings.Repeat(" ", n) + strings.TrimSpace(line) + "\n")
	}
	return b.String()
}

func regionsOf(names ...string) []regionConfig {
	out := make([]regionConfig, len(names))
	for i, n := range names {
		out[i] = regionConfig{Region: n}
	}
	return out
}

// preCheck is the PreCheck of every acceptance test of the package: the
// harness's, and the consumer zips built if needed.
func preCheck(t *testing.T) {
	t.Helper()
	acctest.PreCheck(t)
	consumerziptest.Ensure(t)
}

// ------------------------------------------------------------ inventory

// busObjects returns the emulator objects of the bus named name: every
// object whose id contains the name, and the event source mappings whose
// queue is the bus's (their ARN holds only a UUID).
func busObjects(t testing.TB, name string) []core.Resource {
	t.Helper()
	objs, ok, err := acctest.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return nil
	}
	ctx := context.Background()
	c := acctest.Client(t)
	var out []core.Resource
	for _, r := range objs {
		switch {
		case r.Service == "logs":
			// Lambda's log group outlives the bus, as documented
			// (docs/resources/bus.md): not a bus object.
		case r.Type == "event-source-mapping":
			uuid := r.ID[strings.LastIndexByte(r.ID, ':')+1:]
			m, err := c.Lambda(ctx, r.Region).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
			if err == nil && strings.HasSuffix(aws.ToString(m.EventSourceArn), ":"+name) {
				out = append(out, r)
			}
		case strings.Contains(r.ID, name):
			out = append(out, r)
		}
	}
	return out
}

// checkNoBusObjects is the CheckDestroy of the package's tests.
func checkNoBusObjects(t testing.TB, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if left := busObjects(t, name); len(left) > 0 {
			return fmt.Errorf("%d object(s) of bus %s left in the emulator:\n  %s", len(left), name, describe(left))
		}
		return nil
	}
}

func describe(objs []core.Resource) string {
	var lines []string
	for _, r := range objs {
		lines = append(lines, fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n  ")
}

// recordedIDs returns what the state of regis_bus.test records: region →
// attribute → value, and the topic ARN under region "".
func recordedIDs(s *terraform.State) (map[string]map[string]string, error) {
	rs, ok := s.RootModule().Resources[resourceName]
	if !ok || rs.Primary == nil {
		return nil, fmt.Errorf("%s is not in the state", resourceName)
	}
	out := map[string]map[string]string{"": {"topic_arn": rs.Primary.Attributes["topic_arn"]}}
	for k, v := range rs.Primary.Attributes {
		rest, ok := strings.CutPrefix(k, "regions.")
		if !ok || rest == "%" {
			continue
		}
		region, attr, ok := strings.Cut(rest, ".")
		if !ok || strings.Contains(attr, ".") {
			continue
		}
		if out[region] == nil {
			out[region] = map[string]string{}
		}
		out[region][attr] = v
	}
	return out, nil
}

// checkStateMatchesInventory asserts that every emulator object of the bus
// is recorded in the state (nothing orphaned) and every recorded id exists.
func checkStateMatchesInventory(t testing.TB, name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		ids, err := recordedIDs(s)
		if err != nil {
			return err
		}
		return compareStateAndInventory(ids, busObjects(t, name))
	}
}

func compareStateAndInventory(ids map[string]map[string]string, objs []core.Resource) error {
	recorded := map[string]bool{} // "<type> <id>" the state accounts for
	add := func(typ, id string) {
		if id != "" {
			recorded[typ+" "+id] = true
		}
	}
	add("topic", ids[""]["topic_arn"])
	for region, a := range ids {
		if region == "" {
			continue
		}
		add("queue", a["queue_arn"])
		add("queue", a["dlq_arn"])
		add("subscription", a["subscription_arn"])
		add("role", a["role_arn"])
		add("function", a["function_arn"])
		if a["event_source_mapping_id"] != "" {
			add("event-source-mapping", a["event_source_mapping_id"])
		}
		for _, k := range []string{"dlq_alarm_name", "oldest_message_age_alarm_name"} {
			if a[k] != "" {
				add("alarm", region+"/"+a[k])
			}
		}
	}
	found := map[string]bool{}
	var orphans []string
	for _, r := range objs {
		key := r.Type + " " + r.ID
		switch r.Type {
		case "event-source-mapping":
			key = r.Type + " " + r.ID[strings.LastIndexByte(r.ID, ':')+1:]
		case "alarm":
			key = r.Type + " " + r.Region + "/" + r.ID[strings.Index(r.ID, ":alarm:")+len(":alarm:"):]
		}
		if r.Type == "role-policy" {
			// An inline policy is part of its role: deleting the role
			// deletes it, so the role's id accounts for it.
			role, _, _ := strings.Cut(r.ID, ":")
			key = "role-policy-of " + role
			for k := range recorded {
				if strings.HasPrefix(k, "role ") && strings.HasSuffix(k, ":role/"+role) {
					recorded[key] = true
				}
			}
		}
		found[key] = true
		if !recorded[key] {
			orphans = append(orphans, fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID))
		}
	}
	var stale []string
	for _, k := range slices.Sorted(maps.Keys(recorded)) {
		if !found[k] && !strings.HasPrefix(k, "role-policy-of ") {
			stale = append(stale, k)
		}
	}
	var problems []string
	if len(orphans) > 0 {
		sort.Strings(orphans)
		problems = append(problems, "objects that exist but are not in the state (orphans):\n  "+strings.Join(orphans, "\n  "))
	}
	if len(stale) > 0 {
		problems = append(problems, "ids in the state of objects that do not exist:\n  "+strings.Join(stale, "\n  "))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// inventorySnapshot is the set of a bus's objects at one point.
type inventorySnapshot map[string]core.Resource

func snapshot(t testing.TB, name string) inventorySnapshot {
	out := inventorySnapshot{}
	for _, r := range busObjects(t, name) {
		out[r.Type+" "+r.ID] = r
	}
	return out
}

// diff returns the objects created and deleted since before.
func (after inventorySnapshot) diff(before inventorySnapshot) (created, deleted []core.Resource) {
	for k, r := range after {
		if _, ok := before[k]; !ok {
			created = append(created, r)
		}
	}
	for k, r := range before {
		if _, ok := after[k]; !ok {
			deleted = append(deleted, r)
		}
	}
	return created, deleted
}
