package review

import (
	"errors"
	"fmt"
)

// Error codes. Each maps onto one HTTP status and one CLI exit code, in one
// place per layer.
const (
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"
	// EUNAVAILABLE: the change could not be made now (another program held
	// the database too long, the disk is full); nothing was written and
	// trying again later works.
	EUNAVAILABLE = "unavailable"
)

// Error is an error whose Message is safe to show to the person who caused it.
// Anything that is not an *Error is an internal error and its text stays in
// the logs.
type Error struct {
	Code    string
	Message string
	// Field names the form field or flag at fault, when there is one, so a
	// form can show the message next to it.
	Field string
}

func (e *Error) Error() string {
	return fmt.Sprintf("vetted: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err, or a generic one for
// internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field an EINVALID error is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
