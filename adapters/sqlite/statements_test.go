package sqlite_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/storetest"
	"github.com/deskkit/deskkit/helpdesk"
)

// statements counts the statements the store's connections run (BEGIN
// and COMMIT included), bun's and the hot ones alike.
type statements struct {
	mu  sync.Mutex
	sql []string
}

func (c *statements) add(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sql = append(c.sql, query)
}

// count returns the statements fn ran, logging each.
func (c *statements) count(t *testing.T, fn func()) int {
	t.Helper()
	c.mu.Lock()
	c.sql = nil
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sql {
		if len(s) > 160 {
			s = s[:160] + "…"
		}
		t.Log(strings.ReplaceAll(s, "\n", " "))
	}
	return len(c.sql)
}

// TestStatements_CreateTicket_STO1: the statements a ticket's creation
// runs on SQLite, exactly (BEGIN and COMMIT included), so that a change
// that adds one is noticed. Update the numbers only with a reason.
func TestStatements_CreateTicket_STO1(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	c := &statements{}
	s.TraceStatements(c.add)
	d, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: "bench", Settings: helpdesk.Settings{
		Name: "Bench", Languages: []string{"ko"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(t, err)
	sess := d.Service("bench").As(helpdesk.System)
	n := storetest.BenchNewTicket()
	_, err = sess.Tickets().Create(ctx, n) // warm
	require.NoError(t, err)
	got := c.count(t, func() {
		_, err = sess.Tickets().Create(ctx, n)
		require.NoError(t, err)
	})
	assert.Equal(t, 7, got)
}
