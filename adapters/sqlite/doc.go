// Package sqlite is the Deskkit store on one SQLite file: an embedded,
// persistent helpdesk with nothing to install. It runs on bun with its
// SQLite dialect and modernc.org/sqlite, a driver in pure Go (no cgo), so
// `go run` and cross-compilation work everywhere.
//
//	store, err := sqlite.Open(ctx, "desk.db")
//	err = store.Migrate(ctx) // explicit; nothing runs behind your back
//	desk, err := helpdesk.New(helpdesk.Config{Store: store})
//
// The schema comes with the package (embedded migrations, bun/migrate),
// table for table the PostgreSQL store's. The file is in WAL mode: readers
// never wait for the writer. Options.Synchronous sets how hard a commit
// waits for the disk: SyncFull (the default) keeps every commit that
// returned through a crash of the process or of the machine; SyncNormal
// keeps it through a crash of the process (SIGKILL) and may lose the last
// commits to a power failure, never leaving the file inconsistent.
//
// Several processes may share the file (the queue's claims included):
// SQLite's write lock serialises their writers, each waiting up to
// Options.BusyTimeout for it.
//
// # Rules
//
//   - STO-1 Store implements helpdesk.Store and notify.Queue. It persists,
//     reads and locks, and checks no rule of the domain: unique indexes
//     back the uniqueness the workflows check, and their violations answer
//     ErrConflict. It passes adapters/storetest, concurrency cases
//     included. SQLite has one write lock per file, so every lock of the
//     port (area locks, GetForUpdate, the counters) is that lock: the first
//     lock or write of a transaction makes it the writer (BEGIN IMMEDIATE,
//     after the other writers of the process, queued in Go, and of other
//     processes, the busy timeout); "database is locked" never reaches a
//     caller — a file another process holds past the busy timeout is
//     helpdesk.ErrTimeout, an I/O error helpdesk.ErrUnavailable, and a
//     failed transaction matches helpdesk.ErrNotStored (or
//     helpdesk.ErrUnknownOutcome when COMMIT itself failed with an I/O
//     error).
//   - SEC-3 Every valid text a workflow accepts is stored as given: JSON
//     values are written without bun's rewriting of \u0000 (see
//     dialect.go), and string literals double their quotes only.
//   - SVC-1 Every key starts with the service id and every query is scoped
//     to the transaction's service: a foreign id answers ErrNotFound.
//   - TKT-8 A versioned row (a ticket, an agent, the service's settings) is
//     updated only at the version it was read at, else ErrConflict. A
//     ticket's number is one more than the service's highest, taken by the
//     one writer: without gaps or duplicates, and a rollback gives its
//     number back.
//   - NTF-1 The outbox of every service is one Queue: a claim is a write
//     transaction that leases the due rows, so dispatchers in one process
//     or many never send a message at the same time; a claim made while a
//     transaction is open waits for it to end, so nothing is claimed
//     before the transaction that wrote or locked it has ended.
//   - MAIL-3 A mailbox keeps one record per Message-ID (the primary key:
//     a second one is ErrConflict). Mail records and attachments keep the
//     order they were added in: each new row's seq is one more than the
//     service's highest, taken by the one writer.
package sqlite
