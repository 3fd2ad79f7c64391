// Package problem defines the errors every Deskkit package returns: the
// four error kinds and the validation error that lists every bad field of
// a request. Package helpdesk re-exports all of them (helpdesk.ErrNotFound,
// helpdesk.ValidationError ...); import this package from code that uses a
// domain package (field, trigger ...) on its own.
//
// Every message has one shape, "<kind>: <what>", so a log line reads the
// same whichever package or store produced it:
//
//	invalid: title: is required; content: is 2000 bytes, over the limit of 1024
//	not found: ticket "0192f3a4-…"
//	conflict: ticket "0192f3a4-…" is at version 4, not 3
//	forbidden: Groups.Create needs the admin role; agent "a1" does not have it
//
// A validation error names each bad field as the caller spelled it,
// followed by what is wrong with it; one problem is told once, however
// many error types describe it (errors.As finds each). A refusal names
// the refused call. Messages never show a database's table or constraint
// names, and both stores word the same refusal alike.
//
// # Rules
//
//   - SVC-3 A call the actor may not make returns an error matching
//     ErrForbidden that names the refused call and what it needs
//     ("forbidden: Groups.Create needs the admin role; ..."); nothing
//     changed.
//   - TKT-8 A write based on a stale version returns an error matching
//     ErrConflict that says which version is stored ("conflict: ticket
//     "t1" is at version 4, not 3").
//   - FLD-5 Bad input returns a *ValidationError that names every bad
//     field, not only the first, each problem once.
package problem
