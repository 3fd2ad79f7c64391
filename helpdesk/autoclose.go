package helpdesk

import (
	"context"
	"errors"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// CloseSolved closes the service's tickets that were solved at least the
// configured CloseAfter ago (TKT-2; default 4 days) and returns how many it
// closed. It is the work of a background job: run it as System (or an
// admin) from time to time, or let RunAutoClose do so. Several processes
// may run it at once: a ticket closed (or reopened) meanwhile is skipped.
func (s *Session) CloseSolved(ctx context.Context) (int, error) {
	var due []string
	f := ticket.Filter{Statuses: []ticket.Status{ticket.StatusSolved}, Limit: ticket.MaxPageSize}
	for {
		var page ticket.Page
		err := s.run(ctx, permSettings, func(o *op) (err error) {
			after := o.svc.Tickets.CloseAfter
			if after == 0 {
				after = DefaultCloseAfter
			}
			if after < 0 {
				return nil
			}
			page, err = o.r.Tickets().List(ctx, f)
			for _, t := range page.Tickets {
				if !t.SolvedAt.IsZero() && !o.now.Before(t.SolvedAt.Add(after)) {
					due = append(due, t.ID)
				}
			}
			return err
		})
		if err != nil {
			return 0, err
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	closed := 0
	for _, id := range due {
		_, err := s.ChangeStatus(ctx, id, ticket.StatusClosed)
		var te *ticket.TransitionError
		switch {
		case err == nil:
			closed++
		case errors.As(err, &te): // reopened or closed by someone else meanwhile
		default:
			return closed, err
		}
	}
	return closed, nil
}

// RunAutoClose runs CloseSolved as System every interval until ctx ends,
// then returns nil. Errors are logged, not fatal.
func (s *Service) RunAutoClose(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	sess := s.As(System)
	for {
		if _, err := sess.CloseSolved(ctx); err != nil && ctx.Err() == nil {
			s.desk.log.Error("helpdesk: auto-close", "service", s.id, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
