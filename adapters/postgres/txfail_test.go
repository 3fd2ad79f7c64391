package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
)

// pgCode returns the SQLSTATE err carries, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestTx_StatementFailsAfterRow_STO1: a statement that sent its first row
// and then failed (the second row divides by zero), read by a scan into
// one value (which reads one row and closes), fails its transaction with
// its own error: the next statement does not run, the call never ends
// with "current transaction is aborted", and nothing is stored.
func TestTx_StatementFailsAfterRow_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	var n int
	after := 0
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
			return err
		}
		// The scan itself reports no error: the row it reads arrived.
		if err := postgres.TxOf(r).NewRaw("SELECT x FROM (VALUES (1), (0)) v(x) WHERE 1/x > 0").Scan(ctx, &n); err != nil {
			return err
		}
		after++
		_, err := r.Tickets().Get(ctx, tk.ID)
		return err
	})
	require.Error(t, err)
	assert.Equal(t, 1, n, "the first row arrived")
	assert.Equal(t, "22012", pgCode(err), "the division's own error: %v", err)
	assert.Contains(t, err.Error(), "division by zero")
	assert.NotContains(t, err.Error(), aborted)
	assert.ErrorIs(t, err, helpdesk.ErrNotStored)

	assertNoTicket(t, s, "acme", tk.ID, "the ticket was rolled back")
}

// TestTx_StatementFailsAfterRow_Commit_STO1: when the failed statement is
// the last one, COMMIT answers its error (typed: a statement timeout after
// the row is ErrTimeout) instead of committing or reporting a rollback.
func TestTx_StatementFailsAfterRow_Commit_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	var n int
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
			return err
		}
		if _, err := postgres.TxOf(r).ExecContext(ctx, "SET LOCAL statement_timeout = '200ms'"); err != nil {
			return err
		}
		// The first row comes at once, the second after the timeout.
		return postgres.TxOf(r).NewRaw("SELECT x FROM (VALUES (1), (2)) v(x) WHERE x = 1 OR pg_sleep(1) IS NOT NULL").Scan(ctx, &n)
	})
	require.ErrorIs(t, err, helpdesk.ErrTimeout)
	assert.ErrorIs(t, err, helpdesk.ErrNotStored, "the COMMIT was refused: nothing stored")
	assert.Equal(t, 1, n, "the first row arrived")
	assert.Equal(t, "57014", pgCode(err))
	assert.NotContains(t, err.Error(), aborted)
	assert.NotContains(t, err.Error(), "rolled back")

	assertNoTicket(t, s, "acme", tk.ID, "the ticket was rolled back")
}

// TestTx_LockTimeout_STO1: a transaction that waits on a row lock longer
// than its lock_timeout fails with ErrTimeout; the holder is unharmed.
func TestTx_LockTimeout_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	tk := newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Tickets().Create(ctx, &tk, nil) }))

	locked, done := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			_, err := r.Tickets().GetForUpdate(ctx, tk.ID)
			close(locked)
			if err != nil {
				return err
			}
			<-done
			return nil
		})
	}()
	<-locked
	start := time.Now()
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := postgres.TxOf(r).ExecContext(ctx, "SET LOCAL lock_timeout = '100ms'"); err != nil {
			return err
		}
		_, err := r.Tickets().GetForUpdate(ctx, tk.ID)
		return err
	})
	close(done)
	require.ErrorIs(t, err, helpdesk.ErrTimeout)
	assert.ErrorIs(t, err, helpdesk.ErrNotStored, "rolled back before COMMIT")
	assert.Equal(t, "55P03", pgCode(err))
	assert.Contains(t, err.Error(), "timeout: ")
	assert.NotErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.NoError(t, <-holder)
}

// TestTx_Deadlock_STO1: two transactions that lock two tickets in opposite
// orders deadlock; the server aborts one, which fails with ErrConflict,
// and the other commits.
func TestTx_Deadlock_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	mkService(t, s, "acme")
	a, b := newTicket(), newTicket()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().Create(ctx, &a, nil); err != nil {
			return err
		}
		return r.Tickets().Create(ctx, &b, nil)
	}))

	var first sync.WaitGroup // both hold their first lock
	first.Add(2)
	lockBoth := func(x, y string) error {
		return s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			_, err := r.Tickets().GetForUpdate(ctx, x)
			first.Done()
			if err != nil {
				return err
			}
			first.Wait()
			_, err = r.Tickets().GetForUpdate(ctx, y)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- lockBoth(a.ID, b.ID) }()
	go func() { errs <- lockBoth(b.ID, a.ID) }()
	e1, e2 := <-errs, <-errs
	if e1 == nil {
		e1, e2 = e2, e1
	}
	require.NoError(t, e2, "one transaction commits")
	require.ErrorIs(t, e1, helpdesk.ErrConflict, "the victim")
	assert.Equal(t, "40P01", pgCode(e1))
	assert.Contains(t, e1.Error(), "deadlock")
	assert.NotContains(t, e1.Error(), aborted)
}

// assertNoTicket checks that ticket id of service is not stored.
func assertNoTicket(t *testing.T, s *postgres.Store, service, id, msg string) {
	t.Helper()
	err := s.Tx(context.Background(), service, func(r helpdesk.Repos) error {
		_, err := r.Tickets().Get(context.Background(), id)
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, msg)
}
