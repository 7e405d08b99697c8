package consumer

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
	"github.com/regis-infra/terraform-provider-regis/regis"
)

// formatReason maps a regis.Decode error to a reason code. Decode reports
// every problem as a *regis.FormatError; its text tells which.
func formatReason(err error) string {
	var fe *regis.FormatError
	if !errors.As(err, &fe) {
		return contract.ReasonMalformed
	}
	r := fe.Reason
	switch {
	case strings.HasPrefix(r, `no "regis" format version`):
		return contract.ReasonNotRegis
	case strings.HasPrefix(r, "unknown format version"):
		return contract.ReasonUnknownVersion
	case strings.HasPrefix(r, "decompressed commands exceed"):
		return contract.ReasonTooLarge
	case strings.HasPrefix(r, "unknown compression"), strings.HasPrefix(r, "bad gzip"),
		strings.HasPrefix(r, `"data" is not base64`), strings.HasPrefix(r, `both "cmds" and "data"`),
		strings.HasPrefix(r, `"data" without "zip"`):
		return contract.ReasonBadCompression
	default:
		return contract.ReasonMalformed
	}
}

// commandReason maps a regis.Validate error to a reason code.
func commandReason(err error) string {
	var ce *regis.CommandError
	if !errors.As(err, &ce) {
		return contract.ReasonBadArguments
	}
	r := ce.Reason
	switch {
	case strings.HasPrefix(r, "not idempotent"), strings.HasPrefix(r, "INCR is not idempotent"):
		return contract.ReasonNotIdempotent
	case strings.HasPrefix(r, "not on the allow-list"), strings.HasPrefix(r, "command names must be upper case"),
		strings.HasPrefix(r, "aliases must be rewritten"), strings.HasPrefix(r, "relative or second-based expiry must"):
		return contract.ReasonNotAllowed
	case strings.Contains(r, "cannot be ordered"):
		return contract.ReasonNotOrderable
	default:
		return contract.ReasonBadArguments
	}
}

// rejectedPrefixes are error replies that mean the command itself can never
// succeed, whatever the server's state.
var rejectedPrefixes = []string{
	"ERR value is not",          // an integer / a valid float
	"ERR value is out of range", // ditto
	"ERR syntax error",          // options Redis does not accept
	"ERR wrong number of arguments",
	"ERR invalid expire time",
	"ERR unknown command",                          // allowed by regis but not known to this server
	"ERR Unknown Redis command called from script", // the same, from the ordered-mode script
	"ERR string exceeds maximum allowed size",
	"ERR resulting score is not a number",
	"ERR min or max is not a float",
	"ERR Protocol error: invalid bulk length",
}

// redisPoison reports whether a Redis command error is the message's fault
// (poison) and with which reason. Everything else is transient and retried
// through SQS: connection errors, timeouts, LOADING, CLUSTERDOWN, TRYAGAIN,
// MOVED/ASK beyond the client's redirects, MASTERDOWN, READONLY after a
// failover, BUSY, NOAUTH/WRONGPASS/NOPERM (configuration, fixed without
// touching the message), max clients, and OOM: memory pressure is the
// cluster's state, not the message's fault, and it eases as keys expire or
// are evicted or the cluster scales; retrying keeps the message, while
// SQS's maxReceiveCount still bounds the retries. Unknown error replies are
// transient too: retrying a message is safe, dropping one is not.
func redisPoison(err error) (bool, string) {
	var re redis.Error
	if err == nil || !errors.As(err, &re) {
		return false, ""
	}
	msg := re.Error()
	if strings.HasPrefix(msg, "WRONGTYPE") {
		return true, contract.ReasonWrongType
	}
	for _, p := range rejectedPrefixes {
		if strings.HasPrefix(msg, p) {
			return true, contract.ReasonRejected
		}
	}
	return false, ""
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// causeDeadline is the cause of items not attempted before the deadline.
const causeDeadline = "the invocation's deadline came before they were applied"

// causeNoDLQ is the cause of poison messages reported failed because no
// DLQ is configured: SQS's redrive policy moves them, by design.
const causeNoDLQ = "no DLQ configured"

// batchFailure is why messages of an invocation failed transiently.
type batchFailure struct {
	kind string
	// message is what a person reads first: the kind in words and the
	// error, e.g. "redis unavailable: dial tcp 10.0.0.1:6379: connect:
	// connection refused".
	message string
}

// redisFailure tells whether kind is a failure of Redis (RedisErrors).
func (f *batchFailure) redis() bool {
	switch f.kind {
	case contract.FailureRedisUnavailable, contract.FailureRedisTLS, contract.FailureRedisAuth, contract.FailureRedisRefused:
		return true
	}
	return false
}

// classifyFailure describes the first transient failure of an invocation
// from its cause (the error as Redis, the network or the DLQ gave it).
func classifyFailure(cause string) batchFailure {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(cause, s) {
				return true
			}
		}
		return false
	}
	var kind, words string
	switch {
	case strings.HasPrefix(cause, "DLQ: "):
		kind, words, cause = contract.FailureDLQ, "DLQ unavailable, poison messages kept in the queue", strings.TrimPrefix(cause, "DLQ: ")
	case cause == causeDeadline:
		kind, words = contract.FailureDeadline, "invocation deadline reached"
	case has("x509:", "tls:", "certificate"):
		kind, words = contract.FailureRedisTLS, "redis TLS handshake failed"
	case has("NOAUTH", "WRONGPASS", "NOPERM", "invalid password", "invalid username-password"):
		kind, words = contract.FailureRedisAuth, "redis refused the credentials"
	case has("dial ", "connection refused", "i/o timeout", "connection reset", "broken pipe", "EOF",
		"no such host", "network is unreachable", "no route to host", "context deadline exceeded", "pool timeout"):
		kind, words = contract.FailureRedisUnavailable, "redis unavailable"
	default:
		kind, words = contract.FailureRedisRefused, "redis refused the writes"
	}
	return batchFailure{kind: kind, message: words + ": " + cause}
}
