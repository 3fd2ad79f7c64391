package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// connector wraps the pgx connector: every connection it makes is a
// *conn, which refuses to run statements when standard_conforming_strings
// is off (SEC-3) and keeps the first failed statement of a transaction
// (STO-1).
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("postgres: unexpected driver connection %T", dc)
	}
	gc := &conn{Conn: sc}
	if err := gc.checkStrings(); err != nil {
		_ = sc.Close()
		return nil, err
	}
	return gc, nil
}

// conn is one pgx connection of the pool. database/sql uses a connection
// from one goroutine at a time, so its fields need no lock.
type conn struct {
	*stdlib.Conn
	inTx   bool
	failed error // the first error of a statement of the open transaction
	// begin is set while a transaction's BEGIN has not been sent: it goes
	// with the transaction's first statement (see BeginTx).
	begin bool
	// std is set while the transaction was begun by stdlib (non-default
	// options): it ends with the stdlib's COMMIT, never with a final batch.
	std bool
	// finish is set by repos.Finish (helpdesk.Finisher) until the next
	// statement: when that is a hot statement ending its repository call,
	// it goes in one batch with COMMIT (see conn.sendFinal); any other
	// statement drops the hint.
	finish bool
	// ended is set once the final batch was sent: the transaction ended
	// with it (committed, or failed with failed set). A statement after it
	// is the caller's bug: it is refused with misuse.
	ended  bool
	misuse error // the refusal of the first statement sent after the final batch
	// check is the pending check of a cached service record
	// (servicecache.go): it goes right after BEGIN.
	check *serviceCheck
}

// errLiteralStrings is the refusal of a connection on which
// standard_conforming_strings is not on.
var errLiteralStrings = errors.New("postgres: standard_conforming_strings is not on for this connection; " +
	"statement arguments are interpolated as standard string literals and need it on (SEC-3)")

// checkStrings returns errLiteralStrings unless the server reports
// standard_conforming_strings on for the connection. The server reports
// every change of the setting (a SET included), so this costs no round
// trip.
func (c *conn) checkStrings() error {
	if v := c.Conn.Conn().PgConn().ParameterStatus("standard_conforming_strings"); v != "on" {
		return fmt.Errorf("%w (it is %q)", errLiteralStrings, v)
	}
	return nil
}

// before is checked before a statement is sent: a transaction with a
// failed statement runs no more statements and answers that statement's
// error, whatever read it (or not); see STO-1.
func (c *conn) before() error {
	if c.failed != nil {
		return c.failed
	}
	if c.ended {
		if c.misuse == nil {
			c.misuse = errAfterFinal
		}
		return c.misuse
	}
	return c.checkStrings()
}

// errAfterFinal refuses a statement sent after the transaction's final
// batch had committed it: the caller announced (helpdesk.Finisher) that
// nothing would follow, so a statement that does is the caller's bug.
var errAfterFinal = errors.New("postgres: a statement after the transaction's final statement: the transaction already " +
	"committed with the statement announced as its last (helpdesk.Finisher); this is a bug of the caller")

// sendBegin sends the open transaction's BEGIN on its own, when it has not
// been sent: for statements that go through database/sql, which cannot
// pipeline it.
func (c *conn) sendBegin(ctx context.Context) error {
	if !c.begin {
		return nil
	}
	if c.check == nil {
		c.begin = false
		_, err := c.Conn.Conn().Exec(ctx, "begin")
		c.fail(err)
		return err
	}
	var b pgx.Batch
	begun, ch, err := c.queueBegin(ctx, &b)
	if err != nil {
		c.fail(err)
		return err
	}
	br := c.Conn.Conn().SendBatch(ctx, &b)
	err = readBegin(br, begun, ch)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	c.fail(err)
	return err
}

// fail records err as the transaction's failure if it is the first.
func (c *conn) fail(err error) {
	if err != nil && c.inTx && c.failed == nil && !errors.Is(err, driver.ErrSkip) {
		c.failed = err
	}
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.finish = false // not a hot statement: the transaction commits on its own (Tx)
	if err := c.before(); err != nil {
		return nil, err
	}
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	res, err := c.Conn.ExecContext(ctx, query, args)
	c.fail(err)
	return res, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.finish = false // not a hot statement: the transaction commits on its own (Tx)
	if err := c.before(); err != nil {
		return nil, err
	}
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	r, err := c.Conn.QueryContext(ctx, query, args)
	if err != nil {
		c.fail(err)
		return nil, err
	}
	if sr, ok := r.(*stdlib.Rows); ok {
		return &rows{Rows: sr, c: c}, nil
	}
	return r, nil
}

// BeginTx opens a transaction. A transaction with the default options
// sends no BEGIN yet: it goes with the first statement, in one round trip
// when that statement is one of the store's hot statements (see
// conn.queryRow), and a transaction that ran no statement commits without
// a round trip. Other options begin at once, as stdlib does.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.checkStrings(); err != nil {
		return nil, err
	}
	if opts != (driver.TxOptions{}) {
		t, err := c.Conn.BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		c.reset(true)
		c.std = true
		return &tx{std: t, c: c}, nil
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.reset(true)
	c.begin = true
	return &tx{ctx: ctx, c: c}, nil
}

// reset clears the transaction's state; inTx says whether one begins.
func (c *conn) reset(inTx bool) {
	c.inTx, c.failed, c.begin, c.std, c.finish, c.ended, c.misuse, c.check = inTx, nil, false, false, false, false, nil, nil
}

// ResetSession discards a pooled connection on which
// standard_conforming_strings was turned off (by the host's own SET).
func (c *conn) ResetSession(ctx context.Context) error {
	if err := c.Conn.ResetSession(ctx); err != nil {
		return err
	}
	if c.checkStrings() != nil {
		return driver.ErrBadConn
	}
	return nil
}

// tx ends a transaction; a transaction with a failed statement is rolled
// back and its commit answers that statement's error.
type tx struct {
	std driver.Tx       // the stdlib transaction, begun at once; nil when BEGIN was deferred
	ctx context.Context // BeginTx's context, for COMMIT and ROLLBACK
	c   *conn
}

func (t *tx) Commit() error {
	failed, begun, ended, misuse := t.c.failed, !t.c.begin, t.c.ended, t.c.misuse
	t.c.reset(false)
	if failed != nil {
		_ = t.rollback(begun)
		return failed
	}
	if ended {
		return misuse // the final batch committed; nil unless a statement came after it
	}
	if t.std != nil {
		return t.std.Commit()
	}
	if !begun {
		return nil // nothing was sent: nothing to commit
	}
	pc := t.c.Conn.Conn()
	tag, err := pc.Exec(t.ctx, "commit")
	if err != nil {
		if pc.PgConn().TxStatus() != 'I' { // still in a transaction: close the connection, as pgx does
			_ = pc.Close(context.WithoutCancel(t.ctx))
		}
		return err
	}
	if tag.String() == "ROLLBACK" { // the server rolled back a failed transaction
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *tx) Rollback() error {
	begun, committed := !t.c.begin, t.c.ended && t.c.failed == nil
	t.c.reset(false)
	if committed {
		return nil // the final batch committed: nothing is left to roll back
	}
	return t.rollback(begun)
}

func (t *tx) rollback(begun bool) error {
	if t.std != nil {
		return t.std.Rollback()
	}
	if !begun {
		return nil
	}
	if _, err := t.c.Conn.Conn().Exec(t.ctx, "rollback"); err != nil {
		// The connection's state is unknown: close it, so the pool
		// drops it (ResetSession answers ErrBadConn).
		_ = t.c.Conn.Conn().Close(context.WithoutCancel(t.ctx))
		return err
	}
	return nil
}

// rows records the error a result ends with, also when the reader stopped
// after the first row (bun's scan into values reads one row and closes):
// a statement that sent its row and then failed (a statement timeout in a
// trigger) fails its transaction with its own error.
type rows struct {
	*stdlib.Rows
	c *conn
}

func (r *rows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err != io.EOF {
		r.c.fail(err)
	}
	return err
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.c.fail(err)
	return err
}
