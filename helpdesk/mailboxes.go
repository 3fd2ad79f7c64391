package helpdesk

import (
	"context"
	"errors"
	"slices"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Mailboxes returns the service's inbound mailboxes (MAIL-1, MAIL-2;
// admin).
func (s *Session) Mailboxes() Mailboxes { return Mailboxes{s} }

// Mailboxes is the mailbox area of a Session (Session.Mailboxes).
type Mailboxes struct{ s *Session }

// Save creates or replaces mailbox m.ID (admin): its representative
// address (MAIL-1) and, for an external mailbox, its IMAP server (MAIL-2).
// The secret is write-only: the mailbox is returned with it masked, and a
// secret sent back masked, as read, keeps the stored one (SEC-1). Bad
// input returns a *ValidationError naming every bad field.
func (h Mailboxes) Save(ctx context.Context, m mail.Mailbox) (mail.Mailbox, error) {
	if m.Folder == "" && m.Host != "" {
		m.Folder = "INBOX"
	}
	if err := checkMailbox(m); err != nil {
		return mail.Mailbox{}, err
	}
	var out mail.Mailbox
	err := h.s.run(ctx, "Mailboxes.Save", permSettings, func(o *op) error {
		cur, err := o.r.Mail().GetMailbox(ctx, m.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			if text.IsMasked(m.Secret) {
				return maskedProblem("secret", "a new mailbox has no stored secret to keep")
			}
			m.CreatedAt = o.now
		case err != nil:
			return err
		default:
			if text.IsMasked(m.Secret) {
				if m.Secret != maskSecret(cur.Secret) {
					return maskedProblem("secret", "it is not the stored secret's")
				}
				m.Secret = cur.Secret
			}
			m.CreatedAt = cur.CreatedAt
		}
		m.UpdatedAt = o.now
		out = m
		return o.r.Mail().PutMailbox(ctx, m)
	})
	return result(maskMailbox(out), err)
}

// List lists the service's mailboxes by id, secrets masked (admin, SEC-1).
func (h Mailboxes) List(ctx context.Context) ([]mail.Mailbox, error) {
	var out []mail.Mailbox
	err := h.s.run(ctx, "Mailboxes.List", permSettings, func(o *op) (err error) {
		out, err = o.r.Mail().Mailboxes(ctx)
		return err
	})
	for i := range out {
		out[i] = maskMailbox(out[i])
	}
	return out, err
}

// Delete removes a mailbox (admin); the records of the mail it took in
// stay (MAIL-10).
func (h Mailboxes) Delete(ctx context.Context, id string) error {
	if err := checkID("mailbox", id); err != nil {
		return err
	}
	return h.s.run(ctx, "Mailboxes.Delete", permSettings, func(o *op) error { return o.r.Mail().DeleteMailbox(ctx, id) })
}

// Secret returns mailbox id with its secret, for the host process that
// connects to the server (the system actor only; never shown to people,
// SEC-1).
func (h Mailboxes) Secret(ctx context.Context, id string) (mail.Mailbox, error) {
	if err := checkID("mailbox", id); err != nil {
		return mail.Mailbox{}, err
	}
	var out mail.Mailbox
	err := h.s.run(ctx, "Mailboxes.Secret", permCustomerVoice, func(o *op) (err error) {
		out, err = o.r.Mail().GetMailbox(ctx, id)
		return err
	})
	return result(out, err)
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return text.Masked
}

// maskMailbox returns m as it reads back: its secret masked (SEC-1).
func maskMailbox(m mail.Mailbox) mail.Mailbox {
	m.Secret = maskSecret(m.Secret)
	return m
}

// checkMailbox checks every field of m (SEC-3, MAIL-2).
func checkMailbox(m mail.Mailbox) error {
	var c errs.Collector
	text.Check(&c, "id", m.ID, true, text.KeyBytes)
	if m.Address != "" {
		text.CheckEmail(&c, "address", m.Address)
	}
	text.Check(&c, "host", m.Host, false, text.NameBytes)
	text.Check(&c, "user", m.User, false, text.NameBytes)
	text.Check(&c, "secret", m.Secret, false, text.ShortBytes)
	text.Check(&c, "folder", m.Folder, false, text.NameBytes)
	if m.Host != "" {
		if m.Port < 1 || m.Port > 65535 {
			c.Add("port", "must be between 1 and 65535")
		}
		if !slices.Contains([]string{mail.TLSImplicit, mail.TLSStartTLS, mail.TLSNone}, m.TLS) {
			c.Add("tls", "must be %q, %q or %q", mail.TLSImplicit, mail.TLSStartTLS, mail.TLSNone)
		}
		if m.User == "" {
			c.Add("user", "an external mailbox needs a user")
		}
	} else if m.Address == "" {
		c.Add("address", "a mailbox needs an address or an IMAP server")
	}
	return c.Err()
}
