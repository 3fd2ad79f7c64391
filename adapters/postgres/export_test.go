package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
)

// SetBeforeCommit makes every Tx of s call f right before it sends COMMIT.
func SetBeforeCommit(s *Store, f func(context.Context)) { s.beforeCommit = f }

// TxOf returns the database transaction behind the repositories that Tx
// hands to its function, for a test's raw statements in that transaction.
func TxOf(r helpdesk.Repos) bun.Tx { return r.(repos).tx }

// WithTracer returns o with every connection of the store traced by tr
// (a test's round-trip counter).
func WithTracer(o Options, tr pgx.QueryTracer) Options {
	o.tracer = tr
	return o
}
