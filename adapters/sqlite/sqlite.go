package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
	msqlite "modernc.org/sqlite"

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

// Synchronous is SQLite's synchronous level, how hard a commit waits for
// the disk (PRAGMA synchronous, in WAL mode).
type Synchronous string

// The synchronous levels.
const (
	// SyncFull syncs the write-ahead log at every commit: a commit that
	// returned is kept through a crash of the process and a loss of power
	// or of the operating system. The default.
	SyncFull Synchronous = "FULL"
	// SyncNormal syncs at checkpoints only: a commit that returned is kept
	// through a crash of the process (SIGKILL included), but the last
	// commits before a power or operating-system failure may be lost (the
	// database stays consistent). Faster.
	SyncNormal Synchronous = "NORMAL"
)

// Options tune the store.
type Options struct {
	// Synchronous is the durability of a commit; default SyncFull.
	Synchronous Synchronous
	// BusyTimeout bounds how long a write waits for another process
	// writing the same file before it fails with ErrTimeout; default 30s.
	// Writers of one Store queue in the process and never reach it.
	BusyTimeout time.Duration
	// MaxOpenConns bounds the connection pool; default 8. Reads run on
	// connections of their own, in parallel with the one writer.
	MaxOpenConns int
}

// Store is the SQLite helpdesk.Store: one database file, in WAL mode.
//
// SQLite runs one write transaction at a time. A transaction of Tx starts
// as a reader: its reads see the latest commit and never wait for a
// writer. Its first lock or write makes it the writer: it waits for the
// writer of this Store in the process (a queue, not SQLite's busy
// polling), then for those of other processes (SQLite's write lock, within
// the busy timeout). When a writer committed since the transaction began
// reading, it ends its read and begins again with BEGIN IMMEDIATE (it has
// written nothing yet); else it keeps its snapshot, the latest. From then
// on it reads the latest rows and no other transaction writes until it
// ends, so every lock → read → check → write cycle sees what it checks,
// and no caller ever sees "database is locked". As in PostgreSQL's read
// committed, reads before the first lock may be older than those after
// it; the workflows read nothing before a lock that a check needs.
type Store struct {
	db *bun.DB

	// writer is the write lock of the process: held (a value in the
	// channel) by the one transaction of this Store that writes.
	writer chan struct{}
	// commits counts the write transactions of this Store that committed:
	// a reader that becomes the writer with no commit since it began keeps
	// its snapshot (it is the latest one of the process).
	commits atomic.Int64
	// trace is the connections' statement trace (tests set it).
	trace *atomic.Pointer[func(string)]
}

var _ helpdesk.Store = (*Store)(nil)

// Open opens (and creates, if needed) the database file at path, in WAL
// mode with foreign keys on. Call Migrate before first use.
func Open(ctx context.Context, path string, opts ...Options) (*Store, error) {
	o := Options{}
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Synchronous == "" {
		o.Synchronous = SyncFull
	}
	if o.Synchronous != SyncFull && o.Synchronous != SyncNormal {
		return nil, errs.New(helpdesk.ErrInvalid, "sqlite: synchronous level %q (FULL or NORMAL)", o.Synchronous)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 30 * time.Second
	}
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 8
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, errs.New(helpdesk.ErrInvalid, "sqlite: database file %q", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+string(o.Synchronous)+")")
	q.Add("_pragma", "foreign_keys(1)")
	dsn := "file:" + path + "?" + q.Encode()
	trace := new(atomic.Pointer[func(string)])
	sqldb := sql.OpenDB(connector{dsn: dsn, d: &msqlite.Driver{}, trace: trace})
	sqldb.SetMaxOpenConns(o.MaxOpenConns)
	sqldb.SetMaxIdleConns(o.MaxOpenConns)
	sqldb.SetConnMaxLifetime(0)
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{db: bun.NewDB(sqldb, newDialect()), writer: make(chan struct{}, 1), trace: trace}, nil
}

// DB returns the underlying bun database, for the host's own queries and
// for benchmarks that compare against raw statements on the same file.
func (s *Store) DB() *bun.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Migrate applies the embedded migrations that have not run yet. It runs
// as one writer of the file, so concurrent callers (processes starting at
// once) apply each migration once.
func (s *Store) Migrate(ctx context.Context) error {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if err := s.lockWriter(ctx); err != nil {
		return err
	}
	defer s.unlockWriter()
	m := migrate.NewMigrator(s.db, ms, migrate.WithTableName("deskkit_migrations"),
		migrate.WithLocksTableName("deskkit_migration_locks"), migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate init: %w", err)
	}
	// The migrator's own lock row keeps a second process out while the
	// first one migrates; wait for it rather than fail.
	for {
		err := m.Lock(ctx)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sqlite: migrate lock: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // a stale lock row only delays the next migration
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Services returns up to limit service ids after after, in byte order.
func (s *Store) Services(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, errs.New(helpdesk.ErrInvalid, "services: limit %d", limit)
	}
	var ids []string
	err := s.db.NewSelect().Model((*serviceRow)(nil)).Column("service_id").Where("service_id > ?", after).
		OrderExpr("service_id").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, mapErr(err, "services")
	}
	return ids, nil
}

// lockWriter takes the process's write lock, or fails when ctx ends first.
func (s *Store) lockWriter(ctx context.Context) error {
	select {
	case s.writer <- struct{}{}:
		return nil
	case <-ctx.Done():
		return errs.With(fmt.Errorf("sqlite: waiting for the writer: %w", ctx.Err()), helpdesk.ErrNotStored)
	}
}

func (s *Store) unlockWriter() { <-s.writer }

// The statements of a transaction's frame.
const (
	sqlBegin          = "BEGIN"
	sqlBeginImmediate = "BEGIN IMMEDIATE"
	sqlCommit         = "COMMIT"
	sqlRollback       = "ROLLBACK"
	// sqlTakeWriteLock changes nothing; it takes SQLite's write lock.
	sqlTakeWriteLock = "UPDATE services SET version = version WHERE 0"
)

// hot reports whether query is one that every connection keeps prepared
// (conn.stmt): the frame of every transaction and the inserts of a
// ticket's creation. The set is fixed, so a connection keeps a few
// statements at most.
func hot(query string) bool {
	switch query {
	case sqlBegin, sqlBeginImmediate, sqlCommit, sqlRollback, sqlTakeWriteLock, sqlInsertTicket, sqlInsertChange,
		sqlGetService, sqlTriggerSetVersion:
		return true
	}
	return false
}

// txState is the state of one transaction.
type txState struct {
	s       *Store
	commits int64 // s.commits when the transaction began
	conn    bun.Conn
	dc      *conn // the driver connection
	writing bool  // holds the process's write lock and SQLite's
	done    bool
}

// raw is the transaction's connection without bun: the hot statements
// run on it with their arguments bound (bun would write them into the
// text, making every call a new statement).
func (st *txState) raw() *sql.Conn { return st.conn.Conn }

// write makes the transaction the writer, if it is not yet: it takes the
// process's write lock, ends the transaction's read (it wrote nothing:
// every write comes after a call of write) and begins again as SQLite's
// writer. When that fails the connection runs no further statement, so
// nothing fn does next can run outside a transaction.
func (st *txState) write(ctx context.Context) error {
	if st.writing {
		return nil
	}
	if err := st.s.lockWriter(ctx); err != nil {
		return err
	}
	st.writing = true
	if st.s.commits.Load() == st.commits {
		// No writer of the process committed since the transaction began.
		// A write that changes nothing takes SQLite's write lock if it is
		// free; it fails with SQLITE_BUSY when another process holds it
		// (SQLite does not wait for it in a transaction that has read) and
		// with SQLITE_BUSY_SNAPSHOT when one committed since the snapshot
		// was taken: then the transaction begins again, waiting.
		_, err := st.conn.ExecContext(ctx, sqlTakeWriteLock)
		if err == nil {
			return nil
		}
		if code(err)&0xff != codeBusy {
			st.dc.failed = fmt.Errorf("sqlite: begin writing: %w", failureOr(err, "begin writing"))
			return st.dc.failed
		}
	}
	if _, err := st.conn.ExecContext(context.WithoutCancel(ctx), sqlRollback); err != nil {
		st.dc.failed = fmt.Errorf("sqlite: end the read: %w", failureOr(err, "begin writing"))
		return st.dc.failed
	}
	if _, err := st.conn.ExecContext(ctx, sqlBeginImmediate); err != nil {
		st.dc.failed = fmt.Errorf("sqlite: begin writing: %w", failureOr(err, "begin writing"))
		if ctx.Err() != nil {
			st.dc.failed = fmt.Errorf("%w: %w", ctx.Err(), st.dc.failed)
		}
		return st.dc.failed
	}
	return nil
}

// Tx runs fn in one SQLite transaction; every repository it hands out
// filters by serviceID (SVC-1). An error or a panic from fn rolls back.
// See Store for how writers are serialised.
//
// Failures are typed (STO-1): an error before COMMIT rolls back and
// matches ErrNotStored; a COMMIT refused by SQLite (the file is busy or
// full) rolls back and matches ErrNotStored; any other failure of COMMIT
// (an I/O error) matches ErrUnknownOutcome. A file another process keeps
// busy past the busy timeout is ErrTimeout. COMMIT runs to its end
// whatever ctx does: it is local and short.
func (s *Store) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	return s.tx(ctx, serviceID, func(r repos) error { return fn(r) }, false)
}

// tx runs fn in a transaction; immediate makes it the writer from the
// start.
func (s *Store) tx(ctx context.Context, serviceID string, fn func(repos) error, immediate bool) error {
	if err := ctx.Err(); err != nil {
		return errs.With(fmt.Errorf("sqlite: begin: %w", err), helpdesk.ErrNotStored)
	}
	// The connection first, then the write lock: a writer never waits for
	// a connection that a transaction waiting for the write lock holds.
	c, err := s.db.Conn(ctx)
	if err != nil {
		return errs.With(fmt.Errorf("sqlite: connect: %w", failureOr(err, "connect")), helpdesk.ErrNotStored)
	}
	st := &txState{s: s, conn: c, commits: s.commits.Load()}
	_ = c.Raw(func(dc any) error {
		st.dc, _ = dc.(*conn)
		return nil
	})
	if st.dc == nil {
		_ = c.Close()
		return errs.With(errors.New("sqlite: unexpected driver connection"), helpdesk.ErrNotStored)
	}
	st.dc.failed = nil
	release := func() { // after the connection went back to the pool: touch no field of st.dc
		if st.writing {
			st.writing = false
			s.unlockWriter()
		}
	}
	begin := sqlBegin
	if immediate {
		if err := s.lockWriter(ctx); err != nil {
			_ = c.Close()
			return err
		}
		st.writing, begin = true, sqlBeginImmediate
	}
	if _, err := c.ExecContext(ctx, begin); err != nil {
		_ = c.Close()
		release()
		return errs.NotStored(txErr(ctx, fmt.Errorf("sqlite: begin: %w", failureOr(err, "begin"))))
	}
	abort := func() {
		if st.done {
			return
		}
		st.done = true
		st.dc.failed = nil
		_, _ = c.ExecContext(context.WithoutCancel(ctx), sqlRollback)
		_ = c.Close()
		release()
	}
	ferr := run(fn, repos{db: c, sid: serviceID, st: st}, abort)
	if ferr == nil {
		ferr = st.dc.failed // a failure fn swallowed
	}
	if ferr != nil {
		abort()
		return errs.NotStored(txErr(ctx, ferr))
	}
	if err := ctx.Err(); err != nil {
		abort()
		return errs.With(fmt.Errorf("sqlite: before commit: %w", err), helpdesk.ErrNotStored)
	}
	_, cerr := c.ExecContext(context.WithoutCancel(ctx), sqlCommit)
	if cerr != nil {
		abort()
		if k := code(cerr) & 0xff; k == codeBusy || k == codeLocked || k == codeFull {
			return errs.With(fmt.Errorf("sqlite: commit: %w", failureOr(cerr, "commit")), helpdesk.ErrNotStored)
		}
		return errs.With(fmt.Errorf("sqlite: commit: %w", cerr), helpdesk.ErrUnknownOutcome)
	}
	if st.writing {
		s.commits.Add(1)
	}
	st.done = true
	_ = c.Close()
	release()
	return nil
}

// writeTx runs fn in a transaction that is the writer from its first
// statement (BEGIN IMMEDIATE), outside any service: the queue's claims
// and settlements.
func (s *Store) writeTx(ctx context.Context, fn func(db bun.IDB) error) error {
	return s.tx(ctx, "", func(r repos) error { return fn(r.db) }, true)
}

// run calls fn with r; a panic calls abort before it goes on.
func run(fn func(repos) error, r repos, abort func()) error {
	defer func() {
		if p := recover(); p != nil {
			abort()
			panic(p)
		}
	}()
	return fn(r)
}

// repos are the repositories of one service inside one transaction.
type repos struct {
	db  bun.IDB
	sid string
	st  *txState
}

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

// SQLite result codes (primary codes, and the extended codes we tell
// apart).
const (
	codeBusy          = 5
	codeLocked        = 6
	codeInterrupt     = 9
	codeIOErr         = 10
	codeFull          = 13
	codeCantOpen      = 14
	codeConstraint    = 19
	codeBusySnapshot  = 517
	codeForeignKey    = 787
	codePrimaryKey    = 1555
	codeUnique        = 2067
	codeNotNull       = 1299
	constraintPrefix  = "constraint failed: "
	uniqueFailedLabel = "UNIQUE constraint failed: "
)

// code returns the SQLite result code of err, 0 if it has none.
func code(err error) int {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// failure returns the typed error of a store failure (STO-1), or nil when
// err is none: a busy or locked file is ErrTimeout (another process held
// it past the busy timeout), an I/O error or a file that cannot be opened
// ErrUnavailable.
func failure(err error, what string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	if code(err) == codeBusySnapshot {
		return errs.With(errs.New(helpdesk.ErrConflict, "%s: another process wrote since the transaction began reading; retry", what), err)
	}
	switch code(err) & 0xff {
	case codeBusy, codeLocked:
		return errs.With(errs.New(helpdesk.ErrTimeout, "%s: the database file stayed busy past the busy timeout", what), err)
	case codeIOErr, codeCantOpen, codeFull:
		return errs.With(errs.New(helpdesk.ErrUnavailable, "%s: the database file cannot be read or written", what), err)
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		return errs.With(errs.New(helpdesk.ErrUnavailable, "%s: the database is closed", what), err)
	}
	return nil
}

// failureOr is failure(err), or err when it is none.
func failureOr(err error, what string) error {
	if f := failure(err, what); f != nil {
		return f
	}
	return err
}

// txErr is the error Tx returns for err: the context's error when ctx
// ended (whatever the driver made of it), a store failure typed, any
// other error as it is.
func txErr(ctx context.Context, err error) error {
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

// key is the refusal a violated constraint stands for: cols is what
// SQLite names in "UNIQUE constraint failed: <cols>" ("agents.service_id,
// agents.email_key"), or "FOREIGN KEY" for any foreign key of the
// statement.
type key struct {
	cols string
	err  func() error
}

// foreignKey is the key of a violated foreign key.
const foreignKey = "FOREIGN KEY"

// mapErr turns a driver error into a Deskkit error kind, worded as the
// memory store words the same refusal: no row is "not found: <what>"; a
// violated unique key or foreign key is the error of the key in keys that
// names it, else "conflict: <what> exists" or "not found: <what> refers
// to a missing object". Table and column names never reach the message.
func mapErr(err error, what string, keys ...key) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(helpdesk.ErrNotFound, "%s", what)
	}
	switch c := code(err); {
	case c == codePrimaryKey || c == codeUnique:
		cols := err.Error()
		if i := strings.Index(cols, uniqueFailedLabel); i >= 0 {
			cols = cols[i+len(uniqueFailedLabel):]
		}
		if j := strings.Index(cols, " ("); j >= 0 {
			cols = cols[:j]
		}
		for _, k := range keys {
			if k.cols == cols {
				return k.err()
			}
		}
		return errs.New(helpdesk.ErrConflict, "%s exists", what)
	case c == codeForeignKey:
		for _, k := range keys {
			if k.cols == foreignKey {
				return k.err()
			}
		}
		return errs.New(helpdesk.ErrNotFound, "%s refers to a missing object", what)
	}
	if f := failure(err, what); f != nil {
		return f
	}
	return fmt.Errorf("%s: %w", what, err)
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
	return nil
}

// name names an object as the messages do: its kind and quoted id.
func name(kind, id string) string { return kind + " " + strconv.Quote(id) }

// lock makes the transaction the writer (txState.write): SQLite has one
// write lock per file, so every area lock of the port is that one lock.
func (r repos) lock(ctx context.Context) error { return r.st.write(ctx) }
