// Package storetest is the conformance suite every helpdesk.Store must pass.
// A store adapter's test calls Run with a constructor that returns a fresh,
// empty store; later repositories add their cases here, so every store is
// held to the same behaviour.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// NewStore returns a fresh, empty store for one test; it registers its own
// cleanup with t.
type NewStore func(t *testing.T) helpdesk.Store

// Options describe the store under test.
type Options struct {
	// New returns a fresh, empty store for one case; required.
	New NewStore
	// Queue declares that the store implements notify.Queue (it can feed a
	// Dispatcher): the queue cases run. A store that declares the queue but
	// does not implement it fails, and so does one that implements it
	// without declaring it; with Queue false the queue cases are reported
	// as skipped, never silently dropped.
	Queue bool
	// Serial runs the cases one after another. By default each top-level
	// case runs in parallel with the others (t.Parallel), on a store of its
	// own.
	Serial bool
}

// Run runs every conformance case against stores made by o.New.
func Run(t *testing.T, o Options) {
	if o.New == nil {
		t.Fatal("storetest: Options.New is required")
	}
	if !o.Queue {
		t.Log("storetest: notify.Queue declared absent (Options.Queue is false): its cases are skipped")
	}
	cases := []struct {
		name string
		fn   func(*testing.T, helpdesk.Store)
	}{
		{"ServiceCRUD", testServiceCRUD},
		{"AgentCRUD", testAgentCRUD},
		{"TicketCRUD", testTicketCRUD},
		{"TicketStaleVersion_TKT8", testStaleVersion},
		{"TenantIsolation_SVC1", testTenantIsolation},
		{"RollbackOnError", testRollback},
		{"RollbackOnPanic", testRollbackPanic},
		{"ConcurrentNumbers", testConcurrentNumbers},
		{"ListFilters", testListFilters},
		{"PaginationStable", testPagination},
		{"CommentsAndChanges", testCommentsAndChanges},
		{"HistoryWrittenWithTicket_TKT4", testHistoryWithTicket},
		{"RoundRobinFairness_TRG61", testRoundRobinFairness},
		{"QueueSettleBatch_NTF1", testQueueSettleBatch},
		{"Categories", testCategory},
		{"Fields", testField},
		{"Templates", testTemplate},
		{"Triggers_TRG1", testTriggers},
		{"ConcurrentConfigUpdates", testConcurrentConfigUpdates},
		{"DeskWorkflow", testDeskWorkflow},
		{"TriggersFire_TRG7", testTriggersFire},
		{"TriggerRollback_NTF1", testTriggerEventRollback},
		{"TriggerManagement_TRG1", testTriggerManagement},
		{"TriggerDryRun_TRG8", testTriggerDryRun},
		{"TriggerPassBound_TRG7", testTriggerPassBound},
		{"TriggerStaleTargets_TRG6", testTriggerStaleTargets},
		{"AgentFields_AGT2", testAgentFields},
		{"Groups_AGT6", testGroups},
		{"RoundRobinCursor", testRoundRobinCursor},
		{"GroupsConcurrent", testGroupsConcurrent},
		{"AgentTenantIsolation_SVC1", testAgentTenantIsolation},
		{"LoginLog_AGT7", testLoginLog},
		{"MenuAccess_AGT8", testMenuAccess},
		{"Outbox_NTF1", testOutbox},
		{"OutboxIdempotency_NTF1", testOutboxIdempotency},
		{"OutboxRollback_NTF1", testOutboxRollback},
		{"OutboxTenantIsolation_SVC1", testOutboxTenantIsolation},
		{"OutboxPaging", testOutboxPaging},
		{"OutboxCountsRetry_NTF1", testOutboxCountsRetry},
		{"QueueClaimOrder_NTF1", testQueueClaimOrder},
		{"QueueLease_NTF1", testQueueLease},
		{"QueueSettle_NTF1", testQueueSettle},
		{"QueueConcurrentClaims_NTF1", testQueueConcurrentClaims},
		{"Recipients_NTF3", testRecipients},
		{"SurgeState_NTF2", testSurgeState},
		{"CountCreatedSince_NTF2", testCountCreatedSince},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !o.Serial {
				t.Parallel()
			}
			c.fn(t, o.store(t))
		})
	}
}

// store returns a new store for the case t, after checking that it is what
// o declares.
func (o Options) store(t *testing.T) helpdesk.Store {
	t.Helper()
	s := o.New(t)
	_, isQueue := s.(notify.Queue)
	switch {
	case o.Queue && !isQueue:
		t.Fatalf("storetest: Options.Queue is set but %T does not implement notify.Queue", s)
	case !o.Queue && isQueue:
		t.Fatalf("storetest: %T implements notify.Queue: set Options.Queue so that its cases run", s)
	}
	if !reflect.TypeOf(s).Comparable() {
		t.Fatalf("storetest: %T is not comparable; return a pointer", s)
	}
	declared.Store(s, o)
	t.Cleanup(func() { declared.Delete(s) })
	return s
}

// declared holds the Options of each store Run made, while its case runs.
var declared sync.Map // helpdesk.Store → Options

// declaredQueue returns the store's notify.Queue and true when its Options
// declare one (failing t if the store lacks it), or false when they declare
// it absent. A store Run did not make counts as declaring what it
// implements.
func declaredQueue(t *testing.T, s helpdesk.Store) (notify.Queue, bool) {
	t.Helper()
	q, ok := s.(notify.Queue)
	if !queueDeclared(s) {
		return nil, false
	}
	if !ok {
		t.Fatalf("storetest: notify.Queue declared but %T does not implement it", s)
	}
	return q, true
}

// queueDeclared reports whether the store's Options declare a notify.Queue
// (for a store Run did not make: whether it implements one).
func queueDeclared(s helpdesk.Store) bool {
	if o, ok := declared.Load(s); ok {
		return o.(Options).Queue
	}
	_, ok := s.(notify.Queue)
	return ok
}

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func cfg(id string) helpdesk.ServiceConfig {
	return helpdesk.ServiceConfig{
		ID: id, Version: 1, CreatedAt: base, UpdatedAt: base,
		Settings: helpdesk.Settings{
			Name: "Service " + id, Languages: []string{"ko", "en"}, DefaultLanguage: "ko",
			Channels:               helpdesk.Channels{Ticket: true, Phone: true},
			Tickets:                helpdesk.TicketSettings{GroupAtCreation: true},
			InternalResolutionText: i18n.Text{"ko": "내부 처리", "en": "Handled internally"},
		},
	}
}

// tx runs fn in a transaction of service and fails the test on error.
func tx(t *testing.T, s helpdesk.Store, service string, fn func(helpdesk.Repos) error) {
	t.Helper()
	require.NoError(t, s.Tx(context.Background(), service, fn))
}

func mkService(t *testing.T, s helpdesk.Store, id string) {
	t.Helper()
	tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Create(context.Background(), cfg(id)) })
}

func mkTicket(i int) ticket.Ticket {
	at := base.Add(time.Duration(i) * time.Second)
	return ticket.Ticket{
		ID: newID(), Version: 1, Title: fmt.Sprintf("ticket %d", i), Content: "content",
		Requester: ticket.Requester{Name: "Kim", Email: fmt.Sprintf("c%d@example.com", i%3), Phone: "010"},
		Channel:   ticket.ChannelEmail, Language: "ko", Status: ticket.StatusNew, Priority: ticket.PriorityNormal,
		CreatedAt: at, UpdatedAt: at,
	}
}

func create(t *testing.T, s helpdesk.Store, service string, tk ticket.Ticket) ticket.Ticket {
	t.Helper()
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Tickets().Create(context.Background(), &tk, nil) })
	return tk
}

func get(t *testing.T, s helpdesk.Store, service, id string) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := s.Tx(context.Background(), service, func(r helpdesk.Repos) (err error) {
		out, err = r.Tickets().Get(context.Background(), id)
		return err
	})
	return out, err
}

func testServiceCRUD(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Service().Get(ctx)
		return err
	})
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
	mkService(t, s, "acme")
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Service().Create(ctx, cfg("acme")) })
	require.ErrorIs(t, err, helpdesk.ErrConflict)

	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Service().Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, cfg("acme"), got)
		got.Name = "Renamed"
		got.Languages = []string{"en"}
		got.DefaultLanguage = "en"
		require.NoError(t, r.Service().Update(ctx, &got))
		assert.Equal(t, int64(2), got.Version)
		stale := got
		stale.Version = 1
		require.ErrorIs(t, r.Service().Update(ctx, &stale), helpdesk.ErrConflict)
		again, err := r.Service().Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, got, again)
		return nil
	})
}

func testAgentCRUD(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	a := agent.Agent{ID: newID(), Name: "Lee", Email: "Lee@Example.com", Role: agent.RoleAdmin, Active: true, CreatedAt: base}
	b := agent.Agent{ID: newID(), Name: "Ahn", Email: "ahn@example.com", Role: agent.RoleAgent, Active: true, CreatedAt: base}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Agents().Create(ctx, a))
		return r.Agents().Create(ctx, b)
	})
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Agents().Create(ctx, agent.Agent{ID: newID(), Name: "Dup", Email: "lee@example.COM", Role: agent.RoleAgent, CreatedAt: base})
	})
	require.ErrorIs(t, err, helpdesk.ErrConflict, "email is unique per service, case-insensitively")
	tx(t, s, "other", func(r helpdesk.Repos) error { // the same email in another service is fine
		return r.Agents().Create(ctx, agent.Agent{ID: newID(), Name: "Lee", Email: "lee@example.com", Role: agent.RoleAgent, CreatedAt: base})
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Agents().Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		l, err := r.Agents().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []agent.Agent{b, a}, l, "by name")
		_, err = r.Agents().Get(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	})
	err = s.Tx(ctx, "other", func(r helpdesk.Repos) error {
		_, err := r.Agents().Get(ctx, a.ID)
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
}

func testTicketCRUD(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	in := mkTicket(1)
	in.Tags = []string{"a", "b"}
	in.IntakeCategoryID, in.ProcessingCategoryID, in.GroupID = newID(), newID(), newID()
	in.CustomerFields = ticket.Fields{"size": 42.5, "colors": []string{"red", "blue"}, "ok": true, "note": "n"}
	in.AgentFields = ticket.Fields{"severity": "s1"}
	in.SolvedAt = base.Add(time.Hour)
	in.FollowUpOf = newID()
	err := s.Tx(ctx, "nope", func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &in, nil) })
	require.ErrorIs(t, err, helpdesk.ErrNotFound, "a ticket needs its service")
	tk := create(t, s, "acme", in)
	assert.Equal(t, int64(1), tk.Number)
	assert.Equal(t, "acme", tk.ServiceID)

	got, err := get(t, s, "acme", tk.ID)
	require.NoError(t, err)
	assert.Equal(t, tk, got)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		byNum, err := r.Tickets().GetByNumber(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, tk, byNum)
		_, err = r.Tickets().GetByNumber(ctx, 2)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)

		got.Title = "changed"
		got.Tags = nil
		got.CustomerFields = nil
		got.Status = ticket.StatusOpen
		got.UpdatedAt = base.Add(2 * time.Hour)
		require.NoError(t, r.Tickets().Update(ctx, &got, nil))
		assert.Equal(t, int64(2), got.Version)
		again, err := r.Tickets().Get(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, got, again)
		_, err = r.Tickets().Get(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		ghost := mkTicket(9)
		assert.ErrorIs(t, r.Tickets().Update(ctx, &ghost, nil), helpdesk.ErrNotFound)
		return nil
	})
	// values read back share no memory with the store
	got.Tags = []string{"x"}
	got2, err := get(t, s, "acme", tk.ID)
	require.NoError(t, err)
	got2.CustomerFields = ticket.Fields{"k": "v"}
	got3, err := get(t, s, "acme", tk.ID)
	require.NoError(t, err)
	assert.Nil(t, got3.Tags)
	assert.Nil(t, got3.CustomerFields)
}

func testStaleVersion(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	tk := create(t, s, "acme", mkTicket(1))
	a, b := tk, tk
	a.Title = "first writer"
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &a, nil) })
	b.Title = "second writer"
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Tickets().Update(ctx, &b, nil) })
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	got, err := get(t, s, "acme", tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "first writer", got.Title)
	assert.Equal(t, int64(2), got.Version)
}

func testTenantIsolation(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	ta := create(t, s, "a", mkTicket(1))
	tb := create(t, s, "b", mkTicket(2))
	assert.Equal(t, int64(1), tb.Number, "numbers are per service")

	_, err := get(t, s, "b", ta.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "b", func(r helpdesk.Repos) error {
		foreign := ta
		foreign.Title = "hijack"
		return r.Tickets().Update(ctx, &foreign, nil)
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "b", func(r helpdesk.Repos) error {
		return r.Tickets().AddComment(ctx, ticket.Comment{ID: newID(), TicketID: ta.ID, Kind: ticket.CommentPublic, AuthorKind: ticket.ActorSystem, Body: "x", CreatedAt: base})
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "b", func(r helpdesk.Repos) error {
		return r.Tickets().AddChanges(ctx, []ticket.Change{{TicketID: ta.ID, At: base, ActorKind: ticket.ActorSystem, Event: ticket.EventUpdated, Field: "title"}})
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	tx(t, s, "b", func(r helpdesk.Repos) error {
		p, err := r.Tickets().List(ctx, ticket.Filter{})
		require.NoError(t, err)
		require.Len(t, p.Tickets, 1)
		assert.Equal(t, tb.ID, p.Tickets[0].ID)
		cs, err := r.Tickets().Comments(ctx, ta.ID)
		require.NoError(t, err)
		assert.Empty(t, cs)
		n := 0
		require.NoError(t, r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{TicketID: ta.ID}, func(ticket.Change) error { n++; return nil }))
		assert.Zero(t, n)
		return nil
	})
	got, err := get(t, s, "a", ta.ID)
	require.NoError(t, err)
	assert.Equal(t, ta, got, "untouched by service b")
}

var errBoom = errors.New("boom")

func testRollback(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	first := create(t, s, "acme", mkTicket(1))
	var ghostID string
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		tk := mkTicket(2)
		require.NoError(t, r.Tickets().Create(ctx, &tk, nil))
		ghostID = tk.ID
		upd := first
		upd.Title = "changed in a failed tx"
		require.NoError(t, r.Tickets().Update(ctx, &upd, nil))
		require.NoError(t, r.Tickets().AddComment(ctx, ticket.Comment{ID: newID(), TicketID: first.ID, Kind: ticket.CommentPublic, AuthorKind: ticket.ActorSystem, Body: "x", CreatedAt: base}))
		require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{{TicketID: first.ID, At: base, ActorKind: ticket.ActorSystem, Event: ticket.EventUpdated, Field: "title"}}))
		require.NoError(t, r.Agents().Create(ctx, agent.Agent{ID: newID(), Name: "x", Email: "x@example.com", Role: agent.RoleAgent, CreatedAt: base}))
		c, err := r.Service().Get(ctx)
		require.NoError(t, err)
		require.NoError(t, r.Service().Update(ctx, &c))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assertPristine(t, s, first, ghostID)
	// the failed transaction did not use up a number
	second := create(t, s, "acme", mkTicket(3))
	assert.Equal(t, int64(2), second.Number)
}

func testRollbackPanic(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	first := create(t, s, "acme", mkTicket(1))
	var ghostID string
	assert.Panics(t, func() {
		_ = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			tk := mkTicket(2)
			require.NoError(t, r.Tickets().Create(ctx, &tk, nil))
			ghostID = tk.ID
			upd := first
			upd.Title = "changed in a failed tx"
			require.NoError(t, r.Tickets().Update(ctx, &upd, nil))
			panic("boom")
		})
	})
	_, err := get(t, s, "acme", ghostID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	got, err := get(t, s, "acme", first.ID)
	require.NoError(t, err)
	assert.Equal(t, first, got)
}

func assertPristine(t *testing.T, s helpdesk.Store, first ticket.Ticket, ghostID string) {
	t.Helper()
	ctx := context.Background()
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().Get(ctx, ghostID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		got, err := r.Tickets().Get(ctx, first.ID)
		require.NoError(t, err)
		assert.Equal(t, first, got)
		cs, err := r.Tickets().Comments(ctx, first.ID)
		require.NoError(t, err)
		assert.Empty(t, cs)
		n := 0
		require.NoError(t, r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(ticket.Change) error { n++; return nil }))
		assert.Zero(t, n)
		ags, err := r.Agents().List(ctx)
		require.NoError(t, err)
		assert.Empty(t, ags)
		c, err := r.Service().Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(1), c.Version)
		return nil
	})
}

// testConcurrentNumbers: numbers are allocated without gaps or duplicates
// while many transactions create tickets at once, some of them failing.
func testConcurrentNumbers(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	var numbers []int64
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				tk := mkTicket(w*each + i)
				fail := i%5 == 4 // every fifth transaction rolls back
				err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
					if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				if fail {
					assert.ErrorIs(t, err, errBoom)
					continue
				}
				if assert.NoError(t, err) {
					mu.Lock()
					numbers = append(numbers, tk.Number)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	want := workers * each * 4 / 5
	require.Len(t, numbers, want)
	seen := make(map[int64]bool, want)
	for _, n := range numbers {
		assert.False(t, seen[n], "duplicate number %d", n)
		seen[n] = true
	}
	for n := int64(1); n <= int64(want); n++ {
		assert.True(t, seen[n], "gap at number %d", n)
	}
}

func testListFilters(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	agentA, groupG, intake, proc := newID(), newID(), newID(), newID()
	var all []ticket.Ticket
	for i := range 12 {
		tk := mkTicket(i)
		tk.Status = ticket.Statuses[i%4]
		if i%2 == 0 {
			tk.AssigneeID = agentA
		}
		if i%3 == 0 {
			tk.GroupID = groupG
		}
		if i%4 == 1 {
			tk.IntakeCategoryID = intake
		}
		if i%5 == 2 {
			tk.ProcessingCategoryID = proc
		}
		all = append(all, create(t, s, "acme", tk))
	}
	cases := []ticket.Filter{
		{},
		{Statuses: []ticket.Status{ticket.StatusOpen}},
		{Statuses: []ticket.Status{ticket.StatusOpen, ticket.StatusPending}},
		{AssigneeID: agentA},
		{GroupID: groupG},
		{IntakeCategoryID: intake},
		{ProcessingCategoryID: proc},
		{RequesterEmail: "C1@example.com"},
		{AssigneeID: agentA, Statuses: []ticket.Status{ticket.StatusNew}},
		{AssigneeID: newID()},
	}
	for _, f := range cases {
		var want []string
		for i := len(all) - 1; i >= 0; i-- {
			if f.Matches(&all[i]) {
				want = append(want, all[i].ID)
			}
		}
		var got []string
		tx(t, s, "acme", func(r helpdesk.Repos) error {
			p, err := r.Tickets().List(ctx, f)
			require.NoError(t, err)
			for _, tk := range p.Tickets {
				got = append(got, tk.ID)
			}
			assert.Empty(t, p.Next)
			return nil
		})
		assert.Equal(t, want, got, "filter %+v", f)
	}
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().List(ctx, ticket.Filter{Cursor: "garbage", Limit: -1, Statuses: []ticket.Status{"nope"}})
		return err
	})
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("cursor") && ve.Has("limit") && ve.Has("statuses"), "%v", err)
}

// testPagination: walking pages while new tickets arrive returns every
// earlier ticket exactly once, newest first.
func testPagination(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	var ids []string
	for i := range 23 {
		ids = append(ids, create(t, s, "acme", mkTicket(i)).ID)
	}
	var got []string
	f := ticket.Filter{Limit: 5}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		var p ticket.Page
		tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
			p, err = r.Tickets().List(ctx, f)
			return err
		})
		for _, tk := range p.Tickets {
			got = append(got, tk.ID)
		}
		create(t, s, "acme", mkTicket(100+pages)) // arrives between pages
		if p.Next == "" {
			break
		}
		assert.Len(t, p.Tickets, 5)
		f.Cursor = p.Next
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	assert.Equal(t, ids, got)
}

func testCommentsAndChanges(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	t1 := create(t, s, "acme", mkTicket(1))
	t2 := create(t, s, "acme", mkTicket(2))
	c1 := ticket.Comment{ID: newID(), TicketID: t1.ID, Kind: ticket.CommentPublic, AuthorKind: ticket.ActorAgent, AuthorID: newID(), Body: "안녕하세요", CreatedAt: base}
	c2 := ticket.Comment{ID: newID(), TicketID: t1.ID, Kind: ticket.CommentInternal, AuthorKind: ticket.ActorSystem, FromCustomer: true, Body: "note", CreatedAt: base.Add(time.Minute)}
	ch := func(tid string, min int, field string) ticket.Change {
		return ticket.Change{TicketID: tid, At: base.Add(time.Duration(min) * time.Minute), ActorKind: ticket.ActorAgent, ActorID: "a1", Event: ticket.EventUpdated, Field: field, From: "x", To: "y"}
	}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Tickets().AddComment(ctx, c1))
		require.NoError(t, r.Tickets().AddComment(ctx, c2))
		require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{ch(t1.ID, 0, "a"), ch(t2.ID, 1, "b")}))
		return r.Tickets().AddChanges(ctx, []ticket.Change{ch(t1.ID, 2, "c"), ch(t1.ID, 3, "d")})
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		cs, err := r.Tickets().Comments(ctx, t1.ID)
		require.NoError(t, err)
		assert.Equal(t, []ticket.Comment{c1, c2}, cs)

		collect := func(f ticket.ChangeFilter) (fields []string) {
			var last int64
			require.NoError(t, r.Tickets().ScanChanges(ctx, f, func(c ticket.Change) error {
				assert.Greater(t, c.ID, last, "ids increase")
				last = c.ID
				fields = append(fields, c.Field)
				return nil
			}))
			return fields
		}
		assert.Equal(t, []string{"a", "b", "c", "d"}, collect(ticket.ChangeFilter{}))
		assert.Equal(t, []string{"a", "c", "d"}, collect(ticket.ChangeFilter{TicketID: t1.ID}))
		assert.Equal(t, []string{"b", "c"}, collect(ticket.ChangeFilter{Since: base.Add(time.Minute), Until: base.Add(3 * time.Minute)}))
		var ids []int64
		require.NoError(t, r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(c ticket.Change) error { ids = append(ids, c.ID); return nil }))
		assert.Equal(t, []string{"c", "d"}, collect(ticket.ChangeFilter{AfterID: ids[1]}), "paging by id")
		// bounds finer than a microsecond compare as the stores keep them
		assert.Equal(t, []string{"b", "c", "d"}, collect(ticket.ChangeFilter{Since: base.Add(time.Minute + 500*time.Nanosecond)}))

		var one ticket.Change
		require.NoError(t, r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{TicketID: t2.ID}, func(c ticket.Change) error { one = c; return nil }))
		want := ch(t2.ID, 1, "b")
		want.ID = one.ID
		assert.Equal(t, want, one)

		stop := errors.New("stop")
		n := 0
		err = r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(ticket.Change) error { n++; return stop })
		assert.ErrorIs(t, err, stop)
		assert.Equal(t, 1, n)
		return nil
	})
}

// testHistoryWithTicket: Create and Update write the ticket and its history
// rows together; a stale update or a foreign row writes neither.
func testHistoryWithTicket(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	tk := mkTicket(1)
	row := func(id, field string) ticket.Change {
		return ticket.Change{TicketID: id, At: base, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated, Field: field, To: "v"}
	}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		return r.Tickets().Create(ctx, &tk, []ticket.Change{row(tk.ID, "ticket"), row(tk.ID, "extra")})
	})
	upd := tk
	upd.Title = "new"
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		return r.Tickets().Update(ctx, &upd, []ticket.Change{row(tk.ID, "title")})
	})
	stale := tk
	stale.Title = "stale"
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		err := r.Tickets().Update(ctx, &stale, []ticket.Change{row(tk.ID, "stale")})
		assert.ErrorIs(t, err, helpdesk.ErrConflict)
		other := mkTicket(2)
		err = r.Tickets().Create(ctx, &other, []ticket.Change{row(tk.ID, "foreign")})
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		err = r.Tickets().Update(ctx, &upd, []ticket.Change{row(other.ID, "foreign")})
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		return nil // commit: whatever the failed calls wrote would stay
	})
	require.NoError(t, err)
	var fields []string
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		p, err := r.Tickets().List(ctx, ticket.Filter{})
		require.NoError(t, err)
		assert.Len(t, p.Tickets, 1, "the refused create wrote no ticket")
		return r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{}, func(c ticket.Change) error {
			fields = append(fields, c.Field)
			return nil
		})
	})
	assert.Equal(t, []string{"ticket", "extra", "title"}, fields)
	got, err := get(t, s, "acme", tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "new", got.Title)
	assert.Equal(t, int64(2), got.Version)
}
