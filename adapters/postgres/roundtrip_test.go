package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/adapters/storetest"
)

// roundTrips counts the round trips the store's connections make: every
// statement (BEGIN and COMMIT included) and every batch of pipelined
// statements is one. The prepare of a hot statement, once per connection,
// is not counted: it depends on which pooled connection a call gets.
type roundTrips struct {
	mu  sync.Mutex
	n   int
	sql []string
}

func (c *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(d.SQL)
	return ctx
}

func (c *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	var qs []string
	for _, q := range d.Batch.QueuedQueries {
		qs = append(qs, q.SQL)
	}
	c.add("batch: " + strings.Join(qs, "; "))
	return ctx
}

func (c *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (c *roundTrips) add(sql string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.sql = append(c.sql, sql)
}

// openCounted opens a store of two connections on dsn whose round trips
// the returned counter counts; cache is Options.ServiceCache.
func openCounted(t *testing.T, dsn string, cache int) (*postgres.Store, *roundTrips) {
	t.Helper()
	rt := &roundTrips{}
	s, err := postgres.Open(context.Background(), dsn, postgres.WithTracer(postgres.Options{MaxOpenConns: 2, ServiceCache: cache}, rt))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, rt
}

// count returns the round trips fn made.
func (c *roundTrips) count(t *testing.T, fn func()) int {
	t.Helper()
	c.mu.Lock()
	c.n, c.sql = 0, nil
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sql {
		if len(s) > 160 {
			s = s[:160] + "…"
		}
		t.Log(s)
	}
	return c.n
}

// TestRoundTrips_TicketWorkflows: the round trips of every ticket workflow
// on Postgres (BEGIN and COMMIT included), exactly, so that a change that
// adds one is noticed (STO-1: the store persists, reads and locks in as
// few trips as it can). Update the numbers only with a reason.
func TestRoundTrips_TicketWorkflows(t *testing.T) {
	t.Parallel()
	s, rt := openCounted(t, migrated.Database(t), 0)

	counts := map[string]int{}
	storetest.TicketWorkflows(t, s, func(name string, fn func() error) {
		t.Helper()
		t.Logf("--- %s", name)
		counts[name] = rt.count(t, func() { require.NoError(t, fn(), name) })
	})

	// "menu": the ticket menu's access is read with the service's record
	// (readAhead), not on its own; "members": a group's members are read
	// with the group, and "members' agents" their agents (ListIn); "cache": the service's record comes from the store's
	// cache, checked in the batch of the first statement (servicecache.go).
	// The workflows run in order, so every one after the first finds the
	// record cached, except after the trigger write of the last.
	assert.Equal(t, map[string]int{
		"create":                              1, // -1: the ticket's write goes with COMMIT (helpdesk.Finisher); -1: cache
		"create, service cached":              1, // the desk reads the record once, from the store's cache
		"create, service cached again":        1, // one batch [BEGIN, create, COMMIT]
		"create with an idempotency key":      3, // [BEGIN, check], the key (bun), [create, COMMIT]
		"create, retried with the key":        5,
		"get":                                 3, // -1: menu; -1: cache
		"update by an agent":                  3, // -1: the ticket's update goes with COMMIT; -1: menu; -1: cache
		"update by an agent, service cached":  4, // -1: the ticket's update goes with COMMIT (the menu is read on its own)
		"agent reply, service cached":         9, // +2: the automatic mail locks and records its address (MAIL-9); -1: its outbox write goes with COMMIT
		"agent reply":                         8, // +2: the automatic mail locks and records its address (MAIL-9); -1: its outbox write goes with COMMIT; -1: menu; -1: cache
		"agent internal note":                 4, // -1: no mail owed, no Dooray! task: the ticket's update goes with COMMIT; -1: menu; -1: cache
		"agent reply with an idempotency key": 9, // +2: the automatic mail locks and records its address (MAIL-9); -1: its outbox write goes with COMMIT; -1: menu; -1: cache
		"status change to pending":            7, // +2: the automatic mail locks and records its address (MAIL-9); -1: its outbox write goes with COMMIT; -1: menu; -1: cache
		"customer reply":                      4, // -1: the ticket's update goes with COMMIT (no Dooray! task to tell); -1: cache
		"forward to an agent":                 4, // -1: the ticket's update goes with COMMIT; -2: menu (the forwarder's and the target's check); -1: cache
		"forward to a round-robin group":      6, // -1: the ticket's update goes with COMMIT; -2: menu; -1: members; -1: cache; -1: members' agents
		"round-robin pick":                    2, // -1: the cursor's advance goes with COMMIT; -1: menu; -1: members; -1: cache; -1: members' agents
		"solve":                               7, // +2: the automatic mail locks and records its address (MAIL-9); -1: its outbox write goes with COMMIT; -1: menu; -1: cache
		"list":                                3, // -1: menu; -1: cache
		"create with a round-robin trigger":   6, // -1: the ticket's write (after the cursor's) goes with COMMIT; -1: menu; -1: members; -1: members' agents (the trigger's write emptied the cache)
	}, counts)
}
