// Package mail is inbound mail in the domain: the parsed message a
// transport hands to the helpdesk (Message), the rules that read it — loop
// and noise markers, threading ids, the ticket token in a subject, quoted
// history — and the Repository that remembers which messages a mailbox has
// taken in. It knows no protocol: the IMAP poller of adapters/mail, or a
// host's webhook from a mail provider, parses a mail into a Message and
// calls helpdesk.Desk.ReceiveMail, which threads, dedupes and opens the
// ticket event.
//
// # Rules
//
//   - MAIL-1 Mail that reaches a service's mailbox and answers no ticket
//     creates a ticket: channel email, the requester from From, the language
//     from Content-Language when the service has it (else the service's
//     default).
//   - MAIL-3 A reply is added to its ticket as a customer reply, not a new
//     ticket. A mail is a reply when one of its In-Reply-To or References ids
//     is one the service sent (OwnID, carrying the ticket id) or received
//     earlier (a Record), or when its subject carries the ticket token
//     "[#NUMBER]" and it comes from the ticket's requester. Quoted history
//     is trimmed from the stored reply (TrimQuoted); the full text is kept
//     with the message's Record. The same message is never taken in twice:
//     a Record per (mailbox, Message-ID) dedupes it; the same mail sent to
//     two mailboxes is taken in by each.
//   - MAIL-4 Automatic replies and bulk mail never create a ticket, never
//     join one, and never cause an automatic mail: Auto-Submitted other than
//     "no", X-Autoreply, X-Autorespond, X-Loop, X-Auto-Response-Suppress,
//     Precedence bulk, junk or list, a sender that is mailer-daemon or
//     postmaster, and a Message-ID of our own (Noise says which marker).
//   - MAIL-9 Automatic and trigger mails are rate-limited per recipient:
//     Recipient.Allow counts them in sliding windows (RateLimit;
//     DefaultRateLimits: 10 in 10 minutes, 50 a day) and a mail over a
//     limit is not queued, the ticket's history saying why. A permanent
//     bounce (a delivery-status report with status 5.x.x, Message.Bounce)
//     blocks automatic mail to its address for a while
//     (DefaultBounceBlock), and the history of the ticket whose mail
//     bounced says so; a temporary one (4.x.x) blocks nothing.
//   - MAIL-10 Mail is never lost to downtime or deletion: a mail's Record
//     stays when its ticket is gone, as the ticket's tombstone, so mail still
//     on the server is not imported again; a mailbox is synced by UID and
//     UIDVALIDITY, never by a date window (adapters/mail).
//   - MAIL-7 The ids of mails the service sends (OwnID) name the ticket,
//     so the customer's answer threads back by In-Reply-To or References.
package mail
