// Package notify delivers what Deskkit sends — mail, SMS, Dooray!
// messages, browser notifications and HTTP callbacks — through an outbox
// (NTF-1): a message is stored in the same transaction as the change that
// caused it, then a Dispatcher claims it, calls the notifier for its medium,
// and marks it sent, retries it with back-off, or fails it for good. A crash
// loses nothing: an unfinished claim expires and the message is claimed
// again (at least once; the idempotency key lets receivers drop repeats).
//
// It also holds surge alerts and external recipients (NTF-2..4). Storage is
// behind Outbox, Queue, RecipientRepository and SurgeRepository.
package notify

import (
	"context"
	"errors"
	"time"
)

// Medium is how a message travels (NTF-4).
type Medium string

// The media.
const (
	Email    Medium = "email"
	SMS      Medium = "sms"
	Dooray   Medium = "dooray"
	Browser  Medium = "browser"
	Callback Medium = "callback"
)

// Media lists every medium.
var Media = []Medium{Email, SMS, Dooray, Browser, Callback}

// Valid reports whether m is a known medium.
func (m Medium) Valid() bool {
	for _, x := range Media {
		if x == m {
			return true
		}
	}
	return false
}

// State is where a message is in its delivery.
type State string

// The states.
const (
	Pending State = "pending" // waiting for (another) attempt
	Sent    State = "sent"
	Failed  State = "failed" // failed for good; an admin can retry it
)

// States lists every state.
var States = []State{Pending, Sent, Failed}

// Payload is a message's rendered content; which parts are used depends on
// the medium (mail: Subject, Text, HTML; SMS: Text; Dooray!: JSON or Text;
// browser: Subject, Text, Link; callback: JSON).
type Payload struct {
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text,omitempty"`
	HTML    string `json:"html,omitempty"`
	JSON    string `json:"json,omitempty"`
	Link    string `json:"link,omitempty"`
	// Headers are extra mail headers (threading: In-Reply-To, References).
	Headers map[string]string `json:"headers,omitempty"`
}

// Source says what caused a message.
type Source struct {
	Kind      string `json:"kind"` // "auto_mail", "trigger", "surge", ...
	TicketID  string `json:"ticket_id,omitempty"`
	TriggerID string `json:"trigger_id,omitempty"`
}

// Message is one outgoing message in the outbox (NTF-1).
type Message struct {
	ID        string  `json:"id"`
	ServiceID string  `json:"service_id"`
	Medium    Medium  `json:"medium"`
	Recipient string  `json:"recipient"` // address, phone number, hook URL, agent id or callback URL
	Payload   Payload `json:"payload"`
	// IdempotencyKey is unique in the service: enqueuing a key again is a
	// no-op, and receivers can drop a repeated delivery by it.
	IdempotencyKey string `json:"idempotency_key"`
	Source         Source `json:"source"`

	State         State     `json:"state"`
	Attempts      int       `json:"attempts"` // claims so far
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Filter selects messages for Outbox.List.
type Filter struct {
	State State // empty: every state
	// Limit is the page size: default 50, at most 500.
	Limit  int
	Cursor string
}

// Page is one page of messages, newest first.
type Page struct {
	Messages []Message
	Next     string
}

// Outbox is one service's outbox, used inside a store transaction.
type Outbox interface {
	// Enqueue stores messages as pending. A message whose idempotency key
	// the service already has is skipped, not an error.
	Enqueue(ctx context.Context, ms ...Message) error
	// Get returns one message, or ErrNotFound.
	Get(ctx context.Context, id string) (Message, error)
	// List returns one page of messages, newest first (by CreatedAt, then
	// ID).
	List(ctx context.Context, f Filter) (Page, error)
	// Retry makes a failed message pending again, due at now, with its
	// attempts reset; ErrNotFound if unknown, ErrInvalid unless failed.
	Retry(ctx context.Context, id string, now time.Time) error
	// Counts returns how many messages are in each state.
	Counts(ctx context.Context) (map[State]int, error)
}

// Queue is the outbox of every service as the Dispatcher sees it. Claims
// carry an owner and a lease: while the lease runs nobody else can claim the
// message, and only the owner can settle it. An expired lease makes the
// message claimable again (a crashed dispatcher's work is redone).
type Queue interface {
	// Claim takes up to limit pending messages due at now whose lease (if
	// any) has expired, oldest due first, counts an attempt on each, and
	// leases them to owner until now+lease. Concurrent claimers never get
	// the same message while its lease runs.
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// Settle records the outcomes of the owner's claims, all in one step
	// (one round trip for a whole batch). A result whose claim is no longer
	// the owner's — expired and taken over, or settled already — changes
	// nothing and is returned in lost. An unknown outcome state fails the
	// whole call with ErrInvalid.
	Settle(ctx context.Context, owner string, rs []Result) (lost []Result, err error)
}

// Result is the outcome of one claimed message.
type Result struct {
	Message Message // as claimed; ServiceID and ID identify it
	Outcome Outcome
}

// Outcome is how one delivery attempt ended.
type Outcome struct {
	// State is Sent, Failed (for good), or Pending (retry at NextAttemptAt,
	// or — with Release — give the claim back without counting it).
	State         State
	At            time.Time
	NextAttemptAt time.Time
	Error         string
	Release       bool
}

// ErrLeaseLost marks a claim that expired and was taken by someone else (or
// was settled already).
var ErrLeaseLost = errors.New("notify: lease lost")
