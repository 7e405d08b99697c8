package acctest

// Reliability reports: the numbers that a package's reliability and security
// tests measure (fault and throttling sweeps, drift cases, invalid
// configurations, security checks), gathered while the test binary runs,
// printed as a summary when it ends and, when REGIS_RELIABILITY_OUT is set,
// written as JSON files into that directory.
//
// A package declares one Report and its counters, and its TestMain prints
// the summary once the tests have run:
//
//	var reliability = &acctest.Report{Heading: "=== regis_xxx reliability summary", FilePrefix: "xxx-reliability-"}
//	var driftCount = reliability.Counter("drift", "drift", "healed")
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		reliability.Finish()
//		os.Exit(code)
//	}

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvReliabilityOut names a directory where reliability tests write their
// numbers as JSON: one file per fault sweep (<FilePrefix><test>.json) and
// the summary (<FilePrefix>summary.json) when the test binary ends.
const EnvReliabilityOut = "REGIS_RELIABILITY_OUT"

// CaseCount counts the cases of one test and those that did what they must
// (healed, were rejected, passed).
type CaseCount struct {
	Tried     int      `json:"tried"`
	Succeeded int      `json:"succeeded"`
	Names     []string `json:"succeeded_cases,omitempty"`
	Failed    []string `json:"failed_cases,omitempty"`
}

// Report gathers the reliability numbers of one test binary. Its methods may
// be called from parallel tests. The zero value is ready to use, but the
// summary and file names want Heading and FilePrefix.
type Report struct {
	// Heading is the summary's first line.
	Heading string
	// FilePrefix starts the names of the JSON files.
	FilePrefix string
	// ListFailed adds, under a counter's line, the names of the cases that
	// did not succeed.
	ListFailed bool

	mu         sync.Mutex
	faults     map[string]FaultStats
	throttling map[string]FaultStats
	counters   []*Counter
	calls      []PhaseCalls
	durations  map[string]string
}

// Counter counts the cases of one sort (drift cases, invalid
// configurations, security checks) by test.
type Counter struct {
	report *Report
	key    string
	label  string
	verb   string
	tests  map[string]*CaseCount
}

// Counter adds a counter to the report. key names its numbers in the JSON
// summary; in the printed summary each test counted has a line
//
//	<label> <test>: <tried> tried, <succeeded> <verb>
//
// Counters are printed, and written, in the order they were added.
func (r *Report) Counter(key, label, verb string) *Counter {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &Counter{report: r, key: key, label: label, verb: verb, tests: map[string]*CaseCount{}}
	r.counters = append(r.counters, c)
	return c
}

// Count counts one case, named name, of test: ok says whether it did what it
// must.
func (c *Counter) Count(test, name string, ok bool) {
	c.report.mu.Lock()
	defer c.report.mu.Unlock()
	n := c.tests[test]
	if n == nil {
		n = &CaseCount{}
		c.tests[test] = n
	}
	n.Tried++
	if ok {
		n.Succeeded++
		n.Names = append(n.Names, name)
	} else {
		n.Failed = append(n.Failed, name)
	}
}

// RecordSweep logs the report of t's fault sweep, writes it as JSON
// (<FilePrefix><test>.json, slashes of the test's name made underscores)
// and adds its numbers, by fault kind, to the faults or, when throttling,
// to the throttling numbers. A took above zero is the sweep's wall time: it
// is logged and summarised too.
func (r *Report) RecordSweep(t *testing.T, report *FaultReport, throttling bool, took time.Duration) {
	t.Helper()
	if took > 0 {
		t.Logf("\n%s(wall time %s)", report.Summary(), took.Round(time.Second))
	} else {
		t.Log("\n" + report.Summary())
	}
	writeReliabilityJSON(t, r.FilePrefix+strings.ReplaceAll(t.Name(), "/", "_")+".json", report)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = report.Calls
	if took > 0 {
		if r.durations == nil {
			r.durations = map[string]string{}
		}
		r.durations[t.Name()] = took.Round(time.Second).String()
	}
	m := &r.faults
	if throttling {
		m = &r.throttling
	}
	if *m == nil {
		*m = map[string]FaultStats{}
	}
	for _, kind := range report.Kinds() {
		(*m)[t.Name()+"/"+kind] = report.Stats(kind)
	}
}

// Finish prints the summary and writes it as JSON (<FilePrefix>summary.json),
// unless nothing was recorded. TestMain calls it after the tests have run.
func (r *Report) Finish() { r.finish(os.Stdout) }

func (r *Report) finish(w io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.recorded() {
		return
	}
	fmt.Fprint(w, r.summary())
	writeReliabilityJSON(nil, r.FilePrefix+"summary.json", lockedReport{r})
}

// Summary is what Finish prints.
func (r *Report) Summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.summary()
}

// recorded reports whether any sweep or case was recorded (r.mu held).
func (r *Report) recorded() bool {
	n := len(r.faults) + len(r.throttling)
	for _, c := range r.counters {
		n += len(c.tests)
	}
	return n > 0
}

// summary is Summary with r.mu held.
func (r *Report) summary() string {
	var b strings.Builder
	b.WriteString("\n" + r.Heading + "\n")
	for _, kind := range []struct {
		name string
		m    map[string]FaultStats
	}{{"faults", r.faults}, {"throttling", r.throttling}} {
		for _, test := range slices.Sorted(maps.Keys(kind.m)) {
			fmt.Fprintf(&b, "%s %s: %s\n", kind.name, test, kind.m[test])
		}
	}
	for _, test := range slices.Sorted(maps.Keys(r.durations)) {
		fmt.Fprintf(&b, "wall time %s: %s\n", test, r.durations[test])
	}
	for _, c := range r.counters {
		for _, test := range slices.Sorted(maps.Keys(c.tests)) {
			n := c.tests[test]
			fmt.Fprintf(&b, "%s %s: %d tried, %d %s\n", c.label, test, n.Tried, n.Succeeded, c.verb)
			if r.ListFailed && len(n.Failed) > 0 {
				fmt.Fprintf(&b, "  failed: %s\n", strings.Join(n.Failed, "; "))
			}
		}
	}
	return b.String()
}

// lockedReport is a Report whose lock its user holds, as JSON: faults,
// throttling, each counter under its key, calls and durations, in that
// order, each left out when empty.
type lockedReport struct{ r *Report }

func (l lockedReport) MarshalJSON() ([]byte, error) {
	r := l.r
	var b bytes.Buffer
	b.WriteByte('{')
	add := func(key string, n int, v any) error {
		if n == 0 {
			return nil
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(key)
		if err != nil {
			return err
		}
		val, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	if err := add("faults", len(r.faults), r.faults); err != nil {
		return nil, err
	}
	if err := add("throttling", len(r.throttling), r.throttling); err != nil {
		return nil, err
	}
	for _, c := range r.counters {
		if err := add(c.key, len(c.tests), c.tests); err != nil {
			return nil, err
		}
	}
	if err := add("calls", len(r.calls), r.calls); err != nil {
		return nil, err
	}
	if err := add("durations", len(r.durations), r.durations); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeReliabilityJSON writes v, indented, to $REGIS_RELIABILITY_OUT/name
// when that variable is set. A failure fails t, or is printed when t is nil
// (after the tests, from TestMain).
func writeReliabilityJSON(t testing.TB, name string, v any) {
	dir := os.Getenv(EnvReliabilityOut)
	if dir == "" {
		return
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), append(out, '\n'), 0o644)
	}
	if err != nil && t != nil {
		t.Errorf("writing %s: %v", name, err)
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "writing %s: %v\n", name, err)
	}
}
