package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// limited reports whether MAIL-9 governs m: an automatic or trigger mail
// about a ticket.
func limited(m notify.Message) bool {
	return m.Medium == notify.Email && m.Source.TicketID != "" && (m.Source.Kind == "auto_mail" || m.Source.Kind == "trigger")
}

// limitMail drops the messages of msgs that MAIL-9 withholds — to an
// address blocked by a permanent bounce, or over a rate limit — and writes
// why in their tickets' histories. It locks the state of each address it
// governs, in byte order (see Store's lock order), and records the mails
// it lets through.
func (o *op) limitMail(ctx context.Context, msgs []notify.Message) ([]notify.Message, error) {
	var addrs []string
	for _, m := range msgs {
		if limited(m) {
			addrs = append(addrs, mail.Fold(m.Recipient))
		}
	}
	if len(addrs) == 0 {
		return msgs, nil
	}
	slices.Sort(addrs)
	addrs = slices.Compact(addrs)
	state := make(map[string]*mail.Recipient, len(addrs))
	for _, a := range addrs {
		r, err := o.r.MailRecipients().LockRecipient(ctx, a)
		if err != nil {
			return nil, err
		}
		state[a] = &r
	}
	kept := msgs[:0:0]
	var rows []ticket.Change
	for _, m := range msgs {
		if !limited(m) {
			kept = append(kept, m)
			continue
		}
		if ok, why := state[mail.Fold(m.Recipient)].Allow(o.now, o.mailRates); !ok {
			rows = append(rows, o.changes(System, m.Source.TicketID, ticket.EventUpdated,
				[]ticket.FieldChange{{Field: ticket.FieldMailWithheld, From: m.Recipient, To: "not sent (MAIL-9): " + why}})...)
			continue
		}
		kept = append(kept, m)
	}
	for _, a := range addrs {
		if err := o.r.MailRecipients().PutRecipient(ctx, *state[a]); err != nil {
			return nil, err
		}
	}
	if len(rows) > 0 {
		if err := o.r.Tickets().AddChanges(ctx, rows); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// takeBounce blocks automatic mail to the address of permanent bounce b
// for the desk's BounceBlock and says so in the history of the ticket the
// bounced mail belonged to, when m names one of ours (MAIL-9). It returns
// the ticket, or "".
func (s *Session) takeBounce(ctx context.Context, o *op, m mail.Message, b mail.Bounce) (string, error) {
	addr := mail.Fold(b.Recipient)
	if addr == "" {
		return "", nil
	}
	r, err := o.r.MailRecipients().LockRecipient(ctx, addr)
	if err != nil {
		return "", err
	}
	reason := strings.TrimSpace(b.Status + " " + b.Diagnostic)
	until := o.now.Add(s.desk.bounceBlock)
	r.Block(until, reason)
	if err := o.r.MailRecipients().PutRecipient(ctx, r); err != nil {
		return "", err
	}
	t, found, err := thread(ctx, o, m) // a ticket that is gone answers nothing
	if err != nil || !found {
		return "", err
	}
	to := fmt.Sprintf("bounced for good (%s); automatic mail to it blocked until %s (MAIL-9)", reason, until.UTC().Format("2006-01-02T15:04:05Z"))
	return t.ID, o.r.Tickets().AddChanges(ctx, o.changes(System, t.ID, ticket.EventUpdated,
		[]ticket.FieldChange{{Field: ticket.FieldMailBounced, From: b.Recipient, To: to}}))
}
