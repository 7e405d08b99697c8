package regis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func testOptions() Options {
	return Options{
		Origin:       Origin{Region: "ap-southeast-1", Service: "test"},
		Linger:       time.Hour, // tests seal messages with Flush unless they test lingering
		Concurrency:  1,         // one worker: messages reach the fake in the order they were sealed
		RetryBackoff: time.Millisecond,
	}
}

func newTestPublisher(t *testing.T, f *fakeSNS, opts Options) *Publisher {
	t.Helper()
	p, err := NewPublisher(f, fakeTopic, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = p.Close(ctx)
	})
	return p
}

// randomValue returns n bytes or so of a value of a random kind: plain
// ASCII, text that JSON must escape, multi-byte UTF-8, or binary (which
// travels base64).
func randomValue(rng *rand.Rand, n int) string {
	var b strings.Builder
	kind := rng.IntN(10)
	for b.Len() < n {
		switch {
		case kind < 5:
			b.WriteByte(byte('a' + rng.IntN(26)))
		case kind < 7:
			b.WriteString([]string{`"`, `\`, "\n", "\t", "\x01", "<&>", "x", "y"}[rng.IntN(8)])
		case kind < 9:
			b.WriteString([]string{"é", "中", "😀", "\u2028", "ok"}[rng.IntN(5)])
		default:
			b.WriteByte(byte(rng.IntN(256)))
		}
	}
	return b.String()
}

func TestPackingFillsMessagesExactly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limit   int
		ordered bool
		n       int
	}{
		{"256KiB", 0, false, 3000},
		{"64KiB ordered", 65536, true, 2000},
		{"4KiB", 4096, false, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSNS(t)
			opts := testOptions()
			opts.MaxMessageBytes, opts.Ordered = tc.limit, tc.ordered
			p := newTestPublisher(t, f, opts)
			limit := p.opts.MaxMessageBytes

			rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
			var want []string
			for i := range tc.n {
				key := fmt.Sprintf("k:%05d", i)
				val := randomValue(rng, rng.IntN(1200))
				if _, err := p.Set(ctx, key, val); err != nil {
					t.Fatal(err)
				}
				want = append(want, "SET "+key+" "+val)
			}
			if err := p.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			ms, bodies := f.messages(t)
			got := commands(ms)
			if len(got) != len(want) {
				t.Fatalf("got %d commands, want %d", len(got), len(want))
			}
			var last uint64
			for i, c := range got {
				if joinArgs(c) != want[i] {
					t.Fatalf("command %d: got %q, want %q", i, joinArgs(c), want[i])
				}
				if tc.ordered {
					if c.Version <= last {
						t.Fatalf("command %d: version %d after %d", i, c.Version, last)
					}
					last = c.Version
				} else if c.Version != 0 {
					t.Fatalf("command %d has version %d in unordered mode", i, c.Version)
				}
			}
			for i, b := range bodies {
				if len(b) > limit {
					t.Errorf("message %d: %d bytes > limit %d", i, len(b), limit)
				}
				if i == len(bodies)-1 {
					continue
				}
				next := ms[i+1].Commands[0]
				if n := len(appendCommand(nil, next.Args, next.Version)); len(b)+len(",")+n <= limit {
					t.Errorf("message %d: %d bytes, and the next command (%d bytes) would have fitted", i, len(b), n)
				}
			}
			st := p.Stats()
			if st.Commands != uint64(tc.n) || st.CommandsPublished != uint64(tc.n) || st.Messages != uint64(len(bodies)) || st.BufferedBytes != 0 {
				t.Errorf("stats %+v", st)
			}
			t.Logf("%d commands in %d messages", len(got), len(bodies))
		})
	}
}

// TestPackingFixedSizeCommands is the packing figure the design promises: a
// stream of 200-byte commands packs more than 1,200 commands in a message.
func TestPackingFixedSizeCommands(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	p := newTestPublisher(t, f, testOptions())
	for i := range 5000 {
		args := fixedSizeSet(i, 200)
		if _, err := p.Do(ctx, args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	ms, bodies := f.messages(t)
	for i, m := range ms[:len(ms)-1] {
		if len(m.Commands) < 1200 {
			t.Errorf("message %d carries %d commands of 200 bytes, want ≥ 1200", i, len(m.Commands))
		}
		if len(bodies[i]) > MaxMessageSize {
			t.Errorf("message %d: %d bytes", i, len(bodies[i]))
		}
	}
	t.Logf("%d commands per message (%d bytes)", len(ms[0].Commands), len(bodies[0]))
}

// fixedSizeSet returns SET key value whose arguments total size bytes, with
// a 20-byte key.
func fixedSizeSet(i, size int) []string {
	key := fmt.Sprintf("hotel:%014d", i)
	value := fmt.Sprintf("v%d:", i)
	value += strings.Repeat("x", size-len("SET")-len(key)-len(value))
	return []string{"SET", key, value}
}

func TestBatchesRespectEntryAndSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		limit     int
		perBatch  int
		wantBatch bool
	}{
		{2000, 10, true},  // ten entries bind
		{30000, 8, true},  // 256 KiB binds: 8 × ~30,000 bytes
		{100000, 2, true}, // two per batch
		{MaxMessageSize, 1, false},
		{MaxRaisedMessageSize, 1, false},
	} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSNS(t)
			f.gate = make(chan struct{})
			opts := testOptions()
			opts.MaxMessageBytes = tc.limit
			opts.MaxBufferedBytes = 64 << 20
			p := newTestPublisher(t, f, opts)
			n := 40 * tc.limit / 200
			for i := range n {
				if _, err := p.Do(ctx, fixedSizeSet(i, 200)...); err != nil {
					t.Fatal(err)
				}
			}
			flushed := make(chan error)
			go func() { flushed <- p.Flush(ctx) }()
			// Let every message queue behind the first call, then open the gate.
			waitUntil(t, func() bool {
				p.mu.Lock()
				defer p.mu.Unlock()
				return p.cur == nil && len(p.ready) > 0 && f.callsStarted() == 1
			})
			close(f.gate)
			if err := <-flushed; err != nil {
				t.Fatal(err)
			}
			calls := f.callLog()
			batches := 0
			for i, c := range calls {
				total := 0
				for _, b := range c.bodies {
					total += len(b)
				}
				if c.batch != (len(c.bodies) > 1) {
					t.Errorf("call %d: batch=%v with %d messages: want Publish for one message, PublishBatch for more", i, c.batch, len(c.bodies))
				}
				if c.batch {
					batches++
				}
				// Calls after the first (sent alone while the rest queued)
				// and before the last are as full as the limits allow.
				if i > 0 && i < len(calls)-1 {
					next := len(calls[i+1].bodies[0])
					if len(c.bodies) < MaxBatchEntries && total+next <= MaxBatchSize {
						t.Errorf("call %d: %d messages, %d bytes: the next message (%d bytes) would have fitted", i, len(c.bodies), total, next)
					}
					if len(c.bodies) != tc.perBatch {
						t.Errorf("call %d: %d messages, want %d", i, len(c.bodies), tc.perBatch)
					}
				}
			}
			if (batches > 0) != tc.wantBatch {
				t.Errorf("%d PublishBatch calls", batches)
			}
			st := p.Stats()
			if st.CommandsPublished != uint64(n) || st.PublishCalls+st.BatchCalls != uint64(len(calls)) {
				t.Errorf("stats %+v, %d calls", st, len(calls))
			}
		})
	}
}

// waitUntil polls cond; it fails the test only if cond never holds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}

func TestLingerSendsPartialMessages(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	opts := testOptions()
	opts.Linger = 5 * time.Millisecond
	p := newTestPublisher(t, f, opts)
	var results []*Result
	for i := range 3 {
		r, err := p.Set(ctx, fmt.Sprint("k", i), "v")
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	// No Flush: the linger timer sends the partly filled message.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, r := range results {
		if err := r.Wait(wctx); err != nil {
			t.Fatal(err)
		}
	}
	ms, bodies := f.messages(t)
	if got := commands(ms); len(got) != 3 || joinArgs(got[0]) != "SET k0 v" || joinArgs(got[2]) != "SET k2 v" {
		t.Fatalf("got %v", got)
	}
	for _, b := range bodies {
		if len(b) > 1000 {
			t.Errorf("a partial message of %d bytes", len(b))
		}
	}
}

func TestFlushAndClose(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	p := newTestPublisher(t, f, testOptions())

	if err := p.Flush(ctx); err != nil {
		t.Fatalf("flush with nothing buffered: %v", err)
	}
	r1, _ := p.Set(ctx, "a", "1")
	select {
	case <-r1.Done():
		t.Fatal("a command was sent before the linger time or a flush")
	default:
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r1.Done():
	default:
		t.Fatal("Flush returned before the command was published")
	}
	if err := r1.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if r1.MessageID() == "" || r1.Version() != 0 {
		t.Errorf("id %q version %d", r1.MessageID(), r1.Version())
	}

	r2, _ := p.Del(ctx, "b")
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r2.Wait(ctx); err != nil {
		t.Fatalf("Close did not send what was buffered: %v", err)
	}
	if _, err := p.Set(ctx, "c", "3"); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after Close: %v", err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if got := commands(must(f.messages(t))); len(got) != 2 {
		t.Fatalf("got %v", got)
	}
}

func must[T, U any](t T, _ U) T { return t }

func TestPublishBlocksOnFullBufferUntilCancelled(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	f.gate = make(chan struct{})
	opts := testOptions()
	opts.MaxMessageBytes, opts.MaxBufferedBytes = 1024, 1024
	p := newTestPublisher(t, f, opts)
	value := strings.Repeat("x", 300)

	// Each command holds its encoded size (and a separator) until sent.
	array, _ := appendArgs(nil, []string{"SET", "k0", value})
	size := int64(len(array) + 1)
	var results []*Result
	for i := 0; p.Stats().BufferedBytes+size <= 1024; i++ {
		r, err := p.Set(ctx, fmt.Sprint("k", i), value)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}

	// The next command blocks until its context is cancelled.
	cctx, cancel := context.WithCancel(ctx)
	blocked := make(chan error)
	go func() {
		_, err := p.Set(cctx, "cancelled", value)
		blocked <- err
	}()
	waitUntil(t, func() bool { return p.budget.waiting() == 1 })
	cancel()
	if err := <-blocked; !errors.Is(err, context.Canceled) {
		t.Fatalf("blocked publish returned %v, want context.Canceled", err)
	}

	// Another blocks until SNS frees space.
	go func() {
		_, err := p.Set(ctx, "late", value)
		blocked <- err
	}()
	waitUntil(t, func() bool { return p.budget.waiting() == 1 })
	close(f.gate)
	if err := <-blocked; err != nil {
		t.Fatalf("blocked publish returned %v after space was freed", err)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if err := r.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for _, c := range commands(must(f.messages(t))) {
		keys = append(keys, c.Args[1])
	}
	if k := strings.Join(keys, " "); strings.Contains(k, "cancelled") || !strings.HasSuffix(k, "late") || len(keys) != len(results)+1 {
		t.Fatalf("published keys %q", k)
	}
}

func TestCloseWakesBlockedPublishersAndGivesUpWithItsContext(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	f.gate = make(chan struct{}) // never opened: SNS hangs
	opts := testOptions()
	opts.MaxMessageBytes, opts.MaxBufferedBytes = 1024, 1024
	p := newTestPublisher(t, f, opts)
	value := strings.Repeat("x", 300)
	var results []*Result
	for i := range 3 {
		r, err := p.Set(ctx, fmt.Sprint("k", i), value)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	blocked := make(chan error)
	go func() {
		_, err := p.Set(ctx, "blocked", value)
		blocked <- err
	}()
	waitUntil(t, func() bool { return p.budget.waiting() == 1 })

	cctx, cancel := context.WithCancel(ctx)
	closed := make(chan error)
	go func() { closed <- p.Close(cctx) }()
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Fatalf("publisher blocked during Close got %v, want ErrClosed", err)
	}
	cancel()
	if err := <-closed; !errors.Is(err, context.Canceled) {
		t.Fatalf("Close returned %v, want context.Canceled", err)
	}
	for _, r := range results {
		var pe *PublishError
		if err := r.Wait(ctx); !errors.As(err, &pe) || !errors.Is(err, context.Canceled) {
			t.Fatalf("unsent command: %v, want a PublishError for the aborted call", err)
		}
	}
}

func TestPerCommandErrors(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	f.gate = make(chan struct{})
	f.entryFault = func(body string, _ int) *types.BatchResultErrorEntry {
		if strings.Contains(body, "poison") {
			return &types.BatchResultErrorEntry{Code: aws.String("InvalidParameter"), Message: aws.String("nope"), SenderFault: true}
		}
		return nil
	}
	var onError []error
	var mu sync.Mutex
	opts := testOptions()
	opts.MaxMessageBytes = 1024
	opts.OnError = func(err error) { mu.Lock(); onError = append(onError, err); mu.Unlock() }
	p := newTestPublisher(t, f, opts)

	var results []*Result
	for i := range 100 {
		key := fmt.Sprintf("key:%03d", i)
		if i >= 40 && i < 43 {
			key = fmt.Sprintf("poison:%03d", i)
		}
		r, err := p.Set(ctx, key, strings.Repeat("v", 80))
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	flushed := make(chan error)
	go func() { flushed <- p.Flush(ctx) }()
	waitUntil(t, func() bool { return f.callsStarted() == 1 })
	close(f.gate)
	err := <-flushed
	var pe *PublishError
	if !errors.As(err, &pe) || pe.Code != "InvalidParameter" || !pe.SenderFault {
		t.Fatalf("Flush: %v, want the PublishError", err)
	}

	poisoned := map[string]bool{}
	for i, r := range results {
		if i >= 40 && i < 43 {
			poisoned[r.MessageID()] = true
		}
	}
	failed := 0
	for i, r := range results {
		err := r.Wait(ctx)
		if poisoned[r.MessageID()] {
			failed++
			if !errors.As(err, &pe) || pe.Code != "InvalidParameter" || pe.MessageID != r.MessageID() {
				t.Errorf("command %d in a refused message: %v", i, err)
			}
		} else if err != nil {
			t.Errorf("command %d in an accepted message: %v", i, err)
		}
	}
	st := p.Stats()
	if failed == 0 || failed == len(results) || st.CommandsFailed != uint64(failed) || st.MessagesFailed != uint64(len(poisoned)) || len(onError) != len(poisoned) {
		t.Errorf("%d commands failed in %d messages; stats %+v; OnError called %d times", failed, len(poisoned), st, len(onError))
	}
	if f.attempts[pe.MessageID] > 1 {
		t.Errorf("a sender fault was retried")
	}
}

func TestCallErrorsReachEveryCommand(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	boom := errors.New("AuthorizationError: not allowed")
	f.callFault = func([]string) error { return boom }
	p := newTestPublisher(t, f, testOptions())
	r1, _ := p.Set(ctx, "a", "1")
	r2, _ := p.Set(ctx, "b", "2")
	if err := p.Flush(ctx); !errors.Is(err, boom) || !strings.Contains(err.Error(), "2 of 2 commands") {
		t.Fatalf("Flush: %v", err)
	}
	for _, r := range []*Result{r1, r2} {
		if err := r.Wait(ctx); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
	}
}

func TestRetriesRetryableBatchEntries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int // attempts that fail per message
		wantErr  bool
	}{
		{"recovers", 2, false},
		{"gives up", 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSNS(t)
			f.gate = make(chan struct{})
			f.entryFault = func(body string, attempt int) *types.BatchResultErrorEntry {
				if attempt < tc.failures {
					return &types.BatchResultErrorEntry{Code: aws.String("InternalError"), Message: aws.String("try again"), SenderFault: false}
				}
				return nil
			}
			opts := testOptions()
			opts.MaxMessageBytes = 1024
			p := newTestPublisher(t, f, opts)
			var results []*Result
			for i := range 100 {
				r, err := p.Set(ctx, fmt.Sprintf("key:%03d", i), strings.Repeat("v", 80))
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, r)
			}
			flushed := make(chan error)
			go func() { flushed <- p.Flush(ctx) }()
			waitUntil(t, func() bool { return f.callsStarted() == 1 })
			close(f.gate)
			err := <-flushed
			if (err != nil) != tc.wantErr {
				t.Fatalf("Flush: %v", err)
			}
			ms, _ := f.messages(t)
			seen := map[string]int{}
			for _, m := range ms {
				seen[m.ID]++
			}
			batched := 0
			for i, r := range results {
				err := r.Wait(ctx)
				if f.attempts[r.MessageID()] == 0 {
					// Sent by Publish, which the fake never fails.
					if err != nil || seen[r.MessageID()] != 1 {
						t.Errorf("command %d: %v", i, err)
					}
					continue
				}
				batched++
				var pe *PublishError
				switch {
				case !tc.wantErr && (err != nil || seen[r.MessageID()] != 1):
					t.Errorf("command %d: %v, message published %d times", i, err, seen[r.MessageID()])
				case tc.wantErr && (!errors.As(err, &pe) || pe.Code != "InternalError" || pe.SenderFault):
					t.Errorf("command %d: %v", i, err)
				}
			}
			st := p.Stats()
			wantAttempts := min(tc.failures+1, 1+p.opts.MaxRetries)
			for id, n := range f.attempts {
				if n != wantAttempts {
					t.Errorf("message %s sent %d times in batches, want %d", id, n, wantAttempts)
				}
			}
			if batched == 0 || st.Retries == 0 {
				t.Fatalf("nothing went through PublishBatch retries: %+v", st)
			}
		})
	}
}

func TestTypedHelpersRewriteTTLs(t *testing.T) {
	ctx := context.Background()
	now := time.UnixMilli(1_750_000_000_000)
	f := newFakeSNS(t)
	opts := testOptions()
	opts.Now = func() time.Time { return now }
	p := newTestPublisher(t, f, opts)

	calls := []struct {
		do   func() (*Result, error)
		want string
	}{
		{func() (*Result, error) { return p.Set(ctx, "k", "v") }, "SET k v"},
		{func() (*Result, error) { return p.Set(ctx, "k", "v", TTL(10*time.Second)) }, "SET k v PXAT 1750000010000"},
		{func() (*Result, error) { return p.Set(ctx, "k", "v", TTL(1500*time.Microsecond), NX()) }, "SET k v NX PXAT 1750000000002"},
		{func() (*Result, error) {
			return p.Set(ctx, "k", "v", ExpireAt(time.UnixMilli(1_800_000_000_123)), XX())
		}, "SET k v XX PXAT 1800000000123"},
		{func() (*Result, error) { return p.Set(ctx, "k", "v", KeepTTL()) }, "SET k v KEEPTTL"},
		{func() (*Result, error) { return p.Expire(ctx, "k", time.Minute) }, "PEXPIREAT k 1750000060000"},
		{func() (*Result, error) { return p.PExpireAt(ctx, "k", time.UnixMilli(1_800_000_000_000)) }, "PEXPIREAT k 1800000000000"},
		{func() (*Result, error) { return p.Persist(ctx, "k") }, "PERSIST k"},
		{func() (*Result, error) { return p.Del(ctx, "a", "b") }, "DEL a b"},
		{func() (*Result, error) { return p.MSet(ctx, "a", "1", "b", "2") }, "MSET a 1 b 2"},
		{func() (*Result, error) { return p.HSet(ctx, "h", "f", "v", "g", "w") }, "HSET h f v g w"},
		{func() (*Result, error) { return p.HDel(ctx, "h", "f") }, "HDEL h f"},
		{func() (*Result, error) { return p.SAdd(ctx, "s", "m", "n") }, "SADD s m n"},
		{func() (*Result, error) { return p.SRem(ctx, "s", "m") }, "SREM s m"},
		{func() (*Result, error) { return p.ZAdd(ctx, "z", Z{1.5, "m"}, Z{-2, "n"}) }, "ZADD z 1.5 m -2 n"},
		{func() (*Result, error) { return p.ZRem(ctx, "z", "m") }, "ZREM z m"},
		{func() (*Result, error) { return p.Do(ctx, "setex", "k", "30", "v") }, "SET k v PXAT 1750000030000"},
		{func() (*Result, error) { return p.Do(ctx, "EXPIRE", "k", "5", "GT") }, "PEXPIREAT k 1750000005000 GT"},
	}
	for _, c := range calls {
		if _, err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.want, err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := commands(must(f.messages(t)))
	for i, c := range calls {
		if joinArgs(got[i]) != c.want {
			t.Errorf("got %q, want %q", joinArgs(got[i]), c.want)
		}
	}

	// Refused at publish time with a CommandError; nothing is sent.
	for name, do := range map[string]func() (*Result, error){
		"INCR":         func() (*Result, error) { return p.Do(ctx, "INCR", "k") },
		"EVAL":         func() (*Result, error) { return p.Do(ctx, "EVAL", "return 1", "0") },
		"zero TTL":     func() (*Result, error) { return p.Set(ctx, "k", "v", TTL(0)) },
		"two expiries": func() (*Result, error) { return p.Set(ctx, "k", "v", TTL(time.Second), ExpireAt(now)) },
		"zero option":  func() (*Result, error) { return p.Set(ctx, "k", "v", SetOption{}) },
		"odd MSET":     func() (*Result, error) { return p.MSet(ctx, "a") },
		"no members":   func() (*Result, error) { return p.SAdd(ctx, "s") },
		"NaN score":    func() (*Result, error) { return p.ZAdd(ctx, "z", Z{Score: nanScore(), Member: "m"}) },
		"NaN by Do":    func() (*Result, error) { return p.Do(ctx, "ZADD", "z", "NaN", "m") },
		"negative TTL": func() (*Result, error) { return p.Expire(ctx, "k", -time.Second) },
		"before 1970":  func() (*Result, error) { return p.PExpireAt(ctx, "k", time.Unix(-5, 0)) },
	} {
		var ce *CommandError
		if r, err := do(); !errors.As(err, &ce) || r != nil {
			t.Errorf("%s: got %v, want a CommandError", name, err)
		}
	}
	if st := p.Stats(); st.Commands != uint64(len(calls)) {
		t.Errorf("refused commands were counted: %+v", st)
	}
}

func nanScore() float64 { z := 0.0; return z / z }

func TestOrderedModeRefusesUnorderableCommands(t *testing.T) {
	ctx := context.Background()
	f := newFakeSNS(t)
	opts := testOptions()
	opts.Ordered = true
	p := newTestPublisher(t, f, opts)
	for name, do := range map[string]func() (*Result, error){
		"NX":        func() (*Result, error) { return p.Set(ctx, "k", "v", NX()) },
		"KEEPTTL":   func() (*Result, error) { return p.Set(ctx, "k", "v", KeepTTL()) },
		"ZADD GT":   func() (*Result, error) { return p.Do(ctx, "ZADD", "z", "GT", "1", "m") },
		"SETNX":     func() (*Result, error) { return p.Do(ctx, "SETNX", "k", "v") },
		"meta":      func() (*Result, error) { return p.Del(ctx, "a", ReservedKeyPrefix+"{x}:a") },
		"meta MSET": func() (*Result, error) { return p.MSet(ctx, "a", "1", ReservedKeyPrefix+"b", "2") },
	} {
		var ce *CommandError
		if _, err := do(); !errors.As(err, &ce) {
			t.Errorf("%s: got %v, want a CommandError", name, err)
		}
	}
	r, err := p.Set(ctx, "k", "v", TTL(time.Second))
	if err != nil || r.Version() == 0 {
		t.Fatalf("%v, version %d", err, r.Version())
	}
}

func TestOversizedCommands(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	random := randomText(rng, 400_000)
	compressible := strings.Repeat("all work and no play ", 50_000) // ~1 MiB

	t.Run("plain", func(t *testing.T) {
		f := newFakeSNS(t)
		p := newTestPublisher(t, f, testOptions())
		var ce *CommandError
		if _, err := p.Set(ctx, "k", compressible); !errors.As(err, &ce) {
			t.Fatalf("got %v", err)
		}
		// Just under the limit goes through, alone.
		val := strings.Repeat("x", MaxMessageSize-200)
		if _, err := p.Set(ctx, "k", val); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("gzip", func(t *testing.T) {
		f := newFakeSNS(t)
		opts := testOptions()
		opts.Compression = CompressionGzip
		p := newTestPublisher(t, f, opts)
		if _, err := p.Set(ctx, "small", "before"); err != nil {
			t.Fatal(err)
		}
		r, err := p.Set(ctx, "big", compressible)
		if err != nil {
			t.Fatalf("a compressible 1 MiB value should travel compressed: %v", err)
		}
		var ce *CommandError
		for range 2 { // the second finds no message open
			if _, err := p.Set(ctx, "k", random); !errors.As(err, &ce) {
				t.Fatalf("an incompressible 400 KB value: got %v", err)
			}
		}
		if _, err := p.Set(ctx, "small", "after"); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := r.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		ms, bodies := f.messages(t)
		got := commands(ms)
		if len(got) != 3 || got[1].Args[2] != compressible || got[2].Args[2] != "after" {
			t.Fatalf("got %d commands", len(got))
		}
		for _, b := range bodies {
			if len(b) > MaxMessageSize {
				t.Fatalf("%d bytes", len(b))
			}
		}
	})
}

func randomText(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(' ' + rng.IntN(95))
	}
	return string(b)
}

func TestCompressedPacking(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value func(rng *rand.Rand, i int) string
		// wantRaw: full messages carry more than this many bytes of commands.
		wantRaw int
		n       int
	}{
		{"compressible", func(rng *rand.Rand, i int) string {
			return fmt.Sprintf(`{"hotel":%d,"name":"Grand Hotel %d","stars":%d,"city":"Singapore","rooms":[%d,%d]}`, i, i%97, i%5, rng.IntN(500), rng.IntN(500))
		}, MaxMessageSize, 30000},
		{"random text", func(rng *rand.Rand, i int) string { return randomText(rng, 150) }, 0, 8000},
		{"unicode", func(rng *rand.Rand, i int) string { return randomValue(rng, 150) }, 0, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSNS(t)
			opts := testOptions()
			opts.Compression = CompressionGzip
			p := newTestPublisher(t, f, opts)
			rng := rand.New(rand.NewPCG(3, 4))
			n := tc.n
			for i := range n {
				if _, err := p.Set(ctx, fmt.Sprintf("hotel:%014d", i), tc.value(rng, i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			ms, bodies := f.messages(t)
			got := commands(ms)
			if len(got) != n {
				t.Fatalf("%d commands", len(got))
			}
			for i, c := range got {
				if c.Args[1] != fmt.Sprintf("hotel:%014d", i) {
					t.Fatalf("command %d is %q", i, c.Args[1])
				}
			}
			for i, b := range bodies {
				if len(b) > MaxMessageSize {
					t.Errorf("message %d: %d bytes", i, len(b))
				}
				raw, _ := EncodeCommands(ms[i].Commands)
				if i < len(bodies)-1 && len(raw) <= tc.wantRaw {
					t.Errorf("message %d: %d bytes of commands, want > %d", i, len(raw), tc.wantRaw)
				}
				if i < len(bodies)-1 && len(b) < MaxMessageSize-1024 {
					t.Errorf("message %d: %d bytes: not full", i, len(b))
				}
			}
			st := p.Stats()
			t.Logf("%d messages (%d compressed), %d commands per message, %.1f KiB of commands per message, bodies %d bytes",
				st.Messages, st.Compressed, n/len(ms), float64(st.CommandBytes)/float64(st.Messages)/1024, len(bodies[0]))
		})
	}
}

// TestConcurrentPublishers drives one publisher from many goroutines with
// several SNS calls in flight, a short linger, a small buffer and flaky
// batch entries: every command is published exactly once and every Result
// reports success. Run it with -race.
func TestConcurrentPublishers(t *testing.T) {
	for name, comp := range map[string]string{"plain": CompressionNone, "gzip": CompressionGzip} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeSNS(t)
			f.entryFault = func(body string, attempt int) *types.BatchResultErrorEntry {
				if attempt == 0 && len(body)%3 == 0 {
					return &types.BatchResultErrorEntry{Code: aws.String("Throttled"), SenderFault: false}
				}
				return nil
			}
			opts := testOptions()
			opts.Concurrency = 8
			opts.Linger = time.Millisecond
			opts.MaxMessageBytes = 8192
			opts.MaxBufferedBytes = 32768
			opts.Compression = comp
			opts.MaxRetries = 5
			p := newTestPublisher(t, f, opts)

			const goroutines, each = 16, 500
			results := make([][]*Result, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 9))
					for i := range each {
						r, err := p.Set(ctx, fmt.Sprintf("g%02d:%04d", g, i), randomValue(rng, rng.IntN(300)))
						if err != nil {
							t.Error(err)
							return
						}
						results[g] = append(results[g], r)
					}
				})
			}
			wg.Wait()
			if err := p.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			for _, rs := range results {
				for _, r := range rs {
					if err := r.Wait(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
			ms, bodies := f.messages(t)
			seen := map[string]int{}
			last := map[string]int{} // per goroutine, commands of one message keep publish order
			for i, m := range ms {
				if len(bodies[i]) > opts.MaxMessageBytes {
					t.Fatalf("%d bytes", len(bodies[i]))
				}
				for _, c := range m.Commands {
					seen[c.Args[1]]++
					g := c.Args[1][:3]
					n, err := strconv.Atoi(c.Args[1][4:])
					if err != nil {
						t.Fatal(err)
					}
					if prev, ok := last[m.ID+g]; ok && n <= prev {
						t.Fatalf("message %s: %s after %s:%04d", m.ID, c.Args[1], g, prev)
					}
					last[m.ID+g] = n
				}
			}
			if len(seen) != goroutines*each {
				t.Fatalf("%d distinct commands published, want %d", len(seen), goroutines*each)
			}
			for k, n := range seen {
				if n != 1 {
					t.Fatalf("%s published %d times", k, n)
				}
			}
			// Each injected fault costs exactly one retry (the second attempt succeeds).
			if st := p.Stats(); st.Retries != uint64(f.faults) || st.BufferedBytes != 0 || st.CommandsPublished != goroutines*each {
				t.Errorf("stats %+v, %d faults injected", st, f.faults)
			}
		})
	}
}
