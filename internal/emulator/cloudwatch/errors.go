package cloudwatch

import (
	"fmt"
	"net/http"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

func errValidation(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "ValidationException", QueryCode: "ValidationError", Message: fmt.Sprintf(format, args...)}
}

func errInvalidParameterValue(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Message: fmt.Sprintf(format, args...)}
}

func errInvalidParameterCombination(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "InvalidParameterCombinationException", QueryCode: "InvalidParameterCombination", Message: fmt.Sprintf(format, args...)}
}

func errMissingParameter(name string) *core.APIError {
	return &core.APIError{Code: "MissingRequiredParameterException", QueryCode: "MissingParameter", Message: "The parameter " + name + " is required."}
}

func errResourceNotFound(format string, args ...any) *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ResourceNotFound", QueryCode: "ResourceNotFound", Message: fmt.Sprintf(format, args...)}
}

func errResourceNotFoundException(format string, args ...any) *core.APIError {
	return &core.APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", QueryCode: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func errInvalidNextToken() *core.APIError {
	return &core.APIError{Code: "InvalidNextToken", QueryCode: "InvalidNextToken", Message: "The service couldn't process the provided NextToken."}
}

func errLimitExceeded(format string, args ...any) *core.APIError {
	return &core.APIError{Code: "LimitExceededFault", QueryCode: "LimitExceeded", Message: fmt.Sprintf(format, args...)}
}

// constraint is AWS's generic validation message.
func constraint(value any, field, rule string) *core.APIError {
	return errValidation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, rule)
}
