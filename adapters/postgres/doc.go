// Package postgres is the Deskkit store on PostgreSQL, through bun with the
// pgdialect and the pgx stdlib driver. Several processes may share one
// database: every coordination (ticket numbers, optimistic versions, area
// locks, outbox claims) is done by the database.
//
//	store, err := postgres.Open(ctx, "postgres://user@host/db")
//	err = store.Migrate(ctx) // explicit; nothing runs behind your back
//	desk, err := helpdesk.New(helpdesk.Config{Store: store})
//
// The schema comes with the package (embedded migrations), and Migrate
// applies what is missing, once, even when several processes call it.
//
// # Round trips
//
// The statements every ticket event makes — the service's record (with
// the trigger set's version and the ticket menu's access, which the
// transaction then does not read again), a ticket's read, create and
// update with their history, the group (with its members and their
// agents, which the transaction then does not read again), the agents and
// the round-robin cursor advance of an assignment, the outbox enqueue — go to
// the server as
// prepared statements with parameters (pgx, prepared once per connection),
// not as text with the arguments interpolated (bun), which the server
// would parse and analyse anew each time. A transaction's BEGIN is sent
// with its first statement, in the same round trip when that statement is
// one of these. And when the domain announces a transaction's last write
// (helpdesk.Finisher) and that write is one of these, COMMIT goes with it
// in the same round trip: the cursor row an assignment locks is held for
// one round trip, not two.
//
// The store keeps the last service record it read of each service
// (Options.ServiceCache) and answers the next transaction's read from it;
// the server checks it (the row's xmin, the trigger set's version, the
// ticket menu's access) in the batch of the transaction's first statement,
// where the read would have run, and a stale one rolls the transaction
// back and runs its function again on the record read afresh. So creating
// a ticket takes one round trip: [BEGIN, check, the ticket with its number
// and history, COMMIT]. A test counts the round trips of every ticket
// workflow.
//
// The connections plan every statement anew (plan_cache_mode
// force_custom_plan), so that the plans of the ticket tables and of their
// foreign-key checks follow those tables as they grow; the hot statements
// on the small configuration tables (the service's record and its check,
// menu, trigger set version, agents, groups and members, the cursor
// advance) switch to plan_cache_mode auto for themselves alone, in the same
// batch, and run on a plan the server keeps: planning them cost more than
// running them.
//
// # Rules
//
//   - STO-1 Store implements helpdesk.Store and notify.Queue. It persists,
//     reads and locks (the area locks of helpdesk.Store are
//     transaction-scoped advisory locks), and checks no rule of the domain:
//     unique indexes back the uniqueness the workflows check, and their
//     violations answer ErrConflict. It passes adapters/storetest.
//     No error of a statement is lost behind a later one: once a
//     statement of a transaction failed — also after it sent its rows, as
//     a statement timeout in a trigger does — the transaction runs no
//     further statement and the call returns that statement's error, never
//     "current transaction is aborted". Timeouts, lost connections and
//     cancellations are typed (see helpdesk's errors): statement_timeout
//     and lock_timeout match helpdesk.ErrTimeout; a terminated or broken
//     connection, a server shutting down or out of connections match
//     helpdesk.ErrUnavailable; a serialization failure or deadlock matches
//     helpdesk.ErrConflict (the desk retries the calls it owns); a
//     canceled or expired context matches the context's error.
//   - SEC-3 Every valid text a workflow accepts is stored as given: jsonb
//     values are written so that the six characters \u0000, with or without
//     a backslash before them, read back unchanged (bun's own JSON appender
//     rewrote them, see dialect.go).
//     Arguments are interpolated into the statement text (bun) as
//     standard string literals — but those of the hot statements above,
//     which go as parameters — so every connection runs with
//     standard_conforming_strings on: Open asks for it on each connection,
//     overriding a DSN that asks for it off (options=-c ...); a connection
//     on which the server still reports it off (a proxy that drops startup
//     parameters) makes Open fail, and one the host turned off with SET
//     runs no further statement and leaves the pool.
//   - SVC-1 Every key starts with the service id and every query is scoped
//     to the transaction's service: a foreign id answers ErrNotFound.
//   - TKT-8 A versioned row (a ticket, an agent, the service's settings) is
//     updated only at the version it was read at, else ErrConflict. Ticket
//     numbers come from a counter row per service: without gaps or
//     duplicates under concurrency, and a rollback gives its number back.
//   - NTF-1 The outbox of every service is one Queue: claims take due rows
//     with FOR UPDATE SKIP LOCKED under a lease, so several dispatchers, in
//     one process or many, never send a message at the same time, and a
//     message is claimed only once the transaction that wrote it committed.
package postgres
