package trafficflow

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// checkRecordValue says what is wrong with a "value" endpoint's Value for the
// document's RecordType, or returns "" when it is well formed. The formats are
// those of Route 53's resource record values (one value per endpoint).
func checkRecordValue(rt RecordType, v string) string {
	if v == "" {
		return fmt.Sprintf("Value is empty; a value endpoint needs the %s record data to return", rt)
	}
	switch rt {
	case RecordTypeA:
		if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
			return fmt.Sprintf("Value %q is not an IPv4 address; RecordType A needs one such as 192.0.2.1", v)
		}
	case RecordTypeAAAA:
		if a, err := netip.ParseAddr(v); err != nil || !a.Is6() || a.Zone() != "" {
			return fmt.Sprintf("Value %q is not an IPv6 address; RecordType AAAA needs one such as 2001:db8::1", v)
		}
	case RecordTypeCNAME, RecordTypePTR:
		if !isDomainName(v) {
			return fmt.Sprintf("Value %q is not a domain name; RecordType %s needs one such as www.example.com", v, rt)
		}
	case RecordTypeMX:
		f, ok := tokens(v)
		if !ok || len(f) != 2 || !isUint(f[0], 65535) || !isDomainName(f[1].text) {
			return fmt.Sprintf(`Value %q is not an MX value; write "<priority 0-65535> <mail server domain>", e.g. "10 mail.example.com"`, v)
		}
	case RecordTypeSRV:
		f, ok := tokens(v)
		if !ok || len(f) != 4 || !isUint(f[0], 65535) || !isUint(f[1], 65535) || !isUint(f[2], 65535) || !isDomainName(f[3].text) {
			return fmt.Sprintf(`Value %q is not an SRV value; write "<priority> <weight> <port> <target host>", e.g. "1 10 5269 xmpp.example.com"`, v)
		}
	case RecordTypeCAA:
		f, ok := tokens(v)
		if !ok || len(f) != 3 || !isUint(f[0], 255) || f[1].quoted || !caaTag.MatchString(f[1].text) || !f[2].quoted {
			return fmt.Sprintf(`Value %q is not a CAA value; write "<flags 0-255> <tag> \"<value>\"", e.g. "0 issue \"amazon.com\""`, v)
		}
	case RecordTypeNAPTR:
		f, ok := tokens(v)
		if !ok || len(f) != 6 || !isUint(f[0], 65535) || !isUint(f[1], 65535) ||
			!f[2].quoted || !f[3].quoted || !f[4].quoted || f[5].quoted || (f[5].text != "." && !isDomainName(f[5].text)) {
			return fmt.Sprintf(`Value %q is not a NAPTR value; write "<order> <preference> \"<flags>\" \"<service>\" \"<regexp>\" <replacement>"`, v)
		}
	case RecordTypeTXT, RecordTypeSPF:
		f, ok := tokens(v)
		if !ok || len(f) == 0 {
			return fmt.Sprintf(`Value %q is not a %s value; enclose the text in double quotes, e.g. "\"v=spf1 -all\""`, v, rt)
		}
		for _, t := range f {
			if !t.quoted {
				return fmt.Sprintf(`Value %q is not a %s value; enclose each string in double quotes, e.g. "\"some text\""`, v, rt)
			}
			if len(t.text) > 255 {
				return fmt.Sprintf("Value has a string of %d characters; %s strings hold at most 255, so split it into several quoted strings", len(t.text), rt)
			}
		}
	}
	return ""
}

var caaTag = regexp.MustCompile(`^[A-Za-z0-9]{1,15}$`)

type token struct {
	text   string // unquoted text
	quoted bool
}

// tokens splits record data on spaces, keeping "quoted strings" (with \"
// escapes) together. It fails on an unterminated quote.
func tokens(s string) ([]token, bool) {
	var out []token
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ', '\t':
			i++
		case '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, false
			}
			out = append(out, token{text: b.String(), quoted: true})
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '"' {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, true
}

func isUint(t token, limit uint64) bool {
	if t.quoted {
		return false
	}
	n, err := strconv.ParseUint(t.text, 10, 64)
	return err == nil && n <= limit
}

// wordChar reports whether c is an ASCII letter or digit, '-' or '_'.
func wordChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// isDomainName accepts names of 1–63 character labels made of letters,
// digits, hyphens, underscores and a leading "*" label, with an optional
// trailing dot, up to 253 characters.
func isDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for i, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		if label == "*" && i == 0 {
			continue
		}
		for _, c := range label {
			if !wordChar(c) {
				return false
			}
		}
	}
	return true
}

var healthCheckID = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// IsHealthCheckID reports whether id has the form of a Route 53 health check
// id: a UUID such as 11111111-2222-3333-4444-555555555555.
func IsHealthCheckID(id string) bool { return healthCheckID.MatchString(id) }

// MaxIDLength is the longest endpoint or rule id Validate accepts.
const MaxIDLength = 128

// checkID says what is wrong with an endpoint or rule id, or returns "".
// AWS does not document the id syntax; its examples and console-generated ids
// use letters, digits, "_" and "-". This package also allows ".".
func checkID(id string) string {
	if id == "" {
		return "the id is empty; give it a name made of letters, digits, '-', '_' or '.'"
	}
	if len(id) > MaxIDLength {
		return fmt.Sprintf("the id is %d characters long; use at most %d", len(id), MaxIDLength)
	}
	for _, c := range id {
		if !wordChar(c) && c != '.' {
			return fmt.Sprintf("the id contains %q; use only letters, digits, '-', '_' and '.'", c)
		}
	}
	return ""
}

// checkDegrees validates a latitude or longitude written with at most two
// decimals within ±limit, returning the value or a message.
func checkDegrees(s string, limit float64, name string) (float64, string) {
	if !degreesText.MatchString(s) {
		return 0, fmt.Sprintf("%s %q is not a decimal number with at most two decimals (Route 53 rejects more precision), e.g. \"47.61\"", name, s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < -limit || v > limit {
		return 0, fmt.Sprintf("%s %s is out of range; use a value from %g to %g", name, s, -limit, limit)
	}
	return v, ""
}

var degreesText = regexp.MustCompile(`^-?[0-9]{1,3}(\.[0-9]{1,2})?$`)
