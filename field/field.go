package field

import (
	"context"
	"slices"
	"time"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

// Errors the rule helpers and the validators return (a Repository returns
// only ErrNotFound, helpdesk.ErrConflict and storage errors). Match them
// with errors.Is; each also matches one of the helpdesk error kinds.
var (
	// ErrNotFound: no field with the key (helpdesk.ErrNotFound).
	ErrNotFound = errs.ErrNotFound
	// ErrDuplicateKey: another field of the service, system fields
	// included, has the key. It matches helpdesk.ErrConflict.
	ErrDuplicateKey = errs.New(errs.ErrConflict, "field key is taken")
	// ErrSystemField: the call would delete a system field, which can only
	// be reset (FLD-4), or change what a system field's defaults fix. It
	// matches helpdesk.ErrInvalid.
	ErrSystemField = errs.New(errs.ErrInvalid, "system field")
	// ErrNotSystem: Reset was called on a user field, which has no
	// defaults. It matches helpdesk.ErrInvalid.
	ErrNotSystem = errs.New(errs.ErrInvalid, "not a system field")
	// ErrPinned: a layout moves a pinned field (FLD-2, FLD-3). The error
	// is also a *helpdesk.ValidationError naming every problem of the
	// layout; it matches helpdesk.ErrInvalid.
	ErrPinned = errs.New(errs.ErrInvalid, "pinned field moved")
)

// Kind says who fills a field in.
type Kind string

// The kinds.
const (
	// KindCustomer fields are entered when a ticket is received or
	// escalated (FLD-2); their values are ticket.CustomerFields.
	KindCustomer Kind = "customer"
	// KindAgent fields are entered while a ticket is processed (FLD-3);
	// their values are ticket.AgentFields.
	KindAgent Kind = "agent"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindCustomer || k == KindAgent }

// Type is what a field's value is (FLD-1). The canonical value shapes are
// those of ticket.Fields: string, float64, bool, []string.
type Type string

// The FLD-1 types, with the shape of their values.
const (
	TypeText        Type = "text"           // string, one line
	TypeMultiline   Type = "multiline_text" // string, line breaks allowed
	TypeNumber      Type = "number"         // float64
	TypeDate        Type = "date"           // string "2006-01-02"
	TypeDateTime    Type = "datetime"       // string, RFC 3339 with a zone
	TypeSelect      Type = "select"         // string: one option value
	TypeMultiSelect Type = "multi_select"   // []string of distinct option values
	TypeCheckbox    Type = "checkbox"       // bool
	TypeEmail       Type = "email"          // string, a plain address
	TypePhone       Type = "phone"          // string of digits, optional +, spaces, - ( ) .
	TypeURL         Type = "url"            // string, an absolute http or https URL
	// TypeCategory is the type of the intake-type and processing-type
	// system fields: a choice in a category tree, kept in a ticket column.
	// Users cannot create fields of this type.
	TypeCategory Type = "category"
)

// Types lists the FLD-1 types, the ones a user field may have.
var Types = []Type{TypeText, TypeMultiline, TypeNumber, TypeDate, TypeDateTime, TypeSelect, TypeMultiSelect,
	TypeCheckbox, TypeEmail, TypePhone, TypeURL}

// Valid reports whether t is one of the FLD-1 types (TypeCategory is not).
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// HasOptions reports whether values of t are chosen from options.
func (t Type) HasOptions() bool { return t == TypeSelect || t == TypeMultiSelect }

// Option is one choice of a select field.
type Option struct {
	// Value is what a ticket stores; it never changes while the option
	// exists.
	Value string `json:"value"`
	// Label is what people see; without one, the value is shown.
	Label i18n.Text `json:"label,omitempty"`
}

// Text returns the option's label in lang, falling back to def, then to
// the value (SVC-2).
func (o Option) Text(lang, def string) string {
	if s := o.Label.Get(lang, def); s != "" {
		return s
	}
	return o.Value
}

// Field is one field definition (FLD-1).
type Field struct {
	// Key identifies the field in its service and in ticket values: a
	// lower-case letter, then up to 63 of a–z, 0–9 and '_'. It never
	// changes.
	Key string `json:"key"`
	// Kind and Type never change: stored values keep their shape.
	Kind Kind `json:"kind"`
	Type Type `json:"type"`
	// Label is the field's name per language; it has a text in the
	// service's default language.
	Label    i18n.Text `json:"label,omitempty"`
	HelpText i18n.Text `json:"help_text,omitempty"`
	// Required fields must have a value (a required checkbox must be
	// checked); see Check for when this is enforced.
	Required bool `json:"required"`
	// Options are the choices of a select or multi select, in display
	// order; other types have none.
	Options []Option `json:"options,omitempty"`
	// System fields exist in every service, cannot be deleted and can be
	// reset to their defaults (FLD-4).
	System bool `json:"system"`
	// CreatedAt is zero for system fields; UpdatedAt is zero for a system
	// field that still has its defaults.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Clone returns a deep copy of f in canonical form: empty texts, options and
// option labels become nil, so that every store returns equal values.
func (f Field) Clone() Field {
	f.Label = cloneText(f.Label)
	f.HelpText = cloneText(f.HelpText)
	if len(f.Options) == 0 {
		f.Options = nil
	} else {
		opts := make([]Option, len(f.Options))
		for i, o := range f.Options {
			opts[i] = Option{Value: o.Value, Label: cloneText(o.Label)}
		}
		f.Options = opts
	}
	return f
}

func cloneText(t i18n.Text) i18n.Text {
	if len(t) == 0 {
		return nil
	}
	return t.Clone()
}

// Option returns f's option with value v.
func (f Field) Option(v string) (Option, bool) {
	for _, o := range f.Options {
		if o.Value == v {
			return o, true
		}
	}
	return Option{}, false
}

// Column returns the name of the ticket column that holds the value of a
// system field which stands for one ("intake_category_id",
// "requester.email", "title", "content", "processing_category_id",
// "priority"), or "" when the value is a custom value in
// ticket.CustomerFields or ticket.AgentFields. The name is the one
// validation problems and the history use.
func (f Field) Column() string {
	if !f.System {
		return ""
	}
	return columns[f.Key]
}

// New is what a caller supplies to define a user field.
type New struct {
	Key      string
	Kind     Kind
	Type     Type
	Label    i18n.Text
	HelpText i18n.Text
	Required bool
	Options  []Option // selects only, at least one
}

// Update changes a field's definition. A nil pointer leaves that part as
// it is. Key, kind and type never change. On a system field the option
// values are fixed (only their labels change), and title and content stay
// required.
type Update struct {
	Label    *i18n.Text
	HelpText *i18n.Text
	Required *bool
	Options  *[]Option
}

// Apply returns f with u applied. It does not validate.
func (f Field) Apply(u Update) Field {
	n := f.Clone()
	if u.Label != nil {
		n.Label = *u.Label
	}
	if u.HelpText != nil {
		n.HelpText = *u.HelpText
	}
	if u.Required != nil {
		n.Required = *u.Required
	}
	if u.Options != nil {
		n.Options = *u.Options
	}
	return n.Clone()
}

// Layout is the ordered list of the fields of one kind shown for a ticket.
type Layout struct {
	Kind Kind `json:"kind"`
	// IntakeCategoryID is the intake category a customer layout is for;
	// "" is the service's default customer layout (and the agent layout).
	// It is an opaque id: the field package does not look it up.
	IntakeCategoryID string `json:"intake_category_id,omitempty"`
	// Keys are the field keys in display order, pinned fields in place.
	Keys []string `json:"keys"`
	// Inherited is true when no layout was set for this intake category
	// (or no agent layout for the service): Keys are then those of the
	// service's default customer layout, or, without one, every field of
	// the kind.
	Inherited bool `json:"inherited"`
}

// Schema is what the values of one ticket are checked against: every
// definition of the service and the two layouts that apply to the ticket.
type Schema struct {
	// Fields are every definition, as Merge returns them.
	Fields []Field
	// Customer is the customer layout of the ticket's intake category.
	Customer Layout
	// Agent is the service's agent layout.
	Agent Layout
}

// Field returns the definition with key.
func (s Schema) Field(key string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Stored is what a store holds for the fields of one service, as
// Repository.Load reads it: rows only, nothing merged or resolved. NewSchema
// turns it into the Schema a ticket is checked against.
type Stored struct {
	// Fields are the stored definition rows: every user field and each
	// system field an admin changed, in no set order.
	Fields []Field
	// Layouts are the stored layouts asked for, each as set (Inherited
	// false), in no set order; a layout never set is absent.
	Layouts []Layout
}

// Repository persists one service's field-definition rows and layouts
// (SVC-1). It stores and reads rows and takes the lock; it makes no rule
// checks: system fields, duplicate keys, layout pins, inheritance and the
// cleanup of layouts after a delete are decided by the field package and
// the helpdesk workflows. Only a stored row exists here: a system field at
// its defaults has none (Merge adds it). Values go in and come out as
// copies. A refused write writes nothing and leaves the transaction usable.
type Repository interface {
	// Lock serialises the service's field and layout writes for the rest
	// of the transaction; read-check-write workflows take it before they
	// read.
	Lock(ctx context.Context) error
	// Row returns the stored row of key. ErrNotFound if there is none (a
	// system field at its defaults has none).
	Row(ctx context.Context, key string) (Field, error)
	// Rows returns every stored row, in no set order.
	Rows(ctx context.Context) ([]Field, error)
	// Insert stores f as a new row. ErrConflict if key f.Key has a row
	// (the primary key); ErrNotFound if the service does not exist.
	Insert(ctx context.Context, f Field) error
	// Put stores f as the row of f.Key, replacing the row there is, if
	// any. ErrNotFound if the service does not exist.
	Put(ctx context.Context, f Field) error
	// Delete removes the row of key; layouts are not touched. ErrNotFound
	// if there is none.
	Delete(ctx context.Context, key string) error

	// Layouts returns every stored layout of the service (Inherited
	// false), in no set order.
	Layouts(ctx context.Context) ([]Layout, error)
	// PutLayouts stores each layout's keys as given under its kind and
	// intake category id, replacing the layout there is. Inherited is
	// not stored. ErrNotFound if the service does not exist.
	PutLayouts(ctx context.Context, ls ...Layout) error
	// DeleteLayout removes the stored layout of kind k and intake
	// category id. ErrNotFound if there is none.
	DeleteLayout(ctx context.Context, k Kind, intakeCategoryID string) error

	// Load returns, in one read, everything a ticket of intake category
	// intakeCategoryID is checked against: every stored row and the
	// stored layouts among the agent layout, the service's default
	// customer layout ("") and the customer layout of intakeCategoryID.
	Load(ctx context.Context, intakeCategoryID string) (Stored, error)
}
