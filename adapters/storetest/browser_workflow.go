package storetest

import (
	"context"
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

// testTriggerNotifyBrowser: the notify_browser action queues, with the
// ticket change, one pending Browser message per agent it names — the
// assignee a round-robin action just picked, the group's active members
// (an inactive one skipped) — its texts rendered on the stored ticket and
// its link the desk's Config.TicketLink; a ticket without an assignee gets
// none, and its history says why, as the dry run does (NTF-4, TRG-6,
// TRG-8, NTF-1).
func testTriggerNotifyBrowser(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s, func(c *helpdesk.Config) {
		c.TicketLink = func(serviceID, ticketID string) string { return "https://desk.example/" + serviceID + "/t/" + ticketID }
	})
	kim, lee := w.eligible[0], w.eligible[1]
	lee, err := w.admin.Agents().Update(ctx, lee.ID, agent.Update{Version: lee.Version, Active: twPtr(false)})
	require.NoError(t, err)
	text := func(who string) trigger.Action {
		return trigger.Action{Kind: trigger.NotifyBrowser, Recipient: who,
			Subject: i18n.Text{"ko": "#{ticketId}번 티켓: #{title}"}, Body: i18n.Text{"ko": "#{agentName} 담당"}}
	}
	tr := w.trigger(t, trigger.New{Name: "assign and tell",
		All: []trigger.Condition{onCreated, {Target: trigger.TargetContent, Op: trigger.Contains, Value: "refund"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: w.group},
			text(trigger.RecipientAssignee), text(trigger.RecipientGroup)}})
	lone := w.trigger(t, trigger.New{Name: "tell nobody",
		All:     []trigger.Condition{onCreated, {Target: trigger.TargetContent, Op: trigger.Contains, Value: "question"}},
		Actions: []trigger.Action{text(trigger.RecipientAssignee)}})

	tk := w.ticket(t, "refund please")
	require.Equal(t, kim.ID, tk.AssigneeID, "Lee is inactive, Off takes no tickets")
	type sent struct{ To, Subject, Text, Link string }
	var got []sent
	for _, m := range w.messages(t) {
		if m.Medium != notify.Browser {
			continue
		}
		assert.Equal(t, notify.Pending, m.State)
		assert.Equal(t, notify.Source{Kind: "trigger", TicketID: tk.ID, TriggerID: tr.ID}, m.Source)
		assert.NotEmpty(t, m.IdempotencyKey)
		got = append(got, sent{m.Recipient, m.Payload.Subject, m.Payload.Text, m.Payload.Link})
	}
	link := "https://desk.example/" + w.svc + "/t/" + tk.ID
	msg := func(to string) sent { return sent{to, "1번 티켓: Refund wanted", "Kim 담당", link} }
	assert.ElementsMatch(t, []sent{msg(kim.ID), msg(w.off.ID), msg(kim.ID)}, got,
		"the assignee; the active members, Off among them, Lee not")

	q := w.ticket(t, "a question")
	assert.Empty(t, q.AssigneeID)
	assert.Equal(t, []string{lone.ID}, w.fired(t, q.ID))
	assert.Equal(t, []string{lone.ID + " → action 0 (notify_browser) skipped: the ticket has no assignee"},
		rowsOf(w.history(t, q.ID), ticket.FieldTriggerAction))
	n := 0
	for _, m := range w.messages(t) {
		if m.Medium == notify.Browser {
			n++
			assert.Equal(t, tk.ID, m.Source.TicketID, "nothing for the unassigned ticket")
		}
	}
	assert.Equal(t, 3, n)

	rep, err := w.admin.Triggers().DryRun(ctx, q.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 2)
	require.True(t, rep.Triggers[1].Fired)
	assert.Equal(t, "action 0 (notify_browser): the ticket has no assignee", rep.Triggers[1].Actions[0].Error)
}
