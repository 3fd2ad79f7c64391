package helpdesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
)

// nobodyGroup creates a group by strategy whose members can none be given
// tickets: one with ticket assignment off, one inactive, one without the
// ticket permission. It returns the group and the members in join order.
func nobodyGroup(t *testing.T, f *fixture, name string, strategy agent.Strategy) (agent.Group, []string) {
	t.Helper()
	ctx := context.Background()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: name, Strategy: strategy})
	require.NoError(t, err)
	mk := func(n agent.New) string {
		n.Email, n.GroupIDs = strings.ToLower(name+"."+n.Name)+"@acme.example", []string{g.ID}
		a, err := f.admin.Agents().Create(ctx, n)
		require.NoError(t, err)
		return a.ID
	}
	off := mk(agent.New{Name: "Off", Toggles: &agent.Toggles{}})
	gone := mk(agent.New{Name: "Gone"})
	a, err := f.admin.Agents().Get(ctx, gone)
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, gone, agent.Update{Version: a.Version, Active: ptr(false)})
	require.NoError(t, err)
	bare := mk(agent.New{Name: "Bare", Permissions: &agent.Permissions{}})
	return g, []string{off, gone, bare}
}

// assignmentRows returns the ticket's FieldAssignment rows.
func (f *fixture) assignmentRows(t *testing.T, id string) []ticket.Change {
	t.Helper()
	h, err := f.admin.Tickets().History(context.Background(), id)
	require.NoError(t, err)
	var out []ticket.Change
	for _, c := range h {
		if c.Field == ticket.FieldAssignment {
			out = append(out, c)
		}
	}
	return out
}

func onContent(word string, actions ...trigger.Action) trigger.New {
	return trigger.New{Name: word, All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"},
		{Target: "content", Op: trigger.Contains, Value: word}}, Actions: actions}
}

func ticketSaying(t *testing.T, f *fixture, content string) ticket.Ticket {
	t.Helper()
	n := newTicket()
	n.Content = content
	tk, err := f.sys.Tickets().Create(context.Background(), n)
	require.NoError(t, err)
	return tk
}

// A trigger assignment that finds nobody eligible leaves the ticket in the
// group unassigned (TRG-6.1) and the system says why in the history: each
// member's reason, no members, the fixed agent's reason.
func TestAssignment_TRG61_NobodyEligibleIsRecorded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g, ids := nobodyGroup(t, f, "Night", agent.StrategyNone)
	empty, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Empty"})
	require.NoError(t, err)
	f.mkTrigger(t, onContent("night", trigger.Action{Kind: trigger.AssignRoundRobin, GroupID: g.ID},
		trigger.Action{Kind: trigger.Notify, Recipient: trigger.RecipientAssignee, Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"ko": "b"}}))
	f.mkTrigger(t, onContent("empty", trigger.Action{Kind: trigger.AssignRandom, GroupID: empty.ID}))
	f.mkTrigger(t, onContent("fixed", trigger.Action{Kind: trigger.AssignFixed, GroupID: g.ID, AgentID: ids[0]}))
	f.mkTrigger(t, onContent("stranger", trigger.Action{Kind: trigger.AssignFixed, GroupID: g.ID, AgentID: f.agentID}))

	tk := ticketSaying(t, f, "night shift")
	assert.Equal(t, g.ID, tk.GroupID, "the ticket goes to the group")
	assert.Empty(t, tk.AssigneeID)
	assert.Equal(t, ticket.StatusNew, tk.Status)
	h, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	i := -1
	for j, c := range h {
		if c.Field == ticket.FieldAssignment {
			i = j
		}
	}
	require.GreaterOrEqual(t, i, 0, "a row says why nobody was assigned")
	row := h[i]
	assert.Equal(t, ticket.ActorSystem, row.ActorKind)
	assert.Empty(t, row.ActorID)
	assert.Equal(t, ticket.EventCreated, row.Event)
	assert.Equal(t, g.ID, row.From)
	assert.Equal(t, fmt.Sprintf(`no member of group "Night" can be assigned: agent %q has ticket assignment off (AGT-5); `+
		`agent %q is inactive; agent %q has no ticket permission`, ids[0], ids[1], ids[2]), row.To)
	assert.Equal(t, ticket.FieldTrigger, h[i-1].Field, "right after the firing")
	assert.Equal(t, ticket.FieldTriggerAction, h[i+1].Field, "then the notice to the assignee is skipped")
	assert.Contains(t, h[i+1].To, "no assignee")

	rows := f.assignmentRows(t, ticketSaying(t, f, "empty queue").ID)
	require.Len(t, rows, 1)
	assert.Equal(t, empty.ID, rows[0].From)
	assert.Equal(t, `group "Empty" has no members`, rows[0].To)

	rows = f.assignmentRows(t, ticketSaying(t, f, "fixed agent").ID)
	require.Len(t, rows, 1)
	assert.Equal(t, fmt.Sprintf(`agent %q of group "Night" has ticket assignment off (AGT-5)`, ids[0]), rows[0].To)

	rows = f.assignmentRows(t, ticketSaying(t, f, "stranger").ID)
	require.Len(t, rows, 1)
	assert.Equal(t, fmt.Sprintf(`agent %q is not a member of group "Night"`, f.agentID), rows[0].To)

	assert.Empty(t, f.assignmentRows(t, f.ticket(t).ID), "no assignment tried, no row")
}

// A long list of members is cut after five.
func TestAssignment_TRG61_ReasonNamesFiveMembers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Big"})
	require.NoError(t, err)
	for i := range 7 {
		_, err := f.admin.Agents().Create(ctx, agent.New{Name: "m", Email: fmt.Sprintf("m%d@acme.example", i),
			Toggles: &agent.Toggles{}, GroupIDs: []string{g.ID}})
		require.NoError(t, err)
	}
	f.mkTrigger(t, onContent("big", trigger.Action{Kind: trigger.AssignRandom, GroupID: g.ID}))
	rows := f.assignmentRows(t, ticketSaying(t, f, "big").ID)
	require.Len(t, rows, 1)
	assert.Regexp(t, `^no member of group "Big" can be assigned: (agent "[^"]+" has ticket assignment off \(AGT-5\); ){5}and 2 more$`, rows[0].To)
}

// Forwarding to a group whose strategy finds nobody sends the ticket to the
// group unassigned; the row saying why is the system's, not the
// forwarding agent's, and is written even when the ticket was already
// there (TKT-7, TRG-6.1). A group without a strategy picks nobody by
// design and says nothing.
func TestForward_TKT7_NobodyEligibleIsRecorded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g, ids := nobodyGroup(t, f, "Night", agent.StrategyRoundRobin)
	n := newTicket()
	n.AssigneeID = f.agentID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)

	got, err := f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: g.ID})
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.GroupID)
	assert.Empty(t, got.AssigneeID)
	rows := f.assignmentRows(t, tk.ID)
	require.Len(t, rows, 1)
	assert.Equal(t, ticket.ActorSystem, rows[0].ActorKind)
	assert.Empty(t, rows[0].ActorID)
	assert.Equal(t, g.ID, rows[0].From)
	assert.Contains(t, rows[0].To, fmt.Sprintf("agent %q is inactive", ids[1]))
	h, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var byAdmin []string
	for _, c := range h {
		if c.ActorID == f.adminID {
			byAdmin = append(byAdmin, c.Field)
		}
	}
	assert.ElementsMatch(t, []string{"assignee_id", "group_id"}, byAdmin)

	again, err := f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: g.ID})
	require.NoError(t, err)
	assert.Equal(t, got.Version, again.Version, "nothing changed")
	assert.Len(t, f.assignmentRows(t, tk.ID), 2, "still said why")

	plain, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Plain"})
	require.NoError(t, err)
	_, err = f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: plain.ID})
	require.NoError(t, err)
	assert.Len(t, f.assignmentRows(t, tk.ID), 2, "strategy none: waiting in the group is the point")

	id, err := f.admin.Groups().NextAssignee(ctx, g.ID)
	require.NoError(t, err)
	assert.Empty(t, id)
}

// A dry run warns on an assign action whose group has no eligible member
// (TRG-8, TRG-6.1); one whose group is gone is an error a run would record
// and skip, leaving the ticket as it was; a pick has no warning.
func TestTriggers_TRG8_DryRunWarnsWhenNobodyIsEligible(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	g, ids := nobodyGroup(t, f, "Night", agent.StrategyNone)
	gone, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Gone"})
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "assign", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: g.ID}, {Kind: trigger.AssignRandom, GroupID: gone.ID},
			{Kind: trigger.AddTags, Tags: []string{"x"}}}})
	require.NoError(t, f.admin.Groups().Delete(ctx, gone.ID))
	tk := f.ticket(t)

	rep, err := f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	require.True(t, rep.Triggers[0].Fired)
	acts := rep.Triggers[0].Actions
	require.Len(t, acts, 3)
	assert.Contains(t, acts[0].Warning, `no member of group "Night" can be assigned`)
	assert.Contains(t, acts[0].Warning, fmt.Sprintf("agent %q has ticket assignment off (AGT-5)", ids[0]))
	assert.Contains(t, acts[1].Error, "no longer exists", "a run skips it")
	assert.Empty(t, acts[1].Warning)
	assert.Empty(t, acts[2].Warning)
	assert.Empty(t, rep.Ticket.AssigneeID)

	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	rep, err = f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Empty(t, rep.Triggers[0].Actions[0].Warning, "someone is picked")
	assert.Equal(t, f.agentID, rep.Ticket.AssigneeID)
}
