package route53

import (
	"fmt"
	"strconv"
	"strings"
)

// canonicalName is how names are kept: lower case, fully qualified (trailing
// dot), octal escapes such as \052 decoded. The root is ".".
//
// normalizeName parses a name as Route 53 accepts it (with or without the
// trailing dot, with \NNN escapes) and reports whether it is a valid DNS name:
// labels of 1–63 octets, at most 255 octets in all.
func normalizeName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if s == "." {
		return ".", true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && isOctal(s, i+1) {
			n, _ := strconv.ParseUint(s[i+1:i+4], 8, 16)
			if n > 255 {
				return "", false
			}
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		if c == '\\' && i+1 < len(s) {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(c)
	}
	name := strings.ToLower(b.String())
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	if len(name) > 255 {
		return "", false
	}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" || len(l) > 63 {
			return "", false
		}
	}
	return name, true
}

func isOctal(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for _, c := range s[i : i+3] {
		if c < '0' || c > '7' {
			return false
		}
	}
	return true
}

// displayName writes a canonical name the way Route 53 returns it: letters,
// digits, '-', '_' and '.' as they are, every other octet (including '*') as
// a three-digit octal escape.
func displayName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03o", c)
		}
	}
	return b.String()
}

// inZone reports whether name is the zone's apex or below it.
func inZone(name, zone string) bool {
	return name == zone || zone == "." || strings.HasSuffix(name, "."+zone)
}

// reversedName is the sort key Route 53 documents for ListHostedZonesByName
// and ListResourceRecordSets: the labels reversed, e.g. "com.example.www.".
func reversedName(name string) string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".") + "."
}

// parentName returns the name one label up ("b.c." for "a.b.c."), or "" at the root.
func parentName(name string) string {
	if name == "." || name == "" {
		return ""
	}
	i := strings.IndexByte(name, '.')
	if i == len(name)-1 {
		return "."
	}
	return name[i+1:]
}

// stripPrefix removes the "/hostedzone/", "/change/" or "/healthcheck/"
// prefix that ids carry in responses, for clients that send them back whole.
func stripPrefix(id string) string {
	for _, p := range []string{"/hostedzone/", "hostedzone/", "/change/", "change/", "/healthcheck/", "/delegationset/"} {
		if rest, ok := strings.CutPrefix(id, p); ok {
			return rest
		}
	}
	return id
}
