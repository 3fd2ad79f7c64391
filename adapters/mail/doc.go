// Package mail carries the helpdesk's mail over the wire: Parse reads a
// raw mail (MIME, with github.com/emersion/go-message) into the
// transport-neutral helpdesk/mail.Message that Desk.ReceiveMail takes in,
// and Mailer, the notify.Mailer of the dispatcher, sends the outbox's mails
// over SMTP (github.com/emersion/go-smtp), built by Build. Poller syncs an
// external IMAP mailbox (github.com/emersion/go-imap/v2) into the helpdesk:
// the host runs it with a context and stops it by cancelling it.
//
// Importing this package imports go-message's charset package, which
// registers its charset decoders with go-message once, at start-up (the
// library's own switch; this package keeps no state of its own).
//
// # Rules
//
//   - MAIL-2 An external mailbox is read over IMAP (IMAPConfig: host and
//     port, TLS implicit, STARTTLS or none for tests, user, password,
//     folder), for receiving only: the Poller opens the folder read-only
//     and fetches with BODY.PEEK, so it changes nothing on the server. The
//     password is never logged nor put in an error (SEC-1).
//   - MAIL-5 A mail goes out from its message's sender (the service's
//     from-name and from-address), else from SMTPConfig.From; Reply-To when
//     the service has one.
//   - MAIL-7 Every mail about a ticket carries our own Message-ID naming the
//     ticket, In-Reply-To and References, so the customer's answer threads
//     back (and our own mail coming back is recognised as a loop, MAIL-4).
//     Subjects and names are RFC 2047 encoded (UTF-8); text and HTML go as
//     multipart/alternative.
//   - NTF-1 An answer 5xx of the server is permanent (notify.Permanent: not
//     retried); a 4xx answer, a network or TLS failure is temporary and
//     retried with back-off by the dispatcher. The SMTP password is never
//     logged nor put in an error (SEC-1).
//   - MAIL-8 Attachments of a received mail are read with their name, type
//     and size; one over the size limit (ParseOptions.MaxAttachmentBytes) is
//     kept without its content and noted, never silently dropped.
//   - MAIL-10 A received mail is never lost to its form: Parse never fails
//     and never panics; a broken header, an unknown charset or transfer
//     encoding, or a truncated part leaves what could be read and a note
//     (Message.Notes), which the helpdesk puts on the ticket. Text parts are
//     decoded from their charset (UTF-8, EUC-KR, Windows-949,
//     ISO-2022-JP ...), headers from RFC 2047; of multipart/alternative the
//     plain part is the text, and an HTML-only mail gets a text rendering.
//     The Poller syncs by UID after the last UID taken in under the
//     folder's UIDVALIDITY, never by a date window: a restart fetches only
//     new mail, an outage misses nothing, a new UIDVALIDITY starts from UID 1
//     with the mailbox's records keeping out duplicates, and a dropped
//     connection is reconnected with back-off. A lease in the store lets one
//     of several processes sync a mailbox at a time; the last sync and its
//     error are kept for admins (Desk.MailboxSync).
package mail
