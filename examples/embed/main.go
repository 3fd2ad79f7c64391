// Command embed is the program a new user writes to put Deskkit inside
// their product, from helpdesk.New to a delivered mail and the ticket's
// history as CSV, on the embedded memory store: a service, an admin and two
// agents in a round-robin group, a category, a custom field, a reply
// template, a refund trigger (round robin, priority, a mail to the
// assignee), a customer's ticket, a templated reply, solve, a dispatcher
// with the host's own mailer, and the CSV history.
//
//	go run ./examples/embed
//
// Swap memory.New() for postgres.Open(ctx, dsn) and store.Migrate(ctx) to
// run the same program on PostgreSQL.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/deskkit/deskkit/adapters/memory"
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

// printMailer is the host's mailer: it prints what it is handed.
type printMailer struct{ w io.Writer }

func (p printMailer) SendMail(_ context.Context, m notify.Message) error {
	_, err := fmt.Fprintf(p.w, "mail to %s: %s\n", m.Recipient, m.Payload.Subject)
	return err
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) (err error) {
	defer func() { // must turns the first error into run's
		if p, ok := recover().(mustError); ok {
			err = p.error
		}
	}()
	// --- user code starts here ---
	desk := must(helpdesk.New(helpdesk.Config{Store: memory.New()}))
	defer desk.Close()
	must(desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}}))
	sys := desk.Service("acme").As(helpdesk.System)
	admin := must(sys.Agents().Create(ctx, agent.New{Name: "Ada", Email: "ada@acme.example", Role: agent.RoleAdmin}))
	asAdmin := desk.Service("acme").As(helpdesk.AgentID(admin.ID))
	billing := must(asAdmin.Groups().Create(ctx, helpdesk.NewGroup{Name: "Billing", Strategy: agent.StrategyRoundRobin}))
	for _, name := range []string{"Bo", "Cy"} {
		must(asAdmin.Agents().Create(ctx, agent.New{Name: name, Email: name + "@acme.example", GroupIDs: []string{billing.ID}}))
	}
	refunds := must(asAdmin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"en": "Refunds"}}))
	must(asAdmin.Fields().Create(ctx, field.New{Key: "order_no", Kind: field.KindCustomer, Type: field.TypeText,
		Label: i18n.Text{"en": "Order number"}}))
	tpl := must(asAdmin.Templates().Create(ctx, template.New{Title: "Refund sent", Code: "refund",
		Content: "Hello #{customerName}, your refund is on its way."}))
	must(asAdmin.Triggers().Create(ctx, trigger.New{Name: "Refunds to billing",
		All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"},
			{Target: "intake_category", Op: trigger.IsUnder, Value: refunds.ID}},
		Actions: []trigger.Action{{Kind: trigger.AssignRoundRobin, GroupID: billing.ID},
			{Kind: trigger.SetPriority, Value: "high"},
			{Kind: trigger.Notify, Recipient: trigger.RecipientAssignee,
				Subject: i18n.Text{"en": "[#{ticketId}] #{title}"}, Body: i18n.Text{"en": "New refund: #{content}"}}}}))
	t := must(sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@example.com"},
		Title: "Refund please", Content: "Order 42 arrived broken.", Channel: ticket.ChannelEmail,
		IntakeCategoryID: refunds.ID, CustomerFields: ticket.Fields{"order_no": "42"}}))
	asAssignee := desk.Service("acme").As(helpdesk.AgentID(must(sys.Tickets().Get(ctx, t.ID)).AssigneeID))
	must(asAssignee.Tickets().ReplyWithTemplate(ctx, t.ID, helpdesk.TemplateReply{TemplateID: tpl.ID, Additions: "Sorry!"}))
	must(asAssignee.Tickets().Solve(ctx, t.ID, helpdesk.Solve{}))
	d := must(desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: printMailer{out}}}))
	must(d.RunOnce(ctx))
	return asAdmin.Tickets().ExportHistory(ctx, out, helpdesk.CSV, ticket.ChangeFilter{TicketID: t.ID})
	// --- user code ends here ---
}

// mustError carries an error out of must to run.
type mustError struct{ error }

// must returns v, or stops run with err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustError{err})
	}
	return v
}
