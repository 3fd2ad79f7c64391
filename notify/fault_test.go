package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/notify"
)

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// panicker panics on message "m0000" and delivers the others.
type panicker struct{ recorder }

func (p *panicker) SendMail(_ context.Context, m notify.Message) error {
	if m.ID == "m0000" {
		panic("boom: nil map in the mail template")
	}
	return p.deliver(m)
}

// A panicking notifier fails its attempt: logged with its stack, counted,
// retried by the policy and failed for good at the limit; the others are
// delivered and the dispatcher (and its process) lives on.
func TestDispatcher_NTF1_PanickingNotifierFailsTheAttempt(t *testing.T) {
	s := queue(t, 3)
	p := &panicker{}
	var log syncBuffer
	now := t0
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: p},
		Retry: notify.RetryPolicy{MaxAttempts: 3, Base: time.Minute, Jitter: -1}, Clock: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	ctx := context.Background()

	st, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 2, Retried: 1}, st, "the panic is a failed attempt, retried")
	m := message(t, s, "m0000")
	assert.Equal(t, notify.Pending, m.State)
	assert.Equal(t, 1, m.Attempts)
	assert.Equal(t, t0.Add(time.Minute), m.NextAttemptAt, "retried by the policy")
	assert.Equal(t, "the notifier panicked: boom: nil map in the mail template", m.LastError)
	assert.Contains(t, log.String(), "notifier panicked")
	assert.Contains(t, log.String(), "panicker).SendMail", "the stack is logged")

	now = now.Add(time.Minute)
	st, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Retried: 1}, st)
	now = now.Add(2 * time.Minute)
	st, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Failed: 1}, st, "failed for good at the limit")
	m = message(t, s, "m0000")
	assert.Equal(t, notify.Failed, m.State)
	assert.Equal(t, 3, m.Attempts)
	assert.Contains(t, m.LastError, "panicked")
	assert.Equal(t, notify.Stats{Sent: 2, Retried: 2, Failed: 1}, d.Stats())
}

// A message whose earlier attempts all ended without an outcome — each
// claim's dispatcher died — and that is claimed more often than
// MaxAttempts fails for good without being sent again.
func TestDispatcher_NTF1_ClaimedPastTheLimitFailsUnsent(t *testing.T) {
	s := queue(t, 1)
	ctx := context.Background()
	at := t0
	for range 3 { // three crashes: claimed, never settled
		ms, err := s.Claim(ctx, "crashed", at, time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, ms, 1)
		at = at.Add(time.Minute)
	}
	rec := &recorder{}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(),
		Retry: notify.RetryPolicy{MaxAttempts: 3}, Clock: func() time.Time { return at }})
	require.NoError(t, err)
	st, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Failed: 1}, st)
	assert.Zero(t, rec.count(), "not sent again")
	m := message(t, s, "m0000")
	assert.Equal(t, notify.Failed, m.State)
	assert.Equal(t, 4, m.Attempts)
	assert.Contains(t, m.LastError, "attempts exhausted: claimed 4 times, at most 3 allowed")
}

// hanger blocks its send of "m0000" until release is closed, ignoring its
// context; the other messages go out at once.
type hanger struct {
	recorder
	started chan struct{}
	release chan struct{}
}

func (h *hanger) SendMail(_ context.Context, m notify.Message) error {
	if m.ID == "m0000" {
		close(h.started)
		<-h.release
	}
	return h.deliver(m)
}

// Each outcome is settled as its send returns: while one send is slow,
// the others of its batch are sent and marked sent, their claims ended, so
// no other dispatcher can take them over when the lease runs out.
func TestDispatcher_NTF1_SlowSendHoldsUpNoOther(t *testing.T) {
	s := queue(t, 6)
	h := &hanger{started: make(chan struct{}), release: make(chan struct{})}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: h}, Concurrency: 2,
		Lease: time.Minute, SendTimeout: time.Minute, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	done := make(chan notify.Stats)
	go func() {
		st, err := d.RunOnce(context.Background())
		assert.NoError(t, err)
		done <- st
	}()
	<-h.started
	require.Eventually(t, func() bool { return d.Stats().Sent == 5 }, 5*time.Second, time.Millisecond,
		"the other five are sent while one send hangs")
	for _, id := range []string{"m0001", "m0002", "m0003", "m0004", "m0005"} {
		assert.Equal(t, notify.Sent, message(t, s, id).State, "%s is settled already", id)
	}
	// Their claims have ended: another dispatcher, after the lease, finds
	// only the slow one.
	late, err := s.Claim(context.Background(), "other", t0.Add(2*time.Minute), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, late, 1)
	assert.Equal(t, "m0000", late[0].ID)

	close(h.release)
	st := <-done
	assert.Equal(t, notify.Stats{Sent: 6, LeaseLost: 1}, st, "the slow one went out, but its outcome came too late: the other dispatcher owns it")
}

// A notifier that ignores its context is abandoned shortly after its
// deadline: its attempt fails and is retried, and RunOnce returns without
// waiting for it.
func TestDispatcher_NTF1_HungSendIsAbandoned(t *testing.T) {
	s := queue(t, 4)
	h := &hanger{started: make(chan struct{}), release: make(chan struct{})}
	defer close(h.release)
	var log syncBuffer
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: h}, Concurrency: 1,
		SendTimeout: 50 * time.Millisecond, Retry: notify.RetryPolicy{Base: time.Minute, Jitter: -1},
		Clock: func() time.Time { return t0 }, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	require.NoError(t, err)
	start := time.Now()
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, notify.Stats{Sent: 3, Retried: 1}, st, "the one message after it went out too (Concurrency 1)")
	m := message(t, s, "m0000")
	assert.Equal(t, notify.Pending, m.State)
	assert.Equal(t, t0.Add(time.Minute), m.NextAttemptAt)
	assert.Contains(t, m.LastError, "did not return by its deadline")
	assert.Contains(t, log.String(), "abandoned")
}

// A slow send does not hold up the claims after it: with batches of two,
// the batch of the slow message is not waited for; the next batches are
// claimed and sent while it hangs.
func TestDispatcher_NTF1_SlowSendHoldsUpNoClaim(t *testing.T) {
	s := queue(t, 7)
	h := &hanger{started: make(chan struct{}), release: make(chan struct{})}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: h}, Concurrency: 2, BatchSize: 2,
		Lease: time.Minute, SendTimeout: time.Minute, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	done := make(chan notify.Stats)
	go func() {
		st, err := d.RunOnce(context.Background())
		assert.NoError(t, err)
		done <- st
	}()
	<-h.started
	require.Eventually(t, func() bool { return d.Stats().Sent == 6 }, 5*time.Second, time.Millisecond,
		"the six others, of three more batches, are sent while the first batch's slow send hangs")
	close(h.release)
	assert.Equal(t, notify.Stats{Sent: 7}, <-done)
}

// stuck ignores its context on every message until release is closed, and
// records how many of its calls ran at once.
type stuck struct {
	release      chan struct{}
	mu           sync.Mutex
	running, max int
}

func (s *stuck) SendMail(context.Context, notify.Message) error {
	s.mu.Lock()
	s.running++
	s.max = max(s.max, s.running)
	s.mu.Unlock()
	<-s.release
	s.mu.Lock()
	s.running--
	s.mu.Unlock()
	return nil
}

// Abandoned sends are bounded: a notifier that never returns holds at most
// twice Concurrency calls; past that no send starts, the messages are given
// back when their lease runs out, and RunOnce returns.
func TestDispatcher_NTF1_AbandonedSendsAreBounded(t *testing.T) {
	s := queue(t, 6)
	h := &stuck{release: make(chan struct{})}
	defer close(h.release)
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: h}, Concurrency: 1,
		SendTimeout: 20 * time.Millisecond, Lease: 300 * time.Millisecond, Retry: notify.RetryPolicy{Base: time.Minute, Jitter: -1}})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Retried: 2, Released: 4}, st, "two calls abandoned; the other four given back unsent")
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, 2, h.max, "never more than twice Concurrency notifier calls at once")
}
