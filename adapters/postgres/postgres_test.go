package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// open returns a migrated store in a schema of its own.
func open(tb testing.TB) *postgres.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.Schema(tb))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	require.NoError(tb, s.Migrate(ctx))
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) helpdesk.Store { return open(t) })
}

// TestMigrate_Concurrent: processes starting together apply each migration
// once, and Migrate is idempotent.
func TestMigrate_Concurrent(t *testing.T) {
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
