package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// TestReadAhead_TicketMenu_AGT8: the ticket menu's access, read with the
// service's record, answers Menus().Get as a read of its own would: none
// set, set, and written in the same transaction (the write forgets what
// was read ahead); other menus are read as before.
func TestReadAhead_TicketMenu_AGT8(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rt := &roundTrips{}
	s, err := postgres.Open(ctx, migrated.Database(t), postgres.WithTracer(postgres.Options{MaxOpenConns: 2}, rt))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	mkService(t, s, "acme")

	read := func(m agent.Menu) (got agent.MenuAccess, trips int) {
		trips = rt.count(t, func() {
			require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
				if _, err := r.Service().Get(ctx); err != nil {
					return err
				}
				got, err = r.Menus().Get(ctx, m)
				return err
			}))
		})
		return got, trips
	}
	got, trips := read(agent.MenuTickets)
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets}, got, "never set: everybody")
	assert.Equal(t, 2, trips, "[BEGIN, service with the menu], COMMIT")

	set := agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{"a1", "a2"}}
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Menus().Put(ctx, set) }))
	got, trips = read(agent.MenuTickets)
	assert.Equal(t, set, got)
	assert.Equal(t, 2, trips)
	other, trips := read(agent.MenuCallbacks)
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuCallbacks}, other)
	assert.Equal(t, 3, trips, "another menu is read on its own")

	// Written after the read ahead, in the same transaction: the write wins.
	open := agent.MenuAccess{Menu: agent.MenuTickets}
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Service().Get(ctx); err != nil {
			return err
		}
		if err := r.Menus().Put(ctx, open); err != nil {
			return err
		}
		got, err := r.Menus().Get(ctx, agent.MenuTickets)
		require.NoError(t, err)
		assert.Equal(t, open, got)
		return nil
	}))
	got, _ = read(agent.MenuTickets)
	assert.Equal(t, open, got)
}
