package helpdesk

import (
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// The error kinds every Deskkit call returns. Match them with errors.Is; they
// wrap more detail (which id, which transition).
var (
	// ErrNotFound: the object does not exist in this service — or exists in
	// another one, which is the same thing to the caller (SVC-1).
	ErrNotFound = errs.ErrNotFound
	// ErrConflict: a write based on a stale version (TKT-8), or a duplicate.
	ErrConflict = errs.ErrConflict
	// ErrForbidden: the actor may not make this call (SVC-3); nothing changed.
	ErrForbidden = errs.ErrForbidden
	// ErrInvalid: bad input; errors.As into *ValidationError or
	// *ticket.TransitionError for the detail.
	ErrInvalid = errs.ErrInvalid
	// ErrIllegalTransition: a status move TKT-2 does not allow.
	ErrIllegalTransition = ticket.ErrIllegalTransition
)

// ValidationError lists every bad field of a request; it matches ErrInvalid.
type ValidationError = errs.ValidationError

// Problem is one bad field in a ValidationError.
type Problem = errs.Problem
