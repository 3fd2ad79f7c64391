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

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// recorder is a notifier for every medium that records deliveries and can
// fail on demand.
type recorder struct {
	mu   sync.Mutex
	got  []notify.Message
	fail func(notify.Message) error
}

func (r *recorder) deliver(m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.got = append(r.got, m)
	return nil
}

func (r *recorder) SendMail(_ context.Context, m notify.Message) error    { return r.deliver(m) }
func (r *recorder) SendSMS(_ context.Context, m notify.Message) error     { return r.deliver(m) }
func (r *recorder) PostDooray(_ context.Context, m notify.Message) error  { return r.deliver(m) }
func (r *recorder) PushBrowser(_ context.Context, m notify.Message) error { return r.deliver(m) }
func (r *recorder) Call(_ context.Context, m notify.Message) error        { return r.deliver(m) }

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recorder) notifiers() notify.Notifiers {
	return notify.Notifiers{Mail: r, SMS: r, Dooray: r, Browser: r, Call: r}
}

// queue returns a memory store with service "acme" and n pending messages
// due at t0 (medium email unless media says otherwise).
func queue(t *testing.T, n int, media ...notify.Medium) *memory.Store {
	t.Helper()
	ctx := context.Background()
	s := memory.New()
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		if err := r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1}); err != nil {
			return err
		}
		for i := range n {
			m := notify.Email
			if len(media) > 0 {
				m = media[i%len(media)]
			}
			err := r.Outbox().Enqueue(ctx, notify.Message{
				ID: fmt.Sprintf("m%04d", i), Medium: m, Recipient: "c@example.com",
				Payload: notify.Payload{Subject: "s", Text: "t"}, IdempotencyKey: fmt.Sprintf("k%d", i),
				State: notify.Pending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0,
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
	return s
}

func message(t *testing.T, s *memory.Store, id string) notify.Message {
	t.Helper()
	var m notify.Message
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		m, err = r.Outbox().Get(context.Background(), id)
		return err
	}))
	return m
}

func TestDispatcher_NTF1_DeliversAndMarksSent(t *testing.T) {
	s := queue(t, 5, notify.Email, notify.SMS, notify.Dooray, notify.Browser, notify.Callback)
	rec := &recorder{}
	now := t0
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), Clock: func() time.Time { return now }})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 5}, st)
	assert.Equal(t, 5, rec.count())
	for i := range 5 {
		m := message(t, s, fmt.Sprintf("m%04d", i))
		assert.Equal(t, notify.Sent, m.State)
		assert.Equal(t, 1, m.Attempts)
		assert.Equal(t, t0, m.SentAt)
	}
	st, err = d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Zero(t, st, "nothing is sent twice")
	assert.Equal(t, notify.Stats{Sent: 5}, d.Stats())
}

func TestDispatcher_NTF1_RetryScheduleThenFailedForGood(t *testing.T) {
	s := queue(t, 1)
	rec := &recorder{fail: func(notify.Message) error { return errors.New("smtp 451 try later") }}
	now := t0
	policy := notify.RetryPolicy{MaxAttempts: 4, Base: time.Minute, Max: 3 * time.Minute, Jitter: -1}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), Retry: policy,
		Clock: func() time.Time { return now }})
	require.NoError(t, err)
	ctx := context.Background()

	waits := []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute} // doubling, capped
	for i, w := range waits {
		st, err := d.RunOnce(ctx)
		require.NoError(t, err)
		require.Equal(t, notify.Stats{Retried: 1}, st, "attempt %d", i+1)
		m := message(t, s, "m0000")
		assert.Equal(t, notify.Pending, m.State)
		assert.Equal(t, i+1, m.Attempts)
		assert.Equal(t, now.Add(w), m.NextAttemptAt)
		assert.Equal(t, "smtp 451 try later", m.LastError)

		now = now.Add(w - time.Second)
		st, err = d.RunOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, st, "not due yet")
		now = now.Add(time.Second)
	}
	st, err := d.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, notify.Stats{Failed: 1}, st)
	m := message(t, s, "m0000")
	assert.Equal(t, notify.Failed, m.State, "the last attempt fails for good")
	assert.Equal(t, 4, m.Attempts)
	assert.Equal(t, notify.Stats{Retried: 3, Failed: 1}, d.Stats())
}

func TestDispatcher_NTF1_PermanentErrorsAndMissingNotifiers(t *testing.T) {
	s := queue(t, 2, notify.Email, notify.SMS)
	rec := &recorder{fail: func(notify.Message) error { return notify.Permanent(errors.New("550 no such user")) }}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: rec}, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	_, err = d.RunOnce(context.Background())
	require.NoError(t, err)
	m := message(t, s, "m0000")
	assert.Equal(t, notify.Failed, m.State)
	assert.Equal(t, "permanent: 550 no such user", m.LastError)
	m = message(t, s, "m0001")
	assert.Equal(t, notify.Failed, m.State)
	assert.Contains(t, m.LastError, "no notifier for medium sms")
}

// blocker blocks every send until released, and reports when a send started.
type blocker struct {
	recorder
	started chan string
	release chan struct{}
}

func (b *blocker) SendMail(ctx context.Context, m notify.Message) error {
	b.started <- m.ID
	<-b.release
	return b.deliver(m)
}

func TestDispatcher_GracefulShutdownReleasesUnstarted(t *testing.T) {
	s := queue(t, 5)
	b := &blocker{started: make(chan string, 5), release: make(chan struct{})}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: b}, Concurrency: 1,
		Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	var got notify.Stats
	go func() {
		var err error
		got, err = d.RunOnce(ctx)
		done <- err
	}()
	first := <-b.started
	cancel()         // stop while the first send is in flight
	close(b.release) // the send in flight finishes
	require.ErrorIs(t, <-done, context.Canceled, "RunOnce says it did not finish")
	assert.Equal(t, notify.Stats{Sent: 1, Released: 4}, got)

	assert.Equal(t, 1, b.count(), "only the send in flight went out")
	assert.Equal(t, notify.Sent, message(t, s, first).State)
	st := d.Stats()
	assert.Equal(t, int64(1), st.Sent)
	assert.Equal(t, int64(4), st.Released)
	// the released ones are claimable at once, their attempt not counted
	rec := &recorder{}
	d2, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	st, err = d2.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 4}, st)
	for _, m := range rec.got {
		assert.Equal(t, 1, m.Attempts, "a released claim is not an attempt")
	}
}

func TestDispatcher_NTF1_ExpiredLeaseIsReclaimed(t *testing.T) {
	s := queue(t, 3)
	ctx := context.Background()
	// a dispatcher claims and dies
	ms, err := s.Claim(ctx, "crashed", t0, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, ms, 3)
	rec := &recorder{}
	now := t0.Add(30 * time.Second)
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), Lease: time.Minute,
		Clock: func() time.Time { return now }})
	require.NoError(t, err)
	st, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Zero(t, st, "the lease still runs")
	now = t0.Add(time.Minute)
	st, err = d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3}, st)
	assert.Equal(t, 3, rec.count())
	for _, m := range rec.got {
		assert.Equal(t, 2, m.Attempts)
	}
	lost, err := s.Settle(ctx, "crashed", []notify.Result{{Message: ms[0], Outcome: notify.Outcome{State: notify.Sent, At: now}}})
	require.NoError(t, err)
	assert.Len(t, lost, 1, "the dead owner cannot settle any more")
}

func TestRetryPolicy_Delay(t *testing.T) {
	p := notify.RetryPolicy{Base: 10 * time.Second, Max: time.Minute, Jitter: 0.2}
	assert.Equal(t, 10*time.Second, p.Delay(1, 0.5))
	assert.Equal(t, 20*time.Second, p.Delay(2, 0.5))
	assert.Equal(t, 40*time.Second, p.Delay(3, 0.5))
	assert.Equal(t, time.Minute, p.Delay(4, 0.5), "capped")
	assert.Equal(t, time.Minute, p.Delay(60, 0.5), "no overflow")
	assert.Equal(t, 8*time.Second, p.Delay(1, 0), "−20%")
	assert.InDelta(t, float64(12*time.Second), float64(p.Delay(1, 0.9999999)), float64(time.Millisecond), "+20%")
	assert.Equal(t, 30*time.Second, notify.RetryPolicy{}.Delay(1, 0.5), "defaults")
}

func TestPermanent(t *testing.T) {
	base := errors.New("x")
	err := fmt.Errorf("wrapped: %w", notify.Permanent(base))
	assert.True(t, notify.IsPermanent(err))
	assert.ErrorIs(t, err, base)
	assert.False(t, notify.IsPermanent(base))
	assert.NoError(t, notify.Permanent(nil))
}

func TestDispatcher_RunUntilCancelled(t *testing.T) {
	s := queue(t, 3)
	rec := &recorder{}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: rec.notifiers(), PollInterval: 5 * time.Millisecond,
		Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	require.Eventually(t, func() bool { return rec.count() == 3 }, 5*time.Second, time.Millisecond)
	// a message enqueued while it runs is picked up on a later poll
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) error {
		return r.Outbox().Enqueue(context.Background(), notify.Message{ID: "late", Medium: notify.Email, Recipient: "x@example.com",
			IdempotencyKey: "late", State: notify.Pending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0})
	}))
	require.Eventually(t, func() bool { return rec.count() == 4 }, 5*time.Second, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}

// A message whose lease ran out while the batch was being sent is given
// back unsent: after the lease another dispatcher may own it. RunOnce then
// claims it again and sends it.
func TestDispatcher_NeverSendsPastTheLease(t *testing.T) {
	s := queue(t, 3)
	now := t0
	var mu sync.Mutex
	slow := &recorder{fail: func(notify.Message) error {
		mu.Lock()
		now = now.Add(40 * time.Second) // each send takes 40s of the 1m lease
		mu.Unlock()
		return nil
	}}
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: slow.notifiers(), Concurrency: 1, Lease: time.Minute,
		Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	require.NoError(t, err)
	st, err := d.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3, Released: 1}, st, "the third would have started after the lease: given back, then claimed again")
	require.Equal(t, 3, slow.count())
	assert.Equal(t, []int{1, 1, 1}, []int{slow.got[0].Attempts, slow.got[1].Attempts, slow.got[2].Attempts}, "a claim given back is not an attempt")
	assert.Equal(t, st, d.Stats())
}
