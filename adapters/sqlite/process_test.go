package sqlite_test

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

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// These tests start this test binary again as child processes that share
// one database file with the parent (DESKKIT_SQLITE_CHILD names the role).

// child starts the test binary as a child running test name with env.
func child(t *testing.T, name string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "DESKKIT_SQLITE_CHILD=1"), env...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	require.NoError(t, cmd.Start())
	return cmd
}

// fill creates service "acme" (if needed) and enqueues n pending messages
// due at due, in transactions of 1,000.
func fill(tb testing.TB, s *sqlite.Store, n int, due time.Time) {
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

// fileMailer "delivers" by appending "id key" lines to a file, the way a
// real receiver would see deliveries.
type fileMailer struct {
	mu sync.Mutex
	f  *os.File
}

func (m *fileMailer) SendMail(_ context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := fmt.Fprintf(m.f, "%s %s\n", msg.ID, msg.IdempotencyKey)
	return err
}

// dispatchChild drains the outbox of the shared file into its own log.
func dispatchChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := sqlite.Open(ctx, os.Getenv("DESKKIT_SQLITE_FILE"), sqlite.Options{Synchronous: sqlite.SyncNormal})
	require.NoError(t, err)
	defer s.Close()
	f, err := os.OpenFile(os.Getenv("DESKKIT_SQLITE_LOG"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	require.NoError(t, err)
	defer f.Close()
	d, err := notify.NewDispatcher(notify.DispatcherConfig{Queue: s, Notifiers: notify.Notifiers{Mail: &fileMailer{f: f}},
		BatchSize: 20, Concurrency: 4, Lease: time.Hour, PollInterval: 5 * time.Millisecond, Owner: os.Getenv("DESKKIT_SQLITE_OWNER")})
	require.NoError(t, err)
	_, err = d.Drain(ctx)
	require.NoError(t, err)
}

// TestDispatcher_TwoProcesses_NTF1: two dispatcher processes drain one
// file's outbox side by side; every message is delivered exactly once
// (their leases outlast the test, so no claim is ever taken over).
func TestDispatcher_TwoProcesses_NTF1(t *testing.T) {
	if os.Getenv("DESKKIT_SQLITE_CHILD") != "" {
		dispatchChild(t)
		return
	}
	t.Parallel()
	const total = 2000
	dir := t.TempDir()
	file := filepath.Join(dir, "desk.db")
	s, err := sqlite.Open(context.Background(), file, sqlite.Options{Synchronous: sqlite.SyncNormal})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
	fill(t, s, total, time.Now().Add(-time.Minute))

	var cmds []*exec.Cmd
	for i := range 2 {
		cmds = append(cmds, child(t, "TestDispatcher_TwoProcesses_NTF1", "DESKKIT_SQLITE_FILE="+file,
			fmt.Sprintf("DESKKIT_SQLITE_LOG=%s/deliveries-%d.log", dir, i), fmt.Sprintf("DESKKIT_SQLITE_OWNER=child-%d", i)))
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	seen := map[string]int{}
	perChild := make([]int, len(cmds))
	for i := range cmds {
		for _, line := range lines(t, fmt.Sprintf("%s/deliveries-%d.log", dir, i)) {
			id, _, _ := strings.Cut(line, " ")
			seen[id]++
			perChild[i]++
		}
	}
	for i := range total {
		assert.Equal(t, 1, seen[fmt.Sprintf("m%07d", i)], "message %d delivered once", i)
	}
	t.Logf("deliveries per child: %v", perChild)
	var counts map[notify.State]int
	require.NoError(t, s.Tx(context.Background(), "acme", func(r helpdesk.Repos) (err error) {
		counts, err = r.Outbox().Counts(context.Background())
		return err
	}))
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: total, notify.Failed: 0}, counts)
}

// lines returns the lines of the file at path (none if it does not exist).
func lines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	require.NoError(t, sc.Err())
	return out
}

// writeChild writes tickets, each with its history and an outbox message,
// in one transaction each, and logs the id of each one whose Tx returned,
// until it is killed.
func writeChild(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, os.Getenv("DESKKIT_SQLITE_FILE")) // the default level: SyncFull
	require.NoError(t, err)
	f, err := os.OpenFile(os.Getenv("DESKKIT_SQLITE_LOG"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	require.NoError(t, err)
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		tk := ticket.Ticket{ID: fmt.Sprintf("t%07d", i), Version: 1, Title: "title", Content: strings.Repeat("content ", 100),
			Channel: ticket.ChannelEmail, Language: "ko", Status: ticket.StatusNew, Priority: ticket.PriorityNormal, CreatedAt: at, UpdatedAt: at}
		err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			hist := []ticket.Change{
				{TicketID: tk.ID, At: at, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated, Field: "status", To: "new"},
				{TicketID: tk.ID, At: at, ActorKind: ticket.ActorSystem, Event: ticket.EventCreated, Field: "title", To: "title"},
			}
			if err := r.Tickets().Create(ctx, &tk, hist); err != nil {
				return err
			}
			return r.Outbox().Enqueue(ctx, notify.Message{ID: "m" + tk.ID, Medium: notify.Email, Recipient: "c@example.com",
				Payload: notify.Payload{Subject: "created", Text: "created"}, IdempotencyKey: "k" + tk.ID,
				Source: notify.Source{Kind: "ticket", TicketID: tk.ID}, State: notify.Pending, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at})
		})
		require.NoError(t, err)
		_, err = fmt.Fprintf(f, "%s %d\n", tk.ID, tk.Number)
		require.NoError(t, err)
	}
}

// TestDurability_SIGKILL_STO1: a process writing tickets is killed with
// SIGKILL mid-write; reopened, the file holds every ticket whose Tx
// returned, and nothing partial: every ticket has its two history rows
// and its outbox message, every message its ticket, and the numbers run
// 1..n without gaps.
func TestDurability_SIGKILL_STO1(t *testing.T) {
	if os.Getenv("DESKKIT_SQLITE_CHILD") != "" {
		writeChild(t)
		return
	}
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	file, log := filepath.Join(dir, "desk.db"), filepath.Join(dir, "written.log")
	s, err := sqlite.Open(ctx, file)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		return r.Service().Create(ctx, helpdesk.ServiceConfig{ID: "acme", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now()})
	}))
	require.NoError(t, s.Close())

	cmd := child(t, "TestDurability_SIGKILL_STO1", "DESKKIT_SQLITE_FILE="+file, "DESKKIT_SQLITE_LOG="+log)
	deadline := time.Now().Add(time.Minute)
	for len(lines(t, log)) < 300 {
		require.True(t, time.Now().Before(deadline), "the child wrote too little")
		time.Sleep(2 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	written := lines(t, log)

	s, err = sqlite.Open(ctx, file)
	require.NoError(t, err)
	defer s.Close()
	var check string
	require.NoError(t, s.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	var n, histories, messages, orphans int
	db := s.DB()
	var maxNumber int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*), coalesce(max(number), 0) FROM tickets").Scan(&n, &maxNumber))
	assert.Equal(t, n, maxNumber, "numbers 1..n without gaps")
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*) FROM tickets t WHERE (SELECT count(*) FROM ticket_changes c WHERE c.service_id = t.service_id AND c.ticket_id = t.id) = 2").Scan(&histories))
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*) FROM tickets t WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.service_id = t.service_id AND o.source_ticket_id = t.id)").Scan(&messages))
	require.NoError(t, db.QueryRowContext(ctx,
		"SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.service_id = o.service_id AND t.id = o.source_ticket_id)").Scan(&orphans))
	assert.Equal(t, n, histories, "every ticket has its history")
	assert.Equal(t, n, messages, "every ticket has its message")
	assert.Zero(t, orphans, "no message without its ticket")
	assert.GreaterOrEqual(t, n, len(written), "every returned write is there")
	for _, line := range written {
		id, num, _ := strings.Cut(line, " ")
		var got string
		require.NoError(t, db.QueryRowContext(ctx, "SELECT id FROM tickets WHERE service_id = 'acme' AND number = ?", num).Scan(&got))
		assert.Equal(t, id, got, "ticket #%s", num)
	}
	t.Logf("%d writes returned before SIGKILL; %d tickets stored", len(written), n)
}
