package field

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Limits of a value, in bytes of UTF-8.
const (
	MaxTextBytes      = text.ShortBytes // text, email, phone and the date types: 1,000
	MaxMultilineBytes = text.LongBytes  // multi-line text: 64 KiB
	MaxURLBytes       = text.URLBytes   // 2 KiB
)

// DateLayout is the form of a date value; date-time values are RFC 3339
// (time.RFC3339, with a zone; fractional seconds allowed).
const DateLayout = "2006-01-02"

// Blank reports whether v counts as no value: nil, a string of spaces
// only, or an empty list.
func Blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []string:
		return len(x) == 0
	}
	return false
}

// Shape names the shape of a value for messages: "text", "a number",
// "true or false", "a list", "nothing".
func Shape(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case []string:
		return "a list"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("a %T", v)
}

// CheckValue returns nil when v is a valid value of f, else an error saying
// why. v must have the canonical shape of f's type (see Type); a blank
// value is valid here, Check enforces Required. Text must be valid UTF-8
// within the limits; a date is "2006-01-02" and a real day; a date-time is
// RFC 3339; an email a plain address; a phone number 3 to 20 digits with
// an optional leading + and spaces, '-', '(', ')' or '.'; a URL absolute,
// http or https; a select's value one of its options, a multi select's a
// list of distinct option values.
func (f Field) CheckValue(v any) error {
	switch f.Type {
	case TypeNumber:
		n, ok := v.(float64)
		if !ok {
			return fmt.Errorf("must be a number, not %s", Shape(v))
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return errors.New("must be a finite number")
		}
		return nil
	case TypeCheckbox:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be true or false, not %s", Shape(v))
		}
		return nil
	case TypeMultiSelect:
		l, ok := v.([]string)
		if !ok {
			return fmt.Errorf("must be a list of option values, not %s", Shape(v))
		}
		seen := make(map[string]bool, len(l))
		for _, s := range l {
			if _, ok := f.Option(s); !ok {
				return fmt.Errorf("%q is not one of the options %q", truncate(s), optionValues(f.Options))
			}
			if seen[s] {
				return fmt.Errorf("%q is chosen twice", s)
			}
			seen[s] = true
		}
		return nil
	case TypeText, TypeMultiline, TypeDate, TypeDateTime, TypeSelect, TypeEmail, TypePhone, TypeURL, TypeCategory:
	default:
		return fmt.Errorf("field %q has unknown type %q", f.Key, f.Type)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be text, not %s", Shape(v))
	}
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return errors.New("is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains a NUL byte")
	}
	max := MaxTextBytes
	switch f.Type {
	case TypeMultiline:
		max = MaxMultilineBytes
	case TypeURL:
		max = MaxURLBytes
	}
	if len(s) > max {
		return fmt.Errorf("is %d bytes, over the limit of %d", len(s), max)
	}
	switch f.Type {
	case TypeText:
		if strings.ContainsAny(s, "\r\n") {
			return errors.New("must be one line (a multi-line text field takes line breaks)")
		}
	case TypeDate:
		if d, err := time.Parse(DateLayout, s); err != nil || d.Format(DateLayout) != s {
			return fmt.Errorf("%q is not a date of the form 2006-01-02", truncate(s))
		}
	case TypeDateTime:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return fmt.Errorf("%q is not an RFC 3339 date-time such as 2006-01-02T15:04:05+09:00", truncate(s))
		}
	case TypeSelect:
		if _, ok := f.Option(s); !ok {
			return fmt.Errorf("%q is not one of the options %q", truncate(s), optionValues(f.Options))
		}
	case TypeEmail:
		if !text.Email(s) {
			return fmt.Errorf("%q is not a plain email address", truncate(s))
		}
	case TypePhone:
		if !text.Phone(s) {
			return fmt.Errorf("%q is not a phone number (3 to 20 digits, optional +, spaces, - ( ) .)", truncate(s))
		}
	case TypeURL:
		if !validURL(s) {
			return fmt.Errorf("%q is not an absolute http or https URL", truncate(s))
		}
	}
	return nil
}

func validURL(s string) bool {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" && u.Opaque == ""
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// missing reports whether v does not satisfy a required field f: no value,
// or an unchecked checkbox.
func missing(f Field, v any) bool {
	return Blank(v) || (f.Type == TypeCheckbox && v == false)
}

// sameValue reports whether two canonical values are equal; values of any
// other shape are never equal.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	}
	return false
}

// Check validates the values of one kind that one ticket carries against
// the definitions and the layout that apply to it (FLD-5).
type Check struct {
	// Prefix starts the name of every problem: "customer_fields." names
	// the problem of key size "customer_fields.size".
	Prefix string
	// Kind is the kind of the values: Schema.Customer or Schema.Agent is
	// the layout they are checked against.
	Kind Kind
	// Schema holds the definitions and the layouts.
	Schema Schema
	// Compare makes Before the stored values the new ones replace (an
	// update, or the ticket a follow-up copies): a key whose value is the
	// same in Before is not checked at all, so that a value valid when it
	// was stored — an option removed since, a field deleted or taken out
	// of the layout since — never makes a later write fail; a required
	// field without a value in Before and now is not reported either.
	Compare bool
	Before  map[string]any
	// Required enforces the required flag of the layout's fields: no
	// value, or an unchecked required checkbox, is a problem. Fields that
	// stand for a ticket column (Field.Column) are the caller's to check.
	Required bool
}

// Run checks values and returns a *problem.ValidationError
// (helpdesk.ValidationError) with one problem for every bad value, or nil:
// a key that is no field of the service, a field of the other kind, a
// field that stands for a ticket column, a field not in the layout, a
// value of the wrong shape or not one of the options, and (Required) a
// missing required value. Every bad field is reported, once, not only the
// first.
func (k Check) Run(values map[string]any) error {
	var c errs.Collector
	layout := k.Schema.Customer
	if k.Kind == KindAgent {
		layout = k.Schema.Agent
	}
	defs := make(map[string]Field, len(k.Schema.Fields))
	for _, f := range k.Schema.Fields {
		defs[f.Key] = f
	}
	inLayout := make(map[string]bool, len(layout.Keys))
	for _, key := range layout.Keys {
		inLayout[key] = true
	}
	unchanged := func(key string, v any) bool {
		b, ok := k.Before[key]
		return k.Compare && ok && sameValue(b, v)
	}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		name, v := k.Prefix+key, values[key]
		if unchanged(key, v) {
			continue
		}
		f, ok := defs[key]
		switch {
		case !ok:
			c.Add(name, "no field %q in this service", key)
		case f.Kind != k.Kind:
			c.Add(name, "%q is a %s field, not a %s field", key, f.Kind, k.Kind)
		case f.Column() != "":
			c.Add(name, "the value of %q is the ticket's %s, not a custom value", key, f.Column())
		case !inLayout[key]:
			c.Add(name, "%q is not in the %s layout that applies to this ticket", key, k.Kind)
		default:
			if err := f.CheckValue(v); err != nil {
				c.Add(name, "%v", err)
			} else if k.Required && f.Required && missing(f, v) {
				c.Add(name, "%s", requiredReason(f))
			}
		}
	}
	if !k.Required {
		return c.Err()
	}
	for _, key := range layout.Keys {
		f, ok := defs[key]
		if !ok || !f.Required || f.Column() != "" {
			continue
		}
		if _, given := values[key]; given {
			continue // checked above
		}
		if _, had := k.Before[key]; k.Compare && !had {
			continue // missing before and now: unchanged
		}
		if name := k.Prefix + key; !c.Has(name) {
			c.Add(name, "%s", requiredReason(f))
		}
	}
	return c.Err()
}

func requiredReason(f Field) string {
	if f.Type == TypeCheckbox {
		return "is required: it must be checked"
	}
	return "is required"
}
