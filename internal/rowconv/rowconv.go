// Package rowconv holds the conversions between domain values and the
// shapes SQL stores keep them in that every SQL store adapter shares
// (adapters/postgres, adapters/sqlite): JSON-decoded values made
// canonical again, empty collections stored as NULL, link sets. It knows
// no driver.
package rowconv

import (
	"slices"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// FieldsColumn returns ticket field values as stored: nil (NULL) for
// none.
func FieldsColumn(f ticket.Fields) map[string]any {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Fields restores ticket field values read from JSON to their canonical
// shapes (JSON arrays decode as []any); nil for none.
func Fields(m map[string]any) ticket.Fields {
	if len(m) == 0 {
		return nil
	}
	f := make(ticket.Fields, len(m))
	for k, v := range m {
		if n, ok := ticket.NormalizeValue(v); ok {
			v = n
		}
		f[k] = v
	}
	return f
}

// Conditions returns trigger conditions read from JSON with their values
// made canonical; nil for none.
func Conditions(cs []trigger.Condition) []trigger.Condition {
	if len(cs) == 0 {
		return nil
	}
	for i := range cs {
		cs[i].Value = Value(cs[i].Value)
	}
	return cs
}

// Actions returns trigger actions read from JSON with their values made
// canonical; nil for none.
func Actions(as []trigger.Action) []trigger.Action {
	if len(as) == 0 {
		return nil
	}
	for i := range as {
		as[i].Value = Value(as[i].Value)
	}
	return as
}

// Value undoes what a JSON round trip does to a condition's or action's
// value where it can: a list of strings comes back as []string (numbers
// already are float64, as written).
func Value(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return v
		}
		out[i] = s
	}
	return out
}

// Links returns a template's category ids as a set: ascending, once each,
// never nil.
func Links(t template.Template) []string {
	ids := append([]string{}, t.CategoryIDs...)
	slices.Sort(ids)
	return slices.Compact(ids)
}
