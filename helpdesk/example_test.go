package helpdesk_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func Example() {
	ctx := context.Background()
	desk, _ := helpdesk.New(helpdesk.Config{Store: memory.New()})
	defer desk.Close()
	_, _ = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "en"}, Channels: helpdesk.Channels{Ticket: true},
	}})
	acme := desk.Service("acme")
	kim, _ := acme.As(helpdesk.System).Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})

	t, _ := acme.As(helpdesk.System).Tickets().Create(ctx, ticket.New{
		Title: "Refund", Content: "Please refund order 42", Channel: ticket.ChannelHelpCenter,
	})
	asKim := acme.As(helpdesk.AgentID(kim.ID))
	_, _ = asKim.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "Done!", Status: ticket.StatusSolved})
	t, _ = asKim.Tickets().Get(ctx, t.ID)
	fmt.Printf("#%d %s\n", t.Number, t.Status)

	_, err := asKim.Tickets().SetStatus(ctx, t.ID, ticket.StatusPending)
	var te *ticket.TransitionError
	fmt.Println(errors.As(err, &te), te.From, te.To)

	_, err = asKim.Configuration().Update(ctx, 1, helpdesk.Settings{Name: "Mine now", Languages: []string{"en"}})
	fmt.Println(errors.Is(err, helpdesk.ErrForbidden))
	// Output:
	// #1 solved
	// true solved pending
	// true
}
