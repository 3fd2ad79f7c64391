// Package trigger is Deskkit's automation engine (TRG-1..8): ordered rules
// whose AND/OR conditions are validated against a Schema, compiled once
// into github.com/expr-lang/expr programs over a typed environment, and run
// on every ticket event; the actions of the triggers that fire change the
// ticket at once or become outbox messages.
//
// The package is pure: it knows the condition schema, the action kinds, the
// run semantics and the order rules of TRG-1 (End, Move, Reorder, Remove),
// not storage. Package helpdesk loads triggers through Repository, compiles
// them into a Set (cached per Desk, service and trigger-set version) and
// applies the side effects through an Applier.
package trigger
