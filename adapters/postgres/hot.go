package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The hot statements — a ticket's create and update with their history,
// the service's record, the trigger set's version, the round-robin cursor
// advance, the outbox enqueue — skip bun and database/sql: each goes to
// the server as a prepared statement with parameters, parsed and analysed
// once per connection, not as text with the arguments interpolated that
// the server parses anew every time. When one is the first statement of
// its transaction, the transaction's BEGIN goes with it in one round trip.
// Every other statement stays with bun. The hot statements name their
// columns: a migration that adds a column leaves them valid (a prepared
// SELECT * would fail with "cached plan must not change result type").

// queryRow runs the hot statement query with args in the transaction and
// scans its one row into dest; no row is pgx.ErrNoRows (which matches
// sql.ErrNoRows).
func (r repos) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	return r.hot(ctx, query, args, dest)
}

// exec runs the hot statement query with args in the transaction.
func (r repos) exec(ctx context.Context, query string, args ...any) error {
	return r.hot(ctx, query, args, nil)
}

func (r repos) hot(ctx context.Context, query string, args, dest []any) error {
	return r.conn.Raw(func(dc any) error {
		c, ok := dc.(*conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		return c.hot(ctx, query, args, dest)
	})
}

// hot runs a hot statement on the connection, scanning its one row into
// dest unless dest is nil. A failed statement fails the transaction
// (STO-1) as one sent through database/sql does.
func (c *conn) hot(ctx context.Context, query string, args, dest []any) error {
	if err := c.before(); err != nil {
		return err
	}
	err := c.send(ctx, query, args, dest)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		c.fail(err)
	}
	return err
}

func (c *conn) send(ctx context.Context, query string, args, dest []any) error {
	pc := c.Conn.Conn()
	// Prepared under its own text as name: pgx then runs it by name,
	// whatever the query exec mode (a round trip the first time only).
	if _, err := pc.Prepare(ctx, query, query); err != nil {
		return err
	}
	if !c.begin {
		if dest == nil {
			_, err := pc.Exec(ctx, query, args...)
			return err
		}
		return pc.QueryRow(ctx, query, args...).Scan(dest...)
	}
	c.begin = false
	var b pgx.Batch
	b.Queue("begin")
	b.Queue(query, args...)
	br := pc.SendBatch(ctx, &b)
	_, err := br.Exec()
	if err == nil && dest == nil {
		_, err = br.Exec()
	} else if err == nil {
		err = br.QueryRow().Scan(dest...)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// readAhead keeps what a transaction's statement read for a later read of
// the same transaction, saving its round trip: the trigger set's version,
// read with the service's record. A lock or a write of the set forgets
// it, so the next read goes to the server. Reading the version a moment
// earlier in the transaction is what a read committed transaction may
// see anyway (the desk reads it without a lock). A nil *readAhead keeps
// nothing.
type readAhead struct {
	triggerVersion string
	known          bool
}

func (a *readAhead) setVersion(v string) {
	if a != nil {
		a.triggerVersion, a.known = v, true
	}
}

func (a *readAhead) version() (string, bool) {
	if a == nil {
		return "", false
	}
	return a.triggerVersion, a.known
}

func (a *readAhead) forgetVersion() {
	if a != nil {
		a.known = false
	}
}
