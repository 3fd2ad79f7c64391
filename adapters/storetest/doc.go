// Package storetest is the conformance suite every helpdesk.Store must pass.
// A store adapter's test calls Run with a constructor that returns a fresh,
// empty store (Options), and every store is held to the same behaviour:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Options{
//			New:   func(t *testing.T) helpdesk.Store { return newEmptyStore(t) },
//			Queue: true, // the store implements notify.Queue
//		})
//	}
//
// The cases are grouped by repository and named by method
// ("TicketRepository/Update/stale_version_TKT8"), so a failure says what to
// fix; the desk-level stories ("TriggerWorkflow", "MixedWorkflows_LockOrder"
// ...) run the library's workflows on the store under test. Case names cite
// the rule they prove; the rules are listed in the docs of the packages
// that implement them.
//
// # Rules
//
//   - STO-1 Every store passes the same suite: the repositories persist and
//     read what they are given (round trips, ordering, paging), answer
//     ErrNotFound and ErrConflict as their ports say, keep each service's
//     rows apart (SVC-1), hold the locks of the helpdesk.Store contract, and
//     make no rule check of their own — the workflows, run on the store,
//     must behave as on any other.
package storetest
