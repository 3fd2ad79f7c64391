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

// The outcomes of a store failure (package problem): an error matching
// none of the kinds above is a failure of the store or the host, and the
// store says whether the change was written. See "Errors and retries" in
// the package doc.
var (
	// ErrNotStored: the store failed before the change was committed;
	// nothing was written, and the call may be retried as it is.
	ErrNotStored = problem.ErrNotStored
	// ErrUnknownOutcome: the change may or may not be stored (COMMIT was
	// sent, and the caller's context ended or the connection broke before
	// its answer). Retry with the same idempotency key, or read back.
	ErrUnknownOutcome = problem.ErrUnknownOutcome
)

// ValidationError lists every bad field of a request; it matches ErrInvalid.
// Its fields and methods are documented in package problem: Problems holds
// one Problem (Field, Reason) per bad field, Has(field) reports whether a
// field is among them.
type ValidationError = problem.ValidationError

// Problem is one bad field in a ValidationError: Field names it as the
// caller spelled it, Reason says what is wrong.
type Problem = problem.Problem
