package field_test

import (
	"math"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/internal/errs"
)

// FuzzCheckValue feeds every field type values of every canonical shape,
// built from the fuzzer's input, and checks that validation never panics,
// reports every bad value with a problem, and that what it accepts has the
// form the type promises.
func FuzzCheckValue(f *testing.F) {
	f.Add(uint8(0), "hello", 1.5, true)
	f.Add(uint8(3), "2026-11-25", 0.0, false)
	f.Add(uint8(4), "2026-11-25T09:00:00+09:00", -3.0, true)
	f.Add(uint8(8), "lee@example.com", 2.0, false)
	f.Add(uint8(10), "https://example.com/a", 1e9, true)
	f.Add(uint8(9), "+82 10-1234-5678", 7.0, true)
	f.Add(uint8(6), "a\x00b", math.Inf(1), false)
	types := append(field.Types, field.TypeCategory)
	f.Fuzz(func(t *testing.T, which uint8, s string, n float64, b bool) {
		typ := types[int(which)%len(types)]
		def := field.Field{Key: "k", Kind: field.KindCustomer, Type: typ, Required: b}
		if typ.HasOptions() {
			def.Options = []field.Option{{Value: "a"}, {Value: s}}
		}
		parts := strings.Split(s, ",")
		vals := []any{s, n, b, parts, nil, []string{}, int(n)}
		bad := 0
		for _, v := range vals {
			err := def.CheckValue(v)
			if err != nil {
				bad++
				if err.Error() == "" {
					t.Fatalf("empty reason for %#v", v)
				}
				continue
			}
			checkAccepted(t, def, v)
		}
		// The same values through Check: one problem per bad key, no panic.
		values := map[string]any{}
		for i, v := range vals {
			values[string(rune('a'+i))] = v
		}
		defs := make([]field.Field, 0, len(vals))
		keys := make([]string, 0, len(vals))
		for k := range values {
			d := def
			d.Key = k
			defs = append(defs, d)
			keys = append(keys, k)
		}
		sch := field.Schema{Fields: defs, Customer: field.Layout{Kind: field.KindCustomer, Keys: keys}}
		err := field.Check{Prefix: "cf.", Kind: field.KindCustomer, Schema: sch, Required: true}.Run(values)
		var got int
		if ve, ok := err.(*errs.ValidationError); ok {
			got = len(ve.Problems)
		}
		if got < bad || got > len(vals) {
			t.Fatalf("%d problems for %d bad values of %d", got, bad, len(vals))
		}
		// Unchanged values are never checked.
		same := field.Check{Prefix: "cf.", Kind: field.KindCustomer, Schema: field.Schema{}, Compare: true, Before: values, Required: true}.Run(values)
		if err := same; err != nil {
			for _, p := range err.(*errs.ValidationError).Problems {
				if v := values[strings.TrimPrefix(p.Field, "cf.")]; selfEqual(v) {
					t.Fatalf("unchanged canonical value %#v reported: %v", v, p)
				}
			}
		}
	})
}

// selfEqual reports whether v is a canonical value equal to itself.
func selfEqual(v any) bool {
	switch x := v.(type) {
	case string, bool, []string:
		return true
	case float64:
		return !math.IsNaN(x)
	}
	return false
}

// checkAccepted fails t unless an accepted value has its type's form.
func checkAccepted(t *testing.T, def field.Field, v any) {
	t.Helper()
	s, isString := v.(string)
	switch def.Type {
	case field.TypeNumber:
		if n, ok := v.(float64); !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			t.Fatalf("number accepted %#v", v)
		}
		return
	case field.TypeCheckbox:
		if _, ok := v.(bool); !ok {
			t.Fatalf("checkbox accepted %#v", v)
		}
		return
	case field.TypeMultiSelect:
		l, ok := v.([]string)
		if !ok {
			t.Fatalf("multi select accepted %#v", v)
		}
		for _, x := range l {
			if _, ok := def.Option(x); !ok {
				t.Fatalf("multi select accepted %q", x)
			}
		}
		return
	}
	if !isString {
		t.Fatalf("%s accepted %#v", def.Type, v)
	}
	if s == "" {
		return
	}
	switch def.Type {
	case field.TypeText:
		if strings.ContainsAny(s, "\r\n") {
			t.Fatalf("text accepted a line break: %q", s)
		}
	case field.TypeDate:
		if _, err := time.Parse(field.DateLayout, s); err != nil {
			t.Fatalf("date accepted %q", s)
		}
	case field.TypeDateTime:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Fatalf("date-time accepted %q", s)
		}
	case field.TypeEmail:
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			t.Fatalf("email accepted %q", s)
		}
	case field.TypeURL:
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") &&
			!strings.HasPrefix(strings.ToLower(s), "http") {
			t.Fatalf("url accepted %q", s)
		}
	case field.TypeSelect:
		if _, ok := def.Option(s); !ok {
			t.Fatalf("select accepted %q", s)
		}
	}
}
