package difftest

import (
	"math"
	"testing"
)

// The DNS comparison: for one document, client region and health state, the
// simulator gives each endpoint (and "no answer") an exact share p; the
// emulator answers N lookups, and each lookup contributes X = (times the
// endpoint is in the answer) / (records in the answer), a value in [0, 1]
// whose mean is p when the emulator agrees (one record per answer for every
// rule but multivalue, where an answer carries up to 8 of k endpoints, each
// with share 1/k).
//
// For independent X in [0, 1] with mean p, Hoeffding's inequality in its
// relative-entropy form bounds each tail of the observed mean m:
// P(m ≥ x) ≤ exp(−N·KL(x‖p)) for x > p, and likewise below. A comparison
// fails when N·KL(m‖p) exceeds ln(2·maxComparisons/falseAlarm), which keeps
// the chance that any comparison of a run fails by chance alone under
// falseAlarm, by the union bound over at most maxComparisons comparisons
// (each with two tails). An expected share of exactly 0 or 1 must be observed
// exactly.
const (
	falseAlarm     = 1e-3 // per run, for every comparison together
	maxComparisons = 1e7  // upper bound on comparisons in a run (100,000 documents)
)

// failThreshold is the N·KL value above which a comparison fails.
var failThreshold = math.Log(2 * maxComparisons / falseAlarm)

// kl is the relative entropy KL(m‖p) of Bernoulli means, in nats.
func kl(m, p float64) float64 {
	term := func(a, b float64) float64 {
		if a == 0 {
			return 0
		}
		if b == 0 {
			return math.Inf(1)
		}
		return a * math.Log(a/b)
	}
	return term(m, p) + term(1-m, 1-p)
}

// disagrees reports whether mean m of n observations is too far from p.
func disagrees(m, p float64, n int) bool {
	const eps = 1e-9 // float noise in shares computed as sums of products
	if p < eps {
		return m > 0
	}
	if p > 1-eps {
		return m < 1-1e-12
	}
	return float64(n)*kl(m, p) > failThreshold
}

// TestStatisticalBound checks the bound's arithmetic on known cases.
func TestStatisticalBound(t *testing.T) {
	cases := []struct {
		m, p float64
		n    int
		want bool
	}{
		{0, 0, 30, false},
		{0.01, 0, 100, true},
		{1, 1, 30, false},
		{0.99, 1, 100, true},
		{0.5, 0.5, 300, false},
		{0.55, 0.5, 300, false}, // within noise
		{0.75, 0.5, 300, true},  // a 3:1 read as 1:1
		{0.25, 0.10, 300, true}, // a 10 % share answered 25 % of the time
		{0.12, 0.10, 300, false},
	}
	for _, c := range cases {
		if got := disagrees(c.m, c.p, c.n); got != c.want {
			t.Errorf("disagrees(m=%v, p=%v, n=%d) = %v (N·KL=%.1f, threshold %.1f)", c.m, c.p, c.n, got, float64(c.n)*kl(c.m, c.p), failThreshold)
		}
	}
}
