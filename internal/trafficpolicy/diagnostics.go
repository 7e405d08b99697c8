package trafficpolicy

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/regis-infra/terraform-provider-regis/internal/trafficflow"
)

// problemDiagnostic turns a trafficflow problem about the typed document into
// an error on the block or argument at fault. The summary names the rule or
// endpoint; the detail says where inside it and what to change, in the HCL
// vocabulary (item[1].weight rather than Items[1].Weight).
func problemDiagnostic(p trafficflow.Problem, endpointAt, ruleAt map[string]path.Path) diag.Diagnostic {
	summary := problemSummary(p)
	var b strings.Builder
	switch p.Scope {
	case trafficflow.ScopeRule, trafficflow.ScopeEndpoint:
		fmt.Fprintf(&b, "%s %q", p.Scope, p.ID)
		if p.Field != "" {
			b.WriteString(", " + hclField(p.Field))
		}
		b.WriteString(": ")
	default:
		if f := hclField(p.Field); f != "" {
			b.WriteString(f + ": ")
		}
	}
	b.WriteString(hclMessage(p.Message))
	if at, ok := problemPath(p, endpointAt, ruleAt); ok {
		return diag.NewAttributeErrorDiagnostic(at, summary, b.String())
	}
	return diag.NewErrorDiagnostic(summary, b.String())
}

// jsonProblemDiagnostics reports the problems of a `document` JSON string on
// that argument, in AWS's vocabulary (the user wrote JSON).
func jsonProblemDiagnostics(err error, at path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	var ve trafficflow.ValidationErrors
	if !errors.As(err, &ve) {
		diags.AddAttributeError(at, "Invalid traffic policy document", err.Error())
		return diags
	}
	for _, p := range ve {
		diags.AddAttributeError(at, problemSummary(p), p.String())
	}
	return diags
}

func problemSummary(p trafficflow.Problem) string {
	switch p.Scope {
	case trafficflow.ScopeRule, trafficflow.ScopeEndpoint:
		return fmt.Sprintf("Invalid traffic policy: %s %q", p.Scope, p.ID)
	}
	return "Invalid traffic policy document"
}

// problemPath is the attribute path of a problem in the typed document.
func problemPath(p trafficflow.Problem, endpointAt, ruleAt map[string]path.Path) (path.Path, bool) {
	switch p.Scope {
	case trafficflow.ScopeDocument:
		name, _, _ := splitIndex(p.Field)
		if hcl, ok := fieldNames[name]; ok {
			return path.Root(hcl), true
		}
		if hcl, ok := blockNames[name]; ok {
			return path.Root(hcl), true
		}
		return path.Empty(), false
	case trafficflow.ScopeEndpoint:
		at, ok := endpointAt[p.ID]
		if !ok {
			return path.Empty(), false
		}
		return fieldPath(at, p), true
	case trafficflow.ScopeRule:
		at, ok := ruleAt[p.ID]
		if !ok {
			return path.Empty(), false
		}
		return fieldPath(at, p), true
	}
	return path.Empty(), false
}

func fieldPath(base path.Path, p trafficflow.Problem) path.Path {
	if p.Field == "" {
		if p.Code == trafficflow.CodeID {
			return base.AtName("id")
		}
		return base
	}
	for _, seg := range strings.Split(p.Field, ".") {
		name, idx, hasIdx := splitIndex(seg)
		if hcl, ok := blockNames[name]; ok {
			base = base.AtName(hcl)
			if hasIdx {
				base = base.AtListIndex(idx)
			}
			continue
		}
		if hcl, ok := fieldNames[name]; ok {
			base = base.AtName(hcl)
			continue
		}
		break
	}
	return base
}

// splitIndex splits "Items[2]" into "Items", 2, true.
func splitIndex(seg string) (string, int, bool) {
	open := strings.IndexByte(seg, '[')
	if open < 0 || !strings.HasSuffix(seg, "]") {
		return seg, 0, false
	}
	n, err := strconv.Atoi(seg[open+1 : len(seg)-1])
	if err != nil {
		return seg, 0, false
	}
	return seg[:open], n, true
}

// hclField writes a field path in HCL names: "Items[1].Weight" → "item[1].weight".
func hclField(field string) string {
	if field == "" {
		return ""
	}
	var out []string
	for _, seg := range strings.Split(field, ".") {
		name, idx, hasIdx := splitIndex(seg)
		hcl, ok := blockNames[name]
		if !ok {
			hcl, ok = fieldNames[name]
		}
		if !ok {
			hcl = name
		}
		if hasIdx {
			hcl += "[" + strconv.Itoa(idx) + "]"
		}
		out = append(out, hcl)
	}
	return strings.Join(out, ".")
}

var (
	quoted     = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	listWords  = regexp.MustCompile(`\b(GeoproximityLocations|Locations|Regions|Items|Endpoints|Rules)(\[\d+\])?`)
	fieldWords = regexp.MustCompile(`\b(EndpointReference|RuleReference|HealthCheck|EvaluateTargetHealth|Weight|Region|Continent|Country|Subdivision|IsDefault|Latitude|Longitude|Bias|RuleType|Type|Value|RecordType|StartRule|StartEndpoint|Primary|Secondary)\b`)
)

// hclMessage rewrites the AWS field names in a trafficflow message to the
// HCL names, leaving quoted values (ids, user input) alone.
func hclMessage(msg string) string {
	var b strings.Builder
	last := 0
	for _, loc := range quoted.FindAllStringIndex(msg, -1) {
		b.WriteString(translateWords(msg[last:loc[0]]))
		b.WriteString(msg[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(translateWords(msg[last:]))
	return b.String()
}

func translateWords(s string) string {
	s = listWords.ReplaceAllStringFunc(s, func(m string) string {
		sub := listWords.FindStringSubmatch(m)
		name := blockNames[sub[1]]
		if sub[2] != "" {
			return name + sub[2]
		}
		return name + " blocks"
	})
	return fieldWords.ReplaceAllStringFunc(s, func(m string) string {
		if hcl, ok := fieldNames[m]; ok {
			return hcl
		}
		if hcl, ok := blockNames[m]; ok {
			return hcl
		}
		return m
	})
}
