package helpdesk_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// actor kinds of the permission table.
const (
	aSystem     = "system"
	aAdmin      = "admin"
	aTicket     = "agent+ticket"
	aForward    = "agent+ticket+forward"
	aExport     = "agent+export"
	aLogs       = "agent+view_logs"
	aBare       = "agent without permissions"
	aRestricted = "agent+ticket restricted from ticket menu"
	aInactive   = "inactive agent+ticket"
	aForeign    = "agent of another service"
	aUnknown    = "unknown agent"
)

var allActors = []string{aSystem, aAdmin, aTicket, aForward, aExport, aLogs, aBare, aRestricted, aInactive, aForeign, aUnknown}

// permFixture adds one agent per permission combination to a fixture.
type permFixture struct {
	*fixture
	ids map[string]string
}

func newPermFixture(t *testing.T) *permFixture {
	t.Helper()
	ctx := context.Background()
	f := &permFixture{fixture: newFixture(t), ids: map[string]string{}}
	f.ids[aSystem] = f.adminID // System acts on behalf of someone where a call needs an agent id
	f.ids[aAdmin] = f.adminID
	f.ids[aTicket] = f.agentID
	f.ids[aForeign] = f.foreignAgentID
	f.ids[aUnknown] = "no-such-agent"
	add := func(key string, p agent.Permissions) {
		a, err := f.sys.Agents().Create(ctx, agent.New{Name: key, Email: fmt.Sprintf("a%d@acme.example", len(f.ids)), Role: agent.RoleAgent,
			Permissions: &p, Toggles: &agent.Toggles{TicketAssignment: true}})
		require.NoError(t, err)
		f.ids[key] = a.ID
	}
	add(aForward, agent.Permissions{Ticket: true, Forward: true})
	add(aExport, agent.Permissions{Export: true})
	add(aLogs, agent.Permissions{ViewLogs: true})
	add(aBare, agent.Permissions{})
	add(aRestricted, agent.Permissions{Ticket: true})
	add(aInactive, agent.Permissions{Ticket: true})
	_, err := f.sys.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuTickets, Partial: true, Restricted: []string{f.ids[aRestricted]}})
	require.NoError(t, err)
	in, err := f.sys.Agents().Get(ctx, f.ids[aInactive])
	require.NoError(t, err)
	_, err = f.sys.Agents().Update(ctx, in.ID, agent.Update{Version: in.Version, Active: ptr(false)})
	require.NoError(t, err)
	return f
}

func (f *permFixture) session(who string) *helpdesk.Session {
	if who == aSystem {
		return f.sys
	}
	return f.acme.As(helpdesk.AgentID(f.ids[who]))
}

// TestPermissions_SVC3_AGT4 calls every workflow as every role and
// permission combination: allowed calls succeed, denied ones return
// ErrForbidden and change nothing.
func TestPermissions_SVC3_AGT4(t *testing.T) {
	anyActive := []string{aSystem, aAdmin, aTicket, aForward, aExport, aLogs, aBare, aRestricted}
	ticketWork := []string{aSystem, aAdmin, aTicket, aForward}
	adminOnly := []string{aSystem, aAdmin}
	type call func(ctx context.Context, f *permFixture, s *helpdesk.Session, who string, tk ticket.Ticket) error
	workflows := []struct {
		name    string
		allowed []string
		call    call
	}{
		{"Ticket", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Get(ctx, tk.ID)
			return err
		}},
		{"TicketByNumber", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().ByNumber(ctx, tk.Number)
			return err
		}},
		{"Tickets", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Tickets().List(ctx, ticket.Filter{})
			return err
		}},
		{"Comments", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Comments(ctx, tk.ID)
			return err
		}},
		{"History", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().History(ctx, tk.ID)
			return err
		}},
		{"CreateTicket", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Tickets().Create(ctx, newTicket())
			return err
		}},
		{"UpdateTicket", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("new title")})
			return err
		}},
		{"ChangeStatus", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
			return err
		}},
		{"Reply", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "hi"})
			return err
		}},
		{"ReplyWithTemplate", ticketWork, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: f.ids["template"], Additions: "#{as written}", Status: ticket.StatusPending})
			return err
		}},
		{"Note", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "hi", Internal: true})
			return err
		}},
		{"Solve", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
			return err
		}},
		{"Forward", []string{aSystem, aAdmin, aForward}, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: f.agentID})
			return err
		}},
		{"UpdateTicketAssignee", []string{aSystem, aAdmin, aForward}, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, AssigneeID: ptr(f.agentID)})
			return err
		}},
		{"NextAssignee", ticketWork, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Groups().NextAssignee(ctx, f.ids["group"])
			return err
		}},
		{"CustomerReply", []string{aSystem}, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().CustomerReply(ctx, tk.ID, "hi")
			return err
		}},
		{"ExportHistory", []string{aSystem, aAdmin, aExport}, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			return s.Tickets().ExportHistory(ctx, &bytes.Buffer{}, helpdesk.CSV, ticket.ChangeFilter{})
		}},
		{"LoginLog", []string{aSystem, aAdmin, aLogs}, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().LoginLog(ctx, agent.LoginFilter{})
			return err
		}},
		{"RecordOwnLogin", anyActive, func(ctx context.Context, f *permFixture, s *helpdesk.Session, who string, _ ticket.Ticket) error {
			_, err := s.Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: f.ids[who], Kind: agent.Login, Address: "10.0.0.1"})
			return err
		}},
		{"RecordLogsAgentsLogin", []string{aSystem, aLogs}, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: f.ids[aLogs], Kind: agent.Logout})
			return err
		}},
		{"Settings", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Configuration().Get(ctx)
			return err
		}},
		{"Agents", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().List(ctx)
			return err
		}},
		{"Groups", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Groups().List(ctx)
			return err
		}},
		{"MenuAccess", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().MenuAccess(ctx)
			return err
		}},
		{"UpdateSettings", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Configuration().Update(ctx, 1, helpdesk.Settings{Name: "Renamed", Languages: []string{"ko"}, Channels: helpdesk.Channels{Ticket: true}})
			return err
		}},
		{"CreateAgent", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().Create(ctx, agent.New{Name: "New", Email: "new@acme.example", Role: agent.RoleAgent})
			return err
		}},
		{"UpdateAgent", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().Update(ctx, f.agentID, agent.Update{Version: 1, Role: ptr(agent.RoleAdmin)})
			return err
		}},
		{"SetOthersToggles", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().SetToggles(ctx, f.ids[aForward], agent.Toggles{})
			return err
		}},
		{"CreateGroup", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Groups().Create(ctx, helpdesk.NewGroup{Name: "New group"})
			return err
		}},
		{"AddGroupMember", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Groups().AddMember(ctx, f.ids["group"], f.ids[aForward])
			return err
		}},
		{"CreateCategory", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "결제"}})
			return err
		}},
		{"CategoryTree", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Categories().Tree(ctx, category.Intake)
			return err
		}},
		{"CreateField", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Fields().Create(ctx, field.New{Key: "order", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "주문"}})
			return err
		}},
		{"Fields", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Fields().List(ctx)
			return err
		}},
		{"AddForbiddenWords", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.ForbiddenWords().Add(ctx, "바보")
			return err
		}},
		{"PreviewReply", ticketWork, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().PreviewReply(ctx, tk.ID, "Hello #{customerName}")
			return err
		}},
		{"PreviewTemplateReply", ticketWork, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Tickets().PreviewTemplateReply(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: f.ids["template"]})
			return err
		}},
		{"SetMenuAccess", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Agents().SetMenuAccess(ctx, agent.MenuAccess{Menu: agent.MenuStatistics, Partial: true, Restricted: []string{f.ids[aBare]}})
			return err
		}},
		{"TriggerSchema", anyActive, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().Schema(ctx)
			return err
		}},
		{"CreateTrigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().Create(ctx, trigger.New{Name: "to support",
				All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
				Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: f.ids["group"]}}})
			return err
		}},
		{"UpdateTrigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().Update(ctx, f.ids["trigger"], trigger.New{Name: "renamed",
				All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
				Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "high"}}})
			return err
		}},
		{"Trigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().Get(ctx, f.ids["trigger"])
			return err
		}},
		{"Triggers", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().List(ctx)
			return err
		}},
		{"ActivateTrigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			return s.Triggers().Activate(ctx, f.ids["inactive trigger"])
		}},
		{"DeactivateTrigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			return s.Triggers().Deactivate(ctx, f.ids["trigger"])
		}},
		{"ReorderTriggers", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			return s.Triggers().Reorder(ctx, []string{f.ids["trigger 2"], f.ids["trigger"]})
		}},
		{"DeleteTrigger", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			return s.Triggers().Delete(ctx, f.ids["inactive trigger"])
		}},
		{"TriggerSource", adminOnly, func(ctx context.Context, f *permFixture, s *helpdesk.Session, _ string, _ ticket.Ticket) error {
			_, err := s.Triggers().Source(ctx, f.ids["trigger"])
			return err
		}},
		{"DryRun", adminOnly, func(ctx context.Context, _ *permFixture, s *helpdesk.Session, _ string, tk ticket.Ticket) error {
			_, err := s.Triggers().DryRun(ctx, tk.ID, ticket.EventUpdated, &ticket.Update{Version: tk.Version, Priority: ptr(ticket.PriorityUrgent)})
			return err
		}},
	}
	for _, w := range workflows {
		for _, who := range allActors {
			t.Run(w.name+"/"+who, func(t *testing.T) {
				ctx := context.Background()
				f := newPermFixture(t)
				g, err := f.sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support", Strategy: agent.StrategyRoundRobin})
				require.NoError(t, err)
				_, err = f.sys.Groups().AddMember(ctx, g.ID, f.agentID)
				require.NoError(t, err)
				f.ids["group"] = g.ID
				tp, err := f.sys.Templates().Create(ctx, template.New{Title: "Hello", Content: "Hello #{customerName}", Code: "hello"})
				require.NoError(t, err)
				f.ids["template"] = tp.ID
				// Two active triggers and an inactive one, which the
				// ticket below does not fire.
				for _, tr := range []struct {
					key string
					n   trigger.New
				}{
					{"trigger", trigger.New{Name: "urgent", All: []trigger.Condition{{Target: "priority", Op: trigger.ChangedTo, Value: "urgent"}},
						Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"urgent"}}}}},
					{"trigger 2", trigger.New{Name: "zebra", All: []trigger.Condition{{Target: "title", Op: trigger.Contains, Value: "zebra"}},
						Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"zebra"}}}}},
					{"inactive trigger", trigger.New{Name: "off", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
						Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"off"}}}, Inactive: true}},
				} {
					created, err := f.sys.Triggers().Create(ctx, tr.n)
					require.NoError(t, err)
					f.ids[tr.key] = created.ID
				}
				tk := f.ticket(t)
				before := f.snapshot(t)
				err = w.call(ctx, f, f.session(who), who, tk)
				if slices.Contains(w.allowed, who) {
					assert.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, helpdesk.ErrForbidden)
				method := w.name
				if m, ok := variantOf[w.name]; ok {
					method = m
				}
				assert.True(t, strings.HasPrefix(err.Error(), "forbidden: "+method+" ") || strings.HasPrefix(err.Error(), "forbidden: "+method+": "),
					"the refusal names the call: %v", err)
				assert.Equal(t, before, f.snapshot(t), "a denied call changes nothing")
			})
		}
	}
}

// variantOf is the Session method of the workflows of the permission
// table that are named after a variant of the call.
var variantOf = map[string]string{
	"Note": "Reply", "UpdateTicketAssignee": "UpdateTicket", "RecordOwnLogin": "RecordLogin",
	"RecordLogsAgentsLogin": "RecordLogin", "SetOthersToggles": "SetToggles",
}

// snapshot is everything a workflow could change, as the system sees it.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	p, err := f.sys.Tickets().List(ctx, ticket.Filter{Limit: ticket.MaxPageSize})
	require.NoError(t, err)
	for _, tk := range p.Tickets {
		fmt.Fprintf(&b, "%+v\n", tk)
		cs, err := f.sys.Tickets().Comments(ctx, tk.ID)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%+v\n", cs)
	}
	require.NoError(t, f.sys.Tickets().ExportHistory(ctx, &b, helpdesk.CSV, ticket.ChangeFilter{}))
	c, err := f.sys.Configuration().Get(ctx)
	require.NoError(t, err)
	ags, err := f.sys.Agents().List(ctx)
	require.NoError(t, err)
	gs, err := f.sys.Groups().List(ctx)
	require.NoError(t, err)
	for _, g := range gs {
		ms, err := f.sys.Groups().Members(ctx, g.ID)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%+v %+v\n", g, ms)
	}
	log, err := f.sys.Agents().LoginLog(ctx, agent.LoginFilter{Limit: 500})
	require.NoError(t, err)
	menus, err := f.sys.Agents().MenuAccess(ctx)
	require.NoError(t, err)
	trs, err := f.sys.Triggers().List(ctx)
	require.NoError(t, err)
	msgs, err := f.sys.Outbox().List(ctx, notify.Filter{Limit: 500})
	require.NoError(t, err)
	fmt.Fprintf(&b, "%+v\n%+v\n%+v\n%+v\n%+v\n%+v\n", c, ags, log, menus, trs, msgs)
	return b.String()
}
