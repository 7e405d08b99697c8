package trafficpolicy_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/miekg/dns"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	emuroute53 "github.com/regis-infra/terraform-provider-regis/internal/emulator/route53"
)

// endpointOf maps the test policy's addresses to its endpoint ids.
var endpointOf = map[string]string{ipSingle: "single", ipSingapore: "ap-southeast-1", ipMumbai: "ap-south-1"}

// lookupShares resolves name n times through the emulator's Lookup for a
// client in region and returns the share of answers per endpoint id.
func lookupShares(svc *emuroute53.Service, region, name string, n int, rnd *rand.Rand) (map[string]float64, error) {
	counts := map[string]int{}
	for range n {
		answers, err := svc.Lookup(region, name, "A", rnd)
		if err != nil {
			return nil, err
		}
		if len(answers) != 1 {
			return nil, fmt.Errorf("lookup of %s from %s: %d answers %v, want 1", name, region, len(answers), answers)
		}
		id := endpointOf[answers[0].Value]
		if id == "" || answers[0].Endpoint != id {
			return nil, fmt.Errorf("lookup of %s from %s answered %s (endpoint %q)", name, region, answers[0].Value, answers[0].Endpoint)
		}
		counts[id]++
	}
	shares := map[string]float64{}
	for id, c := range counts {
		shares[id] = float64(c) / float64(n)
	}
	return shares, nil
}

// dnsShares asks a real DNS server n times and returns the share of answers
// per endpoint id.
func dnsShares(addr, name string, n int) (map[string]float64, error) {
	client := &dns.Client{Timeout: 2 * time.Second}
	counts := map[string]int{}
	for range n {
		q := new(dns.Msg)
		q.SetQuestion(dns.Fqdn(name), dns.TypeA)
		r, _, err := client.Exchange(q, addr)
		if err != nil {
			return nil, err
		}
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
			return nil, fmt.Errorf("DNS answer for %s: rcode %s, %d records", name, dns.RcodeToString[r.Rcode], len(r.Answer))
		}
		a, ok := r.Answer[0].(*dns.A)
		if !ok || endpointOf[a.A.String()] == "" {
			return nil, fmt.Errorf("DNS answer for %s: %v", name, r.Answer[0])
		}
		if ttl := a.Hdr.Ttl; ttl != 60 {
			return nil, fmt.Errorf("DNS answer TTL %d, want the record's 60", ttl)
		}
		counts[endpointOf[a.A.String()]]++
	}
	shares := map[string]float64{}
	for id, c := range counts {
		shares[id] = float64(c) / float64(n)
	}
	return shares, nil
}

// simulated reads the data source's simulation row for scenario/region.
func simulated(s *terraform.State, address, scenario, region string) (map[string]float64, error) {
	a := s.RootModule().Resources[address].Primary.Attributes
	n, _ := strconv.Atoi(a["simulation.#"])
	for i := range n {
		p := "simulation." + strconv.Itoa(i) + "."
		if a[p+"scenario"] != scenario || a[p+"client_region"] != region {
			continue
		}
		shares := map[string]float64{}
		for _, id := range []string{"single", "ap-southeast-1", "ap-south-1"} {
			if v, ok := a[p+"shares."+id]; ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, err
				}
				shares[id] = f / 100
			}
		}
		return shares, nil
	}
	return nil, fmt.Errorf("no simulation for %s/%s", scenario, region)
}

func near(got, want, tolerance float64) bool { return got >= want-tolerance && got <= want+tolerance }

// The 90/10 policy record through the emulator's Route 53, as DNS clients
// see it: 10 % ± 2 % of 10,000 Singapore lookups reach the latency rule; with
// Singapore's health check failing Singapore clients are answered from Mumbai,
// and from Singapore again once it recovers. What the document data source
// simulates for the same document is what DNS answers.
func TestAccTrafficPolicyRecord_simulationThroughDNS(t *testing.T) {
	testAccBegin(t)
	svc := route53Emulator(t)
	zoneID, zoneName := testAccHostedZone(t)
	name := acctest.RandomName("tf-acc-dns")
	fqdn := "www." + zoneName
	doc := "data.regis_traffic_policy_document.v2"
	config := acctest.ConfigCompose(
		acctest.ProviderConfig(),
		testAccHealthChecksConfig(name),
		testAccVersionConfig("v2", name, 90, 10),
		testAccRecordConfig(zoneID, zoneName, "v2"),
		fmt.Sprintf(`
data "regis_traffic_policy_document" "v2" {
%s
  simulate {
    client_regions = ["ap-southeast-1", "ap-south-1"]
    scenario {
      name                    = "singapore down"
      unhealthy_health_checks = [regis_health_check.sin.id]
    }
  }
}
`, testAccDocumentBlocks(90, 10)),
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(t, zoneID),
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: emptyPlanAfterApply,
			Check: func(s *terraform.State) error {
				sinHC, err := attr(s, "regis_health_check.sin", "id")
				if err != nil {
					return err
				}
				versionJSON, _ := attr(s, "regis_traffic_policy_version.v2", "document_json")
				if dsJSON, _ := attr(s, doc, "json"); dsJSON != versionJSON {
					return fmt.Errorf("data source json %s differs from the version's %s", dsJSON, versionJSON)
				}
				srv, err := svc.StartDNS(emuroute53.DNSConfig{ClientRegion: "ap-southeast-1", Addr: "127.0.0.1:0"})
				if err != nil {
					return err
				}
				defer srv.Close()
				rnd := rand.New(rand.NewPCG(2024, 90))

				// Healthy: 90 % single region, 10 % latency rule (Singapore).
				shares, err := lookupShares(svc, "ap-southeast-1", fqdn, 10000, rnd)
				if err != nil {
					return err
				}
				t.Logf("10,000 lookups from ap-southeast-1: %v", shares)
				if !near(shares["ap-southeast-1"], 0.10, 0.02) || !near(shares["single"], 0.90, 0.02) || shares["ap-south-1"] != 0 {
					return fmt.Errorf("10,000 Singapore lookups: shares %v, want single 90 %% and ap-southeast-1 10 %% (± 2 %%)", shares)
				}
				want, err := simulated(s, doc, "healthy", "ap-southeast-1")
				if err != nil {
					return err
				}
				for id, w := range want {
					if !near(shares[id], w, 0.02) {
						return fmt.Errorf("lookups %v differ from the data source's simulation %v", shares, want)
					}
				}
				viaDNS, err := dnsShares(srv.Addr(), fqdn, 200)
				if err != nil {
					return err
				}
				t.Logf("200 DNS queries from ap-southeast-1: %v", viaDNS)
				if viaDNS["single"] == 0 || viaDNS["ap-southeast-1"] == 0 || viaDNS["ap-south-1"] != 0 {
					return fmt.Errorf("200 DNS queries from Singapore: %v, want both Singapore endpoints and no Mumbai", viaDNS)
				}
				// Mumbai clients: the 10 % go to Mumbai.
				shares, err = lookupShares(svc, "ap-south-1", fqdn, 10000, rnd)
				if err != nil {
					return err
				}
				t.Logf("10,000 lookups from ap-south-1: %v", shares)
				if !near(shares["ap-south-1"], 0.10, 0.02) || !near(shares["single"], 0.90, 0.02) {
					return fmt.Errorf("10,000 Mumbai lookups: shares %v, want single 90 %% and ap-south-1 10 %%", shares)
				}

				// Singapore fails: its clients are answered from Mumbai.
				if err := svc.SetHealthCheckStatus(sinHC, false); err != nil {
					return err
				}
				shares, err = lookupShares(svc, "ap-southeast-1", fqdn, 1000, rnd)
				if err != nil {
					return err
				}
				if shares["ap-south-1"] != 1 {
					return fmt.Errorf("Singapore unhealthy: Singapore lookups %v, want all from ap-south-1", shares)
				}
				if want, err := simulated(s, doc, "singapore down", "ap-southeast-1"); err != nil || want["ap-south-1"] != 1 {
					return fmt.Errorf("data source simulation of singapore down: %v %w", want, err)
				}
				if viaDNS, err = dnsShares(srv.Addr(), fqdn, 20); err != nil || viaDNS["ap-south-1"] != 1 {
					return fmt.Errorf("Singapore unhealthy: DNS answers %v (%w), want all from ap-south-1", viaDNS, err)
				}

				// Recovery: Singapore answers again.
				if err := svc.SetHealthCheckStatus(sinHC, true); err != nil {
					return err
				}
				shares, err = lookupShares(svc, "ap-southeast-1", fqdn, 1000, rnd)
				if err != nil {
					return err
				}
				if shares["ap-south-1"] != 0 || shares["ap-southeast-1"] == 0 || shares["single"] == 0 {
					return fmt.Errorf("Singapore recovered: Singapore lookups %v, want Singapore only", shares)
				}
				if viaDNS, err = dnsShares(srv.Addr(), fqdn, 50); err != nil || viaDNS["ap-south-1"] != 0 {
					return fmt.Errorf("Singapore recovered: DNS answers %v (%w), want Singapore only", viaDNS, err)
				}
				return nil
			},
		}},
	})
}
