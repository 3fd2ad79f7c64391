package ticket

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Repository stores the tickets of one service, their comments and their
// history. Every method sees only that service's rows: a foreign id answers
// ErrNotFound (SVC-1). The store persists, reads and locks; it makes no rule
// checks (statuses, transitions, settings and field values are checked by
// the workflows in package helpdesk). It answers ErrNotFound, ErrConflict (a
// duplicate id or a stale version), ErrInvalid for history rows written with
// another ticket, and wrapped driver errors.
type Repository interface {
	// Create stores t and its first history rows (TKT-4) together,
	// assigning t.Number: the next number of the service, without gaps or
	// duplicates under concurrency. The caller sets the id, Version (1) and
	// timestamps; the rows' TicketID must be t.ID.
	Create(ctx context.Context, t *Ticket, history []Change) error
	// Import is Create for a ticket that has its number already (a service
	// copied from another store, STO-2): it stores t with t.Number as
	// given, its history rows and its comments (as given) together, and
	// the service's next number becomes at least t.Number+1. A taken id or
	// number is ErrConflict; ErrNotFound if the service does not exist;
	// ErrInvalid for rows of another ticket. A store that keeps numbers
	// without gaps may refuse (ErrInvalid) a number other than its next
	// one.
	Import(ctx context.Context, t Ticket, history []Change, comments []Comment) error
	// Get returns the ticket with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Ticket, error)
	// GetForUpdate is Get that also locks the ticket against other writers
	// until the transaction ends, for read-modify-write cycles the library
	// owns (TKT-8). A store that serialises its transactions may treat it as
	// Get.
	GetForUpdate(ctx context.Context, id string) (Ticket, error)
	// GetByNumber returns the ticket with number n, or ErrNotFound.
	GetByNumber(ctx context.Context, n int64) (Ticket, error)
	// Update stores t and the history rows of the change together, if the
	// stored version is t.Version, and then sets t.Version to the next one.
	// The service, Number and CreatedAt are never changed.
	// A stale version returns ErrConflict (TKT-8), an unknown id
	// ErrNotFound; either way nothing is written.
	Update(ctx context.Context, t *Ticket, history []Change) error
	// List returns one page of tickets matching q, newest (highest number)
	// first, below number q.Before when it is set, at most q.Limit of them,
	// with the cursor of the next page (EncodeCursor of the last ticket)
	// when more follow. q is checked already (Filter.Query).
	List(ctx context.Context, q Query) (Page, error)
	// ListSolved returns up to limit tickets in status solved whose SolvedAt
	// is at or before until, earliest solved first (auto-close, TKT-2).
	// limit must be positive.
	ListSolved(ctx context.Context, until time.Time, limit int) ([]Ticket, error)
	// CountCreatedSince returns how many tickets were created at or after
	// since (surge alerts, NTF-2).
	CountCreatedSince(ctx context.Context, since time.Time) (int, error)

	// AddComment stores c; its ticket must exist (else ErrNotFound).
	AddComment(ctx context.Context, c Comment) error
	// Comments returns a ticket's comments, oldest first.
	Comments(ctx context.Context, ticketID string) ([]Comment, error)

	// AddChanges appends history rows; their tickets must exist. Stores
	// assign the ids.
	AddChanges(ctx context.Context, cs []Change) error
	// ScanChanges calls fn for each history row matching f, in id order,
	// streaming from storage; an error from fn stops the scan and is returned.
	ScanChanges(ctx context.Context, f ChangeFilter, fn func(Change) error) error

	// AddKey stores an idempotency key and what its call made (STO-3);
	// ErrConflict when the service has a key k.Key already (expired or
	// not: the workflow decides). A key stored by a concurrent transaction
	// that has not ended yet is waited for; AddKey leaves the transaction
	// usable after a conflict.
	AddKey(ctx context.Context, k Key) error
	// GetKey returns the service's idempotency key key, or ErrNotFound.
	GetKey(ctx context.Context, key string) (Key, error)
	// DeleteKeys deletes the service's idempotency keys created before
	// before and returns how many it deleted.
	DeleteKeys(ctx context.Context, before time.Time) (int, error)
}

// Key is a stored idempotency key (STO-3): the caller's key and the
// result of the call that first used it.
type Key struct {
	// Key is the caller's key, unique in the service.
	Key string
	// Call names the call that used it ("Tickets.Create", "Tickets.Reply").
	Call string
	// TicketID is the ticket the call created or replied to.
	TicketID string
	// CommentID is the reply the call added; empty for a creation.
	CommentID string
	// CreatedAt is when the key was first used.
	CreatedAt time.Time
}

// Filter selects tickets for List. Empty fields do not filter.
type Filter struct {
	Statuses             []Status
	AssigneeID           string
	GroupID              string
	IntakeCategoryID     string
	ProcessingCategoryID string
	RequesterEmail       string
	// Limit is the page size: default 50, at most MaxPageSize.
	Limit int
	// Cursor is Page.Next of the previous page; empty for the first page.
	Cursor string
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Page is one page of a List.
type Page struct {
	Tickets []Ticket
	// Next is the cursor of the following page, empty on the last one.
	Next string
}

// ChangeFilter selects history rows. Empty fields do not filter; Until is
// exclusive.
type ChangeFilter struct {
	TicketID string
	Since    time.Time
	Until    time.Time
	// AfterID skips rows with an id up to it (paging).
	AfterID int64
}

// Query is a checked Filter in the form a store selects with (Filter.Query
// makes it): the filters with their defaults applied, and the cursor
// decoded into Before. Stores ignore the embedded Cursor.
type Query struct {
	Filter
	// Before selects tickets numbered below it; 0: from the newest.
	Before int64
}

// Query checks f, applies its defaults and decodes its cursor; it returns
// a *ValidationError (matching ErrInvalid) naming every bad field.
func (f Filter) Query() (Query, error) {
	before, err := f.Normalize()
	if err != nil {
		return Query{}, err
	}
	return Query{Filter: f, Before: before}, nil
}

// Normalize applies defaults and checks f. It returns the number below which
// the page starts (0: from the newest ticket).
func (f *Filter) Normalize() (before int64, err error) {
	var c errs.Collector
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	if f.Limit < 0 || f.Limit > MaxPageSize {
		c.Add("limit", "must be between 1 and %d", MaxPageSize)
	}
	for _, s := range f.Statuses {
		if !s.Valid() {
			c.Add("statuses", "unknown status %q", s)
		}
	}
	// Ids and the address go to the store: text it keeps only (SEC-3).
	text.Check(&c, "assignee_id", f.AssigneeID, false, text.KeyBytes)
	text.Check(&c, "group_id", f.GroupID, false, text.KeyBytes)
	text.Check(&c, "intake_category_id", f.IntakeCategoryID, false, text.KeyBytes)
	text.Check(&c, "processing_category_id", f.ProcessingCategoryID, false, text.KeyBytes)
	text.Check(&c, "requester_email", f.RequesterEmail, false, text.AddressBytes)
	text.Check(&c, "cursor", f.Cursor, false, text.KeyBytes)
	if f.Cursor != "" {
		before, err = DecodeCursor(f.Cursor)
		if err != nil {
			c.Add("cursor", "%v", err)
		}
	}
	return before, c.Err()
}

// Matches reports whether t passes f's filters (not the cursor).
func (f *Filter) Matches(t *Ticket) bool {
	if len(f.Statuses) > 0 && !containsStatus(f.Statuses, t.Status) {
		return false
	}
	return (f.AssigneeID == "" || f.AssigneeID == t.AssigneeID) &&
		(f.GroupID == "" || f.GroupID == t.GroupID) &&
		(f.IntakeCategoryID == "" || f.IntakeCategoryID == t.IntakeCategoryID) &&
		(f.ProcessingCategoryID == "" || f.ProcessingCategoryID == t.ProcessingCategoryID) &&
		(f.RequesterEmail == "" || strings.EqualFold(f.RequesterEmail, t.Requester.Email))
}

func containsStatus(l []Status, s Status) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// EncodeCursor returns the cursor of the page that starts below number.
func EncodeCursor(number int64) string { return "n" + strconv.FormatInt(number, 36) }

// DecodeCursor parses a cursor made by EncodeCursor.
func DecodeCursor(s string) (int64, error) {
	if !strings.HasPrefix(s, "n") {
		return 0, fmt.Errorf("malformed cursor %q", s)
	}
	n, err := strconv.ParseInt(s[1:], 36, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("malformed cursor %q", s)
	}
	return n, nil
}
