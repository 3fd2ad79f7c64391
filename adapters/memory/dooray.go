package memory

import (
	"context"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// doorayState is a tenant's ticket ↔ Dooray! task links (DRY-2).
type doorayState struct {
	byTicket map[string]helpdesk.DoorayLink
	byPost   map[string]string // post id → ticket id
}

func newDoorayState() doorayState {
	return doorayState{byTicket: map[string]helpdesk.DoorayLink{}, byPost: map[string]string{}}
}

// doorayLinkRepo is helpdesk.DoorayLinkRepository.
type doorayLinkRepo struct{ tx *txn }

func (tx *txn) DoorayLinks() helpdesk.DoorayLinkRepository { return doorayLinkRepo{tx} }

func (r doorayLinkRepo) Insert(ctx context.Context, l helpdesk.DoorayLink) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if _, ok := t.tickets[l.TicketID]; !ok {
		return errs.NotFound("ticket", l.TicketID) // as the foreign key
	}
	_, linked := t.dry.byTicket[l.TicketID]
	if _, taken := t.dry.byPost[l.PostID]; linked || taken {
		return errs.New(helpdesk.ErrConflict, "ticket %q or Dooray! task %q is linked already", l.TicketID, l.PostID)
	}
	t.dry.byTicket[l.TicketID], t.dry.byPost[l.PostID] = l, l.TicketID
	r.tx.onUndo(func() { delete(t.dry.byTicket, l.TicketID); delete(t.dry.byPost, l.PostID) })
	return nil
}

func (r doorayLinkRepo) ByTicket(ctx context.Context, ticketID string) (helpdesk.DoorayLink, error) {
	if err := r.tx.check(ctx); err != nil {
		return helpdesk.DoorayLink{}, err
	}
	l, ok := r.tx.t.dry.byTicket[ticketID]
	if !ok {
		return l, errs.NotFound("Dooray! link of ticket", ticketID)
	}
	return l, nil
}

func (r doorayLinkRepo) ByPost(ctx context.Context, postID string) (helpdesk.DoorayLink, error) {
	if err := r.tx.check(ctx); err != nil {
		return helpdesk.DoorayLink{}, err
	}
	id, ok := r.tx.t.dry.byPost[postID]
	if !ok {
		return helpdesk.DoorayLink{}, errs.NotFound("Dooray! link of task", postID)
	}
	return r.tx.t.dry.byTicket[id], nil
}
