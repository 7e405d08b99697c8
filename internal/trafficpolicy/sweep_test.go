package trafficpolicy_test

// Sweepers for what the Traffic Flow acceptance tests may leave in an
// account (see internal/acctest/sweep.go and `make sweep`). Route 53 is
// global: each runs once per partition.
//
//   - policy records (traffic policy instances) whose first label or hosted
//     zone is named with acctest.ResourcePrefix (tests make records such as
//     www.tf-acc-xxxx.example.com in zones of their own);
//   - every version of traffic policies so named;
//   - health checks whose Name tag is so named (health checks have no name);
//   - hosted zones so named, with the record sets left in them.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	awstypes "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/awsapi"
	"github.com/regis-infra/terraform-provider-regis/internal/trafficpolicy"
)

const sweepRecords = "regis_traffic_policy_records"

func init() {
	acctest.AddSweeper(sweepRecords, acctest.Sweeper{Global: true, F: sweepPolicyRecords})
	after := []string{sweepRecords}
	acctest.AddSweeper("regis_traffic_policy_versions", acctest.Sweeper{Global: true, Dependencies: after, F: sweepPolicyVersions})
	acctest.AddSweeper("regis_health_checks", acctest.Sweeper{Global: true, Dependencies: after, F: sweepHealthChecks})
	acctest.AddSweeper("regis_hosted_zones", acctest.Sweeper{Global: true, Dependencies: after, F: sweepHostedZones})
}

// sweepDeleteWait bounds the wait for one record or version to go.
const sweepDeleteWait = 10 * time.Minute

// hostedZones maps zone id (without /hostedzone/) to name (with the final dot).
func hostedZones(ctx context.Context, conn *route53.Client) (map[string]string, error) {
	zones := map[string]string{}
	p := route53.NewListHostedZonesPaginator(conn, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, z := range page.HostedZones {
			zones[strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")] = aws.ToString(z.Name)
		}
	}
	return zones, nil
}

// firstLabel is the first label of a DNS name.
func firstLabel(name string) string {
	label, _, _ := strings.Cut(name, ".")
	return label
}

func sweepPolicyRecords(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Route53(ctx)
	zones, err := hostedZones(ctx, conn)
	if err != nil {
		return err
	}
	in := &route53.ListTrafficPolicyInstancesInput{}
	for {
		page, err := conn.ListTrafficPolicyInstances(ctx, in)
		if err != nil {
			return err
		}
		for _, inst := range page.TrafficPolicyInstances {
			id, name := aws.ToString(inst.Id), aws.ToString(inst.Name)
			zone := zones[strings.TrimPrefix(aws.ToString(inst.HostedZoneId), "/hostedzone/")]
			if !acctest.IsTestName(firstLabel(name)) && !acctest.IsTestName(zone) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "policy record", fmt.Sprintf("%s %s (%s)", name, inst.TrafficPolicyType, id), func(ctx context.Context) error {
				_, err := awsapi.RetryWhen(ctx, sweepDeleteWait, func(ctx context.Context) (*route53.DeleteTrafficPolicyInstanceOutput, error) {
					return conn.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: aws.String(id)})
				}, awsapi.IsA[*awstypes.PriorRequestNotComplete])
				if awsapi.IsA[*awstypes.NoSuchTrafficPolicyInstance](err) {
					return nil
				}
				if err != nil {
					return err
				}
				_, err = trafficpolicy.WaitTrafficPolicyInstanceGone(ctx, conn, id, sweepDeleteWait)
				return err
			})
		}
		if !page.IsTruncated {
			return nil
		}
		in = &route53.ListTrafficPolicyInstancesInput{
			HostedZoneIdMarker:              page.HostedZoneIdMarker,
			TrafficPolicyInstanceNameMarker: page.TrafficPolicyInstanceNameMarker,
			TrafficPolicyInstanceTypeMarker: page.TrafficPolicyInstanceTypeMarker,
		}
	}
}

// A traffic policy goes when its last version is deleted. A version that a
// record outside the prefix still uses is refused by Route 53
// (TrafficPolicyInUse) and reported as failed.
func sweepPolicyVersions(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Route53(ctx)
	in := &route53.ListTrafficPoliciesInput{}
	for {
		page, err := conn.ListTrafficPolicies(ctx, in)
		if err != nil {
			return err
		}
		for _, p := range page.TrafficPolicySummaries {
			id, name := aws.ToString(p.Id), aws.ToString(p.Name)
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			versions, err := policyVersions(ctx, conn, id)
			if err != nil {
				return fmt.Errorf("listing the versions of traffic policy %s (%s): %w", name, id, err)
			}
			for _, v := range versions {
				s.Found(ctx, "traffic policy version", fmt.Sprintf("%s %s/%d", name, id, v), func(ctx context.Context) error {
					_, err := conn.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: aws.String(id), Version: aws.Int32(v)})
					if awsapi.IsA[*awstypes.NoSuchTrafficPolicy](err) {
						return nil
					}
					return err
				})
			}
		}
		if !page.IsTruncated {
			return nil
		}
		in = &route53.ListTrafficPoliciesInput{TrafficPolicyIdMarker: page.TrafficPolicyIdMarker}
	}
}

func policyVersions(ctx context.Context, conn *route53.Client, id string) ([]int32, error) {
	var out []int32
	in := &route53.ListTrafficPolicyVersionsInput{Id: aws.String(id)}
	for {
		page, err := conn.ListTrafficPolicyVersions(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, v := range page.TrafficPolicies {
			out = append(out, aws.ToInt32(v.Version))
		}
		if !page.IsTruncated {
			return out, nil
		}
		in = &route53.ListTrafficPolicyVersionsInput{Id: aws.String(id), TrafficPolicyVersionMarker: page.TrafficPolicyVersionMarker}
	}
}

func sweepHealthChecks(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Route53(ctx)
	var ids []string
	p := route53.NewListHealthChecksPaginator(conn, &route53.ListHealthChecksInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, hc := range page.HealthChecks {
			ids = append(ids, aws.ToString(hc.Id))
		}
	}
	// ListTagsForResources takes at most 10 ids.
	for chunk := range slices.Chunk(ids, 10) {
		out, err := conn.ListTagsForResources(ctx, &route53.ListTagsForResourcesInput{
			ResourceType: awstypes.TagResourceTypeHealthcheck, ResourceIds: chunk,
		})
		if err != nil {
			return err
		}
		for _, set := range out.ResourceTagSets {
			id, name := aws.ToString(set.ResourceId), ""
			for _, tag := range set.Tags {
				if aws.ToString(tag.Key) == "Name" {
					name = aws.ToString(tag.Value)
				}
			}
			if !acctest.IsTestName(name) {
				s.Outside(1)
				continue
			}
			s.Found(ctx, "health check", fmt.Sprintf("%s (Name %s)", id, name), func(ctx context.Context) error {
				_, err := conn.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(id)})
				if awsapi.IsA[*awstypes.NoSuchHealthCheck](err) {
					return nil
				}
				return err
			})
		}
	}
	return nil
}

// The tests' hosted zones, with what is left in them (Route 53 refuses to
// delete a zone with records other than its own SOA and NS).
func sweepHostedZones(ctx context.Context, s *acctest.Sweep) error {
	conn := s.Client.Route53(ctx)
	zones, err := hostedZones(ctx, conn)
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(zones)) {
		name := zones[id]
		if !acctest.IsTestName(name) {
			s.Outside(1)
			continue
		}
		s.Found(ctx, "hosted zone", fmt.Sprintf("%s (%s)", name, id), func(ctx context.Context) error {
			if err := emptyHostedZone(ctx, conn, id, name); err != nil {
				return err
			}
			_, err := conn.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)})
			if awsapi.IsA[*awstypes.NoSuchHostedZone](err) {
				return nil
			}
			return err
		})
	}
	return nil
}

// emptyHostedZone deletes every record set of the zone but its apex SOA
// and NS.
func emptyHostedZone(ctx context.Context, conn *route53.Client, id, name string) error {
	var changes []awstypes.Change
	p := route53.NewListResourceRecordSetsPaginator(conn, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, rs := range page.ResourceRecordSets {
			if strings.EqualFold(aws.ToString(rs.Name), name) && (rs.Type == awstypes.RRTypeSoa || rs.Type == awstypes.RRTypeNs) {
				continue
			}
			changes = append(changes, awstypes.Change{Action: awstypes.ChangeActionDelete, ResourceRecordSet: &rs})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	_, err := conn.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(id), ChangeBatch: &awstypes.ChangeBatch{Changes: changes},
	})
	return err
}

// ------------------------------------------------------------------ test

// TestSweepers fills an emulator of its own with what production holds — a
// zone with records, a traffic policy, policy records, health checks (one
// without tags) and names that look like the prefix but are not it — then
// leaks a test's objects next to them: a zone with a policy record and a
// plain record set, a policy with two versions, a test record in the
// production zone, health checks named by tag. The dry run lists exactly
// the leaked objects and changes nothing; the deleting run leaves exactly
// what was there before the leak; a second run finds nothing.
func TestSweepers(t *testing.T) {
	emu := acctest.NewPrivateEmulator(t)
	c := emu.Client(t)
	ctx := context.Background()
	conn := c.Route53(ctx)
	leak := acctest.RandomName("tf-acc-sweep")

	// Production.
	prodZone := sweepZone(t, conn, "prod.example.com")
	sweepZone(t, conn, "tf-accounts.example.com")
	flights := sweepPolicy(t, conn, "flights", 1)
	sweepPolicy(t, conn, "tf-accounting", 1)
	sweepRecord(t, conn, prodZone, "www.prod.example.com", flights, 1)
	sweepRecordSet(t, conn, prodZone, "api.prod.example.com")
	sweepHealthCheck(t, conn, "192.0.2.10", "prod-sin")
	sweepHealthCheck(t, conn, "192.0.2.11", "")
	kept := inventoryIDs(emu)

	// What a test left.
	testZone := sweepZone(t, conn, leak+".example.com")
	testPolicy := sweepPolicy(t, conn, leak, 2)
	sweepRecord(t, conn, testZone, "www."+leak+".example.com", testPolicy, 2)
	sweepRecord(t, conn, prodZone, leak+".prod.example.com", flights, 1)
	sweepRecordSet(t, conn, testZone, "api."+leak+".example.com")
	hc1 := sweepHealthCheck(t, conn, "192.0.2.20", leak+"-sin")
	hc2 := sweepHealthCheck(t, conn, "192.0.2.21", leak+"-bom")
	leaked := []string{
		"policy record www." + leak + ".example.com. A",
		"policy record " + leak + ".prod.example.com. A",
		"traffic policy version " + leak + " " + testPolicy + "/1",
		"traffic policy version " + leak + " " + testPolicy + "/2",
		"health check " + hc1 + " (Name " + leak + "-sin)",
		"health check " + hc2 + " (Name " + leak + "-bom)",
		"hosted zone " + leak + ".example.com. (" + testZone + ")",
	}
	before := inventoryIDs(emu)
	if len(before) <= len(kept) {
		t.Fatal("the fixture leaked nothing")
	}

	run := acctest.SweepRun{URL: emu.URL(), Regions: []string{acctest.Region1, acctest.Region2}}
	out := acctest.RunSweepers(t, run)
	t.Logf("dry run:\n%s", out)
	wouldDelete := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, ": would delete ") {
			wouldDelete++
			if !strings.Contains(line, leak) && !strings.Contains(line, testZone) {
				t.Errorf("the dry run would delete an object outside the prefix: %s", line)
			}
		}
	}
	for _, want := range leaked {
		if !strings.Contains(out, "would delete "+want) {
			t.Errorf("the dry run does not list %q", want)
		}
	}
	if wouldDelete != len(leaked) {
		t.Errorf("the dry run lists %d objects, want %d", wouldDelete, len(leaked))
	}
	if after := inventoryIDs(emu); !slices.Equal(after, before) {
		t.Fatalf("the dry run changed the emulator:\nbefore %v\nafter  %v", before, after)
	}

	run.Delete = true
	out = acctest.RunSweepers(t, run)
	t.Logf("deleting run:\n%s", out)
	for _, want := range leaked {
		if !strings.Contains(out, "deleted "+want) {
			t.Errorf("the deleting run does not report deleting %q", want)
		}
	}
	for _, want := range []string{
		"sweep regis_traffic_policy_records global (aws): 2 found, 2 deleted, 0 failed; 1 not named tf-acc-*, left alone",
		"sweep regis_traffic_policy_versions global (aws): 2 found, 2 deleted, 0 failed; 2 not named tf-acc-*, left alone",
		"sweep regis_health_checks global (aws): 2 found, 2 deleted, 0 failed; 2 not named tf-acc-*, left alone",
		"sweep regis_hosted_zones global (aws): 1 found, 1 deleted, 0 failed; 2 not named tf-acc-*, left alone",
		"sweep regis_health_checks: global, already swept in partition aws",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report has no line %q", want)
		}
	}
	if after := inventoryIDs(emu); !slices.Equal(after, kept) {
		t.Errorf("after the sweep:\n got  %v\n want %v", after, kept)
	}

	out = acctest.RunSweepers(t, run)
	if strings.Contains(out, "deleted ") && !strings.Contains(out, "0 deleted") || strings.Contains(out, "FAILED") {
		t.Errorf("a second sweep deleted or failed something:\n%s", out)
	}
	if after := inventoryIDs(emu); !slices.Equal(after, kept) {
		t.Errorf("the second sweep changed the emulator: %v", after)
	}
}

func inventoryIDs(emu *acctest.PrivateEmulator) []string {
	var out []string
	for _, r := range emu.Inventory() {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Service, r.Region, r.Type, r.ID))
	}
	slices.Sort(out)
	return out
}

func sweepZone(t *testing.T, conn *route53.Client, name string) string {
	t.Helper()
	out, err := conn.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name)})
	if err != nil {
		t.Fatalf("hosted zone %s: %v", name, err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
}

func sweepRecordSet(t *testing.T, conn *route53.Client, zoneID, name string) {
	t.Helper()
	_, err := conn.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &awstypes.ChangeBatch{Changes: []awstypes.Change{{Action: awstypes.ChangeActionCreate, ResourceRecordSet: &awstypes.ResourceRecordSet{
			Name: aws.String(name), Type: awstypes.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []awstypes.ResourceRecord{{Value: aws.String("192.0.2.99")}},
		}}}},
	})
	if err != nil {
		t.Fatalf("record set %s: %v", name, err)
	}
}

// sweepPolicy creates a traffic policy with versions versions and returns
// its id.
func sweepPolicy(t *testing.T, conn *route53.Client, name string, versions int) string {
	t.Helper()
	ctx := context.Background()
	doc := func(v int) *string {
		return aws.String(fmt.Sprintf(`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"e","Endpoints":{"e":{"Type":"value","Value":"192.0.2.%d"}}}`, v))
	}
	out, err := conn.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String(name), Document: doc(1)})
	if err != nil {
		t.Fatalf("traffic policy %s: %v", name, err)
	}
	id := aws.ToString(out.TrafficPolicy.Id)
	for v := 2; v <= versions; v++ {
		if _, err := conn.CreateTrafficPolicyVersion(ctx, &route53.CreateTrafficPolicyVersionInput{Id: aws.String(id), Document: doc(v)}); err != nil {
			t.Fatalf("traffic policy %s version %d: %v", name, v, err)
		}
	}
	return id
}

func sweepRecord(t *testing.T, conn *route53.Client, zoneID, name, policyID string, version int32) {
	t.Helper()
	ctx := context.Background()
	out, err := conn.CreateTrafficPolicyInstance(ctx, &route53.CreateTrafficPolicyInstanceInput{
		HostedZoneId: aws.String(zoneID), Name: aws.String(name), TTL: aws.Int64(60),
		TrafficPolicyId: aws.String(policyID), TrafficPolicyVersion: aws.Int32(version),
	})
	if err != nil {
		t.Fatalf("policy record %s: %v", name, err)
	}
	if _, err := trafficpolicy.WaitTrafficPolicyInstanceApplied(ctx, conn, aws.ToString(out.TrafficPolicyInstance.Id), time.Minute); err != nil {
		t.Fatalf("policy record %s: %v", name, err)
	}
}

// sweepHealthCheck creates a TCP health check of ip, tagged Name=name
// unless name is empty, and returns its id.
func sweepHealthCheck(t *testing.T, conn *route53.Client, ip, name string) string {
	t.Helper()
	ctx := context.Background()
	out, err := conn.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
		CallerReference:   aws.String("sweep-" + ip),
		HealthCheckConfig: &awstypes.HealthCheckConfig{Type: awstypes.HealthCheckTypeTcp, IPAddress: aws.String(ip), Port: aws.Int32(443)},
	})
	if err != nil {
		t.Fatalf("health check %s: %v", ip, err)
	}
	id := aws.ToString(out.HealthCheck.Id)
	if name != "" {
		_, err := conn.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{
			ResourceId: aws.String(id), ResourceType: awstypes.TagResourceTypeHealthcheck,
			AddTags: []awstypes.Tag{{Key: aws.String("Name"), Value: aws.String(name)}},
		})
		if err != nil {
			t.Fatalf("health check %s tags: %v", ip, err)
		}
	}
	return id
}
