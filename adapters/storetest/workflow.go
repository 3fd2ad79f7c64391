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
	var mu sync.Mutex
	now := base
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}})
	require.NoError(t, err)
	c := cfg("acme")
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: c.Settings})
	require.NoError(t, err)
	acme := desk.Service("acme")
	sys := acme.As(helpdesk.System)
	admin, err := sys.CreateAgent(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
	require.NoError(t, err)
	kim, err := sys.CreateAgent(ctx, agent.New{Name: "Kim", Email: "kim@example.com", Role: agent.RoleAgent,
		Permissions: agent.Permissions{Ticket: true}})
	require.NoError(t, err)
	asKim := acme.As(helpdesk.AgentID(kim.ID))

	tk, err := sys.CreateTicket(ctx, ticket.New{
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
			_, err := asKim.Reply(ctx, tk.ID, helpdesk.Reply{Body: strings.Repeat("r", i+1), Internal: i%2 == 1})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	cs, err := asKim.Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Len(t, cs, 6)
	got, err := asKim.Ticket(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusOpen, got.Status, "first public reply opens (TKT-2)")
	assert.Equal(t, int64(7), got.Version)

	solved, err := asKim.Solve(ctx, tk.ID, helpdesk.SolveOptions{Internal: true})
	require.NoError(t, err)
	assert.Equal(t, ticket.StatusSolved, solved.Status)
	hist, err := asKim.History(ctx, tk.ID)
	require.NoError(t, err)
	last := hist[len(hist)-1]
	assert.Equal(t, ticket.FieldInternalResolution, last.Field)
	assert.Equal(t, "내부 처리", last.To, "TKT-6 text in the ticket's language")

	var buf bytes.Buffer
	err = asKim.ExportHistory(ctx, &buf, helpdesk.CSV, ticket.ChangeFilter{TicketID: tk.ID})
	require.ErrorIs(t, err, helpdesk.ErrForbidden, "export needs the export permission")
	require.NoError(t, acme.As(helpdesk.AgentID(admin.ID)).ExportHistory(ctx, &buf, helpdesk.CSV, ticket.ChangeFilter{TicketID: tk.ID}))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Len(t, lines, len(hist)+1)

	// a closed ticket answers a customer reply with a linked follow-up
	_, err = sys.ChangeStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	fu, err := sys.CustomerReply(ctx, tk.ID, "still broken")
	require.NoError(t, err)
	assert.NotEqual(t, tk.ID, fu.ID)
	assert.Equal(t, tk.ID, fu.FollowUpOf)
	assert.Equal(t, int64(2), fu.Number)
}
