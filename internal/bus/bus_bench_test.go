package bus_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/regis-infra/terraform-provider-regis/internal/acctest"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
)

// benchRegions are the regions of the scaling benchmark.
var benchRegions = []string{
	"ap-southeast-1", "ap-south-1", "us-east-1", "us-west-2",
	"eu-west-1", "eu-central-1", "ap-northeast-1", "sa-east-1",
}

// TestBusApplyScaling measures `terraform apply` of a new bus with 1 and
// with 8 regions against the in-process emulator and prints the ratio.
// Regions are created in parallel, so 8 regions should take little longer
// than 1 (target: ≤ 1.5×). It asserts nothing about time: run it on purpose,
//
//	REGIS_BENCH_APPLY=1 TF_ACC=1 go test ./internal/bus -run TestBusApplyScaling -v
//
// REGIS_BENCH_ROUNDS sets the rounds per size (default 3; the median is used).
func TestBusApplyScaling(t *testing.T) {
	if os.Getenv("REGIS_BENCH_APPLY") == "" {
		t.Skip("set REGIS_BENCH_APPLY=1 to measure terraform apply for 1 and 8 regions")
	}
	acctest.Emulator(t)
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("REGIS_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	// A tiny package (a bootstrap script that is never invoked) isolates the
	// provider's orchestration from the cost of uploading ~5 MB per region,
	// which on a small machine running Terraform, the provider and the
	// emulator together is CPU-bound.
	tiny := filepath.Join(t.TempDir(), "tiny.zip")
	z, err := lambdazip.Zip([]byte("#!/bin/sh\nexit 1\n"), time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tiny, z, 0o644); err != nil {
		t.Fatal(err)
	}
	measure := func(n int, extra ...string) time.Duration {
		var times []time.Duration
		for range rounds {
			name := acctest.RandomName("tf-bench")
			var start time.Time
			var took time.Duration
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { preCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             checkNoBusObjects(t, name),
				Steps: []resource.TestStep{{
					PreConfig: func() { start = time.Now() },
					Config:    testBusConfig(name, regionsOf(benchRegions[:n]...), extra...),
					Check: func(*terraform.State) error {
						took = time.Since(start)
						return nil
					},
				}},
			})
			times = append(times, took)
		}
		slices.Sort(times)
		return times[len(times)/2]
	}
	// Warm up (provider schema, zips, connections) before measuring.
	measure(1)
	for _, c := range []struct {
		what  string
		extra []string
	}{
		{"bundled consumer (5 MB zip per region)", nil},
		{"tiny consumer zip", []string{fmt.Sprintf("consumer_zip = %q", tiny)}},
	} {
		one := measure(1, c.extra...)
		eight := measure(8, c.extra...)
		msg := fmt.Sprintf("terraform apply of a new bus, %s, median of %d: 1 region %s, 8 regions %s, ratio %.2f×",
			c.what, rounds, one.Round(time.Millisecond), eight.Round(time.Millisecond), float64(eight)/float64(one))
		t.Log(msg)
		fmt.Println(msg)
	}
}
