package acctest

// Sweepers: removing what acceptance tests left in an account.
//
// Every object an acceptance test creates is named with ResourcePrefix
// (RandomName guarantees it), so an object whose name starts with
// "tf-acc-" is a test's. A test that is interrupted, times out or fails in
// its destroy leaves its objects behind; on AWS they cost money and count
// against quotas. Sweepers find them and delete them, in
// terraform-plugin-testing's style: a package registers them with
// AddSweeper (which calls resource.AddTestSweepers) and its TestMain hands
// over to resource.TestMain, which runs them instead of the tests when the
// -sweep flag lists regions:
//
//	REGIS_ACC_ENDPOINT=aws go test ./internal/bus -run '^$' -sweep=ap-southeast-1,us-east-1
//
// `make sweep` does this for every package with sweepers. Sweepers only
// print what they would delete unless REGIS_SWEEP_DELETE=1 is set; either
// way every sweeper ends with a line saying what it found and did.
// Objects whose names do not start with ResourcePrefix are never touched.
//
// IAM and Route 53 are global: their sweepers run once per partition
// whatever the number of regions listed.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// ResourcePrefix starts the name of every object acceptance tests create
// (followed by "-"); sweepers delete objects with such names and no others.
const ResourcePrefix = "tf-acc"

// EnvSweepDelete, set to 1 (or true), makes sweepers delete what they find.
// Unset, they print what they would delete.
const EnvSweepDelete = "REGIS_SWEEP_DELETE"

// IsTestName reports whether name is an acceptance test's: it starts with
// ResourcePrefix and a hyphen ("tf-acc-bus-x1y2", not "tf-accounts").
func IsTestName(name string) bool {
	return strings.HasPrefix(name, ResourcePrefix+"-")
}

// Sweeper removes one kind of object in one region (or, when Global, in
// one partition).
type Sweeper struct {
	// Dependencies are sweepers that must run first in the same region
	// (event source mappings before functions, for example).
	Dependencies []string
	// Global sweepers (IAM, Route 53) run once per partition and run.
	Global bool
	// F finds the kind's objects through s.Client and calls s.Found for
	// each test object and s.Outside for each other object it saw.
	F func(ctx context.Context, s *Sweep) error
}

// SweepTimeout bounds one sweeper in one region.
const SweepTimeout = 20 * time.Minute

// AddSweeper registers a sweeper with terraform-plugin-testing under name.
// Call it from an init function of the package's tests.
func AddSweeper(name string, s Sweeper) {
	resource.AddTestSweepers(name, &resource.Sweeper{
		Name:         name,
		Dependencies: s.Dependencies,
		F: func(region string) error {
			return runSweeper(name, s, region, os.Stdout)
		},
	})
}

// TestMain is the TestMain of a package with acceptance tests: under
// -sweep it runs the registered sweepers instead of the tests (through
// resource.TestMain); otherwise it runs the tests, then each of after (a
// reliability summary, say), and exits with the tests' code.
//
//	func TestMain(m *testing.M) { acctest.TestMain(m, reliability.Finish) }
func TestMain(m *testing.M, after ...func()) {
	resource.TestMain(runThen{m: m, after: after})
}

type runThen struct {
	m     *testing.M
	after []func()
}

func (r runThen) Run() int {
	code := r.m.Run()
	for _, f := range r.after {
		f()
	}
	return code
}

// sweptGlobal records the global sweepers that already ran, per partition.
var sweptGlobal sync.Map

func runSweeper(name string, def Sweeper, region string, out io.Writer) error {
	if def.Global {
		partition := regions.PartitionOf(region)
		if _, done := sweptGlobal.LoadOrStore(name+"/"+partition, true); done {
			fmt.Fprintf(out, "sweep %s: global, already swept in partition %s\n", name, partition)
			return nil
		}
	}
	c, err := SweepClient(region)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), SweepTimeout)
	defer cancel()
	s := NewSweep(name, region, c, SweepDeleteEnabled(), out)
	if def.Global {
		s.Where = "global (" + regions.PartitionOf(region) + ")"
	}
	return s.Finish(def.F(ctx, s))
}

// SweepDeleteEnabled reports whether EnvSweepDelete asks sweepers to delete.
func SweepDeleteEnabled() bool {
	v, _ := strconv.ParseBool(os.Getenv(EnvSweepDelete))
	return v
}

var sweepClients struct {
	sync.Mutex
	byRegion map[string]*conns.AWSClient
	header   bool
}

// SweepClient returns the AWS client sweepers use in region: real AWS with
// the environment's credentials (REGIS_ACC_ENDPOINT=aws) or an endpoint
// (REGIS_ACC_ENDPOINT=<url>) with the test credentials. There is nothing to
// sweep in the in-process emulator, so an unset REGIS_ACC_ENDPOINT is an
// error that says what to set. The first client prints which account is
// swept and whether objects are deleted.
func SweepClient(region string) (*conns.AWSClient, error) {
	if v := regions.Check(region); v.Problem != "" {
		return nil, fmt.Errorf("-sweep: %s", v.Problem)
	}
	cfg := conns.Config{Region: region, ProviderVersion: "sweeper"}
	switch Target() {
	case ModeEmulator:
		return nil, fmt.Errorf("sweepers delete what acceptance tests left in an account: set %s=aws (credentials from the environment) or %s=<endpoint URL>", EnvEndpoint, EnvEndpoint)
	case ModeEndpoint:
		url, err := Endpoint()
		if err != nil {
			return nil, err
		}
		cfg.AccessKey, cfg.SecretKey = AccessKeyID, SecretAccessKey
		cfg.Endpoints = map[string]string{}
		for _, s := range conns.Services {
			cfg.Endpoints[s.Key] = url
		}
	}
	sweepClients.Lock()
	defer sweepClients.Unlock()
	if c, ok := sweepClients.byRegion[region]; ok {
		return c, nil
	}
	c, _, err := conns.New(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("sweeper client for %s: %w", region, err)
	}
	if sweepClients.byRegion == nil {
		sweepClients.byRegion = map[string]*conns.AWSClient{}
	}
	sweepClients.byRegion[region] = c
	if !sweepClients.header {
		sweepClients.header = true
		mode := "dry run: nothing is deleted; set " + EnvSweepDelete + "=1 to delete"
		if SweepDeleteEnabled() {
			mode = "deleting (" + EnvSweepDelete + " is set)"
		}
		fmt.Printf("sweeping objects named %s-* in account %s (%s, %s); %s\n",
			ResourcePrefix, orUnknown(c.AccountID), orUnknown(c.CallerARN), Target(), mode)
	}
	return c, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Sweep is one sweeper's run in one region: it prints each test object it
// finds, deletes it when told to, and counts.
type Sweep struct {
	// Name is the sweeper's name.
	Name string
	// Region is the region swept; global sweepers get the region of the
	// run and make their calls through the partition's global endpoint.
	Region string
	// Where is how the report names the place ("ap-south-1", "global (aws)").
	Where string
	// Client is the AWS client for the target.
	Client *conns.AWSClient
	// Delete is false for a dry run.
	Delete bool

	out                             io.Writer
	found, deleted, failed, outside int
	errs                            []error
}

// NewSweep starts a sweeper's run. AddSweeper makes one per sweeper and
// region; tests of a sweeper's F may make their own.
func NewSweep(name, region string, c *conns.AWSClient, del bool, out io.Writer) *Sweep {
	return &Sweep{Name: name, Region: region, Where: region, Client: c, Delete: del, out: out}
}

// Found reports a test object: kind and id say what it is (id as a person
// would look it up: name, ARN or id). In a dry run it is printed; otherwise
// del deletes it (a missing object counts as deleted: del should return nil
// then) and the outcome is printed. A failure does not stop the sweep.
func (s *Sweep) Found(ctx context.Context, kind, id string, del func(context.Context) error) {
	s.found++
	if !s.Delete {
		fmt.Fprintf(s.out, "sweep %s %s: would delete %s %s\n", s.Name, s.Where, kind, id)
		return
	}
	if err := del(ctx); err != nil {
		s.failed++
		s.errs = append(s.errs, fmt.Errorf("deleting %s %s: %w", kind, id, err))
		fmt.Fprintf(s.out, "sweep %s %s: FAILED to delete %s %s: %v\n", s.Name, s.Where, kind, id, err)
		return
	}
	s.deleted++
	fmt.Fprintf(s.out, "sweep %s %s: deleted %s %s\n", s.Name, s.Where, kind, id)
}

// Outside counts n objects the sweeper saw whose names are not tests'
// (left alone). Sweepers that list with a server-side name prefix see none.
func (s *Sweep) Outside(n int) { s.outside += n }

// Finish prints the sweeper's report line and returns the listing error
// (err, from F) joined with the deletions that failed.
func (s *Sweep) Finish(err error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "sweep %s %s: ", s.Name, s.Where)
	switch {
	case s.Delete:
		fmt.Fprintf(&b, "%d found, %d deleted, %d failed", s.found, s.deleted, s.failed)
	default:
		fmt.Fprintf(&b, "%d found, would delete %d (dry run)", s.found, s.found)
	}
	if s.outside > 0 {
		fmt.Fprintf(&b, "; %d not named %s-*, left alone", s.outside, ResourcePrefix)
	}
	if err != nil {
		fmt.Fprintf(&b, "; listing failed: %v", err)
	}
	fmt.Fprintln(s.out, b.String())
	return errors.Join(append([]error{err}, s.errs...)...)
}

// Logs returns a CloudWatch Logs client for the sweep's region. The
// provider does not call CloudWatch Logs (Lambda creates the consumers' log
// groups), so conns has no accessor: this one has the AWS configuration of
// the client and, when the client is pointed at an endpoint, that endpoint.
func (s *Sweep) Logs(ctx context.Context) *cloudwatchlogs.Client {
	cfg := s.Client.AWSConfig(ctx, s.Region)
	url := s.Client.Endpoint(conns.ServiceCloudWatch)
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if url != "" {
			o.BaseEndpoint = &url
		}
	})
}

// SweepRun is one run of a test binary's sweepers by RunSweepers.
type SweepRun struct {
	// URL is the endpoint swept (REGIS_ACC_ENDPOINT).
	URL string
	// Regions are the regions of -sweep.
	Regions []string
	// Delete sets REGIS_SWEEP_DELETE=1; false is a dry run.
	Delete bool
	// Only, when set, is -sweep-run: the sweepers to run (with their
	// dependencies), by name or part of a name.
	Only []string
}

// RunSweepers runs the sweepers of the test binary that calls it, as `make
// sweep` does: the binary again, in a child process, with -sweep,
// -sweep-allow-failures, and REGIS_ACC_ENDPOINT and REGIS_SWEEP_DELETE set
// from r. It fails the test
// unless the child exits 0, and returns its output (the would-delete,
// deleted and report lines, and terraform-plugin-testing's log).
func RunSweepers(t testing.TB, r SweepRun) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"-test.run=^$", "-sweep=" + strings.Join(r.Regions, ","), "-sweep-allow-failures"}
	if len(r.Only) > 0 {
		args = append(args, "-sweep-run="+strings.Join(r.Only, ","))
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	env := []string{EnvEndpoint + "=" + r.URL, EnvSweepDelete + "=" + strconv.FormatBool(r.Delete)}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != EnvEndpoint && k != EnvSweepDelete {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sweepers (delete=%t) failed: %v\n%s", r.Delete, err, out)
	}
	return string(out)
}
