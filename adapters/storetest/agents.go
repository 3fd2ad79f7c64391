package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
)

// mkAgent stores an agent named name in service and returns it.
func mkAgent(t *testing.T, s helpdesk.Store, service, name string) agent.Agent {
	t.Helper()
	a := agent.Agent{ID: newID(), Name: name, Email: name + "@example.com", Role: agent.RoleAgent, Active: true,
		Version: 1, CreatedAt: base}
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Agents().Create(context.Background(), a) })
	return a
}

// mkGroup stores a group named name in service and returns it as stored.
func mkGroup(t *testing.T, s helpdesk.Store, service, name string) agent.Group {
	t.Helper()
	g := agent.Group{ID: newID(), Name: name, Strategy: agent.StrategyNone, CreatedAt: base}
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Groups().Create(context.Background(), &g) })
	return g
}

func listGroups(t *testing.T, s helpdesk.Store, service string) []agent.Group {
	t.Helper()
	var gs []agent.Group
	tx(t, s, service, func(r helpdesk.Repos) (err error) {
		gs, err = r.Groups().List(context.Background())
		return err
	})
	return gs
}

func groupIDs(gs []agent.Group) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

// testAgentFields_AGT2: every field of an agent round-trips; Update checks
// the version; the account is unique per service.
func testAgentFields(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	a := agent.Agent{
		ID: newID(), Account: "lee.k", Name: "Lee", Email: "lee@example.com", Role: agent.RoleAgent, Active: true,
		Permissions: agent.Permissions{Ticket: true, Phone: true, Forward: true, Export: true},
		Toggles:     agent.Toggles{TicketAssignment: true, AssignmentControl: true},
		CTIID:       "cti-7", Extension: "2031", Version: 1,
		CreatedAt: base.Add(1234567 * time.Microsecond), UpdatedAt: base.Add(time.Minute + 7*time.Microsecond),
	}
	plain := agent.Agent{ID: newID(), Name: "Ahn", Email: "ahn@example.com", Role: agent.RoleAdmin, Version: 1, CreatedAt: base}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Agents().Create(ctx, a))
		return r.Agents().Create(ctx, plain)
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Agents().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		got, err = r.Agents().Get(ctx, plain.ID)
		require.NoError(t, err)
		assert.Equal(t, plain, got, "zero permissions, toggles and update time")
		l, err := r.Agents().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []agent.Agent{plain, a}, l)
		return nil
	})

	upd := a
	upd.Name = "Lee Kim"
	upd.Role = agent.RoleAdmin
	upd.Active = false
	upd.Permissions = agent.Permissions{Chat: true, ViewLogs: true}
	upd.Toggles = agent.Toggles{ChatAssignment: true}
	upd.CTIID, upd.Extension = "", "99"
	upd.UpdatedAt = base.Add(time.Hour + 3*time.Microsecond)
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &upd) })
	assert.Equal(t, int64(2), upd.Version)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Agents().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, upd, got)
		return nil
	})

	stale := a // version 1
	stale.Name = "stale"
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &stale) })
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		ghost := agent.Agent{ID: newID(), Name: "ghost", Email: "ghost@example.com", Role: agent.RoleAgent, Version: 1, CreatedAt: base}
		return r.Agents().Update(ctx, &ghost)
	})
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "other", func(r helpdesk.Repos) error {
		foreign := upd
		foreign.Name = "hijack"
		return r.Agents().Update(ctx, &foreign)
	})
	require.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Agents().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, upd, got, "refused updates changed nothing")
		return nil
	})

	// a failed transaction leaves no update behind
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		u := upd
		u.Name = "rolled back"
		require.NoError(t, r.Agents().Update(ctx, &u))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	// the account is unique per service; many agents have none
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Agents().Create(ctx, agent.Agent{ID: newID(), Account: "lee.k", Name: "Dup", Email: "dup@example.com", Role: agent.RoleAgent, Version: 1, CreatedAt: base})
	})
	require.ErrorIs(t, err, helpdesk.ErrConflict, "account is unique per service")
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		return r.Agents().Create(ctx, agent.Agent{ID: newID(), Name: "No account", Email: "none@example.com", Role: agent.RoleAgent, Version: 1, CreatedAt: base})
	})
	tx(t, s, "other", func(r helpdesk.Repos) error {
		return r.Agents().Create(ctx, agent.Agent{ID: newID(), Account: "lee.k", Name: "Lee", Email: "lee@example.com", Role: agent.RoleAgent, Version: 1, CreatedAt: base})
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Agents().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, upd, got)
		l, err := r.Agents().List(ctx)
		require.NoError(t, err)
		assert.Len(t, l, 3)
		return nil
	})
}

// testGroups_AGT6: groups keep a display order, unique names, and members
// in join order.
func testGroups(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	a1, a2, a3 := mkAgent(t, s, "acme", "a1"), mkAgent(t, s, "acme", "a2"), mkAgent(t, s, "acme", "a3")
	g1, g2, g3 := mkGroup(t, s, "acme", "Billing"), mkGroup(t, s, "acme", "Support"), mkGroup(t, s, "acme", "Sales")
	assert.Equal(t, []int{0, 1, 2}, []int{g1.Position, g2.Position, g3.Position}, "appended at the end")
	assert.Equal(t, []agent.Group{g1, g2, g3}, listGroups(t, s, "acme"))

	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Groups().Create(ctx, &agent.Group{ID: newID(), Name: "bILLING", Strategy: agent.StrategyNone, CreatedAt: base})
	})
	require.ErrorIs(t, err, helpdesk.ErrConflict, "names are unique case-insensitively")
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Groups().Create(ctx, &agent.Group{ID: g1.ID, Name: "Other", Strategy: agent.StrategyNone, CreatedAt: base})
	})
	require.ErrorIs(t, err, helpdesk.ErrConflict, "ids are unique")

	// Update writes name, strategy and fixed agent, nothing else
	g2.Name, g2.Strategy, g2.FixedAgentID = "Support L2", agent.StrategyFixed, a1.ID
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		changed := g2
		changed.Position, changed.CreatedAt = 7, base.Add(time.Hour)
		require.NoError(t, r.Groups().Update(ctx, changed))
		got, err := r.Groups().Get(ctx, g2.ID)
		require.NoError(t, err)
		assert.Equal(t, g2, got)
		// renaming a group to its own name in another case is fine
		g2.Name = "SUPPORT l2"
		require.NoError(t, r.Groups().Update(ctx, g2))
		// refused writes return their kind and leave the transaction usable
		dup := g2
		dup.Name = "sales"
		assert.ErrorIs(t, r.Groups().Update(ctx, dup), helpdesk.ErrConflict)
		assert.ErrorIs(t, r.Groups().Update(ctx, agent.Group{ID: newID(), Name: "Ghost", Strategy: agent.StrategyNone}), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Groups().Create(ctx, &agent.Group{ID: newID(), Name: "SALES", Strategy: agent.StrategyNone, CreatedAt: base}), helpdesk.ErrConflict)
		_, err = r.Groups().Get(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []agent.Group{g1, g2, g3}, listGroups(t, s, "acme"))

	// Reorder names every group once
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Groups().Reorder(ctx, []string{g3.ID, g1.ID, g2.ID}) })
	g3.Position, g1.Position, g2.Position = 0, 1, 2
	assert.Equal(t, []agent.Group{g3, g1, g2}, listGroups(t, s, "acme"))
	for _, bad := range [][]string{
		{g1.ID, g2.ID},                 // one missing
		{g1.ID, g2.ID, g2.ID},          // one twice, one missing
		{g1.ID, g2.ID, g3.ID, g3.ID},   // one twice
		{g1.ID, g2.ID, newID()},        // an unknown one instead
		{g1.ID, g2.ID, g3.ID, newID()}, // an unknown one besides
		{},                             // none
	} {
		err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Groups().Reorder(ctx, bad) })
		assert.ErrorIs(t, err, helpdesk.ErrInvalid, "%v", bad)
	}
	assert.Equal(t, []agent.Group{g3, g1, g2}, listGroups(t, s, "acme"), "refused reorders changed nothing")
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Groups().Reorder(ctx, []string{g1.ID, g2.ID, g3.ID}))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []agent.Group{g3, g1, g2}, listGroups(t, s, "acme"), "a failed reorder rolls back")

	// members join in order; Seq increases across the service's groups
	at := func(i int) time.Time {
		return base.Add(time.Duration(i)*time.Minute + time.Duration(i)*time.Microsecond)
	}
	var joins []agent.Membership
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		for i, p := range []struct{ g, a string }{{g1.ID, a1.ID}, {g2.ID, a1.ID}, {g1.ID, a2.ID}, {g1.ID, a3.ID}} {
			m, err := r.Groups().AddMember(ctx, p.g, p.a, at(i))
			require.NoError(t, err)
			assert.Equal(t, agent.Membership{GroupID: p.g, AgentID: p.a, Seq: m.Seq, JoinedAt: at(i)}, m)
			if len(joins) > 0 {
				assert.Greater(t, m.Seq, joins[len(joins)-1].Seq, "Seq increases")
			}
			joins = append(joins, m)
		}
		return nil
	})
	members := func(groupID string) []agent.Membership {
		t.Helper()
		var ms []agent.Membership
		tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
			ms, err = r.Groups().Members(ctx, groupID)
			return err
		})
		return ms
	}
	groupsOf := func(agentID string) []string {
		t.Helper()
		var ids []string
		tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
			ids, err = r.Groups().GroupsOf(ctx, agentID)
			return err
		})
		return ids
	}
	assert.Equal(t, []agent.Membership{joins[0], joins[2], joins[3]}, members(g1.ID))
	assert.Equal(t, []agent.Membership{joins[1]}, members(g2.ID))
	assert.Empty(t, members(g3.ID))
	assert.Equal(t, []string{g1.ID, g2.ID}, groupsOf(a1.ID), "by group position")
	assert.Empty(t, groupsOf(newID()))

	// refused joins return their kind, write nothing and leave the
	// transaction usable
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		_, err := r.Groups().AddMember(ctx, g1.ID, a1.ID, at(9))
		assert.ErrorIs(t, err, helpdesk.ErrConflict, "already a member")
		_, err = r.Groups().AddMember(ctx, g1.ID, newID(), at(9))
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "unknown agent")
		_, err = r.Groups().AddMember(ctx, newID(), a1.ID, at(9))
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "unknown group")
		assert.ErrorIs(t, r.Groups().RemoveMember(ctx, g3.ID, a1.ID), helpdesk.ErrNotFound, "not a member")
		assert.ErrorIs(t, r.Groups().RemoveMember(ctx, newID(), a1.ID), helpdesk.ErrNotFound, "unknown group")
		_, err = r.Groups().Members(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []agent.Membership{joins[0], joins[2], joins[3]}, members(g1.ID))

	// a rolled-back join leaves no member behind
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Groups().AddMember(ctx, g3.ID, a2.ID, at(10))
		require.NoError(t, err)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Empty(t, members(g3.ID))

	// leaving and joining again goes to the end of the join order with a new Seq
	var again agent.Membership
	tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
		require.NoError(t, r.Groups().RemoveMember(ctx, g1.ID, a2.ID))
		again, err = r.Groups().AddMember(ctx, g1.ID, a2.ID, at(11))
		return err
	})
	assert.Greater(t, again.Seq, joins[3].Seq, "Seq is never reused")
	assert.Equal(t, []agent.Membership{joins[0], joins[3], again}, members(g1.ID))
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Groups().RemoveMember(ctx, g1.ID, a3.ID) })
	assert.Equal(t, []agent.Membership{joins[0], again}, members(g1.ID))

	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Groups().Reorder(ctx, []string{g2.ID, g3.ID, g1.ID}) })
	assert.Equal(t, []string{g2.ID, g1.ID}, groupsOf(a1.ID), "GroupsOf follows the new order")

	// Delete removes the group and its memberships
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Groups().Delete(ctx, g1.ID))
		_, err := r.Groups().Get(ctx, g1.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = r.Groups().Members(ctx, g1.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Groups().Delete(ctx, g1.ID), helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []string{g2.ID}, groupsOf(a1.ID))
	assert.Empty(t, groupsOf(a2.ID))
	assert.Equal(t, []string{g2.ID, g3.ID}, groupIDs(listGroups(t, s, "acme")))
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Groups().Delete(ctx, g2.ID))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []agent.Membership{joins[1]}, members(g2.ID), "a failed delete rolls back")

	// the name of a deleted group is free again; a new group goes last
	g4 := mkGroup(t, s, "acme", "billing")
	assert.Equal(t, []string{g2.ID, g3.ID, g4.ID}, groupIDs(listGroups(t, s, "acme")))
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Groups().Reorder(ctx, []string{g4.ID, g3.ID, g2.ID}) })
	assert.Equal(t, []string{g4.ID, g3.ID, g2.ID}, groupIDs(listGroups(t, s, "acme")))
	g5 := mkGroup(t, s, "acme", "Late")
	assert.Equal(t, []string{g4.ID, g3.ID, g2.ID, g5.ID}, groupIDs(listGroups(t, s, "acme")))
}

// testRoundRobinCursor: the cursor is stored, advances by the round-robin
// rule (agent.NextAfter), rolls back with its transaction, and concurrent
// advances never take the same step.
func testRoundRobinCursor(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	g := mkGroup(t, s, "acme", "Round")
	advance := func(eligible ...int64) int64 {
		t.Helper()
		var c int64
		tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
			c, err = r.Groups().AdvanceCursor(ctx, g.ID, eligible)
			return err
		})
		return c
	}
	assert.Equal(t, int64(10), advance(10, 20, 30), "first pick")
	assert.Equal(t, int64(20), advance(10, 20, 30))
	assert.Equal(t, int64(30), advance(10, 20, 30))
	assert.Equal(t, int64(10), advance(10, 20, 30), "wraps")
	assert.Zero(t, advance(), "nobody eligible: no step")
	assert.Equal(t, int64(30), advance(30), "the cursor stayed at 10")
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		c, err := r.Groups().AdvanceCursor(ctx, g.ID, []int64{10, 20, 30})
		require.NoError(t, err)
		require.Equal(t, int64(10), c)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, int64(10), advance(10, 20, 30), "a failed transaction rolls the cursor back")
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		_, err := r.Groups().AdvanceCursor(ctx, newID(), []int64{1})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = r.Groups().AdvanceCursor(ctx, newID(), nil)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		got, err := r.Groups().Get(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, g, got, "the cursor is not part of the group")
		return nil
	})

	// concurrent advances take every step exactly once
	const workers, each = 6, 10
	var mu sync.Mutex
	counts := map[int64]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				var c int64
				err := s.Tx(ctx, "acme", func(r helpdesk.Repos) (err error) {
					c, err = r.Groups().AdvanceCursor(ctx, g.ID, []int64{1, 2, 3, 4, 5, 6})
					return err
				})
				if assert.NoError(t, err) {
					mu.Lock()
					counts[c]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, map[int64]int{1: 10, 2: 10, 3: 10, 4: 10, 5: 10, 6: 10}, counts)
}

// testGroupsConcurrent: groups created and members added at once get
// distinct positions and distinct Seq values.
func testGroupsConcurrent(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	const workers = 6
	agents := make([]agent.Agent, workers)
	for i := range agents {
		agents[i] = mkAgent(t, s, "acme", fmt.Sprintf("w%d", i))
	}
	shared := mkGroup(t, s, "acme", "Shared")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seqs []int64
	for i := range workers {
		wg.Go(func() {
			g := agent.Group{ID: newID(), Name: fmt.Sprintf("Group %d", i), Strategy: agent.StrategyRoundRobin, CreatedAt: base}
			err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
				if err := r.Groups().Create(ctx, &g); err != nil {
					return err
				}
				for _, gid := range []string{g.ID, shared.ID} {
					m, err := r.Groups().AddMember(ctx, gid, agents[i].ID, base)
					if err != nil {
						return err
					}
					mu.Lock()
					seqs = append(seqs, m.Seq)
					mu.Unlock()
				}
				return nil
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	gs := listGroups(t, s, "acme")
	require.Len(t, gs, workers+1)
	positions := map[int]bool{}
	for _, g := range gs {
		assert.False(t, positions[g.Position], "position %d given twice", g.Position)
		positions[g.Position] = true
	}
	assert.Equal(t, shared.ID, gs[0].ID, "created first, shown first")
	require.Len(t, seqs, 2*workers)
	slices.Sort(seqs)
	assert.Equal(t, len(seqs), len(slices.Compact(slices.Clone(seqs))), "Seq given twice: %v", seqs)
	var ms []agent.Membership
	tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
		ms, err = r.Groups().Members(ctx, shared.ID)
		return err
	})
	require.Len(t, ms, workers)
	assert.True(t, slices.IsSortedFunc(ms, func(a, b agent.Membership) int { return cmp.Compare(a.Seq, b.Seq) }), "join order")
}

// testAgentTenantIsolation_SVC1: agents, groups, log and menus of one
// service are invisible to another.
func testAgentTenantIsolation(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	aa := mkAgent(t, s, "a", "kim")
	ga := mkGroup(t, s, "a", "Billing")
	tx(t, s, "a", func(r helpdesk.Repos) error {
		if _, err := r.Groups().AddMember(ctx, ga.ID, aa.ID, base); err != nil {
			return err
		}
		if err := r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: aa.ID, Kind: agent.Login, At: base}); err != nil {
			return err
		}
		return r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuChat, Partial: true, Restricted: []string{aa.ID}})
	})
	gb := mkGroup(t, s, "b", "Billing") // the same name in another service is fine

	tx(t, s, "b", func(r helpdesk.Repos) error {
		_, err := r.Agents().Get(ctx, aa.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = r.Groups().Get(ctx, ga.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		gs, err := r.Groups().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []agent.Group{gb}, gs)
		_, err = r.Groups().Members(ctx, ga.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		ids, err := r.Groups().GroupsOf(ctx, aa.ID)
		require.NoError(t, err)
		assert.Empty(t, ids)
		_, err = r.Groups().AddMember(ctx, ga.ID, aa.ID, base)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "group of another service")
		_, err = r.Groups().AddMember(ctx, gb.ID, aa.ID, base)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "agent of another service")
		assert.ErrorIs(t, r.Groups().RemoveMember(ctx, ga.ID, aa.ID), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Groups().Update(ctx, agent.Group{ID: ga.ID, Name: "hijack", Strategy: agent.StrategyNone}), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Groups().Reorder(ctx, []string{ga.ID, gb.ID}), helpdesk.ErrInvalid)
		_, err = r.Groups().AdvanceCursor(ctx, ga.ID, []int64{1})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Groups().Delete(ctx, ga.ID), helpdesk.ErrNotFound)
		p, err := r.Logins().List(ctx, agent.LoginFilter{})
		require.NoError(t, err)
		assert.Empty(t, p.Events)
		assert.Empty(t, p.Next)
		m, err := r.Menus().Get(ctx, agent.MenuChat)
		require.NoError(t, err)
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat}, m)
		return nil
	})
	tx(t, s, "a", func(r helpdesk.Repos) error {
		got, err := r.Groups().Get(ctx, ga.ID)
		require.NoError(t, err)
		assert.Equal(t, ga, got, "untouched by service b")
		ms, err := r.Groups().Members(ctx, ga.ID)
		require.NoError(t, err)
		assert.Len(t, ms, 1)
		c, err := r.Groups().AdvanceCursor(ctx, ga.ID, []int64{1, 2})
		require.NoError(t, err)
		assert.Equal(t, int64(1), c, "b's attempts did not move a's cursor")
		return nil
	})
}

// testLoginLog_AGT7: the log pages newest first, by period and agent, every
// event exactly once.
func testLoginLog(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	agents := []string{newID(), newID(), newID()}
	// at(k): four events share each instant; microseconds matter
	at := func(k int) time.Time {
		return base.Add(time.Duration(k)*time.Second + time.Duration(k%3)*time.Microsecond)
	}
	const n = 120
	events := make([]agent.LoginEvent, n)
	for i := range events {
		kind := agent.Login
		if i%2 == 1 {
			kind = agent.Logout
		}
		// ids that sort differently in byte order and in a linguistic
		// collation ("B" < "a" in bytes)
		events[i] = agent.LoginEvent{
			ID: fmt.Sprintf("%c-%s", "aBcD"[i%4], newID()), AgentID: agents[i%3], Kind: kind, At: at(i / 4),
			Address: fmt.Sprintf("10.0.0.%d", i), UserAgent: "Mozilla/5.0 (" + fmt.Sprint(i) + ")",
		}
	}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		for i := range n { // stored out of order
			if err := r.Logins().Add(ctx, events[i*7%n]); err != nil {
				return err
			}
		}
		return nil
	})
	tx(t, s, "other", func(r helpdesk.Repos) error {
		return r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: agents[0], Kind: agent.Login, At: at(10)})
	})
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: agents[0], Kind: agent.Login, At: at(10)}))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	newestFirst := slices.Clone(events)
	slices.SortFunc(newestFirst, func(a, b agent.LoginEvent) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID)) })
	cases := []struct {
		f     agent.LoginFilter
		pages int
	}{
		{agent.LoginFilter{Limit: 50}, 3},
		{agent.LoginFilter{}, 3}, // default page size 50
		{agent.LoginFilter{AgentID: agents[1], Limit: 15}, 3},
		{agent.LoginFilter{Since: at(5), Until: at(20), Limit: 50}, 2}, // 60 events
		{agent.LoginFilter{AgentID: agents[2], Since: at(5), Until: at(20), Limit: 7}, 3},
		{agent.LoginFilter{Until: at(1)}, 1},
		{agent.LoginFilter{AgentID: newID()}, 1},
		{agent.LoginFilter{Limit: 500}, 1},
	}
	for _, c := range cases {
		var want []agent.LoginEvent
		for _, e := range newestFirst {
			if c.f.Matches(e) {
				want = append(want, e)
			}
		}
		var got []agent.LoginEvent
		f := c.f
		pages := 0
		for {
			require.Less(t, pages, 20)
			var p agent.LoginPage
			tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
				p, err = r.Logins().List(ctx, f)
				return err
			})
			pages++
			got = append(got, p.Events...)
			limit := cmp.Or(c.f.Limit, 50)
			assert.LessOrEqual(t, len(p.Events), limit)
			if p.Next == "" {
				break
			}
			assert.Len(t, p.Events, limit, "only the last page is short")
			f.Cursor = p.Next
		}
		assert.Equal(t, want, got, "filter %+v", c.f)
		assert.Equal(t, c.pages, pages, "filter %+v", c.f)
	}
	assert.Len(t, newestFirst, n)

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Logins().List(ctx, agent.LoginFilter{Cursor: "not a cursor!", Limit: 501})
		return err
	})
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("cursor") && ve.Has("limit"), "%v", err)
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Logins().List(ctx, agent.LoginFilter{Since: at(3), Until: at(3)})
		return err
	})
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("until"), "%v", err)
}

// testMenuAccess_AGT8: a menu allows everybody until limited.
func testMenuAccess(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	get := func(service string, m agent.Menu) agent.MenuAccess {
		t.Helper()
		var a agent.MenuAccess
		tx(t, s, service, func(r helpdesk.Repos) (err error) {
			a, err = r.Menus().Get(ctx, m)
			return err
		})
		return a
	}
	for _, m := range agent.Menus {
		a := get("acme", m)
		assert.Equal(t, agent.MenuAccess{Menu: m}, a)
		assert.True(t, a.Allows(newID()))
	}
	x, y := newID(), newID()
	limited := agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{x, y}}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Menus().Put(ctx, limited))
		return r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuChat, Partial: true})
	})
	got := get("acme", agent.MenuTickets)
	assert.Equal(t, limited, got)
	assert.False(t, got.Allows(x))
	assert.True(t, got.Allows(newID()))
	got.Restricted[0] = "changed"
	assert.Equal(t, limited, get("acme", agent.MenuTickets), "values read back share no memory with the store")
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat, Partial: true}, get("acme", agent.MenuChat))
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets}, get("other", agent.MenuTickets), "SVC-1")

	// Put replaces
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		return r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{y}})
	})
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{y}}, get("acme", agent.MenuTickets))
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuTickets}) })
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets}, get("acme", agent.MenuTickets))

	// a failed transaction leaves no access behind, new or replaced
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuStatistics, Partial: true, Restricted: []string{x}}))
		require.NoError(t, r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuChat}))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuStatistics}, get("acme", agent.MenuStatistics))
	assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat, Partial: true}, get("acme", agent.MenuChat))
}
