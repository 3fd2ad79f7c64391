package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// The trigger workflow cases run triggers end to end through helpdesk.Desk
// on the store under test: the engine, the helpdesk applier and the store's
// repositories together (TRG-1, TRG-6, TRG-7, TRG-8, NTF-1).

// testTriggerWorkflow runs the trigger workflow cases, each on a service
// of its own, in parallel.
func testTriggerWorkflow(t *testing.T, s helpdesk.Store) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, helpdesk.Store)
	}{
		{"Fire_TRG7", testTriggersFire},
		{"EventRollback_NTF1", testTriggerEventRollback},
		{"Management_TRG1", testTriggerManagement},
		{"ConcurrentWrites_TRG1", testTriggerConcurrentWrites},
		{"DryRun_TRG8", testTriggerDryRun},
		{"PassBound_TRG7", testTriggerPassBound},
		{"StaleTargets_TRG6", testTriggerStaleTargets},
		{"TwoDesks_CollidingVersions", testTriggerTwoDesks},
		{"NotifyBrowser_NTF4", testTriggerNotifyBrowser},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, s)
		})
	}
}

// twDesk is a desk on the store under test with a service of its own, an
// admin, and group "Refunds" whose members are, in join order, an agent
// whose ticket assignment is off and two eligible agents.
type twDesk struct {
	desk       *helpdesk.Desk
	svc        string
	service    *helpdesk.Service
	sys, admin *helpdesk.Session
	group      string
	off        agent.Agent    // member, ticket assignment off
	eligible   []agent.Agent  // members who may be given tickets, in join order
	store      helpdesk.Store // as the desk sees it
}

// newTWDesk builds a twDesk on s; mods adjust the desk's config. The clock
// moves one second per reading, as in testDeskWorkflow.
func newTWDesk(t *testing.T, s helpdesk.Store, mods ...func(*helpdesk.Config)) *twDesk {
	t.Helper()
	ctx := context.Background()
	c := helpdesk.Config{Store: s, Clock: tickingClock()}
	for _, m := range mods {
		m(&c)
	}
	d, err := helpdesk.New(c)
	require.NoError(t, err)
	svc := newID()
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: svc, Settings: cfg(svc).Settings})
	require.NoError(t, err)
	w := &twDesk{desk: d, svc: svc, service: d.Service(svc), store: s}
	w.sys = w.service.As(helpdesk.System)
	adm, err := w.sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
	require.NoError(t, err)
	w.admin = w.service.As(helpdesk.AgentID(adm.ID))
	g, err := w.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Refunds"})
	require.NoError(t, err)
	w.group = g.ID
	mk := func(name string, assignment bool) agent.Agent {
		a, err := w.admin.Agents().Create(ctx, agent.New{Name: name, Email: strings.ToLower(name) + "@example.com", Role: agent.RoleAgent,
			Permissions: &agent.Permissions{Ticket: true}, Toggles: &agent.Toggles{TicketAssignment: assignment}, GroupIDs: []string{g.ID}})
		require.NoError(t, err)
		return a
	}
	w.off = mk("Off", false)
	w.eligible = []agent.Agent{mk("Kim", true), mk("Lee", true)}
	return w
}

// trigger creates a trigger as the admin.
func (w *twDesk) trigger(t *testing.T, n trigger.New) trigger.Trigger {
	t.Helper()
	tr, err := w.admin.Triggers().Create(context.Background(), n)
	require.NoError(t, err)
	return tr
}

// ticket creates a ticket as the system (email channel).
func (w *twDesk) ticket(t *testing.T, content string, tags ...string) ticket.Ticket {
	t.Helper()
	tk, err := w.sys.Tickets().Create(context.Background(), twNew(content, tags...))
	require.NoError(t, err)
	return tk
}

func twNew(content string, tags ...string) ticket.New {
	return ticket.New{
		Requester: ticket.Requester{Name: "Park", Email: "park@customer.example", Phone: "010-1234-5678"},
		Title:     "Refund wanted", Content: content, Channel: ticket.ChannelEmail, Tags: tags,
	}
}

func (w *twDesk) get(t *testing.T, id string) ticket.Ticket {
	t.Helper()
	tk, err := w.admin.Tickets().Get(context.Background(), id)
	require.NoError(t, err)
	return tk
}

func (w *twDesk) history(t *testing.T, id string) []ticket.Change {
	t.Helper()
	h, err := w.admin.Tickets().History(context.Background(), id)
	require.NoError(t, err)
	return h
}

// allHistory is the service's whole history as JSON lines.
func (w *twDesk) allHistory(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, w.sys.Tickets().ExportHistory(context.Background(), &b, helpdesk.JSONLines, ticket.ChangeFilter{}))
	return b.String()
}

// messages returns the service's messages as stored (an admin reads hook
// URLs masked: helpdesk's SEC-1).
func (w *twDesk) messages(t *testing.T) []notify.Message {
	t.Helper()
	q, err := notify.Filter{Limit: 500}.Query()
	require.NoError(t, err)
	return listMessages(t, w.store, w.svc, q).Messages
}

func (w *twDesk) comments(t *testing.T, id string) []ticket.Comment {
	t.Helper()
	cs, err := w.admin.Tickets().Comments(context.Background(), id)
	require.NoError(t, err)
	return cs
}

// fired returns the ids of the triggers that fired on ticket id, in order.
func (w *twDesk) fired(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	for _, c := range w.history(t, id) {
		if c.Field == ticket.FieldTrigger {
			out = append(out, c.From)
		}
	}
	return out
}

// rowsOf returns the history rows of field, as "from → to".
func rowsOf(h []ticket.Change, field string) []string {
	var out []string
	for _, c := range h {
		if c.Field == field {
			out = append(out, c.From+" → "+c.To)
		}
	}
	return out
}

func twPtr[T any](v T) *T { return &v }

var onCreated = trigger.Condition{Target: trigger.TargetEvent, Op: trigger.Is, Value: "created"}

// testTriggersFire: triggers fire on a created event, in order, each once;
// a later trigger sees what an earlier one changed; changes are history rows
// of the system; side effects are outbox rows with the change (TRG-6,
// TRG-7, NTF-1). A later event that matches nothing fires nothing.
func testTriggersFire(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s)
	kim := w.eligible[0]
	t1 := w.trigger(t, trigger.New{Name: "refunds",
		All: []trigger.Condition{onCreated, {Target: trigger.TargetContent, Op: trigger.Contains, Value: "refund"}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRoundRobin, GroupID: w.group},
			{Kind: trigger.SetPriority, Value: "high"},
			{Kind: trigger.AddTags, Tags: []string{"refund"}},
			{Kind: trigger.Notify, Recipient: trigger.RecipientAssignee,
				Subject: i18n.Text{"ko": "[#{ticketId}] 환불: #{title}", "en": "[#{ticketId}] Refund: #{title}"},
				Body:    i18n.Text{"ko": "티켓 #{ticketId} (#{title}) 배정", "en": "Ticket #{ticketId} (#{title}) is yours"}},
		}})
	t2 := w.trigger(t, trigger.New{Name: "high priority",
		All: []trigger.Condition{{Target: trigger.TargetPriority, Op: trigger.ChangedTo, Value: "high"}},
		Actions: []trigger.Action{
			{Kind: trigger.Note, Body: i18n.Text{"ko": "우선순위 높음: #{title}"}},
			{Kind: trigger.Dooray, URL: "https://hook.dooray.com/services/1/2/abc", Body: i18n.Text{"ko": "#{ticketId} #{title} (#{customerName})"}},
			{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "접수 #{ticketId}"}},
		}})

	tk, err := w.sys.Tickets().Create(ctx, twNew("REFUND please, the order never came"))
	require.NoError(t, err)
	assert.Equal(t, w.group, tk.GroupID)
	assert.Equal(t, kim.ID, tk.AssigneeID, "round robin skips the member whose assignment is off (TRG-6.1)")
	assert.Equal(t, ticket.StatusOpen, tk.Status, "an assignment opens a new ticket (TKT-2)")
	assert.Equal(t, ticket.PriorityHigh, tk.Priority)
	assert.Equal(t, []string{"refund"}, tk.Tags)
	assert.Equal(t, int64(1), tk.Version)
	got := w.get(t, tk.ID)
	assert.Equal(t, tk, got, "what Tickets().Create returned is what was stored")

	// History: the created row by the actor, then per firing a trigger row
	// (From = trigger id) and the rows of what it did, all by the system.
	h := w.history(t, tk.ID)
	var rows []string
	for _, c := range h {
		assert.Equal(t, ticket.ActorSystem, c.ActorKind, "%+v", c)
		assert.Empty(t, c.ActorID, "%+v", c)
		assert.Equal(t, ticket.EventCreated, c.Event, "%+v", c)
		assert.Equal(t, tk.ID, c.TicketID)
		switch c.Field {
		case ticket.FieldTrigger:
			rows = append(rows, "trigger "+c.From)
		case ticket.FieldNote:
			rows = append(rows, "note")
		default:
			rows = append(rows, c.Field+": "+c.From+" → "+c.To)
		}
	}
	assert.Equal(t, []string{
		"ticket:  → Refund wanted",
		"trigger " + t1.ID,
		"status: new → open",
		"priority: normal → high",
		"group_id:  → " + w.group,
		"assignee_id:  → " + kim.ID,
		"tags: " + ticket.FormatValue([]string(nil)) + " → " + ticket.FormatValue([]string{"refund"}),
		"trigger " + t2.ID,
		"note",
	}, rows)
	for _, c := range h {
		if c.Field == ticket.FieldTrigger && c.From == t1.ID {
			assert.Contains(t, c.To, "refunds", "the row names the trigger")
		}
	}

	// The note, written with the ticket.
	cs := w.comments(t, tk.ID)
	require.Len(t, cs, 1)
	assert.Equal(t, ticket.CommentInternal, cs[0].Kind)
	assert.Equal(t, ticket.ActorSystem, cs[0].AuthorKind)
	assert.Equal(t, "우선순위 높음: Refund wanted", cs[0].Body)
	assert.Equal(t, []string{" → " + cs[0].ID}, rowsOf(h, ticket.FieldNote))

	// The outbox: exactly the three messages, rendered once the ticket had
	// its number.
	num := fmt.Sprint(tk.Number)
	type msg struct {
		Medium              notify.Medium
		Recipient           string
		Subject, Text       string
		Kind, Ticket, Tr    string
		State               notify.State
		HasKey, HasThreadID bool
	}
	var gotMsgs []msg
	keys := map[string]bool{}
	for _, m := range w.messages(t) {
		keys[m.IdempotencyKey] = true
		gotMsgs = append(gotMsgs, msg{Medium: m.Medium, Recipient: m.Recipient, Subject: m.Payload.Subject, Text: m.Payload.Text,
			Kind: m.Source.Kind, Ticket: m.Source.TicketID, Tr: m.Source.TriggerID, State: m.State,
			HasKey: m.IdempotencyKey != "", HasThreadID: strings.Contains(m.Payload.Headers["References"], tk.ID)})
	}
	assert.ElementsMatch(t, []msg{
		{Medium: notify.Email, Recipient: kim.Email, Subject: "[" + num + "] 환불: Refund wanted", Text: "티켓 " + num + " (Refund wanted) 배정",
			Kind: "trigger", Ticket: tk.ID, Tr: t1.ID, State: notify.Pending, HasKey: true, HasThreadID: true},
		{Medium: notify.Dooray, Recipient: "https://hook.dooray.com/services/1/2/abc", Text: num + " Refund wanted (Park)",
			Kind: "trigger", Ticket: tk.ID, Tr: t2.ID, State: notify.Pending, HasKey: true},
		{Medium: notify.SMS, Recipient: "010-1234-5678", Text: "접수 " + num,
			Kind: "trigger", Ticket: tk.ID, Tr: t2.ID, State: notify.Pending, HasKey: true},
	}, gotMsgs)
	assert.Len(t, keys, 3, "idempotency keys are distinct")
	// The admin reads the hook masked (helpdesk's SEC-1).
	p, err := w.admin.Outbox().List(ctx, notify.Filter{Limit: 500})
	require.NoError(t, err)
	var hooks []string
	for _, m := range p.Messages {
		if m.Medium == notify.Dooray {
			hooks = append(hooks, m.Recipient)
		}
	}
	assert.Equal(t, []string{"https://hook.dooray.com/********"}, hooks)

	// A second event: an update of title and content. T1 is for created
	// events only, though the content still says refund; T2 needs the
	// priority to change to high, and it stays high.
	up, err := w.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: twPtr("Refund wanted (order 42)"),
		Content: twPtr("REFUND please, still nothing")})
	require.NoError(t, err)
	assert.Equal(t, int64(2), up.Version)
	assert.Equal(t, kim.ID, up.AssigneeID)
	assert.Equal(t, []string{"refund"}, up.Tags)
	assert.Equal(t, []string{t1.ID, t2.ID}, w.fired(t, tk.ID), "nothing fired on the update")
	h2 := w.history(t, tk.ID)
	require.Len(t, h2, len(h)+2, "title and content rows only")
	for _, c := range h2[len(h):] {
		assert.Equal(t, ticket.EventUpdated, c.Event)
		assert.Contains(t, []string{"title", "content"}, c.Field)
	}
	assert.Len(t, w.messages(t), 3, "no new message")
	assert.Len(t, w.comments(t, tk.ID), 1, "no new note")

	// A ticket whose content does not mention a refund fires nothing.
	other := w.ticket(t, "Where is my invoice?")
	assert.Empty(t, w.fired(t, other.ID))
	assert.Equal(t, ticket.StatusNew, other.Status)
	assert.Len(t, w.messages(t), 3)
}

// errOutboxDown is what failStore's outbox returns while it fails.
var errOutboxDown = errors.New("storetest: the outbox is down")

// failStore wraps a store; while fail is set, Outbox().Enqueue in its
// transactions returns errOutboxDown.
type failStore struct {
	helpdesk.Store
	fail atomic.Bool
}

func (f *failStore) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	return f.Store.Tx(ctx, serviceID, func(r helpdesk.Repos) error { return fn(failRepos{Repos: r, f: f}) })
}

type failRepos struct {
	helpdesk.Repos
	f *failStore
}

func (r failRepos) Outbox() notify.Outbox { return failOutbox{Outbox: r.Repos.Outbox(), f: r.f} }

type failOutbox struct {
	notify.Outbox
	f *failStore
}

func (o failOutbox) Enqueue(ctx context.Context, ms ...notify.Message) error {
	if o.f.fail.Load() {
		return errOutboxDown
	}
	return o.Outbox.Enqueue(ctx, ms...)
}

// testTriggerEventRollback: a side effect that cannot be stored fails the event,
// and nothing of it remains: no ticket (nor its number), no ticket change,
// no history row, no note, no outbox row, no round-robin step (TRG-7,
// NTF-1).
func testTriggerEventRollback(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	fs := &failStore{Store: s}
	w := newTWDesk(t, fs)
	kim, lee := w.eligible[0], w.eligible[1]
	w.trigger(t, trigger.New{Name: "on create",
		All: []trigger.Condition{onCreated},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRoundRobin, GroupID: w.group},
			{Kind: trigger.AddTags, Tags: []string{"triaged"}},
			{Kind: trigger.Note, Body: i18n.Text{"ko": "자동 배정"}},
			{Kind: trigger.Dooray, URL: "https://hook.dooray.com/services/x", Body: i18n.Text{"ko": "#{ticketId}"}},
		}})
	w.trigger(t, trigger.New{Name: "on urgent",
		All: []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "updated"},
			{Target: trigger.TargetPriority, Op: trigger.ChangedTo, Value: "urgent"}},
		Actions: []trigger.Action{
			{Kind: trigger.AddTags, Tags: []string{"urgent"}},
			{Kind: trigger.SetProcessingCategory},
			{Kind: trigger.Note, Body: i18n.Text{"ko": "긴급"}},
			{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "긴급 접수 #{ticketId}"}},
		}})

	// A create whose trigger's message cannot be stored.
	fs.fail.Store(true)
	_, err := w.sys.Tickets().Create(ctx, twNew("first"))
	require.ErrorIs(t, err, errOutboxDown)
	fs.fail.Store(false)
	p, err := w.sys.Tickets().List(ctx, ticket.Filter{})
	require.NoError(t, err)
	assert.Empty(t, p.Tickets, "no ticket")
	assert.Empty(t, w.allHistory(t), "no history row")
	assert.Empty(t, w.messages(t), "no outbox row")

	tk, err := w.sys.Tickets().Create(ctx, twNew("second"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), tk.Number, "the failed create used no number")
	assert.Equal(t, kim.ID, tk.AssigneeID, "the failed create's round-robin step rolled back")
	assert.Len(t, w.messages(t), 1)
	assert.Len(t, w.comments(t, tk.ID), 1)

	// An update whose trigger's message cannot be stored.
	before, hist, cs, msgs := w.get(t, tk.ID), w.history(t, tk.ID), w.comments(t, tk.ID), w.messages(t)
	all := w.allHistory(t)
	fs.fail.Store(true)
	_, err = w.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Priority: twPtr(ticket.PriorityUrgent), Title: twPtr("changed")})
	require.ErrorIs(t, err, errOutboxDown)
	fs.fail.Store(false)
	assert.Equal(t, before, w.get(t, tk.ID), "the ticket is unchanged")
	assert.Equal(t, hist, w.history(t, tk.ID), "no history row")
	assert.Equal(t, all, w.allHistory(t))
	assert.Equal(t, cs, w.comments(t, tk.ID), "no note")
	assert.Equal(t, msgs, w.messages(t), "no outbox row")

	up, err := w.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Priority: twPtr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, tk.Version+1, up.Version)
	assert.Equal(t, []string{"triaged", "urgent"}, up.Tags)
	assert.Len(t, w.messages(t), 2)
	assert.Len(t, w.comments(t, tk.ID), 2)

	// The next assignment goes on from where the committed one left off.
	tk2 := w.ticket(t, "third")
	assert.Equal(t, lee.ID, tk2.AssigneeID)
}

// tagger is a trigger that adds tag name on created events.
func tagger(name string) trigger.New {
	return trigger.New{Name: name, All: []trigger.Condition{onCreated},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{name}}}}
}

// testTriggerManagement: the admin's trigger workflows (TRG-1, TRG-5): the
// active list in run order, reorder, deactivate to the inactive list,
// activate to the end of the active list, delete only when inactive; a
// change is seen by the next event; validation names every problem.
func testTriggerManagement(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s)
	a, b, c := w.trigger(t, tagger("a")), w.trigger(t, tagger("b")), w.trigger(t, tagger("c"))
	list := func() (active, inactive []string) {
		t.Helper()
		ts, err := w.admin.Triggers().List(ctx)
		require.NoError(t, err)
		var lastActive = true
		for i, tr := range ts {
			if tr.Active {
				require.True(t, lastActive, "active triggers come first")
				assert.Equal(t, len(active), tr.Position, "gapless positions")
				active = append(active, tr.ID)
			} else {
				lastActive = false
				assert.Equal(t, i-len(active), tr.Position, "gapless positions")
				inactive = append(inactive, tr.ID)
			}
		}
		return active, inactive
	}
	// event creates a ticket and returns the triggers that fired on it, in
	// order, and its tags.
	event := func() ([]string, []string) {
		t.Helper()
		tk := w.ticket(t, "hello")
		return w.fired(t, tk.ID), tk.Tags
	}
	fires := func(ids ...string) []string { return ids }
	act, inact := list()
	assert.Equal(t, []string{a.ID, b.ID, c.ID}, act, "creation order")
	assert.Empty(t, inact)
	assert.Equal(t, []int{0, 1, 2}, []int{a.Position, b.Position, c.Position})
	fired, tags := event()
	assert.Equal(t, fires(a.ID, b.ID, c.ID), fired, "top to bottom")
	assert.Equal(t, []string{"a", "b", "c"}, tags)

	// Reorder.
	require.NoError(t, w.admin.Triggers().Reorder(ctx, []string{c.ID, a.ID, b.ID}))
	act, _ = list()
	assert.Equal(t, []string{c.ID, a.ID, b.ID}, act)
	err := w.admin.Triggers().Reorder(ctx, []string{c.ID, a.ID})
	require.ErrorIs(t, err, helpdesk.ErrInvalid, "a reorder must name every active trigger")
	act, _ = list()
	assert.Equal(t, []string{c.ID, a.ID, b.ID}, act, "a refused reorder changes nothing")
	fired, _ = event()
	assert.Equal(t, fires(c.ID, a.ID, b.ID), fired, "in the new order")

	// Deactivate: to the inactive list; it no longer fires.
	require.NoError(t, w.admin.Triggers().Deactivate(ctx, a.ID))
	act, inact = list()
	assert.Equal(t, []string{c.ID, b.ID}, act)
	assert.Equal(t, []string{a.ID}, inact)
	got, err := w.admin.Triggers().Get(ctx, a.ID)
	require.NoError(t, err)
	assert.False(t, got.Active)
	fired, tags = event()
	assert.Equal(t, fires(c.ID, b.ID), fired, "a deactivated trigger does not fire")
	assert.Equal(t, []string{"b", "c"}, tags)

	// Activate: to the end of the active list.
	require.NoError(t, w.admin.Triggers().Activate(ctx, a.ID))
	act, inact = list()
	assert.Equal(t, []string{c.ID, b.ID, a.ID}, act)
	assert.Empty(t, inact)
	fired, _ = event()
	assert.Equal(t, fires(c.ID, b.ID, a.ID), fired)

	// Delete: only an inactive trigger.
	err = w.admin.Triggers().Delete(ctx, a.ID)
	require.ErrorIs(t, err, trigger.ErrActive)
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	act, _ = list()
	assert.Equal(t, []string{c.ID, b.ID, a.ID}, act, "a refused delete changes nothing")
	require.NoError(t, w.admin.Triggers().Deactivate(ctx, a.ID))
	require.NoError(t, w.admin.Triggers().Delete(ctx, a.ID))
	_, err = w.admin.Triggers().Get(ctx, a.ID)
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
	require.ErrorIs(t, w.admin.Triggers().Delete(ctx, a.ID), helpdesk.ErrNotFound)
	act, inact = list()
	assert.Equal(t, []string{c.ID, b.ID}, act)
	assert.Empty(t, inact)

	// Triggers.Update: the next event sees the new rule; place and active
	// flag stay.
	fired, tags = event()
	assert.Equal(t, fires(c.ID, b.ID), fired)
	assert.Equal(t, []string{"b", "c"}, tags)
	n := tagger("c2")
	n.Inactive = true // ignored by Triggers.Update
	up, err := w.admin.Triggers().Update(ctx, c.ID, n)
	require.NoError(t, err)
	assert.True(t, up.Active)
	assert.Equal(t, 0, up.Position)
	assert.Equal(t, "c2", up.Name)
	_, tags = event()
	assert.Equal(t, []string{"b", "c2"}, tags)

	// A change written by someone else (another process: straight into the
	// store, without this desk dropping its cached set) is seen at the next
	// event too: compiled sets are keyed by the store's trigger-set version.
	require.NoError(t, w.store.Tx(ctx, w.svc, func(r helpdesk.Repos) error {
		tr, err := r.Triggers().Get(ctx, b.ID)
		if err != nil {
			return err
		}
		tr.Actions = []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"b2"}}}
		tr.UpdatedAt = base.Add(time.Hour)
		return r.Triggers().Save(ctx, tr)
	}))
	_, tags = event()
	assert.Equal(t, []string{"b2", "c2"}, tags)
	require.NoError(t, w.store.Tx(ctx, w.svc, func(r helpdesk.Repos) error {
		if err := r.Triggers().Lock(ctx); err != nil {
			return err
		}
		ts, err := r.Triggers().List(ctx)
		if err != nil {
			return err
		}
		rows, err := trigger.Move(ts, b.ID, false, base.Add(time.Hour))
		if err != nil {
			return err
		}
		return r.Triggers().Save(ctx, rows...)
	}))
	fired, tags = event()
	assert.Equal(t, fires(c.ID), fired)
	assert.Equal(t, []string{"c2"}, tags)

	// Validation names every problem, and stores nothing.
	before, err := w.admin.Triggers().List(ctx)
	require.NoError(t, err)
	_, err = w.admin.Triggers().Create(ctx, trigger.New{Name: " ",
		All: []trigger.Condition{{Target: "no_such_target", Op: trigger.Is, Value: "x"},
			{Target: trigger.TargetPriority, Op: trigger.Is, Value: "enormous"}},
		Any: []trigger.Condition{{Target: trigger.TargetStatus, Op: trigger.GreaterThan, Value: "open"}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRandom, GroupID: "no-such-group"},
			{Kind: trigger.Dooray, URL: "http://hook.example/plain-http", Body: i18n.Text{"ko": "x"}},
			{Kind: trigger.SetStatus, Value: "new"},
			{Kind: trigger.Notify, Recipient: "everyone", Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"fr": "b"}},
		}})
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var fields []string
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"name", "all[0].target", "all[1].value", "any[0].op", "actions[0].group_id", "actions[1].url",
		"actions[2].value", "actions[3].recipient", "actions[3].body", "actions[3].body.fr"}, fields)
	after, err := w.admin.Triggers().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused trigger is not stored")

	// The same checks on update, which then changes nothing.
	_, err = w.admin.Triggers().Update(ctx, c.ID, trigger.New{Name: "x", All: []trigger.Condition{onCreated},
		Actions: []trigger.Action{{Kind: trigger.AssignFixed, GroupID: w.group}}})
	var ve2 *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve2)
	require.Len(t, ve2.Problems, 1)
	assert.Equal(t, "actions[0].agent_id", ve2.Problems[0].Field)
	got, err = w.admin.Triggers().Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "c2", got.Name)
	_, err = w.admin.Triggers().Update(ctx, "no-such-trigger", tagger("x"))
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
}

// testTriggerDryRun: a dry run reports which triggers would fire, which
// conditions held and what the actions would do, and changes nothing
// (TRG-8).
func testTriggerDryRun(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s)
	vip := w.trigger(t, trigger.New{Name: "urgent invoices",
		All: []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "updated"},
			{Target: trigger.TargetPriority, Op: trigger.ChangedTo, Value: "urgent"}},
		Any: []trigger.Condition{{Target: trigger.TargetContent, Op: trigger.Contains, Value: "invoice"},
			{Target: trigger.TargetRequesterEmail, Op: trigger.Contains, Value: "vip"}},
		Actions: []trigger.Action{
			{Kind: trigger.AddTags, Tags: []string{"vip"}},
			{Kind: trigger.AssignFixed, GroupID: w.group, AgentID: w.eligible[1].ID},
			{Kind: trigger.Notify, Recipient: trigger.RecipientCustomer, Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"ko": "b"}},
		}})
	never := w.trigger(t, trigger.New{Name: "never",
		All:     []trigger.Condition{{Target: trigger.TargetTitle, Op: trigger.Contains, Value: "zebra"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"zebra"}}}})
	tk := w.ticket(t, "My invoice is wrong")
	require.Empty(t, w.fired(t, tk.ID))

	state := func() string {
		t.Helper()
		c, err := w.admin.Outbox().Counts(ctx)
		require.NoError(t, err)
		return fmt.Sprintf("%+v\n%+v\n%+v\n%+v\n%s", w.get(t, tk.ID), w.history(t, tk.ID), w.comments(t, tk.ID), c, w.allHistory(t))
	}
	before := state()

	rep, err := w.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, &ticket.Update{Version: tk.Version, Priority: twPtr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, ticket.EventUpdated, rep.Event)
	require.Len(t, rep.Triggers, 2)
	r := rep.Triggers[0]
	assert.Equal(t, vip.ID, r.ID)
	assert.True(t, r.Fired)
	assert.Equal(t, 1, r.Pass)
	assert.NotEmpty(t, r.Source)
	type cond struct {
		Req    string
		Index  int
		Target string
		Held   bool
	}
	var conds []cond
	for _, c := range r.Conditions {
		conds = append(conds, cond{c.Requirement, c.Index, c.Condition.Target, c.Held})
	}
	assert.Equal(t, []cond{{"all", 0, "event", true}, {"all", 1, "priority", true}, {"any", 0, "content", true}, {"any", 1, "requester_email", false}}, conds)
	assert.Equal(t, "urgent", r.Conditions[1].Value)
	assert.Equal(t, "normal", r.Conditions[1].Before)
	require.Len(t, r.Actions, 3)
	for i, a := range r.Actions {
		assert.Equal(t, vip.Actions[i].Kind, a.Action.Kind)
		assert.Equal(t, trigger.Describe(vip.Actions[i]), a.Effect)
		assert.NotEmpty(t, a.Effect)
		assert.Empty(t, a.Error)
	}
	n := rep.Triggers[1]
	assert.Equal(t, never.ID, n.ID)
	assert.False(t, n.Fired)
	assert.Empty(t, n.Actions)
	require.Len(t, n.Conditions, 1)
	assert.False(t, n.Conditions[0].Held)
	assert.Equal(t, ticket.PriorityUrgent, rep.Ticket.Priority, "the ticket as the run would leave it")
	assert.Equal(t, []string{"vip"}, rep.Ticket.Tags)
	assert.Equal(t, w.group, rep.Ticket.GroupID)
	assert.Equal(t, w.eligible[1].ID, rep.Ticket.AssigneeID)
	assert.Equal(t, before, state(), "a dry run changes nothing")

	// Without a change nothing changed: the change operator fails.
	rep, err = w.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, nil)
	require.NoError(t, err)
	assert.False(t, rep.Triggers[0].Fired)
	assert.True(t, rep.Triggers[0].Conditions[0].Held)
	assert.False(t, rep.Triggers[0].Conditions[1].Held)
	assert.Equal(t, tk.Priority, rep.Ticket.Priority)
	assert.Equal(t, before, state())

	_, err = w.admin.Triggers().DryRun(ctx, "no-such-ticket", ticket.EventUpdated, nil)
	require.ErrorIs(t, err, helpdesk.ErrNotFound)

	// The real update does what the dry run said.
	up, err := w.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Priority: twPtr(ticket.PriorityUrgent)})
	require.NoError(t, err)
	assert.Equal(t, []string{vip.ID}, w.fired(t, tk.ID))
	assert.Equal(t, []string{"vip"}, up.Tags)
	assert.Equal(t, w.eligible[1].ID, up.AssigneeID)
}

// testTriggerPassBound: a chain of triggers that each enable the one above
// stops at Config.TriggerPasses passes and says so in the history (TRG-7).
func testTriggerPassBound(t *testing.T, s helpdesk.Store) {
	w := newTWDesk(t, s, func(c *helpdesk.Config) { c.TriggerPasses = 3 })
	// Trigger k adds tag "tk" when the ticket has tag "t(k-1)"; they are
	// stored last link first, so each pass fires one link.
	ids := make([]string, 6)
	for k := 5; k >= 1; k-- {
		tr := w.trigger(t, trigger.New{Name: fmt.Sprintf("link %d", k),
			All:     []trigger.Condition{{Target: trigger.TargetTags, Op: trigger.Contains, Value: fmt.Sprintf("t%d", k-1)}},
			Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{fmt.Sprintf("t%d", k)}}}})
		ids[k] = tr.ID
	}
	tk := w.ticket(t, "chain", "t0")
	assert.Equal(t, []string{"t0", "t1", "t2", "t3"}, tk.Tags, "three passes, one link each")
	assert.Equal(t, []string{ids[1], ids[2], ids[3]}, w.fired(t, tk.ID))
	h := w.history(t, tk.ID)
	bound := rowsOf(h, ticket.FieldTriggerPasses)
	require.Len(t, bound, 1)
	assert.Contains(t, bound[0], "3 passes")
	last := h[len(h)-1]
	assert.Equal(t, ticket.FieldTriggerPasses, last.Field, "the bound row comes after the firings")
	assert.Equal(t, ticket.ActorSystem, last.ActorKind)

	// The next event goes on from there: every trigger fires at most once
	// per event, not once per ticket.
	up, err := w.sys.Tickets().Update(context.Background(), tk.ID, ticket.Update{Version: tk.Version, Title: twPtr("chain again")})
	require.NoError(t, err)
	assert.Equal(t, []string{"t0", "t1", "t2", "t3", "t4", "t5"}, up.Tags)
	fired := w.fired(t, tk.ID)
	assert.Len(t, fired, 3+5, "on the update every link holds; t4 and t5 are added in two passes")
	assert.Len(t, rowsOf(w.history(t, tk.ID), ticket.FieldTriggerPasses), 1, "the update ended within the bound")
}

// testTriggerStaleTargets: a trigger naming a group or a processing
// category deleted since it was saved does not fail the event: the action
// is skipped and the history says why (TRG-6).
func testTriggerStaleTargets(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s)
	g, err := w.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Gone soon"})
	require.NoError(t, err)
	cat, err := w.admin.Categories().Create(ctx, category.New{Tree: category.Processing, Name: i18n.Text{"ko": "환불 처리", "en": "Refund handling"}})
	require.NoError(t, err)
	tr := w.trigger(t, trigger.New{Name: "route",
		All: []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.In, Value: []string{"created", "updated"}}},
		Actions: []trigger.Action{
			{Kind: trigger.AssignRandom, GroupID: g.ID},
			{Kind: trigger.SetProcessingCategory, CategoryID: cat.ID},
			{Kind: trigger.AddTags, Tags: []string{"routed"}},
		}})
	require.NoError(t, w.admin.Groups().Delete(ctx, g.ID))
	_, err = w.admin.Categories().Delete(ctx, cat.ID)
	require.NoError(t, err)

	tk, err := w.sys.Tickets().Create(ctx, twNew("stale"))
	require.NoError(t, err, "stale targets do not fail the event")
	assert.Empty(t, tk.GroupID)
	assert.Empty(t, tk.ProcessingCategoryID)
	assert.Equal(t, []string{"routed"}, tk.Tags, "the other actions still apply")
	assert.Equal(t, ticket.StatusNew, tk.Status)
	h := w.history(t, tk.ID)
	var skipped []string
	for _, c := range h {
		if c.Field == ticket.FieldTriggerAction {
			assert.Equal(t, tr.ID, c.From)
			assert.Equal(t, ticket.ActorSystem, c.ActorKind)
			skipped = append(skipped, c.To)
		}
	}
	require.Len(t, skipped, 2)
	assert.Contains(t, skipped[0], "assign_random")
	assert.Contains(t, skipped[0], g.ID)
	assert.Contains(t, skipped[0], "no longer exists")
	assert.Contains(t, skipped[1], "set_processing_category")
	assert.Contains(t, skipped[1], cat.ID)
	assert.Equal(t, []string{tr.ID}, w.fired(t, tk.ID))

	// The same on an update.
	up, err := w.sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: twPtr("still stale")})
	require.NoError(t, err)
	assert.Empty(t, up.GroupID)
	assert.Empty(t, up.ProcessingCategoryID)
	assert.Equal(t, []string{tr.ID, tr.ID}, w.fired(t, tk.ID))
	h = w.history(t, tk.ID)
	assert.Len(t, rowsOf(h, ticket.FieldTriggerAction), 4)
	assert.Equal(t, ticket.FieldTriggerAction, h[len(h)-1].Field)
	assert.Equal(t, ticket.EventUpdated, h[len(h)-1].Event)
}

// testTriggerConcurrentWrites: trigger writes racing in separate
// transactions (creates to either list, then moves between the lists) are
// serialised by the service's trigger lock: no write fails, and both lists
// end with positions 0..n-1 (TRG-1).
func testTriggerConcurrentWrites(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	w := newTWDesk(t, s)
	const n = 12
	ids := make([]string, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			nw := tagger(fmt.Sprintf("t%d", k))
			nw.Inactive = k%2 == 1
			tr, err := w.admin.Triggers().Create(ctx, nw)
			if assert.NoError(t, err) {
				ids[k] = tr.ID
			}
		})
	}
	wg.Wait()
	for k := range n {
		wg.Go(func() {
			if k%2 == 0 {
				assert.NoError(t, w.admin.Triggers().Deactivate(ctx, ids[k]))
			} else {
				assert.NoError(t, w.admin.Triggers().Activate(ctx, ids[k]))
			}
		})
	}
	wg.Wait()
	ts, err := w.admin.Triggers().List(ctx)
	require.NoError(t, err)
	var active, inactive []int
	for _, tr := range ts {
		if tr.Active {
			active = append(active, tr.Position)
		} else {
			inactive = append(inactive, tr.Position)
		}
	}
	want := []int{0, 1, 2, 3, 4, 5}
	assert.Equal(t, want, active, "positions 0..n-1, each once")
	assert.Equal(t, want, inactive, "positions 0..n-1, each once")
}

// collidingVersions wraps a store: its trigger-set version is "colliding"
// whenever the store has one, so two such stores report equal versions
// for different trigger sets.
type collidingVersions struct{ helpdesk.Store }

func (c collidingVersions) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	return c.Store.Tx(ctx, serviceID, func(r helpdesk.Repos) error { return fn(collidingRepos{r}) })
}

type collidingRepos struct{ helpdesk.Repos }

func (r collidingRepos) Triggers() trigger.Repository { return collidingTriggers{r.Repos.Triggers()} }

type collidingTriggers struct{ trigger.Repository }

func (c collidingTriggers) Version(ctx context.Context) (string, error) {
	v, err := c.Repository.Version(ctx)
	if v != "" {
		v = "colliding"
	}
	return v, err
}

// testTriggerTwoDesks: two desks in one process, one on the store under
// test and one on a memory store, run a service of the same id with
// different triggers while both stores report the same trigger-set
// version: each desk runs its own triggers (compiled sets are cached per
// desk, since a version names a set only within its store).
func testTriggerTwoDesks(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newID()
	other := memory.New()
	t.Cleanup(func() { _ = other.Close() })
	desk := func(st helpdesk.Store, tag string) *helpdesk.Session {
		d, err := helpdesk.New(helpdesk.Config{Store: collidingVersions{st}})
		require.NoError(t, err)
		_, err = d.CreateService(ctx, helpdesk.NewService{ID: svc, Settings: cfg(svc).Settings})
		require.NoError(t, err)
		sys := d.Service(svc).As(helpdesk.System)
		_, err = sys.Triggers().Create(ctx, tagger(tag))
		require.NoError(t, err)
		return sys
	}
	a, b := desk(s, "a"), desk(other, "b")
	for round := range 2 { // the second round runs from the cached sets
		for _, d := range []struct {
			sys *helpdesk.Session
			tag string
		}{{a, "a"}, {b, "b"}} {
			tk, err := d.sys.Tickets().Create(ctx, twNew("hello"))
			require.NoError(t, err)
			assert.Equal(t, []string{d.tag}, tk.Tags, "round %d: the desk's own trigger", round)
		}
	}
}
