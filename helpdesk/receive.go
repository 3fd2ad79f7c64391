package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// maxThreadIDs bounds the In-Reply-To and References ids a received mail
// is threaded by (the newest ones).
const maxThreadIDs = 50

// ReceiveMail takes in mail m that reached mailbox mailboxID of service
// serviceID, however it arrived (the IMAP poller, a mail provider's
// webhook): the one entry point of inbound mail. In one transaction it
//
//   - answers a mail the mailbox took in before with its first Record and
//     Outcome mail.Duplicate, writing nothing (MAIL-3, MAIL-10: the record
//     outlives its ticket);
//   - records an automatic or bulk mail as mail.Ignored, with the reason,
//     and does nothing else (MAIL-4);
//   - adds a reply to its ticket as the customer's reply, quoted history
//     trimmed (the full text kept in the Record), reopening a pending or
//     solved ticket and following up a closed one (MAIL-3, TKT-2);
//   - or creates a ticket on the email channel from it (MAIL-1).
//
// Text the mail carries is made valid UTF-8 without NUL and cut to the
// desk's limits rather than refused, so that no mail is lost; what was cut
// or could not be read goes into an internal note on the ticket. Errors
// are the store's, a service that does not exist (ErrNotFound), or a bad
// mailboxID (ErrInvalid).
func (d *Desk) ReceiveMail(ctx context.Context, serviceID, mailboxID string, m mail.Message) (mail.Record, error) {
	var c errs.Collector
	text.Check(&c, "mailbox_id", mailboxID, true, text.KeyBytes)
	if err := c.Err(); err != nil {
		return mail.Record{}, err
	}
	s := d.Service(serviceID).As(System)
	m = cleanMail(m, d.limits)
	key := mail.Key(m)
	var out mail.Record
	err := s.runRetry(ctx, "ReceiveMail", permCustomerVoice, func(o *op) error {
		prev, err := o.r.Mail().Get(ctx, mailboxID, key)
		if err == nil {
			prev.Outcome = mail.Duplicate
			out = prev
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		rec := mail.Record{MailboxID: mailboxID, MessageID: key, ReceivedAt: o.now}
		if b := m.Bounce; b != nil && b.Permanent() {
			tid, err := s.takeBounce(ctx, o, m, *b)
			if err != nil {
				return err
			}
			rec.Outcome, rec.Reason = mail.Ignored, "permanent bounce for "+b.Recipient+" (MAIL-9)"
			if tid != "" {
				rec.Reason += " of ticket " + tid
			}
			rec.Reason, _ = text.Clean(rec.Reason, text.ShortBytes)
		} else if why := mail.Noise(m); why != "" {
			rec.Outcome = mail.Ignored
			rec.Reason, _ = text.Clean(why, text.ShortBytes)
		} else if first, err := o.r.Mail().Find(ctx, []string{key}); err == nil {
			// the same mail reached the service through another mailbox
			rec.Outcome, rec.TicketID, rec.Reason = mail.Duplicate, first.TicketID, "taken in through mailbox "+first.MailboxID
		} else if !errors.Is(err, ErrNotFound) {
			return err
		} else if err := s.takeMail(ctx, o, m, &rec); err != nil {
			return err
		}
		if err := o.r.Mail().Add(ctx, rec); err != nil {
			return err
		}
		out = rec
		return nil
	})
	return result(out, err)
}

// takeMail adds m to the ticket it answers or creates one, filling rec.
func (s *Session) takeMail(ctx context.Context, o *op, m mail.Message, rec *mail.Record) error {
	t, found, err := thread(ctx, o, m)
	if err != nil {
		return err
	}
	if found {
		body := mail.TrimQuoted(m.Text)
		if body != m.Text {
			rec.Original = m.Text
		}
		cur, err := o.r.Tickets().GetForUpdate(ctx, t.ID)
		if err != nil {
			return err
		}
		rec.Outcome, rec.TicketID = mail.Replied, cur.ID
		if cur.Status == ticket.StatusClosed { // a follow-up ticket (TKT-2)
			fu, err := s.followUp(ctx, o, cur, body, s.desk.newID())
			if err != nil {
				return err
			}
			rec.TicketID = fu.ID
		} else {
			cm := ticket.Comment{ID: s.desk.newID(), TicketID: cur.ID, Kind: ticket.CommentPublic, AuthorKind: s.actor.Kind, AuthorID: s.actor.ID,
				FromCustomer: true, Body: body, CreatedAt: o.now}
			if _, err := s.customerReply(ctx, o, cur.ID, cm, false); err != nil { // attachments and notes may follow
				return err
			}
			rec.CommentID = cm.ID
		}
	} else {
		n := ticket.New{Requester: ticket.Requester{Name: m.From.Name, Email: m.From.Address},
			Title: m.Subject, Content: m.Text, Channel: ticket.ChannelEmail}
		if lang := strings.TrimSpace(m.Language); lang != "" && o.svc.HasLanguage(lang) {
			n.Language = lang
		}
		created, err := s.create(ctx, o, n, s.desk.newID(), "", false) // attachments and notes may follow
		if err != nil {
			return err
		}
		rec.Outcome, rec.TicketID = mail.Created, created.ID
	}
	notes := m.Notes
	for _, a := range m.Attachments {
		f := mail.File{ID: s.desk.newID(), TicketID: rec.TicketID, CommentID: rec.CommentID, MailboxID: rec.MailboxID, MessageID: rec.MessageID,
			ContentType: a.ContentType, Size: max(a.Size, int64(len(a.Content))), Kept: a.Content != nil, Content: a.Content, CreatedAt: o.now}
		f.Name, _ = text.Clean(a.Name, text.NameBytes)
		f.ContentType, _ = text.Clean(a.ContentType, text.NameBytes)
		if f.Size > s.desk.maxFile {
			f.Kept, f.Content = false, nil
		}
		if !f.Kept {
			// MAIL-8: recorded, not silently dropped
			notes = append(notes, fmt.Sprintf("attachment %q (%s, %d bytes) is over the size limit of %d bytes: recorded without its content", f.Name, f.ContentType, f.Size, s.desk.maxFile))
		}
		if err := o.r.Mail().AddFile(ctx, f); err != nil {
			return err
		}
	}
	if len(notes) == 0 {
		return nil
	}
	note := ticket.Comment{ID: s.desk.newID(), TicketID: rec.TicketID, Kind: ticket.CommentInternal, AuthorKind: ticket.ActorSystem,
		Body: "Mail " + rec.MessageID + ":\n" + strings.Join(notes, "\n"), CreatedAt: o.now}
	note.Body, _ = text.Clean(note.Body, s.desk.limits.MaxContentBytes)
	if err := o.r.Tickets().AddComment(ctx, note); err != nil {
		return err
	}
	return o.r.Tickets().AddChanges(ctx, o.changes(System, rec.TicketID, ticket.EventUpdated,
		[]ticket.FieldChange{{Field: ticket.FieldNote, To: note.ID}}))
}

// thread returns the ticket m answers (MAIL-3): one named by an id of ours
// in In-Reply-To or References, one an earlier mail with such an id went
// to, or one whose token the subject carries when m comes from its
// requester. A ticket that is gone (its record is a tombstone) answers
// nothing.
func thread(ctx context.Context, o *op, m mail.Message) (ticket.Ticket, bool, error) {
	ids := slices.Clone(m.InReplyTo)
	for _, id := range slices.Backward(m.References) { // the newest last
		ids = append(ids, id)
	}
	if len(ids) > maxThreadIDs {
		ids = ids[:maxThreadIDs]
	}
	var others []string
	for _, id := range ids {
		if tid, ok := mail.TicketOf(id); ok {
			if t, err := o.r.Tickets().Get(ctx, tid); err == nil {
				return t, true, nil
			} else if !errors.Is(err, ErrNotFound) {
				return t, false, err
			}
			continue
		}
		if id = strings.Trim(strings.TrimSpace(id), "<>"); id != "" && text.Valid(id, text.ShortBytes) {
			others = append(others, id)
		}
	}
	if len(others) > 0 {
		r, err := o.r.Mail().Find(ctx, others)
		if err == nil {
			if t, err := o.r.Tickets().Get(ctx, r.TicketID); err == nil {
				return t, true, nil
			} else if !errors.Is(err, ErrNotFound) {
				return t, false, err
			}
		} else if !errors.Is(err, ErrNotFound) {
			return ticket.Ticket{}, false, err
		}
	}
	if n, ok := mail.SubjectToken(m.Subject); ok && m.From.Address != "" {
		t, err := o.r.Tickets().GetByNumber(ctx, n)
		if err == nil && strings.EqualFold(t.Requester.Email, m.From.Address) {
			return t, true, nil
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return t, false, err
		}
	}
	return ticket.Ticket{}, false, nil
}

// cleanMail makes every text of m one the stores keep (SEC-3) without
// refusing the mail: invalid bytes replaced, NUL dropped, cut to the
// limits, an unusable sender address dropped; each change is noted.
func cleanMail(m mail.Message, l ticket.Limits) mail.Message {
	clean := func(what string, s *string, max int) {
		var changed bool
		if *s, changed = text.Clean(*s, max); changed {
			m.Notes = append(m.Notes, "the "+what+" was not valid text or was too long; it was repaired or cut")
		}
	}
	m.Notes = slices.Clone(m.Notes)
	for i := range m.Notes {
		m.Notes[i], _ = text.Clean(m.Notes[i], text.ShortBytes)
	}
	clean("Message-ID", &m.MessageID, text.ShortBytes)
	m.MessageID = strings.Trim(strings.TrimSpace(m.MessageID), "<>")
	clean("subject", &m.Subject, l.MaxTitleBytes)
	clean("text", &m.Text, l.MaxContentBytes)
	clean("sender name", &m.From.Name, text.NameBytes)
	m.Language, _ = text.Clean(m.Language, text.KeyBytes)
	if a := m.From.Address; a != "" && !text.Email(a) {
		m.Notes = append(m.Notes, "the sender address could not be read")
		m.From.Address = ""
	}
	if b := m.Bounce; b != nil {
		c := *b
		c.Recipient, _ = text.Clean(c.Recipient, text.AddressBytes)
		c.Status, _ = text.Clean(c.Status, text.KeyBytes)
		c.Diagnostic, _ = text.Clean(c.Diagnostic, text.ShortBytes/2)
		if !text.Email(c.Recipient) {
			c.Recipient = ""
		}
		m.Bounce = &c
	}
	if strings.TrimSpace(m.Subject) == "" {
		m.Subject = "(no subject)"
	}
	if strings.TrimSpace(m.Text) == "" {
		m.Text = "(no text)"
	}
	return m
}
