package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
)

// connector opens connections to one database file with a driver of the
// store's own (no driver registered process-wide); every connection it
// makes is a *conn.
type connector struct {
	dsn string
	d   driver.Driver
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc}, nil
}

func (c connector) Driver() driver.Driver { return c.d }

// conn is one SQLite connection of the pool. Once failed is set (the
// transaction could not become the writer), it runs no statement and
// answers that error, until Tx ends the transaction. database/sql uses a
// connection from one goroutine at a time, so failed needs no lock.
type conn struct {
	driver.Conn
	failed error
}

// errNoContext is returned if the driver connection lacks the context
// methods (modernc.org/sqlite has them).
var errNoContext = errors.New("sqlite: driver connection without context methods")

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.failed != nil {
		return nil, c.failed
	}
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, errNoContext
	}
	return e.ExecContext(ctx, query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.failed != nil {
		return nil, c.failed
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, errNoContext
	}
	return q.QueryContext(ctx, query, args)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return nil, errNoContext
	}
	return p.PrepareContext(ctx, query)
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errNoContext
	}
	return b.BeginTx(ctx, opts)
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}
