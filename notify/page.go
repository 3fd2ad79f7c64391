package notify

import (
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/page"
)

// Position is a place in the newest-first order of messages (CreatedAt,
// then ID); stores use it to page.
type Position struct {
	CreatedAt time.Time
	ID        string
}

// NormalizeFilter applies defaults to f and checks it; it returns the
// position after which the page starts (nil: from the newest message).
func NormalizeFilter(f *Filter) (*Position, error) {
	var c errs.Collector
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 0 || f.Limit > 500 {
		c.Add("limit", "must be between 1 and 500")
	}
	if f.State != "" && f.State != Pending && f.State != Sent && f.State != Failed {
		c.Add("state", "unknown state %q", f.State)
	}
	var after *Position
	if f.Cursor != "" {
		p, err := decodePosition(f.Cursor)
		if err != nil {
			c.Add("cursor", "malformed cursor %q", f.Cursor)
		} else {
			after = &p
		}
	}
	return after, c.Err()
}

// Before reports whether m comes after p in the newest-first order.
func (p Position) Before(m Message) bool { return page.Older(m.CreatedAt, m.ID, p.CreatedAt, p.ID) }

// EncodeCursor returns the cursor of the page after m.
func EncodeCursor(m Message) string { return page.Encode(m.CreatedAt, m.ID) }

func decodePosition(s string) (Position, error) {
	at, id, err := page.Decode(s)
	return Position{CreatedAt: at, ID: id}, err
}
