package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// drain runs dispatchers side by side, each delivering what is due
// (RunOnce) until none is left.
func drain(tb testing.TB, ds []*notify.Dispatcher) {
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			_, err := d.RunOnce(context.Background())
			assert.NoError(tb, err)
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
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 5000, notify.Failed: 0}, outboxCounts(t, s))
}

// outboxCounts returns how many messages of service "acme" are in each
// state.
func outboxCounts(t *testing.T, s *postgres.Store) map[notify.State]int {
	t.Helper()
	var counts map[notify.State]int
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		counts, err = r.Outbox().Counts(context.Background())
		return err
	}))
	return counts
}

// TestDispatcher_RunOnceDeliversEverythingDue_NTF1: one RunOnce claims
// batch after batch until nothing that was due is left, and leaves what is
// due later.
func TestDispatcher_RunOnceDeliversEverythingDue_NTF1(t *testing.T) {
	t.Parallel()
	s := open(t)
	fill(t, s, 1234, time.Now().Add(-time.Minute))
	later := time.Now().Add(time.Hour)
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
		return r.Outbox().Enqueue(context.Background(), notify.Message{ID: "later", Medium: notify.Email, Recipient: "c@example.com",
			IdempotencyKey: "later", State: notify.Pending, NextAttemptAt: later, CreatedAt: later, UpdatedAt: later})
	}))
	rec := &deliveries{n: map[string]int{}}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: rec}, BatchSize: 100})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1234}, st)
	assert.Len(t, rec.n, 1234)
	assert.NotContains(t, rec.n, "later")
	assert.Equal(t, map[notify.State]int{notify.Pending: 1, notify.Sent: 1234, notify.Failed: 0}, outboxCounts(t, s))
	at, pending, err := s.NextDue(context.Background())
	require.NoError(t, err)
	assert.True(t, pending)
	assert.Equal(t, later.Truncate(time.Microsecond).UTC(), at)
}

// flakyMailer fails the first attempt of every message whose id starts
// with "flaky".
type flakyMailer struct {
	deliveries
	tried sync.Map
	// failed, when set, runs at each first failure, before it is returned.
	failed func()
}

func (m *flakyMailer) SendMail(ctx context.Context, msg notify.Message) error {
	if _, again := m.tried.LoadOrStore(msg.ID, true); !again && strings.HasPrefix(msg.ID, "flaky") {
		if m.failed != nil {
			m.failed()
		}
		return errors.New("451 try later")
	}
	return m.deliveries.SendMail(ctx, msg)
}

// TestDispatcher_DrainWaitsForWhatComesDue_NTF1: Drain delivers what is
// due, waits for what comes due later (a message enqueued for later, a
// retry after its back-off, one enqueued while it runs) and returns once
// nothing is pending.
func TestDispatcher_DrainWaitsForWhatComesDue_NTF1(t *testing.T) {
	t.Parallel()
	s := open(t)
	now := time.Now()
	fill(t, s, 10, now.Add(-time.Minute))
	enqueue := func(id string, due time.Time) error {
		return s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
			return r.Outbox().Enqueue(context.Background(), notify.Message{ID: id, Medium: notify.Email, Recipient: "c@example.com",
				IdempotencyKey: id, State: notify.Pending, NextAttemptAt: due, CreatedAt: now, UpdatedAt: now})
		})
	}
	require.NoError(t, enqueue("soon", now.Add(300*time.Millisecond)))
	require.NoError(t, enqueue("flaky", now))
	added := make(chan error, 1)
	rec := &flakyMailer{deliveries: deliveries{n: map[string]int{}},
		// enqueued while Drain runs: after its first pass began, whatever
		// the machine's load, so that pass leaves it to the next
		failed: func() { added <- enqueue("meanwhile", time.Now()) }}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: rec},
		PollInterval: 50 * time.Millisecond, Retry: notify.RetryPolicy{Base: 100 * time.Millisecond, Jitter: -1}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	require.NoError(t, <-added)
	assert.Equal(t, notify.Stats{Sent: 13, Retried: 1}, st)
	assert.Len(t, rec.n, 13)
	for _, id := range []string{"soon", "flaky", "meanwhile"} {
		assert.Equal(t, 1, rec.n[id], id)
	}
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 13, notify.Failed: 0}, outboxCounts(t, s))
	_, pending, err := s.NextDue(context.Background())
	require.NoError(t, err)
	assert.False(t, pending)
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

// BenchmarkDispatch_Run delivers b.N messages with one dispatcher's Run
// loop, the path of a long-running host (the others use RunOnce).
func BenchmarkDispatch_Run(b *testing.B) {
	s := open(b)
	fill(b, s, b.N, time.Now().Add(-time.Minute))
	var sent atomic.Int64
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: noopMailer{&sent}},
		PollInterval: time.Millisecond})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	go func() { done <- d.Run(ctx) }()
	for sent.Load() < int64(b.N) {
		time.Sleep(200 * time.Microsecond)
	}
	b.StopTimer()
	cancel()
	require.NoError(b, <-done)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
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
