package regions

import (
	"fmt"
	"regexp"
	"strings"
)

// Example is the region used in messages that show the expected form.
const Example = "ap-southeast-1"

// nameRE matches AWS region names in every partition: us-east-1,
// ap-southeast-7, cn-north-1, us-gov-west-1, us-iso-east-1, us-isob-east-1,
// eu-isoe-west-1, us-isof-south-1.
var nameRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)

// WellFormed reports whether name has the form of an AWS region name, known
// or not.
func WellFormed(name string) bool { return nameRE.MatchString(name) }

// NameError is a string that is not an AWS region name.
type NameError struct {
	Name string
	// Suggestion is the known region Name most likely means, or "".
	Suggestion string
}

func (e *NameError) Error() string {
	did := ""
	if e.Suggestion != "" {
		did = fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return fmt.Sprintf("%q is not an AWS region name%s: expected the form <area>-<location>-<number> in lower case, for example %q or \"us-east-1\"", e.Name, did, Example)
}

// Validate returns a *NameError, with a suggestion when one is close, when
// name does not have the form of an AWS region name. It does not require the
// region to be known: AWS opens regions faster than providers are released.
func Validate(name string) error {
	if WellFormed(name) {
		return nil
	}
	return &NameError{Name: name, Suggestion: Suggest(name)}
}

// Verdict is Check's judgement of a region name, in sentences for a person.
type Verdict struct {
	// Problem is set when the name cannot be right: malformed, or a likely
	// typo of a known region (with the region it most likely means).
	Problem string
	// Warning is set when the name is well formed but unknown to this
	// provider version: perhaps a region newer than this table.
	Warning string
}

// Check classifies a region name for a plan.
func Check(name string) Verdict {
	if err := Validate(name); err != nil {
		return Verdict{Problem: err.Error() + "."}
	}
	if IsKnown(name) {
		return Verdict{}
	}
	// A new number on a known area and location may be a new region.
	if s := Suggest(name); s != "" && stem(s) != stem(name) {
		return Verdict{Problem: fmt.Sprintf("%q is not an AWS region. Did you mean %q?", name, s)}
	}
	return Verdict{Warning: fmt.Sprintf("%q is not a region this provider version knows. If it is a new AWS region, go ahead; otherwise check the spelling: the apply would fail when it reaches the region's endpoints.", name)}
}

// stem is a region name without its number: "ap-southeast" for
// "ap-southeast-7".
func stem(region string) string {
	if i := strings.LastIndexByte(region, '-'); i > 0 {
		return region[:i]
	}
	return region
}

// maxSuggestDistance is how far (in EditDistance, after folding) a name may
// be from a known region for Suggest to propose it.
const maxSuggestDistance = 2

// Suggest returns the known region that name most likely means, or "" when
// no region is close enough or two are equally close. It forgives case, white
// space, underscores for hyphens, the letters l, i and o typed for the digits
// 1 and 0 (and the reverse), and up to two edits (a missing, extra, wrong or
// swapped character): "AP-SOUTH-1", "ap-south-l", "ap-southeast1" and
// "ap-southest-1" all find their region.
func Suggest(name string) string {
	n := fold(name)
	if n == "" {
		return ""
	}
	best, bestD, tie := "", maxSuggestDistance+1, false
	for _, r := range known {
		d := EditDistance(n, fold(r.Code))
		switch {
		case d < bestD:
			best, bestD, tie = r.Code, d, false
		case d == bestD:
			// Equally close in folded form: the closer as typed wins.
			lower := strings.ToLower(strings.TrimSpace(name))
			switch db, dr := EditDistance(lower, best), EditDistance(lower, r.Code); {
			case dr < db:
				best, tie = r.Code, false
			case dr == db:
				tie = true
			}
		}
	}
	if tie {
		return ""
	}
	return best
}

// fold maps a region name to the form Suggest compares: lower case, without
// surrounding space, '_' and ' ' as '-', and the look-alike letters l, i and
// o as the digits 1 and 0.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'l', 'i':
			return '1'
		case 'o':
			return '0'
		case '_', ' ':
			return '-'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// EditDistance is the optimal string alignment distance between a and b
// (bytes): the number of insertions, deletions, substitutions and swaps of
// adjacent characters that turn one into the other.
func EditDistance(a, b string) int {
	// rows i-2, i-1 and i of the dynamic programme.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
