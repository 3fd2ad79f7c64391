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

// testAgentRepository holds the conformance cases of the agent package's
// ports: agent.Repository (Agents), agent.GroupRepository (Groups),
// agent.LoginLog (Logins) and agent.MenuRepository (Menus). Each case runs
// in a service of its own. The stores make no rule checks: positions are
// stored as given, and refusals are only taken keys (ErrConflict), unknown
// rows (ErrNotFound) and a malformed login filter (ErrInvalid). On Postgres
// a refused write aborts its transaction, so every refusal here runs in a
// transaction of its own.
func testAgentRepository(t *testing.T, s helpdesk.Store) {
	methods := []struct {
		name string
		fn   func(*testing.T, helpdesk.Store)
	}{
		{"Agents.Create", testAgentsCreate},
		{"Agents.Get", testAgentsGet},
		{"Agents.List", testAgentsList},
		{"Agents.ListIn", testAgentsListIn},
		{"Agents.Update", testAgentsUpdate},
		{"Groups.Lock", testGroupsLock},
		{"Groups.Insert", testGroupsInsert},
		{"Groups.Get", testGroupsGet},
		{"Groups.List", testGroupsList},
		{"Groups.Save", testGroupsSave},
		{"Groups.Delete", testGroupsDelete},
		{"Groups.AddMember", testGroupsAddMember},
		{"Groups.RemoveMember", testGroupsRemoveMember},
		{"Groups.Members", testGroupsMembers},
		{"Groups.GroupsOf", testGroupsOf},
		{"Groups.AdvanceCursor", testGroupsAdvanceCursor},
		{"Logins.Add", testLoginsAdd},
		{"Logins.List", testLoginsList},
		{"Menus.Get", testMenusGet},
		{"Menus.Put", testMenusPut},
	}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) { m.fn(t, s) })
	}
}

// agentCase runs fn as a parallel subtest in a fresh service.
func agentCase(t *testing.T, s helpdesk.Store, name string, fn func(t *testing.T, svc string)) {
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		svc := newID()
		mkService(t, s, svc)
		fn(t, svc)
	})
}

// agentAt is a time with microseconds, as every store keeps them.
func agentAt(i int) time.Time {
	return base.Add(time.Duration(i)*time.Minute + time.Duration(i+1)*time.Microsecond)
}

// newAgent is an agent named name with every field of a plain agent set.
func newAgent(name string) agent.Agent {
	return agent.Agent{ID: newID(), Name: name, Email: name + "@example.com", Role: agent.RoleAgent, Active: true,
		Version: 1, CreatedAt: base}
}

// fullAgent is an agent with every field set.
func fullAgent() agent.Agent {
	return agent.Agent{
		ID: newID(), Account: "lee.k", Name: "Lee", Email: "Lee@Example.com", Role: agent.RoleAgent, Active: true,
		Permissions: agent.Permissions{Ticket: true, Phone: true, Forward: true, Export: true},
		Toggles:     agent.Toggles{TicketAssignment: true, AssignmentControl: true},
		CTIID:       "cti-7", Extension: "2031", Version: 1,
		CreatedAt: agentAt(1), UpdatedAt: agentAt(2),
	}
}

// mkAgent stores an agent named name in service and returns it.
func mkAgent(t *testing.T, s helpdesk.Store, service, name string) agent.Agent {
	t.Helper()
	a := newAgent(name)
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Agents().Create(context.Background(), a) })
	return a
}

func getAgent(t *testing.T, s helpdesk.Store, service, id string) agent.Agent {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (agent.Agent, error) { return r.Agents().Get(context.Background(), id) })
}

func listAgents(t *testing.T, s helpdesk.Store, service string) []agent.Agent {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]agent.Agent, error) { return r.Agents().List(context.Background()) })
}

// newGroup is a group named name at position pos.
func newGroup(name string, pos int) agent.Group {
	return agent.Group{ID: newID(), Name: name, Position: pos, Strategy: agent.StrategyNone, CreatedAt: agentAt(pos)}
}

// mkGroup stores a group named name at position pos in service and
// returns it.
func mkGroup(t *testing.T, s helpdesk.Store, service, name string, pos int) agent.Group {
	t.Helper()
	g := newGroup(name, pos)
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Groups().Insert(context.Background(), g) })
	return g
}

func listGroups(t *testing.T, s helpdesk.Store, service string) []agent.Group {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]agent.Group, error) { return r.Groups().List(context.Background()) })
}

func groupIDs(gs []agent.Group) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	return ids
}

func addMember(t *testing.T, s helpdesk.Store, service, groupID, agentID string, at time.Time) agent.Membership {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (agent.Membership, error) {
		return r.Groups().AddMember(context.Background(), groupID, agentID, at)
	})
}

func listMembers(t *testing.T, s helpdesk.Store, service, groupID string) []agent.Membership {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]agent.Membership, error) {
		return r.Groups().Members(context.Background(), groupID)
	})
}

func groupsOf(t *testing.T, s helpdesk.Store, service, agentID string) []string {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]string, error) { return r.Groups().GroupsOf(context.Background(), agentID) })
}

// refused runs fn in a transaction of its own and returns its error.
func refused(s helpdesk.Store, service string, fn func(helpdesk.Repos) error) error {
	return s.Tx(context.Background(), service, fn)
}

func testAgentsCreate(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "RoundTrip_AGT2", func(t *testing.T, svc string) {
		a, plain := fullAgent(), agent.Agent{ID: newID(), Name: "Ahn", Email: "ahn@example.com", Role: agent.RoleAdmin, Version: 1, CreatedAt: base}
		tx(t, s, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Agents().Create(ctx, a))
			return r.Agents().Create(ctx, plain)
		})
		assert.Equal(t, a, getAgent(t, s, svc, a.ID))
		assert.Equal(t, plain, getAgent(t, s, svc, plain.ID), "zero account, permissions, toggles and update time")
	})
	agentCase(t, s, "TakenID", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		b := newAgent("other")
		b.ID = a.ID
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, b) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, a, getAgent(t, s, svc, a.ID))
	})
	agentCase(t, s, "TakenEmailAnyCase", func(t *testing.T, svc string) {
		a := fullAgent()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, a) })
		dup := newAgent("dup")
		dup.Email = "lee@example.COM"
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, dup) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Agent{a}, listAgents(t, s, svc))
	})
	agentCase(t, s, "TakenAccount", func(t *testing.T, svc string) {
		a := fullAgent()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, a) })
		dup := newAgent("dup")
		dup.Account = a.Account
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, dup) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Agent{a}, listAgents(t, s, svc))
	})
	agentCase(t, s, "ManyWithoutAccount", func(t *testing.T, svc string) {
		mkAgent(t, s, svc, "a")
		mkAgent(t, s, svc, "b")
		assert.Len(t, listAgents(t, s, svc), 2)
	})
	agentCase(t, s, "KeysArePerService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a := fullAgent()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, a) })
		b := a // same id, email and account
		tx(t, s, other, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, b) })
		assert.Equal(t, []agent.Agent{b}, listAgents(t, s, other))
		assert.Equal(t, []agent.Agent{a}, listAgents(t, s, svc))
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := refused(s, newID(), func(r helpdesk.Repos) error { return r.Agents().Create(ctx, newAgent("x")) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Agents().Create(ctx, newAgent("x")))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, listAgents(t, s, svc))
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		a := fullAgent()
		in := a
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, in) })
		in.Name, in.Permissions.Ticket = "changed", false
		got := getAgent(t, s, svc, a.ID)
		got.Name, got.Toggles.TicketAssignment = "changed", false
		assert.Equal(t, a, getAgent(t, s, svc, a.ID))
	})
}

func testAgentsGet(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "Unknown", func(t *testing.T, svc string) {
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Agents().Get(ctx, newID())
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a := mkAgent(t, s, other, "kim")
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Agents().Get(ctx, a.ID)
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
}

func testAgentsList(t *testing.T, s helpdesk.Store) {
	agentCase(t, s, "Empty", func(t *testing.T, svc string) {
		assert.Empty(t, listAgents(t, s, svc))
	})
	agentCase(t, s, "ByNameThenIDInByteOrder", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		mkAgent(t, s, other, "aaa") // another service's agent is not listed
		b, lower := mkAgent(t, s, svc, "b"), mkAgent(t, s, svc, "a")
		upper := newAgent("B")
		upper.Email = "upper@example.com"
		twin := newAgent("a")
		twin.Email = "twin@example.com"
		twin.ID = "0" + lower.ID // sorts before lower in bytes
		tx(t, s, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Agents().Create(context.Background(), upper))
			return r.Agents().Create(context.Background(), twin)
		})
		assert.Equal(t, []agent.Agent{upper, twin, lower, b}, listAgents(t, s, svc))
	})
}

func testAgentsListIn(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	listIn := func(t *testing.T, svc string, ids ...string) []agent.Agent {
		t.Helper()
		got, err := read(s, svc, func(r helpdesk.Repos) ([]agent.Agent, error) { return r.Agents().ListIn(ctx, ids) })
		require.NoError(t, err)
		return got
	}
	agentCase(t, s, "TheAgentsAmongIDsByNameThenID", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		foreign := mkAgent(t, s, other, "aaa") // another service's agent is never listed
		b, a, c := mkAgent(t, s, svc, "b"), mkAgent(t, s, svc, "a"), mkAgent(t, s, svc, "c")
		assert.Equal(t, []agent.Agent{a, b, c}, listIn(t, svc, c.ID, "unknown", b.ID, a.ID, foreign.ID, b.ID))
		assert.Equal(t, []agent.Agent{c}, listIn(t, svc, c.ID))
		assert.Empty(t, listIn(t, svc))
	})
	// A store may fetch a group's members' agents with the group (the
	// Postgres store does): a write of an agent after that read, in the
	// same transaction, is what ListIn returns, and ids that are not the
	// members are read as asked.
	agentCase(t, s, "AfterAGroupRead", func(t *testing.T, svc string) {
		a, b, c := mkAgent(t, s, svc, "a"), mkAgent(t, s, svc, "b"), mkAgent(t, s, svc, "c")
		g := mkGroup(t, s, svc, "Support", 1)
		addMember(t, s, svc, g.ID, b.ID, agentAt(1))
		addMember(t, s, svc, g.ID, a.ID, agentAt(2))
		tx(t, s, svc, func(r helpdesk.Repos) error {
			_, err := r.Groups().Get(ctx, g.ID)
			require.NoError(t, err)
			got, err := r.Agents().ListIn(ctx, []string{b.ID, a.ID})
			require.NoError(t, err)
			assert.Equal(t, []agent.Agent{a, b}, got, "the members")
			got, err = r.Agents().ListIn(ctx, []string{a.ID, c.ID})
			require.NoError(t, err)
			assert.Equal(t, []agent.Agent{a, c}, got, "not the members")
			renamed := b
			renamed.Name = "0 first"
			require.NoError(t, r.Agents().Update(ctx, &renamed))
			got, err = r.Agents().ListIn(ctx, []string{a.ID, b.ID})
			require.NoError(t, err)
			assert.Equal(t, []agent.Agent{renamed, a}, got, "written after the group was read")
			return nil
		})
	})
}

func testAgentsUpdate(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "WritesEveryField", func(t *testing.T, svc string) {
		a := fullAgent()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Create(ctx, a) })
		upd := a
		upd.Account, upd.Name, upd.Email = "lee.kim", "Lee Kim", "kim@example.com"
		upd.Role, upd.Active = agent.RoleAdmin, false
		upd.Permissions = agent.Permissions{Chat: true, ViewLogs: true}
		upd.Toggles = agent.Toggles{ChatAssignment: true}
		upd.CTIID, upd.Extension = "", "99"
		upd.CreatedAt, upd.UpdatedAt = agentAt(5), agentAt(6)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &upd) })
		assert.Equal(t, int64(2), upd.Version, "the version is incremented")
		assert.Equal(t, upd, getAgent(t, s, svc, a.ID))
	})
	agentCase(t, s, "StaleVersion", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		first := a
		first.Name = "first"
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &first) })
		stale := a
		stale.Name = "stale"
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &stale) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, first, getAgent(t, s, svc, a.ID))
	})
	agentCase(t, s, "Unknown", func(t *testing.T, svc string) {
		ghost := newAgent("ghost")
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &ghost) })
		require.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Empty(t, listAgents(t, s, svc))
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a := mkAgent(t, s, other, "kim")
		hijack := a
		hijack.Name = "hijack"
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &hijack) })
		require.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, a, getAgent(t, s, other, a.ID))
	})
	agentCase(t, s, "TakenEmailOrAccount", func(t *testing.T, svc string) {
		a, b := fullAgent(), newAgent("b")
		tx(t, s, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Agents().Create(ctx, a))
			return r.Agents().Create(ctx, b)
		})
		for _, change := range []func(*agent.Agent){
			func(x *agent.Agent) { x.Email = "LEE@example.com" },
			func(x *agent.Agent) { x.Account = a.Account },
		} {
			u := b
			change(&u)
			err := refused(s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &u) })
			require.ErrorIs(t, err, helpdesk.ErrConflict)
		}
		assert.Equal(t, b, getAgent(t, s, svc, b.ID))
		own := a
		own.Email = "LEE@EXAMPLE.COM" // its own email in another case is fine
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &own) })
		assert.Equal(t, own, getAgent(t, s, svc, a.ID))
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			u := a
			u.Name = "rolled back"
			require.NoError(t, r.Agents().Update(ctx, &u))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, a, getAgent(t, s, svc, a.ID))
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		u := a
		u.Name = "Kim"
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Agents().Update(ctx, &u) })
		want := u
		u.Name, u.Permissions.Chat = "changed", true
		assert.Equal(t, want, getAgent(t, s, svc, a.ID))
	})
}

func testGroupsLock(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "WithoutGroups", func(t *testing.T, svc string) {
		tx(t, s, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Groups().Lock(ctx))
			return r.Groups().Lock(ctx) // again in the same transaction
		})
		assert.Empty(t, listGroups(t, s, svc))
	})
	agentCase(t, s, "SerialisesWriters", func(t *testing.T, svc string) {
		// the second transaction's Lock waits for the first to commit, so
		// its List sees the group the first inserted after locking
		locked, done := make(chan struct{}), make(chan error, 1)
		g := newGroup("First", 0)
		go func() {
			done <- s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				if err := r.Groups().Lock(ctx); err != nil {
					return err
				}
				close(locked)
				time.Sleep(100 * time.Millisecond)
				return r.Groups().Insert(ctx, g)
			})
		}()
		<-locked
		var seen []agent.Group
		tx(t, s, svc, func(r helpdesk.Repos) (err error) {
			if err := r.Groups().Lock(ctx); err != nil {
				return err
			}
			seen, err = r.Groups().List(ctx)
			return err
		})
		require.NoError(t, <-done)
		assert.Equal(t, []agent.Group{g}, seen)
	})
}

func testGroupsInsert(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "RoundTrip", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		g := agent.Group{ID: newID(), Name: "Billing", Position: 7, Strategy: agent.StrategyFixed, FixedAgentID: a.ID, CreatedAt: agentAt(3)}
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, g) })
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc), "stored as given, position included")
	})
	agentCase(t, s, "TakenID", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		dup := newGroup("Other", 1)
		dup.ID = g.ID
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, dup) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "TakenNameAnyCase_AGT6", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, newGroup("bILLING", 1)) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "KeysArePerService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		g := mkGroup(t, s, svc, "Billing", 0)
		tx(t, s, other, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, g) })
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, other))
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := refused(s, newID(), func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, newGroup("x", 0)) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Groups().Insert(ctx, newGroup("x", 0)))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, listGroups(t, s, svc))
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		g := newGroup("Billing", 0)
		in := g
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, in) })
		in.Name = "changed"
		got := listGroups(t, s, svc)
		got[0].Name = "changed"
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
}

func testGroupsGet(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "Found", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 3)
		tx(t, s, svc, func(r helpdesk.Repos) error {
			got, err := r.Groups().Get(ctx, g.ID)
			require.NoError(t, err)
			assert.Equal(t, g, got)
			return nil
		})
	})
	agentCase(t, s, "Unknown", func(t *testing.T, svc string) {
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Groups().Get(ctx, newID())
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		g := mkGroup(t, s, other, "Billing", 0)
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Groups().Get(ctx, g.ID)
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
}

func testGroupsList(t *testing.T, s helpdesk.Store) {
	agentCase(t, s, "Empty", func(t *testing.T, svc string) {
		assert.Empty(t, listGroups(t, s, svc))
	})
	agentCase(t, s, "ByPositionThenID", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		mkGroup(t, s, other, "Elsewhere", 0)
		g2, g0 := mkGroup(t, s, svc, "Two", 2), mkGroup(t, s, svc, "Zero", 0)
		tieA, tieB := newGroup("TieA", 1), newGroup("TieB", 1)
		tieA.ID, tieB.ID = "B"+newID(), "a"+newID() // "B" < "a" in bytes
		tx(t, s, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Groups().Insert(context.Background(), tieB))
			return r.Groups().Insert(context.Background(), tieA)
		})
		assert.Equal(t, []agent.Group{g0, tieA, tieB, g2}, listGroups(t, s, svc))
	})
}

func testGroupsSave(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "WritesEveryFieldButCreatedAt", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		g := mkGroup(t, s, svc, "Billing", 0)
		changed := g
		changed.Name, changed.Position, changed.Strategy, changed.FixedAgentID = "Payments", 4, agent.StrategyFixed, a.ID
		changed.CreatedAt = agentAt(9)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, []agent.Group{changed}) })
		changed.CreatedAt = g.CreatedAt
		assert.Equal(t, []agent.Group{changed}, listGroups(t, s, svc))
	})
	agentCase(t, s, "SeveralRows", func(t *testing.T, svc string) {
		g0, g1, g2 := mkGroup(t, s, svc, "A", 0), mkGroup(t, s, svc, "B", 1), mkGroup(t, s, svc, "C", 2)
		g0.Position, g2.Position = 2, 0
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, []agent.Group{g0, g2}) })
		assert.Equal(t, []agent.Group{g2, g1, g0}, listGroups(t, s, svc))
	})
	agentCase(t, s, "Nothing", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "A", 0)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, nil) })
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "OwnNameInAnotherCase", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		g.Name = "BILLING"
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, []agent.Group{g}) })
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "TakenName_AGT6", func(t *testing.T, svc string) {
		g0, g1 := mkGroup(t, s, svc, "Billing", 0), mkGroup(t, s, svc, "Sales", 1)
		dup := g1
		dup.Name = "billing"
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, []agent.Group{dup}) })
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Group{g0, g1}, listGroups(t, s, svc))
	})
	agentCase(t, s, "Unknown", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		moved := g
		moved.Position = 1
		err := refused(s, svc, func(r helpdesk.Repos) error {
			return r.Groups().Save(ctx, []agent.Group{moved, newGroup("Ghost", 0)})
		})
		require.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		g := mkGroup(t, s, other, "Billing", 0)
		hijack := g
		hijack.Name = "hijack"
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, []agent.Group{hijack}) })
		require.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, other))
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			u := g
			u.Name, u.Position = "rolled back", 5
			require.NoError(t, r.Groups().Save(ctx, []agent.Group{u}))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Billing", 0)
		in := []agent.Group{g}
		in[0].Name = "Payments"
		want := in[0]
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Save(ctx, in) })
		in[0].Name = "changed"
		assert.Equal(t, []agent.Group{want}, listGroups(t, s, svc))
	})
}

func testGroupsDelete(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "RemovesGroupAndMemberships", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		g0, g1 := mkGroup(t, s, svc, "Billing", 0), mkGroup(t, s, svc, "Sales", 1)
		addMember(t, s, svc, g0.ID, a.ID, base)
		addMember(t, s, svc, g1.ID, a.ID, base)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().Delete(ctx, g0.ID) })
		assert.Equal(t, []agent.Group{g1}, listGroups(t, s, svc), "the other positions are left alone")
		assert.Equal(t, []string{g1.ID}, groupsOf(t, s, svc, a.ID))
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Groups().Members(ctx, g0.ID)
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		mkGroup(t, s, svc, "BILLING", 2) // the name is free again
	})
	agentCase(t, s, "Unknown", func(t *testing.T, svc string) {
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Delete(ctx, newID()) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		g := mkGroup(t, s, other, "Billing", 0)
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().Delete(ctx, g.ID) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, other))
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "kim")
		g := mkGroup(t, s, svc, "Billing", 0)
		m := addMember(t, s, svc, g.ID, a.ID, base)
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Groups().Delete(ctx, g.ID))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc))
		assert.Equal(t, []agent.Membership{m}, listMembers(t, s, svc, g.ID))
	})
}

func testGroupsAddMember(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "JoinOrderAndSeq_AGT6", func(t *testing.T, svc string) {
		a1, a2 := mkAgent(t, s, svc, "a1"), mkAgent(t, s, svc, "a2")
		g1, g2 := mkGroup(t, s, svc, "One", 0), mkGroup(t, s, svc, "Two", 1)
		var joins []agent.Membership
		tx(t, s, svc, func(r helpdesk.Repos) error {
			for i, p := range []struct{ g, a string }{{g1.ID, a2.ID}, {g2.ID, a1.ID}, {g1.ID, a1.ID}} {
				m, err := r.Groups().AddMember(ctx, p.g, p.a, agentAt(i))
				require.NoError(t, err)
				assert.Equal(t, agent.Membership{GroupID: p.g, AgentID: p.a, Seq: m.Seq, JoinedAt: agentAt(i)}, m)
				if len(joins) > 0 {
					assert.Greater(t, m.Seq, joins[len(joins)-1].Seq, "Seq increases across the service")
				}
				joins = append(joins, m)
			}
			return nil
		})
		assert.Equal(t, []agent.Membership{joins[0], joins[2]}, listMembers(t, s, svc, g1.ID))
		assert.Equal(t, []agent.Membership{joins[1]}, listMembers(t, s, svc, g2.ID))
	})
	agentCase(t, s, "RejoinGetsANewSeq", func(t *testing.T, svc string) {
		a1, a2 := mkAgent(t, s, svc, "a1"), mkAgent(t, s, svc, "a2")
		g := mkGroup(t, s, svc, "One", 0)
		m1, m2 := addMember(t, s, svc, g.ID, a1.ID, agentAt(1)), addMember(t, s, svc, g.ID, a2.ID, agentAt(2))
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().RemoveMember(ctx, g.ID, a1.ID) })
		again := addMember(t, s, svc, g.ID, a1.ID, agentAt(3))
		assert.Greater(t, again.Seq, m2.Seq, "Seq is never reused")
		assert.Equal(t, []agent.Membership{m2, again}, listMembers(t, s, svc, g.ID))
		assert.NotEqual(t, m1.Seq, again.Seq)
	})
	agentCase(t, s, "AlreadyAMember", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "a")
		g := mkGroup(t, s, svc, "One", 0)
		m := addMember(t, s, svc, g.ID, a.ID, base)
		err := refused(s, svc, func(r helpdesk.Repos) error {
			_, err := r.Groups().AddMember(ctx, g.ID, a.ID, agentAt(1))
			return err
		})
		require.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, []agent.Membership{m}, listMembers(t, s, svc, g.ID))
	})
	agentCase(t, s, "UnknownGroupOrAgent_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a, g := mkAgent(t, s, svc, "a"), mkGroup(t, s, svc, "One", 0)
		oa, og := mkAgent(t, s, other, "oa"), mkGroup(t, s, other, "Other", 0)
		for name, p := range map[string]struct{ g, a string }{
			"unknown agent": {g.ID, newID()}, "unknown group": {newID(), a.ID},
			"another service's agent": {g.ID, oa.ID}, "another service's group": {og.ID, a.ID},
		} {
			err := refused(s, svc, func(r helpdesk.Repos) error {
				_, err := r.Groups().AddMember(ctx, p.g, p.a, base)
				return err
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
		}
		assert.Empty(t, listMembers(t, s, svc, g.ID))
		assert.Empty(t, listMembers(t, s, other, og.ID))
	})
	agentCase(t, s, "RollbackGivesTheSeqBack", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "a")
		g := mkGroup(t, s, svc, "One", 0)
		var lost int64
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			m, err := r.Groups().AddMember(ctx, g.ID, a.ID, base)
			require.NoError(t, err)
			lost = m.Seq
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, listMembers(t, s, svc, g.ID))
		assert.Equal(t, lost, addMember(t, s, svc, g.ID, a.ID, base).Seq)
	})
	agentCase(t, s, "Concurrent", func(t *testing.T, svc string) {
		const workers = 6
		agents := make([]agent.Agent, workers)
		for i := range agents {
			agents[i] = mkAgent(t, s, svc, fmt.Sprintf("w%d", i))
		}
		g1, g2 := mkGroup(t, s, svc, "One", 0), mkGroup(t, s, svc, "Two", 1)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var seqs []int64
		for i := range workers {
			wg.Go(func() {
				err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
					for _, gid := range []string{g1.ID, g2.ID} {
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
		require.Len(t, seqs, 2*workers)
		slices.Sort(seqs)
		assert.Equal(t, len(seqs), len(slices.Compact(slices.Clone(seqs))), "Seq given twice: %v", seqs)
		ms := listMembers(t, s, svc, g1.ID)
		require.Len(t, ms, workers)
		assert.True(t, slices.IsSortedFunc(ms, func(a, b agent.Membership) int { return cmp.Compare(a.Seq, b.Seq) }), "join order")
	})
}

func testGroupsRemoveMember(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "Removes", func(t *testing.T, svc string) {
		a1, a2 := mkAgent(t, s, svc, "a1"), mkAgent(t, s, svc, "a2")
		g := mkGroup(t, s, svc, "One", 0)
		addMember(t, s, svc, g.ID, a1.ID, base)
		m2 := addMember(t, s, svc, g.ID, a2.ID, base)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Groups().RemoveMember(ctx, g.ID, a1.ID) })
		assert.Equal(t, []agent.Membership{m2}, listMembers(t, s, svc, g.ID))
		assert.Empty(t, groupsOf(t, s, svc, a1.ID))
	})
	agentCase(t, s, "NotAMember", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "a")
		g := mkGroup(t, s, svc, "One", 0)
		for name, gid := range map[string]string{"not a member": g.ID, "unknown group": newID()} {
			err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().RemoveMember(ctx, gid, a.ID) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
		}
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a, g := mkAgent(t, s, other, "a"), mkGroup(t, s, other, "One", 0)
		m := addMember(t, s, other, g.ID, a.ID, base)
		err := refused(s, svc, func(r helpdesk.Repos) error { return r.Groups().RemoveMember(ctx, g.ID, a.ID) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, []agent.Membership{m}, listMembers(t, s, other, g.ID))
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "a")
		g := mkGroup(t, s, svc, "One", 0)
		m := addMember(t, s, svc, g.ID, a.ID, base)
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Groups().RemoveMember(ctx, g.ID, a.ID))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, []agent.Membership{m}, listMembers(t, s, svc, g.ID))
	})
}

func testGroupsMembers(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "EmptyGroup", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "One", 0)
		assert.Empty(t, listMembers(t, s, svc, g.ID))
	})
	agentCase(t, s, "UnknownGroup_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		og := mkGroup(t, s, other, "One", 0)
		for _, gid := range []string{newID(), og.ID} {
			err := refused(s, svc, func(r helpdesk.Repos) error {
				_, err := r.Groups().Members(ctx, gid)
				return err
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		}
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		a := mkAgent(t, s, svc, "a")
		g := mkGroup(t, s, svc, "One", 0)
		m := addMember(t, s, svc, g.ID, a.ID, base)
		got := listMembers(t, s, svc, g.ID)
		got[0].AgentID = "changed"
		assert.Equal(t, []agent.Membership{m}, listMembers(t, s, svc, g.ID))
	})
}

func testGroupsOf(t *testing.T, s helpdesk.Store) {
	agentCase(t, s, "ByGroupPosition", func(t *testing.T, svc string) {
		a, b := mkAgent(t, s, svc, "a"), mkAgent(t, s, svc, "b")
		g2, g0, g1 := mkGroup(t, s, svc, "Two", 2), mkGroup(t, s, svc, "Zero", 0), mkGroup(t, s, svc, "One", 1)
		addMember(t, s, svc, g2.ID, a.ID, base)
		addMember(t, s, svc, g0.ID, a.ID, base)
		addMember(t, s, svc, g1.ID, b.ID, base)
		assert.Equal(t, []string{g0.ID, g2.ID}, groupsOf(t, s, svc, a.ID))
		assert.Equal(t, []string{g1.ID}, groupsOf(t, s, svc, b.ID))
	})
	agentCase(t, s, "NoGroups_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		a, g := mkAgent(t, s, other, "a"), mkGroup(t, s, other, "One", 0)
		addMember(t, s, other, g.ID, a.ID, base)
		assert.Empty(t, groupsOf(t, s, svc, a.ID), "another service's memberships")
		assert.Empty(t, groupsOf(t, s, svc, newID()))
	})
}

func testGroupsAdvanceCursor(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	advance := func(t *testing.T, svc, groupID string, eligible ...int64) int64 {
		t.Helper()
		var c int64
		tx(t, s, svc, func(r helpdesk.Repos) (err error) {
			c, err = r.Groups().AdvanceCursor(ctx, groupID, eligible)
			return err
		})
		return c
	}
	agentCase(t, s, "StepsAndWraps_TRG61", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Round", 0)
		assert.Equal(t, int64(10), advance(t, svc, g.ID, 10, 20, 30), "first pick")
		assert.Equal(t, int64(20), advance(t, svc, g.ID, 10, 20, 30))
		assert.Equal(t, int64(30), advance(t, svc, g.ID, 10, 20, 30))
		assert.Equal(t, int64(10), advance(t, svc, g.ID, 10, 20, 30), "wraps")
		assert.Zero(t, advance(t, svc, g.ID), "nobody eligible: no step")
		assert.Equal(t, int64(30), advance(t, svc, g.ID, 30), "the cursor stayed at 10")
		assert.Equal(t, []agent.Group{g}, listGroups(t, s, svc), "the cursor is not part of the group")
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Round", 0)
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			c, err := r.Groups().AdvanceCursor(ctx, g.ID, []int64{10, 20, 30})
			require.NoError(t, err)
			require.Equal(t, int64(10), c)
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, int64(10), advance(t, svc, g.ID, 10, 20, 30), "a failed transaction rolls the cursor back")
	})
	agentCase(t, s, "UnknownGroup_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		og := mkGroup(t, s, other, "Round", 0)
		for _, gid := range []string{newID(), og.ID} {
			for _, eligible := range [][]int64{{1}, nil} {
				err := refused(s, svc, func(r helpdesk.Repos) error {
					_, err := r.Groups().AdvanceCursor(ctx, gid, eligible)
					return err
				})
				assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			}
		}
		assert.Equal(t, int64(1), advance(t, other, og.ID, 1, 2), "the other service's cursor did not move")
	})
	agentCase(t, s, "ConcurrentStepsOnce", func(t *testing.T, svc string) {
		g := mkGroup(t, s, svc, "Round", 0)
		const workers, each = 6, 10
		var mu sync.Mutex
		counts := map[int64]int{}
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					var c int64
					err := s.Tx(ctx, svc, func(r helpdesk.Repos) (err error) {
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
	})
}

func listLogins(t *testing.T, s helpdesk.Store, service string, f agent.LoginFilter) agent.LoginPage {
	t.Helper()
	q, err := f.Query()
	require.NoError(t, err)
	return mustRead(t, s, service, func(r helpdesk.Repos) (agent.LoginPage, error) { return r.Logins().List(context.Background(), q) })
}

func testLoginsAdd(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "RoundTrip", func(t *testing.T, svc string) {
		e := agent.LoginEvent{ID: newID(), AgentID: newID(), Kind: agent.Logout, At: agentAt(1), Address: "10.0.0.1", UserAgent: "Mozilla/5.0"}
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Logins().Add(ctx, e) })
		assert.Equal(t, []agent.LoginEvent{e}, listLogins(t, s, svc, agent.LoginFilter{}).Events)
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := refused(s, newID(), func(r helpdesk.Repos) error {
			return r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: newID(), Kind: agent.Login, At: base})
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: newID(), Kind: agent.Login, At: base}))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, listLogins(t, s, svc, agent.LoginFilter{}).Events)
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		e := agent.LoginEvent{ID: newID(), AgentID: newID(), Kind: agent.Login, At: base, Address: "10.0.0.1"}
		in := e
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Logins().Add(ctx, in) })
		in.Address = "changed"
		got := listLogins(t, s, svc, agent.LoginFilter{})
		got.Events[0].Address = "changed"
		assert.Equal(t, []agent.LoginEvent{e}, listLogins(t, s, svc, agent.LoginFilter{}).Events)
	})
}

func testLoginsList(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	agentCase(t, s, "PagesNewestFirst_AGT7", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
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
		tx(t, s, svc, func(r helpdesk.Repos) error {
			for i := range n { // stored out of order
				if err := r.Logins().Add(ctx, events[i*7%n]); err != nil {
					return err
				}
			}
			return nil
		})
		tx(t, s, other, func(r helpdesk.Repos) error {
			return r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: agents[0], Kind: agent.Login, At: at(10)})
		})

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
				p := listLogins(t, s, svc, f)
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
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		tx(t, s, other, func(r helpdesk.Repos) error {
			return r.Logins().Add(ctx, agent.LoginEvent{ID: newID(), AgentID: newID(), Kind: agent.Login, At: base})
		})
		p := listLogins(t, s, svc, agent.LoginFilter{})
		assert.Empty(t, p.Events)
		assert.Empty(t, p.Next)
	})
}

func getMenu(t *testing.T, s helpdesk.Store, service string, m agent.Menu) agent.MenuAccess {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (agent.MenuAccess, error) { return r.Menus().Get(context.Background(), m) })
}

func testMenusGet(t *testing.T, s helpdesk.Store) {
	agentCase(t, s, "NeverSetAllowsEverybody_AGT8", func(t *testing.T, svc string) {
		for _, m := range agent.Menus {
			assert.Equal(t, agent.MenuAccess{Menu: m}, getMenu(t, s, svc, m))
		}
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		limited := agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{newID(), newID()}}
		tx(t, s, svc, func(r helpdesk.Repos) error {
			return r.Menus().Put(context.Background(), agent.MenuAccess{Menu: limited.Menu, Partial: true, Restricted: slices.Clone(limited.Restricted)})
		})
		got := getMenu(t, s, svc, agent.MenuTickets)
		got.Restricted[0] = "changed"
		assert.Equal(t, limited, getMenu(t, s, svc, agent.MenuTickets))
	})
}

func testMenusPut(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	put := func(t *testing.T, svc string, a agent.MenuAccess) {
		t.Helper()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Menus().Put(ctx, a) })
	}
	agentCase(t, s, "Replaces_AGT8", func(t *testing.T, svc string) {
		x, y := newID(), newID()
		put(t, svc, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{x, y}})
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{x, y}}, getMenu(t, s, svc, agent.MenuTickets))
		put(t, svc, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{y}})
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{y}}, getMenu(t, s, svc, agent.MenuTickets))
		put(t, svc, agent.MenuAccess{Menu: agent.MenuTickets})
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets}, getMenu(t, s, svc, agent.MenuTickets))
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat}, getMenu(t, s, svc, agent.MenuChat), "other menus untouched")
	})
	agentCase(t, s, "EmptyRestrictedReadsNil", func(t *testing.T, svc string) {
		put(t, svc, agent.MenuAccess{Menu: agent.MenuChat, Partial: true, Restricted: []string{}})
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat, Partial: true}, getMenu(t, s, svc, agent.MenuChat))
	})
	agentCase(t, s, "OtherService_SVC1", func(t *testing.T, svc string) {
		other := newID()
		mkService(t, s, other)
		put(t, svc, agent.MenuAccess{Menu: agent.MenuChat, Partial: true, Restricted: []string{newID()}})
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat}, getMenu(t, s, other, agent.MenuChat))
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := refused(s, newID(), func(r helpdesk.Repos) error { return r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuChat}) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	agentCase(t, s, "Rollback", func(t *testing.T, svc string) {
		put(t, svc, agent.MenuAccess{Menu: agent.MenuChat, Partial: true})
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			require.NoError(t, r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuStatistics, Partial: true, Restricted: []string{newID()}}))
			require.NoError(t, r.Menus().Put(ctx, agent.MenuAccess{Menu: agent.MenuChat}))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuStatistics}, getMenu(t, s, svc, agent.MenuStatistics), "no new access")
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuChat, Partial: true}, getMenu(t, s, svc, agent.MenuChat), "no replaced access")
	})
	agentCase(t, s, "NoAliasing", func(t *testing.T, svc string) {
		x := newID()
		in := agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{x}}
		put(t, svc, in)
		in.Restricted[0] = "changed"
		assert.Equal(t, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{x}}, getMenu(t, s, svc, agent.MenuTickets))
	})
}
