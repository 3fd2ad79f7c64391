package pgtest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tmpl has a parent and a child table (with an identity column), and a
// bookkeeping table the "migration" fills.
var tmpl = NewTemplate(func(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `
CREATE TABLE parents (id int PRIMARY KEY);
CREATE TABLE children (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent int NOT NULL REFERENCES parents (id));
CREATE TABLE bookkeeping (name text PRIMARY KEY);
INSERT INTO bookkeeping VALUES ('migrated');`)
	return err
})

func TestMain(m *testing.M) {
	code := m.Run()
	if err := tmpl.Close(); err != nil && code == 0 {
		println("pgtest: close:", err.Error())
		code = 1
	}
	os.Exit(code)
}

func connect(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func exists(t *testing.T, dsn string) bool {
	t.Helper()
	var n int
	require.NoError(t, admin(t).QueryRow("SELECT count(*) FROM pg_database WHERE datname = $1", dsnName(t, dsn)).Scan(&n))
	return n == 1
}

func dsnName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	return strings.TrimPrefix(u.Path, "/")
}

// TestTemplate_ResetAndReuse: a test's database is emptied for the next
// test — rows, identity values, open sessions — and keeps what the
// migration wrote.
func TestTemplate_ResetAndReuse(t *testing.T) {
	var first string
	var open *sql.DB
	t.Run("writes", func(t *testing.T) {
		first = tmpl.Database(t)
		db := connect(t, first)
		_, err := db.Exec("INSERT INTO parents VALUES (1), (2); INSERT INTO children (parent) VALUES (1), (2)")
		require.NoError(t, err)
		// a session left in a transaction holding row locks
		open, err = sql.Open("pgx", first)
		require.NoError(t, err)
		tx, err := open.Begin()
		require.NoError(t, err)
		_, err = tx.Exec("INSERT INTO parents VALUES (3); SELECT * FROM parents FOR UPDATE")
		require.NoError(t, err)
	})
	defer open.Close()
	t.Run("gets_it_empty", func(t *testing.T) {
		dsn := tmpl.Database(t)
		assert.Equal(t, first, dsn, "the database is reused")
		db := connect(t, dsn)
		assert.Zero(t, count(t, db, "parents"))
		assert.Zero(t, count(t, db, "children"))
		assert.Equal(t, 1, count(t, db, "bookkeeping"), "the migration's rows stay")
		var id int64
		_, err := db.Exec("INSERT INTO parents VALUES (1)")
		require.NoError(t, err)
		require.NoError(t, db.QueryRow("INSERT INTO children (parent) VALUES (1) RETURNING id").Scan(&id))
		assert.Equal(t, int64(1), id, "identity values start again")
	})
}

// TestTemplate_ChangedIsDropped: a database whose schema or bookkeeping a
// test changed is dropped, not reused.
func TestTemplate_ChangedIsDropped(t *testing.T) {
	for name, stmt := range map[string]string{
		"schema":      "CREATE TABLE extra (id int)",
		"column":      "ALTER TABLE parents ADD COLUMN name text",
		"bookkeeping": "INSERT INTO bookkeeping VALUES ('more')",
	} {
		t.Run(name, func(t *testing.T) {
			var used string
			t.Run("changes", func(t *testing.T) {
				used = tmpl.Database(t)
				_, err := connect(t, used).Exec(stmt)
				require.NoError(t, err)
			})
			assert.False(t, exists(t, used), "dropped")
			dsn := tmpl.Database(t)
			assert.NotEqual(t, used, dsn)
			assert.Equal(t, 1, count(t, connect(t, dsn), "bookkeeping"))
		})
	}
}

// TestTemplate_Benchmark: a benchmark gets a database no test wrote to,
// and leaves none behind.
func TestTemplate_Benchmark(t *testing.T) {
	var reused string
	t.Run("test", func(t *testing.T) { reused = tmpl.Database(t) })
	var got string
	testing.Benchmark(func(b *testing.B) {
		if got == "" {
			got = tmpl.Database(b)
		}
	})
	assert.NotEqual(t, reused, got)
	assert.False(t, exists(t, got), "dropped after the benchmark")
}

func TestChildrenFirst(t *testing.T) {
	edges := [][2]string{{"b", "a"}, {"c", "b"}, {"c", "a"}, {"d", "d"}, {"x", "y"}, {"y", "x"}}
	got := childrenFirst([]string{"a", "b", "c", "d", "x", "y"}, edges)
	assert.Equal(t, []string{"c", "d", "b", "a", "x", "y"}, got)
}
