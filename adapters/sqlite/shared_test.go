package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// TestSharedFile_TwoStores_STO1: two stores on one file (as two processes
// would open it: each its own connections and its own queue of writers)
// create tickets at once through their desks. Every call succeeds — no
// "database is locked", no conflict — and the numbers run 1..n once each
// (TKT-8).
func TestSharedFile_TwoStores_STO1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "desk.db")
	var desks []*helpdesk.Desk
	for range 2 {
		s, err := sqlite.Open(ctx, file, sqlite.Options{Synchronous: sqlite.SyncNormal, MaxOpenConns: 4})
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		d, err := helpdesk.New(helpdesk.Config{Store: s})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		desks = append(desks, d)
	}
	_, err := desks[0].CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)

	const workers, each = 4, 25
	var mu sync.Mutex
	var numbers []int64
	var wg sync.WaitGroup
	for w := range 2 * workers {
		sess := desks[w%2].Service("acme").As(helpdesk.System)
		wg.Go(func() {
			for i := range each {
				tk, err := sess.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@example.com"},
					Title: fmt.Sprintf("ticket %d/%d", w, i), Content: "content", Channel: ticket.ChannelEmail})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				numbers = append(numbers, tk.Number)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(numbers)
	want := make([]int64, 2*workers*each)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, numbers)
}
