package helpdesk

import (
	"context"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// Get returns one ticket of the service; a foreign or unknown id is
// ErrNotFound (SVC-1).
func (h Tickets) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := h.s.run(ctx, "Tickets.Get", permTicketRead, func(o *op) (err error) {
		out, err = o.r.Tickets().Get(ctx, id)
		return err
	})
	return out, err
}

// ByNumber returns the ticket shown to people as #n.
func (h Tickets) ByNumber(ctx context.Context, n int64) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := h.s.run(ctx, "Tickets.ByNumber", permTicketRead, func(o *op) (err error) {
		out, err = o.r.Tickets().GetByNumber(ctx, n)
		return err
	})
	return out, err
}

// List returns one page of the service's tickets matching f, newest
// first. Pass Page.Next as f.Cursor for the next page; pages stay stable
// while new tickets arrive.
func (h Tickets) List(ctx context.Context, f ticket.Filter) (ticket.Page, error) {
	q, err := f.Query()
	if err != nil {
		return ticket.Page{}, err
	}
	var out ticket.Page
	err = h.s.run(ctx, "Tickets.List", permTicketRead, func(o *op) (err error) {
		out, err = o.r.Tickets().List(ctx, q)
		return err
	})
	return out, err
}

// Comments returns a ticket's replies and notes, oldest first.
func (h Tickets) Comments(ctx context.Context, ticketID string) ([]ticket.Comment, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return nil, err
	}
	var out []ticket.Comment
	err := h.s.run(ctx, "Tickets.Comments", permTicketRead, func(o *op) error {
		if _, err := o.r.Tickets().Get(ctx, ticketID); err != nil {
			return err
		}
		var err error
		out, err = o.r.Tickets().Comments(ctx, ticketID)
		return err
	})
	return out, err
}

// History returns a ticket's history rows, oldest first (TKT-4).
func (h Tickets) History(ctx context.Context, ticketID string) ([]ticket.Change, error) {
	if err := checkID("ticket", ticketID); err != nil {
		return nil, err
	}
	var out []ticket.Change
	err := h.s.run(ctx, "Tickets.History", permTicketRead, func(o *op) error {
		out = nil // a run the store started over (Store.Tx) kept nothing
		if _, err := o.r.Tickets().Get(ctx, ticketID); err != nil {
			return err
		}
		return o.r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{TicketID: ticketID}, func(c ticket.Change) error {
			out = append(out, c)
			return nil
		})
	})
	return out, err
}
