package acctest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestIsTestName(t *testing.T) {
	for name, want := range map[string]bool{
		"tf-acc-bus-x1y2":        true,
		"tf-acc-":                true,
		"tf-acc":                 false,
		"tf-accounts":            false,
		"TF-ACC-bus":             false,
		"x-tf-acc-bus":           false,
		"hotels":                 false,
		"/aws/lambda/tf-acc-bus": false,
	} {
		if got := IsTestName(name); got != want {
			t.Errorf("IsTestName(%q) = %t, want %t", name, got, want)
		}
	}
}

// A dry run lists and deletes nothing; a deleting run deletes, goes on
// after a failure and reports it; the report line counts.
func TestSweepReport(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	calls := 0
	del := func(context.Context) error { calls++; return nil }

	dry := NewSweep("regis_x", "ap-south-1", nil, false, &out)
	dry.Found(ctx, "queue", "tf-acc-a", del)
	dry.Found(ctx, "queue", "tf-acc-b", del)
	dry.Outside(3)
	if err := dry.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Errorf("the dry run deleted %d objects", calls)
	}
	want := "sweep regis_x ap-south-1: would delete queue tf-acc-a\n" +
		"sweep regis_x ap-south-1: would delete queue tf-acc-b\n" +
		"sweep regis_x ap-south-1: 2 found, would delete 2 (dry run); 3 not named tf-acc-*, left alone\n"
	if out.String() != want {
		t.Errorf("dry run output:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	s := NewSweep("regis_x", "ap-south-1", nil, true, &out)
	boom := errors.New("AccessDenied")
	s.Found(ctx, "queue", "tf-acc-a", func(context.Context) error { return boom })
	s.Found(ctx, "queue", "tf-acc-b", del)
	listErr := errors.New("throttled")
	err := s.Finish(listErr)
	if calls != 1 {
		t.Errorf("deleted %d objects after a failure, want 1", calls)
	}
	if !errors.Is(err, boom) || !errors.Is(err, listErr) {
		t.Errorf("Finish returned %v: want the failed deletion and the listing error", err)
	}
	for _, line := range []string{
		"sweep regis_x ap-south-1: FAILED to delete queue tf-acc-a: AccessDenied",
		"sweep regis_x ap-south-1: deleted queue tf-acc-b",
		"sweep regis_x ap-south-1: 2 found, 1 deleted, 1 failed; listing failed: throttled",
	} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("output has no line %q:\n%s", line, out.String())
		}
	}
}

func TestSweepClientNeedsATarget(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	_, err := SweepClient("ap-south-1")
	if err == nil || !strings.Contains(err.Error(), EnvEndpoint+"=aws") {
		t.Errorf("sweeping the in-process emulator: %v", err)
	}
	t.Setenv(EnvEndpoint, "http://127.0.0.1:1")
	if _, err := SweepClient("ap-sowth-1"); err == nil || !strings.Contains(err.Error(), "-sweep") {
		t.Errorf("a misspelt region: %v", err)
	}
}

// Regional sweepers run in every region; global ones once per partition.
func TestRunSweeperGlobalOnce(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	emu, err := startEmulator()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvEndpoint, emu.URL())
	t.Setenv(EnvSweepDelete, "")
	var where []string
	f := func(_ context.Context, s *Sweep) error {
		if s.Client == nil || s.Delete {
			t.Errorf("sweep %s: client %v, delete %t", s.Name, s.Client, s.Delete)
		}
		where = append(where, s.Name+" "+s.Where)
		return nil
	}
	var out bytes.Buffer
	for _, region := range []string{"ap-southeast-1", "ap-south-1", "cn-north-1"} {
		for _, name := range []string{"test_regional", "test_global"} {
			if err := runSweeper(name, Sweeper{Global: name == "test_global", F: f}, region, &out); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []string{
		"test_regional ap-southeast-1", "test_global global (aws)",
		"test_regional ap-south-1",
		"test_regional cn-north-1", "test_global global (aws-cn)",
	}
	if strings.Join(where, ", ") != strings.Join(want, ", ") {
		t.Errorf("ran %v, want %v", where, want)
	}
	if !strings.Contains(out.String(), "sweep test_global: global, already swept in partition aws\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

// `make sweep` cleans, by default, every region the acceptance tests use.
func TestMakeSweepDefaultRegions(t *testing.T) {
	b, err := os.ReadFile("../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SWEEP\s*\?=\s*(\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("GNUmakefile has no SWEEP ?= line")
	}
	got := strings.Split(string(m[1]), ",")
	slices.Sort(got)
	want := []string{Region1, Region2, Region3}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("make sweep's default regions are %v, the acceptance tests use %v", got, want)
	}
}
