package models

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The API maps each to one HTTP status.
const (
	EInvalid      = "invalid"      // malformed or invalid input (422, or 400 when unparsable)
	EMalformed    = "malformed"    // the request body could not be parsed at all (400)
	ENotFound     = "not_found"    // the resource does not exist or is not visible (404)
	EConflict     = "conflict"     // the resource is in the wrong state (409)
	EForbidden    = "forbidden"    // authenticated, but lacking role or scope (403)
	EUnauthorized = "unauthorized" // no or bad credentials (401)
	EUnavailable  = "unavailable"  // a dependency such as Temporal cannot be reached (503)
	// EIdempotencyKeyReused is an Idempotency-Key sent again with a different request (422).
	EIdempotencyKeyReused = "idempotency_key_reused"
	EInternal             = "internal" // a bug or an unexpected failure (500)
)

// IsCode reports whether code is one of the codes above: an Update validator's refusal
// carries its code as the type of the application error Temporal returns.
func IsCode(code string) bool {
	switch code {
	case EInvalid, EMalformed, ENotFound, EConflict, EForbidden, EUnauthorized, EUnavailable, EIdempotencyKeyReused, EInternal:
		return true
	}
	return false
}

// Error is the one error type of the domain: a code, a message meant for the
// person who made the request, and the fields at fault when the input was invalid.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors returns an EInvalid error naming each field at fault.
func FieldErrors(fields map[string]string) *Error {
	msg := "invalid input"
	if len(fields) == 1 {
		for f, m := range fields {
			msg = fmt.Sprintf("%s: %s", f, m)
		}
	}
	return &Error{Code: EInvalid, Message: msg, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, a generic one otherwise.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Sentinel errors, wrapped with %w where more context helps.
var (
	ErrEnvelopeExhausted = Errorf(EConflict, "the envelope cannot cover this amount")
	ErrCapReached        = Errorf(EConflict, "this collectivité already holds its funding of this kind")
	// ErrDatabaseUnavailable wraps a failure to reach the database (connection refused or
	// lost, server shutting down, busy): the request may succeed once it is back.
	ErrDatabaseUnavailable = Errorf(EUnavailable, "the database is unavailable, retry shortly")
)
