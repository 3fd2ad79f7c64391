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
// Every message reads "<kind>: <what>", whichever package or store made it
// (package problem has the details): "invalid: title: is required;
// content: is 2000 bytes, over the limit of 1024" names each bad field and
// tells each problem once; "not found: ticket "0192…"" names the missing
// object; "conflict: ticket "0192…" is at version 4, not 3" the clash; and
// "forbidden: CreateGroup needs the admin role; agent "a1" does not have
// it" the refused Session method and what it needs. No message shows a
// database's table or constraint names.
//
// Storage is the Store port; adapters/memory and adapters/postgres implement
// it and adapters/storetest holds them to the same behaviour.
package helpdesk
