package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
)

// open returns a migrated store on a file of its own in a test directory.
func open(tb testing.TB, opts ...sqlite.Options) *sqlite.Store {
	tb.Helper()
	o := sqlite.Options{Synchronous: sqlite.SyncNormal, MaxOpenConns: 4}
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "desk.db"), o)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	require.NoError(tb, s.Migrate(context.Background()))
	return s
}

// TestConformance_STO1: the SQLite store passes the conformance suite,
// concurrency cases included.
func TestConformance_STO1(t *testing.T) {
	storetest.Run(t, storetest.Options{
		New:          func(t *testing.T) helpdesk.Store { return open(t) },
		Queue:        true,
		SingleWriter: true,
	})
}
