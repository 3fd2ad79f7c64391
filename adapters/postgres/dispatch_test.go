package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// fill creates service "acme" (if needed) and enqueues n pending messages
// due at due, in transactions of 1,000.
func fill(tb testing.TB, s *postgres.Store, n int, due time.Time) {
	tb.Helper()
	ctx := context.Background()
	require.NoError(tb, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if _, err := r.Service().Get(ctx); err == nil {
			return nil
		}
		return r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1, CreatedAt: due, UpdatedAt: due})
	}))
	for start := 0; start < n; start += 1000 {
		require.NoError(tb, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			ms := make([]notify.Message, 0, 1000)
			for i := start; i < min(start+1000, n); i++ {
				ms = append(ms, notify.Message{
					ID: fmt.Sprintf("m%07d", i), Medium: notify.Email, Recipient: "c@example.com",
					Payload:        notify.Payload{Subject: "Your ticket #42", Text: "We answered your ticket."},
					IdempotencyKey: fmt.Sprintf("k%07d", i), State: notify.Pending, NextAttemptAt: due, CreatedAt: due, UpdatedAt: due,
				})
			}
			return r.Outbox().Enqueue(ctx, ms...)
		}))
	}
}

// deliveries counts deliveries per message id.
type deliveries struct {
	mu sync.Mutex
	n  map[string]int
}

func (d *deliveries) SendMail(_ context.Context, m notify.Message) error {
	d.mu.Lock()
	d.n[m.ID]++
	d.mu.Unlock()
	return nil
}

// drain runs dispatchers until none of them finds work.
func drain(tb testing.TB, ds []*notify.Dispatcher) {
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			for {
				n, err := d.RunOnce(context.Background())
				if !assert.NoError(tb, err) || n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestDispatcher_TwoOnOnePostgres_NTF1: two dispatchers share 5,000
// messages; with leases longer than the run, no message is delivered twice
// and every one is delivered.
func TestDispatcher_TwoOnOnePostgres_NTF1(t *testing.T) {
	t.Parallel()
	s := open(t)
	fill(t, s, 5000, time.Now().Add(-time.Minute))
	rec := &deliveries{n: map[string]int{}}
	var ds []*notify.Dispatcher
	for i := range 2 {
		d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: rec},
			Owner: fmt.Sprintf("d%d", i), BatchSize: 50, Lease: time.Hour})
		require.NoError(t, err)
		ds = append(ds, d)
	}
	drain(t, ds)
	require.Len(t, rec.n, 5000)
	for id, n := range rec.n {
		if n != 1 {
			t.Errorf("message %s delivered %d times", id, n)
		}
	}
	a, b := ds[0].Stats(), ds[1].Stats()
	assert.Equal(t, int64(5000), a.Sent+b.Sent)
	assert.Positive(t, a.Sent, "both dispatchers worked")
	assert.Positive(t, b.Sent)
	assert.Zero(t, a.LeaseLost+b.LeaseLost)
	var counts map[notify.State]int
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		counts, err = r.Outbox().Counts(context.Background())
		return err
	}))
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 5000, notify.Failed: 0}, counts)
}

// benchDispatch delivers b.N messages with k dispatchers and a no-op
// notifier.
func benchDispatch(b *testing.B, k int) {
	s := open(b)
	fill(b, s, b.N, time.Now().Add(-time.Minute))
	var sent atomic.Int64
	noop := noopMailer{&sent}
	var ds []*notify.Dispatcher
	for i := range k {
		d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: noop}, Owner: fmt.Sprint("d", i)})
		require.NoError(b, err)
		ds = append(ds, d)
	}
	b.ResetTimer()
	drain(b, ds)
	b.StopTimer()
	require.Equal(b, int64(b.N), sent.Load())
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

type noopMailer struct{ n *atomic.Int64 }

func (m noopMailer) SendMail(context.Context, notify.Message) error { m.n.Add(1); return nil }

func BenchmarkDispatch_1(b *testing.B) { benchDispatch(b, 1) }
func BenchmarkDispatch_2(b *testing.B) { benchDispatch(b, 2) }

// BenchmarkDispatch_PlainLoop is the baseline: SELECT … LIMIT 100 and one
// UPDATE of the batch, in a loop, no leases, no outcomes.
func BenchmarkDispatch_PlainLoop(b *testing.B) {
	s := open(b)
	fill(b, s, b.N, time.Now().Add(-time.Minute))
	db := s.DB().DB
	ctx := context.Background()
	b.ResetTimer()
	total := 0
	for {
		rows, err := db.QueryContext(ctx, "SELECT id FROM outbox WHERE state = 'pending' LIMIT 100")
		require.NoError(b, err)
		var ids []string
		for rows.Next() {
			var id string
			require.NoError(b, rows.Scan(&id))
			ids = append(ids, id)
		}
		require.NoError(b, rows.Close())
		if len(ids) == 0 {
			break
		}
		_, err = db.ExecContext(ctx, "UPDATE outbox SET state = 'sent' WHERE service_id = 'acme' AND id = ANY($1)", ids)
		require.NoError(b, err)
		total += len(ids)
	}
	b.StopTimer()
	require.Equal(b, b.N, total)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
