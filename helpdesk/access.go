package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// RecordLogin appends a login or logout to the login log (AGT-7). The host
// calls it as System, or as the agent who logged in or out; At and ID are
// set by the library.
func (h Agents) RecordLogin(ctx context.Context, e agent.LoginEvent) (agent.LoginEvent, error) {
	var c errs.Collector
	if e.Kind != agent.Login && e.Kind != agent.Logout {
		c.Add("kind", "unknown kind %q (login, logout)", e.Kind)
	}
	text.Check(&c, "address", e.Address, false, text.KeyBytes)
	text.Check(&c, "user_agent", e.UserAgent, false, text.ShortBytes)
	if err := c.Err(); err != nil {
		return e, err
	}
	err := h.s.run(ctx, "Agents.RecordLogin", permRead, func(o *op) error {
		if o.agent != nil && o.agent.ID != e.AgentID {
			return errs.New(ErrForbidden, "%s: an agent records only their own logins", o.call)
		}
		if _, err := o.r.Agents().Get(ctx, e.AgentID); err != nil {
			return err
		}
		e.ID, e.At = h.s.desk.newID(), o.now
		return o.r.Logins().Add(ctx, e)
	})
	return e, err
}

// LoginLog returns one page of the login log, newest first, by period and
// agent (AGT-7). It needs the log-viewing permission.
func (h Agents) LoginLog(ctx context.Context, f agent.LoginFilter) (agent.LoginPage, error) {
	q, err := f.Query()
	if err != nil {
		return agent.LoginPage{}, err
	}
	var out agent.LoginPage
	err = h.s.run(ctx, "Agents.LoginLog", permLogs, func(o *op) (err error) {
		out, err = o.r.Logins().List(ctx, q)
		return err
	})
	return out, err
}

// MenuAccess returns the access of every menu (AGT-8).
func (h Agents) MenuAccess(ctx context.Context) ([]agent.MenuAccess, error) {
	var out []agent.MenuAccess
	err := h.s.run(ctx, "Agents.MenuAccess", permRead, func(o *op) error {
		out = nil // a run the store started over (Store.Tx) kept nothing
		for _, m := range agent.Menus {
			a, err := o.r.Menus().Get(ctx, m)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// unprocessed are the statuses of tickets an agent still has to work.
var unprocessed = []ticket.Status{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending}

// SetMenuAccess sets who may use a menu (AGT-8; admin). A member who still
// holds unprocessed tickets cannot be restricted from ticket management, nor
// one who holds callbacks from callback management; the error names each.
func (h Agents) SetMenuAccess(ctx context.Context, a agent.MenuAccess) (agent.MenuAccess, error) {
	if !a.Menu.Valid() {
		return a, &ValidationError{Problems: []Problem{{Field: "menu", Reason: fmt.Sprintf("unknown menu %q", a.Menu)}}}
	}
	slices.Sort(a.Restricted)
	a.Restricted = slices.Compact(a.Restricted)
	if !a.Partial {
		a.Restricted = nil
	}
	err := h.s.run(ctx, "Agents.SetMenuAccess", permSettings, func(o *op) error {
		var c errs.Collector
		for _, id := range a.Restricted {
			if _, err := o.r.Agents().Get(ctx, id); errors.Is(err, ErrNotFound) {
				c.Add("restricted", "no agent %q in this service", id)
				continue
			} else if err != nil {
				return err
			}
			switch a.Menu {
			case agent.MenuTickets:
				p, err := o.r.Tickets().List(ctx, ticket.Query{Filter: ticket.Filter{AssigneeID: id, Statuses: unprocessed, Limit: 1}})
				if err != nil {
					return err
				}
				if len(p.Tickets) > 0 {
					c.Add("restricted", "agent %q still holds unprocessed tickets (e.g. #%d)", id, p.Tickets[0].Number)
				}
			case agent.MenuCallbacks:
				if h.s.desk.callbacks == nil {
					continue
				}
				n, err := h.s.desk.callbacks.PendingCallbacks(ctx, h.s.svc, id)
				if err != nil {
					return err
				}
				if n > 0 {
					c.Add("restricted", "agent %q still holds %d unprocessed callbacks", id, n)
				}
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		return o.r.Menus().Put(ctx, a)
	})
	return a, err
}

// checkID answers ErrNotFound for an id that is not text a store keeps
// (invalid UTF-8 or a NUL byte, SEC-3): no object has it, and a store must
// not be asked (see guarded).
func checkID(what, id string) error {
	if !text.Valid(id, text.KeyBytes) { // every id is shorter: the desk makes them, services' are at most 63 bytes
		return errs.NotFound(what, id)
	}
	return nil
}
