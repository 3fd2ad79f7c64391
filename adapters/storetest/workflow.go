package storetest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// testDeskWorkflow runs the helpdesk workflows end to end on the store:
// what the memory store does, every store must do.
func testDeskWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	c := cfg("acme")
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: c.Settings})
	require.NoError(t, err)
	acme := desk.Service("acme")
	sys := acme.As(helpdesk.System)
	admin, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
	require.NoError(t, err)
	kim, err := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@example.com", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})
	require.NoError(t, err)
	asKim := acme.As(helpdesk.AgentID(kim.ID))

	tk, err := sys.Tickets().Create(ctx, ticket.New{
		Requester: ticket.Requester{Name: "Customer", Email: "c@example.com"},
		Title:     "Cannot log in", Content: "=HYPERLINK(\"x\")", Channel: ticket.ChannelEmail,
	})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusNew, tk.Status)
	assert.Equal(t, "ko", tk.Language, "default language")

	// concurrent replies: the library owns these writes and retries conflicts
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			_, err := asKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: strings.Repeat("r", i+1), Internal: i%2 == 1})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	cs, err := asKim.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Len(t, cs, 6)
	got, err := asKim.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, got.Status, "first public reply opens (TKT-2)")
	assert.Equal(t, int64(7), got.Version)

	solved, err := asKim.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusSolved, solved.Status)
	hist, err := asKim.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	last := hist[len(hist)-1]
	assert.Equal(t, ticket.FieldInternalResolution, last.Field)
	assert.Equal(t, "내부 처리", last.To, "TKT-6 text in the ticket's language")

	var buf bytes.Buffer
	err = asKim.Tickets().ExportHistory(ctx, &buf, helpdesk.CSV, ticket.ChangeFilter{TicketID: tk.ID})
	require.ErrorIs(t, err, helpdesk.ErrForbidden, "export needs the export permission")
	require.NoError(t, acme.As(helpdesk.AgentID(admin.ID)).Tickets().ExportHistory(ctx, &buf, helpdesk.CSV, ticket.ChangeFilter{TicketID: tk.ID}))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Len(t, lines, len(hist)+1)

	// a closed ticket answers a customer reply with a linked follow-up
	_, err = sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	fu, err := sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "still broken"})
	require.NoError(t, err)
	assert.NotEqual(t, tk.ID, fu.ID)
	assert.Equal(t, tk.ID, fu.FollowUpOf)
	assert.Equal(t, int64(2), fu.Number)
}

// testAutoCloseWorkflow_TKT2: one AutoCloser pass closes the due solved
// tickets of every service, each by its own CloseAfter, and leaves the rest.
func testAutoCloseWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	now := base
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: clock})
	require.NoError(t, err)
	// three services: the default 4 days, one day, never
	closeAfter := map[string]time.Duration{"svc-a": 0, "svc-b": 24 * time.Hour, "svc-c": -1}
	solved := map[string][]string{}
	open := map[string]string{}
	for id, after := range closeAfter {
		set := cfg(id).Settings
		set.Tickets.CloseAfter = after
		_, err := desk.CreateService(ctx, helpdesk.NewService{ID: id, Settings: set})
		require.NoError(t, err)
		sys := desk.Service(id).As(helpdesk.System)
		for range 3 {
			tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"},
				Title: "t", Content: "c", Channel: ticket.ChannelEmail})
			require.NoError(t, err)
			_, err = sys.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
			require.NoError(t, err)
			solved[id] = append(solved[id], tk.ID)
		}
		tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"},
			Title: "t", Content: "c", Channel: ticket.ChannelEmail})
		require.NoError(t, err)
		open[id] = tk.ID
	}
	ac := desk.AutoCloser(time.Minute)
	status := func(svc, id string) ticket.Status {
		tk, err := desk.Service(svc).As(helpdesk.System).Tickets().Get(ctx, id)
		require.NoError(t, err)
		return tk.Status
	}

	advance(24 * time.Hour)
	n, err := ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "svc-b's tickets are due after a day")
	for _, id := range solved["svc-b"] {
		assert.Equal(t, ticket.StatusClosed, status("svc-b", id))
	}
	assert.Equal(t, ticket.StatusSolved, status("svc-a", solved["svc-a"][0]))

	advance(3 * 24 * time.Hour)
	n, err = ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "svc-a's after the default 4 days")
	for _, id := range solved["svc-a"] {
		assert.Equal(t, ticket.StatusClosed, status("svc-a", id))
	}
	for _, id := range solved["svc-c"] {
		assert.Equal(t, ticket.StatusSolved, status("svc-c", id), "a negative CloseAfter never closes")
	}
	for svc, id := range open {
		assert.Equal(t, ticket.StatusNew, status(svc, id), "unsolved tickets stay")
	}
	n, err = ac.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to close")

	// Run makes a pass at once and stops with its context.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ac.Run(runCtx) }()
	cancel()
	assert.NoError(t, <-done)
}
