package helpdesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// mkTrigger creates an active trigger as the admin.
func (f *fixture) mkTrigger(t *testing.T, n trigger.New) trigger.Trigger {
	t.Helper()
	tr, err := f.admin.CreateTrigger(context.Background(), n)
	require.NoError(t, err)
	return tr
}

func (f *fixture) messages(t *testing.T) []notify.Message {
	t.Helper()
	p, err := f.admin.Messages(context.Background(), notify.Filter{Limit: 500})
	require.NoError(t, err)
	return p.Messages
}

// fired returns the ids of the triggers that fired on a ticket, in order.
func (f *fixture) fired(t *testing.T, id string) []string {
	t.Helper()
	h, err := f.admin.History(context.Background(), id)
	require.NoError(t, err)
	var out []string
	for _, c := range h {
		if c.Field == ticket.FieldTrigger {
			out = append(out, c.From)
		}
	}
	return out
}

func TestTriggers_TRG3_ReplyEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	onAgent := f.mkTrigger(t, trigger.New{Name: "agent replied", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "agent_replied"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"answered"}}}})
	onCustomer := f.mkTrigger(t, trigger.New{Name: "customer replied", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "customer_replied"}},
		Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "high"}}})
	tk := f.ticket(t)
	_, err := f.agent.Reply(ctx, tk.ID, helpdesk.Reply{Body: "We are on it"})
	require.NoError(t, err)
	got, err := f.admin.Ticket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"answered"}, got.Tags)
	assert.Equal(t, ticket.PriorityNormal, got.Priority)

	_, err = f.sys.CustomerReply(ctx, tk.ID, "Thanks, but still broken")
	require.NoError(t, err)
	got, err = f.admin.Ticket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityHigh, got.Priority)
	assert.Equal(t, []string{onAgent.ID, onCustomer.ID}, f.fired(t, tk.ID))

	// An internal note is an update, not an agent reply.
	_, err = f.agent.Reply(ctx, tk.ID, helpdesk.Reply{Body: "note", Internal: true})
	require.NoError(t, err)
	assert.Equal(t, []string{onAgent.ID, onCustomer.ID}, f.fired(t, tk.ID))
}

func TestTriggers_TRG3_IsUnderCategoryAndCustomField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	refunds := f.mkCategory(t, category.Intake, billing.ID, "환불", "Refunds")
	_, err := f.admin.CreateField(ctx, field.New{Key: "order_total", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "주문 금액"}})
	require.NoError(t, err)
	tr := f.mkTrigger(t, trigger.New{Name: "big billing",
		All: []trigger.Condition{
			{Target: "intake_category", Op: trigger.IsUnder, Value: billing.ID},
			{Target: "customer_fields.order_total", Op: trigger.GreaterThan, Value: 1000},
		},
		Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "urgent"}}})

	n := newTicket()
	n.IntakeCategoryID = refunds.ID
	n.CustomerFields = ticket.Fields{"order_total": 5000}
	tk, err := f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityUrgent, tk.Priority, "refunds is under billing, 5000 > 1000")
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))

	n.CustomerFields = nil // a missing value is absent, never an error
	tk, err = f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityNormal, tk.Priority)

	sch, err := f.agent.TriggerSchema(ctx)
	require.NoError(t, err)
	target, ok := sch.Target("customer_fields.order_total")
	require.True(t, ok)
	assert.Equal(t, trigger.TypeNumber, target.Type)
	src, err := f.admin.TriggerSource(ctx, tr.ID)
	require.NoError(t, err)
	assert.Contains(t, src, "Now.IntakePath contains")
	assert.Contains(t, src, "intake_category is_under")
}

func TestTriggers_TRG6_ForwardCallbackNotifyGroup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.admin.CreateGroup(ctx, helpdesk.GroupSpec{Name: "Tier 2"})
	require.NoError(t, err)
	_, err = f.admin.AddGroupMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	tr := f.mkTrigger(t, trigger.New{Name: "escalate",
		All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}, {Target: "content", Op: trigger.Contains, Value: "lawyer"}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignFixed, GroupID: g.ID, AgentID: f.agentID},
			{Kind: trigger.Notify, Recipient: trigger.RecipientGroup, Subject: i18n.Text{"ko": "#{ticketId} 에스컬레이션"}, Body: i18n.Text{"ko": "#{title} / #{agentName}"}},
			{Kind: trigger.Callback, URL: "https://hooks.example/tickets"},
			{Kind: trigger.ForwardAndComplete, Addresses: []string{"legal@acme.example"}, Body: i18n.Text{"ko": "전달합니다"}},
		}})
	n := newTicket()
	n.Content = "My LAWYER will call"
	tk, err := f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusSolved, tk.Status, "forward and complete solves (TRG-6.3)")
	assert.Equal(t, f.agentID, tk.AssigneeID)
	assert.Equal(t, g.ID, tk.GroupID)

	byMedium := map[notify.Medium][]notify.Message{}
	for _, m := range f.messages(t) {
		if m.Source.Kind == "trigger" {
			assert.Equal(t, tr.ID, m.Source.TriggerID)
			assert.Equal(t, tk.ID, m.Source.TicketID)
			byMedium[m.Medium] = append(byMedium[m.Medium], m)
		}
	}
	require.Len(t, byMedium[notify.Email], 2, "the group member and the forward address")
	var notice, forward notify.Message
	for _, m := range byMedium[notify.Email] {
		if m.Recipient == "agent@acme.example" {
			notice = m
		} else {
			forward = m
		}
	}
	assert.Equal(t, "1 에스컬레이션", notice.Payload.Subject)
	assert.Equal(t, "Help / Agent", notice.Payload.Text)
	assert.Equal(t, "legal@acme.example", forward.Recipient)
	assert.Equal(t, "전달합니다\n\nMy LAWYER will call", forward.Payload.Text)
	require.Len(t, byMedium[notify.Callback], 1)
	var sent ticket.Ticket
	require.NoError(t, json.Unmarshal([]byte(byMedium[notify.Callback][0].Payload.JSON), &sent))
	assert.Equal(t, tk.ID, sent.ID)
	assert.Equal(t, "https://hooks.example/tickets", byMedium[notify.Callback][0].Recipient)
}

func TestTriggers_TRG6_SkippedActionIsRecorded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tr := f.mkTrigger(t, trigger.New{Name: "text the customer", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "접수: #{ticketId}"}},
			{Kind: trigger.SetStatus, Value: "closed"}}})
	tk := f.ticket(t) // no phone; new → closed is not a TKT-2 move
	assert.Equal(t, ticket.StatusNew, tk.Status)
	h, err := f.admin.History(ctx, tk.ID)
	require.NoError(t, err)
	var skipped []string
	for _, c := range h {
		if c.Field == ticket.FieldTriggerAction {
			assert.Equal(t, tr.ID, c.From)
			skipped = append(skipped, c.To)
		}
	}
	require.Len(t, skipped, 2)
	assert.Contains(t, skipped[0], "no phone number")
	assert.Contains(t, skipped[1], "set_status")
	for _, m := range f.messages(t) {
		assert.NotEqual(t, "trigger", m.Source.Kind)
	}
}

func TestTriggers_TRG8_DryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mkTrigger(t, trigger.New{Name: "vip", All: []trigger.Condition{{Target: "priority", Op: trigger.ChangedTo, Value: "urgent"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"vip"}}, {Kind: trigger.Notify, Recipient: trigger.RecipientCustomer,
			Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"ko": "b"}}}})
	tk := f.ticket(t)
	before := f.messages(t)
	hist, err := f.admin.History(ctx, tk.ID)
	require.NoError(t, err)

	rep, err := f.admin.DryRun(ctx, tk.ID, ticket.EventUpdated, &ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 1)
	assert.True(t, rep.Triggers[0].Fired)
	assert.True(t, rep.Triggers[0].Conditions[0].Held)
	assert.Equal(t, "urgent", rep.Triggers[0].Conditions[0].Value)
	assert.Equal(t, "normal", rep.Triggers[0].Conditions[0].Before)
	assert.Len(t, rep.Triggers[0].Actions, 2)
	assert.Equal(t, []string{"vip"}, rep.Ticket.Tags)

	rep, err = f.admin.DryRun(ctx, tk.ID, ticket.EventUpdated, nil)
	require.NoError(t, err)
	assert.False(t, rep.Triggers[0].Fired, "nothing changed")

	got, err := f.admin.Ticket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, tk, got)
	hist2, err := f.admin.History(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, hist, hist2)
	assert.Equal(t, before, f.messages(t))

	_, err = f.agent.DryRun(ctx, tk.ID, ticket.EventUpdated, nil)
	assert.True(t, errors.Is(err, helpdesk.ErrForbidden))
}

// With ServiceCacheTTL the desk trusts its compiled set for the TTL, but
// its own trigger writes are seen at the next event.
func TestTriggers_CacheTTL_OwnWritesSeenAtOnce(t *testing.T) {
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.ServiceCacheTTL = time.Hour })
	ctx := context.Background()
	assert.Empty(t, f.fired(t, f.ticket(t).ID))
	tr := f.mkTrigger(t, trigger.New{Name: "tag", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"seen"}}}})
	assert.Equal(t, []string{tr.ID}, f.fired(t, f.ticket(t).ID))
	require.NoError(t, f.admin.DeactivateTrigger(ctx, tr.ID))
	assert.Empty(t, f.fired(t, f.ticket(t).ID))
}

// A note that renders empty is skipped and says so; no history row points
// at a comment that was never written.
func TestTriggers_TRG6_EmptyNoteSkipped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mkTrigger(t, trigger.New{Name: "who", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.Note, Body: i18n.Text{"ko": "#{agentName}"}}}})
	tk := f.ticket(t) // unassigned: #{agentName} is empty
	cs, err := f.admin.Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Empty(t, cs)
	h, err := f.admin.History(ctx, tk.ID)
	require.NoError(t, err)
	var fields []string
	for _, c := range h {
		fields = append(fields, c.Field)
	}
	assert.Equal(t, []string{ticket.FieldTicket, ticket.FieldTrigger, ticket.FieldTriggerAction}, fields)
}

// Two desks sharing a service keep their own pass bounds (TRG-7).
func TestTriggers_TRG7_PassBoundPerDesk(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for k := 4; k >= 1; k-- { // a chain that needs a pass per link
		f.mkTrigger(t, trigger.New{Name: "chain", All: []trigger.Condition{{Target: "tags", Op: trigger.Contains, Value: fmt.Sprint("t", k-1)}},
			Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{fmt.Sprint("t", k)}}}})
	}
	n := newTicket()
	n.Tags = []string{"t0"}
	tk, err := f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"t0", "t1", "t2", "t3", "t4"}, tk.Tags)

	d2, err := helpdesk.New(helpdesk.Config{Store: f.store, TriggerPasses: 2})
	require.NoError(t, err)
	tk, err = d2.Service("acme").As(helpdesk.System).CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"t0", "t1", "t2"}, tk.Tags)
}

func TestTriggers_TRG8_DryRunWithoutTriggersShowsTheChange(t *testing.T) {
	f := newFixture(t)
	tk := f.ticket(t)
	rep, err := f.admin.DryRun(context.Background(), tk.ID, ticket.EventUpdated, &ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityUrgent, rep.Ticket.Priority)
	assert.NotNil(t, rep.Triggers)
	assert.Empty(t, rep.Triggers)
}

// Closed is final (TKT-2): a trigger on the close changes nothing, its
// messages still go; a long hook URL keeps a short idempotency key.
func TestTriggers_TKT2_ClosedTicketKeepsItsState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hook := "https://hooks.example/" + strings.Repeat("x", 1500)
	tr := f.mkTrigger(t, trigger.New{Name: "on close", All: []trigger.Condition{{Target: "status", Op: trigger.ChangedTo, Value: "closed"}},
		Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "urgent"}, {Kind: trigger.Note, Body: i18n.Text{"ko": "closed"}},
			{Kind: trigger.Callback, URL: hook}}})
	tk := f.ticket(t)
	_, err := f.admin.ChangeStatus(ctx, tk.ID, ticket.StatusSolved)
	require.NoError(t, err)
	closed, err := f.admin.ChangeStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityNormal, closed.Priority)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))
	cs, err := f.admin.Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Empty(t, cs)
	var hooks []notify.Message
	for _, m := range f.messages(t) {
		if m.Medium == notify.Callback {
			hooks = append(hooks, m)
		}
	}
	require.Len(t, hooks, 1)
	assert.Equal(t, hook, hooks[0].Recipient)
	assert.Less(t, len(hooks[0].IdempotencyKey), 200)
	h, err := f.admin.History(ctx, tk.ID)
	require.NoError(t, err)
	for _, c := range h {
		assert.NotContains(t, c.To, "xxxx", "hook URLs stay out of the history")
	}
}

// A field deleted and created again with another type: the next event
// compiles the triggers against the new definition.
func TestTriggers_TRG5_FieldRecreatedWithAnotherType(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.admin.CreateField(ctx, field.New{Key: "x", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "x"}})
	require.NoError(t, err)
	tr := f.mkTrigger(t, trigger.New{Name: "has x", All: []trigger.Condition{{Target: "customer_fields.x", Op: trigger.Present}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"x"}}}})
	n := newTicket()
	n.CustomerFields = ticket.Fields{"x": 3}
	tk, err := f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))

	require.NoError(t, f.admin.DeleteField(ctx, "x"))
	_, err = f.admin.CreateField(ctx, field.New{Key: "x", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "x"}})
	require.NoError(t, err)
	n.CustomerFields = ticket.Fields{"x": "hello"}
	tk, err = f.sys.CreateTicket(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))
}

// A dry run picks assignees as a run does: an ineligible fixed agent
// leaves the ticket with the group, an eligible one opens it (TRG-8).
func TestTriggers_TRG8_DryRunAssignsLikeARun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.admin.CreateGroup(ctx, helpdesk.GroupSpec{Name: "G", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	_, err = f.admin.AddGroupMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "rr", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: g.ID}}})
	f.mkTrigger(t, trigger.New{Name: "open", All: []trigger.Condition{{Target: "status", Op: trigger.Is, Value: "open"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"open"}}}})
	tk, err := f.sys.CreateTicket(ctx, newTicket())
	require.NoError(t, err)
	require.Equal(t, f.agentID, tk.AssigneeID)

	rep, err := f.admin.DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Equal(t, f.agentID, rep.Ticket.AssigneeID)
	assert.Equal(t, ticket.StatusOpen, rep.Ticket.Status)
	assert.True(t, rep.Triggers[1].Fired)

	// The dry run's round-robin step was rolled back: the next real pick
	// is still the only member, and with them switched off nobody is.
	_, err = f.admin.SetToggles(ctx, f.agentID, agent.Toggles{})
	require.NoError(t, err)
	rep, err = f.admin.DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Empty(t, rep.Ticket.AssigneeID)
	assert.Equal(t, g.ID, rep.Ticket.GroupID)
}
