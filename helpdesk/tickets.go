package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Create creates a ticket in status new (TKT-1). Title and content are
// required and bounded by the configured limits; the language must be one of
// the service's (empty: its default); the channel must be contracted (SVC-4);
// a group or assignee is accepted only when the ticket settings allow it
// (TKT-5), and an assignee moves the ticket to open (TKT-2). Bad input
// returns a *ValidationError naming every bad field, and nothing is written.
//
// With n.IdempotencyKey set, a retried Create (after an error matching
// ErrUnknownOutcome, say) returns the ticket the first call made, as it is
// stored now, and creates nothing (STO-3).
func (h Tickets) Create(ctx context.Context, n ticket.New) (ticket.Ticket, error) {
	run := h.s.run
	if n.IdempotencyKey != "" {
		var c errs.Collector
		checkKey(&c, n.IdempotencyKey)
		if err := c.Err(); err != nil {
			return ticket.Ticket{}, err
		}
		run = h.s.runRetry // a key that vanished under a concurrent call is retried
	}
	var out ticket.Ticket
	err := run(ctx, "Tickets.Create", permTicketWork, func(o *op) error {
		id := h.s.desk.newID()
		if n.IdempotencyKey != "" {
			prev, used, err := h.s.claimKey(ctx, o, ticket.Key{Key: n.IdempotencyKey, Call: o.call, TicketID: id, CreatedAt: o.now})
			if err != nil {
				return err
			}
			if used {
				if prev.Call != o.call {
					return errKeyReused(n.IdempotencyKey, prev)
				}
				out, err = o.r.Tickets().Get(ctx, prev.TicketID)
				return err
			}
		}
		t, err := h.s.create(ctx, o, n, id, "", true) // the call's last step
		out = t
		return err
	})
	return result(out, err)
}

// create builds, checks and stores a new ticket with id and its first
// history row. last says the caller runs nothing after it in the
// transaction: the store is told which write is the transaction's last.
func (s *Session) create(ctx context.Context, o *op, n ticket.New, id, followUpOf string, last bool) (ticket.Ticket, error) {
	t := ticket.Ticket{
		ID: id, ServiceID: s.svc, Version: 1,
		Requester: n.Requester, Title: n.Title, Content: n.Content,
		Channel: n.Channel, Language: n.Language, Status: ticket.StatusNew, Priority: n.Priority,
		IntakeCategoryID: n.IntakeCategoryID, ProcessingCategoryID: n.ProcessingCategoryID,
		GroupID: n.GroupID, AssigneeID: n.AssigneeID, Tags: ticket.NormalizeTags(n.Tags),
		CustomerFields: n.CustomerFields.Clone(), AgentFields: n.AgentFields.Clone(),
		FollowUpOf: followUpOf, CreatedAt: o.now, UpdatedAt: o.now,
	}
	if t.Language == "" {
		t.Language = o.svc.DefaultLanguage
	}
	if t.Priority == "" {
		t.Priority = ticket.PriorityNormal
	}
	var c errs.Collector
	if n.GroupID != "" && !o.svc.Tickets.GroupAtCreation && followUpOf == "" {
		c.Add("group_id", "choosing a group at creation is off in the ticket settings (TKT-5)")
	}
	if n.AssigneeID != "" && !o.svc.Tickets.AssigneeAtCreation && followUpOf == "" {
		c.Add("assignee_id", "choosing an assignee at creation is off in the ticket settings (TKT-5)")
	}
	if err := s.check(ctx, o, &t, &c); err != nil {
		return t, err
	}
	if err := c.Err(); err != nil {
		return t, err
	}
	if t.AssigneeID != "" {
		t.Status = ticket.StatusOpen // an assignment opens a new ticket (TKT-2)
	}
	fcs := []ticket.FieldChange{{Field: ticket.FieldTicket, To: t.Title}}
	if followUpOf != "" {
		fcs = append(fcs, ticket.FieldChange{Field: ticket.FieldFollowUpOf, To: followUpOf})
	}
	created := o.changes(s.actor, t.ID, ticket.EventCreated, fcs)
	fx, err := s.runTriggers(ctx, o, ticket.EventCreated, ticket.Ticket{}, &t) // TRG-7
	if err != nil {
		return t, err
	}
	last = last && !o.svc.Surge.ActiveOn(o.now) // an active surge rule reads and may write after the ticket
	if last && fx.idle() {
		o.last()
	}
	if err := o.r.Tickets().Create(ctx, &t, append(created, fx.withTicket(t.ID)...)); err != nil {
		return t, err
	}
	if err := fx.flush(ctx, t, last); err != nil {
		return t, err
	}
	return t, s.surge(ctx, o)
}

// check validates t against the ticket rules and the service's settings,
// adding every problem to c. It returns an error only when storage fails.
func (s *Session) check(ctx context.Context, o *op, t *ticket.Ticket, c *errs.Collector) error {
	var err error
	if t.CustomerFields, err = t.CustomerFields.Normalize("customer_fields."); err != nil {
		collect(c, err)
	}
	if t.AgentFields, err = t.AgentFields.Normalize("agent_fields."); err != nil {
		collect(c, err)
	}
	collect(c, t.Validate(s.desk.limits))
	b := o.before
	if (b == nil || b.Language != t.Language) && !o.svc.HasLanguage(t.Language) {
		c.Add("language", "%q is not one of the service's languages %v", t.Language, o.svc.Languages)
	}
	if (b == nil || b.Channel != t.Channel) && t.Channel.Valid() && !o.svc.Channels.Contracted(t.Channel) {
		c.Add("channel", "the %s channel is not contracted by the service (SVC-4)", t.Channel)
	}
	if t.AssigneeID != "" && (b == nil || b.AssigneeID != t.AssigneeID) && !c.Has("assignee_id") {
		if err := checkAssignee(ctx, o, "assignee_id", t.AssigneeID, c); err != nil {
			return err
		}
	}
	if err := s.checkCategories(ctx, o, t, c); err != nil {
		return err
	}
	if err := s.checkFields(ctx, o, t, c); err != nil {
		return err
	}
	if t.GroupID != "" && (b == nil || b.GroupID != t.GroupID) && !c.Has("group_id") {
		if _, err := o.r.Groups().Get(ctx, t.GroupID); errors.Is(err, ErrNotFound) {
			c.Add("group_id", "no group %q in this service", t.GroupID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// collect adds the problems of a *ValidationError to c.
func collect(c *errs.Collector, err error) {
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			c.Add(p.Field, "%s", p.Reason)
		}
	}
}

// Update changes the fields u names. u.Version must be the version the
// caller read: a stale one returns ErrConflict and changes nothing (TKT-8).
// Setting an assignee on a new ticket opens it (TKT-2). A closed ticket
// cannot be changed. Each changed field becomes a history row (TKT-4); an
// update that changes nothing writes nothing.
func (h Tickets) Update(ctx context.Context, id string, u ticket.Update) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	if u.Version <= 0 {
		return ticket.Ticket{}, &ValidationError{Problems: []Problem{{Field: "version", Reason: "the version the update is based on is required (TKT-8)"}}}
	}
	var out ticket.Ticket
	err := h.s.run(ctx, "Tickets.Update", permTicketWork, func(o *op) error {
		t, err := h.s.edit(ctx, o, id, ticket.EventUpdated, always, func(t *ticket.Ticket) ([]ticket.FieldChange, error) {
			if t.Version != u.Version {
				return nil, errs.New(ErrConflict, "ticket %q is at version %d, not %d", id, t.Version, u.Version)
			}
			before := t.Clone()
			o.before = &before
			*t = t.Apply(u)
			if t.AssigneeID != before.AssigneeID || t.GroupID != before.GroupID {
				// Reassigning is forwarding: it needs that permission (TKT-7).
				if err := h.s.authorize(ctx, o, permForward); err != nil {
					return nil, err
				}
			}
			var c errs.Collector
			if err := h.s.check(ctx, o, t, &c); err != nil {
				return nil, err
			}
			if err := c.Err(); err != nil {
				return nil, err
			}
			if u.AssigneeID != nil && *u.AssigneeID != "" && t.Status == ticket.StatusNew {
				return nil, setStatus(t, ticket.StatusOpen, o) // TKT-2
			}
			return nil, nil
		})
		out = t
		return err
	})
	return result(out, err)
}

// SetStatus moves a ticket to status to, if TKT-2 allows the move.
// Concurrent changes are retried, not lost (TKT-8). A move to solved or
// pending queues the resolve or hold mail, with the ticket's last public
// reply as its #{content} (see "Automatic mails" in the package doc).
func (h Tickets) SetStatus(ctx context.Context, id string, to ticket.Status) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := h.s.runRetry(ctx, "Tickets.SetStatus", permTicketWork, func(o *op) error {
		var from ticket.Status
		t, err := h.s.edit(ctx, o, id, ticket.EventUpdated, noMail(o, &from, nil), func(t *ticket.Ticket) ([]ticket.FieldChange, error) {
			from = t.Status
			return nil, setStatus(t, to, o)
		})
		out = t
		if err != nil {
			return err
		}
		return h.s.autoMail(ctx, o, from, t, nil)
	})
	return result(out, err)
}

// autoMail queues the automatic mail (MAIL-6) a call owes the requester
// of ticket t, as the package doc's "Automatic mails" tells: from is the
// status t had when the call started, reply the call's comment (nil when it
// made none). A call that left t solved or pending, having moved it there,
// owes the resolve or hold mail; a public reply that did not owes the
// manual-processing mail. #{content} is the call's public reply or, failing
// that, the ticket's last public reply to the customer; with none there is
// nothing to say and no mail goes out.
//
// It is its callers' last step: its outbox write ends the transaction
// (op.last).
func (s *Session) autoMail(ctx context.Context, o *op, from ticket.Status, t ticket.Ticket, reply *ticket.Comment) error {
	kind, reply, owed := owedMail(o, from, t, reply)
	if !owed {
		return nil
	}
	if reply != nil {
		return s.queueAutoMail(ctx, o, kind, t, reply.Body, reply.ID)
	}
	content, err := lastPublicReply(ctx, o, t.ID)
	if err != nil || content == "" {
		return err // nothing to say: no mail
	}
	return s.queueAutoMail(ctx, o, kind, t, content, versionKey(t))
}

// owedMail is autoMail's choice, made without the store: the kind of mail
// the call owes and the reply it quotes (nil for a note), or owed false
// when it owes none. A call that owes none writes nothing in autoMail.
func owedMail(o *op, from ticket.Status, t ticket.Ticket, reply *ticket.Comment) (kind autoMailKind, quoted *ticket.Comment, owed bool) {
	if reply != nil && reply.Kind != ticket.CommentPublic {
		reply = nil // a note never reaches the customer
	}
	kind = mailManual
	switch {
	case t.Status == from:
	case t.Status == ticket.StatusSolved:
		kind = mailResolve
	case t.Status == ticket.StatusPending:
		kind = mailHold
	}
	if kind == mailManual && reply == nil {
		return kind, nil, false
	}
	if am := o.svc.Mail.auto(kind); !am.Enabled || t.Requester.Email == "" {
		return kind, nil, false
	}
	return kind, reply, true
}

// noMail is edit's last for a call whose only step after edit is
// autoMail: the ticket's update is the transaction's last write when the
// call owes no mail (owedMail).
func noMail(o *op, from *ticket.Status, reply *ticket.Comment) func(ticket.Ticket) bool {
	return func(after ticket.Ticket) bool {
		_, _, owed := owedMail(o, *from, after, reply)
		return !owed
	}
}

// always is edit's last for a call that runs nothing after edit.
func always(ticket.Ticket) bool { return true }

// lastPublicReply returns the body of the newest public reply to the
// customer on ticket id (by an agent or the system, not the customer's
// own), or "" when it has none.
func lastPublicReply(ctx context.Context, o *op, id string) (string, error) {
	cs, err := o.r.Tickets().Comments(ctx, id)
	if err != nil {
		return "", err
	}
	for _, c := range slices.Backward(cs) {
		if c.Kind == ticket.CommentPublic && !c.FromCustomer {
			return c.Body, nil
		}
	}
	return "", nil
}

func versionKey(t ticket.Ticket) string { return t.ID + ":v" + strconv.FormatInt(t.Version, 10) }

// Solve says how a ticket is solved.
type Solve struct {
	// Internal solves without mailing the customer: the service's internal
	// resolution text, in the ticket's language (falling back to the
	// default language), goes into the history (TKT-6). With no text
	// configured for either, only the status move is recorded.
	Internal bool
}

// Solve moves a ticket to solved (TKT-2), recording the internal resolution
// text when opt.Internal is set (TKT-6). Without opt.Internal it queues the
// resolve mail, whose #{content} is the ticket's last public reply; a
// ticket without one gets no mail (see "Automatic mails" in the package
// doc). An internal resolution mails nobody.
func (h Tickets) Solve(ctx context.Context, id string, opt Solve) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := h.s.runRetry(ctx, "Tickets.Solve", permTicketWork, func(o *op) error {
		var from ticket.Status
		last := noMail(o, &from, nil)
		if opt.Internal {
			last = always // an internal resolution mails nobody: the update is the last write
		}
		t, err := h.s.edit(ctx, o, id, ticket.EventUpdated, last, func(t *ticket.Ticket) ([]ticket.FieldChange, error) {
			from = t.Status
			if err := setStatus(t, ticket.StatusSolved, o); err != nil {
				return nil, err
			}
			if !opt.Internal {
				return nil, nil
			}
			text := o.svc.InternalResolutionText.Get(t.Language, o.svc.DefaultLanguage)
			if text == "" {
				return nil, nil // no text configured: no empty row
			}
			return []ticket.FieldChange{{Field: ticket.FieldInternalResolution, To: text}}, nil
		})
		out = t
		if err != nil || opt.Internal {
			return err // internal resolution mails nobody (TKT-6)
		}
		return h.s.autoMail(ctx, o, from, t, nil)
	})
	return result(out, err)
}

// Reply is a comment an agent (or the system) adds to a ticket.
type Reply struct {
	// Body is the text, stored and sent as written: a plain reply is not a
	// template, so "#{" in it is just text (reply with a template through
	// Tickets.ReplyWithTemplate).
	Body string
	// Internal makes the comment an internal note, not sent to the customer.
	Internal bool
	// Status, when set, moves the ticket after the reply (e.g. pending,
	// solved), as helpdesks' "submit as" does.
	Status ticket.Status
	// IdempotencyKey, when set, makes the reply safe to retry (STO-3): a
	// later Reply or ReplyWithTemplate on the same ticket with the same key,
	// within Config.IdempotencyTTL, returns the comment the first call
	// added and adds, moves and mails nothing. At most 100 bytes.
	IdempotencyKey string
}

// Reply adds a public reply or an internal note to a ticket (TKT-3). The
// body is stored as written; a public reply passes the forbidden-word check
// first (FWD-2: a *ForbiddenWordsError, nothing stored). An agent's public
// reply opens a new ticket (TKT-2). The public reply reaches the customer
// as the automatic mail of the call: resolve or hold when r.Status moved
// the ticket to solved or pending, manual processing otherwise; a note
// with a Status mails as SetStatus does (see "Automatic mails" in the
// package doc). Closed tickets take no replies. Concurrent changes are
// retried, not lost (TKT-8); a retry of the caller's with r.IdempotencyKey
// returns the first reply (STO-3).
func (h Tickets) Reply(ctx context.Context, id string, r Reply) (ticket.Comment, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Comment{}, err
	}
	var c errs.Collector
	text.Check(&c, "body", r.Body, true, h.s.desk.limits.MaxContentBytes)
	if r.Status != "" && !r.Status.Valid() {
		c.Add("status", "unknown status %q", r.Status)
	}
	checkKey(&c, r.IdempotencyKey)
	if err := c.Err(); err != nil {
		return ticket.Comment{}, err
	}
	return h.s.reply(ctx, "Tickets.Reply", id, r.Internal, r.Status, r.IdempotencyKey, func(*op, ticket.Ticket) (string, error) { return r.Body, nil })
}

// reply is the workflow of Reply and ReplyWithTemplate: body makes the
// comment's text for the ticket as locked; the text is checked like every
// reply (TKT-3), stored, and mailed (MAIL-6). With an idempotency key used
// before on the ticket, it returns that reply and does nothing (STO-3).
func (s *Session) reply(ctx context.Context, call, id string, internal bool, status ticket.Status, key string, body func(*op, ticket.Ticket) (string, error)) (ticket.Comment, error) {
	kind, field, ev := ticket.CommentPublic, ticket.FieldComment, ticket.EventAgentReplied
	if internal {
		kind, field, ev = ticket.CommentInternal, ticket.FieldNote, ticket.EventUpdated
	}
	var out ticket.Comment
	err := s.runRetry(ctx, call, permTicketWork, func(o *op) error {
		cm := ticket.Comment{ID: s.desk.newID(), TicketID: id, Kind: kind, AuthorKind: s.actor.Kind, AuthorID: s.actor.ID, CreatedAt: o.now}
		if key != "" {
			prev, used, err := s.claimKey(ctx, o, ticket.Key{Key: key, Call: call, TicketID: id, CommentID: cm.ID, CreatedAt: o.now})
			if err != nil {
				return err
			}
			if used {
				if prev.CommentID == "" || prev.TicketID != id {
					return errKeyReused(key, prev)
				}
				out, err = comment(ctx, o, id, prev.CommentID)
				return err
			}
		}
		var from ticket.Status
		quiet := noMail(o, &from, &cm) // Dooray! and the automatic mail follow: the update is last when both are quiet
		last := func(after ticket.Ticket) bool { return doorayQuiet(o) && quiet(after) }
		t, err := s.edit(ctx, o, id, ev, last, func(t *ticket.Ticket) ([]ticket.FieldChange, error) {
			if t.Status == ticket.StatusClosed {
				return nil, errClosed(id)
			}
			from = t.Status
			text, err := body(o, *t)
			if err != nil {
				return nil, err
			}
			if err := s.checkReply(ctx, o, text, internal); err != nil { // limits, forbidden words (TKT-3)
				return nil, err
			}
			cm.Body = text
			if !internal && t.Status == ticket.StatusNew && s.actor.Kind == ticket.ActorAgent {
				if err := setStatus(t, ticket.StatusOpen, o); err != nil { // TKT-2
					return nil, err
				}
			}
			if status != "" && status != t.Status {
				if err := setStatus(t, status, o); err != nil {
					return nil, err
				}
			}
			return []ticket.FieldChange{{Field: field, To: cm.ID}}, o.r.Tickets().AddComment(ctx, cm)
		})
		out = cm
		if err != nil {
			return err
		}
		if err := s.toDooray(ctx, o, cm); err != nil { // DRY-2
			return err
		}
		return s.autoMail(ctx, o, from, t, &cm)
	})
	return result(out, err)
}

// CustomerReply is the customer's reply to a ticket, for
// Tickets.CustomerReply.
type CustomerReply struct {
	// Body is the reply's text, as the customer wrote it.
	Body string
	// IdempotencyKey, when set, makes the reply safe to retry (STO-3): a
	// later CustomerReply with the same key within Config.IdempotencyTTL
	// returns the ticket the first call's reply landed in, as it is stored
	// now, and adds nothing. A mail transport uses the mail's Message-ID.
	// At most 100 bytes.
	IdempotencyKey string
}

// CustomerReply adds the customer's reply to a ticket (system actor only:
// help center, mail ingestion). A pending or solved ticket reopens; a reply
// to a closed ticket creates a follow-up ticket linked to it (TKT-2). It
// returns the ticket the reply landed in; with r.IdempotencyKey, a retried
// call returns that ticket and adds nothing (STO-3).
func (h Tickets) CustomerReply(ctx context.Context, id string, r CustomerReply) (ticket.Ticket, error) {
	if err := checkID("ticket", id); err != nil {
		return ticket.Ticket{}, err
	}
	var c errs.Collector
	text.Check(&c, "body", r.Body, true, h.s.desk.limits.MaxContentBytes)
	checkKey(&c, r.IdempotencyKey)
	if err := c.Err(); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := h.s.runRetry(ctx, "Tickets.CustomerReply", permCustomerVoice, func(o *op) error {
		cm := ticket.Comment{ID: h.s.desk.newID(), TicketID: id, Kind: ticket.CommentPublic, AuthorKind: h.s.actor.Kind, AuthorID: h.s.actor.ID, FromCustomer: true, Body: r.Body, CreatedAt: o.now}
		followUpID := "" // the follow-up's id, when the key was claimed for one
		if r.IdempotencyKey != "" {
			prev, fu, used, err := h.s.claimCustomerKey(ctx, o, id, cm.ID, r.IdempotencyKey)
			if err != nil || used {
				out = prev
				return err
			}
			followUpID = fu
		}
		cur, err := o.r.Tickets().GetForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if cur.Status == ticket.StatusClosed {
			if r.IdempotencyKey != "" && followUpID == "" {
				// Closed since the key was claimed for a reply on it:
				// retried, to claim the key for a follow-up.
				return errs.New(ErrConflict, "ticket %s closed under the call", id)
			}
			if followUpID == "" {
				followUpID = h.s.desk.newID()
			}
			out, err = h.s.followUp(ctx, o, cur, r.Body, followUpID)
			return err
		}
		if followUpID != "" {
			return errs.New(ErrConflict, "ticket %s reopened under the call", id) // unreachable: closed is final
		}
		out, err = h.s.customerReply(ctx, o, id, cm, true) // the call's last step
		return err
	})
	return result(out, err)
}

// customerReply adds the customer's reply cm to ticket id, which is not
// closed: a comment with the "customer replied" event, reopening a pending
// or solved ticket (TKT-2), passed on to the ticket's Dooray! task (DRY-2).
// It returns the ticket as stored. last says the caller runs nothing after
// it in the transaction.
func (s *Session) customerReply(ctx context.Context, o *op, id string, cm ticket.Comment, last bool) (ticket.Ticket, error) {
	var final func(ticket.Ticket) bool // Dooray! follows: the update is last when it is quiet
	if last && doorayQuiet(o) {
		final = always
	}
	t, err := s.edit(ctx, o, id, ticket.EventCustomerReplied, final, func(t *ticket.Ticket) ([]ticket.FieldChange, error) {
		if t.Status == ticket.StatusPending || t.Status == ticket.StatusSolved {
			if err := setStatus(t, ticket.StatusOpen, o); err != nil { // TKT-2
				return nil, err
			}
		}
		return []ticket.FieldChange{{Field: ticket.FieldComment, To: cm.ID}}, o.r.Tickets().AddComment(ctx, cm)
	})
	if err != nil {
		return t, err
	}
	return t, s.toDooray(ctx, o, cm) // DRY-2
}

// followUp creates the follow-up of closed ticket prev with body as content
// and links both in their histories (TKT-2). It must not fail on what
// changed since prev closed: values prev already had are not checked again,
// and an assignee who can no longer be given tickets is dropped.
func (s *Session) followUp(ctx context.Context, o *op, prev ticket.Ticket, body, id string) (ticket.Ticket, error) {
	title := prev.Title
	if !strings.HasPrefix(title, "Re: ") {
		title = "Re: " + title
	}
	if len(title) > s.desk.limits.MaxTitleBytes {
		title = prev.Title
	}
	n := ticket.New{
		Requester: prev.Requester, Title: title, Content: body, Channel: prev.Channel,
		Language: prev.Language, Priority: prev.Priority,
		IntakeCategoryID: prev.IntakeCategoryID, ProcessingCategoryID: prev.ProcessingCategoryID,
		GroupID: prev.GroupID, AssigneeID: prev.AssigneeID, Tags: prev.Tags,
		CustomerFields: prev.CustomerFields, AgentFields: prev.AgentFields,
	}
	if n.AssigneeID != "" {
		var c errs.Collector
		if err := checkAssignee(ctx, o, "assignee_id", n.AssigneeID, &c); err != nil {
			return ticket.Ticket{}, err
		}
		if c.Err() != nil {
			n.AssigneeID = ""
		}
	}
	o.before = &prev
	t, err := s.create(ctx, o, n, id, prev.ID, false) // the link to it is written after
	o.before = nil
	if err != nil {
		return ticket.Ticket{}, err
	}
	return t, o.r.Tickets().AddChanges(ctx, o.changes(s.actor, prev.ID, ticket.EventCustomerReplied,
		[]ticket.FieldChange{{Field: ticket.FieldFollowUp, To: t.ID}}))
}

// comment returns comment cid of ticket id.
func comment(ctx context.Context, o *op, id, cid string) (ticket.Comment, error) {
	cs, err := o.r.Tickets().Comments(ctx, id)
	if err != nil {
		return ticket.Comment{}, err
	}
	for _, c := range cs {
		if c.ID == cid {
			return c, nil
		}
	}
	return ticket.Comment{}, errs.NotFound("comment", cid)
}

// result returns v, or the zero value when err is set, so that a failed
// call never hands back a half-made object.
func result[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// edit loads ticket id, lets fn change it, runs the service's triggers on
// the change (TRG-7), then stores it with one history row per changed field
// plus the extra rows fn returns, all under event ev, and the rows of the
// firings; the firings' notes and outbox messages are written after it, in
// the same transaction. When fn changed nothing nothing is written and no
// trigger runs. last, asked with the ticket as it is about to be stored,
// says whether the caller runs nothing after edit in the transaction: the
// store is then told which write is the transaction's last; nil: the
// caller always writes after it.
func (s *Session) edit(ctx context.Context, o *op, id string, ev ticket.EventKind, last func(after ticket.Ticket) bool, fn func(*ticket.Ticket) ([]ticket.FieldChange, error)) (ticket.Ticket, error) {
	before, err := o.r.Tickets().GetForUpdate(ctx, id)
	if err != nil {
		return before, err
	}
	after := before.Clone()
	extra, err := fn(&after)
	if err != nil {
		return before, err
	}
	changes := append(ticket.Diff(before, after), extra...)
	sys := o.changes(System, id, ev, o.systemRows)
	if len(changes) == 0 {
		if len(sys) > 0 {
			return before, o.r.Tickets().AddChanges(ctx, sys)
		}
		return before, nil
	}
	if before.Status == ticket.StatusClosed && after.Status == ticket.StatusClosed {
		return before, errClosed(id)
	}
	rows := append(o.changes(s.actor, id, ev, changes), sys...)
	fx, err := s.runTriggers(ctx, o, ev, before, &after) // TRG-7
	if err != nil {
		return before, err
	}
	after.UpdatedAt = o.now
	final := last != nil && last(after)
	if final && fx.idle() {
		o.last() // the ticket's row is locked (GetForUpdate) at before.Version: the update finds it
	}
	if err := o.r.Tickets().Update(ctx, &after, append(rows, fx.withTicket(id)...)); err != nil {
		return before, err
	}
	if err := fx.flush(ctx, after, final); err != nil {
		return before, err
	}
	return after, nil
}

// setStatus moves t to status to (TKT-2) and keeps the timestamps in step.
func setStatus(t *ticket.Ticket, to ticket.Status, o *op) error {
	if err := ticket.Transition(t.Status, to); err != nil {
		return err
	}
	t.Status = to
	switch to {
	case ticket.StatusSolved:
		t.SolvedAt = o.now
	case ticket.StatusClosed:
		t.ClosedAt = o.now
	}
	return nil
}

// changes builds the history rows of one event (TKT-4).
func (o *op) changes(a Actor, ticketID string, ev ticket.EventKind, fcs []ticket.FieldChange) []ticket.Change {
	rows := make([]ticket.Change, len(fcs))
	for i, fc := range fcs {
		rows[i] = ticket.Change{TicketID: ticketID, At: o.now, ActorKind: a.Kind, ActorID: a.ID, Event: ev, Field: fc.Field, From: fc.From, To: fc.To}
	}
	return rows
}

// errClosed refuses a change to a closed ticket: closed is final (TKT-2).
func errClosed(id string) error {
	return &ValidationError{Problems: []Problem{{Field: "status", Reason: fmt.Sprintf("ticket %s is closed; closed is final (TKT-2)", id)}}}
}
