package trigger

import (
	"time"

	"github.com/deskkit/deskkit/internal/errs"
)

// The order rules of TRG-1, as pure functions over a service's triggers
// (Repository.List). Each trigger is in one of two lists, active or
// inactive, whose positions are 0..n-1. Package helpdesk takes the
// service's trigger lock, reads the triggers, calls one of these and
// saves the rows it returns (Repository.Save); the store checks nothing.

// End returns the position a trigger joining the active list (or the
// inactive one) of ts takes: after the last one (TRG-1).
func End(ts []Trigger, active bool) int {
	n := 0
	for _, t := range ts {
		if t.Active == active {
			n++
		}
	}
	return n
}

// find returns the index of trigger id in ts, or ErrNotFound.
func find(ts []Trigger, id string) (int, error) {
	for i, t := range ts {
		if t.ID == id {
			return i, nil
		}
	}
	return -1, errs.NotFound("trigger", id)
}

// closeGap returns the triggers of ts after position pos of a list, each
// one place up.
func closeGap(ts []Trigger, active bool, pos int) []Trigger {
	var out []Trigger
	for _, t := range ts {
		if t.Active == active && t.Position > pos {
			t.Position--
			out = append(out, t)
		}
	}
	return out
}

// Move returns the rows that move trigger id of ts to the end of the
// active list (active) or of the inactive one (TRG-1): first the trigger,
// with UpdatedAt at, then the triggers after it in the list it leaves, one
// place up. A trigger already in that list stays where it is: no rows.
// ErrNotFound when ts has no trigger id.
func Move(ts []Trigger, id string, active bool, at time.Time) ([]Trigger, error) {
	i, err := find(ts, id)
	if err != nil {
		return nil, err
	}
	t := ts[i]
	if t.Active == active {
		return nil, nil
	}
	from, pos := t.Active, t.Position
	t.Active, t.Position, t.UpdatedAt = active, End(ts, active), at
	return append([]Trigger{t}, closeGap(ts, from, pos)...), nil
}

// Reorder returns the active triggers of ts whose position changes when
// the active list takes the order of ids (TRG-1), with their new
// positions; none when it is the current order. ids must name every
// active trigger once (CheckOrder).
func Reorder(ts []Trigger, ids []string) ([]Trigger, error) {
	var active []string
	byID := make(map[string]Trigger, len(ts))
	for _, t := range ts {
		if t.Active {
			active = append(active, t.ID)
			byID[t.ID] = t
		}
	}
	if err := CheckOrder(active, ids); err != nil {
		return nil, err
	}
	var out []Trigger
	for pos, id := range ids {
		if t := byID[id]; t.Position != pos {
			t.Position = pos
			out = append(out, t)
		}
	}
	return out, nil
}

// CheckOrder refuses a reorder unless ids name every id of active once;
// the error matches ErrInvalid.
func CheckOrder(active, ids []string) error {
	known := make(map[string]bool, len(active))
	for _, id := range active {
		known[id] = true
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		switch {
		case seen[id]:
			return errs.New(ErrInvalid, "reorder triggers: %q is listed twice", id)
		case !known[id]:
			return errs.New(ErrInvalid, "reorder triggers: %q is no active trigger", id)
		}
		seen[id] = true
	}
	if len(ids) != len(active) {
		return errs.New(ErrInvalid, "reorder triggers: %d of %d active triggers listed", len(ids), len(active))
	}
	return nil
}

// Remove checks that trigger id of ts may be deleted and returns the rows
// that close the gap it leaves: the inactive triggers after it, one place
// up (TRG-1). Only an inactive trigger can be deleted: ErrActive for an
// active one; ErrNotFound when ts has no trigger id.
func Remove(ts []Trigger, id string) ([]Trigger, error) {
	i, err := find(ts, id)
	if err != nil {
		return nil, err
	}
	if ts[i].Active {
		return nil, errs.New(ErrActive, "trigger %q is active; deactivate it before deleting it (TRG-1)", id)
	}
	return closeGap(ts, false, ts[i].Position), nil
}
