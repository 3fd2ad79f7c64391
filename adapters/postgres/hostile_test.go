package postgres_test

import (
	"context"
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

// TestOpen_StandardConformingStrings_STO2: a DSN that asks for
// standard_conforming_strings off gets it on all the same, and a crafted
// ticket id reads nothing of another service — though the same statement
// on a connection with the setting off reads the other service's ticket.
func TestOpen_StandardConformingStrings_STO2(t *testing.T) {
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

// TestConn_StandardConformingStringsOff_Refused_STO2: a connection on
// which the host turned the setting off runs no further statement, and the
// pool discards it.
func TestConn_StandardConformingStringsOff_Refused_STO2(t *testing.T) {
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
