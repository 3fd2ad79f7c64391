package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/pgtest"
)

// This file holds the cross-store copies (STO-2): a service filled on
// SQLite, copied to Postgres and to memory. It lives here because it needs
// all three adapters; copies between two stores of one kind run in every
// store's conformance suite (storetest's CopyService_STO2).

// openPostgres returns a migrated Postgres store in a schema of its own,
// with a small pool.
func openPostgres(tb testing.TB) *postgres.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, pgtest.Schema(tb), postgres.Options{MaxOpenConns: 4})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	require.NoError(tb, s.Migrate(ctx))
	return s
}

// busyTickets is how many tickets the busy service has (each with two
// comments and three history rows).
const busyTickets = 3000

// TestCopyService_STO2_SQLiteToPostgresAndMemory: a busy service on SQLite
// is copied whole to Postgres and to memory; every repository reads back
// the same, and the next ticket number continues where SQLite stopped.
func TestCopyService_STO2_SQLiteToPostgresAndMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills thousands of tickets")
	}
	src := open(t)
	svc := uuid.NewString()
	storetest.FillService(t, src, svc, busyTickets)
	targets := map[string]func(testing.TB) helpdesk.Store{
		"Postgres": func(tb testing.TB) helpdesk.Store { return openPostgres(tb) },
		"Memory":   func(testing.TB) helpdesk.Store { return memory.New() },
	}
	for name, mk := range targets {
		t.Run(name, func(t *testing.T) {
			dst := mk(t)
			var phases []string
			rep, err := helpdesk.CopyService(context.Background(), src, dst, svc, helpdesk.CopyOptions{
				PageSize: 250,
				Progress: func(p helpdesk.CopyProgress) {
					if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
						phases = append(phases, p.Phase)
					}
				},
			})
			require.NoError(t, err)
			assert.Equal(t, []string{"config", "tickets", "outbox", "logins"}, phases)
			assert.Equal(t, busyTickets, rep.Tickets)
			assert.Equal(t, 2*busyTickets, rep.Comments)
			assert.Equal(t, 3*busyTickets, rep.Changes)
			assert.Equal(t, 20, rep.Messages)
			assert.Equal(t, 30, rep.Logins)
			storetest.AssertCopied(t, src, dst, svc)
		})
	}
}

// TestCopyService_STO2_InterruptedResumes_SQLiteToPostgres: a copy whose
// context ends after two pages of tickets is completed by a second call,
// with no duplicates.
func TestCopyService_STO2_InterruptedResumes_SQLiteToPostgres(t *testing.T) {
	src, dst := open(t), openPostgres(t)
	svc := uuid.NewString()
	storetest.FillService(t, src, svc, 150)
	storetest.CopyInterrupted(t, src, dst, svc)
	storetest.AssertCopied(t, src, dst, svc)
}

// TestCopyService_STO2_RefusesUnrelatedService: a target that has the
// service, not as a copy CopyService started, is left alone.
func TestCopyService_STO2_RefusesUnrelatedService(t *testing.T) {
	src, dst := open(t), openPostgres(t)
	svc := uuid.NewString()
	storetest.FillService(t, src, svc, 5)
	storetest.FillService(t, dst, svc, 2)
	_, err := helpdesk.CopyService(context.Background(), src, dst, svc, helpdesk.CopyOptions{})
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	var n int64
	require.NoError(t, dst.Tx(context.Background(), svc, func(r helpdesk.Repos) error {
		p, err := r.Tickets().List(context.Background(), ticket.Query{Filter: ticket.Filter{Limit: 10}})
		n = int64(len(p.Tickets))
		return err
	}))
	assert.Equal(t, int64(2), n, "the target's own tickets stay, nothing is added")
}

// benchSource is a filled SQLite service for the copy benchmarks.
func benchSource(b *testing.B, n int) (helpdesk.Store, string) {
	b.Helper()
	s := open(b)
	svc := uuid.NewString()
	storetest.FillService(b, s, svc, n)
	return s, svc
}

// BenchmarkCopyService_STO2_SQLiteToPostgres copies a service of 1000
// tickets (about 6,100 rows) from SQLite to a fresh Postgres schema per
// iteration; rows/s is the copy's rate. Its baseline,
// BenchmarkCopyService_STO2_SQLiteToMemoryBaseline, reads the same rows
// and writes them to memory, which costs next to nothing.
func BenchmarkCopyService_STO2_SQLiteToPostgres(b *testing.B) {
	src, svc := benchSource(b, 1000)
	b.ReportAllocs()
	var rows int
	var spent time.Duration
	for b.Loop() {
		b.StopTimer()
		dst := openPostgres(b)
		b.StartTimer()
		start := time.Now()
		rep, err := helpdesk.CopyService(context.Background(), src, dst, svc, helpdesk.CopyOptions{PageSize: 250})
		spent += time.Since(start)
		require.NoError(b, err)
		rows += rep.Rows
		b.StopTimer()
		require.NoError(b, dst.Close())
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/spent.Seconds(), "rows/s")
}

// BenchmarkCopyService_STO2_SQLiteToMemoryBaseline copies the same service
// into a fresh memory store: about what reading the source costs alone.
func BenchmarkCopyService_STO2_SQLiteToMemoryBaseline(b *testing.B) {
	src, svc := benchSource(b, 1000)
	b.ReportAllocs()
	var rows int
	var spent time.Duration
	for b.Loop() {
		start := time.Now()
		rep, err := helpdesk.CopyService(context.Background(), src, memory.New(), svc, helpdesk.CopyOptions{PageSize: 250})
		spent += time.Since(start)
		require.NoError(b, err)
		rows += rep.Rows
	}
	b.ReportMetric(float64(rows)/spent.Seconds(), "rows/s")
}
