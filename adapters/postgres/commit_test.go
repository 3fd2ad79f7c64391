package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// cancelAtCommit is a context key: a context carrying it has its cancel
// called by the store's hook right before COMMIT.
type cancelAtCommit struct{}

// TestTx_CancelAtCommit_UnknownOutcome: a caller's context that ends while
// COMMIT is under way makes Tx return ErrUnknownOutcome (not ErrNotStored,
// and matching the context's error), the COMMIT still completes, and a
// retry with the idempotency key returns the stored ticket (STO-3).
func TestTx_CancelAtCommit_UnknownOutcome(t *testing.T) {
	t.Parallel()
	s := open(t)
	postgres.SetBeforeCommit(s, func(ctx context.Context) {
		if cancel, ok := ctx.Value(cancelAtCommit{}).(context.CancelFunc); ok {
			cancel()
		}
	})
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true},
		InternalResolutionText: i18n.Text{"en": "done"}}})
	require.NoError(t, err)
	tickets := desk.Service("acme").As(helpdesk.System).Tickets()
	n := ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"}, Title: "Refund",
		Content: "Order 42", Channel: ticket.ChannelEmail, IdempotencyKey: "req-1"}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = tickets.Create(context.WithValue(cctx, cancelAtCommit{}, cancel), n)
	require.ErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, helpdesk.ErrNotStored)

	again, err := tickets.Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, "Refund", again.Title)
	p, err := tickets.List(ctx, ticket.Filter{})
	require.NoError(t, err)
	require.Len(t, p.Tickets, 1, "the first call's ticket was stored; the retry made none")
	assert.Equal(t, again.ID, p.Tickets[0].ID)

	// a reply the same way
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	r := helpdesk.Reply{Body: "On its way", IdempotencyKey: "req-2"}
	_, err = tickets.Reply(context.WithValue(cctx, cancelAtCommit{}, cancel), again.ID, r)
	require.ErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	c, err := tickets.Reply(ctx, again.ID, r)
	require.NoError(t, err)
	cs, err := tickets.Comments(ctx, again.ID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, cs[0].ID, c.ID)
}

// TestTx_NotStored: a failure before COMMIT — the caller's context ending,
// a statement the server refuses — rolls back and matches ErrNotStored.
func TestTx_NotStored(t *testing.T) {
	t.Parallel()
	s := open(t)
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)

	cctx, cancel := context.WithCancel(ctx)
	err = s.Tx(cctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Tickets().AddKey(cctx, ticket.Key{Key: "k1", Call: "Tickets.Create", TicketID: "t1"}))
		cancel() // ends before COMMIT is sent
		return nil
	})
	require.ErrorIs(t, err, helpdesk.ErrNotStored)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, helpdesk.ErrUnknownOutcome)

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Tickets().AddKey(ctx, ticket.Key{Key: "k2\x00", Call: "Tickets.Create", TicketID: "t1"}) // no NUL in text
	})
	require.ErrorIs(t, err, helpdesk.ErrNotStored)

	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().GetKey(ctx, "k1")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "rolled back")
		return nil
	}))
}

// TestTx_CancelStorm: many calls cancelled at random points — each either
// succeeds, or says it stored nothing, or says the outcome is unknown; a
// call that said "not stored" never left a ticket, and the retries with
// the keys leave exactly one ticket per key.
func TestTx_CancelStorm(t *testing.T) {
	t.Parallel()
	s := open(t)
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	tickets := desk.Service("acme").As(helpdesk.System).Tickets()
	const calls = 40
	notStored := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			cctx, cancel := context.WithCancel(ctx)
			key := "storm-" + strings.Repeat("x", i)
			go func() {
				for range i % 7 * 50 {
					_ = cctx.Err()
				}
				cancel()
			}()
			_, err := tickets.Create(cctx, ticket.New{Title: key, Content: "c", Channel: ticket.ChannelEmail, IdempotencyKey: key})
			switch {
			case err == nil, errors.Is(err, helpdesk.ErrUnknownOutcome):
			case errors.Is(err, helpdesk.ErrNotStored):
				mu.Lock()
				notStored[key] = true
				mu.Unlock()
			default:
				t.Errorf("call %d: %v is neither stored, not stored nor unknown", i, err)
			}
		})
	}
	wg.Wait()
	p, err := tickets.List(ctx, ticket.Filter{Limit: 500})
	require.NoError(t, err)
	for _, tk := range p.Tickets {
		assert.False(t, notStored[tk.Title], "%s said not stored but is", tk.Title)
	}
	for i := range calls {
		key := "storm-" + strings.Repeat("x", i)
		_, err := tickets.Create(ctx, ticket.New{Title: key, Content: "c", Channel: ticket.ChannelEmail, IdempotencyKey: key})
		require.NoError(t, err)
	}
	p, err = tickets.List(ctx, ticket.Filter{Limit: 500})
	require.NoError(t, err)
	assert.Len(t, p.Tickets, calls, "one ticket per key")
}
