package consumer

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// countPipelines is a go-redis hook that records the names of the commands
// sent in pipelines.
type countPipelines struct{ names []string }

func (c *countPipelines) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (c *countPipelines) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (c *countPipelines) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.names = append(c.names, strings.ToUpper(cmd.Name()))
		}
		return next(ctx, cmds)
	}
}

// plainStream is n random plain-mode commands over a few keys, runs of SETs
// and MSETs with repeated keys among them.
func plainStream(rng *rand.Rand, n int) []regis.Command {
	keys := []string{"a", "b", "c", "{t}d", "h"}
	future := time.Now().Add(time.Hour).UnixMilli()
	var out []regis.Command
	for i := 0; i < n; i++ {
		k := keys[rng.Intn(4)]
		v := fmt.Sprintf("v%d", i)
		var a []string
		switch rng.Intn(10) {
		case 0, 1, 2, 3:
			a = []string{"SET", k, v}
		case 4, 5:
			a = []string{"MSET", k, v, keys[rng.Intn(4)], v + "'"}
		case 6:
			a = []string{"SET", k, v, "PXAT", fmt.Sprint(future + int64(i))}
		case 7:
			a = []string{"DEL", k}
		case 8:
			a = []string{"HSET", "h", k, v}
		case 9:
			a = []string{"UNLINK", "h", k}
		}
		out = append(out, regis.Command{Args: a})
	}
	return out
}

// TestPlainModeCoalescing: random streams of SET, MSET, SET PXAT, DEL and
// HSET, in messages delivered in order, end in the state of applying each
// command in turn to a plain Redis, although runs of SETs and MSETs go out
// as one MSET (checked with a hook: fewer commands than wire commands).
func TestPlainModeCoalescing(t *testing.T) {
	ref := redistest.Start(t, redistest.Options{})
	refc := redis.NewClient(&redis.Options{Addr: ref.Addr})
	defer refc.Close()
	srv := redistest.Start(t, redistest.Options{})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	hook := &countPipelines{}
	hs.rdb.AddHook(hook)
	ctx := context.Background()
	for seed := int64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewSource(seed))
		flushAll(t, refc)
		flushAll(t, hs.rdb)
		hook.names = nil
		cmds := plainStream(rng, 20+rng.Intn(200))
		for _, c := range cmds {
			args := make([]any, len(c.Args))
			for i, a := range c.Args {
				args[i] = a
			}
			if err := refc.Do(ctx, args...).Err(); err != nil {
				t.Fatalf("reference %q: %v", c.Args, err)
			}
		}
		var recs []events.SQSMessage
		for i := 0; i < len(cmds); {
			n := 1 + rng.Intn(30)
			id := fmt.Sprintf("m%d", i)
			recs = append(recs, record(id, body(t, id, "us-east-1", time.Now(), cmds[i:min(i+n, len(cmds))]...)))
			i += n
		}
		if resp := hs.handle(t, event(recs...)); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("seed %d: failures %v\n%s", seed, resp.BatchItemFailures, hs.logs)
		}
		if d := diffStates(dump(t, refc), dump(t, hs.rdb)); d != "" {
			t.Fatalf("seed %d: coalesced ≠ in turn:\n%s", seed, d)
		}
		if len(hook.names) >= len(cmds) {
			t.Fatalf("seed %d: %d Redis commands for %d wire commands: nothing coalesced", seed, len(hook.names), len(cmds))
		}
	}
}

// TestPlainModeCoalescedRefusal: a Redis that refuses MSET as a bad
// command (renamed away) makes each SET of the run go again on its own, so
// the refusal lands on the commands that deserve it: here none.
func TestPlainModeCoalescedRefusal(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Args: []string{"--rename-command", "MSET", ""}})
	hs := newHarness(t, []string{srv.Addr}, harnessOpts{})
	resp := hs.handle(t, event(
		record("a", body(t, "a", "us-east-1", time.Now(), cmd(0, "SET", "k1", "1"), cmd(0, "SET", "k2", "2"))),
		record("b", body(t, "b", "us-east-1", time.Now(), cmd(0, "SET", "k3", "3"), cmd(0, "MSET", "k4", "4", "k5", "5"))),
	))
	// Only b's MSET is refused (Redis has no MSET): b is poison, a applied.
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v\n%s", resp.BatchItemFailures, hs.logs)
	}
	letters := hs.dlq.Letters()
	if len(letters) != 1 || letters[0].SourceMessageID != "b" || letters[0].Reason != contract.ReasonRejected {
		t.Fatalf("letters %+v", letters)
	}
	want := map[string]string{"k1": "string 1 ttl=none", "k2": "string 2 ttl=none", "k3": "string 3 ttl=none"}
	if d := diffStates(want, dump(t, hs.rdb)); d != "" {
		t.Fatal(d)
	}
}
