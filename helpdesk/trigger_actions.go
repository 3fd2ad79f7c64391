package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// effects carries out fired triggers' actions inside the event's
// transaction (TRG-6, TRG-7): ticket changes apply to the ticket at once;
// internal notes and outbox messages wait in it until the ticket is stored
// (flush), so they commit with the change or not at all (NTF-1). It
// implements trigger.Applier.
type effects struct {
	s     *Session
	o     *op
	ev    ticket.EventKind
	rows  []ticket.Change
	notes []ticket.Comment
	msgs  []notify.Message
	// deferred render the notes and messages once the ticket is stored;
	// late are the history rows they write (in flush).
	deferred []func(stored ticket.Ticket) error
	late     []ticket.Change
}

// row returns a history row of the system (triggers act as the system).
func (fx *effects) row(field, from, to string) ticket.Change {
	return ticket.Change{At: fx.o.now, ActorKind: ticket.ActorSystem, Event: fx.ev, Field: field, From: from, To: to}
}

// Apply carries out tr's actions in order and records the firing in the
// history: one row naming the trigger and its actions, a row per field the
// actions changed, a row per action that could not be carried out (a
// stale group, an illegal status move; it is skipped, the event goes on),
// and a ticket.FieldAssignment row when an assignment found nobody
// eligible.
func (fx *effects) Apply(ctx context.Context, tr *trigger.Trigger, t *ticket.Ticket) (bool, error) {
	prev := t.Clone()
	fx.rows = append(fx.rows, fx.row(ticket.FieldTrigger, tr.ID, summary(tr)))
	for i, a := range tr.Actions {
		if t.Status == ticket.StatusClosed && (a.Kind.ChangesTicket() || a.Kind == trigger.Note) {
			// Closed is final (TKT-2): messages still go, the ticket stays.
			fx.rows = append(fx.rows, fx.row(ticket.FieldTriggerAction, tr.ID, fmt.Sprintf("action %d (%s) skipped: the ticket is closed", i, a.Kind)))
			continue
		}
		reason, err := fx.action(ctx, tr, i, a, t)
		if err != nil {
			return false, err
		}
		if reason != "" {
			fx.rows = append(fx.rows, fx.row(ticket.FieldTriggerAction, tr.ID, fmt.Sprintf("action %d (%s) skipped: %s", i, a.Kind, reason)))
		}
	}
	diffs := ticket.Diff(prev, *t)
	for _, d := range diffs {
		fx.rows = append(fx.rows, fx.row(d.Field, d.From, d.To))
	}
	return len(diffs) > 0, nil
}

// strategies maps assign actions to the group strategies that pick.
var strategies = map[trigger.ActionKind]agent.Strategy{
	trigger.AssignRandom: agent.StrategyRandom, trigger.AssignRoundRobin: agent.StrategyRoundRobin, trigger.AssignFixed: agent.StrategyFixed,
}

// action carries out action i of tr; a non-empty reason says why it was
// skipped. Only storage errors are returned.
func (fx *effects) action(ctx context.Context, tr *trigger.Trigger, i int, a trigger.Action, t *ticket.Ticket) (string, error) {
	o, s := fx.o, fx.s
	switch a.Kind {
	case trigger.AssignRandom, trigger.AssignRoundRobin, trigger.AssignFixed:
		g, err := o.r.Groups().Get(ctx, a.GroupID)
		if errors.Is(err, ErrNotFound) {
			return fmt.Sprintf("group %s no longer exists", a.GroupID), nil
		} else if err != nil {
			return "", err
		}
		id, why, err := s.pickBy(ctx, o, g, strategies[a.Kind], a.AgentID, false) // the ticket's write follows
		if err != nil {
			return "", err
		}
		// Nobody eligible: the ticket goes to the group unassigned
		// (TRG-6.1), and the history says why.
		if why != "" {
			fx.rows = append(fx.rows, fx.row(ticket.FieldAssignment, a.GroupID, why))
		}
		t.GroupID, t.AssigneeID = a.GroupID, id
		if id != "" && t.Status == ticket.StatusNew {
			return "", setStatus(t, ticket.StatusOpen, o) // TKT-2
		}
		return "", nil
	case trigger.SetProcessingCategory:
		if a.CategoryID != "" {
			c, err := o.r.Categories().Get(ctx, a.CategoryID)
			if errors.Is(err, ErrNotFound) || err == nil && (c.Deleted || c.Tree != category.Processing) {
				return fmt.Sprintf("category %s is no longer a processing category", a.CategoryID), nil
			} else if err != nil {
				return "", err
			}
		}
	case trigger.SetField:
		kind, key, _ := trigger.SplitField(a.Field)
		f, err := getField(ctx, o, key)
		if errors.Is(err, ErrNotFound) || err == nil && f.Kind != kind {
			return fmt.Sprintf("field %s no longer exists", key), nil
		} else if err != nil {
			return "", err
		}
		if err := f.CheckValue(a.Value); a.Value != nil && err != nil {
			return fmt.Sprintf("the value no longer fits field %s: %v", key, err), nil
		}
	case trigger.Note:
		id := s.desk.newID()
		fx.later(t, func(t *ticket.Ticket) error {
			body, err := fx.render(ctx, t, a.Body)
			if err != nil {
				return err
			}
			if body == "" { // e.g. only #{agentName} on an unassigned ticket
				fx.late = append(fx.late, fx.row(ticket.FieldTriggerAction, tr.ID, fmt.Sprintf("action %d (%s) skipped: the note renders empty", i, a.Kind)))
				return nil
			}
			fx.notes = append(fx.notes, ticket.Comment{ID: id, TicketID: t.ID, Kind: ticket.CommentInternal,
				AuthorKind: ticket.ActorSystem, Body: body, CreatedAt: o.now})
			fx.late = append(fx.late, fx.row(ticket.FieldNote, "", id))
			return nil
		})
		return "", nil
	case trigger.Notify, trigger.NotifyBrowser, trigger.Forward, trigger.ForwardAndComplete, trigger.Callback, trigger.Dooray, trigger.SMS:
		reason, err := fx.message(ctx, tr, i, a, t)
		if err != nil || reason != "" || a.Kind != trigger.ForwardAndComplete {
			return reason, err
		}
		a = trigger.Action{Kind: trigger.SetStatus, Value: string(ticket.StatusSolved)} // then complete (TRG-6.3)
	}
	_, _, err := trigger.ApplyToTicket(i, a, t, o.now)
	var ae *trigger.ActionError
	if errors.As(err, &ae) {
		return ae.Reason, nil
	}
	return "", err
}

// message queues the outbox messages of a side-effect action. Who gets
// them is decided now, on the ticket as the trigger saw it (reach); the
// texts are rendered once the ticket is stored (a new ticket has no number
// before).
func (fx *effects) message(ctx context.Context, tr *trigger.Trigger, i int, a trigger.Action, t *ticket.Ticket) (string, error) {
	o := fx.o
	add := func(t *ticket.Ticket, m notify.Medium, to string, p notify.Payload) {
		fx.msgs = append(fx.msgs, notify.Message{
			ID: fx.s.desk.newID(), Medium: m, Recipient: to, Payload: p,
			// The ticket version is prefixed in flush: one key per event,
			// action and recipient (hashed: keys stay short whatever the
			// address or URL).
			IdempotencyKey: tr.ID + ":" + strconv.Itoa(i) + ":" + recipientKey(to),
			Source:         notify.Source{Kind: "trigger", TicketID: t.ID, TriggerID: tr.ID},
			NextAttemptAt:  o.now, CreatedAt: o.now, UpdatedAt: o.now,
		})
	}
	subjectLine := func(t *ticket.Ticket) string { return "[#" + strconv.FormatInt(t.Number, 10) + "] " + t.Title }
	to, reason, err := reach(ctx, o, a, t)
	if err != nil || reason != "" {
		return reason, err
	}
	switch a.Kind {
	case trigger.Notify:
		fx.later(t, func(t *ticket.Ticket) error {
			subject, body, err := fx.texts(ctx, t, a)
			if err != nil {
				return err
			}
			for _, addr := range to {
				add(t, notify.Email, addr, fx.mail(t, subject, body)) // no layout (MAIL-6)
			}
			return nil
		})
	case trigger.NotifyBrowser:
		fx.later(t, func(t *ticket.Ticket) error {
			subject, body, err := fx.texts(ctx, t, a)
			if err != nil {
				return err
			}
			p := notify.Payload{Subject: subject, Text: body}
			if link := fx.s.desk.ticketLink; link != nil {
				p.Link = link(fx.s.svc, t.ID)
			}
			for _, id := range to {
				add(t, notify.Browser, id, p) // not mail: no MAIL-9 limit
			}
			return nil
		})
	case trigger.Forward, trigger.ForwardAndComplete:
		fx.later(t, func(t *ticket.Ticket) error {
			intro, err := fx.render(ctx, t, a.Body)
			if err != nil {
				return err
			}
			text := t.Content
			if intro != "" {
				text = intro + "\n\n" + t.Content
			}
			for _, addr := range a.Addresses {
				add(t, notify.Email, addr, fx.mail(t, subjectLine(t), text))
			}
			return nil
		})
	case trigger.Callback:
		fx.later(t, func(t *ticket.Ticket) error {
			b, err := json.Marshal(t)
			if err == nil {
				add(t, notify.Callback, a.URL, notify.Payload{JSON: string(b)})
			}
			return err
		})
	case trigger.Dooray:
		fx.later(t, func(t *ticket.Ticket) error {
			body, err := fx.render(ctx, t, a.Body)
			if err == nil {
				add(t, notify.Dooray, a.URL, notify.Payload{Text: body})
			}
			return err
		})
	case trigger.SMS:
		fx.later(t, func(t *ticket.Ticket) error {
			body, err := fx.render(ctx, t, a.Body)
			if err != nil {
				return err
			}
			for _, n := range to {
				add(t, notify.SMS, n, notify.Payload{Text: body})
			}
			return nil
		})
	}
	return "", nil
}

// later defers fn until the ticket is stored: fn gets the ticket as the
// trigger saw it, with the stored number and version.
func (fx *effects) later(t *ticket.Ticket, fn func(*ticket.Ticket) error) {
	snap := t.Clone()
	fx.deferred = append(fx.deferred, func(stored ticket.Ticket) error {
		snap.Number, snap.Version, snap.UpdatedAt = stored.Number, stored.Version, stored.UpdatedAt
		return fn(&snap)
	})
}

// recipientKey is a short stand-in for a recipient in idempotency keys.
func recipientKey(to string) string {
	sum := sha256.Sum256([]byte(to))
	return hex.EncodeToString(sum[:12])
}

// mail is the payload of a trigger mail about t: the service's sender
// (MAIL-5) and the threading headers (MAIL-7).
func (fx *effects) mail(t *ticket.Ticket, subject, text string) notify.Payload {
	p := notify.Payload{Subject: subject, Text: text, Headers: threadHeaders(t.ID)}
	fx.o.svc.Mail.sender(&p)
	return p
}

// reach returns whom a message action addressed to people reaches on t,
// decided on the ticket as the trigger saw it: the mail addresses of a
// notify action, the agent ids of a notify_browser action, the numbers of
// an SMS action; reason says why nobody (the run records it and skips the
// action, a dry run reports it). The other kinds reach their own
// addresses or URL: nil and no reason.
func reach(ctx context.Context, o *op, a trigger.Action, t *ticket.Ticket) (to []string, reason string, err error) {
	switch a.Kind {
	case trigger.Notify:
		return mailRecipients(ctx, o, a.Recipient, t)
	case trigger.NotifyBrowser:
		return browserRecipients(ctx, o, a.Recipient, t)
	case trigger.SMS:
		if !o.svc.SMSEnabled {
			return nil, "SMS is off for the service", nil // saved while it was on (SMS-1)
		}
		if a.Recipient == trigger.RecipientCustomer {
			if t.Requester.Phone == "" {
				return nil, "the requester has no phone number", nil
			}
			return []string{t.Requester.Phone}, "", nil
		}
		return a.Addresses, "", nil
	}
	return nil, "", nil
}

// browserRecipients returns the agent ids a notify_browser action's
// recipient names (NTF-4): the ticket's assignee when active, or the
// active members of its group; reason says why there are none.
func browserRecipients(ctx context.Context, o *op, who string, t *ticket.Ticket) ([]string, string, error) {
	return agentRecipients(ctx, o, who, t, medium{
		address: func(a *agent.Agent) string {
			if !a.Active {
				return ""
			}
			return a.ID
		},
		assigneeLacks: "the assignee is not active",
		membersLack:   "the group has no active member",
	})
}

// mailRecipients returns the mail addresses of a notify action's
// recipient; reason says why there are none.
func mailRecipients(ctx context.Context, o *op, who string, t *ticket.Ticket) ([]string, string, error) {
	if who == trigger.RecipientCustomer {
		if t.Requester.Email == "" {
			return nil, "the requester has no email address", nil
		}
		return []string{t.Requester.Email}, "", nil
	}
	return agentRecipients(ctx, o, who, t, medium{
		address:       func(a *agent.Agent) string { return a.Email },
		assigneeLacks: "the assignee has no email address",
		membersLack:   "the group has no active member with an email address",
	})
}

// medium says how a medium reaches an agent: the address it reads off
// one ("" when it cannot reach them), and why nobody is reached.
type medium struct {
	address                    func(*agent.Agent) string
	assigneeLacks, membersLack string
}

// agentRecipients returns the addresses of the agents an action's
// recipient names: the ticket's assignee, or the active members of its
// group, leaving out those r cannot reach; reason says why there are
// none.
func agentRecipients(ctx context.Context, o *op, who string, t *ticket.Ticket, r medium) ([]string, string, error) {
	if who == trigger.RecipientAssignee {
		if t.AssigneeID == "" {
			return nil, "the ticket has no assignee", nil
		}
		a, err := o.r.Agents().Get(ctx, t.AssigneeID)
		switch {
		case errors.Is(err, ErrNotFound) || err == nil && r.address(&a) == "":
			return nil, r.assigneeLacks, nil
		case err != nil:
			return nil, "", err
		}
		return []string{r.address(&a)}, "", nil
	}
	if t.GroupID == "" {
		return nil, "the ticket has no group", nil
	}
	ms, err := activeMembers(ctx, o, t.GroupID)
	if err != nil {
		return nil, "", err
	}
	var to []string
	for _, a := range ms {
		if addr := r.address(a); addr != "" {
			to = append(to, addr)
		}
	}
	if len(to) == 0 {
		return nil, r.membersLack, nil
	}
	return to, "", nil
}

// activeMembers returns the active agents of group id, in the order of
// its members.
func activeMembers(ctx context.Context, o *op, id string) ([]*agent.Agent, error) {
	ms, err := o.r.Groups().Members(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := o.r.Agents().ListIn(ctx, memberIDs(ms)) // one read, not one per member
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*agent.Agent, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	var out []*agent.Agent
	for _, m := range ms {
		if a := byID[m.AgentID]; a != nil && a.Active {
			out = append(out, a)
		}
	}
	return out, nil
}

// texts renders a notify action's subject and body for t.
func (fx *effects) texts(ctx context.Context, t *ticket.Ticket, a trigger.Action) (subject, body string, err error) {
	if subject, err = fx.render(ctx, t, a.Subject); err != nil {
		return "", "", err
	}
	body, err = fx.render(ctx, t, a.Body)
	return subject, body, err
}

// render renders a per-language text of an action for t, in the ticket's
// language with the service default as fallback (TPL-4). #{agentName} is
// the assignee's name.
func (fx *effects) render(ctx context.Context, t *ticket.Ticket, text i18n.Text) (string, error) {
	src := text.Get(t.Language, fx.o.svc.DefaultLanguage)
	if src == "" {
		return "", nil
	}
	c, err := template.Parse(src)
	if err != nil {
		return "", err // refused when the trigger was saved
	}
	v, err := ticketValues(ctx, fx.o, *t, c)
	if err != nil {
		return "", err
	}
	v.AgentName = ""
	if t.AssigneeID != "" && c.Uses(template.CodeAgentName) {
		a, err := fx.o.r.Agents().Get(ctx, t.AssigneeID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
		v.AgentName = a.Name
	}
	return c.Render(v, template.Text), nil
}

// idle reports whether flush has nothing to write.
func (fx *effects) idle() bool {
	return len(fx.deferred) == 0 && len(fx.notes) == 0 && len(fx.late) == 0 && len(fx.msgs) == 0
}

// flush writes the notes and messages of the firings once t is stored;
// message keys get the stored version, so every event has its own. last
// says the caller runs nothing after it in the transaction.
func (fx *effects) flush(ctx context.Context, t ticket.Ticket, last bool) error {
	for _, fn := range fx.deferred {
		if err := fn(t); err != nil {
			return err
		}
	}
	for _, cm := range fx.notes {
		if err := fx.o.r.Tickets().AddComment(ctx, cm); err != nil {
			return err
		}
	}
	if len(fx.late) > 0 {
		for i := range fx.late {
			fx.late[i].TicketID = t.ID
		}
		if err := fx.o.r.Tickets().AddChanges(ctx, fx.late); err != nil {
			return err
		}
	}
	if len(fx.msgs) == 0 {
		return nil
	}
	for i := range fx.msgs {
		fx.msgs[i].IdempotencyKey = "trigger:" + versionKey(t) + ":" + fx.msgs[i].IdempotencyKey
	}
	return fx.o.enqueue(ctx, last, fx.msgs...)
}

// withTicket sets the ticket id of the firing rows (a new ticket's id is
// known before it is stored, and so is an edited one's).
func (fx *effects) withTicket(id string) []ticket.Change {
	for i := range fx.rows {
		fx.rows[i].TicketID = id
	}
	return fx.rows
}
