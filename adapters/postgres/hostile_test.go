package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// withParam returns dsn with a URL query parameter or key=value pair added.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += key + "=" + strings.ReplaceAll(url.QueryEscape(value), "+", "%20") // pgx reads no "+"
		return u.String()
	}
	return dsn + " " + key + "='" + strings.ReplaceAll(value, "'", `\'`) + "'"
}

var at = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func mkService(t *testing.T, s helpdesk.Store, id string) {
	t.Helper()
	require.NoError(t, s.Tx(context.Background(), id, func(r helpdesk.Repos) error {
		return r.Service().Create(context.Background(), helpdesk.ServiceConfig{ID: id, Version: 1, CreatedAt: at, UpdatedAt: at,
			Settings: helpdesk.Settings{Name: id, Languages: []string{"en"}, DefaultLanguage: "en"}})
	}))
}

func newTicket() ticket.Ticket {
	return ticket.Ticket{ID: uuid.Must(uuid.NewV7()).String(), Version: 1, Title: "secret", Content: "secret content",
		Channel: ticket.ChannelEmail, Language: "en", Status: ticket.StatusNew, Priority: ticket.PriorityNormal,
		CreatedAt: at, UpdatedAt: at}
}

// crafted is a ticket id that, read as a literal with
// standard_conforming_strings off, ends the literal at \' and adds
// "OR (id = victim)" to the statement; read as a standard literal it is
// just an odd id.
func crafted(victim string) string { return `x\') OR (id = $q$` + victim + `$q$) --` }

// TestOpen_StandardConformingStrings_SEC3: a DSN that asks for
// standard_conforming_strings off gets it on all the same, and a crafted
// ticket id reads nothing of another service — though the same statement
// on a connection with the setting off reads the other service's ticket.
func TestOpen_StandardConformingStrings_SEC3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := withParam(t, migrated.Database(t), "options", "-c standard_conforming_strings=off")
	s, err := postgres.Open(ctx, dsn, postgres.Options{MaxOpenConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	var scs string
	require.NoError(t, s.DB().QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&scs))
	assert.Equal(t, "on", scs)

	mkService(t, s, "acme")
	mkService(t, s, "rival")
	victim := newTicket()
	require.NoError(t, s.Tx(ctx, "rival", func(r helpdesk.Repos) error {
		return r.Tickets().Create(ctx, &victim, nil)
	}))
	id := crafted(victim.ID)

	// The control: the statement bun writes for acme's Get, on a plain
	// connection that honours the DSN, reads rival's ticket.
	cc, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	plain := bun.NewDB(stdlib.OpenDB(*cc), pgdialect.New())
	t.Cleanup(func() { _ = plain.Close() })
	var leaked []string
	require.NoError(t, plain.NewSelect().Table("tickets").Column("title").
		Where("service_id = ?", "acme").Where("id = ?", id).Scan(ctx, &leaked))
	require.Equal(t, []string{"secret"}, leaked, "the control should show the injection")

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		got, err := r.Tickets().Get(ctx, id)
		assert.Empty(t, got.Title)
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().GetForUpdate(ctx, id)
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

// TestConn_StandardConformingStringsOff_Refused_SEC3: a connection on
// which the host turned the setting off runs no further statement, and the
// pool discards it.
func TestConn_StandardConformingStringsOff_Refused_SEC3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	c, err := s.DB().Conn(ctx)
	require.NoError(t, err)
	_, err = c.ExecContext(ctx, "SET standard_conforming_strings = off")
	require.NoError(t, err)
	_, err = c.ExecContext(ctx, "SELECT 1")
	assert.ErrorContains(t, err, "standard_conforming_strings is not on")
	require.NoError(t, c.Close())

	// The pool drops the connection: every later statement sees it on.
	for range 8 {
		var scs string
		require.NoError(t, s.DB().QueryRowContext(ctx, "SHOW standard_conforming_strings").Scan(&scs))
		assert.Equal(t, "on", scs)
	}
}

// slowTickets opens a store on a database of its own, with dsn params
// added, whose tickets titled "slow" take a second to insert: an AFTER
// trigger sleeps once the insert has returned its row.
func slowTickets(t *testing.T, params ...string) (*postgres.Store, string) {
	t.Helper()
	ctx := context.Background()
	dsn := migrated.Database(t)
	s0, err := postgres.Open(ctx, dsn, postgres.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	_, err = s0.DB().ExecContext(ctx, `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.title = 'slow' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$;
CREATE TRIGGER slow AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION slow()`)
	require.NoError(t, err)
	require.NoError(t, s0.Close())
	for i := 0; i+1 < len(params); i += 2 {
		dsn = withParam(t, dsn, params[i], params[i+1])
	}
	s, err := postgres.Open(ctx, dsn, postgres.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	mkService(t, s, "acme")
	return s, dsn
}

const aborted = "current transaction is aborted"

// TestTx_StatementTimeoutAfterRow_STO1: a write that returned its row and
// then ran over statement_timeout fails its call with ErrTimeout — the
// later statements of the transaction do not run, and the call never ends
// with "current transaction is aborted". Nothing is stored.
func TestTx_StatementTimeoutAfterRow_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := slowTickets(t, "statement_timeout", "300")
	tk := newTicket()
	tk.Title = "slow"
	ran := 0
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
			return err
		}
		ran++
		_, err := r.Tickets().Get(ctx, tk.ID)
		return err
	})
	require.ErrorIs(t, err, helpdesk.ErrTimeout)
	assert.NotContains(t, err.Error(), aborted)
	assert.Contains(t, err.Error(), "timeout: ")
	assert.LessOrEqual(t, ran, 1)

	assertNoTicket(t, s, "acme", tk.ID, "the timed-out write was rolled back")
}

// TestTx_ContextEnds_STO1: a call whose context is canceled or expires
// mid-transaction returns the context's error.
func TestTx_ContextEnds_STO1(t *testing.T) {
	t.Parallel()
	s, _ := slowTickets(t)
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			tk := newTicket()
			tk.Title = "slow"
			err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
				if err := r.Tickets().Create(ctx, &tk, nil); err != nil {
					return err
				}
				_, err := r.Tickets().Get(ctx, tk.ID)
				return err
			})
			require.ErrorIs(t, err, c.want)
			assert.NotContains(t, err.Error(), aborted)
			// The pool recovers.
			require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
				_, err := r.Tickets().CountCreatedSince(context.Background(), at)
				return err
			}))
		})
	}
}

// TestTx_ConnectionTerminated_STO1: a connection terminated by the server
// (pg_terminate_backend) mid-transaction fails the call with
// ErrUnavailable, and the pool recovers.
func TestTx_ConnectionTerminated_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dsn := slowTickets(t, "application_name", "victim")
	cc, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	admin := stdlib.OpenDB(*cc)
	t.Cleanup(func() { _ = admin.Close() })

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Tickets().CountCreatedSince(ctx, at); err != nil {
			return err
		}
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'victim' AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("terminated %d backends, want 1", n)
		}
		tk := newTicket()
		return r.Tickets().Create(ctx, &tk, nil)
	})
	require.ErrorIs(t, err, helpdesk.ErrUnavailable)
	assert.NotContains(t, err.Error(), aborted)
	assert.Contains(t, err.Error(), "unavailable: ")

	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Tickets().CountCreatedSince(ctx, at)
		return err
	}))
}
