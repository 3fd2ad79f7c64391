package helpdesk

import (
	"context"
	"errors"
	"time"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// closePage is how many due tickets Tickets.CloseSolved reads at a time.
const closePage = 200

// CloseSolved closes the service's tickets that were solved at least the
// configured CloseAfter ago (TKT-2; default 4 days) and returns how many it
// closed. It is the work of a background job: run it as System (or an
// admin) from time to time, or let an AutoCloser run it for every service.
// Several processes may run it at once: a ticket closed, reopened or solved
// again meanwhile is skipped.
// Each run also deletes the service's idempotency keys older than
// Config.IdempotencyTTL (STO-3).
func (h Tickets) CloseSolved(ctx context.Context) (int, error) {
	closed := 0
	for {
		var (
			due    []ticket.Ticket
			cutoff time.Time
		)
		err := h.s.run(ctx, "Tickets.CloseSolved", permSettings, func(o *op) (err error) {
			if closed == 0 {
				if err := h.s.purgeKeys(ctx, o); err != nil { // STO-3
					return err
				}
			}
			after := o.svc.Tickets.CloseAfter
			if after == 0 {
				after = DefaultCloseAfter
			}
			if after < 0 {
				return nil
			}
			cutoff = o.now.Add(-after)
			due, err = o.r.Tickets().ListSolved(ctx, cutoff, closePage)
			return err
		})
		if err != nil {
			return closed, err
		}
		n := 0
		for _, t := range due {
			ok, err := h.s.closeDue(ctx, t.ID, cutoff)
			if err != nil {
				return closed, err
			}
			if ok {
				n++
			}
		}
		closed += n
		// A short page was the last; a page of which nothing closed (all
		// changed meanwhile) ends this run rather than risk going round.
		if len(due) < closePage || n == 0 {
			return closed, nil
		}
	}
}

// closeDue closes ticket id if it is still solved since cutoff or earlier,
// and reports whether it did.
func (s *Session) closeDue(ctx context.Context, id string, cutoff time.Time) (bool, error) {
	var closed bool
	err := s.runRetry(ctx, "Tickets.CloseSolved", permTicketWork, func(o *op) error {
		closed = false
		_, err := s.edit(ctx, o, id, ticket.EventUpdated, always, func(t *ticket.Ticket) ([]ticket.FieldChange, error) { // the call's last step
			if t.Status != ticket.StatusSolved || t.SolvedAt.After(cutoff) {
				return nil, nil // reopened, closed or solved again meanwhile: leave it
			}
			closed = true
			return nil, setStatus(t, ticket.StatusClosed, o)
		})
		return err
	})
	return closed, err
}

// RunAutoClose runs Tickets.CloseSolved as System every interval until ctx ends,
// then returns nil. Errors are logged, not fatal. A host with many services
// runs one AutoCloser (Desk.AutoCloser) instead of one of these per service.
func (s *Service) RunAutoClose(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	sess := s.As(System)
	for {
		if _, err := sess.Tickets().CloseSolved(ctx); err != nil && ctx.Err() == nil {
			s.desk.log.Error("helpdesk: auto-close", "service", s.id, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// AutoCloser closes the due solved tickets of every service of the store
// (TKT-2). Make it with Desk.AutoCloser; it is safe to run in several
// processes at once.
type AutoCloser struct {
	desk     *Desk
	interval time.Duration
}

// DefaultAutoCloseInterval is the pause between two passes of an AutoCloser
// made with a non-positive interval.
const DefaultAutoCloseInterval = time.Minute

// AutoCloser returns the job that runs Tickets.CloseSolved as System for every
// service, one pass every interval (DefaultAutoCloseInterval when interval
// is not positive). Start it once per process: go ac.Run(ctx).
func (d *Desk) AutoCloser(interval time.Duration) *AutoCloser {
	if interval <= 0 {
		interval = DefaultAutoCloseInterval
	}
	return &AutoCloser{desk: d, interval: interval}
}

// Run makes a pass at once and then every interval until ctx ends, then
// returns nil. Errors are logged, not fatal.
func (a *AutoCloser) Run(ctx context.Context) error {
	t := time.NewTicker(a.interval)
	defer t.Stop()
	for {
		if _, err := a.RunOnce(ctx); err != nil && ctx.Err() == nil {
			a.desk.log.Error("helpdesk: auto-close", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce makes one pass: it pages through the store's services and closes
// each one's due tickets, and returns how many it closed. A service that
// fails does not stop the pass; the errors are returned together at its
// end.
func (a *AutoCloser) RunOnce(ctx context.Context) (int, error) {
	closed := 0
	var failed []error
	after := ""
	for {
		ids, err := a.desk.Services(ctx, after, DefaultServicePage)
		if err != nil {
			return closed, errors.Join(append(failed, errs.Wrap(err, "auto-close"))...)
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return closed, errors.Join(append(failed, err)...)
			}
			n, err := a.desk.Service(id).As(System).Tickets().CloseSolved(ctx)
			closed += n
			if err != nil {
				failed = append(failed, errs.Wrap(err, "auto-close: service %q", id))
			}
		}
		if len(ids) < DefaultServicePage {
			return closed, errors.Join(failed...)
		}
		after = ids[len(ids)-1]
	}
}
