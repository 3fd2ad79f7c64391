// Package helpdesk is the composition root of Deskkit: the Desk, its
// services (tenants), the actors that make every call, and the ticket
// workflows — create, update, change status, reply, customer reply, solve,
// list, history and export.
//
// # Sessions and areas
//
// Every call is made by an actor: desk.Service(id).As(actor) returns a
// *Session, and the session's accessors return the areas of the helpdesk,
// each a small handle with verb methods:
//
//	s := desk.Service("acme").As(helpdesk.AgentID(kim))
//	t, err := s.Tickets().Create(ctx, ticket.New{Title: "Refund", Content: "Order 42"})
//	_, err = s.Tickets().Reply(ctx, t.ID, helpdesk.Reply{Body: "Done", Status: ticket.StatusSolved})
//	tree, err := s.Categories().Tree(ctx, category.Intake)
//
// The areas are Tickets, Categories, Fields, Templates, ForbiddenWords,
// Agents, Groups, Triggers, Outbox, Recipients and Configuration (the
// service's own settings). Handles are values, cheap to make and safe to
// copy; each call authorizes the session's actor afresh.
//
// The verbs and their inputs follow one convention in every package:
//
//   - Create takes a type named New (ticket.New, category.New, field.New,
//     template.New, agent.New, trigger.New; in this package, where several
//     live side by side, NewGroup, NewRecipient and NewService).
//   - Update takes an id and either a type named Update, whose nil fields
//     keep the stored value (ticket.Update, category.Update, field.Update,
//     agent.Update), or — where the whole definition is replaced — the
//     same New type Create takes (template.New, trigger.New, NewGroup,
//     NewRecipient). Configuration.Update replaces the Settings whole.
//   - Get reads one object by id, List reads all of them (or a page, with
//     a Filter: ticket.Filter, notify.Filter, agent.LoginFilter), Delete
//     removes one, Reorder sets the display order from a list of ids.
//   - A ticket action takes a type named after it: Reply, TemplateReply,
//     Forward, Solve.
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
// A plain reply (Tickets.Reply) is not a template: its body is stored and sent as
// written, so "#{" in it is text, never an error. To reply with a reply
// template, call Tickets.ReplyWithTemplate with the template's id and the agent's
// additions: the template's #{codes} are rendered with the ticket's values
// (TPL-4; #{content} is the ticket's content there), the additions follow
// as written, and the result is checked and stored like any reply — the
// forbidden-word check for a public reply (FWD-2), the status move, the
// automatic mail. Tickets.PreviewReply and PreviewTemplateReply run the same checks
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
//   - Tickets.Reply and ReplyWithTemplate with a public reply: the resolve mail
//     when the call moved the ticket to solved (by its Status, or by a
//     trigger the call fired), the hold mail when it moved it to pending,
//     the manual-processing mail otherwise (also for a reply that leaves a
//     pending ticket pending). #{content} is that reply, as stored.
//   - Tickets.SetStatus, Solve (not Solve.Internal), and Reply or
//     ReplyWithTemplate making an internal note with a Status: the resolve
//     or hold mail when the call moved the ticket to solved or pending.
//     #{content} is the ticket's last public reply to the customer, by an
//     agent or the system; an internal note or the customer's own reply is
//     never the content. A ticket with no such reply has nothing to say:
//     no mail goes out.
//
// Nothing is mailed for an internal resolution (Solve with
// Solve.Internal, TKT-6: the configured text goes into the history,
// and with no text configured only the status move is recorded), an
// internal note that moves nothing, Tickets.Create, Update, Forward,
// CustomerReply, or the AutoCloser (Tickets.CloseSolved). Trigger mails (TRG) are their own,
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
