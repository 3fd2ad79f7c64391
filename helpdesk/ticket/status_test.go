package ticket_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// unknownStatus is a status TKT-2 does not define.
const unknownStatus ticket.Status = "reopened"

// tkt2Legal spells out the legal moves of TKT-2 literally, independent of the
// package's own table:
//
//	new → open | pending | solved; open → pending | solved;
//	pending → open | solved; solved → open (reopen) | closed; closed is final.
var tkt2Legal = map[[2]ticket.Status]bool{
	{ticket.StatusNew, ticket.StatusOpen}:       true,
	{ticket.StatusNew, ticket.StatusPending}:    true,
	{ticket.StatusNew, ticket.StatusSolved}:     true,
	{ticket.StatusOpen, ticket.StatusPending}:   true,
	{ticket.StatusOpen, ticket.StatusSolved}:    true,
	{ticket.StatusPending, ticket.StatusOpen}:   true,
	{ticket.StatusPending, ticket.StatusSolved}: true,
	{ticket.StatusSolved, ticket.StatusOpen}:    true,
	{ticket.StatusSolved, ticket.StatusClosed}:  true,
}

func TestStatus_TKT2_StatusesAreTheFiveInLifeOrder(t *testing.T) {
	assert.Equal(t, []ticket.Status{"new", "open", "pending", "solved", "closed"}, ticket.Statuses)
}

func TestStatus_TKT2_Valid(t *testing.T) {
	tests := []struct {
		status ticket.Status
		want   bool
	}{
		{ticket.StatusNew, true},
		{ticket.StatusOpen, true},
		{ticket.StatusPending, true},
		{ticket.StatusSolved, true},
		{ticket.StatusClosed, true},
		{"", false},
		{unknownStatus, false},
		{"Open", false},
		{" open", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.status), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.status.Valid())
		})
	}
}

// TestStatus_TKT2_EveryPair checks every (from, to) pair over the known
// statuses plus an unknown one: exactly the legal moves of TKT-2 pass.
func TestStatus_TKT2_EveryPair(t *testing.T) {
	all := append(append([]ticket.Status{}, ticket.Statuses...), unknownStatus)
	require.Len(t, all, 6)

	legalSeen := 0
	for _, from := range all {
		for _, to := range all {
			wantLegal := tkt2Legal[[2]ticket.Status{from, to}]
			t.Run(fmt.Sprintf("%s_to_%s", from, to), func(t *testing.T) {
				err := ticket.Transition(from, to)
				assert.Equal(t, wantLegal, from.CanMove(to), "CanMove must agree with TKT-2")
				if wantLegal {
					assert.NoError(t, err)
					return
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, errs.ErrInvalid)
				if !to.Valid() {
					var ve *errs.ValidationError
					require.ErrorAs(t, err, &ve)
					assert.True(t, ve.Has("status"), "problems: %v", ve.Problems)
					assert.False(t, errors.Is(err, ticket.ErrIllegalTransition),
						"an unknown target is a validation problem, not a transition")
					return
				}
				var te *ticket.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, from, te.From)
				assert.Equal(t, to, te.To)
				assert.ErrorIs(t, err, ticket.ErrIllegalTransition)
			})
			if wantLegal {
				legalSeen++
			}
		}
	}
	assert.Equal(t, len(tkt2Legal), legalSeen, "every legal move of TKT-2 was exercised")
}

func TestStatus_TKT2_SameStatusIsIllegal(t *testing.T) {
	for _, s := range ticket.Statuses {
		t.Run(string(s), func(t *testing.T) {
			err := ticket.Transition(s, s)
			var te *ticket.TransitionError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, s, te.From)
			assert.Equal(t, s, te.To)
		})
	}
}

func TestStatus_TKT2_ClosedIsFinal(t *testing.T) {
	for _, to := range ticket.Statuses {
		t.Run(string(to), func(t *testing.T) {
			assert.False(t, ticket.StatusClosed.CanMove(to))
			assert.ErrorIs(t, ticket.Transition(ticket.StatusClosed, to), ticket.ErrIllegalTransition)
		})
	}
}

func TestStatus_TKT2_UnknownSourceIsTransitionError(t *testing.T) {
	for _, to := range ticket.Statuses {
		t.Run(string(to), func(t *testing.T) {
			err := ticket.Transition(unknownStatus, to)
			var te *ticket.TransitionError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, unknownStatus, te.From)
			assert.Equal(t, to, te.To)
		})
	}
}

func TestStatus_TKT2_UnknownTargetIsValidationError(t *testing.T) {
	for _, from := range append(append([]ticket.Status{}, ticket.Statuses...), unknownStatus, "") {
		for _, to := range []ticket.Status{"", unknownStatus, "SOLVED"} {
			t.Run(fmt.Sprintf("%q_to_%q", from, to), func(t *testing.T) {
				err := ticket.Transition(from, to)
				var ve *errs.ValidationError
				require.ErrorAs(t, err, &ve)
				require.Len(t, ve.Problems, 1)
				assert.Equal(t, "status", ve.Problems[0].Field)
				assert.Contains(t, ve.Problems[0].Reason, fmt.Sprintf("%q", to))
				assert.ErrorIs(t, err, errs.ErrInvalid)
				var te *ticket.TransitionError
				assert.False(t, errors.As(err, &te))
			})
		}
	}
}

func TestStatus_TKT2_TransitionErrorNamesFromAndTo(t *testing.T) {
	err := ticket.Transition(ticket.StatusClosed, ticket.StatusOpen)
	require.Error(t, err)
	assert.Equal(t, "invalid: illegal status transition closed → open", err.Error())

	te := &ticket.TransitionError{From: ticket.StatusNew, To: ticket.StatusClosed}
	assert.Equal(t, "invalid: illegal status transition new → closed", te.Error())
	assert.Same(t, ticket.ErrIllegalTransition, errors.Unwrap(te))
	assert.ErrorIs(t, te, errs.ErrInvalid)
	assert.NotErrorIs(t, te, errs.ErrConflict)
	assert.NotErrorIs(t, te, errs.ErrNotFound)
}

func TestStatus_TKT2_ErrIllegalTransitionWrapsErrInvalid(t *testing.T) {
	assert.ErrorIs(t, ticket.ErrIllegalTransition, errs.ErrInvalid)
	assert.Contains(t, ticket.ErrIllegalTransition.Error(), "illegal status transition")
}

// TestStatus_TKT2_WrappedTransitionErrorStillMatches checks the typed error
// survives being wrapped by a caller, as package helpdesk does.
func TestStatus_TKT2_WrappedTransitionErrorStillMatches(t *testing.T) {
	err := fmt.Errorf("ticket #7: %w", ticket.Transition(ticket.StatusNew, ticket.StatusClosed))
	var te *ticket.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, ticket.StatusNew, te.From)
	assert.Equal(t, ticket.StatusClosed, te.To)
	assert.ErrorIs(t, err, ticket.ErrIllegalTransition)
	assert.ErrorIs(t, err, errs.ErrInvalid)
}
