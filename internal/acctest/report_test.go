package acctest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReportSummary(t *testing.T) {
	r := &Report{Heading: "=== regis_x reliability summary", FilePrefix: "x-reliability-", ListFailed: true}
	var printed strings.Builder
	if r.finish(&printed); printed.Len() > 0 {
		t.Fatalf("an empty report printed %q", printed.String())
	}
	drift := r.Counter("drift", "drift", "shown by plan and healed by apply")
	invalid := r.Counter("invalid_configs", "invalid configs", "rejected at plan")
	atApply := r.Counter("invalid_configs_at_apply", "invalid configs", "rejected at apply, nothing left")
	drift.Count("TestDrift", "tags", true)
	drift.Count("TestDrift", "policy", false)
	drift.Count("TestDrift", "role", false)
	invalid.Count("TestBadInput", "empty name", true)
	atApply.Count("TestOutsideZone", "record outside its zone", true)

	want := "\n=== regis_x reliability summary\n" +
		"drift TestDrift: 3 tried, 1 shown by plan and healed by apply\n" +
		"  failed: policy; role\n" +
		"invalid configs TestBadInput: 1 tried, 1 rejected at plan\n" +
		"invalid configs TestOutsideZone: 1 tried, 1 rejected at apply, nothing left\n"
	if got := r.Summary(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	r.ListFailed = false
	if got := r.Summary(); strings.Contains(got, "failed:") {
		t.Errorf("summary without ListFailed lists failures:\n%s", got)
	}
}

func TestReportSweepAndJSON(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvReliabilityOut, dir)
	r := &Report{Heading: "=== sweeps", FilePrefix: "x-reliability-"}
	security := r.Counter("security_checks", "security checks", "passed")
	security.Count("TestSecrets", "no secret in the state", true)

	sweep := &FaultReport{
		Calls: []PhaseCalls{{Phase: "create", Calls: []CallKey{{Service: "sns", Action: "CreateTopic", Occurrence: 1}}}},
		Cases: []*FaultCase{
			{Name: "create.CreateTopic#1", Kind: "InternalFailure", Ran: true, PhaseFailed: true, FailedAsExpected: true, Converged: true, Passed: true},
			{Name: "create.CreateTopic#1", Kind: "LostResponse"},
		},
	}
	t.Run("faults", func(t *testing.T) { r.RecordSweep(t, sweep, false, 90*time.Second) })
	t.Run("throttling", func(t *testing.T) { r.RecordSweep(t, sweep, true, 0) })

	sum := r.Summary()
	for _, line := range []string{
		"faults TestReportSweepAndJSON/faults/InternalFailure: 1 cases, 1 tried, 1 phases failed, 1 as expected, 1 converged, 0 with orphans (0 objects), 0 objects left after destroy, 1 passed\n",
		"faults TestReportSweepAndJSON/faults/LostResponse: 1 cases, 0 tried,",
		"throttling TestReportSweepAndJSON/throttling/InternalFailure: 1 cases,",
		"wall time TestReportSweepAndJSON/faults: 1m30s\n",
		"security checks TestSecrets: 1 tried, 1 passed\n",
	} {
		if !strings.Contains(sum, line) {
			t.Errorf("summary lacks %q:\n%s", line, sum)
		}
	}
	if strings.Contains(sum, "wall time TestReportSweepAndJSON/throttling") {
		t.Errorf("a sweep without wall time has one in the summary:\n%s", sum)
	}

	for _, name := range []string{"x-reliability-TestReportSweepAndJSON_faults.json", "x-reliability-TestReportSweepAndJSON_throttling.json"} {
		var got FaultReport
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		} else if err := json.Unmarshal(b, &got); err != nil || len(got.Cases) != 2 {
			t.Errorf("%s: %v, %d cases", name, err, len(got.Cases))
		}
	}

	var printed strings.Builder
	r.finish(&printed)
	if printed.String() != sum {
		t.Errorf("Finish printed:\n%s\nwant the summary:\n%s", printed.String(), sum)
	}
	b, err := os.ReadFile(filepath.Join(dir, "x-reliability-summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The keys come in a fixed order, empty ones left out.
	var keys []string
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(keys, " "), "faults throttling security_checks calls durations"; got != want {
		t.Errorf("summary JSON keys %s, want %s:\n%s", got, want, b)
	}
	var parsed struct {
		Security map[string]*CaseCount `json:"security_checks"`
	}
	if err := json.Unmarshal(b, &parsed); err != nil || parsed.Security["TestSecrets"] == nil || parsed.Security["TestSecrets"].Names[0] != "no secret in the state" {
		t.Errorf("summary JSON: %v\n%s", err, b)
	}
	if !strings.HasPrefix(string(b), "{\n  \"faults\": {\n    \"TestReportSweepAndJSON/faults/InternalFailure\": {\n      \"defined\": 1,") {
		t.Errorf("summary JSON is not indented as before:\n%s", b)
	}
}
