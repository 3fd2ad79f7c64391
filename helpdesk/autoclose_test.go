package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func TestCloseSolved_TKT2_AfterFourDays(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	d, err := helpdesk.New(helpdesk.Config{Store: f.store, Clock: func() time.Time { return now }})
	require.NoError(t, err)
	sys := d.Service("acme").As(helpdesk.System)

	var ids []string
	for i := range 3 {
		tk, err := sys.CreateTicket(ctx, newTicket())
		require.NoError(t, err)
		ids = append(ids, tk.ID)
		if i < 2 {
			_, err = sys.Solve(ctx, tk.ID, helpdesk.SolveOptions{})
			require.NoError(t, err)
		}
		now = now.Add(time.Hour)
	}
	now = now.Add(helpdesk.DefaultCloseAfter - 3*time.Hour) // the first was solved exactly 4 days ago
	n, err := sys.CloseSolved(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = sys.CustomerReply(ctx, ids[1], "not fixed") // reopened before its time
	require.NoError(t, err)
	now = now.Add(24 * time.Hour)
	n, err = sys.CloseSolved(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "reopened and never-solved tickets stay")
	for i, want := range []ticket.Status{ticket.StatusClosed, ticket.StatusOpen, ticket.StatusNew} {
		tk, err := sys.Ticket(ctx, ids[i])
		require.NoError(t, err)
		assert.Equal(t, want, tk.Status)
	}
	_, err = f.agent.CloseSolved(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a job for the system or an admin")
}
