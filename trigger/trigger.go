package trigger

import (
	"context"
	"slices"
	"time"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// The error kinds of the package; they are the helpdesk ones
// (helpdesk.ErrNotFound ...). A Repository returns ErrNotFound and
// ErrConflict; validation, the compiler and the order rules ErrInvalid.
var (
	ErrNotFound = errs.ErrNotFound
	ErrConflict = errs.ErrConflict
	ErrInvalid  = errs.ErrInvalid
	// ErrActive refuses to delete an active trigger: only an inactive one
	// can be deleted (TRG-1). It matches ErrInvalid.
	ErrActive = activeError{}
)

type activeError struct{}

func (activeError) Error() string {
	return "invalid: an active trigger cannot be deleted; deactivate it first (TRG-1)"
}
func (activeError) Is(target error) bool { return target == errs.ErrInvalid }

// Trigger is an ordered rule (TRG-1): when its conditions hold on a ticket
// event, its actions run.
type Trigger struct {
	// ID is stable and never reused.
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// All conditions must hold; when Any has conditions, at least one of
	// them must hold too (TRG-2).
	All []Condition `json:"all,omitempty"`
	Any []Condition `json:"any,omitempty"`
	// Actions run in order when the trigger fires (TRG-6).
	Actions []Action `json:"actions"`
	// Active triggers run top to bottom by Position; inactive ones never
	// run (TRG-1).
	Active bool `json:"active"`
	// Position orders the trigger in its list (active or inactive), 0
	// first; a list's positions are 0..n-1.
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Clone returns a deep copy of t.
func (t Trigger) Clone() Trigger {
	t.All = cloneConditions(t.All)
	t.Any = cloneConditions(t.Any)
	if len(t.Actions) == 0 {
		t.Actions = nil
	} else {
		as := make([]Action, len(t.Actions))
		for i, a := range t.Actions {
			as[i] = a.Clone()
		}
		t.Actions = as
	}
	return t
}

func cloneConditions(cs []Condition) []Condition {
	if len(cs) == 0 {
		return nil
	}
	out := make([]Condition, len(cs))
	for i, c := range cs {
		if l, ok := c.Value.([]string); ok {
			c.Value = slices.Clone(l)
		}
		out[i] = c
	}
	return out
}

// Condition is one test of a trigger (TRG-2): target, operator, value. The
// value's shape depends on target and operator (see Schema): a string, a
// float64, a bool; a []string for in, not in, is under any, is not under
// any and the tags and multi-select targets; one string or a []string
// ("any of") for the contains operators on a text; nothing for changed,
// not changed, present and absent.
type Condition struct {
	Target string `json:"target"`
	Op     Op     `json:"op"`
	Value  any    `json:"value,omitempty"`
}

// Op is a condition's operator (TRG-4). The value each operator takes is
// described with the Condition; which targets allow which operators is in
// the Schema.
type Op string

// The operators. Text comparisons (contains, contains_words) ignore case,
// width (full-width ASCII, half-width kana and Hangul) and Unicode
// normalization (NFC), as the forbidden-word matcher does (template.Fold).
const (
	Is          Op = "is"
	IsNot       Op = "is_not"
	Changed     Op = "changed"
	ChangedTo   Op = "changed_to"
	ChangedFrom Op = "changed_from"
	NotChanged  Op = "not_changed"
	// Contains, on a text, holds when the text contains the value anywhere,
	// also inside a longer word ("refund" is in "nonrefundable"); with a
	// list, when it contains at least one of the values. On tags and
	// multi-select fields it holds when at least one of the values is a
	// member (a whole tag or option, never part of one).
	Contains    Op = "contains"
	NotContains Op = "not_contains" // the negation of contains: none of the values
	// ContainsWords, on a text, holds when the value occurs in the text as
	// whole words ("refund" is in "a refund, please" but not in
	// "nonrefundable" or "refunds"); with a list, when at least one of the
	// values does. A value may be several words ("gift wrap"). Hangul words
	// may carry particles and endings ("환불" is in "환불을 요청합니다" but not
	// in "부분환불"); in scripts written without spaces (Chinese, Japanese,
	// Thai) it is contains. template.Matcher.ScanWords states the rule.
	ContainsWords    Op = "contains_words"
	NotContainsWords Op = "not_contains_words" // the negation of contains_words: none of the values
	In               Op = "in"                 // is one of the values
	NotIn            Op = "not_in"             // is none of the values (or has no value)
	GreaterThan      Op = "greater_than"
	LessThan         Op = "less_than"
	Present          Op = "present" // has a value
	Absent           Op = "absent"
	IsUnder          Op = "is_under"     // category: is the category or lies below it (TRG-3)
	IsNotUnder       Op = "is_not_under" // the negation of is_under
	// IsUnderAny: the category is one of the listed categories or lies
	// below one of them; IsNotUnderAny is its negation (also true when
	// the ticket has no category).
	IsUnderAny    Op = "is_under_any"
	IsNotUnderAny Op = "is_not_under_any"
)

// Ops lists every operator.
var Ops = []Op{Is, IsNot, Changed, ChangedTo, ChangedFrom, NotChanged, Contains, NotContains,
	ContainsWords, NotContainsWords, In, NotIn, GreaterThan, LessThan, Present, Absent,
	IsUnder, IsNotUnder, IsUnderAny, IsNotUnderAny}

// ActionKind says what an action does (TRG-6).
type ActionKind string

// The action kinds. Ticket-changing kinds apply at once, so later triggers
// of the same event see their result (TRG-7); the others become outbox
// messages written with the ticket change (NTF-1).
const (
	// AssignRandom, AssignRoundRobin and AssignFixed assign the ticket to
	// GroupID and, by the method, to one of its eligible members (AgentID
	// for AssignFixed); with nobody eligible the ticket goes to the group
	// unassigned (TRG-6.1).
	AssignRandom     ActionKind = "assign_random"
	AssignRoundRobin ActionKind = "assign_round_robin"
	AssignFixed      ActionKind = "assign_fixed"
	// SetStatus, SetPriority set Value (a status or priority); the status
	// move must be one TKT-2 allows when the trigger runs.
	SetStatus   ActionKind = "set_status"
	SetPriority ActionKind = "set_priority"
	// SetProcessingCategory sets CategoryID ("" clears it).
	SetProcessingCategory ActionKind = "set_processing_category"
	// SetField sets the custom field Field ("customer_fields.KEY" or
	// "agent_fields.KEY") to Value; a nil Value clears it.
	SetField ActionKind = "set_field"
	// AddTags and RemoveTags add or remove Tags.
	AddTags    ActionKind = "add_tags"
	RemoveTags ActionKind = "remove_tags"
	// Note adds Body (in the ticket's language) as an internal note.
	Note ActionKind = "note"
	// Notify mails Recipient (RecipientAssignee, RecipientGroup,
	// RecipientCustomer) Subject and Body in the ticket's language, with
	// substitution codes rendered and no mail layout (TRG-6.2, MAIL-6).
	Notify ActionKind = "notify"
	// NotifyBrowser shows Recipient (RecipientAssignee: the assignee when
	// active; RecipientGroup: the active members of the ticket's group)
	// Subject and Body, in the ticket's language with codes rendered, as a
	// browser notification in their open browsers (NTF-4); it links to the
	// ticket (helpdesk.Config.TicketLink). Agents only: never the customer.
	NotifyBrowser ActionKind = "notify_browser"
	// Forward mails the ticket's content to Addresses (TRG-6.3);
	// ForwardAndComplete then solves the ticket.
	Forward            ActionKind = "forward"
	ForwardAndComplete ActionKind = "forward_and_complete"
	// Callback posts the ticket as JSON to URL (TRG-6.4).
	Callback ActionKind = "callback"
	// Dooray posts Body, codes rendered, to the Dooray! incoming-webhook
	// URL (TRG-6.5).
	Dooray ActionKind = "dooray"
	// SMS texts Body, codes rendered, to Recipient (RecipientCustomer: the
	// requester's phone) or to the numbers in Addresses.
	SMS ActionKind = "sms"
)

// ActionKinds lists every action kind.
var ActionKinds = []ActionKind{AssignRandom, AssignRoundRobin, AssignFixed, SetStatus, SetPriority,
	SetProcessingCategory, SetField, AddTags, RemoveTags, Note, Notify, NotifyBrowser, Forward,
	ForwardAndComplete, Callback, Dooray, SMS}

// ChangesTicket reports whether actions of kind k change the ticket itself
// (and so can make a later pass match, TRG-7). The others add a note or
// send a message (see SendsMessage): side effects, written to the outbox.
func (k ActionKind) ChangesTicket() bool {
	switch k {
	case AssignRandom, AssignRoundRobin, AssignFixed, SetStatus, SetPriority, SetProcessingCategory,
		SetField, AddTags, RemoveTags, ForwardAndComplete:
		return true
	}
	return false
}

// SendsMessage reports whether actions of kind k become outbox messages
// (NTF-1): mail, a browser notification, a callback, a Dooray! post or an
// SMS. ForwardAndComplete both sends and changes the ticket.
func (k ActionKind) SendsMessage() bool {
	switch k {
	case Notify, NotifyBrowser, Forward, ForwardAndComplete, Callback, Dooray, SMS:
		return true
	}
	return false
}

// Who a Notify, NotifyBrowser or SMS action addresses.
const (
	RecipientAssignee = "assignee"
	RecipientGroup    = "group"
	RecipientCustomer = "customer"
)

// Action is one step of a fired trigger (TRG-6). Which fields are used
// depends on Kind; the others stay empty.
type Action struct {
	Kind ActionKind `json:"kind"`
	// GroupID and AgentID: assign actions.
	GroupID string `json:"group_id,omitempty"`
	AgentID string `json:"agent_id,omitempty"`
	// CategoryID: SetProcessingCategory.
	CategoryID string `json:"category_id,omitempty"`
	// Field and Value: SetField; Value also for SetStatus and SetPriority.
	Field string `json:"field,omitempty"`
	Value any    `json:"value,omitempty"`
	// Tags: AddTags, RemoveTags.
	Tags []string `json:"tags,omitempty"`
	// Recipient: Notify, NotifyBrowser, SMS.
	Recipient string `json:"recipient,omitempty"`
	// Addresses: mail addresses for Forward, phone numbers for SMS.
	Addresses []string `json:"addresses,omitempty"`
	// URL: Callback, Dooray.
	URL string `json:"url,omitempty"`
	// Subject and Body per language: Notify and NotifyBrowser (both),
	// Note, Dooray and SMS (Body).
	Subject i18n.Text `json:"subject,omitempty"`
	Body    i18n.Text `json:"body,omitempty"`
}

// Clone returns a deep copy of a.
func (a Action) Clone() Action {
	if len(a.Tags) == 0 {
		a.Tags = nil
	} else {
		a.Tags = slices.Clone(a.Tags)
	}
	if len(a.Addresses) == 0 {
		a.Addresses = nil
	} else {
		a.Addresses = slices.Clone(a.Addresses)
	}
	if l, ok := a.Value.([]string); ok {
		a.Value = slices.Clone(l)
	}
	if len(a.Subject) == 0 {
		a.Subject = nil
	} else {
		a.Subject = a.Subject.Clone()
	}
	if len(a.Body) == 0 {
		a.Body = nil
	} else {
		a.Body = a.Body.Clone()
	}
	return a
}

// Repository stores one service's triggers (SVC-1) and the trigger set's
// version. It persists, reads and locks; it makes no rule checks: the
// order rules of TRG-1 (positions 0..n-1 per list, appending, closing
// gaps, reorders naming each active trigger once, deleting only inactive
// triggers) are the caller's (End, Move, Reorder, Remove), run after Lock.
// Active and Position are stored as given.
//
// Every write (Insert, Save, Delete, Touch) gives the set a new version,
// which is what compiled sets are cached under. After a write's error the
// caller rolls the transaction back: a store may have written part of it.
type Repository interface {
	// Lock takes the service's trigger write lock until the transaction
	// ends, so that writes that read the triggers first (to place one)
	// run one at a time; the version stays. ErrNotFound for an unknown
	// service.
	Lock(ctx context.Context) error
	// Get returns the trigger with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Trigger, error)
	// List returns every trigger: the active ones by position, then the
	// inactive ones by position.
	List(ctx context.Context) ([]Trigger, error)
	// Insert stores a new trigger as given. ErrConflict when t.ID is
	// taken or another trigger of t's list has t.Position; ErrNotFound
	// for an unknown service.
	Insert(ctx context.Context, t Trigger) error
	// Save replaces stored triggers by ts, every field as given; each
	// names a stored trigger by its ID (else ErrNotFound), at most once.
	// The positions are checked as one change: ErrConflict when two
	// triggers of a list end up with one position. Saving nothing
	// writes nothing.
	Save(ctx context.Context, ts ...Trigger) error
	// Delete removes the trigger with id, or returns ErrNotFound.
	Delete(ctx context.Context, id string) error
	// Touch gives the trigger set a new version when it has one (what
	// compiled sets depend on besides the triggers changed: a field was
	// created or deleted); a service that never had a trigger keeps "".
	Touch(ctx context.Context) error
	// Version returns the trigger set's version: a string that changes on
	// every write and is never reused; "" for a service that never had a
	// trigger. It is one cheap read, made for every ticket event.
	Version(ctx context.Context) (string, error)
}
