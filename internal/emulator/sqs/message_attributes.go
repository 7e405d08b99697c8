package sqs

import (
	"regexp"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// ----------------------------------------------------------------- checks

// validChars reports the first character SQS does not accept in a message:
// allowed are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func invalidChar(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return r, true
		}
	}
	return 0, false
}

var (
	attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)
	numberRE   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
)

// attrInput is a message attribute as the JSON protocol carries it.
type attrInput struct {
	DataType         *string  `json:"DataType"`
	StringValue      *string  `json:"StringValue"`
	BinaryValue      []byte   `json:"BinaryValue"`
	StringListValues []string `json:"StringListValues" query:"StringListValue,flat"`
	BinaryListValues [][]byte `json:"BinaryListValues" query:"BinaryListValue,flat"`
}

// attrOutput is a message attribute in a response.
type attrOutput struct {
	DataType    string  `json:"DataType"`
	StringValue *string `json:"StringValue,omitempty"`
	BinaryValue []byte  `json:"BinaryValue,omitempty"`
}

func toAttrOutput(a core.MessageAttribute) attrOutput {
	out := attrOutput{DataType: a.DataType}
	if isBinaryType(a.DataType) {
		out.BinaryValue = a.BinaryValue
	} else {
		v := a.StringValue
		out.StringValue = &v
	}
	return out
}

// validateAttributes checks user message attributes and returns them with
// their size (names, types and values count toward the message size).
func validateAttributes(in map[string]attrInput) (map[string]core.MessageAttribute, int, *core.APIError) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	if len(in) > 10 {
		return nil, 0, errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [10].", len(in))
	}
	out := make(map[string]core.MessageAttribute, len(in))
	size := 0
	for name, v := range in {
		a, n, err := validateAttribute(name, v, "Message (user) attribute")
		if err != nil {
			return nil, 0, err
		}
		out[name] = a
		size += n
	}
	return out, size, nil
}

func validateAttribute(name string, v attrInput, kind string) (core.MessageAttribute, int, *core.APIError) {
	var a core.MessageAttribute
	if name == "" {
		return a, 0, errInvalidParameterValue("The request must contain non-empty message attribute name.")
	}
	lower := strings.ToLower(name)
	if !attrNameRE.MatchString(name) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
		strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return a, 0, errInvalidParameterValue("%s name '%s' is invalid. Names can contain alphanumeric characters, '_', '-' and '.', up to 256 characters, must not start with 'AWS.' or 'Amazon.', and must not start or end with a period or contain successive periods.", kind, name)
	}
	if v.DataType == nil || *v.DataType == "" {
		return a, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", name)
	}
	a.DataType = *v.DataType
	base := baseType(a.DataType)
	if base != "String" && base != "Number" && base != "Binary" {
		return a, 0, errInvalidParameterValue("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
	}
	if len(a.DataType) > 256 {
		return a, 0, errInvalidParameterValue("The type of message (user) attribute '%s' is longer than 256 characters.", name)
	}
	if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
		return a, 0, errInvalidParameterValue("Message attribute list values in '%s' are not supported.", name)
	}
	switch base {
	case "Binary":
		if len(v.BinaryValue) == 0 || v.StringValue != nil {
			return a, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
		}
		a.BinaryValue = append([]byte(nil), v.BinaryValue...)
		return a, len(name) + len(a.DataType) + len(a.BinaryValue), nil
	default:
		if v.StringValue == nil || *v.StringValue == "" || v.BinaryValue != nil {
			return a, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
		}
		a.StringValue = *v.StringValue
		if r, bad := invalidChar(a.StringValue); bad {
			return a, 0, errInvalidParameterValue("The message attribute '%s' contains the invalid character #x%X.", name, r)
		}
		if base == "Number" && !numberRE.MatchString(strings.TrimSpace(a.StringValue)) {
			return a, 0, errInvalidParameterValue("Can't cast the value of message (user) attribute '%s' to a number.", name)
		}
		return a, len(name) + len(a.DataType) + len(a.StringValue), nil
	}
}

func validateSystemAttributes(in map[string]attrInput) (map[string]core.MessageAttribute, *core.APIError) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]core.MessageAttribute{}
	for name, v := range in {
		if name != "AWSTraceHeader" {
			return nil, errInvalidParameterValue("Message system attribute name '%s' is invalid.", name)
		}
		a, _, err := validateAttribute(name, v, "Message system attribute")
		if err != nil {
			return nil, err
		}
		if a.DataType != "String" {
			return nil, errInvalidParameterValue("The message system attribute 'AWSTraceHeader' must be of type String.")
		}
		out[name] = a
	}
	return out, nil
}
