// Package field holds a service's custom-field definitions, their layouts and
// the validation of the values a ticket carries (FLD-1..5).
//
// A Field is a definition: key, kind (customer or agent), type (FLD-1),
// per-language label and help text, required flag and, for selects, options.
// Its key is its identity: ticket values (ticket.Fields), templates
// (#{field.KEY}) and triggers refer to it, so it never changes, and neither
// do the kind and the type (a stored value keeps its shape).
//
// System fields (FLD-4) exist in every service from the start without being
// seeded: SystemFields returns their defaults, and a store keeps a row only
// for a system field an admin changed, so Reset is "forget the change". They
// cannot be deleted. Some system fields stand for a column of the ticket
// rather than a custom value (Field.Column): intake type, email, title and
// content on the customer side, processing type and priority on the agent
// side. The last two are not in the FLD-4 list, but FLD-3 pins them at the
// top of the agent layout, so they are system fields too.
//
// A Layout orders the fields of one kind. Customer layouts are per intake
// category (FLD-2), with the intake-type field pinned first and the
// privacy-consent field pinned last; the layout of intake category "" is the
// service's default, used by categories (and tickets) without one of their
// own; without that either, every customer field is shown, pins in place, the
// others in List order. The agent layout is one per service (FLD-3) with
// processing type and priority pinned on top. Deleting a field takes it out
// of every layout.
//
// Check validates the values of one ticket against a layout and reports every
// bad field at once (FLD-5). Definitions change without touching stored
// tickets: a value that was valid when it was stored (an option removed
// since, a field deleted since) stays readable, and an update that leaves it
// unchanged is not refused for it (Check.Before).
//
// The package is pure and makes every decision about definitions and
// layouts (CheckCreate, CheckDelete, ResetTo, CheckLayout, WithoutKey,
// Merge, NewSchema); storage is behind Repository, which every store
// implements and which only persists and reads rows.
package field
