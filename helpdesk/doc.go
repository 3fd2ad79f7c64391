// Package helpdesk is the composition root of Deskkit: the Desk, its
// services (tenants), the actors that make every call, and the ticket
// workflows — create, update, change status, reply, customer reply, solve,
// list, history and export.
//
// Every call runs in one store transaction scoped to one service (SVC-1),
// checks its actor once through a single authorize point (SVC-3), and records
// each change in the ticket's history (TKT-4). Errors are typed: match
// ErrNotFound, ErrConflict, ErrForbidden and ErrInvalid with errors.Is, and
// use errors.As for *ValidationError (every bad field) and
// *ticket.TransitionError (from and to of an illegal status move).
//
// Storage is the Store port; adapters/memory and adapters/postgres implement
// it and adapters/storetest holds them to the same behaviour.
//
// # Replies and templates
//
// A plain reply (Reply) is not a template: its body is stored and sent as
// written, so "#{" in it is text, never an error. To reply with a reply
// template, call ReplyWithTemplate with the template's id and the agent's
// additions: the template's #{codes} are rendered with the ticket's values
// (TPL-4; #{content} is the ticket's content there), the additions follow
// as written, and the result is checked and stored like any reply — the
// forbidden-word check for a public reply (FWD-2), the status move, the
// automatic mail. PreviewReply and PreviewTemplateReply run the same checks
// without storing or sending anything.
//
// # Automatic mails
//
// A service has three automatic mails to a ticket's requester (MAIL-6),
// set in Settings.Mail: resolve, hold and manual processing. Each goes out
// only when it is enabled and the requester has an email address; it is
// queued in the outbox in the transaction of the call that owes it (a
// failed call sends nothing) and delivered by a Dispatcher. A call queues
// at most one, and only these calls queue any:
//
//   - Reply and ReplyWithTemplate with a public reply: the resolve mail
//     when the call moved the ticket to solved (by its Status, or by a
//     trigger the call fired), the hold mail when it moved it to pending,
//     the manual-processing mail otherwise (also for a reply that leaves a
//     pending ticket pending). #{content} is that reply, as stored.
//   - ChangeStatus, Solve (not SolveOptions.Internal), and Reply or
//     ReplyWithTemplate making an internal note with a Status: the resolve
//     or hold mail when the call moved the ticket to solved or pending.
//     #{content} is the ticket's last public reply to the customer, by an
//     agent or the system; an internal note or the customer's own reply is
//     never the content. A ticket with no such reply has nothing to say:
//     no mail goes out.
//
// Nothing is mailed for an internal resolution (Solve with
// SolveOptions.Internal, TKT-6: the configured text goes into the history,
// and with no text configured only the status move is recorded), an
// internal note that moves nothing, CreateTicket, UpdateTicket, Forward,
// CustomerReply, or the AutoCloser (CloseSolved). Trigger mails (TRG) are their own,
// sent without the layout.
//
// The texts are taken in the ticket's language, else the service's
// default language. The body is the mail's Body between the layout's
// Header and Footer; the subject is its Subject, or "[#NUMBER] TITLE"
// when it has none. Besides #{content}, every part may use #{ticketId}
// (the ticket's number), #{title}, #{customerName} (the requester's name),
// #{agentName} (the name of the agent making the call, empty for the
// system; not necessarily the author of the quoted reply), #{intakeType}
// (the intake category's name in the ticket's language) and #{field.KEY}
// (the ticket's value of that field, empty without one). Values are put in
// as they are, never read as codes: as written in the plain-text part,
// HTML-escaped in the HTML part. Each mail carries From (the service's
// sender, MAIL-5) and References (the ticket, MAIL-7), and an idempotency
// key — the reply's id, or the ticket's version for a mail without a reply
// of its own — so a retried call never mails twice.
package helpdesk
