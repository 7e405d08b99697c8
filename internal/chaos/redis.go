package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ReadRedis reads every key of a Redis, except those skip accepts, as
// Values. The expiry of a key is the interval of the PTTL reading: from the
// clock before the round trip to the clock after it.
func ReadRedis(ctx context.Context, rc *goredis.Client, skip func(key string) bool) (map[string]*Value, error) {
	out := map[string]*Value{}
	var cursor uint64
	for {
		keys, next, err := rc.Scan(ctx, cursor, "*", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("SCAN: %w", err)
		}
		var batch []string
		for _, k := range keys {
			if (skip == nil || !skip(k)) && out[k] == nil {
				batch = append(batch, k)
			}
		}
		if err := readKeys(ctx, rc, batch, out); err != nil {
			return nil, err
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}

func readKeys(ctx context.Context, rc *goredis.Client, keys []string, out map[string]*Value) error {
	if len(keys) == 0 {
		return nil
	}
	pipe := rc.Pipeline()
	types := make([]*goredis.StatusCmd, len(keys))
	ttls := make([]*goredis.DurationCmd, len(keys))
	for i, k := range keys {
		types[i] = pipe.Type(ctx, k)
		ttls[i] = pipe.PTTL(ctx, k)
	}
	before := time.Now().UnixMilli()
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("TYPE/PTTL: %w", err)
	}
	after := time.Now().UnixMilli()

	pipe = rc.Pipeline()
	vals := make([]goredis.Cmder, len(keys))
	for i, k := range keys {
		switch Kind(types[i].Val()) {
		case KindString:
			vals[i] = pipe.Get(ctx, k)
		case KindHash:
			vals[i] = pipe.HGetAll(ctx, k)
		case KindSet:
			vals[i] = pipe.SMembers(ctx, k)
		case KindZSet:
			vals[i] = pipe.ZRangeWithScores(ctx, k, 0, -1)
		case "none":
		default:
			return fmt.Errorf("key %s is a %s, which the stream never writes", k, types[i].Val())
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("reading values: %w", err)
	}
	for i, k := range keys {
		if vals[i] == nil {
			continue
		}
		v := &Value{Kind: Kind(types[i].Val())}
		switch c := vals[i].(type) {
		case *goredis.StringCmd:
			if errors.Is(c.Err(), goredis.Nil) {
				continue
			}
			v.Str = c.Val()
		case *goredis.MapStringStringCmd:
			v.Hash = c.Val()
		case *goredis.StringSliceCmd:
			v.Set = map[string]bool{}
			for _, m := range c.Val() {
				v.Set[m] = true
			}
		case *goredis.ZSliceCmd:
			v.ZSet = map[string]float64{}
			for _, z := range c.Val() {
				v.ZSet[z.Member.(string)] = z.Score
			}
		}
		if err := vals[i].Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return fmt.Errorf("reading %s: %w", k, err)
		}
		// PTTL: -1 no expiry, -2 gone (go-redis reports them as -1 and -2 ns).
		if d := ttls[i].Val(); d >= 0 {
			ms := d.Milliseconds()
			v.TTL = &Interval{before + ms, after + ms}
		}
		out[k] = v
	}
	return nil
}
