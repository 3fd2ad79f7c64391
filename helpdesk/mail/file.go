package mail

import "time"

// File is an attachment of a received mail as the helpdesk keeps it with
// the ticket (MAIL-8): its name, type and size always, its content when it
// was within the desk's size limit.
type File struct {
	ID          string
	TicketID    string
	CommentID   string // the customer reply it came with; empty: the ticket's first mail
	MailboxID   string
	MessageID   string
	Name        string
	ContentType string
	Size        int64
	// Kept is false when the file was over the size limit (or the
	// transport did not keep it): it is recorded without content.
	Kept      bool
	Content   []byte
	CreatedAt time.Time
}
