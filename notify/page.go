package notify

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
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
func (p Position) Before(m Message) bool {
	return m.CreatedAt.Before(p.CreatedAt) || (m.CreatedAt.Equal(p.CreatedAt) && m.ID < p.ID)
}

// EncodeCursor returns the cursor of the page after m.
func EncodeCursor(m Message) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(m.CreatedAt.UnixMicro(), 10) + "|" + m.ID))
}

func decodePosition(s string) (Position, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Position{}, err
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return Position{}, fmt.Errorf("no separator")
	}
	us, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Position{}, err
	}
	return Position{CreatedAt: time.UnixMicro(us).UTC(), ID: id}, nil
}
