package helpdesk_test

import (
	"context"
	"fmt"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
)

// A reply made from a template is rendered for the ticket; a plain reply
// is kept as written. Solving the ticket later mails the customer the
// resolve mail, whose #{content} is the ticket's last public reply.
func ExampleSession_ReplyWithTemplate() {
	ctx := context.Background()
	desk, _ := helpdesk.New(helpdesk.Config{Store: memory.New()})
	defer desk.Close()
	_, _ = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true},
		Mail: helpdesk.MailSettings{
			Resolve: helpdesk.AutoMail{Enabled: true, Subject: i18n.Text{"en": "Solved: #{title}"},
				Body: i18n.Text{"en": "#{content}\n\n(ticket #{ticketId})"}},
		},
	}})
	acme := desk.Service("acme")
	sys := acme.As(helpdesk.System)
	kim, _ := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})
	asKim := acme.As(helpdesk.AgentID(kim.ID))
	tpl, _ := sys.Templates().Create(ctx, template.New{Title: "Refund done", Code: "refund",
		Content: "Dear #{customerName}, your refund is on its way. - #{agentName}"})
	t, _ := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@example.com"},
		Title: "Refund", Content: "Please refund order 42", Channel: ticket.ChannelHelpCenter})

	note, _ := asKim.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "Template code is #{customerName}", Internal: true})
	fmt.Println(note.Body)
	c, err := asKim.Tickets().ReplyWithTemplate(ctx, t.ID, helpdesk.TemplateReply{TemplateID: tpl.ID, Additions: "It takes 3 days."})
	fmt.Println(c.Body, err)

	_, _ = asKim.Tickets().Solve(ctx, t.ID, helpdesk.Solve{})
	p, _ := sys.Outbox().List(ctx, notify.Filter{})
	fmt.Println(p.Messages[0].Payload.Subject)
	fmt.Println(p.Messages[0].Payload.Text)
	// Output:
	// Template code is #{customerName}
	// Dear Lee, your refund is on its way. - Kim
	//
	// It takes 3 days. <nil>
	// Solved: Refund
	// Dear Lee, your refund is on its way. - Kim
	//
	// It takes 3 days.
	//
	// (ticket 1)
}
