// Package pgtest gives each Postgres test a schema of its own.
//
// The server is DESKKIT_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it cannot be
// reached a test is skipped — unless CI is set, where it fails: CI must never
// pass by skipping the database.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
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

// Schema creates a fresh schema, drops it when tb ends, and returns a DSN
// whose connections use it (search_path).
func Schema(tb testing.TB) string {
	tb.Helper()
	server := ServerDSN()
	db, err := sql.Open("pgx", server)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("pgtest: Postgres at %s is unreachable and CI is set: %v", server, err)
		}
		tb.Skipf("pgtest: Postgres at %s is unreachable (set CI to make this a failure): %v", server, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "deskkit_test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return withParam(tb, server, "search_path", schema)
}

func withParam(tb testing.TB, dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
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
