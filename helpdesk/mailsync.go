package helpdesk

import (
	"context"
	"time"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// The sync state of IMAP mailboxes (MAIL-10), for the poller of
// adapters/mail: a lease so that one process syncs a mailbox at a time,
// and the UIDVALIDITY and last UID a restart resumes from.

// LeaseMailbox takes or renews owner's lease of mailbox mailboxID of the
// service until ttl from now, and returns the mailbox's sync state. When
// another owner holds a lease that has not expired it returns ErrConflict
// and changes nothing.
func (d *Desk) LeaseMailbox(ctx context.Context, serviceID, mailboxID, owner string, ttl time.Duration) (mail.Sync, error) {
	if err := checkSyncArgs(mailboxID, owner); err != nil {
		return mail.Sync{}, err
	}
	var out mail.Sync
	err := d.Service(serviceID).As(System).run(ctx, "LeaseMailbox", permCustomerVoice, func(o *op) error {
		s, err := o.r.Mail().LockSync(ctx, mailboxID)
		if err != nil {
			return err
		}
		if s.Leased(owner, o.now) {
			return errs.New(ErrConflict, "mailbox %q is synced by %q until %s", mailboxID, s.Owner, s.LeaseUntil.Format(time.RFC3339))
		}
		s.Owner, s.LeaseUntil = owner, o.now.Add(ttl)
		out = s
		return o.r.Mail().PutSync(ctx, s)
	})
	return result(out, err)
}

// SaveMailboxSync records how far owner's sync of s.MailboxID got: its
// UIDValidity and LastUID (under the same UIDVALIDITY the last UID never
// goes back), the pass's error (empty: none, SEC-3 cleaned) and now as
// LastSyncAt. It returns ErrConflict, writing nothing, when owner no longer
// holds the lease.
func (d *Desk) SaveMailboxSync(ctx context.Context, serviceID, owner string, s mail.Sync) error {
	if err := checkSyncArgs(s.MailboxID, owner); err != nil {
		return err
	}
	return d.Service(serviceID).As(System).run(ctx, "SaveMailboxSync", permCustomerVoice, func(o *op) error {
		cur, err := o.r.Mail().LockSync(ctx, s.MailboxID)
		if err != nil {
			return err
		}
		if cur.Owner != owner || !o.now.Before(cur.LeaseUntil) {
			return errs.New(ErrConflict, "mailbox %q: the lease of %q is lost", s.MailboxID, owner)
		}
		if s.UIDValidity == cur.UIDValidity && s.LastUID < cur.LastUID {
			s.LastUID = cur.LastUID
		}
		cur.UIDValidity, cur.LastUID, cur.LastSyncAt = s.UIDValidity, s.LastUID, o.now
		cur.LastError, _ = text.Clean(s.LastError, text.ShortBytes)
		return o.r.Mail().PutSync(ctx, cur)
	})
}

// ReleaseMailbox ends owner's lease of mailboxID, if owner holds it, so
// that another process may take the mailbox over at once.
func (d *Desk) ReleaseMailbox(ctx context.Context, serviceID, mailboxID, owner string) error {
	if err := checkSyncArgs(mailboxID, owner); err != nil {
		return err
	}
	return d.Service(serviceID).As(System).run(ctx, "ReleaseMailbox", permCustomerVoice, func(o *op) error {
		s, err := o.r.Mail().LockSync(ctx, mailboxID)
		if err != nil || s.Owner != owner {
			return err
		}
		s.Owner, s.LeaseUntil = "", time.Time{}
		return o.r.Mail().PutSync(ctx, s)
	})
}

// MailboxSync returns the sync state of mailboxID: the last sync, its
// error, the lease (MAIL-10); ErrNotFound when the mailbox never synced.
func (d *Desk) MailboxSync(ctx context.Context, serviceID, mailboxID string) (mail.Sync, error) {
	if err := checkSyncArgs(mailboxID, "x"); err != nil {
		return mail.Sync{}, err
	}
	var out mail.Sync
	err := d.Service(serviceID).As(System).run(ctx, "MailboxSync", permCustomerVoice, func(o *op) (err error) {
		out, err = o.r.Mail().GetSync(ctx, mailboxID)
		return err
	})
	return result(out, err)
}

func checkSyncArgs(mailboxID, owner string) error {
	var c errs.Collector
	text.Check(&c, "mailbox_id", mailboxID, true, text.KeyBytes)
	text.Check(&c, "owner", owner, true, text.KeyBytes)
	return c.Err()
}
