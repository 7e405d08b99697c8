package bus

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/contract"
)

// The names of a bus's objects derive from the bus name by the convention in
// internal/contract (names.go); here are the rules a bus name must follow so
// that every derived name is valid.

// AWS name limits the derived names must fit.
const (
	maxTopicName    = 256
	maxQueueName    = 80
	maxFunctionName = 64
	maxRoleName     = 64
	maxAlarmName    = 255
)

// nameRE is the characters every derived name allows: SNS topics and SQS
// queues allow [A-Za-z0-9_-], Lambda functions the same, IAM roles more.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// validateName checks a bus name against the character set and the length
// of every name derived from it, for the given regions. It returns the
// problems, each saying what to change.
func validateName(name string, regions []string) []string {
	var problems []string
	if name == "" {
		return []string{"name must not be empty: give the bus a name of letters, digits, hyphens and underscores, such as \"hotels\"."}
	}
	if !nameRE.MatchString(name) {
		bad := badChars(name)
		problems = append(problems, fmt.Sprintf("name %q contains %s: use only letters, digits, hyphens and underscores, because it names the SNS topic, the SQS queues and the Lambda functions, which allow nothing else.", name, bad))
	}
	if n := len(contract.DLQName(name)); n > maxQueueName {
		problems = append(problems, fmt.Sprintf("name is %d characters long: the dead-letter queue %q would be %d characters, over SQS's limit of %d. Use at most %d characters.", len(name), contract.DLQName(name), n, maxQueueName, maxQueueName-len(contract.DLQSuffix)))
	}
	if n := len(contract.FunctionName(name)); n > maxFunctionName {
		problems = append(problems, fmt.Sprintf("name is %d characters long: the Lambda function %q would be %d characters, over Lambda's limit of %d. Use at most %d characters.", len(name), contract.FunctionName(name), n, maxFunctionName, maxFunctionName-len(contract.FunctionSuffix)))
	}
	longest := ""
	for _, r := range regions {
		if len(r) > len(longest) {
			longest = r
		}
	}
	if longest != "" {
		if n := len(contract.RoleName(name, longest)); n > maxRoleName {
			problems = append(problems, fmt.Sprintf("name is %d characters long: the IAM role of region %s, %q, would be %d characters, over IAM's limit of %d. With these regions use at most %d characters.", len(name), longest, contract.RoleName(name, longest), n, maxRoleName, maxNameLen(regions)))
		}
	}
	return problems
}

// maxNameLen is the longest bus name whose derived names fit for regions.
func maxNameLen(regions []string) int {
	limit := maxFunctionName - len(contract.FunctionSuffix)
	for _, r := range regions {
		if l := maxRoleName - len(contract.RoleInfix) - len(r); l < limit {
			limit = l
		}
	}
	return limit
}

func badChars(s string) string {
	seen := map[rune]bool{}
	var out []string
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, fmt.Sprintf("%q", string(r)))
	}
	if len(out) == 1 {
		return "the character " + out[0]
	}
	return "the characters " + strings.Join(out, ", ")
}
