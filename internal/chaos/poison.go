package chaos

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/consumer"
	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// Poison is a message no consumer can apply, built by hand as a buggy or
// hostile publisher would send it.
type Poison struct {
	// ID is "poison-<n>"; every body carries it.
	ID string
	// Reason is the regis.reason the consumer must give it.
	Reason string
	// Body is the SNS message.
	Body string
	// Effects are the writes of the message that Redis applies although
	// the message is poison: a command Redis refuses (WRONGTYPE) poisons
	// the message, but the message's other commands are applied.
	Effects []Cmd
}

// PoisonReasons returns the reasons the run injects, in the order they
// are used. Ordered mode adds the reasons only it has.
func PoisonReasons(ordered bool) []string {
	r := []string{
		contract.ReasonMalformed, contract.ReasonNotRegis, contract.ReasonUnknownVersion, contract.ReasonBadCompression,
		contract.ReasonTooLarge, contract.ReasonNotIdempotent, contract.ReasonNotAllowed, contract.ReasonBadArguments,
		contract.ReasonWrongType,
	}
	if ordered {
		r = append(r, contract.ReasonMissingVersion, contract.ReasonReservedKey, contract.ReasonNotOrderable)
	}
	return r
}

// PoisonKeyPrefix starts every key a poison message names.
const PoisonKeyPrefix = "poison:"

// NewPoison builds poison message n with the given reason. Versions, in
// ordered mode, are small numbers: poison keys are nobody else's.
func NewPoison(n int, reason string, ordered bool, origin regis.Origin, now time.Time) Poison {
	id := "poison-" + strconv.Itoa(n)
	key := PoisonKeyPrefix + strconv.Itoa(n)
	ver := uint64(1000 + 2*n)
	cmd := func(v uint64, args ...string) string {
		a, _ := json.Marshal(args)
		if !ordered || v == 0 {
			return string(a)
		}
		return `{"ver":` + strconv.FormatUint(v, 10) + `,"args":` + string(a) + `}`
	}
	head := func(format int) string {
		o, _ := json.Marshal(origin)
		return `{"regis":` + strconv.Itoa(format) + `,"id":"` + id + `","origin":` + string(o) + `,"ts":` + strconv.FormatInt(now.UnixMilli(), 10)
	}
	msg := func(cmds ...string) string { return head(1) + `,"cmds":[` + strings.Join(cmds, ",") + `]}` }
	p := Poison{ID: id, Reason: reason}
	switch reason {
	case contract.ReasonMalformed:
		// Cut short: not JSON.
		full := msg(cmd(ver, "SET", key, "x"))
		p.Body = full[:len(full)-3]
	case contract.ReasonNotRegis:
		p.Body = `{"id":"` + id + `","text":"not a regis message"}`
	case contract.ReasonUnknownVersion:
		p.Body = head(2) + `,"cmds":[` + cmd(ver, "SET", key, "x") + `]}`
	case contract.ReasonBadCompression:
		p.Body = head(1) + `,"zip":"brotli","data":"` + base64.StdEncoding.EncodeToString([]byte(cmd(ver, "SET", key, "x"))) + `"}`
	case contract.ReasonTooLarge:
		p.Body = head(1) + `,"zip":"gzip","data":"` + bomb() + `"}`
	case contract.ReasonNotIdempotent:
		// A valid write first: nothing of the message may be applied.
		p.Body = msg(cmd(ver, "SET", key+":a", "x"), cmd(ver+1, "INCR", key))
	case contract.ReasonNotAllowed:
		p.Body = msg(cmd(ver, "SET", key+":a", "x"), cmd(ver+1, "FLUSHALL"))
	case contract.ReasonBadArguments:
		p.Body = msg(cmd(ver, "HSET", key, "field"))
	case contract.ReasonWrongType:
		// The hash is written; the SADD on it is refused by Redis (in
		// ordered mode too: the SADD is older than the hash's members).
		p.Body = msg(cmd(ver+1, "HSET", key, "f", "v"), cmd(ver, "SADD", key, "m"))
		p.Effects = []Cmd{{Args: []string{"HSET", key, "f", "v"}}}
	case contract.ReasonMissingVersion:
		p.Body = msg(cmd(0, "SET", key, "x"))
	case contract.ReasonReservedKey:
		p.Body = msg(cmd(ver, "SET", consumer.MetaPrefix+key, "x"))
	case contract.ReasonNotOrderable:
		p.Body = msg(cmd(ver, "SET", key, "x", "NX"))
	default:
		panic("chaos: no poison for reason " + reason)
	}
	return p
}

var bombOnce struct {
	sync.Once
	data string
}

// bomb is base64 gzip data that expands past regis.MaxDecompressedSize.
func bomb() string {
	bombOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		chunk := bytes.Repeat([]byte{' '}, 1<<20)
		for n := 0; n <= regis.MaxDecompressedSize; n += len(chunk) {
			_, _ = zw.Write(chunk)
		}
		_ = zw.Close()
		bombOnce.data = base64.StdEncoding.EncodeToString(buf.Bytes())
	})
	return bombOnce.data
}
