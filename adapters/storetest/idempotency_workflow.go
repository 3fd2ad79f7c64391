package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
)

// testIdempotencyWorkflow_STO3: a creation or reply retried with its
// idempotency key returns the first result and makes no second one, also
// when the calls run at once; keys are per service, expire after
// Config.IdempotencyTTL, and are purged by CloseSolved.
func testIdempotencyWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	now := base
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: clock, IdempotencyTTL: time.Hour})
	require.NoError(t, err)
	for _, id := range []string{"acme", "beta"} {
		_, err := desk.CreateService(ctx, helpdesk.NewService{ID: id, Settings: cfg(id).Settings})
		require.NoError(t, err)
	}
	acme := desk.Service("acme").As(helpdesk.System).Tickets()
	beta := desk.Service("beta").As(helpdesk.System).Tickets()
	newTicket := func(key, title string) ticket.New {
		return ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"},
			Title: title, Content: "c", Channel: ticket.ChannelEmail, IdempotencyKey: key}
	}
	count := func(h helpdesk.Tickets) int {
		p, err := h.List(ctx, ticket.Filter{})
		require.NoError(t, err)
		return len(p.Tickets)
	}

	t.Run("Create", func(t *testing.T) {
		first, err := acme.Create(ctx, newTicket("create-1", "first"))
		require.NoError(t, err)
		again, err := acme.Create(ctx, newTicket("create-1", "second"))
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID, "the retry returns the first ticket")
		assert.Equal(t, "first", again.Title, "whatever else the retry asks")
		assert.Equal(t, 1, count(acme))

		other, err := beta.Create(ctx, newTicket("create-1", "beta's"))
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, other.ID, "keys are per service")
		assert.Equal(t, "beta's", other.Title)

		plain, err := acme.Create(ctx, newTicket("", "no key"))
		require.NoError(t, err)
		plain2, err := acme.Create(ctx, newTicket("", "no key"))
		require.NoError(t, err)
		assert.NotEqual(t, plain.ID, plain2.ID, "without a key every call creates")

		_, err = acme.Create(ctx, newTicket("bad\x00key", "x"))
		require.ErrorIs(t, err, helpdesk.ErrInvalid)
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("idempotency_key"))

		// a failed first call leaves no key behind
		_, err = acme.Create(ctx, ticket.New{Title: "", Content: "c", Channel: ticket.ChannelEmail, IdempotencyKey: "create-bad"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid)
		ok, err := acme.Create(ctx, newTicket("create-bad", "now good"))
		require.NoError(t, err)
		assert.Equal(t, "now good", ok.Title)
	})

	t.Run("CreateConcurrent", func(t *testing.T) {
		before := count(acme)
		ids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				tk, err := acme.Create(ctx, newTicket("create-race", "race"))
				if assert.NoError(t, err) {
					ids[i] = tk.ID
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id, "one ticket for every call")
		}
		assert.Equal(t, before+1, count(acme))
	})

	t.Run("Reply", func(t *testing.T) {
		tk, err := acme.Create(ctx, newTicket("", "reply to me"))
		require.NoError(t, err)
		first, err := acme.Reply(ctx, tk.ID, helpdesk.Reply{Body: "hello", Status: ticket.StatusPending, IdempotencyKey: "reply-1"})
		require.NoError(t, err)
		again, err := acme.Reply(ctx, tk.ID, helpdesk.Reply{Body: "hello again", IdempotencyKey: "reply-1"})
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, "hello", again.Body)
		cs, err := acme.Comments(ctx, tk.ID)
		require.NoError(t, err)
		assert.Len(t, cs, 1, "no second reply")
		got, err := acme.Get(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, ticket.StatusPending, got.Status)

		// a template reply shares the ticket's reply keys
		admin := desk.Service("acme").As(helpdesk.System)
		tpl, err := admin.Templates().Create(ctx, template.New{Title: "Thanks", Content: "Thanks!", Code: "thanks"})
		require.NoError(t, err)
		viaTpl, err := acme.ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tpl.ID, IdempotencyKey: "reply-1"})
		require.NoError(t, err)
		assert.Equal(t, first.ID, viaTpl.ID)

		// one key names one call
		other, err := acme.Create(ctx, newTicket("", "other"))
		require.NoError(t, err)
		_, err = acme.Reply(ctx, other.ID, helpdesk.Reply{Body: "x", IdempotencyKey: "reply-1"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid, "a reply key used on another ticket")
		_, err = acme.Reply(ctx, other.ID, helpdesk.Reply{Body: "x", IdempotencyKey: "create-1"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid, "a creation's key used for a reply")
		_, err = acme.Create(ctx, newTicket("reply-1", "x"))
		require.ErrorIs(t, err, helpdesk.ErrInvalid, "a reply's key used for a creation")
	})

	t.Run("ReplyConcurrent", func(t *testing.T) {
		tk, err := acme.Create(ctx, newTicket("", "race replies"))
		require.NoError(t, err)
		ids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				c, err := acme.Reply(ctx, tk.ID, helpdesk.Reply{Body: "once", IdempotencyKey: "reply-race"})
				if assert.NoError(t, err) {
					ids[i] = c.ID
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id)
		}
		cs, err := acme.Comments(ctx, tk.ID)
		require.NoError(t, err)
		assert.Len(t, cs, 1)
	})

	t.Run("CustomerReply", func(t *testing.T) {
		tk, err := acme.Create(ctx, newTicket("", "customer writes"))
		require.NoError(t, err)
		_, err = acme.Solve(ctx, tk.ID, helpdesk.Solve{})
		require.NoError(t, err)
		first, err := acme.CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "not solved", IdempotencyKey: "<m1@customer.example>"})
		require.NoError(t, err)
		assert.Equal(t, ticket.StatusOpen, first.Status, "the reply reopened the ticket")
		_, err = acme.Solve(ctx, tk.ID, helpdesk.Solve{})
		require.NoError(t, err)
		again, err := acme.CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "not solved", IdempotencyKey: "<m1@customer.example>"})
		require.NoError(t, err)
		assert.Equal(t, tk.ID, again.ID)
		assert.Equal(t, ticket.StatusSolved, again.Status, "the retry reopens nothing: it returns the ticket as stored")
		cs, err := acme.Comments(ctx, tk.ID)
		require.NoError(t, err)
		assert.Len(t, cs, 1, "one customer reply")

		// a closed ticket's reply lands in a follow-up; its retry returns
		// that follow-up and makes no second one
		_, err = acme.SetStatus(ctx, tk.ID, ticket.StatusClosed)
		require.NoError(t, err)
		before := count(acme)
		ids := make([]string, 6)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				fu, err := acme.CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "broke again", IdempotencyKey: "<m2@customer.example>"})
				if assert.NoError(t, err) {
					ids[i] = fu.ID
					assert.Equal(t, tk.ID, fu.FollowUpOf)
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id, "one follow-up for every call")
		}
		assert.Equal(t, before+1, count(acme))

		// one key names one call
		_, err = acme.CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "x", IdempotencyKey: "create-1"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid, "a creation's key used for a customer reply")
		other, err := acme.Create(ctx, newTicket("", "another"))
		require.NoError(t, err)
		_, err = acme.CustomerReply(ctx, other.ID, helpdesk.CustomerReply{Body: "x", IdempotencyKey: "<m1@customer.example>"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid, "a customer reply's key used on another ticket")
		_, err = acme.CustomerReply(ctx, other.ID, helpdesk.CustomerReply{Body: "x", IdempotencyKey: "bad\x00key"})
		require.ErrorIs(t, err, helpdesk.ErrInvalid)
	})

	t.Run("Expiry", func(t *testing.T) {
		first, err := acme.Create(ctx, newTicket("expiring", "first"))
		require.NoError(t, err)
		advance(30 * time.Minute)
		again, err := acme.Create(ctx, newTicket("expiring", "second"))
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID, "within the TTL")
		advance(31 * time.Minute)
		fresh, err := acme.Create(ctx, newTicket("expiring", "third"))
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, fresh.ID, "an expired key makes a new ticket")
		assert.Equal(t, "third", fresh.Title)
		again, err = acme.Create(ctx, newTicket("expiring", "fourth"))
		require.NoError(t, err)
		assert.Equal(t, fresh.ID, again.ID, "the new call holds the key")

		// CloseSolved purges the service's expired keys
		_, err = beta.Create(ctx, newTicket("purge-me", "x"))
		require.NoError(t, err)
		advance(2 * time.Hour)
		_, err = beta.CloseSolved(ctx)
		require.NoError(t, err)
		require.NoError(t, s.Tx(ctx, "beta", func(r helpdesk.Repos) error {
			_, err := r.Tickets().GetKey(ctx, "purge-me")
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "purged")
			return nil
		}))
	})

	t.Run("NotStored", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := acme.Create(cctx, newTicket("cancelled", "never"))
		require.ErrorIs(t, err, helpdesk.ErrNotStored, "a context that ended before the call stores nothing")
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, helpdesk.ErrUnknownOutcome)
		tk, err := acme.Create(ctx, newTicket("cancelled", "now"))
		require.NoError(t, err)
		assert.Equal(t, "now", tk.Title, "the key was not taken")
	})

	t.Run("Repository", func(t *testing.T) {
		k := ticket.Key{Key: "repo-1", Call: "Tickets.Reply", TicketID: "t1", CommentID: "c1", CreatedAt: base}
		require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			require.NoError(t, r.Tickets().AddKey(ctx, k))
			err := r.Tickets().AddKey(ctx, ticket.Key{Key: "repo-1", Call: "Tickets.Create", TicketID: "t2", CreatedAt: base})
			require.ErrorIs(t, err, helpdesk.ErrConflict)
			got, err := r.Tickets().GetKey(ctx, "repo-1")
			require.NoError(t, err, "the transaction is usable after the conflict")
			assert.Equal(t, k, got)
			return nil
		}))
		require.NoError(t, s.Tx(ctx, "beta", func(r helpdesk.Repos) error {
			_, err := r.Tickets().GetKey(ctx, "repo-1")
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's key (SVC-1)")
			return nil
		}))
		require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			n, err := r.Tickets().DeleteKeys(ctx, base)
			require.NoError(t, err)
			assert.Zero(t, n, "created at before, not before it")
			n, err = r.Tickets().DeleteKeys(ctx, base.Add(time.Microsecond))
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			_, err = r.Tickets().GetKey(ctx, "repo-1")
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			return nil
		}))
	})
}
