package memory

import (
	"context"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
)

// categoryState is a tenant's categories of both trees, deleted ones
// included (their ids are never reused, their names stay readable).
type categoryState struct {
	byID map[string]*category.Category
}

func newCategoryState() categoryState {
	return categoryState{byID: map[string]*category.Category{}}
}

// categoryRepo stores the rows it is given; the rules are the category
// package's plans, run by package helpdesk.
type categoryRepo struct{ tx *txn }

func (r categoryRepo) st() *categoryState { return &r.tx.t.cat }

// put stores a copy of c and records how to undo it.
func (r categoryRepo) put(c category.Category) {
	st := r.st()
	old, had := st.byID[c.ID]
	n := c.Clone()
	st.byID[c.ID] = &n
	r.tx.onUndo(func() {
		if had {
			st.byID[c.ID] = old
		} else {
			delete(st.byID, c.ID)
		}
	})
}

// Lock needs no lock here: the service's transactions run one at a time.
func (r categoryRepo) Lock(ctx context.Context) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	return r.tx.exists()
}

func (r categoryRepo) Get(ctx context.Context, id string) (category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return category.Category{}, err
	}
	c, ok := r.st().byID[id]
	if !ok {
		return category.Category{}, errs.NotFound("category", id)
	}
	return c.Clone(), nil
}

func (r categoryRepo) Path(ctx context.Context, id string) ([]category.Category, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]category.Category, 0, c.Level())
	for _, a := range c.Path {
		if p, ok := r.st().byID[a]; ok {
			out = append(out, p.Clone())
		}
	}
	return append(out, c), nil
}

func (r categoryRepo) Tree(ctx context.Context, tree category.Tree) ([]category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	var out []category.Category
	for _, c := range r.st().byID {
		if !c.Deleted && c.Tree == tree {
			out = append(out, c.Clone())
		}
	}
	return out, nil
}

func (r categoryRepo) All(ctx context.Context) ([]category.Category, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make([]category.Category, 0, len(r.st().byID))
	for _, c := range r.st().byID {
		out = append(out, c.Clone())
	}
	return out, nil
}

func (r categoryRepo) Insert(ctx context.Context, c category.Category) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	if err := r.tx.exists(); err != nil {
		return err
	}
	if _, ok := r.st().byID[c.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "category %q exists", c.ID)
	}
	r.put(c)
	return nil
}

func (r categoryRepo) Save(ctx context.Context, cs ...category.Category) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	for _, c := range cs {
		if _, ok := r.st().byID[c.ID]; !ok {
			return errs.NotFound("category", c.ID)
		}
	}
	for _, c := range cs {
		n := *r.st().byID[c.ID] // ID, Tree and CreatedAt stay
		n.ParentID, n.Path, n.Position, n.Name = c.ParentID, c.Path, c.Position, c.Name
		n.Enabled, n.Deleted, n.UpdatedAt = c.Enabled, c.Deleted, c.UpdatedAt
		r.put(n) // a copy
	}
	return nil
}
