package helpdesk_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// ExampleCopyService moves a service to another store (STO-2); the next
// ticket there continues the numbers.
func ExampleCopyService() {
	ctx := context.Background()
	from, to := memory.New(), memory.New()
	old, _ := helpdesk.New(helpdesk.Config{Store: from})
	defer old.Close()
	_, _ = old.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true},
	}})
	for _, title := range []string{"Refund", "Login", "Invoice"} {
		_, _ = old.Service("acme").As(helpdesk.System).Tickets().Create(ctx, ticket.New{
			Title: title, Content: "…", Channel: ticket.ChannelHelpCenter,
		})
	}

	rep, err := helpdesk.CopyService(ctx, from, to, "acme", helpdesk.CopyOptions{
		PageSize: 2,
		Progress: func(p helpdesk.CopyProgress) {
			if p.Phase == "tickets" {
				fmt.Printf("tickets: #%d of %d\n", p.TicketNumber, p.LastNumber)
			}
		},
	})
	fmt.Println(rep.Tickets, err)

	desk, _ := helpdesk.New(helpdesk.Config{Store: to})
	defer desk.Close()
	t, _ := desk.Service("acme").As(helpdesk.System).Tickets().Create(ctx, ticket.New{
		Title: "After the move", Content: "…", Channel: ticket.ChannelHelpCenter,
	})
	fmt.Println("next:", t.Number)

	// Copying again into a store whose service was not copied there is
	// refused.
	_, err = helpdesk.CopyService(ctx, to, from, "acme", helpdesk.CopyOptions{})
	fmt.Println(errors.Is(err, helpdesk.ErrConflict))
	// Output:
	// tickets: #2 of 3
	// tickets: #3 of 3
	// 3 <nil>
	// next: 4
	// true
}
