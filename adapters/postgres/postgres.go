package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune the connection pool.
type Options struct {
	// MaxOpenConns bounds the pool; default 20.
	MaxOpenConns int
	// ServiceCache is how many services' records the store keeps between
	// transactions, each checked by the server in the batch of the
	// transaction's first statement rather than read in a round trip of
	// its own (servicecache.go); 0: DefaultServiceCache; negative: none.
	ServiceCache int

	tracer pgx.QueryTracer // a test's round-trip counter (see export_test.go)
}

// Store is the PostgreSQL helpdesk.Store.
type Store struct {
	db *bun.DB

	services     *serviceCache
	beforeCommit func(context.Context) // a test's hook, called right before COMMIT
}

var _ helpdesk.Store = (*Store)(nil)

// Open connects to the database at dsn (a libpq URL or key=value string;
// runtime parameters such as search_path are passed through) and checks the
// connection. Call Migrate before first use. Every connection runs with
// standard_conforming_strings on, whatever dsn says; Open fails when the
// server does not grant it (SEC-3).
func Open(ctx context.Context, dsn string, opts ...Options) (*Store, error) {
	o := Options{MaxOpenConns: 20}
	if len(opts) > 0 {
		o = opts[0]
		if o.MaxOpenConns <= 0 {
			o.MaxOpenConns = 20
		}
	}
	cc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(dsn, "default_query_exec_mode") {
		// bun interpolates arguments into the SQL text, so every statement
		// text is new: pgx's default (prepare, cache, then execute) would
		// cost an extra round trip per query and fill the statement cache
		// with one-off statements. Exec mode sends parse, bind and execute
		// in one round trip.
		cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	if _, set := cc.RuntimeParams["plan_cache_mode"]; !set {
		// Foreign-key checks run as cached plans inside the server. A plan
		// made while a table was nearly empty (a fresh service, a new
		// connection) can be a sequential scan that the connection keeps
		// for life: inserting history rows then slowed down with every
		// ticket (0.8 ms → 1.3 ms after 6,000 tickets; with plan_cache_mode
		// auto a create took 0.9 ms after 300 tickets, 4.9 ms after 16,000).
		// Custom plans are made with the current statistics each time. The
		// hot statements on the small configuration tables switch to auto
		// for themselves (genericPlan, hot.go).
		cc.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	// bun interpolates arguments into the statement text as standard string
	// literals ('it''s'), which read as written only while
	// standard_conforming_strings is on: with it off a backslash escapes
	// the quote after it, and a crafted id ends the literal (SEC-3). So
	// every connection asks for it on, whatever the DSN says (a startup
	// parameter outranks the DSN's options=-c ...), and a connection on
	// which the server reports it off is refused.
	cc.RuntimeParams["standard_conforming_strings"] = "on"
	if o.tracer != nil {
		cc.Tracer = o.tracer
	}
	sqldb := sql.OpenDB(connector{stdlib.GetConnector(*cc)})
	sqldb.SetMaxOpenConns(o.MaxOpenConns)
	sqldb.SetMaxIdleConns(o.MaxOpenConns) // keep connections: a reconnect costs more than a query
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if o.ServiceCache == 0 {
		o.ServiceCache = DefaultServiceCache
	}
	return &Store{db: bun.NewDB(sqldb, newDialect()), services: newServiceCache(o.ServiceCache)}, nil
}

// DB returns the underlying bun database, for the host's own queries and for
// benchmarks that compare against raw statements on the same pool.
func (s *Store) DB() *bun.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// Migrate applies the embedded migrations that have not run yet. Concurrent
// callers (several processes starting at once) are serialised by a
// PostgreSQL advisory lock, so each migration runs once.
func (s *Store) Migrate(ctx context.Context) error {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The lock key is per schema, so tests in separate schemas do not wait
	// for each other.
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("deskkit.migrate." + schema))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", key); err != nil {
		return fmt.Errorf("postgres: migrate lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key) //nolint:errcheck // the session ends with the connection anyway

	m := migrate.NewMigrator(s.db, ms, migrate.WithTableName("deskkit_migrations"), migrate.WithLocksTableName("deskkit_migration_locks"))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("postgres: migrate init: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Services returns up to limit service ids after after, in the order of
// the services primary key.
func (s *Store) Services(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, errs.New(helpdesk.ErrInvalid, "services: limit %d", limit)
	}
	var rows []serviceRow
	err := s.db.NewSelect().Model(&rows).Column("service_id").Where("service_id > ?", after).
		OrderExpr("service_id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "services")
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ServiceID
	}
	return ids, nil
}

// Tx runs fn in one database transaction; every repository it hands out
// filters by serviceID (SVC-1). An error or a panic from fn rolls back.
//
// A store failure is typed (STO-1): ErrTimeout, ErrUnavailable, and the
// context's error once ctx is canceled or expired — each also matching
// ErrNotStored or ErrUnknownOutcome, as below; a serialization failure or
// deadlock is ErrConflict, a refusal the desk retries (nothing stored).
//
// The caller's context bounds the wait for a connection and every
// statement fn runs, but not the transaction itself: were it begun under
// ctx, a cancel would have database/sql roll it back from another
// goroutine and pgx abandon a COMMIT under way, and the caller would read
// "context canceled" for a change that may well be stored. Instead:
//
//   - an error before COMMIT (from fn, a statement, or ctx ending before
//     COMMIT is sent) rolls back; an error that is no Deskkit kind then
//     matches helpdesk.ErrNotStored;
//   - COMMIT is sent on a context the caller cannot cancel and runs to its
//     end; a refusal by the server (the transaction rolled back) matches
//     ErrNotStored, a broken connection ErrUnknownOutcome;
//   - when ctx ends while COMMIT is under way, Tx returns at once with an
//     error matching helpdesk.ErrUnknownOutcome (and ctx's error): the
//     COMMIT finishes in the background and the change may or may not be
//     stored. Retry with the call's idempotency key (STO-3).
//
// When fn announced its last repository call (helpdesk.Finisher) and that
// call ends with a hot statement (hot.go), the statement and COMMIT go in
// one batch, under the same rules: ctx ended before it is sent rolls back;
// the batch runs on a context the caller cannot cancel; the server's
// refusal of the statement rolls back and answers as the statement's error
// would; a broken connection, or ctx ending while the batch is under way,
// answers ErrUnknownOutcome. A statement or an error of fn after that batch
// committed is refused as the caller's bug, with an error that says so.
//
// fn may run twice: when it used the service's record as this store had
// cached it and the server's check (in the batch of the transaction's
// first statement, or on its own when fn sent none) finds the record
// changed since, the transaction rolls back and fn runs once more, on the
// record read afresh (see servicecache.go). fn must start from nothing
// each time, as it must for the desk's own retries (TKT-8).
func (s *Store) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	err, stale := s.tx(ctx, serviceID, fn, true)
	if stale {
		s.services.forget(serviceID)
		err, _ = s.tx(ctx, serviceID, fn, false)
	}
	return err
}

// tx is one run of Tx; cached says whether the service's record may come
// from the cache. stale reports that it did and the server found it
// changed: the transaction rolled back, and err is to be dropped.
func (s *Store) tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error, cached bool) (err error, stale bool) {
	if err := ctx.Err(); err != nil {
		return errs.With(fmt.Errorf("postgres: begin: %w", err), helpdesk.ErrNotStored), false
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return errs.With(fmt.Errorf("postgres: connect: %w", err), helpdesk.ErrNotStored), false
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		_ = conn.Close()
		return errs.With(fmt.Errorf("postgres: begin: %w", err), helpdesk.ErrNotStored), false
	}
	abort := func() {
		_ = tx.Rollback()
		_ = conn.Close()
	}
	end := &ending{hook: s.beforeCommit}
	ahead := &readAhead{noCache: !cached}
	err = run(fn, repos{tx: tx, conn: conn.Conn, sid: serviceID, ahead: ahead, end: end, cache: s.services}, abort)
	if end.sent {
		err = ended(ctx, tx, conn, end, err)
		if end.early { // the batch is still under way: its outcome, the check's too, is unknown
			return err, false
		}
		return err, ahead.check != nil && ahead.check.stale
	}
	// A check still pending: fn sent nothing, or failed before it did
	// (perhaps on the cached record). It is sent now, on its own.
	cerr := sendCheck(ctx, conn.Conn)
	if ahead.check != nil && ahead.check.stale {
		abort()
		return err, true
	}
	if err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		abort()
		return errs.NotStored(txErr(ctx, err)), ahead.check != nil && ahead.check.stale
	}
	if err := ctx.Err(); err != nil {
		abort()
		return errs.With(fmt.Errorf("postgres: before commit: %w", err), helpdesk.ErrNotStored), false
	}
	if s.beforeCommit != nil {
		s.beforeCommit(ctx)
	}
	done := make(chan error, 1)
	go func() {
		err := tx.Commit()
		_ = conn.Close()
		done <- err
	}()
	select {
	case err := <-done:
		return commitErr(err), false
	case <-ctx.Done():
		return errs.With(fmt.Errorf("postgres: commit: %w", ctx.Err()), helpdesk.ErrUnknownOutcome), false
	}
}

// ended is Tx's answer for a transaction whose last statement went with
// COMMIT (helpdesk.Finisher, repos.final), fnErr being what fn returned:
//
//   - the statement returned early, its context having ended while the
//     batch was under way: ErrUnknownOutcome (and ctx's error), the batch
//     finishing in the background;
//   - the batch failed: a refusal by the server rolled the transaction
//     back, answered as a failed statement is (ErrNotStored, or the
//     statement's refusal as the repository typed it); a lost connection
//     leaves the outcome unknown (ErrUnknownOutcome);
//   - the batch committed, but fn then failed or ran another statement:
//     the caller broke its announcement; the error says so and matches no
//     Deskkit kind or outcome (the change is stored).
func ended(ctx context.Context, tx bun.Tx, conn bun.Conn, e *ending, fnErr error) error {
	finish := func() error {
		err := tx.Commit() // no COMMIT is sent: it rolls back a failed batch, or reports a statement after it
		_ = conn.Close()
		return err
	}
	if e.early {
		go func() {
			<-e.done
			_ = finish()
		}()
		return errs.With(fmt.Errorf("postgres: commit: %w", ctx.Err()), helpdesk.ErrUnknownOutcome)
	}
	<-e.done // already closed: the statement returned with the batch's outcome
	cerr := finish()
	if !e.committed {
		err := fnErr
		if err == nil {
			err = e.err // fn dropped the statement's error
		}
		if lostConn(e.err) {
			return errs.With(fmt.Errorf("postgres: commit: %w", txErr(ctx, err)), helpdesk.ErrUnknownOutcome)
		}
		return errs.NotStored(txErr(ctx, err))
	}
	switch {
	case fnErr != nil:
		return fmt.Errorf("postgres: the transaction committed with the statement announced as its last (helpdesk.Finisher), "+
			"then the transaction's function failed; this is a bug of the caller: %v", fnErr)
	case cerr != nil:
		return cerr // errAfterFinal
	}
	return nil
}

// lostConn reports whether err, a final batch's failure, is the
// connection's rather than the server's answer to the batch: whether
// COMMIT ran is then unknown.
func lostConn(err error) bool {
	var ns notSent
	if errors.As(err, &ns) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return errors.Is(failure(err, "commit"), helpdesk.ErrUnavailable)
	}
	return !errors.Is(err, errNoRow) && !errors.Is(err, pgx.ErrTxCommitRollback)
}

// run calls fn with r; a panic calls abort before it goes on.
func run(fn func(helpdesk.Repos) error, r repos, abort func()) error {
	defer func() {
		if p := recover(); p != nil {
			abort()
			panic(p)
		}
	}()
	return fn(r)
}

// commitErr classifies the answer to COMMIT: the server's refusal (an
// error from the server, or a transaction it had to roll back) stored
// nothing; any other failure (the connection) leaves the outcome unknown.
func commitErr(err error) error {
	if err == nil {
		return nil
	}
	if f := failure(err, "commit"); f != nil {
		err = f
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) || errors.Is(err, pgx.ErrTxCommitRollback) {
		return errs.With(fmt.Errorf("postgres: commit: %w", err), helpdesk.ErrNotStored)
	}
	return errs.With(fmt.Errorf("postgres: commit: %w", err), helpdesk.ErrUnknownOutcome)
}

// repos are the repositories of one service inside one transaction.
type repos struct {
	tx    bun.Tx
	conn  *sql.Conn // the transaction's connection, for the hot statements (hot.go)
	sid   string
	ahead *readAhead // what an earlier read of the transaction fetched for a later one
	end   *ending    // the final batch, when the domain announced the last statement (hot.go)
	cache *serviceCache
}

var _ helpdesk.Finisher = repos{}

func (r repos) Service() helpdesk.ServiceRepository    { return serviceRepo(r) }
func (r repos) Tickets() ticket.Repository             { return ticketRepo(r) }
func (r repos) Agents() agent.Repository               { return agentRepo(r) }
func (r repos) Groups() agent.GroupRepository          { return groupRepo(r) }
func (r repos) Logins() agent.LoginLog                 { return loginLog(r) }
func (r repos) Menus() agent.MenuRepository            { return menuRepo(r) }
func (r repos) Outbox() notify.Outbox                  { return outboxRepo(r) }
func (r repos) Recipients() notify.RecipientRepository { return recipientRepo(r) }
func (r repos) Surge() notify.SurgeRepository          { return surgeRepo(r) }
func (r repos) Categories() category.Repository        { return categoryRepo(r) }
func (r repos) Fields() field.Repository               { return fieldRepo(r) }
func (r repos) Templates() template.Repository         { return templateRepo(r) }
func (r repos) Triggers() trigger.Repository           { return triggerRepo(r) }

// PostgreSQL error codes mapped to Deskkit error kinds.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeNotNullViolation    = "23502"
	codeQueryCanceled       = "57014" // statement_timeout, or a cancel request
	codeLockNotAvailable    = "55P03" // lock_timeout, NOWAIT
	codeSerialization       = "40001"
	codeDeadlock            = "40P01"
	codeAdminShutdown       = "57P01" // pg_terminate_backend, a fast shutdown
	codeCrashShutdown       = "57P02"
	codeCannotConnectNow    = "57P03" // starting up, shutting down
	codeTooManyConnections  = "53300"
)

// failure returns the typed error of a store failure (STO-1), or nil when
// err is none: a timeout is ErrTimeout, a lost or refused connection
// ErrUnavailable, a serialization failure or deadlock ErrConflict. A
// canceled or expired context is left as it is (it matches the context's
// error).
func failure(err error, what string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == codeQueryCanceled && strings.Contains(pe.Message, "statement timeout"):
			return errs.With(errs.New(helpdesk.ErrTimeout, "%s: the statement ran over statement_timeout", what), err)
		case pe.Code == codeQueryCanceled:
			return errs.With(errs.New(helpdesk.ErrTimeout, "%s: the statement was canceled", what), err)
		case pe.Code == codeLockNotAvailable:
			return errs.With(errs.New(helpdesk.ErrTimeout, "%s: a lock was not granted in time", what), err)
		case pe.Code == codeSerialization:
			return errs.With(errs.New(helpdesk.ErrConflict, "%s: a concurrent transaction interfered (serialization failure); retry", what), err)
		case pe.Code == codeDeadlock:
			return errs.With(errs.New(helpdesk.ErrConflict, "%s: a concurrent transaction interfered (deadlock); retry", what), err)
		case pe.Code == codeAdminShutdown, pe.Code == codeCrashShutdown, pe.Code == codeCannotConnectNow,
			pe.Code == codeTooManyConnections, strings.HasPrefix(pe.Code, "08"):
			return errs.With(errs.New(helpdesk.ErrUnavailable, "%s: the database connection was lost or refused", what), err)
		}
		return nil
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, sql.ErrConnDone) {
		return errs.With(errs.New(helpdesk.ErrUnavailable, "%s: the database connection was lost or refused", what), err)
	}
	return nil
}

// txErr is the error Tx returns for err: the context's error when ctx
// ended (whatever the driver made of it), a store failure typed, any
// other error as it is.
func txErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return err
		}
		return fmt.Errorf("%w: %v", cerr, err)
	}
	if errors.Is(err, helpdesk.ErrTimeout) || errors.Is(err, helpdesk.ErrUnavailable) || errors.Is(err, helpdesk.ErrConflict) {
		return err
	}
	if f := failure(err, "transaction"); f != nil {
		return f
	}
	return err
}

// mapErr turns a driver error into a Deskkit error kind, worded as the
// memory store words the same refusal: what names the object of the call
// as name makes it (`ticket "t1"`). No row is "not found: <what>"; a
// violated unique key or foreign key is the error of the key in keys that
// names the constraint, else "conflict: <what> exists" or "not found:
// <what> refers to a missing object". Constraint, table and column names
// never reach the message.
func mapErr(err error, what string, keys ...key) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(helpdesk.ErrNotFound, "%s", what)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		for _, k := range keys {
			if k.constraint == pe.ConstraintName {
				return k.err()
			}
		}
		switch pe.Code {
		case codeUniqueViolation:
			return errs.New(helpdesk.ErrConflict, "%s exists", what)
		case codeForeignKeyViolation:
			if id, ok := missingService(pe); ok {
				return errs.NotFound("service", id)
			}
			return errs.New(helpdesk.ErrNotFound, "%s refers to a missing object", what)
		}
	}
	if f := failure(err, what); f != nil {
		return f
	}
	return fmt.Errorf("%s: %w", what, err)
}

// missingService returns the service id of a violated foreign key to the
// services table (every table has one, "<table>_service_id_fkey").
func missingService(pe *pgconn.PgError) (string, bool) {
	if !strings.HasSuffix(pe.ConstraintName, "_service_id_fkey") {
		return "", false
	}
	id := keyValue(pe, 0)
	return id, id != ""
}

// keyValue returns value i of the key a violated constraint names in the
// error's detail, "Key (service_id, lower(name))=(acme, billing) already
// exists": 0 is the service id (which holds no comma), 1 the rest. It
// returns "" when err has no such detail.
func keyValue(err error, i int) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return ""
	}
	_, rest, ok := strings.Cut(pe.Detail, ")=(")
	if !ok {
		return ""
	}
	if j := strings.LastIndex(rest, ")"); j >= 0 {
		rest = rest[:j]
	}
	svc, more, _ := strings.Cut(rest, ", ")
	if i == 0 {
		return svc
	}
	return more
}

// firstMissing returns "not found: <kind> "<id>"" for the first of ids
// with no row in table (keyed by service_id, id): what the memory store
// says when a bulk write names an unknown row.
func firstMissing(ctx context.Context, db bun.IDB, table, kind, serviceID string, ids []string) error {
	var found []string
	err := db.NewSelect().Table(table).Column("id").Where("service_id = ? AND id IN (?)", serviceID, bun.List(ids)).Scan(ctx, &found)
	if err != nil {
		return mapErr(err, kind+"s")
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return errs.NotFound(kind, id)
		}
	}
	return errs.New(helpdesk.ErrNotFound, "one of %d %ss was not stored", len(ids), kind) // a row went missing meanwhile
}

// key is the refusal a violated constraint stands for.
type key struct {
	constraint string
	err        func() error
}

// name names an object as the messages do: its kind and quoted id.
func name(kind, id string) string { return kind + " " + strconv.Quote(id) }

// noCounter reports whether err is the insert of a ticket into a service
// without a ticket counter row: a service that does not exist.
func noCounter(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == codeNotNullViolation && pe.TableName == "tickets" && pe.ColumnName == "number"
}

// lockArea takes the transaction-scoped advisory lock of one area of one
// service ("categories", "fields", "templates", "agents"), held until the
// transaction ends: the domain's lock → read → check → write cycles of that
// area run one after another. Areas whose lock guards a row that holds
// data (the trigger set's version, the membership counter) lock that row
// instead.
func lockArea(ctx context.Context, db bun.IDB, area, serviceID string) error {
	_, err := db.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "deskkit."+area+"."+serviceID).Exec(ctx)
	return mapErr(err, area+" of service "+serviceID)
}
