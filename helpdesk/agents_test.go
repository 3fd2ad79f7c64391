package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func TestAgents_AGT1_DirectoryAndInvite(t *testing.T) {
	ctx := context.Background()
	dir := agent.NewMemoryDirectory(agent.Member{Account: "minji", Name: "Kim Minji", Email: "minji@acme.example"},
		agent.Member{Account: "admin@acme.example", Name: "Admin", Email: "admin@acme.example"},
		agent.Member{Account: "agent@acme.example", Name: "Agent", Email: "agent@acme.example"},
		agent.Member{Account: "f@other.example", Name: "Foreign", Email: "f@other.example"})
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.Directory = dir })

	_, err := f.admin.Agents().Create(ctx, agent.New{Account: "jun", Role: agent.RoleAgent})
	assert.Equal(t, []string{"account"}, problems(t, err), "not a member: invite first")

	require.NoError(t, f.admin.Agents().Invite(ctx, "jun@acme.example", "Lee Jun"))
	assert.Equal(t, []agent.Member{{Account: "jun@acme.example", Name: "Lee Jun", Email: "jun@acme.example"}}, dir.Invited())
	assert.ErrorIs(t, f.agent.Agents().Invite(ctx, "x@acme.example", "X"), helpdesk.ErrForbidden)

	a, err := f.admin.Agents().Create(ctx, agent.New{Account: "minji", Name: "ignored", Email: "ignored@x.example", Role: agent.RoleAgent})
	require.NoError(t, err)
	assert.Equal(t, "Kim Minji", a.Name, "identity comes from the directory")
	assert.Equal(t, "minji@acme.example", a.Email)
	_, err = f.admin.Agents().Create(ctx, agent.New{Account: "minji", Role: agent.RoleAgent})
	assert.ErrorIs(t, err, helpdesk.ErrConflict)

	noDir := newFixture(t)
	assert.Equal(t, []string{"directory"}, problems(t, noDir.admin.Agents().Invite(ctx, "x@acme.example", "X")))
}

func TestAgents_AGT2_SVC4_UncontractedChannelsRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // ticket only
	_, err := f.admin.Agents().Create(ctx, agent.New{Name: "P", Email: "p@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true, Chat: true, Phone: true}, CTIID: "cti-1", Extension: "301", GroupIDs: []string{"nope"}})
	assert.ElementsMatch(t, []string{"permissions.chat", "permissions.phone", "cti_id", "extension", "group_ids"}, problems(t, err))
	l, err := f.admin.Agents().List(ctx)
	require.NoError(t, err)
	assert.Len(t, l, 2, "nothing written")

	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Channels.Phone = true
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Phones"})
	require.NoError(t, err)
	a, err := f.admin.Agents().Create(ctx, agent.New{Name: "P", Email: "p@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Phone: true}, CTIID: "cti-1", Extension: "301", GroupIDs: []string{g.ID}})
	require.NoError(t, err)
	assert.Equal(t, "cti-1", a.CTIID)
	gs, err := f.admin.Groups().OfAgent(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{g.ID}, gs)

	up, err := f.admin.Agents().Update(ctx, a.ID, agent.Update{Version: a.Version, Permissions: &agent.Permissions{Chat: true}})
	assert.Equal(t, []string{"permissions.chat"}, problems(t, err))
	up, err = f.admin.Agents().Update(ctx, a.ID, agent.Update{Version: a.Version, Role: ptr(agent.RoleAdmin)})
	require.NoError(t, err)
	assert.Equal(t, agent.RoleAdmin, up.Role)
	_, err = f.admin.Agents().Update(ctx, a.ID, agent.Update{Version: a.Version, Role: ptr(agent.RoleAgent)})
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
}

// An agent created with nothing but a name and an email can read, work and
// forward tickets and is given tickets; an admin holds everything; the
// defaults keep only the contracted channels (AGT-2, AGT-3, AGT-5, SVC-4).
// A caller says no by giving the values explicitly.
func TestAgents_AGT2_AGT5_Defaults(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // ticket only
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "New hires", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	a, err := f.admin.Agents().Create(ctx, agent.New{Name: "New", Email: "new@acme.example", GroupIDs: []string{g.ID}})
	require.NoError(t, err)
	assert.Equal(t, agent.RoleAgent, a.Role, "no role: an ordinary agent")
	assert.Equal(t, agent.Permissions{Ticket: true, Forward: true}, a.Permissions, "chat and phone are not contracted")
	assert.Equal(t, agent.Toggles{TicketAssignment: true, ChatAssignment: true}, a.Toggles)

	tk := f.ticket(t)
	asNew := f.acme.As(helpdesk.AgentID(a.ID))
	_, err = asNew.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err, "reads tickets")
	_, err = asNew.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "On it"})
	require.NoError(t, err, "works tickets")
	got, err := asNew.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: g.ID})
	require.NoError(t, err, "forwards tickets")
	assert.Equal(t, a.ID, got.AssigneeID, "and is given tickets by the group's strategy")

	adm, err := f.admin.Agents().Create(ctx, agent.New{Name: "Boss", Email: "boss@acme.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	assert.Equal(t, agent.Permissions{Ticket: true, Forward: true, ViewLogs: true, Export: true}, adm.Permissions)
	assert.Equal(t, agent.Toggles{TicketAssignment: true, ChatAssignment: true, AssignmentControl: true}, adm.Toggles)

	// Saying no: explicit values are taken as given.
	none, err := f.admin.Agents().Create(ctx, agent.New{Name: "None", Email: "none@acme.example",
		Permissions: &agent.Permissions{}, Toggles: &agent.Toggles{}})
	require.NoError(t, err)
	assert.Equal(t, agent.Permissions{}, none.Permissions)
	assert.Equal(t, agent.Toggles{}, none.Toggles)
	_, err = f.acme.As(helpdesk.AgentID(none.ID)).Tickets().Get(ctx, tk.ID)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	_, err = f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: none.ID})
	assert.Equal(t, []string{"agent_id"}, problems(t, err), "never assigned")

	// Every contracted channel is a default; an explicit one still needs
	// its contract.
	full := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) {
		s.Channels = helpdesk.Channels{Ticket: true, Chat: true, Phone: true}
	})
	b, err := full.admin.Agents().Create(ctx, agent.New{Name: "All", Email: "all@acme.example"})
	require.NoError(t, err)
	assert.Equal(t, agent.DefaultPermissions(agent.RoleAgent), b.Permissions)
	_, err = f.admin.Agents().Create(ctx, agent.New{Name: "Chat", Email: "chat@acme.example", Permissions: &agent.Permissions{Chat: true}})
	assert.Equal(t, []string{"permissions.chat"}, problems(t, err))
}

func TestAgents_AGT5_Toggles(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	self := f.agent
	_, err := self.Agents().SetToggles(ctx, f.agentID, agent.Toggles{})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "no assignment control")

	_, err = f.admin.Agents().SetToggles(ctx, f.agentID, agent.Toggles{TicketAssignment: true, AssignmentControl: true})
	require.NoError(t, err)
	a, err := self.Agents().SetToggles(ctx, f.agentID, agent.Toggles{TicketAssignment: false, ChatAssignment: true, AssignmentControl: true})
	require.NoError(t, err)
	assert.Equal(t, agent.Toggles{ChatAssignment: true, AssignmentControl: true}, a.Toggles)
	_, err = self.Agents().SetToggles(ctx, f.agentID, agent.Toggles{})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "control itself is the admin's")
	_, err = self.Agents().SetToggles(ctx, f.adminID, agent.Toggles{})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "not someone else's")

	// assignment off: refused at creation and by forwarding (AGT-5, TKT-7)
	n := newTicket()
	n.AssigneeID = f.agentID
	_, err = f.admin.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"assignee_id"}, problems(t, err))
	tk := f.ticket(t)
	_, err = f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: f.agentID})
	assert.Equal(t, []string{"agent_id"}, problems(t, err))
}

func TestGroups_AGT6_CRUDAndOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var ids []string
	for _, n := range []string{"Billing", "Tech", "VIP"} {
		g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: n})
		require.NoError(t, err)
		ids = append(ids, g.ID)
	}
	_, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "billing"})
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	_, err = f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: " ", Strategy: "lottery", FixedAgentID: "x"})
	assert.ElementsMatch(t, []string{"name", "strategy", "fixed_agent_id"}, problems(t, err))
	_, err = f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Fixed", Strategy: agent.StrategyFixed})
	assert.Equal(t, []string{"fixed_agent_id"}, problems(t, err))

	require.NoError(t, f.admin.Groups().Reorder(ctx, []string{ids[2], ids[0], ids[1]}))
	gs, err := f.agent.Groups().List(ctx)
	require.NoError(t, err)
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
	}
	assert.Equal(t, []string{"VIP", "Billing", "Tech"}, names)
	assert.ErrorIs(t, f.admin.Groups().Reorder(ctx, ids[:2]), helpdesk.ErrInvalid)

	_, err = f.admin.Groups().AddMember(ctx, ids[0], f.agentID)
	require.NoError(t, err)
	_, err = f.admin.Groups().AddMember(ctx, ids[0], f.agentID)
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	g, err := f.admin.Groups().Update(ctx, ids[0], helpdesk.NewGroup{Name: "Payments", Strategy: agent.StrategyFixed, FixedAgentID: f.agentID})
	require.NoError(t, err)
	assert.Equal(t, "Payments", g.Name)
	require.NoError(t, f.admin.Groups().Delete(ctx, ids[1]))
	gs, err = f.agent.Groups().List(ctx)
	require.NoError(t, err)
	assert.Len(t, gs, 2)
	assert.ErrorIs(t, f.admin.Groups().RemoveMember(ctx, ids[2], f.agentID), helpdesk.ErrNotFound)
}

// team is a fixture with a round-robin group of n agents.
func team(t *testing.T, f *fixture, strategy agent.Strategy, n int) (agent.Group, []string) {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i := range n {
		a, err := f.sys.Agents().Create(ctx, agent.New{Name: "m", Email: "m" + string(rune('a'+i)) + "@acme.example", Role: agent.RoleAgent,
			Permissions: &agent.Permissions{Ticket: true}, Toggles: &agent.Toggles{TicketAssignment: true}})
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	spec := helpdesk.NewGroup{Name: "Team", Strategy: strategy}
	if strategy == agent.StrategyFixed {
		spec.FixedAgentID = ids[1]
	}
	g, err := f.sys.Groups().Create(ctx, spec)
	require.NoError(t, err)
	for _, id := range ids {
		_, err := f.sys.Groups().AddMember(ctx, g.ID, id)
		require.NoError(t, err)
	}
	return g, ids
}

func TestAssignment_TRG61_Strategies(t *testing.T) {
	ctx := context.Background()
	t.Run("round robin in join order, skipping assignment off, surviving restarts", func(t *testing.T) {
		store := memory.New()
		f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.Store = store })
		g, ids := team(t, f, agent.StrategyRoundRobin, 3)
		var got []string
		for range 4 {
			id, err := f.agent.Groups().NextAssignee(ctx, g.ID)
			require.NoError(t, err)
			got = append(got, id)
		}
		assert.Equal(t, []string{ids[0], ids[1], ids[2], ids[0]}, got)

		_, err := f.sys.Agents().SetToggles(ctx, ids[1], agent.Toggles{})
		require.NoError(t, err)
		// a new process on the same store continues where the last left off
		d2, err := helpdesk.New(helpdesk.Config{Store: store})
		require.NoError(t, err)
		s2 := d2.Service("acme").As(helpdesk.System)
		got = nil
		for range 3 {
			id, err := s2.Groups().NextAssignee(ctx, g.ID)
			require.NoError(t, err)
			got = append(got, id)
		}
		assert.Equal(t, []string{ids[2], ids[0], ids[2]}, got)
	})
	t.Run("random picks only eligible members", func(t *testing.T) {
		f := newFixture(t)
		g, ids := team(t, f, agent.StrategyRandom, 3)
		_, err := f.sys.Agents().SetToggles(ctx, ids[0], agent.Toggles{})
		require.NoError(t, err)
		seen := map[string]int{}
		for range 200 {
			id, err := f.sys.Groups().NextAssignee(ctx, g.ID)
			require.NoError(t, err)
			seen[id]++
		}
		assert.Zero(t, seen[ids[0]])
		assert.Positive(t, seen[ids[1]])
		assert.Positive(t, seen[ids[2]])
	})
	t.Run("fixed, and nobody eligible leaves the ticket with the group", func(t *testing.T) {
		f := newFixture(t)
		g, ids := team(t, f, agent.StrategyFixed, 2)
		tk := f.ticket(t)
		got, err := f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: g.ID})
		require.NoError(t, err)
		assert.Equal(t, ids[1], got.AssigneeID)
		assert.Equal(t, g.ID, got.GroupID)
		assert.Equal(t, ticket.StatusOpen, got.Status, "an assignment opens (TKT-2)")

		_, err = f.sys.Agents().SetToggles(ctx, ids[1], agent.Toggles{})
		require.NoError(t, err)
		tk2 := f.ticket(t)
		got, err = f.admin.Tickets().Forward(ctx, tk2.ID, helpdesk.Forward{GroupID: g.ID})
		require.NoError(t, err)
		assert.Empty(t, got.AssigneeID)
		assert.Equal(t, g.ID, got.GroupID)
		assert.Equal(t, ticket.StatusNew, got.Status)
	})
}

func TestLoginLog_AGT7(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for i := range 7 {
		who := f.agentID
		if i%2 == 1 {
			who = f.adminID
		}
		kind := agent.Login
		if i%3 == 2 {
			kind = agent.Logout
		}
		_, err := f.sys.Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: who, Kind: kind, Address: "10.0.0.1", UserAgent: "Firefox"})
		require.NoError(t, err)
	}
	p, err := f.admin.Agents().LoginLog(ctx, agent.LoginFilter{AgentID: f.agentID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, p.Events, 2)
	assert.True(t, p.Events[0].At.After(p.Events[1].At), "newest first")
	p2, err := f.admin.Agents().LoginLog(ctx, agent.LoginFilter{AgentID: f.agentID, Limit: 2, Cursor: p.Next})
	require.NoError(t, err)
	assert.Len(t, p2.Events, 2)
	assert.Empty(t, p2.Next)
	all, err := f.admin.Agents().LoginLog(ctx, agent.LoginFilter{Since: p.Events[1].At, Until: p.Events[0].At})
	require.NoError(t, err)
	assert.Len(t, all.Events, 2, "Until is exclusive")

	_, err = f.sys.Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: f.agentID, Kind: "sneeze"})
	assert.Equal(t, []string{"kind"}, problems(t, err))
	_, err = f.sys.Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: f.foreignAgentID, Kind: agent.Login})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.admin.Agents().LoginLog(ctx, agent.LoginFilter{Cursor: "!!", Since: time.Now(), Until: time.Now().Add(-time.Hour)})
	assert.ElementsMatch(t, []string{"cursor", "until"}, problems(t, err))
}

type callbacks map[string]int

func (c callbacks) PendingCallbacks(_ context.Context, _, agentID string) (int, error) {
	return c[agentID], nil
}

func TestMenuAccess_AGT8(t *testing.T) {
	ctx := context.Background()
	var cb callbacks
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) {
		cb = callbacks{}
		c.Callbacks = cb
	})
	n := newTicket()
	n.AssigneeID = f.agentID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)

	_, err = f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{f.agentID, "ghost"}})
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 2)
	assert.Contains(t, ve.Error(), f.agentID, "names the agent with unprocessed tickets")
	assert.Contains(t, ve.Error(), "ghost")
	ms, err := f.admin.Agents().MenuAccess(ctx)
	require.NoError(t, err)
	assert.False(t, ms[0].Partial, "nothing written")

	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	_, err = f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{f.agentID}})
	require.NoError(t, err, "solved tickets are processed")
	_, err = f.agent.Tickets().List(ctx, ticket.Filter{})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "restricted from ticket management")

	cb[f.adminID] = 2
	_, err = f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuCallbacks, Partial: true, Restricted: []string{f.adminID}})
	assert.ErrorContains(t, err, "2 unprocessed callbacks")
	_, err = f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: "admin"})
	assert.Equal(t, []string{"menu"}, problems(t, err))
	a, err := f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets})
	require.NoError(t, err)
	assert.Nil(t, a.Restricted, "all allowed again")
	_, err = f.agent.Tickets().List(ctx, ticket.Filter{})
	assert.NoError(t, err)
}

// Review fix: the one eligibility rule (active, assignment on, ticket
// permission, ticket menu allowed) holds for creation, forwarding and group
// strategies alike (AGT-5, AGT-8, TKT-7).
func TestAssignment_EligibilityEverywhere(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g, ids := team(t, f, agent.StrategyRoundRobin, 2)
	_, err := f.admin.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{ids[0]}})
	require.NoError(t, err)
	n := newTicket()
	n.AssigneeID = ids[0]
	_, err = f.admin.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"assignee_id"}, problems(t, err))
	tk := f.ticket(t)
	_, err = f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: ids[0]})
	assert.Equal(t, []string{"agent_id"}, problems(t, err))
	for range 3 {
		id, err := f.admin.Groups().NextAssignee(ctx, g.ID)
		require.NoError(t, err)
		assert.Equal(t, ids[1], id, "the restricted member is skipped")
	}
	exp, err := f.sys.Agents().Create(ctx, agent.New{Name: "Exporter", Email: "exp@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Export: true}, Toggles: &agent.Toggles{TicketAssignment: true}, GroupIDs: []string{g.ID}})
	require.NoError(t, err)
	for range 3 {
		id, err := f.admin.Groups().NextAssignee(ctx, g.ID)
		require.NoError(t, err)
		assert.NotEqual(t, exp.ID, id, "no ticket permission: never picked")
	}
}

// Review fix: a customer reply to a closed ticket always lands, whatever
// changed since it closed (TKT-2); old tickets stay editable after their
// language is dropped.
func TestFollowUp_SurvivesChangedSettings(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := newTicket()
	n.Language, n.AssigneeID = "en", f.agentID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.sys.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	_, err = f.sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	_, err = f.admin.Agents().SetToggles(ctx, f.agentID, agent.Toggles{})
	require.NoError(t, err)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Languages, set.DefaultLanguage = []string{"ko"}, "ko"
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)

	fu, err := f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "again"})
	require.NoError(t, err)
	assert.Empty(t, fu.AssigneeID, "the old assignee can no longer take tickets")
	assert.Equal(t, "en", fu.Language, "kept: it is the ticket's own")
	h, err := f.sys.Tickets().History(ctx, fu.ID)
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, ticket.FieldFollowUpOf, h[1].Field)
	assert.Equal(t, tk.ID, h[1].To)

	up, err := f.sys.Tickets().Update(ctx, fu.ID, ticket.Update{Version: fu.Version, Priority: ptr(ticket.PriorityHigh)})
	require.NoError(t, err, "an unchanged dropped language does not lock the ticket")
	assert.Equal(t, ticket.PriorityHigh, up.Priority)
	_, err = f.sys.Tickets().Update(ctx, fu.ID, ticket.Update{Version: up.Version, Language: ptr("ja")})
	assert.Equal(t, []string{"language"}, problems(t, err), "a changed one is checked")

	var ve *helpdesk.ValidationError
	_, err = f.sys.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "x"})
	require.ErrorAs(t, err, &ve, "closed: a typed error naming the field")
	assert.True(t, ve.Has("status"))
	got, err := f.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: 99, Title: ptr("x")})
	assert.Error(t, err)
	assert.Equal(t, ticket.Ticket{}, got, "a failed call returns no half-made ticket")
}
