// Package core holds what every emulated AWS service shares: the request
// context derived from the SigV4 credential scope, the error model and its
// encodings for each AWS wire protocol, the clock, ARNs and identifiers.
package core

import (
	"fmt"
	"net/http"
)

// APIError is an AWS service error. Each protocol encodes it the way the
// real service does, so SDK error types decode it.
type APIError struct {
	// Status is the HTTP status code; 400 when zero.
	Status int
	// Code is the error code the SDKs match on (e.g. "QueueDoesNotExist").
	Code string
	// QueryCode is the legacy query-protocol code of services marked
	// awsQueryCompatible (SQS): e.g. "AWS.SimpleQueueService.NonExistentQueue".
	// It is sent in the x-amzn-query-error header. Empty when the same as Code.
	QueryCode string
	// Message is the human-readable message.
	Message string
	// Receiver marks a server-side fault (Type "Receiver" in XML errors).
	Receiver bool
}

func (e *APIError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// HTTPStatus returns the status code to send.
func (e *APIError) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// queryCode is the code of the error in the query protocol: QueryCode, or
// Code when the service has no query code of its own.
func (e *APIError) queryCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// FaultType returns "Sender" or "Receiver".
func (e *APIError) FaultType() string {
	if e.Receiver || e.HTTPStatus() >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Errorf builds a client error (HTTP 400) with a formatted message.
func Errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// StatusErrorf builds an error with an explicit HTTP status.
func StatusErrorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common errors shared by all services.
var (
	// ErrInternal is a generic server fault, retried by the SDKs.
	ErrInternal = &APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "We encountered an internal error. Please try again.", Receiver: true}
)

// InvalidClientTokenID is what AWS answers to a revoked or unknown access key.
func InvalidClientTokenID() *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

// MissingAuthentication is returned to unsigned requests.
func MissingAuthentication() *APIError {
	return &APIError{Status: http.StatusForbidden, Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token"}
}
