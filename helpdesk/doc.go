// Package helpdesk is the composition root of Deskkit: the Desk, its
// services (tenants), the actors that make every call, and the workflows —
// tickets (create, update, change status, reply, customer reply, solve,
// forward, list, history and export), inbound mail (Desk.ReceiveMail, the
// one entry point of every transport; mailboxes, their sync state and the
// attachments of received mail: rules in package helpdesk/mail), and the
// admin calls of every area (categories, fields, templates, forbidden words,
// agents and groups, triggers, recipients, mailboxes, settings).
//
// A call is made on a Session, a service bound to an actor:
// desk.Service(id).As(actor). Every call runs in one store transaction
// scoped to that service, checks its actor once through a single authorize
// point, and records each change of a ticket in its history. Errors are
// typed: match ErrNotFound, ErrConflict, ErrForbidden and ErrInvalid with
// errors.Is, and use errors.As for *ValidationError (every bad field) and
// *ticket.TransitionError (from and to of an illegal status move). A
// failure of the store is typed too: ErrTimeout (a statement ran over the
// database's statement or lock timeout), ErrUnavailable (the database could
// not be reached or the connection broke), ErrConflict for a serialization
// failure or deadlock (retried like any conflict of a write the library
// owns), and the context's error (context.Canceled, DeadlineExceeded) once
// the call's context ended.
//
// Every message reads "<kind>: <what>", whichever package or store made it
// (package problem has the details): "invalid: title: is required; content:
// is 2000 bytes, over the limit of 1024" names each bad field and tells each
// problem once; "not found: ticket "0192…"" names the missing object;
// "conflict: ticket "0192…" is at version 4, not 3" the clash; and
// "forbidden: Groups.Create needs the admin role; agent "a1" does not have
// it" the refused call (a method of a Session area) and what it needs. No
// message shows a database's table or constraint names.
//
// Storage is the Store port; adapters/memory and adapters/postgres implement
// it and adapters/storetest holds them to the same behaviour.
//
// # Errors and retries
//
// A call that returns an error stored nothing — with one exception. An
// error matching ErrUnknownOutcome is ambiguous: the store sent COMMIT and
// could not learn whether it took effect, because the caller's context
// ended while it was under way, or the connection broke. The change may or
// may not be stored. Every other error means nothing was written: the kinds
// (ErrNotFound, ErrConflict, ErrForbidden, ErrInvalid) refuse the call, and
// a failure of the store itself (a lost connection before COMMIT, a
// context that ended earlier, a COMMIT the database refused) matches
// ErrNotStored and may be retried as it is.
//
//	t, err := tickets.Create(ctx, ticket.New{..., IdempotencyKey: requestID})
//	if errors.Is(err, helpdesk.ErrUnknownOutcome) {
//		t, err = tickets.Create(context.WithoutCancel(ctx), ticket.New{..., IdempotencyKey: requestID})
//	}
//
// To retry an ambiguous call safely, give it an idempotency key
// (ticket.New.IdempotencyKey, Reply.IdempotencyKey,
// TemplateReply.IdempotencyKey, CustomerReply.IdempotencyKey): a retry
// with the same key returns the first call's ticket or reply and writes
// nothing (STO-3). The memory store commits in memory and never returns
// ErrUnknownOutcome; the Postgres store does, and only from its COMMIT
// (sent on its own, or with the transaction's last statement: Finisher).
//
// # Sessions and areas
//
// The session's methods return the areas of the helpdesk, each a small
// handle with verb methods:
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
// # Replies and templates
//
// A plain reply (Tickets.Reply) is not a template: its body is stored and
// sent as written, so "#{" in it is text, never an error. To reply with a
// reply template, call Tickets.ReplyWithTemplate with the template's id and
// the agent's additions: the template's #{codes} are rendered with the
// ticket's values (TPL-4; #{content} is the ticket's content there), the
// additions follow as written, and the result is checked and stored like any
// reply — the forbidden-word check for a public reply (FWD-2), the status
// move, the automatic mail. Tickets.PreviewReply and PreviewTemplateReply
// run the same checks without storing or sending anything.
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
// Nothing is mailed for an internal resolution (Solve with Solve.Internal,
// TKT-6: the configured text goes into the history, and with no text
// configured only the status move is recorded), an internal note that moves
// nothing, Tickets.Create, Update, Forward, CustomerReply, or the AutoCloser
// (Tickets.CloseSolved). Trigger mails (TRG) are their own, sent without the
// layout.
//
// Automatic and trigger mails to one address are rate-limited
// (Config.MailRateLimits, MAIL-9), and a permanent bounce that
// Desk.ReceiveMail takes in blocks them for Config.BounceBlock: a mail
// withheld is not queued, and the ticket's history says why
// (ticket.FieldMailWithheld, FieldMailBounced). Agents' replies are
// stored all the same.
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
//
// The rules of each area are listed in its package — category, field,
// template (reply templates and forbidden words), agent, trigger, notify —
// and enforced by the Session area of the same name. The rules below are
// this package's own: tenancy, actors, the ticket workflows and the mails
// they send.
//
// # Automatic status moves
//
// Besides the moves a caller asks for (Tickets.SetStatus, Solve, Reply
// with a Status), the workflows move a ticket by themselves; every move is one
// that package ticket's status machine allows:
//
//	when                                                     move
//	Tickets.Create with an assignee                          created open, not new
//	an assignment: Tickets.Update, Forward, a trigger        new → open
//	an agent's public reply                                  new → open
//	the customer's reply (Tickets.CustomerReply)             pending, solved → open
//	the customer's reply to a closed ticket                  a new follow-up ticket
//	Tickets.CloseSolved, AutoCloser: solved for CloseAfter   solved → closed
//
// # Rules
//
//   - SVC-1 A service is one tenant, created by the host (Desk.CreateService;
//     an id of 1–63 of a–z, 0–9, '-' and '_'). Every call of a Session runs
//     in one transaction scoped to its service (Store.Tx), whose
//     repositories see only that service's rows: a call can neither read,
//     change nor detect another service's objects, whose ids answer
//     ErrNotFound like unknown ones. Calls on an unknown service answer
//     ErrNotFound too.
//   - SVC-2 A service has an ordered list of help-center languages (BCP 47
//     tags, made canonical, at least one, none twice) and a default language
//     among them (the first one when none is given). Every per-language text
//     falls back to the default language (i18n.Text); texts in a language the
//     service does not have are refused, and so is a ticket in one (a ticket
//     without a language gets the default).
//   - SVC-3 Every call is made by an actor (Service.As): System — the host,
//     the library's own jobs, and customers through the help center or mail
//     — may do everything; an agent must be an active agent of the service.
//     The actor is authorized once per call, in one place, before the call
//     does its work: configuration needs the admin role (AGT-3);
//     reading and working tickets the ticket permission and access to the
//     ticket-management menu (AGT-8); forwarding also the forwarding
//     permission; exporting the history and reading the login log their
//     permissions (AGT-4); customer replies are System's only. Any agent
//     may read the settings, agents, groups, categories, fields and
//     templates; the external recipients and the triggers are the admins'.
//     A denied call returns ErrForbidden and changes nothing.
//   - SVC-4 Settings.Channels records the contracted channels (ticket, chat,
//     phone), and SMSEnabled whether SMS is on. A ticket arriving by phone
//     needs the phone contract, by chat the chat one, by any other channel
//     the ticket one; an agent's channel permissions need their channel
//     contracted, and a CTI id or extension needs phone; each refusal is a
//     problem of the *ValidationError. While SMSEnabled is off, SMS trigger
//     actions and an SMS surge template are refused when saved, an SMS
//     action saved before is skipped (recorded in the history), and
//     Desk.SMSCredentials hands the notifier no keys.
//   - SMS-1 Session.SMS holds the service's NHN Cloud SMS app key and
//     secret key and the sender numbers it uses. SMS.Update asks the
//     desk's SMSNumbers port (adapters/nhnsms) for the keys' usable sender
//     numbers, outside any transaction: keys whose list cannot be read are
//     refused, and so is a chosen number not in the list, before anything
//     is stored or sent; the settings are then stored valid, with the list
//     read. Configuration.Update leaves them as they are. The host's SMS
//     notifier reads the keys with Desk.SMSCredentials; the first chosen
//     number is the default sender (SMS-2).
//   - DRY-1 Session.Dooray holds the service's Dooray! task-transfer
//     settings: active, the organisation's name and id, the tenant token
//     (write-only, masked: SEC-1) and the projects (name, address, id,
//     representative registrant). Ids are 64-bit numbers kept as text, so
//     none loses a digit. Configuration.Update leaves them as they are.
//   - DRY-2 Dooray.Transfer creates a task for a ticket in a registered
//     project (Dooray.Projects lists them to any ticket worker) through the desk's DoorayTasks port (adapters/dooray), outside
//     any transaction, then stores the ticket ↔ task link
//     (DoorayLinkRepository: one task per ticket, one ticket per task) and
//     a history row. The task is the acting agent's when the agent is a
//     member of the project, else the representative registrant's. Every
//     later reply, note and customer reply of the ticket is queued in the
//     outbox for the task (recipient DoorayTaskRecipient + "PROJECT/POST").
//   - DRY-3 A paused transfer (Active false) keeps the settings and the
//     links, refuses Transfer, queues no task comments, and
//     Desk.DoorayToken hands the notifier no token.
//   - SEC-1 Credentials are write-only: an admin sets them, and every call
//     that reads them back — admins' included — returns them masked
//     (text.MaskURL: scheme and host, then "/********"). They are the
//     Dooray! hook URL of an external recipient and the URL of a trigger's
//     Dooray! or callback action (its path and query often hold a token);
//     the SMS app key and secret key and the Dooray! tenant token of the
//     service settings (masked whole: "********"). A masked value sent back on an update
//     keeps the stored one (of that recipient; of the trigger's action at
//     that index, or its one action of the kind masked alike); a masked
//     value that stands for no stored one, or on a create, is refused with
//     a *ValidationError. History rows and dry-run reports name a hook by
//     its host only (trigger.Describe).
//   - SEC-3 Every text a caller passes in is checked at the boundary,
//     before anything is stored: it must be valid UTF-8 without a NUL byte
//     (text every store keeps as given, jsonb included) and within its size
//     limit (internal/text), on create and on update alike — names,
//     accounts, CTI ids and extensions, labels, per-language texts and their
//     language keys, templates, words, hook URLs, phone numbers, the
//     settings' sender name and texts. Each refusal is a problem of one
//     *ValidationError naming every bad field. An id passed to Get, Update
//     or Delete that is not such text names no object: ErrNotFound.
//   - TKT-1 Tickets.Create creates a ticket in status new with the service's
//     next number, priority normal and the service's default language
//     unless given. The ticket is checked in full — ticket.Validate, its
//     language and channel (SVC-2, SVC-4), assignee, group, categories
//     (CAT-1), field values (FLD-5) — and every problem is named in one
//     *ValidationError; nothing is written then.
//   - TKT-2 The workflows make the automatic moves of the table above and
//     refuse illegal ones with a *ticket.TransitionError. Closed is final:
//     a closed ticket takes no update, reply or forward (a *ValidationError
//     on "status"), and a trigger leaves it as it is. A customer's reply to
//     a closed ticket creates a follow-up ticket ("Re: " and the title, the
//     reply as content, the closed ticket's requester, categories, group,
//     tags and fields; its assignee if still eligible), and both histories
//     link them. Solved tickets close once solved for the service's
//     TicketSettings.CloseAfter (default 4 days, negative: never):
//     Tickets.CloseSolved does it for one service, an AutoCloser for every
//     service, safe in several processes at once.
//   - TKT-3 Tickets.Reply adds a public reply or an internal note. The body is
//     required and at most Limits.MaxContentBytes and is stored as written;
//     Tickets.ReplyWithTemplate renders a reply template's #{codes} for the
//     ticket (TPL-4) and adds the agent's text. A public reply must pass the
//     forbidden-word check (FWD-2; notes are not checked).
//     Tickets.PreviewReply and PreviewTemplateReply check a body without
//     storing or sending anything.
//   - TKT-4 Every change to a ticket is history, written with the change: one
//     row per changed field (who, when, under which event, from what to what),
//     and rows for the creation, each reply and note, an internal resolution,
//     follow-up links and trigger firings. An update that changes nothing
//     writes nothing. Tickets.History returns a ticket's rows;
//     Tickets.ExportHistory (export permission) streams the rows of a ticket
//     or of the whole service in a period as JSON lines or CSV (with a header
//     row; a cell that starts with = + - @ gets a leading apostrophe).
//   - TKT-5 TicketSettings.GroupAtCreation and AssigneeAtCreation say whether
//     a group and an assignee may be chosen when a ticket is created; when
//     off, Tickets.Create refuses them (problems on "group_id",
//     "assignee_id").
//   - TKT-6 Tickets.Solve with Solve.Internal solves a ticket without mailing
//     the customer and records the service's InternalResolutionText, in the
//     ticket's language, in its history.
//   - TKT-7 Tickets.Forward gives a ticket to an agent, a group or both, and
//     needs the forwarding permission, as does a Tickets.Update that changes
//     the assignee or group. The agent must be able to take tickets: active,
//     ticket assignment on (AGT-5), the ticket permission, not restricted from
//     ticket management (AGT-8). With a group alone, the group's strategy
//     picks the agent (AGT-6; nobody: the ticket waits in the group
//     unassigned).
//   - TKT-8 Tickets.Update names the version it was based on; a stale one is
//     ErrConflict and changes nothing. Writes the library owns
//     (Tickets.SetStatus, Solve, Reply, CustomerReply, Forward, auto-close;
//     Agents.SetToggles) re-read and retry after a concurrent change, up to
//     Config.ConflictRetries times (default 5). Service settings and agents
//     are versioned the same way.
//   - STO-3 Tickets.Create, Reply and ReplyWithTemplate take an optional
//     idempotency key (at most 100 bytes), scoped to the service. The first
//     call with a key claims it, first in its transaction, and stores with
//     its result which ticket or reply it made; the key lives and dies with
//     that transaction. A later call with the key, within
//     Config.IdempotencyTTL (default 24 hours) of the first, returns that
//     ticket (as stored now) or reply and writes, moves and mails nothing,
//     whatever else it asks; concurrent calls with one key wait for each
//     other and make one. A key first used by another kind of call, or by
//     a reply to another ticket, is refused (a *ValidationError on
//     "idempotency_key"). An expired key is ignored: the call runs anew and
//     the service's expired keys are deleted then, and in every
//     Tickets.CloseSolved run (the AutoCloser's pass).
//   - MAIL-5 MailSettings.FromName and FromAddress are the sender (From) of
//     the mails the service sends, automatic and trigger mails.
//   - MAIL-6 Automatic mails go to the requester, when enabled and the ticket
//     has an email: Resolve when a ticket is solved (Tickets.Solve, SetStatus,
//     or a reply that solves it), Hold when it is put on hold (pending),
//     Manual for any other public reply. Each has a subject (default
//     "[#number] title") and a body per language, in the ticket's language;
//     the body must contain #{content}, the reply text, in every language it
//     has (checked when the settings are saved, with every other code). The
//     layout's header and footer wrap them; trigger mails go without the
//     layout. An internal solve, a note and a customer's reply mail nobody.
//   - MAIL-7 Every mail about a ticket carries a References header naming
//     the ticket (<ticket-ID@deskkit>), for the customer's answer to thread
//     back to it; Desk.ReceiveMail threads a received mail by it (MAIL-3,
//     rules of received mail: package helpdesk/mail).
//   - NTF-1 What a call sends — automatic mails, trigger actions, surge
//     alerts — is written to the outbox in the call's transaction, so it is
//     committed with the change or not at all, each message with an
//     idempotency key (per reply or ticket version, per trigger action and
//     recipient, per alert). Desk.Dispatcher delivers it; admins read the
//     outbox and retry failed messages (Outbox.List, Outbox.Retry).
//   - NTF-2 Each new ticket checks the service's surge rule (Settings.Surge)
//     under the service's surge lock; a due alert is queued for each target
//     by each medium the rule has a template for, and its time stored.
//   - NTF-4 Browser notifications go to agents: their Recipient is the
//     agent's id, and the Dispatcher's Notifiers.Browser (adapters/browser
//     Hub) shows them in the agent's open browsers. Surge alerts with a
//     browser template send them (no Link: they are about no ticket), and
//     so does the notify_browser trigger action, whose Link is
//     Config.TicketLink's address of the ticket (empty without one).
//   - TRG-6 Trigger actions run in the event's transaction (package
//     trigger states them). The notify_browser action (trigger.NotifyBrowser)
//     queues one notify.Browser message per agent it names — the ticket's
//     assignee when active, or the active members of the ticket's group —
//     with the subject and body rendered once the ticket is stored; MAIL-9
//     limits are mail's and do not apply. A message action that reaches
//     nobody (no assignee, no active member, no address) is skipped and
//     the history says why; Triggers.DryRun reports the same reason as the
//     action's Error.
//   - STO-1 A store persists, reads and locks; it decides nothing (see
//     Store). Every rule is checked once, by this package and the domain
//     packages, whatever the store, and every store passes the same
//     conformance suite (adapters/storetest).
//   - STO-2 CopyService copies a service whole from one store to another
//     (memory, SQLite, Postgres) without losing a ticket, a history row, a
//     pending message or the next ticket number: settings, agents, groups
//     with members and round-robin cursors, categories (deleted ones too),
//     fields and layouts, templates, forbidden words, triggers in their
//     order, recipients, menu access, the surge state, tickets with their
//     numbers, comments, history, Dooray! links, mail records and
//     attachments, mailboxes, the outbox and the login log. It reads the source a page at a time in short
//     transactions, commits each page on its own, reports each page to a
//     callback, and resumes after an interruption; it refuses a target that
//     has the service unless the service is a copy it started (it holds
//     the idempotency key CopyMarkerKey). Idempotency keys, mail records
//     of no ticket and per-recipient mail limits are not copied, and
//     history rows get the target's ids, in the same order.
package helpdesk
