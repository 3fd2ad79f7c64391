// Package mail carries the helpdesk's mail over the wire: Parse reads a
// raw mail (MIME, with github.com/emersion/go-message) into the
// transport-neutral helpdesk/mail.Message that Desk.ReceiveMail takes in.
//
// Importing this package imports go-message's charset package, which
// registers its charset decoders with go-message once, at start-up (the
// library's own switch; this package keeps no state of its own).
//
// # Rules
//
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
package mail
