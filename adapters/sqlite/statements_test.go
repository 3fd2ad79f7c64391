package sqlite_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/adapters/storetest"
)

// statements records the statements the store's connections run (BEGIN
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
		s = strings.Join(strings.Fields(s), " ")
		if len(s) > 160 {
			s = s[:160] + "…"
		}
		t.Log(s)
	}
	return len(c.sql)
}

// TestStatements_TicketWorkflows_STO1: the statements every ticket
// workflow runs on SQLite (BEGIN and COMMIT included), exactly, so that a
// change that adds one is noticed: each statement is a call into SQLite,
// and one the connection does not keep prepared is compiled at each call.
// Update the numbers only with a reason.
func TestStatements_TicketWorkflows_STO1(t *testing.T) {
	t.Parallel()
	c := &statements{}
	s := open(t)
	s.TraceStatements(c.add)

	counts, compiled := map[string]int{}, map[string]int{}
	storetest.TicketWorkflows(t, s, func(name string, fn func() error) {
		t.Helper()
		t.Logf("--- %s", name)
		counts[name] = c.count(t, func() { require.NoError(t, fn(), name) })
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, q := range c.sql {
			if !sqlite.Hot(q) {
				compiled[name]++
			}
		}
	})

	assert.Equal(t, map[string]int{
		"create":                              7, // BEGIN, service, trigger set version, take the write lock, ticket, history row, COMMIT
		"create, service cached":              7, // the first read fills the cache
		"create, service cached again":        5,
		"create with an idempotency key":      8,
		"create, retried with the key":        7,
		"get":                                 6,
		"update by an agent":                  10,
		"update by an agent, service cached":  8,
		"agent reply, service cached":         13, // +2: the automatic mail locks and records its address (MAIL-9)
		"agent reply":                         15, // +2: the automatic mail locks and records its address (MAIL-9)
		"agent internal note":                 11,
		"agent reply with an idempotency key": 16, // +2: the automatic mail locks and records its address (MAIL-9)
		"status change to pending":            14, // +2: the automatic mail locks and records its address (MAIL-9)
		"customer reply":                      10,
		"forward to an agent":                 12,
		"forward to a round-robin group":      17,
		"round-robin pick":                    10,
		"solve":                               14, // +2: the automatic mail locks and records its address (MAIL-9)
		"list":                                6,
		"create with a round-robin trigger":   19,
	}, counts)
	// A plain create compiles nothing: every statement it runs is one the
	// connection keeps prepared.
	assert.Equal(t, 0, compiled["create"], "statements of create compiled at each call")
	assert.Equal(t, 0, compiled["create, service cached again"], "statements of a cached create compiled at each call")
}
