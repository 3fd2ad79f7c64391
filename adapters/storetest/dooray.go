package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
)

// testDoorayLinkRepository: ticket ↔ Dooray! task links (DRY-2,
// helpdesk.DoorayLinkRepository). The store keeps one task per ticket and
// one ticket per task in a service and finds a link both ways; the
// workflow's rules are tested in helpdesk.
func testDoorayLinkRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	insert := func(svc string, l helpdesk.DoorayLink) error {
		return s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.DoorayLinks().Insert(ctx, l) })
	}
	byTicket := func(svc, id string) (helpdesk.DoorayLink, error) {
		return read(s, svc, func(r helpdesk.Repos) (helpdesk.DoorayLink, error) { return r.DoorayLinks().ByTicket(ctx, id) })
	}
	byPost := func(svc, id string) (helpdesk.DoorayLink, error) {
		return read(s, svc, func(r helpdesk.Repos) (helpdesk.DoorayLink, error) { return r.DoorayLinks().ByPost(ctx, id) })
	}
	t.Run("Insert", func(t *testing.T) {
		t.Run("RoundTrip_DRY2", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			// 64-bit ids above 2^53 stay exact.
			l := helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "3118892665733691672", PostID: "4006824347670772680", CreatedAt: base}
			require.NoError(t, insert(svc, l))
			got, err := byTicket(svc, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, l, got)
			got, err = byPost(svc, l.PostID)
			require.NoError(t, err)
			assert.Equal(t, l, got)
		})
		t.Run("Conflict_DRY2", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			a, b := create(t, s, svc, mkTicket(1)), create(t, s, svc, mkTicket(2))
			require.NoError(t, insert(svc, helpdesk.DoorayLink{TicketID: a.ID, ProjectID: "1", PostID: "10", CreatedAt: base}))
			assert.ErrorIs(t, insert(svc, helpdesk.DoorayLink{TicketID: a.ID, ProjectID: "1", PostID: "11", CreatedAt: base}), helpdesk.ErrConflict, "a ticket has one task")
			assert.ErrorIs(t, insert(svc, helpdesk.DoorayLink{TicketID: b.ID, ProjectID: "1", PostID: "10", CreatedAt: base}), helpdesk.ErrConflict, "a task has one ticket")
			// The refusal leaves the transaction usable.
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				if err := r.DoorayLinks().Insert(ctx, helpdesk.DoorayLink{TicketID: a.ID, ProjectID: "1", PostID: "12", CreatedAt: base}); !errors.Is(err, helpdesk.ErrConflict) {
					return err
				}
				return r.DoorayLinks().Insert(ctx, helpdesk.DoorayLink{TicketID: b.ID, ProjectID: "1", PostID: "13", CreatedAt: base})
			})
			require.NoError(t, err)
			got, err := byPost(svc, "13")
			require.NoError(t, err)
			assert.Equal(t, b.ID, got.TicketID)
		})
		t.Run("Rollback", func(t *testing.T) {
			t.Parallel()
			svc := newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				require.NoError(t, r.DoorayLinks().Insert(ctx, helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "1", PostID: "10", CreatedAt: base}))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			_, err = byTicket(svc, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			_, err = byPost(svc, "10")
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
	})
	t.Run("ByTicket", func(t *testing.T) {
		t.Run("NotFound_SVC1", func(t *testing.T) {
			t.Parallel()
			svc, other := newService(t, s), newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			require.NoError(t, insert(svc, helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "1", PostID: "10", CreatedAt: base}))
			_, err := byTicket(svc, newID())
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			_, err = byTicket(other, tk.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's link")
		})
	})
	t.Run("ByPost", func(t *testing.T) {
		t.Run("NotFound_SVC1", func(t *testing.T) {
			t.Parallel()
			svc, other := newService(t, s), newService(t, s)
			tk := create(t, s, svc, mkTicket(1))
			require.NoError(t, insert(svc, helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "1", PostID: "10", CreatedAt: base}))
			_, err := byPost(other, "10")
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's task")
			// The same post id in another service is another task.
			tk2 := create(t, s, other, mkTicket(2))
			require.NoError(t, insert(other, helpdesk.DoorayLink{TicketID: tk2.ID, ProjectID: "1", PostID: "10", CreatedAt: base}))
			got, err := byPost(other, "10")
			require.NoError(t, err)
			assert.Equal(t, tk2.ID, got.TicketID)
		})
	})
}
