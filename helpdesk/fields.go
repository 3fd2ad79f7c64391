package helpdesk

import (
	"context"
	"errors"
	"strings"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// The field workflows take the field lock, read the rows the rule needs,
// decide with the field package's rule helpers and write rows: the store
// (field.Repository) only persists them.

// storedField reads the stored row of key; stored is false when it has
// none (a system field at its defaults, or no field).
func storedField(ctx context.Context, o *op, key string) (f field.Field, stored bool, err error) {
	f, err = o.r.Fields().Row(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return field.Field{}, false, nil
	}
	return f, err == nil, err
}

// getField returns the field with key as it applies: its stored row, else
// the defaults of the system field; ErrNotFound if key names neither.
func getField(ctx context.Context, o *op, key string) (field.Field, error) {
	row, stored, err := storedField(ctx, o, key)
	if err != nil {
		return field.Field{}, err
	}
	f, ok := field.Current(key, row, stored)
	if !ok {
		return field.Field{}, errs.NotFound("field", key)
	}
	return f, nil
}

// listFields returns every field of the service, system fields first
// (field.Merge).
func listFields(ctx context.Context, o *op) ([]field.Field, error) {
	rows, err := o.r.Fields().Rows(ctx)
	if err != nil {
		return nil, err
	}
	return field.Merge(rows), nil
}

// fieldSchema returns the definitions and the layouts of tickets of intake
// category id, read from the store at once (it is on the ticket path).
func fieldSchema(ctx context.Context, o *op, id string) (field.Schema, error) {
	st, err := o.r.Fields().Load(ctx, id)
	if err != nil {
		return field.Schema{}, err
	}
	return field.NewSchema(st, id), nil
}

// Create defines a user field (admin; FLD-1). Bad input returns a
// *ValidationError naming every bad part (a select without options among
// them); a key already used, by a system field too, returns an error
// matching field.ErrDuplicateKey and ErrConflict. Nothing is written then.
// A new customer field shows in the layouts that were never set; layouts
// that were set list it once an admin adds it.
func (h Fields) Create(ctx context.Context, n field.New) (field.Field, error) {
	var out field.Field
	err := h.s.run(ctx, "Fields.Create", permSettings, func(o *op) error {
		if err := n.Validate(o.svc.Languages, o.svc.DefaultLanguage); err != nil {
			return err
		}
		out = n.Field(o.now)
		if err := o.r.Fields().Lock(ctx); err != nil {
			return err
		}
		_, taken, err := storedField(ctx, o, out.Key)
		if err != nil {
			return err
		}
		if err := field.CheckCreate(out, taken); err != nil {
			return err
		}
		if err := o.r.Fields().Insert(ctx, out); errors.Is(err, ErrConflict) { // a writer that skipped the lock
			return errs.New(field.ErrDuplicateKey, "the key %q is taken by another field", out.Key)
		} else if err != nil {
			return err
		}
		return o.r.Triggers().Touch(ctx) // compiled triggers type fields by their definitions
	})
	return out, err
}

// Update changes a field's label, help text, required flag or options
// (admin). Key, kind and type never change. Stored ticket values are not
// touched: a value of an option removed since stays on its tickets,
// readable, and updates that leave it unchanged are accepted (FLD-5). On a
// system field the option values and the required flag of title, content
// and priority are fixed (field.ErrSystemField).
func (h Fields) Update(ctx context.Context, key string, u field.Update) (field.Field, error) {
	if err := checkID("field", key); err != nil {
		return field.Field{}, err
	}
	var out field.Field
	err := h.s.run(ctx, "Fields.Update", permSettings, func(o *op) error {
		if err := o.r.Fields().Lock(ctx); err != nil { // read what we write back
			return err
		}
		cur, err := getField(ctx, o, key)
		if err != nil {
			return err
		}
		if err := cur.ValidateUpdate(u, o.svc.Languages, o.svc.DefaultLanguage); err != nil {
			return err
		}
		out = cur.Apply(u)
		out.UpdatedAt = o.now
		return o.r.Fields().Put(ctx, out) // a system field at its defaults gets its row
	})
	return out, err
}

// Delete deletes a user field and takes it out of every layout
// (admin; FLD-4). Tickets keep the values they have. A system field cannot
// be deleted (field.ErrSystemField, matching ErrInvalid): reset it instead.
func (h Fields) Delete(ctx context.Context, key string) error {
	if err := checkID("field", key); err != nil {
		return err
	}
	return h.s.run(ctx, "Fields.Delete", permSettings, func(o *op) error {
		if err := o.r.Fields().Lock(ctx); err != nil {
			return err
		}
		_, stored, err := storedField(ctx, o, key)
		if err != nil {
			return err
		}
		if err := field.CheckDelete(key, stored); err != nil {
			return err
		}
		if err := o.r.Fields().Delete(ctx, key); err != nil {
			return err
		}
		ls, err := o.r.Fields().Layouts(ctx)
		if err != nil {
			return err
		}
		if ls = field.WithoutKey(ls, key); len(ls) > 0 {
			if err := o.r.Fields().PutLayouts(ctx, ls...); err != nil {
				return err
			}
		}
		return o.r.Triggers().Touch(ctx) // compiled triggers type fields by their definitions
	})
}

// ResetSystem restores a system field's defaults (admin; FLD-4) and
// returns them. A user field has none (field.ErrNotSystem).
func (h Fields) ResetSystem(ctx context.Context, key string) (field.Field, error) {
	if err := checkID("field", key); err != nil {
		return field.Field{}, err
	}
	var out field.Field
	err := h.s.run(ctx, "Fields.ResetSystem", permSettings, func(o *op) error {
		if err := o.r.Fields().Lock(ctx); err != nil {
			return err
		}
		_, stored, err := storedField(ctx, o, key)
		if err != nil {
			return err
		}
		if out, err = field.ResetTo(key, stored); err != nil || !stored {
			return err // at its defaults already: nothing to forget
		}
		return o.r.Fields().Delete(ctx, key)
	})
	return out, err
}

// List lists the service's fields: the system fields first (FLD-4), then
// the user fields in creation order. Any agent may read them.
func (h Fields) List(ctx context.Context) ([]field.Field, error) {
	var out []field.Field
	err := h.s.run(ctx, "Fields.List", permRead, func(o *op) (err error) {
		out, err = listFields(ctx, o)
		return err
	})
	return out, err
}

// Get returns the field with key (any agent).
func (h Fields) Get(ctx context.Context, key string) (field.Field, error) {
	if err := checkID("field", key); err != nil {
		return field.Field{}, err
	}
	var out field.Field
	err := h.s.run(ctx, "Fields.Get", permRead, func(o *op) (err error) {
		out, err = getField(ctx, o, key)
		return err
	})
	return out, err
}

// checkLayoutID records a problem unless id is a plausible intake category
// id. The id is opaque here: it is not looked up, so a layout can be set
// before its category exists.
func checkLayoutID(id string) error {
	var c errs.Collector
	text.Check(&c, "intake_category_id", id, false, text.KeyBytes)
	return c.Err()
}

// setLayout checks keys as the layout of kind k for intake category id
// against the definitions (field.CheckLayout) and stores what it returns.
func setLayout(ctx context.Context, o *op, k field.Kind, id string, keys []string) (field.Layout, error) {
	if err := o.r.Fields().Lock(ctx); err != nil {
		return field.Layout{}, err
	}
	defs, err := listFields(ctx, o)
	if err != nil {
		return field.Layout{}, err
	}
	keys, err = field.CheckLayout(k, keys, defs)
	if err != nil {
		return field.Layout{}, err
	}
	l := field.Layout{Kind: k, IntakeCategoryID: id, Keys: keys}
	return l, o.r.Fields().PutLayouts(ctx, l)
}

// SetCustomerLayout sets the ordered customer fields of an intake category
// (admin; FLD-2); intakeCategoryID "" sets the service's default layout,
// used by categories without one of their own. The intake-type field stays
// first and the privacy-consent field last: left out, they are put there;
// listed elsewhere, the call fails with an error matching
// field.ErrPinned. Unknown keys, agent fields and repeated keys are
// refused too, every one named in a *ValidationError.
func (h Fields) SetCustomerLayout(ctx context.Context, intakeCategoryID string, keys []string) (field.Layout, error) {
	if err := checkLayoutID(intakeCategoryID); err != nil {
		return field.Layout{}, err
	}
	var out field.Layout
	err := h.s.run(ctx, "Fields.SetCustomerLayout", permSettings, func(o *op) (err error) {
		out, err = setLayout(ctx, o, field.KindCustomer, intakeCategoryID, keys)
		return err
	})
	return out, err
}

// ResetCustomerLayout forgets the customer layout of an intake category
// (admin): it inherits the service's default layout again; "" forgets the
// default, so that every customer field is shown. Forgetting a layout
// never set is no error.
func (h Fields) ResetCustomerLayout(ctx context.Context, intakeCategoryID string) error {
	if err := checkLayoutID(intakeCategoryID); err != nil {
		return err
	}
	return h.s.run(ctx, "Fields.ResetCustomerLayout", permSettings, func(o *op) error {
		if err := o.r.Fields().DeleteLayout(ctx, field.KindCustomer, intakeCategoryID); !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil
	})
}

// CustomerLayout returns the customer layout that applies to tickets of an
// intake category ("" for tickets without one): its own, else the
// service's default layout, else every customer field (Layout.Inherited
// tells). Any agent may read it.
func (h Fields) CustomerLayout(ctx context.Context, intakeCategoryID string) (field.Layout, error) {
	if err := checkLayoutID(intakeCategoryID); err != nil {
		return field.Layout{}, err
	}
	var out field.Layout
	err := h.s.run(ctx, "Fields.CustomerLayout", permRead, func(o *op) error {
		sch, err := fieldSchema(ctx, o, intakeCategoryID)
		out = sch.Customer
		return err
	})
	return out, err
}

// SetAgentLayout sets the ordered agent fields, one layout for the service
// (admin; FLD-3). Processing type and priority stay on top, checked as
// SetCustomerLayout checks its pins.
func (h Fields) SetAgentLayout(ctx context.Context, keys []string) (field.Layout, error) {
	var out field.Layout
	err := h.s.run(ctx, "Fields.SetAgentLayout", permSettings, func(o *op) (err error) {
		out, err = setLayout(ctx, o, field.KindAgent, "", keys)
		return err
	})
	return out, err
}

// AgentLayout returns the service's agent layout; never set, it lists
// every agent field. Any agent may read it.
func (h Fields) AgentLayout(ctx context.Context) (field.Layout, error) {
	var out field.Layout
	err := h.s.run(ctx, "Fields.AgentLayout", permRead, func(o *op) error {
		sch, err := fieldSchema(ctx, o, "")
		out = sch.Agent
		return err
	})
	return out, err
}

// columnValue returns the value of the ticket column a system field stands
// for, for the columns whose required flag the field settings decide
// (title, content and priority are required by every ticket anyway).
func columnValue(t *ticket.Ticket, key string) (string, bool) {
	switch key {
	case field.KeyIntakeType:
		return t.IntakeCategoryID, true
	case field.KeyEmail:
		return t.Requester.Email, true
	case field.KeyProcessingType:
		return t.ProcessingCategoryID, true
	}
	return "", false
}

// checkFields validates t's customer- and agent-field values against the
// definitions and the layouts of its intake category (FLD-5), adding every
// problem to c: unknown keys, fields of the other kind or not in the
// layout, wrong shapes, values not among the options, missing required
// values, each named "customer_fields.KEY" or "agent_fields.KEY".
//
// What is checked:
//   - A ticket being updated (it has a number: only the store hands one
//     out) is compared with its stored version, and so is a follow-up with
//     the closed ticket it copies (TKT-2): only values that changed are
//     checked, so a definition changed since (an option removed, a field
//     deleted or taken out of the layout) never makes a later write fail,
//     and a required field missing before and after is not reported.
//     Moving a ticket to another intake category does not re-check the
//     values it has.
//   - A new ticket is checked in full. Required customer fields are
//     enforced unless it came by email (mail ingestion has no form to
//     fill); required agent fields only when an agent creates it (agent
//     fields are filled while a ticket is processed).
//   - Required system fields that stand for a ticket column (intake type,
//     email, processing type) need the column set.
//
// It returns an error only when storage fails.
func (s *Session) checkFields(ctx context.Context, o *op, t *ticket.Ticket, c *errs.Collector) error {
	var before *ticket.Ticket
	switch {
	case o.before != nil: // an update, or a follow-up of a closed ticket
		before = o.before
	}
	compare := before != nil
	reqCustomer := compare || t.Channel != ticket.ChannelEmail
	reqAgent := compare || s.actor.Kind == ticket.ActorAgent
	var old ticket.Ticket
	if compare {
		old = *before
	}
	colChanged := func(key string) bool {
		v, _ := columnValue(t, key)
		w, _ := columnValue(&old, key)
		return !compare || v != w
	}
	switch {
	case compare:
		if !fieldsChanged(old.CustomerFields, t.CustomerFields) && !fieldsChanged(old.AgentFields, t.AgentFields) &&
			!colChanged(field.KeyIntakeType) && !colChanged(field.KeyEmail) && !colChanged(field.KeyProcessingType) {
			return nil // nothing the fields decide has changed
		}
	case len(t.CustomerFields) == 0 && len(t.AgentFields) == 0 && !reqCustomer && !reqAgent:
		return nil // no values and nothing required: no need to read the schema
	}
	sch, err := fieldSchema(ctx, o, t.IntakeCategoryID)
	if err != nil {
		return err
	}
	c.MergeNew(field.Check{Prefix: "customer_fields.", Kind: field.KindCustomer, Schema: sch, Compare: compare,
		Before: old.CustomerFields, Required: reqCustomer}.Run(t.CustomerFields))
	c.MergeNew(field.Check{Prefix: "agent_fields.", Kind: field.KindAgent, Schema: sch, Compare: compare,
		Before: old.AgentFields, Required: reqAgent}.Run(t.AgentFields))
	for _, l := range []struct {
		keys     []string
		required bool
	}{{sch.Customer.Keys, reqCustomer}, {sch.Agent.Keys, reqAgent}} {
		if !l.required {
			continue
		}
		for _, key := range l.keys {
			f, ok := sch.Field(key)
			v, isColumn := columnValue(t, key)
			if !ok || !f.Required || !isColumn || !colChanged(key) || c.Has(f.Column()) {
				continue
			}
			if strings.TrimSpace(v) == "" {
				c.Add(f.Column(), "is required by the %q field settings", key)
			}
		}
	}
	return nil
}

// fieldsChanged reports whether two sets of values differ.
func fieldsChanged(a, b ticket.Fields) bool {
	if len(a) != len(b) {
		return true
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !ticket.SameValue(v, w) {
			return true
		}
	}
	return false
}
