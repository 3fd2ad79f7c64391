package mail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RateLimit is one sliding window of MAIL-9: at most Max automatic mails
// to one recipient within any span of Per.
type RateLimit struct {
	Max int
	Per time.Duration
}

// DefaultRateLimits are the windows a desk uses when its configuration
// names none: 10 automatic mails per recipient in 10 minutes, 50 in a day.
var DefaultRateLimits = []RateLimit{{Max: 10, Per: 10 * time.Minute}, {Max: 50, Per: 24 * time.Hour}}

// DefaultBounceBlock is how long a permanent bounce blocks automatic mail
// to its address by default (MAIL-9).
const DefaultBounceBlock = 7 * 24 * time.Hour

// Recipient is what MAIL-9 keeps of one address of a service: when
// automatic mails went to it recently, and until when a permanent bounce
// blocks it.
type Recipient struct {
	// Address is the address as Fold returns it.
	Address string
	// Sent are the times of the automatic mails queued for the address
	// within the longest window, oldest first.
	Sent []time.Time
	// BlockedUntil is when the block of a permanent bounce ends; zero: not
	// blocked.
	BlockedUntil time.Time
	// BlockReason is the bounce's status and text.
	BlockReason string
}

// Fold returns the form of an address recipients are kept under: trimmed
// and lower-cased, so that one mailbox is one recipient.
func Fold(address string) string { return strings.ToLower(strings.TrimSpace(address)) }

// Allow decides whether one more automatic mail may go to r at now under
// limits (MAIL-9). When it may, it records the mail in r.Sent; when not,
// it says why. Times older than the longest window are dropped from r.Sent
// either way.
func (r *Recipient) Allow(now time.Time, limits []RateLimit) (bool, string) {
	if now.Before(r.BlockedUntil) {
		return false, fmt.Sprintf("blocked until %s after a permanent bounce (%s)", r.BlockedUntil.UTC().Format(time.RFC3339), r.BlockReason)
	}
	var longest time.Duration
	for _, l := range limits {
		longest = max(longest, l.Per)
	}
	r.Sent = slices.DeleteFunc(r.Sent, func(t time.Time) bool { return !t.After(now.Add(-longest)) })
	for _, l := range limits {
		if l.Max <= 0 || l.Per <= 0 {
			continue
		}
		n := 0
		for _, t := range r.Sent {
			if t.After(now.Add(-l.Per)) {
				n++
			}
		}
		if n >= l.Max {
			return false, fmt.Sprintf("rate limit: %d automatic mails to this address within %s", n, l.Per)
		}
	}
	r.Sent = append(r.Sent, now)
	return true, ""
}

// Block blocks automatic mail to r until until, for reason (MAIL-9). A
// longer block in force stays.
func (r *Recipient) Block(until time.Time, reason string) {
	if until.After(r.BlockedUntil) {
		r.BlockedUntil = until
	}
	r.BlockReason = reason
}

// Bounce is the delivery-status report of a mail that could not be
// delivered (RFC 3464), as far as MAIL-9 needs it.
type Bounce struct {
	// Recipient is the Final-Recipient (or Original-Recipient) address.
	Recipient string
	// Status is the status code, "5.1.1".
	Status string
	// Diagnostic is the Diagnostic-Code text, if any.
	Diagnostic string
}

// Permanent reports whether the bounce is a permanent failure (status
// 5.x.x), the kind that blocks the address.
func (b Bounce) Permanent() bool { return strings.HasPrefix(strings.TrimSpace(b.Status), "5.") }

// RecipientRepository stores the MAIL-9 state of a service's recipients.
// It decides nothing.
type RecipientRepository interface {
	// LockRecipient returns the state of address (as Fold returns it),
	// locked against other writers until the transaction ends; an address
	// without one gets a zero state with Address set. Lock several in
	// byte order of their address.
	LockRecipient(ctx context.Context, address string) (Recipient, error)
	// PutRecipient stores r as the state of r.Address.
	PutRecipient(ctx context.Context, r Recipient) error
}
