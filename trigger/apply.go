package trigger

import (
	"fmt"
	"slices"
	"time"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// ActionError says why an action could not be carried out on a ticket as
// it was when its trigger fired (an illegal status move, a tag limit). It
// matches ErrInvalid. Appliers record it and go on: a trigger never makes
// the change that caused its event fail.
type ActionError struct {
	Index  int // the action's index in the trigger
	Kind   ActionKind
	Reason string
}

// Error implements error.
func (e *ActionError) Error() string {
	return fmt.Sprintf("invalid: action %d (%s): %s", e.Index, e.Kind, e.Reason)
}

// Is reports whether target is ErrInvalid.
func (e *ActionError) Is(target error) bool { return target == errs.ErrInvalid }

// maxTags is the most tags a ticket takes (ticket.Validate).
const maxTags = text.MaxTags

// ApplyToTicket carries out action i of a trigger when it only changes the
// ticket — set status, priority, processing category or field, add or
// remove tags — and reports whether t changed. handled is false for the other kinds, which
// need the store or the outbox. A move TKT-2 does not allow, or tags over
// the limit, is an *ActionError and leaves t as it was.
func ApplyToTicket(i int, a Action, t *ticket.Ticket, now time.Time) (changed, handled bool, err error) {
	switch a.Kind {
	case SetStatus:
		s, _ := a.Value.(string)
		to := ticket.Status(s)
		if t.Status == to {
			return false, true, nil
		}
		if err := ticket.Transition(t.Status, to); err != nil {
			return false, true, &ActionError{Index: i, Kind: a.Kind, Reason: errs.Detail(err)}
		}
		t.Status = to
		switch to {
		case ticket.StatusSolved:
			t.SolvedAt = now
		case ticket.StatusClosed:
			t.ClosedAt = now
		}
		return true, true, nil
	case SetPriority:
		s, _ := a.Value.(string)
		p := ticket.Priority(s)
		if t.Priority == p {
			return false, true, nil
		}
		t.Priority = p
		return true, true, nil
	case SetProcessingCategory:
		if t.ProcessingCategoryID == a.CategoryID {
			return false, true, nil
		}
		t.ProcessingCategoryID = a.CategoryID
		return true, true, nil
	case SetField:
		kind, key, _ := SplitField(a.Field)
		vals := &t.CustomerFields
		if kind == field.KindAgent {
			vals = &t.AgentFields
		}
		old, had := (*vals)[key]
		if a.Value == nil {
			if !had {
				return false, true, nil
			}
			delete(*vals, key)
			return true, true, nil
		}
		if had && ticket.SameValue(old, a.Value) {
			return false, true, nil
		}
		if *vals == nil {
			*vals = ticket.Fields{}
		}
		v := a.Value
		if l, ok := v.([]string); ok {
			v = slices.Clone(l)
		}
		(*vals)[key] = v
		return true, true, nil
	case AddTags, RemoveTags:
		tags := slices.Clone(t.Tags)
		if a.Kind == AddTags {
			tags = ticket.NormalizeTags(append(tags, a.Tags...))
			if len(tags) > maxTags {
				return false, true, &ActionError{Index: i, Kind: a.Kind, Reason: fmt.Sprintf("the ticket would have %d tags, over the limit of %d", len(tags), maxTags)}
			}
		} else {
			tags = slices.DeleteFunc(tags, func(tg string) bool { return slices.Contains(a.Tags, tg) })
			if len(tags) == 0 {
				tags = nil
			}
		}
		if slices.Equal(tags, t.Tags) {
			return false, true, nil
		}
		t.Tags = tags
		return true, true, nil
	}
	return false, false, nil
}
