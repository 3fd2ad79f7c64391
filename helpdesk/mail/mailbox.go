package mail

import "time"

// Mailbox is one of a service's inbound mailboxes (MAIL-1, MAIL-2): its
// representative address, and where an external one is read over IMAP.
type Mailbox struct {
	// ID names the mailbox in the service; received mail is deduplicated
	// per mailbox (MAIL-3).
	ID string
	// Address is the mailbox's address customers write to (MAIL-1).
	Address string
	// Host and Port are the IMAP server of an external mailbox; empty
	// Host: mail reaches the mailbox another way (a provider's webhook).
	Host string
	Port int
	// TLS is "implicit", "starttls" or "none" (for tests only).
	TLS string
	// User logs in; Secret is its password: write-only, masked when read
	// back through the helpdesk (SEC-1).
	User   string
	Secret string
	// Folder is the IMAP folder to read; default "INBOX".
	Folder string
	// Enabled mailboxes are synced; a disabled one is kept but not read.
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// The TLS modes of a Mailbox.
const (
	TLSImplicit = "implicit"
	TLSStartTLS = "starttls"
	TLSNone     = "none"
)
