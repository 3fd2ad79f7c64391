package mail

import "time"

// Sync is the IMAP sync state of one mailbox (MAIL-10): where the last
// sync stopped, by UIDVALIDITY and UID (never by date), who holds the
// mailbox's lease, and how the last sync went, for admins to see.
type Sync struct {
	MailboxID string
	// UIDValidity and LastUID are the mailbox's UIDVALIDITY and the
	// highest UID taken in under it; a new UIDVALIDITY starts again from
	// UID 1 (the records dedupe what was taken in before).
	UIDValidity uint32
	LastUID     uint32
	// Owner holds the lease until LeaseUntil: one process syncs a mailbox
	// at a time.
	Owner      string
	LeaseUntil time.Time
	// LastSyncAt is when the last sync pass ended, LastError what failed
	// in it ("" when it went well).
	LastSyncAt time.Time
	LastError  string
}

// Leased reports whether another owner than owner holds the lease at now.
func (s Sync) Leased(owner string, now time.Time) bool {
	return s.Owner != "" && s.Owner != owner && now.Before(s.LeaseUntil)
}
