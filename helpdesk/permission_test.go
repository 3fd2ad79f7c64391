package helpdesk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
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
	"github.com/deskkit/deskkit/helpdesk/mail"
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
	f := &permFixture{fixture: newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) {
		c.Directory, c.DoorayTasks = openDirectory{}, &fakeDoorayTasks{}
	}), ids: map[string]string{}}
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

// openDirectory is a host directory in which every address is a member:
// agents can be created as before, and invited.
type openDirectory struct{}

func (openDirectory) LookUp(_ context.Context, account string) (agent.Member, error) {
	name, _, _ := strings.Cut(account, "@")
	return agent.Member{Account: account, Name: name, Email: account}, nil
}

func (openDirectory) Invite(context.Context, string, string) error { return nil }

func (f *permFixture) session(who string) *helpdesk.Session {
	if who == aSystem {
		return f.sys
	}
	return f.acme.As(helpdesk.AgentID(f.ids[who]))
}

// permCall is what a row of the permission table calls with: the session of
// the actor under test, who that is, the fixture and its ticket.
type permCall struct {
	ctx context.Context
	f   *permFixture
	s   *helpdesk.Session
	who string
	tk  ticket.Ticket
}

// id returns the id of a fixture object ("group", "template", ...).
func (c permCall) id(key string) string { return c.f.ids[key] }

// ignore drops a call's result, keeping its error.
func ignore[T any](_ T, err error) error { return err }

// permRow is one row of the permission table: a call of a Session area's
// method, named "Area.Method" (a variant adds " (what)"), and the actors
// allowed to make it.
type permRow struct {
	name    string
	allowed []string
	call    func(c permCall) error
}

// Actor sets of the permission table.
var (
	anyActive  = []string{aSystem, aAdmin, aTicket, aForward, aExport, aLogs, aBare, aRestricted}
	ticketWork = []string{aSystem, aAdmin, aTicket, aForward}
	forwarders = []string{aSystem, aAdmin, aForward}
	adminOnly  = []string{aSystem, aAdmin}
)

// permissionTable has a row for every method of every Session area
// (TestPermissions_SVC3_EveryAreaMethodHasARow holds it to that).
func permissionTable() []permRow {
	return []permRow{
		// Tickets
		{"Tickets.Create", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().Create(c.ctx, newTicket())) }},
		{"Tickets.Get", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().Get(c.ctx, c.tk.ID)) }},
		{"Tickets.ByNumber", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().ByNumber(c.ctx, c.tk.Number)) }},
		{"Tickets.List", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().List(c.ctx, ticket.Filter{})) }},
		{"Tickets.Comments", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().Comments(c.ctx, c.tk.ID)) }},
		{"Tickets.History", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().History(c.ctx, c.tk.ID)) }},
		{"Tickets.Update", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().Update(c.ctx, c.tk.ID, ticket.Update{Version: c.tk.Version, Title: ptr("new title")}))
		}},
		{"Tickets.Update (assignee)", forwarders, func(c permCall) error {
			return ignore(c.s.Tickets().Update(c.ctx, c.tk.ID, ticket.Update{Version: c.tk.Version, AssigneeID: ptr(c.f.agentID)}))
		}},
		{"Tickets.SetStatus", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().SetStatus(c.ctx, c.tk.ID, ticket.StatusPending))
		}},
		{"Tickets.Solve", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().Solve(c.ctx, c.tk.ID, helpdesk.Solve{Internal: true}))
		}},
		{"Tickets.Reply", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().Reply(c.ctx, c.tk.ID, helpdesk.Reply{Body: "hi"}))
		}},
		{"Tickets.Reply (internal note)", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().Reply(c.ctx, c.tk.ID, helpdesk.Reply{Body: "hi", Internal: true}))
		}},
		{"Tickets.ReplyWithTemplate", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().ReplyWithTemplate(c.ctx, c.tk.ID, helpdesk.TemplateReply{TemplateID: c.id("template"), Additions: "#{as written}", Status: ticket.StatusPending}))
		}},
		{"Tickets.PreviewReply", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().PreviewReply(c.ctx, c.tk.ID, "Hello #{customerName}"))
		}},
		{"Tickets.PreviewTemplateReply", ticketWork, func(c permCall) error {
			return ignore(c.s.Tickets().PreviewTemplateReply(c.ctx, c.tk.ID, helpdesk.TemplateReply{TemplateID: c.id("template")}))
		}},
		{"Tickets.CustomerReply", []string{aSystem}, func(c permCall) error {
			return ignore(c.s.Tickets().CustomerReply(c.ctx, c.tk.ID, helpdesk.CustomerReply{Body: "hi"}))
		}},
		{"Tickets.Forward", forwarders, func(c permCall) error {
			return ignore(c.s.Tickets().Forward(c.ctx, c.tk.ID, helpdesk.Forward{AgentID: c.f.agentID}))
		}},
		{"Tickets.ExportHistory", []string{aSystem, aAdmin, aExport}, func(c permCall) error {
			return c.s.Tickets().ExportHistory(c.ctx, &bytes.Buffer{}, helpdesk.CSV, ticket.ChangeFilter{})
		}},
		{"Tickets.CloseSolved", adminOnly, func(c permCall) error { return ignore(c.s.Tickets().CloseSolved(c.ctx)) }},

		// Categories
		{"Categories.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Categories().Create(c.ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "결제"}}))
		}},
		{"Categories.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Categories().Update(c.ctx, c.id("category"), category.Update{Name: i18n.Text{"ko": "주문 문의"}}))
		}},
		{"Categories.Move", adminOnly, func(c permCall) error {
			return ignore(c.s.Categories().Move(c.ctx, c.id("category 2"), c.id("category")))
		}},
		{"Categories.Reorder", adminOnly, func(c permCall) error {
			return c.s.Categories().Reorder(c.ctx, category.Intake, "", []string{c.id("category 2"), c.id("category")})
		}},
		{"Categories.Delete", adminOnly, func(c permCall) error { return ignore(c.s.Categories().Delete(c.ctx, c.id("category 2"))) }},
		{"Categories.Tree", anyActive, func(c permCall) error { return ignore(c.s.Categories().Tree(c.ctx, category.Intake)) }},
		{"Categories.Get", anyActive, func(c permCall) error { return ignore(c.s.Categories().Get(c.ctx, c.id("category"))) }},
		{"Categories.Path", anyActive, func(c permCall) error { return ignore(c.s.Categories().Path(c.ctx, c.id("category"))) }},

		// Fields
		{"Fields.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Fields().Create(c.ctx, field.New{Key: "order", Kind: field.KindCustomer, Type: field.TypeNumber, Label: i18n.Text{"ko": "주문"}}))
		}},
		{"Fields.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Fields().Update(c.ctx, "ref", field.Update{Required: ptr(true)}))
		}},
		{"Fields.Delete", adminOnly, func(c permCall) error { return c.s.Fields().Delete(c.ctx, "ref") }},
		{"Fields.ResetSystem", adminOnly, func(c permCall) error {
			return ignore(c.s.Fields().ResetSystem(c.ctx, field.KeyPrivacyConsent))
		}},
		{"Fields.List", anyActive, func(c permCall) error { return ignore(c.s.Fields().List(c.ctx)) }},
		{"Fields.Get", anyActive, func(c permCall) error { return ignore(c.s.Fields().Get(c.ctx, "ref")) }},
		{"Fields.SetCustomerLayout", adminOnly, func(c permCall) error {
			return ignore(c.s.Fields().SetCustomerLayout(c.ctx, c.id("category"), []string{"ref"}))
		}},
		{"Fields.ResetCustomerLayout", adminOnly, func(c permCall) error {
			return c.s.Fields().ResetCustomerLayout(c.ctx, c.id("category"))
		}},
		{"Fields.CustomerLayout", anyActive, func(c permCall) error {
			return ignore(c.s.Fields().CustomerLayout(c.ctx, c.id("category")))
		}},
		{"Fields.SetAgentLayout", adminOnly, func(c permCall) error { return ignore(c.s.Fields().SetAgentLayout(c.ctx, nil)) }},
		{"Fields.AgentLayout", anyActive, func(c permCall) error { return ignore(c.s.Fields().AgentLayout(c.ctx)) }},

		// Templates
		{"Templates.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Templates().Create(c.ctx, template.New{Title: "Bye", Content: "Bye #{customerName}", Code: "bye"}))
		}},
		{"Templates.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Templates().Update(c.ctx, c.id("template"), template.New{Title: "Hello!", Content: "Hello", Code: "hello"}))
		}},
		{"Templates.Delete", adminOnly, func(c permCall) error { return c.s.Templates().Delete(c.ctx, c.id("template")) }},
		{"Templates.Link", adminOnly, func(c permCall) error {
			return c.s.Templates().Link(c.ctx, c.id("template"), c.id("processing 2"))
		}},
		{"Templates.Unlink", adminOnly, func(c permCall) error {
			return c.s.Templates().Unlink(c.ctx, c.id("template"), c.id("processing"))
		}},
		{"Templates.Get", anyActive, func(c permCall) error { return ignore(c.s.Templates().Get(c.ctx, c.id("template"))) }},
		{"Templates.List", anyActive, func(c permCall) error { return ignore(c.s.Templates().List(c.ctx)) }},
		{"Templates.InCategory", anyActive, func(c permCall) error {
			return ignore(c.s.Templates().InCategory(c.ctx, c.id("processing")))
		}},
		{"Templates.Search", anyActive, func(c permCall) error {
			return ignore(c.s.Templates().Search(c.ctx, template.Query{Words: "hello"}))
		}},
		{"Templates.ForTicket", ticketWork, func(c permCall) error { return ignore(c.s.Templates().ForTicket(c.ctx, c.tk.ID)) }},

		// ForbiddenWords
		{"ForbiddenWords.Add", adminOnly, func(c permCall) error { return ignore(c.s.ForbiddenWords().Add(c.ctx, "바보")) }},
		{"ForbiddenWords.Update", adminOnly, func(c permCall) error {
			return c.s.ForbiddenWords().Update(c.ctx, c.id("word"), "멍텅구리")
		}},
		{"ForbiddenWords.Delete", adminOnly, func(c permCall) error { return c.s.ForbiddenWords().Delete(c.ctx, c.id("word")) }},
		{"ForbiddenWords.List", anyActive, func(c permCall) error { return ignore(c.s.ForbiddenWords().List(c.ctx)) }},

		// Agents
		{"Agents.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Agents().Create(c.ctx, agent.New{Name: "New", Email: "new@acme.example", Role: agent.RoleAgent}))
		}},
		{"Agents.Invite", adminOnly, func(c permCall) error { return c.s.Agents().Invite(c.ctx, "new@acme.example", "New") }},
		{"Agents.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Agents().Update(c.ctx, c.f.agentID, agent.Update{Version: 1, Role: ptr(agent.RoleAdmin)}))
		}},
		{"Agents.SetToggles (another agent's)", adminOnly, func(c permCall) error {
			return ignore(c.s.Agents().SetToggles(c.ctx, c.id(aForward), agent.Toggles{}))
		}},
		{"Agents.Get", anyActive, func(c permCall) error { return ignore(c.s.Agents().Get(c.ctx, c.f.agentID)) }},
		{"Agents.List", anyActive, func(c permCall) error { return ignore(c.s.Agents().List(c.ctx)) }},
		{"Agents.RecordLogin (own)", anyActive, func(c permCall) error {
			return ignore(c.s.Agents().RecordLogin(c.ctx, agent.LoginEvent{AgentID: c.id(c.who), Kind: agent.Login, Address: "10.0.0.1"}))
		}},
		{"Agents.RecordLogin (another agent's)", []string{aSystem, aLogs}, func(c permCall) error {
			return ignore(c.s.Agents().RecordLogin(c.ctx, agent.LoginEvent{AgentID: c.id(aLogs), Kind: agent.Logout}))
		}},
		{"Agents.LoginLog", []string{aSystem, aAdmin, aLogs}, func(c permCall) error {
			return ignore(c.s.Agents().LoginLog(c.ctx, agent.LoginFilter{}))
		}},
		{"Agents.MenuAccess", anyActive, func(c permCall) error { return ignore(c.s.Agents().MenuAccess(c.ctx)) }},
		{"Agents.SetMenuAccess", adminOnly, func(c permCall) error {
			return ignore(c.s.Agents().SetMenuAccess(c.ctx, agent.MenuAccess{Menu: agent.MenuStatistics, Partial: true, Restricted: []string{c.id(aBare)}}))
		}},

		// Groups
		{"Groups.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Groups().Create(c.ctx, helpdesk.NewGroup{Name: "New group"}))
		}},
		{"Groups.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Groups().Update(c.ctx, c.id("group"), helpdesk.NewGroup{Name: "Support desk", Strategy: agent.StrategyRoundRobin}))
		}},
		{"Groups.Reorder", adminOnly, func(c permCall) error {
			return c.s.Groups().Reorder(c.ctx, []string{c.id("group 2"), c.id("group")})
		}},
		{"Groups.Delete", adminOnly, func(c permCall) error { return c.s.Groups().Delete(c.ctx, c.id("group 2")) }},
		{"Groups.AddMember", adminOnly, func(c permCall) error {
			return ignore(c.s.Groups().AddMember(c.ctx, c.id("group"), c.id(aForward)))
		}},
		{"Groups.RemoveMember", adminOnly, func(c permCall) error {
			return c.s.Groups().RemoveMember(c.ctx, c.id("group"), c.f.agentID)
		}},
		{"Groups.List", anyActive, func(c permCall) error { return ignore(c.s.Groups().List(c.ctx)) }},
		{"Groups.Members", anyActive, func(c permCall) error { return ignore(c.s.Groups().Members(c.ctx, c.id("group"))) }},
		{"Groups.OfAgent", anyActive, func(c permCall) error { return ignore(c.s.Groups().OfAgent(c.ctx, c.f.agentID)) }},
		{"Groups.NextAssignee", ticketWork, func(c permCall) error {
			return ignore(c.s.Groups().NextAssignee(c.ctx, c.id("group")))
		}},

		// Triggers
		{"Triggers.Schema", anyActive, func(c permCall) error { return ignore(c.s.Triggers().Schema(c.ctx)) }},
		{"Triggers.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Triggers().Create(c.ctx, trigger.New{Name: "to support",
				All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
				Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: c.id("group")}}}))
		}},
		{"Triggers.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Triggers().Update(c.ctx, c.id("trigger"), trigger.New{Name: "renamed",
				All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
				Actions: []trigger.Action{{Kind: trigger.SetPriority, Value: "high"}}}))
		}},
		{"Triggers.Get", adminOnly, func(c permCall) error { return ignore(c.s.Triggers().Get(c.ctx, c.id("trigger"))) }},
		{"Triggers.List", adminOnly, func(c permCall) error { return ignore(c.s.Triggers().List(c.ctx)) }},
		{"Triggers.Activate", adminOnly, func(c permCall) error { return c.s.Triggers().Activate(c.ctx, c.id("inactive trigger")) }},
		{"Triggers.Deactivate", adminOnly, func(c permCall) error { return c.s.Triggers().Deactivate(c.ctx, c.id("trigger")) }},
		{"Triggers.Reorder", adminOnly, func(c permCall) error {
			return c.s.Triggers().Reorder(c.ctx, []string{c.id("trigger 2"), c.id("trigger")})
		}},
		{"Triggers.Delete", adminOnly, func(c permCall) error { return c.s.Triggers().Delete(c.ctx, c.id("inactive trigger")) }},
		{"Triggers.Source", adminOnly, func(c permCall) error { return ignore(c.s.Triggers().Source(c.ctx, c.id("trigger"))) }},
		{"Triggers.DryRun", adminOnly, func(c permCall) error {
			return ignore(c.s.Triggers().DryRun(c.ctx, c.tk.ID, ticket.EventUpdated, &ticket.Update{Version: c.tk.Version, Priority: ptr(ticket.PriorityUrgent)}))
		}},

		// Outbox and recipients
		{"Outbox.List", adminOnly, func(c permCall) error { return ignore(c.s.Outbox().List(c.ctx, notify.Filter{})) }},
		{"Outbox.Counts", adminOnly, func(c permCall) error { return ignore(c.s.Outbox().Counts(c.ctx)) }},
		{"Outbox.Retry", adminOnly, func(c permCall) error { return c.s.Outbox().Retry(c.ctx, c.id("failed message")) }},
		{"Recipients.Create", adminOnly, func(c permCall) error {
			return ignore(c.s.Recipients().Create(c.ctx, helpdesk.NewRecipient{Name: "Ops", Email: "ops@acme.example"}))
		}},
		{"Recipients.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Recipients().Update(c.ctx, c.id("recipient"), helpdesk.NewRecipient{Name: "On call", Phone: "010-1234-5678"}))
		}},
		{"Recipients.Delete", adminOnly, func(c permCall) error { return c.s.Recipients().Delete(c.ctx, c.id("recipient")) }},
		{"Recipients.List", adminOnly, func(c permCall) error { return ignore(c.s.Recipients().List(c.ctx)) }},
		{"Tickets.Attachments", ticketWork, func(c permCall) error { return ignore(c.s.Tickets().Attachments(c.ctx, c.tk.ID)) }},
		{"Tickets.Attachment", ticketWork, func(c permCall) error {
			_, err := c.s.Tickets().Attachment(c.ctx, c.tk.ID, "no-such-file")
			if errors.Is(err, helpdesk.ErrNotFound) {
				return nil // allowed: there is no such file
			}
			return err
		}},
		{"Mailboxes.Save", adminOnly, func(c permCall) error {
			return ignore(c.s.Mailboxes().Save(c.ctx, mail.Mailbox{ID: "sales", Address: "sales@acme.example"}))
		}},
		{"Mailboxes.List", adminOnly, func(c permCall) error { return ignore(c.s.Mailboxes().List(c.ctx)) }},
		{"Mailboxes.Delete", adminOnly, func(c permCall) error { return c.s.Mailboxes().Delete(c.ctx, c.id("mailbox")) }},
		{"Mailboxes.Secret", []string{aSystem}, func(c permCall) error { return ignore(c.s.Mailboxes().Secret(c.ctx, c.id("mailbox"))) }},

		// SMS settings (SMS-1)
		{"SMS.Get", adminOnly, func(c permCall) error { return ignore(c.s.SMS().Get(c.ctx)) }},
		{"SMS.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.SMS().Update(c.ctx, helpdesk.SMSUpdate{AppKey: "app", SecretKey: "secret", SenderNumbers: []string{"15446859"}}))
		}},

		// Dooray! transfer (DRY-1..3)
		{"Dooray.Get", adminOnly, func(c permCall) error { return ignore(c.s.Dooray().Get(c.ctx)) }},
		{"Dooray.Update", adminOnly, func(c permCall) error {
			return ignore(c.s.Dooray().Update(c.ctx, doorayProjects()))
		}},
		{"Dooray.RotateHookToken", adminOnly, func(c permCall) error { return ignore(c.s.Dooray().RotateHookToken(c.ctx)) }},
		{"Dooray.Transfer", ticketWork, func(c permCall) error { return ignore(c.s.Dooray().Transfer(c.ctx, c.tk.ID, "7")) }},
		{"Dooray.Projects", ticketWork, func(c permCall) error { return ignore(c.s.Dooray().Projects(c.ctx)) }},
		{"Dooray.Link", ticketWork, func(c permCall) error {
			if _, err := c.s.Dooray().Link(c.ctx, c.tk.ID); !errors.Is(err, helpdesk.ErrNotFound) {
				return err
			}
			return nil
		}},

		// Configuration
		{"Configuration.Get", anyActive, func(c permCall) error { return ignore(c.s.Configuration().Get(c.ctx)) }},
		{"Configuration.Update", adminOnly, func(c permCall) error {
			cur, err := c.f.sys.Configuration().Get(c.ctx)
			if err != nil {
				return err
			}
			return ignore(c.s.Configuration().Update(c.ctx, cur.Version, helpdesk.Settings{Name: "Renamed", Languages: []string{"ko"}, Channels: helpdesk.Channels{Ticket: true}}))
		}},
	}
}

// TestPermissions_SVC3_AGT4 calls every method of every Session area as
// every role and permission combination: allowed calls succeed, denied ones
// return ErrForbidden naming the call ("forbidden: Groups.Create needs the
// admin role; ...") and change nothing.
func TestPermissions_SVC3_AGT4(t *testing.T) {
	for _, w := range permissionTable() {
		for _, who := range allActors {
			t.Run(w.name+"/"+who, func(t *testing.T) {
				ctx := context.Background()
				f := newPermFixture(t)
				f.objects(t)
				tk := f.ticket(t)
				before := f.snapshot(t)
				err := w.call(permCall{ctx: ctx, f: f, s: f.session(who), who: who, tk: tk})
				if slices.Contains(w.allowed, who) {
					assert.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, helpdesk.ErrForbidden)
				method, _, _ := strings.Cut(w.name, " (")
				assert.True(t, strings.HasPrefix(err.Error(), "forbidden: "+method+" ") || strings.HasPrefix(err.Error(), "forbidden: "+method+": "),
					"the refusal names the call: %v", err)
				assert.Equal(t, before, f.snapshot(t), "a denied call changes nothing")
			})
		}
	}
}

// objects adds what the permission table's calls work on, each under a
// key of f.ids.
func (f *permFixture) objects(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	add := func(key, id string, err error) {
		t.Helper()
		require.NoError(t, err, key)
		f.ids[key] = id
	}
	g, err := f.sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support", Strategy: agent.StrategyRoundRobin})
	add("group", g.ID, err)
	_, err = f.sys.Groups().AddMember(ctx, g.ID, f.agentID)
	require.NoError(t, err)
	g, err = f.sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "Billing"})
	add("group 2", g.ID, err)
	for _, c := range []struct {
		key  string
		tree category.Tree
		name string
	}{{"category", category.Intake, "주문"}, {"category 2", category.Intake, "배송"}, {"processing", category.Processing, "환불"}, {"processing 2", category.Processing, "교환"}} {
		cat, err := f.sys.Categories().Create(ctx, category.New{Tree: c.tree, Name: i18n.Text{"ko": c.name}})
		add(c.key, cat.ID, err)
	}
	_, err = f.sys.Fields().Create(ctx, field.New{Key: "ref", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "참조"}})
	require.NoError(t, err)
	tp, err := f.sys.Templates().Create(ctx, template.New{Title: "Hello", Content: "Hello #{customerName}", Code: "hello", CategoryIDs: []string{f.ids["processing"]}})
	add("template", tp.ID, err)
	ws, err := f.sys.ForbiddenWords().Add(ctx, "멍청이")
	require.NoError(t, err)
	add("word", ws[0].ID, nil)
	r, err := f.sys.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "Ops", Email: "ops@acme.example"})
	add("recipient", r.ID, err)
	mb, err := f.sys.Mailboxes().Save(ctx, mail.Mailbox{ID: "support", Address: "support@acme.example"})
	add("mailbox", mb.ID, err)
	_, err = f.sys.Dooray().Update(ctx, doorayProjects())
	require.NoError(t, err)
	// A message that failed for good, which an admin may retry.
	err = f.store.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		ms := []notify.Message{{ID: "failed-message", Medium: notify.Email, Recipient: "lee@customer.example", IdempotencyKey: "failed-message", CreatedAt: f.now}}
		if err := notify.Prepare(ms); err != nil {
			return err
		}
		ms[0].State, ms[0].Attempts, ms[0].LastError = notify.Failed, 5, "mailbox full"
		return r.Outbox().Enqueue(ctx, ms...)
	})
	add("failed message", "failed-message", err)
	// Two active triggers and an inactive one, which the fixture's ticket
	// does not fire.
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
		add(tr.key, created.ID, err)
	}
}

// TestPermissions_SVC3_EveryAreaMethodHasARow finds the areas of a Session
// (its methods that return a handle) and fails for each of their exported
// methods that the permission table does not call, and for each row that
// names no such method.
func TestPermissions_SVC3_EveryAreaMethodHasARow(t *testing.T) {
	methods := map[string]bool{}
	st := reflect.TypeFor[*helpdesk.Session]()
	for i := range st.NumMethod() {
		m := st.Method(i)
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
			continue
		}
		area := m.Type.Out(0)
		if area.Kind() != reflect.Struct || area.PkgPath() != st.Elem().PkgPath() {
			continue
		}
		require.Equal(t, m.Name, area.Name(), "an area accessor returns the handle type of its name")
		require.Positive(t, area.NumMethod(), "area %s has no methods", area.Name())
		for j := range area.NumMethod() {
			methods[area.Name()+"."+area.Method(j).Name] = true
		}
	}
	require.GreaterOrEqual(t, len(methods), 80, "Session's areas were not found")
	rows := map[string]bool{}
	for _, w := range permissionTable() {
		name, _, _ := strings.Cut(w.name, " (")
		rows[name] = true
		assert.True(t, methods[name], "permission table row %q names no method of a Session area", w.name)
	}
	var missing []string
	for m := range methods {
		if !rows[m] {
			missing = append(missing, m)
		}
	}
	slices.Sort(missing)
	assert.Empty(t, missing, "Session area methods without a row in the permission table (permissionTable)")
}

// snapshot is everything a workflow could change, as the system sees it.
func (f *permFixture) snapshot(t *testing.T) string {
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
	for _, tree := range []category.Tree{category.Intake, category.Processing} {
		cs, err := f.sys.Categories().Tree(ctx, tree)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%+v\n", cs)
	}
	fs, err := f.sys.Fields().List(ctx)
	require.NoError(t, err)
	al, err := f.sys.Fields().AgentLayout(ctx)
	require.NoError(t, err)
	tps, err := f.sys.Templates().List(ctx)
	require.NoError(t, err)
	ws, err := f.sys.ForbiddenWords().List(ctx)
	require.NoError(t, err)
	rs, err := f.sys.Recipients().List(ctx)
	require.NoError(t, err)
	fmt.Fprintf(&b, "%+v\n%+v\n%+v\n%+v\n%+v\n", fs, al, tps, ws, rs)
	cl, err := f.sys.Fields().CustomerLayout(ctx, f.ids["category"])
	require.NoError(t, err)
	fmt.Fprintf(&b, "%+v\n", cl)
	return b.String()
}
