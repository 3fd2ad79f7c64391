package helpdesk

import (
	"github.com/deskkit/deskkit/helpdesk/problem"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// The error kinds every Deskkit call returns (those of package problem).
// Match them with errors.Is; they wrap more detail (which id, which
// transition).
var (
	// ErrNotFound: the object does not exist in this service — or exists in
	// another one, which is the same thing to the caller (SVC-1).
	ErrNotFound = problem.ErrNotFound
	// ErrConflict: a write based on a stale version (TKT-8), or a duplicate.
	ErrConflict = problem.ErrConflict
	// ErrForbidden: the actor may not make this call (SVC-3); nothing changed.
	ErrForbidden = problem.ErrForbidden
	// ErrInvalid: bad input; errors.As into *ValidationError or
	// *ticket.TransitionError for the detail.
	ErrInvalid = problem.ErrInvalid
	// ErrIllegalTransition: a status move TKT-2 does not allow.
	ErrIllegalTransition = ticket.ErrIllegalTransition

	// ErrTimeout: the store gave up on a statement (PostgreSQL's
	// statement_timeout or lock_timeout); the call's transaction was rolled
	// back.
	ErrTimeout = problem.ErrTimeout
	// ErrUnavailable: the store's database could not be reached or its
	// connection broke mid-call (terminated, reset); the transaction was
	// rolled back, unless the break hit its commit.
	ErrUnavailable = problem.ErrUnavailable
)

// ValidationError lists every bad field of a request; it matches ErrInvalid.
// Its fields and methods are documented in package problem: Problems holds
// one Problem (Field, Reason) per bad field, Has(field) reports whether a
// field is among them.
type ValidationError = problem.ValidationError

// Problem is one bad field in a ValidationError: Field names it as the
// caller spelled it, Reason says what is wrong.
type Problem = problem.Problem
