package postgres_test

import (
	"context"
	"testing"
	"time"

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
	// Without the service cache, so that every transaction reads the
	// record (servicecache_test.go has the cache's own tests).
	s, rt := openCounted(t, migrated.Database(t), -1)
	mkService(t, s, "acme")

	read := func(m agent.Menu) (got agent.MenuAccess, trips int) {
		trips = rt.count(t, func() {
			require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) (err error) {
				if _, err = r.Service().Get(ctx); err != nil {
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

// TestReadAhead_GroupMembers_AGT6: a group's members, read with the group,
// answer Members as a read of its own would — in join order, with their
// join times, none for an empty group — and a write of the members in the
// same transaction forgets them; another group's members are read as
// before.
func TestReadAhead_GroupMembers_AGT6(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, rt := openCounted(t, migrated.Database(t), 0)
	mkService(t, s, "acme")
	tx := func(fn func(r helpdesk.Repos)) {
		require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { fn(r); return nil }))
	}
	tx(func(r helpdesk.Repos) {
		for i, name := range []string{"Kim", "Lee", "Park"} {
			a := agent.Agent{ID: name, Account: name, Name: name, Email: name + "@acme.example", Role: agent.RoleAgent, Active: true,
				Version: 1, CreatedAt: at}
			require.NoError(t, r.Agents().Create(ctx, a))
			require.NoError(t, r.Groups().Insert(ctx, agent.Group{ID: "g" + name, Name: "G" + name, Position: i, Strategy: agent.StrategyRoundRobin, CreatedAt: at}))
		}
		for i, id := range []string{"Park", "Kim"} { // join order is not name order
			_, err := r.Groups().AddMember(ctx, "gKim", id, at.Add(time.Duration(i)*time.Second))
			require.NoError(t, err)
		}
	})
	var fresh []agent.Membership
	tx(func(r helpdesk.Repos) { // no Get first: read on its own
		var err error
		fresh, err = r.Groups().Members(ctx, "gKim")
		require.NoError(t, err)
	})
	require.Len(t, fresh, 2)
	assert.Equal(t, "Park", fresh[0].AgentID)

	trips := rt.count(t, func() {
		tx(func(r helpdesk.Repos) {
			_, err := r.Groups().Get(ctx, "gKim")
			require.NoError(t, err)
			ms, err := r.Groups().Members(ctx, "gKim")
			require.NoError(t, err)
			assert.Equal(t, fresh, ms, "read ahead as read on its own")
			empty, err := r.Groups().Members(ctx, "gLee")
			require.NoError(t, err)
			assert.Empty(t, empty, "another group: read on its own")
		})
	})
	assert.Equal(t, 4, trips, "[BEGIN, group with members], the other group's members and (none) whether it exists, COMMIT")

	tx(func(r helpdesk.Repos) {
		_, err := r.Groups().Get(ctx, "gLee")
		require.NoError(t, err)
		ms, err := r.Groups().Members(ctx, "gLee")
		require.NoError(t, err)
		assert.Empty(t, ms, "an empty group")
		_, err = r.Groups().AddMember(ctx, "gLee", "Lee", at)
		require.NoError(t, err)
		ms, err = r.Groups().Members(ctx, "gLee")
		require.NoError(t, err)
		require.Len(t, ms, 1, "a write of the members forgets them")
		assert.Equal(t, "Lee", ms[0].AgentID)
	})
}

// TestReadAhead_MemberAgentsAnyTimeZone_AGT6: the members' agents read with
// a group are the agents Get reads, whatever the session's time zone: an
// old timestamp in Asia/Seoul has an offset with seconds (+08:27:52), which
// the JSON text of a timestamp would carry and Go could not parse.
func TestReadAhead_MemberAgentsAnyTimeZone_AGT6(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := postgres.Open(ctx, migrated.Database(t)+"&timezone=Asia%2FSeoul", postgres.Options{MaxOpenConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	mkService(t, s, "acme")
	old := agent.Agent{ID: "a-old", Name: "Old", Email: "old@example.com", Role: agent.RoleAgent, Active: true, Version: 1,
		CreatedAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)} // no UpdatedAt: NULL
	recent := agent.Agent{ID: "a-new", Name: "New", Email: "new@example.com", Role: agent.RoleAgent, Active: true, Version: 1,
		CreatedAt: time.Date(2026, 12, 6, 9, 0, 0, 123456000, time.UTC), UpdatedAt: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	g := agent.Group{ID: "g1", Name: "Support", Position: 1, Strategy: agent.StrategyRoundRobin, CreatedAt: recent.CreatedAt}
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		for _, a := range []agent.Agent{old, recent} {
			if err := r.Agents().Create(ctx, a); err != nil {
				return err
			}
		}
		if err := r.Groups().Insert(ctx, g); err != nil {
			return err
		}
		for _, a := range []agent.Agent{old, recent} {
			if _, err := r.Groups().AddMember(ctx, g.ID, a.ID, recent.CreatedAt); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Groups().Get(ctx, g.ID)
		require.NoError(t, err)
		ahead, err := r.Agents().ListIn(ctx, []string{old.ID, recent.ID})
		require.NoError(t, err)
		var each []agent.Agent
		for _, id := range []string{recent.ID, old.ID} { // by name: New, Old
			a, err := r.Agents().Get(ctx, id)
			require.NoError(t, err)
			each = append(each, a)
		}
		assert.Equal(t, each, ahead)
		assert.Equal(t, []agent.Agent{recent, old}, ahead)
		return nil
	}))
}
