package helpdesk

import (
	"context"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
)

// MailSettings are a service's outgoing-mail settings.
type MailSettings struct {
	// FromName and FromAddress are the sender of the service's mails
	// (MAIL-5): every mail message carries them as notify.Payload.From.
	// Without FromAddress the mails carry no sender and the host's
	// notify.Mailer uses its own; FromName alone is ignored.
	FromName    string `json:"from_name,omitempty"`
	FromAddress string `json:"from_address,omitempty"`
	// ReplyToAddress is where customers' answers go when not to
	// FromAddress (notify.Payload.ReplyTo, named FromName); empty: to
	// FromAddress.
	ReplyToAddress string `json:"reply_to_address,omitempty"`
	// Layout wraps automatic mails (not trigger mails) (MAIL-6).
	Layout MailLayout `json:"layout"`
	// The automatic mails of MAIL-6: when a ticket is solved, put on hold,
	// or answered (manual processing). When each goes out and what its
	// #{content} holds: "Automatic mails" in the package doc.
	Resolve AutoMail `json:"resolve"`
	Hold    AutoMail `json:"hold"`
	Manual  AutoMail `json:"manual"`
}

// MailLayout is the header and footer of automatic mails, per language.
type MailLayout struct {
	Header i18n.Text `json:"header,omitempty"`
	Footer i18n.Text `json:"footer,omitempty"`
}

// AutoMail is one automatic mail (MAIL-6). Body must contain #{content}
// in every language: the reply the mail carries (the call's public reply,
// or for a status mail without one the ticket's last public reply; see
// "Automatic mails" in the package doc). Every TPL-4 code may be used
// (#{content}, #{ticketId}, #{title}, #{customerName}, #{agentName},
// #{intakeType}, #{field.KEY}); an unknown one is refused when saved.
type AutoMail struct {
	// Enabled turns the mail on; an enabled mail needs a Body.
	Enabled bool `json:"enabled"`
	// Subject is the subject per language; without one it is
	// "[#NUMBER] TITLE".
	Subject i18n.Text `json:"subject,omitempty"`
	// Body is the text per language, wrapped in the layout.
	Body i18n.Text `json:"body,omitempty"`
}

// autoMailKind names the MAIL-6 automatic mails.
type autoMailKind string

const (
	mailResolve autoMailKind = "resolve"
	mailHold    autoMailKind = "hold"
	mailManual  autoMailKind = "manual"
)

func (m *MailSettings) check(c *errs.Collector, langs []string) {
	text.Check(c, "mail.from_name", m.FromName, false, text.NameBytes)
	for _, f := range []struct{ field, a string }{{"mail.from_address", m.FromAddress}, {"mail.reply_to_address", m.ReplyToAddress}} {
		if f.a != "" && !text.Email(f.a) {
			c.Add(f.field, "%q is not a plain email address", f.a)
		}
	}
	checkLangs := func(field string, t i18n.Text) {
		text.CheckMap(c, field, t, text.LongBytes)
		for _, l := range t.Langs() {
			if !slices.Contains(langs, l) {
				c.Add(field, "language %q is not one of the service's languages", l)
			}
			if _, err := template.Parse(t[l]); err != nil { // unknown codes refused at save (TPL-4)
				c.Add(field, "%s text: %s", l, errs.Detail(err))
			}
		}
	}
	checkLangs("mail.layout.header", m.Layout.Header)
	checkLangs("mail.layout.footer", m.Layout.Footer)
	for kind, a := range map[autoMailKind]AutoMail{mailResolve: m.Resolve, mailHold: m.Hold, mailManual: m.Manual} {
		field := "mail." + string(kind)
		checkLangs(field+".subject", a.Subject)
		checkLangs(field+".body", a.Body)
		if a.Enabled && len(a.Body) == 0 {
			c.Add(field+".body", "an enabled automatic mail needs a body")
		}
		for _, l := range a.Body.Langs() {
			// parsed, so that an escaped ##{content} does not count
			if p, err := template.Parse(a.Body[l]); err == nil && !p.Uses(template.CodeContent) {
				c.Add(field+".body", "the %s text must contain #{content} (MAIL-6)", l)
			}
		}
	}
}

// sender sets the sender of a mail payload from the settings (MAIL-5).
func (m MailSettings) sender(p *notify.Payload) {
	if m.FromAddress != "" {
		p.From = notify.Address{Name: m.FromName, Address: m.FromAddress}
	}
	if m.ReplyToAddress != "" {
		p.ReplyTo = notify.Address{Name: m.FromName, Address: m.ReplyToAddress}
	}
}

func (m MailSettings) auto(k autoMailKind) AutoMail {
	switch k {
	case mailResolve:
		return m.Resolve
	case mailHold:
		return m.Hold
	}
	return m.Manual
}

// queueAutoMail puts the automatic mail of kind for t into the outbox, in
// the caller's transaction (MAIL-6, NTF-1); Session.autoMail decides which
// mail a call owes. content is the reply text; key makes the message
// idempotent (the comment or the ticket version).
func (s *Session) queueAutoMail(ctx context.Context, o *op, kind autoMailKind, t ticket.Ticket, content, key string) (err error) {
	am := o.svc.Mail.auto(kind)
	if !am.Enabled || t.Requester.Email == "" {
		return nil
	}
	lang, def := t.Language, o.svc.DefaultLanguage
	// Each text is parsed once per target (checked when the settings were
	// saved); the values are built once for all of them (TPL-4).
	subjectText := am.Subject.Get(lang, def)
	parts := []string{o.svc.Mail.Layout.Header.Get(lang, def), am.Body.Get(lang, def), o.svc.Mail.Layout.Footer.Get(lang, def)}
	var plain, marked []*template.Compiled // the layout wraps automatic mails (MAIL-6)
	for _, p := range parts {
		if p == "" {
			continue
		}
		tc, err := template.Parse(p)
		if err != nil {
			return err
		}
		// The HTML part escapes the template's own text too: the texts are
		// written as plain text.
		hc, err := template.Parse(html.EscapeString(p))
		if err != nil {
			return err
		}
		plain, marked = append(plain, tc), append(marked, hc)
	}
	var subjectC *template.Compiled
	if subjectText != "" {
		if subjectC, err = template.Parse(subjectText); err != nil {
			return err
		}
	}
	uses := plain
	if subjectC != nil {
		uses = append(slices.Clip(plain), subjectC)
	}
	v, err := ticketValues(ctx, o, t, uses...)
	if err != nil {
		return err
	}
	v.Content = content // the reply, not the ticket's first message
	subject := "[#" + strconv.FormatInt(t.Number, 10) + "] " + t.Title
	if subjectC != nil {
		subject = subjectC.Render(v, template.Text)
	}
	text, htmlParts := make([]string, len(plain)), make([]string, len(marked))
	for i := range plain {
		text[i] = plain[i].Render(v, template.Text)
		htmlParts[i] = strings.ReplaceAll(marked[i].Render(v, template.HTML), "\n", "<br>\n")
	}
	p := notify.Payload{Subject: subject, Text: strings.Join(text, "\n\n"), HTML: strings.Join(htmlParts, "\n<hr>\n"),
		Headers: threadHeaders(t.ID)}
	o.svc.Mail.sender(&p)
	return o.enqueue(ctx, true, notify.Message{ // autoMail is its callers' last step
		ID: s.desk.newID(), Medium: notify.Email, Recipient: t.Requester.Email,
		Payload:        p,
		IdempotencyKey: "auto_mail:" + string(kind) + ":" + key,
		Source:         notify.Source{Kind: "auto_mail", TicketID: t.ID},
		NextAttemptAt:  o.now, CreatedAt: o.now, UpdatedAt: o.now,
	})
}

// threadHeaders are the headers that thread the customer's answer back into
// the ticket (MAIL-7).
func threadHeaders(ticketID string) map[string]string {
	return map[string]string{"References": "<ticket-" + ticketID + "@deskkit>"}
}
