package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// fileMailer "delivers" by appending "id key" lines to a file, the way a
// real receiver would see deliveries.
type fileMailer struct {
	mu    sync.Mutex
	f     *os.File
	delay time.Duration
}

func (m *fileMailer) SendMail(_ context.Context, msg notify.Message) error {
	time.Sleep(m.delay)
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := fmt.Fprintf(m.f, "%s %s\n", msg.ID, msg.IdempotencyKey)
	return err
}

const crashLease = 5 * time.Second

// crashChild is the dispatcher process the test kills: it delivers slowly
// until SIGKILL arrives (or a minute passes, if the parent died).
func crashChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, os.Getenv("DESKKIT_CRASH_DSN"))
	require.NoError(t, err)
	f, err := os.OpenFile(os.Getenv("DESKKIT_CRASH_LOG"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	require.NoError(t, err)
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: &fileMailer{f: f, delay: 5 * time.Millisecond}},
		BatchSize: 50, Concurrency: 4, Lease: crashLease, PollInterval: 10 * time.Millisecond, Owner: "child"})
	require.NoError(t, err)
	_ = d.Run(ctx)
}

// TestDispatcher_CrashSafety_NTF1: a dispatcher process killed with SIGKILL
// mid-batch, then a new one: every message is delivered at least once, and
// the only repeats are the in-flight batch, under the same idempotency key.
func TestDispatcher_CrashSafety_NTF1(t *testing.T) {
	if os.Getenv("DESKKIT_CRASH_CHILD") != "" {
		crashChild(t)
		return
	}
	t.Parallel() // mostly waiting for the child: overlap it with other tests
	const total = 600
	dsn := migrated.Database(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	fill(t, s, total, time.Now().Add(-time.Minute))

	log := filepath.Join(t.TempDir(), "deliveries.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDispatcher_CrashSafety_NTF1$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DESKKIT_CRASH_CHILD=1", "DESKKIT_CRASH_DSN="+dsn, "DESKKIT_CRASH_LOG="+log)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	// Kill halfway through the fifth batch of 50: 25 delivered, not settled.
	for countLines(t, log) < 225 {
		require.True(t, time.Now().Before(deadline), "the child delivered nothing")
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	before := countLines(t, log)
	require.Less(t, before, total, "killed mid-run")

	// A new dispatcher, once the dead one's leases have run out.
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer f.Close()
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: &fileMailer{f: f}},
		Lease: crashLease, Clock: func() time.Time { return time.Now().Add(2 * crashLease) }})
	require.NoError(t, err)
	drain(t, []*notify.Dispatcher{d})

	keys := map[string][]string{}
	lf, err := os.Open(log)
	require.NoError(t, err)
	defer lf.Close()
	sc := bufio.NewScanner(lf)
	for sc.Scan() {
		id, key, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, "line %q", sc.Text())
		keys[id] = append(keys[id], key)
	}
	require.NoError(t, sc.Err())
	dupes := 0
	for i := range total {
		id := fmt.Sprintf("m%07d", i)
		ks := keys[id]
		require.NotEmpty(t, ks, "message %s lost", id)
		for _, k := range ks {
			assert.Equal(t, fmt.Sprintf("k%07d", i), k, "a repeat carries the same idempotency key")
		}
		dupes += len(ks) - 1
	}
	// Each message is settled as its send returns, so a kill repeats at
	// most the sends in flight (delivered, not yet settled): often none.
	assert.LessOrEqual(t, dupes, 50, "only the sends in flight are repeated")
	t.Logf("child delivered %d before SIGKILL; %d repeated after restart", before, dupes)
	var counts map[notify.State]int
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) (err error) {
		counts, err = r.Outbox().Counts(ctx)
		return err
	}))
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: total, notify.Failed: 0}, counts)
}

func countLines(t *testing.T, path string) int {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return strings.Count(string(b), "\n")
}
