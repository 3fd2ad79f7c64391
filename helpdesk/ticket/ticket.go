package ticket

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Errors a Repository returns; they are the same values as helpdesk.ErrNotFound
// and helpdesk.ErrConflict.
var (
	ErrNotFound = errs.ErrNotFound
	ErrConflict = errs.ErrConflict // a stale version (TKT-8)
)

// Priority is how urgent a ticket is (TKT-1).
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Rank orders priorities: low 1 … urgent 4; an unknown priority is 0.
func (p Priority) Rank() int { return slices.Index(Priorities, p) + 1 }

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.Rank() > 0 }

// Channel is where a ticket came from (TKT-1).
type Channel string

// The channels of TKT-1.
const (
	ChannelHelpCenter Channel = "help_center"
	ChannelEmail      Channel = "email"
	ChannelPhone      Channel = "phone"
	ChannelChat       Channel = "chat"
	ChannelAPI        Channel = "api"
	ChannelAgent      Channel = "agent"
)

// Channels lists every channel.
var Channels = []Channel{ChannelHelpCenter, ChannelEmail, ChannelPhone, ChannelChat, ChannelAPI, ChannelAgent}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Requester is the customer a ticket is for.
type Requester struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Ticket is one customer request (TKT-1). Values are plain data: a Ticket read
// from a repository shares no memory with the store.
type Ticket struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	// Number is sequential per service, shown to people as #Number.
	Number int64 `json:"number"`
	// Version increases by one on every write; updates name the version they
	// were based on (TKT-8).
	Version int64 `json:"version"`

	Requester Requester `json:"requester"`
	Title     string    `json:"title"`
	Content   string    `json:"content"`
	Channel   Channel   `json:"channel"`
	Language  string    `json:"language"`
	Status    Status    `json:"status"`
	Priority  Priority  `json:"priority"`

	IntakeCategoryID     string   `json:"intake_category_id,omitempty"`
	ProcessingCategoryID string   `json:"processing_category_id,omitempty"`
	GroupID              string   `json:"group_id,omitempty"`
	AssigneeID           string   `json:"assignee_id,omitempty"`
	Tags                 []string `json:"tags,omitempty"`
	CustomerFields       Fields   `json:"customer_fields,omitempty"`
	AgentFields          Fields   `json:"agent_fields,omitempty"`

	// FollowUpOf is the closed ticket this one follows up (TKT-2).
	FollowUpOf string `json:"follow_up_of,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	SolvedAt  time.Time `json:"solved_at,omitzero"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
}

// Clone returns a deep copy of t.
func (t Ticket) Clone() Ticket {
	t.Tags = slices.Clone(t.Tags)
	t.CustomerFields = t.CustomerFields.Clone()
	t.AgentFields = t.AgentFields.Clone()
	return t
}

// Fields holds custom-field values by field key. A value is a string, a
// float64, a bool or a []string (multi select) — the shapes that survive a
// JSON round trip unchanged; Normalize converts other numeric and list types.
type Fields map[string]any

// Clone returns a deep copy of f.
func (f Fields) Clone() Fields {
	if f == nil {
		return nil
	}
	c := make(Fields, len(f))
	for k, v := range f {
		switch l := v.(type) {
		case []string:
			v = slices.Clone(l)
		case []any:
			v = slices.Clone(l)
		}
		c[k] = v
	}
	return c
}

// SameValue reports whether two field values are equal: same type and same
// value; lists element by element.
func SameValue(a, b any) bool {
	switch x := a.(type) {
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case string, bool, float64, nil:
		return a == b
	}
	na, okA := NormalizeValue(a)
	nb, okB := NormalizeValue(b)
	return okA && okB && SameValue(na, nb)
}

// Normalize returns f with every value in its canonical shape, or an error
// naming each key whose value has no canonical shape.
func (f Fields) Normalize(prefix string) (Fields, error) {
	if f == nil {
		return nil, nil
	}
	var c errs.Collector
	out := make(Fields, len(f))
	for _, k := range slices.Sorted(maps.Keys(f)) {
		v, ok := NormalizeValue(f[k])
		if !ok {
			c.Add(prefix+k, "unsupported value type %T", f[k])
			continue
		}
		out[k] = v
	}
	return out, c.Err()
}

// NormalizeValue converts v to the canonical shape of a field value (see
// Fields). ok is false for any other type, and for NaN and infinities, which
// JSON cannot carry.
func NormalizeValue(v any) (any, bool) {
	switch x := v.(type) {
	case string, bool:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return x, true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case float32:
		return NormalizeValue(float64(x))
	case []string:
		return slices.Clone(x), true
	case []any:
		l := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			l = append(l, s)
		}
		return l, true
	}
	return nil, false
}

// FormatValue renders a field value for the history (TKT-4) and CSV exports.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

// New is what a caller supplies to create a ticket. Status is always new.
type New struct {
	Requester            Requester
	Title                string
	Content              string
	Channel              Channel
	Language             string   // empty: the service's default language
	Priority             Priority // empty: normal
	IntakeCategoryID     string
	ProcessingCategoryID string
	GroupID              string // allowed only when the ticket settings say so (TKT-5)
	AssigneeID           string // allowed only when the ticket settings say so (TKT-5)
	Tags                 []string
	CustomerFields       Fields
	AgentFields          Fields
	// IdempotencyKey, when set, makes the creation safe to retry (STO-3):
	// a later Create with the same key in the same service, within
	// Config.IdempotencyTTL, returns the ticket the first one created (as
	// stored now) instead of a second ticket, whatever else it asks. At
	// most text.KeyBytes (100) bytes.
	IdempotencyKey string
}

// Update changes some fields of a ticket. A nil pointer leaves the field as
// it is. In CustomerFields and AgentFields a key set to nil removes the value.
// Version is the version the caller read; a stale one fails with ErrConflict
// (TKT-8).
type Update struct {
	Version              int64
	Requester            *Requester
	Title                *string
	Content              *string
	Language             *string
	Priority             *Priority
	IntakeCategoryID     *string
	ProcessingCategoryID *string
	GroupID              *string
	AssigneeID           *string
	Tags                 *[]string
	CustomerFields       Fields
	AgentFields          Fields
}

// Apply returns t with u applied. It does not validate and does not touch
// Version or the timestamps.
func (t Ticket) Apply(u Update) Ticket {
	n := t.Clone()
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if u.Requester != nil {
		n.Requester = *u.Requester
	}
	set(&n.Title, u.Title)
	set(&n.Content, u.Content)
	set(&n.Language, u.Language)
	if u.Priority != nil {
		n.Priority = *u.Priority
	}
	set(&n.IntakeCategoryID, u.IntakeCategoryID)
	set(&n.ProcessingCategoryID, u.ProcessingCategoryID)
	set(&n.GroupID, u.GroupID)
	set(&n.AssigneeID, u.AssigneeID)
	if u.Tags != nil {
		n.Tags = NormalizeTags(*u.Tags)
	}
	n.CustomerFields = mergeFields(n.CustomerFields, u.CustomerFields)
	n.AgentFields = mergeFields(n.AgentFields, u.AgentFields)
	return n
}

func mergeFields(dst, src Fields) Fields {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = Fields{}
	}
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else if n, ok := NormalizeValue(v); ok {
			dst[k] = n
		} else {
			dst[k] = v // kept as given, so Validate reports it
		}
	}
	if len(dst) == 0 {
		return nil
	}
	return dst
}

// NormalizeTags trims, lower-cases, de-duplicates and sorts tags, dropping
// empty ones.
func NormalizeTags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// Limits bounds the size of texts (bytes of UTF-8).
type Limits struct {
	MaxTitleBytes   int // default 1 KiB
	MaxContentBytes int // default 1 MiB; also bounds comment bodies
}

// MaxFieldValueBytes bounds one custom-field text value.
const MaxFieldValueBytes = text.LongBytes

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{MaxTitleBytes: 1 << 10, MaxContentBytes: 1 << 20}

// Validate checks the parts of t that need no service settings: title and
// content present and within limits, known status, priority and channel,
// tags, field values. It returns a *ValidationError naming every bad field.
func (t Ticket) Validate(l Limits) error {
	var c errs.Collector
	text.Check(&c, "title", t.Title, true, l.MaxTitleBytes)
	text.Check(&c, "content", t.Content, true, l.MaxContentBytes)
	if !t.Status.Valid() {
		c.Add("status", "unknown status %q", t.Status)
	}
	if !t.Priority.Valid() {
		c.Add("priority", "unknown priority %q", t.Priority)
	}
	if !t.Channel.Valid() {
		c.Add("channel", "unknown channel %q", t.Channel)
	}
	text.Check(&c, "requester.name", t.Requester.Name, false, text.NameBytes)
	text.Check(&c, "requester.phone", t.Requester.Phone, false, 50)
	if e := t.Requester.Email; e != "" {
		text.CheckEmail(&c, "requester.email", e)
	}
	if len(t.Tags) > text.MaxTags {
		c.Add("tags", "has %d tags, over the limit of %d", len(t.Tags), text.MaxTags)
	}
	for _, tag := range t.Tags {
		var tc errs.Collector
		if text.Check(&tc, "tags", tag, false, text.TagBytes); tc.Err() != nil {
			c.Add("tags", "tag %.20q… is over %d bytes, not UTF-8 or holds a NUL byte", tag, text.TagBytes)
			break
		}
	}
	for _, fs := range []struct {
		name string
		f    Fields
	}{{"customer_fields.", t.CustomerFields}, {"agent_fields.", t.AgentFields}} {
		for _, k := range slices.Sorted(maps.Keys(fs.f)) {
			v, ok := NormalizeValue(fs.f[k])
			if !ok {
				c.Add(fs.name+k, "unsupported value type %T", fs.f[k])
				continue
			}
			text.Check(&c, fs.name+k, k, true, 100) // the key itself
			switch x := v.(type) {
			case string:
				text.Check(&c, fs.name+k, x, false, MaxFieldValueBytes)
			case []string:
				for _, e := range x {
					text.Check(&c, fs.name+k, e, false, MaxFieldValueBytes)
				}
			}
		}
	}
	return c.Err()
}
