// Package trigger is Deskkit's automation engine: ordered rules whose AND/OR
// conditions are validated against a Schema, compiled once into
// github.com/expr-lang/expr programs over a typed environment, and run on
// every ticket event; the actions of the triggers that fire change the
// ticket at once or become outbox messages.
//
// The package is pure: it knows the condition schema, the action kinds, the
// run semantics and the order rules (End, Move, Reorder, Remove), not
// storage. Package helpdesk loads triggers through Repository, compiles
// them into a Set (cached per Desk, service and trigger-set version),
// applies the side effects through an Applier, and offers the admin calls
// (the Triggers area of a helpdesk.Session: Create, Reorder, DryRun,
// Schema ...).
//
// # Rules
//
//   - TRG-1 A Trigger has a name, a description, conditions, actions, an
//     active flag and a position. Active triggers run top to bottom by
//     position; inactive ones never run. Each list (active, inactive) has
//     the positions 0..n-1 without gaps. A new trigger goes to the end of
//     the active list (New.Inactive: of the inactive one); deactivating
//     moves it to the end of the inactive list, activating to the end of
//     the active list; a reorder must name every active trigger once. Only
//     an inactive trigger can be deleted: deleting an active one is
//     ErrActive.
//   - TRG-2 Conditions come in two lists: every condition of All must hold
//     and, when Any has conditions, at least one of them. A Condition is a
//     target, an operator and a value; a trigger needs at least one
//     condition and one action.
//   - TRG-3 Targets (NewSchema; helpdesk's Triggers().Schema for an editor): event
//     (created, updated, customer_replied, agent_replied), status, priority,
//     channel, intake_category, processing_category, assignee, group,
//     requester_email, title, content, tags, language,
//     hours_since_created, hours_since_updated, and every custom field as
//     "customer_fields.KEY" or "agent_fields.KEY", typed by its definition.
//     Category targets take is_under and is_not_under (the category or any
//     category below it), and lists of ids: in, not_in, is_under_any and
//     is_not_under_any, so one condition routes many categories.
//   - TRG-4 Operators: is, is_not, changed, changed_to, changed_from,
//     not_changed, contains, not_contains, contains_words,
//     not_contains_words, in, not_in, greater_than, less_than, present,
//     absent (and the category operators above); each target allows those
//     its type makes sense for (Target.Ops). Text contains is a substring
//     test on the folded text (case, width and NFC do not matter: "refund"
//     is in "nonrefundable"); contains_words wants whole words ("refund" is
//     not in "nonrefundable"; a Hangul word may take particles after it,
//     "환불" is in "환불을"); on tags and multi selects contains means "has
//     at least one of";
//     priorities order low < normal < high < urgent. The change operators
//     compare the ticket before and after the event; on created the ticket
//     before is empty, so every field with a value counts as changed. The
//     other operators state facts about the ticket now: "status is solved"
//     holds on every later event too (a dry run shows it).
//   - TRG-5 A trigger is validated when it is saved (Validate): an unknown
//     target, an operator the target does not allow, a value of the wrong
//     shape or not among the target's values, an unknown category, agent or
//     group, a bad action (a missing group, a move to new, a text missing in
//     the default language or in a language the service does not have, an
//     unknown #{code}, a bad URL or address, more tags than a ticket holds
//     in one action or in the add-tags actions together, or a tag longer
//     than it takes), more than MaxConditions
//     conditions in a list or MaxActions actions: nothing is saved that
//     every run would skip. Every problem is named in one *ValidationError
//     ("all[1].value", "actions[2].group_id"). What passes compiles into an
//     expr program once, and cannot fail at run time.
//   - TRG-6 Actions (ActionKind) run in order when a trigger fires: the five
//     below, and set status (a move TKT-2 allows when the action runs), set
//     priority, set processing category, set a custom field, add or remove
//     tags, add an internal note, send an SMS (to the requester's phone
//     or to listed numbers), and notify agents in their browsers
//     (NotifyBrowser, NTF-4: a subject and body as a browser notification
//     to the active assignee or the active members of the ticket's group;
//     a customer recipient is refused when saved). Schema.Actions lists
//     the kinds and the fields each uses. Texts are taken in the ticket's
//     language, falling back to the default one, with their codes rendered (TPL-4;
//     #{agentName} is the assignee). An action that cannot be carried out
//     when it runs (a group deleted since, an illegal move, no address) is
//     skipped and the skip recorded in the history; the event goes on. On a
//     closed ticket the actions that change the ticket (forward and
//     complete among them) and notes are skipped; the other messages go
//     out.
//   - TRG-6.1 Assign (AssignRandom, AssignRoundRobin, AssignFixed) sets the
//     ticket's group and picks one of its eligible members by the method
//     named (see package agent: inactive agents, agents with ticket
//     assignment off, without the ticket permission or restricted from
//     ticket management are skipped; round robin is fair under
//     concurrency). When nobody is eligible the ticket goes to the group
//     unassigned. An assignment opens a new ticket (TKT-2).
//   - TRG-6.2 Notify mails the assignee, the active members of the ticket's
//     group, or the customer a subject and body; trigger mails are sent
//     without the mail layout (MAIL-6).
//   - TRG-6.3 Forward mails the ticket's content, after an optional
//     introduction, to the listed addresses; ForwardAndComplete then solves
//     the ticket.
//   - TRG-6.4 Callback sends the ticket as JSON to an http or https URL
//     (the host's notify.Caller makes the call).
//   - TRG-6.5 Dooray posts a text, codes rendered with the ticket's basic-
//     and custom-field values, to a Dooray! incoming-webhook https URL (the
//     host's notify.DoorayPoster posts it).
//   - TRG-7 On every ticket event the active triggers are evaluated in
//     order against the ticket as it is now and as it was before the event
//     (Set.Run). A trigger whose conditions hold fires; its ticket changes
//     apply at once, so later triggers see them; after a pass that changed
//     the ticket, evaluation starts again from the top; each trigger fires
//     at most once per event; at most Options.MaxPasses passes are made
//     (DefaultMaxPasses, 10; helpdesk.Config.TriggerPasses), and a history
//     row says when the bound stopped a pass that would still fire. A firing is history
//     written by the system. Side effects (mail, browser notifications,
//     SMS, Dooray!, callback, forward: ActionKind.SendsMessage) are outbox messages written in the transaction of the
//     ticket change (NTF-1): they go out only if it commits. A Set indexes
//     its triggers by the all conditions on event, status, priority,
//     channel, intake and processing category (is, in, is under and their
//     negations), group and assignee, so a run evaluates only the triggers
//     those conditions let through, still in order; equal conditions are
//     compiled and evaluated once.
//   - TRG-8 A dry run (Set.DryRun, helpdesk's Triggers.DryRun) answers, for a
//     ticket and an event, which triggers would fire and in which pass,
//     which conditions held or failed with the values they saw, and what
//     each action would do, including whom an assignment would pick and
//     why a message would reach nobody (Set.DryRunHooks) — without
//     changing anything. An event that is not one of ticket.Events
//     is refused with a *ValidationError.
package trigger
