// Package field holds a service's custom-field definitions, their layouts and
// the validation of the values a ticket carries.
//
// A Field is a definition. Its key is its identity: ticket values
// (ticket.Fields), templates (#{field.KEY}) and triggers refer to it, so it
// never changes, and neither do the kind and the type (a stored value keeps
// its shape).
//
// System fields exist in every service from the start without being
// seeded: SystemFields returns their defaults, and a store keeps a row only
// for a system field an admin changed, so Reset is "forget the change".
// Some system fields stand for a column of the ticket rather than a custom
// value (Field.Column): intake type, email, title and content on the
// customer side, processing type and priority on the agent side.
//
// The package is pure and makes every decision about definitions and
// layouts (CheckCreate, CheckDelete, ResetTo, CheckLayout, WithoutKey,
// Merge, NewSchema); storage is behind Repository, which every store
// implements and which only persists and reads rows. Package helpdesk runs
// the admin calls (Fields.Create, UpdateField, DeleteField,
// ResetSystemField, SetCustomerLayout, SetAgentLayout) under the service's
// field lock, and checks ticket values on every ticket write.
//
// # Rules
//
//   - FLD-1 A definition has a key (a lower-case letter, then up to 63 of
//     a–z, 0–9 and '_'), a kind (customer or agent), a type (text,
//     multi-line text, number, date, date-time, select, multi select,
//     checkbox, email, phone, URL), a label per language (required in the
//     service's default language), a help text per language, a required
//     flag, and options for the two selects (required there, refused
//     elsewhere). A key used already, by a system field too, is refused
//     with ErrDuplicateKey. Label, help text, required flag and options can
//     be changed later; key, kind and type cannot.
//   - FLD-2 Customer fields (KindCustomer) are entered when a ticket is
//     received or escalated. Their Layout, an ordered list of keys, is set
//     per intake category; the layout of intake category "" is the
//     service's default, used by categories (and tickets) without one of
//     their own; without that either, every customer field is shown. The
//     intake-type field is pinned first and the privacy-consent field last:
//     left out of a layout they are put there, listed elsewhere the layout
//     is refused with ErrPinned. Unknown keys, agent fields and repeated
//     keys are refused too.
//   - FLD-3 Agent fields (KindAgent) are entered while a ticket is
//     processed, in one layout for the whole service, with the
//     processing-type field, then the priority field, pinned on top (as the
//     customer pins are checked).
//   - FLD-4 User fields can be deleted: they leave every layout, and
//     tickets keep the values they have. System fields cannot be deleted
//     (ErrSystemField), only reset to their defaults. The system fields are
//     intake type, email, title, content and privacy consent (help center),
//     consultation date-time, in/out, phone reservation, reservation time
//     and reservation number (phone), and processing type and priority,
//     which FLD-3 pins. Their option values, and the required flag of
//     title, content and priority, cannot be changed.
//   - FLD-5 The values of a ticket are checked against the definitions and
//     the layouts of its intake category (Check, NewSchema): unknown keys,
//     fields of the other kind or missing from the layout, values of the
//     wrong shape or type, values not among the options, and missing
//     required values, every bad field named at once. Package helpdesk
//     enforces, on a new ticket, the required customer fields unless it came
//     by email (mail has no form to fill) and the required agent fields
//     only when an agent creates it. On an update only changed values are
//     checked, and a required value cannot be removed: a value that was
//     valid when stored (an option removed since, a field deleted since)
//     stays readable, and an update that leaves it unchanged is not refused
//     for it (Check.Before).
package field
