package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// connector opens connections to one database file with a driver of the
// store's own (no driver registered process-wide); every connection it
// makes is a *conn.
type connector struct {
	dsn string
	d   driver.Driver
	// trace, when set (by tests), is called with every statement a
	// connection runs or prepares.
	trace *atomic.Pointer[func(query string)]
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc, trace: c.trace}, nil
}

func (c connector) Driver() driver.Driver { return c.d }

// conn is one SQLite connection of the pool. Once failed is set (the
// transaction could not become the writer), it runs no statement and
// answers that error, until Tx ends the transaction. database/sql uses a
// connection from one goroutine at a time, so failed and stmts need no
// lock.
//
// The hot statements (see hot) are prepared once per connection and kept:
// SQLite compiles a statement at every prepare, and compiling an INSERT
// into a table with several indexes costs about as much as running it.
// Every other statement (bun writes its arguments into the text) is
// prepared and finalised at each call, as the driver does.
type conn struct {
	driver.Conn
	failed error
	stmts  map[string]driver.Stmt
	trace  *atomic.Pointer[func(query string)]
}

// traced calls the trace function, if any, with query.
func (c *conn) traced(query string) {
	if c.trace == nil {
		return
	}
	if fn := c.trace.Load(); fn != nil {
		(*fn)(query)
	}
}

// stmt returns the kept statement of query, preparing it the first time.
func (c *conn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = make(map[string]driver.Stmt)
	}
	c.stmts[query] = st
	return st, nil
}

// Close finalises the kept statements, then closes the connection.
func (c *conn) Close() error {
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// errNoContext is returned if the driver connection lacks the context
// methods (modernc.org/sqlite has them).
var errNoContext = errors.New("sqlite: driver connection without context methods")

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.failed != nil {
		return nil, c.failed
	}
	c.traced(query)
	if hot(query) {
		st, err := c.stmt(ctx, query)
		if err != nil {
			return nil, err
		}
		e, ok := st.(driver.StmtExecContext)
		if !ok {
			return nil, errNoContext
		}
		return e.ExecContext(ctx, args)
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
	c.traced(query)
	if hot(query) {
		st, err := c.stmt(ctx, query)
		if err != nil {
			return nil, err
		}
		q, ok := st.(driver.StmtQueryContext)
		if !ok {
			return nil, errNoContext
		}
		return q.QueryContext(ctx, args)
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
