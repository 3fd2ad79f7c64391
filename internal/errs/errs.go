// Package errs is the library's side of the errors of package
// helpdesk/problem: the kinds and the validation error under short names,
// the Collector that gathers a request's problems, and the constructors
// that give every message the shape "<kind>: <what>". Users see the types
// of package problem (and their re-exports in package helpdesk); nothing
// exported from a public package mentions this one.
package errs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/problem"
)

// The error kinds (package problem). Match them with errors.Is.
var (
	ErrNotFound  = problem.ErrNotFound
	ErrConflict  = problem.ErrConflict
	ErrForbidden = problem.ErrForbidden
	ErrInvalid   = problem.ErrInvalid

	ErrTimeout     = problem.ErrTimeout
	ErrUnavailable = problem.ErrUnavailable
)

// The outcomes of a store failure (package problem); no kinds.
var (
	ErrNotStored      = problem.ErrNotStored
	ErrUnknownOutcome = problem.ErrUnknownOutcome
)

// NotStored marks err, which ended a transaction that was rolled back,
// with ErrNotStored when it is a failure of the store or the host (a
// timeout, a lost connection, an ended context, anything without a kind)
// and carries no outcome yet; a refusal of the call (ErrNotFound,
// ErrConflict, ErrForbidden, ErrInvalid) and nil are returned as they are.
// The message does not change.
func NotStored(err error) error {
	if err == nil || refusal(err) || errors.Is(err, ErrNotStored) || errors.Is(err, ErrUnknownOutcome) {
		return err
	}
	return With(err, ErrNotStored)
}

// refusal reports whether err is a refusal of the call rather than a
// failure of the store.
func refusal(err error) bool {
	for _, k := range []error{ErrNotFound, ErrConflict, ErrForbidden, ErrInvalid} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// Problem is one bad field of a request.
type Problem = problem.Problem

// ValidationError lists every bad field of a request.
type ValidationError = problem.ValidationError

// Collector gathers problems; Err returns nil when there are none.
type Collector struct {
	problems []Problem
	failed   error // the first error Merge was given that is no validation error
}

// Add records a problem with field.
func (c *Collector) Add(field, format string, args ...any) {
	c.problems = append(c.problems, Problem{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Has reports whether a problem with field was recorded.
func (c *Collector) Has(field string) bool {
	for _, p := range c.problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Merge records the problems of err, the result of a check that returns a
// *ValidationError or nil. Any other error is kept: Err returns it (the
// first one) instead of the problems.
func (c *Collector) Merge(err error) { c.merge(err, false) }

// MergeNew is Merge without the problems on a field c already has one on:
// a field is reported once, by the first check that found it bad.
func (c *Collector) MergeNew(err error) { c.merge(err, true) }

func (c *Collector) merge(err error, skipSeen bool) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		if c.failed == nil {
			c.failed = err
		}
		return
	}
	n := len(c.problems)
	for _, p := range ve.Problems {
		if skipSeen && c.has(p.Field, n) {
			continue
		}
		c.problems = append(c.problems, p)
	}
}

// has reports whether one of the first n problems is on field.
func (c *Collector) has(field string, n int) bool {
	for _, p := range c.problems[:n] {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Err returns a *ValidationError with every problem, or nil; an error
// Merge kept comes first.
func (c *Collector) Err() error {
	if c.failed != nil {
		return c.failed
	}
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

// New returns an error of kind whose message is "<kind>: <what>", what
// being format and args as fmt.Sprintf makes them: "conflict: ticket "t1"
// is at version 3, not 2". kind is one of the kinds or an error that
// matches one (field.ErrDuplicateKey): the message starts with the kind's
// name, and errors.Is matches kind and the kind it matches.
func New(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: Name(kind) + ": " + fmt.Sprintf(format, args...)}
}

// NotFound returns "not found: <what> "<id>"" (ErrNotFound).
func NotFound(what, id string) error {
	return New(ErrNotFound, "%s %q", what, id)
}

// Name returns the name of the kind err matches ("not found", "conflict",
// "forbidden", "invalid"), or err's own message if it matches none.
func Name(err error) string {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return err.Error()
}

var kinds = []error{ErrNotFound, ErrConflict, ErrForbidden, ErrInvalid, ErrTimeout, ErrUnavailable}

// Detail returns err's message without the name of its kind in front
// ("illegal status transition closed → open"), for a message that names
// the kind itself, such as a Problem's reason.
func Detail(err error) string {
	return strings.TrimPrefix(err.Error(), Name(err)+": ")
}

// Wrap adds context to err: "<kind>: <context>: <err's detail>" when err
// matches a kind, "<context>: <err>" otherwise. errors.Is and errors.As
// see err.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	context := fmt.Sprintf(format, args...)
	if !isKind(err) {
		return fmt.Errorf("%s: %w", context, err)
	}
	return &wrapError{err: err, msg: Name(err) + ": " + context + ": " + Detail(err)}
}

// isKind reports whether err matches one of the kinds.
func isKind(err error) bool {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

type wrapError struct {
	err error
	msg string
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// kindError is an error New made.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// With returns an error with err's message that errors.Is and errors.As
// also match against each of also: one message for one problem, however
// many types describe it (a *ValidationError that is also a
// *template.ParseError). It returns nil when err is nil.
func With(err error, also ...error) error {
	if err == nil {
		return nil
	}
	return &withError{err: err, also: also}
}

type withError struct {
	err  error
	also []error
}

func (e *withError) Error() string   { return e.err.Error() }
func (e *withError) Unwrap() []error { return append([]error{e.err}, e.also...) }
