package helpdesk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// DoorayEvent is one call of a Dooray! project hook, as the host's
// handler (adapters/dooray.ProjectHook) parsed it (DRY-2).
type DoorayEvent struct {
	// Kind is the hook's event type: EventDoorayComment and
	// EventDoorayWorkflow are acted on, every other kind is ignored.
	Kind   string
	PostID string // the task
	// CommentID, CommentBody and Author describe a new comment.
	CommentID   string
	CommentBody string
	Author      string
	// WorkflowClass is the task's new workflow class (registered,
	// working, closed) on a workflow change.
	WorkflowClass string
}

// The Dooray! hook events acted on.
const (
	EventDoorayComment  = "postCommentCreated"
	EventDoorayWorkflow = "postWorkflowChanged"
)

// FieldDoorayTaskState is the history field of a Dooray! task's workflow
// change: To is the new class ("closed").
const FieldDoorayTaskState = "dooray_task_state"

// hookCall names the hook's workflow: its notes are not sent back to the
// task they came from.
const hookCall = "DoorayHook"

// RotateHookToken makes a new unguessable token for the service's Dooray!
// project-hook URL and returns it, the only time it is shown (admin,
// SEC-1): the host puts it in the URL it registers in Dooray!. The old
// token stops working at once.
func (h Dooray) RotateHookToken(ctx context.Context) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	_, err := h.s.writeConfig(ctx, "Dooray.RotateHookToken", func(_ *op, cfg *ServiceConfig) error {
		cfg.Dooray = cfg.Dooray.clone()
		cfg.Dooray.HookToken = token
		return nil
	})
	return result(token, err)
}

// DoorayHook applies one call of a Dooray! project hook to the service
// (DRY-2), as the system: a call of the host's handler. token must be the
// service's hook token (RotateHookToken), else ErrForbidden and nothing
// changes; so is a service without one. A new comment on a linked task
// becomes an internal note on its ticket ("Dooray! <author>: …"), not
// sent back to the task; a workflow change is recorded in the ticket's
// history (FieldDoorayTaskState). Replays are harmless: a comment is
// added once (its id is the note's idempotency key, STO-3), and a state
// the history shows already is not recorded again. Events of unlinked
// tasks, other kinds, and every event while transfer is paused (DRY-3)
// are ignored.
func (d *Desk) DoorayHook(ctx context.Context, serviceID, token string, ev DoorayEvent) error {
	s := d.Service(serviceID).As(System)
	var c errs.Collector
	text.Check(&c, "post_id", ev.PostID, false, text.NameBytes)
	text.Check(&c, "comment_id", ev.CommentID, false, text.NameBytes)
	text.Check(&c, "author", ev.Author, false, text.NameBytes)
	text.Check(&c, "workflow_class", ev.WorkflowClass, false, text.NameBytes)
	if err := c.Err(); err != nil {
		return err
	}
	var link DoorayLink
	err := s.run(ctx, "DoorayHook", permTicketWork, func(o *op) error {
		want := o.svc.Dooray.HookToken
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
			return errs.New(ErrForbidden, "Dooray! hook of service %q: unknown token", serviceID)
		}
		if !o.svc.Dooray.Active || ev.PostID == "" {
			return nil
		}
		l, err := o.r.DoorayLinks().ByPost(ctx, ev.PostID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		link = l
		return err
	})
	if err != nil || link.TicketID == "" {
		return err
	}
	switch ev.Kind {
	case EventDoorayComment:
		return d.doorayComment(ctx, s, hookCall, link, ev)
	case EventDoorayWorkflow:
		return d.doorayState(ctx, s, hookCall, link, ev)
	}
	return nil
}

// doorayComment adds a task's comment as an internal note.
func (d *Desk) doorayComment(ctx context.Context, s *Session, call string, l DoorayLink, ev DoorayEvent) error {
	if ev.CommentID == "" || strings.TrimSpace(ev.CommentBody) == "" {
		return nil
	}
	author := ev.Author
	if author == "" {
		author = "Dooray!"
	}
	body := "Dooray! " + author + ":\n\n" + ev.CommentBody
	var c errs.Collector
	text.Check(&c, "comment_body", body, true, d.limits.MaxContentBytes)
	key := "dooray:" + ev.CommentID
	checkKey(&c, key)
	if err := c.Err(); err != nil {
		return err
	}
	_, err := s.reply(ctx, call, l.TicketID, true, "", key, func(*op, ticket.Ticket) (string, error) { return body, nil })
	return err
}

// doorayState records a task's workflow change unless the history shows
// that state already.
func (d *Desk) doorayState(ctx context.Context, s *Session, call string, l DoorayLink, ev DoorayEvent) error {
	if ev.WorkflowClass == "" {
		return nil
	}
	return s.run(ctx, call, permTicketWork, func(o *op) error {
		if _, err := o.r.Tickets().GetForUpdate(ctx, l.TicketID); err != nil {
			return err
		}
		last := ""
		err := o.r.Tickets().ScanChanges(ctx, ticket.ChangeFilter{TicketID: l.TicketID}, func(c ticket.Change) error {
			if c.Field == FieldDoorayTaskState {
				last = c.To
			}
			return nil
		})
		if err != nil || last == ev.WorkflowClass {
			return err
		}
		return o.r.Tickets().AddChanges(ctx, []ticket.Change{{TicketID: l.TicketID, At: o.now, ActorKind: ticket.ActorSystem,
			Event: ticket.EventUpdated, Field: FieldDoorayTaskState, From: last, To: ev.WorkflowClass}})
	})
}
