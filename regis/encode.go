package regis

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// This file holds the allocation-free JSON writers the publisher uses on its
// hot path. They write exactly the bytes encoding/json writes for the same
// values with HTML escaping off (Command.MarshalJSON and EncodeRaw), which
// the tests check, so the size the publisher counts is the size it sends.

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string carries as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string, escaped as encoding/json does
// with SetEscapeHTML(false): '"', '\\' and control characters are escaped,
// U+2028 and U+2029 are escaped, invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst, _ = appendString(dst, s, false)
	return dst
}

// appendString appends s as a JSON string (see appendJSONString). With
// strict set it stops and reports false at the first byte sequence that is
// not text in the sense of IsText.
func appendString(dst []byte, s string, strict bool) ([]byte, bool) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			if strict {
				return dst, false
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			start = i + size
		case strict && (c == '\uFFFE' || c == '\uFFFF'):
			return dst, false
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}

// argsForm says how a command's arguments travel.
type argsForm uint8

const (
	formText argsForm = iota // JSON strings
	formB64                  // base64 strings, because one argument is not text
)

// appendArgs appends the JSON array of args, as text if every argument is
// text (see IsText), else base64, and reports the form it chose.
func appendArgs(dst []byte, args []string) ([]byte, argsForm) {
	start := len(dst)
	dst = append(dst, '[')
	for i, a := range args {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendString(dst, a, true); !ok {
			return appendB64Args(dst[:start], args), formB64
		}
	}
	return append(dst, ']'), formText
}

func appendB64Args(dst []byte, args []string) []byte {
	dst = append(dst, '[')
	for i, a := range args {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, []byte(a))
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendWrapped appends one command given its encoded arguments array (as
// appendArgs writes it) and its version: the bare array for unversioned
// text, otherwise the object form.
func appendWrapped(dst, array []byte, form argsForm, version uint64) []byte {
	if form == formText && version == 0 {
		return append(dst, array...)
	}
	dst = append(dst, '{')
	if version != 0 {
		dst = append(dst, `"ver":`...)
		dst = strconv.AppendUint(dst, version, 10)
		dst = append(dst, ',')
	}
	if form == formText {
		dst = append(dst, `"args":`...)
	} else {
		dst = append(dst, `"b64":`...)
	}
	dst = append(dst, array...)
	return append(dst, '}')
}

// maxWrapOverhead is the most appendWrapped adds around the arguments array:
// {"ver":18446744073709551615,"args":…}.
const maxWrapOverhead = len(`{"ver":18446744073709551615,"args":}`)

// appendCommand appends the wire form of one command.
func appendCommand(dst []byte, args []string, version uint64) []byte {
	if version == 0 {
		start := len(dst)
		dst, form := appendArgs(dst, args)
		if form == formText {
			return dst
		}
		// Binary: wrap the base64 array in {"b64":…}.
		array := append([]byte(nil), dst[start:]...)
		return appendWrapped(dst[:start], array, form, version)
	}
	array, form := appendArgs(nil, args)
	return appendWrapped(dst, array, form, version)
}

// Envelope pieces. A message is
//
//	{"regis":1,"id":…,"origin":{"region":…,"service":…},"ts":…,"cmds":[…]}
//	{"regis":1,"id":…,"origin":{"region":…,"service":…},"ts":…,"zip":"gzip","data":"…"}
const (
	plainOpen  = `"cmds":`
	plainClose = `}`
	zipOpen    = `"zip":"gzip","data":"`
	zipClose   = `"}`
)

// appendEnvelope appends the message fields before the commands, up to and
// including the comma after "ts".
func appendEnvelope(dst []byte, id string, origin Origin, ts int64) []byte {
	dst = append(dst, `{"regis":`...)
	dst = strconv.AppendInt(dst, FormatVersion, 10)
	dst = append(dst, `,"id":`...)
	dst = appendJSONString(dst, id)
	dst = append(dst, `,"origin":{"region":`...)
	dst = appendJSONString(dst, origin.Region)
	dst = append(dst, `,"service":`...)
	dst = appendJSONString(dst, origin.Service)
	dst = append(dst, `},"ts":`...)
	dst = strconv.AppendInt(dst, ts, 10)
	return append(dst, ',')
}
