package regis

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// CommandError explains why a command is not accepted.
type CommandError struct {
	Command string
	Reason  string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("regis: %s refused: %s", e.Command, e.Reason)
}

func refuse(name, format string, args ...any) error {
	return &CommandError{Command: name, Reason: fmt.Sprintf(format, args...)}
}

// notIdempotent names commands that are refused because redelivery would
// apply them twice, with the reason given to the publisher.
var notIdempotent = map[string]string{
	"INCR": "a redelivered increment counts twice", "INCRBY": "a redelivered increment counts twice",
	"INCRBYFLOAT": "a redelivered increment counts twice", "DECR": "a redelivered decrement counts twice",
	"DECRBY": "a redelivered decrement counts twice", "HINCRBY": "a redelivered increment counts twice",
	"HINCRBYFLOAT": "a redelivered increment counts twice", "ZINCRBY": "a redelivered increment counts twice",
	"APPEND": "a redelivered append repeats the data", "SETRANGE": "partial writes depend on the current value",
	"LPUSH": "a redelivered push adds the element twice", "RPUSH": "a redelivered push adds the element twice",
	"LPUSHX": "a redelivered push adds the element twice", "RPUSHX": "a redelivered push adds the element twice",
	"LPOP": "a redelivered pop removes a second element", "RPOP": "a redelivered pop removes a second element",
	"LINSERT": "list positions shift under redelivery", "LSET": "list positions shift under redelivery",
	"LREM": "list contents shift under redelivery", "LTRIM": "list contents shift under redelivery",
	"RENAME": "a redelivered rename fails or moves a newer key", "RENAMENX": "a redelivered rename fails or moves a newer key",
	"GETSET": "returns a value publishers cannot read", "GETDEL": "returns a value publishers cannot read",
	"SPOP": "removes random members", "BITFIELD": "may increment",
	"PFADD": "not supported", "XADD": "a redelivered entry is appended twice",
}

// Normalize checks a command against the allow-list of idempotent commands
// and rewrites it to its canonical form, the only form consumers accept:
//   - relative TTLs become absolute: SET … EX/PX/EXAT → PXAT, SETEX/PSETEX →
//     SET … PXAT, EXPIRE/PEXPIRE/EXPIREAT → PEXPIREAT, computed from now, so
//     that a redelivered command never extends a key's life;
//   - aliases become their canonical command: SETNX → SET … NX, HMSET → HSET.
//
// Command names are case-insensitive.
func Normalize(args []string, now time.Time) ([]string, error) {
	if len(args) == 0 {
		return nil, refuse("(empty)", "a command needs at least its name")
	}
	name := strings.ToUpper(args[0])
	out := append([]string{name}, args[1:]...)
	nowMs := now.UnixMilli()
	switch name {
	case "SET":
		return normalizeSet(out, nowMs)
	case "SETEX", "PSETEX":
		if len(out) != 4 {
			return nil, refuse(name, "expects key, %s and value", map[string]string{"SETEX": "seconds", "PSETEX": "milliseconds"}[name])
		}
		n, err := positiveInt(name, out[2])
		if err != nil {
			return nil, err
		}
		unit := int64(1000)
		if name == "PSETEX" {
			unit = 1
		}
		at, err := absolute(name, nowMs, n, unit)
		if err != nil {
			return nil, err
		}
		return []string{"SET", out[1], out[3], "PXAT", at}, nil
	case "SETNX":
		if len(out) != 3 {
			return nil, refuse(name, "expects key and value")
		}
		return []string{"SET", out[1], out[2], "NX"}, nil
	case "HMSET":
		out[0] = "HSET"
	case "EXPIRE", "PEXPIRE", "EXPIREAT":
		if len(out) < 3 || len(out) > 4 {
			return nil, refuse(name, "expects key, time and an optional NX|XX|GT|LT")
		}
		n, err := positiveInt(name, out[2])
		if err != nil {
			return nil, err
		}
		var at string
		switch name {
		case "EXPIRE":
			at, err = absolute(name, nowMs, n, 1000)
		case "PEXPIRE":
			at, err = absolute(name, nowMs, n, 1)
		case "EXPIREAT":
			at, err = absolute(name, 0, n, 1000)
		}
		if err != nil {
			return nil, err
		}
		out = append([]string{"PEXPIREAT", out[1], at}, out[3:]...)
	}
	if err := Validate(out, false); err != nil {
		return nil, err
	}
	return out, nil
}

func normalizeSet(args []string, nowMs int64) ([]string, error) {
	if len(args) < 3 {
		return nil, refuse("SET", "expects key and value")
	}
	out := []string{"SET", args[1], args[2]}
	var expiry string
	for i := 3; i < len(args); i++ {
		opt := strings.ToUpper(args[i])
		switch opt {
		case "NX", "XX", "KEEPTTL":
			out = append(out, opt)
		case "GET":
			return nil, refuse("SET", "the GET option returns a value publishers cannot read")
		case "EX", "PX", "EXAT", "PXAT":
			if expiry != "" {
				return nil, refuse("SET", "more than one expiry option")
			}
			if i+1 >= len(args) {
				return nil, refuse("SET", "%s needs a value", opt)
			}
			i++
			n, err := positiveInt("SET", args[i])
			if err != nil {
				return nil, err
			}
			switch opt {
			case "EX":
				expiry, err = absolute("SET", nowMs, n, 1000)
			case "PX":
				expiry, err = absolute("SET", nowMs, n, 1)
			case "EXAT":
				expiry, err = absolute("SET", 0, n, 1000)
			case "PXAT":
				expiry = strconv.FormatInt(n, 10)
			}
			if err != nil {
				return nil, err
			}
		default:
			return nil, refuse("SET", "unknown option %q", args[i])
		}
	}
	if expiry != "" {
		out = append(out, "PXAT", expiry)
	}
	if err := Validate(out, false); err != nil {
		return nil, err
	}
	return out, nil
}

func positiveInt(name, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, refuse(name, "%q is not a positive integer", s)
	}
	return n, nil
}

func absolute(name string, baseMs, n, unit int64) (string, error) {
	if n > (math.MaxInt64-baseMs)/unit {
		return "", refuse(name, "time %d is out of range", n)
	}
	return strconv.FormatInt(baseMs+n*unit, 10), nil
}

// Validate checks that a command is in canonical form (see Normalize): what
// a consumer applies. With ordered set, it also refuses the options whose
// meaning depends on the current value (NX, XX, KEEPTTL, GT, LT, CH), which
// cannot be ordered by version.
//
// Canonical commands:
//
//	SET key value [NX|XX] [PXAT ms|KEEPTTL]
//	MSET key value [key value …]
//	DEL key [key …]            UNLINK key [key …]
//	HSET key field value […]   HDEL key field [field …]
//	SADD key member […]        SREM key member […]
//	ZADD key [NX|XX] [GT|LT] [CH] score member […]   ZREM key member […]
//	PEXPIREAT key ms [NX|XX|GT|LT]                   PERSIST key
func Validate(args []string, ordered bool) error {
	if len(args) == 0 {
		return refuse("(empty)", "a command needs at least its name")
	}
	name := args[0]
	if name != strings.ToUpper(name) {
		return refuse(name, "command names must be upper case in the wire format")
	}
	if why, ok := notIdempotent[name]; ok {
		return refuse(name, "not idempotent: %s", why)
	}
	n := len(args) - 1
	switch name {
	case "SET":
		if n < 2 {
			return refuse(name, "expects key and value")
		}
		var cond, expiry bool
		for i := 3; i < len(args); i++ {
			switch args[i] {
			case "NX", "XX":
				if cond {
					return refuse(name, "NX and XX are exclusive")
				}
				if ordered {
					return refuse(name, "%s depends on the current value and cannot be ordered", args[i])
				}
				cond = true
			case "KEEPTTL":
				if expiry {
					return refuse(name, "KEEPTTL and PXAT are exclusive")
				}
				if ordered {
					return refuse(name, "KEEPTTL depends on the current value and cannot be ordered")
				}
				expiry = true
			case "PXAT":
				if expiry || i+1 >= len(args) {
					return refuse(name, "PXAT needs one time and excludes KEEPTTL")
				}
				i++
				if _, err := positiveInt(name, args[i]); err != nil {
					return err
				}
				expiry = true
			case "EX", "PX", "EXAT":
				return refuse(name, "relative or second-based expiry %s must be rewritten to PXAT by the publisher", args[i])
			default:
				return refuse(name, "option %q is not allowed", args[i])
			}
		}
	case "MSET":
		if n < 2 || n%2 != 0 {
			return refuse(name, "expects key value pairs")
		}
	case "DEL", "UNLINK", "PERSIST":
		if n < 1 || (name == "PERSIST" && n != 1) {
			return refuse(name, "expects keys")
		}
	case "HSET":
		if n < 3 || (n-1)%2 != 0 {
			return refuse(name, "expects key and field value pairs")
		}
	case "HDEL", "SADD", "SREM", "ZREM":
		if n < 2 {
			return refuse(name, "expects key and at least one member")
		}
	case "ZADD":
		if n < 3 {
			return refuse(name, "expects key and score member pairs")
		}
		i := 2
		for ; i < len(args); i++ {
			switch args[i] {
			case "NX", "XX", "GT", "LT", "CH":
				if ordered {
					return refuse(name, "%s depends on the current value and cannot be ordered", args[i])
				}
				continue
			case "INCR":
				return refuse(name, "INCR is not idempotent")
			}
			break
		}
		rest := args[i:]
		if len(rest) == 0 || len(rest)%2 != 0 {
			return refuse(name, "expects score member pairs")
		}
		for j := 0; j < len(rest); j += 2 {
			// Scores Redis refuses would fail on apply, in every region.
			if !validScore(rest[j]) {
				return refuse(name, "score %q is not a number", rest[j])
			}
		}
	case "PEXPIREAT":
		if n < 2 || n > 3 {
			return refuse(name, "expects key, time in ms and an optional NX|XX|GT|LT")
		}
		if _, err := positiveInt(name, args[2]); err != nil {
			return err
		}
		if n == 3 {
			switch args[3] {
			case "NX", "XX", "GT", "LT":
				if ordered {
					return refuse(name, "%s depends on the current TTL and cannot be ordered", args[3])
				}
			default:
				return refuse(name, "option %q is not allowed", args[3])
			}
		}
	case "EXPIRE", "PEXPIRE", "EXPIREAT", "SETEX", "PSETEX":
		return refuse(name, "relative or second-based expiry must be rewritten to PEXPIREAT / SET … PXAT by the publisher")
	case "SETNX", "HMSET":
		return refuse(name, "aliases must be rewritten by the publisher (SET … NX, HSET)")
	default:
		return refuse(name, "not on the allow-list of idempotent commands")
	}
	return nil
}

// validScore reports whether Redis accepts s as a sorted set score. Redis
// parses scores with C's strtod and refuses NaN, overflow, and underflow to
// zero (ERANGE with a zero result: "1e-400"), which strconv.ParseFloat
// rounds to 0 without an error; and strtod knows no '_' digit separators,
// which ParseFloat accepts after a base prefix ("0x1_0p0").
func validScore(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || strings.ContainsRune(s, '_') {
		return false
	}
	if f != 0 {
		return true
	}
	// Zero: only if the mantissa is zero too, not a tiny number rounded.
	m := strings.TrimLeft(strings.ToLower(s), "+-")
	hex := strings.HasPrefix(m, "0x")
	if hex {
		m = m[2:]
	}
	exponent := "e"
	if hex {
		exponent = "p"
	}
	if i := strings.IndexAny(m, exponent); i >= 0 {
		m = m[:i]
	}
	return strings.Trim(m, "0.") == ""
}

// Keys returns the keys a canonical command writes, in order.
func Keys(args []string) []string {
	if len(args) < 2 {
		return nil
	}
	switch args[0] {
	case "DEL", "UNLINK":
		return args[1:]
	case "MSET":
		keys := make([]string, 0, (len(args)-1)/2)
		for i := 1; i < len(args); i += 2 {
			keys = append(keys, args[i])
		}
		return keys
	default:
		return args[1:2]
	}
}
