package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// These tests cover the dispatcher as a host drives it without Run:
// RunOnce (deliver what is due and return) and Drain (return once nothing
// is pending).

// enqueueAt adds a pending message to service "acme" of s, due at due.
func enqueueAt(t *testing.T, s *memory.Store, id string, due time.Time) {
	t.Helper()
	require.NoError(t, add(s, id, due))
}

func add(s *memory.Store, id string, due time.Time) error {
	return s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
		return r.Outbox().Enqueue(context.Background(), notify.Message{ID: id, Medium: notify.Email, Recipient: "c@example.com",
			IdempotencyKey: id, State: notify.Pending, NextAttemptAt: due, CreatedAt: due, UpdatedAt: due})
	})
}

func TestNewDispatcher_NTF1_NoNotifierRefused(t *testing.T) {
	s := queue(t, 1)
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s})
	assert.Nil(t, d)
	require.ErrorIs(t, err, notify.ErrInvalid)
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []helpdesk.Problem{{Field: "notifiers",
		Reason: "at least one notifier is required: without one every message would fail for good"}}, ve.Problems)

	_, err = notify.NewDispatcher(notify.DispatcherConfig{})
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("queue") && ve.Has("notifiers"), "every bad field: %v", err)

	_, err = notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{SMS: &recorder{}}})
	assert.NoError(t, err, "one notifier is enough")
}

// RunOnce delivers every due message, over as many batches as it takes,
// and leaves the ones due later.
func TestDispatcher_NTF1_RunOnceDeliversEverythingDue(t *testing.T) {
	s := queue(t, 250)
	enqueueAt(t, s, "later", t0.Add(time.Minute))
	rec := &recorder{}
	now := t0
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), BatchSize: 100,
		Clock: func() time.Time { return now }})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 250}, st, "three batches in one call")
	assert.Equal(t, 250, rec.count())
	assert.Equal(t, notify.Pending, message(t, s, "later").State, "not due yet")
	assert.Zero(t, message(t, s, "later").Attempts)

	now = t0.Add(time.Minute)
	st, err = d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1}, st)
	assert.Equal(t, notify.Stats{Sent: 251}, d.Stats(), "the dispatcher's total")
}

// RunOnce returns even while the outbox keeps filling: what comes due
// after it started is left for the next call.
func TestDispatcher_NTF1_RunOnceLeavesWhatComesDueMeanwhile(t *testing.T) {
	s := queue(t, 3)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	n := 0
	// every send takes a second and queues a new message, due at once
	rec := &recorder{}
	rec.fail = func(notify.Message) error {
		mu.Lock()
		now = now.Add(time.Second)
		n++
		id, due := fmt.Sprintf("new%d", n), now
		mu.Unlock()
		return add(s, id, due)
	}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), BatchSize: 1, Concurrency: 1, Clock: clock})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3}, st, "only what was due when it started")
	for _, m := range rec.got {
		assert.Regexp(t, `^m\d+$`, m.ID)
	}
	assert.Equal(t, notify.Pending, message(t, s, "new1").State)
	assert.Zero(t, message(t, s, "new1").Attempts, "claimed and given back: no attempt")
}

// With a clock that does not move and a back-off of zero, a failed message
// is due again at once: RunOnce still tries it once per call.
func TestDispatcher_NTF1_RunOnceTriesEachMessageOncePerCall(t *testing.T) {
	s := queue(t, 2)
	rec := &recorder{fail: func(notify.Message) error { return errors.New("421 busy") }}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(),
		Retry:  notify.RetryPolicy{MaxAttempts: 5, Jitter: 1}, // r = 0: no wait at all
		Random: func() float64 { return 0 }, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Retried: 2}, st)
	m := message(t, s, "m0000")
	assert.Equal(t, 1, m.Attempts)
	assert.Equal(t, t0, m.NextAttemptAt, "due again at once")
}

func TestDispatcher_NTF1_RunOnceStopsWithTheContext(t *testing.T) {
	s := queue(t, 2)
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: (&recorder{}).notifiers(), Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := d.RunOnce(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, st)
	assert.Equal(t, notify.Pending, message(t, s, "m0000").State)
	assert.Zero(t, message(t, s, "m0000").Attempts, "nothing claimed")
}

// flaky fails the first attempts of every message.
type flaky struct {
	recorder
	mu    sync.Mutex
	fails map[string]int
}

func (f *flaky) SendMail(ctx context.Context, m notify.Message) error {
	f.mu.Lock()
	left := f.fails[m.ID]
	f.fails[m.ID] = left - 1
	f.mu.Unlock()
	if left > 0 {
		return errors.New("451 try later")
	}
	return f.deliver(m)
}

// Drain waits for messages that come due later and for retries, and
// returns once nothing is pending.
func TestDispatcher_NTF1_DrainWaitsForWhatComesDue(t *testing.T) {
	s := queue(t, 0)
	now := time.Now()
	enqueueAt(t, s, "now", now)
	enqueueAt(t, s, "soon", now.Add(50*time.Millisecond))
	enqueueAt(t, s, "flaky", now)
	f := &flaky{fails: map[string]int{"flaky": 2}}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: f},
		PollInterval: 20 * time.Millisecond, Retry: notify.RetryPolicy{Base: 10 * time.Millisecond, Jitter: -1}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3, Retried: 2}, st)
	assert.Equal(t, 3, f.count())
	for _, id := range []string{"now", "soon", "flaky"} {
		assert.Equal(t, notify.Sent, message(t, s, id).State, id)
	}
	assert.False(t, message(t, s, "soon").SentAt.Before(now.Add(50*time.Millisecond).Truncate(time.Microsecond)), "not before it was due")
	assert.Equal(t, 3, message(t, s, "flaky").Attempts)

	st, err = d.Drain(ctx)
	require.NoError(t, err)
	assert.Zero(t, st, "an empty outbox: at once")
}

// Drain waits while another dispatcher holds a claim: for its outcome, or
// (a crashed one) for its lease to end.
func TestDispatcher_NTF1_DrainWaitsForAnotherClaim(t *testing.T) {
	s := queue(t, 0)
	enqueueAt(t, s, "held", time.Now())
	claimed, err := s.Claim(context.Background(), "crashed", time.Now(), 100*time.Millisecond, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	rec := &recorder{}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), PollInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1}, st)
	require.Equal(t, 1, rec.count())
	assert.Equal(t, 2, rec.got[0].Attempts, "claimed again once the lease ended")
}

// Drain returns ctx's error when ctx ends before the outbox is empty.
func TestDispatcher_NTF1_DrainEndsWithTheContext(t *testing.T) {
	s := queue(t, 1)
	enqueueAt(t, s, "tomorrow", t0.Add(24*time.Hour))
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: (&recorder{}).notifiers(),
		PollInterval: 5 * time.Millisecond, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	st, err := d.Drain(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, notify.Stats{Sent: 1}, st, "what was due went out")
	assert.Equal(t, notify.Pending, message(t, s, "tomorrow").State)
}
