package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// ticketLink is the test host's Config.TicketLink.
func ticketLink(serviceID, ticketID string) string {
	return "https://desk.example/" + serviceID + "/tickets/" + ticketID
}

// withTicketLink sets Config.TicketLink.
func withTicketLink(c *helpdesk.Config, _ *helpdesk.Settings) { c.TicketLink = ticketLink }

// browserMessages returns the service's browser messages sent by triggers.
func browserMessages(t *testing.T, f *fixture) []notify.Message {
	t.Helper()
	var out []notify.Message
	for _, m := range f.messages(t) {
		if m.Medium == notify.Browser && m.Source.Kind == "trigger" {
			out = append(out, m)
		}
	}
	return out
}

// skips returns the "skipped" history rows of ticket id.
func (f *fixture) skips(t *testing.T, id string) []string {
	t.Helper()
	h, err := f.admin.Tickets().History(context.Background(), id)
	require.NoError(t, err)
	var out []string
	for _, c := range h {
		if c.Field == ticket.FieldTriggerAction {
			out = append(out, c.To)
		}
	}
	return out
}

// browserAction is a notify_browser action to who.
func browserAction(who string) trigger.Action {
	return trigger.Action{Kind: trigger.NotifyBrowser, Recipient: who,
		Subject: i18n.Text{"ko": "[#{ticketId}] 배정: #{title}", "en": "[#{ticketId}] assigned: #{title}"},
		Body:    i18n.Text{"ko": "#{agentName}님, 새 티켓입니다"}}
}

// TestNotifyBrowser_TRG6_NTF4_RoundRobinAssignee: a ticket created and
// assigned round robin by a trigger whose next action notifies the
// assignee in the browser leaves exactly one pending Browser message, to
// the assignee's id, with the texts rendered on the stored ticket (its
// number) and the link Config.TicketLink gives. No mail is queued: the
// action is not mail (MAIL-9 does not count it).
func TestNotifyBrowser_TRG6_NTF4_RoundRobinAssignee(t *testing.T) {
	f := newFixture(t, withTicketLink)
	ctx := context.Background()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Tier 1"})
	require.NoError(t, err)
	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	tr := f.mkTrigger(t, trigger.New{Name: "assign and tell",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: g.ID}, browserAction(trigger.RecipientAssignee)}})
	before := len(f.messages(t))

	tk := f.ticket(t)
	require.Equal(t, f.agentID, tk.AssigneeID)
	require.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))
	all := f.messages(t)
	require.Len(t, all, before+1, "one message, no mail")
	ms := browserMessages(t, f)
	require.Len(t, ms, 1)
	m := ms[0]
	assert.Equal(t, notify.Browser, m.Medium)
	assert.Equal(t, notify.Pending, m.State)
	assert.Equal(t, f.agentID, m.Recipient, "browser recipients are agent ids")
	assert.Equal(t, notify.Source{Kind: "trigger", TicketID: tk.ID, TriggerID: tr.ID}, m.Source)
	assert.Equal(t, notify.Payload{
		Subject: "[1] 배정: Help",
		Text:    "Agent님, 새 티켓입니다",
		Link:    "https://desk.example/acme/tickets/" + tk.ID,
	}, m.Payload)
	assert.Empty(t, f.skips(t, tk.ID))
}

// TestNotifyBrowser_TRG6_NTF4_GroupMembers: to the group, one message per
// active member, in the ticket's language (English here); an inactive
// member gets none. Without Config.TicketLink the link is empty.
func TestNotifyBrowser_TRG6_NTF4_GroupMembers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Tier 2"})
	require.NoError(t, err)
	mk := func(name string) agent.Agent {
		a, err := f.admin.Agents().Create(ctx, agent.New{Name: name, Email: strings.ToLower(name) + "@acme.example", Role: agent.RoleAgent,
			Permissions: &agent.Permissions{Ticket: true}, GroupIDs: []string{g.ID}})
		require.NoError(t, err)
		return a
	}
	kim, gone := mk("Kim"), mk("Gone")
	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, gone.ID, agent.Update{Version: gone.Version, Active: ptr(false)})
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "tell the group",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{browserAction(trigger.RecipientGroup)}})

	n := newTicket()
	n.GroupID, n.Language = g.ID, "en"
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	ms := browserMessages(t, f)
	var to []string
	for _, m := range ms {
		to = append(to, m.Recipient)
		assert.Equal(t, "[1] assigned: Help", m.Payload.Subject)
		assert.Equal(t, "님, 새 티켓입니다", m.Payload.Text, "no English body: the default language's; no assignee: no name")
		assert.Empty(t, m.Payload.Link, "no Config.TicketLink")
		assert.Equal(t, tk.ID, m.Source.TicketID)
	}
	assert.ElementsMatch(t, []string{kim.ID, f.agentID}, to, "the active members only")
	keys := map[string]bool{}
	for _, m := range ms {
		keys[m.IdempotencyKey] = true
	}
	assert.Len(t, keys, 2, "one key per recipient")
}

// TestNotifyBrowser_TRG6_TRG8_NobodyToNotify: without an assignee nothing
// is queued and the history says why; a dry run reports the same reason as
// the action's Error. An inactive assignee is nobody too, and a group
// without an active member.
func TestNotifyBrowser_TRG6_TRG8_NobodyToNotify(t *testing.T) {
	f := newFixture(t, withTicketLink)
	ctx := context.Background()
	tr := f.mkTrigger(t, trigger.New{Name: "tell the assignee",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{browserAction(trigger.RecipientAssignee), {Kind: trigger.AddTags, Tags: []string{"told"}}}})

	tk := f.ticket(t)
	assert.Empty(t, tk.AssigneeID)
	assert.Equal(t, []string{"told"}, tk.Tags, "the trigger goes on")
	assert.Empty(t, browserMessages(t, f))
	assert.Equal(t, []string{"action 0 (notify_browser) skipped: the ticket has no assignee"}, f.skips(t, tk.ID))

	rep, err := f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 1)
	require.True(t, rep.Triggers[0].Fired)
	acts := rep.Triggers[0].Actions
	require.Len(t, acts, 2)
	assert.Equal(t, "action 0 (notify_browser): the ticket has no assignee", acts[0].Error)
	assert.Equal(t, "notify the assignee in the browser", acts[0].Effect)
	assert.Empty(t, acts[1].Error)

	// Assigned to an agent who is then switched off: nobody either.
	n := newTicket()
	n.AssigneeID = f.agentID
	tk, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	require.Len(t, browserMessages(t, f), 1, "an active assignee is told")
	ag, err := f.admin.Agents().Get(ctx, f.agentID)
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, f.agentID, agent.Update{Version: ag.Version, Active: ptr(false)})
	require.NoError(t, err)
	rep, err = f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Equal(t, "action 0 (notify_browser): the assignee is not active", rep.Triggers[0].Actions[0].Error)

	// A group without an active member.
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Empty"})
	require.NoError(t, err)
	require.NoError(t, f.admin.Triggers().Deactivate(ctx, tr.ID))
	f.mkTrigger(t, trigger.New{Name: "tell the group",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{browserAction(trigger.RecipientGroup)}})
	n = newTicket()
	n.GroupID = g.ID
	tk, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"action 0 (notify_browser) skipped: the group has no active member"}, f.skips(t, tk.ID))
	assert.Len(t, browserMessages(t, f), 1, "nothing more")
}

// TestNotifyBrowser_TRG5_CustomerRefused: a notify_browser action to the
// customer is refused when saved, with the other problems of the action.
func TestNotifyBrowser_TRG5_CustomerRefused(t *testing.T) {
	f := newFixture(t)
	_, err := f.admin.Triggers().Create(context.Background(), trigger.New{Name: "tell the customer",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.NotifyBrowser, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "b"}}}})
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"actions[0].recipient", "actions[0].subject"}, fields)

	sch, err := f.agent.Triggers().Schema(context.Background())
	require.NoError(t, err)
	var kinds []trigger.ActionKind
	for _, a := range sch.Actions {
		kinds = append(kinds, a.Kind)
	}
	assert.Contains(t, kinds, trigger.NotifyBrowser, "GET /trigger-schema lists it")
}

// TestNotify_TRG6_GroupWithoutActiveMember: a notify (mail) action to a
// group whose only member is switched off reaches nobody, and the history
// says why, as for notify_browser.
func TestNotify_TRG6_GroupWithoutActiveMember(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withTicketLink)
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Night shift"})
	require.NoError(t, err)
	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	ag, err := f.admin.Agents().Get(ctx, f.agentID)
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, f.agentID, agent.Update{Version: ag.Version, Active: ptr(false)})
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "mail the group",
		All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.Notify, Recipient: trigger.RecipientGroup,
			Subject: i18n.Text{"ko": "새 문의"}, Body: i18n.Text{"ko": "#{title}"}}}})
	n := newTicket()
	n.GroupID = g.ID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"action 0 (notify) skipped: the group has no active member with an email address"}, f.skips(t, tk.ID))
}
