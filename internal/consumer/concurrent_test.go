package consumer

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/redistest"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// countAborts is a go-redis hook counting the transactions Redis refused
// because a watched key changed (EXEC answered nil).
type countAborts struct{ n *atomic.Int64 }

func (c countAborts) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (c countAborts) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (c countAborts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			if strings.EqualFold(cmd.Name(), "exec") && errors.Is(cmd.Err(), redis.Nil) {
				c.n.Add(1)
			}
		}
		return err
	}
}

// hotStream is genStream with plain SETs on a few string keys mixed in (a
// third of the commands), so that concurrent consumers contend for the same
// registers on the optimistic path.
func hotStream(rng *rand.Rand, n int, ttlOnCollections bool) []genOp {
	base := genStream(rng, n, ttlOnCollections)
	hot := []string{"s1", "s2", "{user}:s3"}
	var ops []genOp
	for i, op := range base {
		ops = append(ops, op)
		if rng.Intn(2) == 0 {
			ops = append(ops, genOp{args: []string{"SET", hot[rng.Intn(len(hot))], fmt.Sprintf("hot%d", i)}})
		}
	}
	return ops
}

// TestOrderedConcurrentConsumers is the property test for ordered mode under
// concurrent consumers: three handlers, each with its own client (as three
// Lambda containers), apply at the same time overlapping, shuffled and
// duplicated subsets of one stream of versioned commands to the same Redis,
// standalone and cluster. Every message reaches at least one handler. The
// end state must be that of applying the commands in version order to a
// plain Redis (collection TTLs aside, see ordered.go), no message may fail,
// and the optimistic path must have met conflicts (EXEC refused) and
// recovered from them.
func TestOrderedConcurrentConsumers(t *testing.T) {
	ref := redistest.Start(t, redistest.Options{})
	refc := redis.NewClient(&redis.Options{Addr: ref.Addr})
	defer refc.Close()

	type target struct {
		name    string
		addrs   []string
		cluster bool
		runs    int
	}
	srv := redistest.Start(t, redistest.Options{})
	targets := []target{{"standalone", []string{srv.Addr}, false, 30}}
	if !testing.Short() {
		cl := redistest.StartCluster(t, 3)
		targets = append(targets, target{"cluster", cl.Addrs(), true, 12})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			var aborts atomic.Int64
			consumers := make([]*harness, 3)
			for i := range consumers {
				consumers[i] = newHarness(t, tg.addrs, harnessOpts{ordered: true, cluster: tg.cluster})
				if cc, ok := consumers[i].rdb.(*redis.ClusterClient); ok {
					// Transactions run on the node clients.
					cc.OnNewNode(func(n *redis.Client) { n.AddHook(countAborts{&aborts}) })
				} else {
					consumers[i].rdb.AddHook(countAborts{&aborts})
				}
			}
			for run := 0; run < tg.runs; run++ {
				seed := int64(1000 + run)
				rng := rand.New(rand.NewSource(seed))
				ttlOnCollections := run%2 == 1
				ops := hotStream(rng, 60+rng.Intn(80), ttlOnCollections)
				flushAll(t, refc)
				flushAll(t, consumers[0].rdb)
				ctx := context.Background()
				for _, op := range ops {
					args := make([]any, len(op.args))
					for i, a := range op.args {
						args[i] = a
					}
					if err := refc.Do(ctx, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
						t.Fatalf("seed %d: reference %q: %v", seed, op.args, err)
					}
				}
				// Messages of 1–3 consecutive commands, versions 1…n.
				var msgs []events.SQSMessage
				for i := 0; i < len(ops); {
					n := 1 + rng.Intn(3)
					var cmds []regis.Command
					for j := i; j < i+n && j < len(ops); j++ {
						cmds = append(cmds, regis.Command{Args: ops[j].args, Version: uint64(j + 1)})
					}
					id := fmt.Sprintf("m%d", i)
					msgs = append(msgs, record(id, body(t, id, "us-east-1", time.Now(), cmds...)))
					i += n
				}
				// Each message goes to one consumer for sure and to each
				// other one with probability 1/2, some twice; each consumer
				// shuffles its share.
				shares := make([][]events.SQSMessage, len(consumers))
				for _, m := range msgs {
					owner := rng.Intn(len(consumers))
					for c := range consumers {
						if c == owner || rng.Intn(2) == 0 {
							shares[c] = append(shares[c], m)
							if rng.Intn(4) == 0 {
								shares[c] = append(shares[c], m)
							}
						}
					}
				}
				for c := range shares {
					rng.Shuffle(len(shares[c]), func(i, j int) { shares[c][i], shares[c][j] = shares[c][j], shares[c][i] })
				}
				var wg sync.WaitGroup
				errs := make(chan string, len(consumers)*len(msgs))
				for c, hs := range consumers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						share := shares[c]
						for i := 0; i < len(share); i += 10 {
							cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
							resp, err := hs.h.Handle(cctx, event(share[i:min(i+10, len(share))]...))
							cancel()
							if err != nil || len(resp.BatchItemFailures) != 0 {
								errs <- fmt.Sprintf("consumer %d: %v %v", c, err, resp.BatchItemFailures)
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for e := range errs {
					t.Fatalf("seed %d: %s\n%s", seed, e, consumers[0].logs)
				}
				for _, hs := range consumers {
					if l := hs.dlq.Letters(); len(l) != 0 {
						t.Fatalf("seed %d: dead letters %+v", seed, l)
					}
				}
				want, got := dump(t, refc), dump(t, consumers[0].rdb)
				if ttlOnCollections {
					want, got = withoutCollectionTTL(want), withoutCollectionTTL(got)
				}
				if d := diffStates(want, got); d != "" {
					t.Fatalf("seed %d: concurrent ordered consumers ≠ plain Redis in order:\n%s\nops: %s", seed, d, fmtOps(ops))
				}
			}
			t.Logf("%s: %d transactions refused because a watched key changed, and retried", tg.name, aborts.Load())
			if aborts.Load() == 0 {
				t.Fatal("no transaction ever met a conflict: the test did not exercise the retry path")
			}
		})
	}
}
