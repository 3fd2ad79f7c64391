// Package ticket holds the ticket model of Deskkit: Ticket and its fields,
// the status machine, comments, the change history, the events triggers
// see, and the Repository port every store implements.
//
// The package is pure: no storage, no clock, no network. Package helpdesk runs
// the workflows that use it: it checks a ticket against the service's
// settings, makes the automatic status moves, writes the history and
// retries conflicts (see the rules of package helpdesk).
//
// # Status machine
//
// A ticket is created new. Transition (and Status.CanMove) allows exactly
// these moves; any other — a move to the same status, a move out of closed,
// a move back to new — is a *TransitionError naming from and to, which
// matches ErrIllegalTransition and helpdesk.ErrInvalid:
//
//	from      to
//	new       open, pending, solved
//	open      pending, solved
//	pending   open, solved
//	solved    open (reopen), closed
//	closed    nothing: closed is final
//
// Which of these moves happen by themselves (an agent's reply, an
// assignment, a customer's reply, the auto-close job) is decided by package
// helpdesk, under TKT-2 in its rules.
//
// # Rules
//
//   - TKT-1 A Ticket has a requester (name, email, phone), title, content,
//     channel (help_center, email, phone, chat, api, agent), language,
//     status, priority (low, normal, high, urgent), intake and processing
//     category, group, assignee, tags, customer- and agent-field values,
//     timestamps, a version, and a number that is sequential per service
//     (shown as #Number). Ticket.Validate requires a title and a content
//     within Limits (1 KiB and 1 MiB by default), a known status, priority
//     and channel, and a plain requester email when there is one; tags are
//     trimmed, lower-cased, de-duplicated and sorted (at most 100, of at
//     most 100 bytes each); field values take one of the shapes of Fields.
//     It names every bad field at once in a *helpdesk.ValidationError.
//   - TKT-2 The statuses new, open, pending (on hold), solved and closed, and
//     the legal moves of the table above. Ticket.FollowUpOf links a
//     follow-up ticket to the closed ticket it follows up.
//   - TKT-3 A Comment is a public reply, sent to the requester, or an
//     internal note, seen by agents only; FromCustomer marks a reply the
//     customer sent.
//   - TKT-4 The history of a ticket is a list of Change rows: who (actor
//     kind and id), when, under which event, which field, from what to what,
//     as text (Diff, FormatValue). Custom fields appear as
//     "customer_fields.KEY" and "agent_fields.KEY"; rows that are not a field
//     of the ticket use the Field names of this package (the ticket created,
//     a reply, a note, the internal-resolution text, follow-up links,
//     trigger firings).
//   - TKT-8 Version grows by one with every write. Repository.Update stores
//     a ticket only when the stored version is the one the change started
//     from; a stale one is ErrConflict and writes nothing.
package ticket
