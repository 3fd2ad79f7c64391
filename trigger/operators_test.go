package trigger

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// The fixture every test of the package shares: a service with the system
// fields and one user field of every FLD-1 type, three languages, two
// category trees, three agents and three groups.

var testUserFields = []field.Field{
	{Key: "note", Kind: field.KindCustomer, Type: field.TypeText},
	{Key: "memo", Kind: field.KindCustomer, Type: field.TypeMultiline},
	{Key: "size", Kind: field.KindCustomer, Type: field.TypeNumber},
	{Key: "due", Kind: field.KindCustomer, Type: field.TypeDate},
	{Key: "visit", Kind: field.KindCustomer, Type: field.TypeDateTime},
	{Key: "plan", Kind: field.KindCustomer, Type: field.TypeSelect,
		Options: []field.Option{{Value: "free"}, {Value: "pro"}, {Value: "team"}}},
	{Key: "addons", Kind: field.KindCustomer, Type: field.TypeMultiSelect,
		Options: []field.Option{{Value: "a"}, {Value: "b"}, {Value: "c"}}},
	{Key: "gift", Kind: field.KindCustomer, Type: field.TypeCheckbox},
	{Key: "contact", Kind: field.KindCustomer, Type: field.TypeEmail},
	{Key: "mobile", Kind: field.KindCustomer, Type: field.TypePhone},
	{Key: "site", Kind: field.KindCustomer, Type: field.TypeURL},
	{Key: "score", Kind: field.KindAgent, Type: field.TypeNumber},
	{Key: "internal", Kind: field.KindAgent, Type: field.TypeText},
	{Key: "stage", Kind: field.KindAgent, Type: field.TypeSelect,
		Options: []field.Option{{Value: "s1"}, {Value: "s2"}}},
}

var testLanguages = []string{"ko", "en", "ja"}

// testSchema returns the fixture's schema: the system fields (those that
// stand for a ticket column are the ticket's own targets) and the user
// fields.
func testSchema() *Schema {
	return NewSchema(field.Merge(testUserFields), testLanguages, "ko")
}

// fakeResolver is a map-backed Resolver. err, when set, is what every
// lookup returns (a storage error).
type fakeResolver struct {
	cats   map[string]category.Category
	agents map[string]bool
	groups map[string]bool
	err    error
}

func cat(id string, tree category.Tree, path ...string) category.Category {
	c := category.Category{ID: id, Tree: tree, Path: path, Name: i18n.Text{"ko": id}, Enabled: true}
	if len(path) > 0 {
		c.ParentID = path[len(path)-1]
	}
	return c
}

func newResolver() *fakeResolver {
	r := &fakeResolver{cats: map[string]category.Category{}, agents: map[string]bool{}, groups: map[string]bool{}}
	for _, c := range []category.Category{
		cat("in-root", category.Intake),
		cat("in-child", category.Intake, "in-root"),
		cat("in-grand", category.Intake, "in-root", "in-child"),
		cat("in-other", category.Intake),
		cat("pr-root", category.Processing),
		cat("pr-child", category.Processing, "pr-root"),
		cat("pr-other", category.Processing),
	} {
		r.cats[c.ID] = c
	}
	for _, id := range []string{"a1", "a2", "a3"} {
		r.agents[id] = true
	}
	for _, id := range []string{"g1", "g2", "g3"} {
		r.groups[id] = true
	}
	return r
}

func (r *fakeResolver) Category(_ context.Context, id string) (category.Category, error) {
	if r.err != nil {
		return category.Category{}, r.err
	}
	c, ok := r.cats[id]
	if !ok {
		return category.Category{}, fmt.Errorf("category %q: %w", id, ErrNotFound)
	}
	return c.Clone(), nil
}

func (r *fakeResolver) Agent(_ context.Context, id string) error {
	if r.err != nil {
		return r.err
	}
	if !r.agents[id] {
		return fmt.Errorf("agent %q: %w", id, ErrNotFound)
	}
	return nil
}

func (r *fakeResolver) Group(_ context.Context, id string) error {
	if r.err != nil {
		return r.err
	}
	if !r.groups[id] {
		return fmt.Errorf("group %q: %w", id, ErrNotFound)
	}
	return nil
}

// ancestors is Input.Ancestors for the fixture's categories.
func ancestors(id string) []string {
	return slices.Clone(newResolver().cats[id].Path)
}

var (
	tCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tUpdated = tCreated.Add(24 * time.Hour)
	tNow     = tUpdated.Add(6 * time.Hour) // 30 hours after creation, 6 after the last update
)

// baseTicket has a value for every target of the fixture.
func baseTicket() ticket.Ticket {
	return ticket.Ticket{
		ID: "tk1", ServiceID: "svc", Number: 1024, Version: 3,
		Requester: ticket.Requester{Name: "Kim", Email: "Kim@Example.com", Phone: "+82 10 1111 2222"},
		Title:     "Refund request for order 42",
		Content:   "Hello, I want a REFUND for my order. Café au lait was cold. 감사합니다",
		Channel:   ticket.ChannelEmail, Language: "ko", Status: ticket.StatusOpen, Priority: ticket.PriorityHigh,
		IntakeCategoryID: "in-child", ProcessingCategoryID: "pr-child", GroupID: "g1", AssigneeID: "a1",
		Tags: []string{"billing", "vip"},
		CustomerFields: ticket.Fields{
			"note": "Gift wrap please", "memo": "line one\nGift WRAP here", "size": 12.0, "due": "2026-03-01",
			"visit": "2026-03-01T09:00:00+09:00", "plan": "pro", "addons": []string{"a", "b"}, "gift": true,
			"contact": "ann@example.com", "mobile": "+82 10-1234-5678", "site": "https://example.com/orders/42",
			// system fields that are custom values
			"privacy_consent": true, "consulted_at": "2026-03-01T09:00:00+09:00", "call_direction": "out",
			"phone_reservation": true, "reserved_at": "2026-03-01T09:00:00+09:00", "reservation_number": "Gift wrap please",
		},
		AgentFields: ticket.Fields{"score": 12.0, "internal": "Gift wrap please", "stage": "s2"},
		CreatedAt:   tCreated, UpdatedAt: tUpdated,
	}
}

// baseInput is an updated event after which nothing changed.
func baseInput() Input {
	return Input{Event: ticket.EventUpdated, Before: baseTicket(), Now: tNow, Ancestors: ancestors}
}

// mod changes the input or the ticket of a case.
type mod func(in *Input, tk *ticket.Ticket)

// onCreated makes the event a created one: the ticket before is the zero
// ticket (TRG-4).
func onCreated() mod {
	return func(in *Input, _ *ticket.Ticket) { in.Event, in.Before = ticket.EventCreated, ticket.Ticket{} }
}

func onEvent(e ticket.EventKind) mod { return func(in *Input, _ *ticket.Ticket) { in.Event = e } }

// now changes the ticket as it is; was the ticket before the event.
func now(f func(*ticket.Ticket)) mod { return func(_ *Input, tk *ticket.Ticket) { f(tk) } }
func was(f func(*ticket.Ticket)) mod { return func(in *Input, _ *ticket.Ticket) { f(&in.Before) } }

func noAncestors() mod { return func(in *Input, _ *ticket.Ticket) { in.Ancestors = nil } }

// putField sets (or with nil removes) the value of custom-field target
// name in tk.
func putField(tk *ticket.Ticket, name string, v any) {
	kind, key, ok := SplitField(name)
	if !ok {
		panic("not a field target: " + name)
	}
	vals := &tk.CustomerFields
	if kind == field.KindAgent {
		vals = &tk.AgentFields
	}
	if v == nil {
		delete(*vals, key)
		return
	}
	if *vals == nil {
		*vals = ticket.Fields{}
	}
	(*vals)[key] = v
}

func nowField(name string, v any) mod { return now(func(tk *ticket.Ticket) { putField(tk, name, v) }) }
func wasField(name string, v any) mod { return was(func(tk *ticket.Ticket) { putField(tk, name, v) }) }

// opCase is one condition on one event: whether it holds.
type opCase struct {
	what string
	cond Condition
	want bool
	mods []mod
}

func (c opCase) input() (Input, ticket.Ticket) {
	in, tk := baseInput(), baseTicket()
	for _, m := range c.mods {
		m(&in, &tk)
	}
	return in, tk
}

var ctxb = context.Background()

// quietNote is an action that changes nothing: a trigger with it fires and
// the run ends after one pass.
var quietNote = Action{Kind: Note, Body: i18n.Text{"ko": "메모"}}

// fires validates and compiles one trigger whose only condition is c and
// reports whether it fired on in and tk. It runs c in the all list (where
// the prefilter may decide it) and in the any list (where the program
// does), and checks that a dry run reports the condition's Held the same.
func fires(t *testing.T, s *Schema, c Condition, in Input, tk ticket.Ticket) bool {
	t.Helper()
	n, err := Validate(ctxb, New{Name: "one condition", All: []Condition{c}, Actions: []Action{quietNote}}, s, newResolver())
	require.NoError(t, err, "the case's condition must be valid")
	var got []bool
	for _, tr := range []Trigger{{ID: "all", All: n.All}, {ID: "any", Any: n.All}} {
		tr.Name, tr.Active, tr.Actions = n.Name, true, n.Actions
		set, err := Compile([]Trigger{tr}, s, Options{})
		require.NoError(t, err)
		rec := &recorder{}
		run := tk.Clone()
		out, err := set.Run(ctxb, in, &run, rec)
		require.NoError(t, err, "%s", set.Source(0))
		fired := len(rec.ids) == 1
		assert.Equal(t, len(rec.ids), out.Fired)
		rep, err := set.DryRun(in, tk)
		require.NoError(t, err)
		require.Len(t, rep.Triggers, 1)
		require.Len(t, rep.Triggers[0].Conditions, 1)
		assert.Equal(t, fired, rep.Triggers[0].Fired, "%s: dry run's Fired", tr.ID)
		assert.Equal(t, fired, rep.Triggers[0].Conditions[0].Held, "%s: dry run's Held", tr.ID)
		got = append(got, fired)
	}
	assert.Equal(t, got[0], got[1], "the condition in the all list and in the any list")
	return got[0]
}

func cs(target string, op Op, v any, want bool, what string, mods ...mod) opCase {
	return opCase{what: what, cond: Condition{Target: target, Op: op, Value: v}, want: want, mods: mods}
}

// ownCases are the cases of the ticket's own targets.
func ownCases() []opCase {
	setStatus := func(s ticket.Status) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Status = s } }
	setPrio := func(p ticket.Priority) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Priority = p } }
	setChan := func(c ticket.Channel) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Channel = c } }
	setLang := func(l string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Language = l } }
	setIn := func(id string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.IntakeCategoryID = id } }
	setPr := func(id string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.ProcessingCategoryID = id } }
	setAs := func(id string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.AssigneeID = id } }
	setGr := func(id string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.GroupID = id } }
	setMail := func(m string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Requester.Email = m } }
	setTitle := func(s string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Title = s } }
	setContent := func(s string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Content = s } }
	setTags := func(tags ...string) func(*ticket.Ticket) { return func(tk *ticket.Ticket) { tk.Tags = tags } }

	var out []opCase
	add := func(c ...opCase) { out = append(out, c...) }

	// event (now: updated)
	add(
		cs(TargetEvent, Is, "updated", true, "this event"),
		cs(TargetEvent, Is, "created", false, "another event"),
		cs(TargetEvent, Is, "customer_replied", true, "customer replied", onEvent(ticket.EventCustomerReplied)),
		cs(TargetEvent, Is, "agent_replied", true, "agent replied", onEvent(ticket.EventAgentReplied)),
		cs(TargetEvent, Is, "created", true, "created", onCreated()),
		cs(TargetEvent, IsNot, "created", true, "another event"),
		cs(TargetEvent, IsNot, "updated", false, "this event"),
		cs(TargetEvent, In, []string{"created", "updated"}, true, "listed"),
		cs(TargetEvent, In, []any{"customer_replied", "agent_replied"}, false, "not listed"),
		cs(TargetEvent, NotIn, []string{"created"}, true, "not listed"),
		cs(TargetEvent, NotIn, []string{"agent_replied", "updated"}, false, "listed"),
	)

	// status (now: open)
	add(
		cs(TargetStatus, Is, "open", true, "same"),
		cs(TargetStatus, Is, "pending", false, "other"),
		cs(TargetStatus, Is, "open", true, "holds on every later event too (TRG-4)", onEvent(ticket.EventCustomerReplied)),
		cs(TargetStatus, IsNot, "pending", true, "other"),
		cs(TargetStatus, IsNot, "open", false, "same"),
		cs(TargetStatus, In, []string{"new", "open"}, true, "listed"),
		cs(TargetStatus, In, []string{"solved", "closed"}, false, "not listed"),
		cs(TargetStatus, NotIn, []string{"solved"}, true, "not listed"),
		cs(TargetStatus, NotIn, []string{"pending", "open"}, false, "listed"),
		cs(TargetStatus, Changed, nil, true, "new → open", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, Changed, nil, false, "unchanged"),
		cs(TargetStatus, Changed, nil, true, "created (TRG-4)", onCreated()),
		cs(TargetStatus, ChangedTo, "open", true, "new → open", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, ChangedTo, "open", false, "was open already"),
		cs(TargetStatus, ChangedTo, "pending", false, "new → open, not pending", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, ChangedTo, "open", true, "created open", onCreated()),
		cs(TargetStatus, ChangedFrom, "new", true, "new → open", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, ChangedFrom, "pending", false, "new → open", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, ChangedFrom, "open", false, "unchanged open"),
		cs(TargetStatus, ChangedFrom, "new", false, "created: nothing before", onCreated()),
		cs(TargetStatus, NotChanged, nil, true, "unchanged"),
		cs(TargetStatus, NotChanged, nil, false, "new → open", was(setStatus(ticket.StatusNew))),
		cs(TargetStatus, NotChanged, nil, false, "created", onCreated()),
	)

	// priority (now: high), ordered by rank
	add(
		cs(TargetPriority, Is, "high", true, "same"),
		cs(TargetPriority, Is, "low", false, "other"),
		cs(TargetPriority, IsNot, "urgent", true, "other"),
		cs(TargetPriority, IsNot, "high", false, "same"),
		cs(TargetPriority, In, []string{"high", "urgent"}, true, "listed"),
		cs(TargetPriority, In, []string{"low"}, false, "not listed"),
		cs(TargetPriority, NotIn, []string{"low", "normal"}, true, "not listed"),
		cs(TargetPriority, NotIn, []string{"high"}, false, "listed"),
		cs(TargetPriority, GreaterThan, "normal", true, "high > normal"),
		cs(TargetPriority, GreaterThan, "low", true, "high > low"),
		cs(TargetPriority, GreaterThan, "high", false, "high > high"),
		cs(TargetPriority, GreaterThan, "urgent", false, "high > urgent"),
		cs(TargetPriority, GreaterThan, "high", true, "urgent > high", now(setPrio(ticket.PriorityUrgent))),
		cs(TargetPriority, LessThan, "urgent", true, "high < urgent"),
		cs(TargetPriority, LessThan, "high", false, "high < high"),
		cs(TargetPriority, LessThan, "normal", false, "high < normal"),
		cs(TargetPriority, LessThan, "normal", true, "low < normal", now(setPrio(ticket.PriorityLow))),
		cs(TargetPriority, Changed, nil, true, "normal → high", was(setPrio(ticket.PriorityNormal))),
		cs(TargetPriority, Changed, nil, false, "unchanged"),
		cs(TargetPriority, ChangedTo, "high", true, "normal → high", was(setPrio(ticket.PriorityNormal))),
		cs(TargetPriority, ChangedTo, "urgent", false, "normal → high", was(setPrio(ticket.PriorityNormal))),
		cs(TargetPriority, ChangedFrom, "normal", true, "normal → high", was(setPrio(ticket.PriorityNormal))),
		cs(TargetPriority, ChangedFrom, "high", false, "unchanged"),
		cs(TargetPriority, NotChanged, nil, true, "unchanged"),
		cs(TargetPriority, NotChanged, nil, false, "low → high", was(setPrio(ticket.PriorityLow))),
	)

	// channel (now: email)
	add(
		cs(TargetChannel, Is, "email", true, "same"),
		cs(TargetChannel, Is, "phone", false, "other"),
		cs(TargetChannel, IsNot, "chat", true, "other"),
		cs(TargetChannel, IsNot, "email", false, "same"),
		cs(TargetChannel, In, []string{"api", "email"}, true, "listed"),
		cs(TargetChannel, In, []string{"help_center", "agent"}, false, "not listed"),
		cs(TargetChannel, NotIn, []string{"phone"}, true, "not listed"),
		cs(TargetChannel, NotIn, []string{"email"}, false, "listed"),
		cs(TargetChannel, Changed, nil, true, "phone → email", was(setChan(ticket.ChannelPhone))),
		cs(TargetChannel, Changed, nil, false, "unchanged"),
		cs(TargetChannel, ChangedTo, "email", true, "phone → email", was(setChan(ticket.ChannelPhone))),
		cs(TargetChannel, ChangedTo, "email", false, "unchanged"),
		cs(TargetChannel, ChangedFrom, "phone", true, "phone → email", was(setChan(ticket.ChannelPhone))),
		cs(TargetChannel, ChangedFrom, "chat", false, "phone → email", was(setChan(ticket.ChannelPhone))),
		cs(TargetChannel, NotChanged, nil, true, "unchanged"),
		cs(TargetChannel, NotChanged, nil, false, "created", onCreated()),
	)

	// intake and processing categories (now: in-child under in-root,
	// pr-child under pr-root)
	for _, tree := range []struct {
		target                        string
		set                           func(string) func(*ticket.Ticket)
		root, child, grand, other, no string
	}{
		{TargetIntakeCategory, setIn, "in-root", "in-child", "in-grand", "in-other", ""},
		{TargetProcessingCategory, setPr, "pr-root", "pr-child", "pr-child", "pr-other", ""},
	} {
		tg, set := tree.target, tree.set
		add(
			cs(tg, Is, tree.child, true, "same"),
			cs(tg, Is, tree.root, false, "its parent"),
			cs(tg, Is, tree.child, false, "none", now(set(""))),
			cs(tg, IsNot, tree.root, true, "its parent"),
			cs(tg, IsNot, tree.child, false, "same"),
			cs(tg, IsNot, tree.child, true, "none", now(set(""))),
			cs(tg, IsUnder, tree.root, true, "under its ancestor"),
			cs(tg, IsUnder, tree.child, true, "is the category itself"),
			cs(tg, IsUnder, tree.other, false, "another branch"),
			cs(tg, IsUnder, tree.root, false, "no ancestors known", noAncestors()),
			cs(tg, IsUnder, tree.child, true, "itself, no ancestors known", noAncestors()),
			cs(tg, IsUnder, tree.root, false, "none", now(set(""))),
			cs(tg, IsUnder, tree.child, false, "the root is not under its child", now(set(tree.root))),
			cs(tg, IsNotUnder, tree.other, true, "another branch"),
			cs(tg, IsNotUnder, tree.root, false, "under its ancestor"),
			cs(tg, IsNotUnder, tree.child, false, "itself"),
			cs(tg, IsNotUnder, tree.root, true, "none", now(set(""))),
			cs(tg, In, []string{tree.other, tree.child}, true, "listed"),
			cs(tg, In, []string{tree.root, tree.other}, false, "its parent is listed, not it"),
			cs(tg, In, []string{tree.child}, false, "none", now(set(""))),
			cs(tg, NotIn, []string{tree.root, tree.other}, true, "not listed"),
			cs(tg, NotIn, []string{tree.other, tree.child}, false, "listed"),
			cs(tg, NotIn, []string{tree.child}, true, "none", now(set(""))),
			cs(tg, IsUnderAny, []string{tree.other, tree.root}, true, "under one of them"),
			cs(tg, IsUnderAny, []string{tree.child}, true, "is one of them"),
			cs(tg, IsUnderAny, []string{tree.other}, false, "another branch"),
			cs(tg, IsUnderAny, []string{tree.other, tree.root}, false, "no ancestors known", noAncestors()),
			cs(tg, IsUnderAny, []string{tree.root, tree.child}, true, "itself, no ancestors known", noAncestors()),
			cs(tg, IsUnderAny, []string{tree.root, tree.other}, false, "none", now(set(""))),
			cs(tg, IsUnderAny, []string{tree.child, tree.other}, false, "the root is not under its child", now(set(tree.root))),
			cs(tg, IsUnderAny, []string{tree.child, tree.other}, true, "other branch listed too", now(set(tree.other))),
			cs(tg, IsNotUnderAny, []string{tree.other}, true, "another branch"),
			cs(tg, IsNotUnderAny, []string{tree.other, tree.root}, false, "under one of them"),
			cs(tg, IsNotUnderAny, []string{tree.child}, false, "itself"),
			cs(tg, IsNotUnderAny, []string{tree.root}, true, "none", now(set(""))),
			cs(tg, Present, nil, true, "set"),
			cs(tg, Present, nil, false, "none", now(set(""))),
			cs(tg, Absent, nil, true, "none", now(set(""))),
			cs(tg, Absent, nil, false, "set"),
			cs(tg, Changed, nil, true, "none → child", was(set(""))),
			cs(tg, Changed, nil, true, "root → child", was(set(tree.root))),
			cs(tg, Changed, nil, false, "unchanged"),
			cs(tg, Changed, nil, true, "created with one (TRG-4)", onCreated()),
			cs(tg, Changed, nil, false, "created without one", onCreated(), now(set(""))),
			cs(tg, ChangedTo, tree.child, true, "root → child", was(set(tree.root))),
			cs(tg, ChangedTo, tree.child, false, "unchanged"),
			cs(tg, ChangedTo, tree.root, false, "root → child", was(set(tree.root))),
			cs(tg, ChangedFrom, tree.root, true, "root → child", was(set(tree.root))),
			cs(tg, ChangedFrom, tree.other, false, "root → child", was(set(tree.root))),
			cs(tg, ChangedFrom, tree.child, false, "unchanged"),
			cs(tg, NotChanged, nil, true, "unchanged"),
			cs(tg, NotChanged, nil, false, "child → none", now(set(""))),
		)
		if tree.grand != tree.child {
			add(cs(tg, IsUnder, tree.grand, false, "a descendant is not an ancestor"),
				cs(tg, IsUnderAny, []string{tree.grand, tree.other}, false, "a descendant is not an ancestor"))
		}
	}

	// assignee (a1) and group (g1)
	for _, who := range []struct {
		target          string
		set             func(string) func(*ticket.Ticket)
		id, other, more string
	}{{TargetAssignee, setAs, "a1", "a2", "a3"}, {TargetGroup, setGr, "g1", "g2", "g3"}} {
		tg, set := who.target, who.set
		add(
			cs(tg, Is, who.id, true, "same"),
			cs(tg, Is, who.other, false, "other"),
			cs(tg, Is, who.id, false, "none", now(set(""))),
			cs(tg, IsNot, who.other, true, "other"),
			cs(tg, IsNot, who.id, false, "same"),
			cs(tg, IsNot, who.id, true, "none", now(set(""))),
			cs(tg, In, []string{who.other, who.id}, true, "listed"),
			cs(tg, In, []string{who.other, who.more}, false, "not listed"),
			cs(tg, In, []string{who.id}, false, "none", now(set(""))),
			cs(tg, NotIn, []string{who.other}, true, "not listed"),
			cs(tg, NotIn, []string{who.more, who.id}, false, "listed"),
			cs(tg, Present, nil, true, "set"),
			cs(tg, Present, nil, false, "none", now(set(""))),
			cs(tg, Absent, nil, true, "none", now(set(""))),
			cs(tg, Absent, nil, false, "set"),
			cs(tg, Changed, nil, true, "none → set", was(set(""))),
			cs(tg, Changed, nil, true, "other → set", was(set(who.other))),
			cs(tg, Changed, nil, false, "unchanged"),
			cs(tg, ChangedTo, who.id, true, "other → id", was(set(who.other))),
			cs(tg, ChangedTo, who.other, false, "other → id", was(set(who.other))),
			cs(tg, ChangedFrom, who.other, true, "other → id", was(set(who.other))),
			cs(tg, ChangedFrom, who.id, false, "unchanged"),
			cs(tg, NotChanged, nil, true, "unchanged"),
			cs(tg, NotChanged, nil, false, "id → none", now(set(""))),
		)
	}

	// requester email (Kim@Example.com): is is case-insensitive
	add(
		cs(TargetRequesterEmail, Is, "kim@example.com", true, "lower case"),
		cs(TargetRequesterEmail, Is, "KIM@EXAMPLE.COM", true, "upper case"),
		cs(TargetRequesterEmail, Is, "lee@example.com", false, "other"),
		cs(TargetRequesterEmail, IsNot, "lee@example.com", true, "other"),
		cs(TargetRequesterEmail, IsNot, "kim@EXAMPLE.com", false, "same but for case"),
		cs(TargetRequesterEmail, Contains, "example", true, "part"),
		cs(TargetRequesterEmail, Contains, "EXAMPLE.COM", true, "part, other case"),
		cs(TargetRequesterEmail, Contains, "gmail", false, "not a part"),
		cs(TargetRequesterEmail, Contains, []string{"gmail", "@example"}, true, "any of"),
		cs(TargetRequesterEmail, Contains, []string{"gmail", "naver"}, false, "none of"),
		cs(TargetRequesterEmail, NotContains, "gmail", true, "not a part"),
		cs(TargetRequesterEmail, NotContains, "KIM", false, "a part"),
		cs(TargetRequesterEmail, Contains, "exam", true, "part of a word"),
		cs(TargetRequesterEmail, ContainsWords, "example.com", true, "the domain"),
		cs(TargetRequesterEmail, ContainsWords, "KIM", true, "the name, other case"),
		cs(TargetRequesterEmail, ContainsWords, "@example.com", true, "an edge that is not a letter"),
		cs(TargetRequesterEmail, ContainsWords, "exam", false, "part of a word"),
		cs(TargetRequesterEmail, ContainsWords, []string{"exam", "example"}, true, "any of"),
		cs(TargetRequesterEmail, NotContainsWords, "exam", true, "part of a word"),
		cs(TargetRequesterEmail, NotContainsWords, []string{"gmail", "com"}, false, "one of them a word"),
		cs(TargetRequesterEmail, Present, nil, true, "set"),
		cs(TargetRequesterEmail, Present, nil, false, "none", now(setMail(""))),
		cs(TargetRequesterEmail, Absent, nil, true, "none", now(setMail(""))),
		cs(TargetRequesterEmail, Absent, nil, false, "set"),
		cs(TargetRequesterEmail, Changed, nil, true, "other → kim", was(setMail("lee@example.com"))),
		cs(TargetRequesterEmail, Changed, nil, false, "unchanged"),
		cs(TargetRequesterEmail, ChangedTo, "kim@example.com", true, "other → kim", was(setMail("lee@example.com"))),
		cs(TargetRequesterEmail, ChangedTo, "kim@example.com", false, "unchanged"),
		cs(TargetRequesterEmail, ChangedFrom, "LEE@example.com", true, "lee → kim", was(setMail("lee@example.com"))),
		cs(TargetRequesterEmail, ChangedFrom, "park@example.com", false, "lee → kim", was(setMail("lee@example.com"))),
		cs(TargetRequesterEmail, NotChanged, nil, true, "unchanged"),
		cs(TargetRequesterEmail, NotChanged, nil, false, "created", onCreated()),
	)

	// title (Refund request for order 42): contains is case- and
	// width-insensitive; a list means any of
	add(
		cs(TargetTitle, Is, "Refund request for order 42", true, "same"),
		cs(TargetTitle, Is, "Shipping question", false, "other"),
		cs(TargetTitle, IsNot, "Shipping question", true, "other"),
		cs(TargetTitle, IsNot, "Refund request for order 42", false, "same"),
		cs(TargetTitle, Contains, "REFUND", true, "other case"),
		cs(TargetTitle, Contains, "ＲＥＦＵＮＤ", true, "full width"),
		cs(TargetTitle, Contains, "order 42", true, "words with a space"),
		cs(TargetTitle, Contains, "shipping", false, "absent word"),
		cs(TargetTitle, Contains, []string{"shipping", "order"}, true, "any of"),
		cs(TargetTitle, Contains, []string{"shipping", "delivery"}, false, "none of"),
		cs(TargetTitle, NotContains, "shipping", true, "absent word"),
		cs(TargetTitle, NotContains, "refund", false, "present word"),
		cs(TargetTitle, NotContains, []string{"shipping", "refund"}, false, "one of them present"),
		cs(TargetTitle, NotContains, []string{"shipping", "delivery"}, true, "none present"),
		cs(TargetTitle, Contains, "fund", true, "part of a word: contains is a substring test"),
		cs(TargetTitle, ContainsWords, "REFUND", true, "a word, other case"),
		cs(TargetTitle, ContainsWords, "ｒｅｆｕｎｄ", true, "full width"),
		cs(TargetTitle, ContainsWords, "order 42", true, "words with a space"),
		cs(TargetTitle, ContainsWords, "fund", false, "part of a word"),
		cs(TargetTitle, ContainsWords, "request for order 4", false, "the last word cut"),
		cs(TargetTitle, ContainsWords, []string{"fund", "order"}, true, "any of"),
		cs(TargetTitle, ContainsWords, []string{"fund", "orde"}, false, "parts only"),
		cs(TargetTitle, NotContainsWords, "fund", true, "part of a word"),
		cs(TargetTitle, NotContainsWords, []string{"ship", "42"}, false, "one of them a word"),
		cs(TargetTitle, Changed, nil, true, "edited", was(setTitle("Refund"))),
		cs(TargetTitle, Changed, nil, false, "unchanged"),
		cs(TargetTitle, NotChanged, nil, true, "unchanged"),
		cs(TargetTitle, NotChanged, nil, false, "edited", was(setTitle("Refund"))),
	)

	// content: contains is case-, width- and NFC-insensitive
	add(
		cs(TargetContent, Contains, "refund", true, "upper case in the text"),
		cs(TargetContent, Contains, "ＲＥＦＵＮＤ", true, "full width word"),
		cs(TargetContent, Contains, "refund", true, "full width text", now(setContent("ｒｅｆｕｎｄ please"))),
		cs(TargetContent, Contains, "감사", true, "Hangul"),
		cs(TargetContent, Contains, "CAFÉ", true, "composed word, composed text"),
		cs(TargetContent, Contains, "café", true, "composed word, decomposed text", now(setContent("Cafe\u0301 au lait"))),
		cs(TargetContent, Contains, "cafe\u0301", true, "decomposed word, composed text"),
		cs(TargetContent, Contains, "invoice", false, "absent word"),
		cs(TargetContent, Contains, []string{"invoice", "order"}, true, "any of"),
		cs(TargetContent, Contains, []any{"invoice", "receipt"}, false, "none of"),
		cs(TargetContent, NotContains, "invoice", true, "absent word"),
		cs(TargetContent, NotContains, "Refund", false, "present word"),
		cs(TargetContent, Contains, "refund", true, "nonrefundable: contains finds a part of a word", now(setContent("This ticket is nonrefundable."))),
		cs(TargetContent, NotContains, "refund", false, "nonrefundable", now(setContent("This ticket is nonrefundable."))),
		cs(TargetContent, ContainsWords, "refund", true, "a word"),
		cs(TargetContent, ContainsWords, "refund", false, "nonrefundable", now(setContent("This ticket is nonrefundable."))),
		cs(TargetContent, ContainsWords, "refund", false, "refunds", now(setContent("Refunds take a week"))),
		cs(TargetContent, ContainsWords, "refund", true, "full width text", now(setContent("ｒｅｆｕｎｄ please"))),
		cs(TargetContent, ContainsWords, "CAFÉ", true, "composed word, decomposed text", now(setContent("Café au lait"))),
		cs(TargetContent, ContainsWords, "감사", true, "Hangul with an ending"),
		cs(TargetContent, ContainsWords, "환불", true, "Hangul with a particle", now(setContent("환불을 요청합니다"))),
		cs(TargetContent, ContainsWords, "환불", false, "Hangul inside a word", now(setContent("부분환불 요청"))),
		cs(TargetContent, ContainsWords, "返金", true, "Japanese: no spaces between words", now(setContent("至急返金してください"))),
		cs(TargetContent, ContainsWords, []string{"invoice", "ord"}, false, "none of them a word"),
		cs(TargetContent, ContainsWords, []string{"invoice", "order"}, true, "any of"),
		cs(TargetContent, NotContainsWords, "refund", true, "nonrefundable", now(setContent("This ticket is nonrefundable."))),
		cs(TargetContent, NotContainsWords, "refund", false, "a word"),
		cs(TargetContent, NotContainsWords, "refund", true, "no content", now(setContent(""))),
		cs(TargetContent, Changed, nil, true, "edited", was(setContent("Hello"))),
		cs(TargetContent, Changed, nil, false, "unchanged"),
		cs(TargetContent, Changed, nil, true, "created", onCreated()),
		cs(TargetContent, NotChanged, nil, true, "unchanged"),
		cs(TargetContent, NotChanged, nil, false, "edited", was(setContent("Hello"))),
	)

	// tags (billing, vip): contains means any of
	add(
		cs(TargetTags, Contains, "vip", true, "has it"),
		cs(TargetTags, Contains, "VIP", true, "normalized value"),
		cs(TargetTags, Contains, []string{"spam", "billing"}, true, "any of"),
		cs(TargetTags, Contains, "spam", false, "has not"),
		cs(TargetTags, Contains, []string{"spam", "ads"}, false, "none of"),
		cs(TargetTags, Contains, "vip", false, "no tags", now(setTags())),
		cs(TargetTags, Contains, "bill", false, "a tag is a whole tag, not a word"),
		cs(TargetTags, NotContains, "spam", true, "has not"),
		cs(TargetTags, NotContains, []string{"spam", "vip"}, false, "has one of them"),
		cs(TargetTags, NotContains, "vip", true, "no tags", now(setTags())),
		cs(TargetTags, Present, nil, true, "has tags"),
		cs(TargetTags, Present, nil, false, "no tags", now(setTags())),
		cs(TargetTags, Absent, nil, true, "no tags", now(setTags())),
		cs(TargetTags, Absent, nil, false, "has tags"),
		cs(TargetTags, Changed, nil, true, "one added", was(setTags("billing"))),
		cs(TargetTags, Changed, nil, true, "all removed", now(setTags())),
		cs(TargetTags, Changed, nil, false, "unchanged"),
		cs(TargetTags, Changed, nil, true, "created with tags", onCreated()),
		cs(TargetTags, Changed, nil, false, "created without tags", onCreated(), now(setTags())),
		cs(TargetTags, NotChanged, nil, true, "unchanged"),
		cs(TargetTags, NotChanged, nil, false, "one added", was(setTags("vip"))),
	)

	// language (ko)
	add(
		cs(TargetLanguage, Is, "ko", true, "same"),
		cs(TargetLanguage, Is, "EN", false, "other (canonicalized)"),
		cs(TargetLanguage, Is, "EN", true, "canonicalized value", now(setLang("en"))),
		cs(TargetLanguage, IsNot, "en", true, "other"),
		cs(TargetLanguage, IsNot, "ko", false, "same"),
		cs(TargetLanguage, In, []string{"en", "ko"}, true, "listed"),
		cs(TargetLanguage, In, []string{"ja"}, false, "not listed"),
		cs(TargetLanguage, NotIn, []string{"ja", "en"}, true, "not listed"),
		cs(TargetLanguage, NotIn, []string{"ko"}, false, "listed"),
		cs(TargetLanguage, Changed, nil, true, "en → ko", was(setLang("en"))),
		cs(TargetLanguage, Changed, nil, false, "unchanged"),
		cs(TargetLanguage, ChangedTo, "ko", true, "en → ko", was(setLang("en"))),
		cs(TargetLanguage, ChangedTo, "ko", false, "unchanged"),
		cs(TargetLanguage, ChangedFrom, "en", true, "en → ko", was(setLang("en"))),
		cs(TargetLanguage, ChangedFrom, "ja", false, "en → ko", was(setLang("en"))),
		cs(TargetLanguage, NotChanged, nil, true, "unchanged"),
		cs(TargetLanguage, NotChanged, nil, false, "en → ko", was(setLang("en"))),
	)

	// hours since created (30) and updated (6), from Input.Now
	add(
		cs(TargetHoursSinceCreated, GreaterThan, 24, true, "30 > 24"),
		cs(TargetHoursSinceCreated, GreaterThan, 30.5, false, "30 > 30.5"),
		cs(TargetHoursSinceCreated, GreaterThan, 48.0, true, "later event", func(in *Input, _ *ticket.Ticket) { in.Now = in.Now.Add(24 * time.Hour) }),
		cs(TargetHoursSinceCreated, LessThan, 48, true, "30 < 48"),
		cs(TargetHoursSinceCreated, LessThan, 29.5, false, "30 < 29.5"),
		cs(TargetHoursSinceUpdated, GreaterThan, 5.5, true, "6 > 5.5"),
		cs(TargetHoursSinceUpdated, GreaterThan, 7, false, "6 > 7"),
		cs(TargetHoursSinceUpdated, LessThan, 6.5, true, "6 < 6.5"),
		cs(TargetHoursSinceUpdated, LessThan, 6, false, "6 < 6"),
		cs(TargetHoursSinceUpdated, LessThan, 1, true, "just updated", now(func(tk *ticket.Ticket) { tk.UpdatedAt = tNow.Add(-30 * time.Minute) })),
	)
	return out
}

// textSample holds values of a text-like field type: the ticket's value,
// another value, a word of the value (in another case), a word that is
// not in it and a part of a word of the value that is no word of it.
type textSample struct{ val, other, word, miss, part string }

var textSamples = map[field.Type]textSample{
	field.TypeText:      {"Gift wrap please", "plain box", "WRAP", "ribbon", "wra"},
	field.TypeMultiline: {"line one\nGift WRAP here", "nothing", "gift wrap", "ribbon", "her"},
	field.TypeEmail:     {"ann@example.com", "bob@example.org", "EXAMPLE.COM", "gmail", "exam"},
	field.TypePhone:     {"+82 10-1234-5678", "010-0000-0000", "1234", "9999", "123"},
	field.TypeURL:       {"https://example.com/orders/42", "https://example.org/", "ORDERS", "invoice", "order"},
}

// fieldCases are the cases of one custom-field target, by its type. The
// ticket's value is the one baseTicket has.
func fieldCases(tg Target) []opCase {
	name := tg.Name
	var out []opCase
	add := func(c ...opCase) { out = append(out, c...) }
	missing := nowField(name, nil)
	// The change operators and presence, given the value now, another
	// value, a blank value and a value of the wrong shape.
	common := func(val, other, blank, wrong any) {
		if tg.Allows(Present) {
			add(
				cs(name, Present, nil, true, "set"),
				cs(name, Present, nil, false, "missing", missing),
				cs(name, Present, nil, false, "wrong shape", nowField(name, wrong)),
				cs(name, Absent, nil, true, "missing", missing),
				cs(name, Absent, nil, true, "wrong shape", nowField(name, wrong)),
				cs(name, Absent, nil, false, "set"),
			)
			if blank != nil {
				add(cs(name, Present, nil, false, "blank", nowField(name, blank)),
					cs(name, Absent, nil, true, "blank", nowField(name, blank)))
			}
		}
		add(
			cs(name, Changed, nil, true, "other → value", wasField(name, other)),
			cs(name, Changed, nil, true, "missing → value", wasField(name, nil)),
			cs(name, Changed, nil, true, "value → missing", missing),
			cs(name, Changed, nil, false, "unchanged"),
			cs(name, Changed, nil, true, "created with a value (TRG-4)", onCreated()),
			cs(name, Changed, nil, false, "created without a value", onCreated(), missing),
			cs(name, Changed, nil, false, "missing before and now", wasField(name, nil), missing),
			cs(name, NotChanged, nil, true, "unchanged"),
			cs(name, NotChanged, nil, false, "other → value", wasField(name, other)),
			cs(name, NotChanged, nil, false, "created with a value", onCreated()),
		)
		if tg.Allows(ChangedTo) {
			add(
				cs(name, ChangedTo, val, true, "other → value", wasField(name, other)),
				cs(name, ChangedTo, val, true, "created", onCreated()),
				cs(name, ChangedTo, val, false, "unchanged"),
				cs(name, ChangedTo, other, false, "other → value", wasField(name, other)),
				cs(name, ChangedFrom, other, true, "other → value", wasField(name, other)),
				cs(name, ChangedFrom, other, false, "unchanged"),
				cs(name, ChangedFrom, val, false, "other → value", wasField(name, other)),
			)
			if tg.Type != TypeCheckbox { // before a created event a checkbox is unchecked: left open
				add(cs(name, ChangedFrom, other, false, "created", onCreated()))
			}
		}
	}
	switch tg.Type {
	case TypeText:
		s, ok := textSamples[tg.Field.Type]
		if !ok {
			panic("no text sample for " + string(tg.Field.Type))
		}
		add(
			cs(name, Is, s.val, true, "same"),
			cs(name, Is, s.other, false, "other"),
			cs(name, Is, s.val, false, "missing", missing),
			cs(name, IsNot, s.other, true, "other"),
			cs(name, IsNot, s.val, false, "same"),
			cs(name, IsNot, s.val, true, "missing", missing),
			cs(name, Contains, s.word, true, "word, other case"),
			cs(name, Contains, s.miss, false, "absent word"),
			cs(name, Contains, []string{s.miss, s.word}, true, "any of"),
			cs(name, Contains, []string{s.miss, "zzz"}, false, "none of"),
			cs(name, Contains, s.word, false, "missing", missing),
			cs(name, Contains, s.word, false, "wrong shape", nowField(name, 12.0)),
			cs(name, NotContains, s.miss, true, "absent word"),
			cs(name, NotContains, s.word, false, "present word"),
			cs(name, NotContains, s.word, true, "missing", missing),
			cs(name, Contains, s.part, true, "part of a word"),
			cs(name, ContainsWords, s.word, true, "word, other case"),
			cs(name, ContainsWords, s.part, false, "part of a word"),
			cs(name, ContainsWords, s.miss, false, "absent word"),
			cs(name, ContainsWords, []string{s.part, s.word}, true, "any of"),
			cs(name, ContainsWords, []string{s.part, s.miss}, false, "none of"),
			cs(name, ContainsWords, s.word, false, "missing", missing),
			cs(name, ContainsWords, s.word, false, "wrong shape", nowField(name, []string{s.word})),
			cs(name, NotContainsWords, s.part, true, "part of a word"),
			cs(name, NotContainsWords, s.word, false, "present word"),
			cs(name, NotContainsWords, s.word, true, "missing", missing),
		)
		common(s.val, s.other, "   ", 12.0)
	case TypeNumber: // value 12
		add(
			cs(name, Is, 12, true, "same (an int is a number)"),
			cs(name, Is, 13.0, false, "other"),
			cs(name, Is, 12.0, false, "wrong shape", nowField(name, "12")),
			cs(name, IsNot, 13.0, true, "other"),
			cs(name, IsNot, 12.0, false, "same"),
			cs(name, IsNot, 12.0, true, "missing", missing),
			cs(name, GreaterThan, 10, true, "12 > 10"),
			cs(name, GreaterThan, -1.5, true, "12 > -1.5"),
			cs(name, GreaterThan, 12.0, false, "12 > 12"),
			cs(name, GreaterThan, -1.0, false, "missing", missing),
			cs(name, GreaterThan, -1.0, false, "wrong shape: text", nowField(name, "12")),
			cs(name, GreaterThan, -1.0, false, "wrong shape: bool", nowField(name, true)),
			cs(name, GreaterThan, -1.0, false, "wrong shape: list", nowField(name, []string{"12"})),
			cs(name, LessThan, 12.5, true, "12 < 12.5"),
			cs(name, LessThan, 12.0, false, "12 < 12"),
			cs(name, LessThan, 100.0, false, "missing", missing),
			cs(name, LessThan, 100.0, false, "wrong shape: text", nowField(name, "12")),
			cs(name, LessThan, 100.0, false, "wrong shape: bool", nowField(name, false)),
		)
		common(12.0, 5.0, nil, "12")
	case TypeDate: // value 2026-03-01
		add(
			cs(name, Is, "2026-03-01", true, "same"),
			cs(name, Is, "2026-03-02", false, "other"),
			cs(name, IsNot, "2026-03-02", true, "other"),
			cs(name, IsNot, "2026-03-01", false, "same"),
			cs(name, GreaterThan, "2026-02-28", true, "later"),
			cs(name, GreaterThan, "2026-03-01", false, "same day"),
			cs(name, GreaterThan, "2027-01-01", false, "earlier"),
			cs(name, GreaterThan, "2000-01-01", false, "missing", missing),
			cs(name, GreaterThan, "2000-01-01", false, "wrong shape: number", nowField(name, 20260301.0)),
			cs(name, LessThan, "2026-03-02", true, "earlier"),
			cs(name, LessThan, "2026-03-01", false, "same day"),
			cs(name, LessThan, "2999-01-01", false, "missing", missing),
			cs(name, LessThan, "2999-01-01", false, "wrong shape: bool", nowField(name, true)),
		)
		common("2026-03-01", "2026-02-01", " ", 20260301.0)
	case TypeDateTime: // value 2026-03-01T09:00:00+09:00 = 2026-03-01T00:00:00Z
		add(
			cs(name, Is, "2026-03-01T00:00:00Z", true, "same instant, other zone"),
			cs(name, Is, "2026-03-01T09:00:00+09:00", true, "same text"),
			cs(name, Is, "2026-03-01T09:00:00Z", false, "same clock, other instant"),
			cs(name, IsNot, "2026-03-01T09:00:00Z", true, "other instant"),
			cs(name, IsNot, "2026-03-01T01:00:00+01:00", false, "same instant"),
			cs(name, GreaterThan, "2026-02-28T23:59:59Z", true, "a second later"),
			cs(name, GreaterThan, "2026-03-01T10:00:00+10:00", false, "same instant (as text it sorts before)"),
			cs(name, GreaterThan, "2026-03-01T00:00:00.5Z", false, "half a second earlier"),
			cs(name, GreaterThan, "2026-02-28T23:59:59.5Z", true, "half a second later"),
			cs(name, GreaterThan, "2000-01-01T00:00:00Z", false, "missing", missing),
			cs(name, GreaterThan, "2000-01-01T00:00:00Z", false, "not a date-time", nowField(name, "soon")),
			cs(name, GreaterThan, "2000-01-01T00:00:00Z", false, "wrong shape: number", nowField(name, 5.0)),
			cs(name, LessThan, "2026-03-01T01:00:00+00:30", true, "earlier instant (as text it sorts after)"),
			cs(name, LessThan, "2026-03-01T00:00:00Z", false, "same instant"),
			cs(name, LessThan, "2999-01-01T00:00:00Z", false, "missing", missing),
			cs(name, LessThan, "2999-01-01T00:00:00Z", false, "not a date-time", nowField(name, "soon")),
			cs(name, Changed, nil, false, "same instant in another zone", wasField(name, "2026-03-01T00:00:00Z")),
			cs(name, ChangedFrom, "2026-02-01T09:00:00+09:00", true, "instants", wasField(name, "2026-02-01T00:00:00Z")),
			cs(name, ChangedTo, "2026-03-01T00:00:00Z", true, "instants", wasField(name, "2026-02-01T00:00:00Z")),
		)
		common("2026-03-01T09:00:00+09:00", "2026-02-01T00:00:00Z", "", "soon")
	case TypeSelect:
		opts := tg.Values
		val, other := opts[1], opts[0]
		add(
			cs(name, Is, val, true, "same"),
			cs(name, Is, other, false, "other"),
			cs(name, Is, val, false, "wrong shape", nowField(name, []string{val})),
			cs(name, IsNot, other, true, "other"),
			cs(name, IsNot, val, false, "same"),
			cs(name, IsNot, val, true, "missing", missing),
			cs(name, In, []string{other, val}, true, "listed"),
			cs(name, In, []string{other}, false, "not listed"),
			cs(name, In, []string{val}, false, "missing", missing),
			cs(name, NotIn, []string{other}, true, "not listed"),
			cs(name, NotIn, []string{val}, false, "listed"),
			cs(name, NotIn, []string{val}, true, "missing", missing),
		)
		common(val, other, "", 1.0)
	case TypeMulti: // value [a b]
		opts := tg.Values
		add(
			cs(name, Contains, opts[0], true, "has it"),
			cs(name, Contains, []string{opts[2], opts[1]}, true, "any of"),
			cs(name, Contains, opts[2], false, "has not"),
			cs(name, Contains, opts[0], false, "missing", missing),
			cs(name, Contains, opts[0], false, "wrong shape: text", nowField(name, opts[0])),
			cs(name, NotContains, opts[2], true, "has not"),
			cs(name, NotContains, []string{opts[2], opts[0]}, false, "has one of them"),
			cs(name, NotContains, opts[0], true, "missing", missing),
		)
		common([]string{opts[0], opts[1]}, []string{opts[0]}, []string{}, opts[0])
	case TypeCheckbox: // value true; no value is false
		add(
			cs(name, Is, true, true, "checked"),
			cs(name, Is, false, false, "checked"),
			cs(name, Is, false, true, "unchecked", nowField(name, false)),
			cs(name, Is, true, false, "unchecked", nowField(name, false)),
			cs(name, Is, false, true, "missing", missing),
			cs(name, Is, true, false, "missing", missing),
			cs(name, Is, true, false, "wrong shape", nowField(name, "yes")),
			cs(name, Is, false, true, "wrong shape", nowField(name, "yes")),
			cs(name, ChangedTo, false, true, "checked → unchecked", wasField(name, true), nowField(name, false)),
			cs(name, ChangedTo, false, false, "unchecked → checked", wasField(name, false)),
			cs(name, ChangedFrom, true, true, "checked → unchecked", wasField(name, true), nowField(name, false)),
			cs(name, ChangedFrom, true, false, "unchecked → checked", wasField(name, false)),
		)
		common(true, false, nil, "yes")
	default:
		panic("no cases for type " + string(tg.Type))
	}
	return out
}

// allOpCases are the cases of every target of the schema.
func allOpCases(s *Schema) []opCase {
	out := ownCases()
	for _, tg := range s.Targets {
		if tg.Field != nil {
			out = append(out, fieldCases(tg)...)
		}
	}
	return out
}

// TestOperators_TRG4 runs a holding and a failing case of every operator
// of every target the schema declares (TRG-3, TRG-4).
func TestOperators_TRG4(t *testing.T) {
	s := testSchema()
	cases := allOpCases(s)
	type cover struct{ holds, fails bool }
	seen := map[string]*cover{}
	for _, c := range cases {
		key := c.cond.Target + " " + string(c.cond.Op)
		if seen[key] == nil {
			seen[key] = &cover{}
		}
		if c.want {
			seen[key].holds = true
		} else {
			seen[key].fails = true
		}
		name := fmt.Sprintf("%s/%s/%s/%v", c.cond.Target, c.cond.Op, c.what, c.cond.Value)
		t.Run(name, func(t *testing.T) {
			in, tk := c.input()
			assert.Equal(t, c.want, fires(t, s, c.cond, in, tk))
		})
	}
	// Nothing is missed: every (target, op) pair the schema allows has a
	// case where it holds and one where it does not.
	for _, tg := range s.Targets {
		for _, op := range tg.Ops {
			key := tg.Name + " " + string(op)
			c := seen[key]
			if assert.NotNil(t, c, "%s: no case", key) {
				assert.True(t, c.holds, "%s: no case where it holds", key)
				assert.True(t, c.fails, "%s: no case where it fails", key)
			}
		}
	}
	// The fixture covers every FLD-1 type.
	var types []field.Type
	for _, tg := range s.Targets {
		if tg.Field != nil && !slices.Contains(types, tg.Field.Type) {
			types = append(types, tg.Field.Type)
		}
	}
	assert.ElementsMatch(t, field.Types, types)
}

// clearTarget gives target name no value in tk.
func clearTarget(tk *ticket.Ticket, name string) {
	switch name {
	case TargetStatus:
		tk.Status = ""
	case TargetPriority:
		tk.Priority = ""
	case TargetChannel:
		tk.Channel = ""
	case TargetIntakeCategory:
		tk.IntakeCategoryID = ""
	case TargetProcessingCategory:
		tk.ProcessingCategoryID = ""
	case TargetAssignee:
		tk.AssigneeID = ""
	case TargetGroup:
		tk.GroupID = ""
	case TargetRequesterEmail:
		tk.Requester.Email = ""
	case TargetTitle:
		tk.Title = ""
	case TargetContent:
		tk.Content = ""
	case TargetTags:
		tk.Tags = nil
	case TargetLanguage:
		tk.Language = ""
	default:
		putField(tk, name, nil)
	}
}

// TestOperators_TRG4_CreatedCountsEveryValueAsChanged: on the created event
// the ticket before is empty, so every target that has a value counts as
// changed, and one without a value does not.
func TestOperators_TRG4_CreatedCountsEveryValueAsChanged(t *testing.T) {
	s := testSchema()
	n := 0
	for _, tg := range s.Targets {
		if !tg.Allows(Changed) {
			continue
		}
		n++
		t.Run(tg.Name, func(t *testing.T) {
			in := Input{Event: ticket.EventCreated, Now: tNow, Ancestors: ancestors}
			tk := baseTicket()
			assert.True(t, fires(t, s, Condition{Target: tg.Name, Op: Changed}, in, tk), "a value counts as changed")
			assert.False(t, fires(t, s, Condition{Target: tg.Name, Op: NotChanged}, in, tk))
			clearTarget(&tk, tg.Name)
			assert.False(t, fires(t, s, Condition{Target: tg.Name, Op: Changed}, in, tk), "no value: nothing changed")
			assert.True(t, fires(t, s, Condition{Target: tg.Name, Op: NotChanged}, in, tk))
		})
	}
	assert.Greater(t, n, 20)
}

// TestOperators_TRG4_ChangeOpsSeeOnlyTheirTarget: a change of one target
// does not make another one count as changed.
func TestOperators_TRG4_ChangeOpsSeeOnlyTheirTarget(t *testing.T) {
	s := testSchema()
	in, tk := baseInput(), baseTicket()
	in.Before.Status = ticket.StatusNew
	in.Before.CustomerFields["size"] = 1.0
	var changed []string
	for _, tg := range s.Targets {
		if tg.Allows(Changed) && fires(t, s, Condition{Target: tg.Name, Op: Changed}, in, tk) {
			changed = append(changed, tg.Name)
		}
	}
	assert.Equal(t, []string{TargetStatus, "customer_fields.size"}, changed)
}

// TestOperators_TRG3_IntakeAndProcessingUnderInOneTrigger: a trigger that
// tests "is under" on both category trees fires when both hold.
//
// Bug: compiler.test clears needIntakePath when it compiles the processing
// condition, so the run never builds Now.IntakePath for the trigger and the
// intake condition fails.
func TestOperators_TRG3_IntakeAndProcessingUnderInOneTrigger(t *testing.T) {
	s := testSchema()
	conds := []Condition{
		{Target: TargetIntakeCategory, Op: IsUnder, Value: "in-root"},
		{Target: TargetProcessingCategory, Op: IsUnder, Value: "pr-root"},
	}
	for _, order := range [][]Condition{conds, {conds[1], conds[0]}} {
		n, err := Validate(ctxb, New{Name: "both trees", All: order, Actions: []Action{quietNote}}, s, newResolver())
		require.NoError(t, err)
		set, err := Compile([]Trigger{{ID: "t", Name: n.Name, All: n.All, Actions: n.Actions, Active: true}}, s, Options{})
		require.NoError(t, err)
		rec := &recorder{}
		tk := baseTicket()
		_, err = set.Run(ctxb, baseInput(), &tk, rec)
		require.NoError(t, err)
		assert.Equal(t, []string{"t"}, rec.ids, "%s first: ticket in-child (under in-root), pr-child (under pr-root)", order[0].Target)
	}
}

// TestOperators_TRG4_CheckboxNoValueIsFalse: a checkbox without a value is
// unchecked ("no value is false", as "is false" already treats it), so
// clearing a checked box changes it to false, and checking a box that had
// no value changes it from false.
//
// Bug: ChangedTo/ChangedFrom compile to Now.F[i] == false / Before.F[i] ==
// false, which a missing value (nil) never equals.
func TestOperators_TRG4_CheckboxNoValueIsFalse(t *testing.T) {
	s := testSchema()
	name := "customer_fields.gift"
	for _, c := range []opCase{
		cs(name, ChangedTo, false, true, "checked → cleared", wasField(name, true), nowField(name, nil)),
		cs(name, ChangedFrom, false, true, "no value → checked", wasField(name, nil)),
	} {
		t.Run(c.what, func(t *testing.T) {
			in, tk := c.input()
			assert.Equal(t, c.want, fires(t, s, c.cond, in, tk))
		})
	}
}

// TestOperators_DateNotADateIsAbsent: a date field whose stored value is not
// a date (data written before the field had its type, or by hand) is
// absent for greater_than and less_than, as it is for a date-time field;
// it is not compared as text.
//
// Bug: slotValue keeps any string for a date slot, so "someday" >
// "2026-01-01" holds (byte order).
func TestOperators_DateNotADateIsAbsent(t *testing.T) {
	s := testSchema()
	for _, c := range []opCase{
		cs("customer_fields.due", GreaterThan, "2026-01-01", false, "someday", nowField("customer_fields.due", "someday")),
		cs("customer_fields.due", LessThan, "2026-01-01", false, "1st of May", nowField("customer_fields.due", "1st of May")),
		cs("customer_fields.due", Present, nil, false, "someday", nowField("customer_fields.due", "someday")),
	} {
		t.Run(c.what+"/"+string(c.cond.Op), func(t *testing.T) {
			in, tk := c.input()
			assert.Equal(t, c.want, fires(t, s, c.cond, in, tk))
		})
	}
}

// TestOperators_TRG2_AllAndAny: a trigger matches when every all condition
// holds and, if it has any conditions, at least one of them.
func TestOperators_TRG2_AllAndAny(t *testing.T) {
	s := testSchema()
	yes := []Condition{{Target: TargetStatus, Op: Is, Value: "open"}, {Target: TargetContent, Op: Contains, Value: "refund"}}
	no := []Condition{{Target: TargetStatus, Op: Is, Value: "solved"}, {Target: TargetContent, Op: Contains, Value: "invoice"}}
	for _, c := range []struct {
		what     string
		all, any []Condition
		want     bool
	}{
		{"all hold", yes, nil, true},
		{"one all fails", []Condition{yes[0], no[1]}, nil, false},
		{"all hold, one any holds", yes, []Condition{no[0], yes[1]}, true},
		{"all hold, no any holds", yes, no, false},
		{"no all, one any holds", nil, []Condition{no[1], yes[0]}, true},
		{"no all, no any holds", nil, no, false},
		{"an all fails, any hold", []Condition{no[0]}, yes, false},
		{"prefiltered all fails, any hold", []Condition{{Target: TargetEvent, Op: Is, Value: "created"}}, yes, false},
		{"prefiltered all holds, any hold", []Condition{{Target: TargetEvent, Op: Is, Value: "updated"}}, yes, true},
		{"prefiltered all holds, no any holds", []Condition{{Target: TargetEvent, Op: Is, Value: "updated"}}, no, false},
	} {
		t.Run(c.what, func(t *testing.T) {
			n, err := Validate(ctxb, New{Name: c.what, All: c.all, Any: c.any, Actions: []Action{quietNote}}, s, newResolver())
			require.NoError(t, err)
			set, err := Compile([]Trigger{{ID: "t", Name: n.Name, All: n.All, Any: n.Any, Actions: n.Actions, Active: true}}, s, Options{})
			require.NoError(t, err)
			rec := &recorder{}
			tk := baseTicket()
			_, err = set.Run(ctxb, baseInput(), &tk, rec)
			require.NoError(t, err)
			assert.Equal(t, c.want, len(rec.ids) == 1, set.Source(0))
		})
	}
}

// TestOperators_TRG3_SchemaTargets: the schema has every target TRG-3
// names, the column system fields are the ticket's own targets, and every
// other field is a target by its key.
func TestOperators_TRG3_SchemaTargets(t *testing.T) {
	s := testSchema()
	var names []string
	for _, tg := range s.Targets {
		names = append(names, tg.Name)
		assert.NotEmpty(t, tg.Ops, tg.Name)
	}
	for _, want := range []string{TargetEvent, TargetStatus, TargetPriority, TargetChannel, TargetIntakeCategory,
		TargetProcessingCategory, TargetAssignee, TargetGroup, TargetRequesterEmail, TargetTitle, TargetContent,
		TargetTags, TargetLanguage, TargetHoursSinceCreated, TargetHoursSinceUpdated} {
		assert.Contains(t, names, want)
	}
	for _, f := range field.Merge(testUserFields) {
		name := FieldTarget(f.Kind, f.Key)
		if f.Column() != "" {
			assert.NotContains(t, names, name, "a column field is the ticket's own target")
			continue
		}
		tg, ok := s.Target(name)
		if assert.True(t, ok, name) {
			assert.Equal(t, f.Key, tg.Field.Key)
		}
	}
	assert.True(t, strings.HasPrefix(FieldTarget(field.KindAgent, "score"), "agent_fields."))
	for _, tg := range []string{TargetIntakeCategory, TargetProcessingCategory} {
		c, _ := s.Target(tg)
		assert.True(t, c.Allows(IsUnder), "TRG-3: category targets accept is under")
		for _, op := range []Op{In, NotIn, IsUnderAny, IsNotUnderAny} {
			assert.True(t, c.Allows(op), "%s: a list of categories in one condition: %s", tg, op)
		}
	}
	// Every text target offers both ways to look for words, whole words
	// first (the editor's default).
	for _, tg := range s.Targets {
		if tg.Type != TypeText {
			assert.False(t, tg.Allows(ContainsWords) || tg.Allows(NotContainsWords), tg.Name)
			continue
		}
		i := slices.Index(tg.Ops, ContainsWords)
		if assert.GreaterOrEqual(t, i, 0, tg.Name) {
			assert.Equal(t, []Op{ContainsWords, NotContainsWords, Contains, NotContains}, tg.Ops[i:i+4], tg.Name)
		}
	}
	// The schema an editor reads (JSON) names the operators.
	js, err := json.Marshal(s)
	require.NoError(t, err)
	var decoded struct {
		Targets []struct {
			Name string   `json:"name"`
			Ops  []string `json:"ops"`
		} `json:"targets"`
	}
	require.NoError(t, json.Unmarshal(js, &decoded))
	ops := map[string][]string{}
	for _, tg := range decoded.Targets {
		ops[tg.Name] = tg.Ops
	}
	assert.Subset(t, ops[TargetIntakeCategory], []string{"in", "not_in", "is_under_any", "is_not_under_any"})
	assert.Subset(t, ops[TargetContent], []string{"contains_words", "not_contains_words", "contains", "not_contains"})
	// The TRG-4 operators are all used somewhere.
	used := map[Op]bool{}
	for _, tg := range s.Targets {
		for _, op := range tg.Ops {
			used[op] = true
		}
	}
	assert.ElementsMatch(t, Ops, slices.Collect(maps.Keys(used)))
	ev, _ := s.Target(TargetEvent)
	assert.Equal(t, []string{"created", "updated", "customer_replied", "agent_replied"}, ev.Values)
	lang, _ := s.Target(TargetLanguage)
	assert.Equal(t, testLanguages, lang.Values)
}

// firedOn runs set on ticket tk (an updated event, nothing changed) and
// returns the ids of the triggers that fired.
func firedOn(t *testing.T, set *Set, in Input, tk ticket.Ticket) []string {
	t.Helper()
	rec := &recorder{}
	_, err := set.Run(ctxb, in, &tk, rec)
	require.NoError(t, err)
	return rec.ids
}

// TestOperators_TRG4_ContainsAndContainsWordsApart: contains finds a value
// anywhere in a text, contains_words only as whole words; one set (and one
// trigger) may ask both of the same word in the same text, and each
// condition gets its own answer. A condition saved before contains_words
// existed ("contains" in stored JSON) keeps its meaning.
func TestOperators_TRG4_ContainsAndContainsWordsApart(t *testing.T) {
	s := testSchema()
	var old Condition
	require.NoError(t, json.Unmarshal([]byte(`{"target":"content","op":"contains","value":"refund"}`), &old))
	set := compileValid(t, s, Options{},
		trg("part", []Condition{old}, quietNote),
		trg("word", []Condition{cond(TargetContent, ContainsWords, "refund")}, quietNote),
		trg("only part", []Condition{cond(TargetContent, Contains, "refund"), cond(TargetContent, NotContainsWords, []string{"refund", "환불"})}, quietNote),
		trg("title word", []Condition{cond(TargetTitle, ContainsWords, "refund")}, quietNote),
	)
	for _, c := range []struct {
		title, content string
		want           []string
	}{
		{"Question", "This ticket is nonrefundable.", []string{"part", "only part"}},
		{"Question", "I want a refund.", []string{"part", "word"}},
		{"Question", "Nonrefundable? I want a REFUND!", []string{"part", "word"}},
		{"Refund", "Nothing here", []string{"title word"}},
		{"Question", "환불을 원합니다", nil},
	} {
		tk := baseTicket()
		tk.Title, tk.Content = c.title, c.content
		in := baseInput()
		in.Before = tk.Clone()
		assert.Equal(t, c.want, firedOn(t, set, in, tk), "%q / %q", c.title, c.content)
	}
}

// TestOperators_TRG3_OneConditionRoutesManyCategories: an admin routing
// several categories to one team writes one condition: in (exactly these
// categories) or is_under_any (these or anything below them), on either
// tree, and the list may be long. The compiled test is one set lookup per
// category of the ticket's line, not one test per listed category.
func TestOperators_TRG3_OneConditionRoutesManyCategories(t *testing.T) {
	s := testSchema()
	r := newResolver()
	var many []string
	for i := range MaxValues - 1 {
		c := cat(fmt.Sprintf("in-x%03d", i), category.Intake)
		r.cats[c.ID] = c
		many = append(many, c.ID)
	}
	routes := []Trigger{
		trg("exact", []Condition{cond(TargetIntakeCategory, In, []string{"in-other", "in-child"})}, quietNote),
		trg("under", []Condition{cond(TargetIntakeCategory, IsUnderAny, append(slices.Clone(many), "in-root"))}, quietNote),
		trg("not under", []Condition{cond(TargetIntakeCategory, IsNotUnderAny, []string{"in-other", "in-grand"})}, quietNote),
		trg("both trees", []Condition{
			cond(TargetIntakeCategory, IsUnderAny, []string{"in-child", "in-other"}),
			cond(TargetProcessingCategory, IsUnderAny, []string{"pr-root"}),
		}, quietNote),
	}
	for i, tr := range routes {
		n, err := Validate(ctxb, New{Name: tr.Name, All: tr.All, Actions: tr.Actions}, s, r)
		require.NoError(t, err)
		routes[i].All = n.All
	}
	set, err := Compile(routes, s, Options{})
	require.NoError(t, err)
	// Each list is one token the run writes when the ticket's category or
	// an ancestor is listed; equal lists share it.
	assert.Contains(t, set.Source(1), `(Now.IntakeUnder contains "\x000\x00") /* intake_category is_under_any in-x000, `)
	assert.Contains(t, set.Source(2), `(not (Now.IntakeUnder contains "\x001\x00")) /* intake_category is_not_under_any in-other, in-grand */`)
	assert.Contains(t, set.Source(3), `(Now.IntakeUnder contains "\x002\x00")`)
	assert.Contains(t, set.Source(3), `(Now.ProcessingUnder contains "\x003\x00")`)
	assert.Len(t, set.unders[treeIntake]["in-x123"], 1)
	assert.Len(t, set.unders[treeIntake]["in-other"], 2)
	assert.Len(t, set.unders[treeProcessing]["pr-root"], 1)
	again, err := Compile([]Trigger{routes[3], routes[3], trg("reordered", []Condition{cond(TargetIntakeCategory, IsUnderAny, []string{"in-other", "in-child", "in-other"})}, quietNote)}, s, Options{})
	require.NoError(t, err)
	assert.Equal(t, []int32{0}, again.unders[treeIntake]["in-child"], "one list, however often and in whatever order it is named")

	for _, c := range []struct {
		intake, processing string
		want               []string
	}{
		{"in-child", "pr-child", []string{"exact", "under", "not under", "both trees"}},
		{"in-grand", "pr-child", []string{"under", "both trees"}},
		{"in-grand", "pr-other", []string{"under"}},
		{"in-other", "", []string{"exact"}},
		{"in-root", "pr-root", []string{"under", "not under"}},
		{"in-x123", "", []string{"under", "not under"}},
		{"", "pr-root", []string{"not under"}},
	} {
		tk := baseTicket()
		tk.IntakeCategoryID, tk.ProcessingCategoryID = c.intake, c.processing
		in := baseInput()
		in.Before = tk.Clone()
		assert.Equal(t, c.want, firedOn(t, set, in, tk), "%s / %s", c.intake, c.processing)
		rep, err := set.DryRun(in, tk)
		require.NoError(t, err)
		var held []string
		for _, tr := range rep.Triggers {
			if tr.Fired {
				held = append(held, tr.ID)
			}
		}
		assert.Equal(t, c.want, held, "dry run: %s / %s", c.intake, c.processing)
	}
}
