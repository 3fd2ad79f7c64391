package storetest

import (
	"context"
	"errors"
	"fmt"
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
	// SingleWriter declares that the store runs one write transaction at
	// a time (SQLite): a Queue claim made while a transaction is open
	// waits for it to end instead of passing over the rows it holds. Both
	// keep NTF-1: nothing is claimed before the transaction that wrote or
	// locked it has ended.
	SingleWriter bool
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
		{"ServiceRepository", testServiceRepository},
		{"TicketRepository", testTicketRepository},
		{"Transactions", testTransactions},
		{"FinishedTransactions_STO1", testFinishedTransactions},
		{"CategoryRepository", testCategoryRepository},
		{"CategoryWorkflow", testCategoryWorkflow},
		{"FieldRepository", testFieldRepository},
		{"FieldWorkflow", testFieldWorkflow},
		{"TemplateRepository", testTemplateRepository},
		{"TemplateWorkflow", testTemplateWorkflow},
		{"TriggerRepository", testTriggerRepository},
		{"TriggerWorkflow", testTriggerWorkflow},
		{"AgentRepository", testAgentRepository},
		{"AgentWorkflow", testAgentWorkflow},
		{"NotifyRepository", func(t *testing.T, s helpdesk.Store) { testNotifyRepository(t, s, o.SingleWriter) }},
		{"NotifyWorkflow", testNotifyWorkflow},
		{"ConcurrentConfigUpdates", testConcurrentConfigUpdates},
		{"DeskWorkflow", testDeskWorkflow},
		{"AutoMailWorkflow_MAIL6", testAutoMailWorkflow},
		{"MailRepository", testMailRepository},
		{"MailRecipients_MAIL9", testMailRecipients},
		{"MailLimitsWorkflow_MAIL9", testMailLimitsWorkflow},
		{"MailWorkflow_MAIL3", testMailWorkflow},
		{"MailSync_MAIL10", testMailSync},
		{"MailboxRepository_MAIL2", testMailboxRepository},
		{"FileRepository_MAIL8", testFileRepository},
		{"AutoCloseWorkflow_TKT2", testAutoCloseWorkflow},
		{"IdempotencyWorkflow_STO3", testIdempotencyWorkflow},
		{"MixedWorkflows_LockOrder", testMixedWorkflows},
		{"ErrorTexts", testErrorTexts},
		{"TextRoundTrip_SEC3", testTextRoundTrip},
		{"TextWorkflow_SEC3", testTextWorkflow},
		{"DoorayLinkRepository", testDoorayLinkRepository},
		{"IntegrationsWorkflow", testIntegrationsWorkflow},
		{"CopyPrimitives_STO2", testCopyPrimitives},
		{"CopyService_STO2", func(t *testing.T, _ helpdesk.Store) { testCopyService(t, o) }},
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
	return s
}

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func cfg(id string) helpdesk.ServiceConfig {
	return helpdesk.ServiceConfig{
		ID: id, Version: 1, CreatedAt: base, UpdatedAt: base,
		Settings: helpdesk.Settings{
			Name: "Service " + id, Languages: []string{"ko", "en"}, DefaultLanguage: "ko",
			Channels:               helpdesk.Channels{Ticket: true, Phone: true},
			SMSEnabled:             true, // SMS triggers need it (SMS-1)
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
	return read(s, service, func(r helpdesk.Repos) (ticket.Ticket, error) { return r.Tickets().Get(context.Background(), id) })
}

var errBoom = errors.New("boom")

// testTransactions: a transaction whose function fails or panics leaves
// nothing behind in any repository.
func testTransactions(t *testing.T, s helpdesk.Store) {
	t.Run("RollbackOnError", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		svc := newService(t, s)
		first := create(t, s, svc, mkTicket(1))
		var ghostID string
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			tk := mkTicket(2)
			require.NoError(t, r.Tickets().Create(ctx, &tk, nil))
			ghostID = tk.ID
			upd := first
			upd.Title = "changed in a failed tx"
			require.NoError(t, r.Tickets().Update(ctx, &upd, nil))
			require.NoError(t, r.Tickets().AddComment(ctx, mkComment(first.ID, 0)))
			require.NoError(t, r.Tickets().AddChanges(ctx, []ticket.Change{changeRow(first.ID, "title")}))
			require.NoError(t, r.Agents().Create(ctx, agent.Agent{ID: newID(), Name: "x", Email: "x@example.com", Role: agent.RoleAgent, CreatedAt: base}))
			c, err := r.Service().Get(ctx)
			require.NoError(t, err)
			require.NoError(t, r.Service().Update(ctx, &c))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assertPristine(t, s, svc, first, ghostID)
		assert.Equal(t, int64(2), create(t, s, svc, mkTicket(3)).Number, "the failed transaction used up no number")
	})
	t.Run("RollbackOnPanic", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		svc := newService(t, s)
		first := create(t, s, svc, mkTicket(1))
		var ghostID string
		assert.Panics(t, func() {
			_ = s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				tk := mkTicket(2)
				require.NoError(t, r.Tickets().Create(ctx, &tk, nil))
				ghostID = tk.ID
				upd := first
				upd.Title = "changed in a failed tx"
				require.NoError(t, r.Tickets().Update(ctx, &upd, nil))
				require.NoError(t, r.Tickets().AddComment(ctx, mkComment(first.ID, 0)))
				panic("boom")
			})
		})
		assertPristine(t, s, svc, first, ghostID)
	})
}

// finish announces the next repository call as the transaction's last
// when the store takes the hint (helpdesk.Finisher); other stores are not
// told, and behave the same.
func finish(r helpdesk.Repos) {
	if f, ok := r.(helpdesk.Finisher); ok {
		f.Finish()
	}
}

// testFinishedTransactions: a transaction whose last repository call was
// announced (helpdesk.Finisher) commits with it, and a refusal of that call
// (a stale version, an unknown group, a taken id) stores nothing of the
// transaction, whatever the store does with the hint (STO-1).
func testFinishedTransactions(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newService(t, s)
	first := create(t, s, svc, mkTicket(1))
	made := mkTicket(2)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		finish(r)
		return r.Tickets().Create(ctx, &made, nil)
	})
	got, err := get(t, s, svc, made.ID)
	require.NoError(t, err, "the announced last call committed")
	assert.Equal(t, made.Title, got.Title)

	for _, c := range []struct {
		name string
		last func(r helpdesk.Repos) error
		want error
	}{
		{"stale update", func(r helpdesk.Repos) error {
			upd := first
			upd.Version, upd.Title = 9, "changed in a failed tx"
			return r.Tickets().Update(ctx, &upd, nil)
		}, helpdesk.ErrConflict},
		{"unknown group's cursor", func(r helpdesk.Repos) error {
			_, err := r.Groups().AdvanceCursor(ctx, newID(), []int64{1, 2})
			return err
		}, helpdesk.ErrNotFound},
		{"taken ticket id", func(r helpdesk.Repos) error {
			dup := first
			return r.Tickets().Create(ctx, &dup, nil)
		}, helpdesk.ErrConflict},
	} {
		var ghostID string
		err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
			tk := mkTicket(3)
			if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
				return err
			}
			ghostID = tk.ID
			if err := r.Tickets().AddComment(ctx, mkComment(first.ID, 0)); err != nil {
				return err
			}
			finish(r)
			return c.last(r)
		})
		require.ErrorIs(t, err, c.want, c.name)
		_, err = get(t, s, svc, ghostID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "%s: the ticket written before the refused last call was rolled back", c.name)
		cs := mustRead(t, s, svc, func(r helpdesk.Repos) ([]ticket.Comment, error) { return r.Tickets().Comments(ctx, first.ID) })
		assert.Empty(t, cs, "%s: the comment written before the refused last call was rolled back", c.name)
	}
}

// assertPristine checks that service svc holds ticket first as created and
// nothing else a failed transaction wrote.
func assertPristine(t *testing.T, s helpdesk.Store, svc string, first ticket.Ticket, ghostID string) {
	t.Helper()
	ctx := context.Background()
	tx(t, s, svc, func(r helpdesk.Repos) error {
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

// tickingClock returns a clock for a Desk that starts at base and moves one
// second on at every reading, so that every change of a story has a time
// of its own. It is safe for concurrent use.
func tickingClock() func() time.Time {
	var mu sync.Mutex
	now := base
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

// read runs fn in a transaction of service and returns what it read.
func read[T any](s helpdesk.Store, service string, fn func(helpdesk.Repos) (T, error)) (T, error) {
	var out T
	err := s.Tx(context.Background(), service, func(r helpdesk.Repos) (err error) {
		out, err = fn(r)
		return err
	})
	return out, err
}

// mustRead is read that fails the test on error.
func mustRead[T any](t *testing.T, s helpdesk.Store, service string, fn func(helpdesk.Repos) (T, error)) T {
	t.Helper()
	out, err := read(s, service, fn)
	require.NoError(t, err)
	return out
}
