package browser_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/browser"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// TestDesk_NTF4_TRG6_TriggerReachesTheAssigneesBrowser runs the whole way:
// a trigger assigns a new ticket round robin and notifies the assignee in
// the browser; the desk's Dispatcher, with the Hub as its browser
// notifier, delivers the outbox message; the agent's open stream (an SSE
// client of an httptest server serving the Hub) receives it with the
// rendered subject and text and the link Config.TicketLink gives. Another
// agent's stream gets nothing.
func TestDesk_NTF4_TRG6_TriggerReachesTheAssigneesBrowser(t *testing.T) {
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: memory.New(),
		TicketLink: func(serviceID, ticketID string) string {
			return "https://desk.example/" + serviceID + "/tickets/" + ticketID
		}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = desk.Close() })
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	adm, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@acme.example", Role: agent.RoleAdmin})
	require.NoError(t, err)
	admin := desk.Service("acme").As(helpdesk.AgentID(adm.ID))
	g, err := admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Tier 1"})
	require.NoError(t, err)
	kim, err := admin.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}, Toggles: &agent.Toggles{TicketAssignment: true}, GroupIDs: []string{g.ID}})
	require.NoError(t, err)
	_, err = admin.Triggers().Create(ctx, trigger.New{Name: "assign and tell",
		All: []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRoundRobin, GroupID: g.ID},
			{Kind: trigger.NotifyBrowser, Recipient: trigger.RecipientAssignee,
				Subject: i18n.Text{"ko": "새 티켓 #{ticketId}: #{title}"}, Body: i18n.Text{"ko": "#{agentName}님에게 배정되었습니다"}},
		}})
	require.NoError(t, err)

	hub, srv := newServer(t, browser.Options{})
	c := connect(t, srv, kim.ID, "")
	other := connect(t, srv, adm.ID, "")

	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@customer.example"},
		Title: "Invoice missing", Content: "Where is it?", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	require.Equal(t, kim.ID, tk.AssigneeID)

	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Browser: hub}})
	require.NoError(t, err)
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Sent)
	assert.Zero(t, st.Failed)

	ev := c.next(t)
	require.Equal(t, "notification", ev.Event, "%v", ev.Lines)
	var data struct {
		ID, Subject, Text, Link string
	}
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &data))
	assert.Equal(t, ev.ID, data.ID)
	assert.Equal(t, "새 티켓 1: Invoice missing", data.Subject)
	assert.Equal(t, "Kim님에게 배정되었습니다", data.Text)
	assert.Equal(t, "https://desk.example/acme/tickets/"+tk.ID, data.Link)
	assert.Empty(t, hub.Unread("acme", kim.ID), "delivered, not kept")
	// The other agent's first notification is one pushed after the
	// delivery: the trigger's never reached that stream.
	push(t, hub, msg(1, adm.ID))
	assert.Equal(t, []string{id(1)}, other.nextIDs(t, 1))
}
