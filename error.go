package skillscore

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in web (web/errors.go) and is the
// machine code judge tablets and API clients see.
const (
	EInvalid       = "invalid"       // the request itself is wrong
	ENotFound      = "not_found"     // an id that names nothing
	EConflict      = "conflict"      // valid, but not in the current state (locked sheet, duplicate roster)
	EUnauthorized  = "unauthorized"  // not logged in, or bad credentials
	EForbidden     = "forbidden"     // logged in, not allowed
	ENotAdvanced   = "not_advanced"  // a mark for a contestant who did not advance to the round (rounds)
	ETooLarge      = "too_large"     // payload over its limit
	EUnprocessable = "unprocessable" // a file past a structural bound (columns, compression ratio, line length)
	ERateLimited   = "rate_limited"  // too many requests
	EUnavailable   = "unavailable"   // a dependency (database) is down
	EInternal      = "internal"      // a bug or an unexpected failure; details only in the log
)

// Error is the one error type that crosses package borders with a code and a
// message meant for people (Simplified Chinese). Err, if set, is the cause
// for the log and for errors.Is/As; it is never shown to users.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with a message and an underlying cause.
func Wrap(code string, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// and a generic message for any other error so internals never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "服务器内部错误，请稍后重试"
}
