// Package memory is the embedded Deskkit store: every repository kept in
// process memory, no setup. It is safe for concurrent use and transactional:
// a Tx whose function fails (or panics) leaves no trace, because every write
// records its undo step and a failed Tx replays them backwards.
//
// Transactions of one service run one at a time, so every lock of the
// helpdesk.Store contract is held by the transaction itself; different
// services run in parallel. Data lives as long as the Store value: the store
// is for development, tests and demos, not for data that must survive the
// process.
//
// # Rules
//
//   - STO-1 Store implements helpdesk.Store and notify.Queue. It persists,
//     reads and locks, and checks no rule of the domain; it passes
//     adapters/storetest.
//   - SVC-1 Each service's rows live apart: a Tx hands out repositories of
//     its service only, and a foreign id answers ErrNotFound.
//   - TKT-8 A versioned row (a ticket, an agent, the service's settings) is
//     written only at the version it was read at, else ErrConflict; a taken
//     unique key (an id, a search code, an agent's email) is ErrConflict too.
//   - NTF-1 The outbox of every service is one Queue for dispatchers: an
//     enqueue skips a taken idempotency key; a claim leases messages to one
//     owner and passes over messages an open transaction holds, so nothing
//     is delivered before its transaction commits.
package memory
