package trigger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// applier carries out the ticket-changing actions of the triggers that fire
// with ApplyToTicket, as a real Applier does. It records each firing, the
// ticket-changing actions' errors (and goes on after one, as an Applier
// does), and returns fail[trigger id] as its error when set.
type applier struct {
	fired []string
	errs  []error
	fail  map[string]error
}

func (a *applier) Apply(_ context.Context, tr *Trigger, t *ticket.Ticket) (bool, error) {
	a.fired = append(a.fired, tr.ID)
	if err := a.fail[tr.ID]; err != nil {
		return false, err
	}
	changed := false
	for i, act := range tr.Actions {
		c, _, err := ApplyToTicket(i, act, t, tNow)
		if err != nil {
			a.errs = append(a.errs, err)
			continue
		}
		changed = changed || c
	}
	return changed, nil
}

func trg(id string, all []Condition, actions ...Action) Trigger {
	return Trigger{ID: id, Name: "trigger " + id, All: all, Actions: actions, Active: true}
}

func cond(target string, op Op, v any) Condition { return Condition{Target: target, Op: op, Value: v} }

func addTags(tags ...string) Action { return Action{Kind: AddTags, Tags: tags} }

// compileValid validates every trigger against s and compiles them, in
// order, keeping their ids and active flags.
func compileValid(t *testing.T, s *Schema, opt Options, ts ...Trigger) *Set {
	t.Helper()
	for i, tr := range ts {
		n, err := Validate(ctxb, New{Name: tr.Name, All: tr.All, Any: tr.Any, Actions: tr.Actions}, s, newResolver())
		require.NoError(t, err, tr.ID)
		ts[i].All, ts[i].Any, ts[i].Actions = n.All, n.Any, n.Actions
	}
	set, err := Compile(ts, s, opt)
	require.NoError(t, err)
	return set
}

// TestRun_TRG1_TopToBottom: active triggers run in the order given; a
// change by none of them means one pass.
func TestRun_TRG1_TopToBottom(t *testing.T) {
	s := testSchema()
	var ts []Trigger
	for i := range 5 {
		ts = append(ts, trg(strconv.Itoa(i), []Condition{goodCond}, quietNote))
	}
	slices.Reverse(ts)
	set := compileValid(t, s, Options{}, ts...)
	a := &applier{}
	tk := baseTicket()
	out, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"4", "3", "2", "1", "0"}, a.fired)
	assert.Equal(t, Outcome{Fired: 5, Passes: 1}, out)
	assert.Equal(t, baseTicket(), tk)

	empty, err := Compile(nil, s, Options{})
	require.NoError(t, err)
	out, err = empty.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, Outcome{}, out)
	assert.Equal(t, 0, empty.Len())
}

// TestRun_TRG7_RerunFromTheTop: a change by a later trigger makes an
// earlier one match; evaluation starts again from the top, and each
// trigger fires once.
func TestRun_TRG7_RerunFromTheTop(t *testing.T) {
	s := testSchema()
	set := compileValid(t, s, Options{},
		trg("A", []Condition{cond(TargetPriority, Is, "high")}, addTags("a")),
		trg("B", []Condition{cond(TargetStatus, Is, "open")}, Action{Kind: SetPriority, Value: "high"}),
	)
	a := &applier{}
	tk := baseTicket()
	tk.Priority = ticket.PriorityNormal
	in := baseInput()
	in.Before = tk.Clone()
	out, err := set.Run(ctxb, in, &tk, a)
	require.NoError(t, err)
	// Pass 1: A does not match (normal), B fires and sets high. Pass 2: A
	// fires; B has fired already. Pass 3 changes nothing.
	assert.Equal(t, []string{"B", "A"}, a.fired)
	assert.Equal(t, Outcome{Fired: 2, Passes: 3}, out)
	assert.Equal(t, ticket.PriorityHigh, tk.Priority)
	assert.Equal(t, []string{"a", "billing", "vip"}, tk.Tags)

	rep, err := set.DryRun(in, in.Before)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Triggers[0].Pass, "A fired in pass 2")
	assert.Equal(t, 1, rep.Triggers[1].Pass, "B fired in pass 1")
	assert.Equal(t, 3, rep.Passes)
}

// TestRun_TRG7_FiresOncePerEvent: a trigger whose result still matches it
// does not fire again, in this pass or the next.
func TestRun_TRG7_FiresOncePerEvent(t *testing.T) {
	s := testSchema()
	set := compileValid(t, s, Options{},
		trg("self", []Condition{cond(TargetStatus, Is, "open")}, addTags("seen")),
		trg("ping", []Condition{cond(TargetTags, NotContains, []string{"pong", "x"})}, addTags("ping")),
		trg("pong", []Condition{cond(TargetTags, Contains, []string{"ping"})}, Action{Kind: RemoveTags, Tags: []string{"ping"}}, addTags("pong")),
	)
	a := &applier{}
	tk := baseTicket()
	out, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"self", "ping", "pong"}, a.fired)
	assert.Equal(t, 3, out.Fired)
	assert.False(t, out.Bounded)
	assert.Equal(t, []string{"billing", "pong", "seen", "vip"}, tk.Tags)
}

// TestRun_TRG7_LaterTriggersSeeChangesAtOnce: a change applies at once, so
// the triggers after it in the same pass see it, both ways.
func TestRun_TRG7_LaterTriggersSeeChangesAtOnce(t *testing.T) {
	s := testSchema()
	set := compileValid(t, s, Options{},
		trg("escalate", []Condition{cond(TargetStatus, Is, "open")}, Action{Kind: SetPriority, Value: "urgent"}, Action{Kind: SetStatus, Value: "pending"}),
		trg("urgent", []Condition{cond(TargetPriority, Is, "urgent")}, addTags("urgent")),
		trg("still open", []Condition{cond(TargetStatus, Is, "open")}, addTags("open")),
		trg("content", []Condition{cond(TargetTags, Contains, "urgent"), cond(TargetContent, Contains, "refund")}, addTags("refund")),
	)
	a := &applier{}
	tk := baseTicket()
	out, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"escalate", "urgent", "content"}, a.fired, "in the same pass; the ticket is no longer open")
	assert.Equal(t, Outcome{Fired: 3, Passes: 2}, out)
	assert.Equal(t, ticket.StatusPending, tk.Status)
	assert.Equal(t, []string{"billing", "refund", "urgent", "vip"}, tk.Tags)
}

// chain returns n triggers in reverse order: trigger k matches tag "t<k-1>"
// and adds tag "t<k>", so a ticket tagged t0 fires one of them per pass.
func chain(n int) []Trigger {
	var ts []Trigger
	for k := n; k >= 1; k-- {
		ts = append(ts, trg(fmt.Sprintf("k%d", k), []Condition{cond(TargetTags, Contains, fmt.Sprintf("t%d", k-1))}, addTags(fmt.Sprintf("t%d", k))))
	}
	return ts
}

// TestRun_TRG7_BoundedPasses: a bounded number of passes ends any chain.
func TestRun_TRG7_BoundedPasses(t *testing.T) {
	s := testSchema()
	for _, c := range []struct {
		n, max  int
		want    Outcome
		wantMax int
	}{
		{n: 15, max: 0, want: Outcome{Fired: DefaultMaxPasses, Passes: DefaultMaxPasses, Bounded: true}},
		{n: 15, max: 3, want: Outcome{Fired: 3, Passes: 3, Bounded: true}},
		{n: 15, max: -1, want: Outcome{Fired: DefaultMaxPasses, Passes: DefaultMaxPasses, Bounded: true}},
		{n: 9, max: 0, want: Outcome{Fired: 9, Passes: 10}},
		{n: 10, max: 0, want: Outcome{Fired: 10, Passes: 10}}, // the chain ends exactly at the bound: nothing was cut off
		{n: 2, max: 1, want: Outcome{Fired: 1, Passes: 1, Bounded: true}},
		{n: 2, max: 3, want: Outcome{Fired: 2, Passes: 3}},
	} {
		t.Run(fmt.Sprintf("chain %d, max %d", c.n, c.max), func(t *testing.T) {
			set := compileValid(t, s, Options{MaxPasses: c.max}, chain(c.n)...)
			a := &applier{}
			start := baseTicket()
			start.Tags = []string{"t0"}
			tk := start.Clone()
			out, err := set.Run(ctxb, baseInput(), &tk, a)
			require.NoError(t, err)
			assert.Equal(t, c.want, out)
			var want []string
			for k := 1; k <= c.want.Fired; k++ {
				want = append(want, fmt.Sprintf("k%d", k))
			}
			assert.Equal(t, want, a.fired)
			assert.Len(t, tk.Tags, c.want.Fired+1)

			rep, err := set.DryRun(baseInput(), start)
			require.NoError(t, err)
			assert.Equal(t, c.want.Passes, rep.Passes)
			assert.Equal(t, c.want.Bounded, rep.Bounded)
		})
	}
}

// TestRun_TRG1_InactiveNeverRun: inactive triggers are not compiled and
// never fire.
func TestRun_TRG1_InactiveNeverRun(t *testing.T) {
	s := testSchema()
	off := trg("off", []Condition{goodCond}, addTags("off"))
	off.Active = false
	set := compileValid(t, s, Options{}, trg("on", []Condition{goodCond}, quietNote), off, trg("on2", []Condition{goodCond}, quietNote))
	assert.Equal(t, 2, set.Len())
	var ids []string
	for _, tr := range set.Triggers() {
		ids = append(ids, tr.ID)
	}
	assert.Equal(t, []string{"on", "on2"}, ids)
	a := &applier{}
	tk := baseTicket()
	_, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"on", "on2"}, a.fired)
	assert.NotContains(t, tk.Tags, "off")
	rep, err := set.DryRun(baseInput(), baseTicket())
	require.NoError(t, err)
	assert.Len(t, rep.Triggers, 2)
}

// TestSet_TriggersAreCopies: the triggers a Set returns share nothing with
// it, and a Set shares nothing with the triggers it was compiled from.
func TestSet_TriggersAreCopies(t *testing.T) {
	s := testSchema()
	ts := []Trigger{trg("t", []Condition{cond(TargetTags, Contains, []string{"vip"})}, addTags("x"))}
	set := compileValid(t, s, Options{}, ts...)
	ts[0].All[0].Value.([]string)[0] = "changed"
	ts[0].Actions[0].Tags[0] = "changed"
	got := set.Triggers()
	got[0].All[0].Value.([]string)[0] = "changed"
	got[0].Actions[0].Tags[0] = "changed"
	again := set.Triggers()
	assert.Equal(t, []string{"vip"}, again[0].All[0].Value)
	assert.Equal(t, []string{"x"}, again[0].Actions[0].Tags)
	a := &applier{}
	tk := baseTicket()
	_, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"t"}, a.fired)
	assert.Contains(t, tk.Tags, "x")
}

// TestRun_TRG7_ApplierErrorStops: an Applier error stops the run and is
// returned; the triggers after it do not fire.
func TestRun_TRG7_ApplierErrorStops(t *testing.T) {
	s := testSchema()
	boom := errors.New("outbox full")
	set := compileValid(t, s, Options{},
		trg("first", []Condition{goodCond}, addTags("first")),
		trg("bad", []Condition{goodCond}, addTags("bad")),
		trg("after", []Condition{goodCond}, addTags("after")),
	)
	a := &applier{fail: map[string]error{"bad": boom}}
	tk := baseTicket()
	out, err := set.Run(ctxb, baseInput(), &tk, a)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"first", "bad"}, a.fired)
	assert.Equal(t, 2, out.Fired)
	assert.NotContains(t, tk.Tags, "after")
}

// TestRun_TRG6_ActionErrorsDoNotStop: an action an Applier cannot carry out
// (an illegal status move) is recorded, and the run goes on.
func TestRun_TRG6_ActionErrorsDoNotStop(t *testing.T) {
	s := testSchema()
	set := compileValid(t, s, Options{},
		trg("close", []Condition{goodCond}, Action{Kind: SetStatus, Value: "closed"}, addTags("tried")),
		trg("next", []Condition{cond(TargetTags, Contains, "tried")}, quietNote),
	)
	a := &applier{}
	tk := baseTicket()
	_, err := set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"close", "next"}, a.fired)
	require.Len(t, a.errs, 1)
	var ae *ActionError
	require.ErrorAs(t, a.errs[0], &ae)
	assert.Equal(t, 0, ae.Index)
	assert.Equal(t, ticket.StatusOpen, tk.Status, "open → closed is not a TKT-2 move")
}

// TestApplyToTicket_TRG6 carries out each ticket-changing action.
func TestApplyToTicket_TRG6(t *testing.T) {
	at := tNow
	hundred := make([]string, 0, 100)
	for i := range 99 {
		hundred = append(hundred, fmt.Sprintf("tag%03d", i))
	}
	for _, c := range []struct {
		what    string
		a       Action
		before  func(*ticket.Ticket)
		after   func(*ticket.Ticket) // the ticket it leaves, from the one before
		changed bool
		handled bool
		err     bool
	}{
		{what: "status open → pending", a: Action{Kind: SetStatus, Value: "pending"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Status = ticket.StatusPending }},
		{what: "status open → solved stamps SolvedAt", a: Action{Kind: SetStatus, Value: "solved"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Status, tk.SolvedAt = ticket.StatusSolved, at }},
		{what: "status solved → closed stamps ClosedAt", a: Action{Kind: SetStatus, Value: "closed"}, changed: true, handled: true,
			before: func(tk *ticket.Ticket) { tk.Status = ticket.StatusSolved },
			after:  func(tk *ticket.Ticket) { tk.Status, tk.ClosedAt = ticket.StatusClosed, at }},
		{what: "status unchanged", a: Action{Kind: SetStatus, Value: "open"}, handled: true},
		{what: "illegal move open → closed", a: Action{Kind: SetStatus, Value: "closed"}, handled: true, err: true},
		{what: "illegal move from closed", a: Action{Kind: SetStatus, Value: "open"}, handled: true, err: true,
			before: func(tk *ticket.Ticket) { tk.Status = ticket.StatusClosed }},
		{what: "priority", a: Action{Kind: SetPriority, Value: "low"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Priority = ticket.PriorityLow }},
		{what: "priority unchanged", a: Action{Kind: SetPriority, Value: "high"}, handled: true},
		{what: "processing category", a: Action{Kind: SetProcessingCategory, CategoryID: "pr-other"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.ProcessingCategoryID = "pr-other" }},
		{what: "clear processing category", a: Action{Kind: SetProcessingCategory}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.ProcessingCategoryID = "" }},
		{what: "set field", a: Action{Kind: SetField, Field: "customer_fields.size", Value: 5.0}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.CustomerFields["size"] = 5.0 }},
		{what: "set agent field", a: Action{Kind: SetField, Field: "agent_fields.stage", Value: "s1"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.AgentFields["stage"] = "s1" }},
		{what: "set field on a ticket without fields", a: Action{Kind: SetField, Field: "agent_fields.score", Value: 1.0}, changed: true, handled: true,
			before: func(tk *ticket.Ticket) { tk.AgentFields = nil },
			after:  func(tk *ticket.Ticket) { tk.AgentFields = ticket.Fields{"score": 1.0} }},
		{what: "set field to its value", a: Action{Kind: SetField, Field: "customer_fields.addons", Value: []string{"a", "b"}}, handled: true},
		{what: "clear field", a: Action{Kind: SetField, Field: "customer_fields.size"}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { delete(tk.CustomerFields, "size") }},
		{what: "clear a field without a value", a: Action{Kind: SetField, Field: "customer_fields.nothing"}, handled: true},
		{what: "add tags", a: addTags("new", "billing"), changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Tags = []string{"billing", "new", "vip"} }},
		{what: "add tags it has", a: addTags("vip"), handled: true},
		{what: "add the 100th tag", a: addTags("zzz"), changed: true, handled: true,
			before: func(tk *ticket.Ticket) { tk.Tags = slices.Clone(hundred) },
			after:  func(tk *ticket.Ticket) { tk.Tags = append(slices.Clone(hundred), "zzz") }},
		{what: "add tags past 100", a: addTags("zzz", "zzzz"), handled: true, err: true,
			before: func(tk *ticket.Ticket) { tk.Tags = slices.Clone(hundred) }},
		{what: "remove tags", a: Action{Kind: RemoveTags, Tags: []string{"vip", "none"}}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Tags = []string{"billing"} }},
		{what: "remove every tag", a: Action{Kind: RemoveTags, Tags: []string{"vip", "billing"}}, changed: true, handled: true,
			after: func(tk *ticket.Ticket) { tk.Tags = nil }},
		{what: "remove tags it has not", a: Action{Kind: RemoveTags, Tags: []string{"spam"}}, handled: true},
		{what: "notify is not a ticket change", a: Action{Kind: Notify, Recipient: RecipientAssignee}},
		{what: "assign is not for ApplyToTicket", a: Action{Kind: AssignFixed, GroupID: "g2", AgentID: "a2"}},
		{what: "forward and complete is not for ApplyToTicket", a: Action{Kind: ForwardAndComplete, Addresses: []string{"a@example.com"}}},
	} {
		t.Run(c.what, func(t *testing.T) {
			tk := baseTicket()
			if c.before != nil {
				c.before(&tk)
			}
			want := tk.Clone()
			if c.after != nil {
				c.after(&want)
			}
			changed, handled, err := ApplyToTicket(3, c.a, &tk, at)
			assert.Equal(t, c.changed, changed, "changed")
			assert.Equal(t, c.handled, handled, "handled")
			assert.Equal(t, want, tk)
			if !c.err {
				assert.NoError(t, err)
				return
			}
			var ae *ActionError
			require.ErrorAs(t, err, &ae)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Equal(t, 3, ae.Index)
			assert.Equal(t, c.a.Kind, ae.Kind)
			assert.NotEmpty(t, ae.Reason)
			assert.Contains(t, err.Error(), "action 3")
		})
	}
	// A value set by SetField is the ticket's own: changing the action
	// later does not change the ticket.
	tk := baseTicket()
	a := Action{Kind: SetField, Field: "customer_fields.addons", Value: []string{"c"}}
	_, _, err := ApplyToTicket(0, a, &tk, at)
	require.NoError(t, err)
	a.Value.([]string)[0] = "a"
	assert.Equal(t, []string{"c"}, tk.CustomerFields["addons"])
}

// TestRun_TRG5_DeletedField: a trigger saved while its custom field existed
// still compiles and runs after the field is gone: its conditions compare
// with what the ticket holds, and a value of another shape is absent.
func TestRun_TRG5_DeletedField(t *testing.T) {
	full := testSchema()
	ts := []Trigger{
		trg("size", []Condition{cond("customer_fields.size", GreaterThan, 10)}, quietNote),
		trg("gift", []Condition{cond("customer_fields.gift", Is, true)}, quietNote),
		trg("addons", []Condition{cond("customer_fields.addons", Contains, "a")}, quietNote),
		trg("note", []Condition{cond("customer_fields.note", Contains, "wrap")}, quietNote),
	}
	compileValid(t, full, Options{}, ts...) // validates ts in place
	gone := NewSchema(nil, testLanguages, "ko")
	set, err := Compile(ts, gone, Options{})
	require.NoError(t, err)
	a := &applier{}
	tk := baseTicket()
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"size", "gift", "addons", "note"}, a.fired)

	a = &applier{}
	// (With the definition gone, "contains" reads text and list values
	// alike, so a number stands for the other shape here.)
	tk.CustomerFields = ticket.Fields{"size": "12", "gift": "yes", "addons": 3.0, "note": 1.0}
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Empty(t, a.fired)
}

// TestRun_TRG5_DeletedFieldListValues: after its field is deleted, a
// select condition "in [..]" still compares the ticket's one value, and a
// text condition "contains any of [..]" still looks for words; a ticket
// value of an odd shape (a list in a select field) is absent and never
// makes Run fail.
//
// Bug: guessTarget types a deleted field by the condition value's shape
// alone, so a []string value (in / not in, contains any of) makes the
// target a multi-select: "in" then compiles to "Now.F[i] in [..]" with a
// list in F — expr fails with "reflect.Value.MapIndex: value of type
// []string is not assignable to type string" — and "contains any of" on a
// text field tests multi-select membership, which a text value never has.
// (Found by FuzzCompile.)
func TestRun_TRG5_DeletedFieldListValues(t *testing.T) {
	ts := []Trigger{
		trg("plan", []Condition{cond("customer_fields.plan", In, []string{"pro", "team"})}, quietNote),
		trg("not plan", []Condition{cond("customer_fields.plan", NotIn, []string{"free"})}, quietNote),
		trg("note", []Condition{cond("customer_fields.note", Contains, []string{"ribbon", "wrap"})}, quietNote),
	}
	compileValid(t, testSchema(), Options{}, ts...)
	set, err := Compile(ts, NewSchema(nil, testLanguages, "ko"), Options{})
	require.NoError(t, err)

	a := &applier{}
	tk := baseTicket()
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"plan", "not plan", "note"}, a.fired, "plan pro, note \"Gift wrap please\"")

	a = &applier{}
	tk.CustomerFields["plan"] = []string{"pro"}
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	assert.NoError(t, err)
	assert.NotContains(t, a.fired, "plan", "a list in a select field is absent")
}

// TestRun_TRG5_DeletedFieldMixedConditions: after its field is deleted, a
// trigger that tests a number field without a value (not changed, present)
// and with one (greater than) still compares numbers, and a value of an
// odd shape never makes Run or DryRun fail.
//
// Bug: slots are keyed by target name and typed by the condition that
// registers them first; for a deleted field guessTarget types a condition
// without a value as text, so "size greater_than 10" reads a text slot:
// the number 12 is absent (the trigger never fires), and a text value
// fails at run time with "invalid operation: string > float64".
// (Found by FuzzCompile: testdata/fuzz/FuzzCompile/0e8b05a13f5189c1.)
func TestRun_TRG5_DeletedFieldMixedConditions(t *testing.T) {
	ts := []Trigger{trg("size", []Condition{cond("customer_fields.size", NotChanged, nil), cond("customer_fields.size", GreaterThan, 10)}, quietNote)}
	compileValid(t, testSchema(), Options{}, ts...)
	set, err := Compile(ts, NewSchema(nil, testLanguages, "ko"), Options{})
	require.NoError(t, err)

	a := &applier{}
	tk := baseTicket()
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"size"}, a.fired, "size 12 > 10")

	tk.CustomerFields["size"] = "12"
	in := baseInput()
	in.Before = tk.Clone()
	a = &applier{}
	_, err = set.Run(ctxb, in, &tk, a)
	assert.NoError(t, err)
	assert.Empty(t, a.fired)
	_, err = set.DryRun(in, tk)
	assert.NoError(t, err)
}

// TestRun_TRG5_FieldTypeChanged: a custom field deleted and created again
// with the same key and another type (field stores free a deleted key)
// leaves triggers whose values have the old type. They must not make Run
// fail — "a trigger that would fail at run time cannot be saved" (TRG-5),
// and the failure would fail every event of the service's tickets.
//
// Bug: the compiler types the slot by the current definition (date: text
// values) and compiles "Now.F[i] != nil && Now.F[i] > 10.0"; expr fails
// at run time with "invalid operation: string > float64".
func TestRun_TRG5_FieldTypeChanged(t *testing.T) {
	ts := []Trigger{trg("size", []Condition{cond("customer_fields.size", GreaterThan, 10)}, quietNote)}
	compileValid(t, testSchema(), Options{}, ts...)
	redefined := NewSchema([]field.Field{{Key: "size", Kind: field.KindCustomer, Type: field.TypeDate}}, testLanguages, "ko")
	set, err := Compile(ts, redefined, Options{})
	if err != nil {
		assert.ErrorIs(t, err, ErrInvalid, "refusing to compile is fine too")
		return
	}
	a := &applier{}
	tk := baseTicket()
	tk.CustomerFields["size"] = "2026-03-01"
	_, err = set.Run(ctxb, baseInput(), &tk, a)
	assert.NoError(t, err)
	assert.Empty(t, a.fired)
}

// TestRun_TRG4_WrongShapesNeverFail: whatever shape a ticket's custom values
// have, no condition of any valid trigger makes Run fail.
func TestRun_TRG4_WrongShapesNeverFail(t *testing.T) {
	s := testSchema()
	var ts []Trigger
	for i, c := range allOpCases(s) {
		ts = append(ts, trg(strconv.Itoa(i), nil, quietNote))
		ts[i].Any = []Condition{c.cond}
	}
	set := compileValidLoose(t, s, ts)
	shapes := []any{"x", "", "  ", 1.0, 0.0, true, false, []string{}, []string{"a", "zz"}, []any{"a", 1}, 7, map[string]any{"a": 1}, struct{}{}}
	for _, sh := range shapes {
		for _, created := range []bool{false, true} {
			tk := baseTicket()
			in := baseInput()
			for k := range tk.CustomerFields {
				tk.CustomerFields[k] = sh
			}
			for k := range tk.AgentFields {
				tk.AgentFields[k] = sh
			}
			if created {
				in.Event, in.Before = ticket.EventCreated, ticket.Ticket{}
			}
			_, err := set.Run(ctxb, in, &tk, &applier{})
			assert.NoError(t, err, "%#v", sh)
			_, err = set.DryRun(in, tk)
			assert.NoError(t, err, "%#v", sh)
		}
	}
}

// compileValidLoose compiles the triggers of ts Validate accepts and
// reports the others as test errors; it keeps the rest testable while a
// Validate bug refuses some.
func compileValidLoose(t *testing.T, s *Schema, ts []Trigger) *Set {
	t.Helper()
	var ok []Trigger
	refused := 0
	for _, tr := range ts {
		n, err := Validate(ctxb, New{Name: tr.Name, All: tr.All, Any: tr.Any, Actions: tr.Actions}, s, newResolver())
		if err != nil {
			refused++
			if refused <= 3 {
				t.Errorf("trigger %s refused: %v", tr.ID, err)
			}
			continue
		}
		tr.All, tr.Any, tr.Actions = n.All, n.Any, n.Actions
		ok = append(ok, tr)
	}
	if refused > 0 {
		t.Errorf("%d of %d valid triggers refused", refused, len(ts))
	}
	set, err := Compile(ok, s, Options{})
	require.NoError(t, err)
	return set
}

// The random workload: triggers over every target and operator with values
// from small pools, so that they often hold, and tickets drawn from the
// same pools, with missing and wrong-shaped custom values.

// picker draws choices: *rand.Rand, or the fuzzer's bytes.
type picker interface{ IntN(n int) int }

func pick[T any](p picker, l []T) T { return l[p.IntN(len(l))] }

var (
	intakePool     = []string{"in-root", "in-child", "in-grand", "in-other"}
	processingPool = []string{"pr-root", "pr-child", "pr-other"}
	agentPool      = []string{"a1", "a2", "a3"}
	groupPool      = []string{"g1", "g2", "g3"}
	emailPool      = []string{"Kim@Example.com", "kim@example.com", "lee@test.org", "example"}
	wordPool       = []string{"refund", "REFUND", "ＲＥＦＵＮＤ", "order", "Café", "cafe\u0301", "감사", "배송", "wrap", "example", "kim", "42", "gift wrap"}
	tagPool        = []string{"billing", "vip", "spam", "urgent", "a", "t0"}
	numPool        = []float64{-1, 0, 5, 12, 12.5, 100}
	datePool       = []string{"2026-02-28", "2026-03-01", "2026-03-02"}
	dateTimePool   = []string{"2026-03-01T09:00:00+09:00", "2026-03-01T00:00:00Z", "2026-02-28T23:00:00-01:00", "2026-03-01T00:00:00.5Z", "2026-01-01T00:00:00Z"}
	wrongPool      = []any{"x", "", 1.0, true, []string{"a"}, []string{}}
)

func textPool(tg Target) []string {
	switch tg.Name {
	case TargetRequesterEmail:
		return append(slices.Clone(emailPool), wordPool...)
	case TargetTitle:
		return append([]string{"Refund request for order 42", "Shipping"}, wordPool...)
	}
	if tg.Field != nil {
		s := textSamples[tg.Field.Type]
		return append([]string{s.val, s.other, s.word, s.miss}, wordPool...)
	}
	return wordPool
}

// genScalar draws one value of target tg.
func genScalar(p picker, tg Target) any {
	switch tg.Type {
	case TypeEvent, TypeStatus, TypePriority, TypeChannel, TypeLanguage, TypeSelect, TypeMulti:
		return pick(p, tg.Values)
	case TypeCategory:
		if tg.Tree == "intake" {
			return pick(p, intakePool)
		}
		return pick(p, processingPool)
	case TypeAgent:
		return pick(p, agentPool)
	case TypeGroup:
		return pick(p, groupPool)
	case TypeText:
		return pick(p, textPool(tg))
	case TypeTags:
		return pick(p, tagPool)
	case TypeNumber:
		return pick(p, numPool)
	case TypeHours:
		return float64(p.IntN(60))
	case TypeDate:
		return pick(p, datePool)
	case TypeDateTime:
		return pick(p, dateTimePool)
	case TypeCheckbox:
		return p.IntN(2) == 0
	}
	panic("no values of " + string(tg.Type))
}

// genValue draws the value of a condition on tg with op.
func genValue(p picker, tg Target, op Op) any {
	switch op {
	case Changed, NotChanged, Present, Absent:
		return nil
	case In, NotIn, IsUnderAny, IsNotUnderAny:
		return genList(p, tg)
	case Contains, NotContains, ContainsWords, NotContainsWords:
		if p.IntN(2) == 0 {
			return genList(p, tg)
		}
	}
	return genScalar(p, tg)
}

func genList(p picker, tg Target) []string {
	n := 1 + p.IntN(3)
	var out []string
	for range n {
		v := ticket.FormatValue(genScalar(p, tg))
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// genCondition draws a condition on one of the schema's targets.
func genCondition(p picker, s *Schema) Condition {
	tg := pick(p, s.Targets)
	op := pick(p, tg.Ops)
	return Condition{Target: tg.Name, Op: op, Value: genValue(p, tg, op)}
}

// genTrigger draws a trigger of 1 to 5 conditions.
func genTrigger(p picker, s *Schema, id string, actions ...Action) Trigger {
	tr := Trigger{ID: id, Name: "random " + id, Active: true, Actions: actions}
	for n := p.IntN(4); len(tr.All) < n; {
		tr.All = append(tr.All, genCondition(p, s))
	}
	for n := p.IntN(3); len(tr.Any) < n; {
		tr.Any = append(tr.Any, genCondition(p, s))
	}
	if len(tr.All)+len(tr.Any) == 0 {
		tr.All = append(tr.All, genCondition(p, s))
	}
	return tr
}

// genFieldValue draws a custom value of tg: missing, of the wrong shape,
// or one of its type.
func genFieldValue(p picker, tg Target) any {
	switch p.IntN(6) {
	case 0:
		return nil
	case 1:
		return pick(p, wrongPool)
	}
	if tg.Type == TypeMulti {
		var l []string
		for _, v := range tg.Values {
			if p.IntN(2) == 0 {
				l = append(l, v)
			}
		}
		return l
	}
	return genScalar(p, tg)
}

// ticketSetters each set one part of a ticket to a random value.
func ticketSetters(s *Schema) []func(picker, *ticket.Ticket) {
	opt := func(p picker, pool []string) string {
		if p.IntN(4) == 0 {
			return ""
		}
		return pick(p, pool)
	}
	out := []func(picker, *ticket.Ticket){
		func(p picker, tk *ticket.Ticket) { tk.Status = pick(p, ticket.Statuses) },
		func(p picker, tk *ticket.Ticket) { tk.Priority = pick(p, ticket.Priorities) },
		func(p picker, tk *ticket.Ticket) { tk.Channel = pick(p, ticket.Channels) },
		func(p picker, tk *ticket.Ticket) { tk.Language = pick(p, testLanguages) },
		func(p picker, tk *ticket.Ticket) { tk.IntakeCategoryID = opt(p, intakePool) },
		func(p picker, tk *ticket.Ticket) { tk.ProcessingCategoryID = opt(p, processingPool) },
		func(p picker, tk *ticket.Ticket) { tk.AssigneeID = opt(p, agentPool) },
		func(p picker, tk *ticket.Ticket) { tk.GroupID = opt(p, groupPool) },
		func(p picker, tk *ticket.Ticket) { tk.Requester.Email = opt(p, emailPool) },
		func(p picker, tk *ticket.Ticket) { tk.Title = pick(p, textPool(Target{Name: TargetTitle})) },
		func(p picker, tk *ticket.Ticket) {
			var b strings.Builder
			for range p.IntN(6) {
				b.WriteString(pick(p, wordPool))
				b.WriteString(pick(p, []string{" ", "", ". "}))
			}
			tk.Content = b.String()
		},
		func(p picker, tk *ticket.Ticket) {
			var tags []string
			for _, tg := range tagPool {
				if p.IntN(3) == 0 {
					tags = append(tags, tg)
				}
			}
			tk.Tags = ticket.NormalizeTags(tags)
		},
		func(p picker, tk *ticket.Ticket) { tk.CreatedAt = tNow.Add(-time.Duration(p.IntN(100)) * time.Hour) },
		func(p picker, tk *ticket.Ticket) {
			tk.UpdatedAt = tNow.Add(-time.Duration(p.IntN(100)) * time.Minute * 17)
		},
	}
	for _, tg := range s.Targets {
		if tg.Field != nil {
			out = append(out, func(p picker, tk *ticket.Ticket) { putField(tk, tg.Name, genFieldValue(p, tg)) })
		}
	}
	return out
}

// genEvent draws an event: the ticket as it is and the input.
func genEvent(p picker, s *Schema, setters []func(picker, *ticket.Ticket)) (Input, ticket.Ticket) {
	tk := baseTicket()
	for _, set := range setters {
		set(p, &tk)
	}
	in := Input{Event: pick(p, ticket.Events), Now: tNow, Ancestors: ancestors}
	if p.IntN(8) == 0 {
		in.Ancestors = nil
	}
	if in.Event == ticket.EventCreated {
		return in, tk
	}
	in.Before = tk.Clone()
	for _, set := range setters {
		if p.IntN(4) == 0 {
			set(p, &in.Before)
		}
	}
	return in, tk
}

// fullEnv builds the evalEnv of one evaluation of s on in and tk with every
// part built, as if no prefilter skipped anything.
func fullEnv(s *Set, in Input, tk *ticket.Ticket) evalEnv {
	sc := &scratch{}
	var env evalEnv
	env.Event = eventIndex(in.Event)
	s.state(&env.Before, &in.Before, &sc.fPrev, sc, in, 0)
	s.fill(&env, tk, in, ^uint16(0), sc)
	return env
}

// sourcePrograms compiles each trigger's full Source, masked conditions
// included, on its own.
func sourcePrograms(t *testing.T, s *Set) []*vm.Program {
	t.Helper()
	out := make([]*vm.Program, s.Len())
	for i := range out {
		p, err := expr.Compile(s.Source(i), expr.Env(evalEnv{}), expr.AsBool())
		require.NoError(t, err, s.Source(i))
		out[i] = p
	}
	return out
}

// expected reports, for each trigger of s, whether its full Source holds
// on in and tk.
func expected(t *testing.T, s *Set, progs []*vm.Program, in Input, tk ticket.Ticket) []string {
	t.Helper()
	env := fullEnv(s, in, &tk)
	var out []string
	for i, p := range progs {
		r, err := expr.Run(p, env)
		require.NoError(t, err, s.Source(i))
		if r.(bool) {
			out = append(out, s.triggers[i].ID)
		}
	}
	return out
}

// TestRun_TRG7_PrefilterMatchesFullSource: for random triggers and events,
// the triggers a Set fires (prefilter masks, the programs without the
// masked conditions, the env parts built only when needed, slots and words
// shared between triggers) are the ones whose full Source holds on a fully
// built env, and the ones a Set of that trigger alone fires.
func TestRun_TRG7_PrefilterMatchesFullSource(t *testing.T) {
	s := testSchema()
	setters := ticketSetters(s)
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x5eed))
			var ts []Trigger
			for i := range 80 {
				ts = append(ts, genTrigger(r, s, fmt.Sprintf("r%02d", i), quietNote))
			}
			set := compileValidLoose(t, s, ts)
			progs := sourcePrograms(t, set)
			var singles []*Set
			for _, tr := range set.Triggers() {
				one, err := Compile([]Trigger{tr}, s, Options{})
				require.NoError(t, err)
				singles = append(singles, one)
			}
			fired := 0
			for e := range 300 {
				in, tk := genEvent(r, s, setters)
				want := expected(t, set, progs, in, tk)
				rec := &recorder{}
				run := tk.Clone()
				out, err := set.Run(ctxb, in, &run, rec)
				require.NoError(t, err)
				assert.Equal(t, want, rec.ids, "event %d", e)
				assert.Equal(t, 1, out.Passes)
				assert.Equal(t, tk, run, "a quiet applier changes nothing")
				var alone []string
				for _, one := range singles {
					rec := &recorder{}
					_, err := one.Run(ctxb, in, &run, rec)
					require.NoError(t, err)
					alone = append(alone, rec.ids...)
				}
				assert.Equal(t, want, alone, "event %d, one trigger per set", e)
				fired += len(want)
			}
			// The workload is not degenerate: triggers fire, and not all.
			assert.Greater(t, fired, 300)
			assert.Less(t, fired, 300*set.Len()/2)
		})
	}
}

// changePool are ticket-changing actions for the random triggers of runs
// with several passes.
var changePool = []Action{
	addTags("a"), addTags("vip", "t0"), {Kind: RemoveTags, Tags: []string{"vip"}},
	{Kind: SetPriority, Value: "urgent"}, {Kind: SetPriority, Value: "low"},
	{Kind: SetStatus, Value: "pending"}, {Kind: SetStatus, Value: "solved"}, {Kind: SetStatus, Value: "open"},
	{Kind: SetField, Field: "customer_fields.size", Value: 100.0}, {Kind: SetField, Field: "customer_fields.gift"},
	{Kind: SetProcessingCategory, CategoryID: "pr-other"}, quietNote,
}

type runResult struct {
	out    Outcome
	err    string
	fired  []string
	errs   int
	ticket ticket.Ticket
}

// TestSet_TRG7_ConcurrentUse: one Set runs on 8 goroutines at once and
// gives each event what a serial run gives. Run with -race.
func TestSet_TRG7_ConcurrentUse(t *testing.T) {
	s := testSchema()
	r := rand.New(rand.NewPCG(11, 12))
	var ts []Trigger
	for i := range 60 {
		ts = append(ts, genTrigger(r, s, fmt.Sprintf("c%02d", i), pick(r, changePool), pick(r, changePool)))
	}
	set := compileValidLoose(t, s, ts)
	setters := ticketSetters(s)
	type event struct {
		in Input
		tk ticket.Ticket
	}
	var events []event
	for range 64 {
		in, tk := genEvent(r, s, setters)
		events = append(events, event{in, tk})
	}
	runOne := func(e event) runResult {
		a := &applier{}
		tk := e.tk.Clone()
		out, err := set.Run(ctxb, e.in, &tk, a)
		res := runResult{out: out, fired: a.fired, errs: len(a.errs), ticket: tk}
		if err != nil {
			res.err = err.Error()
		}
		return res
	}
	serial := make([]runResult, len(events))
	multi := 0
	for i, e := range events {
		serial[i] = runOne(e)
		assert.Empty(t, serial[i].err)
		if serial[i].out.Passes > 2 {
			multi++
		}
	}
	assert.Positive(t, multi, "some events take several passes")
	got := make([][]runResult, 8)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() {
			for range 5 {
				for i := range events {
					got[g] = append(got[g], runOne(events[(i+g*7)%len(events)]))
				}
			}
		})
	}
	wg.Wait()
	for g, rs := range got {
		for k, res := range rs {
			i := (k%len(events) + g*7) % len(events)
			require.Equal(t, serial[i], res, "goroutine %d, event %d", g, i)
		}
	}
}
