package trigger

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// dryRunSet is a service's triggers for the dry-run tests, in run order:
// t1 escalates refunds whose content changed, t2 tags urgent tickets
// (seeing t1's change in the same pass), t3 tries an illegal status move,
// t4 runs only on created events (the prefilter skips it), t5 is inactive,
// t6 does not match, t7 assigns, t8 forwards and solves when the priority
// changed to urgent.
func dryRunSet(t *testing.T) *Set {
	t.Helper()
	off := trg("t5", []Condition{goodCond}, addTags("inactive"))
	off.Active = false
	t1 := trg("t1", []Condition{cond(TargetStatus, Is, "open"), cond(TargetContent, Contains, "refund")},
		Action{Kind: SetPriority, Value: "urgent"}, Action{Kind: Notify, Recipient: RecipientAssignee, Subject: koBody, Body: koBody})
	t1.Any = []Condition{cond(TargetContent, Changed, nil), cond(TargetPriority, Changed, nil)}
	return compileValid(t, testSchema(), Options{},
		t1,
		trg("t2", []Condition{cond(TargetPriority, Is, "urgent")}, addTags("urgent")),
		trg("t3", []Condition{cond(TargetTags, Contains, "urgent")}, Action{Kind: SetStatus, Value: "closed"}, addTags("closed-tried")),
		trg("t4", []Condition{cond(TargetEvent, Is, "created")}, addTags("new")),
		off,
		trg("t6", []Condition{cond(TargetTitle, Contains, "shipping")}, addTags("shipping")),
		trg("t7", []Condition{cond(TargetTags, Contains, "urgent")}, Action{Kind: AssignFixed, GroupID: "g2", AgentID: "a2"}),
		trg("t8", []Condition{cond(TargetPriority, ChangedTo, "urgent")}, Action{Kind: ForwardAndComplete, Addresses: []string{"ops@example.com"}}),
	)
}

// dryRunEvent is an updated event whose content changed; the ticket is
// open, normal priority.
func dryRunEvent() (Input, ticket.Ticket) {
	tk := baseTicket()
	tk.Priority = ticket.PriorityNormal
	in := baseInput()
	in.Before = tk.Clone()
	in.Before.Content = "Hello"
	return in, tk
}

// TestDryRun_TRG8 reports every active trigger in order: whether and in
// which pass it fired, whether it was evaluated, each condition with what
// it saw, and what the fired ones would do; and the ticket they would
// leave. Nothing is changed.
func TestDryRun_TRG8(t *testing.T) {
	set := dryRunSet(t)
	in, tk := dryRunEvent()
	keepTicket, keepBefore := tk.Clone(), in.Before.Clone()

	rep, err := set.DryRun(in, tk)
	require.NoError(t, err)
	assert.Equal(t, keepTicket, tk, "the ticket is not changed")
	assert.Equal(t, keepBefore, in.Before)

	assert.Equal(t, ticket.EventUpdated, rep.Event)
	assert.Equal(t, 2, rep.Passes)
	assert.False(t, rep.Bounded)
	var ids []string
	for _, r := range rep.Triggers {
		ids = append(ids, r.ID)
		assert.Equal(t, "trigger "+r.ID, r.Name)
		assert.NotEmpty(t, r.Source, r.ID)
	}
	require.Equal(t, []string{"t1", "t2", "t3", "t4", "t6", "t7", "t8"}, ids, "every active trigger, in order")
	byID := map[string]TriggerReport{}
	for _, r := range rep.Triggers {
		byID[r.ID] = r
	}

	// t1 fired in pass 1: its conditions held on the ticket it saw.
	t1 := byID["t1"]
	assert.True(t, t1.Fired)
	assert.Equal(t, 1, t1.Pass)
	assert.True(t, t1.Evaluated)
	assert.Equal(t, []ConditionReport{
		{Requirement: "all", Index: 0, Condition: cond(TargetStatus, Is, "open"), Value: "open", Held: true},
		{Requirement: "all", Index: 1, Condition: cond(TargetContent, Contains, "refund"), Value: tk.Content, Held: true},
		{Requirement: "any", Index: 0, Condition: cond(TargetContent, Changed, nil), Value: tk.Content, Before: "Hello", Held: true},
		{Requirement: "any", Index: 1, Condition: cond(TargetPriority, Changed, nil), Value: "normal", Before: "normal", Held: false},
	}, t1.Conditions)
	assert.Equal(t, []ActionReport{
		{Action: Action{Kind: SetPriority, Value: "urgent"}, Effect: "set priority to urgent"},
		{Action: Action{Kind: Notify, Recipient: RecipientAssignee, Subject: koBody, Body: koBody}, Effect: "mail the assignee"},
	}, t1.Actions)
	assert.Contains(t, t1.Source, "/* status is open */")
	assert.Contains(t, t1.Source, "/* content contains refund */")
	assert.Contains(t, t1.Source, "/* priority changed */")

	// t2 saw t1's change in the same pass.
	t2 := byID["t2"]
	assert.True(t, t2.Fired)
	assert.Equal(t, 1, t2.Pass)
	assert.Equal(t, []ConditionReport{{Requirement: "all", Condition: cond(TargetPriority, Is, "urgent"), Value: "urgent", Held: true}}, t2.Conditions)

	// t3's illegal move shows an error; its other action applies.
	t3 := byID["t3"]
	assert.True(t, t3.Fired)
	require.Len(t, t3.Actions, 2)
	assert.Equal(t, "set status to closed", t3.Actions[0].Effect)
	assert.Contains(t, t3.Actions[0].Error, "illegal status transition open → closed")
	assert.Empty(t, t3.Actions[1].Error)
	assert.Equal(t, "add tags closed-tried", t3.Actions[1].Effect)

	// t4 was skipped by the prefilter in every pass: its condition is
	// shown against the ticket as the run left it.
	t4 := byID["t4"]
	assert.False(t, t4.Fired)
	assert.Zero(t, t4.Pass)
	assert.False(t, t4.Evaluated)
	assert.Nil(t, t4.Actions)
	assert.Equal(t, []ConditionReport{{Requirement: "all", Condition: cond(TargetEvent, Is, "created"), Value: "updated", Held: false}}, t4.Conditions)
	assert.Contains(t, t4.Source, "/* event is created */")

	// t6 was evaluated and did not match.
	t6 := byID["t6"]
	assert.False(t, t6.Fired)
	assert.True(t, t6.Evaluated)
	assert.Nil(t, t6.Actions)
	assert.Equal(t, []ConditionReport{{Requirement: "all", Condition: cond(TargetTitle, Contains, "shipping"), Value: tk.Title, Held: false}}, t6.Conditions)

	t7 := byID["t7"]
	assert.True(t, t7.Fired)
	assert.Equal(t, []ActionReport{{Action: Action{Kind: AssignFixed, GroupID: "g2", AgentID: "a2"}, Effect: "assign to group g2, to agent a2 when eligible"}}, t7.Actions)

	// t8's change operator shows the value before the event.
	t8 := byID["t8"]
	assert.True(t, t8.Fired)
	assert.Equal(t, []ConditionReport{{Requirement: "all", Condition: cond(TargetPriority, ChangedTo, "urgent"), Value: "urgent", Before: "normal", Held: true}}, t8.Conditions)
	assert.Equal(t, "forward the ticket to ops@example.com, then solve it", t8.Actions[0].Effect)

	// The ticket the actions would leave.
	want := tk.Clone()
	want.Priority = ticket.PriorityUrgent
	want.Tags = []string{"billing", "closed-tried", "urgent", "vip"}
	want.GroupID, want.AssigneeID = "g2", "a2"
	want.Status, want.SolvedAt = ticket.StatusSolved, in.Now
	assert.Equal(t, want, rep.Ticket)

	// A dry run is repeatable and serializable.
	again, err := set.DryRun(in, tk)
	require.NoError(t, err)
	assert.Equal(t, rep, again)
	_, err = json.Marshal(rep)
	assert.NoError(t, err)
}

// TestDryRun_TRG8_Created: on a created event the ticket before is empty;
// the change operators show no value before, and every value counts as
// changed.
func TestDryRun_TRG8_Created(t *testing.T) {
	set := compileValid(t, testSchema(), Options{},
		trg("c", []Condition{cond(TargetEvent, Is, "created"), cond(TargetStatus, ChangedTo, "open"), cond("customer_fields.size", Changed, nil)}, quietNote),
		trg("f", []Condition{cond(TargetStatus, ChangedFrom, "new")}, quietNote),
	)
	rep, err := set.DryRun(Input{Event: ticket.EventCreated, Now: tNow}, baseTicket())
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 2)
	c := rep.Triggers[0]
	assert.True(t, c.Fired)
	for _, cr := range c.Conditions {
		assert.True(t, cr.Held, cr.Condition.Target)
		assert.Nil(t, cr.Before, cr.Condition.Target)
	}
	assert.Equal(t, "created", c.Conditions[0].Value)
	assert.Equal(t, 12.0, c.Conditions[2].Value)
	assert.False(t, rep.Triggers[1].Fired, "nothing to change from")
	assert.Equal(t, 1, rep.Passes)
}

// TestDryRun_TRG4_StatusHoldsOnLaterEvents: a condition states a fact about
// the ticket now, so "status is solved" holds on every later event too — a
// dry run makes this visible.
func TestDryRun_TRG4_StatusHoldsOnLaterEvents(t *testing.T) {
	set := compileValid(t, testSchema(), Options{},
		trg("solved", []Condition{cond(TargetStatus, Is, "solved")}, quietNote),
		trg("just solved", []Condition{cond(TargetStatus, ChangedTo, "solved")}, quietNote),
	)
	tk := baseTicket()
	tk.Status = ticket.StatusSolved
	in := Input{Event: ticket.EventCustomerReplied, Before: tk.Clone(), Now: tNow}
	rep, err := set.DryRun(in, tk)
	require.NoError(t, err)
	assert.True(t, rep.Triggers[0].Fired, "status is solved")
	assert.False(t, rep.Triggers[1].Fired, "status changed to solved")
	assert.Equal(t, "solved", rep.Triggers[1].Conditions[0].Before)
}

// TestDescribe_TRG6 says in a line what each action kind does.
func TestDescribe_TRG6(t *testing.T) {
	body := i18n.Text{"ko": "x"}
	for _, c := range []struct {
		a    Action
		want string
	}{
		{Action{Kind: AssignRandom, GroupID: "g1"}, "assign to group g1, to a random eligible member"},
		{Action{Kind: AssignRoundRobin, GroupID: "g1"}, "assign to group g1, to the next eligible member in turn"},
		{Action{Kind: AssignFixed, GroupID: "g1", AgentID: "a1"}, "assign to group g1, to agent a1 when eligible"},
		{Action{Kind: SetStatus, Value: "pending"}, "set status to pending"},
		{Action{Kind: SetPriority, Value: "low"}, "set priority to low"},
		{Action{Kind: SetProcessingCategory, CategoryID: "pr-root"}, "set the processing category to pr-root"},
		{Action{Kind: SetProcessingCategory}, "clear the processing category"},
		{Action{Kind: SetField, Field: "customer_fields.addons", Value: []string{"a", "b"}}, "set customer_fields.addons to a, b"},
		{Action{Kind: AddTags, Tags: []string{"a", "b"}}, "add tags a, b"},
		{Action{Kind: RemoveTags, Tags: []string{"a"}}, "remove tags a"},
		{Action{Kind: Note, Body: body}, "add an internal note"},
		{Action{Kind: Notify, Recipient: RecipientGroup}, "mail the group"},
		{Action{Kind: NotifyBrowser, Recipient: RecipientAssignee}, "notify the assignee in the browser"},
		{Action{Kind: NotifyBrowser, Recipient: RecipientGroup}, "notify the group's members in their browsers"},
		{Action{Kind: Forward, Addresses: []string{"a@example.com", "b@example.com"}}, "forward the ticket to a@example.com, b@example.com"},
		{Action{Kind: ForwardAndComplete, Addresses: []string{"a@example.com"}}, "forward the ticket to a@example.com, then solve it"},
		{Action{Kind: Callback, URL: "https://x.example/h"}, "post the ticket as JSON to x.example"},
		{Action{Kind: Dooray, URL: "https://hook.dooray.com/s"}, "post a message to a Dooray! hook on hook.dooray.com"},
		{Action{Kind: SMS, Recipient: RecipientCustomer}, "text the customer"},
		{Action{Kind: SMS, Addresses: []string{"010-1234-5678"}}, "text 010-1234-5678"},
		{Action{Kind: "future"}, "future"},
	} {
		assert.Equal(t, c.want, Describe(c.a))
	}
}

// TestDryRunWith_TRG8_AssignerWarnsAndSkips: an Assigner's why becomes the
// action's Warning (the ticket goes to the group unassigned); an
// *ActionError becomes its Error and leaves the ticket as it was, as a run
// skips the action; any other error ends the dry run.
func TestDryRunWith_TRG8_AssignerWarnsAndSkips(t *testing.T) {
	set := dryRunSet(t)
	in, tk := dryRunEvent()
	tk.GroupID, tk.AssigneeID = "g1", "a1"
	rep, err := set.DryRunWith(in, tk, func(Action, *ticket.Ticket) (string, string, error) {
		return "", `no member of group "G2" can be assigned`, nil
	})
	require.NoError(t, err)
	acts := rep.Triggers[5].Actions
	require.Len(t, acts, 1)
	assert.Equal(t, `no member of group "G2" can be assigned`, acts[0].Warning)
	assert.Empty(t, acts[0].Error)
	assert.Equal(t, "g2", rep.Ticket.GroupID)
	assert.Empty(t, rep.Ticket.AssigneeID)

	rep, err = set.DryRunWith(in, tk, func(Action, *ticket.Ticket) (string, string, error) {
		return "", "", &ActionError{Reason: "group g2 no longer exists"}
	})
	require.NoError(t, err)
	acts = rep.Triggers[5].Actions
	assert.Equal(t, "action 0 (assign_fixed): group g2 no longer exists", acts[0].Error)
	assert.Empty(t, acts[0].Warning)
	assert.Equal(t, "g1", rep.Ticket.GroupID, "skipped: the ticket is as it was")
	assert.Equal(t, "a1", rep.Ticket.AssigneeID)

	_, err = set.DryRunWith(in, tk, func(Action, *ticket.Ticket) (string, string, error) { return "", "", assert.AnError })
	assert.ErrorIs(t, err, assert.AnError)
}

// TestDryRunHooks_TRG8_ReachSkipsMessages: a Reacher is asked about the
// message actions only, on the ticket as the earlier actions left it; its
// reason becomes the action's Error (a run skips the action and records
// why), an empty one leaves the action as it was, and an error ends the
// dry run.
func TestDryRunHooks_TRG8_ReachSkipsMessages(t *testing.T) {
	browser := Action{Kind: NotifyBrowser, Recipient: RecipientAssignee, Subject: koBody, Body: koBody}
	set := compileValid(t, testSchema(), Options{},
		trg("t1", []Condition{goodCond}, Action{Kind: AssignFixed, GroupID: "g2", AgentID: "a2"}, browser, addTags("after")),
		trg("t2", []Condition{goodCond}, Action{Kind: Callback, URL: "https://hooks.example.com/x"}))
	in, tk := dryRunEvent()
	var asked []string
	reach := func(a Action, t *ticket.Ticket) (string, error) {
		asked = append(asked, string(a.Kind)+" to "+t.AssigneeID)
		if a.Kind == NotifyBrowser {
			return "the ticket has no assignee", nil
		}
		return "", nil
	}
	rep, err := set.DryRunHooks(in, tk, Hooks{Reach: reach})
	require.NoError(t, err)
	assert.Equal(t, []string{"notify_browser to a2", "callback to a2"}, asked, "message actions only, after the assignment")
	acts := rep.Triggers[0].Actions
	require.Len(t, acts, 3)
	assert.Empty(t, acts[0].Error)
	assert.Equal(t, "action 1 (notify_browser): the ticket has no assignee", acts[1].Error)
	assert.Equal(t, "notify the assignee in the browser", acts[1].Effect)
	assert.Empty(t, acts[2].Error)
	assert.Empty(t, rep.Triggers[1].Actions[0].Error)
	assert.Contains(t, rep.Ticket.Tags, "after", "the trigger goes on after the skip")

	_, err = set.DryRunHooks(in, tk, Hooks{Reach: func(Action, *ticket.Ticket) (string, error) { return "", assert.AnError }})
	assert.ErrorIs(t, err, assert.AnError)

	plain, err := set.DryRun(in, tk)
	require.NoError(t, err)
	assert.Empty(t, plain.Triggers[0].Actions[1].Error, "without a Reacher nothing is known")
}

// TestSchema_TRG6_Actions: the schema lists every action kind once, in
// ActionKinds' order, with the fields it uses; notify_browser addresses
// the assignee or the group, never the customer (NTF-4).
func TestSchema_TRG6_Actions(t *testing.T) {
	s := testSchema()
	require.Len(t, s.Actions, len(ActionKinds))
	for i, sp := range s.Actions {
		assert.Equal(t, ActionKinds[i], sp.Kind)
		assert.NotEmpty(t, sp.Fields, sp.Kind)
		assert.Equal(t, sp.Kind.ChangesTicket(), sp.ChangesTicket, sp.Kind)
		assert.Equal(t, sp.Kind.SendsMessage(), sp.SendsMessage, sp.Kind)
	}
	i := slices.Index(ActionKinds, NotifyBrowser)
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, ActionSpec{Kind: NotifyBrowser, Fields: []string{"recipient", "subject", "body"},
		Recipients: []string{RecipientAssignee, RecipientGroup}, SendsMessage: true}, s.Actions[i])
	assert.Equal(t, []string{"open", "pending", "solved", "closed"}, s.Actions[slices.Index(ActionKinds, SetStatus)].Values)

	b, err := json.Marshal(s)
	require.NoError(t, err)
	var wire struct {
		Actions []map[string]any `json:"actions"`
	}
	require.NoError(t, json.Unmarshal(b, &wire))
	assert.Equal(t, map[string]any{"kind": "notify_browser", "fields": []any{"recipient", "subject", "body"},
		"recipients": []any{"assignee", "group"}, "changes_ticket": false, "sends_message": true}, wire.Actions[i])
}

// TestActionKind_TRG7_Classes: every kind changes the ticket, sends a
// message or adds a note; only forward and complete does two of them.
func TestActionKind_TRG7_Classes(t *testing.T) {
	for _, k := range ActionKinds {
		n := 0
		for _, b := range []bool{k.ChangesTicket(), k.SendsMessage(), k == Note} {
			if b {
				n++
			}
		}
		if k == ForwardAndComplete {
			assert.Equal(t, 2, n, k)
		} else {
			assert.Equal(t, 1, n, k)
		}
	}
	assert.False(t, NotifyBrowser.ChangesTicket())
	assert.True(t, NotifyBrowser.SendsMessage())
}

// TestDryRun_TRG8_UnknownEventRefused: a dry run of an event that is not
// one of ticket.Events answers a *ValidationError on "event", not a report.
func TestDryRun_TRG8_UnknownEventRefused(t *testing.T) {
	set := dryRunSet(t)
	in, tk := dryRunEvent()
	for _, ev := range []ticket.EventKind{"", "deleted", "Created"} {
		in.Event = ev
		_, err := set.DryRun(in, tk)
		assert.Equal(t, []string{"event"}, problemFields(t, err), "%q", ev)
	}
}
