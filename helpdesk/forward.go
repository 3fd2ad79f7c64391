package helpdesk

import (
	"context"
	"errors"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// Forward names where a ticket goes (TKT-7): an agent, a group, or both.
// With only a group, the group's strategy picks the assignee (none: the
// ticket waits in the group unassigned).
type Forward struct {
	AgentID string
	GroupID string
}

// Forward sends a ticket to another agent or group (TKT-7). It needs the
// forwarding permission; an agent whose ticket assignment is off (AGT-5)
// cannot receive it. An assignment opens a new ticket (TKT-2). When the
// group's strategy finds no eligible member, the ticket goes to the group
// unassigned and the system writes a ticket.FieldAssignment history row
// saying why.
// Concurrent changes are retried, not lost (TKT-8).
func (h Tickets) Forward(ctx context.Context, id string, f Forward) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	if f.AgentID == "" && f.GroupID == "" {
		return ticket.Ticket{}, &ValidationError{Problems: []Problem{{Field: "agent_id", Reason: "an agent or a group is required"}}}
	}
	var out ticket.Ticket
	err := h.s.runRetry(ctx, "Tickets.Forward", permForward, func(o *op) error {
		var c errs.Collector
		if f.GroupID != "" {
			if _, err := o.r.Groups().Get(ctx, f.GroupID); errors.Is(err, ErrNotFound) {
				c.Add("group_id", "no group %q in this service", f.GroupID)
			} else if err != nil {
				return err
			}
		}
		assignee := f.AgentID
		if assignee != "" {
			if err := checkAssignee(ctx, o, "agent_id", assignee, &c); err != nil {
				return err
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		if assignee == "" {
			var why string
			var err error
			if assignee, why, err = h.s.pick(ctx, o, f.GroupID, false); err != nil { // the ticket's update follows
				return err
			}
			if why != "" { // the ticket waits in the group: the history says why
				o.systemRows = append(o.systemRows, ticket.FieldChange{Field: ticket.FieldAssignment, From: f.GroupID, To: why})
			}
		}
		t, err := h.s.edit(ctx, o, id, ticket.EventUpdated, always, func(t *ticket.Ticket) ([]ticket.FieldChange, error) { // the call's last step
			if t.Status == ticket.StatusClosed {
				return nil, errClosed(id)
			}
			if f.GroupID != "" {
				t.GroupID = f.GroupID
			}
			t.AssigneeID = assignee
			if assignee != "" && t.Status == ticket.StatusNew {
				return nil, setStatus(t, ticket.StatusOpen, o) // TKT-2
			}
			return nil, nil
		})
		out = t
		return err
	})
	return result(out, err)
}

// checkAssignee adds a problem on field unless agentID can be given
// tickets (see eligible).
func checkAssignee(ctx context.Context, o *op, field, agentID string, c *errs.Collector) error {
	a, err := o.r.Agents().Get(ctx, agentID)
	if errors.Is(err, ErrNotFound) {
		c.Add(field, "no agent %q in this service", agentID)
		return nil
	} else if err != nil {
		return err
	}
	menu, err := o.r.Menus().Get(ctx, agent.MenuTickets)
	if err != nil {
		return err
	}
	if why := ineligible(a, menu); why != "" {
		c.Add(field, "agent %q %s", agentID, why)
	}
	return nil
}

// ineligible says why a cannot be given tickets, or "" when it can: an
// assignee must be active, have ticket assignment on (AGT-5), hold the
// ticket permission and not be restricted from ticket management (AGT-8).
// Forwarding, creation-time assignment and group strategies all use it.
func ineligible(a agent.Agent, ticketMenu agent.MenuAccess) string {
	switch {
	case !a.Active:
		return "is inactive"
	case !a.Toggles.TicketAssignment:
		return "has ticket assignment off (AGT-5)"
	case !a.Can(func(p agent.Permissions) bool { return p.Ticket }):
		return "has no ticket permission"
	case !ticketMenu.Allows(a.ID):
		return "is restricted from ticket management (AGT-8)"
	}
	return ""
}
