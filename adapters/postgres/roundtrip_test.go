package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/postgres"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
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
	ctx := context.Background()
	rt := &roundTrips{}
	s, err := postgres.Open(ctx, migrated.Database(t), postgres.WithTracer(postgres.Options{MaxOpenConns: 2}, rt))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	desk, err := helpdesk.New(helpdesk.Config{Store: s})
	require.NoError(t, err)
	cached, err := helpdesk.New(helpdesk.Config{Store: s, ServiceCacheTTL: time.Hour})
	require.NoError(t, err)
	body := i18n.Text{"en": "#{content}"}
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "Acme", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true},
		Tickets:                helpdesk.TicketSettings{GroupAtCreation: true},
		InternalResolutionText: i18n.Text{"en": "done"},
		Mail: helpdesk.MailSettings{Resolve: helpdesk.AutoMail{Enabled: true, Body: body},
			Hold: helpdesk.AutoMail{Enabled: true, Body: body}, Manual: helpdesk.AutoMail{Enabled: true, Body: body}},
	}})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	g, err := sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support", Strategy: agent.StrategyRoundRobin})
	require.NoError(t, err)
	var agents []string
	for _, n := range []string{"Kim", "Lee", "Park"} {
		a, err := sys.Agents().Create(ctx, agent.New{Name: n, Email: strings.ToLower(n) + "@acme.example",
			Role: agent.RoleAgent, Permissions: &agent.Permissions{Ticket: true, Forward: true},
			Toggles: &agent.Toggles{TicketAssignment: true}, GroupIDs: []string{g.ID}})
		require.NoError(t, err)
		agents = append(agents, a.ID)
	}
	kim := desk.Service("acme").As(helpdesk.AgentID(agents[0]))
	n := ticket.New{Requester: ticket.Requester{Name: "C", Email: "c@example.com"}, Title: "Refund",
		Content: "Order 42", Channel: ticket.ChannelEmail, Tags: []string{"billing"}}

	var tk ticket.Ticket
	counts := map[string]int{}
	step := func(name string, fn func() error) {
		t.Helper()
		t.Logf("--- %s", name)
		counts[name] = rt.count(t, func() { require.NoError(t, fn(), name) })
	}
	step("create", func() (err error) { tk, err = sys.Tickets().Create(ctx, n); return err })
	step("create, service cached", func() error {
		_, err := cached.Service("acme").As(helpdesk.System).Tickets().Create(ctx, n)
		return err
	})
	step("create, service cached again", func() error {
		_, err := cached.Service("acme").As(helpdesk.System).Tickets().Create(ctx, n)
		return err
	})
	step("create with an idempotency key", func() error {
		k := n
		k.IdempotencyKey = "req-1"
		_, err := sys.Tickets().Create(ctx, k)
		return err
	})
	step("create, retried with the key", func() error {
		k := n
		k.IdempotencyKey = "req-1"
		_, err := sys.Tickets().Create(ctx, k)
		return err
	})
	step("get", func() error { _, err := kim.Tickets().Get(ctx, tk.ID); return err })
	step("update by an agent", func() error {
		title := "Refund, please"
		var err error
		tk, err = kim.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: &title})
		return err
	})
	cachedKim := cached.Service("acme").As(helpdesk.AgentID(agents[0]))
	step("update by an agent, service cached", func() error {
		title := "Refund, please!"
		var err error
		tk, err = cachedKim.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: &title})
		return err
	})
	step("agent reply, service cached", func() error {
		_, err := cachedKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Looking"})
		return err
	})
	step("agent reply", func() error {
		_, err := kim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "On its way"})
		return err
	})
	step("agent internal note", func() error {
		_, err := kim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "checked", Internal: true})
		return err
	})
	step("agent reply with an idempotency key", func() error {
		_, err := kim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Again", IdempotencyKey: "req-2"})
		return err
	})
	step("status change to pending", func() error {
		_, err := kim.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
		return err
	})
	step("customer reply", func() error {
		_, err := sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "Still broken"})
		return err
	})
	step("forward to an agent", func() error {
		_, err := kim.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: agents[1]})
		return err
	})
	step("forward to a round-robin group", func() error {
		_, err := kim.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: g.ID})
		return err
	})
	step("round-robin pick", func() error { _, err := sys.Groups().NextAssignee(ctx, g.ID); return err })
	step("solve", func() error { _, err := kim.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{}); return err })
	step("list", func() error { _, err := kim.Tickets().List(ctx, ticket.Filter{}); return err })

	_, err = sys.Triggers().Create(ctx, trigger.New{Name: "round robin",
		All:     []trigger.Condition{{Target: trigger.TargetEvent, Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: g.ID}}})
	require.NoError(t, err)
	step("create with a round-robin trigger", func() error { _, err := sys.Tickets().Create(ctx, n); return err })

	assert.Equal(t, map[string]int{
		"create":                              3,
		"create, service cached":              3, // the first read fills the cache
		"create, service cached again":        2,
		"create with an idempotency key":      4,
		"create, retried with the key":        5,
		"get":                                 5,
		"update by an agent":                  6,
		"update by an agent, service cached":  5,
		"agent reply, service cached":         10, // +2: the automatic mail locks and records its address (MAIL-9)
		"agent reply":                         11, // +2: the automatic mail locks and records its address (MAIL-9)
		"agent internal note":                 7,
		"agent reply with an idempotency key": 12, // +2: the automatic mail locks and records its address (MAIL-9)
		"status change to pending":            10, // +2: the automatic mail locks and records its address (MAIL-9)
		"customer reply":                      6,
		"forward to an agent":                 8,
		"forward to a round-robin group":      12,
		"round-robin pick":                    7,
		"solve":                               10, // +2: the automatic mail locks and records its address (MAIL-9)
		"list":                                5,
		"create with a round-robin trigger":   10,
	}, counts)
}
