package notify

import (
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/page"
	"github.com/deskkit/deskkit/internal/text"
)

// Position is a place in the newest-first order of messages (CreatedAt,
// then ID); stores use it to page.
type Position struct {
	CreatedAt time.Time
	ID        string
}

// Query is a checked Filter: what Outbox.List reads (Filter.Query makes
// it).
type Query struct {
	State State // empty: every state
	Limit int   // the page size, 1..500
	// After is the position the page starts after; nil: from the newest
	// message.
	After *Position
}

// Query applies f's defaults, checks it and decodes its cursor; it returns
// a *ValidationError (matching ErrInvalid) naming every bad field.
func (f Filter) Query() (Query, error) {
	var c errs.Collector
	q := Query{State: f.State, Limit: f.Limit}
	text.PageLimit(&c, &q.Limit)
	if f.State != "" && f.State != Pending && f.State != Sent && f.State != Failed {
		c.Add("state", "unknown state %q", f.State)
	}
	if f.Cursor != "" {
		p, err := decodePosition(f.Cursor)
		if err != nil {
			c.Add("cursor", "malformed cursor %q", f.Cursor)
		} else {
			q.After = &p
		}
	}
	if err := c.Err(); err != nil {
		return Query{}, err
	}
	return q, nil
}

// Before reports whether m comes after p in the newest-first order.
func (p Position) Before(m Message) bool { return page.Older(m.CreatedAt, m.ID, p.CreatedAt, p.ID) }

// EncodeCursor returns the cursor of the page after m.
func EncodeCursor(m Message) string { return page.Encode(m.CreatedAt, m.ID) }

func decodePosition(s string) (Position, error) {
	at, id, err := page.Decode(s)
	return Position{CreatedAt: at, ID: id}, err
}
