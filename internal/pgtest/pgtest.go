// Package pgtest gives each Postgres test a database (or a schema) of its
// own.
//
// A Template is migrated once per test binary. A test gets a database
// cloned from it (CREATE DATABASE … TEMPLATE); when the test ends, the rows
// it wrote are deleted and the database goes back to a pool for the next
// test of the process, which is far cheaper than cloning (or migrating)
// again: a clone copies every page of the database, a reset deletes a few
// rows. A database whose objects a test changed (a table created or
// altered, a row of a table the migration filled) is dropped instead of
// reused, and so is every database a benchmark used.
//
// The server is DESKKIT_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable); its role needs
// the CREATEDB privilege. When the server cannot be reached a test is
// skipped — unless CI is set, where it fails: CI must never pass by skipping
// the database.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// DefaultDSN is used when DESKKIT_TEST_PG is not set.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerDSN returns the test server's DSN.
func ServerDSN() string {
	if dsn := os.Getenv("DESKKIT_TEST_PG"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// server is the process's connection pool to the server's own database,
// for creating and dropping test databases and schemas.
var server struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// admin returns the shared pool, or skips (fails under CI) when the server
// is unreachable.
func admin(tb testing.TB) *sql.DB {
	tb.Helper()
	server.once.Do(func() {
		server.db, server.err = sql.Open("pgx", ServerDSN())
		if server.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			server.err = server.db.PingContext(ctx)
			cancel()
		}
	})
	if server.err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("pgtest: Postgres at %s is unreachable and CI is set: %v", ServerDSN(), server.err)
		}
		tb.Skipf("pgtest: Postgres at %s is unreachable (set CI to make this a failure): %v", ServerDSN(), server.err)
	}
	return server.db
}

// Schema creates a fresh, empty schema in the server's database, drops it
// when tb ends, and returns a DSN whose connections use it (search_path).
func Schema(tb testing.TB) string {
	tb.Helper()
	db := admin(tb)
	schema := newName("deskkit_test_")
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return withParam(tb, ServerDSN(), "search_path", schema)
}

// Template is a database migrated once per process, and the pool of its
// clones that tests use. Its methods are safe for concurrent use.
type Template struct {
	migrate func(ctx context.Context, dsn string) error

	once sync.Once
	name string
	err  error

	mu   sync.Mutex
	idle []*clone
	made map[*clone]bool // every clone not dropped yet
}

// NewTemplate returns a template that migrate fills on first use: it gets
// the DSN of an empty database and must close every connection it opened
// before it returns (a database with connections cannot be cloned).
func NewTemplate(migrate func(ctx context.Context, dsn string) error) *Template {
	return &Template{migrate: migrate, made: map[*clone]bool{}}
}

// Database returns the DSN of a database with the template's contents that
// no other test uses; when tb ends, the connections still open to it are
// closed and it is emptied for the next test (or dropped). The first call
// makes and migrates the template.
func (tp *Template) Database(tb testing.TB) string {
	tb.Helper()
	db := admin(tb)
	tp.once.Do(func() { tp.err = tp.make(db) })
	if tp.err != nil {
		tb.Fatalf("pgtest: template: %v", tp.err)
	}
	_, bench := tb.(*testing.B) // a benchmark gets a clone no test wrote to, and leaves none
	c, err := tp.take(db, !bench)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if !bench {
			err := c.reset()
			if err == nil {
				tp.put(c)
				return
			}
			tb.Logf("pgtest: dropping %s instead of reusing it: %v", c.name, err)
		}
		if err := tp.drop(db, c); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c.dsn
}

// make creates and migrates the template database. It also drops the
// databases that processes killed before their cleanup left behind.
func (tp *Template) make(db *sql.DB) error {
	sweep(db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := newName("deskkit_tmpl_")
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	tp.name = name
	dsn, err := databaseDSN(ServerDSN(), name)
	if err != nil {
		return err
	}
	if err := tp.migrate(ctx, dsn); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// No one may connect from now on: neither a stray test nor autovacuum
	// can then hold a connection that would make a clone fail.
	_, err = db.ExecContext(ctx, "ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS false")
	return err
}

// take returns an idle clone, or a new one; a new one when reuse is false.
func (tp *Template) take(db *sql.DB, reuse bool) (*clone, error) {
	tp.mu.Lock()
	if n := len(tp.idle); reuse && n > 0 {
		c := tp.idle[n-1]
		tp.idle = tp.idle[:n-1]
		tp.mu.Unlock()
		return c, nil
	}
	tp.mu.Unlock()
	c, err := newClone(db, tp.name)
	if err != nil {
		return nil, err
	}
	tp.mu.Lock()
	tp.made[c] = true
	tp.mu.Unlock()
	return c, nil
}

// put returns a reset clone to the pool.
func (tp *Template) put(c *clone) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.idle = append(tp.idle, c)
}

// drop drops a clone.
func (tp *Template) drop(db *sql.DB, c *clone) error {
	tp.mu.Lock()
	delete(tp.made, c)
	tp.mu.Unlock()
	_ = c.db.Close()
	if _, err := db.Exec("DROP DATABASE IF EXISTS " + c.name + " WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", c.name, err)
	}
	return nil
}

// Close drops the clones and the template. Call it from TestMain after
// m.Run.
func (tp *Template) Close() error {
	if server.db == nil {
		return nil
	}
	tp.mu.Lock()
	var cs []*clone
	for c := range tp.made {
		cs = append(cs, c)
	}
	tp.idle = nil
	tp.mu.Unlock()
	var errs []error
	for _, c := range cs {
		errs = append(errs, tp.drop(server.db, c))
	}
	if tp.name != "" {
		if _, err := server.db.Exec("DROP DATABASE IF EXISTS " + tp.name + " WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("drop the template %s: %w", tp.name, err))
		}
	}
	return errors.Join(errs...)
}

// clone is one database cloned from the template.
type clone struct {
	name string
	dsn  string
	db   *sql.DB // one connection, for resets

	// objects is the fingerprint of the schema objects as cloned.
	objects string
	// kept are the tables that had rows as cloned (the migrations'
	// bookkeeping): they are left alone, and their row counts (counts)
	// must not change.
	kept   []string
	counts string
	// empty deletes every row of the other tables, children before their
	// parents, and restores the sequences.
	empty string
}

// userObjects lists the objects outside the system schemas.
const userObjects = `
WITH ns AS (SELECT oid, nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp%')
SELECT md5(coalesce(string_agg(o, ',' ORDER BY o), '')) FROM (
    SELECT 'n:' || nspname AS o FROM ns
    UNION ALL
    SELECT 'c:' || c.oid::regclass::text || ':' || c.relkind::text || ':' || count(a.attnum)
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
    GROUP BY c.oid, c.relkind
    UNION ALL
    SELECT 'p:' || p.oid::regprocedure::text FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    UNION ALL
    SELECT 't:' || t.oid::regtype::text FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
) x`

// userTables lists the ordinary and partitioned tables outside the system
// schemas.
const userTables = `
SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
ORDER BY 1`

// newClone creates a database from the template and works out how to reset
// it.
func newClone(admin *sql.DB, template string) (*clone, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := &clone{name: newName("deskkit_test_")}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+c.name+" TEMPLATE "+template); err != nil {
		return nil, fmt.Errorf("clone the template: %w", err)
	}
	err := c.plan(ctx)
	if err != nil {
		if c.db != nil {
			_ = c.db.Close()
		}
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + c.name + " WITH (FORCE)")
		return nil, fmt.Errorf("clone %s: %w", c.name, err)
	}
	return c, nil
}

// plan connects to the clone and records its objects, its filled tables and
// the statements that empty it.
func (c *clone) plan(ctx context.Context) (err error) {
	if c.dsn, err = databaseDSN(ServerDSN(), c.name); err != nil {
		return err
	}
	if c.db, err = sql.Open("pgx", c.dsn); err != nil {
		return err
	}
	c.db.SetMaxOpenConns(1)
	if err := c.db.QueryRowContext(ctx, userObjects).Scan(&c.objects); err != nil {
		return err
	}
	tables, err := strings1(ctx, c.db, userTables)
	if err != nil {
		return err
	}
	if len(tables) > 0 {
		has := make([]string, len(tables))
		for i, t := range tables {
			has[i] = fmt.Sprintf("SELECT %s WHERE EXISTS (SELECT 1 FROM %s)", quote(t), t)
		}
		if c.kept, err = strings1(ctx, c.db, strings.Join(has, " UNION ALL ")); err != nil {
			return err
		}
	}
	if c.counts, err = c.countRows(ctx, c.kept); err != nil {
		return err
	}
	edges, err := pairs(ctx, c.db, "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'")
	if err != nil {
		return err
	}
	var stmts []string
	for _, t := range childrenFirst(without(tables, c.kept), edges) {
		stmts = append(stmts, "DELETE FROM "+t)
	}
	seqs, err := pairs(ctx, c.db, `SELECT format('%I.%I', schemaname, sequencename),
	    CASE WHEN last_value IS NULL THEN format('%s, false', start_value) ELSE format('%s, true', last_value) END
	FROM pg_sequences`)
	if err != nil {
		return err
	}
	for _, s := range seqs {
		stmts = append(stmts, fmt.Sprintf("SELECT setval(%s, %s)", quote(s[0]), s[1]))
	}
	c.empty = strings.Join(stmts, ";\n")
	return nil
}

// countRows returns the row counts of tables, as one string.
func (c *clone) countRows(ctx context.Context, tables []string) (string, error) {
	if len(tables) == 0 {
		return "", nil
	}
	q := make([]string, len(tables))
	for i, t := range tables {
		q[i] = fmt.Sprintf("SELECT %s || ':' || count(*) FROM %s", quote(t), t)
	}
	l, err := strings1(ctx, c.db, strings.Join(q, " UNION ALL ")+" ORDER BY 1")
	return strings.Join(l, ","), err
}

// reset ends the sessions still connected, checks that the objects and the
// filled tables are as cloned, and empties the other tables.
func (c *clone) reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Sessions a test left open could write later: end them. Not waiting
	// for them to exit is safe: their transactions abort, and the deletes
	// below wait for any row lock they still hold.
	_, err := c.db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	    WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		return err
	}
	var objects string
	if err := c.db.QueryRowContext(ctx, userObjects).Scan(&objects); err != nil {
		return err
	}
	if objects != c.objects {
		return errors.New("the test changed its schema")
	}
	counts, err := c.countRows(ctx, c.kept)
	if err != nil {
		return err
	}
	if counts != c.counts {
		return fmt.Errorf("the test wrote to the tables the migrations filled (%s, was %s)", counts, c.counts)
	}
	if c.empty == "" {
		return nil
	}
	_, err = c.db.ExecContext(ctx, c.empty) // one implicit transaction
	return err
}

// childrenFirst orders tables so that a table comes before those it refers
// to; tables in a cycle keep their order at the end.
func childrenFirst(tables []string, edges [][2]string) []string {
	refs := map[string]map[string]bool{} // table → tables it refers to
	referred := map[string]int{}         // table → how many other tables refer to it
	in := map[string]bool{}
	for _, t := range tables {
		in[t] = true
	}
	for _, e := range edges {
		from, to := e[0], e[1]
		if from == to || !in[from] || !in[to] || refs[from][to] {
			continue
		}
		if refs[from] == nil {
			refs[from] = map[string]bool{}
		}
		refs[from][to] = true
		referred[to]++
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t] || referred[t] > 0 {
				continue
			}
			done[t], progress = true, true
			out = append(out, t)
			for to := range refs[t] {
				referred[to]--
			}
		}
		if !progress { // a cycle: its rows go with one DELETE per table, checks at the end
			for _, t := range tables {
				if !done[t] {
					out = append(out, t)
					done[t] = true
				}
			}
		}
	}
	return out
}

func without(l, drop []string) []string {
	var out []string
	for _, s := range l {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// strings1 returns the first column of a query's rows.
func strings1(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pairs returns the two columns of a query's rows.
func pairs(ctx context.Context, db *sql.DB, q string) ([][2]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// quote returns s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// leftoverAge is how old a test database must be before sweep drops it: far
// longer than any test binary runs.
const leftoverAge = 6 * time.Hour

var ours = regexp.MustCompile(`^deskkit_(test|tmpl)_([0-9]+)_[0-9a-f]+$`)

// sweep drops old test and template databases (best effort).
func sweep(db *sql.DB) {
	names, err := strings1(context.Background(), db, `SELECT datname FROM pg_database WHERE datname LIKE 'deskkit\_%'`)
	if err != nil {
		return
	}
	for _, n := range names {
		if m := ours.FindStringSubmatch(n); m != nil {
			if at, err := strconv.ParseInt(m[2], 10, 64); err == nil && time.Since(time.Unix(at, 0)) > leftoverAge {
				_, _ = db.Exec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
			}
		}
	}
}

// newName returns prefix, the Unix time and a random suffix: unique across
// processes, and old ones can be told apart.
func newName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + hex.EncodeToString(b[:])
}

// databaseDSN returns dsn with its database replaced by name.
func databaseDSN(dsn, name string) (string, error) {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("DSN: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}

func withParam(tb testing.TB, dsn, key, value string) string {
	if isURL(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			tb.Fatalf("pgtest: DSN: %v", err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
