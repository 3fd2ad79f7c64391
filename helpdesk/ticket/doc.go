// Package ticket holds the ticket model of Deskkit: Ticket and its fields
// (TKT-1), the status machine (TKT-2), comments (TKT-3), the change history
// (TKT-4), the events triggers see, and the Repository port every store
// implements.
//
// The package is pure: no storage, no clock, no network. Package helpdesk runs
// the workflows that use it.
package ticket
