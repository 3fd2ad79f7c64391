package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// hungMailer delivers every message at once but "m0000003", whose send
// ignores its context and hangs until release is closed.
type hungMailer struct {
	*deliveries
	hung    chan struct{}
	release chan struct{}
}

func (m hungMailer) SendMail(ctx context.Context, msg notify.Message) error {
	if msg.ID == "m0000003" {
		close(m.hung)
		<-m.release
	}
	return m.deliveries.SendMail(ctx, msg)
}

// TestDispatcher_HungSendNoDuplicates_NTF1: one send of a batch hangs past
// the lease; a second dispatcher then takes over only that message — the
// others were settled as their sends returned — so no delivered message is
// delivered again.
func TestDispatcher_HungSendNoDuplicates_NTF1(t *testing.T) {
	t.Parallel()
	s := open(t)
	const total = 10
	fill(t, s, total, time.Now().Add(-time.Minute))
	rec := &deliveries{n: map[string]int{}}
	hm := hungMailer{deliveries: rec, hung: make(chan struct{}), release: make(chan struct{})}
	a, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: hm}, Owner: "a",
		BatchSize: total, Lease: time.Hour, SendTimeout: time.Hour})
	require.NoError(t, err)
	done := make(chan notify.Stats)
	go func() {
		st, err := a.RunOnce(context.Background())
		assert.NoError(t, err)
		done <- st
	}()
	<-hm.hung
	require.Eventually(t, func() bool { return a.Stats().Sent == total-1 }, 10*time.Second, 5*time.Millisecond,
		"the rest of the batch goes out while one send hangs")

	// b comes along after a's leases have run out (its clock is two hours
	// ahead) while the hung send still runs.
	b, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: rec}, Owner: "b",
		Clock: func() time.Time { return time.Now().Add(2 * time.Hour) }})
	require.NoError(t, err)
	st, err := b.RunOnce(context.Background())
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1}, st, "b takes over only the hung message")

	close(hm.release)
	st = <-done
	assert.Equal(t, notify.Stats{Sent: total, LeaseLost: 1}, st, "a's late outcome is not recorded: b owned the message")
	for i := range total {
		id := fmt.Sprintf("m%07d", i)
		want := 1
		if id == "m0000003" {
			want = 2 // the hung send went out in the end, after b's
		}
		assert.Equal(t, want, rec.n[id], "%s", id)
	}
	var counts map[notify.State]int
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		counts, err = r.Outbox().Counts(context.Background())
		return err
	}))
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: total, notify.Failed: 0}, counts)
}

// panicMailer panics on "m0000000" and delivers the others.
type panicMailer struct{ *deliveries }

func (m panicMailer) SendMail(ctx context.Context, msg notify.Message) error {
	if msg.ID == "m0000000" {
		var hooks []string
		_ = hooks[len(msg.ID)] // out of range: a notifier's bug
	}
	return m.deliveries.SendMail(ctx, msg)
}

// panicChild is the host process of TestDispatcher_PanickingNotifier: it
// drains the outbox with a notifier that panics on one message, then exits.
func panicChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, os.Getenv("DESKKIT_PANIC_DSN"))
	require.NoError(t, err)
	defer s.Close()
	f, err := os.Create(os.Getenv("DESKKIT_PANIC_LOG"))
	require.NoError(t, err)
	defer f.Close()
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: panicMailer{&deliveries{n: map[string]int{}}}},
		Retry: notify.RetryPolicy{MaxAttempts: 3, Base: 10 * time.Millisecond, Jitter: -1}, PollInterval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(f, nil))})
	require.NoError(t, err)
	st, err := d.Drain(ctx)
	require.NoError(t, err)
	fmt.Fprintf(f, "child done: %+v\n", st)
}

// TestDispatcher_PanickingNotifier_NTF1: a host whose notifier panics on a
// message lives on: the panic fails the attempt, the message is retried and
// failed for good at the limit, the others are delivered, and the process
// ends normally.
func TestDispatcher_PanickingNotifier_NTF1(t *testing.T) {
	if os.Getenv("DESKKIT_PANIC_CHILD") != "" {
		panicChild(t)
		return
	}
	t.Parallel()
	const total = 5
	dsn := migrated.Database(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	fill(t, s, total, time.Now().Add(-time.Minute))

	log := filepath.Join(t.TempDir(), "child.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDispatcher_PanickingNotifier_NTF1$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DESKKIT_PANIC_CHILD=1", "DESKKIT_PANIC_DSN="+dsn, "DESKKIT_PANIC_LOG="+log)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the host process lives: %s", out)

	b, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Contains(t, string(b), "child done: {Sent:4 Retried:2 Failed:1 Released:0 LeaseLost:0}")
	assert.Contains(t, string(b), "notifier panicked")
	assert.Contains(t, string(b), "panicMailer.SendMail", "the panic is logged with its stack")

	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		m, err := r.Outbox().Get(ctx, "m0000000")
		if err != nil {
			return err
		}
		assert.Equal(t, notify.Failed, m.State, "failed for good at the limit")
		assert.Equal(t, 3, m.Attempts)
		assert.Contains(t, m.LastError, "the notifier panicked: runtime error: index out of range [8] with length 0")
		counts, err := r.Outbox().Counts(ctx)
		assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: total - 1, notify.Failed: 1}, counts)
		return err
	}))
}
