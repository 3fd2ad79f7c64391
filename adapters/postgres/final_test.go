package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// finish announces the transaction's next repository call as its last.
func finish(t *testing.T, r helpdesk.Repos) {
	t.Helper()
	f, ok := r.(helpdesk.Finisher)
	require.True(t, ok, "the Postgres repositories implement helpdesk.Finisher")
	f.Finish()
}

// ticketRows counts the rows of ticket id, read on a connection of its
// own (not the store's pool).
func ticketRows(t *testing.T, dsn, id string) int {
	t.Helper()
	cc, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), "SELECT count(*) FROM tickets WHERE id = $1", id).Scan(&n))
	return n
}

// TestFinal_CommitsWithLastStatement_STO1: after Finish, the ticket's
// write goes in one batch [BEGIN, create, COMMIT] — one round trip for the
// whole transaction, the commit hook called before it — and Tx sends no
// COMMIT of its own; the ticket is visible from another connection.
func TestFinal_CommitsWithLastStatement_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := migrated.Database(t)
	s, rt := openCounted(t, dsn, 0)
	mkService(t, s, "acme")
	hooked := 0
	postgres.SetBeforeCommit(s, func(context.Context) { hooked++ })

	tk := newTicket()
	n := rt.count(t, func() {
		require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			finish(t, r)
			return r.Tickets().Create(ctx, &tk, []ticket.Change{{TicketID: tk.ID, At: at, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated, Field: ticket.FieldTicket, To: tk.Title}})
		}))
	})
	assert.Equal(t, 1, n, "BEGIN, the create and COMMIT in one batch")
	assert.Equal(t, 1, hooked, "the commit hook runs once, before the batch")
	assert.Positive(t, tk.Number, "the statement's row was read")
	assert.Equal(t, 1, ticketRows(t, dsn, tk.ID), "committed: visible from another connection")

	// The same with statements before it: the last one carries COMMIT.
	tk2 := newTicket()
	n = rt.count(t, func() {
		require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			if err := r.Tickets().AddKey(ctx, ticket.Key{Key: "k-final", Call: "Tickets.Create", TicketID: tk2.ID, CreatedAt: at}); err != nil {
				return err
			}
			finish(t, r)
			return r.Tickets().Create(ctx, &tk2, nil)
		}))
	})
	assert.Equal(t, 3, n, "BEGIN (database/sql cannot pipeline it), the key's insert, then [create, COMMIT]")
	assert.Equal(t, 1, ticketRows(t, dsn, tk2.ID))
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().GetKey(ctx, "k-final")
		return err
	}), "the statement before the final one committed with it")
}

// TestFinal_HintIgnoredByOtherStatements: when the next statement after
// Finish is not a hot one (a bun statement), the hint is dropped and Tx
// commits as usual: nothing is refused.
func TestFinal_HintIgnoredByOtherStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		finish(t, r)
		if err := r.Tickets().AddKey(ctx, ticket.Key{Key: "k1", Call: "Tickets.Create", TicketID: tk.ID, CreatedAt: at}); err != nil {
			return err
		}
		return r.Tickets().Create(ctx, &tk, nil) // not the last any more: a normal statement
	}))
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Tickets().GetKey(ctx, "k1"); err != nil {
			return err
		}
		_, err := r.Tickets().Get(ctx, tk.ID)
		return err
	}))
}

// TestFinal_RefusedStatementStoresNothing_STO1: a final statement the
// server refuses (a taken ticket id) rolls the whole transaction back —
// the key written before it too — and maps as it does when it is not the
// last (ErrConflict, a refusal: the same error); the pool goes on.
func TestFinal_RefusedStatementStoresNothing_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &tk, nil) }))

	again := func(key string, final bool) error {
		return s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			if err := r.Tickets().AddKey(ctx, ticket.Key{Key: key, Call: "Tickets.Create", TicketID: tk.ID, CreatedAt: at}); err != nil {
				return err
			}
			if final {
				finish(t, r)
			}
			dup := tk
			return r.Tickets().Create(ctx, &dup, nil)
		})
	}
	plain := again("k-plain", false)
	final := again("k-final", true)
	require.ErrorIs(t, final, helpdesk.ErrConflict)
	assert.Equal(t, plain.Error(), final.Error(), "mapped as the same statement is when it is not the last")
	assert.NotErrorIs(t, final, helpdesk.ErrUnknownOutcome)

	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().GetKey(ctx, "k-final")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "the key written before the refused final statement was rolled back")
		return nil
	}))
}

// TestFinal_NoRowRollsBack_STO1: a final update of a stale ticket, or a
// final cursor advance of an unknown group, finds no row: the transaction
// is rolled back (not committed with half its writes) and the call gets
// the repository's refusal (ErrConflict, ErrNotFound).
func TestFinal_NoRowRollsBack_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &tk, nil) }))

	stale := tk
	stale.Version = 7
	stale.Title = "changed"
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().AddKey(ctx, ticket.Key{Key: "k-update", Call: "Tickets.Update", TicketID: tk.ID, CreatedAt: at}); err != nil {
			return err
		}
		finish(t, r)
		return r.Tickets().Update(ctx, &stale, nil)
	})
	require.ErrorIs(t, err, helpdesk.ErrConflict)

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().AddKey(ctx, ticket.Key{Key: "k-cursor", Call: "Groups.NextAssignee", CreatedAt: at}); err != nil {
			return err
		}
		finish(t, r)
		_, err := r.Groups().AdvanceCursor(ctx, "no-such-group", []int64{1, 2})
		return err
	})
	require.ErrorIs(t, err, helpdesk.ErrNotFound)

	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		for _, k := range []string{"k-update", "k-cursor"} {
			_, err := r.Tickets().GetKey(ctx, k)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "%s: rolled back", k)
		}
		got, err := r.Tickets().Get(ctx, tk.ID)
		assert.Equal(t, "secret", got.Title, "the stale update wrote nothing")
		return err
	}))
}

// TestFinal_StatementAfterFinal_IsACallerBug: the domain broke its word —
// a statement after the final one, or an error after it — and the store
// says so: the statement is refused, and Tx's error names the bug and
// matches no kind or outcome (the transaction committed: the ticket is
// stored).
func TestFinal_StatementAfterFinal_IsACallerBug(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")

	for _, c := range []struct {
		name string
		then func(r helpdesk.Repos, id string) error
	}{
		{"a hot statement after it", func(r helpdesk.Repos, id string) error {
			_, err := r.Tickets().Get(ctx, id)
			return err
		}},
		{"a bun statement after it, its error dropped", func(r helpdesk.Repos, id string) error {
			_, _ = r.Tickets().Comments(ctx, id)
			return nil
		}},
		{"an error after it", func(helpdesk.Repos, string) error {
			return errors.New("a check after the last write")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := newTicket()
			var stmtErr error
			err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
				finish(t, r)
				if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
					return err
				}
				stmtErr = c.then(r, tk.ID)
				return stmtErr
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "bug of the caller")
			for _, k := range []error{helpdesk.ErrNotStored, helpdesk.ErrUnknownOutcome, helpdesk.ErrNotFound, helpdesk.ErrConflict} {
				assert.NotErrorIs(t, err, k)
			}
			if stmtErr != nil && c.name == "a hot statement after it" {
				assert.Contains(t, stmtErr.Error(), "after the transaction's final statement", "the statement itself is refused")
			}
			require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
				_, err := r.Tickets().Get(ctx, tk.ID)
				return err
			}), "the final batch committed")
		})
	}
}

// TestFinal_ContextEnds_STO1: the caller's context ending before the final
// statement is sent rolls back (ErrNotStored); ending while the batch is
// under way returns at once with ErrUnknownOutcome (and the context's
// error), and the batch still commits: the store's one connection is
// handed back only after it, and the ticket is there.
func TestFinal_ContextEnds_STO1(t *testing.T) {
	t.Parallel()
	s, dsn := slowTickets(t) // one connection; a ticket titled "slow" takes a second to insert

	cctx, cancel := context.WithCancel(context.Background())
	early := newTicket()
	err := s.Tx(cctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Tickets().CountCreatedSince(cctx, at); err != nil {
			return err
		}
		cancel()
		finish(t, r)
		return r.Tickets().Create(cctx, &early, nil)
	})
	require.ErrorIs(t, err, helpdesk.ErrNotStored)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	assert.Equal(t, 0, ticketRows(t, dsn, early.ID))

	ctx, stop := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer stop()
	tk := newTicket()
	tk.Title = "slow"
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		finish(t, r)
		return r.Tickets().Create(ctx, &tk, nil)
	})
	require.ErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, helpdesk.ErrNotStored)

	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().Get(context.Background(), tk.ID)
		return err
	}), "the batch ran to its end and committed")
}

// TestFinal_ConnectionLost_STO1: the connection lost as the final batch
// goes out (the server ends the backend in the commit hook, right before
// it) leaves the outcome unknown: ErrUnknownOutcome, typed
// ErrUnavailable. Lost before anything of the batch went out (the
// statement's prepare, once per connection, found it gone) it is
// ErrNotStored. The pool recovers.
func TestFinal_ConnectionLost_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dsn := slowTickets(t, "application_name", "victim") // one connection
	cc, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	admin := stdlib.OpenDB(*cc)
	t.Cleanup(func() { _ = admin.Close() })
	terminated := 0
	postgres.SetBeforeCommit(s, func(ctx context.Context) {
		// pg_terminate_backend waits (timeout) until the backend is gone.
		require.NoError(t, admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'victim' AND pid <> pg_backend_pid()`).Scan(&terminated))
	})
	lose := func() (ticket.Ticket, error) {
		terminated = 0
		tk := newTicket()
		err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			if _, err := r.Tickets().CountCreatedSince(ctx, at); err != nil {
				return err
			}
			finish(t, r)
			return r.Tickets().Create(ctx, &tk, nil)
		})
		require.Equal(t, 1, terminated)
		return tk, err
	}

	// The connection has not prepared the create yet: the prepare fails,
	// and no part of the batch was sent.
	tk, err := lose()
	require.ErrorIs(t, err, helpdesk.ErrNotStored)
	assert.ErrorIs(t, err, helpdesk.ErrUnavailable)
	assert.NotErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	assert.Equal(t, 0, ticketRows(t, dsn, tk.ID))

	// The pool's new connection prepares it (a create without the hook's
	// kill); then the batch itself goes out on the dead connection.
	hook := true
	postgres.SetBeforeCommit(s, nil)
	warm := newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &warm, nil) }), "the pool recovers")
	postgres.SetBeforeCommit(s, func(ctx context.Context) {
		if hook {
			require.NoError(t, admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'victim' AND pid <> pg_backend_pid()`).Scan(&terminated))
		}
	})
	_, err = lose()
	require.ErrorIs(t, err, helpdesk.ErrUnknownOutcome)
	assert.ErrorIs(t, err, helpdesk.ErrUnavailable)
	assert.NotErrorIs(t, err, helpdesk.ErrNotStored)

	hook = false
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().CountCreatedSince(ctx, at)
		return err
	}), "the pool recovers")
}
