// Package problem defines the errors every Deskkit package returns: the
// four error kinds and the validation error that lists every bad field of
// a request. Package helpdesk re-exports all of them (helpdesk.ErrNotFound,
// helpdesk.ValidationError ...); import this package from code that uses a
// domain package (field, trigger ...) on its own.
//
// Every message has one shape, "<kind>: <what>", so a log line reads the
// same whichever package or store produced it:
//
//	invalid: title: is required; content: is 2000 bytes, over the limit of 1024
//	not found: ticket "0192f3a4-…"
//	conflict: ticket "0192f3a4-…" is at version 4, not 3
//	forbidden: CreateGroup needs the admin role; agent "a1" does not have it
//
// A validation error names each bad field as the caller spelled it,
// followed by what is wrong with it; one problem is told once, however
// many error types describe it (errors.As finds each). A refusal names
// the refused call. Messages never show a database's table or constraint
// names, and both stores word the same refusal alike.
package problem

import (
	"errors"
	"strings"
)

// The error kinds. Match them with errors.Is: every error a Deskkit call
// returns because of its input, its target or its actor matches exactly
// one of them; any other error is a failure of the store or the host.
var (
	// ErrNotFound: the object does not exist (in this service).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a write based on a stale version, or a duplicate.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the actor may not make this call; nothing changed.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: bad input; errors.As into *ValidationError for the
	// fields.
	ErrInvalid = errors.New("invalid")
)

// Problem is one bad field of a request.
type Problem struct {
	// Field is the field's name as the caller spelled it ("title",
	// "customer_fields.size", "actions[1].group_id").
	Field string
	// Reason is what is wrong, for a person to read ("is required").
	Reason string
}

// ValidationError lists every bad field of a request, not only the first.
// It matches ErrInvalid with errors.Is. Its message is "invalid: " and the
// problems as "<field>: <reason>", separated by "; ".
type ValidationError struct {
	Problems []Problem
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalid.Error())
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Reason)
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Has reports whether field is among the problems.
func (e *ValidationError) Has(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}
