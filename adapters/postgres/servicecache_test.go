package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
)

// twoProcesses is one database served by two stores, as by two
// processes: a, whose round trips are counted, and b, which changes the
// service behind a's cache.
type twoProcesses struct {
	rt         *roundTrips
	a, b       *postgres.Store
	sysA, sysB *helpdesk.Session
	kimA       *helpdesk.Session
	kim        string
	group      string
}

func newTwoProcesses(t *testing.T) *twoProcesses {
	t.Helper()
	ctx := context.Background()
	dsn := migrated.Database(t)
	p := &twoProcesses{}
	p.a, p.rt = openCounted(t, dsn, 0)
	var err error
	p.b, err = postgres.Open(ctx, dsn, postgres.Options{MaxOpenConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.b.Close() })
	deskA, err := helpdesk.New(helpdesk.Config{Store: p.a})
	require.NoError(t, err)
	deskB, err := helpdesk.New(helpdesk.Config{Store: p.b})
	require.NoError(t, err)
	_, err = deskB.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	p.sysA, p.sysB = deskA.Service("acme").As(helpdesk.System), deskB.Service("acme").As(helpdesk.System)
	g, err := p.sysB.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	p.group = g.ID
	kim, err := p.sysB.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}, Toggles: &agent.Toggles{TicketAssignment: true}, GroupIDs: []string{g.ID}})
	require.NoError(t, err)
	p.kim, p.kimA = kim.ID, deskA.Service("acme").As(helpdesk.AgentID(kim.ID))
	return p
}

// configure changes the service's settings through b.
func (p *twoProcesses) configure(t *testing.T, change func(*helpdesk.Settings)) {
	t.Helper()
	ctx := context.Background()
	c, err := p.sysB.Configuration().Get(ctx)
	require.NoError(t, err)
	change(&c.Settings)
	_, err = p.sysB.Configuration().Update(ctx, c.Version, c.Settings)
	require.NoError(t, err)
}

// tickets counts the service's tickets as the database holds them.
func (p *twoProcesses) tickets(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, p.b.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM tickets WHERE service_id = 'acme'").Scan(&n))
	return n
}

var cacheNew = ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"}, Title: "Refund",
	Content: "Order 42", Channel: ticket.ChannelEmail}

// TestServiceCache_AnotherProcessesSettings_SVC2_SVC4: a store answers
// the service's record from its cache, and the server's check in the
// same batch catches another process's change of the settings:
//
//   - a create that the cached record refuses (a channel the service has
//     not contracted, SVC-4) is checked, and runs again when the record
//     changed (accepted);
//   - a create that the cached record accepts goes as one batch [BEGIN,
//     check, create, COMMIT]; when the record changed (another default
//     language, SVC-2) the batch rolls back and the create runs again on
//     the new record, storing one ticket and using one number.
func TestServiceCache_AnotherProcessesSettings_SVC2_SVC4(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newTwoProcesses(t)
	chat := cacheNew
	chat.Channel = ticket.ChannelChat

	trips := p.rt.count(t, func() {
		_, err := p.sysA.Tickets().Create(ctx, cacheNew)
		require.NoError(t, err)
	})
	assert.Equal(t, 2, trips, "[BEGIN, service], [create, COMMIT]: the record is cached now")
	trips = p.rt.count(t, func() {
		_, err := p.sysA.Tickets().Create(ctx, chat)
		assert.ErrorIs(t, err, helpdesk.ErrInvalid, "chat is not contracted")
	})
	assert.Equal(t, 3, trips, "[BEGIN, check], the fields the refusal names, ROLLBACK")

	p.configure(t, func(s *helpdesk.Settings) { s.Channels.Chat = true })
	var tk ticket.Ticket
	trips = p.rt.count(t, func() {
		var err error
		tk, err = p.sysA.Tickets().Create(ctx, chat)
		require.NoError(t, err, "the other process contracted chat")
	})
	assert.Equal(t, ticket.ChannelChat, tk.Channel)
	assert.Equal(t, 5, trips, "[BEGIN, check] (stale), ROLLBACK; then [BEGIN, service], the fields, [create, COMMIT]")
	assert.Equal(t, 2, p.tickets(t))

	p.configure(t, func(s *helpdesk.Settings) { s.Channels.Chat = false })
	trips = p.rt.count(t, func() {
		_, err := p.sysA.Tickets().Create(ctx, chat)
		assert.ErrorIs(t, err, helpdesk.ErrInvalid, "the other process ended the chat contract")
	})
	assert.Equal(t, 5, trips, "[BEGIN, check] (stale), ROLLBACK; then [BEGIN, service], the fields, ROLLBACK")

	trips = p.rt.count(t, func() {
		tk, err := p.sysA.Tickets().Create(ctx, cacheNew)
		require.NoError(t, err)
		assert.Equal(t, "en", tk.Language)
	})
	assert.Equal(t, 1, trips, "[BEGIN, check, create, COMMIT]")
	p.configure(t, func(s *helpdesk.Settings) { s.Languages, s.DefaultLanguage = []string{"en", "ko"}, "ko" })
	before := p.tickets(t)
	trips = p.rt.count(t, func() {
		tk, err := p.sysA.Tickets().Create(ctx, cacheNew)
		require.NoError(t, err)
		assert.Equal(t, "ko", tk.Language, "the other process's default language")
		assert.Equal(t, int64(before+1), tk.Number, "the rolled-back batch gave its number back")
	})
	assert.Equal(t, 4, trips, "[BEGIN, check (stale), create, COMMIT], ROLLBACK; then [BEGIN, service], [create, COMMIT]")
	assert.Equal(t, before+1, p.tickets(t))
}

// TestServiceCache_AnotherProcessesTriggerAndMenu_TRG7_AGT8: the check
// covers what is read with the record: a trigger another process adds
// fires on this process's next create (the trigger set's version), and a
// ticket-menu restriction another process sets refuses this process's
// next ticket work of the agent (AGT-8).
func TestServiceCache_AnotherProcessesTriggerAndMenu_TRG7_AGT8(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newTwoProcesses(t)
	first, err := p.sysA.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityNormal, first.Priority)

	_, err = p.sysB.Triggers().Create(ctx, trigger.New{Name: "urgent",
		All:     []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "high"}}})
	require.NoError(t, err)
	second, err := p.sysA.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	assert.Equal(t, ticket.PriorityHigh, second.Priority, "the other process's trigger fired")

	_, err = p.kimA.Tickets().Get(ctx, second.ID)
	require.NoError(t, err, "Kim may work on tickets")
	_, err = p.sysB.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{p.kim}})
	require.NoError(t, err)
	_, err = p.kimA.Tickets().Get(ctx, second.ID)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "the other process restricted Kim from ticket management")
}

// TestServiceCache_DirectWrite_SVC4: a write of the services row that
// bypasses the desk (no new Version) is caught too: the check compares
// the row version's xmin, not the record's Version.
func TestServiceCache_DirectWrite_SVC4(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newTwoProcesses(t)
	c, err := p.sysA.Configuration().Get(ctx)
	require.NoError(t, err)
	require.False(t, c.Channels.Chat)
	_, err = p.b.DB().ExecContext(ctx,
		`UPDATE services SET settings = jsonb_set(settings, '{channels,chat}', 'true') WHERE service_id = 'acme'`)
	require.NoError(t, err)
	trips := p.rt.count(t, func() {
		c, err = p.sysA.Configuration().Get(ctx)
		require.NoError(t, err)
	})
	assert.True(t, c.Channels.Chat)
	assert.Equal(t, c.Version, int64(1), "the Version did not change")
	assert.Equal(t, 3, trips, "the check alone (stale), then [BEGIN, service], COMMIT")
}

// TestServiceCache_Off: with Options.ServiceCache negative, every
// transaction reads the record.
func TestServiceCache_Off(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, rt := openCounted(t, migrated.Database(t), -1)
	desk, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	for range 2 {
		trips := rt.count(t, func() {
			_, err := sys.Tickets().Create(ctx, cacheNew)
			require.NoError(t, err)
		})
		assert.Equal(t, 2, trips, "[BEGIN, service], [create, COMMIT]")
	}
}

// TestServiceCache_ConcurrentChanges_SVC2: creates through one process
// while another changes the default language again and again: every
// create succeeds, each ticket carries a language the service had at some
// point, the tickets stored are exactly those returned, and once the
// changes stop the next create has the last language.
func TestServiceCache_ConcurrentChanges_SVC2(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newTwoProcesses(t)
	p.configure(t, func(s *helpdesk.Settings) { s.Languages = []string{"en", "ko", "ja"} })
	langs := []string{"en", "ko", "ja"}
	const callers, each = 4, 25
	errs := make(chan error, callers*each+1)
	stop := make(chan struct{})
	changed := make(chan int)
	go func() { // another process's admin, changing the default language until stopped
		i := 0
		defer func() { changed <- i }()
		for ; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c, err := p.sysB.Configuration().Get(ctx)
			if err == nil {
				c.DefaultLanguage = langs[i%3]
				_, err = p.sysB.Configuration().Update(ctx, c.Version, c.Settings)
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	got := make(chan ticket.Ticket, callers*each)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				tk, err := p.sysA.Tickets().Create(ctx, cacheNew)
				if err != nil {
					errs <- err
					continue
				}
				got <- tk
			}
		})
	}
	wg.Wait()
	close(stop)
	changes := <-changed
	close(errs)
	t.Logf("%d creates while the settings changed %d times", callers*each, changes)
	assert.Positive(t, changes)
	close(got)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	for tk := range got {
		assert.Contains(t, langs, tk.Language)
		n++
	}
	assert.Equal(t, callers*each, n)
	assert.Equal(t, n, p.tickets(t))
	c, err := p.sysB.Configuration().Get(ctx)
	require.NoError(t, err)
	last, err := p.sysA.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	assert.Equal(t, c.DefaultLanguage, last.Language, "the last change is seen at once")
}

// TestServiceCache_DeskTTLKeepsOnlyCommittedReads_SVC2_TRG7: with the
// desk's own cache (Config.ServiceCacheTTL), what a run that the store
// rolled back and started over read (the stale record and trigger-set
// version) is not kept by the desk: the run that commits reads afresh, so
// another process's change is seen once the TTL has passed, as documented.
func TestServiceCache_DeskTTLKeepsOnlyCommittedReads_SVC2_TRG7(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newTwoProcesses(t)
	var mu sync.Mutex
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func() { mu.Lock(); defer mu.Unlock(); now = now.Add(2 * time.Minute) }
	desk, err := helpdesk.New(helpdesk.Config{Store: p.a, ServiceCacheTTL: time.Minute, Clock: clock})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	first, err := sys.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	require.Equal(t, "en", first.Language)

	p.configure(t, func(s *helpdesk.Settings) { s.Languages, s.DefaultLanguage = []string{"en", "ko"}, "ko" })
	_, err = p.sysB.Triggers().Create(ctx, trigger.New{Name: "urgent",
		All:     []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "high"}}})
	require.NoError(t, err)
	later() // past the desk's TTL
	second, err := sys.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	assert.Equal(t, "ko", second.Language, "the other process's default language")
	assert.Equal(t, ticket.PriorityHigh, second.Priority, "the other process's trigger fired")
	third, err := sys.Tickets().Create(ctx, cacheNew)
	require.NoError(t, err)
	assert.Equal(t, "ko", third.Language, "what the desk keeps now is what committed")
	assert.Equal(t, ticket.PriorityHigh, third.Priority)
}

// TestServiceCache_StaleFinalBatchContextEnds_STO1: when the caller's
// context ends while the final batch of a transaction that used a stale
// record is under way, the answer is ErrUnknownOutcome, not a second run:
// the batch's outcome, the check's included, is not known yet.
func TestServiceCache_StaleFinalBatchContextEnds_STO1(t *testing.T) {
	t.Parallel()
	p := newTwoProcesses(t)
	_, err := p.sysA.Tickets().Create(context.Background(), cacheNew) // cached
	require.NoError(t, err)
	p.configure(t, func(s *helpdesk.Settings) { s.Languages, s.DefaultLanguage = []string{"en", "ko"}, "ko" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	postgres.SetBeforeCommit(p.a, func(context.Context) { cancel() })
	_, err = p.sysA.Tickets().Create(ctx, cacheNew)
	assert.ErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	postgres.SetBeforeCommit(p.a, nil)
}
