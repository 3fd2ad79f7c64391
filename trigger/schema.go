package trigger

import (
	"slices"
	"strings"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// ValueType is what a target's value is; it decides the operators a target
// allows and the shape of a condition's value (TRG-3, TRG-4).
type ValueType string

// The value types.
const (
	TypeEvent    ValueType = "event"    // one of ticket.Events
	TypeStatus   ValueType = "status"   // one of ticket.Statuses
	TypePriority ValueType = "priority" // one of ticket.Priorities, ordered low < urgent
	TypeChannel  ValueType = "channel"  // one of ticket.Channels
	TypeCategory ValueType = "category" // a category id of the target's tree
	TypeAgent    ValueType = "agent"    // an agent id
	TypeGroup    ValueType = "group"    // a group id
	TypeLanguage ValueType = "language" // a language of the service
	TypeText     ValueType = "text"     // a string; contains and contains_words are case-, width- and NFC-insensitive
	TypeTags     ValueType = "tags"     // a set of tags
	TypeNumber   ValueType = "number"   // a float64
	TypeDate     ValueType = "date"     // "2006-01-02"
	TypeDateTime ValueType = "datetime" // RFC 3339; compared as instants
	TypeSelect   ValueType = "select"   // one option value
	TypeMulti    ValueType = "multi_select"
	TypeCheckbox ValueType = "checkbox" // a bool; no value is false
	TypeHours    ValueType = "hours"    // hours elapsed, a float64
)

// Target is one thing a condition can test.
type Target struct {
	// Name is what Condition.Target holds: "status", "intake_category",
	// "customer_fields.size" ...
	Name string    `json:"name"`
	Type ValueType `json:"type"`
	// Ops are the operators the target allows, in display order.
	Ops []Op `json:"ops"`
	// Values are the allowed values of an enumerated target (event,
	// status, priority, channel, language, select options); nil for a
	// free one.
	Values []string `json:"values,omitempty"`
	// Tree is the category tree of a category target.
	Tree string `json:"tree,omitempty"`
	// Field is the definition of a custom-field target.
	Field *field.Field `json:"field,omitempty"`

	guessed bool // typed by a condition, not by a definition (guessTarget)
}

// Allows reports whether op may be used on t.
func (t Target) Allows(op Op) bool { return slices.Contains(t.Ops, op) }

// Schema declares every target of one service: the ticket's own targets and
// one per custom field (TRG-3), and the action kinds (TRG-6). It is
// exported so that a UI can build its condition and action editors from it.
type Schema struct {
	Targets []Target `json:"targets"`
	// Languages are the service's languages (valid values of language);
	// DefaultLanguage is the one every per-language text needs.
	Languages       []string `json:"languages"`
	DefaultLanguage string   `json:"default_language"`
	// Actions are every action kind, in ActionKinds' order (TRG-6).
	Actions []ActionSpec `json:"actions"`
	index   map[string]int
}

// ActionSpec describes one action kind for a trigger editor (TRG-6).
type ActionSpec struct {
	Kind ActionKind `json:"kind"`
	// Fields are the JSON names of the Action fields the kind uses.
	Fields []string `json:"fields"`
	// Recipients are the values Recipient takes, for the kinds that have
	// one (an SMS action's may also be empty, with numbers in addresses).
	Recipients []string `json:"recipients,omitempty"`
	// Values are the values Value takes, for set_status and set_priority.
	Values []string `json:"values,omitempty"`
	// ChangesTicket and SendsMessage are the kind's ChangesTicket and
	// SendsMessage.
	ChangesTicket bool `json:"changes_ticket"`
	SendsMessage  bool `json:"sends_message"`
}

// actionSpecs returns the specs of every action kind, in ActionKinds'
// order.
func actionSpecs() []ActionSpec {
	people := []string{RecipientAssignee, RecipientGroup}
	var statuses []string
	for _, st := range ticket.Statuses {
		if st != ticket.StatusNew { // no ticket moves back to new (TKT-2)
			statuses = append(statuses, string(st))
		}
	}
	out := make([]ActionSpec, len(ActionKinds))
	for i, k := range ActionKinds {
		sp := ActionSpec{Kind: k, ChangesTicket: k.ChangesTicket(), SendsMessage: k.SendsMessage()}
		switch k {
		case AssignRandom, AssignRoundRobin:
			sp.Fields = []string{"group_id"}
		case AssignFixed:
			sp.Fields = []string{"group_id", "agent_id"}
		case SetStatus:
			sp.Fields, sp.Values = []string{"value"}, statuses
		case SetPriority:
			sp.Fields, sp.Values = []string{"value"}, strs(ticket.Priorities)
		case SetProcessingCategory:
			sp.Fields = []string{"category_id"}
		case SetField:
			sp.Fields = []string{"field", "value"}
		case AddTags, RemoveTags:
			sp.Fields = []string{"tags"}
		case Note:
			sp.Fields = []string{"body"}
		case Notify:
			sp.Fields, sp.Recipients = []string{"recipient", "subject", "body"}, append(slices.Clone(people), RecipientCustomer)
		case NotifyBrowser:
			sp.Fields, sp.Recipients = []string{"recipient", "subject", "body"}, slices.Clone(people)
		case Forward, ForwardAndComplete:
			sp.Fields = []string{"addresses", "body"}
		case Callback:
			sp.Fields = []string{"url"}
		case Dooray:
			sp.Fields = []string{"url", "body"}
		case SMS:
			sp.Fields, sp.Recipients = []string{"recipient", "addresses", "body"}, []string{RecipientCustomer}
		}
		out[i] = sp
	}
	return out
}

// Target returns the target with name. It is safe for concurrent use.
func (s *Schema) Target(name string) (Target, bool) {
	if s.index == nil { // a Schema not made by NewSchema
		for _, t := range s.Targets {
			if t.Name == name {
				return t, true
			}
		}
		return Target{}, false
	}
	i, ok := s.index[name]
	if !ok {
		return Target{}, false
	}
	return s.Targets[i], true
}

// names returns the names of the targets, in the schema's order.
func (s *Schema) names() []string {
	out := make([]string, len(s.Targets))
	for i, t := range s.Targets {
		out[i] = t.Name
	}
	return out
}

// has reports whether the schema has a target with name.
func (s *Schema) has(name string) bool {
	_, ok := s.Target(name)
	return ok
}

// The operator sets, by kind of target.
var (
	changeOps = []Op{Changed, ChangedTo, ChangedFrom, NotChanged}
	enumOps   = append([]Op{Is, IsNot, In, NotIn}, changeOps...)
	idOps     = append([]Op{Is, IsNot, In, NotIn, Present, Absent}, changeOps...)
	wordOps   = []Op{ContainsWords, NotContainsWords, Contains, NotContains}
	textOps   = slices.Concat([]Op{Is, IsNot}, wordOps, []Op{Present, Absent}, changeOps)
	catOps    = slices.Concat([]Op{Is, IsNot, In, NotIn, IsUnder, IsNotUnder, IsUnderAny, IsNotUnderAny, Present, Absent}, changeOps)
	orderOps  = append([]Op{Is, IsNot, GreaterThan, LessThan, Present, Absent}, changeOps...)
)

// Names of the ticket's own targets.
const (
	TargetEvent              = "event"
	TargetStatus             = "status"
	TargetPriority           = "priority"
	TargetChannel            = "channel"
	TargetIntakeCategory     = "intake_category"
	TargetProcessingCategory = "processing_category"
	TargetAssignee           = "assignee"
	TargetGroup              = "group"
	TargetRequesterEmail     = "requester_email"
	TargetTitle              = "title"
	TargetContent            = "content"
	TargetTags               = "tags"
	TargetLanguage           = "language"
	TargetHoursSinceCreated  = "hours_since_created"
	TargetHoursSinceUpdated  = "hours_since_updated"
)

func strs[T ~string](l []T) []string {
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = string(v)
	}
	return out
}

// NewSchema returns the schema of a service with field definitions fields
// (as field.Merge returns them), languages and default language def. System fields that
// stand for a ticket column (title, priority, ...) are the ticket's own
// targets; every other field is "customer_fields.KEY" or
// "agent_fields.KEY", typed by its definition. Actions lists every action
// kind.
func NewSchema(fields []field.Field, languages []string, def string) *Schema {
	s := &Schema{Languages: slices.Clone(languages), DefaultLanguage: def, Actions: actionSpecs(), Targets: []Target{
		{Name: TargetEvent, Type: TypeEvent, Ops: []Op{Is, IsNot, In, NotIn}, Values: strs(ticket.Events)},
		{Name: TargetStatus, Type: TypeStatus, Ops: enumOps, Values: strs(ticket.Statuses)},
		{Name: TargetPriority, Type: TypePriority, Ops: append(slices.Clone(enumOps), GreaterThan, LessThan), Values: strs(ticket.Priorities)},
		{Name: TargetChannel, Type: TypeChannel, Ops: enumOps, Values: strs(ticket.Channels)},
		{Name: TargetIntakeCategory, Type: TypeCategory, Tree: "intake", Ops: catOps},
		{Name: TargetProcessingCategory, Type: TypeCategory, Tree: "processing", Ops: catOps},
		{Name: TargetAssignee, Type: TypeAgent, Ops: idOps},
		{Name: TargetGroup, Type: TypeGroup, Ops: idOps},
		{Name: TargetRequesterEmail, Type: TypeText, Ops: textOps},
		{Name: TargetTitle, Type: TypeText, Ops: slices.Concat([]Op{Is, IsNot}, wordOps, []Op{Changed, NotChanged})},
		{Name: TargetContent, Type: TypeText, Ops: slices.Concat(wordOps, []Op{Changed, NotChanged})},
		{Name: TargetTags, Type: TypeTags, Ops: []Op{Contains, NotContains, Present, Absent, Changed, NotChanged}},
		{Name: TargetLanguage, Type: TypeLanguage, Ops: enumOps, Values: slices.Clone(languages)},
		{Name: TargetHoursSinceCreated, Type: TypeHours, Ops: []Op{GreaterThan, LessThan}},
		{Name: TargetHoursSinceUpdated, Type: TypeHours, Ops: []Op{GreaterThan, LessThan}},
	}}
	for _, f := range fields {
		if f.Column() != "" {
			continue
		}
		s.Targets = append(s.Targets, fieldTarget(f))
	}
	s.index = make(map[string]int, len(s.Targets))
	for i, t := range s.Targets {
		s.index[t.Name] = i
	}
	return s
}

// FieldTarget returns the target name of the custom field with kind and
// key.
func FieldTarget(kind field.Kind, key string) string {
	if kind == field.KindAgent {
		return "agent_fields." + key
	}
	return "customer_fields." + key
}

// SplitField splits a custom-field target name ("customer_fields.KEY",
// "agent_fields.KEY") into its kind and key; ok is false for any other
// target.
func SplitField(name string) (kind field.Kind, key string, ok bool) {
	if k, ok := strings.CutPrefix(name, "customer_fields."); ok {
		return field.KindCustomer, k, true
	}
	if k, ok := strings.CutPrefix(name, "agent_fields."); ok {
		return field.KindAgent, k, true
	}
	return "", "", false
}

func fieldTarget(f field.Field) Target {
	f = f.Clone()
	t := Target{Name: FieldTarget(f.Kind, f.Key), Field: &f}
	switch f.Type {
	case field.TypeNumber:
		t.Type, t.Ops = TypeNumber, orderOps
	case field.TypeDate:
		t.Type, t.Ops = TypeDate, orderOps
	case field.TypeDateTime:
		t.Type, t.Ops = TypeDateTime, orderOps
	case field.TypeSelect:
		t.Type, t.Ops = TypeSelect, idOps
	case field.TypeMultiSelect:
		t.Type, t.Ops = TypeMulti, []Op{Contains, NotContains, Present, Absent, Changed, NotChanged}
	case field.TypeCheckbox:
		t.Type, t.Ops = TypeCheckbox, append([]Op{Is}, changeOps...)
	default: // text, multi-line text, email, phone, URL
		t.Type, t.Ops = TypeText, textOps
	}
	for _, o := range f.Options {
		t.Values = append(t.Values, o.Value)
	}
	return t
}

// guessTarget types a custom-field target by the condition (see
// compiler.target): value-less operators read any stored value, numbers and
// bools their types, in / not in a single value, other texts a text (and,
// for contains, a multi select too: the compiler tests both).
func guessTarget(name string, op Op, v any) Target {
	t := Target{Name: name, Ops: Ops, guessed: true}
	switch {
	case op == Changed || op == NotChanged || op == Present || op == Absent:
		t.Type = typeAny
	case op == In || op == NotIn:
		t.Type = TypeSelect
	default:
		switch v.(type) {
		case float64:
			t.Type = TypeNumber
		case bool:
			t.Type = TypeCheckbox
		default:
			t.Type = TypeText
		}
	}
	return t
}

// typeAny types the slot of a custom field read as stored (change tests,
// presence of a field whose definition is gone).
const typeAny ValueType = "any"
