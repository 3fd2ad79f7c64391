package field

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// Limits of a definition.
const (
	MaxLabelBytes       = text.NameBytes  // per language, labels of fields and options: 200
	MaxHelpTextBytes    = text.ShortBytes // per language: 1,000
	MaxOptions          = text.MaxList    // per select: 500
	MaxOptionValueBytes = text.KeyBytes   // 100
)

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidKey reports whether key has the form of a field key: a lower-case
// letter, then up to 63 of a–z, 0–9 and '_'.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// Validate checks a new user field against the service's languages (langs;
// def is the default one) and returns a *helpdesk.ValidationError naming
// every bad part: key, kind, type (FLD-1), label (required in the default
// language), help text, options (a select without options is refused, other
// types take none). A system field's key passes here; it is taken, which
// CheckCreate reports as ErrDuplicateKey.
func (n New) Validate(langs []string, def string) error {
	var c errs.Collector
	if !ValidKey(n.Key) {
		c.Add("key", "%q must be a lower-case letter, then up to 63 of a–z, 0–9 and '_'", n.Key)
	}
	if !n.Kind.Valid() {
		c.Add("kind", "unknown kind %q (customer or agent)", n.Kind)
	}
	if !n.Type.Valid() {
		c.Add("type", "unknown type %q (FLD-1: %v)", n.Type, Types)
	}
	checkText(&c, "label", n.Label, langs, def, true, MaxLabelBytes)
	checkText(&c, "help_text", n.HelpText, langs, def, false, MaxHelpTextBytes)
	if n.Type.Valid() {
		checkOptions(&c, n.Type, n.Options, langs, def)
	}
	return c.Err()
}

// Field returns the user field n defines, created at at.
func (n New) Field(at time.Time) Field {
	return Field{Key: n.Key, Kind: n.Kind, Type: n.Type, Label: n.Label, HelpText: n.HelpText, Required: n.Required,
		Options: n.Options, CreatedAt: at, UpdatedAt: at}.Clone()
}

// ValidateUpdate checks u as a change of f, the stored definition, against
// the service's languages, as New.Validate checks a new field; only the
// parts u changes are checked. Changing what a system field's defaults fix
// (its option values; the required flag of title, content and priority)
// is refused with an error that matches ErrSystemField.
func (f Field) ValidateUpdate(u Update, langs []string, def string) error {
	var c errs.Collector
	fixed := false
	if u.Label != nil {
		checkText(&c, "label", *u.Label, langs, def, true, MaxLabelBytes)
	}
	if u.HelpText != nil {
		checkText(&c, "help_text", *u.HelpText, langs, def, false, MaxHelpTextBytes)
	}
	if u.Required != nil && !*u.Required && f.System && slices.Contains(alwaysRequired, f.Key) {
		c.Add("required", "system field %q is required by every ticket (TKT-1)", f.Key)
		fixed = true
	}
	if u.Options != nil {
		if f.System {
			d, _ := SystemField(f.Key)
			if !slices.Equal(optionValues(d.Options), optionValues(*u.Options)) {
				c.Add("options", "the option values of system field %q are fixed to %q; only their labels change", f.Key, optionValues(d.Options))
				fixed = true
			}
		}
		if !c.Has("options") {
			checkOptions(&c, f.Type, *u.Options, langs, def)
		}
	}
	err := c.Err()
	if err != nil && fixed {
		return tagged(ErrSystemField, err)
	}
	return err
}

func optionValues(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

// checkText records the problems of a per-language text: languages the
// service does not have, invalid or over-long texts, and (required) no text
// in the default language.
func checkText(c *errs.Collector, name string, t i18n.Text, langs []string, def string, required bool, max int) {
	for _, l := range t.Langs() {
		s := t[l]
		switch {
		case !slices.Contains(langs, l):
			c.Add(name, "language %q is not one of the service's languages %v", l, langs)
		case !utf8.ValidString(s):
			c.Add(name, "the %q text is not valid UTF-8", l)
		case strings.IndexByte(s, 0) >= 0:
			c.Add(name, "the %q text contains a NUL byte", l)
		case len(s) > max:
			c.Add(name, "the %q text is %d bytes, over the limit of %d", l, len(s), max)
		}
	}
	if required && strings.TrimSpace(t[def]) == "" {
		c.Add(name, "needs a text in the default language %q (SVC-2)", def)
	}
}

// checkOptions records the problems of the options of a field of type t.
func checkOptions(c *errs.Collector, t Type, opts []Option, langs []string, def string) {
	if !t.HasOptions() {
		if len(opts) > 0 {
			c.Add("options", "a %s field takes no options", t)
		}
		return
	}
	switch {
	case len(opts) == 0:
		c.Add("options", "a %s field needs at least one option", t)
		return
	case len(opts) > MaxOptions:
		c.Add("options", "has %d options, over the limit of %d", len(opts), MaxOptions)
		return
	}
	seen := make(map[string]bool, len(opts))
	for i, o := range opts {
		name := fmt.Sprintf("options[%d]", i)
		switch {
		case strings.TrimSpace(o.Value) == "" || strings.TrimSpace(o.Value) != o.Value:
			c.Add(name+".value", "%q must be non-empty, without leading or trailing spaces", o.Value)
		case !utf8.ValidString(o.Value) || strings.IndexByte(o.Value, 0) >= 0 || len(o.Value) > MaxOptionValueBytes:
			c.Add(name+".value", "must be valid UTF-8 without a NUL byte, of at most %d bytes", MaxOptionValueBytes)
		case seen[o.Value]:
			c.Add(name+".value", "%q is listed twice", o.Value)
		}
		seen[o.Value] = true
		checkText(c, name+".label", o.Label, langs, def, false, MaxLabelBytes)
	}
}

// taggedError is a *ValidationError that also matches a kind such as
// ErrPinned.
type taggedError struct {
	kind error
	ve   error
}

func (e *taggedError) Error() string   { return e.ve.Error() }
func (e *taggedError) Unwrap() []error { return []error{e.kind, e.ve} }

// tagged returns err (a *helpdesk.ValidationError) so that it also matches
// kind with errors.Is; errors.As still finds the *ValidationError.
func tagged(kind, err error) error {
	if err == nil {
		return nil
	}
	return &taggedError{kind: kind, ve: err}
}
