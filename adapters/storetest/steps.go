package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/trigger"
)

// TicketWorkflows runs every ticket workflow once on s, in a new service
// "acme", each as one named step: step runs fn (which must succeed) and
// measures what it likes around it — the SQL stores count the round trips
// or statements of each workflow. Plain and cached-settings desks both
// run, so the names say which.
func TicketWorkflows(t *testing.T, s helpdesk.Store, step func(name string, fn func() error)) {
	t.Helper()
	ctx := context.Background()
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

}
