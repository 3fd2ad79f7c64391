package agent

import (
	"context"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/page"
	"github.com/deskkit/deskkit/internal/text"
)

// LoginKind says whether a login-log row is a login or a logout.
type LoginKind string

// The login-log kinds.
const (
	Login  LoginKind = "login"
	Logout LoginKind = "logout"
)

// LoginEvent is one row of the login log (AGT-7).
type LoginEvent struct {
	ID        string    `json:"id"`
	AgentID   string    `json:"agent_id"`
	Kind      LoginKind `json:"kind"`
	At        time.Time `json:"at"`
	Address   string    `json:"address"`
	UserAgent string    `json:"user_agent"`
}

// LoginFilter selects login-log rows: by agent (empty: all) and period
// (Until exclusive), newest first, a page at a time.
type LoginFilter struct {
	AgentID string
	Since   time.Time
	Until   time.Time
	// Limit is the page size: default 50, at most 500.
	Limit int
	// Cursor is LoginPage.Next of the previous page.
	Cursor string
}

// LoginPage is one page of the login log.
type LoginPage struct {
	Events []LoginEvent
	Next   string
}

// LoginLog stores one service's login log. It appends and reads; it makes
// no rule checks (who may record or read is decided by package helpdesk).
// It returns stored rows and wrapped driver errors.
type LoginLog interface {
	// Add appends e.
	Add(ctx context.Context, e LoginEvent) error
	// List returns one page of events matching q, newest first (by At,
	// then ID in byte order), after q.After when it is set, at most
	// q.Limit of them, with the cursor of the next page
	// (EncodeLoginCursor of the last event) when more follow. q is checked
	// already (LoginFilter.Query).
	List(ctx context.Context, q LoginQuery) (LoginPage, error)
}

// Menu names a helpdesk menu whose access can be limited (AGT-8). The
// full-admin menu cannot be limited.
type Menu string

// The menus.
const (
	MenuTickets    Menu = "ticket_management"
	MenuCallbacks  Menu = "callback_management"
	MenuChat       Menu = "chat"
	MenuPhone      Menu = "phone"
	MenuStatistics Menu = "statistics"
	MenuTemplates  Menu = "templates"
)

// Menus lists every menu whose access can be limited.
var Menus = []Menu{MenuTickets, MenuCallbacks, MenuChat, MenuPhone, MenuStatistics, MenuTemplates}

// Valid reports whether m is a known menu.
func (m Menu) Valid() bool {
	for _, x := range Menus {
		if x == m {
			return true
		}
	}
	return false
}

// MenuAccess is who may use a menu: everybody, or everybody but Restricted
// (AGT-8).
type MenuAccess struct {
	Menu Menu `json:"menu"`
	// Partial limits the menu: the agents in Restricted may not use it.
	Partial    bool     `json:"partial"`
	Restricted []string `json:"restricted,omitempty"`
}

// Allows reports whether agentID may use the menu.
func (m MenuAccess) Allows(agentID string) bool {
	if !m.Partial {
		return true
	}
	for _, id := range m.Restricted {
		if id == agentID {
			return false
		}
	}
	return true
}

// MenuRepository stores one service's menu access. It persists and reads;
// it makes no rule checks (who may be restricted is decided by package
// helpdesk). It returns stored rows and wrapped driver errors.
type MenuRepository interface {
	// Get returns the access of menu m; a menu never set allows everybody.
	Get(ctx context.Context, m Menu) (MenuAccess, error)
	// Put replaces the access of a.Menu; an empty Restricted reads back
	// as nil.
	Put(ctx context.Context, a MenuAccess) error
}

// LoginQuery is a checked LoginFilter in the form a store selects with
// (LoginFilter.Query makes it): the filters with their defaults applied and
// the cursor decoded into After. Stores ignore the embedded Cursor.
type LoginQuery struct {
	LoginFilter
	// After is the event the page starts after; nil: from the newest.
	After *LoginEvent
}

// Query checks f, applies its defaults and decodes its cursor; it returns
// a *ValidationError (matching ErrInvalid) naming every bad field.
func (f LoginFilter) Query() (LoginQuery, error) {
	after, err := normalizeLoginFilter(&f)
	if err != nil {
		return LoginQuery{}, err
	}
	return LoginQuery{LoginFilter: f, After: after}, nil
}

// normalizeLoginFilter applies defaults to f and checks it; it returns the
// position after which the page starts (nil: from the newest event).
func normalizeLoginFilter(f *LoginFilter) (*LoginEvent, error) {
	var c errs.Collector
	text.PageLimit(&c, &f.Limit)
	// Stores keep microseconds: bounds finer than that would compare
	// differently in each.
	f.Since, f.Until = f.Since.UTC().Truncate(time.Microsecond), f.Until.UTC().Truncate(time.Microsecond)
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		c.Add("until", "must be after since")
	}
	var after *LoginEvent
	if f.Cursor != "" {
		e, err := decodeLoginCursor(f.Cursor)
		if err != nil {
			c.Add("cursor", "malformed cursor %q", f.Cursor)
		} else {
			after = &e
		}
	}
	return after, c.Err()
}

// Matches reports whether e passes f's agent and period filters.
func (f LoginFilter) Matches(e LoginEvent) bool {
	return (f.AgentID == "" || f.AgentID == e.AgentID) &&
		(f.Since.IsZero() || !e.At.Before(f.Since)) &&
		(f.Until.IsZero() || e.At.Before(f.Until))
}

// LoginBefore reports whether e comes after the cursor position c in the
// newest-first order (older At, or the same At and a smaller ID).
func LoginBefore(e, c LoginEvent) bool { return page.Older(e.At, e.ID, c.At, c.ID) }

// EncodeLoginCursor returns the cursor of the page after e.
func EncodeLoginCursor(e LoginEvent) string { return page.Encode(e.At, e.ID) }

func decodeLoginCursor(s string) (LoginEvent, error) {
	at, id, err := page.Decode(s)
	return LoginEvent{At: at, ID: id}, err
}
