package ticket

import (
	"maps"
	"slices"
	"time"
)

// EventKind is the kind of event that changed a ticket; triggers match on it
// (TRG-3).
type EventKind string

// The events triggers see.
const (
	EventCreated         EventKind = "created"
	EventUpdated         EventKind = "updated"
	EventCustomerReplied EventKind = "customer_replied"
	EventAgentReplied    EventKind = "agent_replied"
)

// Events lists every event kind.
var Events = []EventKind{EventCreated, EventUpdated, EventCustomerReplied, EventAgentReplied}

// ActorKind says who made a change.
type ActorKind string

// The actor kinds (SVC-3). Customers act through the system (help center,
// mail ingestion).
const (
	ActorSystem ActorKind = "system"
	ActorAgent  ActorKind = "agent"
)

// CommentKind separates public replies from internal notes (TKT-3).
type CommentKind string

// The comment kinds.
const (
	CommentPublic   CommentKind = "public"   // sent to the requester
	CommentInternal CommentKind = "internal" // seen by agents only
)

// Comment is a public reply or an internal note on a ticket.
type Comment struct {
	ID         string      `json:"id"`
	TicketID   string      `json:"ticket_id"`
	Kind       CommentKind `json:"kind"`
	AuthorKind ActorKind   `json:"author_kind"`
	// AuthorID is the agent's id, or empty for the system; FromCustomer marks a
	// reply the customer sent (through the system actor).
	AuthorID     string    `json:"author_id,omitempty"`
	FromCustomer bool      `json:"from_customer,omitempty"`
	Body         string    `json:"body"`
	CreatedAt    time.Time `json:"created_at"`
}

// History field names used by Change rows besides the ticket's own fields.
const (
	FieldTicket             = "ticket"              // the created row
	FieldComment            = "comment"             // a public reply; To is the comment id
	FieldNote               = "note"                // an internal note; To is the comment id
	FieldInternalResolution = "internal_resolution" // TKT-6; To is the recorded text
	FieldFollowUp           = "follow_up"           // TKT-2, on the closed ticket; To is the new ticket's id
	FieldFollowUpOf         = "follow_up_of"        // TKT-2, on the new ticket; To is the closed ticket's id
	FieldTrigger            = "trigger"             // a trigger fired (TRG-7); From is its id, To its name and actions
	FieldTriggerAction      = "trigger_action"      // a fired trigger's action was skipped; From is the trigger id, To why
	FieldTriggerPasses      = "trigger_passes"      // trigger evaluation stopped at the pass bound (TRG-7)
	// FieldAssignment: a group strategy found nobody to give the ticket to,
	// so it stays in the group unassigned (TRG-6.1, TKT-7). Written by the
	// system; From is the group id, To why (no members, each member's
	// reason, the fixed agent's reason).
	FieldAssignment = "assignment"
	// FieldMailWithheld: an automatic or trigger mail was not queued
	// (MAIL-9): From is the address, To why (a rate limit, a bounce block).
	FieldMailWithheld = "mail_withheld"
	// FieldMailBounced: a mail of the ticket bounced for good (MAIL-9):
	// From is the address, To the status and until when automatic mail to
	// it is blocked.
	FieldMailBounced = "mail_bounced"
)

// Change is one row of a ticket's history (TKT-4): who, when, which field,
// from what to what.
type Change struct {
	// ID orders the history; the store assigns it, increasing within a service.
	ID        int64     `json:"id"`
	TicketID  string    `json:"ticket_id"`
	At        time.Time `json:"at"`
	ActorKind ActorKind `json:"actor_kind"`
	ActorID   string    `json:"actor_id,omitempty"`
	Event     EventKind `json:"event"`
	Field     string    `json:"field"`
	From      string    `json:"from"`
	To        string    `json:"to"`
}

// FieldChange is one field whose value differs between two versions of a
// ticket, rendered as text.
type FieldChange struct {
	Field    string
	From, To string
}

// Diff lists the fields that differ between before and after, in a fixed
// order, with their values as text (TKT-4). Custom fields appear as
// "customer_fields.KEY" and "agent_fields.KEY".
func Diff(before, after Ticket) []FieldChange {
	var out []FieldChange
	add := func(field, from, to string) {
		if from != to {
			out = append(out, FieldChange{Field: field, From: from, To: to})
		}
	}
	add("requester.name", before.Requester.Name, after.Requester.Name)
	add("requester.email", before.Requester.Email, after.Requester.Email)
	add("requester.phone", before.Requester.Phone, after.Requester.Phone)
	add("title", before.Title, after.Title)
	add("content", before.Content, after.Content)
	add("channel", string(before.Channel), string(after.Channel))
	add("language", before.Language, after.Language)
	add("status", string(before.Status), string(after.Status))
	add("priority", string(before.Priority), string(after.Priority))
	add("intake_category_id", before.IntakeCategoryID, after.IntakeCategoryID)
	add("processing_category_id", before.ProcessingCategoryID, after.ProcessingCategoryID)
	add("group_id", before.GroupID, after.GroupID)
	add("assignee_id", before.AssigneeID, after.AssigneeID)
	// Values are compared as values, not as text: ["a, b"] and ["a", "b"]
	// print alike but differ.
	if !slices.Equal(before.Tags, after.Tags) {
		out = append(out, FieldChange{Field: "tags", From: FormatValue(before.Tags), To: FormatValue(after.Tags)})
	}
	diffFields := func(prefix string, a, b Fields) {
		keys := slices.Sorted(maps.Keys(a))
		for k := range b {
			if _, ok := a[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			va, okA := a[k]
			vb, okB := b[k]
			if okA != okB || !SameValue(va, vb) {
				out = append(out, FieldChange{Field: prefix + k, From: FormatValue(va), To: FormatValue(vb)})
			}
		}
	}
	diffFields("customer_fields.", before.CustomerFields, after.CustomerFields)
	diffFields("agent_fields.", before.AgentFields, after.AgentFields)
	return out
}
