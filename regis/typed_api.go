// The typed API: one Publisher method per command of the allow-list (Set,
// Del, MSet, HSet, HDel, SAdd, SRem, ZAdd, ZRem, Expire, PExpireAt, Persist),
// checked and rewritten (relative TTLs to absolute times) before publishing.

package regis

import (
	"context"
	"math"
	"strconv"
	"time"
)

// SetOption changes what Set does. Build one with TTL, ExpireAt, NX, XX or
// KeepTTL.
type SetOption struct {
	kind setKind
	ttl  time.Duration
	at   time.Time
}

type setKind uint8

const (
	setTTL setKind = iota + 1
	setExpireAt
	setNX
	setXX
	setKeepTTL
)

// TTL makes the key expire d from now. The publisher sends the absolute
// time (SET … PXAT), so a late redelivery does not extend the key's life.
// d is rounded up to the millisecond.
func TTL(d time.Duration) SetOption { return SetOption{kind: setTTL, ttl: d} }

// ExpireAt makes the key expire at t (SET … PXAT), to the millisecond.
func ExpireAt(t time.Time) SetOption { return SetOption{kind: setExpireAt, at: t} }

// NX sets the key only if it does not exist. Not allowed in ordered mode.
func NX() SetOption { return SetOption{kind: setNX} }

// XX sets the key only if it exists. Not allowed in ordered mode.
func XX() SetOption { return SetOption{kind: setXX} }

// KeepTTL keeps the key's current expiry. Not allowed in ordered mode.
func KeepTTL() SetOption { return SetOption{kind: setKeepTTL} }

// Set publishes SET key value with the given options.
func (p *Publisher) Set(ctx context.Context, key, value string, opts ...SetOption) (*Result, error) {
	args := make([]string, 3, 5)
	args[0], args[1], args[2] = "SET", key, value
	var expiry string
	for _, o := range opts {
		switch o.kind {
		case setTTL, setExpireAt:
			if expiry != "" {
				return nil, refuse("SET", "more than one expiry option")
			}
			var ms int64
			if o.kind == setTTL {
				if o.ttl <= 0 {
					return nil, refuse("SET", "TTL %s is not positive", o.ttl)
				}
				ms = ceilMillis(o.ttl)
			}
			at, err := p.expiry("SET", o, ms)
			if err != nil {
				return nil, err
			}
			expiry = at
		case setNX:
			args = append(args, "NX")
		case setXX:
			args = append(args, "XX")
		case setKeepTTL:
			args = append(args, "KEEPTTL")
		default:
			return nil, refuse("SET", "zero SetOption: build options with TTL, ExpireAt, NX, XX or KeepTTL")
		}
	}
	if expiry != "" {
		args = append(args, "PXAT", expiry)
	}
	return p.publish(ctx, args)
}

// expiry returns the absolute time in Unix ms of a TTL (ms from now) or
// ExpireAt option.
func (p *Publisher) expiry(name string, o SetOption, ttlMs int64) (string, error) {
	if o.kind == setExpireAt {
		ms := o.at.UnixMilli()
		if ms <= 0 {
			return "", refuse(name, "expiry time %s is not after 1970", o.at)
		}
		return strconv.FormatInt(ms, 10), nil
	}
	return absolute(name, p.opts.Now().UnixMilli(), ttlMs, 1)
}

func ceilMillis(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// Del publishes DEL key….
func (p *Publisher) Del(ctx context.Context, keys ...string) (*Result, error) {
	return p.publish(ctx, prepend("DEL", nil, keys))
}

// MSet publishes MSET key value [key value …]; keyValues alternate keys
// and values.
func (p *Publisher) MSet(ctx context.Context, keyValues ...string) (*Result, error) {
	return p.publish(ctx, prepend("MSET", nil, keyValues))
}

// HSet publishes HSET key field value [field value …].
func (p *Publisher) HSet(ctx context.Context, key string, fieldValues ...string) (*Result, error) {
	return p.publish(ctx, prepend("HSET", &key, fieldValues))
}

// HDel publishes HDEL key field….
func (p *Publisher) HDel(ctx context.Context, key string, fields ...string) (*Result, error) {
	return p.publish(ctx, prepend("HDEL", &key, fields))
}

// SAdd publishes SADD key member….
func (p *Publisher) SAdd(ctx context.Context, key string, members ...string) (*Result, error) {
	return p.publish(ctx, prepend("SADD", &key, members))
}

// SRem publishes SREM key member….
func (p *Publisher) SRem(ctx context.Context, key string, members ...string) (*Result, error) {
	return p.publish(ctx, prepend("SREM", &key, members))
}

// Z is a sorted set member with its score.
type Z struct {
	Score  float64
	Member string
}

// ZAdd publishes ZADD key score member….
func (p *Publisher) ZAdd(ctx context.Context, key string, members ...Z) (*Result, error) {
	args := make([]string, 2, 2+2*len(members))
	args[0], args[1] = "ZADD", key
	for _, z := range members {
		if math.IsNaN(z.Score) {
			return nil, refuse("ZADD", "score of %q is NaN", z.Member)
		}
		args = append(args, strconv.FormatFloat(z.Score, 'g', -1, 64), z.Member)
	}
	return p.publish(ctx, args)
}

// ZRem publishes ZREM key member….
func (p *Publisher) ZRem(ctx context.Context, key string, members ...string) (*Result, error) {
	return p.publish(ctx, prepend("ZREM", &key, members))
}

// Expire makes key expire ttl from now. The publisher sends the absolute
// time (PEXPIREAT), so a late redelivery does not extend the key's life.
func (p *Publisher) Expire(ctx context.Context, key string, ttl time.Duration) (*Result, error) {
	if ttl <= 0 {
		return nil, refuse("EXPIRE", "TTL %s is not positive", ttl)
	}
	at, err := p.expiry("PEXPIREAT", SetOption{kind: setTTL}, ceilMillis(ttl))
	if err != nil {
		return nil, err
	}
	return p.publish(ctx, []string{"PEXPIREAT", key, at})
}

// PExpireAt makes key expire at t, to the millisecond (PEXPIREAT).
func (p *Publisher) PExpireAt(ctx context.Context, key string, t time.Time) (*Result, error) {
	at, err := p.expiry("PEXPIREAT", SetOption{kind: setExpireAt, at: t}, 0)
	if err != nil {
		return nil, err
	}
	return p.publish(ctx, []string{"PEXPIREAT", key, at})
}

// Persist removes key's expiry.
func (p *Publisher) Persist(ctx context.Context, key string) (*Result, error) {
	return p.publish(ctx, []string{"PERSIST", key})
}

func prepend(name string, key *string, rest []string) []string {
	n := 1
	if key != nil {
		n++
	}
	args := make([]string, n, n+len(rest))
	args[0] = name
	if key != nil {
		args[1] = *key
	}
	return append(args, rest...)
}
