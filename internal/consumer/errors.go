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
