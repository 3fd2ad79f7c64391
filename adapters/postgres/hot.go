package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// The hot statements — a ticket's create and update with their history,
// the service's record, the trigger set's version, the round-robin cursor
// advance, the outbox enqueue — skip bun and database/sql: each goes to
// the server as a prepared statement with parameters, parsed and analysed
// once per connection, not as text with the arguments interpolated that
// the server parses anew every time. When one is the first statement of
// its transaction, the transaction's BEGIN goes with it in one round trip;
// when the domain announced it as the last (helpdesk.Finisher), COMMIT
// goes with it too.
// Every other statement stays with bun. The hot statements name their
// columns: a migration that adds a column leaves them valid (a prepared
// SELECT * would fail with "cached plan must not change result type").

// queryRow runs the hot statement query with args in the transaction and
// scans its one row into dest; no row is pgx.ErrNoRows (which matches
// sql.ErrNoRows).
func (r repos) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	return r.hot(ctx, hotQuery{text: query}, args, dest)
}

// queryRows runs the hot read query with args in the transaction and
// calls scan for each of its rows.
func (r repos) queryRows(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	return r.conn.Raw(func(dc any) error {
		c, ok := dc.(*conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		if err := c.before(); err != nil {
			return err
		}
		err := c.sendRows(ctx, query, args, scan)
		c.fail(err)
		return err
	})
}

// queryRowLast is queryRow for the statement that ends its repository
// call: after Finish it goes with COMMIT (see final). orNone is its form
// for that batch that fails (errNoRow) instead of returning no row, so
// that a call that found nothing rolls back rather than commits; "" when
// the statement always returns a row or fails.
func (r repos) queryRowLast(ctx context.Context, query, orNone string, args []any, dest ...any) error {
	return r.hot(ctx, hotQuery{text: query, orNone: orNone, last: true}, args, dest)
}

// execLast is exec for the statement that ends its repository call (see
// queryRowLast).
func (r repos) execLast(ctx context.Context, query string, args ...any) error {
	return r.hot(ctx, hotQuery{text: query, last: true}, args, nil)
}

// hotQuery is a hot statement as a repository sends it.
type hotQuery struct {
	text   string
	orNone string // the final batch's form, failing with errNoRow; "" for text
	last   bool   // the statement ends its repository call
}

func (r repos) hot(ctx context.Context, q hotQuery, args, dest []any) error {
	final := false
	err := r.conn.Raw(func(dc any) error {
		c, ok := dc.(*conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		if q.last && c.finish && !c.std && r.end != nil {
			c.finish = false
			if err := c.before(); err != nil {
				return err
			}
			final = true
			return nil
		}
		return c.hot(ctx, q.text, args, dest)
	})
	if err != nil || !final {
		return err
	}
	return r.final(ctx, q, args, dest)
}

// Finish implements helpdesk.Finisher: when the next repository call ends
// with a hot statement, that statement is the transaction's last and goes
// to the server in one batch with COMMIT (and with BEGIN when none was
// sent yet), saving COMMIT's round trip. When the next statement is not a
// hot one the hint is dropped and Tx commits as usual.
func (r repos) Finish() {
	_ = r.conn.Raw(func(dc any) error {
		if c, ok := dc.(*conn); ok && c.inTx {
			c.finish = true
		}
		return nil
	})
}

// ending is what Tx and the final batch of its transaction share.
type ending struct {
	hook func(context.Context) // Store.beforeCommit, called right before the batch
	// sent is set when the final batch went out: the transaction ends
	// with it, and Tx sends no COMMIT of its own. done is closed once the
	// batch has ended; err and committed are its outcome then.
	sent      bool
	done      chan struct{}
	err       error
	committed bool
	// early is set when the statement returned before the batch ended,
	// its context having ended: the outcome is unknown to the caller.
	early bool
}

// final sends the transaction's last statement with COMMIT, as Tx commits:
// ctx ended before it is sent, nothing is sent and the transaction rolls
// back; else the batch runs to its end on a context the caller cannot
// cancel, and when ctx ends while it is under way final returns at once
// with an error matching helpdesk.ErrUnknownOutcome (and ctx's error). Tx
// then waits for the batch in the background before it lets the
// connection go. dest may be written until then; the caller does not read
// it after an error.
func (r repos) final(ctx context.Context, q hotQuery, args, dest []any) error {
	if err := ctx.Err(); err != nil {
		_ = r.conn.Raw(func(dc any) error { dc.(*conn).fail(err); return nil })
		return err
	}
	if r.end.hook != nil {
		r.end.hook(ctx)
	}
	e := r.end
	e.sent, e.done = true, make(chan struct{})
	query := q.text
	if q.orNone != "" {
		query = q.orNone
	}
	send := func() {
		defer close(e.done)
		e.err = r.conn.Raw(func(dc any) error {
			var err error
			e.committed, err = dc.(*conn).sendFinal(context.WithoutCancel(ctx), query, args, dest)
			return err
		})
	}
	if ctx.Done() == nil { // a context that never ends: nothing to watch while the batch runs
		send()
		return e.err
	}
	go send()
	select {
	case <-e.done:
		return e.err
	case <-ctx.Done():
		e.early = true
		return errs.With(fmt.Errorf("postgres: commit: %w", ctx.Err()), helpdesk.ErrUnknownOutcome)
	}
}

// errNoRow is the refusal of a final batch whose statement found no row
// (the orNone form of queryRowLast): the transaction rolled back. It
// matches sql.ErrNoRows.
var errNoRow = fmt.Errorf("postgres: the transaction's last statement found no row; the transaction was rolled back: %w", pgx.ErrNoRows)

// noRowMark is what an orNone statement's error names: the text that
// failed to cast.
const noRowMark = "deskkit: no row"

// notSent is the failure of a final batch that was never sent.
type notSent struct{ error }

func (e notSent) Unwrap() error { return e.error }

// noRowOf, followed by a CTE's name and "HAVING count(*) = 0", is the
// UNION ALL branch that makes a statement whose result is one bigint
// column of that CTE fail (errNoRow) when the CTE has no row: the cast of
// the text noRowMark is evaluated only then, at run time.
const noRowOf = "SELECT CAST('" + noRowMark + " ' || count(*) AS bigint) FROM"

// sendFinal sends [BEGIN when pending, query, COMMIT] in one batch and
// reports whether the transaction committed; err is the statement's error
// (or the COMMIT's). A failure records itself as the transaction's, so the
// tx rolls back (or drops the connection) when it ends.
func (c *conn) sendFinal(ctx context.Context, query string, args, dest []any) (committed bool, err error) {
	c.ended = true
	defer func() {
		if err != nil && !committed {
			c.fail(err)
		}
	}()
	pc := c.Conn.Conn()
	if _, err := pc.Prepare(ctx, query, query); err != nil {
		return false, notSent{err} // the batch did not go out: nothing can have committed
	}
	var b pgx.Batch
	begun, ch, err := c.queueBegin(ctx, &b)
	if err != nil {
		return false, notSent{err}
	}
	generic := queueHot(&b, query, args, false) // COMMIT ends the switch
	b.Queue("commit")
	br := pc.SendBatch(ctx, &b)
	err = readBegin(br, begun, ch)
	if err == nil && generic {
		_, err = br.Exec()
	}
	var stmtErr error // no row, when the statement's form may return none
	if err == nil {
		if dest == nil {
			_, err = br.Exec()
		} else if err = br.QueryRow().Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
			stmtErr, err = err, nil
		}
	}
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "22P02" && strings.Contains(pe.Message, noRowMark):
		return false, errNoRow
	case err != nil:
		return false, err
	case tag.String() != "COMMIT": // the server rolled back a failed transaction
		return false, pgx.ErrTxCommitRollback
	}
	return true, stmtErr
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
	if !c.begin && !genericPlan(query) {
		if dest == nil {
			_, err := pc.Exec(ctx, query, args...)
			return err
		}
		return pc.QueryRow(ctx, query, args...).Scan(dest...)
	}
	br, err := c.batchFor(ctx, query, args)
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

// batchFor sends query in one batch with what goes before it: the
// pending BEGIN and check of a cached service record (servicecache.go),
// and the plan-mode switch of a statement with a generic plan
// (genericPlan), with the switch back after it. It reads the answers
// before query's; query's result is next in the batch. The caller closes
// the batch.
func (c *conn) batchFor(ctx context.Context, query string, args []any) (pgx.BatchResults, error) {
	var b pgx.Batch
	begun, ch, err := c.queueBegin(ctx, &b)
	if err != nil {
		return emptyBatch{}, err
	}
	generic := queueHot(&b, query, args, true)
	br := c.Conn.Conn().SendBatch(ctx, &b)
	err = readBegin(br, begun, ch)
	if err == nil && generic {
		_, err = br.Exec()
	}
	return br, err
}

// queueBegin queues the pending BEGIN in b, and after it the pending check
// of a cached service record (servicecache.go); begun reports that it did.
// On an error nothing is marked sent.
func (c *conn) queueBegin(ctx context.Context, b *pgx.Batch) (begun bool, ch *serviceCheck, err error) {
	if !c.begin {
		return false, nil, nil
	}
	b.Queue("begin")
	if ch, err = c.queueCheck(ctx, b); err != nil {
		return false, nil, err
	}
	c.begin = false
	return true, ch, nil
}

// readBegin reads the answers to what queueBegin queued.
func readBegin(br pgx.BatchResults, begun bool, ch *serviceCheck) error {
	if !begun {
		return nil
	}
	if _, err := br.Exec(); err != nil {
		return err
	}
	return readCheck(ch, br)
}

// planAuto and planBack switch the plan mode of the transaction (SET LOCAL:
// a rollback undoes it too) around a statement with a generic plan.
const (
	planAuto = "set local plan_cache_mode = auto"
	planBack = "set local plan_cache_mode to default"
)

// genericPlan reports whether query is a hot statement on the
// configuration tables (services, trigger_sets, menu_access, agents,
// agent_groups, agent_group_members): tables that stay small, so that a
// plan made once per connection never goes stale. The connections plan
// every statement anew (plan_cache_mode force_custom_plan, see Open), which
// keeps the plans of the ticket tables and of their foreign-key checks
// right as those tables grow, but costs each of these statements more
// (about 0.1 ms of server CPU) than running it. So each runs with
// plan_cache_mode auto, switched on for it alone: the server plans it a few
// times and then keeps a generic plan.
func genericPlan(query string) bool {
	switch query {
	case checkService, getService, getMenu, triggerSetVersion, getAgent, listAgents, listAgentsIn, getGroup, listMembers,
		advanceCursor, advanceCursorOrNone:
		return true
	}
	return false
}

// queueHot queues query in b, between planAuto and (when back) planBack
// if it has a generic plan, and reports whether it did: the caller then
// reads planAuto's answer before query's.
func queueHot(b *pgx.Batch, query string, args []any, back bool) bool {
	if !genericPlan(query) {
		b.Queue(query, args...)
		return false
	}
	b.Queue(planAuto)
	b.Queue(query, args...)
	if back {
		b.Queue(planBack)
	}
	return true
}

// emptyBatch is the batch results of a batch never sent.
type emptyBatch struct{ pgx.BatchResults }

func (emptyBatch) Close() error { return nil }

// sendRows sends a hot read (with the pending BEGIN, in one batch) and
// scans its rows.
func (c *conn) sendRows(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	pc := c.Conn.Conn()
	if _, err := pc.Prepare(ctx, query, query); err != nil {
		return err
	}
	var br pgx.BatchResults
	var rows pgx.Rows
	var err error
	if c.begin || genericPlan(query) {
		if br, err = c.batchFor(ctx, query, args); err == nil {
			rows, err = br.Query()
		}
	} else {
		rows, err = pc.Query(ctx, query, args...)
	}
	if err == nil {
		for rows.Next() {
			if err = scan(rows); err != nil {
				break
			}
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if br != nil {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// readAhead keeps what a transaction's statement read for a later read of
// the same transaction, saving its round trip: the trigger set's version
// and the ticket menu's access, read with the service's record, and a
// group's members, read with the group. A lock or a write of the set, a
// write of a menu, and a lock of the groups or a write of a group or its
// members forget what they concern, so the next read goes to the server. Reading them a moment earlier in the transaction is
// what a read committed transaction may see anyway (the desk reads both
// without a lock). A nil *readAhead keeps nothing.
type readAhead struct {
	triggerVersion string
	known          bool
	menu           agent.MenuAccess // the ticket menu's access
	menuKnown      bool
	group          string // the group whose members are kept, read with it
	groupMembers   []agent.Membership
	memberAgents   []agent.Agent // the members' agents, by name then id
	// noCache is set when the service's record must be read from the
	// server (Tx's second run after a stale check); check is the check of
	// the cached record the transaction used (servicecache.go).
	noCache bool
	check   *serviceCheck
}

// setMembers keeps the members of group id and their agents, read with
// the group.
func (a *readAhead) setMembers(id string, ms []agent.Membership, as []agent.Agent) {
	if a != nil {
		a.group, a.groupMembers, a.memberAgents = id, ms, as
	}
}

// agentsIn returns the agents read ahead when ids are exactly the members
// they were read for (in any order), copies.
func (a *readAhead) agentsIn(ids []string) ([]agent.Agent, bool) {
	if a == nil || a.group == "" || len(ids) != len(a.groupMembers) {
		return nil, false
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	if len(want) != len(a.groupMembers) {
		return nil, false
	}
	for _, m := range a.groupMembers {
		if !want[m.AgentID] {
			return nil, false
		}
	}
	out := make([]agent.Agent, len(a.memberAgents))
	copy(out, a.memberAgents) // agent.Agent holds no slice or map
	return out, true
}

// members returns the members of group id read ahead, a copy.
func (a *readAhead) members(id string) ([]agent.Membership, bool) {
	if a == nil || a.group == "" || a.group != id {
		return nil, false
	}
	return slices.Clone(a.groupMembers), true
}

// forgetMembers forgets the members read ahead: a group's members, or
// the group itself, were written or locked.
func (a *readAhead) forgetMembers() {
	if a != nil {
		a.group, a.groupMembers, a.memberAgents = "", nil, nil
	}
}

func (a *readAhead) setMenu(m agent.MenuAccess) {
	if a != nil {
		if len(m.Restricted) == 0 {
			m.Restricted = nil
		}
		a.menu, a.menuKnown = m, true
	}
}

// ticketMenu returns the ticket menu's access read ahead, a copy.
func (a *readAhead) ticketMenu() (agent.MenuAccess, bool) {
	if a == nil || !a.menuKnown {
		return agent.MenuAccess{}, false
	}
	m := a.menu
	m.Restricted = slices.Clone(m.Restricted)
	return m, true
}

func (a *readAhead) forgetMenu() {
	if a != nil {
		a.menuKnown = false
	}
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
