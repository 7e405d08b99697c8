package regis

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeFast parses body when it is a well-formed, unambiguous message, an
// order of magnitude faster than encoding/json's reflection; ok is false
// otherwise, and decodeReference then decides. Anything it is not sure about
// — every error, and inputs where encoding/json has lenient corners
// (case-insensitive or duplicate member names, null values, invalid UTF-8,
// lone surrogates) — is left to decodeReference. FuzzDecodeFast and
// TestDecodeFastDifferential keep the two equal.
func decodeFast(body []byte) (m *Message, ok bool) {
	p := fastParser{b: body, s: string(body)}
	var (
		seen          uint8
		format, ts    int64
		id, zip, data string
		origin        Origin
		cmds          []Command
		haveCmds      bool
		haveDt        bool
	)
	const (
		fRegis = 1 << iota
		fID
		fOrigin
		fTS
		fCmds
		fZip
		fData
	)
	p.ws()
	if !p.eat('{') {
		return nil, false
	}
	p.ws()
	if !p.eat('}') {
		for {
			p.ws()
			key, ok := p.key()
			if !ok {
				return nil, false
			}
			p.ws()
			if !p.eat(':') {
				return nil, false
			}
			p.ws()
			var bit uint8
			switch key {
			case "regis":
				bit = fRegis
				format, ok = p.int()
			case "id":
				bit = fID
				id, ok = p.str()
			case "origin":
				bit = fOrigin
				ok = p.origin(&origin)
			case "ts":
				bit = fTS
				ts, ok = p.int()
			case "cmds":
				bit = fCmds
				cmds, ok = p.commands()
				haveCmds = true
			case "zip":
				bit = fZip
				zip, ok = p.str()
			case "data":
				bit = fData
				data, ok = p.str()
				haveDt = true
			default:
				if foldsTo(key, "regis", "id", "origin", "ts", "cmds", "zip", "data") {
					return nil, false
				}
				ok = p.skip(0)
			}
			if !ok || seen&bit != 0 {
				return nil, false
			}
			seen |= bit
			p.ws()
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				break
			}
			return nil, false
		}
	}
	p.ws()
	if p.i != len(p.b) || seen&fRegis == 0 || format != FormatVersion || id == "" || ts <= 0 {
		return nil, false
	}
	switch zip {
	case CompressionNone:
		if data != "" || !haveCmds {
			return nil, false
		}
	case CompressionGzip:
		if haveCmds || !haveDt {
			return nil, false
		}
		z, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, false
		}
		raw, err := gunzip(z)
		if err != nil {
			return nil, false
		}
		q := fastParser{b: raw, s: string(raw)}
		q.ws()
		if cmds, ok = q.commands(); !ok {
			return nil, false
		}
		q.ws()
		if q.i != len(q.b) {
			return nil, false
		}
	default:
		return nil, false
	}
	if len(cmds) == 0 {
		return nil, false
	}
	return &Message{ID: id, Origin: origin, PublishedAt: time.UnixMilli(ts), Commands: cmds}, true
}

// foldsTo reports whether key would match one of names under encoding/json's
// case-insensitive matching without being equal to it (or is not ASCII, to
// stay clear of its Unicode folding).
func foldsTo(key string, names ...string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return true
		}
	}
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

type fastParser struct {
	b []byte
	// s is b as one string: strings without escapes are slices of it, so
	// that a message costs one copy rather than one per argument.
	s string
	i int
	// arena backs the commands' argument slices.
	arena []string
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) key() (string, bool) { return p.str() }

// str reads a JSON string. It gives up on invalid UTF-8 and lone
// surrogates, which encoding/json replaces with U+FFFD.
func (p *fastParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	j := bytes.IndexByte(p.b[start:], '"')
	if j < 0 {
		return "", false
	}
	seg := p.b[start : start+j]
	switch plainASCII(seg) {
	case asciiText:
		p.i = start + j + 1
		return p.s[start : start+j], true
	case hasEscapeOrControl:
		if bytes.IndexByte(seg, '\\') >= 0 {
			return p.escaped(start)
		}
		return "", false // a raw control character
	default: // non-ASCII, no escape or control character
		if !utf8.Valid(seg) {
			return "", false
		}
		p.i = start + j + 1
		return p.s[start : start+j], true
	}
}

const (
	asciiText = iota
	nonASCII
	hasEscapeOrControl
)

// plainASCII classifies a string's content 8 bytes at a time: printable
// ASCII without backslashes (the common case), some non-ASCII bytes, or a
// backslash or control character somewhere.
func plainASCII(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	res := asciiText
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&highs != 0 {
			res = nonASCII
		}
		// A byte below 0x20, or equal to '\\': the classic "has zero byte"
		// test on w-0x20… and on w^0x5c….
		bs := w ^ (ones * '\\')
		if ((w-ones*0x20)&^w|(bs-ones)&^bs)&highs != 0 {
			// The high bits of non-ASCII bytes can set these too: look
			// byte by byte.
			for _, c := range b[i : i+8] {
				if c < 0x20 || c == '\\' {
					return hasEscapeOrControl
				}
			}
		}
	}
	for _, c := range b[i:] {
		switch {
		case c < 0x20 || c == '\\':
			return hasEscapeOrControl
		case c >= 0x80:
			res = nonASCII
		}
	}
	return res
}

// escaped finishes a string that has escapes, from its start.
func (p *fastParser) escaped(start int) (string, bool) {
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.b[start:p.i]...)
	if !utf8.Valid(buf) {
		return "", false
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return "", false
			}
			e := p.b[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || p.i+1 >= len(p.b) || p.b[p.i] != '\\' || p.b[p.i+1] != 'u' {
						return "", false
					}
					p.i += 2
					r2, ok := p.hex4()
					if !ok {
						return "", false
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", false
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
		default:
			// Copy up to the next quote or backslash in one go.
			j := p.i
			for j < len(p.b) && p.b[j] != '"' && p.b[j] != '\\' && p.b[j] >= 0x20 {
				j++
			}
			seg := p.b[p.i:j]
			if !utf8.Valid(seg) {
				return "", false
			}
			buf = append(buf, seg...)
			p.i = j
		}
	}
	return "", false
}

func (p *fastParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// digits reads -?(0|[1-9][0-9]*) with nothing after it that would make it
// a fraction or an exponent. It returns the magnitude and sign.
func (p *fastParser) digits() (mag uint64, neg, ok bool) {
	if p.eat('-') {
		neg = true
	}
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if mag > (math.MaxUint64-d)/10 {
			return 0, false, false
		}
		mag = mag*10 + d
		p.i++
	}
	n := p.i - start
	if n == 0 || (n > 1 && p.b[start] == '0') {
		return 0, false, false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case '.', 'e', 'E':
			return 0, false, false
		}
	}
	return mag, neg, true
}

func (p *fastParser) int() (int64, bool) {
	mag, neg, ok := p.digits()
	if !ok || mag > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(mag), true
	}
	return int64(mag), true
}

func (p *fastParser) uint() (uint64, bool) {
	mag, neg, ok := p.digits()
	if !ok || neg {
		return 0, false
	}
	return mag, true
}

func (p *fastParser) origin(o *Origin) bool {
	if !p.eat('{') {
		return false
	}
	p.ws()
	if p.eat('}') {
		return true
	}
	var seen uint8
	for {
		p.ws()
		key, ok := p.key()
		if !ok {
			return false
		}
		p.ws()
		if !p.eat(':') {
			return false
		}
		p.ws()
		var bit uint8
		switch key {
		case "region":
			bit = 1
			o.Region, ok = p.str()
		case "service":
			bit = 2
			o.Service, ok = p.str()
		default:
			if foldsTo(key, "region", "service") {
				return false
			}
			ok = p.skip(0)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		p.ws()
		if p.eat(',') {
			continue
		}
		return p.eat('}')
	}
}

// stringArray reads a non-null array of strings (an empty one is non-nil).
func (p *fastParser) stringArray() ([]string, bool) {
	if !p.eat('[') {
		return nil, false
	}
	if p.arena == nil {
		p.arena = make([]string, 0, 256)
	}
	start := len(p.arena)
	p.ws()
	if p.eat(']') {
		return []string{}, true
	}
	for {
		p.ws()
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		if len(p.arena) == cap(p.arena) {
			// Start a new block: slices handed out keep the old one.
			n := len(p.arena) - start
			grown := make([]string, n, max(2*cap(p.arena), 256))
			copy(grown, p.arena[start:])
			p.arena, start = grown, 0
		}
		p.arena = append(p.arena, s)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return p.arena[start:len(p.arena):len(p.arena)], true
		}
		return nil, false
	}
}

// commands reads the commands array.
func (p *fastParser) commands() ([]Command, bool) {
	if !p.eat('[') {
		return nil, false
	}
	var cmds []Command
	p.ws()
	if p.eat(']') {
		return cmds, true
	}
	for {
		p.ws()
		var c Command
		var ok bool
		switch {
		case p.i < len(p.b) && p.b[p.i] == '[':
			c.Args, ok = p.stringArray()
		case p.i < len(p.b) && p.b[p.i] == '{':
			c, ok = p.commandObject()
		}
		if !ok || len(c.Args) == 0 {
			return nil, false
		}
		cmds = append(cmds, c)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return cmds, true
		}
		return nil, false
	}
}

func (p *fastParser) commandObject() (Command, bool) {
	var c Command
	p.eat('{')
	var seen uint8
	var args, b64 []string
	p.ws()
	if p.eat('}') {
		return c, false
	}
	for {
		p.ws()
		key, ok := p.key()
		if !ok {
			return c, false
		}
		p.ws()
		if !p.eat(':') {
			return c, false
		}
		p.ws()
		var bit uint8
		switch key {
		case "ver":
			bit = 1
			c.Version, ok = p.uint()
		case "args":
			bit = 2
			args, ok = p.stringArray()
		case "b64":
			bit = 4
			b64, ok = p.stringArray()
		default:
			if foldsTo(key, "ver", "args", "b64") {
				return c, false
			}
			ok = p.skip(0)
		}
		if !ok || seen&bit != 0 {
			return c, false
		}
		seen |= bit
		p.ws()
		if p.eat(',') {
			continue
		}
		if !p.eat('}') {
			return c, false
		}
		break
	}
	switch seen & 6 {
	case 2:
		c.Args = args
	case 4:
		c.Args = make([]string, len(b64))
		for i, s := range b64 {
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return c, false
			}
			c.Args[i] = string(raw)
		}
	default:
		return c, false
	}
	return c, true
}

// maxSkipDepth stays well below encoding/json's nesting limit (10000).
const maxSkipDepth = 1000

// skip reads and checks any JSON value.
func (p *fastParser) skip(depth int) bool {
	if depth > maxSkipDepth || p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		_, ok := p.str()
		return ok
	case c == '{':
		p.i++
		p.ws()
		if p.eat('}') {
			return true
		}
		for {
			p.ws()
			if _, ok := p.str(); !ok {
				return false
			}
			p.ws()
			if !p.eat(':') {
				return false
			}
			p.ws()
			if !p.skip(depth + 1) {
				return false
			}
			p.ws()
			if p.eat(',') {
				continue
			}
			return p.eat('}')
		}
	case c == '[':
		p.i++
		p.ws()
		if p.eat(']') {
			return true
		}
		for {
			p.ws()
			if !p.skip(depth + 1) {
				return false
			}
			p.ws()
			if p.eat(',') {
				continue
			}
			return p.eat(']')
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return false
}

func (p *fastParser) literal(s string) bool {
	if p.i+len(s) <= len(p.b) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// number checks -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?.
func (p *fastParser) number() bool {
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	start := p.i
	n := digits()
	if n == 0 || (n > 1 && p.b[start] == '0') {
		return false
	}
	if p.eat('.') && digits() == 0 {
		return false
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}
