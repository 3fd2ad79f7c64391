package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

type ticketRepo struct{ tx *txn }

func (r ticketRepo) Create(ctx context.Context, tk *ticket.Ticket, history []ticket.Change) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg == nil {
		return errs.NotFound("service", r.tx.service)
	}
	if _, ok := t.tickets[tk.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "ticket %q exists", tk.ID)
	}
	if err := ownHistory(tk.ID, history); err != nil {
		return err
	}
	tk.ServiceID = r.tx.service
	tk.Number = int64(len(t.byNumber)) + 1
	stored := tk.Clone()
	t.tickets[tk.ID] = &stored
	t.byNumber = append(t.byNumber, tk.ID)
	r.tx.onUndo(func() {
		delete(t.tickets, stored.ID)
		t.byNumber = t.byNumber[:len(t.byNumber)-1]
	})
	return r.AddChanges(ctx, history)
}

// Import stores tk with its number; numbers here have no gaps, so only the
// next one is taken.
func (r ticketRepo) Import(ctx context.Context, tk ticket.Ticket, history []ticket.Change, comments []ticket.Comment) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if r.tx.t.cfg == nil {
		return errs.NotFound("service", r.tx.service)
	}
	if next := int64(len(r.tx.t.byNumber)) + 1; tk.Number != next {
		if tk.Number > 0 && tk.Number < next {
			return errs.New(helpdesk.ErrConflict, "ticket #%d exists", tk.Number)
		}
		return errs.New(helpdesk.ErrInvalid, "ticket #%d: the memory store's next number is %d", tk.Number, next)
	}
	for _, c := range comments {
		if c.TicketID != tk.ID {
			return errs.New(helpdesk.ErrInvalid, "comment of ticket %q written with ticket %q", c.TicketID, tk.ID)
		}
	}
	if err := r.Create(ctx, &tk, history); err != nil {
		return err
	}
	for _, c := range comments {
		if err := r.AddComment(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func (r ticketRepo) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	if err := r.tx.check(ctx); err != nil {
		return ticket.Ticket{}, err
	}
	tk, ok := r.tx.t.tickets[id]
	if !ok {
		return ticket.Ticket{}, errs.NotFound("ticket", id)
	}
	return tk.Clone(), nil
}

// GetForUpdate is Get: the service's transactions already run one at a time.
func (r ticketRepo) GetForUpdate(ctx context.Context, id string) (ticket.Ticket, error) {
	return r.Get(ctx, id)
}

func (r ticketRepo) GetByNumber(ctx context.Context, n int64) (ticket.Ticket, error) {
	if err := r.tx.check(ctx); err != nil {
		return ticket.Ticket{}, err
	}
	if n < 1 || n > int64(len(r.tx.t.byNumber)) {
		return ticket.Ticket{}, errs.New(helpdesk.ErrNotFound, "ticket #%d", n)
	}
	return r.tx.t.tickets[r.tx.t.byNumber[n-1]].Clone(), nil
}

func (r ticketRepo) Update(ctx context.Context, tk *ticket.Ticket, history []ticket.Change) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	old, ok := t.tickets[tk.ID]
	if !ok {
		return errs.NotFound("ticket", tk.ID)
	}
	if old.Version != tk.Version {
		return errs.New(helpdesk.ErrConflict, "ticket %q is at version %d, not %d", tk.ID, old.Version, tk.Version)
	}
	if err := ownHistory(tk.ID, history); err != nil {
		return err
	}
	n := tk.Clone()
	n.ServiceID, n.Number, n.CreatedAt = old.ServiceID, old.Number, old.CreatedAt // not updatable
	n.Version++
	t.tickets[tk.ID] = &n
	*tk = n.Clone()
	r.tx.onUndo(func() { t.tickets[old.ID] = old })
	return r.AddChanges(ctx, history)
}

func (r ticketRepo) List(ctx context.Context, f ticket.Query) (ticket.Page, error) {
	if err := r.tx.check(ctx); err != nil {
		return ticket.Page{}, err
	}
	before := f.Before
	t := r.tx.t
	i := len(t.byNumber) - 1
	if before > 0 && before-1 <= int64(i) {
		i = int(before) - 2
	}
	var page ticket.Page
	for ; i >= 0; i-- {
		tk := t.tickets[t.byNumber[i]]
		if !f.Matches(tk) {
			continue
		}
		if len(page.Tickets) == f.Limit {
			page.Next = ticket.EncodeCursor(page.Tickets[len(page.Tickets)-1].Number)
			break
		}
		page.Tickets = append(page.Tickets, tk.Clone())
	}
	return page, nil
}

func (r ticketRepo) ListSolved(ctx context.Context, until time.Time, limit int) ([]ticket.Ticket, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, errs.New(helpdesk.ErrInvalid, "list solved tickets: limit %d", limit)
	}
	until = until.UTC().Truncate(time.Microsecond) // as Postgres compares it
	var due []*ticket.Ticket
	for _, tk := range r.tx.t.tickets {
		if tk.Status == ticket.StatusSolved && !tk.SolvedAt.After(until) {
			due = append(due, tk)
		}
	}
	slices.SortFunc(due, func(a, b *ticket.Ticket) int {
		return cmp.Or(a.SolvedAt.Compare(b.SolvedAt), cmp.Compare(a.Number, b.Number))
	})
	out := make([]ticket.Ticket, 0, min(limit, len(due)))
	for _, tk := range due[:min(limit, len(due))] {
		out = append(out, tk.Clone())
	}
	return out, nil
}

func (r ticketRepo) AddComment(ctx context.Context, c ticket.Comment) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if _, ok := t.tickets[c.TicketID]; !ok {
		return errs.NotFound("ticket", c.TicketID)
	}
	t.comments[c.TicketID] = append(t.comments[c.TicketID], c)
	r.tx.onUndo(func() {
		l := t.comments[c.TicketID]
		t.comments[c.TicketID] = l[:len(l)-1]
	})
	return nil
}

func (r ticketRepo) Comments(ctx context.Context, ticketID string) ([]ticket.Comment, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return append([]ticket.Comment(nil), r.tx.t.comments[ticketID]...), nil
}

func (r ticketRepo) AddChanges(ctx context.Context, cs []ticket.Change) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	for _, c := range cs {
		if _, ok := t.tickets[c.TicketID]; !ok {
			return errs.NotFound("ticket", c.TicketID)
		}
	}
	for _, c := range cs {
		c.ID = int64(len(t.changes)) + 1
		t.changes = append(t.changes, c)
		t.byTicket[c.TicketID] = append(t.byTicket[c.TicketID], len(t.changes)-1)
		r.tx.onUndo(func() {
			t.changes = t.changes[:len(t.changes)-1]
			l := t.byTicket[c.TicketID]
			t.byTicket[c.TicketID] = l[:len(l)-1]
		})
	}
	return nil
}

func (r ticketRepo) ScanChanges(ctx context.Context, f ticket.ChangeFilter, fn func(ticket.Change) error) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	// microseconds, as Postgres compares them
	f.Since, f.Until = f.Since.UTC().Truncate(time.Microsecond), f.Until.UTC().Truncate(time.Microsecond)
	visit := func(c ticket.Change) error {
		if c.ID <= f.AfterID {
			return nil
		}
		if (!f.Since.IsZero() && c.At.Before(f.Since)) || (!f.Until.IsZero() && !c.At.Before(f.Until)) {
			return nil
		}
		return fn(c)
	}
	if f.TicketID != "" {
		for _, i := range t.byTicket[f.TicketID] {
			if err := visit(t.changes[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for i, c := range t.changes {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := visit(c); err != nil {
			return err
		}
	}
	return nil
}

// ownHistory checks that history rows written with a ticket are its own.
func ownHistory(id string, history []ticket.Change) error {
	for _, c := range history {
		if c.TicketID != id {
			return errs.New(helpdesk.ErrInvalid, "history row of ticket %q written with ticket %q", c.TicketID, id)
		}
	}
	return nil
}

func (r ticketRepo) AddKey(ctx context.Context, k ticket.Key) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	t := r.tx.t
	if _, ok := t.keys[k.Key]; ok {
		return errs.New(helpdesk.ErrConflict, "idempotency key %q exists", k.Key)
	}
	t.keys[k.Key] = k
	r.tx.onUndo(func() { delete(t.keys, k.Key) })
	return nil
}

func (r ticketRepo) GetKey(ctx context.Context, key string) (ticket.Key, error) {
	if err := r.tx.check(ctx); err != nil {
		return ticket.Key{}, err
	}
	k, ok := r.tx.t.keys[key]
	if !ok {
		return ticket.Key{}, errs.NotFound("idempotency key", key)
	}
	return k, nil
}

func (r ticketRepo) DeleteKeys(ctx context.Context, before time.Time) (int, error) {
	if err := r.tx.check(ctx); err != nil {
		return 0, err
	}
	t := r.tx.t
	n := 0
	for key, k := range t.keys {
		if k.CreatedAt.Before(before) {
			delete(t.keys, key)
			r.tx.onUndo(func() { t.keys[key] = k })
			n++
		}
	}
	return n, nil
}
