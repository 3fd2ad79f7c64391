package trigger

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
	"github.com/deskkit/deskkit/template"
)

// Limits of one trigger.
const (
	MaxNameBytes        = text.NameBytes // 200
	MaxDescriptionBytes = 2000
	MaxConditions       = 50 // per list (all, any)
	MaxActions          = 20
	MaxValues           = text.MaxList    // in a list value (in, not in, is under any, contains any of): 500
	MaxValueBytes       = text.ShortBytes // 1,000
	MaxBodyBytes        = text.LongBytes  // per language, of a notify, note, Dooray! or SMS text: 64 KiB
	MaxAddresses        = 50
	MaxAddressBytes     = text.AddressBytes // a mail address or phone number: 254
	MaxURLBytes         = text.URLBytes     // 2 KiB
)

// New is what a caller supplies to create a trigger or replace one's rule.
type New struct {
	Name        string
	Description string
	All, Any    []Condition
	Actions     []Action
	// Inactive creates the trigger in the inactive list; by default it
	// goes to the end of the active list (TRG-1).
	Inactive bool
}

// Resolver answers whether the objects a trigger names exist in the
// service (TRG-5).
type Resolver interface {
	// Category returns the live category with id, or an error matching
	// ErrNotFound.
	Category(ctx context.Context, id string) (category.Category, error)
	// Agent and Group return nil when the agent or group exists, an error
	// matching ErrNotFound when not.
	Agent(ctx context.Context, id string) error
	Group(ctx context.Context, id string) error
}

// Validate checks n against schema s and the objects r knows, and returns
// it in canonical form: values in their canonical shapes (numbers float64,
// lists []string, tags normalized, languages canonical). Every problem is
// reported in one *problem.ValidationError (it matches ErrInvalid) whose
// field names say where: "all[1].value", "any[0].op", "actions[2].group_id"
// (TRG-5). A trigger Validate accepts compiles and cannot fail at run time.
// Only storage errors of r are returned as they are.
func Validate(ctx context.Context, n New, s *Schema, r Resolver) (New, error) {
	v := validator{ctx: ctx, s: s, r: r}
	n.Name = strings.TrimSpace(n.Name)
	text.Check(&v.c, "name", n.Name, true, MaxNameBytes)
	text.Check(&v.c, "description", n.Description, false, MaxDescriptionBytes)
	if len(n.All)+len(n.Any) == 0 {
		v.c.Add("all", "a trigger needs at least one condition")
	}
	if len(n.Actions) == 0 {
		v.c.Add("actions", "a trigger needs at least one action")
	}
	n.All = v.conditions("all", n.All)
	n.Any = v.conditions("any", n.Any)
	if len(n.Actions) > MaxActions {
		v.c.Add("actions", "%d actions, at most %d", len(n.Actions), MaxActions)
	} else {
		n.Actions = slices.Clone(n.Actions)
		added, reported := map[string]bool{}, false
		for i := range n.Actions {
			n.Actions[i] = v.action(fmt.Sprintf("actions[%d]", i), n.Actions[i].Clone())
			if n.Actions[i].Kind != AddTags || len(n.Actions[i].Tags) > maxTags {
				continue
			}
			for _, tg := range n.Actions[i].Tags {
				added[tg] = true
			}
			// Together, the add-tags actions of one trigger may not name
			// more tags than a ticket holds: the last ones could never be
			// carried out (TRG-5).
			if len(added) > maxTags && !reported {
				v.c.Add(fmt.Sprintf("actions[%d].tags", i), "the add-tags actions name %d different tags together, at most %d (as many as a ticket holds)", len(added), maxTags)
				reported = true
			}
		}
	}
	if v.err != nil {
		return New{}, v.err
	}
	if err := v.c.Err(); err != nil {
		return New{}, err
	}
	// What passed must compile; a failure here is a bug of ours, reported
	// rather than saved.
	if _, err := compileOne(Trigger{All: n.All, Any: n.Any}, s); err != nil {
		return New{}, fmt.Errorf("%w: the trigger does not compile: %v", ErrInvalid, err)
	}
	return n, nil
}

type validator struct {
	ctx context.Context
	s   *Schema
	r   Resolver
	c   errs.Collector
	err error // a storage error of r
}

// exists records problem when lookup reports ErrNotFound, and keeps any
// other error to return.
func (v *validator) exists(at string, err error, format string, args ...any) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, errs.ErrNotFound):
		v.c.Add(at, format, args...)
	default:
		if v.err == nil {
			v.err = err
		}
	}
	return false
}

func (v *validator) conditions(list string, cs []Condition) []Condition {
	if len(cs) > MaxConditions {
		v.c.Add(list, "%d conditions, at most %d", len(cs), MaxConditions)
		return nil
	}
	if len(cs) == 0 {
		return nil
	}
	out := make([]Condition, len(cs))
	for i, c := range cs {
		out[i] = v.condition(fmt.Sprintf("%s[%d]", list, i), c)
	}
	return out
}

// condition checks one condition and returns it with its value in
// canonical shape.
func (v *validator) condition(at string, c Condition) Condition {
	t, ok := v.s.Target(c.Target)
	if !ok {
		if name, ok := text.Suggest(c.Target, v.s.names()); ok {
			v.c.Add(at+".target", "unknown target %q (did you mean %q?)", c.Target, name)
		} else {
			v.c.Add(at+".target", "unknown target %q", c.Target)
		}
		return c
	}
	if !t.Allows(c.Op) {
		v.c.Add(at+".op", "operator %q is not allowed for %s; allowed: %v", c.Op, t.Name, t.Ops)
		return c
	}
	vat := at + ".value"
	switch c.Op {
	case Changed, NotChanged, Present, Absent:
		if c.Value != nil {
			v.c.Add(vat, "operator %q takes no value", c.Op)
		}
		return Condition{Target: c.Target, Op: c.Op}
	}
	list := c.Op.takesList() || (c.Op == Contains || c.Op == NotContains) && t.Type != TypeText
	if list || c.Op.searchesText() {
		// in, not in and the under-any operators take a list; contains
		// and contains_words on a text take one value or a list ("at
		// least one of").
		l, ok := asList(c.Value)
		if !ok {
			v.c.Add(vat, "must be a list of texts")
			return c
		}
		if len(l) == 0 || len(l) > MaxValues {
			v.c.Add(vat, "must list 1 to %d values", MaxValues)
			return c
		}
		_, single := c.Value.(string)
		for i := range l {
			at := fmt.Sprintf("%s[%d]", vat, i)
			if single {
				at = vat // the caller sent one value, not a list
			}
			l[i] = v.scalar(at, t, c.Op, l[i]).(string)
		}
		if t.Type == TypeTags {
			l = ticket.NormalizeTags(l)
		}
		if !list && len(l) == 1 {
			c.Value = l[0]
		} else {
			c.Value = l
		}
		return c
	}
	c.Value = v.scalar(vat, t, c.Op, c.Value)
	return c
}

// takesList reports whether op takes a list of values.
func (op Op) takesList() bool {
	return op == In || op == NotIn || op == IsUnderAny || op == IsNotUnderAny
}

// searchesText reports whether op looks for values in a text (or, for
// contains, members in a set).
func (op Op) searchesText() bool {
	return op == Contains || op == NotContains || op == ContainsWords || op == NotContainsWords
}

// asList returns v as a list of strings: a string is a list of one.
func asList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []string:
		return slices.Clone(x), true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// scalar checks one value of target t under op and returns it in canonical
// shape; list elements come here one by one, as strings.
func (v *validator) scalar(at string, t Target, op Op, val any) any {
	val, _ = ticket.NormalizeValue(val)
	str := func() (string, bool) {
		s, ok := val.(string)
		if !ok {
			v.c.Add(at, "must be text, not %s", field.Shape(val))
			return "", false
		}
		if !text.Valid(s, MaxValueBytes) { // before any lookup: a store must not be asked (SEC-3)
			text.Check(&v.c, at, s, false, MaxValueBytes)
			return "", false
		}
		return s, true
	}
	switch t.Type {
	case TypeEvent, TypeStatus, TypePriority, TypeChannel, TypeSelect, TypeMulti:
		s, ok := str()
		if ok && !slices.Contains(t.Values, s) {
			v.c.Add(at, "%q is not a value of %s; values: %v", s, t.Name, t.Values)
		}
		return s
	case TypeLanguage:
		s, ok := str()
		if !ok {
			return s
		}
		if cl, err := i18n.Canonical(s); err == nil && slices.Contains(t.Values, cl) {
			return cl
		}
		v.c.Add(at, "%q is not one of the service's languages %v", s, t.Values)
		return s
	case TypeCategory:
		s, ok := str()
		if !ok {
			return s
		}
		cat, err := v.r.Category(v.ctx, s)
		if v.exists(at, err, "no category %q in this service", s) && string(cat.Tree) != t.Tree {
			v.c.Add(at, "category %q is in the %s tree, not the %s tree", s, cat.Tree, t.Tree)
		}
		return s
	case TypeAgent:
		s, ok := str()
		if ok {
			v.exists(at, v.r.Agent(v.ctx, s), "no agent %q in this service", s)
		}
		return s
	case TypeGroup:
		s, ok := str()
		if ok {
			v.exists(at, v.r.Group(v.ctx, s), "no group %q in this service", s)
		}
		return s
	case TypeText, TypeTags:
		s, ok := str()
		if ok && (op.searchesText() || t.Type == TypeTags) && template.Fold(strings.TrimSpace(s)) == "" {
			v.c.Add(at, "must not be empty")
		}
		return s
	case TypeNumber, TypeHours:
		f, ok := val.(float64)
		if !ok {
			v.c.Add(at, "must be a number, not %s", field.Shape(val))
		} else if t.Type == TypeHours && f < 0 {
			v.c.Add(at, "must not be negative")
		}
		return val
	case TypeDate:
		s, ok := str()
		if _, err := time.Parse(time.DateOnly, s); ok && err != nil {
			v.c.Add(at, "%q is not a date (2006-01-02)", s)
		}
		return s
	case TypeDateTime:
		s, ok := str()
		if _, err := time.Parse(time.RFC3339, s); ok && err != nil {
			v.c.Add(at, "%q is not an RFC 3339 date-time", s)
		}
		return s
	case TypeCheckbox:
		if _, ok := val.(bool); !ok {
			v.c.Add(at, "must be true or false, not %s", field.Shape(val))
		}
		return val
	}
	v.c.Add(at, "target %s has no values", t.Name)
	return val
}

// action checks one action and returns it in canonical form.
func (v *validator) action(at string, a Action) Action {
	unused := func(name string, set bool) {
		if set {
			v.c.Add(at+"."+name, "is not used by a %s action", a.Kind)
		}
	}
	group := func() {
		if a.GroupID == "" {
			v.c.Add(at+".group_id", "is required")
			return
		}
		v.exists(at+".group_id", v.r.Group(v.ctx, a.GroupID), "no group %q in this service", a.GroupID)
	}
	switch a.Kind {
	case AssignRandom, AssignRoundRobin:
		group()
		unused("agent_id", a.AgentID != "")
	case AssignFixed:
		group()
		if a.AgentID == "" {
			v.c.Add(at+".agent_id", "is required")
		} else {
			v.exists(at+".agent_id", v.r.Agent(v.ctx, a.AgentID), "no agent %q in this service", a.AgentID)
		}
	case SetStatus:
		s, _ := a.Value.(string)
		switch {
		case !ticket.Status(s).Valid():
			v.c.Add(at+".value", "%v is not a status; statuses: %v", a.Value, ticket.Statuses)
		case ticket.Status(s) == ticket.StatusNew:
			v.c.Add(at+".value", "no ticket moves back to new (TKT-2)")
		}
	case SetPriority:
		if s, _ := a.Value.(string); !ticket.Priority(s).Valid() {
			v.c.Add(at+".value", "%v is not a priority; priorities: %v", a.Value, ticket.Priorities)
		}
	case SetProcessingCategory:
		if a.CategoryID != "" {
			cat, err := v.r.Category(v.ctx, a.CategoryID)
			if v.exists(at+".category_id", err, "no category %q in this service", a.CategoryID) && cat.Tree != category.Processing {
				v.c.Add(at+".category_id", "category %q is not a processing category", a.CategoryID)
			}
		}
	case SetField:
		v.setField(at, &a)
	case AddTags, RemoveTags:
		// As many tags as a ticket holds, each as long as a ticket takes:
		// adding more could never be carried out (ApplyToTicket).
		a.Tags = ticket.NormalizeTags(a.Tags)
		switch {
		case len(a.Tags) == 0:
			v.c.Add(at+".tags", "name at least one tag")
		case len(a.Tags) > maxTags:
			v.c.Add(at+".tags", "%d tags, at most %d (as many as a ticket holds)", len(a.Tags), maxTags)
		default:
			for i, tg := range a.Tags {
				text.Check(&v.c, fmt.Sprintf("%s.tags[%d]", at, i), tg, true, maxTagBytes)
			}
		}
	case Note:
		v.text(at+".body", a.Body, true)
	case Notify:
		if !slices.Contains([]string{RecipientAssignee, RecipientGroup, RecipientCustomer}, a.Recipient) {
			v.c.Add(at+".recipient", "must be %s, %s or %s", RecipientAssignee, RecipientGroup, RecipientCustomer)
		}
		v.text(at+".subject", a.Subject, true)
		v.text(at+".body", a.Body, true)
	case NotifyBrowser:
		switch a.Recipient {
		case RecipientAssignee, RecipientGroup:
		case RecipientCustomer:
			v.c.Add(at+".recipient", "browser notifications reach agents only: must be %s or %s", RecipientAssignee, RecipientGroup)
		default:
			v.c.Add(at+".recipient", "must be %s or %s", RecipientAssignee, RecipientGroup)
		}
		v.text(at+".subject", a.Subject, true)
		v.text(at+".body", a.Body, true)
	case Forward, ForwardAndComplete:
		v.addresses(at, a.Addresses, text.Email, "a plain mail address")
		v.text(at+".body", a.Body, false)
	case Callback:
		v.url(at+".url", a.URL, false)
	case Dooray:
		v.url(at+".url", a.URL, true)
		v.text(at+".body", a.Body, true)
	case SMS:
		switch {
		case a.Recipient == RecipientCustomer:
		case a.Recipient == "" && len(a.Addresses) > 0:
			v.addresses(at, a.Addresses, text.Phone, "a phone number")
		default:
			v.c.Add(at+".recipient", "must be %s, or empty with phone numbers in addresses", RecipientCustomer)
		}
		v.text(at+".body", a.Body, true)
	default:
		v.c.Add(at+".kind", "unknown action %q; kinds: %v", a.Kind, ActionKinds)
	}
	return a
}

func (v *validator) addresses(at string, l []string, ok func(string) bool, what string) {
	if len(l) == 0 || len(l) > MaxAddresses {
		v.c.Add(at+".addresses", "list 1 to %d addresses", MaxAddresses)
	}
	for i, s := range l {
		switch {
		case !text.Valid(s, MaxAddressBytes):
			text.Check(&v.c, fmt.Sprintf("%s.addresses[%d]", at, i), s, false, MaxAddressBytes)
		case !ok(s):
			v.c.Add(fmt.Sprintf("%s.addresses[%d]", at, i), "%q is not %s", s, what)
		}
	}
}

func (v *validator) url(at, s string, httpsOnly bool) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		v.c.Add(at, "is required")
	case !text.Valid(s, MaxURLBytes):
		text.Check(&v.c, at, s, false, MaxURLBytes)
	case err != nil || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")):
		if httpsOnly {
			v.c.Add(at, "%q is not an absolute https URL", s)
		} else {
			v.c.Add(at, "%q is not an absolute http or https URL", s)
		}
	}
}

// text checks a per-language text: languages of the service, a text in
// the default language when required, codes that render (TPL-4).
func (v *validator) text(at string, t i18n.Text, required bool) {
	if required && strings.TrimSpace(t.Get(v.s.DefaultLanguage, v.s.DefaultLanguage)) == "" {
		v.c.Add(at, "needs a text in the service's default language %q", v.s.DefaultLanguage)
	}
	for _, lang := range t.Langs() {
		lat := at + "." + lang
		if !slices.Contains(v.s.Languages, lang) {
			v.c.Add(lat, "%q is not one of the service's languages %v", lang, v.s.Languages)
			continue
		}
		text.Check(&v.c, lat, t[lang], false, MaxBodyBytes)
		c, err := template.Parse(t[lang])
		var pe *template.ParseError
		if errors.As(err, &pe) {
			for _, ce := range pe.Codes {
				v.c.Add(lat, "%s", ce)
			}
			continue
		} else if err != nil {
			v.c.Add(lat, "%s", errs.Detail(err))
			continue
		}
		for _, code := range c.Used() {
			key, ok := strings.CutPrefix(code, template.FieldPrefix)
			if !ok {
				continue
			}
			if _, ok := v.s.Target(FieldTarget(field.KindCustomer, key)); !ok {
				if _, ok := v.s.Target(FieldTarget(field.KindAgent, key)); !ok {
					v.c.Add(lat, "#{%s} names no field of the service", code)
				}
			}
		}
	}
}

// setField checks a SetField action: a custom field and a value its
// definition accepts (nil clears).
func (v *validator) setField(at string, a *Action) {
	t, ok := v.s.Target(a.Field)
	if _, _, custom := SplitField(a.Field); !ok || !custom || t.Field == nil {
		v.c.Add(at+".field", "%q is not a custom field of the service (customer_fields.KEY or agent_fields.KEY)", a.Field)
		return
	}
	val, ok := ticket.NormalizeValue(a.Value)
	if a.Value == nil {
		return
	}
	if !ok {
		v.c.Add(at+".value", "unsupported value type %T", a.Value)
		return
	}
	if err := t.Field.CheckValue(val); err != nil {
		v.c.Add(at+".value", "%v", err)
		return
	}
	a.Value = val
}

// maxTagBytes is the longest tag a ticket takes (ticket.Validate).
const maxTagBytes = text.TagBytes
