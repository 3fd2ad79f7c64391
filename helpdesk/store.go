package helpdesk

import (
	"context"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// Store is the persistence port. adapters/memory and adapters/postgres
// implement it; adapters/storetest is the conformance suite every
// implementation must pass. A store that also implements notify.Queue can
// feed a Dispatcher (Desk.Dispatcher).
//
// # A store persists, reads and locks; it never decides
//
// Repositories return the stored rows, ErrNotFound, ErrConflict (a unique
// key or a stale version, backed by a database constraint where the store
// has one) and wrapped driver errors. Every domain rule — tree depth,
// cycles and names (CAT-2, CAT-3), gap-free positions and reorders, trigger
// order (TRG-1), layouts (FLD-2, FLD-3), duplicate codes and forbidden words
// (TPL-1, FWD-1), outbox retries (NTF-1) — is checked once, by the domain
// packages and the workflows of this package, after the area's lock is
// taken: lock → read what the rule needs → check → write. A store offers
// specialised primitives only where speed or atomicity needs one: a ticket
// created with its number and history in one statement, the round-robin
// cursor advance, idempotent enqueue, outbox claim and settle.
//
// # Locks and their order
//
// A workflow takes its locks in this order, never the other way round, so
// that concurrent workflows of one service cannot deadlock (storetest's
// MixedWorkflows_LockOrder story runs them together on every store):
//
//  0. An idempotency key (STO-3): Tickets().AddKey, first of all in the
//     ticket creations and replies that are given one; a concurrent call
//     with the same key waits for it.
//  1. Area locks, at most these and in this order: Categories().Lock,
//     Fields().Lock, Templates().Lock, Triggers().Lock (also taken by
//     Triggers().Touch), Groups().Lock, Agents().Lock (an update of an
//     agent's role or activity, which checks the other admins). Admin writes of an area take its
//     lock before they read. Two take a second one: Categories.Delete takes
//     the template lock after the category lock (it unlinks templates), and
//     Fields.Create and Fields.Delete touch the trigger set after the field
//     lock (compiled triggers type fields by their definitions).
//  2. The ticket: Tickets().GetForUpdate, first in every workflow that
//     changes a ticket (update, status, reply, solve, forward, customer
//     reply, auto-close). Ticket workflows take no area lock.
//  3. Group rows: Groups().AdvanceCursor, once per round-robin assignment a
//     trigger makes while the ticket is held.
//  4. The ticket counter: Tickets().Create, when a ticket is created.
//  5. Outbox rows: Outbox().Enqueue for what the change sends; a retry
//     locks one message with Outbox().Get (and nothing else). Just before
//     the rows, MailRecipients().LockRecipient for the addresses of the
//     automatic and trigger mails among them, in byte order (MAIL-9); a
//     received bounce locks its address the same way, before step 7.
//  6. The surge state: Surge().LockLastAlert, when a ticket is created
//     (NTF-2).
//  7. The mail record: Mail().Add, last, when a received mail is taken in
//     (Desk.ReceiveMail); a concurrent call adding the same record waits,
//     then fails with ErrConflict and is retried into a duplicate.
//
// Service settings (ServiceRepository.Update) lock the service's record
// alone; every workflow reads the record without locking it. Other agent
// writes lock nothing but the agent's row (a stale Version is ErrConflict)
// and the membership counter when they join groups. Reads take no lock. A store
// that serialises whole transactions (adapters/memory) may treat every lock
// as taken.
type Store interface {
	// Tx runs fn in one transaction scoped to one service (tenant): the
	// repositories it hands out cannot see another service's rows (SVC-1).
	// When fn returns an error (or panics) nothing it wrote remains. An
	// error of Tx's own that matches no kind says what became of the
	// change: ErrNotStored when nothing was written (the transaction
	// failed or the context ended before the commit), ErrUnknownOutcome
	// when the commit was sent and its outcome is unknown (the context
	// ended or the connection broke while it was under way).
	//
	// A store may call fn more than once, rolling back all but the last
	// call, when a reason of its own makes it start the transaction over
	// (adapters/postgres does when a record it cached turns out stale). So
	// fn starts from nothing each time and does nothing outside the
	// transaction that must not happen twice; the desk calls other
	// systems (a directory, Dooray!) outside its transactions.
	Tx(ctx context.Context, serviceID string, fn func(Repos) error) error
	// Services returns up to limit ids of the stored services that come
	// after the id after (empty: from the first), in an order of the
	// store's choosing that does not change: paging with the last id
	// returned visits every service once. It reads outside any service's
	// transaction and makes no rule checks.
	Services(ctx context.Context, after string, limit int) ([]string, error)
	// Close releases the store's resources.
	Close() error
}

// Repos hands out the repositories of one service inside one transaction.
// They must not be used after the transaction ends.
type Repos interface {
	Service() ServiceRepository
	Tickets() ticket.Repository
	Agents() agent.Repository
	Groups() agent.GroupRepository
	Logins() agent.LoginLog
	Menus() agent.MenuRepository
	Outbox() notify.Outbox
	Recipients() notify.RecipientRepository
	Surge() notify.SurgeRepository
	Categories() category.Repository
	Fields() field.Repository
	Templates() template.Repository
	// Triggers stores the service's triggers and their order (TRG-1).
	Triggers() trigger.Repository
	// DoorayLinks stores ticket ↔ Dooray! task links (DRY-2).
	DoorayLinks() DoorayLinkRepository
	// Mail stores the records of received mail (MAIL-3, MAIL-10).
	Mail() mail.Repository
	// MailRecipients stores the rate and bounce state of the addresses
	// automatic mail goes to (MAIL-9).
	MailRecipients() mail.RecipientRepository
}

// Finisher is implemented by a Repos that can send COMMIT with the
// transaction's last statement, saving the round trip COMMIT costs on its
// own. Finish announces that the next repository call is the transaction's
// last: nothing runs in the transaction after it, and nothing after it can
// fail. The store may then end the transaction with that call's last
// statement; when it does, the call's refusal or failure — a stale
// version or a missing row included — must still roll the whole
// transaction back (the call's error is what it would have been), and a
// statement or an error after it is refused as the caller's bug. A store may ignore the
// hint. The desk calls it only where it knows the call is the last (a
// ticket's create or update with nothing after it, the automatic mail's
// outbox write, the round-robin cursor's advance); the memory and SQLite
// stores do not implement it.
type Finisher interface {
	// Finish announces that the next repository call ends the transaction.
	Finish()
}

// ServiceRepository stores the one ServiceConfig record of the transaction's
// service. The store persists and reads the record; it makes no rule checks
// (the settings are checked by the workflows before they reach it).
type ServiceRepository interface {
	// Get returns the service's record, or ErrNotFound when the service does
	// not exist.
	Get(ctx context.Context) (ServiceConfig, error)
	// Create stores a new service record; ErrConflict when it exists.
	Create(ctx context.Context, c ServiceConfig) error
	// Update stores c if the stored version is c.Version, then increments
	// c.Version; ErrConflict on a stale version.
	Update(ctx context.Context, c *ServiceConfig) error
}
