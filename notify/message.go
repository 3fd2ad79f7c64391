package notify

import (
	"context"
	"errors"
	"net/mail"
	"net/textproto"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
)

// The error kinds the ports and helpers of this package return; they are
// helpdesk.ErrNotFound ... re-exported. Match them with errors.Is.
var (
	// ErrNotFound: no such message or recipient in the service.
	ErrNotFound = errs.ErrNotFound
	// ErrConflict: a taken id.
	ErrConflict = errs.ErrConflict
	// ErrInvalid: a message, an outcome or a filter the rules refuse.
	ErrInvalid = errs.ErrInvalid
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
// the medium (mail: Subject, Text, HTML, From, ReplyTo, Headers; SMS: Text;
// Dooray!: JSON or Text; browser: Subject, Text, Link; callback: JSON).
type Payload struct {
	// Subject is the mail's subject, or the browser notification's title.
	Subject string `json:"subject,omitempty"`
	// Text is the plain-text body.
	Text string `json:"text,omitempty"`
	// HTML is the mail's HTML body; empty: the mail is plain text only.
	HTML string `json:"html,omitempty"`
	// JSON is the body of a callback or of a Dooray! post.
	JSON string `json:"json,omitempty"`
	// Link is where a browser notification leads.
	Link string `json:"link,omitempty"`
	// From is the sender of a mail: the service's from-name and
	// from-address (MAIL-5). Zero when the service has none: the Mailer
	// sends with its own default sender.
	From Address `json:"from,omitzero"`
	// ReplyTo is where the answer to a mail should go when not to From
	// (the Reply-To header); zero: answers go to From.
	ReplyTo Address `json:"reply_to,omitzero"`
	// Headers are the mail's further headers, by name: the threading
	// headers that bring the customer's answer back to its ticket
	// (MAIL-7: References, In-Reply-To). The sender is never among them —
	// it is From and ReplyTo; Prepare refuses From, Reply-To and Sender
	// headers.
	Headers map[string]string `json:"headers,omitempty"`
}

// Address is a mail address with an optional display name.
type Address struct {
	// Name is the display name ("ACME Support"); may be empty.
	Name string `json:"name,omitempty"`
	// Address is the bare address ("help@acme.example"); empty: no
	// address at all.
	Address string `json:"address"`
}

// IsZero reports whether a has no address.
func (a Address) IsZero() bool { return a.Address == "" }

// String formats a as a mail header value: `"ACME Support"
// <help@acme.example>`, the name encoded (RFC 2047) when it is not ASCII,
// or `<help@acme.example>` without a name; "" when a has no address.
func (a Address) String() string {
	if a.Address == "" {
		return ""
	}
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
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

// Filter selects messages for an admin's page of the outbox (the
// helpdesk's Session.Outbox().List); Filter.Query checks it and makes the
// Query Outbox.List reads.
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

// Outbox is one service's outbox, used inside a store transaction. The
// store persists, reads and locks messages; it makes no rule checks —
// Prepare readies messages before Enqueue, and a workflow that changes a
// message reads it (Get), decides (Message.Retry) and writes it back
// (Update).
type Outbox interface {
	// Enqueue stores messages as given, in the transaction's service. A
	// message whose idempotency key the service already has (or an earlier
	// message of the same call has) is skipped, not an error; a taken id is
	// ErrConflict.
	Enqueue(ctx context.Context, ms ...Message) error
	// Get returns one message, or ErrNotFound, and locks it until the
	// transaction ends: the Queue does not claim it meanwhile, and another
	// transaction's Get waits.
	Get(ctx context.Context, id string) (Message, error)
	// List returns one page of messages, newest first (by CreatedAt, then
	// ID in byte order).
	List(ctx context.Context, q Query) (Page, error)
	// Update writes m's delivery state — State, Attempts, NextAttemptAt,
	// LastError, UpdatedAt and SentAt — to the stored message m.ID;
	// ErrNotFound if unknown. Its content, key and creation time stay, and
	// so does a claim's lease. The Queue does not claim the message before
	// the transaction commits.
	Update(ctx context.Context, m Message) error
	// Counts returns how many messages are in each state, every state
	// named.
	Counts(ctx context.Context) (map[State]int, error)
}

// Queue is the outbox of every service as the Dispatcher sees it. Claims
// carry an owner and a lease: while the lease runs nobody else can claim the
// message, and only the owner can settle it. An expired lease makes the
// message claimable again (a crashed dispatcher's work is redone). The
// store makes no checks of its arguments: the Dispatcher claims with an
// owner and a positive lease, and settles only results CheckResults
// accepts.
type Queue interface {
	// Claim takes up to limit pending messages due at now whose lease (if
	// any) has expired, oldest due first (then by id, then by service),
	// counts an attempt on each, and leases them to owner until now+lease.
	// Concurrent claimers never get the same message while its lease runs,
	// and a message a transaction has written or locked (Outbox.Enqueue,
	// Get, Update) is passed over until that transaction ends — or, in a
	// store that runs one write transaction at a time (SQLite), the claim
	// waits for that transaction to end; so never call Claim inside a
	// transaction of the same store.
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// Settle records the outcomes of the owner's claims, all in one step
	// (one round trip for a whole batch): Sent sets SentAt, Failed the last
	// error, Pending the next attempt time and the last error — or, with
	// Release, gives the claim back without counting its attempt; each ends
	// the claim and sets UpdatedAt to the outcome's At. A result whose
	// claim is no longer the owner's — expired and taken over, or settled
	// already — changes nothing and is returned in lost. An empty owner
	// owns nothing. A message an open transaction holds (Outbox.Get,
	// Update) is settled once that transaction has ended.
	Settle(ctx context.Context, owner string, rs []Result) (lost []Result, err error)
	// NextDue returns when the earliest pending message of any service is
	// due (the least NextAttemptAt), whether claimed or not, and false
	// when no message is pending; Dispatcher.Drain waits on it. A message
	// a transaction has written may be counted before the transaction
	// commits, or not.
	NextDue(ctx context.Context) (at time.Time, pending bool, err error)
}

// Result is the outcome of one claimed message.
type Result struct {
	Message Message // as claimed; ServiceID and ID identify it
	Outcome Outcome
}

// Outcome is how one delivery attempt ended.
type Outcome struct {
	// State is Sent, Failed (for good), or Pending (retry at NextAttemptAt,
	// or — with Release — give the claim back without counting it). Error
	// is the last error of a failed or retried attempt.
	State         State
	At            time.Time
	NextAttemptAt time.Time
	Error         string
	Release       bool
}

// Prepare readies new messages for Outbox.Enqueue, in place (NTF-1): each
// becomes pending, due when created unless NextAttemptAt is set, and
// updated when created unless UpdatedAt is set. Every message must have an
// id and an idempotency key, and its Payload.Headers must not name the
// sender (From, Reply-To, Sender: they are Payload.From and
// Payload.ReplyTo); if one message breaks a rule, Prepare returns an error
// matching ErrInvalid and changes nothing.
func Prepare(ms []Message) error {
	for _, m := range ms {
		if m.ID == "" || m.IdempotencyKey == "" {
			return errs.New(ErrInvalid, "message %q: an id and an idempotency key are required", m.ID)
		}
		for h := range m.Payload.Headers {
			switch textproto.CanonicalMIMEHeaderKey(h) {
			case "From", "Reply-To", "Sender":
				return errs.New(ErrInvalid, "message %q: header %q: the sender goes in Payload.From and Payload.ReplyTo", m.ID, h)
			}
		}
	}
	for i := range ms {
		m := &ms[i]
		m.State = Pending
		if m.NextAttemptAt.IsZero() {
			m.NextAttemptAt = m.CreatedAt
		}
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = m.CreatedAt
		}
	}
	return nil
}

// Retry makes a failed message pending again, due at now, with its attempts
// reset and its last error kept (NTF-1). It returns an error matching
// ErrInvalid, and changes nothing, unless m has failed.
func (m *Message) Retry(now time.Time) error {
	if m.State != Failed {
		return errs.New(ErrInvalid, "message %q is %s, not failed", m.ID, m.State)
	}
	m.State, m.Attempts, m.NextAttemptAt, m.UpdatedAt = Pending, 0, now, now
	return nil
}

// CheckResults checks outcomes before Queue.Settle: each must be Sent,
// Failed or Pending; otherwise it returns an error matching ErrInvalid.
func CheckResults(rs []Result) error {
	for _, r := range rs {
		if st := r.Outcome.State; st != Sent && st != Failed && st != Pending {
			return errs.New(ErrInvalid, "settle message %q: unknown outcome state %q", r.Message.ID, st)
		}
	}
	return nil
}

// ErrLeaseLost marks a claim that expired and was taken by someone else (or
// was settled already).
var ErrLeaseLost = errors.New("notify: lease lost")
