package postgres_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// migrated is the database every test's database is cloned from: migrated
// once per test binary.
var migrated = pgtest.NewTemplate(func(ctx context.Context, dsn string) error {
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
})

func TestMain(m *testing.M) {
	code := m.Run()
	if err := migrated.Close(); err != nil && code == 0 {
		println("pgtest: drop the template:", err.Error())
		code = 1
	}
	os.Exit(code)
}

// open returns a migrated store in a database of its own. Its pool is
// small: the conformance cases run in parallel, each on a store of its own,
// and together they must stay well within the server's max_connections
// (100 by default) even when several test binaries share the server.
func open(tb testing.TB) *postgres.Store {
	tb.Helper()
	return openPool(tb, 4)
}

// openPool opens a migrated store whose pool holds at most conns
// connections (0: Open's default).
func openPool(tb testing.TB, conns int) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), migrated.Database(tb), postgres.Options{MaxOpenConns: conns})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, storetest.Options{
		New:   func(t *testing.T) helpdesk.Store { return open(t) },
		Queue: true,
	})
}

// TestMigrate_Concurrent: processes starting together on an empty schema
// apply each migration once, and Migrate is idempotent.
func TestMigrate_Concurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(ctx, dsn)
			if !assertNoError(t, err) {
				return
			}
			defer s.Close()
			assertNoError(t, s.Migrate(ctx))
			assertNoError(t, s.Migrate(ctx))
		})
	}
	wg.Wait()
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}
