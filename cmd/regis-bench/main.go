// Command regis-bench measures the consumer against the targets in
// docs/performance.md, in one run, and prints the figures as ratios to
// redis-benchmark on the same server plus absolute numbers:
//
//	go run ./cmd/regis-bench                     (make bench)
//	go run ./cmd/regis-bench -rounds 3 -only a,b (the quick quiet-machine check)
//
// It starts its own redis-server (--save ” --appendonly no) on a free
// loopback port and measures:
//
//	(a) a batch of 10 messages × 1,000 SETs of 200 B through the handler,
//	    against redis-benchmark -P 64 -d 200 -t set on the same server;
//	(b) ordered mode against plain mode, same batches;
//	(c) handler latency for 10 one-command messages per batch (p50/p99);
//	(d) the zips' sizes, and the time from starting the bootstrap binary to
//	    its first GET /2018-06-01/runtime/invocation/next on a local
//	    Runtime API (plus its first invocation, which dials Redis);
//	(e) what the publisher (regis.Publisher, default options, against a
//	    recording SNS client) makes of 100,000 SETs of 200 B: commands per
//	    message, bytes per message, SNS calls and the 64 KiB chunks SNS and
//	    SQS bill — the inputs of the cost table in docs/performance.md.
//
// Every throughput phase also measures the CPU time the rest of the
// machine used while it ran: /proc/stat's busy time minus this process,
// its redis-benchmark and its redis-server. A round in which the others
// used more than -quiet-limit of a core (default 10%) is noisy: it is
// shown but does not count toward a verdict, and a target is "met" only
// where it holds on the quiet rounds.
//
// Nothing here asserts: the figures are printed. -cpuprofile writes a CPU
// profile of the first plain-mode throughput phase.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/consumertest"
	"github.com/regis-infra/terraform-provider-regis/internal/consumer/lambdazip"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/lambdatest"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

var (
	iterations = flag.Int("iterations", 40, "measured batches per throughput run")
	latencyN   = flag.Int("latency-iterations", 3000, "batches for the latency run")
	starts     = flag.Int("starts", 15, "bootstrap cold starts to time")
	skipZip    = flag.Bool("skip-zip", false, "skip building the zips and the cold-start measure")
	cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the throughput runs to this file")
	rbRequests = flag.Int("redis-benchmark-n", 1000000, "redis-benchmark -n")
	rounds     = flag.Int("rounds", 5, "measurement rounds for (a) and (b); the median quiet round is reported")
	chunk      = flag.Int("chunk", 0, "Options.MaxChunkCommands (0: the default)")
	only       = flag.String("only", "a,b,c,d,e", "figures to measure, comma-separated among a, b, c, d, e")
	quietLimit = flag.Float64("quiet-limit", 0.10, "CPU, in cores, that other processes may use during a round for it to count")

	cpuProfile *os.File
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type round struct {
	rb, plain, ordered, share  float64
	rbCost, plainCost, ordCost cost
	// others is the CPU, in cores, that other processes used during the
	// round's noisiest phase.
	others float64
}

// quiet tells whether the others left the round alone.
func (r round) quiet() bool { return r.others <= *quietLimit }

// want tells whether figure x (a, b, c or d) is asked for.
func want(x string) bool {
	for _, f := range strings.Split(*only, ",") {
		if strings.TrimSpace(f) == x {
			return true
		}
	}
	return false
}

type figures struct {
	rounds                       []round
	p50, p99, max, op50, op99    time.Duration
	zipArm, zipX86               int
	startP50, startP90, startMin time.Duration
	firstInvoke                  time.Duration
	redisVersion, cpu, goVersion string
	cores                        int
	loadBefore, loadAfter        string
	latencyOthers                float64
	pub                          pubFigures
}

func run() error {
	dir, err := os.MkdirTemp("", "regis-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := redistest.Launch(dir, redistest.Options{})
	if err != nil {
		return err
	}
	defer srv.Kill()
	redisPID = srv.PID()
	f := figures{cores: runtime.NumCPU(), goVersion: runtime.Version(), cpu: cpuModel()}
	if out, err := exec.Command(redistest.ServerBinary(), "--version").Output(); err == nil {
		f.redisVersion = strings.TrimSpace(string(out))
	}
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()

	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		cpuProfile = pf
	}
	f.loadBefore = loadAverage()
	// The machine may be shared: each round measures redis-benchmark, plain
	// and ordered mode back to back, and what the others used meanwhile.
	for r := 1; (want("a") || want("b")) && r <= *rounds; r++ {
		fmt.Fprintf(os.Stderr, "round %d/%d …\n", r, *rounds)
		var rd round
		if want("a") {
			rb, rbc, others, err := redisBenchmark(srv.Port)
			if err != nil {
				return err
			}
			rd.rb, rd.rbCost, rd.others = rb, rbc, max(rd.others, others)
			rdb.FlushAll(ctx)
		}
		plain, share, pc, others, err := throughput(srv.Addr, false, r)
		if err != nil {
			return err
		}
		rd.plain, rd.share, rd.plainCost, rd.others = plain, share, pc, max(rd.others, others)
		rdb.FlushAll(ctx)
		if want("b") {
			ordered, _, oc, others, err := throughput(srv.Addr, true, r)
			if err != nil {
				return err
			}
			rd.ordered, rd.ordCost, rd.others = ordered, oc, max(rd.others, others)
			rdb.FlushAll(ctx)
		}
		noise := "quiet"
		if !rd.quiet() {
			noise = "NOISY: does not count"
		}
		fmt.Fprintf(os.Stderr, "  redis-benchmark %.0f/s, plain %.0f/s, ordered %.0f/s; others used %.2f cores (%s)\n",
			rd.rb, rd.plain, rd.ordered, rd.others, noise)
		f.rounds = append(f.rounds, rd)
	}
	rdb.FlushAll(ctx)
	if want("c") {
		fmt.Fprintln(os.Stderr, "(c) latency …")
		s0 := sampleCPU()
		if f.p50, f.p99, f.max, err = latency(srv.Addr, false); err != nil {
			return err
		}
		f.latencyOthers = othersSince(s0, 0)
		if f.op50, f.op99, _, err = latency(srv.Addr, true); err != nil {
			return err
		}
	}
	if !*skipZip && want("d") {
		fmt.Fprintln(os.Stderr, "(d) zips and cold start …")
		if err := zipAndStart(dir, srv.Addr, &f); err != nil {
			return err
		}
	}
	if want("e") {
		fmt.Fprintln(os.Stderr, "(e) publisher …")
		if f.pub, err = publisherFigures(); err != nil {
			return err
		}
	}
	f.loadAfter = loadAverage()
	report(os.Stdout, f)
	return nil
}

// cpuSample is the machine's busy CPU time and this benchmark's own, in
// clock ticks (USER_HZ, 100 per second on Linux).
type cpuSample struct {
	at                time.Time
	busy, self, redis int64
}

const ticksPerSecond = 100

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now(), self: procTicks("self"), redis: procTicks(strconv.Itoa(redisPID))}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal guest guest_nice
	for i, v := range fields[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		s.busy += n
	}
	return s
}

// othersSince returns the CPU, in cores, that processes other than this
// one, its Redis and a child that used child of CPU time used since s.
func othersSince(s cpuSample, child time.Duration) float64 {
	e := sampleCPU()
	el := e.at.Sub(s.at).Seconds()
	if el <= 0 {
		return 0
	}
	ticks := (e.busy - s.busy) - (e.self - s.self) - (e.redis - s.redis) - int64(child.Seconds()*ticksPerSecond)
	return max(0, float64(ticks)/ticksPerSecond/el)
}

// procTicks is a process's user+system CPU time in clock ticks
// (/proc/PID/stat fields 14 and 15).
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return ut + st
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// redisBenchmark runs redis-benchmark -P 64 -d 200 -t set and returns SET/s.
func redisBenchmark(port int) (float64, cost, float64, error) {
	bin, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return 0, cost{}, 0, fmt.Errorf("redis-benchmark not found (apt-get install redis-tools): %w", err)
	}
	r0 := redisCPU()
	s0 := sampleCPU()
	cmd := exec.Command(bin, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-P", "64", "-d", "200",
		"-t", "set", "-r", "10000", "-n", strconv.Itoa(*rbRequests), "--csv")
	out, err := cmd.Output()
	if err != nil {
		return 0, cost{}, 0, fmt.Errorf("redis-benchmark: %w", err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	others := othersSince(s0, child)
	n := float64(*rbRequests)
	c := cost{
		redisUS:  (redisCPU() - r0).Seconds() * 1e6 / n,
		clientUS: child.Seconds() * 1e6 / n,
	}
	recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		return 0, c, others, fmt.Errorf("redis-benchmark output: %w: %s", err, out)
	}
	for _, r := range recs {
		if len(r) >= 2 && r[0] == "SET" {
			v, err := strconv.ParseFloat(r[1], 64)
			return v, c, others, err
		}
	}
	return 0, c, others, fmt.Errorf("no SET figure in: %s", out)
}

// cost is CPU time per SET: the Redis server's and the client's.
type cost struct{ redisUS, clientUS float64 }

// bound is the throughput the CPU costs allow on two cores, one for Redis
// and one for the client: the slower side sets the pace.
func (c cost) bound() float64 { return 1e6 / max(c.redisUS, c.clientUS) }

// redisPID is the benchmark server's process.
var redisPID int

// redisCPU is the Redis server's CPU time so far (/proc/PID/stat, in clock
// ticks of 10 ms).
func redisCPU() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", redisPID))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// Fields after the command: state is [0]; utime and stime are fields 14
	// and 15 of the whole line, [11] and [12] here.
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func newHandler(addr string, ordered bool) (*consumer.Handler, redis.UniversalClient) {
	cfg := contract.Config{
		RedisAddrs: []string{addr}, Ordered: ordered, TombstoneTTL: contract.DefaultTombstoneTTL,
		MetricsNamespace: contract.DefaultMetricsNamespace, Region: "eu-west-1",
	}
	rdb := consumer.NewRedisClient(cfg, consumer.Credentials{}, consumer.ClientOptions{})
	h := consumer.NewHandler(consumer.Options{
		Config: cfg, Redis: rdb, DLQ: &consumertest.MemoryDLQ[consumer.DeadLetter]{}, Metrics: io.Discard, MaxChunkCommands: *chunk,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	return h, rdb
}

func value(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.Intn(len(alphabet))]
	}
	return string(b)
}

// batch returns 10 messages of perMsg SETs of 200 B; versions start at base
// (0: unversioned).
func batch(rng *rand.Rand, iter, msgs, perMsg int, base uint64) events.SQSEvent {
	var ev events.SQSEvent
	for m := 0; m < msgs; m++ {
		cmds := make([]regis.Command, perMsg)
		for i := range cmds {
			v := uint64(0)
			if base > 0 {
				v = base + uint64(m*perMsg+i)
			}
			cmds[i] = regis.Command{Args: []string{"SET", fmt.Sprintf("key:%06d", rng.Intn(10000)), value(rng, 200)}, Version: v}
		}
		b, err := regis.Encode(&regis.Message{
			ID: fmt.Sprintf("b%d-%d", iter, m), Origin: regis.Origin{Region: "us-east-1", Service: "bench"},
			PublishedAt: time.Now(), Commands: cmds,
		}, regis.EncodeOptions{})
		if err != nil {
			panic(err)
		}
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("q%d-%d", iter, m), Body: string(b)})
	}
	return ev
}

// throughput returns commands/s through the handler for batches of 10 × 1000
// SETs, and the share of that time spent decoding and validating.
func throughput(addr string, ordered bool, round int) (float64, float64, cost, float64, error) {
	h, rdb := newHandler(addr, ordered)
	defer rdb.Close()
	rng := rand.New(rand.NewSource(1))
	const warm = 3
	evs := make([]events.SQSEvent, warm+*iterations)
	for i := range evs {
		base := uint64(0)
		if ordered {
			base = uint64(round*1000+i+1) * 1_000_000
		}
		evs[i] = batch(rng, i, 10, 1000, base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var start time.Time
	var r0, c0 time.Duration
	var s0 cpuSample
	for i, ev := range evs {
		if i == warm {
			start, r0, c0, s0 = time.Now(), redisCPU(), selfCPU(), sampleCPU()
			if cpuProfile != nil {
				_ = pprof.StartCPUProfile(cpuProfile)
			}
		}
		resp, err := h.Handle(ctx, ev)
		if err != nil {
			return 0, 0, cost{}, 0, fmt.Errorf("batch %d: %w", i, err)
		}
		if len(resp.BatchItemFailures) != 0 {
			return 0, 0, cost{}, 0, fmt.Errorf("batch %d: failed %v", i, resp.BatchItemFailures)
		}
	}
	elapsed := time.Since(start)
	others := othersSince(s0, 0)
	n := float64(*iterations * 10 * 1000)
	c := cost{redisUS: (redisCPU() - r0).Seconds() * 1e6 / n, clientUS: (selfCPU() - c0).Seconds() * 1e6 / n}
	if cpuProfile != nil {
		pprof.StopCPUProfile()
		cpuProfile = nil // one profile: the first plain-mode run
	}
	ops := float64(*iterations*10*1000) / elapsed.Seconds()
	// Decode + validate alone, on the same batches.
	d0 := time.Now()
	for _, ev := range evs[warm:] {
		for _, r := range ev.Records {
			m, err := regis.Decode([]byte(r.Body))
			if err != nil {
				return 0, 0, c, others, err
			}
			for _, cmd := range m.Commands {
				if err := regis.Validate(cmd.Args, ordered); err != nil {
					return 0, 0, c, others, err
				}
			}
		}
	}
	share := time.Since(d0).Seconds() / elapsed.Seconds()
	return ops, share, c, others, nil
}

// latency times Handle for batches of 10 one-command messages.
func latency(addr string, ordered bool) (p50, p99, worst time.Duration, err error) {
	h, rdb := newHandler(addr, ordered)
	defer rdb.Close()
	rng := rand.New(rand.NewSource(2))
	n := *latencyN
	evs := make([]events.SQSEvent, n+100)
	for i := range evs {
		base := uint64(0)
		if ordered {
			base = uint64(i+1) * 100
		}
		evs[i] = batch(rng, i, 10, 1, base)
	}
	ctx := context.Background()
	d := make([]time.Duration, 0, n)
	var c0 time.Duration
	for i, ev := range evs {
		if i == 100 {
			c0 = selfCPU()
		}
		c, cancel := context.WithTimeout(ctx, 3*time.Second)
		t0 := time.Now()
		resp, herr := h.Handle(c, ev)
		el := time.Since(t0)
		cancel()
		if herr != nil {
			return 0, 0, 0, fmt.Errorf("batch %d: %w", i, herr)
		}
		if len(resp.BatchItemFailures) != 0 {
			return 0, 0, 0, fmt.Errorf("batch %d: failed %v", i, resp.BatchItemFailures)
		}
		if i >= 100 { // warm-up
			d = append(d, el)
		}
	}
	if !ordered {
		latencyCPUPerMsg = (selfCPU() - c0) / time.Duration(n*10)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100], d[len(d)-1], nil
}

// latencyCPUPerMsg is the consumer's CPU time per one-command message in
// the plain latency run: the one-command-per-message design's cost input.
var latencyCPUPerMsg time.Duration

func zipAndStart(dir, redisAddr string, f *figures) error {
	ctx := context.Background()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	mtime, _ := lambdazip.SourceDate()
	zdir := filepath.Join(dir, "zips")
	if err := os.MkdirAll(zdir, 0o755); err != nil {
		return err
	}
	pkg := filepath.Join(root, "lambda")
	for _, a := range lambdazip.Archs {
		_, size, err := lambdazip.Package(ctx, pkg, a, zdir, mtime, nil)
		if err != nil {
			return err
		}
		if a.Lambda == "arm64" {
			f.zipArm = size
		} else {
			f.zipX86 = size
		}
	}
	bin := filepath.Join(dir, "bootstrap-host")
	if err := lambdazip.Build(ctx, pkg, runtime.GOARCH, bin, nil); err != nil {
		return err
	}
	var ds, invokes []time.Duration
	for i := 0; i < *starts; i++ {
		api, err := lambdatest.Start()
		if err != nil {
			return err
		}
		cmd := exec.Command(bin)
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + api.Addr, "REGIS_REDIS_ADDRS=" + redisAddr, "AWS_REGION=eu-west-1"}
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			api.Close()
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		t1, err := api.WaitFirstNext(wctx)
		cancel()
		if err == nil {
			ds = append(ds, t1.Sub(t0))
			payload := []byte(`{"Records":[` + strings.Repeat(`{"messageId":"x","body":"{\"regis\":1,\"id\":\"i\",\"ts\":1,\"cmds\":[[\"SET\",\"k\",\"v\"]]}"},`, 9) +
				`{"messageId":"y","body":"{\"regis\":1,\"id\":\"j\",\"ts\":1,\"cmds\":[[\"SET\",\"k\",\"v\"]]}"}]}`)
			i0 := time.Now()
			api.Invoke(lambdatest.Invocation{RequestID: fmt.Sprint("r", i), Payload: payload})
			select {
			case res := <-api.Results:
				if res.Error || !strings.Contains(string(res.Body), `"batchItemFailures":[]`) && !strings.Contains(string(res.Body), `"batchItemFailures":null`) {
					err = fmt.Errorf("first invocation: %s", res.Body)
				}
				invokes = append(invokes, time.Since(i0))
			case <-time.After(10 * time.Second):
				err = fmt.Errorf("first invocation: no response")
			}
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		api.Close()
		if err != nil {
			return err
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	sort.Slice(invokes, func(i, j int) bool { return invokes[i] < invokes[j] })
	f.startMin, f.startP50, f.startP90 = ds[0], ds[len(ds)/2], ds[len(ds)*9/10]
	f.firstInvoke = invokes[len(invokes)/2]
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from inside the module")
	}
	return filepath.Dir(mod), nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

// verdict says whether a target is met, on quiet measurements only.
func verdict(ok, quiet bool) string {
	switch {
	case !quiet:
		return "no verdict (noisy)"
	case ok:
		return "met"
	}
	return "MISSED"
}

func report(w io.Writer, f figures) {
	fmt.Fprintf(w, "machine: %d cores, %s; %s; %s\n", f.cores, f.cpu, f.goVersion, f.redisVersion)
	fmt.Fprintf(w, "conditions: load average %s before, %s after; a round counts when other processes used at most %.2f of a core during each of its phases\n\n",
		f.loadBefore, f.loadAfter, *quietLimit)
	var quiet []round
	if len(f.rounds) > 0 {
		fmt.Fprintf(w, "| round | redis-benchmark SET/s | plain SET/s | ordered SET/s | others' CPU (cores) | counts |\n|---|---|---|---|---|---|\n")
		for i, r := range f.rounds {
			counts := "yes"
			if r.quiet() {
				quiet = append(quiet, r)
			} else {
				counts = "no: noisy"
			}
			fmt.Fprintf(w, "| %d | %.0f | %.0f | %.0f | %.2f | %s |\n", i+1, r.rb, r.plain, r.ordered, r.others, counts)
		}
		fmt.Fprintf(w, "\nquiet rounds: %d of %d\n\n", len(quiet), len(f.rounds))
	}
	fmt.Fprintf(w, "| figure | measured (median of the quiet rounds; all rounds in brackets) | target | |\n|---|---|---|---|\n")
	// med returns the median of get over the quiet rounds and over all.
	med := func(get func(r round) float64) (q, all float64) {
		xs := make([]float64, 0, len(f.rounds))
		for _, r := range f.rounds {
			xs = append(xs, get(r))
		}
		all, _ = median(xs)
		xs = xs[:0]
		for _, r := range quiet {
			xs = append(xs, get(r))
		}
		if len(xs) > 0 {
			q, _ = median(xs)
		}
		return q, all
	}
	isQuiet := len(quiet) > 0
	show := func(q, all float64, unit string) string {
		if !isQuiet {
			return fmt.Sprintf("— [%.2f%s]", all, unit)
		}
		return fmt.Sprintf("%.2f%s [%.2f%s]", q, unit, all, unit)
	}
	if len(f.rounds) > 0 && want("a") {
		q, all := med(func(r round) float64 { return r.plain / r.rb })
		fmt.Fprintf(w, "| (a) handler plain mode, 10 msgs × 1000 SET 200 B, vs redis-benchmark -P 64 -d 200, SET/s | %s | ≥ 0.8× | %s |\n", show(q, all, "×"), verdict(q >= 0.8, isQuiet))
		rr, rra := med(func(r round) float64 { return r.rbCost.redisUS })
		rc, rca := med(func(r round) float64 { return r.rbCost.clientUS })
		pr, pra := med(func(r round) float64 { return r.plainCost.redisUS })
		pcl, pcla := med(func(r round) float64 { return r.plainCost.clientUS })
		bq, ba := med(func(r round) float64 { return r.plainCost.bound() / r.rbCost.bound() })
		fmt.Fprintf(w, "| (a) CPU µs per SET, Redis / client: redis-benchmark %s / %s, handler %s / %s → CPU-bound ratio | %s | ≥ 0.8× | %s |\n",
			show(rr, rra, ""), show(rc, rca, ""), show(pr, pra, ""), show(pcl, pcla, ""), show(bq, ba, "×"), verdict(bq >= 0.8, isQuiet))
		fmt.Fprintf(w, "| (a) consumer CPU per SET | %s µs | ≤ 0.8 µs | %s |\n", show(pcl, pcla, ""), verdict(pcl <= 0.8, isQuiet))
	}
	if len(f.rounds) > 0 && want("b") {
		q, all := med(func(r round) float64 { return r.ordered / r.plain })
		fmt.Fprintf(w, "| (b) ordered mode vs plain mode, SET/s | %s | ≥ 0.5× | %s |\n", show(q, all, "×"), verdict(q >= 0.5, isQuiet))
		or, ora := med(func(r round) float64 { return r.ordCost.redisUS })
		oc, oca := med(func(r round) float64 { return r.ordCost.clientUS })
		bq, ba := med(func(r round) float64 { return r.ordCost.bound() / r.plainCost.bound() })
		fmt.Fprintf(w, "| (b) CPU µs per SET, Redis / client: ordered %s / %s → CPU-bound ratio to plain | %s | ≥ 0.5× | %s |\n",
			show(or, ora, ""), show(oc, oca, ""), show(bq, ba, "×"), verdict(bq >= 0.5, isQuiet))
	}
	if len(f.rounds) > 0 {
		pq, pa := med(func(r round) float64 { return 1e6 / r.plainCost.clientUS })
		line := fmt.Sprintf("plain %s", show(pq/1e6, pa/1e6, "M"))
		if want("b") {
			oq, oa := med(func(r round) float64 { return 1e6 / r.ordCost.clientUS })
			line += fmt.Sprintf(", ordered %s", show(oq/1e6, oa/1e6, "M"))
		}
		fmt.Fprintf(w, "| consumer commands per CPU-second (the cost table's input) | %s | (info) | |\n", line)
	}
	if want("c") {
		noisy := ""
		if f.latencyOthers > *quietLimit {
			noisy = fmt.Sprintf(" (others used %.2f cores)", f.latencyOthers)
		}
		fmt.Fprintf(w, "| (c) latency, 10 one-command messages per batch, plain | p50 %s, p99 %s, max %s%s | p99 ≤ 2 ms | %s |\n",
			ms(f.p50), ms(f.p99), ms(f.max), noisy, verdict(f.p99 <= 2*time.Millisecond, f.latencyOthers <= *quietLimit))
		fmt.Fprintf(w, "| (c) same, ordered mode | p50 %s, p99 %s | (info) | |\n", ms(f.op50), ms(f.op99))
		fmt.Fprintf(w, "| (c) consumer CPU per one-command message (plain, batches of 10) | %.1f µs | (info: cost table) | |\n", float64(latencyCPUPerMsg.Nanoseconds())/1000)
	}
	if p := f.pub; p.messages > 0 {
		fmt.Fprintf(w, "| (e) publisher, %d SETs of 200 B (default options) | %.0f commands per message, %.0f B per message, %d SNS calls, %d billed 64 KiB chunks (%.1f per message) | (info: cost table) | |\n",
			p.commands, float64(p.commands)/float64(p.messages), float64(p.bytes)/float64(p.messages), p.calls, p.chunks, float64(p.chunks)/float64(p.messages))
	}
	if f.zipArm > 0 {
		fmt.Fprintf(w, "| (d) zip size arm64 / x86_64 | %.2f MB / %.2f MB | ≤ 6 MB | %s |\n",
			float64(f.zipArm)/1e6, float64(f.zipX86)/1e6, verdict(f.zipArm <= 6e6 && f.zipX86 <= 6e6, true))
		fmt.Fprintf(w, "| (d) process start → first GET …/invocation/next (%s) | p50 %s, p90 %s, min %s | (info; ≈42 ms median Go cold init on Lambda arm64 includes the sandbox) | |\n",
			runtime.GOARCH, ms(f.startP50), ms(f.startP90), ms(f.startMin))
		fmt.Fprintf(w, "| (d) first invocation after start (dials Redis), 10 messages | p50 %s | (info) | |\n", ms(f.firstInvoke))
	}
}

// median returns the median of xs and the index it came from.
func median(xs []float64) (float64, int) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
	m := idx[len(idx)/2]
	return xs[m], m
}

// pubFigures are what the publisher made of a stream of SETs.
type pubFigures struct {
	commands, messages, calls, chunks int
	bytes                             int64
}

// recordingSNS is an SNS client that accepts everything and counts.
type recordingSNS struct {
	mu sync.Mutex
	f  pubFigures
}

func (r *recordingSNS) add(body string) {
	r.f.messages++
	r.f.bytes += int64(len(body))
	r.f.chunks += (len(body) + 65535) / 65536
}

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.f.calls++
	r.add(aws.ToString(in.Message))
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprint("m", r.f.messages))}, nil
}

func (r *recordingSNS) PublishBatch(_ context.Context, in *sns.PublishBatchInput, _ ...func(*sns.Options)) (*sns.PublishBatchOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.f.calls++
	out := &sns.PublishBatchOutput{}
	for _, e := range in.PublishBatchRequestEntries {
		r.add(aws.ToString(e.Message))
		out.Successful = append(out.Successful, snstypes.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String(fmt.Sprint("m", r.f.messages))})
	}
	return out, nil
}

// publisherFigures publishes 100,000 SETs of 200 B through a Publisher
// with default options and reports what it sent.
func publisherFigures() (pubFigures, error) {
	const n = 100000
	ctx := context.Background()
	rec := &recordingSNS{}
	p, err := regis.NewPublisher(rec, "arn:aws:sns:us-east-1:123456789012:bench", regis.Options{Origin: regis.Origin{Region: "us-east-1", Service: "bench"}})
	if err != nil {
		return pubFigures{}, err
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < n; i++ {
		if _, err := p.Set(ctx, fmt.Sprintf("key:%06d", rng.Intn(10000)), value(rng, 200)); err != nil {
			return pubFigures{}, err
		}
	}
	if err := p.Close(ctx); err != nil {
		return pubFigures{}, err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	f := rec.f
	f.commands = n
	return f, nil
}
