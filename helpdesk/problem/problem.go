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

// The store failures: the call's transaction was rolled back, so nothing
// changed, unless the failure hit its commit; a call the library owns may
// be retried as it is.
var (
	// ErrTimeout: a statement ran over the database's statement timeout,
	// or waited longer than its lock timeout.
	ErrTimeout = errors.New("timeout")
	// ErrUnavailable: the database could not be reached or the
	// connection broke (terminated by the server, reset).
	ErrUnavailable = errors.New("unavailable")
)

// The outcomes of a store failure. They are no kinds: a failure of the
// store or the host (ErrTimeout, ErrUnavailable, a context that ended,
// anything else that is not a refusal of the call) is marked with one of
// these, so that a caller can tell whether the
// call's change was written. Match them with errors.Is.
var (
	// ErrNotStored: the store failed before the change was committed (a
	// lost connection, a query or a COMMIT the database refused, a context
	// that ended before COMMIT was sent); nothing was written and the call
	// may be retried as it is.
	ErrNotStored = errors.New("not stored")
	// ErrUnknownOutcome: the store sent COMMIT but cannot tell whether it
	// took effect (the caller's context ended, or the connection broke,
	// while COMMIT was under way): the change may or may not be stored.
	// Retry with the same idempotency key (ticket.New.IdempotencyKey,
	// helpdesk.Reply.IdempotencyKey ...) to get the first result instead
	// of a second copy, or read the state back.
	ErrUnknownOutcome = errors.New("unknown outcome")
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
