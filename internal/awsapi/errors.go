package awsapi

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

// IsA reports whether err is, or wraps, an error of type T: an SDK error
// type such as *lambdatypes.ResourceNotFoundException.
func IsA[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

// ErrorCode returns the AWS error code of err ("NoSuchEntity",
// "AWS.SimpleQueueService.NonExistentQueue", ...), or "" when err carries
// none (nil, a transport failure, a context error).
func ErrorCode(err error) string {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		return apiErr.ErrorCode()
	}
	return ""
}

// ErrorMessage returns AWS's message of an API error, or err.Error() for any
// other error ("" for nil).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// ErrorText renders err for a person: "Code: message" for an API error
// ("Code" alone when AWS sent no message), err.Error() otherwise.
func ErrorText(err error) string {
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		if msg := apiErr.ErrorMessage(); msg != "" {
			return apiErr.ErrorCode() + ": " + msg
		}
		return apiErr.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// CodeIs reports whether err is an API error with one of codes. Use it for
// errors the SDK has no type for; IsA otherwise.
func CodeIs(err error, codes ...string) bool {
	c := ErrorCode(err)
	return c != "" && slices.Contains(codes, c)
}

// NotFoundError is what a find helper returns when the object does not
// exist (any more). Err is the AWS error that said so, if any.
type NotFoundError struct {
	// What names the object: "Lambda function regis-orders".
	What string
	Err  error
}

// NewNotFound returns a *NotFoundError for what, wrapping the AWS error
// that reported it (nil when the object was simply absent from a list).
func NewNotFound(what string, err error) error {
	return &NotFoundError{What: what, Err: err}
}

func (e *NotFoundError) Error() string {
	if e.What == "" {
		return "not found"
	}
	return e.What + " not found"
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is, or wraps, a *NotFoundError.
func IsNotFound(err error) bool { return IsA[*NotFoundError](err) }
