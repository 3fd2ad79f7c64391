package field

import (
	"fmt"
	"slices"

	"github.com/deskkit/deskkit/internal/errs"
)

// pinRule names the rule that pins the fields of layouts of a kind.
func pinRule(k Kind) string {
	if k == KindAgent {
		return "FLD-3"
	}
	return "FLD-2"
}

// CheckLayout validates keys as a layout of kind k against defs (every
// definition of the service, as Merge returns them) and returns the keys to
// store: pinned fields left out are put in place. It returns a
// *helpdesk.ValidationError naming every bad entry ("keys[3]"): unknown
// fields, fields of the other kind, keys listed twice, and pinned fields
// not in their place — the error then also matches ErrPinned. A pinned
// field listed must be where it stays: the intake type first and the
// privacy consent last in a customer layout (FLD-2), processing type then
// priority on top of the agent layout (FLD-3).
func CheckLayout(k Kind, keys []string, defs []Field) ([]string, error) {
	var c errs.Collector
	if !k.Valid() {
		c.Add("kind", "unknown kind %q", k)
		return nil, c.Err()
	}
	byKey := make(map[string]Field, len(defs))
	for _, f := range defs {
		byKey[f.Key] = f
	}
	top, bottom := listed(pinnedFirst[k], keys), listed(pinnedLast[k], keys)
	moved := false
	seen := make(map[string]bool, len(keys))
	for i, key := range keys {
		name := fmt.Sprintf("keys[%d]", i)
		if seen[key] {
			c.Add(name, "%q is listed twice", key)
			continue
		}
		seen[key] = true
		f, ok := byKey[key]
		switch {
		case !ok:
			c.Add(name, "no field %q in this service", key)
			continue
		case f.Kind != k:
			c.Add(name, "%q is a %s field; a %s layout holds %s fields", key, f.Kind, k, k)
			continue
		}
		if at := slices.Index(top, key); at >= 0 && i != at {
			c.Add(name, "%q is pinned at position %d of the %s layout (%s); it cannot move", key, at+1, k, pinRule(k))
			moved = true
		}
		if at := slices.Index(bottom, key); at >= 0 && i != len(keys)-len(bottom)+at {
			c.Add(name, "%q is pinned last in the %s layout (%s); it cannot move", key, k, pinRule(k))
			moved = true
		}
	}
	if err := c.Err(); err != nil {
		if moved {
			return nil, tagged(ErrPinned, err)
		}
		return nil, err
	}
	return placePins(k, keys), nil
}

// listed returns the pins that keys lists, in pin order.
func listed(pins, keys []string) []string {
	var out []string
	for _, p := range pins {
		if slices.Contains(keys, p) {
			out = append(out, p)
		}
	}
	return out
}

// placePins returns keys with every pinned field of kind k at its place and
// each key once.
func placePins(k Kind, keys []string) []string {
	top, bottom := pinnedFirst[k], pinnedLast[k]
	out := slices.Clone(top)
	seen := make(map[string]bool, len(keys))
	for _, key := range keys {
		if seen[key] || slices.Contains(top, key) || slices.Contains(bottom, key) {
			continue
		}
		seen[key] = true
		out = append(out, key)
	}
	return append(out, bottom...)
}

// Resolve returns the keys of a layout of kind k as they apply now: the
// stored keys (ok) without the fields that no longer exist or are of the
// other kind, pinned fields in place; or, when nothing is stored, every
// field of kind k in defs order, pinned fields in place.
func Resolve(k Kind, stored []string, ok bool, defs []Field) []string {
	kinds := make(map[string]Kind, len(defs))
	for _, f := range defs {
		kinds[f.Key] = f.Kind
	}
	var keys []string
	if ok {
		for _, key := range stored {
			if kinds[key] == k {
				keys = append(keys, key)
			}
		}
	} else {
		for _, f := range defs {
			if f.Kind == k {
				keys = append(keys, f.Key)
			}
		}
	}
	return placePins(k, keys)
}

// NewSchema returns the schema of tickets of intake category
// intakeCategoryID ("" for tickets without one) built from what a store
// holds (FLD-2, FLD-3): the rows merged with the system-field defaults
// (Merge); the customer layout of the category, else the service's default
// customer layout (Inherited), else every customer field (Inherited); the
// agent layout, else every agent field (Inherited). Stored layouts of other
// categories are ignored; each layout is resolved as Resolve says.
func NewSchema(st Stored, intakeCategoryID string) Schema {
	defs := Merge(st.Fields)
	stored := func(k Kind, id string) ([]string, bool) {
		for _, l := range st.Layouts {
			if l.Kind == k && l.IntakeCategoryID == id {
				return l.Keys, true
			}
		}
		return nil, false
	}
	c := Layout{Kind: KindCustomer, IntakeCategoryID: intakeCategoryID}
	keys, ok := stored(KindCustomer, intakeCategoryID)
	if !ok && intakeCategoryID != "" {
		keys, ok = stored(KindCustomer, "")
		c.Inherited = true
	}
	c.Inherited = c.Inherited || !ok
	c.Keys = Resolve(KindCustomer, keys, ok, defs)
	keys, ok = stored(KindAgent, "")
	a := Layout{Kind: KindAgent, Keys: Resolve(KindAgent, keys, ok, defs), Inherited: !ok}
	return Schema{Fields: defs, Customer: c, Agent: a}
}

// WithoutKey returns the layouts of ls that list key, each without it and
// otherwise unchanged: what to store again when the field with key is
// deleted, so that no layout lists it (FLD-4). ls is not modified.
func WithoutKey(ls []Layout, key string) []Layout {
	var out []Layout
	for _, l := range ls {
		if !slices.Contains(l.Keys, key) {
			continue
		}
		l.Keys = slices.DeleteFunc(slices.Clone(l.Keys), func(k string) bool { return k == key })
		out = append(out, l)
	}
	return out
}
