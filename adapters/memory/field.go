package memory

import (
	"context"
	"slices"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// fieldState is a tenant's stored field rows and layouts: the rows of the
// user fields and of the system fields an admin changed, and the layouts as
// set. The rules (system fields, layouts, inheritance) are the domain's.
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

// fieldRepo implements field.Repository: it stores and reads rows and
// makes no rule checks.
type fieldRepo struct{ tx *txn }

func (r fieldRepo) state() *fieldState { return &r.tx.t.fld }

// put stores a copy of f under key (or removes the row when f is nil) and
// records the undo step.
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

// putLayout stores a copy of keys as layout k (removes it with del) and
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

func (r fieldRepo) rows() []field.Field {
	out := make([]field.Field, 0, len(r.state().fields))
	for _, f := range r.state().fields {
		out = append(out, f.Clone())
	}
	return out
}

func layout(k layoutKey, keys []string) field.Layout {
	return field.Layout{Kind: k.kind, IntakeCategoryID: k.intake, Keys: append([]string{}, keys...)}
}

func (r fieldRepo) Row(ctx context.Context, key string) (field.Field, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Field{}, err
	}
	f, ok := r.state().fields[key]
	if !ok {
		return field.Field{}, errs.NotFound("field", key)
	}
	return f.Clone(), nil
}

func (r fieldRepo) Rows(ctx context.Context) ([]field.Field, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	return r.rows(), nil
}

func (r fieldRepo) Insert(ctx context.Context, f field.Field) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	if _, ok := r.state().fields[f.Key]; ok {
		return errs.New(helpdesk.ErrConflict, "field %q exists", f.Key)
	}
	r.put(f.Key, &f)
	return nil
}

func (r fieldRepo) Put(ctx context.Context, f field.Field) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	r.put(f.Key, &f)
	return nil
}

func (r fieldRepo) Delete(ctx context.Context, key string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if _, ok := r.state().fields[key]; !ok {
		return errs.NotFound("field", key)
	}
	r.put(key, nil)
	return nil
}

func (r fieldRepo) Layouts(ctx context.Context) ([]field.Layout, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]field.Layout, 0, len(r.state().layouts))
	for k, keys := range r.state().layouts {
		out = append(out, layout(k, keys))
	}
	return out, nil
}

func (r fieldRepo) PutLayouts(ctx context.Context, ls ...field.Layout) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	for _, l := range ls {
		r.putLayout(layoutKey{l.Kind, l.IntakeCategoryID}, l.Keys, false)
	}
	return nil
}

func (r fieldRepo) DeleteLayout(ctx context.Context, k field.Kind, intakeCategoryID string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	lk := layoutKey{k, intakeCategoryID}
	if _, ok := r.state().layouts[lk]; !ok {
		return errs.New(helpdesk.ErrNotFound, "%s layout %q", k, intakeCategoryID)
	}
	r.putLayout(lk, nil, true)
	return nil
}

func (r fieldRepo) Load(ctx context.Context, intakeCategoryID string) (field.Stored, error) {
	if err := r.tx.check(ctx); err != nil {
		return field.Stored{}, err
	}
	st := field.Stored{Fields: r.rows()}
	want := []layoutKey{{field.KindAgent, ""}, {field.KindCustomer, ""}}
	if intakeCategoryID != "" {
		want = append(want, layoutKey{field.KindCustomer, intakeCategoryID})
	}
	for _, k := range want {
		if keys, ok := r.state().layouts[k]; ok {
			st.Layouts = append(st.Layouts, layout(k, keys))
		}
	}
	return st, nil
}

// Lock needs no lock here: the service's transactions run one at a time.
func (r fieldRepo) Lock(ctx context.Context) error { return r.tx.check(ctx) }
