package ticket

import (
	"fmt"

	"github.com/deskkit/deskkit/internal/errs"
)

// Status is where a ticket is in its life (TKT-2).
type Status string

// The statuses of TKT-2.
const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // on hold
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed" // final
)

// Statuses lists every status in life order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusSolved, StatusClosed}

// legal holds the moves TKT-2 allows, from → set of to.
var legal = map[Status][]Status{
	StatusNew:     {StatusOpen, StatusPending, StatusSolved},
	StatusOpen:    {StatusPending, StatusSolved},
	StatusPending: {StatusOpen, StatusSolved},
	StatusSolved:  {StatusOpen, StatusClosed},
	StatusClosed:  nil,
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	_, ok := legal[s]
	return ok
}

// CanMove reports whether TKT-2 allows the move from s to to.
func (s Status) CanMove(to Status) bool {
	for _, t := range legal[s] {
		if t == to {
			return true
		}
	}
	return false
}

// ErrIllegalTransition is matched (errors.Is) by every *TransitionError.
var ErrIllegalTransition = fmt.Errorf("%w: illegal status transition", errs.ErrInvalid)

// TransitionError is an illegal status move (TKT-2); it names from and to and
// matches ErrIllegalTransition and helpdesk.ErrInvalid.
type TransitionError struct {
	From, To Status
}

// Error implements error.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s %s → %s", ErrIllegalTransition, e.From, e.To)
}

// Unwrap lets errors.Is match ErrIllegalTransition and ErrInvalid.
func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// Transition checks the move from → to. An unknown status or an illegal move
// returns an error; a move to the same status is illegal too, because it
// changes nothing a history could record.
func Transition(from, to Status) error {
	if !to.Valid() {
		return &errs.ValidationError{Problems: []errs.Problem{{Field: "status", Reason: fmt.Sprintf("unknown status %q", to)}}}
	}
	if !from.CanMove(to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}
