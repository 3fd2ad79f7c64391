package sqlite_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/sqlite"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
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
	ctx := context.Background()
	c := &statements{}
	s := open(t)
	s.TraceStatements(c.add)

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
	counts, compiled := map[string]int{}, map[string]int{}
	step := func(name string, fn func() error) {
		t.Helper()
		t.Logf("--- %s", name)
		counts[name] = c.count(t, func() { require.NoError(t, fn(), name) })
		compiled[name] = 0
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, q := range c.sql {
			if !sqlite.Hot(q) {
				compiled[name]++
			}
		}
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
		"create":                              7, // BEGIN, service, trigger set version, take the write lock, ticket, history row, COMMIT
		"create, service cached":              7, // the first read fills the cache
		"create, service cached again":        5,
		"create with an idempotency key":      8,
		"create, retried with the key":        7,
		"get":                                 6,
		"update by an agent":                  10,
		"update by an agent, service cached":  8,
		"agent reply, service cached":         11,
		"agent reply":                         13,
		"agent internal note":                 11,
		"agent reply with an idempotency key": 14,
		"status change to pending":            12,
		"customer reply":                      10,
		"forward to an agent":                 12,
		"forward to a round-robin group":      17,
		"round-robin pick":                    10,
		"solve":                               12,
		"list":                                6,
		"create with a round-robin trigger":   19,
	}, counts)
	// A plain create compiles nothing: every statement it runs is one the
	// connection keeps prepared.
	assert.Equal(t, 0, compiled["create"], "statements of create compiled at each call")
	assert.Equal(t, 0, compiled["create, service cached again"], "statements of a cached create compiled at each call")
}
