package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Create adds an agent to the service (AGT-1, AGT-2; admin or system;
// the first admin of a new service is created by System). With a Directory
// configured the account must be a directory member (else a
// *ValidationError on "account": invite them first) and the name and email
// come from the directory (an empty account is the lower-cased email).
//
// What n leaves out gets the defaults (agent.New): the agent role; the
// role's permissions (agent.DefaultPermissions) on the channels the service
// contracted; ticket and chat assignment on (agent.DefaultToggles). So a
// new ordinary agent can read and work tickets, forward them, and receives
// tickets from group strategies and triggers. Permissions given explicitly
// must be for contracted channels and CTI settings need phone (SVC-4); the
// agent joins n.GroupIDs in that order. An email or account already used in
// the service returns ErrConflict.
func (h Agents) Create(ctx context.Context, n agent.New) (agent.Agent, error) {
	n.Email = strings.TrimSpace(n.Email)
	if n.Account == "" {
		n.Account = strings.ToLower(n.Email)
	}
	if n.Role == "" {
		n.Role = agent.RoleAgent
	}
	var out agent.Agent
	err := h.s.run(ctx, "Agents.Create", permSettings, func(o *op) error {
		// The directory is asked only once the caller is known to be
		// allowed: its answer must not leak to anyone else.
		if d := h.s.desk.directory; d != nil {
			m, err := d.LookUp(ctx, n.Account)
			if errors.Is(err, ErrNotFound) {
				return &ValidationError{Problems: []Problem{{Field: "account",
					Reason: fmt.Sprintf("%q is not a member of the directory; invite them first (AGT-1)", n.Account)}}}
			} else if err != nil {
				return errs.Wrap(err, "directory")
			}
			n.Account, n.Name, n.Email = m.Account, m.Name, m.Email
		}
		if err := n.Validate(); err != nil {
			return err
		}
		perms, toggles := contracted(agent.DefaultPermissions(n.Role), o.svc.Channels), agent.DefaultToggles(n.Role)
		if n.Permissions != nil {
			perms = *n.Permissions
		}
		if n.Toggles != nil {
			toggles = *n.Toggles
		}
		var c errs.Collector
		checkAgentChannels(&c, o.svc.Channels, perms, n.CTIID, n.Extension)
		for _, g := range n.GroupIDs {
			if _, err := o.r.Groups().Get(ctx, g); errors.Is(err, ErrNotFound) {
				c.Add("group_ids", "no group %q in this service", g)
			} else if err != nil {
				return err
			}
		}
		if err := c.Err(); err != nil {
			return err
		}
		a := agent.Agent{ID: h.s.desk.newID(), Account: n.Account, Name: n.Name, Email: n.Email, Role: n.Role, Active: true,
			Permissions: perms, Toggles: toggles, CTIID: n.CTIID, Extension: n.Extension,
			Version: 1, CreatedAt: o.now, UpdatedAt: o.now}
		if err := o.r.Agents().Create(ctx, a); err != nil {
			return err
		}
		for _, g := range n.GroupIDs {
			if _, err := o.r.Groups().AddMember(ctx, g, a.ID, o.now); err != nil {
				return err
			}
		}
		out = a
		return nil
	})
	return result(out, err)
}

// contracted returns p without the channels the service has not
// contracted (SVC-4).
func contracted(p agent.Permissions, ch Channels) agent.Permissions {
	p.Ticket, p.Chat, p.Phone = p.Ticket && ch.Ticket, p.Chat && ch.Chat, p.Phone && ch.Phone
	return p
}

// checkAgentChannels refuses permissions and phone settings for channels the
// service has not contracted (SVC-4, AGT-2).
func checkAgentChannels(c *errs.Collector, ch Channels, p agent.Permissions, ctiID, ext string) {
	if p.Ticket && !ch.Ticket {
		c.Add("permissions.ticket", "the ticket channel is not contracted (SVC-4)")
	}
	if p.Chat && !ch.Chat {
		c.Add("permissions.chat", "the chat channel is not contracted (SVC-4)")
	}
	if p.Phone && !ch.Phone {
		c.Add("permissions.phone", "the phone channel is not contracted (SVC-4)")
	}
	if ctiID != "" && !ch.Phone {
		c.Add("cti_id", "needs the phone channel (SVC-4)")
	}
	if ext != "" && !ch.Phone {
		c.Add("extension", "needs the phone channel (SVC-4)")
	}
}

// Invite asks the directory to invite a person who is not a member yet
// (AGT-1; admin). Once they join, Create adds them. The caller's role is
// checked first: a caller who may not invite learns nothing of the input
// or the configuration. The directory is asked after the transaction
// that checked the caller has ended: a transaction may run twice (see
// Store.Tx), an invitation must not.
func (h Agents) Invite(ctx context.Context, email, name string) error {
	err := h.s.run(ctx, "Agents.Invite", permSettings, func(*op) error {
		var c errs.Collector
		text.CheckEmail(&c, "email", email)
		text.Check(&c, "name", name, false, text.NameBytes)
		if h.s.desk.directory == nil {
			c.Add("directory", "no directory is configured (helpdesk.Config.Directory)")
		}
		return c.Err()
	})
	if err != nil {
		return err
	}
	return h.s.desk.directory.Invite(ctx, email, name)
}

// Update changes an agent's role, activity, permissions or phone
// settings (admin). u.Version must be the version read (TKT-8 style).
// An update that would leave the service without an active admin — the
// last one demoting or deactivating themselves, or being demoted or
// deactivated — is refused with a *ValidationError (AGT-3).
func (h Agents) Update(ctx context.Context, id string, u agent.Update) (agent.Agent, error) {
	if err := checkID("agent", id); err != nil {
		return agent.Agent{}, err
	}
	if err := u.Validate(); err != nil {
		return agent.Agent{}, err
	}
	var out agent.Agent
	err := h.s.run(ctx, "Agents.Update", permSettings, func(o *op) error {
		if u.Role != nil || u.Active != nil {
			// the last-admin check reads the other agents: no
			// concurrent update may change them meanwhile (AGT-3)
			if err := o.r.Agents().Lock(ctx); err != nil {
				return err
			}
		}
		a, err := o.r.Agents().Get(ctx, id)
		if err != nil {
			return err
		}
		wasAdmin := a.Active && a.IsAdmin()
		if a.Version != u.Version {
			return errs.New(ErrConflict, "agent %q is at version %d, not %d", id, a.Version, u.Version)
		}
		if u.Role != nil {
			a.Role = *u.Role
		}
		if u.Active != nil {
			a.Active = *u.Active
		}
		if u.Permissions != nil {
			a.Permissions = *u.Permissions
		}
		if u.CTIID != nil {
			a.CTIID = *u.CTIID
		}
		if u.Extension != nil {
			a.Extension = *u.Extension
		}
		var c errs.Collector
		if !a.Role.Valid() {
			c.Add("role", "unknown role %q", a.Role)
		}
		checkAgentChannels(&c, o.svc.Channels, a.Permissions, a.CTIID, a.Extension)
		if err := c.Err(); err != nil {
			return err
		}
		if wasAdmin && !(a.Active && a.IsAdmin()) {
			field := "role"
			if !a.Active {
				field = "active"
			}
			if err := lastAdmin(ctx, o, id, field); err != nil {
				return err
			}
		}
		a.UpdatedAt = o.now
		if err := o.r.Agents().Update(ctx, &a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// lastAdmin refuses to take the admin role or activity from agent id when
// no other active admin is left (AGT-3); the problem is on field.
func lastAdmin(ctx context.Context, o *op, id, field string) error {
	all, err := o.r.Agents().List(ctx)
	if err != nil {
		return err
	}
	for _, b := range all {
		if b.ID != id && b.Active && b.IsAdmin() {
			return nil
		}
	}
	return &ValidationError{Problems: []Problem{{Field: field,
		Reason: fmt.Sprintf("agent %q is the service's only active admin: make another agent admin first (AGT-3)", id)}}}
}

// SetToggles sets an agent's assignment toggles (AGT-5). An admin may set
// any agent's; an agent whose assignment control is on may flip their own
// ticket and chat assignment, never the control itself; others are
// forbidden.
func (h Agents) SetToggles(ctx context.Context, id string, t agent.Toggles) (agent.Agent, error) {
	if err := checkID("agent", id); err != nil {
		return agent.Agent{}, err
	}
	var out agent.Agent
	err := h.s.runRetry(ctx, "Agents.SetToggles", permRead, func(o *op) error {
		a, err := o.r.Agents().Get(ctx, id)
		if err != nil {
			return err
		}
		if o.agent != nil && !o.agent.IsAdmin() {
			switch {
			case o.agent.ID != id:
				return errs.New(ErrForbidden, "%s: only an admin sets another agent's toggles (AGT-5)", o.call)
			case !a.Toggles.AssignmentControl:
				return errs.New(ErrForbidden, "%s: agent %q has no assignment control (AGT-5)", o.call, id)
			case t.AssignmentControl != a.Toggles.AssignmentControl:
				return errs.New(ErrForbidden, "%s: only an admin changes assignment control (AGT-5)", o.call)
			}
		}
		if a.Toggles == t {
			out = a
			return nil
		}
		a.Toggles, a.UpdatedAt = t, o.now
		if err := o.r.Agents().Update(ctx, &a); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// Get returns one agent of the service.
func (h Agents) Get(ctx context.Context, id string) (agent.Agent, error) {
	if err := checkID("agent", id); err != nil {
		return agent.Agent{}, err
	}
	var out agent.Agent
	err := h.s.run(ctx, "Agents.Get", permRead, func(o *op) (err error) {
		out, err = o.r.Agents().Get(ctx, id)
		return err
	})
	return out, err
}

// List lists the service's agents.
func (h Agents) List(ctx context.Context) ([]agent.Agent, error) {
	var out []agent.Agent
	err := h.s.run(ctx, "Agents.List", permRead, func(o *op) (err error) {
		out, err = o.r.Agents().List(ctx)
		return err
	})
	return out, err
}
