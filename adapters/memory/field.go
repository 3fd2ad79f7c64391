package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
)

// fieldState is a tenant's field definitions and layouts. System fields
// are not seeded: fields holds the user fields and the system fields an
// admin changed, and field.Merge adds the defaults of the others.
type fieldState struct {
	fields  map[string]field.Field // by key
	layouts map[layoutKey][]string
}

// layoutKey names one layout: the agent layout is {agent, ""}, the service's
// default customer layout {customer, ""}.
type layoutKey struct {
	kind   field.Kind
	intake string
}

func newFieldState() fieldState {
	return fieldState{fields: map[string]field.Field{}, layouts: map[layoutKey][]string{}}
}

type fieldRepo struct{ tx *txn }

func (r fieldRepo) state() *fieldState { return &r.tx.t.fld }

// put stores f under key (or removes the row when f is nil) and records the
// undo step.
func (r fieldRepo) put(key string, f *field.Field) {
	st := r.state()
	old, had := st.fields[key]
	if f == nil {
		delete(st.fields, key)
	} else {
		st.fields[key] = f.Clone()
	}
	r.tx.onUndo(func() {
		if had {
			st.fields[key] = old
		} else {
			delete(st.fields, key)
		}
	})
}

// putLayout stores keys as layout k (nil keys with del removes it) and
// records the undo step.
func (r fieldRepo) putLayout(k layoutKey, keys []string, del bool) {
	st := r.state()
	old, had := st.layouts[k]
	if del {
		delete(st.layouts, k)
	} else {
		st.layouts[k] = slices.Clone(keys)
	}
	r.tx.onUndo(func() {
		if had {
			st.layouts[k] = old
		} else {
			delete(st.layouts, k)
		}
	})
}

func (r fieldRepo) get(key string) (field.Field, bool) {
	if f, ok := r.state().fields[key]; ok {
		return f.Clone(), true
	}
	return field.SystemField(key)
}

func (r fieldRepo) list() []field.Field {
	stored := make([]field.Field, 0, len(r.state().fields))
	for _, f := range r.state().fields {
		stored = append(stored, f)
	}
	return field.Merge(stored)
}

func (r fieldRepo) Create(ctx context.Context, f field.Field) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	if f.System {
		return fmt.Errorf("field %q: Create stores user fields only: %w", f.Key, helpdesk.ErrInvalid)
	}
	if _, ok := r.get(f.Key); ok {
		return fmt.Errorf("field %q: %w", f.Key, field.ErrDuplicateKey)
	}
	r.put(f.Key, &f)
	return nil
}

func (r fieldRepo) Get(ctx context.Context, key string) (field.Field, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Field{}, err
	}
	f, ok := r.get(key)
	if !ok {
		return field.Field{}, fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
	}
	return f, nil
}

func (r fieldRepo) List(ctx context.Context) ([]field.Field, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return r.list(), nil
}

func (r fieldRepo) Update(ctx context.Context, f field.Field) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	cur, ok := r.get(f.Key)
	if !ok {
		return fmt.Errorf("field %q: %w", f.Key, helpdesk.ErrNotFound)
	}
	cur.Label, cur.HelpText, cur.Required, cur.Options, cur.UpdatedAt = f.Label, f.HelpText, f.Required, f.Options, f.UpdatedAt
	r.put(f.Key, &cur)
	return nil
}

func (r fieldRepo) Delete(ctx context.Context, key string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if field.IsSystem(key) {
		return fmt.Errorf("field %q cannot be deleted, only reset (FLD-4): %w", key, field.ErrSystemField)
	}
	if _, ok := r.state().fields[key]; !ok {
		return fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
	}
	r.put(key, nil)
	for k, keys := range r.state().layouts {
		if i := slices.Index(keys, key); i >= 0 {
			r.putLayout(k, slices.Delete(slices.Clone(keys), i, i+1), false)
		}
	}
	return nil
}

func (r fieldRepo) Reset(ctx context.Context, key string) (field.Field, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Field{}, err
	}
	def, ok := field.SystemField(key)
	if !ok {
		if _, user := r.state().fields[key]; user {
			return field.Field{}, fmt.Errorf("field %q has no defaults to reset to: %w", key, field.ErrNotSystem)
		}
		return field.Field{}, fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
	}
	if _, changed := r.state().fields[key]; changed {
		r.put(key, nil)
	}
	return def, nil
}

func (r fieldRepo) storedLayout(k layoutKey) ([]string, bool) {
	keys, ok := r.state().layouts[k]
	return slices.Clone(keys), ok
}

func (r fieldRepo) customer(id string, defs []field.Field) field.Layout {
	return field.ResolveCustomer(id, func(id string) ([]string, bool) {
		return r.storedLayout(layoutKey{field.KindCustomer, id})
	}, defs)
}

func (r fieldRepo) agent(defs []field.Field) field.Layout {
	keys, ok := r.storedLayout(layoutKey{field.KindAgent, ""})
	return field.ResolveAgent(keys, ok, defs)
}

func (r fieldRepo) CustomerLayout(ctx context.Context, intakeCategoryID string) (field.Layout, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Layout{}, err
	}
	return r.customer(intakeCategoryID, r.list()), nil
}

func (r fieldRepo) SetCustomerLayout(ctx context.Context, intakeCategoryID string, keys []string) (field.Layout, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Layout{}, err
	}
	keys, err := field.CheckLayout(field.KindCustomer, keys, r.list())
	if err != nil {
		return field.Layout{}, err
	}
	r.putLayout(layoutKey{field.KindCustomer, intakeCategoryID}, keys, false)
	return field.Layout{Kind: field.KindCustomer, IntakeCategoryID: intakeCategoryID, Keys: keys}, nil
}

func (r fieldRepo) DeleteCustomerLayout(ctx context.Context, intakeCategoryID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	k := layoutKey{field.KindCustomer, intakeCategoryID}
	if _, ok := r.state().layouts[k]; ok {
		r.putLayout(k, nil, true)
	}
	return nil
}

func (r fieldRepo) AgentLayout(ctx context.Context) (field.Layout, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Layout{}, err
	}
	return r.agent(r.list()), nil
}

func (r fieldRepo) SetAgentLayout(ctx context.Context, keys []string) (field.Layout, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Layout{}, err
	}
	keys, err := field.CheckLayout(field.KindAgent, keys, r.list())
	if err != nil {
		return field.Layout{}, err
	}
	r.putLayout(layoutKey{field.KindAgent, ""}, keys, false)
	return field.Layout{Kind: field.KindAgent, Keys: keys}, nil
}

func (r fieldRepo) Schema(ctx context.Context, intakeCategoryID string) (field.Schema, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Schema{}, err
	}
	defs := r.list()
	return field.Schema{Fields: defs, Customer: r.customer(intakeCategoryID, defs), Agent: r.agent(defs)}, nil
}

// Lock needs no lock here: the service's transactions run one at a time.
func (r fieldRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }
