package helpdesk_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// TestPermissions_SVC3 calls every workflow as every kind of actor: allowed
// calls succeed, denied ones return ErrForbidden and change nothing.
func TestPermissions_SVC3(t *testing.T) {
	type actor string
	const (
		system  actor = "system"
		admin   actor = "admin"
		member  actor = "agent"
		foreign actor = "agent of another service"
		unknown actor = "unknown agent"
	)
	all := []actor{system, admin, member, foreign, unknown}
	anyAgent := []actor{system, admin, member}
	adminOnly := []actor{system, admin}
	workflows := []struct {
		name    string
		allowed []actor
		call    func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error
	}{
		{"Ticket", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.Ticket(ctx, tk.ID)
			return err
		}},
		{"TicketByNumber", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.TicketByNumber(ctx, tk.Number)
			return err
		}},
		{"Tickets", anyAgent, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.Tickets(ctx, ticket.Filter{})
			return err
		}},
		{"Comments", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.Comments(ctx, tk.ID)
			return err
		}},
		{"History", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.History(ctx, tk.ID)
			return err
		}},
		{"Settings", anyAgent, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.Settings(ctx)
			return err
		}},
		{"Agents", anyAgent, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.Agents(ctx)
			return err
		}},
		{"CreateTicket", anyAgent, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.CreateTicket(ctx, newTicket())
			return err
		}},
		{"UpdateTicket", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.UpdateTicket(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("new title")})
			return err
		}},
		{"ChangeStatus", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.ChangeStatus(ctx, tk.ID, ticket.StatusPending)
			return err
		}},
		{"Reply", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.Reply(ctx, tk.ID, helpdesk.Reply{Body: "hi"})
			return err
		}},
		{"Note", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.Reply(ctx, tk.ID, helpdesk.Reply{Body: "hi", Internal: true})
			return err
		}},
		{"Solve", anyAgent, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.Solve(ctx, tk.ID, helpdesk.SolveOptions{Internal: true})
			return err
		}},
		{"CustomerReply", []actor{system}, func(ctx context.Context, s *helpdesk.Session, tk ticket.Ticket) error {
			_, err := s.CustomerReply(ctx, tk.ID, "hi")
			return err
		}},
		{"ExportHistory", adminOnly, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			return s.ExportHistory(ctx, &bytes.Buffer{}, helpdesk.CSV, ticket.ChangeFilter{})
		}},
		{"UpdateSettings", adminOnly, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.UpdateSettings(ctx, 1, helpdesk.Settings{Name: "Renamed", Languages: []string{"ko"}})
			return err
		}},
		{"CreateAgent", adminOnly, func(ctx context.Context, s *helpdesk.Session, _ ticket.Ticket) error {
			_, err := s.CreateAgent(ctx, agent.New{Name: "New", Email: "new@acme.example", Role: agent.RoleAgent})
			return err
		}},
	}
	for _, w := range workflows {
		for _, a := range all {
			t.Run(fmt.Sprintf("%s/%s", w.name, a), func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t)
				tk := f.ticket(t)
				s := map[actor]*helpdesk.Session{
					system: f.sys, admin: f.admin, member: f.agent,
					foreign: f.acme.As(helpdesk.AgentID(f.foreignAgentID)),
					unknown: f.acme.As(helpdesk.AgentID("no-such-agent")),
				}[a]
				before := f.snapshot(t)
				err := w.call(ctx, s, tk)
				allowed := false
				for _, x := range w.allowed {
					allowed = allowed || x == a
				}
				if allowed {
					assert.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, helpdesk.ErrForbidden)
				assert.Equal(t, before, f.snapshot(t), "a denied call changes nothing")
			})
		}
	}
}

// snapshot is everything a workflow could change, as the system sees it.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	p, err := f.sys.Tickets(ctx, ticket.Filter{Limit: ticket.MaxPageSize})
	require.NoError(t, err)
	for _, tk := range p.Tickets {
		fmt.Fprintf(&b, "%+v\n", tk)
		cs, err := f.sys.Comments(ctx, tk.ID)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%+v\n", cs)
	}
	require.NoError(t, f.sys.ExportHistory(ctx, &b, helpdesk.CSV, ticket.ChangeFilter{}))
	c, err := f.sys.Settings(ctx)
	require.NoError(t, err)
	ags, err := f.sys.Agents(ctx)
	require.NoError(t, err)
	fmt.Fprintf(&b, "%+v\n%+v\n", c, ags)
	return b.String()
}
