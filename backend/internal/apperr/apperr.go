// Package apperr is the one error type of Min side. Domain packages return *Error with a stable
// code and a message key; the web layer alone maps the code to an HTTP status and translates the key
// late, for the reader's language. Anything that is not an *Error is an internal error.
package apperr

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error class. Clients may switch on it; it never changes meaning.
type Code string

const (
	CodeBadRequest           Code = "bad_request"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodeNotFound             Code = "not_found"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeConflict             Code = "conflict"
	CodeGone                 Code = "gone"
	CodePreconditionFailed   Code = "precondition_failed"
	CodeTooLarge             Code = "too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeInvalid              Code = "invalid"
	CodeRateLimited          Code = "rate_limited"
	CodeInternal             Code = "internal"
	CodeUnavailable          Code = "unavailable"
)

// FieldError names one bad input field by JSON pointer (RFC 6901), e.g. "/title/nb".
type FieldError struct {
	Pointer string
	Key     string         // message key, e.g. "field.required"
	Data    map[string]any // placeholders for the message
	// Line and Column (from 1) say where in the field's text the problem is, for a field that
	// holds an expression (a rule's condition); zero otherwise.
	Line, Column int
}

// Error is a domain error with everything needed to answer it, but nothing HTTP-specific.
type Error struct {
	Code   Code
	Key    string         // message key of the title, e.g. "error.not_found"
	Data   map[string]any // placeholders for the title and detail
	Detail string         // optional message key for a longer explanation
	Fields []FieldError
	// Extra members for the problem body (e.g. "current" version on a conflict). Never secrets.
	Extra map[string]any
	Err   error // cause, for logs only; never shown to clients
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Key
	for _, f := range e.Fields {
		msg += fmt.Sprintf(" [%s %s]", f.Pointer, f.Key)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the code's default title key ("error.<code>").
func New(code Code) *Error { return &Error{Code: code, Key: "error." + string(code)} }

// WithDetail sets a message key that explains the error further.
func (e *Error) WithDetail(key string, data map[string]any) *Error {
	e.Detail = key
	if data != nil {
		if e.Data == nil {
			e.Data = map[string]any{}
		}
		for k, v := range data {
			e.Data[k] = v
		}
	}
	return e
}

// WithExtra adds a member to the problem body.
func (e *Error) WithExtra(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// Wrap records the cause for logs.
func (e *Error) Wrap(err error) *Error { e.Err = err; return e }

// NotFound is answered whenever an object does not exist *or is not the caller's*: no existence leak.
func NotFound() *Error { return New(CodeNotFound) }

func BadRequest(detailKey string) *Error { return New(CodeBadRequest).WithDetail(detailKey, nil) }

func Unauthorized() *Error { return New(CodeUnauthorized) }

func Forbidden() *Error { return New(CodeForbidden) }

func Conflict(detailKey string) *Error { return New(CodeConflict).WithDetail(detailKey, nil) }

func Unavailable(cause error) *Error { return New(CodeUnavailable).Wrap(cause) }

// Invalid reports one or more bad fields; nothing was changed.
func Invalid(fields ...FieldError) *Error {
	e := New(CodeInvalid)
	e.Fields = fields
	return e
}

// Field builds a FieldError; data may be nil.
func Field(pointer, key string, data map[string]any) FieldError {
	return FieldError{Pointer: pointer, Key: key, Data: data}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Fields collects field errors while validating, so a request reports every bad field at once.
type Fields []FieldError

func (f *Fields) Add(pointer, key string, data map[string]any) {
	*f = append(*f, Field(pointer, key, data))
}

// Err returns nil when no field was added, else an Invalid error with them all.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}
