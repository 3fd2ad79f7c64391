package trigger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/problem"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// exampleResolver knows one group and no categories or agents.
type exampleResolver struct{}

func (exampleResolver) Category(_ context.Context, id string) (category.Category, error) {
	return category.Category{}, fmt.Errorf("category %q: %w", id, ErrNotFound)
}

func (exampleResolver) Agent(_ context.Context, id string) error {
	return fmt.Errorf("agent %q: %w", id, ErrNotFound)
}

func (exampleResolver) Group(_ context.Context, id string) error {
	if id == "billing-team" {
		return nil
	}
	return fmt.Errorf("group %q: %w", id, ErrNotFound)
}

// printApplier prints each action of a fired trigger and carries out those
// that only change the ticket; a real Applier assigns through the store and
// writes the other side effects to the outbox.
type printApplier struct{}

func (printApplier) Apply(_ context.Context, tr *Trigger, t *ticket.Ticket) (bool, error) {
	changed := false
	for i, a := range tr.Actions {
		c, handled, err := ApplyToTicket(i, a, t, time.Now())
		switch {
		case err != nil:
			fmt.Printf("%s: %s: failed: %v\n", tr.Name, Describe(a), err)
		case !handled:
			fmt.Printf("%s: %s (for the store or the outbox)\n", tr.Name, Describe(a))
		default:
			fmt.Printf("%s: %s\n", tr.Name, Describe(a))
		}
		changed = changed || c
	}
	return changed, nil
}

func Example() {
	ctx := context.Background()
	fields := []field.Field{{Key: "order_total", Kind: field.KindCustomer, Type: field.TypeNumber}}
	s := NewSchema(fields, []string{"ko", "en"}, "ko")

	// Validate checks a trigger against the schema and reports every
	// problem at once.
	_, err := Validate(ctx, New{
		Name:    "Broken",
		All:     []Condition{{Target: TargetStatus, Op: GreaterThan, Value: "open"}},
		Actions: []Action{{Kind: SetStatus, Value: "new"}, {Kind: AssignRandom, GroupID: "nobody"}},
	}, s, exampleResolver{})
	var ve *problem.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println("refused:", p.Field)
		}
	}

	// A valid trigger comes back in canonical form.
	n, err := Validate(ctx, New{
		Name: "Big refunds",
		All: []Condition{
			{Target: TargetEvent, Op: Is, Value: "created"},
			{Target: TargetContent, Op: Contains, Value: []string{"refund", "환불"}},
			{Target: "customer_fields.order_total", Op: GreaterThan, Value: 100},
		},
		Actions: []Action{
			{Kind: SetPriority, Value: "urgent"},
			{Kind: AddTags, Tags: []string{"Refund"}},
			{Kind: AssignRoundRobin, GroupID: "billing-team"},
		},
	}, s, exampleResolver{})
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := Compile([]Trigger{{ID: "t1", Name: n.Name, All: n.All, Actions: n.Actions, Active: true}}, s, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}

	tk := ticket.Ticket{ID: "tk1", Title: "Order 42", Content: "I want a REFUND, please.", Status: ticket.StatusNew,
		Priority: ticket.PriorityNormal, Channel: ticket.ChannelEmail, Language: "en",
		CustomerFields: ticket.Fields{"order_total": 250.0}}
	out, err := set.Run(ctx, Input{Event: ticket.EventCreated, Now: time.Now()}, &tk, printApplier{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("fired %d in %d passes\n", out.Fired, out.Passes)
	fmt.Println(tk.Priority, tk.Tags)
	// Output:
	// refused: all[0].op
	// refused: actions[0].value
	// refused: actions[1].group_id
	// Big refunds: set priority to urgent
	// Big refunds: add tags refund
	// Big refunds: assign to group billing-team, to the next eligible member in turn (for the store or the outbox)
	// fired 1 in 2 passes
	// urgent [refund]
}

func ExampleSet_DryRun() {
	s := NewSchema(nil, []string{"en"}, "en")
	set, err := Compile([]Trigger{
		{ID: "1", Name: "Tag VIPs", Active: true,
			All:     []Condition{{Target: TargetRequesterEmail, Op: Contains, Value: "@bigcorp.com"}},
			Actions: []Action{{Kind: AddTags, Tags: []string{"vip"}}}},
		{ID: "2", Name: "Escalate VIPs", Active: true,
			All: []Condition{
				{Target: TargetTags, Op: Contains, Value: []string{"vip"}},
				{Target: TargetPriority, Op: LessThan, Value: "high"},
			},
			Actions: []Action{{Kind: SetPriority, Value: "high"}}},
		{ID: "3", Name: "Welcome", Active: true,
			All:     []Condition{{Target: TargetEvent, Op: Is, Value: "created"}},
			Actions: []Action{{Kind: Notify, Recipient: RecipientCustomer}}},
	}, s, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	tk := ticket.Ticket{ID: "tk1", Title: "Invoice", Content: "Please resend the invoice.", Status: ticket.StatusOpen,
		Priority: ticket.PriorityNormal, Channel: ticket.ChannelEmail, Language: "en",
		Requester: ticket.Requester{Email: "ceo@BigCorp.com"}}

	rep, err := set.DryRun(Input{Event: ticket.EventUpdated, Before: tk}, tk)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, tr := range rep.Triggers {
		fmt.Printf("%s: fired %v, pass %d\n", tr.Name, tr.Fired, tr.Pass)
		for _, c := range tr.Conditions {
			fmt.Printf("  %s %s %v: %v\n", c.Condition.Target, c.Condition.Op, c.Condition.Value, c.Held)
		}
		for _, a := range tr.Actions {
			fmt.Println("  would", a.Effect)
		}
	}
	fmt.Println("priority:", rep.Ticket.Priority, "(the ticket itself is still", tk.Priority+")")
	// Output:
	// Tag VIPs: fired true, pass 1
	//   requester_email contains @bigcorp.com: true
	//   would add tags vip
	// Escalate VIPs: fired true, pass 1
	//   tags contains [vip]: true
	//   priority less_than high: true
	//   would set priority to high
	// Welcome: fired false, pass 0
	//   event is created: false
	// priority: high (the ticket itself is still normal)
}
