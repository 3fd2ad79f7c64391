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

	"github.com/deskkit/deskkit/adapters/memory"
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
	tr, err := f.admin.Triggers().Create(context.Background(), n)
	require.NoError(t, err)
	return tr
}

func (f *fixture) messages(t *testing.T) []notify.Message {
	t.Helper()
	return outbox(t, f)
}

// fired returns the ids of the triggers that fired on a ticket, in order.
func (f *fixture) fired(t *testing.T, id string) []string {
	t.Helper()
	h, err := f.admin.Tickets().History(context.Background(), id)
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
	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "We are on it"})
	require.NoError(t, err)
	got, err := f.admin.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"answered"}, got.Tags)
	assert.Equal(t, ticket.PriorityNormal, got.Priority)

	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "Thanks, but still broken"})
	require.NoError(t, err)
	got, err = f.admin.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityHigh, got.Priority)
	assert.Equal(t, []string{onAgent.ID, onCustomer.ID}, f.fired(t, tk.ID))

	// An internal note is an update, not an agent reply.
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "note", Internal: true})
	require.NoError(t, err)
	assert.Equal(t, []string{onAgent.ID, onCustomer.ID}, f.fired(t, tk.ID))
}

func TestTriggers_TRG3_IsUnderCategoryAndCustomField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	refunds := f.mkCategory(t, category.Intake, billing.ID, "환불", "Refunds")
	_, err := f.admin.Fields().Create(ctx, field.New{Key: "order_total", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "주문 금액"}})
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
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityUrgent, tk.Priority, "refunds is under billing, 5000 > 1000")
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))

	n.CustomerFields = nil // a missing value is absent, never an error
	tk, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityNormal, tk.Priority)

	sch, err := f.agent.Triggers().Schema(ctx)
	require.NoError(t, err)
	target, ok := sch.Target("customer_fields.order_total")
	require.True(t, ok)
	assert.Equal(t, trigger.TypeNumber, target.Type)
	src, err := f.admin.Triggers().Source(ctx, tr.ID)
	require.NoError(t, err)
	assert.Contains(t, src, "Now.IntakePath contains")
	assert.Contains(t, src, "intake_category is_under")
}

func TestTriggers_TRG6_ForwardCallbackNotifyGroup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Tier 2"})
	require.NoError(t, err)
	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
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
	tk, err := f.sys.Tickets().Create(ctx, n)
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
	h, err := f.admin.Tickets().History(ctx, tk.ID)
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
	hist, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)

	rep, err := f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, &ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 1)
	assert.True(t, rep.Triggers[0].Fired)
	assert.True(t, rep.Triggers[0].Conditions[0].Held)
	assert.Equal(t, "urgent", rep.Triggers[0].Conditions[0].Value)
	assert.Equal(t, "normal", rep.Triggers[0].Conditions[0].Before)
	assert.Len(t, rep.Triggers[0].Actions, 2)
	assert.Equal(t, []string{"vip"}, rep.Ticket.Tags)

	rep, err = f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, nil)
	require.NoError(t, err)
	assert.False(t, rep.Triggers[0].Fired, "nothing changed")

	got, err := f.admin.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, tk, got)
	hist2, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, hist, hist2)
	assert.Equal(t, before, f.messages(t))

	_, err = f.agent.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, nil)
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
	require.NoError(t, f.admin.Triggers().Deactivate(ctx, tr.ID))
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
	cs, err := f.admin.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Empty(t, cs)
	h, err := f.admin.Tickets().History(ctx, tk.ID)
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
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"t0", "t1", "t2", "t3", "t4"}, tk.Tags)

	d2, err := helpdesk.New(helpdesk.Config{Store: f.store, TriggerPasses: 2})
	require.NoError(t, err)
	tk, err = d2.Service("acme").As(helpdesk.System).Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{"t0", "t1", "t2"}, tk.Tags)
}

func TestTriggers_TRG8_DryRunWithoutTriggersShowsTheChange(t *testing.T) {
	f := newFixture(t)
	tk := f.ticket(t)
	rep, err := f.admin.Triggers().DryRun(context.Background(), tk.ID, ticket.EventUpdated, &ticket.Update{Priority: ptr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityUrgent, rep.Ticket.Priority)
	assert.NotNil(t, rep.Triggers)
	assert.Empty(t, rep.Triggers)
}

// A dry run of an unknown event kind is refused (TRG-8), with or without
// triggers to run; a caller who may not dry-run is refused first.
func TestTriggers_TRG8_DryRunRefusesAnUnknownEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(t)
	_, err := f.admin.Triggers().DryRun(ctx, tk.ID, "deleted", nil)
	assert.Equal(t, []string{"event"}, problems(t, err), "no triggers")
	f.mkTrigger(t, trigger.New{Name: "any", All: []trigger.Condition{{Target: "priority", Op: trigger.Is, Value: "normal"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"x"}}}})
	_, err = f.admin.Triggers().DryRun(ctx, tk.ID, "deleted", nil)
	assert.Equal(t, []string{"event"}, problems(t, err), "with triggers")
	_, err = f.agent.Triggers().DryRun(ctx, tk.ID, "deleted", nil)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
}

// A trigger adding more tags than a ticket holds is not saved (TRG-5).
func TestTriggers_TRG5_TooManyTagsNotSaved(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tags := make([]string, 10000)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%d", i)
	}
	_, err := f.admin.Triggers().Create(ctx, trigger.New{Name: "tags", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: tags}}})
	assert.Equal(t, []string{"actions[0].tags"}, problems(t, err))
	l, err := f.admin.Triggers().List(ctx)
	require.NoError(t, err)
	assert.Empty(t, l)
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
	_, err := f.admin.Tickets().SetStatus(ctx, tk.ID, ticket.StatusSolved)
	require.NoError(t, err)
	closed, err := f.admin.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityNormal, closed.Priority)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))
	cs, err := f.admin.Tickets().Comments(ctx, tk.ID)
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
	h, err := f.admin.Tickets().History(ctx, tk.ID)
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
	_, err := f.admin.Fields().Create(ctx, field.New{Key: "x", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "x"}})
	require.NoError(t, err)
	tr := f.mkTrigger(t, trigger.New{Name: "has x", All: []trigger.Condition{{Target: "customer_fields.x", Op: trigger.Present}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"x"}}}})
	n := newTicket()
	n.CustomerFields = ticket.Fields{"x": 3}
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))

	require.NoError(t, f.admin.Fields().Delete(ctx, "x"))
	_, err = f.admin.Fields().Create(ctx, field.New{Key: "x", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "x"}})
	require.NoError(t, err)
	n.CustomerFields = ticket.Fields{"x": "hello"}
	tk, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.ID}, f.fired(t, tk.ID))
}

// A dry run picks assignees as a run does: an ineligible fixed agent
// leaves the ticket with the group, an eligible one opens it (TRG-8).
func TestTriggers_TRG8_DryRunAssignsLikeARun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g, err := f.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "G", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	_, err = f.admin.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "rr", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: g.ID}}})
	f.mkTrigger(t, trigger.New{Name: "open", All: []trigger.Condition{{Target: "status", Op: trigger.Is, Value: "open"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"open"}}}})
	tk, err := f.sys.Tickets().Create(ctx, newTicket())
	require.NoError(t, err)
	require.Equal(t, f.agentID, tk.AssigneeID)

	rep, err := f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Equal(t, f.agentID, rep.Ticket.AssigneeID)
	assert.Equal(t, ticket.StatusOpen, rep.Ticket.Status)
	assert.True(t, rep.Triggers[1].Fired)

	// The dry run's round-robin step was rolled back: the next real pick
	// is still the only member, and with them switched off nobody is.
	_, err = f.admin.Agents().SetToggles(ctx, f.agentID, agent.Toggles{})
	require.NoError(t, err)
	rep, err = f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	assert.Empty(t, rep.Ticket.AssigneeID)
	assert.Equal(t, g.ID, rep.Ticket.GroupID)
}

// tagOnCreate is a trigger that adds tag on created events.
func tagOnCreate(tag string) trigger.New {
	return trigger.New{Name: tag, All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{tag}}}}
}

// triggerVersion reads acme's trigger-set version from the store.
func (f *fixture) triggerVersion(t *testing.T) string {
	t.Helper()
	var v string
	require.NoError(t, f.store.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		v, err = r.Triggers().Version(context.Background())
		return err
	}))
	return v
}

// triggerLists returns the ids of acme's active and inactive triggers in
// order, checking that each list's positions are 0..n-1.
func (f *fixture) triggerLists(t *testing.T) (active, inactive []string) {
	t.Helper()
	ts, err := f.admin.Triggers().List(context.Background())
	require.NoError(t, err)
	active, inactive = []string{}, []string{}
	for _, tr := range ts {
		if tr.Active {
			assert.Empty(t, inactive, "active triggers come first")
			assert.Equal(t, len(active), tr.Position, "active positions are 0..n-1")
			active = append(active, tr.ID)
		} else {
			assert.Equal(t, len(inactive), tr.Position, "inactive positions are 0..n-1")
			inactive = append(inactive, tr.ID)
		}
	}
	return active, inactive
}

// Creating appends to the trigger's list; moving between the lists goes to
// the end of the other list and closes the gap; a trigger already in the
// list stays and nothing is written (TRG-1).
func TestTriggers_TRG1_ListsAndMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"a0", "i0", "a1", "i1", "a2"} {
		n := tagOnCreate(name)
		n.Inactive = i%2 == 1
		tr := f.mkTrigger(t, n)
		assert.Equal(t, i/2, tr.Position, "%s goes to the end of its list", name)
		ids = append(ids, tr.ID)
	}
	a0, i0, a1, i1, a2 := ids[0], ids[1], ids[2], ids[3], ids[4]
	check := func(wantActive, wantInactive []string, msg string) {
		t.Helper()
		active, inactive := f.triggerLists(t)
		assert.Equal(t, wantActive, active, msg)
		assert.Equal(t, wantInactive, inactive, msg)
	}
	check([]string{a0, a1, a2}, []string{i0, i1}, "creation order per list")

	require.NoError(t, f.admin.Triggers().Deactivate(ctx, a0))
	check([]string{a1, a2}, []string{i0, i1, a0}, "deactivating appends to the inactive list and closes the gap")
	got, err := f.admin.Triggers().Get(ctx, a0)
	require.NoError(t, err)
	assert.True(t, got.UpdatedAt.After(got.CreatedAt), "the moved trigger is stamped")
	require.NoError(t, f.admin.Triggers().Activate(ctx, i0))
	check([]string{a1, a2, i0}, []string{i1, a0}, "activating appends to the active list and closes the gap")

	v := f.triggerVersion(t)
	act, inact := f.triggerLists(t)
	require.NoError(t, f.admin.Triggers().Activate(ctx, a1))
	require.NoError(t, f.admin.Triggers().Deactivate(ctx, i1))
	check(act, inact, "a trigger already in the list stays where it is")
	assert.Equal(t, v, f.triggerVersion(t), "and nothing was written")

	require.ErrorIs(t, f.admin.Triggers().Activate(ctx, "no-such-trigger"), helpdesk.ErrNotFound)
}

// A reorder names every active trigger once; a refused one writes nothing,
// the current order writes nothing (TRG-1).
func TestTriggers_TRG1_Reorder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a0, a1, a2 := f.mkTrigger(t, tagOnCreate("a0")).ID, f.mkTrigger(t, tagOnCreate("a1")).ID, f.mkTrigger(t, tagOnCreate("a2")).ID
	n := tagOnCreate("i0")
	n.Inactive = true
	i0 := f.mkTrigger(t, n).ID

	require.NoError(t, f.admin.Triggers().Reorder(ctx, []string{a2, a0, a1}))
	active, inactive := f.triggerLists(t)
	assert.Equal(t, []string{a2, a0, a1}, active)
	assert.Equal(t, []string{i0}, inactive)
	assert.Equal(t, []string{"a0", "a1", "a2"}, f.ticket(t).Tags)
	assert.Equal(t, []string{a2, a0, a1}, f.fired(t, f.ticket(t).ID), "in the new order")

	v := f.triggerVersion(t)
	for name, ids := range map[string][]string{
		"missing":   {a2, a0},
		"duplicate": {a2, a2, a1},
		"unknown":   {a2, a0, "nope"},
		"inactive":  {a2, a0, a1, i0},
	} {
		err := f.admin.Triggers().Reorder(ctx, ids)
		assert.ErrorIs(t, err, helpdesk.ErrInvalid, name)
	}
	active, _ = f.triggerLists(t)
	assert.Equal(t, []string{a2, a0, a1}, active, "a refused reorder changes nothing")
	assert.Equal(t, v, f.triggerVersion(t), "not even the version")
	require.NoError(t, f.admin.Triggers().Reorder(ctx, []string{a2, a0, a1}))
	assert.Equal(t, v, f.triggerVersion(t), "the current order is no change")
}

// Only an inactive trigger can be deleted; the gap it leaves is closed
// (TRG-1).
func TestTriggers_TRG1_DeleteOnlyInactive(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.mkTrigger(t, tagOnCreate("a")).ID
	var inactive []string
	for _, name := range []string{"i0", "i1", "i2"} {
		n := tagOnCreate(name)
		n.Inactive = true
		inactive = append(inactive, f.mkTrigger(t, n).ID)
	}
	v := f.triggerVersion(t)
	err := f.admin.Triggers().Delete(ctx, a)
	assert.ErrorIs(t, err, trigger.ErrActive)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	_, err = f.admin.Triggers().Get(ctx, a)
	require.NoError(t, err, "the active trigger stays")
	assert.Equal(t, v, f.triggerVersion(t))

	require.NoError(t, f.admin.Triggers().Delete(ctx, inactive[1]))
	act, inact := f.triggerLists(t)
	assert.Equal(t, []string{a}, act)
	assert.Equal(t, []string{inactive[0], inactive[2]}, inact, "the gap is closed")
	assert.ErrorIs(t, f.admin.Triggers().Delete(ctx, inactive[1]), helpdesk.ErrNotFound)

	require.NoError(t, f.admin.Triggers().Deactivate(ctx, a))
	require.NoError(t, f.admin.Triggers().Delete(ctx, a), "once inactive it can go")
	n := tagOnCreate("n")
	n.Inactive = true
	assert.Equal(t, 2, f.mkTrigger(t, n).Position, "the next create goes to the end")
}

// otherVersion wraps a store so that its trigger-set version is read from
// another store: the two report equal versions for different sets.
type otherVersion struct {
	helpdesk.Store
	from helpdesk.Store
}

func (o otherVersion) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	return o.Store.Tx(ctx, serviceID, func(r helpdesk.Repos) error { return fn(otherVersionRepos{r, o.from, serviceID}) })
}

type otherVersionRepos struct {
	helpdesk.Repos
	from helpdesk.Store
	svc  string
}

func (r otherVersionRepos) Triggers() trigger.Repository {
	return otherVersionTriggers{r.Repos.Triggers(), r.from, r.svc}
}

type otherVersionTriggers struct {
	trigger.Repository
	from helpdesk.Store
	svc  string
}

func (o otherVersionTriggers) Version(ctx context.Context) (v string, err error) {
	err = o.from.Tx(ctx, o.svc, func(r helpdesk.Repos) error {
		v, err = r.Triggers().Version(ctx)
		return err
	})
	return v, err
}

// Two desks in one process over two stores run a service of the same id
// with different triggers, and the second store reports the first one's
// trigger-set version: each desk runs its own triggers, because compiled
// sets are cached per desk (a version names a set only within its store).
func TestTriggers_TwoDesksCollidingVersions(t *testing.T) {
	ctx := context.Background()
	first := memory.New()
	second := otherVersion{Store: memory.New(), from: first}
	var sessions []*helpdesk.Session
	for _, c := range []struct {
		store helpdesk.Store
		tag   string
	}{{first, "first"}, {second, "second"}} {
		d, err := helpdesk.New(helpdesk.Config{Store: c.store})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		_, err = d.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{Name: "ACME",
			Languages: []string{"ko"}, Channels: helpdesk.Channels{Ticket: true}}})
		require.NoError(t, err)
		sys := d.Service("acme").As(helpdesk.System)
		_, err = sys.Triggers().Create(ctx, tagOnCreate(c.tag))
		require.NoError(t, err)
		sessions = append(sessions, sys)
	}
	for round := range 2 { // the second round runs from the cached sets
		for i, tag := range []string{"first", "second"} {
			tk, err := sessions[i].Tickets().Create(ctx, newTicket())
			require.NoError(t, err)
			assert.Equal(t, []string{tag}, tk.Tags, "round %d: the %s desk runs its own trigger", round, tag)
		}
	}
}
