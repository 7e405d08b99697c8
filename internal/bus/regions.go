package bus

import (
	"slices"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/conns"
)

// knownRegions are the AWS regions this provider version knows of, in every
// partition. A well-formed name outside the list is accepted with a warning
// (AWS opens regions faster than providers are released); a name close to a
// known one is refused as a likely typo.
var knownRegions = []string{
	// aws
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
	// aws-cn
	"cn-north-1", "cn-northwest-1",
	// aws-us-gov
	"us-gov-east-1", "us-gov-west-1",
	// aws-iso*
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isof-south-1", "us-isof-east-1", "eu-isoe-west-1",
}

// regionCheck classifies a region name.
type regionCheck struct {
	// Err is set when the name is not usable (malformed or a likely typo).
	Err string
	// Warning is set for a well-formed name this provider does not know.
	Warning string
}

func checkRegion(name string) regionCheck {
	if err := conns.ValidateRegion(name); err != nil {
		return regionCheck{Err: capitalize(err.Error()) + "."}
	}
	if slices.Contains(knownRegions, name) {
		return regionCheck{}
	}
	if s := closestRegion(name); s != "" && stem(s) != stem(name) {
		return regionCheck{Err: "\"" + name + "\" is not an AWS region. Did you mean \"" + s + "\"?"}
	}
	return regionCheck{Warning: "\"" + name + "\" is not a region this provider version knows. If it is a new AWS region, go ahead; otherwise check the spelling: the apply would fail when it reaches the region's endpoints."}
}

// closestRegion returns the known region within edit distance 2 of name, or "".
func closestRegion(name string) string {
	best, bestD := "", 3
	for _, r := range knownRegions {
		if d := editDistance(name, r); d < bestD {
			best, bestD = r, d
		}
	}
	return best
}

// stem is a region name without its number: "ap-southeast" for
// "ap-southeast-7". A new number on a known stem may be a new region.
func stem(region string) string {
	if i := strings.LastIndexByte(region, '-'); i > 0 {
		return region[:i]
	}
	return region
}

func editDistance(a, b string) int {
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
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
