package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func TestCloseSolved_TKT2_AfterFourDays(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	d, err := helpdesk.New(helpdesk.Config{Store: f.store, Clock: func() time.Time { return now }})
	require.NoError(t, err)
	sys := d.Service("acme").As(helpdesk.System)

	var ids []string
	for i := range 3 {
		tk, err := sys.Tickets().Create(ctx, newTicket())
		require.NoError(t, err)
		ids = append(ids, tk.ID)
		if i < 2 {
			_, err = sys.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
			require.NoError(t, err)
		}
		now = now.Add(time.Hour)
	}
	now = now.Add(helpdesk.DefaultCloseAfter - 3*time.Hour) // the first was solved exactly 4 days ago
	n, err := sys.Tickets().CloseSolved(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = sys.Tickets().CustomerReply(ctx, ids[1], helpdesk.CustomerReply{Body: "not fixed"}) // reopened before its time
	require.NoError(t, err)
	now = now.Add(24 * time.Hour)
	n, err = sys.Tickets().CloseSolved(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "reopened and never-solved tickets stay")
	for i, want := range []ticket.Status{ticket.StatusClosed, ticket.StatusOpen, ticket.StatusNew} {
		tk, err := sys.Tickets().Get(ctx, ids[i])
		require.NoError(t, err)
		assert.Equal(t, want, tk.Status)
	}
	_, err = f.agent.Tickets().CloseSolved(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a job for the system or an admin")
}

// clock is a settable clock for a Desk.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// solvedTickets creates n tickets in service id (created with CloseAfter
// after) and solves them.
func solvedTickets(t *testing.T, d *helpdesk.Desk, id string, after time.Duration, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := d.CreateService(ctx, helpdesk.NewService{ID: id, Settings: helpdesk.Settings{Name: id, Languages: []string{"ko"},
		Channels: helpdesk.Channels{Ticket: true}, Tickets: helpdesk.TicketSettings{CloseAfter: after}}})
	require.NoError(t, err)
	sys := d.Service(id).As(helpdesk.System)
	for range n {
		tk, err := sys.Tickets().Create(ctx, newTicket())
		require.NoError(t, err)
		_, err = sys.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
		require.NoError(t, err)
	}
}

func countStatus(t *testing.T, d *helpdesk.Desk, id string, st ticket.Status) int {
	t.Helper()
	n := 0
	f := ticket.Filter{Statuses: []ticket.Status{st}, Limit: ticket.MaxPageSize}
	for {
		p, err := d.Service(id).As(helpdesk.System).Tickets().List(context.Background(), f)
		require.NoError(t, err)
		n += len(p.Tickets)
		if p.Next == "" {
			return n
		}
		f.Cursor = p.Next
	}
}

// TestCloseSolved_TKT2_ManyDue: more due tickets than one read returns are
// all closed by one call.
func TestCloseSolved_TKT2_ManyDue(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d, err := helpdesk.New(helpdesk.Config{Store: memory.New(), Clock: c.Now})
	require.NoError(t, err)
	solvedTickets(t, d, "acme", time.Hour, 450)
	c.Add(time.Hour)
	n, err := d.Service("acme").As(helpdesk.System).Tickets().CloseSolved(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 450, n)
	assert.Equal(t, 450, countStatus(t, d, "acme", ticket.StatusClosed))
}

// TestAutoCloser_TKT2_EveryService: one pass pages through every service
// and closes each one's due tickets by its own CloseAfter.
func TestAutoCloser_TKT2_EveryService(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d, err := helpdesk.New(helpdesk.Config{Store: memory.New(), Clock: c.Now})
	require.NoError(t, err)
	const services = 130 // more than one page of services
	for i := range services {
		solvedTickets(t, d, fmt.Sprintf("svc-%03d", i), time.Hour, 1)
	}
	solvedTickets(t, d, "later", 48*time.Hour, 2)
	solvedTickets(t, d, "never", -1, 2)
	ac := d.AutoCloser(time.Minute)

	n, err := ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing due yet")
	c.Add(time.Hour)
	n, err = ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, services, n)
	for _, id := range []string{"svc-000", "svc-099", "svc-100", "svc-129"} {
		assert.Equal(t, 1, countStatus(t, d, id, ticket.StatusClosed), id)
	}
	assert.Equal(t, 2, countStatus(t, d, "later", ticket.StatusSolved))
	c.Add(47 * time.Hour)
	n, err = ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, countStatus(t, d, "never", ticket.StatusSolved), "a negative CloseAfter never closes")
}

// failingStore fails every transaction of one service.
type failingStore struct {
	helpdesk.Store
	bad string
}

var errDown = errors.New("service store down")

func (s failingStore) Tx(ctx context.Context, id string, fn func(helpdesk.Repos) error) error {
	if id == s.bad {
		return errDown
	}
	return s.Store.Tx(ctx, id, fn)
}

// TestAutoCloser_TKT2_FailingServiceDoesNotStopPass: a service that fails
// is reported; the others are closed all the same.
func TestAutoCloser_TKT2_FailingServiceDoesNotStopPass(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	store := memory.New()
	d, err := helpdesk.New(helpdesk.Config{Store: store, Clock: c.Now})
	require.NoError(t, err)
	for _, id := range []string{"a", "b", "c"} {
		solvedTickets(t, d, id, time.Hour, 1)
	}
	c.Add(time.Hour)
	flaky, err := helpdesk.New(helpdesk.Config{Store: failingStore{Store: store, bad: "b"}, Clock: c.Now})
	require.NoError(t, err)
	n, err := flaky.AutoCloser(time.Minute).RunOnce(ctx)
	assert.Equal(t, 2, n)
	require.ErrorIs(t, err, errDown)
	assert.Contains(t, err.Error(), `service "b"`)
	assert.Equal(t, 1, countStatus(t, d, "b", ticket.StatusSolved))
}

// TestAutoCloser_Run: Run makes a pass at once, and returns nil when its
// context ends.
func TestAutoCloser_Run(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d, err := helpdesk.New(helpdesk.Config{Store: memory.New(), Clock: c.Now})
	require.NoError(t, err)
	solvedTickets(t, d, "acme", time.Hour, 1)
	c.Add(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.AutoCloser(0).Run(ctx) }()
	require.Eventually(t, func() bool { return countStatus(t, d, "acme", ticket.StatusClosed) == 1 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	assert.NoError(t, <-done)
}

// TestCloseDue_TKT2_SolvedAgainMeanwhile: a ticket read as due but reopened
// and solved again before it is closed waits for its new solve time.
func TestCloseDue_TKT2_SolvedAgainMeanwhile(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d, err := helpdesk.New(helpdesk.Config{Store: memory.New(), Clock: c.Now})
	require.NoError(t, err)
	solvedTickets(t, d, "acme", time.Hour, 1)
	sys := d.Service("acme").As(helpdesk.System)
	p, err := sys.Tickets().List(ctx, ticket.Filter{})
	require.NoError(t, err)
	id := p.Tickets[0].ID
	cutoff := c.Now() // a pass read it as due at this cut-off
	c.Add(time.Minute)
	_, err = sys.Tickets().SetStatus(ctx, id, ticket.StatusOpen)
	require.NoError(t, err)
	_, err = sys.Tickets().Solve(ctx, id, helpdesk.Solve{Internal: true})
	require.NoError(t, err)

	closed, err := sys.CloseDue(ctx, id, cutoff)
	require.NoError(t, err)
	assert.False(t, closed)
	assert.Equal(t, 1, countStatus(t, d, "acme", ticket.StatusSolved))
	closed, err = sys.CloseDue(ctx, id, c.Now())
	require.NoError(t, err)
	assert.True(t, closed)
	assert.Equal(t, 1, countStatus(t, d, "acme", ticket.StatusClosed))
}

// TestDesk_Services pages through the store's services.
func TestDesk_Services(t *testing.T) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: memory.New()})
	require.NoError(t, err)
	for _, id := range []string{"c", "a", "b"} {
		solvedTickets(t, d, id, 0, 0)
	}
	first, err := d.Services(ctx, "", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, first, "the memory store's order")
	rest, err := d.Services(ctx, first[1], 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"c"}, rest)
	_, err = d.Services(ctx, "", helpdesk.MaxServicePage+1)
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("limit"))
}
