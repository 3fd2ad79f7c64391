package ticket_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/problem"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func ExampleTransition() {
	// A legal move of TKT-2: a new ticket is opened.
	if err := ticket.Transition(ticket.StatusNew, ticket.StatusOpen); err == nil {
		fmt.Println("new → open: ok")
	}

	// An illegal one: closed is final.
	err := ticket.Transition(ticket.StatusClosed, ticket.StatusOpen)
	fmt.Println(err)

	var te *ticket.TransitionError
	if errors.As(err, &te) {
		fmt.Println("from:", te.From, "to:", te.To)
	}
	fmt.Println("illegal transition:", errors.Is(err, ticket.ErrIllegalTransition))
	fmt.Println("invalid:", errors.Is(err, problem.ErrInvalid))
	// Output:
	// new → open: ok
	// invalid: illegal status transition closed → open
	// from: closed to: open
	// illegal transition: true
	// invalid: true
}

func ExampleDiff() {
	before := ticket.Ticket{
		Title:          "Cannot log in",
		Status:         ticket.StatusNew,
		Priority:       ticket.PriorityNormal,
		Tags:           []string{"login"},
		CustomerFields: ticket.Fields{"plan": "free"},
	}
	after := before.Apply(ticket.Update{
		Priority:       ptr(ticket.PriorityUrgent),
		Tags:           &[]string{"login", "VIP"},
		CustomerFields: ticket.Fields{"plan": "pro", "seats": 5.0},
	})
	after.Status = ticket.StatusOpen

	for _, c := range ticket.Diff(before, after) {
		fmt.Printf("%s: %q → %q\n", c.Field, c.From, c.To)
	}
	// Output:
	// status: "new" → "open"
	// priority: "normal" → "urgent"
	// tags: "login" → "login, vip"
	// customer_fields.plan: "free" → "pro"
	// customer_fields.seats: "" → "5"
}
