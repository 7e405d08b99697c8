package regis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable time source.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) set(t time.Time)     { c.ms.Store(t.UnixMilli()) }
func (c *fakeClock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func TestVersionLayout(t *testing.T) {
	var c fakeClock
	at := time.Date(2026, 3, 1, 12, 0, 0, 123e6, time.UTC)
	c.set(at)
	h := newHLC(0xABC, c.now)
	v := h.Next()
	if !VersionTime(v).Equal(at) || VersionNode(v) != 0xABC || v>>versionNodeBits&(1<<versionLogicalBits-1) != 0 {
		t.Fatalf("version %d (%#x): time %s node %#x", v, v, VersionTime(v), VersionNode(v))
	}
	// Layout: (ms since 2025-01-01) << 22 | counter << 12 | node.
	if want := uint64(at.UnixMilli()-VersionEpochMillis)<<22 | 0xABC; v != want {
		t.Fatalf("version %d, want %d", v, want)
	}
	if VersionEpochMillis != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() {
		t.Fatal("epoch")
	}
	// The time field lasts until 2164.
	last := VersionTime(^uint64(0))
	if last.Year() != 2164 {
		t.Fatalf("the largest version is at %s", last)
	}
}

func TestHLCSendRule(t *testing.T) {
	var c fakeClock
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.set(start)
	h := newHLC(7, c.now)

	// A frozen clock: the counter counts, then carries into the
	// millisecond: 5,000 versions in one millisecond run 4 ms ahead.
	prev := uint64(0)
	for i := range 5000 {
		v := h.Next()
		if v <= prev {
			t.Fatalf("version %d: %d after %d", i, v, prev)
		}
		prev = v
	}
	if got := VersionTime(prev).Sub(start); got != 4*time.Millisecond {
		t.Fatalf("after 5,000 versions in 1 ms the clock is %s ahead, want 4ms", got)
	}
	// Wall time catches up: the clock follows it again, counter at zero.
	c.add(time.Second)
	v := h.Next()
	if !VersionTime(v).Equal(c.now()) || v>>versionNodeBits&(1<<versionLogicalBits-1) != 0 {
		t.Fatalf("clock did not return to wall time: %s", VersionTime(v))
	}
	// A clock that steps back does not make versions go back.
	c.add(-time.Minute)
	if w := h.Next(); w <= v {
		t.Fatalf("version went back with the wall clock: %d after %d", w, v)
	}
	// Before the epoch, versions start at the smallest non-zero clock (zero
	// means unversioned).
	c.set(time.Unix(0, 0))
	if w := newHLC(1, c.now).Next(); w != 1<<versionNodeBits|1 {
		t.Fatalf("first version at 1970: %d", w)
	}
}

func TestHLCReceiveRule(t *testing.T) {
	var c fakeClock
	c.set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	a, b := newHLC(1, c.now), newHLC(2, c.now)

	// b's clock runs 5 s ahead; a observes one of its versions.
	var cb fakeClock
	cb.set(c.now().Add(5 * time.Second))
	b.now = cb.now
	remote := b.Next()
	local := a.Next()
	if local >= remote {
		t.Fatal("test setup: the remote version should be ahead")
	}
	if err := a.Observe(remote); err != nil {
		t.Fatal(err)
	}
	if v := a.Next(); v <= remote {
		t.Fatalf("after Observe(%d), Next returned %d", remote, v)
	}
	// Observing an older version changes nothing.
	before := a.clock.Load()
	if err := a.Observe(local); err != nil || a.clock.Load() != before {
		t.Fatalf("Observe of an old version: %v", err)
	}
	// A version from a clock far ahead is refused and not merged.
	cb.set(c.now().Add(2 * MaxObservedSkew))
	far := b.Next()
	if err := a.Observe(far); err == nil {
		t.Fatal("merged a version two minutes ahead")
	}
	if v := a.Next(); v >= far {
		t.Fatal("a refused version moved the clock")
	}
}

// TestVersionsAcrossPublishers is the property ordered mode relies on: many
// goroutines on two publishers get versions that increase per publisher (in
// the order each goroutine published) and are unique across both.
func TestVersionsAcrossPublishers(t *testing.T) {
	ctx := context.Background()
	const goroutines, perGoroutine = 8, 2000
	start := time.Now()
	var pubs []*Publisher
	var fakes []*fakeSNS
	for node := 1; node <= 2; node++ {
		f := newFakeSNS(t)
		opts := testOptions()
		opts.Ordered, opts.NodeID = true, node
		opts.Linger = time.Millisecond
		pubs = append(pubs, newTestPublisher(t, f, opts))
		fakes = append(fakes, f)
	}

	versions := make([][]uint64, 2*goroutines)
	var wg sync.WaitGroup
	for g := range 2 * goroutines {
		p := pubs[g%2]
		wg.Go(func() {
			for i := range perGoroutine {
				r, err := p.Set(ctx, fmt.Sprintf("k%d", i%50), fmt.Sprint(g, i))
				if err != nil {
					t.Error(err)
					return
				}
				versions[g] = append(versions[g], r.Version())
			}
		})
	}
	wg.Wait()
	end := time.Now()

	seen := make(map[uint64]bool, 2*goroutines*perGoroutine)
	for g, vs := range versions {
		node := uint16(g%2 + 1)
		for i, v := range vs {
			if i > 0 && v <= vs[i-1] {
				t.Fatalf("goroutine %d: version %d after %d", g, v, vs[i-1])
			}
			if seen[v] {
				t.Fatalf("version %d handed out twice", v)
			}
			seen[v] = true
			if VersionNode(v) != node {
				t.Fatalf("version %d has node %d, want %d", v, VersionNode(v), node)
			}
			// Versions follow wall time: never behind it, and ahead only by
			// what the counter carried (at most 1 ms per 1,024 versions).
			vt := VersionTime(v)
			if vt.Before(start.Truncate(time.Millisecond)) || vt.After(end.Add(time.Duration(len(seen)/1024+1)*time.Millisecond)) {
				t.Fatalf("version time %s outside [%s, %s]", vt, start, end)
			}
		}
	}
	// Within each publisher's stream, messages list commands in version order.
	for i, p := range pubs {
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		ms, _ := fakes[i].messages(t)
		for _, m := range ms {
			for j := 1; j < len(m.Commands); j++ {
				if m.Commands[j].Version <= m.Commands[j-1].Version {
					t.Fatalf("message %s: versions out of order", m.ID)
				}
			}
		}
	}
}

func TestRandomNodeIDs(t *testing.T) {
	nodes := map[uint16]bool{}
	for range 20 {
		p, err := NewPublisher(newFakeSNS(t), fakeTopic, Options{Origin: Origin{Region: "r", Service: "s"}, Ordered: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := p.Set(context.Background(), "k", "v")
		if err != nil {
			t.Fatal(err)
		}
		nodes[VersionNode(r.Version())] = true
		_ = p.Close(context.Background())
	}
	// 20 draws from 4,096: all equal only if the id is not random.
	if len(nodes) < 2 {
		t.Fatalf("node ids %v", nodes)
	}
}
