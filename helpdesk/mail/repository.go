package mail

import (
	"context"
	"time"
)

// Record is a message a mailbox of the service took in, or one the service
// sent (MAIL-3, MAIL-10): the dedupe key of the mailbox and the ticket it
// went to. A record outlives its ticket (the ticket's tombstone).
type Record struct {
	// MailboxID is the mailbox the mail came in through.
	MailboxID string
	// MessageID is the mail's key (Key): its Message-ID, unique in the
	// mailbox.
	MessageID string
	// TicketID is the ticket the mail created or joined; empty when it
	// was ignored (Noise).
	TicketID string
	// CommentID is the customer reply the mail became; empty for a new
	// ticket or an ignored mail.
	CommentID string
	// Outcome is what became of the mail.
	Outcome Outcome
	// Reason says why the mail was ignored (Noise), if it was.
	Reason string
	// Original is the full text of a reply whose quoted history was
	// trimmed from the stored comment; empty when nothing was trimmed.
	Original string
	// ReceivedAt is when the helpdesk took the mail in.
	ReceivedAt time.Time
}

// Outcome is what became of a received mail.
type Outcome string

// The outcomes of a received mail.
const (
	// Created: the mail created a ticket (MAIL-1).
	Created Outcome = "created"
	// Replied: the mail was added to a ticket as a customer reply (MAIL-3).
	Replied Outcome = "replied"
	// Ignored: the mail is automatic or bulk (MAIL-4).
	Ignored Outcome = "ignored"
	// Duplicate: the mailbox took the mail in before (MAIL-3): nothing
	// was written, and the result carries the first Record; or another
	// mailbox of the service took it in: only its record was written,
	// naming that mail's ticket.
	Duplicate Outcome = "duplicate"
)

// Repository stores the service's mail records. It persists and reads;
// it makes no rule checks. It answers ErrNotFound, ErrConflict and wrapped
// driver errors (as every repository does).
type Repository interface {
	// Add stores r; ErrConflict when the mailbox has a record with
	// r.MessageID (a concurrent transaction adding it is waited for).
	Add(ctx context.Context, r Record) error
	// Get returns the record of messageID in mailbox, or ErrNotFound.
	Get(ctx context.Context, mailboxID, messageID string) (Record, error)
	// Find returns a record of any mailbox of the service whose MessageID
	// is one of ids and that went to a ticket (TicketID set), the newest
	// received first; ErrNotFound when there is none.
	Find(ctx context.Context, ids []string) (Record, error)
	// ByTicket returns the records of ticket ticketID, oldest first.
	ByTicket(ctx context.Context, ticketID string) ([]Record, error)

	// LockSync returns the sync state of mailboxID, locked against other
	// writers until the transaction ends; a mailbox without one gets a
	// stored zero state (MailboxID set). A store that serialises its
	// transactions may treat the lock as taken.
	LockSync(ctx context.Context, mailboxID string) (Sync, error)
	// GetSync returns the sync state of mailboxID, or ErrNotFound.
	GetSync(ctx context.Context, mailboxID string) (Sync, error)
	// PutSync stores s as the state of s.MailboxID.
	PutSync(ctx context.Context, s Sync) error

	// PutMailbox stores m, inserting it or replacing the mailbox with
	// m.ID.
	PutMailbox(ctx context.Context, m Mailbox) error
	// GetMailbox returns the mailbox with id, or ErrNotFound.
	GetMailbox(ctx context.Context, id string) (Mailbox, error)
	// Mailboxes returns the service's mailboxes ordered by id.
	Mailboxes(ctx context.Context) ([]Mailbox, error)
	// AddFile stores f, an attachment of a received mail; ErrConflict when
	// its id is taken.
	AddFile(ctx context.Context, f File) error
	// Files returns the attachments of ticket ticketID without their
	// content, oldest first.
	Files(ctx context.Context, ticketID string) ([]File, error)
	// GetFile returns attachment id with its content, or ErrNotFound.
	GetFile(ctx context.Context, id string) (File, error)

	// DeleteMailbox deletes the mailbox with id (not its records nor its
	// sync state); ErrNotFound when there is none.
	DeleteMailbox(ctx context.Context, id string) error
}
