package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

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
}

// Store is the PostgreSQL helpdesk.Store.
type Store struct {
	db *bun.DB
}

var _ helpdesk.Store = (*Store)(nil)

// Open connects to the database at dsn (a libpq URL or key=value string;
// runtime parameters such as search_path are passed through) and checks the
// connection. Call Migrate before first use.
func Open(ctx context.Context, dsn string, opts ...Options) (*Store, error) {
	o := Options{MaxOpenConns: 20}
	if len(opts) > 0 && opts[0].MaxOpenConns > 0 {
		o = opts[0]
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
		// ticket (0.8 ms → 1.3 ms after 6,000 tickets). Custom plans are
		// made with the current statistics each time; our own statements
		// are not prepared, so nothing else changes.
		cc.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	sqldb := stdlib.OpenDB(*cc)
	sqldb.SetMaxOpenConns(o.MaxOpenConns)
	sqldb.SetMaxIdleConns(o.MaxOpenConns) // keep connections: a reconnect costs more than a query
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &Store{db: bun.NewDB(sqldb, newDialect())}, nil
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
func (s *Store) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(repos{tx: tx, sid: serviceID})
	})
}

// repos are the repositories of one service inside one transaction.
type repos struct {
	tx  bun.Tx
	sid string
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

// PostgreSQL error codes mapped to Deskkit error kinds.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeNotNullViolation    = "23502"
)

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
// service ("categories", "fields", "templates"), held until the
// transaction ends: the domain's lock → read → check → write cycles of that
// area run one after another. Areas whose lock guards a row that holds
// data (the trigger set's version, the membership counter) lock that row
// instead.
func lockArea(ctx context.Context, db bun.IDB, area, serviceID string) error {
	_, err := db.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "deskkit."+area+"."+serviceID).Exec(ctx)
	return mapErr(err, area+" of service "+serviceID)
}
