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
package helpdesk
