package regis

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestNormalizeRewritesRelativeTTLs(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	cases := []struct{ in, want string }{
		{"set k v ex 10", "SET k v PXAT 1010000"},
		{"SET k v PX 500 NX", "SET k v NX PXAT 1000500"},
		{"SET k v EXAT 2000", "SET k v PXAT 2000000"},
		{"SET k v PXAT 5", "SET k v PXAT 5"},
		{"SET k v KEEPTTL", "SET k v KEEPTTL"},
		{"SETEX k 10 v", "SET k v PXAT 1010000"},
		{"PSETEX k 10 v", "SET k v PXAT 1000010"},
		{"SETNX k v", "SET k v NX"},
		{"EXPIRE k 60", "PEXPIREAT k 1060000"},
		{"PEXPIRE k 60 GT", "PEXPIREAT k 1000060 GT"},
		{"EXPIREAT k 60", "PEXPIREAT k 60000"},
		{"HMSET h f v", "HSET h f v"},
		{"del a b", "DEL a b"},
		{"ZADD z NX 1.5 m", "ZADD z NX 1.5 m"},
	}
	for _, c := range cases {
		got, err := Normalize(strings.Fields(c.in), now)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q: got %q, want %q", c.in, strings.Join(got, " "), c.want)
		}
		if err := Validate(got, false); err != nil {
			t.Errorf("%q: canonical form refused: %v", c.in, err)
		}
	}
}

func TestNormalizeRefuses(t *testing.T) {
	for _, in := range []string{
		"INCR k", "LPUSH l x", "APPEND k v", "GET k", "SET k", "SET k v GET", "SET k v EX 0", "SET k v EX 1 PX 2",
		"SET k v BOGUS", "MSET a", "HSET h f", "ZADD z INCR 1 m", "ZADD z x m", "EXPIRE k -1", "FLUSHALL",
		"EVAL x 0", "RENAME a b", "PEXPIREAT k 1 SOMETIMES", "EXPIRE k 99999999999999999",
	} {
		_, err := Normalize(strings.Fields(in), time.Now())
		var ce *CommandError
		if !errors.As(err, &ce) {
			t.Errorf("%q: got %v, want a CommandError", in, err)
		}
	}
}

func TestValidateOrderedMode(t *testing.T) {
	ok := []string{"SET k v", "SET k v PXAT 9", "DEL a b", "MSET a 1 b 2", "HSET h f v", "HDEL h f", "SADD s m", "SREM s m", "ZADD z 1 m", "ZREM z m", "PEXPIREAT k 5", "PERSIST k"}
	for _, in := range ok {
		if err := Validate(strings.Fields(in), true); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	bad := []string{"SET k v NX", "SET k v KEEPTTL", "ZADD z GT 1 m", "PEXPIREAT k 5 GT", "set k v", "SET k v EX 5", "EXPIRE k 5", "SETNX k v"}
	for _, in := range bad {
		if err := Validate(strings.Fields(in), true); err == nil {
			t.Errorf("%q: accepted in ordered mode", in)
		}
	}
}

func TestKeys(t *testing.T) {
	for in, want := range map[string]string{"DEL a b": "a b", "MSET a 1 b 2": "a b", "HSET h f v": "h", "PERSIST k": "k"} {
		if got := strings.Join(Keys(strings.Fields(in)), " "); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

// TestValidateScoresRedisRefuses: scores that Redis refuses are refused at
// publish time, not dead-lettered in every region (found by the chaos run:
// ParseFloat rounds "1e-400" to 0, while Redis answers "ERR value is not a
// valid float").
func TestValidateScoresRedisRefuses(t *testing.T) {
	for _, score := range []string{"1e-400", "-1e-400", "1E-330", "0x1p-1100", "0x1_0p0", "NaN", "1e400", "", " 1"} {
		if err := Validate([]string{"ZADD", "z", score, "m"}, false); err == nil {
			t.Errorf("score %q accepted", score)
		}
	}
	for _, score := range []string{"0", "-0", "0.0", "0e-400", "+0x0p5", "3e-324", "1.5", "-2", "inf", "-Infinity", "1e308", "0x1p4", ".5"} {
		if err := Validate([]string{"ZADD", "z", score, "m"}, false); err != nil {
			t.Errorf("score %q refused: %v", score, err)
		}
	}
}
